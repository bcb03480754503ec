package io.tokencache.impl.quota;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * Where every upstream request asks for its slot in the upstream's budget ({@link BudgetLog}): in memory for a
 * single member, in the cluster (one log per upstream on its partition owner) when members share the budget.
 */
public interface QuotaGate {

  /**
   * Reserves a slot in {@code lane}.
   *
   * @param client the client's tag, for fairness inside the lane, or {@code null}
   * @return the delay in ms before the request may be sent, or a negative value {@code -(delay + 1)} when the
   *     budget is held back or the wait would exceed {@code maxWait} (nothing reserved; the delay tells the
   *     caller's Retry-After)
   */
  Future<Long> reserve(Lane lane, String client, Duration maxWait);

  /**
   * Holds every member's requests back until {@code duration} from now (429 {@code Retry-After}, open circuit),
   * never longer than the budget's maximum back-off.
   */
  Future<Void> backOff(Duration duration);

  /** How far the clock of the budget's owner is ahead of this member's, in seconds; {@code null} if not measured. */
  default Double clockSkewSeconds() {
    return null;
  }

  /** The share of the quota this member's side of the cluster uses; {@code null} outside a cluster. */
  default Double share() {
    return null;
  }

  /** Stops what the gate runs in the background; the default has nothing to stop. */
  default void close() {
  }
}
