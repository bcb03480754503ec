package io.tokencache.impl.quota;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * Where every upstream request asks for its slot in the upstream's budget: in memory for a single member,
 * in the cluster (one log per upstream on its partition owner) when members share the budget.
 */
public interface QuotaGate {

  /**
   * Reserves a slot.
   *
   * @return the delay in ms before the request may be sent, or a negative value {@code -(delay + 1)} when
   *     the wait would exceed {@code maxWait} (nothing reserved; the delay tells the caller's Retry-After)
   */
  Future<Long> reserve(Duration maxWait);

  /** Holds every member's requests back until {@code duration} from now (429 {@code Retry-After}, open circuit). */
  Future<Void> backOff(Duration duration);
}
