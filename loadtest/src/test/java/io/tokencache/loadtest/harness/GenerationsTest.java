package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Generations")
class GenerationsTest {

  private static final long LIFETIME = 20_000;

  @Test
  @DisplayName("one fetch per generation, at jittered intervals of 70% to 75% of the lifetime, has no duplicate")
  void shouldSeeNoDuplicateInJitteredRefreshes() {
    // 5 fetches in 59 s: one more than floor(59 / 15) + 1 = 4 refresh cycles, yet one per generation
    long[] times = {0, 14_000, 28_700, 42_950, 56_950};
    assertThat(Generations.duplicates(times, LIFETIME)).isZero();
    Generations.Key key = Generations.of(times, LIFETIME);
    assertThat(key.calls()).isEqualTo(5);
    assertThat(key.generations()).isEqualTo(5);
    assertThat(key.callsPerGeneration()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("three independent caches fetching each generation within 5 ms make 3 calls per generation")
  void shouldCountFetchesOfTheSameGeneration() {
    long[] times = {0, 2, 5, 15_000, 15_001, 15_004, 30_003, 30_000, 30_001, 45_000, 45_005, 45_002};
    assertThat(Generations.duplicates(times, LIFETIME)).isEqualTo(8);
    assertThat(Generations.of(times, LIFETIME).callsPerGeneration()).isEqualTo(3.0);
  }

  @Test
  @DisplayName("a fetch is a duplicate from just under half a lifetime after the key's previous fetch, in any order")
  void shouldUseHalfALifetimeAfterThePreviousFetch() {
    assertThat(Generations.duplicates(new long[] {10_000, 0}, LIFETIME)).isZero();
    assertThat(Generations.duplicates(new long[] {9_999, 0}, LIFETIME)).isEqualTo(1);
    // each compared with the previous fetch, duplicate or not
    assertThat(Generations.duplicates(new long[] {0, 6_000, 12_000, 18_000}, LIFETIME)).isEqualTo(3);
    assertThat(Generations.duplicates(new long[0], LIFETIME)).isZero();
    assertThat(Generations.duplicates(new long[] {42}, LIFETIME)).isZero();
    assertThatThrownBy(() -> Generations.duplicates(new long[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("calls per generation is calls / (calls - duplicates), 0 without calls")
  void shouldDivideByGenerations() {
    assertThat(Generations.callsPerGeneration(5, 1)).isEqualTo(1.25);
    assertThat(Generations.callsPerGeneration(4, 0)).isEqualTo(1.0);
    assertThat(Generations.callsPerGeneration(0, 0)).isZero();
    assertThatThrownBy(() -> Generations.callsPerGeneration(2, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("sums keys up: mean and worst calls per generation over the keys with a call")
  void shouldSummarize() {
    Generations.Summary s = Generations.summarize(List.of(new Generations.Key(4, 0), new Generations.Key(5, 1),
        new Generations.Key(0, 0), new Generations.Key(12, 8)));
    assertThat(s.keys()).isEqualTo(3);
    assertThat(s.calls()).isEqualTo(21);
    assertThat(s.duplicates()).isEqualTo(9);
    assertThat(s.keysWithDuplicates()).isEqualTo(2);
    assertThat(s.callsPerGenerationMean()).isEqualTo((1.0 + 1.25 + 3.0) / 3);
    assertThat(s.callsPerGenerationMax()).isEqualTo(3.0);
    assertThat(s.toJson().getDouble("calls_per_key_per_generation")).isEqualTo(1.75);
    assertThat(s.toJson().getLong("duplicate_calls")).isEqualTo(9);
    Generations.Summary none = Generations.summarize(List.of());
    assertThat(none.keys()).isZero();
    assertThat(none.callsPerGenerationMean()).isZero();
  }

  @Test
  @DisplayName("reads issue times from JSON and bounds the fetches with the jittered earliest refresh point")
  void shouldReadTimesAndBoundCycles() {
    assertThat(Generations.millis(new JsonArray().add(1L).add(2))).containsExactly(1L, 2L);
    assertThat(Generations.millis(null)).isEmpty();
    // refreshed at least every (0.75 - 0.05) x 20 s = 14 s: 0, 14, 28, 42, 56
    assertThat(Generations.maxCyclesWithJitter(59, 20, 0.75)).isEqualTo(5);
    assertThat(Generations.maxCyclesWithJitter(120, 60, 0.75)).isEqualTo(3);
    // the jitter never exceeds half the fraction
    assertThat(Generations.maxCyclesWithJitter(10, 10, 0.06)).isEqualTo(34);
  }
}
