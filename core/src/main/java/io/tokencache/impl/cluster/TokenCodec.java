package io.tokencache.impl.cluster;

import io.tokencache.impl.CachedToken;
import io.tokencache.impl.VarInts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The plaintext inside an {@link EncryptedToken}: a versioned binary form of a {@link CachedToken}.
 *
 * <p>Format 3 (written) leaves out what the {@link EncryptedToken} already holds in plaintext and authenticates as
 * the ciphertext's associated data (the client tag and serve-until), and stores a token made of base64url segments
 * (a JWS or JWE compact serialization) as the segments' bytes: a quarter smaller, and only when encoding those bytes
 * again gives back the very same string, so every token is answered exactly as the upstream issued it. Its lengths
 * and times are variable-length integers. Formats 2 and 1, of earlier versions, are still read. A member of an
 * earlier version cannot read a newer format and treats such an entry as absent (see docs/cluster-design.md).
 */
final class TokenCodec {

  static final byte FORMAT = 3;
  /** The format before format 3: the token as UTF-8, the client tag and serve-until inside; read, not written. */
  static final byte FORMAT_TOKEN_ONCE = 2;
  /** The format before the access token was left out of the body: read, no longer written. */
  static final byte FORMAT_TOKEN_IN_BODY = 1;

  /** How a format 3 token is held: its UTF-8 bytes. */
  static final byte TOKEN_TEXT = 0;
  /** How a format 3 token is held: the bytes of its dot-separated base64url segments. */
  static final byte TOKEN_SEGMENTS = 1;

  private TokenCodec() {
  }

  /** The plaintext of {@code token}, in the current format. */
  static byte[] encode(CachedToken token) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(48 + token.accessToken().length()
      + (token.body() == null ? 0 : token.body().length()));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      byte[][] segments = Base64UrlSegments.decode(token.accessToken());
      if (segments == null) {
        out.writeByte(TOKEN_TEXT);
        varBytes(out, token.accessToken().getBytes(StandardCharsets.UTF_8));
      } else {
        out.writeByte(TOKEN_SEGMENTS);
        varInt(out, segments.length);
        for (byte[] segment : segments) {
          varBytes(out, segment);
        }
      }
      // 0 for no body, else its length plus one
      byte[] body = token.body() == null ? null : token.body().getBytes(StandardCharsets.UTF_8);
      varInt(out, body == null ? 0 : body.length + 1);
      if (body != null) {
        out.write(body);
      }
      out.writeBoolean(token.tokenInBody());
      VarInts.writeSigned(out, token.issuedAt());
      VarInts.writeSigned(out, token.expiresAt() - token.issuedAt());
      VarInts.writeSigned(out, token.refreshAt() - token.issuedAt());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The token in {@code plaintext}.
   *
   * @param clientTag the client tag the ciphertext was authenticated with (format 3 does not repeat it)
   * @param serveUntil the serve-until the ciphertext was authenticated with (format 3 does not repeat it)
   * @throws UnknownFormatException if it is in a format this version does not know
   * @throws IOException if it is malformed
   */
  static CachedToken decode(byte[] plaintext, String clientTag, long serveUntil) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(plaintext));
    byte format = in.readByte();
    if (format == FORMAT) {
      return decodeFormat3(in, clientTag, serveUntil);
    }
    if (format != FORMAT_TOKEN_ONCE && format != FORMAT_TOKEN_IN_BODY) {
      throw new UnknownFormatException(format);
    }
    String accessToken = string(in);
    String body = string(in);
    boolean tokenInBody = format == FORMAT_TOKEN_IN_BODY || in.readBoolean();
    return new CachedToken(accessToken, body, tokenInBody, in.readLong(), in.readLong(), in.readLong(), in.readLong(),
      string(in));
  }

  private static CachedToken decodeFormat3(DataInputStream in, String clientTag, long serveUntil) throws IOException {
    String accessToken;
    byte form = in.readByte();
    if (form == TOKEN_TEXT) {
      accessToken = new String(varBytes(in), StandardCharsets.UTF_8);
    } else if (form == TOKEN_SEGMENTS) {
      int n = varInt(in);
      if (n < 1 || n > in.available() + 1) {
        throw new IOException("implausible segment count");
      }
      byte[][] segments = new byte[n][];
      for (int i = 0; i < n; i++) {
        segments[i] = varBytes(in);
      }
      accessToken = Base64UrlSegments.encode(segments);
    } else {
      throw new IOException("unknown token form");
    }
    int bodyLength = varInt(in);
    String body = bodyLength == 0 ? null : new String(bytes(in, bodyLength - 1), StandardCharsets.UTF_8);
    boolean tokenInBody = in.readBoolean();
    long issuedAt = VarInts.readSigned(in);
    long expiresAt = issuedAt + VarInts.readSigned(in);
    long refreshAt = issuedAt + VarInts.readSigned(in);
    return new CachedToken(accessToken, body, tokenInBody, issuedAt, expiresAt, refreshAt, serveUntil, clientTag);
  }

  private static void varBytes(DataOutputStream out, byte[] b) throws IOException {
    varInt(out, b.length);
    out.write(b);
  }

  private static byte[] varBytes(DataInputStream in) throws IOException {
    return bytes(in, varInt(in));
  }

  private static byte[] bytes(DataInputStream in, int n) throws IOException {
    if (n < 0 || n > in.available()) {
      throw new IOException("truncated token");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** A length, as format 3 writes it: the int's unsigned value, zigzag-encoded ({@link VarInts#writeSigned}). */
  private static void varInt(DataOutputStream out, int n) throws IOException {
    VarInts.writeSigned(out, n & 0xFFFFFFFFL);
  }

  private static int varInt(DataInputStream in) throws IOException {
    long n = VarInts.readSigned(in);
    if (n < 0 || n > Integer.MAX_VALUE) {
      throw new IOException("implausible length");
    }
    return (int) n;
  }

  private static String string(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    return new String(bytes(in, n), StandardCharsets.UTF_8);
  }

  /** A plaintext in a format this version does not know: written by a newer member. */
  static final class UnknownFormatException extends IOException {
    UnknownFormatException(byte format) {
      super("unknown token format " + format);
    }
  }
}
