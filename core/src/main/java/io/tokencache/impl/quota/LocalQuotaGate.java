package io.tokencache.impl.quota;

import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;

/** A single member's budget: the whole quota, in memory. */
public final class LocalQuotaGate implements QuotaGate {

  private final BudgetLog log = new BudgetLog();
  private final BudgetPolicy policy;
  private final Clock clock;

  public LocalQuotaGate(BudgetPolicy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  @Override
  public Future<Long> reserve(Lane lane, String client, Duration maxWait) {
    synchronized (log) {
      return Future.succeededFuture(log.reserve(policy, clock.millis(), lane, client, maxWait.toMillis()));
    }
  }

  @Override
  public Future<Void> backOff(Duration duration) {
    synchronized (log) {
      long now = clock.millis();
      log.blockUntil(policy, now, now + duration.toMillis());
    }
    return Future.succeededFuture();
  }
}
