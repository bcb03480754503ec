package io.tokencache.impl;

import io.tokencache.TokenRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class CacheKeysTest {

  private final CacheKeys keys = new CacheKeys(pepper((byte) 1));

  private static byte[] pepper(byte b) {
    byte[] p = new byte[32];
    Arrays.fill(p, b);
    return p;
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
    TokenRequest r = TokenRequest.clientCredentials("my-client", "my-very-secret").build();
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
