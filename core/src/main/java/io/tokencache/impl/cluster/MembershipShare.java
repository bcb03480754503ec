package io.tokencache.impl.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokencache.impl.quota.BudgetPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The share of each upstream's quota this side of the cluster may use: its member count against the last stable
 * membership. In a split, every side keeps a copy of the budget's log and would otherwise use the whole quota, k
 * sides k times over; each side using (its members / the members before the split) keeps their sum at the quota.
 *
 * <p>A member that leaves on purpose (a graceful shutdown: a rolling update, a scale-down) leaves a note on its way
 * out, and the others take the smaller membership as the new normal at once. A member that vanishes without one (a
 * crash, or the other side of a split: nobody can tell them apart from inside) shrinks this side's share until the
 * membership is back (a merge, a restarted member) or {@link #HOLD_MILLIS} passed, after which the smaller
 * membership is the new normal. The floor is the budget's own: a share never rounds a side's rate down to nothing,
 * but stretches its window to hold one call (see {@link BudgetPolicy}), so a lone survivor keeps refreshing its
 * tokens in use; the sides' sum exceeds the quota within one second only if a side's share is below one call per
 * second, and never over the longer windows.
 *
 * <p>One per Hazelcast member, kept in its user context.
 */
public final class MembershipShare {

  private static final Logger LOG = LoggerFactory.getLogger(MembershipShare.class);
  private static final String CONTEXT_KEY = "token-cache.membership-share";
  /** How long a membership that shrank without notice is held to its smaller share. */
  public static final long HOLD_MILLIS = 10 * 60 * 1000;
  /** How long a departing member's note is kept: long enough for every member to see it leave. */
  static final long NOTE_TTL_SECONDS = 120;
  private static final String NOTE_PREFIX = "left:";

  private final HazelcastInstance hz;
  private final IMap<String, Object> notes;
  private final Clock clock;
  private int stable;
  private int current;
  private long reducedSince;

  private MembershipShare(HazelcastInstance hz, Clock clock) {
    this.hz = hz;
    this.notes = hz.getMap(TokenMapConfig.CLOCK_MAP);
    this.clock = clock;
    this.current = hz.getCluster().getMembers().size();
    this.stable = current;
    hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        changed(null);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String left = event.getMember().getUuid().toString();
        String key = NOTE_PREFIX + left;
        // a note counts only if it authenticates: one planted by a member without the key would let this side use
        // the whole quota while the other side of a split does too
        notes.getAsync(key).whenComplete((note, err) -> changed(note != null && authentic(key, note) ? left : null));
      }
    });
    hz.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
        leaveNote();
      }
    });
  }

  /** This member's share, created on first use. */
  public static MembershipShare of(HazelcastInstance hz, Clock clock) {
    return (MembershipShare) hz.getUserContext().computeIfAbsent(CONTEXT_KEY, k -> new MembershipShare(hz, clock));
  }

  /** Exports the share as {@code token_cache_cluster_quota_share} (1: the whole quota). */
  public void register(MeterRegistry registry) {
    Gauge.builder("token.cache.cluster.quota.share", this, MembershipShare::fraction)
      .description("The share of each upstream's quota this side of the cluster uses: its members against the last "
        + "stable membership (below 1 after members vanished without leaving: a split, or a crash)")
      .strongReference(true).register(registry);
  }

  private boolean authentic(String key, Object note) {
    try {
      return ValueSeal.of(hz).open(TokenMapConfig.CLOCK_MAP, key, note) != null;
    } catch (IllegalStateException noSeal) {
      return false;
    }
  }

  /** On a graceful shutdown (the listener runs on the thread shutting down, before the member leaves). */
  private void leaveNote() {
    try {
      String key = NOTE_PREFIX + hz.getCluster().getLocalMember().getUuid();
      long now = clock.millis();
      notes.setAsync(key, ValueSeal.of(hz).seal(TokenMapConfig.CLOCK_MAP, key, out -> out.writeLong(now)), NOTE_TTL_SECONDS,
        TimeUnit.SECONDS).toCompletableFuture().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("could not leave a departure note: {}", e.toString());
    }
  }

  /** After a membership event; the size is read now, as a removal's note is looked up after later events. */
  private synchronized void changed(String leftWithNote) {
    int before = current;
    current = hz.getCluster().getMembers().size();
    if (current == before && leftWithNote == null) {
      return;
    }
    if (current >= stable) {
      if (before < stable) {
        LOG.info("the cluster has its {} members again: each upstream's whole quota is used", current);
      }
      stable = current;
      return;
    }
    if (leftWithNote != null && before >= stable) {
      // a member left on purpose, the rest were whole: the smaller membership is the new normal
      stable = current;
      return;
    }
    if (before >= stable) {
      reducedSince = clock.millis();
    }
    LOG.warn("the cluster shrank from {} to {} members without notice (a split, or a crash): this side uses {}/{} of "
      + "each upstream's quota until the members come back, or for at most {} min", stable, current, current, stable,
      HOLD_MILLIS / 60_000);
  }

  /** The share of the quota this side uses now, in (0, 1]. */
  public synchronized double fraction() {
    if (current >= stable) {
      return 1;
    }
    if (clock.millis() - reducedSince > HOLD_MILLIS) {
      LOG.warn("the cluster has had {} members instead of {} for {} min: taken as the new membership; each upstream's "
        + "whole quota is used again", current, stable, HOLD_MILLIS / 60_000);
      stable = current;
      return 1;
    }
    return (double) current / stable;
  }

  /** {@code policy} with its quota scaled to this side's share. */
  public BudgetPolicy scale(BudgetPolicy policy) {
    double f = fraction();
    return f >= 1 ? policy : new BudgetPolicy(policy.quotaPerSecond() * f, policy.safetyMarginMillis(),
      policy.knownShare(), policy.unknownShare(), policy.passThroughShare(), policy.clientShare(),
      policy.maxBackOffMillis());
  }
}
