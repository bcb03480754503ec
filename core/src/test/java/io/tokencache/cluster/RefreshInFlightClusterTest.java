package io.tokencache.cluster;

import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A refresh still on its way when its token stops being served, on two members. A cluster of its own: the test
 * moves its clock by 95 s, which the other cluster tests' budgets and leases must not see.
 */
class RefreshInFlightClusterTest {

  private final MutableClock clock = MutableClock.startingNow();
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
  @DisplayName("a token past serving while another member's refresh of it is still on its way: the request waits for that refresh, the key is not fetched a second time")
  void shouldWaitForAnotherMembersRefresh() {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true)
      .setTokenLifetime(Duration.ofSeconds(100))).await();
    idp.setClock(clock); // the tokens' exp on the cache's clock: the test moves it
    cluster = TestCluster.start(2, () -> new TokenCacheOptions().setClock(clock)
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl())));
    String first = token(cluster.request(0, "svc", "svc-secret", "read").await());
    idp.setLatency(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(80)); // refresh point is 75 s into a 100 s token
    assertThat(cluster.request(0, "svc", "svc-secret", "read").await().getHeader("X-Token-Cache")).isEqualTo("HIT");

    // served until 90 s; member 0's refresh is still waiting for the IdP's answer
    clock.advance(Duration.ofSeconds(15));
    HttpResponse<Buffer> late = cluster.request(1, "svc", "svc-secret", "read").await();

    assertThat(late.statusCode()).as(late.bodyAsString()).isEqualTo(200);
    assertThat(token(late)).isNotEqualTo(first);
    assertThat(idp.tokenRequests()).as("the first fetch and its one refresh").isEqualTo(2);
  }

  private static String token(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getString("access_token");
  }
}
