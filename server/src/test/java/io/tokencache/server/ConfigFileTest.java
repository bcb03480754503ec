package io.tokencache.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configuration file read through vertx-config: YAML and JSON, and every way reading it can fail. */
class ConfigFileTest {

  private static final String YAML = """
    # two upstreams, the default one from the environment
    http:
      port: 9000
      idleTimeout: 30s
    upstreams:
      - id: acme
        tokenUrl: https://acme.example/oauth2/token
        quotaRps: 25
        requestTimeout: 3s
      - id: globex
        tokenUrl: https://globex.example/token
    cache:
      minRemaining: 10s
    cluster:
      clusterName: tc-yaml
      members:
        - 127.0.0.1:5701
        - 127.0.0.1:5702
      encryptionKey: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
    admin:
      token: yaml-admin-token-0123456789
    logging:
      format: json
      accessLog: true
    metrics:
      clientIdLabels: false
    """;

  private static final String JSON = """
    {
      "http": {"port": 9000, "idleTimeout": "30s"},
      "upstreams": [
        {"id": "acme", "tokenUrl": "https://acme.example/oauth2/token", "quotaRps": 25, "requestTimeout": "3s"},
        {"id": "globex", "tokenUrl": "https://globex.example/token"}
      ],
      "cache": {"minRemaining": "10s"},
      "cluster": {"clusterName": "tc-yaml", "members": ["127.0.0.1:5701", "127.0.0.1:5702"],
                  "encryptionKey": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
      "admin": {"token": "yaml-admin-token-0123456789"},
      "logging": {"format": "json", "accessLog": true},
      "metrics": {"clientIdLabels": false}
    }
    """;

  private static void assertSameSettings(ServerConfig c) {
    assertThat(c.httpPort()).isEqualTo(9000);
    assertThat(c.upstreamIds()).containsExactly("acme", "globex");
    assertThat(c.cacheOptions().getUpstreams().get("acme").getQuotaRps()).isEqualTo(25);
    assertThat(c.cacheOptions().getMinRemaining()).hasSeconds(10);
    assertThat(c.clusterOptions().getClusterName()).isEqualTo("tc-yaml");
    assertThat(c.clusterOptions().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
    assertThat(c.clusterOptions().hasEncryptionKey()).isTrue();
    assertThat(c.adminToken()).isEqualTo("yaml-admin-token-0123456789");
    assertThat(c.logFormat()).isEqualTo(ServerConfig.LogFormat.JSON);
    assertThat(c.accessLog()).isTrue();
  }

  @Test
  @DisplayName("a YAML file and the equivalent JSON file give the same settings")
  void shouldReadYamlAndJsonAlike(@TempDir Path dir) throws Exception {
    Path yaml = Files.writeString(dir.resolve("token-cache.yaml"), YAML);
    Path yml = Files.writeString(dir.resolve("token-cache.yml"), YAML);
    Path json = Files.writeString(dir.resolve("token-cache.json"), JSON);
    JsonObject fromYaml = ConfigFile.readBlocking(yaml.toString());
    assertThat(fromYaml).isEqualTo(ConfigFile.readBlocking(json.toString()));
    assertThat(ConfigFile.readBlocking(yml.toString())).isEqualTo(fromYaml);
    assertSameSettings(ServerConfig.load(Map.of(ServerConfig.CONFIG, yaml.toString())));
    assertSameSettings(ServerConfig.load(Map.of(ServerConfig.CONFIG, json.toString())));
  }

  @Test
  @DisplayName("the environment overrides what the file says")
  void shouldLetTheEnvironmentWin(@TempDir Path dir) throws Exception {
    Path yaml = Files.writeString(dir.resolve("token-cache.yaml"), YAML);
    ServerConfig c = ServerConfig.load(Map.of(ServerConfig.CONFIG, yaml.toString(),
      ServerConfig.HTTP_PORT, "9100",
      ServerConfig.CLUSTER_NAME, "tc-env",
      ServerConfig.LOG_FORMAT, "text",
      ServerConfig.UPSTREAM_TOKEN_URL, "http://env.example/token"));
    assertThat(c.httpPort()).isEqualTo(9100);
    assertThat(c.clusterOptions().getClusterName()).isEqualTo("tc-env");
    assertThat(c.logFormat()).isEqualTo(ServerConfig.LogFormat.TEXT);
    assertThat(c.upstreamIds()).containsExactly("default", "acme", "globex");
    assertThat(c.idleTimeout()).as("from the file").hasSeconds(30);
  }

  @Test
  @DisplayName("an empty YAML file is an empty configuration")
  void shouldReadAnEmptyFile(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
    assertThat(ConfigFile.readBlocking(empty.toString())).isEqualTo(new JsonObject());
  }

  @Test
  @DisplayName("a missing file is named in the error")
  void shouldReportAMissingFile(@TempDir Path dir) {
    String missing = dir.resolve("nope.yaml").toString();
    assertThatThrownBy(() -> ServerConfig.load(Map.of(ServerConfig.CONFIG, missing)))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessage("TOKEN_CACHE_CONFIG: cannot read '" + missing + "': no such file");
  }

  @Test
  @DisplayName("a directory is not a configuration file")
  void shouldReportADirectory(@TempDir Path dir) throws Exception {
    Path sub = Files.createDirectory(dir.resolve("conf.json"));
    assertThatThrownBy(() -> ConfigFile.readBlocking(sub.toString()))
      .hasMessageContaining("not a regular file");
  }

  @Test
  @DisplayName("an unknown extension is refused: the extension tells the format")
  void shouldRefuseAnUnknownExtension(@TempDir Path dir) throws Exception {
    Path props = Files.writeString(dir.resolve("token-cache.properties"), "a=b");
    assertThatThrownBy(() -> ConfigFile.readBlocking(props.toString()))
      .hasMessageContaining("must end in .json, .yaml or .yml");
  }

  @Test
  @DisplayName("bad YAML gives the line and column, never the content")
  void shouldReportBadYaml(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "admin:\n  token: s3cr3t-admin-token-xyz\n   port: [\n");
    assertThatThrownBy(() -> ConfigFile.readBlocking(bad.toString()))
      .hasMessageContaining("is not valid YAML")
      .hasMessageContaining("line 3")
      .message().doesNotContain("s3cr3t");
  }

  @Test
  @DisplayName("YAML whose top level is not a mapping is refused")
  void shouldReportATopLevelList(@TempDir Path dir) throws Exception {
    Path list = Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
    assertThatThrownBy(() -> ConfigFile.readBlocking(list.toString()))
      .hasMessageContaining("must hold a mapping (key: value settings) at the top level");
  }

  @Test
  @DisplayName("bad JSON gives where, never the content")
  void shouldReportBadJson(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"admin\": {\"token\": s3cr3t-admin-token}}");
    assertThatThrownBy(() -> ConfigFile.readBlocking(bad.toString()))
      .hasMessageContaining("is not valid JSON")
      .message().doesNotContain("s3cr3t");
  }
}
