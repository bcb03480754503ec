package io.tokencache.fakeidp;

import static io.tokencache.fakeidp.IdpTestSupport.CLIENT;
import static io.tokencache.fakeidp.IdpTestSupport.SECRET;
import static io.tokencache.fakeidp.IdpTestSupport.clientCredentials;
import static io.tokencache.fakeidp.IdpTestSupport.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("FakeIdp /stats and /control")
class ControlAndStatsTest {

  private WebClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    client = WebClient.create(vertx);
  }

  @Test
  @DisplayName("GET /stats reports the counters without secrets, POST /stats/reset zeroes them")
  void shouldReportAndResetStats(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options())
        .compose(idp -> clientCredentials(client, idp)
            .compose(issued -> client.getAbs(idp.baseUrl() + "/stats").send())
            .compose(stats -> {
              test.verify(() -> {
                assertThat(stats.statusCode()).isEqualTo(200);
                JsonObject body = stats.bodyAsJsonObject();
                assertThat(body.getInteger("tokenRequests")).isEqualTo(1);
                assertThat(body.getInteger("tokensIssued")).isEqualTo(1);
                assertThat(body.getInteger("throttled")).isZero();
                assertThat(body.getInteger("rejectedClients")).isZero();
                assertThat(body.getJsonObject("issuedByClient").getInteger(CLIENT)).isEqualTo(1);
                assertThat(body.getJsonArray("issuedAtMillis")).hasSize(1);
                assertThat(body.getJsonObject("issuedAtByClient").getJsonArray(CLIENT)).hasSize(1);
                assertThat(body.getJsonObject("issuedAtByClient").getJsonArray(CLIENT).getLong(0))
                    .isEqualTo(idp.issuedAt(CLIENT).get(0))
                    .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
                assertThat(body.getJsonObject("requestsPerSecond").size()).isEqualTo(1);
                assertThat(body.getJsonObject("settings").getString("failureMode")).isEqualTo("NONE");
                assertThat(stats.bodyAsString()).doesNotContain(SECRET);
              });
              return client.postAbs(idp.baseUrl() + "/stats/reset").send();
            })
            .map(reset -> {
              test.verify(() -> {
                assertThat(reset.statusCode()).isEqualTo(204);
                assertThat(idp.tokenRequests()).isZero();
                assertThat(idp.tokensIssued(CLIENT)).isZero();
                assertThat(idp.issuedAtMillis()).isEmpty();
                assertThat(idp.issuedAt(CLIENT)).isEmpty();
                assertThat(idp.stats().getJsonObject("issuedAtByClient")).isEmpty();
              });
              return idp;
            }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("POST /control changes failure mode, latency, lifetime and quota at run time")
  void shouldApplyControlRequests(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options())
        .compose(idp -> client.postAbs(idp.baseUrl() + "/control")
            .sendJsonObject(new JsonObject().put("failureMode", "UNAVAILABLE"))
            .compose(changed -> {
              test.verify(() -> {
                assertThat(changed.statusCode()).isEqualTo(200);
                assertThat(changed.bodyAsJsonObject().getString("failureMode")).isEqualTo("UNAVAILABLE");
              });
              return clientCredentials(client, idp);
            })
            .compose(unavailable -> {
              test.verify(() -> assertThat(unavailable.statusCode()).isEqualTo(503));
              return client.postAbs(idp.baseUrl() + "/control").sendJsonObject(new JsonObject()
                  .put("failureMode", "NONE").put("latencyMs", 5).put("tokenLifetimeSeconds", 20)
                  .put("quotaRps", 5));
            })
            .compose(changed -> {
              test.verify(() -> {
                assertThat(changed.statusCode()).isEqualTo(200);
                assertThat(idp.failureMode()).isEqualTo(FailureMode.NONE);
                assertThat(idp.latency()).isEqualTo(Duration.ofMillis(5));
                assertThat(idp.tokenLifetime()).isEqualTo(Duration.ofSeconds(20));
                assertThat(idp.quotaRps()).isEqualTo(5);
              });
              return clientCredentials(client, idp);
            })
            .map(issued -> {
              test.verify(() -> {
                assertThat(issued.statusCode()).isEqualTo(200);
                assertThat(issued.bodyAsJsonObject().getLong("expires_in")).isEqualTo(20);
              });
              return idp;
            }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("POST /control rejects unknown settings and bad values with 400, changing nothing")
  void shouldRejectBadControlRequests(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options())
        .compose(idp -> client.postAbs(idp.baseUrl() + "/control")
            .sendJsonObject(new JsonObject().put("latencyMs", 10).put("failureMode", "EXPLODE"))
            .compose(badMode -> {
              test.verify(() -> {
                assertThat(badMode.statusCode()).isEqualTo(400);
                assertThat(badMode.bodyAsJsonObject().getString("error_description")).contains("failureMode");
                assertThat(idp.latency()).as("nothing applied").isZero();
              });
              return client.postAbs(idp.baseUrl() + "/control").sendJsonObject(new JsonObject().put("quota", 5));
            })
            .map(unknown -> {
              test.verify(() -> {
                assertThat(unknown.statusCode()).isEqualTo(400);
                assertThat(unknown.bodyAsJsonObject().getString("error_description")).contains("quota");
              });
              return idp;
            }))
        .onComplete(test.succeedingThenComplete());
  }
}
