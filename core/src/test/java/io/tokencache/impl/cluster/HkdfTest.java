package io.tokencache.impl.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class HkdfTest {

  @Test
  @DisplayName("RFC 5869 test case 3 (SHA-256, no salt, no info)")
  void shouldMatchTheRfcVector() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    assertThat(HexFormat.of().formatHex(Hkdf.derive(ikm, new byte[0], 42))).isEqualTo(
      "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  @DisplayName("distinct purposes give unrelated subkeys")
  void shouldSeparatePurposes() {
    byte[] key = new byte[32];
    byte[] a = Hkdf.derive(key, "a".getBytes(StandardCharsets.UTF_8), 32);
    byte[] b = Hkdf.derive(key, "b".getBytes(StandardCharsets.UTF_8), 32);
    assertThat(a).isNotEqualTo(b).isNotEqualTo(key);
  }
}
