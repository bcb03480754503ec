package io.tokencache.impl.upstream;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.tokencache.TokenCacheException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;

/**
 * A bulkhead whose callers wait for a permit without blocking: a Resilience4j {@link Bulkhead} counts the
 * permits (and publishes its events), and a bounded FIFO queue of promises holds the callers that found every
 * permit taken. A released permit goes straight to the oldest waiter; a waiter that is not served within its
 * bound is removed and failed with 503 by a Vert.x timer; a caller that finds the queue full is refused at once.
 *
 * <p>Why hand-written: Resilience4j's {@code SemaphoreBulkhead} waits ({@code maxWaitDuration}) by blocking the
 * calling thread on a semaphore, and its {@code ThreadPoolBulkhead} moves the call to a thread pool of its own;
 * upstream calls start on Vert.x event loops, which must never block. So the Resilience4j bulkhead is used with
 * {@code maxWaitDuration} zero, where {@link Bulkhead#tryAcquirePermission()} never blocks, and the waiting is
 * done here, as the budget gate waits with timers.
 *
 * <p>Thread-safe: one upstream serves every event loop. Every waiter is completed on the Vert.x context it
 * asked on. Permits are taken and handed over under the queue's lock, and a newcomer takes one only when nobody
 * is waiting, so nobody overtakes the queue and no waiter sleeps while a permit is free.
 */
final class QueuedBulkhead {

  static final String REFUSAL = "too many upstream requests in progress";

  private final Vertx vertx;
  private final Bulkhead bulkhead;
  private final int maxQueued;
  private final UpstreamMetrics metrics;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  QueuedBulkhead(Vertx vertx, Bulkhead bulkhead, int maxQueued, UpstreamMetrics metrics) {
    this.vertx = vertx;
    this.bulkhead = bulkhead;
    this.maxQueued = maxQueued;
    this.metrics = metrics;
  }

  /**
   * Takes a permit, now or after waiting at most {@code maxWaitMillis}. The caller must {@link #release()} it.
   *
   * @return a succeeded future when a permit was free (no queue ahead), a failed one ({@link TokenCacheException}
   *     503) when the queue is full or {@code maxWaitMillis} is not positive, else a future completed on the
   *     caller's context once a permit is handed over or the wait has timed out (503)
   */
  Future<Void> acquire(long maxWaitMillis) {
    Waiter waiter;
    synchronized (waiters) {
      if (waiters.isEmpty() && bulkhead.tryAcquirePermission()) {
        return Future.succeededFuture();
      }
      if (waiters.size() >= maxQueued || maxWaitMillis <= 0) {
        metrics.bulkheadRejected("full");
        return Future.failedFuture(TokenCacheException.temporarilyUnavailable(REFUSAL, 1));
      }
      waiter = new Waiter(vertx.getOrCreateContext(), System.nanoTime());
      waiters.addLast(waiter);
      // on the caller's context (when it is on one): the timer fires there
      waiter.timer = vertx.setTimer(maxWaitMillis, id -> expire(waiter));
    }
    return waiter.promise.future();
  }

  /** Returns a permit: to the oldest waiter, else to the Resilience4j bulkhead. */
  void release() {
    Waiter next;
    synchronized (waiters) {
      next = waiters.pollFirst();
      if (next == null) {
        bulkhead.onComplete();
        return;
      }
      // handed over through the Resilience4j bulkhead, so that its events (finished, permitted) stay true; under
      // the lock nobody else can take the permit in between
      bulkhead.onComplete();
      if (!bulkhead.tryAcquirePermission()) {
        waiters.addFirst(next);
        return;
      }
    }
    vertx.cancelTimer(next.timer);
    metrics.bulkheadWaited(System.nanoTime() - next.queuedAt);
    next.context.runOnContext(v -> next.promise.complete());
  }

  /** Waiters now. */
  int queued() {
    synchronized (waiters) {
      return waiters.size();
    }
  }

  /** Fails every waiter (the upstream is closing). */
  void close() {
    Waiter[] all;
    synchronized (waiters) {
      all = waiters.toArray(new Waiter[0]);
      waiters.clear();
    }
    for (Waiter w : all) {
      vertx.cancelTimer(w.timer);
      w.context.runOnContext(v -> w.promise.fail(TokenCacheException.temporarilyUnavailable(
        "the upstream is closing", 1)));
    }
  }

  private void expire(Waiter waiter) {
    synchronized (waiters) {
      if (!waiters.remove(waiter)) {
        return; // served meanwhile
      }
    }
    metrics.bulkheadRejected("timeout");
    waiter.context.runOnContext(v -> waiter.promise.fail(TokenCacheException.temporarilyUnavailable(REFUSAL, 1)));
  }

  private static final class Waiter {
    final Context context;
    final long queuedAt;
    final Promise<Void> promise = Promise.promise();
    long timer;

    Waiter(Context context, long queuedAt) {
      this.context = context;
      this.queuedAt = queuedAt;
    }
  }
}
