package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ServerMember")
class ServerMemberTest {

  @Test
  @DisplayName("runs the jar with the given JVM flags, phone-home off and IPv4")
  void shouldBuildTheCommand() {
    assertThat(ServerMember.command(Path.of("/jdk/bin/java"), List.of("-Xmx192m", "-XX:+UseSerialGC"),
        Path.of("/x/token-cache-server.jar"))).containsExactly("/jdk/bin/java", "-Xmx192m", "-XX:+UseSerialGC",
        "-Dhazelcast.phone.home.enabled=false", "-Djava.net.preferIPv4Stack=true", "-jar",
        "/x/token-cache-server.jar");
  }

  @Test
  @DisplayName("reads the cluster size from the readiness JSON wherever it sits, and nothing from other bodies")
  void shouldReadTheClusterSize() {
    assertThat(ServerMember.clusterSize("{\"status\":\"UP\",\"checks\":[{\"id\":\"cluster\",\"status\":\"UP\","
        + "\"data\":{\"members\":3}},{\"id\":\"cache\",\"status\":\"UP\"}],\"outcome\":\"UP\"}")).isEqualTo(3);
    assertThat(ServerMember.clusterSize("{\"members\":1}")).isEqualTo(1);
    assertThat(ServerMember.clusterSize("{\"status\":\"UP\"}")).isNull();
    assertThat(ServerMember.clusterSize("{\"members\":\"many\"}")).isNull();
    assertThat(ServerMember.clusterSize("not json")).isNull();
  }
}
