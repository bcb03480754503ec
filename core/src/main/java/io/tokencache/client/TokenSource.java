package io.tokencache.client;

import io.tokencache.TokenCache;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.eventbus.TokenCacheEventBusClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Objects;

/**
 * Where a {@link BearerTokenClient} gets its tokens: a {@link TokenCache} in the same Vert.x instance
 * ({@link #of(TokenCache)}), or a {@link io.tokencache.TokenCacheVerticle} reached over the event bus
 * ({@link #eventBus(Vertx, String)}, or any {@link TokenCacheEventBusClient}, which is a token source).
 */
public interface TokenSource {

  /**
   * Gets a token for {@code request}.
   *
   * @return the answer, or a failure with a {@link io.tokencache.TokenCacheException} telling the status and RFC 6749
   *     error
   */
  Future<TokenResponse> getToken(TokenRequest request);

  /**
   * Drops the cached token for {@code request}, so that the next {@link #getToken} fetches a fresh one.
   *
   * @return whether a token was dropped
   */
  Future<Boolean> invalidate(TokenRequest request);

  /** A token source answering from {@code cache} directly. */
  static TokenSource of(TokenCache cache) {
    Objects.requireNonNull(cache, "cache");
    return new TokenSource() {
      @Override
      public Future<TokenResponse> getToken(TokenRequest request) {
        return cache.getToken(request);
      }

      @Override
      public Future<Boolean> invalidate(TokenRequest request) {
        return cache.invalidate(request);
      }

      @Override
      public String toString() {
        return "TokenSource.of(" + cache + ")";
      }
    };
  }

  /**
   * A token source asking the {@link io.tokencache.TokenCacheVerticle} listening at {@code address} on this Vert.x
   * instance; the same as {@link TokenCacheEventBusClient#create(Vertx, String)}.
   */
  static TokenSource eventBus(Vertx vertx, String address) {
    return TokenCacheEventBusClient.create(vertx, address);
  }
}
