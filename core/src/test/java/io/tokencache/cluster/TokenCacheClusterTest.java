package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.tokencache.impl.CachedToken;
import io.tokencache.impl.cluster.HazelcastTokenStore;
import io.tokencache.impl.cluster.TokenCipher;
import io.tokencache.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two clustered Vert.x nodes in this JVM, started as an application embedding token-cache would. */
class TokenCacheClusterTest {

  private static final List<Vertx> nodes = new ArrayList<>();

  @BeforeAll
  static void startNodes() throws Exception {
    int p1 = FreePorts.next();
    int p2 = FreePorts.next();
    String clusterName = "vertx-test-" + UUID.randomUUID().toString().substring(0, 8);
    for (int port : new int[] {p1, p2}) {
      ClusterOptions options = new ClusterOptions().setClusterName(clusterName).setPort(port)
        .setMembers(List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2));
      nodes.add(join(TokenCacheCluster.startClusteredVertx(new VertxOptions(), options)));
    }
    await().atMost(Duration.ofSeconds(20))
      .until(() -> nodes.stream().allMatch(v -> TokenCacheCluster.hazelcastOf(v).getCluster().getMembers().size() == 2));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    for (Vertx v : nodes) {
      join(v.close());
    }
    // the build reruns a failed test in this JVM, @BeforeAll included: start it from an empty list
    nodes.clear();
  }

  private static <T> T join(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
  }

  @Test
  @DisplayName("clustered nodes exchange event-bus messages over the configured host")
  void shouldCarryEventBusMessagesBetweenNodes() throws Exception {
    join(nodes.get(1).eventBus().<String>consumer("echo", msg -> msg.reply("echo:" + msg.body())).completion());
    // the subscription reaches node 0 through the cluster's __vertx.subs map: poll until it has
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
      assertThat(join(nodes.get(0).eventBus().<String>request("echo", "hi")).body()).isEqualTo("echo:hi"));
    for (Vertx v : nodes) {
      assertThat(((VertxInternal) v).clusterManager().getNodeInfo().host()).isEqualTo("127.0.0.1");
      assertThat(TokenCacheCluster.hazelcastOf(v).getCluster().getLocalMember().getAddress().getHost())
        .isEqualTo("127.0.0.1");
    }
  }

  @Test
  @DisplayName("the Hazelcast member behind a clustered Vert.x carries the token store; a plain Vert.x has none")
  void shouldExposeHazelcastForTheTokenStore() throws Exception {
    HazelcastInstance hz1 = TokenCacheCluster.hazelcastOf(nodes.get(0));
    HazelcastInstance hz2 = TokenCacheCluster.hazelcastOf(nodes.get(1));
    assertThat(hz1).isNotNull();
    assertThat(hz2).isNotNull().isNotSameAs(hz1);
    TokenCipher cipher = TokenCipher.generateEphemeral();
    HazelcastTokenStore a = join(HazelcastTokenStore.create(nodes.get(0), hz1, cipher, Clock.systemUTC()));
    HazelcastTokenStore b = join(HazelcastTokenStore.create(nodes.get(1), hz2, cipher, Clock.systemUTC()));
    long now = System.currentTimeMillis();
    CachedToken t = new CachedToken("at", "{}", false, now, now + 60_000, now + 45_000, now + 50_000, "tag");
    join(a.put("key", t));
    assertThat(join(b.get("key"))).isEqualTo(t);
    join(a.close());
    join(b.close());

    Vertx plain = Vertx.vertx();
    try {
      assertThat(TokenCacheCluster.hazelcastOf(plain)).isNull();
    } finally {
      join(plain.close());
    }
  }

  @Test
  @DisplayName("invalid cluster options fail the start instead of throwing")
  void shouldFailOnInvalidOptions() {
    Future<Vertx> f = TokenCacheCluster.startClusteredVertx(new VertxOptions(),
      new ClusterOptions().setDiscovery(ClusterOptions.Discovery.KUBERNETES));
    assertThat(f.failed()).isTrue();
    assertThat(f.cause()).hasMessageContaining("kubernetesServiceDns");
  }
}
