package io.tokencache.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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

/** Every kind of bad input gets its 4xx status and an RFC 6749 section 5.2 body; none reaches the IdP. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenEndpointValidationTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String CC = "grant_type=client_credentials";
  private TokenEndpointFixture f;

  @BeforeAll
  void setUp(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
  }

  @AfterAll
  void tearDown() {
    f.close();
  }

  private void assertError(HttpResponse<Buffer> r, int status, String error) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(error);
    assertThat(r.bodyAsJsonObject().getString("error_description")).isNotBlank();
  }

  @Test
  @DisplayName("methods other than POST get 405 with Allow: POST")
  void shouldRejectOtherMethods() {
    HttpResponse<Buffer> get = f.client.get(TokenEndpoint.OAUTH2_PATH).send().await();
    assertError(get, 405, "invalid_request");
    assertThat(get.getHeader("Allow")).isEqualTo("POST");
    assertError(f.client.put(TokenEndpoint.AUTH0_PATH).send().await(), 405, "invalid_request");
  }

  @Test
  @DisplayName("unsupported content types get 415; JSON is only for /oauth/token")
  void shouldRejectUnsupportedContentTypes() {
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, "text/plain", CC, basic(CLIENT, SECRET)), 415, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, null, CC, basic(CLIENT, SECRET)), 415, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, "application/json", "{}", basic(CLIENT, SECRET)), 415,
      "invalid_request");
    assertError(f.postRaw(TokenEndpoint.AUTH0_PATH, "multipart/form-data; boundary=x", "--x--", null), 415,
      "invalid_request");
  }

  @Test
  @DisplayName("a body over 64 KiB gets 413")
  void shouldRejectOversizedBody() {
    String big = CC + "&scope=" + "a".repeat(70 * 1024);
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, big, basic(CLIENT, SECRET)), 413, "invalid_request");
  }

  @Test
  @DisplayName("no client authentication gets 401 invalid_client with WWW-Authenticate: Basic")
  void shouldChallengeMissingClientAuthentication() {
    HttpResponse<Buffer> r = f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC, null);
    assertError(r, 401, "invalid_client");
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Basic");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&client_id=" + CLIENT, null), 401, "invalid_client");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC, "Bearer abc"), 401, "invalid_client");
  }

  @Test
  @DisplayName("Basic and client_secret together get 400 invalid_request")
  void shouldRejectTwoAuthenticationMethods() {
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&client_id=" + CLIENT + "&client_secret=" + SECRET,
      basic(CLIENT, SECRET)), 400, "invalid_request");
  }

  @Test
  @DisplayName("malformed requests get 400 invalid_request")
  void shouldRejectMalformedRequests() {
    String auth = basic(CLIENT, SECRET);
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, "scope=read", auth), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&scope=a&scope=b", auth), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&scope=%zz", auth), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC, "Basic !!!notbase64"), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&client_id=someone-else", auth), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.AUTH0_PATH, "application/json", "{not json", null), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.AUTH0_PATH, "application/json", "[1,2]", null), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.AUTH0_PATH, "application/json",
      "{\"grant_type\":\"client_credentials\",\"client_id\":7,\"client_secret\":\"x\"}", null), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH + "?scope=a", FORM, CC + "&scope=b", auth), 400, "invalid_request");
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&audience=a%00b", auth), 400, "invalid_request");
  }

  @Test
  @DisplayName("a scope outside RFC 6749 section 3.3 syntax gets 400 invalid_scope")
  void shouldRejectMalformedScope() {
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&scope=%22quoted%22", basic(CLIENT, SECRET)), 400,
      "invalid_scope");
  }

  @Test
  @DisplayName("a grant_type that is no grant name gets 400 unsupported_grant_type")
  void shouldRejectMalformedGrantType() {
    assertError(f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, "grant_type=client%20credentials", basic(CLIENT, SECRET)),
      400, "unsupported_grant_type");
  }

  @Test
  @DisplayName("none of the bad requests reached the IdP, and a good one still works")
  void shouldKeepBadInputAwayFromTheIdp() {
    int before = f.idp.tokenRequests();
    f.postRaw(TokenEndpoint.OAUTH2_PATH, FORM, CC + "&scope=a&scope=b", basic(CLIENT, SECRET));
    f.postRaw(TokenEndpoint.OAUTH2_PATH, "text/plain", CC, basic(CLIENT, SECRET));
    assertThat(f.idp.tokenRequests()).isEqualTo(before);
    assertThat(f.basicToken(CLIENT, SECRET, "ok").statusCode()).isEqualTo(200);
  }
}
