package io.tokencache.loadtest.harness;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    List<String> lines = text == null ? List.of() : Arrays.stream(text.split("\r?\n")).map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    List<Sample> samples = lines.stream().map(PrometheusText::parseLine).filter(Objects::nonNull).toList();
    return new Parsed(samples, lines.size() - samples.size());
  }

  /** A sample line: a name, an optional label set, a value and an optional timestamp. */
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)})?\\s+(\\S+)(?:\\s+\\S+)?");
  /** One label of a label set and the comma after it (optional after the last, where older Micrometer put one). */
  private static final Pattern LABEL = Pattern.compile(
      "\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(?:,|$)");
  private static final Pattern ESCAPE = Pattern.compile("\\\\(.)");

  /**
   * @param line one sample line, without its line break
   * @return the sample, or null when the line is not a valid sample
   */
  static Sample parseLine(String line) {
    Matcher sample = SAMPLE.matcher(line);
    if (!sample.matches()) {
      return null;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    String body = sample.group(2) == null ? "" : sample.group(2);
    Matcher label = LABEL.matcher(body);
    for (int at = 0; !body.substring(at).isBlank(); at = label.end()) {
      if (!label.find(at) || label.start() != at) {
        return null;
      }
      labels.put(label.group(1), ESCAPE.matcher(label.group(2))
          .replaceAll(e -> Matcher.quoteReplacement(e.group(1).equals("n") ? "\n" : e.group(1))));
    }
    String value = sample.group(3);
    try {
      // Java reads NaN as Prometheus writes it, but infinity only spelt out: +Inf, Inf and -Inf
      return new Sample(sample.group(1), labels, Double.parseDouble(value.endsWith("Inf") ? value + "inity" : value));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
