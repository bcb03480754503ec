package io.tokencache.impl.cluster;

import io.tokencache.TokenCacheOptions;
import io.tokencache.impl.CachedToken;
import io.tokencache.impl.ExpiryPolicy;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCodecTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ." + "s".repeat(600);

  private static CachedToken fromUpstream(String accessToken) {
    return new ExpiryPolicy(new TokenCacheOptions()).toCachedToken(new JsonObject().put("access_token", accessToken)
      .put("token_type", "Bearer").put("expires_in", 3600).put("scope", "read write"), T0, "tag");
  }

  private static int occurrences(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  @Test
  @DisplayName("the stored plaintext holds the access token once, and decodes to the same token")
  void shouldStoreTheAccessTokenOnce() throws IOException {
    CachedToken t = fromUpstream(TOKEN);
    byte[] plaintext = TokenCodec.encode(t);
    assertThat(plaintext[0]).isEqualTo(TokenCodec.FORMAT).isEqualTo((byte) 3);
    // the JWT's segments as the bytes they encode, the rest of the body, three timestamps: well under the token
    assertThat(plaintext.length).isLessThan(TOKEN.length() * 3 / 4 + 120);
    assertThat(TokenCodec.decode(plaintext, "tag", t.serveUntil())).isEqualTo(t);
  }

  @Test
  @DisplayName("a token that would need escaping in JSON stays in the body, and that survives a round trip")
  void shouldRoundTripTokenKeptInBody() throws IOException {
    CachedToken t = fromUpstream("odd\"token\\with\u00e9");
    assertThat(t.tokenInBody()).isTrue();
    assertThat(TokenCodec.decode(TokenCodec.encode(t), "tag", t.serveUntil())).isEqualTo(t);
  }

  @Test
  @DisplayName("a token that only looks like a JWT (padding, stray bits, other characters, other segment counts) is kept as it is, and any token decodes to itself")
  void shouldPackOnlyCanonicalJwts() throws IOException {
    String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ." + "s".repeat(600);
    for (String token : new String[] {"opaque-token-0123456789", "a.b", "a.b.c.d", "x.y.", "..", "YQ==.YQ.YQ",
      "ab.ab.ab", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.s+/s", "eyJ0eXAi.e30.", jwt}) {
      CachedToken t = new CachedToken(token, "{\"token_type\":\"Bearer\"}", false, T0, T0 + 3_600_000, T0 + 2_700_000,
        T0 + 3_570_000, "tag");
      byte[] plaintext = TokenCodec.encode(t);
      assertThat(TokenCodec.decode(plaintext, "tag", t.serveUntil())).as(token).isEqualTo(t);
      boolean packed = token.equals(jwt) || token.equals("eyJ0eXAi.e30.") || token.equals("..");
      assertThat(occurrences(new String(plaintext, StandardCharsets.ISO_8859_1), token)).as(token)
        .isEqualTo(packed ? 0 : 1);
    }
  }

  @Test
  @DisplayName("format 2 (the token once, the client tag inside) is still read")
  void shouldReadFormatTwo() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(2);
      utf8(out, TOKEN);
      utf8(out, "{\"token_type\":\"Bearer\"}");
      out.writeBoolean(false);
      out.writeLong(T0);
      out.writeLong(T0 + 3_600_000);
      out.writeLong(T0 + 2_700_000);
      out.writeLong(T0 + 3_570_000);
      utf8(out, "tag-inside");
    }
    assertThat(TokenCodec.decode(bytes.toByteArray(), "ignored", 0)).isEqualTo(new CachedToken(TOKEN,
      "{\"token_type\":\"Bearer\"}", false, T0, T0 + 3_600_000, T0 + 2_700_000, T0 + 3_570_000, "tag-inside"));
  }

  @Test
  @DisplayName("format 1 (earlier versions: the body always holds the token) is still read")
  void shouldReadFormatOne() throws IOException {
    String body = "{\"access_token\":\"at\",\"token_type\":\"Bearer\"}";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      utf8(out, "at");
      utf8(out, body);
      out.writeLong(T0);
      out.writeLong(T0 + 3_600_000);
      out.writeLong(T0 + 2_700_000);
      out.writeLong(T0 + 3_570_000);
      utf8(out, "tag");
    }
    assertThat(TokenCodec.decode(bytes.toByteArray(), "ignored", 0))
      .isEqualTo(new CachedToken("at", body, true, T0, T0 + 3_600_000, T0 + 2_700_000, T0 + 3_570_000, "tag"));
  }

  @Test
  @DisplayName("an unknown (newer) format is refused as such")
  void shouldRefuseUnknownFormat() {
    byte[] plaintext = TokenCodec.encode(fromUpstream(TOKEN));
    plaintext[0] = 4;
    assertThatThrownBy(() -> TokenCodec.decode(plaintext, "tag", 0)).isInstanceOf(TokenCodec.UnknownFormatException.class);
  }

  private static void utf8(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
