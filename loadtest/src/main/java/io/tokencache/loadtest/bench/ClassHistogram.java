package io.tokencache.loadtest.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code jcmd <pid> GC.class_histogram} (live objects only: it runs a full GC first), parsed, and the
 * difference of two of them.
 *
 * @param classes instances and bytes by class name
 * @param totalInstances the histogram's total instances
 * @param totalBytes the histogram's total bytes: every live object on the heap
 */
record ClassHistogram(Map<String, long[]> classes, long totalInstances, long totalBytes) {

  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
  private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

  static ClassHistogram parse(String text) {
    Map<String, long[]> classes = new HashMap<>();
    long instances = -1;
    long bytes = -1;
    for (String line : text.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        classes.merge(row.group(3), new long[] {Long.parseLong(row.group(1)), Long.parseLong(row.group(2))},
            (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
        continue;
      }
      Matcher total = TOTAL.matcher(line.trim());
      if (total.matches()) {
        instances = Long.parseLong(total.group(1));
        bytes = Long.parseLong(total.group(2));
      }
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("not a class histogram (no Total line)");
    }
    return new ClassHistogram(classes, instances, bytes);
  }

  /**
   * The classes that grew most from {@code before} to this histogram, per {@code perUnit} units (tokens).
   *
   * @return an array of {@code {class, instances_per_unit, bytes_per_unit, share}}, largest growth first
   */
  JsonArray growthSince(ClassHistogram before, long perUnit, int top) {
    long totalGrowth = totalBytes - before.totalBytes;
    List<Map.Entry<String, long[]>> growth = new ArrayList<>();
    for (Map.Entry<String, long[]> e : classes.entrySet()) {
      long[] b = before.classes.getOrDefault(e.getKey(), new long[2]);
      growth.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
    }
    growth.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed());
    JsonArray out = new JsonArray();
    for (Map.Entry<String, long[]> e : growth.subList(0, Math.min(top, growth.size()))) {
      out.add(new JsonObject().put("class", readable(e.getKey()))
          .put("instances_per_token", Math.round(e.getValue()[0] * 100.0 / perUnit) / 100.0)
          .put("bytes_per_token", Math.round(e.getValue()[1] * 10.0 / perUnit) / 10.0)
          .put("share", totalGrowth <= 0 ? 0 : Math.round(e.getValue()[1] * 1000.0 / totalGrowth) / 1000.0));
    }
    return out;
  }

  /** {@code [B} as {@code byte[]}, {@code [Ljava.lang.Object;} as {@code java.lang.Object[]}. */
  static String readable(String jvmName) {
    int dims = 0;
    while (dims < jvmName.length() && jvmName.charAt(dims) == '[') {
      dims++;
    }
    if (dims == 0) {
      return jvmName;
    }
    String element = jvmName.substring(dims);
    String base = switch (element) {
      case "B" -> "byte";
      case "C" -> "char";
      case "I" -> "int";
      case "J" -> "long";
      case "Z" -> "boolean";
      case "S" -> "short";
      case "F" -> "float";
      case "D" -> "double";
      default -> element.startsWith("L") && element.endsWith(";") ? element.substring(1, element.length() - 1) : element;
    };
    return base + "[]".repeat(dims);
  }
}
