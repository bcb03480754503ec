package io.tokencache;

import java.util.Map;

/**
 * What a cache can tell of its upstreams and of its cluster right now: details for health and admin endpoints,
 * never reasons by themselves to stop serving (cached tokens are served while a breaker is open).
 *
 * @param upstreams each upstream's state, by upstream id
 * @param clusterQuotaShare the share of each upstream's quota this side of the cluster uses (1: the whole; below 1
 *     after members vanished without leaving, a split or a crash); {@code null} outside a cluster
 */
public record CacheHealth(Map<String, Upstream> upstreams, Double clusterQuotaShare) {

  /** A cache that cannot tell (not started): no upstream known. */
  public static final CacheHealth UNKNOWN = new CacheHealth(Map.of(), null);

  public CacheHealth {
    upstreams = Map.copyOf(upstreams);
  }

  /**
   * One upstream's state.
   *
   * @param breaker its circuit breaker: {@code closed}, {@code open}, {@code half_open} or {@code disabled}
   * @param clockSkewSeconds how far the clock of its budget's owner is ahead of this member's, in seconds;
   *     {@code null} outside a cluster
   */
  public record Upstream(String breaker, Double clockSkewSeconds) {
  }
}
