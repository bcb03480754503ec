package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far this member's clock is from the one the cluster's budget for an upstream runs on (its partition owner's,
 * see {@link HazelcastQuotaGate}): asked every {@value #PERIOD_SECONDS} s, exported as
 * {@code token_cache_clock_skew_seconds{upstream}} (positive: the owner's clock is ahead of this member's), and
 * logged when it exceeds the bound and when it comes back. Nothing depends on it: the budget runs on its owner's
 * clock, token expiry and refresh points on the {@link ClusterClock}, which measures its own offset and error.
 */
public final class ClockSkewMonitor {

  private static final Logger LOG = LoggerFactory.getLogger(ClockSkewMonitor.class);
  static final int PERIOD_SECONDS = 10;

  private final Vertx vertx;
  private final IMap<String, Object> logs;
  private final String upstream;
  private final Clock clock;
  private final long boundMillis;
  private final AtomicLong skewMillis = new AtomicLong();
  private final AtomicBoolean beyond = new AtomicBoolean();
  private final long timer;

  /** Starts asking; {@link #close} stops. */
  public ClockSkewMonitor(Vertx vertx, HazelcastInstance hz, String upstream, Clock clock, Duration bound,
                          MeterRegistry registry) {
    this.vertx = vertx;
    this.logs = hz.getMap(TokenMapConfig.QUOTA_MAP);
    this.upstream = upstream;
    this.clock = clock;
    this.boundMillis = bound.toMillis();
    Gauge.builder("token.cache.clock.skew", skewMillis, s -> s.get() / 1000.0).baseUnit("seconds")
      .description("How far the clock the upstream's budget runs on (its owner's) is ahead of this member's")
      .tag("upstream", upstream).strongReference(true).register(registry);
    check();
    this.timer = vertx.setPeriodic(PERIOD_SECONDS * 1000L, id -> check());
  }

  /** The last measured skew, in ms (positive: the owner's clock is ahead). */
  public long skewMillis() {
    return skewMillis.get();
  }

  /** One round trip to the owner; the skew is its time less the middle of the round trip on this clock. */
  Future<Long> check() {
    long sent = clock.millis();
    return Future.fromCompletionStage(logs.submitToKey(upstream,
        new OwnerTime()), vertx.getOrCreateContext())
      .map(owner -> {
        long skew = (Long) owner - (sent + clock.millis()) / 2;
        skewMillis.set(skew);
        boolean over = Math.abs(skew) > boundMillis;
        if (beyond.compareAndSet(!over, over)) {
          if (over) {
            LOG.warn("this member's clock is {} ms off the clock of the budget owner of upstream '{}' (bound {} ms): "
              + "token-cache runs on the cluster clock and is not affected, but this host's time is wrong; check NTP", -skew,
              upstream, boundMillis);
          } else {
            LOG.info("this member's clock is back within {} ms of the budget owner of upstream '{}'", boundMillis,
              upstream);
          }
        }
        return skew;
      })
      .onFailure(err -> LOG.debug("clock check of upstream '{}' failed: {}", upstream, err.toString()));
  }

  /** Stops asking. */
  public void close() {
    vertx.cancelTimer(timer);
  }

  /** Answers the owner's time: the budget clock registered there, or its system clock. Never writes. */
  static final class OwnerTime extends EntryProcessors.Base<Object, Long> implements ReadOnly, HazelcastInstanceAware {
    private transient HazelcastInstance hz;

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    @Override
    public Long process(Map.Entry<String, Object> entry) {
      Clock owner = hz == null ? null : (Clock) hz.getUserContext().get(HazelcastQuotaGate.OWNER_CLOCK);
      return owner != null ? owner.millis() : System.currentTimeMillis();
    }

    @Override
    public EntryProcessor<String, Object, Long> getBackupProcessor() {
      return null;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.OWNER_TIME;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }
}
