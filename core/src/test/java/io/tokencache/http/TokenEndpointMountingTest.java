package io.tokencache.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tokencache.http.TokenEndpointFixture.CLIENT;
import static io.tokencache.http.TokenEndpointFixture.SECRET;
import static io.tokencache.http.TokenEndpointFixture.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The endpoint reads the body itself: behind an application's own {@code BodyHandler}, given the bare request by a
 * server's request handler, and with chunked bodies, which have no length to check up front.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenEndpointMountingTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String CC = "grant_type=client_credentials&scope=read";
  private TokenEndpointFixture f;
  private HttpClient http;

  @BeforeAll
  void setUp(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    http = vertx.createHttpClient();
  }

  @AfterAll
  void tearDown() {
    http.close().await();
    f.close();
  }

  private record Answer(int status, JsonObject body, String connection) {
  }

  private Answer post(int port, String path, Buffer body, boolean chunked) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
      .setURI(path).putHeader("Content-Type", FORM).putHeader("Authorization", basic(CLIENT, SECRET));
    // the answer is read in the same callback chain as it arrives: awaited on this thread, its body could be lost
    return http.request(options).compose(request -> {
      Future<HttpClientResponse> response;
      if (chunked) {
        // several writes, so that the body arrives in several chunks with no Content-Length
        request.setChunked(true);
        int step = 4096;
        for (int i = 0; i < body.length(); i += step) {
          request.write(body.getBuffer(i, Math.min(body.length(), i + step)));
        }
        response = request.end().compose(v -> request.response());
      } else {
        response = request.send(body);
      }
      return response.compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.toJsonObject(),
        r.getHeader("Connection"))));
    }).await();
  }

  @Test
  @DisplayName("a chunked body is read whole; one over the limit gets 413 and the connection is closed")
  void shouldBoundChunkedBodies() {
    StringBuilder padded = new StringBuilder(CC);
    for (int i = 0; i < 9; i++) {
      padded.append("&pad").append(i).append('=').append("x".repeat(1000));
    }
    Answer ok = post(f.port, TokenEndpoint.OAUTH2_PATH, Buffer.buffer(padded.toString()), true);
    assertThat(ok.status()).as(ok.body().encode()).isEqualTo(200);
    assertThat(ok.body().getString("scope")).isEqualTo("read");

    Answer big = post(f.port, TokenEndpoint.OAUTH2_PATH, Buffer.buffer(CC + "&pad=" + "x".repeat(70 * 1024)), true);
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.body().getString("error")).isEqualTo("invalid_request");
    assertThat(big.connection()).isEqualTo("close");
  }

  @Test
  @DisplayName("behind an application's own BodyHandler the endpoint answers from the body it already read")
  void shouldAnswerBehindAnApplicationBodyHandler() {
    Router app = Router.router(f.vertx);
    app.route().handler(BodyHandler.create());
    app.route("/*").subRouter(TokenEndpoint.router(f.vertx, f.cache));
    HttpServer server = f.vertx.createHttpServer().requestHandler(app).listen(0, "127.0.0.1").await();
    try {
      Answer ok = post(server.actualPort(), TokenEndpoint.OAUTH2_PATH, Buffer.buffer(CC), false);
      assertThat(ok.status()).as(ok.body().encode()).isEqualTo(200);
      assertThat(ok.body().getString("access_token")).isNotBlank();
      Answer bad = post(server.actualPort(), TokenEndpoint.OAUTH2_PATH, Buffer.buffer("scope=read"), false);
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body().getString("error")).isEqualTo("invalid_request");
    } finally {
      server.close().await();
    }
  }

  @Test
  @DisplayName("a request handler without vertx-web answers the same, and refuses paths that are not token paths")
  void shouldAnswerFromABareRequestHandler() {
    var handler = TokenEndpoint.requestHandler(f.cache, new TokenEndpointOptions(), TokenEndpoint.AUTH0_PATH);
    HttpServer server = f.vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1").await();
    try {
      Answer form = post(server.actualPort(), "/anything", Buffer.buffer(CC), false);
      assertThat(form.status()).as(form.body().encode()).isEqualTo(200);
      Answer garbled = post(server.actualPort(), "/anything", Buffer.buffer(CC + "&scope=%zz"), false);
      assertThat(garbled.status()).isEqualTo(400);
    } finally {
      server.close().await();
    }
    assertThatThrownBy(() -> TokenEndpoint.requestHandler(f.cache, new TokenEndpointOptions(), "/token"))
      .isInstanceOf(IllegalArgumentException.class);
  }
}
