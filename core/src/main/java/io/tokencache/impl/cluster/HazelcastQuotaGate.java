package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.tokencache.impl.quota.QuotaGate;
import io.tokencache.impl.quota.SlidingWindowLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.Serial;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The cluster's budget for one upstream: one {@link SlidingWindowLog} per upstream in the
 * {@value TokenMapConfig#QUOTA_MAP} map, read and updated by entry processors on its partition owner, so
 * every member draws from the same budget, a member that joins inherits the log and any back-off, and a
 * member that leaves returns nothing to anybody (there is nothing per member to redistribute).
 *
 * <p>One remote call per upstream request: upstream requests are rare by design (at most the quota), so
 * exactness costs nothing that matters. Times are the calling member's clock, passed in the processor, so
 * the owner and its backups apply the same update; clock skew between members is absorbed by the safety
 * margin.
 */
public final class HazelcastQuotaGate implements QuotaGate {

  private final Vertx vertx;
  private final IMap<String, SlidingWindowLog> logs;
  private final String upstream;
  private final double quotaPerSecond;
  private final long safetyMarginMillis;
  private final Clock clock;

  public HazelcastQuotaGate(Vertx vertx, HazelcastInstance hz, String upstream, double quotaPerSecond,
                            Duration safetyMargin, Clock clock) {
    this.vertx = vertx;
    this.logs = hz.getMap(TokenMapConfig.QUOTA_MAP);
    this.upstream = upstream;
    this.quotaPerSecond = quotaPerSecond;
    this.safetyMarginMillis = safetyMargin.toMillis();
    this.clock = clock;
  }

  @Override
  public Future<Long> reserve(Duration maxWait) {
    return submit(new Reserve(quotaPerSecond, safetyMarginMillis, clock.millis(), maxWait.toMillis()));
  }

  @Override
  public Future<Void> backOff(Duration duration) {
    long now = clock.millis();
    return submit(new BackOff(quotaPerSecond, safetyMarginMillis, now + duration.toMillis())).mapEmpty();
  }

  private Future<Long> submit(EntryProcessor<String, SlidingWindowLog, Long> processor) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(logs.submitToKey(upstream, processor), context);
  }

  /** The log for the configured budget; a changed quota starts a new log (keeping any back-off). */
  static SlidingWindowLog logOf(Map.Entry<String, SlidingWindowLog> entry, double quota, long margin) {
    SlidingWindowLog log = entry.getValue();
    if (log == null || !log.isFor(quota, margin)) {
      SlidingWindowLog fresh = new SlidingWindowLog(quota, margin);
      if (log != null) {
        fresh.blockUntil(log.blockedUntil());
      }
      log = fresh;
    }
    return log;
  }

  /** Reserves a slot on the owner; applied identically on backups. */
  static final class Reserve implements EntryProcessor<String, SlidingWindowLog, Long> {
    @Serial
    private static final long serialVersionUID = 1L;
    private final double quota;
    private final long margin;
    private final long now;
    private final long maxWait;

    Reserve(double quota, long margin, long now, long maxWait) {
      this.quota = quota;
      this.margin = margin;
      this.now = now;
      this.maxWait = maxWait;
    }

    @Override
    public Long process(Map.Entry<String, SlidingWindowLog> entry) {
      SlidingWindowLog log = logOf(entry, quota, margin);
      long delay = log.reserve(now, maxWait);
      entry.setValue(log);
      return delay;
    }
  }

  /** Holds every reservation back until a time. */
  static final class BackOff implements EntryProcessor<String, SlidingWindowLog, Long> {
    @Serial
    private static final long serialVersionUID = 1L;
    private final double quota;
    private final long margin;
    private final long until;

    BackOff(double quota, long margin, long until) {
      this.quota = quota;
      this.margin = margin;
      this.until = until;
    }

    @Override
    public Long process(Map.Entry<String, SlidingWindowLog> entry) {
      SlidingWindowLog log = logOf(entry, quota, margin);
      log.blockUntil(until);
      entry.setValue(log);
      return 0L;
    }
  }
}
