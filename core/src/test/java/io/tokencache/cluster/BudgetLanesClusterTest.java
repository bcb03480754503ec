package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FailureMode;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budget's lanes on three members in front of one quota-enforcing fake IdP: a flood of first-time keys cannot
 * starve the tokens in use, an upstream's day-long {@code Retry-After} holds the fleet back no longer than the
 * cap, and an IdP outage is answered fast on every member.
 */
class BudgetLanesClusterTest {

  private static final int QUOTA = 10;
  /** As many as the unknown lane's window holds: their first fetches go at once, so cycles start when they do. */
  private static final int IN_USE = 4;

  private final Vertx idpVertx = Vertx.vertx();
  private FakeIdp idp;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (idp != null) {
      idp.close().await();
    }
    idpVertx.close().await();
  }

  private void start(Clock clock, FakeIdpOptions idpOptions, UnaryOperator<UpstreamOptions> upstream) {
    idp = FakeIdp.start(idpVertx, idpOptions.setDynamicClients(true).setQuotaRps(QUOTA)).await();
    idp.setClock(clock); // the tokens' exp on the cache's clock, which some tests move
    cluster = TestCluster.start(3, () -> new TokenCacheOptions().setClock(clock)
      .addUpstream(upstream.apply(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(QUOTA))));
  }

  private static TokenRequest request(String clientId) {
    return TokenRequest.clientCredentials(clientId, clientId + "-secret").scope("read").build();
  }

  @Test
  @DisplayName("a flood of never-seen client ids at 10x the budget for 3 token lifetimes: the keys in use never fail and are refreshed once per cycle, zero 429, the flood only in its lane")
  void shouldServeTheKeysInUseThroughAFlood() {
    Duration lifetime = Duration.ofSeconds(6);
    start(Clock.systemUTC(), new FakeIdpOptions().setTokenLifetime(lifetime), u -> u);
    long[] firstFetchMillis = new long[IN_USE];
    for (int k = 0; k < IN_USE; k++) {
      long sent = System.nanoTime();
      cluster.caches.get(k % 3).getToken(request("in-use-" + k)).await();
      firstFetchMillis[k] = (System.nanoTime() - sent) / 1_000_000;
    }

    AtomicInteger inUseAnswered = new AtomicInteger();
    ConcurrentLinkedQueue<String> inUseFailures = new ConcurrentLinkedQueue<>();
    AtomicInteger floodSent = new AtomicInteger();
    AtomicInteger floodServed = new AtomicInteger();
    ConcurrentLinkedQueue<Future<TokenResponse>> floodAnswers = new ConcurrentLinkedQueue<>();
    List<Long> timers = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      Vertx member = cluster.members.get(m);
      TokenCache cache = cluster.caches.get(m);
      // every key in use, on every member, 10 times a second
      timers.add(member.setPeriodic(100, t -> {
        for (int k = 0; k < IN_USE; k++) {
          cache.getToken(request("in-use-" + k)).onComplete(ar -> {
            inUseAnswered.incrementAndGet();
            if (ar.failed()) {
              inUseFailures.add(ar.cause().getMessage());
            }
          });
        }
      }));
      // first-time client ids: 3 members x 1 every 30 ms = 100 per second, 10x the quota
      timers.add(member.setPeriodic(30, t ->
        floodAnswers.add(cache.getToken(request("flood-" + floodSent.incrementAndGet())))));
    }
    long floodMillis = 3 * lifetime.toMillis();
    idpVertx.timer(floodMillis).await();
    for (int m = 0; m < 3; m++) {
      cluster.members.get(m).cancelTimer(timers.get(2 * m));
      cluster.members.get(m).cancelTimer(timers.get(2 * m + 1));
    }
    for (Future<TokenResponse> f : floodAnswers) {
      f.transform(ar -> Future.succeededFuture()).await();
      if (f.succeeded()) {
        floodServed.incrementAndGet();
      } else {
        assertThat(f.cause()).isInstanceOf(TokenCacheException.class);
        assertThat(((TokenCacheException) f.cause()).statusCode()).isEqualTo(503);
      }
    }

    assertThat(inUseFailures).as("failed requests for the keys in use").isEmpty();
    assertThat(inUseAnswered.get()).as("requests for the keys in use").isGreaterThan(IN_USE * 3 * 10 * 10);
    assertThat(idp.throttled()).as("upstream 429").isZero();
    long serveWindow = lifetime.toMillis() - lifetime.toMillis() / 10; // 10 % of it kept as minimum remaining
    for (int k = 0; k < IN_USE; k++) {
      List<Long> issued = idp.issuedAt("in-use-" + k);
      assertThat(issued.size()).as("tokens of in-use-" + k).isBetween(4, 6);
      for (int i = 1; i < issued.size(); i++) {
        long gap = issued.get(i) - issued.get(i - 1);
        // refreshed at 75 % of the lifetime (jittered up to 5 % earlier; the JWT's whole-second exp may cut up to
        // 1 s off it), never twice in a cycle, and before the token stops being served. The cache counts a token's
        // age from when its request left, the IdP from when it answered: the first fetch of a cold JVM can take a
        // second between the two, and its cycle is that much shorter at the IdP.
        long shortest = lifetime.toMillis() / 2 - (i == 1 ? firstFetchMillis[k] : 0);
        assertThat(gap).as("ms between tokens of in-use-" + k).isBetween(shortest, serveWindow);
      }
    }
    int floodCalls = idp.tokensIssued() - inUseTokens();
    // the unknown lane holds 40 % of the quota: 4 per window of 1 s plus the 200 ms safety margin, while the flood
    // runs and while the slots it reserved ahead (up to the budget's wait of 10 s) come due
    long windows = (floodMillis + UpstreamOptions.DEFAULT_QUOTA_MAX_WAIT.toMillis()) / 1200 + 2;
    assertThat(floodCalls).as("upstream calls for the flood").isPositive().isLessThanOrEqualTo((int) (4 * windows));
    assertThat(floodServed.get()).isEqualTo(floodCalls);
    assertThat(cluster.count("token.cache.upstream.requests", "lane", "unknown"))
      .as("the flood's calls are counted in the unknown lane (the keys in use were first fetched there too)")
      .isEqualTo(floodCalls + IN_USE);
    assertThat(cluster.count("token.cache.upstream.requests", "lane", "refresh"))
      .isEqualTo(inUseTokens() - IN_USE);
    assertThat(cluster.count("token.cache.budget.rejections", "lane", "refresh")).isZero();
  }

  private int inUseTokens() {
    int n = 0;
    for (int k = 0; k < IN_USE; k++) {
      n += idp.tokensIssued("in-use-" + k);
    }
    return n;
  }

  @Test
  @DisplayName("one upstream Retry-After: 86400 holds every member back no longer than the cap (60 s), answered fast with a Retry-After within it, also when the budget changed owner in between")
  void shouldCapADayLongRetryAfter() {
    MutableClock clock = MutableClock.startingNow();
    start(clock, new FakeIdpOptions(), u -> u);
    idp.setUnavailableRetryAfter(Duration.ofDays(1)).setFailureMode(FailureMode.UNAVAILABLE);
    HttpResponse<Buffer> first = cluster.request(0, "a", "a-secret", "read").await();
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(Long.parseLong(first.getHeader("Retry-After"))).isBetween(1L, 60L);
    int calls = idp.tokenRequests();
    idp.setFailureMode(FailureMode.NONE);

    clock.advance(Duration.ofSeconds(59));
    // and the budget changes owner after that quiet minute: the back-off still ends when it was set to
    cluster.stopMember(budgetOwner());
    for (int m : cluster.running()) {
      HttpResponse<Buffer> held = cluster.request(m, "b" + m, "b" + m + "-secret", "read").await();
      assertThat(held.statusCode()).isEqualTo(503);
      assertThat(held.bodyAsJsonObject().getString("error_description")).contains("not calling");
      assertThat(Long.parseLong(held.getHeader("Retry-After"))).isEqualTo(1L);
    }
    assertThat(idp.tokenRequests()).as("nobody called the IdP during the back-off").isEqualTo(calls);

    clock.advance(Duration.ofMillis(1001));
    for (int m : cluster.running()) {
      assertThat(cluster.request(m, "c" + m, "c" + m + "-secret", "read").await().statusCode()).isEqualTo(200);
    }
  }

  /** The index of the member that owns the default upstream's budget. */
  private int budgetOwner() {
    for (int m = 0; m < cluster.members.size(); m++) {
      HazelcastInstance hz = TokenCacheCluster.hazelcastOf(cluster.members.get(m));
      if (hz.getPartitionService().getPartition(TokenCacheOptions.DEFAULT_UPSTREAM).getOwner().localMember()) {
        return m;
      }
    }
    throw new AssertionError("no member owns the budget");
  }

  @Test
  @DisplayName("the IdP down for 30 s: on every member misses are answered 503 with Retry-After (p99 under 1 s), cached keys 100 %, the IdP sees about one probe a second")
  void shouldFailFastOnEveryMemberDuringAnOutage() {
    MutableClock clock = MutableClock.startingNow();
    // no retries: a probe's retry would wait out on real timers a back-off that ends only on this test's clock
    start(clock, new FakeIdpOptions(), u -> u.setMaxAttempts(1));
    for (int m = 0; m < 3; m++) {
      assertThat(cluster.request(m, "cached", "cached-secret", "read").await().statusCode()).isEqualTo(200);
    }
    idp.setFailureMode(FailureMode.UNAVAILABLE);
    int callsBefore = idp.tokenRequests();
    List<List<Long>> took = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    int misses = 0;
    for (int second = 0; second < 30; second++) {
      for (int m = 0; m < 3; m++) {
        for (int i = 0; i < 5; i++) {
          long t0 = System.nanoTime();
          HttpResponse<Buffer> miss = cluster.request(m, "miss-" + misses, "miss-" + misses + "-secret", "read")
            .await();
          misses++;
          took.get(m).add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
          assertThat(miss.statusCode()).isEqualTo(503);
          assertThat(miss.getHeader("Retry-After")).isNotNull();
          HttpResponse<Buffer> hit = cluster.request(m, "cached", "cached-secret", "read").await();
          assertThat(hit.statusCode()).isEqualTo(200);
        }
      }
      clock.advance(Duration.ofSeconds(1));
    }
    for (int m = 0; m < 3; m++) {
      List<Long> sorted = took.get(m).stream().sorted().toList();
      assertThat(sorted.get(sorted.size() * 99 / 100)).as("p99 ms of a miss on member " + m).isLessThan(1000);
    }
    // the shared back-off (the IdP's Retry-After: 1) lets one probe through per second, whichever member asks
    assertThat(idp.tokenRequests() - callsBefore).as("upstream calls during 30 s down").isBetween(1, 35);
  }
}
