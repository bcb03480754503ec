package io.tokencache.cluster;

import io.tokencache.CacheHealth;
import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Members that disagree share one budget: clocks 30 s ahead, right and 30 s behind (it is timed by the clock of the
 * member that owns it, so no member's clock fills it with future grants or lets more than the quota through), and
 * quotas during a rolling change (each reservation carries its member's policy; the log holds none, so it is never
 * reset and the larger quota bounds every window).
 */
class ClockSkewBudgetTest {

  private static final int QUOTA = 5;

  private final Vertx idpVertx = Vertx.vertx();
  private FakeIdp idp;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    cluster.close();
    idp.close().await();
    idpVertx.close().await();
  }

  @Test
  @DisplayName("clocks 30 s ahead, in step and 30 s behind: 40 new keys all served, zero 429, never above Q in a sliding second at the IdP; each member measures its skew")
  void shouldHoldTheQuotaWithSkewedClocks() {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(QUOTA)).await();
    List<Duration> skews = List.of(Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(-30));
    AtomicInteger started = new AtomicInteger();
    cluster = TestCluster.start(3, () -> new TokenCacheOptions()
      .setClock(Clock.offset(Clock.systemUTC(), skews.get(started.getAndIncrement())))
      .setCoalesceTimeout(Duration.ofSeconds(40))
      // one lane for all: this test is about the clocks, not the lanes
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(QUOTA).setLaneShares(1, 1, 1)
        .setClientShare(1).setQuotaMaxWait(Duration.ofSeconds(30)).setFetchTimeout(Duration.ofSeconds(35))));
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String client = "skew-" + i;
      all.add(cluster.request(i % 3, client, client + "-secret", "read"));
    }
    Future.join(all).await();

    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).as(r.result().bodyAsString()).isEqualTo(200));
    assertThat(idp.tokensIssued()).isEqualTo(40);
    assertThat(idp.throttled()).as("upstream 429").isZero();
    assertThat(idp.maxRequestsInAnyWindow(Duration.ofSeconds(1))).isLessThanOrEqualTo(QUOTA);

    // each member measures its clock against the budget owner's: skew + own offset is the owner's offset, the same
    // for every member, and the owner is one of them
    await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      List<Double> ownerOffsets = new ArrayList<>();
      for (int m = 0; m < 3; m++) {
        double skew = cluster.registries.get(m).get("token.cache.clock.skew").gauge().value();
        ownerOffsets.add(skew + skews.get(m).toMillis() / 1000.0);
      }
      double owner = ownerOffsets.get(0);
      for (int m = 0; m < 3; m++) {
        // the cache's own answer agrees with its meter
        CacheHealth health = cluster.caches.get(m).health();
        assertThat(health.upstreams().get(TokenCacheOptions.DEFAULT_UPSTREAM).clockSkewSeconds())
          .isCloseTo(cluster.registries.get(m).get("token.cache.clock.skew").gauge().value(), within(0.5));
        assertThat(health.clusterQuotaShare()).isEqualTo(1.0);
      }
      assertThat(ownerOffsets).allSatisfy(o -> assertThat(o).isCloseTo(owner, within(1.0)));
      assertThat(List.of(30.0, 0.0, -30.0)).anySatisfy(o -> assertThat(owner).isCloseTo(o, within(1.0)));
    });
  }

  @Test
  @DisplayName("a rolling change of the quota (members configured with 5 and 8): never more than 8 in a sliding second at the IdP, and the shared log is never reset")
  void shouldHoldTheLargerQuotaDuringARollingChange() {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(8)).await();
    List<Integer> quotas = List.of(5, 8);
    AtomicInteger started = new AtomicInteger();
    cluster = TestCluster.start(2, () -> new TokenCacheOptions().setCoalesceTimeout(Duration.ofSeconds(40))
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(quotas.get(started.getAndIncrement()))
        .setLaneShares(1, 1, 1).setClientShare(1).setQuotaMaxWait(Duration.ofSeconds(30))
        .setFetchTimeout(Duration.ofSeconds(35))));
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String client = "roll-" + i;
      all.add(cluster.request(i % 2, client, client + "-secret", "read"));
    }
    Future.join(all).await();

    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).as(r.result().bodyAsString()).isEqualTo(200));
    assertThat(idp.throttled()).as("upstream 429").isZero();
    assertThat(idp.maxRequestsInAnyWindow(Duration.ofSeconds(1))).isLessThanOrEqualTo(8);
  }
}
