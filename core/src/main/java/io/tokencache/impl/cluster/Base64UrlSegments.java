package io.tokencache.impl.cluster;

import java.util.Base64;

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
    int n = 1;
    for (int i = 0; i < token.length(); i++) {
      if (token.charAt(i) == '.') {
        n++;
      }
    }
    byte[][] segments = new byte[n][];
    int from = 0;
    for (int s = 0; s < n; s++) {
      int to = token.indexOf('.', from);
      if (to < 0) {
        to = token.length();
      }
      String segment = token.substring(from, to);
      try {
        segments[s] = DECODER.decode(segment);
      } catch (IllegalArgumentException notBase64Url) {
        return null;
      }
      if (!ENCODER.encodeToString(segments[s]).equals(segment)) {
        return null;
      }
      from = to + 1;
    }
    return segments;
  }

  /** The token whose segments are {@code segments}. */
  static String encode(byte[][] segments) {
    int length = segments.length - 1;
    for (byte[] segment : segments) {
      length += (segment.length * 4 + 2) / 3;
    }
    StringBuilder token = new StringBuilder(length);
    for (int s = 0; s < segments.length; s++) {
      if (s > 0) {
        token.append('.');
      }
      token.append(ENCODER.encodeToString(segments[s]));
    }
    return token.toString();
  }
}
