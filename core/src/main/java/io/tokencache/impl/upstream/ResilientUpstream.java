package io.tokencache.impl.upstream;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.tokencache.CacheHealth;
import io.tokencache.CacheStats;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.UpstreamOptions;
import io.tokencache.impl.RetryAfter;
import io.tokencache.impl.quota.Lane;
import io.tokencache.impl.quota.QuotaGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Every protection around one upstream: a circuit breaker, a bulkhead, the budget gate, and retries with
 * exponential back-off and jitter that honour {@code Retry-After} (Resilience4j's {@code CircuitBreaker},
 * {@code Bulkhead} and {@code Retry}, driven through their non-blocking permission and context APIs so that
 * waits are Vert.x timers, never blocked threads). Each attempt is bounded by the HTTP client's timeout
 * ({@link UpstreamClient}); the whole fetch by {@link UpstreamOptions#getFetchTimeout()}.
 *
 * <p>A fetch that finds every bulkhead permit taken waits in a bounded FIFO queue ({@link QueuedBulkhead}),
 * for at most {@link UpstreamOptions#getQuotaMaxWait()} and never past its deadline, like a wait for a budget
 * slot; a full queue or a wait that runs out answers 503 with {@code Retry-After}.
 *
 * <p>A 429 or 503 with {@code Retry-After}, and a breaker that opens, hold back the budget gate, which the
 * cluster shares: every member, including one that joins later, fails its misses fast instead of hammering the
 * IdP. No upstream hint holds anything back for longer than {@link UpstreamOptions#getMaxHoldBack()}.
 *
 * <p>Every request asks the budget in its {@link Lane}, with its client's tag, so refreshes keep their headroom
 * and one client cannot take its whole lane.
 *
 * <p>Longer than most classes here because the order of these steps is the design (breaker, then bulkhead, then
 * a budget slot checked again when it comes due and when the connection is there, then the call, then the back-off
 * awaited before the answer), and split across classes it could no longer be read top to bottom.
 */
public final class ResilientUpstream {

  private static final Logger LOG = LoggerFactory.getLogger(ResilientUpstream.class);
  /** Reservations tried when answers arrive after their slot has passed. */
  private static final int SLOT_ATTEMPTS = 3;

  private final Vertx vertx;
  private final UpstreamClient client;
  private final QuotaGate quota;
  private final UpstreamOptions options;
  private final Clock clock;
  private final CircuitBreaker breaker;
  private final Bulkhead bulkhead;
  private final QueuedBulkhead permits;
  private final Retry retry;
  private final UpstreamMetrics metrics;
  private volatile long breakerOpenedAt;

  public ResilientUpstream(Vertx vertx, UpstreamClient client, QuotaGate quota, Clock clock, MeterRegistry registry) {
    this.vertx = vertx;
    this.client = client;
    this.quota = quota;
    this.options = client.options();
    this.clock = clock;
    String name = "upstream-" + options.getId();
    this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
      .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
      .slidingWindowSize(options.getBreakerWindow())
      .minimumNumberOfCalls(Math.max(2, options.getBreakerWindow() / 4))
      .failureRateThreshold(options.getBreakerFailureRate())
      .waitDurationInOpenState(options.getBreakerOpenDuration())
      .permittedNumberOfCallsInHalfOpenState(1)
      // the cache's clock, as the budget's back-off it sets on opening: the two end together
      .clock(clock)
      .build());
    // zero: Resilience4j's bulkhead would wait by blocking the thread (an event loop); QueuedBulkhead waits
    // No more permits than connections: a permit holder reserves its slot and then sends when it comes due; one
    // that had to queue for a connection could see its slot pass meanwhile, and a slot given up is budget lost, in
    // the spike that needs it most.
    this.bulkhead = Bulkhead.of(name, BulkheadConfig.custom()
      .maxConcurrentCalls(Math.min(options.getMaxConcurrentRequests(), options.getMaxConnections()))
      .maxWaitDuration(Duration.ZERO)
      .build());
    this.retry = Retry.of(name, RetryConfig.<UpstreamResponse>custom()
      .maxAttempts(options.getMaxAttempts())
      .retryOnResult(ResilientUpstream::isRetryable)
      // our own fast refusals (open breaker, full bulkhead, no budget) are answers, not faults to retry
      .retryOnException(e -> !(e instanceof TokenCacheException))
      .intervalBiFunction(this::backoffMillis)
      .failAfterMaxAttempts(false)
      .build());
    this.metrics = new UpstreamMetrics(registry, options.getId(), breaker);
    this.permits = new QueuedBulkhead(vertx, bulkhead, options.getMaxQueuedRequests(), metrics);
    breaker.getEventPublisher().onStateTransition(e -> {
      if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        breakerOpenedAt = clock.millis();
        LOG.warn("circuit breaker for upstream '{}' opened: failing fast for {}", options.getId(),
          options.getBreakerOpenDuration());
        quota.backOff(capped(options.getBreakerOpenDuration().toMillis()));
      }
    });
  }

  /** The upstream's options. */
  public UpstreamOptions options() {
    return options;
  }

  /** What this member counted of this upstream's calls and refusals. */
  public CacheStats.Upstream stats() {
    return metrics.stats();
  }

  /** Its breaker's state and its budget owner's clock skew, now. */
  public CacheHealth.Upstream health() {
    String state = switch (breaker.getState()) {
      case CLOSED -> "closed";
      case OPEN, FORCED_OPEN -> "open";
      case HALF_OPEN -> "half_open";
      default -> "disabled";
    };
    return new CacheHealth.Upstream(state, quota.clockSkewSeconds());
  }

  /** The share of the quota this member's side of the cluster uses; {@code null} outside a cluster. */
  public Double quotaShare() {
    return quota.share();
  }

  /**
   * Requests a token with every protection.
   *
   * @return the upstream's last answer (possibly a 429 or 5xx once attempts or time ran out), or a
   *     {@link TokenCacheException} 503 with {@code Retry-After} when it could not be asked within bounds
   */
  public Future<UpstreamResponse> requestToken(TokenRequest.ClientCredentials request, Lane lane, String clientTag) {
    Promise<UpstreamResponse> result = Promise.promise();
    long deadline = System.nanoTime() + options.getFetchTimeout().toNanos();
    attempt(request, new Slot(lane, clientTag, false), retry.asyncContext(), deadline, result);
    return result.future();
  }

  /**
   * Forwards a pass-through request through the same breaker, bulkhead and budget (its lowest lane), without
   * retries.
   */
  public Future<UpstreamResponse> forward(TokenRequest.PassThrough request, String clientTag) {
    long deadline = System.nanoTime() + options.getFetchTimeout().toNanos();
    return guarded(new Slot(Lane.PASSTHROUGH, clientTag, false), deadline,
      sendable -> client.forward(request, sendable));
  }

  /** One upstream request, which sends nothing once {@code sendable} says no (see {@link UpstreamClient}). */
  @FunctionalInterface
  private interface Call {
    Future<UpstreamResponse> send(BooleanSupplier sendable);
  }

  /**
   * Where in the budget a request asks: its lane and its client's tag; and whether it is a retry, which waits
   * out a back-off it fits in (it is the fetch honouring it) where a first attempt fails fast.
   */
  private record Slot(Lane lane, String clientTag, boolean retry) {
    Slot retrying() {
      return retry ? this : new Slot(lane, clientTag, true);
    }
  }

  private void attempt(TokenRequest.ClientCredentials request, Slot slot, Retry.AsyncContext<UpstreamResponse> context,
                       long deadline, Promise<UpstreamResponse> result) {
    guarded(slot, deadline, sendable -> client.requestToken(request, sendable)).onComplete(ar -> {
      long delay = ar.succeeded() ? context.onResult(ar.result()) : context.onError(ar.cause());
      boolean inTime = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) < deadline;
      if (delay < 0 || !inTime) {
        if (ar.succeeded()) {
          context.onComplete();
        }
        result.handle(ar);
        return;
      }
      vertx.setTimer(Math.max(1, delay), t -> attempt(request, slot.retrying(), context, deadline, result));
    });
  }

  /**
   * One upstream request behind the breaker, the bulkhead and the budget. The breaker is asked first, so that an
   * open one fails fast instead of behind a queue; a caller that has to queue for a bulkhead permit gives the
   * breaker's permission back meanwhile (a half-open breaker has one, for its probe) and asks again when its
   * turn comes.
   */
  private Future<UpstreamResponse> guarded(Slot slot, long deadline, Call call) {
    if (!breaker.tryAcquirePermission()) {
      return breakerOpen();
    }
    long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    Future<Void> permit = permits.acquire(Math.min(options.getQuotaMaxWait().toMillis(), remaining));
    if (permit.succeeded()) {
      return withPermits(slot, deadline, call);
    }
    breaker.releasePermission();
    return permit.compose(v -> {
      if (!breaker.tryAcquirePermission()) {
        permits.release();
        return breakerOpen();
      }
      return withPermits(slot, deadline, call);
    });
  }

  private Future<UpstreamResponse> breakerOpen() {
    metrics.breakerRejected();
    long left = breakerOpenedAt + options.getBreakerOpenDuration().toMillis() - clock.millis();
    return Future.failedFuture(TokenCacheException.temporarilyUnavailable(
      "the upstream identity provider is failing; not calling it for now", seconds(left)));
  }

  /** Holding the breaker's and the bulkhead's permits: the budget, then the call. */
  private Future<UpstreamResponse> withPermits(Slot slot, long deadline, Call call) {
    return sendInSlot(slot, deadline, SLOT_ATTEMPTS, call)
      .onFailure(err -> {
        if (err instanceof TokenCacheException) {
          // refused before any call: the breaker and bulkhead permits are returned unused
          breaker.releasePermission();
          permits.release();
        }
      });
  }

  /**
   * Reserves a budget slot, waits for it and sends. A slot is a point in time: if a slot handed out under
   * saturation comes back, or its timer fires, so late that it has passed by more than the safety margin (a
   * slow round trip to the budget's owner during a partition migration), sending now could crowd the next
   * window, so the slot is abandoned (it costs budget, never excess) and another one reserved.
   */
  private Future<UpstreamResponse> sendInSlot(Slot slot, long deadline, int attemptsLeft,
                                              Call call) {
    long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    Duration maxWait = Duration.ofMillis(Math.max(0, Math.min(options.getQuotaMaxWait().toMillis(), remaining)));
    long reservedAt = clock.millis();
    return quota.reserve(slot.lane(), slot.clientTag(), maxWait)
      .recover(err -> {
        LOG.warn("upstream '{}': the budget could not be consulted: {}", options.getId(), err.toString());
        return Future.failedFuture(TokenCacheException.temporarilyUnavailable("the upstream budget is unavailable", 1));
      })
      .compose(delay -> {
        if (delay < 0) {
          // the owner's answer bounded by this member's own setting: no owner can hold it back for longer
          long until = Math.min(-(delay + 1), options.getMaxHoldBack().toMillis());
          // The log refuses at once during a back-off, with the time it has left, and when the wait would
          // exceed maxWait, with a longer one: a refusal that fits in maxWait is the back-off.
          boolean heldBack = until <= maxWait.toMillis();
          if (heldBack && slot.retry() && attemptsLeft > 1) {
            return vertx.timer(Math.max(1, until)).compose(t -> sendInSlot(slot, deadline, attemptsLeft - 1, call));
          }
          metrics.budgetRejected(slot.lane());
          return Future.failedFuture(TokenCacheException.temporarilyUnavailable(heldBack
            ? "the upstream identity provider asked to hold back; not calling it for now"
            : "the upstream budget is exhausted", seconds(until)));
        }
        if (delay > maxWait.toMillis()) {
          // never asked for: only an owner that is not token-cache answers so; not waited for
          metrics.budgetRejected(slot.lane());
          return Future.failedFuture(TokenCacheException.temporarilyUnavailable("the upstream budget is exhausted",
            seconds(maxWait.toMillis())));
        }
        metrics.budgetWaited(slot.lane(), delay);
        metrics.budgetRoundTrip(clock.millis() - reservedAt);
        // The owner timed the slot on its clock when the request reached it: waiting the delay from the answer's
        // arrival never sends early (which could crowd the slot's window). The slot's time here is counted from
        // the reservation's start, the earliest the owner can have timed it, so a slow round trip counts as late,
        // an immediate slot's too: the slots after it were placed from its time, and sending it late would crowd
        // them. A whole event loop lagging delays every send alike and keeps their spacing, so the margin is the
        // tolerance.
        long slotAt = reservedAt + delay;
        long margin = options.getQuotaSafetyMargin().toMillis();
        Future<Void> due = delay <= 0 ? Future.succeededFuture() : vertx.timer(delay).mapEmpty();
        // Checked when the slot comes due, and once more when the connection is there, the last moment the slot can
        // still be given up: opening connections (the first calls of a spike) can take longer than the margin.
        // Lateness is recorded once per slot, at the check that decides it.
        return due.compose(v -> {
          long late = clock.millis() - slotAt;
          if (late > margin) {
            metrics.slotLateness(late);
            return Future.<UpstreamResponse>failedFuture(UpstreamClient.NotSent.INSTANCE);
          }
          return send(slot.lane(), call, () -> metrics.slotLateness(clock.millis() - slotAt) <= margin);
        })
          .recover(err -> {
            if (!(err instanceof UpstreamClient.NotSent)) {
              return Future.failedFuture(err);
            }
            // the slot is given up (it costs budget, never excess) and another one reserved
            metrics.slotGivenUp(slot.lane());
            if (attemptsLeft > 1) {
              return sendInSlot(slot, deadline, attemptsLeft - 1, call);
            }
            return Future.failedFuture(TokenCacheException.temporarilyUnavailable(
              "the upstream budget's slots kept passing before they could be used", 1));
          });
      });
  }

  private Future<UpstreamResponse> send(Lane lane, Call call, BooleanSupplier sendable) {
    long start = System.nanoTime();
    Future<UpstreamResponse> sent;
    try {
      sent = call.send(sendable);
    } catch (RuntimeException e) {
      sent = Future.failedFuture(e);
    }
    return sent.transform(ar -> {
      if (ar.failed() && ar.cause() instanceof UpstreamClient.NotSent) {
        // nothing reached the upstream: the permits stay with the caller, which reserves another slot
        return Future.failedFuture(ar.cause());
      }
      permits.release();
      long took = System.nanoTime() - start;
      if (ar.failed()) {
        metrics.call("transport_error", lane, took);
        breaker.onError(took, TimeUnit.NANOSECONDS, ar.cause());
        // not a TokenCacheException: a transport fault, which the retry may try again
        return Future.failedFuture(new UpstreamFailure(ar.cause()));
      }
      UpstreamResponse resp = ar.result();
      metrics.call(outcomeOf(resp.statusCode()), lane, took);
      if (resp.statusCode() >= 500) {
        breaker.onError(took, TimeUnit.NANOSECONDS, new UpstreamFailure("upstream answered " + resp.statusCode()));
      } else {
        // 2xx and 4xx (429 included) show a healthy IdP: the budget, not the breaker, handles throttling
        breaker.onSuccess(took, TimeUnit.NANOSECONDS);
      }
      if ((resp.statusCode() == 429 || resp.statusCode() == 503) && resp.retryAfter() != null) {
        Duration hint = capped(RetryAfter.seconds(resp.retryAfter(), clock.millis(), 1) * 1000);
        LOG.warn("upstream '{}' answered {} with Retry-After {}: holding the budget back for {}", options.getId(),
          resp.statusCode(), resp.retryAfter(), hint);
        // The answer waits for the back-off to be in the shared log: once a caller sees this refusal, no member
        // calls before the hint ends, and the hint counts from now, not from whenever the write would arrive.
        return quota.backOff(hint)
          .transform(written -> {
            if (written.failed()) {
              LOG.warn("upstream '{}': the back-off could not be recorded in the budget: {}", options.getId(),
                written.cause().toString());
            }
            return Future.succeededFuture(resp);
          });
      }
      return Future.succeededFuture(resp);
    });
  }

  private static String outcomeOf(int status) {
    if (status == 429) {
      return "throttled";
    }
    if (status >= 500) {
      return "server_error";
    }
    return status >= 400 ? "client_error" : "success";
  }

  private static boolean isRetryable(UpstreamResponse resp) {
    return resp.statusCode() == 429 || resp.statusCode() >= 500;
  }

  /** Exponential back-off with equal jitter (in [base/2, base]), never shorter than the upstream's Retry-After. */
  private Long backoffMillis(Integer attempt, io.github.resilience4j.core.functions.Either<Throwable, UpstreamResponse> outcome) {
    long base = Math.min(options.getMaxBackoff().toMillis(),
      options.getInitialBackoff().toMillis() << Math.min(20, Math.max(0, attempt - 1)));
    long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    if (outcome.isRight() && outcome.get().retryAfter() != null) {
      jittered = Math.max(jittered,
        capped(RetryAfter.seconds(outcome.get().retryAfter(), clock.millis(), 0) * 1000).toMillis());
    }
    return jittered;
  }

  /** An upstream hint, never longer than the configured maximum hold-back. */
  private Duration capped(long millis) {
    return Duration.ofMillis(Math.min(millis, options.getMaxHoldBack().toMillis()));
  }

  private static long seconds(long millis) {
    return Math.max(1, (millis + 999) / 1000);
  }

  /** Fails the fetches still queued for a bulkhead permit and closes the HTTP client. */
  public Future<Void> close() {
    permits.close();
    quota.close();
    return client.close();
  }

  /** A transport-level failure of one attempt (timeout, connection refused or reset). */
  static final class UpstreamFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UpstreamFailure(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }

    UpstreamFailure(String message) {
      super(message, null, false, false);
    }
  }
}
