package io.tokencache.impl.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster clock's record only moves forward, whoever keeps it and whatever their clocks read. */
class ClusterClockTest {

  private static final long NONE = Long.MIN_VALUE;

  @Test
  @DisplayName("the first keeper's clock starts the cluster clock; the same keeper moves it with its own clock")
  void shouldRunOnTheKeepersClock() {
    ClusterClockRecord first = ClusterClockRecord.Tick.next(null, 1_000_000, "a", NONE, NONE);
    assertThat(first.last).isEqualTo(1_000_000);
    ClusterClockRecord later = ClusterClockRecord.Tick.next(first, 1_001_500, "a", NONE, NONE);
    assertThat(later.last).isEqualTo(1_001_500);
  }

  @Test
  @DisplayName("a new keeper whose clock is 30 s behind does not move the cluster clock back: it continues from the last time handed out plus the longest gap between ticks")
  void shouldNotGoBackWhenTheKeeperChanges() {
    ClusterClockRecord r = ClusterClockRecord.Tick.next(null, 1_000_000, "ahead", NONE, NONE);
    ClusterClockRecord next = ClusterClockRecord.Tick.next(r, 1_000_500 - 30_000, "behind", NONE, NONE);
    assertThat(next.last).isEqualTo(1_000_000 + ClusterClock.MAX_TICK_GAP_MILLIS);
    // and from then on runs at the new keeper's rate, with the offset it took
    ClusterClockRecord after = ClusterClockRecord.Tick.next(next, 1_001_500 - 30_000, "behind", NONE, NONE);
    assertThat(after.last).isEqualTo(next.last + 1_000);
  }

  @Test
  @DisplayName("a new keeper whose clock is 30 s ahead does not move the cluster clock on by 30 s: it continues from the asking member's latest estimate")
  void shouldNotJumpWithAKeeperAhead() {
    ClusterClockRecord r = ClusterClockRecord.Tick.next(null, 1_000_000, "a", NONE, NONE);
    ClusterClockRecord next = ClusterClockRecord.Tick.next(r, 1_000_600 + 30_000, "b", 1_000_590, 1_000_610);
    assertThat(next.last).isEqualTo(1_000_610);
    assertThat(ClusterClockRecord.Tick.next(next, 1_001_600 + 30_000, "b", NONE, NONE).last).isEqualTo(1_001_610);
  }

  @Test
  @DisplayName("a takeover long after the last tick (a dead keeper) continues from the asking member's latest estimate, up to a minute on")
  void shouldContinueFromTheMembersEstimateAfterATakeover() {
    ClusterClockRecord r = ClusterClockRecord.Tick.next(null, 1_000_000, "a", NONE, NONE);
    assertThat(ClusterClockRecord.Tick.next(r, 500_000, "b", 1_011_990, 1_012_010).last).isEqualTo(1_012_010);
    assertThat(ClusterClockRecord.Tick.next(r, 500_000, "b", NONE, 9_000_000).last)
      .isEqualTo(1_000_000 + ClusterClock.MAX_TAKEOVER_MILLIS);
  }

  @Test
  @DisplayName("a member's continuation of its last estimate lifts the clock (a keeper that took over late), but by at most the floor cap")
  void shouldHonourTheCallersFloorWithinTheCap() {
    ClusterClockRecord r = ClusterClockRecord.Tick.next(null, 1_000_000, "a", NONE, NONE);
    assertThat(ClusterClockRecord.Tick.next(r, 1_000_100, "a", 1_005_000, NONE).last).isEqualTo(1_005_000);
    assertThat(ClusterClockRecord.Tick.next(r, 1_000_100, "a", 9_000_000, NONE).last)
      .isEqualTo(1_000_100 + ClusterClock.MAX_FLOOR_PUSH_MILLIS);
    assertThat(ClusterClockRecord.Tick.next(r, 1_000_100, "a", 900_000, NONE).last).isEqualTo(1_000_100);
  }
}
