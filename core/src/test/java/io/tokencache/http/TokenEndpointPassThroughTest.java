package io.tokencache.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static io.tokencache.http.TokenEndpointFixture.CLIENT;
import static io.tokencache.http.TokenEndpointFixture.SECRET;
import static io.tokencache.http.TokenEndpointFixture.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** Grants other than client_credentials: forwarded only with client authentication, and only when allowed. */
@ExtendWith(VertxExtension.class)
class TokenEndpointPassThroughTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON = "application/json";
  private static final String REFRESH = "grant_type=refresh_token&refresh_token=unknown";
  private static final String JWT_BEARER = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";
  private TokenEndpointFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String error) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(error);
    assertThat(r.bodyAsJsonObject().getString("error_description")).isNotBlank();
  }

  @Test
  @DisplayName("500 pass-through requests without client authentication get 500 x 401 and the IdP sees none")
  void shouldChallengeUnauthenticatedPassThroughWithoutCallingTheIdp(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    int before = f.idp.tokenRequests();
    String[][] anonymous = {
      {TokenEndpoint.OAUTH2_PATH, FORM, REFRESH, null},
      {TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_id=" + CLIENT, null},
      {TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_secret=" + SECRET, null},
      {TokenEndpoint.OAUTH2_PATH, FORM, "grant_type=password&username=u&password=p", "Bearer abc"},
      {TokenEndpoint.OAUTH2_PATH, FORM, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
        + "&device_code=x&client_id=" + CLIENT, null},
      {TokenEndpoint.AUTH0_PATH, JSON, new JsonObject().put("grant_type", "password").put("client_id", CLIENT)
        .put("username", "u").put("password", "p").encode(), null},
    };
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String[] r = anonymous[i % anonymous.length];
      var req = f.client.post(r[0]).putHeader("Content-Type", r[1]);
      if (r[3] != null) {
        req.putHeader("Authorization", r[3]);
      }
      sent.add(req.sendBuffer(Buffer.buffer(r[2])));
    }
    Future.all(sent).await();
    for (Future<HttpResponse<Buffer>> r : sent) {
      assertError(r.result(), 401, "invalid_client");
      assertThat(r.result().getHeader("WWW-Authenticate")).startsWith("Basic");
    }
    assertThat(f.idp.tokenRequests()).as("upstream requests").isEqualTo(before);
  }

  @Test
  @DisplayName("a pass-through request authenticated by Basic, client_secret or client_assertion is forwarded")
  void shouldForwardAuthenticatedPassThrough(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    int before = f.idp.tokenRequests();
    List<HttpResponse<Buffer>> answers = List.of(
      f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH, basic(CLIENT, SECRET)),
      f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_id=" + CLIENT + "&client_secret=" + SECRET, null),
      f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_assertion=eyJ.x.y&client_assertion_type="
        + JWT_BEARER, null),
      f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_id=" + CLIENT
        + "&client_assertion=eyJ.x.y&client_assertion_type=" + JWT_BEARER, null),
      f.postRaw(TokenEndpoint.AUTH0_PATH, JSON, new JsonObject().put("grant_type", "refresh_token")
        .put("refresh_token", "unknown").put("client_id", CLIENT).put("client_secret", SECRET).encode(), null));
    for (HttpResponse<Buffer> r : answers) {
      assertThat(r.getHeader("X-Token-Cache")).as(r.bodyAsString()).isEqualTo("BYPASS");
      assertThat(r.statusCode()).as("the IdP's own answer").isBetween(400, 401);
    }
    assertThat(f.idp.tokenRequests()).isEqualTo(before + answers.size());
  }

  @Test
  @DisplayName("pass-through with two authentication methods, or half an assertion, gets 400 and is not forwarded")
  void shouldRejectAmbiguousPassThroughAuthentication(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    int before = f.idp.tokenRequests();
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_secret=" + SECRET,
      basic(CLIENT, SECRET)), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_assertion=eyJ.x.y&client_assertion_type="
      + JWT_BEARER, basic(CLIENT, SECRET)), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_assertion=eyJ.x.y", null), 400,
      "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH + "&client_id=someone-else",
      basic(CLIENT, SECRET)), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH, "Basic !!!notbase64"), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH, basic("", SECRET)), 400, "invalid_request");
    assertThat(f.idp.tokenRequests()).isEqualTo(before);
  }

  @Test
  @DisplayName("with pass-through off, every grant but client_credentials gets 400 unsupported_grant_type")
  void shouldRefuseOtherGrantsWhenPassThroughIsOff(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o, u -> u, new TokenEndpointOptions().setPassThrough(false));
    int before = f.idp.tokenRequests();
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, REFRESH, basic(CLIENT, SECRET)), 400,
      "unsupported_grant_type");
    assertError(f.postRaw(TokenEndpoint.AUTH0_PATH, JSON, new JsonObject().put("grant_type", "password")
      .put("client_id", CLIENT).put("client_secret", SECRET).encode(), null), 400, "unsupported_grant_type");
    assertThat(f.idp.tokenRequests()).as("nothing forwarded").isEqualTo(before);
    assertThat(f.basicToken(CLIENT, SECRET, "read").statusCode()).isEqualTo(200);
  }
}
