package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokencache.loadtest.harness.PortAllocator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("FloorServer")
@ExtendWith(VertxExtension.class)
class FloorServerTest {

  @Test
  @DisplayName("answers a POST with the fixed body and token-cache's hit headers")
  void shouldAnswerLikeAHit(Vertx vertx) throws Exception {
    int port = new PortAllocator().next();
    Buffer body = Buffer.buffer("{\"expires_in\":3599,\"access_token\":\"x\",\"token_type\":\"Bearer\"}");
    vertx.deployVerticle(() -> new FloorServer("127.0.0.1", port, body), new DeploymentOptions().setInstances(2))
        .await(10, TimeUnit.SECONDS);
    HttpResponse<Buffer> resp = WebClient.create(vertx).post(port, "127.0.0.1", "/oauth2/token")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("grant_type=client_credentials")).await(10, TimeUnit.SECONDS);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body()).isEqualTo(body);
    assertThat(resp.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(resp.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(resp.getHeader("Pragma")).isEqualTo("no-cache");
    assertThat(resp.getHeader("X-Token-Cache")).isEqualTo("HIT");
  }
}
