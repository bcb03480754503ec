package io.tokencache;

import io.tokencache.cluster.ClusterOptions;
import io.tokencache.config.JsonSettings;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * Settings of a {@link TokenCacheVerticle}: the cache's {@link TokenCacheOptions}, optional {@link ClusterOptions}
 * and the event-bus address its consumer listens on.
 *
 * <p>Follows the Vert.x options style: {@code DEFAULT_*} constants, validating fluent setters (an
 * {@link IllegalArgumentException} names the setting that is wrong), a {@link JsonObject} constructor and
 * {@link #toJson()}. The JSON form is what a verticle deployed with {@code new DeploymentOptions().setConfig(json)}
 * reads:
 *
 * <pre>{@code
 * {
 *   "address": "token-cache",
 *   "localOnly": true,
 *   "cache": { "upstreams": [ { "id": "default", "tokenUrl": "https://idp.example.com/oauth2/token" } ] },
 *   "cluster": { "clusterName": "token-cache", "port": 5701, "members": ["10.0.0.1:5701"], "encryptionKey": "..." }
 * }
 * }</pre>
 *
 * <p>Like {@link ClusterOptions#toJson()}, {@link #toJson()} never contains the cluster's encryption key: a
 * configuration written from it must have the key added back (from a secret store, not a file in version
 * control). The cache's clock and meter registry are not part of the JSON form either.
 */
public class TokenCacheVerticleOptions {

  /** The event-bus address the verticle's consumer listens on: {@value}. */
  public static final String DEFAULT_ADDRESS = "token-cache";

  /**
   * Whether the consumer is registered on this Vert.x instance only ({@value}): requests from this member's
   * verticles are answered by this member's cache, and client secrets never cross the network on the event bus.
   */
  public static final boolean DEFAULT_LOCAL_ONLY = true;

  private TokenCacheOptions cacheOptions = new TokenCacheOptions();
  private ClusterOptions clusterOptions;
  private String address = DEFAULT_ADDRESS;
  private boolean localOnly = DEFAULT_LOCAL_ONLY;

  /** Defaults: no upstream (set one before deploying), no cluster options, address {@value #DEFAULT_ADDRESS}. */
  public TokenCacheVerticleOptions() {
  }

  /** A copy (the cache and cluster options are copied too, encryption key included). */
  public TokenCacheVerticleOptions(TokenCacheVerticleOptions other) {
    this.cacheOptions = new TokenCacheOptions(other.cacheOptions);
    this.clusterOptions = other.clusterOptions == null ? null : new ClusterOptions(other.clusterOptions);
    this.address = other.address;
    this.localOnly = other.localOnly;
  }

  /**
   * From JSON: {@code cache} (a {@link TokenCacheOptions} object), {@code cluster} (a {@link ClusterOptions}
   * object, encryption key included), {@code address}, {@code localOnly}.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public TokenCacheVerticleOptions(JsonObject json) {
    this();
    JsonSettings s = new JsonSettings(Objects.requireNonNull(json, "json"));
    if (s.has("cache")) {
      setCacheOptions(new TokenCacheOptions(s.section("cache")));
    }
    if (s.has("cluster")) {
      setClusterOptions(new ClusterOptions(s.section("cluster")));
    }
    s.read("address", s::string, this::setAddress);
    if (s.has("localOnly")) {
      setLocalOnly(s.bool("localOnly", DEFAULT_LOCAL_ONLY));
    }
  }

  /** The cache's settings: upstreams and expiry policy. */
  public TokenCacheOptions getCacheOptions() {
    return cacheOptions;
  }

  /** Sets the cache's settings; not {@code null}. They are checked when the verticle starts. */
  public TokenCacheVerticleOptions setCacheOptions(TokenCacheOptions cacheOptions) {
    if (cacheOptions == null) {
      throw new IllegalArgumentException("cacheOptions must not be null");
    }
    this.cacheOptions = cacheOptions;
    return this;
  }

  /**
   * The cluster's settings, or {@code null}. When set and the verticle's Vert.x is clustered with Hazelcast, the
   * cache shares tokens, fetch leases and the upstream budget with every member
   * ({@link TokenCache#createClustered}); otherwise the cache is local to this Vert.x instance
   * ({@link TokenCache#create}).
   */
  public ClusterOptions getClusterOptions() {
    return clusterOptions;
  }

  /**
   * Sets the cluster's settings: the same cluster name, members and encryption key the Vert.x instance was started
   * with by {@link io.tokencache.cluster.TokenCacheCluster#startClusteredVertx}; {@code null} for a local cache.
   */
  public TokenCacheVerticleOptions setClusterOptions(ClusterOptions clusterOptions) {
    this.clusterOptions = clusterOptions;
    return this;
  }

  /** The event-bus address the verticle answers token requests on. */
  public String getAddress() {
    return address;
  }

  /** Sets the event-bus address; not empty. */
  public TokenCacheVerticleOptions setAddress(String address) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("address must not be empty");
    }
    this.address = address;
    return this;
  }

  /**
   * Whether the event-bus consumer is registered on this Vert.x instance only (default {@value #DEFAULT_LOCAL_ONLY}).
   * With {@code false} on a clustered Vert.x, any member's verticles can ask this member for tokens, and Vert.x
   * spreads requests over every member that registered the address: client secrets then travel on the
   * cluster's event bus, which must be on a trusted network or encrypted
   * ({@link io.vertx.core.eventbus.EventBusOptions#setSsl}).
   */
  public boolean isLocalOnly() {
    return localOnly;
  }

  /** Sets whether the consumer is local to this Vert.x instance; see {@link #isLocalOnly()}. */
  public TokenCacheVerticleOptions setLocalOnly(boolean localOnly) {
    this.localOnly = localOnly;
    return this;
  }

  /**
   * Checks the options as a whole (the cache options' {@link TokenCacheOptions#validate()} and the cluster options'
   * {@link ClusterOptions#validate()}).
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public void validate() {
    cacheOptions.validate();
    if (clusterOptions != null) {
      clusterOptions.validate();
    }
  }

  /**
   * These options as JSON, readable by {@link #TokenCacheVerticleOptions(JsonObject)}; without the cluster's
   * encryption key, the cache's clock and its meter registry.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("address", address)
      .put("localOnly", localOnly)
      .put("cache", cacheOptions.toJson());
    if (clusterOptions != null) {
      json.put("cluster", clusterOptions.toJson());
    }
    return json;
  }

  /** The JSON form, which never contains the encryption key. */
  @Override
  public String toString() {
    return toJson().encode();
  }
}
