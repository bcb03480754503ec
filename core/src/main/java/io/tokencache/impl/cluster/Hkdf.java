package io.tokencache.impl.cluster;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * HKDF-SHA256 (RFC 5869) with an empty salt: subkeys from the cluster key, one per purpose.
 *
 * <p>Why hand-written: Java 17 has no HKDF ({@code javax.crypto.KDF} arrives in Java 24), and a crypto library
 * (Bouncy Castle, Tink) would be a large dependency for a dozen lines over the JDK's HMAC. The key is already
 * uniformly random (32 bytes from a CSPRNG), so no salt is needed (RFC 5869, section 3.1).
 */
final class Hkdf {

  private static final int HASH_BYTES = 32;

  private Hkdf() {
  }

  /** {@code length} bytes (at most 255 x 32) derived from {@code key} for the purpose named by {@code info}. */
  static byte[] derive(byte[] key, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_BYTES) {
      throw new IllegalArgumentException("HKDF output length " + length);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(new byte[HASH_BYTES], "HmacSHA256"));
      byte[] prk = mac.doFinal(key);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] block = new byte[0];
      for (int i = 1, done = 0; done < length; i++) {
        mac.update(block);
        mac.update(info);
        mac.update((byte) i);
        block = mac.doFinal();
        int n = Math.min(block.length, length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
      }
      Arrays.fill(prk, (byte) 0);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
