package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A real split of three Hazelcast members (one against two, their connections cut by Hazelcast's own firewalling
 * test support) and its merge: each side uses its members' share of the quota, so the IdP never sees more than Q in
 * a sliding second from both together, and a client invalidated on one side during the split is not brought back by
 * the other side's copy of its token.
 */
class SplitBrainTest {

  private static final Logger LOG = LoggerFactory.getLogger(SplitBrainTest.class);

  private static final int QUOTA = 5;
  private static final Duration LOAD = Duration.ofSeconds(6);

  private final Vertx idpVertx = Vertx.vertx();
  private FakeIdp idp;
  private TestCluster cluster;
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    // the members were started by the test, not by Vert.x's cluster manager: it leaves them running
    members.forEach(hz -> hz.getLifecycleService().terminate());
    idp.close().await();
    idpVertx.close().await();
  }

  @Test
  @DisplayName("a 1 | 2 split under 20 new keys/s: at most Q in any sliding second at the IdP from both sides, each side on its share; a client invalidated during the split stays invalidated after the merge")
  void shouldKeepTheQuotaAndTheInvalidationsThroughASplit() throws InterruptedException {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(QUOTA)).await();
    cluster = TestCluster.start(3, () -> new TokenCacheOptions()
        .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(QUOTA).setLaneShares(1, 1, 1)
          .setClientShare(1).setQuotaMaxWait(Duration.ofSeconds(2)).setFetchTimeout(Duration.ofSeconds(3))),
      // every member holds every entry: the smaller side keeps its copy of each token
      c -> c.setBackupCount(2), SplitNetwork::startFirewalled);
    cluster.members.forEach(v -> members.add(TokenCacheCluster.hazelcastOf(v)));

    HttpResponse<Buffer> first = cluster.request(1, "inv", "inv-secret", "read").await();
    assertThat(first.statusCode()).isEqualTo(200);
    String invalidated = first.bodyAsJsonObject().getString("access_token");

    SplitNetwork.split(List.of(members.get(0)), List.of(members.get(1), members.get(2)));
    // each side on its share of the quota: 1/3 and 2/3
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(share(0)).isCloseTo(1.0 / 3, within(0.01));
      assertThat(share(1)).isCloseTo(2.0 / 3, within(0.01));
      assertThat(share(2)).isCloseTo(2.0 / 3, within(0.01));
    });
    idp.resetCounters();

    // both sides flooded with new keys, far beyond the quota
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    long end = System.nanoTime() + LOAD.toNanos();
    for (int i = 0; System.nanoTime() < end; i++) {
      all.add(cluster.request(0, "a-" + i, "a-" + i + "-secret", "read"));
      all.add(cluster.request(1 + i % 2, "b-" + i, "b-" + i + "-secret", "read"));
      idpVertx.timer(100).await();
    }
    Future.join(all).otherwiseEmpty().await();
    int maxInASecond = idp.maxRequestsInAnyWindow(Duration.ofSeconds(1));
    int calls = idp.tokenRequests();
    int throttled = idp.throttled();
    LOG.info("during the split: {} upstream calls in {} s, at most {} in one sliding second, {} throttled", calls,
      LOAD.toSeconds(), maxInASecond, throttled);

    // an operator invalidates the client on the larger side; the smaller side still holds (and serves) its token
    cluster.caches.get(1).invalidateClient(TokenCacheOptions.DEFAULT_UPSTREAM, "inv").await();
    assertThat(cluster.request(0, "inv", "inv-secret", "read").await().bodyAsJsonObject().getString("access_token"))
      .as("the smaller side cannot know").isEqualTo(invalidated);

    CountDownLatch merged = new CountDownLatch(1);
    members.get(0).getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
        merged.countDown();
      }
    });
    SplitNetwork.heal(members);
    assertThat(merged.await(60, TimeUnit.SECONDS)).as("merged").isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> members.stream().allMatch(hz -> SplitNetwork.size(hz) == 3));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(share(0)).isEqualTo(1.0));

    for (int m = 0; m < 3; m++) {
      HttpResponse<Buffer> after = cluster.request(m, "inv", "inv-secret", "read").await();
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.bodyAsJsonObject().getString("access_token")).as("member %d after the merge", m)
        .isNotEqualTo(invalidated);
    }

    assertThat(calls).as("upstream calls during the split").isGreaterThanOrEqualTo(QUOTA);
    assertThat(throttled).as("upstream 429 during the split").isZero();
    assertThat(maxInASecond).as("upstream calls in one sliding second from both sides").isLessThanOrEqualTo(QUOTA);
  }

  private double share(int member) {
    return cluster.registries.get(member).get("token.cache.cluster.quota.share").gauge().value();
  }
}
