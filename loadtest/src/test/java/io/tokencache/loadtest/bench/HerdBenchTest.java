package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HerdBench figures")
class HerdBenchTest {

  /** Each generation's fetches: {@code copies} fetches {@code spreadMillis} apart at each of {@code starts}. */
  static long[] fetches(long[] starts, int copies, long spreadMillis) {
    long[] times = new long[starts.length * copies];
    int i = 0;
    for (long start : starts) {
      for (int c = 0; c < copies; c++) {
        times[i++] = start + c * spreadMillis;
      }
    }
    return times;
  }

  @Test
  @DisplayName("one fetch per generation at jittered intervals is 1.0 per generation, whatever the cycle count")
  void shouldCountOneFetchPerGeneration() {
    // tokens of 20 s refreshed at 75% less up to 5%: 14 to 15 s apart; over 59 s some keys get a fifth fetch
    long[][] times = {
        {0, 15_000, 30_000, 45_000},
        {0, 14_000, 28_000, 42_000, 56_000},
        {0, 14_500, 29_200, 43_300},
        {0, 14_100, 28_600, 42_900, 57_000}};
    JsonObject u = HerdBench.callsPerKey(new int[] {4, 5, 4, 5}, times, 59, 20);
    assertThat(u.getLong("calls_total")).isEqualTo(18);
    assertThat(u.getInteger("calls_per_key_max")).isEqualTo(5);
    assertThat(u.getLong("duplicate_calls")).isZero();
    assertThat(u.getInteger("keys_with_duplicate_calls")).isZero();
    assertThat(u.getDouble("calls_per_key_per_generation")).isEqualTo(1.0);
    assertThat(u.getDouble("calls_per_key_per_generation_max")).isEqualTo(1.0);
    assertThat(u.getDouble("generations_per_key_mean")).isEqualTo(4.5);
    assertThat(u.getBoolean("issue_times_complete")).isTrue();
    assertThat(u.getDouble("lifetimes_covered")).isEqualTo(2.95);
    assertThat(u.getDouble("calls_per_key_per_lifetime")).isEqualTo(1.525);
    // the old per-refresh-cycle figure (mean / 4 cycles) would read 1.125 here: it is no longer given
    assertThat(u.containsKey("calls_per_key_per_refresh_cycle")).isFalse();
  }

  @Test
  @DisplayName("three independent caches fetching each generation within 5 ms make 3.0 calls per generation")
  void shouldSeeDuplicates() {
    long[] starts = {0, 15_000, 30_000, 45_000};
    long[][] times = {fetches(starts, 3, 2), fetches(starts, 3, 1), fetches(starts, 3, 2), fetches(starts, 3, 1)};
    JsonObject u = HerdBench.callsPerKey(new int[] {12, 12, 12, 12}, times, 59, 20);
    assertThat(u.getDouble("calls_per_key_mean")).isEqualTo(12.0);
    assertThat(u.getLong("duplicate_calls")).isEqualTo(32);
    assertThat(u.getInteger("keys_with_duplicate_calls")).isEqualTo(4);
    assertThat(u.getDouble("calls_per_key_per_generation")).isEqualTo(3.0);
    assertThat(u.getDouble("calls_per_key_per_generation_max")).isEqualTo(3.0);
    assertThat(u.getDouble("generations_per_key_mean")).isEqualTo(4.0);
  }

  @Test
  @DisplayName("one generation fetched twice shows in the mean and the worst key; min, max and mean per key")
  void shouldSeeOneDuplicate() {
    long[][] times = {{0, 15_000, 30_000, 45_000}, {0, 15_000, 15_040, 30_000, 45_000}, {0, 14_200, 28_900}};
    JsonObject u = HerdBench.callsPerKey(new int[] {4, 5, 3}, times, 59, 20);
    assertThat(u.getInteger("calls_per_key_min")).isEqualTo(3);
    assertThat(u.getInteger("calls_per_key_max")).isEqualTo(5);
    assertThat(u.getLong("duplicate_calls")).isEqualTo(1);
    assertThat(u.getInteger("keys_with_duplicate_calls")).isEqualTo(1);
    assertThat(u.getDouble("calls_per_key_per_generation")).isEqualTo(1.083);
    assertThat(u.getDouble("calls_per_key_per_generation_max")).isEqualTo(1.25);
    assertThat(u.getJsonArray("duplicate_calls_per_key").getList()).containsExactly(0, 1, 0);
  }

  @Test
  @DisplayName("tells when the IdP recorded fewer issue times than it counted tokens")
  void shouldFlagIncompleteIssueTimes() {
    JsonObject u = HerdBench.callsPerKey(new int[] {4}, new long[][] {{0, 15_000}}, 59, 20);
    assertThat(u.getBoolean("issue_times_complete")).isFalse();
  }

  @Test
  @DisplayName("tallies answers by status and cache status")
  void shouldTally() {
    HerdBench.Tally t = new HerdBench.Tally();
    t.add(200, "HIT");
    t.add(200, "MISS");
    t.add(-1, "ConnectException");
    for (long ms = 1; ms <= 100; ms++) {
      t.latency(ms * 1_000_000);
    }
    JsonObject json = t.toJson();
    assertThat(json.getJsonObject("latency_ms").getDouble("p50")).isEqualTo(50.0);
    assertThat(json.getJsonObject("latency_ms").getDouble("p99")).isEqualTo(99.0);
    assertThat(json.getJsonObject("latency_ms").getDouble("max")).isEqualTo(100.0);
    assertThat(json.getJsonObject("status").getInteger("200")).isEqualTo(2);
    assertThat(json.getJsonObject("status").getInteger("error")).isEqualTo(1);
    assertThat(json.getJsonObject("cache").getInteger("HIT")).isEqualTo(1);
  }
}
