package io.tokencache.impl.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCipherTest {

  private static final byte[] KEY = key((byte) 7);
  private static final byte[] PLAINTEXT = "eyJhbGciOi.the-access-token.sig".getBytes(StandardCharsets.UTF_8);

  private static byte[] key(byte b) {
    byte[] k = new byte[32];
    Arrays.fill(k, b);
    k[0] = 42;
    return k;
  }

  private final TokenCipher cipher = TokenCipher.of(KEY);

  @Test
  @DisplayName("what is encrypted under a map key decrypts under that key, and holds no plaintext")
  void shouldRoundTrip() throws Exception {
    byte[] ct = cipher.encrypt("key-1", PLAINTEXT);
    assertThat(new String(ct, StandardCharsets.ISO_8859_1)).doesNotContain("the-access-token");
    assertThat(ct).hasSize(1 + 12 + PLAINTEXT.length + 16);
    assertThat(cipher.decrypt("key-1", ct)).isEqualTo(PLAINTEXT);
    assertThat(TokenCipher.fromBase64(Base64.getEncoder().encodeToString(KEY)).decrypt("key-1", ct)).isEqualTo(PLAINTEXT);
  }

  @Test
  @DisplayName("a ciphertext with any byte changed is rejected")
  void shouldRejectTampering() {
    byte[] ct = cipher.encrypt("key-1", PLAINTEXT);
    for (int i = 0; i < ct.length; i++) {
      byte[] t = ct.clone();
      t[i] ^= 1;
      assertThatThrownBy(() -> cipher.decrypt("key-1", t)).as("byte %d", i).isInstanceOf(GeneralSecurityException.class);
    }
    assertThatThrownBy(() -> cipher.decrypt("key-1", Arrays.copyOf(ct, ct.length - 1)))
      .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> cipher.decrypt("key-1", new byte[5])).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  @DisplayName("a ciphertext's fingerprint is its version byte, nonce and GCM tag, and recognises that ciphertext only")
  void shouldFingerprintHeaderAndTag() {
    byte[] ct = cipher.encrypt("key-1", PLAINTEXT);
    byte[] fp = TokenCipher.fingerprintOf(ct);
    assertThat(fp).hasSize(TokenCipher.CIPHERTEXT_FINGERPRINT_BYTES).hasSize(1 + 12 + 16);
    assertThat(Arrays.copyOfRange(fp, 0, 13)).isEqualTo(Arrays.copyOfRange(ct, 0, 13));
    assertThat(Arrays.copyOfRange(fp, 13, 29)).isEqualTo(Arrays.copyOfRange(ct, ct.length - 16, ct.length));
    assertThat(TokenCipher.hasFingerprint(ct, ct.length, fp)).isTrue();
    assertThat(TokenCipher.hasFingerprint(ct.clone(), ct.length, fp)).isTrue();
    // the same plaintext again: a fresh nonce, so a different encryption
    assertThat(TokenCipher.hasFingerprint(cipher.encrypt("key-1", PLAINTEXT), ct.length, fp)).isFalse();
    for (int i : new int[] {0, 1, 12, ct.length - 16, ct.length - 1}) {
      byte[] t = ct.clone();
      t[i] ^= 1;
      assertThat(TokenCipher.hasFingerprint(t, ct.length, fp)).as("byte %d", i).isFalse();
    }
    assertThat(TokenCipher.hasFingerprint(Arrays.copyOf(ct, ct.length + 1), ct.length, fp)).isFalse();
    assertThat(TokenCipher.hasFingerprint(new byte[3], ct.length, fp)).isFalse();
    assertThatThrownBy(() -> TokenCipher.fingerprintOf(new byte[28])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a ciphertext is rejected under another encryption key")
  void shouldRejectWrongKey() {
    byte[] ct = cipher.encrypt("key-1", PLAINTEXT);
    assertThatThrownBy(() -> TokenCipher.of(key((byte) 8)).decrypt("key-1", ct))
      .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> TokenCipher.generateEphemeral().decrypt("key-1", ct))
      .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  @DisplayName("a ciphertext moved to another map key is rejected")
  void shouldBindMapKey() {
    byte[] ct = cipher.encrypt("key-1", PLAINTEXT);
    assertThatThrownBy(() -> cipher.decrypt("key-2", ct)).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  @DisplayName("two encryptions of the same plaintext differ (fresh nonce each time)")
  void shouldUseFreshNonces() throws Exception {
    byte[] a = cipher.encrypt("key-1", PLAINTEXT);
    byte[] b = cipher.encrypt("key-1", PLAINTEXT);
    assertThat(a).isNotEqualTo(b);
    assertThat(Arrays.copyOfRange(a, 1, 13)).isNotEqualTo(Arrays.copyOfRange(b, 1, 13));
    assertThat(cipher.decrypt("key-1", b)).isEqualTo(PLAINTEXT);
  }

  @Test
  @DisplayName("fingerprints are equal for equal keys, differ otherwise, and reveal nothing of the key")
  void shouldFingerprintKeys() {
    String fp = cipher.fingerprint();
    assertThat(fp).matches("[0-9a-f]{16}");
    assertThat(TokenCipher.of(KEY.clone()).fingerprint()).isEqualTo(fp);
    assertThat(TokenCipher.of(key((byte) 8)).fingerprint()).isNotEqualTo(fp);
    assertThat(TokenCipher.generateEphemeral().fingerprint()).isNotEqualTo(fp);
    String hex = HexFormat.of().formatHex(KEY);
    assertThat(hex).doesNotContain(fp);
    assertThat(fp).doesNotContain(hex.substring(0, 8));
    assertThat(cipher.toString()).doesNotContain(Base64.getEncoder().encodeToString(KEY)).contains(fp);
  }

  @Test
  @DisplayName("the cache-key pepper is 32 bytes, the same for equal keys, and neither the key nor the fingerprint")
  void shouldDerivePepper() {
    byte[] pepper = cipher.derivePepper();
    assertThat(pepper).hasSize(32).isEqualTo(TokenCipher.of(KEY.clone()).derivePepper()).isNotEqualTo(KEY);
    assertThat(TokenCipher.of(key((byte) 8)).derivePepper()).isNotEqualTo(pepper);
    assertThat(HexFormat.of().formatHex(pepper)).doesNotStartWith(cipher.fingerprint());
  }

  @Test
  @DisplayName("keys other than base64 of 32 bytes are refused without echoing them")
  void shouldValidateKeys() {
    assertThatThrownBy(() -> TokenCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly 32 bytes, was 16 bytes");
    assertThatThrownBy(() -> TokenCipher.fromBase64("not base64 at all!"))
      .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("not base64 at all");
    assertThatThrownBy(() -> TokenCipher.fromBase64("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TokenCipher.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    assertThat(TokenCipher.fromBase64(Base64.getUrlEncoder().withoutPadding().encodeToString(KEY)).fingerprint())
      .isEqualTo(cipher.fingerprint());
    assertThat(TokenCipher.generateEphemeral().isEphemeral()).isTrue();
    assertThat(cipher.isEphemeral()).isFalse();
  }
}
