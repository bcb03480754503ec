package io.tokencache.impl.quota;

import java.io.Serializable;

/**
 * The upstream budget: at most {@code capacity} requests in any sliding window of {@code windowMillis},
 * handed out as reservations in time order, plus a shared back-off ("nobody calls before t").
 *
 * <p>Why hand-written: identity providers count with token buckets, and a budget of Q per fixed 1 s window
 * (Resilience4j's {@code RateLimiter}, Bucket4j's interval refill) can emit 2Q within one second across a
 * window boundary; a token bucket sized Q with refill Q/s does the same. A log of the last Q grant times
 * bounds every sliding window exactly, and any sequence it allows also conforms to the IdP's token bucket
 * (capacity Q, Q per second). It is small and pure, so the cluster runs it inside a Hazelcast entry
 * processor on the key's owner and a single member runs it in memory.
 *
 * <p>Times are the caller's epoch milliseconds; the log is not thread-safe (callers serialise access).
 */
public final class SlidingWindowLog implements Serializable {

  private static final long serialVersionUID = 1L;

  private final double quotaPerSecond;
  private final long safetyMarginMillis;
  private final long[] grants;
  private final long windowMillis;
  private int oldest;
  private long blockedUntil;

  /**
   * @param quotaPerSecond the budget (requests per second); below 1 the window stretches to hold one request
   * @param safetyMarginMillis added to the window, so jitter between a grant and its arrival at the IdP
   *     cannot squeeze two grants into one IdP window
   */
  public SlidingWindowLog(double quotaPerSecond, long safetyMarginMillis) {
    if (!(quotaPerSecond > 0)) {
      throw new IllegalArgumentException("quota must be positive, was " + quotaPerSecond);
    }
    this.quotaPerSecond = quotaPerSecond;
    this.safetyMarginMillis = safetyMarginMillis;
    int capacity = quotaPerSecond >= 1 ? (int) Math.floor(quotaPerSecond) : 1;
    long window = quotaPerSecond >= 1 ? 1000 : (long) Math.ceil(1000 / quotaPerSecond);
    this.grants = new long[capacity];
    java.util.Arrays.fill(grants, Long.MIN_VALUE / 4);
    this.windowMillis = window + safetyMarginMillis;
  }

  /**
   * Reserves the earliest slot not before {@code now} that keeps every window within budget.
   *
   * @return the delay in ms until the reserved slot (0: send now), or, when that delay would exceed
   *     {@code maxWaitMillis}, {@code -(delay + 1)} and nothing is reserved
   */
  public long reserve(long now, long maxWaitMillis) {
    long at = Math.max(now, Math.max(blockedUntil, grants[oldest] + windowMillis));
    long delay = at - now;
    if (delay > maxWaitMillis) {
      return -(delay + 1);
    }
    // Slots are handed out in time order, so overwriting the oldest keeps the ring sorted.
    grants[oldest] = at;
    oldest = (oldest + 1) % grants.length;
    return delay;
  }

  /** Nobody gets a slot before {@code until} (a 429's {@code Retry-After}, an open circuit). */
  public void blockUntil(long until) {
    blockedUntil = Math.max(blockedUntil, until);
  }

  /** The time before which no slot is handed out. */
  public long blockedUntil() {
    return blockedUntil;
  }

  /** Whether this log enforces that budget (a reconfigured budget needs a new log). */
  public boolean isFor(double quota, long safetyMargin) {
    return quota == quotaPerSecond && safetyMargin == safetyMarginMillis;
  }

  /** Requests allowed per window. */
  public int capacity() {
    return grants.length;
  }
}
