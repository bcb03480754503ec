package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads a scenario's parameters from system properties ({@code -Dname=value}), each with a default
 * and a valid range, and remembers every value it handed out so that the run's summary lists the
 * parameters the run actually used.
 *
 * <p>A scenario reads a parameter under its scenario-specific name first ({@code herd.users}), then
 * under the plain name ({@code users}), then falls back to its default: {@code -Dmembers=1} applies
 * to whatever scenario runs, {@code -Dherd.members=1} only to {@code herd}.
 */
public final class Params {

  private final String scenario;
  private final Function<String, String> source;
  private final Map<String, Object> effective = new LinkedHashMap<>();

  /**
   * @param scenario the scenario name, used as the prefix of scenario-specific names
   * @param source looks a property up by name, null when absent
   */
  public Params(String scenario, Function<String, String> source) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.source = Objects.requireNonNull(source, "source");
  }

  /**
   * @param scenario the scenario name
   * @return parameters read from {@link System#getProperties()}
   */
  public static Params fromSystemProperties(String scenario) {
    return new Params(scenario, System::getProperty);
  }

  private String raw(String name) {
    // the scenario-specific name first; blank counts as absent
    return Stream.of(scenario + "." + name, name).map(source).filter(value -> value != null && !value.isBlank())
        .map(String::trim).findFirst().orElse(null);
  }

  /**
   * @param name the parameter name
   * @param dflt the default
   * @param min the smallest valid value
   * @param max the largest valid value
   * @return the value
   * @throws IllegalArgumentException when it is not a whole number in range
   */
  public int intValue(String name, int dflt, int min, int max) {
    return number(name, dflt, min, max, "a whole number", Integer::valueOf);
  }

  /**
   * @param name the parameter name
   * @param dflt the default
   * @param min the smallest valid value
   * @param max the largest valid value
   * @return the value
   * @throws IllegalArgumentException when it is not a number in range
   */
  public double doubleValue(String name, double dflt, double min, double max) {
    return number(name, dflt, min, max, "a number", Double::valueOf);
  }

  private <T extends Number & Comparable<T>> T number(String name, T dflt, T min, T max, String kind,
      Function<String, T> parse) {
    String raw = raw(name);
    T value;
    try {
      value = raw == null ? dflt : parse.apply(raw);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be " + kind + ", was '" + raw + "'");
    }
    // compareTo puts NaN above every number: out of range
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", was " + value);
    }
    effective.put(name, value);
    return value;
  }

  /**
   * @param name the parameter name
   * @param dflt the default
   * @return the value, {@code true} for "true", "yes" or "1"
   */
  public boolean booleanValue(String name, boolean dflt) {
    String raw = raw(name);
    boolean value = raw == null ? dflt : switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, was '" + raw + "'");
    };
    effective.put(name, value);
    return value;
  }

  /**
   * @param name the parameter name
   * @param dflt the default, may be null
   * @return the value, trimmed; the default when absent or blank
   */
  public String stringValue(String name, String dflt) {
    String raw = raw(name);
    String value = raw == null ? dflt : raw;
    effective.put(name, value);
    return value;
  }

  /** @return every parameter read so far with the value used, in reading order */
  public JsonObject effective() {
    return new JsonObject(new LinkedHashMap<>(effective));
  }
}
