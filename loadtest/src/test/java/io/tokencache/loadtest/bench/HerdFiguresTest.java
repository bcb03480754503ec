package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HerdFigures")
class HerdFiguresTest {

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
    JsonObject u = HerdFigures.callsPerKey(new int[] {4, 5, 4, 5}, times, 59, 20);
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
    JsonObject u = HerdFigures.callsPerKey(new int[] {12, 12, 12, 12}, times, 59, 20);
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
    JsonObject u = HerdFigures.callsPerKey(new int[] {4, 5, 3}, times, 59, 20);
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
    JsonObject u = HerdFigures.callsPerKey(new int[] {4}, new long[][] {{0, 15_000}}, 59, 20);
    assertThat(u.getBoolean("issue_times_complete")).isFalse();
  }

  @Test
  @DisplayName("reads a herd's wrk lines and the IdP's issue times: latency in ms, answers by outcome, calls per key")
  void shouldReadTheRawFiles(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("herd-nginx-idp.json"), new JsonObject()
        .put("issuedByClient", new JsonObject().put("h-0", 2).put("h-1", 1).put("other-0", 9))
        .put("issuedAtByClient", new JsonObject().put("h-0", new JsonArray().add(0).add(5))
            .put("h-1", new JsonArray().add(0)))
        .put("tokenRequests", 12).encode());
    JsonObject wrk = new JsonObject().put("requests", 40).put("duration_us", 5_000_000).put("errors", 1)
        .put("status_errors", 3).put("p50", 1500).put("p99", 2_500_000).put("p999", 2_600_000).put("max", 2_700_000);
    Files.writeString(dir.resolve("herd-nginx.json"), new JsonObject().put("system", "nginx").put("prefix", "h")
        .put("keys", 2).put("herd_per_key", 20).put("lifetime_seconds", 20).put("duration_seconds", 19.0)
        .put("herd", wrk).put("tail", wrk).encode());

    JsonObject h = HerdFigures.of(dir, "nginx");

    assertThat(h.getInteger("herd_requests")).isEqualTo(40);
    assertThat(h.getJsonObject("herd_answers").getJsonObject("latency_ms").getDouble("p99")).isEqualTo(2500.0);
    assertThat(h.getJsonObject("herd_answers").getJsonObject("latency_ms").getDouble("p50")).isEqualTo(1.5);
    assertThat(h.getJsonObject("tail_answers").getJsonObject("status").getLong("below 400")).isEqualTo(37);
    assertThat(h.getJsonObject("tail_answers").getJsonObject("status").getLong("socket errors")).isEqualTo(1);
    JsonObject u = h.getJsonObject("upstream");
    assertThat(u.getLong("calls_total")).as("only the herd's own keys").isEqualTo(3);
    assertThat(u.getLong("duplicate_calls")).as("two fetches 5 ms apart are one generation fetched twice").isEqualTo(1);
    assertThat(h.getInteger("idp_token_requests")).isEqualTo(12);
    assertThat(HerdFigures.of(dir, "token-cache")).as("the phase did not run for it").isNull();
  }
}
