package io.tokencache.impl.quota;

import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;

/** A single member's budget: the whole quota, in memory. */
public final class LocalQuotaGate implements QuotaGate {

  private final SlidingWindowLog log;
  private final Clock clock;

  public LocalQuotaGate(double quotaPerSecond, Duration safetyMargin, Clock clock) {
    this.log = new SlidingWindowLog(quotaPerSecond, safetyMargin.toMillis());
    this.clock = clock;
  }

  @Override
  public Future<Long> reserve(Duration maxWait) {
    synchronized (log) {
      return Future.succeededFuture(log.reserve(clock.millis(), maxWait.toMillis()));
    }
  }

  @Override
  public Future<Void> backOff(Duration duration) {
    synchronized (log) {
      log.blockUntil(clock.millis() + duration.toMillis());
    }
    return Future.succeededFuture();
  }
}
