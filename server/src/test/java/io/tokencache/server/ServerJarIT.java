package io.tokencache.server;

import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The server jar, run as users run it, in front of the fake IdP. */
class ServerJarIT {

  private static Vertx vertx;
  private static FakeIdp idp;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void startIdp() {
    vertx = Vertx.vertx();
    idp = FakeIdp.start(vertx, new FakeIdpOptions().addClient("svc", "svc-secret").setQuotaRps(0)).await();
  }

  @AfterAll
  static void stopIdp() {
    idp.close().await();
    vertx.close().await();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> token(ServerProcess server) throws Exception {
    String basic = Base64.getEncoder().encodeToString("svc:svc-secret".getBytes());
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
      .header("Authorization", "Basic " + basic)
      .header("Content-Type", "application/x-www-form-urlencoded")
      .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=orders")).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("java -jar serves tokens from the environment's upstream, caches them, and reports health")
  void shouldServeTokensAsAStandaloneProcess() throws Exception {
    int port = freePort();
    try (ServerProcess server = ServerProcess.start(port, Map.of(
      "TOKEN_CACHE_UPSTREAM_TOKEN_URL", idp.tokenUrl()))) {
      server.awaitReady(Duration.ofSeconds(60));
      HttpResponse<String> miss = token(server);
      HttpResponse<String> hit = token(server);
      assertThat(miss.statusCode()).as(miss.body()).isEqualTo(200);
      assertThat(miss.headers().firstValue("X-Token-Cache")).hasValue("MISS");
      assertThat(hit.headers().firstValue("X-Token-Cache")).hasValue("HIT");
      assertThat(new JsonObject(hit.body()).getString("access_token"))
        .isEqualTo(new JsonObject(miss.body()).getString("access_token"));
      assertThat(idp.tokensIssued("svc")).isEqualTo(1);

      HttpResponse<String> live = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/health/live")).build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(live.body()).getString("status")).isEqualTo("UP");
      assertThat(server.log()).doesNotContain("svc-secret").doesNotContain(new JsonObject(hit.body()).getString("access_token"));
    }
  }

  @Test
  @DisplayName("a missing upstream URL stops the process with exit code 2 and a message naming the variable")
  void shouldExitOnMissingUpstream() throws Exception {
    Path out = Files.createTempFile("token-cache-config-error", ".log");
    int code = ServerProcess.runToExit(Map.of("TOKEN_CACHE_HTTP_PORT", Integer.toString(freePort())), out);
    assertThat(code).isEqualTo(2);
    assertThat(Files.readString(out)).contains("TOKEN_CACHE_UPSTREAM_TOKEN_URL");
  }

  @Test
  @DisplayName("--help and -h print the usage (the environment variables) and exit 0; --version prints the version")
  void shouldAnswerHelpAndVersion() throws Exception {
    for (String flag : List.of("--help", "-h")) {
      Path out = Files.createTempFile("token-cache-help", ".log");
      assertThat(ServerProcess.runToExit(Map.of(), out, flag)).isZero();
      assertThat(Files.readString(out)).contains("Usage: token-cache").contains("TOKEN_CACHE_UPSTREAM_TOKEN_URL")
        .contains("TOKEN_CACHE_CONFIG").doesNotContain("configuration error");
    }
    Path out = Files.createTempFile("token-cache-version", ".log");
    assertThat(ServerProcess.runToExit(Map.of(), out, "--version")).isZero();
    assertThat(Files.readString(out).trim()).matches("token-cache \\d+\\.\\d+\\.\\d+.*");
    Path unknown = Files.createTempFile("token-cache-unknown", ".log");
    assertThat(ServerProcess.runToExit(Map.of(), unknown, "--port=8080")).isEqualTo(2);
    assertThat(Files.readString(unknown)).contains("--port=8080").contains("--help");
  }

  @Test
  @DisplayName("a taken HTTP or cluster port stops the start at once (exit 1) with one line naming the port")
  void shouldFailAtOnceOnATakenPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      String url = "http://127.0.0.1:9/oauth2/token";
      for (Map<String, String> env : List.of(
        Map.of("TOKEN_CACHE_UPSTREAM_TOKEN_URL", url, "TOKEN_CACHE_HTTP_PORT", Integer.toString(port)),
        Map.of("TOKEN_CACHE_UPSTREAM_TOKEN_URL", url, "TOKEN_CACHE_HTTP_PORT", Integer.toString(freePort()),
          "TOKEN_CACHE_CLUSTER_PORT", Integer.toString(port)))) {
        Path out = Files.createTempFile("token-cache-port", ".log");
        long start = System.nanoTime();
        int code = ServerProcess.runToExit(env, out);
        String output = Files.readString(out);
        assertThat(code).as(output).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(output).contains(Integer.toString(port)).contains("cannot be bound")
          .doesNotContain("Exception");
      }
    }
  }

  static Stream<Arguments> configurationErrors() {
    String url = "http://127.0.0.1:9/oauth2/token";
    return Stream.of(
      Arguments.of("a wrong upstream setting in YAML", "token-cache.yaml", String.join("\n",
          "upstreams:",
          "  - id: acme",
          "    tokenUrl: " + url,
          "  - id: globex",
          "    tokenUrl: " + url,
          "    quotaRps: -5", ""),
        Map.of(), "upstreams[1].quotaRps: must be a positive number"),
      Arguments.of("an unknown top-level key in JSON", "token-cache.json",
        "{\"upstreams\": [{\"id\": \"acme\", \"tokenUrl\": \"" + url + "\"}], \"caches\": {}}",
        Map.of(), "caches: unknown top-level key"),
      Arguments.of("bad YAML", "token-cache.yaml", "http:\n  port: 80\n   host: [\n", Map.of(),
        "is not valid YAML"),
      Arguments.of("a missing file", null, null, Map.of(), "no such file"),
      Arguments.of("a wrong variable over a good file", "token-cache.yaml",
        "upstreams:\n  - id: acme\n    tokenUrl: " + url + "\n", Map.of("TOKEN_CACHE_HTTP_PORT", "eighty"),
        "TOKEN_CACHE_HTTP_PORT must be a whole number from 1 to 65535, was 'eighty'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurationErrors")
  @DisplayName("a configuration error stops the process with exit code 2 and a message naming the setting")
  void shouldExitOnConfigurationErrors(String kind, String fileName, String content, Map<String, String> env,
                                       String message, @TempDir Path dir) throws Exception {
    Path file = dir.resolve(fileName == null ? "missing.yaml" : fileName);
    if (content != null) {
      Files.writeString(file, content);
    }
    Map<String, String> all = new HashMap<>(env);
    all.put("TOKEN_CACHE_CONFIG", file.toString());
    Path out = dir.resolve("out.log");
    int code = ServerProcess.runToExit(all, out);
    String output = Files.readString(out);
    assertThat(code).as(output).isEqualTo(2);
    assertThat(output).contains("configuration error").contains(message);
  }
}
