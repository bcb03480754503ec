package io.tokencache.cluster;

import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Short-lived tokens rolled over by members whose clocks read 30 s ahead, right and 30 s behind: every served token
 * is checked against the IdP's own clock when it was served. Before the cluster clock, a token written by one member
 * was served by a member whose clock runs behind until its serve-until point on the writer's clock: up to 30 s past
 * the token's real expiry.
 */
class ClockSkewExpiryTest {

  private static final int QUOTA = 5;
  private static final int KEYS = 10;
  private static final Duration LIFETIME = Duration.ofSeconds(6);
  private static final Duration RUN = Duration.ofSeconds(16);
  private static final long ANSWER_BOUND_MILLIS = 5_000;

  private final Vertx idpVertx = Vertx.vertx();
  private FakeIdp idp;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    idp.close().await();
    idpVertx.close().await();
  }

  /** One answer: when it was asked and answered (the IdP's clock: the system's), its status and token. */
  private record Served(int member, long askedAt, long answeredAt, int status, String token, String body) {
  }

  @Test
  @DisplayName("clocks 30 s ahead, in step and 30 s behind, 6 s tokens rolled over for 16 s on 10 keys: no expired token served, every request answered 200 within 5 s, never above Q in a sliding second at the IdP")
  void shouldNeverServeAnExpiredTokenWithSkewedClocks() {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(QUOTA)
      .setTokenLifetime(LIFETIME)).await();
    List<Duration> skews = List.of(Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(-30));
    AtomicInteger started = new AtomicInteger();
    cluster = TestCluster.start(3, () -> new TokenCacheOptions()
      .setClock(Clock.offset(Clock.systemUTC(), skews.get(started.getAndIncrement())))
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(QUOTA).setLaneShares(1, 1, 1)
        .setClientShare(1).setQuotaMaxWait(Duration.ofSeconds(4)).setFetchTimeout(Duration.ofSeconds(5))));

    ConcurrentLinkedQueue<Served> served = new ConcurrentLinkedQueue<>();
    List<Future<?>> all = new ArrayList<>();
    long end = System.currentTimeMillis() + RUN.toMillis();
    int round = 0;
    while (System.currentTimeMillis() < end) {
      for (int k = 0; k < KEYS; k++) {
        // every key is asked of every member in turn, so each reads tokens the others wrote
        int member = (k + round) % 3;
        String client = "expiry-" + k;
        long asked = System.currentTimeMillis();
        all.add(cluster.request(member, client, client + "-secret", "read").andThen(ar -> {
          long answered = System.currentTimeMillis();
          if (ar.succeeded()) {
            JsonObject body = ar.result().statusCode() == 200 ? ar.result().bodyAsJsonObject() : null;
            served.add(new Served(member, asked, answered, ar.result().statusCode(),
              body == null ? null : body.getString("access_token"), ar.result().bodyAsString()));
          } else {
            served.add(new Served(member, asked, answered, -1, null, ar.cause().toString()));
          }
        }));
      }
      round++;
      idpVertx.timer(250).await();
    }
    Future.join(all).otherwiseEmpty().await();

    assertThat(served).hasSize(all.size());
    assertThat(served).allSatisfy(s -> {
      assertThat(s.status()).as("member %d: %s", s.member(), s.body()).isEqualTo(200);
      assertThat(s.answeredAt() - s.askedAt()).as("answer time on member %d", s.member())
        .isLessThanOrEqualTo(ANSWER_BOUND_MILLIS);
      // the IdP's clock is the system's; a token is expired from its exp on
      assertThat(expOf(s.token()) * 1000).as("exp of a token served by member %d at %d", s.member(), s.answeredAt())
        .isGreaterThan(s.answeredAt());
    });
    assertThat(idp.throttled()).as("upstream 429").isZero();
    assertThat(idp.maxRequestsInAnyWindow(Duration.ofSeconds(1))).isLessThanOrEqualTo(QUOTA);
    // tokens were rolled over (each key more than once) and not refetched wholesale
    assertThat(idp.tokensIssued()).isGreaterThanOrEqualTo(2 * KEYS).isLessThanOrEqualTo(KEYS * 6);
  }

  private static long expOf(String jwt) {
    String payload = jwt.split("\\.")[1];
    return new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8)).getLong("exp");
  }
}
