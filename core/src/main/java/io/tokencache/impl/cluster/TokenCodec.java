package io.tokencache.impl.cluster;

import io.tokencache.impl.CachedToken;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The plaintext inside an {@link EncryptedToken}: a versioned binary form of a {@link CachedToken}. */
final class TokenCodec {

  private static final byte FORMAT = 1;

  private TokenCodec() {
  }

  static byte[] encode(CachedToken token) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 2 * token.accessToken().length()
      + (token.body() == null ? 0 : 2 * token.body().length()));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      string(out, token.accessToken());
      string(out, token.body());
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
    if (format != FORMAT) {
      throw new IOException("unknown token format " + format);
    }
    return new CachedToken(string(in), string(in), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
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
}
