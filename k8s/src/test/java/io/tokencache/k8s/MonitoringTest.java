package io.tokencache.k8s;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The alerting rules: the plain rules file and the PrometheusRule hold the same groups, and Prometheus's own tool
 * checks them and runs their unit tests (series that fire and series that do not).
 */
class MonitoringTest {

  private static final Path MONITORING = Path.of("monitoring");
  private static final Path RULES = MONITORING.resolve("token-cache-rules.yml");
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  @Test
  @DisplayName("the PrometheusRule holds exactly the groups of the plain rules file")
  void shouldKeepThePrometheusRuleEqualToTheRulesFile() throws Exception {
    Map<?, ?> plain = YAML.unmarshal(Files.readString(RULES), Map.class);
    Map<?, ?> resource = YAML.unmarshal(Files.readString(MONITORING.resolve("prometheusrule.yaml")), Map.class);
    assertThat(resource.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
    assertThat(resource.get("kind")).isEqualTo("PrometheusRule");
    assertThat(resource.get("spec")).isEqualTo(plain);
    List<?> groups = (List<?>) plain.get("groups");
    assertThat(groups).isNotEmpty();
    assertThat((List<?>) ((Map<?, ?>) groups.get(0)).get("rules")).hasSizeGreaterThanOrEqualTo(7);
  }

  @Test
  @DisplayName("promtool checks the rules and passes their unit tests")
  void shouldPassPromtool() throws Exception {
    Path promtool = promtool();
    assertThat(run(promtool.toString(), "check", "rules", RULES.toString())).contains("SUCCESS");
    assertThat(run(promtool.toString(), "test", "rules", MONITORING.resolve("token-cache-rules.test.yml").toString()))
      .contains("SUCCESS");
  }

  /** promtool from the PATH; CI installs it (.ci/run), elsewhere the test needs Debian's prometheus package. */
  static Path promtool() {
    Path found = Stream.of(System.getenv("PATH").split(File.pathSeparator)).map(d -> Path.of(d, "promtool"))
      .filter(Files::isExecutable).findFirst().orElse(null);
    assumeTrue(found != null || System.getenv("CI") != null, "promtool not on PATH (apt-get install prometheus)");
    assertThat(found).as("promtool on PATH in CI").isNotNull();
    return found;
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
    return out;
  }
}
