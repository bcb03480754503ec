package io.tokencache.impl.upstream;

import io.tokencache.TokenRequest;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The upstream client against the fake IdP over real HTTP: a request its caller gives up at the last moment. */
class UpstreamClientTest {

  private final Vertx vertx = Vertx.vertx();
  private FakeIdp idp;

  @AfterEach
  void stop() {
    if (idp != null) {
      idp.close().await();
    }
    vertx.close().await();
  }

  @Test
  @DisplayName("a request whose slot has passed once its connection is ready sends nothing, and the connection serves the next request")
  void shouldSendNothingWhenTheMomentHasPassed() {
    idp = FakeIdp.start(vertx, new FakeIdpOptions().setDynamicClients(true)).await();
    // one connection: the second request can only go out if the first left it usable
    UpstreamClient client = new UpstreamClient(vertx, new UpstreamOptions().setTokenUrl(idp.tokenUrl())
      .setMaxConnections(1));
    TokenRequest.ClientCredentials request = TokenRequest.clientCredentials("late", "late-secret").scope("read").build();
    AtomicInteger asked = new AtomicInteger();

    Future<UpstreamResponse> givenUp = client.requestToken(request, () -> asked.incrementAndGet() < 0);
    givenUp.transform(ar -> Future.succeededFuture()).await();

    assertThat(givenUp.cause()).isInstanceOf(UpstreamClient.NotSent.class);
    assertThat(asked.get()).as("asked once, with the connection there").isEqualTo(1);
    assertThat(idp.tokenRequests()).as("requests the IdP saw").isZero();

    UpstreamResponse sent = client.requestToken(request, () -> true).await();
    assertThat(sent.statusCode()).isEqualTo(200);
    assertThat(idp.tokenRequests()).isEqualTo(1);
  }
}
