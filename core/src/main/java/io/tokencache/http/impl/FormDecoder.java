package io.tokencache.http.impl;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an {@code application/x-www-form-urlencoded} body (the WHATWG URL standard's parsing, strict about
 * escapes) straight from its bytes.
 *
 * <p>Hand-written because every token request is a form and a cache hit does little else: Netty's
 * {@code QueryStringDecoder}, used before, decodes a {@code String} made of the body first, and was a tenth of a
 * hit's samples on the event loop (docs/benchmarks.md). This reads the bytes once, makes one {@code String} per
 * name and value (ASCII ones without a decoder), and keeps Netty's behaviour where it matters to callers:
 * {@code +} is a space, {@code %XX} escapes are UTF-8 bytes (malformed UTF-8 becomes U+FFFD), and a bad escape is an
 * error, not text. Unlike a query string there is no {@code ?} or {@code #} to skip: they are ordinary characters.
 * Empty parts ({@code a=1&&b=2}) are skipped; a part without {@code =} is a name with an empty value.
 */
final class FormDecoder {

  private FormDecoder() {
  }

  /**
   * The parameters in the order they first appear, each with its values in order.
   *
   * @param maxParameters parsing stops after this many parameters (values), so a caller can tell "too many" by
   *     giving one more than it accepts
   * @throws IllegalArgumentException if a {@code %} is not followed by two hexadecimal digits, or a name is empty
   */
  static Map<String, List<String>> decode(Buffer body, int maxParameters) {
    byte[] bytes = body.getBytes();
    Map<String, List<String>> params = new LinkedHashMap<>();
    int count = 0;
    int start = 0;
    int n = bytes.length;
    while (start <= n && count < maxParameters) {
      int end = indexOf(bytes, (byte) '&', start, n);
      if (end > start) {
        int eq = indexOf(bytes, (byte) '=', start, end);
        if (eq == start) {
          throw new IllegalArgumentException("a parameter without a name");
        }
        String name = component(bytes, start, eq);
        String value = eq < end ? component(bytes, eq + 1, end) : "";
        params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        count++;
      }
      start = end + 1;
    }
    return params;
  }

  /** The first {@code b} in {@code [from, to)}, or {@code to}. */
  private static int indexOf(byte[] bytes, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return to;
  }

  /** One name or value, decoded. */
  private static String component(byte[] bytes, int from, int to) {
    boolean plain = true;
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (b == '%' || b == '+' || b < 0) {
        plain = false;
        break;
      }
    }
    if (plain) {
      return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }
    byte[] out = new byte[to - from];
    int length = 0;
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (b == '+') {
        out[length++] = ' ';
      } else if (b == '%') {
        if (i + 2 >= to) {
          throw new IllegalArgumentException("an unterminated escape");
        }
        int hi = Character.digit(bytes[i + 1], 16);
        int lo = Character.digit(bytes[i + 2], 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("an escape that is not hexadecimal");
        }
        out[length++] = (byte) (hi << 4 | lo);
        i += 2;
      } else {
        out[length++] = b;
      }
    }
    return new String(out, 0, length, StandardCharsets.UTF_8);
  }
}
