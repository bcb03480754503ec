package io.tokencache.impl;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Variable-length integers for the compact wire forms (the token's plaintext, the client record): unsigned LEB128,
 * 7 bits a byte, low bits first, and its zigzag form for signed values, so that small negative differences stay
 * short too. Hand-written: the JDK has none, and the forms' bytes must stay exactly these for rolling upgrades.
 */
public final class VarInts {

  private VarInts() {
  }

  /** Writes {@code n} as an unsigned LEB128 integer. */
  public static void writeUnsigned(DataOutput out, long n) throws IOException {
    while ((n & ~0x7FL) != 0) {
      out.writeByte((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.writeByte((int) n);
  }

  /** Reads an unsigned LEB128 integer; at most ten bytes. */
  public static long readUnsigned(DataInput in) throws IOException {
    long n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      n |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return n;
      }
    }
    throw new IOException("malformed number");
  }

  /** Writes {@code n} zigzag-encoded, then as an unsigned LEB128 integer. */
  public static void writeSigned(DataOutput out, long n) throws IOException {
    writeUnsigned(out, (n << 1) ^ (n >> 63));
  }

  /** Reads what {@link #writeSigned} wrote. */
  public static long readSigned(DataInput in) throws IOException {
    long z = readUnsigned(in);
    return (z >>> 1) ^ -(z & 1);
  }
}
