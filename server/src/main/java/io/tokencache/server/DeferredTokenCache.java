package io.tokencache.server;

import io.tokencache.CacheHealth;
import io.tokencache.CacheStats;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.vertx.core.Future;

/**
 * The node's cache as seen by its HTTP routes while it starts: requests arriving before the cache is ready
 * (or after it failed to start, e.g. with an encryption key the cluster refuses) get 503, not a crash.
 */
final class DeferredTokenCache implements TokenCache {

  private final Future<TokenCache> cache;

  DeferredTokenCache(Future<TokenCache> cache) {
    this.cache = cache;
  }

  /** Why the cache is not ready, or {@code null}. */
  String notReadyReason() {
    if (cache.succeeded()) {
      return null;
    }
    return cache.failed() ? cache.cause().getMessage() : "starting";
  }

  private Future<TokenCache> ready() {
    if (cache.succeeded()) {
      return cache;
    }
    return Future.failedFuture(TokenCacheException.temporarilyUnavailable("this node is not ready: " + notReadyReason(), 5));
  }

  @Override
  public Future<TokenResponse> getToken(TokenRequest request) {
    // every token request passes here: once started, straight to the cache
    return cache.succeeded() ? cache.result().getToken(request) : ready().compose(c -> c.getToken(request));
  }

  @Override
  public Future<Boolean> invalidate(TokenRequest request) {
    return ready().compose(c -> c.invalidate(request));
  }

  @Override
  public Future<Integer> invalidateClient(String upstream, String clientId) {
    return ready().compose(c -> c.invalidateClient(upstream, clientId));
  }

  @Override
  public CacheHealth health() {
    return cache.succeeded() ? cache.result().health() : CacheHealth.UNKNOWN;
  }

  @Override
  public CacheStats stats() {
    return cache.succeeded() ? cache.result().stats() : CacheStats.EMPTY;
  }

  @Override
  public Future<Void> close() {
    return cache.succeeded() ? cache.result().close() : Future.succeededFuture();
  }
}
