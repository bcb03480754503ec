package io.tokencache.http;

import io.tokencache.testing.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicInteger;

import static io.tokencache.http.TokenEndpointFixture.CLIENT;
import static io.tokencache.http.TokenEndpointFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/** An upstream answer longer than 1 MiB is a transport failure (503), never buffered whole nor served. */
@ExtendWith(VertxExtension.class)
class UpstreamAnswerLimitTest {

  private TokenEndpointFixture f;
  private HttpServer upstream;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
    if (upstream != null) {
      upstream.close().await();
    }
  }

  /** A token answer padded to {@code bytes}: valid JSON, so only its length is wrong with it. */
  private static Buffer paddedToken(int bytes) {
    String head = new JsonObject().put("access_token", "tok").put("token_type", "Bearer").put("expires_in", 3600)
      .encode();
    return Buffer.buffer(head.substring(0, head.length() - 1) + ",\"pad\":\"" + "a".repeat(bytes) + "\"}");
  }

  private HttpResponse<Buffer> tokenVia(Vertx vertx, boolean chunked, int bytes, AtomicInteger served) {
    Buffer answer = paddedToken(bytes);
    upstream = vertx.createHttpServer().requestHandler(req -> req.end().onComplete(v -> {
      served.incrementAndGet();
      var resp = req.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
      if (chunked) {
        resp.setChunked(true);
        for (int i = 0; i < answer.length(); i += 64 * 1024) {
          resp.write(answer.slice(i, Math.min(answer.length(), i + 64 * 1024)));
        }
        resp.end();
      } else {
        resp.end(answer);
      }
    })).listen(FreePorts.next(), "127.0.0.1").await();
    String url = "http://127.0.0.1:" + upstream.actualPort() + "/token";
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o, u -> u.setTokenUrl(url).setMaxAttempts(1));
    return f.basicToken(CLIENT, SECRET, "read");
  }

  @Test
  @DisplayName("an upstream answer declaring more than 1 MiB gets 503 temporarily_unavailable")
  void shouldFailAnUpstreamAnswerDeclaredTooLong(Vertx vertx) {
    AtomicInteger served = new AtomicInteger();
    HttpResponse<Buffer> r = tokenVia(vertx, false, 2 * 1024 * 1024, served);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
    assertThat(served.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("a chunked upstream answer growing past 1 MiB gets 503 temporarily_unavailable")
  void shouldFailAChunkedUpstreamAnswerGrowingTooLong(Vertx vertx) {
    AtomicInteger served = new AtomicInteger();
    HttpResponse<Buffer> r = tokenVia(vertx, true, 2 * 1024 * 1024, served);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
  }

  @Test
  @DisplayName("an upstream answer just under 1 MiB is still read and served")
  void shouldServeAnUpstreamAnswerUnderTheLimit(Vertx vertx) {
    AtomicInteger served = new AtomicInteger();
    HttpResponse<Buffer> r = tokenVia(vertx, true, 1000 * 1024, served);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("access_token")).isEqualTo("tok");
  }
}
