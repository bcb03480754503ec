package io.tokencache.fakeidp;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Settings of a {@link FakeIdp}, in the style of Vert.x options: {@code DEFAULT_*} constants,
 * fluent setters that validate their argument (throwing {@link IllegalArgumentException}), a
 * {@link #FakeIdpOptions(JsonObject) JSON constructor} and {@link #toJson()}.
 *
 * <p>JSON keys: {@code host}, {@code port}, {@code quotaRps}, {@code burst} (absent: follows the
 * quota), {@code tokenLifetimeSeconds}, {@code includeExpiresIn}, {@code latencyMs},
 * {@code issueRefreshTokens}, {@code randomSignatures}, {@code clients} (object of client id to secret),
 * {@code dynamicClients}, {@code issuer}. Note that {@link #toJson()} contains the client secrets:
 * never log it.
 */
public class FakeIdpOptions {

  /** Default listen address: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default port: 0, a free port is chosen when the server binds. */
  public static final int DEFAULT_PORT = 0;
  /** Default quota: 10 token requests per second (Auth0's free-plan order of magnitude). */
  public static final double DEFAULT_QUOTA_RPS = 10;
  /** Default token lifetime, the {@code expires_in} answered: one hour. */
  public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(3600);
  /** By default answers carry {@code expires_in}. */
  public static final boolean DEFAULT_INCLUDE_EXPIRES_IN = true;
  /** Default delay before answering a token request: none. */
  public static final Duration DEFAULT_LATENCY = Duration.ZERO;
  /** By default client-credentials answers carry no refresh token. */
  public static final boolean DEFAULT_ISSUE_REFRESH_TOKENS = false;
  /** By default only clients added with {@link #addClient(String, String)} exist. */
  public static final boolean DEFAULT_DYNAMIC_CLIENTS = false;
  /** Default {@code iss} claim. */
  public static final String DEFAULT_ISSUER = "http://fake-idp.local/";
  /** Client ids accepted when {@link #setDynamicClients(boolean) dynamic clients} are on. */
  public static final Pattern DYNAMIC_CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  /** A dynamic client's secret is its id followed by this suffix. */
  public static final String DYNAMIC_CLIENT_SECRET_SUFFIX = "-secret";

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private double quotaRps = DEFAULT_QUOTA_RPS;
  private Double burst;
  private Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;
  private boolean includeExpiresIn = DEFAULT_INCLUDE_EXPIRES_IN;
  private Duration latency = DEFAULT_LATENCY;
  private boolean issueRefreshTokens = DEFAULT_ISSUE_REFRESH_TOKENS;
  private boolean randomSignatures;
  /** Synchronised: a running IdP's secrets can be rotated ({@link FakeIdp#rotateSecret}) while it serves. */
  private final Map<String, String> clients = Collections.synchronizedMap(new LinkedHashMap<>());
  private boolean dynamicClients = DEFAULT_DYNAMIC_CLIENTS;
  private String issuer = DEFAULT_ISSUER;

  /** Options with every default and no client. */
  public FakeIdpOptions() {}

  /**
   * Copy constructor.
   *
   * @param other the options to copy
   */
  public FakeIdpOptions(FakeIdpOptions other) {
    this.host = other.host;
    this.port = other.port;
    this.quotaRps = other.quotaRps;
    this.burst = other.burst;
    this.tokenLifetime = other.tokenLifetime;
    this.includeExpiresIn = other.includeExpiresIn;
    this.latency = other.latency;
    this.issueRefreshTokens = other.issueRefreshTokens;
    this.randomSignatures = other.randomSignatures;
    this.clients.putAll(other.clients);
    this.dynamicClients = other.dynamicClients;
    this.issuer = other.issuer;
  }

  /**
   * Reads options from JSON (keys as in the class comment); absent keys keep their default.
   *
   * @param json the options
   * @throws IllegalArgumentException if a value is out of range
   */
  public FakeIdpOptions(JsonObject json) {
    setHost(json.getString("host", DEFAULT_HOST));
    setPort(json.getInteger("port", DEFAULT_PORT));
    setQuotaRps(json.getDouble("quotaRps", DEFAULT_QUOTA_RPS));
    if (json.getValue("burst") != null) {
      setBurst(json.getDouble("burst"));
    }
    setTokenLifetime(Duration.ofSeconds(
        json.getLong("tokenLifetimeSeconds", DEFAULT_TOKEN_LIFETIME.toSeconds())));
    setIncludeExpiresIn(json.getBoolean("includeExpiresIn", DEFAULT_INCLUDE_EXPIRES_IN));
    setLatency(Duration.ofMillis(json.getLong("latencyMs", DEFAULT_LATENCY.toMillis())));
    setIssueRefreshTokens(json.getBoolean("issueRefreshTokens", DEFAULT_ISSUE_REFRESH_TOKENS));
    setRandomSignatures(json.getBoolean("randomSignatures", false));
    JsonObject clientsJson = json.getJsonObject("clients", new JsonObject());
    for (String id : clientsJson.fieldNames()) {
      addClient(id, clientsJson.getString(id));
    }
    setDynamicClients(json.getBoolean("dynamicClients", DEFAULT_DYNAMIC_CLIENTS));
    setIssuer(json.getString("issuer", DEFAULT_ISSUER));
  }

  /**
   * @return these options as JSON; {@code burst} only when set explicitly. Contains the client
   *     secrets.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("quotaRps", quotaRps);
    if (burst != null) {
      json.put("burst", burst);
    }
    JsonObject clientsJson = new JsonObject();
    clients.forEach(clientsJson::put);
    return json
        .put("tokenLifetimeSeconds", tokenLifetime.toSeconds())
        .put("includeExpiresIn", includeExpiresIn)
        .put("latencyMs", latency.toMillis())
        .put("issueRefreshTokens", issueRefreshTokens)
        .put("randomSignatures", randomSignatures)
        .put("clients", clientsJson)
        .put("dynamicClients", dynamicClients)
        .put("issuer", issuer);
  }

  /** @return the listen address */
  public String getHost() {
    return host;
  }

  /**
   * @param host the listen address, not blank
   * @return this
   */
  public FakeIdpOptions setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    this.host = host;
    return this;
  }

  /** @return the listen port; 0 picks a free port at bind time */
  public int getPort() {
    return port;
  }

  /**
   * @param port 0 (pick a free port at bind time) to 65535
   * @return this
   */
  public FakeIdpOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    this.port = port;
    return this;
  }

  /** @return token requests per second the bucket refills; &lt;= 0 means unlimited */
  public double getQuotaRps() {
    return quotaRps;
  }

  /**
   * @param quotaRps token requests per second the bucket refills, finite; &lt;= 0 means unlimited
   * @return this
   */
  public FakeIdpOptions setQuotaRps(double quotaRps) {
    if (Double.isNaN(quotaRps) || Double.isInfinite(quotaRps)) {
      throw new IllegalArgumentException("quotaRps must be finite (<= 0 for unlimited), was " + quotaRps);
    }
    this.quotaRps = quotaRps;
    return this;
  }

  /**
   * @return the bucket's capacity: the value set with {@link #setBurst(double)}, else one second of
   *     budget ({@code quotaRps}), but never less than 1 so that a sub-1 rps quota still admits
   */
  public double getBurst() {
    return burst != null ? burst : defaultBurst(quotaRps);
  }

  /** @return whether the burst was set explicitly rather than following the quota */
  public boolean isBurstSet() {
    return burst != null;
  }

  /**
   * @param burst the bucket's capacity, finite and &gt;= 1
   * @return this
   */
  public FakeIdpOptions setBurst(double burst) {
    if (!(burst >= 1) || Double.isInfinite(burst)) {
      throw new IllegalArgumentException("burst must be finite and >= 1, was " + burst);
    }
    this.burst = burst;
    return this;
  }

  /** @return the lifetime of issued tokens ({@code expires_in}, JWT {@code exp - iat}) */
  public Duration getTokenLifetime() {
    return tokenLifetime;
  }

  /**
   * @param tokenLifetime a whole number of seconds, at least 1 ({@code expires_in} and the JWT
   *     {@code exp} are whole seconds)
   * @return this
   */
  public FakeIdpOptions setTokenLifetime(Duration tokenLifetime) {
    validateLifetime(tokenLifetime);
    this.tokenLifetime = tokenLifetime;
    return this;
  }

  /** @return whether answers carry {@code expires_in} */
  public boolean isIncludeExpiresIn() {
    return includeExpiresIn;
  }

  /**
   * @param includeExpiresIn false to omit {@code expires_in}, so clients must read the JWT
   *     {@code exp}
   * @return this
   */
  public FakeIdpOptions setIncludeExpiresIn(boolean includeExpiresIn) {
    this.includeExpiresIn = includeExpiresIn;
    return this;
  }

  /** @return the delay before answering each token request */
  public Duration getLatency() {
    return latency;
  }

  /**
   * @param latency delay before answering each token request, &gt;= 0, millisecond resolution
   * @return this
   */
  public FakeIdpOptions setLatency(Duration latency) {
    validateLatency(latency);
    this.latency = latency;
    return this;
  }

  /** @return whether client-credentials answers carry a {@code refresh_token} */
  public boolean isIssueRefreshTokens() {
    return issueRefreshTokens;
  }

  /**
   * @param issueRefreshTokens true to add a {@code refresh_token} to client-credentials answers
   *     (to check that a cache never stores it)
   * @return this
   */
  public FakeIdpOptions setIssueRefreshTokens(boolean issueRefreshTokens) {
    this.issueRefreshTokens = issueRefreshTokens;
    return this;
  }

  /** @return whether tokens carry random bytes where the RS256 signature goes */
  public boolean isRandomSignatures() {
    return randomSignatures;
  }

  /**
   * @param randomSignatures true to put 256 random bytes where the RS256 signature goes: tokens of the same shape
   *     and size, without the RSA cost, for benchmarks that fill a cache with many tokens or share the IdP's CPU
   *     with the load (a cache never verifies the signature; the JWKS then verifies none)
   * @return this
   */
  public FakeIdpOptions setRandomSignatures(boolean randomSignatures) {
    this.randomSignatures = randomSignatures;
    return this;
  }

  /** @return the registered clients, id to secret (unmodifiable view) */
  public Map<String, String> getClients() {
    return Collections.unmodifiableMap(clients);
  }

  /**
   * Registers a client, replacing the secret of an existing one.
   *
   * @param clientId the client id, not empty
   * @param secret its secret, not empty
   * @return this
   */
  public FakeIdpOptions addClient(String clientId, String secret) {
    if (clientId == null || clientId.isEmpty()) {
      throw new IllegalArgumentException("clientId must not be empty");
    }
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("secret of client '" + clientId + "' must not be empty");
    }
    clients.put(clientId, secret);
    return this;
  }

  /**
   * Replaces the registered clients.
   *
   * @param clients client id to secret
   * @return this
   */
  public FakeIdpOptions setClients(Map<String, String> clients) {
    if (clients == null) {
      throw new IllegalArgumentException("clients must not be null");
    }
    Map<String, String> previous = new LinkedHashMap<>(this.clients);
    this.clients.clear();
    try {
      clients.forEach(this::addClient);
    } catch (IllegalArgumentException e) {
      this.clients.clear();
      this.clients.putAll(previous);
      throw e;
    }
    return this;
  }

  /** @return whether any id matching {@link #DYNAMIC_CLIENT_ID} is a valid client */
  public boolean isDynamicClients() {
    return dynamicClients;
  }

  /**
   * @param dynamicClients true to accept any client id matching {@link #DYNAMIC_CLIENT_ID} with the
   *     secret {@code clientId + "-secret"} (the load harness uses thousands of clients);
   *     registered clients keep their own secret
   * @return this
   */
  public FakeIdpOptions setDynamicClients(boolean dynamicClients) {
    this.dynamicClients = dynamicClients;
    return this;
  }

  /** @return the {@code iss} claim */
  public String getIssuer() {
    return issuer;
  }

  /**
   * @param issuer the {@code iss} claim, not blank
   * @return this
   */
  public FakeIdpOptions setIssuer(String issuer) {
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalArgumentException("issuer must not be blank");
    }
    this.issuer = issuer;
    return this;
  }

  /**
   * @param clientId a client id
   * @return the secret this client must present, or null when no such client exists
   */
  String expectedSecret(String clientId) {
    String secret = clients.get(clientId);
    if (secret == null && dynamicClients && DYNAMIC_CLIENT_ID.matcher(clientId).matches()) {
      secret = clientId + DYNAMIC_CLIENT_SECRET_SUFFIX;
    }
    return secret;
  }

  /** One second of budget, but at least one token. */
  static double defaultBurst(double quotaRps) {
    return Math.max(1, quotaRps);
  }

  static void validateLifetime(Duration lifetime) {
    if (lifetime == null || lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.getNano() != 0) {
      throw new IllegalArgumentException(
          "tokenLifetime must be a whole number of seconds >= 1 (expires_in and exp are whole seconds), was "
              + lifetime);
    }
  }

  static void validateLatency(Duration latency) {
    if (latency == null || latency.isNegative()) {
      throw new IllegalArgumentException("latency must be >= 0, was " + latency);
    }
  }
}
