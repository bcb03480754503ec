package io.tokencache.server;

import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings as read from a configuration file's content and the environment: values, precedence, errors. */
class ServerConfigTest {

  private static final String URL = "http://idp.example/oauth2/token";
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String ADMIN = "admin-token-0123456789";

  private static Map<String, String> env(String... kv) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  private static JsonObject upstream(String id, String url) {
    return new JsonObject().put("id", id).put("tokenUrl", url);
  }

  private static JsonObject withUpstreams(JsonObject... upstreams) {
    return new JsonObject().put("upstreams", new JsonArray(java.util.List.of((Object[]) upstreams)));
  }

  @Test
  @DisplayName("the environment alone gives the contract's defaults")
  void shouldApplyContractDefaultsFromTheEnvironment() {
    ServerConfig c = ServerConfig.fromEnvironment(env(ServerConfig.UPSTREAM_TOKEN_URL, URL));
    assertThat(c.httpHost()).isEqualTo("0.0.0.0");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.maxBodyBytes()).isEqualTo(64 * 1024);
    assertThat(c.upstreamIds()).containsExactly("default");
    assertThat(c.cacheOptions().getUpstreams().get("default").getQuotaRps()).isEqualTo(10);
    assertThat(c.clusterOptions().getClusterName()).isEqualTo("token-cache");
    assertThat(c.clusterOptions().getPort()).isEqualTo(5701);
    assertThat(c.clusterOptions().getMembers()).isEmpty();
    assertThat(c.adminToken()).isNull();
    assertThat(c.logFormat()).isEqualTo(ServerConfig.LogFormat.TEXT);
    assertThat(c.accessLog()).isFalse();
    assertThat(c.tls()).isFalse();
  }

  @Test
  @DisplayName("a file gives several upstreams, cache, cluster, HTTP, admin, logging and metrics settings")
  void shouldReadEverySectionOfTheFile() {
    JsonObject file = withUpstreams(upstream("default", URL), upstream("acme", "https://acme.example/token")
        .put("quotaRps", 25).put("requestTimeout", "3s").put("maxAttempts", 2).put("maxQueuedRequests", 8))
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 9000).put("maxBodyBytes", 4096)
        .put("maxHeaderBytes", 8192).put("idleTimeout", "30s").put("shutdownTimeout", "5s"))
      .put("cache", new JsonObject().put("minRemaining", "10s").put("maxEntries", 500))
      .put("cluster", new JsonObject().put("clusterName", "tc").put("port", 5801).put("backupCount", 2))
      .put("admin", new JsonObject().put("token", ADMIN))
      .put("logging", new JsonObject().put("format", "json").put("accessLog", true))
      .put("metrics", new JsonObject().put("clientIdLabels", true));
    ServerConfig c = ServerConfig.from(file, env());
    assertThat(c.upstreamIds()).containsExactly("default", "acme");
    UpstreamOptions acme = c.cacheOptions().getUpstreams().get("acme");
    assertThat(acme.getQuotaRps()).isEqualTo(25);
    assertThat(acme.getRequestTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(acme.getMaxAttempts()).isEqualTo(2);
    assertThat(acme.getMaxQueuedRequests()).isEqualTo(8);
    assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    assertThat(c.httpPort()).isEqualTo(9000);
    assertThat(c.maxBodyBytes()).isEqualTo(4096);
    assertThat(c.maxHeaderBytes()).isEqualTo(8192);
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.cacheOptions().getMinRemaining()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.cacheOptions().getMaxEntries()).isEqualTo(500);
    assertThat(c.clusterOptions().getClusterName()).isEqualTo("tc");
    assertThat(c.clusterOptions().getPort()).isEqualTo(5801);
    assertThat(c.clusterOptions().getBackupCount()).isEqualTo(2);
    assertThat(c.adminToken()).isEqualTo(ADMIN);
    assertThat(c.logFormat()).isEqualTo(ServerConfig.LogFormat.JSON);
    assertThat(c.accessLog()).isTrue();
    assertThat(c.clientIdLabels()).isTrue();
  }

  @Test
  @DisplayName("the environment overrides the file, setting by setting")
  void shouldLetTheEnvironmentOverrideTheFile() {
    JsonObject file = withUpstreams(upstream("default", "http://file.example/token").put("quotaRps", 3)
        .put("maxAttempts", 1), upstream("acme", URL))
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 9000).put("maxBodyBytes", 4096))
      .put("cluster", new JsonObject().put("clusterName", "from-file").put("port", 5801))
      .put("admin", new JsonObject().put("token", ADMIN))
      .put("logging", new JsonObject().put("format", "json").put("accessLog", true));
    ServerConfig c = ServerConfig.from(file, env(
      ServerConfig.HTTP_PORT, "9100",
      ServerConfig.UPSTREAM_TOKEN_URL, "http://env.example/token",
      ServerConfig.UPSTREAM_QUOTA_RPS, "7",
      ServerConfig.CLUSTER_NAME, "from-env",
      ServerConfig.ADMIN_TOKEN, "env-admin-token-0123456789",
      ServerConfig.LOG_FORMAT, "text",
      ServerConfig.ACCESS_LOG, "false"));
    UpstreamOptions dflt = c.cacheOptions().getUpstreams().get("default");
    assertThat(dflt.getTokenUrl()).isEqualTo("http://env.example/token");
    assertThat(dflt.getQuotaRps()).isEqualTo(7);
    assertThat(dflt.getMaxAttempts()).as("the file's other settings of the default upstream stay").isEqualTo(1);
    assertThat(c.upstreamIds()).containsExactly("default", "acme");
    assertThat(c.httpPort()).isEqualTo(9100);
    assertThat(c.httpHost()).as("not set in the environment: the file's").isEqualTo("127.0.0.1");
    assertThat(c.maxBodyBytes()).isEqualTo(4096);
    assertThat(c.clusterOptions().getClusterName()).isEqualTo("from-env");
    assertThat(c.clusterOptions().getPort()).isEqualTo(5801);
    assertThat(c.adminToken()).isEqualTo("env-admin-token-0123456789");
    assertThat(c.logFormat()).isEqualTo(ServerConfig.LogFormat.TEXT);
    assertThat(c.accessLog()).isFalse();
  }

  @Test
  @DisplayName("the environment's upstream becomes 'default' beside the file's upstreams")
  void shouldAddTheEnvironmentUpstreamAsDefault() {
    ServerConfig c = ServerConfig.from(withUpstreams(upstream("acme", URL)), env(ServerConfig.UPSTREAM_TOKEN_URL, URL));
    assertThat(c.upstreamIds()).containsExactly("default", "acme");
    assertThat(c.hasDefaultUpstream()).isTrue();
  }

  @Test
  @DisplayName("a file with upstreams needs no upstream URL in the environment, and may have no default upstream")
  void shouldAcceptFileUpstreamsWithoutDefault() {
    ServerConfig c = ServerConfig.from(withUpstreams(upstream("acme", URL), upstream("globex", URL)), env());
    assertThat(c.upstreamIds()).containsExactly("acme", "globex");
    assertThat(c.hasDefaultUpstream()).isFalse();
  }

  @Test
  @DisplayName("members on loopback keep the cluster on loopback; others bind every interface")
  void shouldChooseTheClusterHost() {
    ServerConfig loopback = ServerConfig.fromEnvironment(env(ServerConfig.UPSTREAM_TOKEN_URL, URL,
      ServerConfig.CLUSTER_MEMBERS, "127.0.0.1:5701,127.0.0.1:5702", ServerConfig.ENCRYPTION_KEY, KEY));
    assertThat(loopback.clusterOptions().getHost()).isEqualTo("127.0.0.1");
    assertThat(loopback.clusterOptions().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
    ServerConfig remote = ServerConfig.fromEnvironment(env(ServerConfig.UPSTREAM_TOKEN_URL, URL,
      ServerConfig.CLUSTER_MEMBERS, "10.0.0.1:5701,10.0.0.2:5701", ServerConfig.ENCRYPTION_KEY, KEY));
    assertThat(remote.clusterOptions().getHost()).isEqualTo(ClusterOptions.ANY_HOST);
    ServerConfig fromFile = ServerConfig.from(new JsonObject().put("cluster", new JsonObject().put("host", "10.1.2.3")),
      env(ServerConfig.UPSTREAM_TOKEN_URL, URL));
    assertThat(fromFile.clusterOptions().getHost()).isEqualTo("10.1.2.3");
  }

  @Test
  @DisplayName("the summary for the start-up log names no secret")
  void shouldKeepSecretsOutOfTheSummary() {
    ServerConfig c = ServerConfig.fromEnvironment(env(
      ServerConfig.UPSTREAM_TOKEN_URL, "https://user:pa55word@idp.example/oauth2/token?key=k3y",
      ServerConfig.ADMIN_TOKEN, ADMIN, ServerConfig.ENCRYPTION_KEY, KEY));
    assertThat(c.summary()).contains("idp.example/oauth2/token").contains("admin on")
      .doesNotContain("pa55word").doesNotContain("k3y").doesNotContain(ADMIN).doesNotContain(KEY);
  }

  static Stream<Arguments> errors() {
    JsonObject one = withUpstreams(upstream("acme", URL));
    return Stream.of(
      Arguments.of("missing upstream", new JsonObject(), env(), "TOKEN_CACHE_UPSTREAM_TOKEN_URL is required"),
      Arguments.of("bad port variable", new JsonObject(), env(ServerConfig.UPSTREAM_TOKEN_URL, URL,
        ServerConfig.HTTP_PORT, "http"), "TOKEN_CACHE_HTTP_PORT must be a whole number from 1 to 65535, was 'http'"),
      Arguments.of("bad URL variable", new JsonObject(), env(ServerConfig.UPSTREAM_TOKEN_URL, "ftp://idp"),
        "TOKEN_CACHE_UPSTREAM_TOKEN_URL: tokenUrl 'ftp://idp' must be an absolute http(s) URL"),
      Arguments.of("bad quota variable", new JsonObject(), env(ServerConfig.UPSTREAM_TOKEN_URL, URL,
        ServerConfig.UPSTREAM_QUOTA_RPS, "-1"), "TOKEN_CACHE_UPSTREAM_QUOTA_RPS must be a positive number"),
      Arguments.of("quota variable without a default upstream", one, env(ServerConfig.UPSTREAM_QUOTA_RPS, "5"),
        "TOKEN_CACHE_UPSTREAM_QUOTA_RPS is set but there is no default upstream"),
      Arguments.of("unknown top-level key", new JsonObject().put("upstream", new JsonArray()),
        env(ServerConfig.UPSTREAM_TOKEN_URL, URL), "upstream: unknown top-level key (known: http, upstreams,"),
      Arguments.of("unknown HTTP setting", new JsonObject().put("http", new JsonObject().put("prot", 1)),
        env(ServerConfig.UPSTREAM_TOKEN_URL, URL), "http.prot: unknown setting (known: host, port,"),
      Arguments.of("section of the wrong type", new JsonObject().put("cache", "big"),
        env(ServerConfig.UPSTREAM_TOKEN_URL, URL), "cache: must be an object"),
      Arguments.of("upstreams not a list", new JsonObject().put("upstreams", new JsonObject()), env(),
        "upstreams: must be a list of objects"),
      Arguments.of("negative quota in the file", withUpstreams(upstream("acme", URL), upstream("globex", URL)
        .put("quotaRps", -1)), env(), "upstreams[1].quotaRps: must be a positive number, was -1.0"),
      Arguments.of("quota not a number", withUpstreams(upstream("acme", URL).put("quotaRps", "lots")), env(),
        "upstreams[0].quotaRps: must be a number, was 'lots'"),
      Arguments.of("connections not whole", withUpstreams(upstream("acme", URL), upstream("globex", URL)
        .put("maxConnections", 3.7)), env(), "upstreams[1].maxConnections: must be a whole number"),
      Arguments.of("negative bulkhead queue", withUpstreams(upstream("acme", URL).put("maxQueuedRequests", -1)), env(),
        "upstreams[0].maxQueuedRequests: must be zero or positive, was -1"),
      Arguments.of("bad duration", withUpstreams(upstream("acme", URL).put("requestTimeout", "soon")), env(),
        "upstreams[0].requestTimeout: 'soon' is not a duration"),
      Arguments.of("unknown upstream setting", withUpstreams(upstream("acme", URL).put("quotaRPS", 5)), env(),
        "upstreams[0].quotaRPS: unknown setting (known: id, quotaRps,"),
      Arguments.of("upstream without URL", withUpstreams(new JsonObject().put("id", "acme")), env(),
        "upstreams[0].tokenUrl: required"),
      Arguments.of("bad upstream id", withUpstreams(upstream("Acme Corp", URL)), env(),
        "upstreams[0].id: upstream id 'Acme Corp' must match"),
      Arguments.of("reserved upstream id", withUpstreams(upstream("admin", URL)), env(),
        "upstreams[0].id: 'admin' is reserved"),
      Arguments.of("duplicate upstream id", withUpstreams(upstream("acme", URL), upstream("acme", URL)), env(),
        "upstreams[1].id: duplicate upstream id 'acme' (also upstreams[0])"),
      Arguments.of("upstream not an object", new JsonObject().put("upstreams", new JsonArray().add("acme")), env(),
        "upstreams[0]: must be an object"),
      Arguments.of("bad cache setting", one.copy().put("cache", new JsonObject().put("refreshAheadFraction", 2)),
        env(), "cache.refreshAheadFraction: must be in (0, 1), was 2.0"),
      Arguments.of("inconsistent cache settings", one.copy().put("cache", new JsonObject()
        .put("refreshAheadFraction", 0.5).put("maxMinRemainingFraction", 0.6)), env(),
        "cache: maxMinRemainingFraction (0.6) must be below refreshAheadFraction (0.5)"),
      Arguments.of("upstreams inside cache", one.copy().put("cache", new JsonObject().put("upstreams", new JsonArray())),
        env(), "cache.upstreams: unknown setting"),
      Arguments.of("bad cluster port in the file", one.copy().put("cluster", new JsonObject().put("port", 0)), env(),
        "cluster.port: must be between 1 and 65535, was 0"),
      Arguments.of("bad cluster port variable", one, env(ServerConfig.CLUSTER_PORT, "70000"),
        "TOKEN_CACHE_CLUSTER_PORT must be a whole number from 1 to 65535, was '70000'"),
      Arguments.of("bad member", one, env(ServerConfig.CLUSTER_MEMBERS, "127.0.0.1"),
        "TOKEN_CACHE_CLUSTER_MEMBERS: members: '127.0.0.1' must be host:port"),
      Arguments.of("bad discovery", one, env(ServerConfig.CLUSTER_DISCOVERY, "gossip"),
        "TOKEN_CACHE_CLUSTER_DISCOVERY: discovery must be one of tcp, multicast, kubernetes, was 'gossip'"),
      Arguments.of("members without a key", one, env(ServerConfig.CLUSTER_MEMBERS, "127.0.0.1:5701"),
        "TOKEN_CACHE_ENCRYPTION_KEY is required when members may join"),
      Arguments.of("short key", one, env(ServerConfig.ENCRYPTION_KEY, "c2hvcnQ="),
        "TOKEN_CACHE_ENCRYPTION_KEY: encryptionKey must be base64 of exactly 32 bytes, was 5 bytes"),
      Arguments.of("kubernetes without service", one, env(ServerConfig.CLUSTER_DISCOVERY, "kubernetes",
        ServerConfig.ENCRYPTION_KEY, KEY), "cluster settings: kubernetesServiceDns is required with discovery kubernetes"),
      Arguments.of("placeholder admin token variable", one, env(ServerConfig.ADMIN_TOKEN, "REPLACE_WITH_A_LONG_RANDOM_TOKEN"),
        "TOKEN_CACHE_ADMIN_TOKEN is still the example's placeholder (REPLACE_WITH...)"),
      Arguments.of("placeholder admin token in the file", one.copy().put("admin", new JsonObject()
        .put("token", "REPLACE_WITH_A_LONG_RANDOM_TOKEN")), env(), "admin.token is still the example's placeholder"),
      Arguments.of("placeholder admin token in the file under a real one in the environment", one.copy().put("admin",
        new JsonObject().put("token", "REPLACE_WITH_A_LONG_RANDOM_TOKEN")), env(ServerConfig.ADMIN_TOKEN, ADMIN),
        "admin.token is still the example's placeholder"),
      Arguments.of("placeholder encryption key variable", one, env(ServerConfig.ENCRYPTION_KEY,
        "REPLACE_WITH_BASE64_OF_32_RANDOM_BYTES"), "TOKEN_CACHE_ENCRYPTION_KEY is still the example's placeholder"),
      Arguments.of("placeholder encryption key in the file", one.copy().put("cluster", new JsonObject()
        .put("encryptionKey", "REPLACE_WITH_BASE64_OF_32_RANDOM_BYTES")), env(),
        "cluster.encryptionKey is still the example's placeholder"),
      Arguments.of("short admin token variable", one, env(ServerConfig.ADMIN_TOKEN, "short"),
        "TOKEN_CACHE_ADMIN_TOKEN must be at least 16 characters long"),
      Arguments.of("short admin token in the file", one.copy().put("admin", new JsonObject().put("token", "short")),
        env(), "admin.token must be at least 16 characters long"),
      Arguments.of("bad log format variable", one, env(ServerConfig.LOG_FORMAT, "xml"),
        "TOKEN_CACHE_LOG_FORMAT must be text or json, was 'xml'"),
      Arguments.of("bad log format in the file", one.copy().put("logging", new JsonObject().put("format", "xml")),
        env(), "logging.format: must be text or json, was 'xml'"),
      Arguments.of("bad access-log variable", one, env(ServerConfig.ACCESS_LOG, "yes please"),
        "TOKEN_CACHE_ACCESS_LOG must be true or false, was 'yes please'"),
      Arguments.of("bad metrics flag", one.copy().put("metrics", new JsonObject().put("clientIdLabels", "sometimes")),
        env(), "metrics.clientIdLabels: must be true or false, was 'sometimes'"),
      Arguments.of("body limit too small", one.copy().put("http", new JsonObject().put("maxBodyBytes", 10)), env(),
        "http.maxBodyBytes: must be a whole number from 1024 to"),
      Arguments.of("bad idle timeout", one.copy().put("http", new JsonObject().put("idleTimeout", "0s")), env(),
        "http.idleTimeout: must be positive, was '0s'"),
      Arguments.of("bad request timeout", one.copy().put("http", new JsonObject().put("requestTimeout", "0s")), env(),
        "http.requestTimeout: must be positive, was '0s'"),
      Arguments.of("bad request timeout variable", one, env(ServerConfig.HTTP_REQUEST_TIMEOUT, "soon"),
        "TOKEN_CACHE_HTTP_REQUEST_TIMEOUT: 'soon' is not a duration"),
      Arguments.of("no connections", one.copy().put("http", new JsonObject().put("maxConnections", 0)), env(),
        "http.maxConnections: must be a whole number from 1 to"),
      Arguments.of("bad connections variable", one, env(ServerConfig.HTTP_MAX_CONNECTIONS, "many"),
        "TOKEN_CACHE_HTTP_MAX_CONNECTIONS must be a whole number from 1 to"),
      Arguments.of("bad pass-through flag", one.copy().put("http", new JsonObject().put("passThrough", "maybe")), env(),
        "http.passThrough: must be true or false, was 'maybe'"),
      Arguments.of("bad pass-through variable", one, env(ServerConfig.HTTP_PASS_THROUGH, "off"),
        "TOKEN_CACHE_HTTP_PASS_THROUGH must be true or false, was 'off'"),
      Arguments.of("TLS certificate without key", one.copy().put("http", new JsonObject()
        .put("tls", new JsonObject().put("certPath", "/nonexistent/cert.pem"))), env(),
        "http.tls.certPath: cannot read '/nonexistent/cert.pem'"));
  }

  @Test
  @DisplayName("the edge's bounds default to 10 s, 10,000 connections and pass-through on; the environment wins over the file")
  void shouldReadTheEdgeSettings() {
    JsonObject one = new JsonObject().put("upstreams", new JsonArray().add(upstream("default", URL)));
    ServerConfig defaults = ServerConfig.from(one, env());
    assertThat(defaults.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.maxConnections()).isEqualTo(10_000);
    assertThat(defaults.passThrough()).isTrue();

    JsonObject file = one.copy().put("http", new JsonObject().put("requestTimeout", "3s").put("maxConnections", 50)
      .put("passThrough", false));
    ServerConfig fromFile = ServerConfig.from(file, env());
    assertThat(fromFile.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(fromFile.maxConnections()).isEqualTo(50);
    assertThat(fromFile.passThrough()).isFalse();

    ServerConfig fromEnv = ServerConfig.from(file, env(ServerConfig.HTTP_REQUEST_TIMEOUT, "500ms",
      ServerConfig.HTTP_MAX_CONNECTIONS, "7", ServerConfig.HTTP_PASS_THROUGH, "true"));
    assertThat(fromEnv.requestTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(fromEnv.maxConnections()).isEqualTo(7);
    assertThat(fromEnv.passThrough()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  @DisplayName("each kind of wrong setting is refused with a message naming the setting")
  void shouldNameTheWrongSetting(String kind, JsonObject file, Map<String, String> env, String message) {
    assertThatThrownBy(() -> ServerConfig.from(file, env))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining(message);
  }

  @Test
  @DisplayName("TLS needs both PEM files, and readable ones")
  void shouldRequireBothTlsFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
    Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n");
    JsonObject base = withUpstreams(upstream("acme", URL));
    assertThatThrownBy(() -> ServerConfig.from(base.copy().put("http", new JsonObject()
      .put("tls", new JsonObject().put("certPath", cert.toString()))), env()))
      .hasMessageContaining("http.tls: certPath and keyPath must be set together");
    ServerConfig c = ServerConfig.from(base.copy().put("http", new JsonObject()
      .put("tls", new JsonObject().put("certPath", cert.toString()).put("keyPath", key.toString()))), env());
    assertThat(c.tls()).isTrue();
    assertThat(HttpServerVerticle.options(c).isSsl()).isTrue();
  }

  @Test
  @DisplayName("the example overlay's secrets, copied as they are, stop the server with a message naming the variable")
  void shouldRefuseTheExampleOverlaysPlaceholders() throws Exception {
    // the keys of k8s/overlays/example/secrets.env.example, as k8s/base/deployment.yaml maps them to variables
    Map<String, String> variables = Map.of("encryption-key", ServerConfig.ENCRYPTION_KEY,
      "admin-token", ServerConfig.ADMIN_TOKEN);
    Map<String, String> example = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("..", "k8s", "overlays", "example", "secrets.env.example"))) {
      int eq = line.indexOf('=');
      if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
        example.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    assertThat(example).containsOnlyKeys(variables.keySet());
    Map<String, String> all = env(ServerConfig.UPSTREAM_TOKEN_URL, URL, ServerConfig.ENCRYPTION_KEY, KEY,
      ServerConfig.ADMIN_TOKEN, ADMIN);
    assertThat(ServerConfig.fromEnvironment(all).adminToken()).as("real values start").isEqualTo(ADMIN);
    example.forEach((key, placeholder) -> {
      Map<String, String> withPlaceholder = new HashMap<>(all);
      withPlaceholder.put(variables.get(key), placeholder);
      assertThatThrownBy(() -> ServerConfig.fromEnvironment(withPlaceholder)).as(key)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(variables.get(key) + " is still the example's placeholder")
        .message().doesNotContain(placeholder);
    });
  }

  @Test
  @DisplayName("no message repeats the admin token or the encryption key")
  void shouldNeverEchoSecrets() {
    String badKey = "not-base64-but-secret!!";
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(env(ServerConfig.UPSTREAM_TOKEN_URL, URL,
      ServerConfig.ENCRYPTION_KEY, badKey))).message().doesNotContain(badKey);
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(env(ServerConfig.UPSTREAM_TOKEN_URL, URL,
      ServerConfig.ADMIN_TOKEN, "secret-but-has space"))).message().doesNotContain("secret-but");
  }
}
