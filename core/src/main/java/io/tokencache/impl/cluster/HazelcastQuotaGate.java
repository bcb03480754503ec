package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import io.micrometer.core.instrument.MeterRegistry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.tokencache.impl.quota.BudgetLog;
import io.tokencache.impl.quota.BudgetPolicy;
import io.tokencache.impl.quota.Lane;
import io.tokencache.impl.quota.QuotaGate;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The cluster's budget for one upstream: one {@link BudgetLog} per upstream in the {@value TokenMapConfig#QUOTA_MAP}
 * map, read and updated by entry processors on its partition owner, so every member draws from the same budget and
 * the same lanes, a member that joins inherits the log and any back-off, and a member that leaves returns nothing
 * to anybody (there is nothing per member to redistribute).
 *
 * <p>One remote call per upstream request: upstream requests are rare by design (at most the quota), so
 * exactness costs nothing that matters. Times are the owner's clock (see {@code BudgetProcessor}), fixed in the
 * processor so the owner and its backups apply the same update; callers only ever see delays, which no clock skew
 * between members changes. A change of owner (migration) may move the clock by the skew between the two.
 * Each processor carries the caller's {@link BudgetPolicy}: the log holds no configuration of its own.
 *
 * <p>Its entry processors and their wire form live here, beside the gate that sends them, which puts it just over
 * the usual size: the two change together whenever the budget's inputs do.
 */
public final class HazelcastQuotaGate implements QuotaGate {

  /**
   * The key, in each Hazelcast member's user context, of the {@link Clock} its budget processors run on when the
   * member owns the budget (the cache's clock: {@link #registerOwnerClock}).
   */
  static final String OWNER_CLOCK = "token-cache.clock";
  /**
   * A member whose clock is further than this from the budget owner's says so in its log and metrics: tokens run on
   * the {@link ClusterClock} and the budget on its owner's clock, so nothing of the cluster depends on it, but the
   * host's time is wrong, and the budget's times jump by that much if its partition moves to this member.
   */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(2);

  private final Vertx vertx;
  private final IMap<String, Object> logs;
  private final String upstream;
  private final BudgetPolicy policy;
  private final Clock clock;
  private final ClockSkewMonitor skew;
  private final MembershipShare share;

  /** A gate without a clock check (tests of the gate alone). */
  public HazelcastQuotaGate(Vertx vertx, HazelcastInstance hz, String upstream, BudgetPolicy policy, Clock clock) {
    this(vertx, hz, upstream, policy, clock, null);
  }

  /** A gate that also reports how far this member's clock is from the budget owner's, into {@code registry}. */
  public HazelcastQuotaGate(Vertx vertx, HazelcastInstance hz, String upstream, BudgetPolicy policy, Clock clock,
                            MeterRegistry registry) {
    this.vertx = vertx;
    this.logs = hz.getMap(TokenMapConfig.QUOTA_MAP);
    this.upstream = upstream;
    this.policy = policy;
    this.clock = clock;
    this.skew = registry == null ? null
      : new ClockSkewMonitor(vertx, hz, upstream, clock, MAX_CLOCK_SKEW, registry);
    // in a split, each side uses its members' share of the quota
    this.share = MembershipShare.of(hz, clock);
    if (registry != null) {
      share.register(registry);
    }
  }

  @Override
  public Double clockSkewSeconds() {
    return skew == null ? null : skew.skewMillis() / 1000.0;
  }

  @Override
  public Double share() {
    return share.fraction();
  }

  @Override
  public void close() {
    if (skew != null) {
      skew.close();
    }
  }

  /** Makes {@code clock} the one this member times the budget with while it owns it (the first one stays). */
  public static void registerOwnerClock(HazelcastInstance hz, Clock clock) {
    hz.getUserContext().putIfAbsent(OWNER_CLOCK, clock);
  }

  @Override
  public Future<Long> reserve(Lane lane, String client, Duration maxWait) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(logs.submitToKey(upstream,
      new Reserve(share.scale(policy), clock.millis(), lane, client, maxWait.toMillis())), context);
  }

  @Override
  public Future<Void> backOff(Duration duration) {
    Context context = vertx.getOrCreateContext();
    long now = clock.millis();
    return Future.fromCompletionStage(logs.submitToKey(upstream, new BackOff(policy, now, duration.toMillis())),
      context).mapEmpty();
  }

  /**
   * Runs on the budget's partition owner, on the owner's clock: every reservation and back-off of the cluster is
   * timed by one clock, whatever the callers' clocks say (a member whose clock runs ahead can neither fill the log
   * with future grants nor let more than the quota through by running behind). The owner's time is then fixed in
   * the processor, so its backups apply exactly the same update. The caller's time is used only where no owner
   * clock is registered (a member that is not token-cache).
   */
  private abstract static class BudgetProcessor extends EntryProcessors.Base<Object, Long>
    implements HazelcastInstanceAware {
    BudgetPolicy policy;
    long now;
    /** Whether {@link #now} is the owner's already (then a backup applies it as it is). */
    boolean ownerTimed;
    /** The owner's member id, fixed with its time: the log is put on its clock ({@link BudgetLog#usedBy}). */
    String ownerId = "";
    /** The cluster clock at {@link #now}, on the owner, fixed with it: the back-off's clock. */
    long clusterNow;
    private transient HazelcastInstance hz;

    BudgetProcessor() {
    }

    BudgetProcessor(BudgetPolicy policy, long now) {
      this.policy = policy;
      this.now = now;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    @Override
    public Long process(Map.Entry<String, Object> entry) {
      if (!ownerTimed) {
        Clock owner = hz == null ? null : (Clock) hz.getUserContext().get(OWNER_CLOCK);
        if (owner != null) {
          now = owner.millis();
        }
        // the middle of the owner's estimate of the cluster clock (its own clock where it has none yet)
        clusterNow = now + ClusterClock.ownerOffset(hz);
        if (hz != null) {
          ownerId = hz.getCluster().getLocalMember().getUuid().toString();
        }
        ownerTimed = true;
      }
      ValueSeal seal = EntryProcessors.sealOf(hz);
      String key = entry.getKey();
      BudgetLog log = seal.open(TokenMapConfig.QUOTA_MAP, key, EntryProcessors.rawValueOf(entry), BudgetLog::readFrom);
      if (log == null) {
        // Absent, or written without the key: the log this member last wrote for the upstream (a forged or deleted
        // log must not hand the quota out a second time), else a new one.
        log = seal.lastWritten(TokenMapConfig.QUOTA_MAP, key, BudgetLog::readFrom);
      }
      if (log == null) {
        log = new BudgetLog();
      }
      log.usedBy(ownerId, now, clusterNow);
      long result = apply(log);
      BudgetLog written = log;
      Sealed value = seal.seal(TokenMapConfig.QUOTA_MAP, key, written::writeTo);
      seal.remember(TokenMapConfig.QUOTA_MAP, key, value);
      entry.setValue(value);
      return result;
    }

    abstract long apply(BudgetLog log);

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      writePolicy(out, policy);
      out.writeLong(now);
      out.writeBoolean(ownerTimed);
      out.writeString(ownerId);
      out.writeLong(clusterNow);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      policy = readPolicy(in);
      now = in.readLong();
      ownerTimed = in.readBoolean();
      String id = in.readString();
      ownerId = id == null ? "" : id;
      try {
        clusterNow = in.readLong();
      } catch (java.io.EOFException writtenByAnOlderMember) {
        // a rolling upgrade: the owner's own clock stands in for the cluster clock
        clusterNow = now;
      }
    }
  }

  private static void writePolicy(ObjectDataOutput out, BudgetPolicy p) throws IOException {
    out.writeDouble(p.quotaPerSecond());
    out.writeLong(p.safetyMarginMillis());
    out.writeDouble(p.knownShare());
    out.writeDouble(p.unknownShare());
    out.writeDouble(p.passThroughShare());
    out.writeDouble(p.clientShare());
    out.writeLong(p.maxBackOffMillis());
  }

  private static BudgetPolicy readPolicy(ObjectDataInput in) throws IOException {
    try {
      return new BudgetPolicy(in.readDouble(), in.readLong(), in.readDouble(), in.readDouble(), in.readDouble(),
        in.readDouble(), in.readLong());
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid budget policy: " + e.getMessage(), e);
    }
  }

  /** Reserves a slot on the owner; applied identically on backups. */
  static final class Reserve extends BudgetProcessor {
    private Lane lane;
    private String client;
    private long maxWait;

    Reserve() {
    }

    Reserve(BudgetPolicy policy, long now, Lane lane, String client, long maxWait) {
      super(policy, now);
      this.lane = lane;
      this.client = client;
      this.maxWait = maxWait;
    }

    @Override
    long apply(BudgetLog log) {
      return log.reserve(policy, now, lane, client, maxWait);
    }

    @Override
    public int getClassId() {
      return EntryProcessors.BUDGET_RESERVE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      super.writeData(out);
      out.writeByte(lane.ordinal());
      out.writeString(client);
      out.writeLong(maxWait);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      super.readData(in);
      int l = in.readByte();
      if (l < 0 || l >= Lane.values().length) {
        throw new IOException("unknown lane " + l);
      }
      lane = Lane.values()[l];
      client = in.readString();
      maxWait = in.readLong();
    }
  }

  /** Holds every reservation back for a duration from the owner's now (capped by the policy's maximum back-off). */
  static final class BackOff extends BudgetProcessor {
    private long durationMillis;

    BackOff() {
    }

    BackOff(BudgetPolicy policy, long now, long durationMillis) {
      super(policy, now);
      this.durationMillis = durationMillis;
    }

    @Override
    long apply(BudgetLog log) {
      log.blockUntil(policy, now, now + durationMillis);
      return 0L;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.BUDGET_BACK_OFF;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      super.writeData(out);
      out.writeLong(durationMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      super.readData(in);
      durationMillis = in.readLong();
    }
  }
}
