package io.tokencache;

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

  /** Releases the HTTP client and the store. */
  Future<Void> close();
}
