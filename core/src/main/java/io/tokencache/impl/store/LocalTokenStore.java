package io.tokencache.impl.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tokencache.impl.CachedToken;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A single member's store: a bounded Caffeine cache whose entries expire at their token's serve-until point,
 * measured on the injected clock.
 */
public final class LocalTokenStore implements TokenStore {

  private final Cache<String, CachedToken> cache;
  private final Clock clock;

  public LocalTokenStore(int maxEntries, Clock clock) {
    this.cache = Caffeine.newBuilder()
      .maximumSize(maxEntries)
      .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
      .expireAfter(Expiry.<String, CachedToken>writing((k, t) -> untilServeUntil(t.serveUntil(), clock)))
      // maintenance on the calling thread: cheap, and no surprise pool threads in an event-loop application
      .executor(Runnable::run)
      .build();
    this.clock = clock;
  }

  @Override
  public Future<CachedToken> get(String key) {
    return Future.succeededFuture(cache.getIfPresent(key));
  }

  @Override
  public Future<Void> put(String key, CachedToken token) {
    cache.put(key, token);
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> replace(String key, CachedToken expected, CachedToken replacement) {
    return Future.succeededFuture(cache.asMap().replace(key, expected, replacement));
  }

  @Override
  public Future<Boolean> remove(String key) {
    return Future.succeededFuture(cache.asMap().remove(key) != null);
  }

  @Override
  public Future<Integer> removeByClientTag(String clientTag) {
    int[] removed = {0};
    cache.asMap().values().removeIf(t -> {
      boolean match = t.clientTag().equals(clientTag);
      removed[0] += match ? 1 : 0;
      return match;
    });
    return Future.succeededFuture(removed[0]);
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  @Override
  public Future<Void> close() {
    cache.invalidateAll();
    return Future.succeededFuture();
  }

  /** Time left until a serve-until point on {@code clock}: how long an entry may stay. */
  public static Duration untilServeUntil(long serveUntil, Clock clock) {
    return Duration.ofMillis(Math.max(0, serveUntil - clock.millis()));
  }
}
