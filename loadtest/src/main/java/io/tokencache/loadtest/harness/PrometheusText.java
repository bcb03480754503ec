package io.tokencache.loadtest.harness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parser of the Prometheus text exposition format (0.0.4, and the sample lines of OpenMetrics), enough to
 * read counters from a member's {@code GET /metrics}. The load test does not depend on a Prometheus client
 * library (only the server does), so it parses the text itself.
 *
 * <p>Lenient on purpose: comments ({@code # HELP}, {@code # TYPE}, {@code # EOF}) and blank lines are skipped,
 * a line that does not parse is skipped and counted rather than failing the whole scrape, a trailing comma in
 * the label set (older Micrometer output) and an optional timestamp after the value are accepted, label values
 * may contain escaped {@code \\}, {@code \"} and {@code \n}, and values may be {@code NaN}, {@code +Inf} or
 * {@code -Inf}.
 */
public final class PrometheusText {

  /**
   * One sample line.
   *
   * @param name the metric name, e.g. {@code token_cache_upstream_requests_total}
   * @param labels the labels, in the order given
   * @param value the value
   */
  public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
      Objects.requireNonNull(name, "name");
      labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /**
     * @param label a label name
     * @param fallback what a missing label stands for
     * @return the label's value, or {@code fallback}
     */
    public String label(String label, String fallback) {
      return labels.getOrDefault(label, fallback);
    }
  }

  /**
   * What one exposition held.
   *
   * @param samples the lines that parsed, in order
   * @param malformedLines non-comment lines that did not parse
   */
  public record Parsed(List<Sample> samples, int malformedLines) {
    public Parsed {
      samples = List.copyOf(samples);
    }
  }

  private PrometheusText() {}

  /**
   * @param text an exposition, as served by {@code /metrics}; null reads as empty
   * @return the samples, and how many lines were skipped as malformed
   */
  public static Parsed parse(String text) {
    List<Sample> samples = new ArrayList<>();
    int malformed = 0;
    if (text == null) {
      return new Parsed(samples, 0);
    }
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Sample sample = parseLine(line);
      if (sample == null) {
        malformed++;
      } else {
        samples.add(sample);
      }
    }
    return new Parsed(samples, malformed);
  }

  /**
   * @param line one sample line, without its line break
   * @return the sample, or null when the line is not a valid sample
   */
  static Sample parseLine(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && isNameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      return null;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < n && line.charAt(i) == '{') {
      i = parseLabels(line, i + 1, labels);
      if (i < 0) {
        return null;
      }
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    // The value, then an optional timestamp; nothing else.
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      return null;
    }
    Double value = parseValue(rest[0]);
    return value == null ? null : new Sample(name, labels, value);
  }

  /** Parses {@code a="x",b="y"}} from {@code from}; returns the index after the closing brace, -1 if malformed. */
  private static int parseLabels(String line, int from, Map<String, String> labels) {
    int i = from;
    int n = line.length();
    while (true) {
      i = skipSpaces(line, i);
      if (i >= n) {
        return -1;
      }
      if (line.charAt(i) == '}') {
        return i + 1;
      }
      int start = i;
      while (i < n && isNameChar(line.charAt(i), i == start)) {
        i++;
      }
      if (i == start) {
        return -1;
      }
      String label = line.substring(start, i);
      i = skipSpaces(line, i);
      if (i >= n || line.charAt(i) != '=') {
        return -1;
      }
      i = skipSpaces(line, i + 1);
      if (i >= n || line.charAt(i) != '"') {
        return -1;
      }
      StringBuilder value = new StringBuilder();
      i++;
      while (i < n && line.charAt(i) != '"') {
        char c = line.charAt(i);
        if (c == '\\' && i + 1 < n) {
          char escaped = line.charAt(++i);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
        i++;
      }
      if (i >= n) {
        return -1;
      }
      labels.put(label, value.toString());
      i = skipSpaces(line, i + 1);
      if (i < n && line.charAt(i) == ',') {
        i++;
      } else if (i >= n || line.charAt(i) != '}') {
        return -1;
      }
    }
  }

  private static Double parseValue(String text) {
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          return null;
        }
    }
  }

  private static int skipSpaces(String line, int i) {
    while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean isNameChar(char c, boolean first) {
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
  }
}
