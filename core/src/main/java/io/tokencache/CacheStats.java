package io.tokencache;

import java.util.Map;

/**
 * What this member of the cache has counted since it started: the same counts its meters export, read from the
 * cache itself (an embedding application or an admin endpoint need no meter names for them).
 *
 * @param requests token requests answered, by result: {@code hit}, {@code miss}, {@code coalesced}, {@code bypass}
 *     and {@code error}
 * @param refreshesStarted background refreshes this member started
 * @param refreshesFailed background refreshes that failed (the token in hand is served until its end)
 * @param negativeHits requests answered from a remembered rejection of a client, without calling the IdP
 * @param upstreams each upstream's counts, by upstream id
 */
public record CacheStats(Map<String, Long> requests, long refreshesStarted, long refreshesFailed, long negativeHits,
                         Map<String, Upstream> upstreams) {

  /** A cache that cannot tell (not started): nothing counted. */
  public static final CacheStats EMPTY = new CacheStats(Map.of(), 0, 0, 0, Map.of());

  public CacheStats {
    requests = Map.copyOf(requests);
    upstreams = Map.copyOf(upstreams);
  }

  /**
   * One upstream's counts.
   *
   * @param requests calls to the IdP, by outcome: {@code success}, {@code client_error}, {@code throttled},
   *     {@code server_error} and {@code transport_error}
   * @param budgetRejections fetches refused because the budget was held back or had no slot within the bound
   * @param breakerRejections fetches refused because the circuit breaker was open
   */
  public record Upstream(Map<String, Long> requests, long budgetRejections, long breakerRejections) {

    public Upstream {
      requests = Map.copyOf(requests);
    }
  }
}
