package io.tokencache;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations in configuration: a number of milliseconds, {@code "500ms"}, {@code "30s"}, {@code "5m"},
 * {@code "1h"}, or ISO-8601 ({@code "PT30S"}).
 */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {
  }

  /**
   * Parses a configured duration.
   *
   * @param name the setting's name, for the error message
   * @param value a {@link Number} of milliseconds or a string
   * @throws IllegalArgumentException naming the setting when the value is not a duration
   */
  public static Duration parse(String name, Object value) {
    if (value instanceof Number) {
      return Duration.ofMillis(((Number) value).longValue());
    }
    if (value instanceof String) {
      String s = ((String) value).trim();
      Matcher m = SHORT.matcher(s);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
          case "ms": return Duration.ofMillis(n);
          case "s": return Duration.ofSeconds(n);
          case "m": return Duration.ofMinutes(n);
          case "h": return Duration.ofHours(n);
          default: return Duration.ofDays(n);
        }
      }
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        // fall through to the error naming the setting
      }
    }
    throw new IllegalArgumentException(name + ": '" + value + "' is not a duration (use e.g. 500ms, 30s, 5m, PT1H)");
  }

  /** Formats a duration the way {@link #parse} reads it back. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    return (ms / 1000) + "s";
  }

  static Duration positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
    return d;
  }

  static Duration nonNegative(String name, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + d);
    }
    return d;
  }
}
