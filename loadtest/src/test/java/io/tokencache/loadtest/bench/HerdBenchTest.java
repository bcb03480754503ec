package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HerdBench figures")
class HerdBenchTest {

  @Test
  @DisplayName("one fetch per refresh cycle is 1.0 per cycle and 1/fraction per lifetime")
  void shouldCountOneFetchPerCycle() {
    // 59 s with tokens of 20 s refreshed at 75%: fetches at 0, 15, 30 and 45 s
    JsonObject u = HerdBench.callsPerKey(new int[] {4, 4, 4, 4}, 59, 20, 0.75);
    assertThat(u.getLong("refresh_cycles")).isEqualTo(4);
    assertThat(u.getDouble("calls_per_key_per_refresh_cycle")).isEqualTo(1.0);
    assertThat(u.getDouble("lifetimes_covered")).isEqualTo(2.95);
    assertThat(u.getDouble("calls_per_key_per_lifetime")).isEqualTo(1.356);
    assertThat(u.getLong("calls_total")).isEqualTo(16);
  }

  @Test
  @DisplayName("three independent caches fetch three times per cycle; min, max and mean per key")
  void shouldSeeDuplicates() {
    JsonObject u = HerdBench.callsPerKey(new int[] {12, 12, 13, 11}, 59, 20, 0.75);
    assertThat(u.getDouble("calls_per_key_mean")).isEqualTo(12.0);
    assertThat(u.getInteger("calls_per_key_min")).isEqualTo(11);
    assertThat(u.getInteger("calls_per_key_max")).isEqualTo(13);
    assertThat(u.getDouble("calls_per_key_per_refresh_cycle")).isEqualTo(3.0);
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
