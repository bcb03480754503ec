package io.tokencache.impl;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date. */
public final class RetryAfter {

  private RetryAfter() {
  }

  /**
   * The delay in whole seconds (at least 1), or {@code fallback} when the header is absent or unreadable.
   *
   * @param nowMillis the current time, to turn an HTTP-date into a delay
   */
  public static long seconds(String header, long nowMillis, long fallback) {
    if (header == null || header.isBlank()) {
      return fallback;
    }
    String h = header.trim();
    try {
      return Math.max(1, Long.parseLong(h));
    } catch (NumberFormatException notSeconds) {
      try {
        long at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return Math.max(1, (at - nowMillis + 999) / 1000);
      } catch (DateTimeParseException notADate) {
        return fallback;
      }
    }
  }
}
