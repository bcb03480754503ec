package io.tokencache.impl.cluster;

import io.tokencache.impl.CachedToken;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The plaintext inside an {@link EncryptedToken}: a versioned binary form of a {@link CachedToken}.
 *
 * <p>Format 3 holds a JWT-shaped access token as the bytes its base64url segments stand for (a quarter smaller),
 * when re-encoding them gives back the very same string; any other token as it is. It leaves out the client tag and
 * the serve-until point, which the {@link EncryptedToken} carries (authenticated as the ciphertext's associated data)
 * and the reader passes in. Formats 1 (the body always holds the token) and 2 (the token once, the tag inside) are still read. A member of
 * an earlier version cannot read a newer format and treats such an entry as absent (see docs/cluster-design.md).
 */
final class TokenCodec {

  static final byte FORMAT = 3;
  /** The format before tokens were packed and the tag and serve-until left out: read, no longer written. */
  static final byte FORMAT_TOKEN_ONCE = 2;
  /** The format before the access token was left out of the body: read, no longer written. */
  static final byte FORMAT_TOKEN_IN_BODY = 1;

  private static final byte TOKEN_AS_IS = 0;
  private static final byte TOKEN_JWT = 1;
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

  private TokenCodec() {
  }

  static byte[] encode(CachedToken token) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 2 * token.accessToken().length()
      + (token.body() == null ? 0 : 2 * token.body().length()));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      accessToken(out, token.accessToken());
      string(out, token.body());
      out.writeBoolean(token.tokenInBody());
      out.writeLong(token.issuedAt());
      out.writeLong(token.expiresAt());
      out.writeLong(token.refreshAt());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The token in {@code plaintext}; {@code clientTag} and {@code serveUntil} are what its {@link EncryptedToken}
   * carries, authenticated (format 3 does not repeat them).
   */
  static CachedToken decode(byte[] plaintext, String clientTag, long serveUntil) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(plaintext));
    byte format = in.readByte();
    if (format != FORMAT && format != FORMAT_TOKEN_ONCE && format != FORMAT_TOKEN_IN_BODY) {
      throw new UnknownFormatException(format);
    }
    String accessToken = format == FORMAT ? accessToken(in) : string(in);
    String body = string(in);
    boolean tokenInBody = format == FORMAT_TOKEN_IN_BODY || in.readBoolean();
    long issuedAt = in.readLong();
    long expiresAt = in.readLong();
    long refreshAt = in.readLong();
    if (format == FORMAT) {
      return new CachedToken(accessToken, body, tokenInBody, issuedAt, expiresAt, refreshAt, serveUntil, clientTag);
    }
    return new CachedToken(accessToken, body, tokenInBody, issuedAt, expiresAt, refreshAt, in.readLong(), string(in));
  }

  /**
   * A JWT's three segments as the bytes they encode, if re-encoding them gives the same string back (no padding,
   * no stray bits, nothing outside the alphabet); anything else as it is.
   */
  private static void accessToken(DataOutputStream out, String token) throws IOException {
    String[] segments = token.split("\\.", -1);
    byte[][] decoded = segments.length == 3 ? new byte[3][] : null;
    for (int i = 0; decoded != null && i < 3; i++) {
      try {
        decoded[i] = B64URL_DECODER.decode(segments[i]);
      } catch (IllegalArgumentException notBase64) {
        decoded = null;
        break;
      }
      if (!B64URL.encodeToString(decoded[i]).equals(segments[i])) {
        decoded = null;
      }
    }
    if (decoded == null) {
      out.writeByte(TOKEN_AS_IS);
      string(out, token);
      return;
    }
    out.writeByte(TOKEN_JWT);
    for (byte[] segment : decoded) {
      out.writeInt(segment.length);
      out.write(segment);
    }
  }

  private static String accessToken(DataInputStream in) throws IOException {
    byte kind = in.readByte();
    if (kind == TOKEN_AS_IS) {
      return string(in);
    }
    if (kind != TOKEN_JWT) {
      throw new IOException("unknown token kind " + kind);
    }
    StringBuilder token = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      if (i > 0) {
        token.append('.');
      }
      byte[] segment = bytes(in);
      if (segment == null) {
        throw new IOException("malformed token segment");
      }
      token.append(B64URL.encodeToString(segment));
    }
    return token.toString();
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    byte[] b = bytes(in);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (n > in.available()) {
      throw new IOException("truncated token");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** A plaintext in a format this version does not know: written by a newer member. */
  static final class UnknownFormatException extends IOException {
    UnknownFormatException(byte format) {
      super("unknown token format " + format);
    }
  }
}
