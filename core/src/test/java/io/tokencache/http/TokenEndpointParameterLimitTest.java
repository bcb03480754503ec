package io.tokencache.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
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

/** More than 64 parameters is a 400, however they are spelled: never a request with the rest silently dropped. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenEndpointParameterLimitTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private TokenEndpointFixture f;

  @BeforeAll
  void setUp(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
  }

  @AfterAll
  void tearDown() {
    f.close();
  }

  private static void assertTooMany(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
    assertThat(r.bodyAsJsonObject().getString("error_description")).contains("too many parameters");
  }

  /** grant_type and {@code extra} further parameters x0, x1, ... */
  private static String form(int extra) {
    StringBuilder b = new StringBuilder("grant_type=client_credentials");
    for (int i = 0; i < extra; i++) {
      b.append("&x").append(i).append("=v");
    }
    return b.toString();
  }

  @Test
  @DisplayName("a form with 65 values of one repeatable parameter gets 400, not its first 64 values")
  void shouldRejectAFormWithTooManyValues() {
    int before = f.idp.tokenRequests();
    StringBuilder body = new StringBuilder("grant_type=client_credentials");
    for (int i = 0; i < 70; i++) {
      body.append("&resource=https%3A%2F%2Fapi").append(i).append(".example");
    }
    assertTooMany(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, body.toString(), basic(CLIENT, SECRET)));
    assertTooMany(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, form(64), basic(CLIENT, SECRET)));
    assertThat(f.idp.tokenRequests()).isEqualTo(before);
  }

  @Test
  @DisplayName("a JSON body with 65 keys gets 400, null values included")
  void shouldRejectAJsonBodyWithTooManyKeys() {
    JsonObject json = new JsonObject().put("grant_type", "client_credentials").put("client_id", CLIENT)
      .put("client_secret", SECRET);
    for (int i = 0; i < 62; i++) {
      json.putNull("x" + i);
    }
    assertTooMany(f.postRaw(TokenEndpoint.AUTH0_PATH, "application/json", json.encode(), null));
  }

  @Test
  @DisplayName("a scope in the query string counts towards the limit: it cannot make room for a 65th parameter")
  void shouldCountTheQueryScopeTowardsTheLimit() {
    // 64 parameters in the body: accepted on their own
    HttpResponse<Buffer> within = f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, form(63), basic(CLIENT, SECRET));
    assertThat(within.statusCode()).as(within.bodyAsString()).isEqualTo(200);
    assertTooMany(f.postRaw(TokenEndpoint.OAUTH2_PATH + "?scope=read", FORM, form(63), basic(CLIENT, SECRET)));
  }
}
