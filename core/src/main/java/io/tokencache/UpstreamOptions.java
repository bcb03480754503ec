package io.tokencache;

import io.tokencache.config.JsonSettings;
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
 *
 * <p>Its length is one documented getter and validating setter per setting; the reading of JSON is
 * {@link io.tokencache.config.JsonSettings}'s.
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

  /** Attempts per fetch, the first included: {@value}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** First back-off between attempts (doubled each time, with jitter): 200 ms. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  /** Longest back-off between attempts: 5 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  /** Bound on one whole fetch: quota wait, attempts and back-offs: 15 s. */
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(15);
  /**
   * Longest a fetch waits for a slot in the budget before answering 503: 10 s. In a spike of distinct keys,
   * waiting a few seconds for the budget beats an error most OAuth clients do not retry.
   */
  public static final Duration DEFAULT_QUOTA_MAX_WAIT = Duration.ofSeconds(10);
  /**
   * Added to the budget's 1 s window against timing jitter between members and the IdP (a slot sent late, an IdP
   * counting on its own clock); half of it proved too little at saturation (see docs/cluster-design.md).
   */
  public static final Duration DEFAULT_QUOTA_SAFETY_MARGIN = Duration.ofMillis(200);
  /** Upstream requests one member runs at once: {@value}. */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 32;
  /**
   * Upstream requests one member keeps waiting for one of its {@link #getMaxConcurrentRequests()} to finish:
   * {@value}. A burst of new keys on a fresh member (one fetch per key) waits its turn instead of getting 503s.
   */
  public static final int DEFAULT_MAX_QUEUED_REQUESTS = 256;
  /** Failure rate (percent) over the breaker's window that opens it: {@value}. */
  public static final float DEFAULT_BREAKER_FAILURE_RATE = 50;
  /** Calls the breaker's sliding window holds (and needs at least 5 of): {@value}. */
  public static final int DEFAULT_BREAKER_WINDOW = 20;
  /** How long an open breaker stays open before one probe: 5 s. */
  public static final Duration DEFAULT_BREAKER_OPEN_DURATION = Duration.ofSeconds(5);
  /** How long an upstream {@code invalid_client}/{@code unauthorized_client} is remembered: 30 s. */
  public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(30);
  /**
   * The longest an upstream {@code Retry-After} or an open breaker holds the cluster's budget back: 60 s. One
   * answer of {@code Retry-After: 86400} must not stop a fleet for a day.
   */
  public static final Duration DEFAULT_MAX_HOLD_BACK = Duration.ofSeconds(60);
  /**
   * Share of every budget window that first fetches (known credentials and below) may use together: {@value}.
   * The rest is kept for refreshes of tokens being served.
   */
  public static final double DEFAULT_KNOWN_SHARE = 0.8;
  /** Share of every window for first fetches with unknown credentials and pass-through grants together: {@value}. */
  public static final double DEFAULT_UNKNOWN_SHARE = 0.4;
  /** Share of every window for pass-through grants: {@value}. */
  public static final double DEFAULT_PASS_THROUGH_SHARE = 0.2;
  /** Share of a lane's window one client id may hold while others ask too (outside refreshes): {@value}. */
  public static final double DEFAULT_CLIENT_SHARE = 0.5;
  /** Distinct cache keys (scope, audience, resource combinations) one client id may hold: {@value}. */
  public static final int DEFAULT_MAX_KEYS_PER_CLIENT = 100;
  /**
   * After the upstream refused a secret for a client id, how often an unknown secret of that client id is tried
   * upstream, cluster-wide: once per 10 s. Others are answered {@code 401 invalid_client} here, and while one
   * awaits its verdict, {@code 503} with {@code Retry-After: 1}.
   */
  public static final Duration DEFAULT_UNKNOWN_SECRET_INTERVAL = Duration.ofSeconds(10);

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private String id = TokenCacheOptions.DEFAULT_UPSTREAM;
  private String tokenUrl;
  private double quotaRps = DEFAULT_QUOTA_RPS;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
  private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  private Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
  private Duration quotaMaxWait = DEFAULT_QUOTA_MAX_WAIT;
  private Duration quotaSafetyMargin = DEFAULT_QUOTA_SAFETY_MARGIN;
  private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
  private int maxQueuedRequests = DEFAULT_MAX_QUEUED_REQUESTS;
  private float breakerFailureRate = DEFAULT_BREAKER_FAILURE_RATE;
  private int breakerWindow = DEFAULT_BREAKER_WINDOW;
  private Duration breakerOpenDuration = DEFAULT_BREAKER_OPEN_DURATION;
  private Duration negativeCacheTtl = DEFAULT_NEGATIVE_CACHE_TTL;
  private Duration maxHoldBack = DEFAULT_MAX_HOLD_BACK;
  private double knownShare = DEFAULT_KNOWN_SHARE;
  private double unknownShare = DEFAULT_UNKNOWN_SHARE;
  private double passThroughShare = DEFAULT_PASS_THROUGH_SHARE;
  private double clientShare = DEFAULT_CLIENT_SHARE;
  private int maxKeysPerClient = DEFAULT_MAX_KEYS_PER_CLIENT;
  private Duration unknownSecretInterval = DEFAULT_UNKNOWN_SECRET_INTERVAL;

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
    this.maxAttempts = other.maxAttempts;
    this.initialBackoff = other.initialBackoff;
    this.maxBackoff = other.maxBackoff;
    this.fetchTimeout = other.fetchTimeout;
    this.quotaMaxWait = other.quotaMaxWait;
    this.quotaSafetyMargin = other.quotaSafetyMargin;
    this.maxConcurrentRequests = other.maxConcurrentRequests;
    this.maxQueuedRequests = other.maxQueuedRequests;
    this.breakerFailureRate = other.breakerFailureRate;
    this.breakerWindow = other.breakerWindow;
    this.breakerOpenDuration = other.breakerOpenDuration;
    this.negativeCacheTtl = other.negativeCacheTtl;
    this.maxHoldBack = other.maxHoldBack;
    this.knownShare = other.knownShare;
    this.unknownShare = other.unknownShare;
    this.passThroughShare = other.passThroughShare;
    this.clientShare = other.clientShare;
    this.maxKeysPerClient = other.maxKeysPerClient;
    this.unknownSecretInterval = other.unknownSecretInterval;
  }

  /**
   * From JSON: {@code id}, {@code tokenUrl}, {@code quotaRps}, {@code connectTimeout}, {@code requestTimeout}
   * (durations as in {@link Durations#parse}), {@code maxConnections}, {@code maxAttempts},
   * {@code initialBackoff}, {@code maxBackoff}, {@code fetchTimeout}, {@code quotaMaxWait},
   * {@code quotaSafetyMargin}, {@code maxConcurrentRequests}, {@code maxQueuedRequests},
   * {@code breakerFailureRate}, {@code breakerWindow},
   * {@code breakerOpenDuration}, {@code negativeCacheTtl}, {@code maxHoldBack}, {@code knownShare},
   * {@code unknownShare}, {@code passThroughShare}, {@code clientShare}, {@code maxKeysPerClient},
   * {@code unknownSecretInterval}.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public UpstreamOptions(JsonObject json) {
    this(new JsonSettings(json));
  }

  /**
   * From settings read at some path of a configuration file (see {@link #UpstreamOptions(JsonObject)}): errors name
   * the setting's full path.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public UpstreamOptions(JsonSettings s) {
    this();
    s.read("id", s::string, this::setId);
    s.read("tokenUrl", s::string, this::setTokenUrl);
    s.read("quotaRps", s::number, this::setQuotaRps);
    s.read("connectTimeout", s::duration, this::setConnectTimeout);
    s.read("requestTimeout", s::duration, this::setRequestTimeout);
    s.read("maxConnections", s::integer, this::setMaxConnections);
    s.read("maxAttempts", s::integer, this::setMaxAttempts);
    s.read("initialBackoff", s::duration, this::setInitialBackoff);
    s.read("maxBackoff", s::duration, this::setMaxBackoff);
    s.read("fetchTimeout", s::duration, this::setFetchTimeout);
    s.read("quotaMaxWait", s::duration, this::setQuotaMaxWait);
    s.read("quotaSafetyMargin", s::duration, this::setQuotaSafetyMargin);
    s.read("maxConcurrentRequests", s::integer, this::setMaxConcurrentRequests);
    s.read("maxQueuedRequests", s::integer, this::setMaxQueuedRequests);
    s.read("breakerFailureRate", s::number, v -> setBreakerFailureRate(v.floatValue()));
    s.read("breakerWindow", s::integer, this::setBreakerWindow);
    s.read("breakerOpenDuration", s::duration, this::setBreakerOpenDuration);
    s.read("negativeCacheTtl", s::duration, this::setNegativeCacheTtl);
    s.read("maxHoldBack", s::duration, this::setMaxHoldBack);
    if (s.has("knownShare") || s.has("unknownShare") || s.has("passThroughShare")) {
      double known = s.has("knownShare") ? s.number("knownShare") : knownShare;
      double unknown = s.has("unknownShare") ? s.number("unknownShare") : unknownShare;
      double passing = s.has("passThroughShare") ? s.number("passThroughShare") : passThroughShare;
      // the shares are checked together: an error names the first one set
      String first = s.has("knownShare") ? "knownShare" : s.has("unknownShare") ? "unknownShare" : "passThroughShare";
      s.read(first, k -> known, v -> setLaneShares(known, unknown, passing));
    }
    s.read("clientShare", s::number, this::setClientShare);
    s.read("maxKeysPerClient", s::integer, this::setMaxKeysPerClient);
    s.read("unknownSecretInterval", s::duration, this::setUnknownSecretInterval);
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

  /**
   * Cluster-wide budget of upstream requests per second: at most this many in any window of 1 s plus the safety
   * margin, shared by the lanes.
   */
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

  /** Attempts per fetch, the first included (retries on 429, 5xx, timeouts and connection errors). */
  public int getMaxAttempts() {
    return maxAttempts;
  }

  /** Sets the attempts; 1 to 10. */
  public UpstreamOptions setMaxAttempts(int maxAttempts) {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("maxAttempts must be from 1 to 10, was " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    return this;
  }

  /** First back-off between attempts; doubled each attempt, with jitter, never below a {@code Retry-After}. */
  public Duration getInitialBackoff() {
    return initialBackoff;
  }

  /** Sets the first back-off; positive. */
  public UpstreamOptions setInitialBackoff(Duration initialBackoff) {
    this.initialBackoff = Durations.positive("initialBackoff", initialBackoff);
    return this;
  }

  /** Longest back-off between attempts. */
  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  /** Sets the longest back-off; positive. */
  public UpstreamOptions setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = Durations.positive("maxBackoff", maxBackoff);
    return this;
  }

  /** Bound on one whole fetch (quota wait, every attempt and back-off); past it the caller gets 503. */
  public Duration getFetchTimeout() {
    return fetchTimeout;
  }

  /** Sets the fetch bound; positive. */
  public UpstreamOptions setFetchTimeout(Duration fetchTimeout) {
    this.fetchTimeout = Durations.positive("fetchTimeout", fetchTimeout);
    return this;
  }

  /**
   * Longest a fetch waits for a slot in the upstream's budget; beyond it the caller gets 503 at once. The same
   * bound (never past {@link #getFetchTimeout()}) applies to a wait in the queue for one of the
   * {@link #getMaxConcurrentRequests()}.
   */
  public Duration getQuotaMaxWait() {
    return quotaMaxWait;
  }

  /** Sets the quota wait bound; zero or positive. */
  public UpstreamOptions setQuotaMaxWait(Duration quotaMaxWait) {
    this.quotaMaxWait = Durations.nonNegative("quotaMaxWait", quotaMaxWait);
    return this;
  }

  /** Added to the budget's window so timing jitter cannot put two windows' requests into one IdP second. */
  public Duration getQuotaSafetyMargin() {
    return quotaSafetyMargin;
  }

  /** Sets the safety margin; zero or positive, under 1 s. */
  public UpstreamOptions setQuotaSafetyMargin(Duration quotaSafetyMargin) {
    Durations.nonNegative("quotaSafetyMargin", quotaSafetyMargin);
    if (quotaSafetyMargin.toMillis() >= 1000) {
      throw new IllegalArgumentException("quotaSafetyMargin must be under 1s, was " + quotaSafetyMargin);
    }
    this.quotaSafetyMargin = quotaSafetyMargin;
    return this;
  }

  /**
   * Upstream requests one member runs at once (a bulkhead), and never more than {@link #getMaxConnections()}: a
   * request holding a permit has a connection to send on when its budget slot comes due; more wait in a queue of
   * {@link #getMaxQueuedRequests()}, each for at most {@link #getQuotaMaxWait()}.
   */
  public int getMaxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /** Sets the bulkhead size; at least 1. */
  public UpstreamOptions setMaxConcurrentRequests(int maxConcurrentRequests) {
    if (maxConcurrentRequests < 1) {
      throw new IllegalArgumentException("maxConcurrentRequests must be at least 1, was " + maxConcurrentRequests);
    }
    this.maxConcurrentRequests = maxConcurrentRequests;
    return this;
  }

  /**
   * Upstream requests one member keeps waiting, first come first served, while all of its
   * {@link #getMaxConcurrentRequests()} are in progress. A request beyond it, or one that waited
   * {@link #getQuotaMaxWait()} (or until its {@link #getFetchTimeout()}) without its turn, gets 503 with
   * {@code Retry-After}. Zero: no queue, refused at once.
   */
  public int getMaxQueuedRequests() {
    return maxQueuedRequests;
  }

  /** Sets the queue bound; zero or positive. */
  public UpstreamOptions setMaxQueuedRequests(int maxQueuedRequests) {
    if (maxQueuedRequests < 0) {
      throw new IllegalArgumentException("maxQueuedRequests must be zero or positive, was " + maxQueuedRequests);
    }
    this.maxQueuedRequests = maxQueuedRequests;
    return this;
  }

  /** Failure rate in percent (5xx, timeouts, connection errors) that opens the circuit breaker. */
  public float getBreakerFailureRate() {
    return breakerFailureRate;
  }

  /** Sets the failure rate threshold; in (0, 100]. */
  public UpstreamOptions setBreakerFailureRate(float breakerFailureRate) {
    if (!(breakerFailureRate > 0 && breakerFailureRate <= 100)) {
      throw new IllegalArgumentException("breakerFailureRate must be in (0, 100], was " + breakerFailureRate);
    }
    this.breakerFailureRate = breakerFailureRate;
    return this;
  }

  /** Calls in the breaker's sliding window; the rate counts once a quarter of them (at least 2) is in. */
  public int getBreakerWindow() {
    return breakerWindow;
  }

  /** Sets the breaker window; at least 2. */
  public UpstreamOptions setBreakerWindow(int breakerWindow) {
    if (breakerWindow < 2) {
      throw new IllegalArgumentException("breakerWindow must be at least 2, was " + breakerWindow);
    }
    this.breakerWindow = breakerWindow;
    return this;
  }

  /** How long an open breaker refuses calls (cluster-wide) before it lets one probe through. */
  public Duration getBreakerOpenDuration() {
    return breakerOpenDuration;
  }

  /** Sets the open duration; positive. */
  public UpstreamOptions setBreakerOpenDuration(Duration breakerOpenDuration) {
    this.breakerOpenDuration = Durations.positive("breakerOpenDuration", breakerOpenDuration);
    return this;
  }

  /** How long an upstream {@code invalid_client}/{@code unauthorized_client} answer is replayed without calling. */
  public Duration getNegativeCacheTtl() {
    return negativeCacheTtl;
  }

  /** Sets the negative-cache time; zero turns negative caching off. */
  public UpstreamOptions setNegativeCacheTtl(Duration negativeCacheTtl) {
    this.negativeCacheTtl = Durations.nonNegative("negativeCacheTtl", negativeCacheTtl);
    return this;
  }

  /**
   * The longest an upstream {@code Retry-After}, or a breaker that opened, holds the cluster's budget back; also
   * caps the {@code Retry-After} of a retry and the hold a member finds left by another member.
   */
  public Duration getMaxHoldBack() {
    return maxHoldBack;
  }

  /** Sets the maximum hold-back; positive. */
  public UpstreamOptions setMaxHoldBack(Duration maxHoldBack) {
    this.maxHoldBack = Durations.positive("maxHoldBack", maxHoldBack);
    return this;
  }

  /** Share of every budget window that first fetches with known credentials and the lanes below may use. */
  public double getKnownShare() {
    return knownShare;
  }

  /** Share of every window that first fetches with unknown credentials and pass-through grants may use. */
  public double getUnknownShare() {
    return unknownShare;
  }

  /** Share of every window that pass-through grants may use. */
  public double getPassThroughShare() {
    return passThroughShare;
  }

  /**
   * Sets the lanes' shares of every budget window (each counts its lane and the lanes below it); refreshes may
   * use the whole window, and always have {@code 1 - knownShare} of it to themselves.
   *
   * @throws IllegalArgumentException unless {@code 0 < passThrough <= unknown <= known <= 1}
   */
  public UpstreamOptions setLaneShares(double known, double unknown, double passThrough) {
    if (!(passThrough > 0 && passThrough <= unknown && unknown <= known && known <= 1)) {
      throw new IllegalArgumentException("lane shares must satisfy 0 < passThroughShare <= unknownShare <= "
        + "knownShare <= 1, were " + known + ", " + unknown + ", " + passThrough);
    }
    this.knownShare = known;
    this.unknownShare = unknown;
    this.passThroughShare = passThrough;
    return this;
  }

  /**
   * The most one client id may hold of its lane's windows while another client id asks in the lane too (outside
   * refreshes; always at least one request). Alone in its lane, a client id may use all of it.
   */
  public double getClientShare() {
    return clientShare;
  }

  /** Sets the client share; in (0, 1]. */
  public UpstreamOptions setClientShare(double clientShare) {
    if (!(clientShare > 0 && clientShare <= 1)) {
      throw new IllegalArgumentException("clientShare must be in (0, 1], was " + clientShare);
    }
    this.clientShare = clientShare;
    return this;
  }

  /**
   * Distinct cache keys one client id may hold at once (its tokens cached or being fetched); a miss for one more
   * is answered {@code 400 invalid_request}.
   */
  public int getMaxKeysPerClient() {
    return maxKeysPerClient;
  }

  /** Sets the key bound; at least 1. */
  public UpstreamOptions setMaxKeysPerClient(int maxKeysPerClient) {
    if (maxKeysPerClient < 1) {
      throw new IllegalArgumentException("maxKeysPerClient must be at least 1, was " + maxKeysPerClient);
    }
    this.maxKeysPerClient = maxKeysPerClient;
    return this;
  }

  /**
   * Secrets of a client id not seen accepted are tried upstream one at a time, cluster-wide (another one meanwhile
   * is answered {@code 503}, retry shortly). After the upstream refused one (for an hour after the last refusal),
   * at most one per this interval; others are answered {@code 401 invalid_client} without calling. A rotated,
   * correct secret gets through at its turn.
   */
  public Duration getUnknownSecretInterval() {
    return unknownSecretInterval;
  }

  /** Sets the interval; positive. */
  public UpstreamOptions setUnknownSecretInterval(Duration unknownSecretInterval) {
    this.unknownSecretInterval = Durations.positive("unknownSecretInterval", unknownSecretInterval);
    return this;
  }

  /** Checks that the options are complete and consistent. */
  public void validate() {
    if (tokenUrl == null) {
      throw new IllegalArgumentException("upstream '" + id + "': tokenUrl is required");
    }
    if (breakerOpenDuration.compareTo(maxHoldBack) > 0) {
      throw new IllegalArgumentException("upstream '" + id + "': breakerOpenDuration (" + Durations.format(breakerOpenDuration)
        + ") must not exceed maxHoldBack (" + Durations.format(maxHoldBack) + ")");
    }
    if (quotaMaxWait.compareTo(maxHoldBack) > 0) {
      // the budget drops reservations further ahead than maxHoldBack (they can only be forged or skewed)
      throw new IllegalArgumentException("upstream '" + id + "': quotaMaxWait (" + Durations.format(quotaMaxWait)
        + ") must not exceed maxHoldBack (" + Durations.format(maxHoldBack) + ")");
    }
  }

  /** These options as JSON, readable by {@link #UpstreamOptions(JsonObject)}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("quotaRps", quotaRps)
      .put("connectTimeout", Durations.format(connectTimeout))
      .put("requestTimeout", Durations.format(requestTimeout))
      .put("maxConnections", maxConnections)
      .put("maxAttempts", maxAttempts)
      .put("initialBackoff", Durations.format(initialBackoff))
      .put("maxBackoff", Durations.format(maxBackoff))
      .put("fetchTimeout", Durations.format(fetchTimeout))
      .put("quotaMaxWait", Durations.format(quotaMaxWait))
      .put("quotaSafetyMargin", Durations.format(quotaSafetyMargin))
      .put("maxConcurrentRequests", maxConcurrentRequests)
      .put("maxQueuedRequests", maxQueuedRequests)
      .put("breakerFailureRate", breakerFailureRate)
      .put("breakerWindow", breakerWindow)
      .put("breakerOpenDuration", Durations.format(breakerOpenDuration))
      .put("negativeCacheTtl", Durations.format(negativeCacheTtl))
      .put("maxHoldBack", Durations.format(maxHoldBack))
      .put("knownShare", knownShare)
      .put("unknownShare", unknownShare)
      .put("passThroughShare", passThroughShare)
      .put("clientShare", clientShare)
      .put("maxKeysPerClient", maxKeysPerClient)
      .put("unknownSecretInterval", Durations.format(unknownSecretInterval));
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
