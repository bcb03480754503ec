package io.tokencache.fakeidp;

import static io.tokencache.fakeidp.IdpTestSupport.clientCredentials;
import static io.tokencache.fakeidp.IdpTestSupport.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("FakeIdp failure modes and latency")
class FailureModeTest {

  private WebClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    client = WebClient.create(vertx, new WebClientOptions().setIdleTimeout(2));
  }

  @Test
  @DisplayName("UNAVAILABLE answers 503 temporarily_unavailable with Retry-After: 1, then recovers")
  void shouldAnswer503WhenUnavailable(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options())
        .compose(idp -> {
          idp.setFailureMode(FailureMode.UNAVAILABLE);
          return clientCredentials(client, idp).compose(unavailable -> {
            test.verify(() -> {
              assertThat(unavailable.statusCode()).isEqualTo(503);
              assertThat(unavailable.getHeader("Retry-After")).isEqualTo("1");
              assertThat(unavailable.getHeader("Content-Type")).isEqualTo("application/json");
              assertThat(unavailable.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
              assertThat(idp.tokenRequests()).isEqualTo(1);
              assertThat(idp.tokensIssued()).isZero();
              assertThat(idp.failuresInjected()).isEqualTo(1);
            });
            idp.setFailureMode(FailureMode.NONE);
            return clientCredentials(client, idp);
          });
        })
        .onComplete(test.succeeding(recovered -> test.verify(() -> {
          assertThat(recovered.statusCode()).isEqualTo(200);
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("SERVER_ERROR answers 500 server_error")
  void shouldAnswer500OnServerError(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options())
        .compose(idp -> clientCredentials(client, idp.setFailureMode(FailureMode.SERVER_ERROR)))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(500);
          assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("server_error");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("RESET closes the connection without an answer, and counts the request but issues nothing")
  void shouldResetTheConnection(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options()).onComplete(test.succeeding(idp -> {
      idp.setFailureMode(FailureMode.RESET);
      clientCredentials(client, idp).onComplete(test.failing(error -> test.verify(() -> {
        assertThat(idp.tokenRequests()).isEqualTo(1);
        assertThat(idp.tokensIssued()).isZero();
        test.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("HANG never answers: the client's own timeout fires, and the IdP still closes cleanly")
  void shouldHangUntilTheClientGivesUp(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options()).onComplete(test.succeeding(idp -> {
      idp.setFailureMode(FailureMode.HANG);
      client.postAbs(idp.tokenUrl())
          .putHeader("Authorization", IdpTestSupport.basic(IdpTestSupport.CLIENT, IdpTestSupport.SECRET))
          .timeout(300)
          .sendForm(IdpTestSupport.form("grant_type", "client_credentials"))
          .onComplete(test.failing(error -> test.verify(() -> {
            assertThat(error).hasMessageContaining("timeout");
            assertThat(idp.tokenRequests()).isEqualTo(1);
            assertThat(idp.tokensIssued()).isZero();
            idp.close().onComplete(test.succeedingThenComplete());
          })));
    }));
  }

  @Test
  @DisplayName("latency delays each answer on a timer")
  void shouldDelayAnswers(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options().setLatency(Duration.ofMillis(200))).onComplete(test.succeeding(idp -> {
      long start = System.nanoTime();
      clientCredentials(client, idp).onComplete(test.succeeding(response -> test.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(idp.setLatency(Duration.ZERO).latency()).isZero();
        test.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("the quota is checked before the failure mode: a throttled request gets 429, not 503")
  void shouldThrottleBeforeInjectingFailures(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options().setQuotaRps(1).setBurst(1))
        .compose(idp -> clientCredentials(client, idp)
            .compose(first -> clientCredentials(client, idp.setFailureMode(FailureMode.UNAVAILABLE))))
        .onComplete(test.succeeding(second -> test.verify(() -> {
          assertThat(second.statusCode()).isEqualTo(429);
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("close() drops the connections of requests parked by HANG")
  void shouldReleaseHangingRequestsOnClose(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options()).onComplete(test.succeeding(idp -> {
      idp.setFailureMode(FailureMode.HANG);
      clientCredentials(client, idp).onComplete(test.failing(error -> test.verify(() -> {
        assertThat(idp.hangingRequests()).isZero();
        test.completeNow();
      })));
      vertx.setPeriodic(20, timer -> {
        if (idp.hangingRequests() == 1) {
          vertx.cancelTimer(timer);
          idp.close();
        }
      });
    }));
  }
}
