package io.tokencache.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * At most one load per key at a time on this member: callers arriving while a load runs join it. Used by the cache's
 * misses and refreshes and by the bearer-token client's renewals.
 *
 * <p>As in Caffeine's {@code AsyncCache}, the in-flight future sits in the map and is removed as soon as it
 * completes, so a failure is never cached: every waiter gets it and the next caller starts a new load.
 * Written by hand because the loads are Vert.x futures and the result must be removed only after the
 * loader has stored its value, which an {@code AsyncCache} (which would become the store) does not allow.
 */
public final class SingleFlight<K, V> {

  private final ConcurrentHashMap<K, Future<V>> inFlight = new ConcurrentHashMap<>();

  /** A caller's part in a load: the shared future and whether this caller started it. */
  public record Flight<V>(Future<V> future, boolean leader) {
  }

  /**
   * Joins the load running for {@code key}, or starts one with {@code loader}.
   *
   * <p>The loader runs outside the map's lock, on the caller's thread.
   */
  public Flight<V> run(K key, Supplier<Future<V>> loader) {
    Promise<V> promise = Promise.promise();
    Future<V> existing = inFlight.putIfAbsent(key, promise.future());
    if (existing != null) {
      return new Flight<>(existing, false);
    }
    Future<V> load;
    try {
      load = loader.get();
    } catch (RuntimeException e) {
      load = Future.failedFuture(e);
    }
    load.onComplete(ar -> {
      // Removed before waiters are told, so a caller arriving after the outcome reads the store or starts
      // afresh; never joins a finished (possibly failed) flight.
      inFlight.remove(key, promise.future());
      promise.handle(ar);
    });
    return new Flight<>(promise.future(), true);
  }

  /** The load running for {@code key}, or {@code null}. */
  public Future<V> running(K key) {
    return inFlight.get(key);
  }

  /** Whether a load for {@code key} is running. */
  public boolean isRunning(K key) {
    return inFlight.containsKey(key);
  }

  /** Number of loads running. */
  public int size() {
    return inFlight.size();
  }
}
