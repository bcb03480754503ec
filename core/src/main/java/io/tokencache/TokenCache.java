package io.tokencache;

import io.tokencache.cluster.ClusterOptions;
import io.tokencache.impl.TokenCacheImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The token cache: answers OAuth2 token requests from cache, fetching from the upstream identity
 * provider at most once per key and refresh cycle.
 *
 * <p>Concurrent misses for one key are coalesced into one upstream call; a token past its refresh point
 * is still served while one background refresh replaces it; no token is served with less than the
 * configured minimum lifetime left. Failed fetches are never cached: every waiter gets the error.
 *
 * <p>Instances are thread-safe and meant to be shared by every verticle of a Vert.x instance.
 */
public interface TokenCache {

  /**
   * Creates a cache on this Vert.x instance.
   *
   * @param vertx the Vert.x instance whose event loops and HTTP client the cache uses
   * @param options settings; validated here
   * @return the cache, once it is ready to serve
   */
  static Future<TokenCache> create(Vertx vertx, TokenCacheOptions options) {
    try {
      options.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return TokenCacheImpl.create(vertx, new TokenCacheOptions(options));
  }

  /**
   * Creates a cache that shares tokens, fetch leases and the upstream budget with every member of the
   * Hazelcast cluster behind {@code vertx}: start it with
   * {@link io.tokencache.cluster.TokenCacheCluster#startClusteredVertx}, either on the cluster options or on a
   * {@code HazelcastClusterManager} of your own (whose config starts from {@code HazelcastConfigFactory}'s).
   *
   * @param cluster the cluster's settings; its encryption key encrypts tokens in the distributed map and must
   *     be the same on every member (without one, an ephemeral key is generated: fine for a single member,
   *     refused by any other member)
   * @return the cache; failed if {@code vertx} is not clustered with Hazelcast or this member's key differs
   *     from the cluster's
   */
  static Future<TokenCache> createClustered(Vertx vertx, TokenCacheOptions options, ClusterOptions cluster) {
    try {
      options.validate();
      cluster.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return TokenCacheImpl.createClustered(vertx, new TokenCacheOptions(options), new ClusterOptions(cluster));
  }

  /**
   * Answers a token request.
   *
   * @return the answer, or a failure with a {@link TokenCacheException} telling the status and RFC 6749
   *     error to answer with
   */
  Future<TokenResponse> getToken(TokenRequest request);

  /**
   * Drops the cached token for this request (for example after an API answered 401 with it).
   *
   * @return whether a token was dropped
   */
  Future<Boolean> invalidate(TokenRequest request);

  /**
   * Drops every cached token of a client of an upstream, whatever its secret, scopes or audience, on every
   * member (an administrator's action after rotating a client's secret or revoking its tokens).
   *
   * @return how many tokens were dropped
   */
  Future<Integer> invalidateClient(String upstream, String clientId);

  /** Releases the HTTP client and the store. */
  Future<Void> close();

  /** The state of this cache's upstreams and cluster share now; {@link CacheHealth#UNKNOWN} if it cannot tell. */
  default CacheHealth health() {
    return CacheHealth.UNKNOWN;
  }

  /** What this member has counted since it started; {@link CacheStats#EMPTY} if it cannot tell. */
  default CacheStats stats() {
    return CacheStats.EMPTY;
  }
}
