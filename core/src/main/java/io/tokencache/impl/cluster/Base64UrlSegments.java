package io.tokencache.impl.cluster;

import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Collectors;

/**
 * A token made of dot-separated base64url segments without padding (the compact serialization of a JWS or a JWE),
 * taken apart into the segments' bytes and put together again, exactly.
 */
final class Base64UrlSegments {

  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Base64UrlSegments() {
  }

  /**
   * The bytes of each of {@code token}'s segments, or {@code null} unless encoding them again gives back
   * {@code token} itself: a segment outside the alphabet, with padding, or with non-zero spare bits (which a
   * decoder accepts but an encoder never writes) leaves the token as it is.
   */
  static byte[][] decode(String token) {
    String[] parts = token.split("\\.", -1);
    byte[][] segments = new byte[parts.length][];
    for (int s = 0; s < parts.length; s++) {
      try {
        segments[s] = DECODER.decode(parts[s]);
      } catch (IllegalArgumentException notBase64Url) {
        return null;
      }
      if (!ENCODER.encodeToString(segments[s]).equals(parts[s])) {
        return null;
      }
    }
    return segments;
  }

  /** The token whose segments are {@code segments}. */
  static String encode(byte[][] segments) {
    return Arrays.stream(segments).map(ENCODER::encodeToString).collect(Collectors.joining("."));
  }
}
