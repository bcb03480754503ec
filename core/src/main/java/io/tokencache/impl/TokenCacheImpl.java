package io.tokencache.impl;

import io.tokencache.CacheStatus;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.UpstreamOptions;
import io.tokencache.impl.store.LocalTokenStore;
import io.tokencache.impl.store.TokenStore;
import io.tokencache.impl.upstream.UpstreamClient;
import io.tokencache.impl.upstream.UpstreamResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The engine: look up, serve, refresh ahead, coalesce misses, fetch and store.
 *
 * <p>A request's path: key (HMAC of the canonical request) -> store lookup -> servable: answer, and past
 * the refresh point start one background refresh -> otherwise join the in-flight fetch for the key or
 * become the fetcher -> upstream -> store -> answer with {@code expires_in} rewritten to the time left.
 */
public final class TokenCacheImpl implements TokenCache {

  private static final Logger LOG = LoggerFactory.getLogger(TokenCacheImpl.class);
  /** After a failed background refresh, wait this fraction of the token's lifetime before trying again. */
  private static final double REFRESH_RETRY_FRACTION = 0.05;
  private static final long MIN_REFRESH_RETRY_MILLIS = 1000;

  private final Clock clock;
  private final CacheKeys keys;
  private final ExpiryPolicy expiry;
  private final TokenStore store;
  private final Map<String, UpstreamClient> upstreams;
  private final SingleFlight<String, CachedToken> fetches = new SingleFlight<>();

  TokenCacheImpl(TokenCacheOptions options, CacheKeys keys, TokenStore store, Map<String, UpstreamClient> upstreams) {
    this.clock = options.getClock();
    this.keys = keys;
    this.expiry = new ExpiryPolicy(options);
    this.store = store;
    this.upstreams = upstreams;
  }

  /** A cache whose tokens stay in this process (no cluster). */
  public static Future<TokenCache> create(Vertx vertx, TokenCacheOptions options) {
    byte[] pepper = new byte[32];
    new SecureRandom().nextBytes(pepper);
    TokenStore store = new LocalTokenStore(options.getMaxEntries(), options.getClock());
    return Future.succeededFuture(new TokenCacheImpl(options, new CacheKeys(pepper), store,
      upstreamClients(vertx, options)));
  }

  static Map<String, UpstreamClient> upstreamClients(Vertx vertx, TokenCacheOptions options) {
    Map<String, UpstreamClient> clients = new LinkedHashMap<>();
    for (UpstreamOptions u : options.getUpstreams().values()) {
      clients.put(u.getId(), new UpstreamClient(vertx, u));
    }
    return clients;
  }

  @Override
  public Future<TokenResponse> getToken(TokenRequest request) {
    UpstreamClient upstream = upstreams.get(request.upstream());
    if (upstream == null) {
      return Future.failedFuture(TokenCacheException.invalidRequest("unknown upstream '" + request.upstream() + "'"));
    }
    if (!request.isCacheable()) {
      return passThrough(upstream, request);
    }
    String key = keys.keyOf(request);
    Context caller = Vertx.currentContext();
    return store.get(key).compose(token -> {
      long now = clock.millis();
      if (token != null && token.servable(now)) {
        if (token.refreshDue(now)) {
          refreshAhead(key, request, token, upstream);
        }
        return Future.succeededFuture(answer(token, now, CacheStatus.HIT));
      }
      SingleFlight.Flight<CachedToken> flight = fetches.run(key, () -> fetchAndStore(key, request, upstream));
      CacheStatus status = flight.leader() ? CacheStatus.MISS : CacheStatus.COALESCED;
      Future<CachedToken> result = flight.leader() ? flight.future() : onContext(flight.future(), caller);
      return result.map(t -> answer(t, clock.millis(), status));
    });
  }

  private TokenResponse answer(CachedToken token, long now, CacheStatus status) {
    return TokenResponse.cached(status, token.accessToken(), token.body(), token.expiresInSeconds(now));
  }

  /** Starts one background refresh unless one runs; the current token keeps being served meanwhile. */
  private void refreshAhead(String key, TokenRequest request, CachedToken current, UpstreamClient upstream) {
    if (fetches.isRunning(key)) {
      return;
    }
    SingleFlight.Flight<CachedToken> flight = fetches.run(key, () -> fetchAndStore(key, request, upstream));
    if (flight.leader()) {
      flight.future().onFailure(err -> {
        long lifetime = current.expiresAt() - current.issuedAt();
        long retryAt = clock.millis() + Math.max(MIN_REFRESH_RETRY_MILLIS, (long) (lifetime * REFRESH_RETRY_FRACTION));
        LOG.warn("background refresh failed for upstream '{}': {}; serving the current token until it is due",
          request.upstream(), err.getMessage());
        // Postponing the refresh point inside the entry keeps every later hit from retrying at once.
        store.replace(key, current, current.withRefreshAt(retryAt));
      });
    }
  }

  private Future<CachedToken> fetchAndStore(String key, TokenRequest request, UpstreamClient upstream) {
    long issuedAt = clock.millis();
    return upstream.requestToken(request)
      .recover(err -> Future.failedFuture(unreachable(upstream, err)))
      .compose(resp -> {
        if (resp.statusCode() == 200) {
          CachedToken token = parse(upstream, request, resp, issuedAt);
          // A token already under its minimum lifetime is handed to this caller but not kept.
          return token.servable(clock.millis()) ? store.put(key, token).map(token) : Future.succeededFuture(token);
        }
        return Future.failedFuture(rejection(upstream, resp));
      });
  }

  private CachedToken parse(UpstreamClient upstream, TokenRequest request, UpstreamResponse resp, long issuedAt) {
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

  private TokenCacheException rejection(UpstreamClient upstream, UpstreamResponse resp) {
    int status = resp.statusCode();
    if (status >= 400 && status < 500 && status != 429) {
      return TokenCacheException.upstreamRejected(status, resp.body(), resp.contentType());
    }
    LOG.warn("upstream '{}' answered {}", upstream.options().getId(), status);
    long retryAfter = RetryAfter.seconds(resp.retryAfter(), clock.millis(), 1);
    return TokenCacheException.temporarilyUnavailable(
      "the upstream identity provider is unavailable (" + status + ")", retryAfter);
  }

  private TokenCacheException unreachable(UpstreamClient upstream, Throwable err) {
    if (err instanceof TokenCacheException) {
      return (TokenCacheException) err;
    }
    LOG.warn("upstream '{}' unreachable: {}", upstream.options().getId(), err.toString());
    return TokenCacheException.temporarilyUnavailable("the upstream identity provider could not be reached", 1);
  }

  private Future<TokenResponse> passThrough(UpstreamClient upstream, TokenRequest request) {
    return upstream.forward(request.passThroughRequest())
      .recover(err -> Future.failedFuture(unreachable(upstream, err)))
      .compose(resp -> {
        if (resp.statusCode() >= 500 || resp.statusCode() == 429) {
          return Future.failedFuture(rejection(upstream, resp));
        }
        return Future.succeededFuture(TokenResponse.passThrough(resp.statusCode(), resp.contentType(), resp.body()));
      });
  }

  /** Completes on {@code context} (a waiter's own event loop), whichever thread completes {@code future}. */
  private static <T> Future<T> onContext(Future<T> future, Context context) {
    if (context == null) {
      return future;
    }
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }

  @Override
  public Future<Boolean> invalidate(TokenRequest request) {
    if (!request.isCacheable()) {
      return Future.succeededFuture(false);
    }
    return store.remove(keys.keyOf(request));
  }

  /** Tokens held by the store. */
  public long size() {
    return store.size();
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = upstreams.values().stream().map(UpstreamClient::close).collect(Collectors.toList());
    closing.add(store.close());
    return Future.all(closing).mapEmpty();
  }
}
