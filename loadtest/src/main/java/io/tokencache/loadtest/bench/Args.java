package io.tokencache.loadtest.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} / {@code --name=value} / {@code --flag} command-line flags of the bench mains. */
final class Args {

  private final Map<String, String> values;

  private Args(Map<String, String> values) {
    this.values = values;
  }

  static Args parse(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        values.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        values.put(name, args[++i]);
      } else {
        values.put(name, "true");
      }
    }
    return new Args(values);
  }

  String get(String name, String dflt) {
    return values.getOrDefault(name, dflt);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  int intValue(String name, int dflt) {
    String v = values.get(name);
    return v == null ? dflt : Integer.parseInt(v.trim());
  }

  long longValue(String name, long dflt) {
    String v = values.get(name);
    return v == null ? dflt : Long.parseLong(v.trim());
  }

  double doubleValue(String name, double dflt) {
    String v = values.get(name);
    return v == null ? dflt : Double.parseDouble(v.trim());
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }
}
