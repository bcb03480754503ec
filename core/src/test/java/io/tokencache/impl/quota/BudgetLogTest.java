package io.tokencache.impl.quota;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BudgetLogTest {

  private static final long T0 = 1_000_000L;
  private static final long DAY = 86_400_000L;
  private static final BudgetPolicy PLAIN = BudgetPolicy.unshared(10, 0, DAY);
  /** Quota 10: known and below 8, unknown and below 4, pass-through 2; one client half of its lane. */
  private static final BudgetPolicy LANES = new BudgetPolicy(10, 0, 0.8, 0.4, 0.2, 0.5, 60_000);

  /** The most grants in any half-open window [t, t + window) — what an IdP counting per sliding second sees. */
  static int maxInAnyWindow(List<Long> times, long window) {
    List<Long> sorted = new ArrayList<>(times);
    sorted.sort(Long::compare);
    int max = 0;
    for (int i = 0, j = 0; i < sorted.size(); i++) {
      while (sorted.get(i) - sorted.get(j) >= window) {
        j++;
      }
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  @Test
  @DisplayName("an idle budget allows a burst of Q at once, then one more per freed slot")
  void shouldAllowBurstOfOneSecondOfBudget() {
    BudgetLog log = new BudgetLog();
    for (int i = 0; i < 10; i++) {
      assertThat(log.reserve(PLAIN, T0, Lane.REFRESH, null, 0)).isZero();
    }
    assertThat(log.reserve(PLAIN, T0, Lane.REFRESH, null, 0)).as("no slot left without waiting").isEqualTo(-(1000 + 1));
    assertThat(log.reserve(PLAIN, T0, Lane.REFRESH, null, 5000)).isEqualTo(1000);
  }

  @Test
  @DisplayName("the safety margin widens the window the budget is counted over")
  void shouldApplySafetyMargin() {
    BudgetPolicy policy = BudgetPolicy.unshared(2, 100, DAY);
    BudgetLog log = new BudgetLog();
    assertThat(log.reserve(policy, T0, Lane.KNOWN, null, 0)).isZero();
    assertThat(log.reserve(policy, T0, Lane.KNOWN, null, 0)).isZero();
    assertThat(log.reserve(policy, T0, Lane.KNOWN, null, 10_000)).isEqualTo(1100);
  }

  @Test
  @DisplayName("a budget under 1 per second stretches the window to hold one request")
  void shouldSupportFractionalQuota() {
    BudgetPolicy policy = BudgetPolicy.unshared(0.5, 0, DAY);
    BudgetLog log = new BudgetLog();
    assertThat(log.reserve(policy, T0, Lane.REFRESH, null, 0)).isZero();
    assertThat(log.reserve(policy, T0, Lane.REFRESH, null, 10_000)).isEqualTo(2000);
  }

  @Test
  @DisplayName("random callers in every lane, reserving ahead and out of order, never exceed any lane's share of any sliding window")
  void shouldNeverExceedQuotaOrLaneSharesInAnySlidingWindow() {
    BudgetLog log = new BudgetLog();
    Map<Lane, List<Long>> sent = new EnumMap<>(Lane.class);
    List<Long> all = new ArrayList<>();
    Random random = new Random(42);
    long now = T0;
    for (int i = 0; i < 5000; i++) {
      now += random.nextInt(60);
      Lane lane = Lane.values()[random.nextInt(4)];
      long delay = log.reserve(LANES, now, lane, "client-" + random.nextInt(5), 3000);
      if (delay >= 0) {
        sent.computeIfAbsent(lane, l -> new ArrayList<>()).add(now + delay);
        all.add(now + delay);
      }
    }
    assertThat(maxInAnyWindow(all, 1000)).isEqualTo(10);
    List<Long> knownAndBelow = new ArrayList<>();
    List<Long> unknownAndBelow = new ArrayList<>(sent.get(Lane.PASSTHROUGH));
    unknownAndBelow.addAll(sent.get(Lane.UNKNOWN));
    knownAndBelow.addAll(unknownAndBelow);
    knownAndBelow.addAll(sent.get(Lane.KNOWN));
    assertThat(maxInAnyWindow(knownAndBelow, 1000)).isLessThanOrEqualTo(8);
    assertThat(maxInAnyWindow(unknownAndBelow, 1000)).isLessThanOrEqualTo(4);
    assertThat(maxInAnyWindow(sent.get(Lane.PASSTHROUGH), 1000)).isLessThanOrEqualTo(2);
    assertThat(log.size()).as("only the last windows and the slots reserved ahead are kept").isLessThan(100);
  }

  @Test
  @DisplayName("a flood of first fetches saturating its lane leaves refreshes a slot at once, every window")
  void shouldKeepHeadroomForRefreshesUnderAFlood() {
    BudgetLog log = new BudgetLog();
    long now = T0;
    int refreshed = 0;
    for (int second = 0; second < 30; second++) {
      for (int i = 0; i < 100; i++) {
        log.reserve(LANES, now + i * 10, Lane.UNKNOWN, "flood-" + second + "-" + i, 10_000);
        log.reserve(LANES, now + i * 10, Lane.KNOWN, "known-" + second + "-" + i, 10_000);
      }
      // two refreshes per second fit in the 20% kept for them, however far ahead the flood has reserved
      assertThat(log.reserve(LANES, now + 500, Lane.REFRESH, "svc", 0)).isZero();
      assertThat(log.reserve(LANES, now + 520, Lane.REFRESH, "svc", 0)).isZero();
      refreshed += 2;
      now += 1000;
    }
    assertThat(refreshed).isEqualTo(60);
  }

  @Test
  @DisplayName("a lower lane never uses more than its share, even on an idle budget; a higher lane may use what it leaves")
  void shouldCapLowerLanesAndLetHigherLanesUseTheRest() {
    BudgetLog log = new BudgetLog();
    assertThat(log.reserve(LANES, T0, Lane.PASSTHROUGH, "a", 0)).isZero();
    assertThat(log.reserve(LANES, T0, Lane.PASSTHROUGH, "b", 0)).isZero();
    assertThat(log.reserve(LANES, T0, Lane.PASSTHROUGH, "c", 0)).as("pass-through holds 2 of 10").isNegative();
    assertThat(log.reserve(LANES, T0, Lane.UNKNOWN, "d", 0)).isZero();
    assertThat(log.reserve(LANES, T0, Lane.UNKNOWN, "e", 0)).isZero();
    assertThat(log.reserve(LANES, T0, Lane.UNKNOWN, "f", 0)).as("unknown and pass-through hold 4").isNegative();
    for (int i = 0; i < 4; i++) {
      assertThat(log.reserve(LANES, T0, Lane.KNOWN, "k" + i, 0)).isZero();
    }
    assertThat(log.reserve(LANES, T0, Lane.KNOWN, "k9", 0)).as("first fetches hold 8").isNegative();
    assertThat(log.reserve(LANES, T0, Lane.REFRESH, "r", 0)).isZero();
    assertThat(log.reserve(LANES, T0, Lane.REFRESH, "r", 0)).isZero();
    assertThat(log.reserve(LANES, T0, Lane.REFRESH, "r", 0)).as("the quota holds for everybody").isNegative();
  }

  @Test
  @DisplayName("one client id takes at most its share of its lane while another asks, and another still gets a slot at once")
  void shouldShareALaneFairlyBetweenClients() {
    BudgetLog log = new BudgetLog();
    assertThat(log.reserve(LANES, T0, Lane.KNOWN, "other", 0)).isZero();
    int greedy = 0;
    for (int i = 0; i < 10; i++) {
      if (log.reserve(LANES, T0, Lane.KNOWN, "greedy", 0) == 0) {
        greedy++;
      }
    }
    assertThat(greedy).as("half of the 8 slots of first fetches").isEqualTo(4);
    assertThat(log.reserve(LANES, T0, Lane.KNOWN, "other", 0)).isZero();
    assertThat(log.reserve(LANES, T0, Lane.KNOWN, "greedy", 5000)).as("the greedy one waits for its next window")
      .isEqualTo(1000);
  }

  @Test
  @DisplayName("a client id alone in its lane may use all of it: fairness never leaves slots idle")
  void shouldLetALoneClientUseItsWholeLane() {
    BudgetLog log = new BudgetLog();
    int granted = 0;
    for (int i = 0; i < 10; i++) {
      if (log.reserve(LANES, T0, Lane.KNOWN, "alone", 0) == 0) {
        granted++;
      }
    }
    assertThat(granted).isEqualTo(8);
    assertThat(log.reserve(LANES, T0 + 1000, Lane.KNOWN, "other", 0)).as("a newcomer finds the next window").isZero();
  }

  @Test
  @DisplayName("a back-off refuses at once (misses fail fast) rather than making callers wait it out")
  void shouldFailFastDuringBackOff() {
    BudgetLog log = new BudgetLog();
    log.blockUntil(LANES, T0, T0 + 5000);
    assertThat(log.reserve(LANES, T0, Lane.REFRESH, null, 60_000)).isEqualTo(-(5000 + 1));
    assertThat(log.reserve(LANES, T0 + 5000, Lane.REFRESH, null, 0)).isZero();
    log.blockUntil(LANES, T0 + 5000, T0 + 5010);
    log.blockUntil(LANES, T0 + 5000, T0 + 5005);
    assertThat(log.blockedUntil(LANES, T0)).as("a shorter back-off never shortens a longer one").isEqualTo(T0 + 5010);
  }

  @Test
  @DisplayName("grants reserved further ahead than the maximum back-off (forged, or a clock far ahead) are dropped")
  void shouldDropGrantsBeyondTheHorizon() {
    BudgetLog log = new BudgetLog();
    for (int i = 0; i < 100; i++) {
      log.reserve(LANES, T0 + DAY, Lane.REFRESH, null, 60_000);
    }
    assertThat(log.reserve(LANES, T0, Lane.KNOWN, "a", 0)).as("the far-future grants hold nothing back").isZero();
    assertThat(log.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("a back-off claiming to be set far in the future (a clock far ahead, a forged value) is ignored")
  void shouldIgnoreABackOffSetInTheFuture() {
    BudgetLog log = new BudgetLog();
    log.blockUntil(LANES, T0 + DAY, T0 + DAY + 30_000);
    assertThat(log.blockedUntil(LANES, T0)).isLessThan(T0);
    assertThat(log.reserve(LANES, T0, Lane.REFRESH, null, 0)).isZero();
    log.blockUntil(LANES, T0 + 30_000, T0 + 90_000);
    assertThat(log.blockedUntil(LANES, T0)).as("set within the maximum ahead: honoured, capped")
      .isEqualTo(T0 + 90_000);
  }

  @Test
  @DisplayName("Retry-After: 86400 holds the budget back no longer than the maximum, also for a member with a smaller maximum")
  void shouldCapBackOffs() {
    BudgetLog log = new BudgetLog();
    log.blockUntil(LANES, T0, T0 + DAY);
    assertThat(log.blockedUntil(LANES, T0)).isEqualTo(T0 + 60_000);
    assertThat(log.reserve(LANES, T0 + 60_000, Lane.KNOWN, "a", 0)).isZero();

    BudgetLog written = new BudgetLog();
    written.blockUntil(PLAIN, T0, T0 + DAY);
    assertThat(written.blockedUntil(PLAIN, T0)).as("a member allowing a day").isEqualTo(T0 + DAY);
    assertThat(written.blockedUntil(LANES, T0)).as("read by a member allowing a minute").isEqualTo(T0 + 60_000);
    assertThat(written.reserve(LANES, T0 + 60_000, Lane.KNOWN, "a", 0)).isZero();
  }

  @Test
  @DisplayName("the log survives its wire form exactly")
  void shouldRoundTripItsWireForm() throws Exception {
    BudgetLog log = new BudgetLog();
    log.reserve(LANES, T0, Lane.KNOWN, "a", 0);
    log.reserve(LANES, T0 + 3, Lane.PASSTHROUGH, null, 0);
    log.blockUntil(LANES, T0 + 5, T0 + 900);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    log.writeTo(new DataOutputStream(bytes));
    BudgetLog read = BudgetLog.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(read).isEqualTo(log);
    assertThat(read.blockedUntil(LANES, T0)).isEqualTo(T0 + 900);
  }

  @Test
  @DisplayName("an owner change to a member whose clock is 30 s behind (or ahead): the grants still fill their window, nothing is handed out twice, the back-off ends when it was set to; the same owner moves nothing")
  void shouldKeepItsWindowsAcrossAnOwnerChange() throws Exception {
    for (long skew : new long[] {30_000, -30_000}) {
      BudgetLog log = new BudgetLog();
      long first = T0 + skew;
      // a's clock is skew off the cluster clock, which reads T0
      log.usedBy("a", first, T0);
      for (int i = 0; i < 10; i++) {
        assertThat(log.reserve(PLAIN, first, Lane.KNOWN, null, 0)).isZero();
      }
      log.blockUntil(PLAIN, first, first + 500);
      BudgetLog moved = throughTheWire(log);

      // b takes over 10 ms later on its clock, which is in step with the cluster clock
      moved.usedBy("b", T0 + 10, T0 + 10);
      assertThat(moved.blockedUntil(PLAIN, T0 + 10)).as("the back-off, on b's clock").isEqualTo(T0 + 500);
      // the last use counts as just now on b's clock: the grants fill the window until 1 s after it
      assertThat(moved.reserve(PLAIN, T0 + 500, Lane.KNOWN, null, 10_000)).as("skew %d: the window is still full", skew)
        .isGreaterThanOrEqualTo(500);
    }

    // a back-off of a minute, the log quiet for 59 s, then a new owner: the back-off has 1 s left, not a minute
    BudgetLog quiet = new BudgetLog();
    quiet.usedBy("a", T0, T0);
    quiet.blockUntil(PLAIN, T0, T0 + 60_000);
    BudgetLog taken = throughTheWire(quiet);
    taken.usedBy("b", T0 + 59_000 - 30_000, T0 + 59_000);
    assertThat(taken.blockedUntil(PLAIN, T0 + 29_000)).as("on b's clock, 30 s behind").isEqualTo(T0 + 30_000);

    BudgetLog same = new BudgetLog();
    same.usedBy("a", T0, T0);
    same.reserve(PLAIN, T0, Lane.KNOWN, null, 0);
    same.usedBy("a", T0 + 5_000, T0 + 5_000);
    for (int i = 0; i < 10; i++) {
      assertThat(same.reserve(PLAIN, T0 + 5_000, Lane.KNOWN, null, 0)).as("its own old grant has left the window")
        .isZero();
    }
  }

  private static BudgetLog throughTheWire(BudgetLog log) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    log.writeTo(new DataOutputStream(bytes));
    return BudgetLog.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
  }

  @Test
  @DisplayName("after a split's merge, both sides' grants count in every window and the back-off that ends latest holds")
  void shouldMergeTheSidesOfASplit() {
    BudgetLog one = new BudgetLog();
    BudgetLog other = new BudgetLog();
    for (int i = 0; i < 6; i++) {
      assertThat(one.reserve(PLAIN, T0 + i, Lane.KNOWN, null, 0)).isZero();
      assertThat(other.reserve(PLAIN, T0 + i, Lane.KNOWN, null, 0)).isZero();
    }
    one.blockUntil(PLAIN, T0 + 10, T0 + 5_000);
    other.blockUntil(PLAIN, T0 + 10, T0 + 9_000);

    for (BudgetLog merged : new BudgetLog[] {one.mergedWith(other), other.mergedWith(one)}) {
      assertThat(merged.size()).isEqualTo(12);
      assertThat(merged.blockedUntil(PLAIN, T0 + 20)).isEqualTo(T0 + 9_000);
      // once the back-off is over, the grants have aged out: a slot at once
      long delay = merged.reserve(PLAIN, T0 + 9_000, Lane.KNOWN, null, 60_000);
      assertThat(delay).isZero();
    }
    BudgetLog merged = one.mergedWith(other);
    merged.blockUntil(PLAIN, T0 + 10, T0 + 10);
    assertThat(merged.reserve(PLAIN, T0 + 100, Lane.KNOWN, null, 0)).as("a full window right after the merge")
      .isNegative();
  }
}
