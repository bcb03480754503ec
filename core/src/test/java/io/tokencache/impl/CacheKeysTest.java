package io.tokencache.impl;

import io.tokencache.TokenRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class CacheKeysTest {

  private final CacheKeys keys = new CacheKeys(pepper((byte) 1));

  private static byte[] pepper(byte b) {
    byte[] p = new byte[32];
    Arrays.fill(p, b);
    return p;
  }

  @Test
  @DisplayName("the key is the HMAC of the documented canonical form, non-ASCII fields as UTF-8 (keys must not change "
    + "between versions: members of a rolling upgrade share the map)")
  void shouldMatchTheCanonicalForm() throws Exception {
    TokenRequest.ClientCredentials r = TokenRequest.clientCredentials("client-1", "s3cret").scope("read write").audience("api-ü")
      .resource("https://r.example").parameter("organization", "örg").build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    for (String f : new String[] {"token/v1", "default", "client-1", "s3cret", "client_credentials"}) {
      field(out, f);
    }
    out.writeInt(2);
    field(out, "read");
    field(out, "write");
    field(out, "api-ü");
    out.writeInt(1);
    field(out, "https://r.example");
    out.writeInt(1);
    field(out, "organization");
    field(out, "örg");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(pepper((byte) 1), "HmacSHA256"));
    String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(bytes.toByteArray()));

    assertThat(keys.keyOf(r)).isEqualTo(expected);
    // the per-thread buffer is reused: a second, shorter request leaves nothing of the first behind
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s").build()))
      .isEqualTo(new CacheKeys(pepper((byte) 1)).keyOf(TokenRequest.clientCredentials("c", "s").build()));
    assertThat(keys.keyOf(r)).isEqualTo(expected);
  }

  private static void field(DataOutputStream out, String value) throws IOException {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  @Test
  @DisplayName("scopes are canonical: order and repetition do not change the key")
  void shouldIgnoreScopeOrderAndDuplicates() {
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("b a a").build()))
      .isEqualTo(keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("a  b").build()));
  }

  @Test
  @DisplayName("secret, client, audience, resource, upstream and extra parameters each change the key")
  void shouldSeparateEveryField() {
    String base = keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("a").build());
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s2").scope("a").build())).isNotEqualTo(base);
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c2", "s").scope("a").build())).isNotEqualTo(base);
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("a").audience("x").build())).isNotEqualTo(base);
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("a").resource("x").build())).isNotEqualTo(base);
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("a").upstream("other").build())).isNotEqualTo(base);
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("a").parameter("org", "1").build())).isNotEqualTo(base);
  }

  @Test
  @DisplayName("fields cannot run into each other: (ab, c) and (a, bc) differ")
  void shouldNotCollideAcrossFieldBoundaries() {
    assertThat(keys.keyOf(TokenRequest.clientCredentials("ab", "c").build()))
      .isNotEqualTo(keys.keyOf(TokenRequest.clientCredentials("a", "bc").build()));
    assertThat(keys.keyOf(TokenRequest.clientCredentials("c", "s").scope("a b").build()))
      .isNotEqualTo(keys.keyOf(TokenRequest.clientCredentials("c", "s").audience("a b").build()));
  }

  @Test
  @DisplayName("the key reveals neither client id nor secret and depends on the pepper")
  void shouldHideSecretAndDependOnPepper() {
    TokenRequest.ClientCredentials r = TokenRequest.clientCredentials("my-client", "my-very-secret").build();
    String key = keys.keyOf(r);
    assertThat(key).hasSize(43).doesNotContain("my-client").doesNotContain("secret");
    assertThat(new CacheKeys(pepper((byte) 2)).keyOf(r)).isNotEqualTo(key);
  }

  @Test
  @DisplayName("the client tag is the same for every secret of a client and differs between clients")
  void shouldTagClients() {
    assertThat(keys.clientTagOf("default", "a")).isEqualTo(keys.clientTagOf("default", "a"))
      .isNotEqualTo(keys.clientTagOf("default", "b")).isNotEqualTo(keys.clientTagOf("other", "a"));
  }
}
