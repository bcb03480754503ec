package io.tokencache.impl.cluster;

import io.tokencache.TokenCacheOptions;
import io.tokencache.impl.CachedToken;
import io.tokencache.impl.ExpiryPolicy;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCodecTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ." + "s".repeat(600);

  private static CachedToken fromUpstream(String accessToken) {
    return new ExpiryPolicy(new TokenCacheOptions()).toCachedToken(new JsonObject().put("access_token", accessToken)
      .put("token_type", "Bearer").put("expires_in", 3600).put("scope", "read write"), T0, "tag");
  }

  private static CachedToken roundTrip(CachedToken t) throws IOException {
    return TokenCodec.decode(TokenCodec.encode(t), t.clientTag(), t.serveUntil());
  }

  @Test
  @DisplayName("a JWT is stored as the bytes of its segments, a quarter smaller, and decodes to the very same string")
  void shouldStoreJwtSegmentsDecoded() throws IOException {
    String jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjbGllbnQtNDIiLCJleHAiOjE3MDAwMDM2MDB9."
      + "c2lnbmF0dXJl".repeat(40) + "AA";
    CachedToken t = fromUpstream(jwt);
    byte[] plaintext = TokenCodec.encode(t);
    assertThat(plaintext[0]).isEqualTo(TokenCodec.FORMAT).isEqualTo((byte) 3);
    assertThat(plaintext[1]).isEqualTo(TokenCodec.TOKEN_SEGMENTS);
    // three quarters of the token, the rest of the body, the times: less than the token's own characters
    assertThat(plaintext.length).isLessThan(jwt.length() * 3 / 4 + 80).isLessThan(jwt.length());
    CachedToken back = TokenCodec.decode(plaintext, t.clientTag(), t.serveUntil());
    assertThat(back).isEqualTo(t);
    assertThat(back.accessToken()).isEqualTo(jwt);
  }

  @Test
  @DisplayName("the client tag and serve-until come from the associated data, not from the plaintext")
  void shouldTakeTagAndServeUntilFromTheAssociatedData() throws IOException {
    CachedToken t = fromUpstream(TOKEN);
    byte[] plaintext = TokenCodec.encode(t);
    assertThat(new String(plaintext, StandardCharsets.ISO_8859_1)).doesNotContain(t.clientTag());
    CachedToken back = TokenCodec.decode(plaintext, "other-tag", t.serveUntil() - 1);
    assertThat(back.clientTag()).isEqualTo("other-tag");
    assertThat(back.serveUntil()).isEqualTo(t.serveUntil() - 1);
    assertThat(back.accessToken()).isEqualTo(TOKEN);
    assertThat(back.issuedAt()).isEqualTo(t.issuedAt());
    assertThat(back.expiresAt()).isEqualTo(t.expiresAt());
    assertThat(back.refreshAt()).isEqualTo(t.refreshAt());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
    // spare bits set: "YR" decodes to the same byte as "YQ", which an encoder writes
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjIn0.YR",
    // padding
    "eyJhbGciOiJub25lIn0.YQ==.YQ",
    // the standard alphabet rather than base64url
    "eyJhbGciOiJub25lIn0.a+b/.YQ",
    // one character is no base64 at all
    "a.b.c",
    // opaque tokens
    "2YotnFZFEjr1zCsicMWpAA",
    "opaque token with spaces",
    "t\u00f6k\u00e9n-\u2603",
    "..",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjIn0."
  })
  @DisplayName("any other token, non-canonical base64url included, comes back exactly as it was issued")
  void shouldRoundTripAnyToken(String accessToken) throws IOException {
    CachedToken t = fromUpstream(accessToken);
    CachedToken back = roundTrip(t);
    assertThat(back).isEqualTo(t);
    assertThat(back.accessToken()).isEqualTo(accessToken);
  }

  @Test
  @DisplayName("a token that would need escaping in JSON stays in the body, and that survives a round trip")
  void shouldRoundTripTokenKeptInBody() throws IOException {
    CachedToken t = fromUpstream("odd\"token\\with\u00e9");
    assertThat(t.tokenInBody()).isTrue();
    assertThat(roundTrip(t)).isEqualTo(t);
  }

  @Test
  @DisplayName("a token without a body and with times before its issue survives a round trip")
  void shouldRoundTripNullBodyAndNegativeDifferences() throws IOException {
    CachedToken t = new CachedToken(TOKEN, null, false, T0, T0 - 5, Long.MIN_VALUE / 4, T0 + 10, "tag");
    assertThat(roundTrip(t)).isEqualTo(t);
  }

  @Test
  @DisplayName("format 2 (the token once, tag and serve-until inside) is still read")
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
      utf8(out, "tag");
    }
    assertThat(TokenCodec.decode(bytes.toByteArray(), "ignored", 0)).isEqualTo(new CachedToken(TOKEN,
      "{\"token_type\":\"Bearer\"}", false, T0, T0 + 3_600_000, T0 + 2_700_000, T0 + 3_570_000, "tag"));
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
  @DisplayName("an unknown (newer) format is refused as such; a truncated plaintext as malformed")
  void shouldRefuseUnknownFormat() {
    CachedToken t = fromUpstream(TOKEN);
    byte[] plaintext = TokenCodec.encode(t);
    byte[] newer = plaintext.clone();
    newer[0] = 4;
    assertThatThrownBy(() -> TokenCodec.decode(newer, t.clientTag(), t.serveUntil()))
      .isInstanceOf(TokenCodec.UnknownFormatException.class);
    byte[] truncated = Arrays.copyOf(plaintext, plaintext.length / 2);
    assertThatThrownBy(() -> TokenCodec.decode(truncated, t.clientTag(), t.serveUntil()))
      .isInstanceOf(IOException.class).isNotInstanceOf(TokenCodec.UnknownFormatException.class);
  }

  private static void utf8(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
