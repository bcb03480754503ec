package io.tokencache.fakeidp;

import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a token request, from a form body or (Auth0 style) a JSON body. Follows RFC
 * 6749 section 3.2: a parameter without a value counts as absent and none may appear twice, except
 * {@code resource} (RFC 8707 allows several).
 */
final class TokenParams {

  private final Map<String, List<String>> values;

  private TokenParams(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Parses an {@code application/x-www-form-urlencoded} body. Decoded by hand rather than with
   * Vert.x's form attributes so that repeated parameters and malformed escapes are seen and
   * answered with {@code invalid_request}.
   *
   * @throws IllegalArgumentException with a client-safe message when malformed
   */
  static TokenParams fromForm(String body) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (!value.isEmpty()) {
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
    }
    return checked(values);
  }

  /**
   * Takes the members of a JSON body; each must be a string.
   *
   * @throws IllegalArgumentException with a client-safe message when a member is not a string
   */
  static TokenParams fromJson(JsonObject json) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (Map.Entry<String, Object> member : json) {
      Object value = member.getValue();
      if (value == null) {
        continue;
      }
      if (!(value instanceof String)) {
        throw new IllegalArgumentException("parameter '" + member.getKey() + "' must be a string");
      }
      if (!((String) value).isEmpty()) {
        values.put(member.getKey(), List.of((String) value));
      }
    }
    return checked(values);
  }

  /** @return the parameter's value, or null when absent */
  String get(String name) {
    List<String> list = values.get(name);
    return list == null ? null : list.get(0);
  }

  /** @return every value of the parameter, empty when absent */
  List<String> getAll(String name) {
    return values.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  private static TokenParams checked(Map<String, List<String>> values) {
    for (Map.Entry<String, List<String>> entry : values.entrySet()) {
      if (entry.getValue().size() > 1 && !entry.getKey().equals("resource")) {
        throw new IllegalArgumentException("parameter '" + entry.getKey() + "' is repeated");
      }
    }
    return new TokenParams(values);
  }

  private static String decode(String encoded) {
    try {
      return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed form encoding");
    }
  }
}
