package io.tokencache.cluster;

import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenRequest;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three members in one JVM, each a clustered Vert.x with its own token endpoint, sharing tokens, leases and
 * the upstream budget through Hazelcast, in front of one quota-enforcing fake IdP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusteredTokenCacheTest {

  private static final int QUOTA = 5;
  private static final String CLIENT = "svc";
  private static final String SECRET = "svc-secret";

  private final MutableClock clock = MutableClock.startingNow();
  private Vertx idpVertx;
  private FakeIdp idp;
  private TestCluster cluster;

  @BeforeAll
  void startCluster() {
    idpVertx = Vertx.vertx();
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().addClient(CLIENT, SECRET).setQuotaRps(QUOTA)).await();
    idp.setClock(clock); // the tokens' exp on the cache's clock: the test moves it
    cluster = TestCluster.start(3, () -> new TokenCacheOptions().setClock(clock).addUpstream(new UpstreamOptions()
      .setTokenUrl(idp.tokenUrl()).setQuotaRps(QUOTA).setRequestTimeout(Duration.ofSeconds(3))));
  }

  @AfterAll
  void stopCluster() {
    cluster.close();
    idp.close().await();
    idpVertx.close().await();
  }

  @BeforeEach
  void resetIdp() {
    idp.setLatency(Duration.ZERO);
    idp.setTokenLifetime(Duration.ofSeconds(3600));
    idp.resetCounters();
  }

  private Future<HttpResponse<Buffer>> request(int member, String secret, String scope) {
    return cluster.request(member, CLIENT, secret, scope);
  }

  private static String token(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getString("access_token");
  }

  @Test
  @DisplayName("a token fetched through one member is served by the others with no further upstream call")
  void shouldShareTokensAcrossMembers() {
    HttpResponse<Buffer> first = request(0, SECRET, "shared").await();
    HttpResponse<Buffer> second = request(1, SECRET, "shared").await();
    HttpResponse<Buffer> third = request(2, SECRET, "shared").await();
    assertThat(first.getHeader("X-Token-Cache")).isEqualTo("MISS");
    assertThat(second.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(third.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(token(second)).isEqualTo(token(first));
    assertThat(token(third)).isEqualTo(token(first));
    assertThat(idp.tokenRequests()).isEqualTo(1);
  }

  @Test
  @DisplayName("600 concurrent first requests spread over 3 members make exactly 1 upstream call")
  void shouldCoalesceConcurrentMissesAcrossMembers() {
    idp.setLatency(Duration.ofMillis(300));
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      all.add(request(i % 3, SECRET, "herd"));
    }
    Future.join(all).await();
    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(200));
    assertThat(all.stream().map(r -> token(r.result())).distinct()).hasSize(1);
    assertThat(idp.tokenRequests()).isEqualTo(1);
    Map<String, Long> byStatus = all.stream().map(r -> r.result().getHeader("X-Token-Cache"))
      .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(byStatus.get("MISS")).isEqualTo(1);
    assertThat(byStatus.get("COALESCED")).isPositive();
    assertThat(byStatus.keySet()).containsOnly("MISS", "COALESCED", "HIT");
  }

  @Test
  @DisplayName("a token invalidated after its fetch is fetched anew by the next miss elsewhere: the fetch's stored marker stands for nothing then")
  void shouldFetchAnewPastAStoredMarkerOfAnInvalidatedToken() {
    HttpResponse<Buffer> first = request(0, SECRET, "relearn").await();
    assertThat(first.getHeader("X-Token-Cache")).isEqualTo("MISS");
    // within the marker's life (the lease's TTL): member 2's claim finds it, reads no token, and claims past it
    assertThat(cluster.cache(1).invalidate(TokenRequest.clientCredentials(CLIENT, SECRET).scope("relearn").build())
      .await()).isTrue();
    HttpResponse<Buffer> again = request(2, SECRET, "relearn").await();
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
    assertThat(again.getHeader("X-Token-Cache")).isEqualTo("MISS");
    assertThat(token(again)).isNotEqualTo(token(first));
    assertThat(idp.tokenRequests()).isEqualTo(2);
  }

  @Test
  @DisplayName("over 5 refresh cycles under load on every member: one upstream call per cycle, no failure, no expired token")
  void shouldRefreshOncePerCycleAcrossMembers() {
    idp.setTokenLifetime(Duration.ofSeconds(100));
    String current = token(request(0, SECRET, "rollover").await());
    for (int cycle = 1; cycle <= 5; cycle++) {
      clock.advance(Duration.ofSeconds(80)); // past the refresh point (75 s), before serve-until (90 s)
      for (int i = 0; i < 30; i++) {
        HttpResponse<Buffer> r = request(i % 3, SECRET, "rollover").await();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getLong("expires_in")).isGreaterThanOrEqualTo(10);
      }
      int expectedCalls = cycle + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> idp.tokensIssued() >= expectedCalls);
      String previous = current;
      for (int m = 0; m < 3; m++) {
        int member = m;
        await().atMost(Duration.ofSeconds(10)).until(() -> !token(request(member, SECRET, "rollover").await()).equals(previous));
      }
      current = token(request(0, SECRET, "rollover").await());
      assertThat(idp.tokensIssued()).as("upstream calls after cycle " + cycle).isEqualTo(expectedCalls);
    }
    assertThat(idp.throttled()).isZero();
  }

  @Test
  @DisplayName("3 members asking for 20 distinct keys each share one budget: all 200, zero 429, never above Q per second")
  void shouldShareTheUpstreamBudget() {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      all.add(request(i % 3, SECRET, "budget-" + (i % 20)));
    }
    Future.join(all).await();
    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).as(r.result().bodyAsString()).isEqualTo(200));
    assertThat(idp.tokenRequests()).isEqualTo(20);
    assertThat(idp.throttled()).isZero();
    assertThat(idp.maxRequestsInAnyWindow(Duration.ofSeconds(1))).isLessThanOrEqualTo(QUOTA);
  }

  @Test
  @DisplayName("wrong secrets are remembered cluster-wide: 300 requests with 5 wrong secrets make 1 upstream call, the known secret is unaffected")
  void shouldRememberRejectionsAcrossMembers() {
    assertThat(request(0, SECRET, "guess-known").await().statusCode()).isEqualTo(200);
    idp.resetCounters();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      all.add(request(i % 3, "wrong-" + (i % 5), "guess"));
    }
    Future.join(all).await();
    // one unknown secret at a time: the others wait for its verdict (503), then for their turn (401)
    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).isIn(401, 503));
    assertThat(all).filteredOn(r -> r.result().statusCode() == 401).isNotEmpty();
    assertThat(idp.tokenRequests()).isEqualTo(1);
    assertThat(request(1, SECRET, "guess").await().statusCode()).isEqualTo(200);
  }
}
