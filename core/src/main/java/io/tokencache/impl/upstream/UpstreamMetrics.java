package io.tokencache.impl.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.tokencache.CacheStats;
import io.tokencache.impl.Tally;
import io.tokencache.impl.quota.Lane;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Meters of one upstream: calls by outcome, latency, bulkhead and budget waits and refusals, breaker state. */
final class UpstreamMetrics {

  private final MeterRegistry registry;
  private final String upstream;
  private final Timer latency;
  private final Map<Lane, Timer> budgetWaits = new EnumMap<>(Lane.class);
  private final Map<Lane, Tally> budgetRejections = new EnumMap<>(Lane.class);
  private final Map<Lane, Counter> slotsGivenUp = new EnumMap<>(Lane.class);
  private final Tally breakerRejections;
  private final Timer bulkheadWait;
  private final Timer budgetRoundTrip;
  private final Timer slotLateness;
  private final ConcurrentHashMap<String, Counter> bulkheadRejections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Tally> outcomes = new ConcurrentHashMap<>();

  /** The outcomes of upstream calls, each a counter per lane from the start. */
  static final List<String> OUTCOMES = List.of("success", "client_error", "throttled", "server_error",
    "transport_error");
  /** Why the bulkhead refuses: every queue place taken, or no turn within the bound. */
  static final List<String> BULKHEAD_REASONS = List.of("full", "timeout");

  UpstreamMetrics(MeterRegistry registry, String upstream, CircuitBreaker breaker) {
    this.registry = registry;
    this.upstream = upstream;
    this.latency = Timer.builder("token.cache.upstream.latency").description("Upstream token request latency")
      .tag("upstream", upstream).publishPercentileHistogram().register(registry);
    for (Lane lane : Lane.values()) {
      budgetWaits.put(lane, Timer.builder("token.cache.budget.wait")
        .description("How long upstream requests waited for a slot in the budget, by lane")
        .tag("upstream", upstream).tag("lane", lane.tag()).register(registry));
      budgetRejections.put(lane, new Tally(Counter.builder("token.cache.budget.rejections")
        .description("Upstream requests refused because the budget was held back or no slot of their lane was free "
          + "within the bound, by lane")
        .tag("upstream", upstream).tag("lane", lane.tag()).register(registry)));
      slotsGivenUp.put(lane, Counter.builder("token.cache.budget.slots.given.up")
        .description("Budget slots given up unsent because they could not be sent within the safety margin of their "
          + "time (a busy event loop, a slow round trip to the budget's owner, a connection slow to open), by lane")
        .tag("upstream", upstream).tag("lane", lane.tag()).register(registry));
    }
    this.budgetRoundTrip = Timer.builder("token.cache.budget.round.trip")
      .description("Round trips of budget reservations to the budget's owner: counted against quotaSafetyMargin "
        + "(the slot's time is taken from the reservation's start)")
      .tag("upstream", upstream).register(registry);
    this.slotLateness = Timer.builder("token.cache.budget.slot.lateness")
      .description("How long after its slot's earliest time each upstream request was ready to be sent (the round "
        + "trip, the event loop's delay and the connection's); past quotaSafetyMargin the slot is given up")
      .tag("upstream", upstream).register(registry);
    this.breakerRejections = new Tally(Counter.builder("token.cache.breaker.rejections")
      .description("Fetches refused because the circuit breaker was open").tag("upstream", upstream)
      .register(registry));
    this.bulkheadWait = Timer.builder("token.cache.bulkhead.wait")
      .description("How long upstream requests queued for one of the member's concurrent upstream requests")
      .tag("upstream", upstream).register(registry);
    Gauge.builder("token.cache.breaker.state", breaker, b -> switch (b.getState()) {
        case CLOSED -> 0;
        case OPEN, FORCED_OPEN -> 1;
        case HALF_OPEN -> 2;
        default -> 3;
      }).description("Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 disabled")
      .tag("upstream", upstream).register(registry);
    // every series an alert may name exists at zero from the start, not only after its first event
    for (String outcome : OUTCOMES) {
      for (Lane lane : Lane.values()) {
        outcomeCounter(outcome, lane);
      }
    }
    BULKHEAD_REASONS.forEach(this::bulkheadCounter);
  }

  /** One upstream call's outcome (one of {@link #OUTCOMES}) in a lane. */
  void call(String outcome, Lane lane, long nanos) {
    outcomeCounter(outcome, lane).increment();
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Tally outcomeCounter(String outcome, Lane lane) {
    return outcomes.computeIfAbsent(outcome + "/" + lane.tag(), o -> new Tally(
      Counter.builder("token.cache.upstream.requests").description("Upstream token requests, by outcome and budget lane")
        .tag("upstream", upstream).tag("outcome", outcome).tag("lane", lane.tag()).register(registry)));
  }

  private Counter bulkheadCounter(String reason) {
    return bulkheadRejections.computeIfAbsent(reason, r -> Counter.builder("token.cache.bulkhead.rejections")
      .description("Fetches refused because every concurrent upstream request was taken")
      .tag("upstream", upstream).tag("reason", r).register(registry));
  }

  /** The counts of {@link CacheStats.Upstream}: calls by outcome and refusals, each summed over the lanes. */
  CacheStats.Upstream stats() {
    Map<String, Long> requests = new java.util.LinkedHashMap<>();
    for (String outcome : OUTCOMES) {
      long n = 0;
      for (Lane lane : Lane.values()) {
        n += outcomeCounter(outcome, lane).count();
      }
      requests.put(outcome, n);
    }
    long budget = budgetRejections.values().stream().mapToLong(Tally::count).sum();
    return new CacheStats.Upstream(requests, budget, breakerRejections.count());
  }

  void budgetWaited(Lane lane, long millis) {
    budgetWaits.get(lane).record(millis, TimeUnit.MILLISECONDS);
  }

  void budgetRoundTrip(long millis) {
    budgetRoundTrip.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /** Records a request's lateness against its slot and returns it. */
  long slotLateness(long millis) {
    slotLateness.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    return millis;
  }

  void slotGivenUp(Lane lane) {
    slotsGivenUp.get(lane).increment();
  }

  void budgetRejected(Lane lane) {
    budgetRejections.get(lane).increment();
  }

  void breakerRejected() {
    breakerRejections.increment();
  }

  /** A fetch refused by the bulkhead: {@code full} (queue full) or {@code timeout} (no turn within the bound). */
  void bulkheadRejected(String reason) {
    bulkheadCounter(reason).increment();
  }

  /** A queued fetch got its turn after {@code nanos}. */
  void bulkheadWaited(long nanos) {
    bulkheadWait.record(nanos, TimeUnit.NANOSECONDS);
  }
}
