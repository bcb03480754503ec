package io.tokencache;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenResponseTest {

  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjIn0.sig-_~+/=";

  @Test
  @DisplayName("an answer from a body without the token is valid JSON with the token once, and the same fields")
  void shouldWriteTheTokenBackOnce() {
    JsonObject upstream = new JsonObject().put("access_token", TOKEN).put("token_type", "Bearer")
      .put("scope", "read \"quoted\" \u00e9").put("nested", new JsonObject().put("a", 1));
    JsonObject rest = upstream.copy();
    rest.remove("access_token");
    TokenResponse stored = TokenResponse.cachedWithoutTokenInBody(CacheStatus.HIT, TOKEN, rest.encode(), 42);
    TokenResponse before = TokenResponse.cached(CacheStatus.HIT, TOKEN, upstream.encode(), 42);

    String raw = stored.encoded().toString();
    assertThat(raw).startsWith("{\"expires_in\":42,\"access_token\":\"" + TOKEN + "\",");
    assertThat(raw.indexOf(TOKEN)).isEqualTo(raw.lastIndexOf(TOKEN));
    JsonObject json = new JsonObject(stored.encoded());
    assertThat(json).isEqualTo(before.json()).isEqualTo(upstream.copy().put("expires_in", 42));
    assertThat(json.getString("access_token")).isEqualTo(TOKEN);
    assertThat(stored.accessToken()).isEqualTo(TOKEN);
    assertThat(stored.expiresIn()).isEqualTo(42);
    assertThat(stored.cacheStatus()).isEqualTo(CacheStatus.HIT);
  }

  @Test
  @DisplayName("an ASCII body is copied as it is, after the token, with its fields' order kept")
  void shouldWriteAsciiBodyExactly() {
    TokenResponse r = TokenResponse.cachedWithoutTokenInBody(CacheStatus.HIT, TOKEN,
      "{\"token_type\":\"Bearer\",\"scope\":\"a b\"}", 3599);
    assertThat(r.encoded().toString()).isEqualTo("{\"expires_in\":3599,\"access_token\":\"" + TOKEN
      + "\",\"token_type\":\"Bearer\",\"scope\":\"a b\"}");
    assertThat(r.encoded().length()).isEqualTo(r.encoded().toString().length());
  }

  @Test
  @DisplayName("a body with nothing but the token gives {expires_in, access_token}")
  void shouldWriteTokenOnlyBody() {
    TokenResponse r = TokenResponse.cachedWithoutTokenInBody(CacheStatus.MISS, "at", "{}", 7);
    assertThat(r.encoded().toString()).isEqualTo("{\"expires_in\":7,\"access_token\":\"at\"}");
  }

  @Test
  @DisplayName("JSON-safe means printable ASCII without quote or backslash: written as a JSON encoder would")
  void shouldTellJsonSafeTokens() {
    assertThat(TokenResponse.isJsonSafe(TOKEN)).isTrue();
    assertThat(TokenResponse.isJsonSafe("")).isTrue();
    for (String odd : new String[] {"a\"b", "a\\b", "a\nb", "a\u0000", "a\u007f", "caf\u00e9", "a\u2028"}) {
      assertThat(TokenResponse.isJsonSafe(odd)).as(odd).isFalse();
    }
    String printable = "!#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~ ";
    assertThat(TokenResponse.isJsonSafe(printable)).isTrue();
    assertThat(new JsonObject().put("t", printable).encode()).isEqualTo("{\"t\":\"" + printable + "\"}");
  }
}
