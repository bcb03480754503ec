package io.tokencache.server;

import io.tokencache.loadtest.idp.FakeIdp;
import io.tokencache.loadtest.idp.FakeIdpOptions;
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
import java.util.Map;

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
}
