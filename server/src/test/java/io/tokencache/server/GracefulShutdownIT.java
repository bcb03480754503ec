package io.tokencache.server;

import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SIGTERM to the real jar while requests are in flight: every one of them is answered, then the process exits. */
class GracefulShutdownIT {

  private static final int IN_FLIGHT = 20;

  private static Vertx vertx;
  private static FakeIdp idp;

  @BeforeAll
  static void startIdp() {
    vertx = Vertx.vertx();
    idp = FakeIdp.start(vertx, new FakeIdpOptions().setQuotaRps(0).setLatency(Duration.ofMillis(1500))
      .addClient("svc", "svc-secret")).await();
  }

  @AfterAll
  static void stopIdp() {
    idp.close().await();
    vertx.close().await();
  }

  @Test
  @DisplayName("SIGTERM under load: all in-flight requests get 200, new connections are refused, the process exits")
  void shouldFinishInFlightRequestsOnSigterm() throws Exception {
    try (ServerProcess server = ServerProcess.start(ServerProcess.freePort(), Map.of(
      "TOKEN_CACHE_UPSTREAM_TOKEN_URL", idp.tokenUrl(),
      "TOKEN_CACHE_UPSTREAM_QUOTA_RPS", "100"))) {
      server.awaitReady(Duration.ofSeconds(60));
      assertThat(Requests.get(server.baseUrl() + "/admin/stats").statusCode()).as("admin off").isEqualTo(404);

      // distinct scopes: 20 distinct keys, 20 upstream fetches, each taking 1.5 s at the IdP
      List<CompletableFuture<HttpResponse<String>>> inFlight = IntStream.range(0, IN_FLIGHT)
        .mapToObj(i -> Requests.sendAsync(Requests.token(server.baseUrl(), "/oauth2/token", "svc", "svc-secret", "s" + i)))
        .toList();
      // the upstream client keeps 16 connections: the first 16 reach the IdP, the 4 others wait in the server
      await().atMost(10, TimeUnit.SECONDS).until(() -> idp.tokenRequests() >= 16);
      assertThat(inFlight).noneMatch(CompletableFuture::isDone);

      server.process().destroy(); // SIGTERM

      // the listener closes at once: new connections are refused while the in-flight requests finish
      await().atMost(5, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> {
        try {
          Requests.get(server.baseUrl() + "/health/live");
          return false;
        } catch (java.net.ConnectException refused) {
          return true;
        } catch (java.io.IOException closedWhileAnswering) {
          return false;
        }
      });
      List<HttpResponse<String>> answers = inFlight.stream().map(CompletableFuture::join).toList();
      assertThat(answers).allSatisfy(r -> {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Requests.cacheStatus(r)).isEqualTo("MISS");
      });
      assertThat(server.process().waitFor(40, TimeUnit.SECONDS)).as("the process exits").isTrue();
      assertThat(server.process().exitValue()).isIn(0, 143);
      assertThat(server.log()).contains("token-cache stopping").contains("token-cache stopped");
      assertThat(idp.tokensIssued("svc")).isEqualTo(IN_FLIGHT);
    }
  }
}
