package io.tokencache.config;

import io.tokencache.Durations;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one way settings are read, from a configuration file's JSON or from environment variables: one set of coercion
 * rules and one wording of errors, each naming the setting's full path ({@code upstreams[1].maxConnections},
 * {@code cluster.port}, {@code TOKEN_CACHE_HTTP_PORT}).
 *
 * <p>Coercion: a whole number is an integral JSON number ({@code 3} or {@code 3.0}) or a string of digits, never
 * {@code 3.7}; a number is a JSON number or a numeric string; a duration is {@code 500ms}, {@code 30s}, {@code 5m},
 * {@code 1h}, {@code 1d}, an ISO-8601 duration or a number of milliseconds; a flag is {@code true}/{@code false}
 * (either type). Values an options setter refuses ({@link #read}) are reported with the same path.
 *
 * <p>Why not Vert.x's generated {@code @DataObject} converters: they neither check ranges nor say which setting of
 * which list element was wrong, and they cast (a {@code 3.7} becomes {@code 3}), so a validating layer would still
 * be needed on top of them.
 */
public final class JsonSettings {

  private static final String ENVIRONMENT_PREFIX = "TOKEN_CACHE_";

  private final JsonObject json;
  private final String path;

  /** The settings of {@code json} at the top of a file (or of an options object read on its own). */
  public JsonSettings(JsonObject json) {
    this(json, "");
  }

  /** The settings of {@code json}, found at {@code path} of the file ({@code ""} at its top). */
  public JsonSettings(JsonObject json, String path) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
  }

  /** The environment's variables as settings: each named by the variable, blank values absent. */
  public static JsonSettings ofEnvironment(Map<String, String> env) {
    JsonObject json = new JsonObject();
    env.forEach((k, v) -> {
      if (v != null && !v.isBlank()) {
        json.put(k, v.trim());
      }
    });
    return new JsonSettings(json);
  }

  /** The full path of {@code key}, as errors name it. */
  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Whether {@code key} is set (to anything but {@code null}). */
  public boolean has(String key) {
    return json.getValue(key) != null;
  }

  /** The value as it is, or {@code null}. */
  public Object raw(String key) {
    return json.getValue(key);
  }

  /** The keys set here. */
  public Set<String> keys() {
    return json.fieldNames();
  }

  /** A string. */
  public String string(String key) {
    Object v = json.getValue(key);
    if (!(v instanceof String s)) {
      throw error(key, "must be a string, was '" + v + "'");
    }
    return s;
  }

  /** A string with something in it, trimmed. */
  public String nonEmptyString(String key) {
    Object v = json.getValue(key);
    if (!(v instanceof String s) || s.isBlank()) {
      throw error(key, "must be a non-empty string, was '" + v + "'");
    }
    return s.trim();
  }

  /** A number (a JSON number or a numeric string). */
  public double number(String key) {
    Object v = json.getValue(key);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw error(key, "must be a number, was '" + v + "'");
  }

  /** A whole number from {@code min} to {@code max}. */
  public long wholeNumber(String key, long min, long max) {
    Object v = json.getValue(key);
    Long value = null;
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      value = ((Number) v).longValue();
    } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
      && Math.abs(n.doubleValue()) < 1e15) {
      value = n.longValue();
    } else if (v instanceof String s && s.trim().matches("-?\\d{1,15}")) {
      value = Long.parseLong(s.trim());
    }
    if (value == null) {
      throw error(key, "must be a whole number from " + min + " to " + max + ", was '" + v + "'");
    }
    if (value < min || value > max) {
      throw error(key, "must be a whole number from " + min + " to " + max + ", was '" + v + "'");
    }
    return value;
  }

  /** A whole number that fits an {@code int} (the setter checks its own range). */
  public int integer(String key) {
    return (int) wholeNumber(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  /** A duration (see the class comment for its forms). */
  public Duration duration(String key) {
    try {
      return Durations.parse(key, json.getValue(key));
    } catch (IllegalArgumentException e) {
      throw error(key, "'" + json.getValue(key) + "' is not a duration (use e.g. 500ms, 30s, 5m, PT1H)");
    }
  }

  /** A duration that is positive, or with {@code zeroAllowed} zero or positive. */
  public Duration duration(String key, boolean zeroAllowed) {
    Duration d = duration(key);
    if (d.isNegative() || d.isZero() && !zeroAllowed) {
      throw error(key, "must be " + (zeroAllowed ? "zero or positive" : "positive") + ", was '" + raw(key) + "'");
    }
    return d;
  }

  /** A flag, or {@code dflt} when not set. */
  public boolean bool(String key, boolean dflt) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      if (t.equals("true") || t.equals("false")) {
        return t.equals("true");
      }
    }
    throw error(key, "must be true or false, was '" + v + "'");
  }

  /** The object under {@code key} as settings (empty when not set). */
  public JsonSettings section(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return new JsonSettings(new JsonObject(), path(key));
    }
    if (!(v instanceof JsonObject o)) {
      throw error(key, "must be an object (key: value settings)");
    }
    return new JsonSettings(o, path(key));
  }

  /** Refuses a key that is not in {@code known}, naming the first one and the known ones ({@code what}: "setting"). */
  public void checkKeys(Collection<String> known, String what) {
    Set<String> unknown = new LinkedHashSet<>(json.fieldNames());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw error(unknown.iterator().next(), "unknown " + what + " (known: " + String.join(", ", known) + ")");
    }
  }

  /**
   * When {@code key} is set, reads it with {@code reader} (one of this class's methods) and hands it to
   * {@code setter}; what the setter refuses is reported under the setting's path.
   */
  public <T> void read(String key, Function<String, T> reader, Consumer<T> setter) {
    if (!has(key)) {
      return;
    }
    T value = reader.apply(key);
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw error(key, withoutName(key, e.getMessage()));
    }
  }

  /** An error about {@code key}, naming its full path. */
  public IllegalArgumentException error(String key, String message) {
    String where = path(key);
    // a variable reads as a sentence ("TOKEN_CACHE_HTTP_PORT must be ..."), a file's setting as a path and a note
    // ("cluster.port: must be ...", "TOKEN_CACHE_HTTP_REQUEST_TIMEOUT: 'soon' is not a duration")
    boolean sentence = where.startsWith(ENVIRONMENT_PREFIX) && message.startsWith("must ");
    return new IllegalArgumentException(where + (sentence ? " " : ": ") + message);
  }

  /**
   * A setter's message without the setting's name it starts with ("quotaRps must be positive" becomes
   * "must be positive"): the path is put in front instead.
   */
  static String withoutName(String key, String message) {
    if (message == null) {
      return "invalid";
    }
    if (message.startsWith(key + ": ")) {
      return message.substring(key.length() + 2);
    }
    if (message.startsWith(key + " ")) {
      return message.substring(key.length() + 1);
    }
    return message;
  }
}
