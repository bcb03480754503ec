package io.tokencache.server;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Prometheus text exposition in tests. */
final class PrometheusText {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");
  private static final Pattern META = Pattern.compile("^# (?:HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)");

  private PrometheusText() {
  }

  /** Every metric name in the text: samples and HELP/TYPE lines. */
  static Set<String> names(String text) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : text.split("\n")) {
      Matcher meta = META.matcher(line);
      if (meta.find()) {
        names.add(meta.group(1));
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /**
   * The value of the sample with this name whose labels include every {@code label="value"} given, or {@code null}.
   */
  static Double value(String text, String name, String... labels) {
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.find() || !m.group(1).equals(name)) {
        continue;
      }
      String set = m.group(2) == null ? "" : m.group(2);
      boolean all = true;
      for (String label : labels) {
        all &= set.contains(label);
      }
      if (all) {
        return Double.valueOf(m.group(3));
      }
    }
    return null;
  }
}
