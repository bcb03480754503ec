package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokencache.fakeidp.FailureMode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ClusterOrchestrator, with a stub server jar")
class ClusterOrchestratorTest {

  private static final List<String> SMALL_JVM = List.of("-Xmx32m", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  @TempDir
  static Path jarDir;
  private static Path stubJar;

  @TempDir
  Path reports;

  @BeforeAll
  static void buildStub() throws IOException {
    stubJar = StubServerJar.build(jarDir);
  }

  private ImmutableHarnessOptions.Builder options() {
    return HarnessOptions.builder()
        .setScenario("unit")
        .setReportDir(reports)
        .setJarStoreDir(reports.resolve("jars"))
        .setServerJar(stubJar)
        .setServerJvmArgs(SMALL_JVM)
        .setDrain(Duration.ofMillis(100))
        .setStopTimeout(Duration.ofSeconds(10))
        .setReadyTimeout(Duration.ofSeconds(30))
        .setIdpWarmupRequests(16)
        .setIdpClasspath(System.getProperty("java.class.path"))
        .setIdpJvmArgs(SMALL_JVM);
  }

  private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within " + timeout).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  @DisplayName("starts members, adds and removes them on schedule, round-robins, and stops every process")
  void shouldRunTheScheduleAndStopEverything() throws Exception {
    ClusterOrchestrator cluster = ClusterOrchestrator.create(options()
        .setInitialMembers(1)
        .setSchedule(MembershipSchedule.parse("0.3:add,2.5:term")).build());
    cluster.idpFailureAt(Duration.ofMillis(200), FailureMode.UNAVAILABLE);
    try {
      cluster.start();
      assertThat(cluster.liveMembers()).isEqualTo(1);
      assertThat(cluster.idp().tokenUrl()).startsWith("http://127.0.0.1:");

      await(() -> cluster.liveMembers() == 2, Duration.ofSeconds(20));
      assertThat(cluster.idp().failureMode()).isEqualTo(FailureMode.UNAVAILABLE);
      Set<String> targets = new HashSet<>(List.of(cluster.nextBaseUrl(), cluster.nextBaseUrl()));
      assertThat(targets).hasSize(2).allMatch(url -> url.startsWith("http://127.0.0.1:"));

      await(() -> cluster.liveMembers() == 1, Duration.ofSeconds(20));
      Thread.sleep(1200);
      RunRecord record = cluster.stop();

      assertThat(record.membersMax()).isEqualTo(2);
      assertThat(record.membersFinal()).isEqualTo(1);
      assertThat(record.plannedMembers()).isEqualTo(2);
      assertThat(record.errors()).isEmpty();
      assertThat(record.clusterViewMax()).isEqualTo(1);
      assertThat(record.events()).extracting(RunRecord.TimelineEvent::label)
          .contains("+m2", "-m2", "IdP UNAVAILABLE");
      assertThat(record.members()).hasSize(2);
      for (Object member : record.members()) {
        JsonObject json = (JsonObject) member;
        assertThat(json.getString("state")).isEqualTo("STOPPED");
        assertThat(alive(json.getLong("pid"))).as("process %s alive", json.getLong("pid")).isFalse();
      }
      assertThat(Files.readAllLines(reports.resolve("pids"))).as("two members and the IdP").hasSize(3);
      assertThat(reports.resolve("token-cache-server.jar")).as("no jar copy per report folder").doesNotExist();
      JsonObject serverJar = record.options().getJsonObject("jars").getJsonObject("server");
      assertThat(serverJar.getString("sha256")).isEqualTo(JarStore.sha256(stubJar));
      assertThat(Path.of(serverJar.getString("path"))).hasParent(reports.resolve("jars")).exists();

      String m1 = Files.readString(reports.resolve("members/m1.log"));
      String m2 = Files.readString(reports.resolve("members/m2.log"));
      assertThat(m2).contains("stub stopping on SIGTERM");
      for (String log : List.of(m1, m2)) {
        assertThat(log).contains("env TOKEN_CACHE_HTTP_HOST=127.0.0.1")
            .contains("env TOKEN_CACHE_CLUSTER_NAME=" + record.clusterName())
            .contains("env TOKEN_CACHE_UPSTREAM_TOKEN_URL=http://127.0.0.1:")
            .contains("env TOKEN_CACHE_UPSTREAM_QUOTA_RPS=10");
      }
      assertThat(envLine(m1, "TOKEN_CACHE_CLUSTER_MEMBERS")).isEqualTo(envLine(m2, "TOKEN_CACHE_CLUSTER_MEMBERS"))
          .matches("127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+");
      assertThat(envLine(m1, "TOKEN_CACHE_ENCRYPTION_KEY")).isEqualTo(envLine(m2, "TOKEN_CACHE_ENCRYPTION_KEY"));
      assertThat(envLine(m1, "TOKEN_CACHE_CLUSTER_PORT")).isNotEqualTo(envLine(m2, "TOKEN_CACHE_CLUSTER_PORT"));
      assertThat(record.idpStats().getJsonObject("settings").getString("failureMode")).isEqualTo("UNAVAILABLE");
      assertThat(cluster.stop()).as("idempotent").isSameAs(record);
    } finally {
      cluster.close();
    }
  }

  @Test
  @DisplayName("runs the IdP as a process of its own, drives it over HTTP, and stops it with the members")
  void shouldRunTheIdpAsAProcess() throws Exception {
    ClusterOrchestrator cluster = ClusterOrchestrator.create(options()
        .setInitialMembers(1).build());
    cluster.idpFailureAt(Duration.ofMillis(100), FailureMode.RESET);
    try {
      cluster.start();
      IdpControl idp = cluster.idp();
      long pid = idp.pid();
      assertThat(alive(pid)).isTrue();
      assertThat(idp.stats().getJsonObject("settings").getDouble("quotaRps")).isEqualTo(10.0);
      assertThat(idp.stats().getInteger("tokenRequests")).as("warm-up requests are not counted").isZero();
      await(() -> idp.failureMode() == FailureMode.RESET, Duration.ofSeconds(10));
      assertThat(Files.readAllLines(reports.resolve("pids"))).contains(Long.toString(pid));

      RunRecord record = cluster.stop();
      assertThat(record.errors()).isEmpty();
      await(() -> !alive(pid), Duration.ofSeconds(10));
    } finally {
      cluster.close();
    }
  }

  @Test
  @DisplayName("fails to start, with the member's output, when a member exits instead of getting ready")
  void shouldReportAMemberThatNeverGetsReady() {
    ClusterOrchestrator cluster = ClusterOrchestrator.create(options()
        .setInitialMembers(1)
        .setServerJvmArgs(List.of("-Xmx32m", "-Dstub.exit=3")).build());
    try {
      assertThatThrownBy(cluster::start)
          .isInstanceOf(HarnessException.class)
          .hasMessageContaining("m1 did not become ready")
          .hasMessageContaining("stub exiting with 3");
    } finally {
      cluster.close();
    }
  }

  @Test
  @DisplayName("refuses to start without the server jar, naming the build command")
  void shouldRefuseAMissingJar() {
    ClusterOrchestrator cluster = ClusterOrchestrator.create(options().setServerJar(reports.resolve("nope.jar")).build());
    assertThatThrownBy(cluster::start).isInstanceOf(HarnessException.class)
        .hasMessageContaining("server jar not found").hasMessageContaining("mvn -B -q -DskipTests package");
  }

  @Test
  @DisplayName("rejects a schedule that would remove the last member")
  void shouldRejectRemovingTheLastMember() {
    assertThatThrownBy(() -> ClusterOrchestrator.create(options().setInitialMembers(1)
        .setSchedule(MembershipSchedule.parse("10:term")).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("removes the last member");
  }

  private static String envLine(String log, String name) {
    return log.lines().filter(line -> line.startsWith("env " + name + "="))
        .map(line -> line.substring(("env " + name + "=").length()))
        .collect(Collectors.joining());
  }
}
