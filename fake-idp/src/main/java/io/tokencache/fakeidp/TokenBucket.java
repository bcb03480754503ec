package io.tokencache.fakeidp;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket: holds at most {@code capacity} tokens, gains {@code ratePerSecond} tokens per
 * second, starts full, and each admitted request takes one token. Over any interval of length
 * {@code t} it therefore admits at most {@code capacity + ratePerSecond * t} requests, which is how
 * Auth0, Cognito and API gateways count their token-endpoint quotas.
 *
 * <p>Why hand-written rather than Resilience4j's {@code RateLimiter}: this class is the fake IdP's
 * quota, the reference model the tests and load harness measure the system under test against. The
 * system under test uses Resilience4j's limiter (a fixed-window limiter); if the referee shared that
 * implementation, a flaw in it (for example letting 2Q through across a window boundary) would be
 * invisible. Time comes from an injectable nanosecond clock so it can be tested without sleeping.
 *
 * <p>Thread-safe: every method is synchronized (requests may arrive on several event loops).
 */
public final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1_000_000_000d;
  /**
   * Tolerance for floating-point rounding when deciding that a whole token is available: without
   * it a request arriving exactly on schedule could be refused because 0.1 + 0.9 summed to
   * 0.9999999999. It is far below what one nanosecond of refill adds at any realistic rate.
   */
  private static final double EPSILON = 1e-12;

  private final LongSupplier nanoTime;
  private double ratePerSecond;
  private double capacity;
  private double tokens;
  private long lastRefillNanos;

  /**
   * Creates a full bucket on the given clock.
   *
   * @param ratePerSecond tokens added per second, finite and &gt; 0
   * @param capacity maximum tokens held (the burst), finite and &gt;= 1
   * @param nanoTime a monotonic nanosecond clock, as {@link System#nanoTime()}
   * @throws IllegalArgumentException if an argument is out of range
   */
  public TokenBucket(double ratePerSecond, double capacity, LongSupplier nanoTime) {
    validate(ratePerSecond, capacity);
    if (nanoTime == null) {
      throw new IllegalArgumentException("nanoTime must not be null");
    }
    this.nanoTime = nanoTime;
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacity;
    this.tokens = capacity;
    this.lastRefillNanos = nanoTime.getAsLong();
  }

  /**
   * Creates a full bucket on {@link System#nanoTime()}.
   *
   * @param ratePerSecond tokens added per second, finite and &gt; 0
   * @param capacity maximum tokens held (the burst), finite and &gt;= 1
   */
  public TokenBucket(double ratePerSecond, double capacity) {
    this(ratePerSecond, capacity, System::nanoTime);
  }

  /**
   * Takes one token if one is available.
   *
   * @return admitted, or refused with the time until the next token is available
   */
  public synchronized Acquisition tryAcquire() {
    refill();
    if (tokens >= 1 - EPSILON) {
      tokens = Math.max(0, tokens - 1);
      return Acquisition.ADMITTED;
    }
    long waitNanos = (long) Math.ceil((1 - tokens) / ratePerSecond * NANOS_PER_SECOND);
    return new Acquisition(false, Math.max(1, waitNanos));
  }

  /**
   * Changes rate and capacity from now on. Tokens earned so far at the old rate are kept, capped at
   * the new capacity, so a plan change neither grants a fresh burst nor confiscates budget.
   *
   * @param ratePerSecond tokens added per second, finite and &gt; 0
   * @param capacity maximum tokens held, finite and &gt;= 1
   */
  public synchronized void reconfigure(double ratePerSecond, double capacity) {
    validate(ratePerSecond, capacity);
    refill();
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacity;
    this.tokens = Math.min(tokens, capacity);
  }

  /** @return the tokens available now (fractional) */
  public synchronized double availableTokens() {
    refill();
    return tokens;
  }

  /** @return tokens added per second */
  public synchronized double ratePerSecond() {
    return ratePerSecond;
  }

  /** @return maximum tokens held (the burst) */
  public synchronized double capacity() {
    return capacity;
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    long elapsed = now - lastRefillNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * ratePerSecond / NANOS_PER_SECOND);
      lastRefillNanos = now;
    }
  }

  private static void validate(double ratePerSecond, double capacity) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond must be finite and > 0, was " + ratePerSecond);
    }
    if (!(capacity >= 1) || Double.isInfinite(capacity)) {
      throw new IllegalArgumentException(
          "capacity must be finite and >= 1 (a smaller bucket never holds a whole token), was "
              + capacity);
    }
  }

  /**
   * The outcome of {@link #tryAcquire()}.
   *
   * @param admitted whether a token was taken
   * @param waitNanos when refused, nanoseconds until a token will be available; 0 when admitted
   */
  public record Acquisition(boolean admitted, long waitNanos) {

    static final Acquisition ADMITTED = new Acquisition(true, 0);

    /** @return the time until a token will be available; zero when admitted */
    public Duration waitTime() {
      return Duration.ofNanos(waitNanos);
    }

    /**
     * @return the value of a {@code Retry-After} header: whole seconds until a token is available,
     *     rounded up and at least 1 (0 when admitted)
     */
    public long retryAfterSeconds() {
      if (admitted) {
        return 0;
      }
      long seconds = (waitNanos + 999_999_999L) / 1_000_000_000L;
      return Math.max(1, seconds);
    }
  }
}
