package io.tokencache;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.tokencache.config.JsonSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of a {@link TokenCache}: its upstreams and its expiry policy.
 *
 * <p>Follows the Vert.x options style: {@code DEFAULT_*} constants, validating fluent setters, a
 * {@link JsonObject} constructor and {@link #toJson()}. The {@linkplain #setClock clock} and the
 * {@linkplain #setMeterRegistry meter registry} are not part of the JSON form; the clock exists so that tests
 * can drive expiry without sleeping.
 */
public class TokenCacheOptions {

  /** The id of the upstream used when a request names none: {@value}. */
  public static final String DEFAULT_UPSTREAM = "default";
  /** Fraction of a token's lifetime after which the next request starts a background refresh: {@value}. */
  public static final double DEFAULT_REFRESH_AHEAD_FRACTION = 0.75;
  /** Minimum lifetime a served token has left: 30 s (scaled down for short-lived tokens). */
  public static final Duration DEFAULT_MIN_REMAINING = Duration.ofSeconds(30);
  /**
   * The minimum remaining lifetime never exceeds this fraction of a token's lifetime ({@value}), so a
   * 20-second token is still cached (and served until 2 s before it expires).
   */
  public static final double DEFAULT_MAX_MIN_REMAINING_FRACTION = 0.1;
  /** Lifetime assumed when the upstream gives neither {@code expires_in} nor a JWT {@code exp}: 5 min. */
  public static final Duration DEFAULT_DEFAULT_LIFETIME = Duration.ofMinutes(5);
  /** No token is kept longer than this, whatever the upstream says: 24 h. */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);
  /** Bound on the tokens one member keeps in memory: {@value}. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  /**
   * Longest a miss waits for a fetch running on another member before answering 503: 20 s (over an
   * upstream's default fetch timeout, so a waiter outlasts the fetch it waits for).
   */
  public static final Duration DEFAULT_COALESCE_TIMEOUT = Duration.ofSeconds(20);

  private final Map<String, UpstreamOptions> upstreams = new LinkedHashMap<>();
  private double refreshAheadFraction = DEFAULT_REFRESH_AHEAD_FRACTION;
  private Duration minRemaining = DEFAULT_MIN_REMAINING;
  private double maxMinRemainingFraction = DEFAULT_MAX_MIN_REMAINING_FRACTION;
  private Duration defaultLifetime = DEFAULT_DEFAULT_LIFETIME;
  private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
  private int maxEntries = DEFAULT_MAX_ENTRIES;
  private Duration coalesceTimeout = DEFAULT_COALESCE_TIMEOUT;
  private Clock clock = Clock.systemUTC();
  private MeterRegistry meterRegistry = Metrics.globalRegistry;

  /** Defaults, with no upstream. */
  public TokenCacheOptions() {
  }

  /** A copy (upstream options are copied too). */
  public TokenCacheOptions(TokenCacheOptions other) {
    other.upstreams.values().forEach(u -> addUpstream(new UpstreamOptions(u)));
    this.refreshAheadFraction = other.refreshAheadFraction;
    this.minRemaining = other.minRemaining;
    this.maxMinRemainingFraction = other.maxMinRemainingFraction;
    this.defaultLifetime = other.defaultLifetime;
    this.maxLifetime = other.maxLifetime;
    this.maxEntries = other.maxEntries;
    this.coalesceTimeout = other.coalesceTimeout;
    this.clock = other.clock;
    this.meterRegistry = other.meterRegistry;
  }

  /**
   * From JSON: {@code upstreams} (an array of {@link UpstreamOptions} objects), {@code refreshAheadFraction},
   * {@code minRemaining}, {@code maxMinRemainingFraction}, {@code defaultLifetime}, {@code maxLifetime},
   * {@code maxEntries}, {@code coalesceTimeout}.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public TokenCacheOptions(JsonObject json) {
    this(new JsonSettings(json));
  }

  /**
   * From settings read at some path of a configuration file (see {@link #TokenCacheOptions(JsonObject)}): errors
   * name the setting's full path.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public TokenCacheOptions(JsonSettings s) {
    this();
    Object ups = s.raw("upstreams");
    if (ups != null) {
      if (!(ups instanceof JsonArray list)) {
        throw s.error("upstreams", "must be a list of objects");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject u)) {
          throw s.error("upstreams[" + i + "]", "must be an object");
        }
        addUpstream(new UpstreamOptions(new JsonSettings(u, s.path("upstreams[" + i + "]"))));
      }
    }
    s.read("refreshAheadFraction", s::number, this::setRefreshAheadFraction);
    s.read("minRemaining", s::duration, this::setMinRemaining);
    s.read("maxMinRemainingFraction", s::number, this::setMaxMinRemainingFraction);
    s.read("defaultLifetime", s::duration, this::setDefaultLifetime);
    s.read("maxLifetime", s::duration, this::setMaxLifetime);
    s.read("maxEntries", s::integer, this::setMaxEntries);
    s.read("coalesceTimeout", s::duration, this::setCoalesceTimeout);
  }

  /** The upstreams by id, in the order they were added. */
  public Map<String, UpstreamOptions> getUpstreams() {
    return Collections.unmodifiableMap(upstreams);
  }

  /** Adds (or replaces) the upstream with this id. */
  public TokenCacheOptions addUpstream(UpstreamOptions upstream) {
    upstreams.put(upstream.getId(), upstream);
    return this;
  }

  /** The fraction of a token's lifetime after which a request starts one background refresh. */
  public double getRefreshAheadFraction() {
    return refreshAheadFraction;
  }

  /** Sets the refresh point; strictly between 0 and 1. */
  public TokenCacheOptions setRefreshAheadFraction(double refreshAheadFraction) {
    if (!(refreshAheadFraction > 0 && refreshAheadFraction < 1)) {
      throw new IllegalArgumentException("refreshAheadFraction must be in (0, 1), was " + refreshAheadFraction);
    }
    this.refreshAheadFraction = refreshAheadFraction;
    return this;
  }

  /** The lifetime a served token has left at the least (scaled down for short-lived tokens). */
  public Duration getMinRemaining() {
    return minRemaining;
  }

  /** Sets the minimum remaining lifetime; zero or positive. */
  public TokenCacheOptions setMinRemaining(Duration minRemaining) {
    this.minRemaining = Durations.nonNegative("minRemaining", minRemaining);
    return this;
  }

  /** The largest fraction of its lifetime a token's minimum remaining lifetime may be. */
  public double getMaxMinRemainingFraction() {
    return maxMinRemainingFraction;
  }

  /** Sets the cap on the minimum remaining lifetime; in [0, 1) and below the refresh point. */
  public TokenCacheOptions setMaxMinRemainingFraction(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("maxMinRemainingFraction must be in [0, 1), was " + fraction);
    }
    this.maxMinRemainingFraction = fraction;
    return this;
  }

  /** Lifetime assumed when the upstream's answer tells none. */
  public Duration getDefaultLifetime() {
    return defaultLifetime;
  }

  /** Sets the assumed lifetime; positive. */
  public TokenCacheOptions setDefaultLifetime(Duration defaultLifetime) {
    this.defaultLifetime = Durations.positive("defaultLifetime", defaultLifetime);
    return this;
  }

  /** The longest a token is ever kept. */
  public Duration getMaxLifetime() {
    return maxLifetime;
  }

  /** Sets the longest lifetime; positive. */
  public TokenCacheOptions setMaxLifetime(Duration maxLifetime) {
    this.maxLifetime = Durations.positive("maxLifetime", maxLifetime);
    return this;
  }

  /** The most tokens one member keeps in memory; the least recently used go first. */
  public int getMaxEntries() {
    return maxEntries;
  }

  /** Sets the bound on entries; at least 1. */
  public TokenCacheOptions setMaxEntries(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
    }
    this.maxEntries = maxEntries;
    return this;
  }

  /**
   * Longest a miss waits for another member's fetch of the same key; with the upstream's fetch timeout, the longest
   * a miss takes before it is answered 503.
   */
  public Duration getCoalesceTimeout() {
    return coalesceTimeout;
  }

  /** Sets the wait bound; positive. */
  public TokenCacheOptions setCoalesceTimeout(Duration coalesceTimeout) {
    this.coalesceTimeout = Durations.positive("coalesceTimeout", coalesceTimeout);
    return this;
  }

  /** The clock expiry runs on. */
  public Clock getClock() {
    return clock;
  }

  /** Sets the clock expiry runs on; tests inject one to move time without sleeping. */
  public TokenCacheOptions setClock(Clock clock) {
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Where the cache's meters go (default: Micrometer's global registry, a no-op until one is added to it). */
  public MeterRegistry getMeterRegistry() {
    return meterRegistry;
  }

  /** Sets the meter registry; not part of the JSON form. */
  public TokenCacheOptions setMeterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = java.util.Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /** Checks the options as a whole: at least one upstream, each complete. */
  public void validate() {
    if (upstreams.isEmpty()) {
      throw new IllegalArgumentException("at least one upstream is required (set its tokenUrl)");
    }
    upstreams.values().forEach(UpstreamOptions::validate);
    if (maxMinRemainingFraction >= refreshAheadFraction) {
      throw new IllegalArgumentException("maxMinRemainingFraction (" + maxMinRemainingFraction
        + ") must be below refreshAheadFraction (" + refreshAheadFraction + ")");
    }
  }

  /** These options as JSON, readable by {@link #TokenCacheOptions(JsonObject)} (without the clock). */
  public JsonObject toJson() {
    List<JsonObject> ups = new ArrayList<>();
    upstreams.values().forEach(u -> ups.add(u.toJson()));
    return new JsonObject()
      .put("upstreams", new JsonArray(new ArrayList<>(ups)))
      .put("refreshAheadFraction", refreshAheadFraction)
      .put("minRemaining", Durations.format(minRemaining))
      .put("maxMinRemainingFraction", maxMinRemainingFraction)
      .put("defaultLifetime", Durations.format(defaultLifetime))
      .put("maxLifetime", Durations.format(maxLifetime))
      .put("maxEntries", maxEntries)
      .put("coalesceTimeout", Durations.format(coalesceTimeout));
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
