package io.tokencache.fakeidp;

import static io.tokencache.fakeidp.IdpTestSupport.CLIENT;
import static io.tokencache.fakeidp.IdpTestSupport.basic;
import static io.tokencache.fakeidp.IdpTestSupport.clientCredentials;
import static io.tokencache.fakeidp.IdpTestSupport.form;
import static io.tokencache.fakeidp.IdpTestSupport.options;
import static io.tokencache.fakeidp.IdpTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("FakeIdp quota")
class QuotaTest {

  private WebClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    client = WebClient.create(vertx);
  }

  private Future<List<HttpResponse<Buffer>>> burst(FakeIdp idp, int requests) {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      all.add(clientCredentials(client, idp));
    }
    return Future.all(all).map(done -> done.list());
  }

  @Test
  @DisplayName("answers 429 too_many_requests with Retry-After once the burst is spent, and counts it")
  void shouldThrottleBeyondTheBurst(Vertx vertx, VertxTestContext test) {
    FakeIdpOptions options = options().setQuotaRps(1).setBurst(3);
    FakeIdp.start(vertx, options)
        .compose(idp -> burst(idp, 5).map(responses -> {
          test.verify(() -> {
            List<Integer> statuses = responses.stream().map(HttpResponse::statusCode).toList();
            assertThat(statuses).containsOnly(200, 429);
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(3);
            HttpResponse<Buffer> throttled = responses.stream().filter(r -> r.statusCode() == 429).findFirst().get();
            assertThat(throttled.getHeader("Retry-After")).isEqualTo("1");
            assertThat(throttled.getHeader("Content-Type")).isEqualTo("application/json");
            assertThat(throttled.bodyAsJsonObject().getString("error")).isEqualTo("too_many_requests");
            assertThat(throttled.bodyAsJsonObject().getString("error_description")).isNotBlank();

            assertThat(idp.tokenRequests()).isEqualTo(5);
            assertThat(idp.tokensIssued()).isEqualTo(3);
            assertThat(idp.tokensIssued(CLIENT)).isEqualTo(3);
            assertThat(idp.throttled()).isEqualTo(2);
            assertThat(idp.issuedAtMillis()).hasSize(3);
            assertThat(idp.maxRequestsInAnyWindow(Duration.ofSeconds(1))).isEqualTo(5);
            JsonObject stats = idp.stats();
            assertThat(stats.getInteger("tokenRequests")).isEqualTo(5);
            assertThat(stats.getInteger("throttled")).isEqualTo(2);
            assertThat(stats.getInteger("maxRequestsInAnyWindow1s")).isEqualTo(5);
            assertThat(stats.getJsonObject("issuedByClient").getInteger(CLIENT)).isEqualTo(3);
            assertThat(stats.getJsonArray("issuedAtMillis")).hasSize(3);
            assertThat(stats.getJsonObject("requestsPerSecond").stream()
                .mapToInt(e -> ((Number) e.getValue()).intValue()).sum()).isEqualTo(5);
          });
          return idp;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("rounds Retry-After up to the whole seconds until the bucket holds a token")
  void shouldRoundRetryAfterUp(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options().setQuotaRps(0.25))
        .compose(idp -> burst(idp, 2))
        .onComplete(test.succeeding(responses -> test.verify(() -> {
          HttpResponse<Buffer> throttled = responses.stream().filter(r -> r.statusCode() == 429).findFirst().get();
          // One token per 4 s: the next one is just under 4 s away.
          assertThat(throttled.getHeader("Retry-After")).isEqualTo("4");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("checks the quota before the credentials: a throttled wrong secret gets 429, not 401")
  void shouldThrottleBeforeCheckingCredentials(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options().setQuotaRps(1).setBurst(1))
        .compose(idp -> clientCredentials(client, idp)
            .compose(first -> post(client, idp.tokenUrl(), basic(CLIENT, "wrong"),
                form("grant_type", "client_credentials")))
            .map(second -> {
              test.verify(() -> {
                assertThat(second.statusCode()).isEqualTo(429);
                assertThat(idp.rejectedClients()).isZero();
                assertThat(idp.throttled()).isEqualTo(1);
              });
              return idp;
            }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("a quota <= 0 is unlimited, and setQuotaRps changes the quota at run time")
  void shouldChangeQuotaAtRunTime(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options().setQuotaRps(0))
        .compose(idp -> burst(idp, 20).compose(unlimited -> {
          test.verify(() -> assertThat(unlimited).allMatch(r -> r.statusCode() == 200));
          idp.setQuotaRps(2);
          return burst(idp, 4);
        }).map(limited -> {
          test.verify(() -> {
            assertThat(limited.stream().filter(r -> r.statusCode() == 200)).hasSize(2);
            assertThat(idp.throttled()).isEqualTo(2);
          });
          return idp;
        }))
        .onComplete(test.succeedingThenComplete());
  }
}
