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

import io.tokencache.impl.cluster.ClusterClock;

import java.time.Clock;

/**
 * Calls an upstream and classifies its answer once, into a {@link FetchOutcome}: a token, its own 4xx passed
 * through, or unavailable (a 503 with {@code Retry-After}, never longer than the upstream's maximum hold-back).
 */
final class UpstreamFetcher {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamFetcher.class);

  private final Clock clock;
  private final ExpiryPolicy expiry;

  UpstreamFetcher(Clock clock, ExpiryPolicy expiry) {
    this.clock = clock;
    this.expiry = expiry;
  }

  /** One upstream token request in the fetch's lane; the result is not stored. The future never fails. */
  Future<FetchOutcome> fetch(Fetch fetch) {
    long started = ClusterClock.earliestMillis(clock);
    return fetch.upstream.requestToken(fetch.request, fetch.lane(), fetch.clientTag())
      .map(resp -> resp.statusCode() == 200 ? parse(fetch, resp, issuedAt(started, resp)) : classify(fetch.upstream, resp))
      .otherwise(err -> new FetchOutcome.Unavailable(unreachable(fetch.upstream, err)));
  }

  /** Forwards a pass-through request; the upstream's 2xx-4xx answers come back as they are. */
  Future<TokenResponse> passThrough(ResilientUpstream upstream, TokenRequest.PassThrough request, String clientTag) {
    return upstream.forward(request, clientTag)
      .recover(err -> Future.failedFuture(unreachable(upstream, err)))
      .compose(resp -> {
        if (resp.statusCode() >= 500 || resp.statusCode() == 429) {
          return Future.failedFuture(unavailable(upstream, resp));
        }
        return Future.succeededFuture(TokenResponse.passThrough(resp.statusCode(), resp.contentType(), resp.body()));
      });
  }

  /**
   * When the request left, on the token clock's earliest reading: the token's expiry is then never later than the
   * IdP's lifetime from the moment it was asked. Not merely when the fetch began: a wait for a budget slot would eat
   * into a short-lived token's life.
   */
  private long issuedAt(long started, UpstreamResponse resp) {
    long sinceSent = Math.max(0, System.nanoTime() - resp.sentNanos()) / 1_000_000;
    // both are at or before the send; the later is the closer bound
    return Math.max(started, ClusterClock.earliestMillis(clock) - sinceSent);
  }

  private FetchOutcome parse(Fetch fetch, UpstreamResponse resp, long issuedAt) {
    JsonObject json;
    try {
      json = new JsonObject(resp.body());
    } catch (RuntimeException e) {
      return new FetchOutcome.Unavailable(
        TokenCacheException.temporarilyUnavailable("the upstream identity provider sent an unreadable answer", 1));
    }
    try {
      return new FetchOutcome.Issued(expiry.toCachedToken(json, issuedAt, fetch.clientTag()));
    } catch (IllegalArgumentException e) {
      LOG.warn("upstream '{}' answered 200 without a usable token: {}", fetch.upstream.options().getId(), e.getMessage());
      return new FetchOutcome.Unavailable(
        TokenCacheException.temporarilyUnavailable("the upstream identity provider sent no access token", 1));
    }
  }

  private FetchOutcome classify(ResilientUpstream upstream, UpstreamResponse resp) {
    int status = resp.statusCode();
    if (status >= 400 && status < 500 && status != 429) {
      return new FetchOutcome.Refused(TokenCacheException.upstreamRejected(status, resp.body(), resp.contentType()));
    }
    return new FetchOutcome.Unavailable(unavailable(upstream, resp));
  }

  private TokenCacheException unavailable(ResilientUpstream upstream, UpstreamResponse resp) {
    LOG.warn("upstream '{}' answered {}", upstream.options().getId(), resp.statusCode());
    long retryAfter = Math.min(RetryAfter.seconds(resp.retryAfter(), clock.millis(), 1),
      Math.max(1, upstream.options().getMaxHoldBack().toSeconds()));
    return TokenCacheException.temporarilyUnavailable(
      "the upstream identity provider is unavailable (" + resp.statusCode() + ")", retryAfter);
  }

  private TokenCacheException unreachable(ResilientUpstream upstream, Throwable err) {
    if (err instanceof TokenCacheException) {
      return (TokenCacheException) err;
    }
    LOG.warn("upstream '{}' unreachable: {}", upstream.options().getId(), err.toString());
    return TokenCacheException.temporarilyUnavailable("the upstream identity provider could not be reached", 1);
  }
}
