package io.tokencache.impl.cluster;

import io.tokencache.impl.CachedToken;

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
 * <p>Format 2 adds {@link CachedToken#tokenInBody()} after the body: since format 2 the body usually leaves the
 * access token out. Format 1 (written by earlier versions) is still read: its body always holds the token. A member
 * of an earlier version cannot read format 2 and treats such an entry as absent (see docs/cluster-design.md).
 */
final class TokenCodec {

  static final byte FORMAT = 2;
  /** The format before the access token was left out of the body: read, no longer written. */
  static final byte FORMAT_TOKEN_IN_BODY = 1;

  private TokenCodec() {
  }

  static byte[] encode(CachedToken token) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 2 * token.accessToken().length()
      + (token.body() == null ? 0 : 2 * token.body().length()));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      string(out, token.accessToken());
      string(out, token.body());
      out.writeBoolean(token.tokenInBody());
      out.writeLong(token.issuedAt());
      out.writeLong(token.expiresAt());
      out.writeLong(token.refreshAt());
      out.writeLong(token.serveUntil());
      string(out, token.clientTag());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static CachedToken decode(byte[] plaintext) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(plaintext));
    byte format = in.readByte();
    if (format != FORMAT && format != FORMAT_TOKEN_IN_BODY) {
      throw new UnknownFormatException(format);
    }
    String accessToken = string(in);
    String body = string(in);
    boolean tokenInBody = format == FORMAT_TOKEN_IN_BODY || in.readBoolean();
    return new CachedToken(accessToken, body, tokenInBody, in.readLong(), in.readLong(), in.readLong(), in.readLong(),
      string(in));
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
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (n > in.available()) {
      throw new IOException("truncated token");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A plaintext in a format this version does not know: written by a newer member. */
  static final class UnknownFormatException extends IOException {
    UnknownFormatException(byte format) {
      super("unknown token format " + format);
    }
  }
}
