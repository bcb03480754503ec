package io.tokencache.http;

import io.tokencache.CacheStats;
import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FailureMode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.tokencache.http.TokenEndpointFixture.CLIENT;
import static io.tokencache.http.TokenEndpointFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/** The upstream's quota, back-off and circuit breaker, measured at the fake IdP (one member). */
@ExtendWith(VertxExtension.class)
class UpstreamProtectionTest {

  private TokenEndpointFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private List<Future<HttpResponse<Buffer>>> distinctKeys(int n) {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(f.client.post(TokenEndpoint.OAUTH2_PATH)
        .putHeader("Authorization", TokenEndpointFixture.basic(CLIENT, SECRET))
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", "key-" + i)));
    }
    return all;
  }

  @Test
  @DisplayName("distinct keys far beyond the quota: all answered 200, zero 429, never above Q in a sliding second")
  void shouldStayUnderQuotaForDistinctKeys(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setQuotaRps(5),
      o -> o.setCoalesceTimeout(Duration.ofSeconds(30)), u -> u.setQuotaRps(5).setLaneShares(1, 1, 1).setClientShare(1)
        .setQuotaMaxWait(Duration.ofSeconds(20)).setFetchTimeout(Duration.ofSeconds(25)));
    long start = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> all = distinctKeys(30);
    Future.join(all).await();
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();

    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).as(r.result().bodyAsString()).isEqualTo(200));
    assertThat(f.idp.throttled()).isZero();
    assertThat(f.idp.tokensIssued()).isEqualTo(30);
    assertThat(f.idp.maxRequestsInAnyWindow(Duration.ofSeconds(1))).isLessThanOrEqualTo(5);
    // 30 requests at 5 per (1 s + margin): the first 5 at once, the last ~5.5 s later
    assertThat(took).isBetween(5_000L, 12_000L);
  }

  @Test
  @DisplayName("a caller who cannot get a budget slot within the bound gets 503 with Retry-After, fast")
  void shouldAnswer503WhenBudgetIsExhausted(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setQuotaRps(0), o -> o,
      u -> u.setQuotaRps(2).setLaneShares(1, 1, 1).setClientShare(1).setQuotaMaxWait(Duration.ofMillis(500)));
    List<Future<HttpResponse<Buffer>>> all = distinctKeys(6);
    Future.join(all).await();
    long ok = all.stream().filter(r -> r.result().statusCode() == 200).count();
    List<HttpResponse<Buffer>> refused = all.stream().map(Future::result).filter(r -> r.statusCode() == 503).toList();
    assertThat(ok).isEqualTo(2);
    assertThat(refused).hasSize(4).allSatisfy(r -> {
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
      assertThat(Long.parseLong(r.getHeader("Retry-After"))).isBetween(1L, 2L);
    });
    assertThat(f.idp.tokenRequests()).isEqualTo(2);
  }

  @Test
  @DisplayName("a 429 with Retry-After from the IdP is honoured: the fetches wait it out and succeed, no 429 storm")
  void shouldHonourRetryAfterOn429(Vertx vertx) {
    // the IdP's real quota is below the configured one: the cache must back off on its 429s; the retries wait on
    // real timers, so the cache runs on the real clock here
    f = TokenEndpointFixture.start(vertx, o -> o.setQuotaRps(1), o -> o.setClock(Clock.systemUTC()),
      u -> u.setQuotaRps(20).setMaxAttempts(4).setInitialBackoff(Duration.ofMillis(50)));
    List<Future<HttpResponse<Buffer>>> all = distinctKeys(3);
    Future.join(all).await();
    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).isIn(200, 503));
    assertThat(all.stream().filter(r -> r.result().statusCode() == 200).count()).isGreaterThanOrEqualTo(2);
    // without honouring Retry-After, 3 keys x 4 attempts would all hit the IdP within milliseconds
    assertThat(f.idp.throttled()).isLessThanOrEqualTo(3);
  }

  @Test
  @DisplayName("IdP down: cached keys served, misses get 503 with Retry-After (p99 under 1 s), the IdP sees one probe per open period")
  void shouldFailFastAndProbeWhileIdpIsDown(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setQuotaRps(0), o -> o, u -> u.setMaxAttempts(1)
      .setBreakerWindow(4).setBreakerOpenDuration(Duration.ofSeconds(1)));
    String cached = f.basicToken(CLIENT, SECRET, "cached").bodyAsJsonObject().getString("access_token");
    f.idp.setFailureMode(FailureMode.UNAVAILABLE);
    for (int i = 0; i < 4; i++) {
      assertThat(f.basicToken(CLIENT, SECRET, "open-" + i).statusCode()).isEqualTo(503);
    }
    int callsWhenOpen = f.idp.tokenRequests();
    assertThat(f.cache.health().upstreams().get(TokenCacheOptions.DEFAULT_UPSTREAM).breaker()).isEqualTo("open");
    assertThat(f.cache.health().clusterQuotaShare()).as("no cluster").isNull();

    int misses = 0;
    List<Long> took = new ArrayList<>();
    for (int period = 0; period < 4; period++) {
      for (int i = 0; i < 30; i++) {
        long t0 = System.nanoTime();
        HttpResponse<Buffer> miss = f.basicToken(CLIENT, SECRET, "miss-" + misses++);
        took.add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
        assertThat(miss.statusCode()).isEqualTo(503);
        if (period == 0 || i > 0) {
          // every miss but the probe that opens each period after the first is refused without a call
          assertThat(miss.bodyAsJsonObject().getString("error_description")).contains("not calling");
        }
        assertThat(Long.parseLong(miss.getHeader("Retry-After"))).isBetween(1L, 2L);
        HttpResponse<Buffer> hit = f.basicToken(CLIENT, SECRET, "cached");
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(hit.bodyAsJsonObject().getString("access_token")).isEqualTo(cached);
      }
      assertThat(f.idp.tokenRequests() - callsWhenOpen).as("probes in period " + period).isEqualTo(period);
      // the open period (and the back-off the IdP's Retry-After set) ends: the next miss is the probe
      f.clock.advance(Duration.ofMillis(1001));
    }
    // 120 distinct keys of one client: failed fetches do not count against its maximum of keys (100)
    assertThat(misses).isGreaterThan(UpstreamOptions.DEFAULT_MAX_KEYS_PER_CLIENT);
    took.sort(Long::compare);
    assertThat(took.get(took.size() * 99 / 100)).as("p99 ms of a miss while the IdP is down").isLessThan(1000);

    CacheStats.Upstream counted = f.cache.stats().upstreams().get(TokenCacheOptions.DEFAULT_UPSTREAM);
    assertThat(counted.requests().get("success")).as("the cached key's fetch").isEqualTo(1);
    assertThat(counted.requests().get("server_error")).as("the IdP's 503s").isEqualTo(f.idp.tokenRequests() - 1);
    assertThat(counted.breakerRejections()).as("misses refused by the open breaker").isPositive();
    assertThat(f.cache.stats().requests().get("error")).isEqualTo(misses + 4);

    f.idp.setFailureMode(FailureMode.NONE);
    f.clock.advance(Duration.ofMillis(1001));
    assertThat(f.basicToken(CLIENT, SECRET, "after").statusCode()).isEqualTo(200);
    assertThat(f.cache.health().upstreams().get(TokenCacheOptions.DEFAULT_UPSTREAM).breaker()).isEqualTo("closed");
  }

  @Test
  @DisplayName("a repeated wrong secret is answered from the negative cache: the IdP's own 401, X-Token-Cache: NEGATIVE, no call")
  void shouldSayWhenARefusalIsReplayed(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setQuotaRps(0), o -> o, u -> u);
    HttpResponse<Buffer> first = f.basicToken(CLIENT, "wrong", "s0");
    HttpResponse<Buffer> again = f.basicToken(CLIENT, "wrong", "s0");
    assertThat(first.statusCode()).isEqualTo(401);
    assertThat(first.getHeader("X-Token-Cache")).isEqualTo("MISS");
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.getHeader("X-Token-Cache")).isEqualTo("NEGATIVE");
    assertThat(again.bodyAsString()).isEqualTo(first.bodyAsString());
    assertThat(f.idp.tokenRequests()).isEqualTo(1);
    assertThat(f.cache.stats().negativeHits()).isEqualTo(1);
    assertThat(f.cache.stats().upstreams().get(TokenCacheOptions.DEFAULT_UPSTREAM).requests().get("client_error"))
      .isEqualTo(1);
  }

  @Test
  @DisplayName("1,000 distinct wrong secrets for one client id make 1 upstream call; the known secret is unaffected; a rotated secret gets in at its turn")
  void shouldBoundGuessing(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setQuotaRps(0), o -> o, u -> u);
    assertThat(f.basicToken(CLIENT, SECRET, "s0").statusCode()).isEqualTo(200);
    for (int round = 0; round < 10; round++) {
      List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        all.add(f.client.post(TokenEndpoint.OAUTH2_PATH)
          .putHeader("Authorization", TokenEndpointFixture.basic(CLIENT, "guess-" + round + "-" + i))
          .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", "s0")));
      }
      Future.join(all).await();
      // one unknown secret at a time: 503 while the first one's verdict is awaited, 401 once it is refused
      assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).isIn(401, 503));
      assertThat(all).filteredOn(r -> r.result().statusCode() == 401).isNotEmpty()
        .allSatisfy(r -> assertThat(r.result().bodyAsJsonObject().getString("error")).isEqualTo("invalid_client"));
      HttpResponse<Buffer> known = f.basicToken(CLIENT, SECRET, "known-" + round);
      assertThat(known.statusCode()).as("a first fetch with the known secret").isEqualTo(200);
      assertThat(f.basicToken(CLIENT, SECRET, "s0").getHeader("X-Token-Cache")).isEqualTo("HIT");
      f.clock.advance(Duration.ofSeconds(1)); // 1,000 guesses over 10 s: one unknown-secret interval
    }
    // the first fetch and the 10 with the known secret aside
    assertThat(f.idp.tokenRequests() - 1 - 10).as("upstream calls for 1,000 wrong secrets").isEqualTo(1);

    f.idp.rotateSecret(CLIENT, "rotated");
    HttpResponse<Buffer> rotated = f.basicToken(CLIENT, "rotated", "after-rotation");
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    assertThat(rotated.getHeader("X-Token-Cache")).isEqualTo("MISS");
  }
}
