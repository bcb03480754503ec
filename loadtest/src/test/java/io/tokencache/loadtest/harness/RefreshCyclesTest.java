package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RefreshCycles")
class RefreshCyclesTest {

  private static final long LIFETIME = 20_000;

  @Test
  @DisplayName("refreshes every 70-75% of a lifetime up to the end of the load are once per cycle")
  void shouldAcceptOneRefreshPerCycle() {
    RefreshCycles.Summary s = RefreshCycles.judge(Map.of(
        "a", new long[] {0, 14_500, 29_000, 43_200},
        "b", new long[] {28_700, 100, 14_300, 43_000}), LIFETIME, 0.9, 55_000);
    assertThat(s.oncePerCycle()).isTrue();
    assertThat(s.fetches()).isEqualTo(8);
    assertThat(s.fetchesPerKeyMin()).isEqualTo(4);
    assertThat(s.maxGapMillis()).isEqualTo(14_500);
  }

  @Test
  @DisplayName("a starved refresh (a gap past 90% of a lifetime), a duplicate, or a key never fetched fails")
  void shouldFailStarvedDuplicatedOrMissingRefreshes() {
    RefreshCycles.Summary starved = RefreshCycles.judge(Map.of("a", new long[] {0, 14_500, 39_000}), LIFETIME, 0.9,
        50_000);
    assertThat(starved.lateRefreshes()).isEqualTo(1);
    assertThat(starved.oncePerCycle()).isFalse();
    RefreshCycles.Summary stale = RefreshCycles.judge(Map.of("a", new long[] {0, 14_500}), LIFETIME, 0.9, 40_000);
    assertThat(stale.lateRefreshes()).as("no refresh since 14.5 s, the load ran to 40 s").isEqualTo(1);
    RefreshCycles.Summary twice = RefreshCycles.judge(Map.of("a", new long[] {0, 5, 14_500}), LIFETIME, 0.9, 20_000);
    assertThat(twice.duplicates()).isEqualTo(1);
    assertThat(twice.oncePerCycle()).isFalse();
    RefreshCycles.Summary never = RefreshCycles.judge(Map.of("a", new long[0], "b", new long[] {0}), LIFETIME, 0.9,
        10_000);
    assertThat(never.keysNeverFetched()).isEqualTo(1);
    assertThat(never.oncePerCycle()).isFalse();
    assertThat(RefreshCycles.judge(Map.of(), LIFETIME, 0.9, 0).oncePerCycle()).isFalse();
  }
}
