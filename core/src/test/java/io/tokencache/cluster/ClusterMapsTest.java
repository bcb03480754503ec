package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What health checks and admin endpoints read of the maps, on two real members. */
class ClusterMapsTest {

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

  @Test
  @DisplayName("tokens counted on their owners and in the cluster, near-cache statistics, the maps' probe answers")
  void shouldReadTheMapsOfAMember() {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true)).await();
    cluster = TestCluster.start(2, () -> new TokenCacheOptions()
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl())));
    for (int i = 0; i < 10; i++) {
      assertThat(cluster.request(i % 2, "c" + i, "c" + i + "-secret", "read").await().statusCode()).isEqualTo(200);
    }
    HazelcastInstance a = TokenCacheCluster.hazelcastOf(cluster.members.get(0));
    HazelcastInstance b = TokenCacheCluster.hazelcastOf(cluster.members.get(1));
    Vertx vertx = cluster.members.get(0);

    assertThat(ClusterMaps.localTokens(a) + ClusterMaps.localTokens(b)).as("each token has one owner").isEqualTo(10);
    assertThat(ClusterMaps.tokens(vertx, a).await()).isEqualTo(10);
    assertThat(ClusterMaps.nearCacheStats(a)).isNotNull();
    ClusterMaps.probe(vertx, a, 2000).await(); // fails the test if the maps do not answer
  }
}
