package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The one clock every absolute time written to or read from the cluster is on: token issue, refresh, expiry and
 * serve-until points, client records. Each member estimates it from its own clock plus an offset measured against
 * the cluster clock's record (one entry of {@value TokenMapConfig#CLOCK_MAP}, kept by its partition owner), with
 * the measurement's error (half the round trip) taken as a safety margin both ways:
 * <ul>
 *   <li>{@link #millis()} is the <em>latest</em> the cluster time can be now: every "is it still servable, is a
 *   refresh due" check uses it, so a token is never served past its serve-until point on the cluster clock;</li>
 *   <li>{@link #earliestMillis()} is the <em>earliest</em> it can be: a token's issue time is stamped with it, so
 *   its expiry is never later than the IdP's lifetime from the moment the request was sent.</li>
 * </ul>
 * A member's own clock being 30 s ahead or behind then changes nothing: every member measures a token's age on the
 * same clock, whoever wrote it.
 *
 * <p>The record is forward only, and does not jump when its keeper changes: the keeper answers its own time plus
 * the record's offset, but never less than the last time it handed out, nor less than the asking member's own
 * continuation of its last estimate (the tick's floor). When the record's keeper changed (a migration, a member
 * that died, the sides of a split), the new keeper's clock is not trusted with the old offset: the clock continues
 * from the asking member's latest estimate (the tick's latest), or, for a member with none, from the last time
 * handed out plus the longest gap between ticks ({@link #MAX_TICK_GAP_MILLIS}). A new keeper whose clock is behind
 * therefore cannot make tokens look younger than they are, nor one whose clock is ahead make them all look expired.
 * A member that has no measurement is not started ({@link #start} waits for the first).
 *
 * <p>Hand-written because Hazelcast's own cluster time ({@code Cluster#getClusterTime}) is the master's
 * {@code System.currentTimeMillis()} with no error bound, cannot be driven by an injected clock, and jumps when the
 * master changes.
 */
public final class ClusterClock extends Clock {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterClock.class);
  /** The record's key in {@value TokenMapConfig#CLOCK_MAP}. */
  static final String KEY = "cluster-clock";
  /** Where a member's cluster clock is kept in its Hazelcast user context. */
  static final String CONTEXT_KEY = "token-cache.cluster-clock";
  /** How often every member measures its offset (and so moves the record on). */
  static final long PERIOD_MILLIS = 2_000;
  /** The most time assumed to pass between two ticks of the record when its keeper changes. */
  static final long MAX_TICK_GAP_MILLIS = PERIOD_MILLIS + 1_000;
  /**
   * The furthest one member's floor may move the cluster clock ahead of the keeper's reading: a floor is a
   * continuation of a measured time, so only a member's own clock stepping forward makes it larger, and that must not
   * expire every token in the cluster.
   */
  static final long MAX_FLOOR_PUSH_MILLIS = 10_000;
  /**
   * The furthest a member's estimate may move the clock on past the last time handed out when the keeper changed:
   * longer than a dead keeper takes to be declared dead, so a takeover never starts the clock behind.
   */
  static final long MAX_TAKEOVER_MILLIS = 60_000;
  /** How long {@link #start} tries to get a first measurement. */
  static final long START_TIMEOUT_MILLIS = 30_000;
  static final long NONE = Long.MIN_VALUE;

  private final Vertx vertx;
  private final IMap<String, Object> records;
  private final Clock local;
  private volatile Estimate estimate;
  private volatile long timer = -1;

  /** An offset from the local clock to the cluster clock, and its error, in ms. */
  record Estimate(long offset, long error) {
  }

  @SuppressWarnings("unchecked")
  private ClusterClock(Vertx vertx, HazelcastInstance hz, Clock local) {
    this.vertx = vertx;
    this.records = hz.getMap(TokenMapConfig.CLOCK_MAP);
    this.local = local;
  }

  /**
   * A cluster clock for this member, measured once before the future completes and then every
   * {@value #PERIOD_MILLIS} ms until {@link #close}. The member's {@linkplain HazelcastQuotaGate#registerOwnerClock
   * owner clock} must be registered first: it is the time this member answers while it keeps the record.
   */
  public static Future<ClusterClock> start(Vertx vertx, HazelcastInstance hz, Clock local) {
    ClusterClock clock = new ClusterClock(vertx, hz, local);
    Promise<ClusterClock> started = Promise.promise();
    long deadline = System.nanoTime() + START_TIMEOUT_MILLIS * 1_000_000;
    clock.firstMeasurement(started, deadline);
    return started.future().onSuccess(c -> {
      c.timer = vertx.setPeriodic(PERIOD_MILLIS, id -> c.measure());
      // for what a partition owner compares with times other members wrote on this clock (a lease's end)
      hz.getUserContext().putIfAbsent(CONTEXT_KEY, c);
    });
  }

  /**
   * The time on the cluster clock of the member running an entry processor, for comparing with times written on
   * it; the member's own clock where it has no cluster clock yet (a member still starting, or not token-cache).
   */
  static long ownerMillis(HazelcastInstance hz) {
    Object clusterClock = hz == null ? null : hz.getUserContext().get(CONTEXT_KEY);
    if (clusterClock instanceof ClusterClock c) {
      return c.millis();
    }
    Clock owner = hz == null ? null : (Clock) hz.getUserContext().get(HazelcastQuotaGate.OWNER_CLOCK);
    return owner != null ? owner.millis() : System.currentTimeMillis();
  }

  /**
   * The cluster clock less the local clock on the member running an entry processor (the middle of its estimate), 0
   * where it has no cluster clock yet.
   */
  static long ownerOffset(HazelcastInstance hz) {
    Object clusterClock = hz == null ? null : hz.getUserContext().get(CONTEXT_KEY);
    return clusterClock instanceof ClusterClock c ? c.estimate.offset : 0;
  }

  private void firstMeasurement(Promise<ClusterClock> started, long deadline) {
    measure().onComplete(ar -> {
      if (ar.succeeded()) {
        started.complete(this);
      } else if (System.nanoTime() > deadline) {
        started.fail(new IllegalStateException("could not read the cluster clock within " + START_TIMEOUT_MILLIS
          + " ms: " + ar.cause()));
      } else {
        vertx.setTimer(200, id -> firstMeasurement(started, deadline));
      }
    });
  }

  /** One round trip to the record's keeper; the offset is its time less the middle of the round trip here. */
  Future<Long> measure() {
    Estimate before = estimate;
    long sent = local.millis();
    long floor = before == null ? NONE : sent + before.offset - before.error;
    long latest = before == null ? NONE : sent + before.offset + before.error;
    return Future.fromCompletionStage(records.submitToKey(KEY, new ClusterClockRecord.Tick(floor, latest)),
        vertx.getOrCreateContext())
      .map(answer -> {
        long received = local.millis();
        long clusterTime = (Long) answer;
        long halfTrip = (received - sent + 1) / 2;
        Estimate next = new Estimate(clusterTime - (sent + received) / 2, halfTrip + 1);
        if (before != null && Math.abs(next.offset - before.offset) > before.error + next.error + 1_000) {
          LOG.info("the cluster clock moved {} ms against this member's (its keeper changed, or this member's clock "
            + "was stepped)", next.offset - before.offset);
        }
        estimate = next;
        return next.offset;
      })
      .onFailure(err -> LOG.debug("reading the cluster clock failed: {}", err.toString()));
  }

  /** The latest the cluster time can be now, in epoch ms: the time to check serving and refresh points against. */
  @Override
  public long millis() {
    Estimate e = estimate;
    return local.millis() + e.offset + e.error;
  }

  /** The earliest the cluster time can be now: the time to stamp a token's issue with. */
  public long earliestMillis() {
    Estimate e = estimate;
    return local.millis() + e.offset - e.error;
  }

  /** The current estimate (offset from this member's clock, and its error). */
  Estimate estimate() {
    return estimate;
  }

  /** {@code clock}'s earliest possible reading: {@link #earliestMillis()} for a cluster clock, else its time. */
  public static long earliestMillis(Clock clock) {
    return clock instanceof ClusterClock c ? c.earliestMillis() : clock.millis();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  /** Stops measuring; the last estimate stays. */
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
