package io.tokencache;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One upstream identity provider: its token endpoint, its quota and how it is called.
 *
 * <p>Follows the Vert.x options style: {@code DEFAULT_*} constants, validating fluent setters, a
 * {@link JsonObject} constructor and {@link #toJson()}.
 */
public class UpstreamOptions {

  /** Cluster-wide budget of upstream token requests per second: {@value}. */
  public static final double DEFAULT_QUOTA_RPS = 10;
  /** Connect timeout: 2 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Timeout of one upstream request, from send to the whole answer: 5 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** Connections kept to the upstream per member: {@value}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 16;

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private String id = TokenCacheOptions.DEFAULT_UPSTREAM;
  private String tokenUrl;
  private double quotaRps = DEFAULT_QUOTA_RPS;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;

  /** Defaults, without a token URL. */
  public UpstreamOptions() {
  }

  /** A copy. */
  public UpstreamOptions(UpstreamOptions other) {
    this.id = other.id;
    this.tokenUrl = other.tokenUrl;
    this.quotaRps = other.quotaRps;
    this.connectTimeout = other.connectTimeout;
    this.requestTimeout = other.requestTimeout;
    this.maxConnections = other.maxConnections;
  }

  /**
   * From JSON: {@code id}, {@code tokenUrl}, {@code quotaRps}, {@code connectTimeout}, {@code requestTimeout}
   * (durations as in {@link Durations#parse}), {@code maxConnections}.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public UpstreamOptions(JsonObject json) {
    this();
    if (json.containsKey("id")) {
      setId(string(json, "id"));
    }
    if (json.containsKey("tokenUrl")) {
      setTokenUrl(string(json, "tokenUrl"));
    }
    if (json.containsKey("quotaRps")) {
      setQuotaRps(number(json, "quotaRps").doubleValue());
    }
    if (json.containsKey("connectTimeout")) {
      setConnectTimeout(Durations.parse("connectTimeout", json.getValue("connectTimeout")));
    }
    if (json.containsKey("requestTimeout")) {
      setRequestTimeout(Durations.parse("requestTimeout", json.getValue("requestTimeout")));
    }
    if (json.containsKey("maxConnections")) {
      setMaxConnections(number(json, "maxConnections").intValue());
    }
  }

  static String string(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (!(v instanceof String)) {
      throw new IllegalArgumentException(key + " must be a string, was " + v);
    }
    return (String) v;
  }

  static Number number(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v instanceof Number) {
      return (Number) v;
    }
    if (v instanceof String) {
      try {
        return Double.valueOf((String) v);
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(key + " must be a number, was '" + v + "'");
  }

  /** The upstream's id: lower-case letters, digits, {@code -} and {@code _}; part of the cache key. */
  public String getId() {
    return id;
  }

  /** Sets the id; see {@link #getId()}. */
  public UpstreamOptions setId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("upstream id '" + id + "' must match " + ID.pattern());
    }
    this.id = id;
    return this;
  }

  /** The upstream's token endpoint, an absolute http or https URL. */
  public String getTokenUrl() {
    return tokenUrl;
  }

  /** Sets the token endpoint; see {@link #getTokenUrl()}. */
  public UpstreamOptions setTokenUrl(String tokenUrl) {
    Objects.requireNonNull(tokenUrl, "tokenUrl");
    URI uri;
    try {
      uri = URI.create(tokenUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tokenUrl '" + tokenUrl + "' is not a URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("tokenUrl '" + tokenUrl + "' must be an absolute http(s) URL");
    }
    this.tokenUrl = tokenUrl;
    return this;
  }

  /** Cluster-wide budget of upstream requests per second (token bucket, burst = 1 s of budget). */
  public double getQuotaRps() {
    return quotaRps;
  }

  /** Sets the budget; must be positive. */
  public UpstreamOptions setQuotaRps(double quotaRps) {
    if (!(quotaRps > 0) || Double.isInfinite(quotaRps)) {
      throw new IllegalArgumentException("quotaRps must be a positive number, was " + quotaRps);
    }
    this.quotaRps = quotaRps;
    return this;
  }

  /** How long a connection to the upstream may take to open. */
  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  /** Sets the connect timeout; must be positive. */
  public UpstreamOptions setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = Durations.positive("connectTimeout", connectTimeout);
    return this;
  }

  /** How long one upstream request may take, from sending to the whole answer. */
  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  /** Sets the request timeout; must be positive. */
  public UpstreamOptions setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = Durations.positive("requestTimeout", requestTimeout);
    return this;
  }

  /** Connections kept open to the upstream by one member. */
  public int getMaxConnections() {
    return maxConnections;
  }

  /** Sets the connection pool size; must be positive. */
  public UpstreamOptions setMaxConnections(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
    }
    this.maxConnections = maxConnections;
    return this;
  }

  /** Checks that the options are complete. */
  public void validate() {
    if (tokenUrl == null) {
      throw new IllegalArgumentException("upstream '" + id + "': tokenUrl is required");
    }
  }

  /** These options as JSON, readable by {@link #UpstreamOptions(JsonObject)}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("quotaRps", quotaRps)
      .put("connectTimeout", Durations.format(connectTimeout))
      .put("requestTimeout", Durations.format(requestTimeout))
      .put("maxConnections", maxConnections);
    if (tokenUrl != null) {
      json.put("tokenUrl", tokenUrl);
    }
    return json;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
