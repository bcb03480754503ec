package io.tokencache.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokencache.CacheStats;
import io.tokencache.CacheStatus;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The cache's own meters (names become {@code token_cache_*} in Prometheus). Tags never carry a secret,
 * a token, a key or a client id: only results, outcomes and upstream ids, all from small fixed sets.
 */
public final class CacheMetrics {

  private final MeterRegistry registry;
  private final Map<CacheStatus, Tally> answered = new EnumMap<>(CacheStatus.class);
  private final Tally errors;
  private final Tally refreshes;
  private final Tally refreshFailures;
  private final Tally negativeHits;
  private final Map<String, Counter> admissionRefusals = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Counter> clusterFaults = new java.util.concurrent.ConcurrentHashMap<>();

  /** Why a miss is answered without calling the IdP; each a counter from the start. */
  static final List<String> ADMISSION_REASONS = List.of("guess_pending", "guess_limited", "too_many_keys");
  /** The cluster-fault kind of values ignored because they failed authentication ({@code ValueSeal}). */
  static final String UNAUTHENTICATED_VALUE = "UnauthenticatedValue";
  /**
   * The kinds of cluster fault seen in practice (values a member cannot read, members gone or silent), exported at
   * zero from the start so an alert on them has a series to read; any other kind gets its series when it first occurs.
   */
  static final List<String> CLUSTER_FAULT_KINDS = List.of(UNAUTHENTICATED_VALUE, "HazelcastSerializationException",
    "HazelcastException", "ClassCastException",
    "OperationTimeoutException", "MemberLeftException", "HazelcastInstanceNotActiveException");

  public CacheMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (CacheStatus s : CacheStatus.values()) {
      answered.put(s, new Tally(Counter.builder("token.cache.requests").description("Token requests answered, by result")
        .tag("result", s.name().toLowerCase()).register(registry)));
    }
    errors = new Tally(Counter.builder("token.cache.requests").description("Token requests answered, by result")
      .tag("result", "error").register(registry));
    refreshes = new Tally(Counter.builder("token.cache.refreshes")
      .description("Background refreshes started by this member").tag("outcome", "started").register(registry));
    refreshFailures = new Tally(Counter.builder("token.cache.refreshes")
      .description("Background refreshes started by this member").tag("outcome", "failed").register(registry));
    negativeHits = new Tally(Counter.builder("token.cache.negative.hits")
      .description("Requests answered from a remembered invalid_client/unauthorized_client, without calling the IdP")
      .register(registry));
    // every series an alert may name exists at zero from the start
    ADMISSION_REASONS.forEach(this::admissionCounter);
    CLUSTER_FAULT_KINDS.forEach(this::clusterFaultCounter);
  }

  /** The registry, for per-upstream meters. */
  public MeterRegistry registry() {
    return registry;
  }

  void answered(CacheStatus status) {
    answered.get(status).increment();
  }

  void failed() {
    errors.increment();
  }

  void refreshStarted() {
    refreshes.increment();
  }

  void refreshFailed() {
    refreshFailures.increment();
  }

  void negativeHit() {
    negativeHits.increment();
  }

  /** A miss answered here instead of upstream, for one of {@link #ADMISSION_REASONS}. */
  void admissionRefused(String reason) {
    admissionCounter(reason).increment();
  }

  private Counter admissionCounter(String reason) {
    return admissionRefusals.computeIfAbsent(reason, r -> Counter.builder("token.cache.admission.refusals")
      .description("Misses answered without calling the IdP: another unknown secret awaiting its verdict (503), "
        + "guessing bound (401) or key bound (400), by reason")
      .tag("reason", r).register(registry));
  }

  /** A request the cluster could not answer for a fault of the cluster, by the fault's kind (an exception class). */
  void clusterFault(String kind) {
    clusterFaultCounter(kind).increment();
  }

  /** A value in a cluster map that failed authentication: ignored, and counted with the cluster faults. */
  void unauthenticatedValue() {
    clusterFault(UNAUTHENTICATED_VALUE);
  }

  private Counter clusterFaultCounter(String kind) {
    return clusterFaults.computeIfAbsent(kind, k -> Counter.builder("token.cache.cluster.faults")
      .description("Requests answered 503 because a cluster operation failed (a member that could not be trusted, "
        + "understood or reached), and values in the cluster's maps ignored because they failed authentication "
        + "(kind UnauthenticatedValue), by kind")
      .tag("kind", k).register(registry));
  }

  /** The counts of {@link CacheStats}, with each upstream's {@code upstreams}. */
  CacheStats stats(Map<String, CacheStats.Upstream> upstreams) {
    Map<String, Long> requests = new java.util.LinkedHashMap<>();
    answered.forEach((status, tally) -> requests.put(status.name().toLowerCase(), tally.count()));
    requests.put("error", errors.count());
    return new CacheStats(requests, refreshes.count(), refreshFailures.count(), negativeHits.count(), upstreams);
  }

  void entries(Supplier<Number> size) {
    // strongly held: registry.gauge(...) keeps only a weak reference, and nothing else holds this lambda, so the
    // gauge read NaN after the first GC
    Gauge.builder("token.cache.entries", size, s -> s.get().doubleValue())
      .description("Tokens held by this member's store (clustered: owned as primary; summed over members: the cluster's)")
      .strongReference(true)
      .register(registry);
  }
}
