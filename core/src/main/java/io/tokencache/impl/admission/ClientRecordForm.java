package io.tokencache.impl.admission;

import io.tokencache.impl.VarInts;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The compact wire form of a {@link ClientRecord}, which the cluster keeps for every client id in use: a marker
 * byte, a header byte of flags, one time (the anchor), every other time as its difference from the anchor, each
 * time, count and length as a variable-length integer, and every tag that is base64url (as the keyed hashes are,
 * {@linkplain #shorten shortened}) as its bytes, a quarter shorter than its text.
 *
 * <p>The marker tells it from the fixed-width form of earlier versions, which starts with a time in epoch
 * milliseconds (a first byte of 0x00) or with "never" ({@code Long.MIN_VALUE / 4}, 0xE0).
 */
final class ClientRecordForm {

  /** The first byte of the compact form. */
  static final int MARKER = 0x02;
  static final int GUESS_NONE = 0;
  /** The guessed secret is one of the accepted ones: its index follows instead of the tag. */
  static final int GUESS_ACCEPTED = 1;
  /** The guessed secret is one of the refused ones: its index follows instead of the tag. */
  static final int GUESS_REJECTED = 2;
  /** The guessed secret is in no list: its tag follows. */
  static final int GUESS_TAG = 3;

  private static final int HAS_REJECTION = 1;
  private static final int GUESS_PENDING = 2;
  private static final int GUESS_SHIFT = 2;
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  /** The longest tag or text read: a bound on what a corrupt record makes us allocate. */
  private static final int MAX_LENGTH = 1 << 16;

  /** The bytes a record keeps of a tag that is a keyed hash. */
  static final int SHORT_TAG_BYTES = 16;
  private static final int SHORT_TAG_CHARS = (SHORT_TAG_BYTES * 4 + 2) / 3;

  private ClientRecordForm() {
  }

  /**
   * {@code tag}'s first {@value #SHORT_TAG_BYTES} bytes if it is the base64url of more (a keyed hash, 32 bytes from
   * {@code CacheKeys}), base64url again; any other tag as it is.
   */
  static String shorten(String tag) {
    if (tag == null || tag.length() <= SHORT_TAG_CHARS) {
      return tag;
    }
    byte[] raw = Writer.base64UrlBytes(tag);
    return raw == null ? tag : ENCODER.encodeToString(java.util.Arrays.copyOf(raw, SHORT_TAG_BYTES));
  }

  /** Writes the compact form. */
  static final class Writer {
    private final DataOutput out;
    private final long anchor;

    Writer(DataOutput out, long anchor) {
      this.out = out;
      this.anchor = anchor;
    }

    void header(boolean hasRejection, boolean guessPending, int guessForm) throws IOException {
      out.writeByte(MARKER);
      out.writeByte((hasRejection ? HAS_REJECTION : 0) | (guessPending ? GUESS_PENDING : 0) | guessForm << GUESS_SHIFT);
      VarInts.writeSigned(out, anchor);
    }

    void time(long t) throws IOException {
      VarInts.writeSigned(out, t - anchor);
    }

    void count(int n) throws IOException {
      VarInts.writeUnsigned(out, n);
    }

    /** A base64url tag as its bytes (the low bit of the length says so), anything else as UTF-8. */
    void tag(String tag) throws IOException {
      byte[] raw = base64UrlBytes(tag);
      if (raw != null) {
        VarInts.writeUnsigned(out, (long) raw.length << 1 | 1);
        out.write(raw);
      } else {
        byte[] utf8 = tag.getBytes(StandardCharsets.UTF_8);
        VarInts.writeUnsigned(out, (long) utf8.length << 1);
        out.write(utf8);
      }
    }

    void text(String text) throws IOException {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      count(utf8.length);
      out.write(utf8);
    }

    static byte[] base64UrlBytes(String tag) {
      if (tag.isEmpty() || tag.indexOf('=') >= 0) {
        return null;
      }
      try {
        byte[] raw = DECODER.decode(tag);
        // only when it comes back as the very same tag (no spare bits set)
        return ENCODER.encodeToString(raw).equals(tag) ? raw : null;
      } catch (IllegalArgumentException notBase64Url) {
        return null;
      }
    }
  }

  /** Reads the compact form, after its marker. */
  static final class Reader {
    private final DataInput in;
    private final int flags;
    private final long anchor;

    Reader(DataInput in) throws IOException {
      this.in = in;
      this.flags = in.readUnsignedByte();
      this.anchor = VarInts.readSigned(in);
    }

    boolean hasRejection() {
      return (flags & HAS_REJECTION) != 0;
    }

    boolean guessPending() {
      return (flags & GUESS_PENDING) != 0;
    }

    int guessForm() {
      return flags >>> GUESS_SHIFT & 3;
    }

    long time() throws IOException {
      return anchor + VarInts.readSigned(in);
    }

    int count(int max) throws IOException {
      long n = VarInts.readUnsigned(in);
      if (n < 0 || n > max) {
        throw new IOException("implausible count " + n);
      }
      return (int) n;
    }

    String tag() throws IOException {
      long header = VarInts.readUnsigned(in);
      byte[] b = bytes(header >>> 1);
      return (header & 1) != 0 ? ENCODER.encodeToString(b) : new String(b, StandardCharsets.UTF_8);
    }

    String text() throws IOException {
      return new String(bytes(VarInts.readUnsigned(in)), StandardCharsets.UTF_8);
    }

    private byte[] bytes(long n) throws IOException {
      if (n < 0 || n > MAX_LENGTH) {
        throw new IOException("implausible length " + n);
      }
      byte[] b = new byte[(int) n];
      in.readFully(b);
      return b;
    }
  }
}
