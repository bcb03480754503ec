package io.tokencache.impl;

import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.impl.upstream.ResilientUpstream;
import io.tokencache.impl.upstream.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Calls an upstream and turns its answer into a {@link CachedToken} or a {@link TokenCacheException}:
 * its own 4xx passed through, everything else that is not a token a 503 with {@code Retry-After}.
 */
final class UpstreamFetcher {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamFetcher.class);

  private final Clock clock;
  private final CacheKeys keys;
  private final ExpiryPolicy expiry;

  UpstreamFetcher(Clock clock, CacheKeys keys, ExpiryPolicy expiry) {
    this.clock = clock;
    this.keys = keys;
    this.expiry = expiry;
  }

  /** One upstream token request; the result is not stored. */
  Future<CachedToken> fetch(ResilientUpstream upstream, TokenRequest request) {
    long issuedAt = clock.millis();
    return upstream.requestToken(request)
      .recover(err -> Future.failedFuture(unreachable(upstream, err)))
      .compose(resp -> resp.statusCode() == 200
        ? Future.succeededFuture(parse(upstream, request, resp, issuedAt))
        : Future.failedFuture(rejection(upstream, resp)));
  }

  /** Forwards a pass-through request; the upstream's 2xx-4xx answers come back as they are. */
  Future<TokenResponse> passThrough(ResilientUpstream upstream, TokenRequest request) {
    return upstream.forward(request)
      .recover(err -> Future.failedFuture(unreachable(upstream, err)))
      .compose(resp -> {
        if (resp.statusCode() >= 500 || resp.statusCode() == 429) {
          return Future.failedFuture(rejection(upstream, resp));
        }
        return Future.succeededFuture(TokenResponse.passThrough(resp.statusCode(), resp.contentType(), resp.body()));
      });
  }

  private CachedToken parse(ResilientUpstream upstream, TokenRequest request, UpstreamResponse resp, long issuedAt) {
    JsonObject json;
    try {
      json = new JsonObject(resp.body());
    } catch (RuntimeException e) {
      throw TokenCacheException.temporarilyUnavailable("the upstream identity provider sent an unreadable answer", 1);
    }
    try {
      return expiry.toCachedToken(json, issuedAt, keys.clientTagOf(request.upstream(), request.clientId()));
    } catch (IllegalArgumentException e) {
      LOG.warn("upstream '{}' answered 200 without a usable token: {}", upstream.options().getId(), e.getMessage());
      throw TokenCacheException.temporarilyUnavailable("the upstream identity provider sent no access token", 1);
    }
  }

  private TokenCacheException rejection(ResilientUpstream upstream, UpstreamResponse resp) {
    int status = resp.statusCode();
    if (status >= 400 && status < 500 && status != 429) {
      return TokenCacheException.upstreamRejected(status, resp.body(), resp.contentType());
    }
    LOG.warn("upstream '{}' answered {}", upstream.options().getId(), status);
    long retryAfter = RetryAfter.seconds(resp.retryAfter(), clock.millis(), 1);
    return TokenCacheException.temporarilyUnavailable(
      "the upstream identity provider is unavailable (" + status + ")", retryAfter);
  }

  private TokenCacheException unreachable(ResilientUpstream upstream, Throwable err) {
    if (err instanceof TokenCacheException) {
      return (TokenCacheException) err;
    }
    LOG.warn("upstream '{}' unreachable: {}", upstream.options().getId(), err.toString());
    return TokenCacheException.temporarilyUnavailable("the upstream identity provider could not be reached", 1);
  }
}
