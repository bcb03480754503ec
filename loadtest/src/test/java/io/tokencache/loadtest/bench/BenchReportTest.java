package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("BenchReport")
class BenchReportTest {

  private static JsonObject wrk(long requests, long p50, long p99) {
    return new JsonObject().put("requests", requests).put("duration_us", 10_000_000L).put("errors", 0)
        .put("status_errors", 0).put("p50", p50).put("p90", p99 / 2).put("p99", p99).put("p999", p99 * 2)
        .put("max", p99 * 3).put("mean", p50);
  }

  private static void hit(Path dir, String system, int round, long requests, long p99) throws Exception {
    Files.writeString(dir.resolve("hit").resolve(system + "-r" + round + ".json"), new JsonObject()
        .put("system", system).put("round", round).put("load1", 0.5).put("server_cpu_ms", requests / 50)
        .put("wrk", wrk(requests, 1000, p99)).encode());
  }

  /** A paced round ({@code hit/paced/}) at {@code target} req/s over 10 s, with 128 connections. */
  private static void paced(Path dir, String system, int round, long requests, long p99, int target) throws Exception {
    Files.createDirectories(dir.resolve("hit").resolve("paced"));
    Files.writeString(dir.resolve("hit").resolve("paced").resolve(system + "-r" + round + ".json"), new JsonObject()
        .put("system", system).put("round", round).put("load1", 0.5).put("server_cpu_ms", requests / 40)
        .put("connections", 128).put("target_rps", target).put("wrk", wrk(requests, 500, p99)).encode());
  }

  /** Paced rounds at 10,000 req/s; {@code tokenCacheRequests}: token-cache's per round (100,000 = on target). */
  private static Path withPaced(Path dir, long tokenCacheRequests) throws Exception {
    for (int r = 1; r <= 3; r++) {
      paced(dir, "nginx", r, 100_000 - 10L * r, 1500 + r, 10_000);
      paced(dir, "token-cache", r, tokenCacheRequests - 10L * r, 1200 + r, 10_000);
      paced(dir, "vertx-floor", r, 100_000 - 10L * r, 1000 + r, 10_000);
    }
    Files.writeString(dir.resolve("meta.properties"), Files.readString(dir.resolve("meta.properties"))
        + "hit.paced_rps=10000\nhit.paced_connections=128\nwrk=wrk -t2 -c64 -d10s -s loadtest/bench/token.lua\n");
    return dir;
  }

  private static void window(Path dir, String kind, int n, long start, long p99) throws Exception {
    Files.writeString(dir.resolve("rollover").resolve(kind + "-w" + n + ".json"), new JsonObject()
        .put("kind", kind).put("window", n).put("start_ms", start).put("end_ms", start + 5000)
        .put("wrk", wrk(50_000, 800, p99)).encode());
  }

  private static final long[] GENERATIONS = {0, 15_000, 30_000, 45_000};

  /**
   * One system's raw herd files, as run.sh writes them: the settings with the herd's and the steady load's wrk
   * lines, and the IdP's issue times of each key.
   */
  private static void herd(Path dir, String system, String prefix, long[]... issuedAt) throws Exception {
    JsonObject byClient = new JsonObject();
    JsonObject atByClient = new JsonObject();
    for (int k = 0; k < issuedAt.length; k++) {
      byClient.put(prefix + "-" + k, issuedAt[k].length);
      atByClient.put(prefix + "-" + k, new JsonArray(java.util.Arrays.stream(issuedAt[k]).boxed().toList()));
    }
    Files.writeString(dir.resolve("herd-" + system + "-idp.json"), new JsonObject().put("issuedByClient", byClient)
        .put("issuedAtByClient", atByClient).put("tokenRequests", 50).encode());
    Files.writeString(dir.resolve("herd-" + system + ".json"), new JsonObject().put("system", system)
        .put("prefix", prefix).put("keys", issuedAt.length).put("herd_per_key", 200).put("duration_seconds", 59.0)
        .put("lifetime_seconds", 20).put("tail_rps", 300).put("refresh_fraction", 0.75)
        .put("herd", wrk(600, 900_000, 1_800_000)).put("tail", wrk(17_000, 800, 2000)).encode());
  }

  private static Path run(Path dir) throws Exception {
    return run(dir, false);
  }

  private static Path run(Path dir, boolean duplicate) throws Exception {
    Files.createDirectories(dir.resolve("hit"));
    Files.createDirectories(dir.resolve("rollover"));
    Files.writeString(dir.resolve("meta.properties"), String.join("\n", "run_id=test", "rounds=3", "duration=10",
        "warmup=5", "load.1-hit=0.50 0.40 0.30", "rollover.lifetime=20", "rollover.steady_lifetime=3600",
        "rollover.window=5", "rollover.keys=50", "rollover.refresh_grace_ms=500", ""));
    // requests per 10 s: nginx 200k/210k/190k, token-cache 230k/220k/240k, floor 250k/240k/260k
    long[][] rounds = {{200_000, 230_000, 250_000}, {210_000, 220_000, 240_000}, {190_000, 240_000, 260_000}};
    for (int r = 0; r < 3; r++) {
      hit(dir, "nginx", r + 1, rounds[r][0], 4000);
      hit(dir, "token-cache", r + 1, rounds[r][1], 3000);
      hit(dir, "vertx-floor", r + 1, rounds[r][2], 2500);
    }
    long[] once = HerdFiguresTest.fetches(GENERATIONS, 1, 0);
    long[] twice = {0, 15_000, 15_030, 30_000, 45_000};
    herd(dir, "token-cache", "herd-tc", once, duplicate ? twice : once, once);
    herd(dir, "nginx", "herd-ng", HerdFiguresTest.fetches(GENERATIONS, 3, 2), HerdFiguresTest.fetches(GENERATIONS, 3, 3),
        HerdFiguresTest.fetches(GENERATIONS, 3, 1));
    // steady windows at 0..20 s; roll-over windows at 100..120 s with a token issued at 111 s
    for (int w = 0; w < 4; w++) {
      window(dir, "steady", w + 1, w * 5000L, 2000);
      window(dir, "rollover", w + 1, 100_000 + w * 5000L, w == 2 ? 2600 : 2000);
    }
    Files.writeString(dir.resolve("rollover").resolve("idp-stats.json"),
        new JsonObject().put("issuedAtMillis", new JsonArray(List.of(111_000L))).encode());
    JsonObject top = new JsonObject().put("class", "byte[]").put("instances_per_token", 5.0)
        .put("bytes_per_token", 3000.0).put("share", 0.9);
    Files.writeString(dir.resolve("heap.json"), new JsonObject().put("tokens", 100_000).put("token_chars", 658)
        .put("token_string_bytes", 704).put("response_body_bytes", 739).put("heap_before_bytes", 30_000_000L)
        .put("after_fill", new JsonObject().put("growth_bytes", 300_000_000L).put("bytes_per_token", 3000.0)
            .put("bytes_per_token_net_of_token_string", 2296.0).put("top_classes", new JsonArray().add(top)))
        .put("after_hits", new JsonObject().put("growth_bytes", 330_000_000L).put("bytes_per_token", 3300.0)
            .put("bytes_per_token_net_of_token_string", 2596.0).put("top_classes", new JsonArray().add(top)))
        .encode());
    return dir;
  }

  @Test
  @DisplayName("takes medians of alternating rounds and reports ratios against nginx and the floor")
  void shouldComputeHitRatios(@TempDir Path tmp) throws Exception {
    JsonObject r = BenchReport.build(run(tmp));
    JsonObject systems = r.getJsonObject("hit").getJsonObject("systems");
    assertThat(systems.getJsonObject("nginx").getDouble("rps")).isEqualTo(20_000.0);
    assertThat(systems.getJsonObject("token-cache").getDouble("rps")).isEqualTo(23_000.0);
    assertThat(systems.getJsonObject("vertx-floor").getDouble("rps")).isEqualTo(25_000.0);
    JsonObject ratios = r.getJsonObject("hit").getJsonObject("ratios");
    assertThat(ratios.getDouble("token_cache_vs_nginx_rps")).isEqualTo(1.15);
    assertThat(ratios.getDouble("token_cache_vs_floor_rps")).isEqualTo(0.92);
    assertThat(ratios.getDouble("token_cache_vs_nginx_p99")).isEqualTo(0.75);
    assertThat(systems.getJsonObject("nginx").getDouble("cpu_us_per_request")).isEqualTo(20.0);
  }

  @Test
  @DisplayName("judges the p99 target on the paced rounds (the same rate) and reports the saturated p99 beside it")
  void shouldJudgeP99AtTheSameLoad(@TempDir Path tmp) throws Exception {
    Path dir = withPaced(run(tmp), 100_000);
    JsonObject r = BenchReport.build(dir);
    JsonObject paced = r.getJsonObject("hit").getJsonObject("paced");
    assertThat(paced.getDouble("target_rps")).isEqualTo(10_000.0);
    assertThat(paced.getInteger("connections")).isEqualTo(128);
    JsonObject tc = paced.getJsonObject("systems").getJsonObject("token-cache");
    assertThat(tc.getDouble("rps")).isEqualTo(9_998.0);
    assertThat(tc.getDouble("p50_ms")).isEqualTo(0.5);
    assertThat(tc.getDouble("p99_ms")).isEqualTo(1.202);
    assertThat(tc.getDouble("p999_ms")).isEqualTo(2.404);
    assertThat(tc.getBoolean("below_target")).isFalse();
    assertThat(paced.getJsonObject("systems").getJsonObject("nginx").getDouble("p99_ms")).isEqualTo(1.502);
    assertThat(paced.getJsonObject("ratios").getDouble("token_cache_vs_nginx_p99_paced")).isEqualTo(0.8);
    assertThat(paced.getJsonObject("ratios").getDouble("token_cache_vs_floor_p99_paced")).isEqualTo(1.2);
    // the saturated figures are still there, unchanged
    assertThat(r.getJsonObject("hit").getJsonObject("ratios").getDouble("token_cache_vs_nginx_p99")).isEqualTo(0.75);

    JsonArray targets = r.getJsonArray("targets");
    assertThat(targets).hasSize(8);
    assertThat(met(targets, "hit p99 <= nginx p99 at the same load (paced, 10000 req/s)")).isTrue();
    assertThat(measured(targets, "hit p99 <= nginx p99 at the same load"))
        .isEqualTo("0.80x (1.20 ms vs 1.50 ms; achieved 9998 vs 9998 req/s)");
    JsonObject saturated = row(targets, "hit p99 <= nginx p99 at the same concurrency (saturated, -c64");
    assertThat(saturated.getBoolean("informational")).isTrue();
    assertThat(saturated.getString("measured")).isEqualTo("0.75x (3.00 ms vs 4.00 ms)");

    String md = BenchReport.markdown(r);
    assertThat(md).contains("### Saturated: the same concurrency").contains("### Paced: the same request rate")
        .contains("| token-cache | 10000 | 9998 | 0.50 | 1.20 | 2.40 | 25.0 | 9999, 9998, 9997 | 0 |")
        .contains("token_cache_vs_nginx_p99_paced 0.80")
        .contains("| (info) yes |")
        .doesNotContain("saturated**");
    BenchReport.charts(r, dir);
    assertThat(Files.size(dir.resolve("hit-latency.png"))).isGreaterThan(1000);
  }

  @Test
  @DisplayName("a paced system more than 5% short of the rate was saturated: the p99 target is not met")
  void shouldNotJudgeP99WhenARoundFellShortOfTheRate(@TempDir Path tmp) throws Exception {
    JsonObject r = BenchReport.build(withPaced(run(tmp), 90_000));
    JsonObject tc = r.getJsonObject("hit").getJsonObject("paced").getJsonObject("systems").getJsonObject("token-cache");
    assertThat(tc.getBoolean("below_target")).isTrue();
    assertThat(tc.getDouble("achieved_share")).isEqualTo(0.9);
    JsonArray targets = r.getJsonArray("targets");
    // its p99 is lower than nginx's, but not at the same load
    assertThat(r.getJsonObject("hit").getJsonObject("paced").getJsonObject("ratios")
        .getDouble("token_cache_vs_nginx_p99_paced")).isLessThan(1.0);
    assertThat(met(targets, "hit p99 <= nginx p99 at the same load")).isFalse();
    assertThat(measured(targets, "hit p99 <= nginx p99 at the same load"))
        .contains("**not at the same load**: token-cache achieved 8998 req/s, 90% of the target");
    assertThat(BenchReport.markdown(r)).contains("| token-cache | 10000 | 8998 (**90%: saturated**) |");
  }

  @Test
  @DisplayName("a run without paced rounds (older runs) judges the p99 at the same concurrency, as before")
  void shouldReportRunsWithoutPacedRoundsAsBefore(@TempDir Path tmp) throws Exception {
    JsonObject r = BenchReport.build(run(tmp));
    assertThat(r.getJsonObject("hit").containsKey("paced")).isFalse();
    JsonArray targets = r.getJsonArray("targets");
    assertThat(row(targets, "hit p99 <= nginx p99").getString("target")).isEqualTo("hit p99 <= nginx p99");
    assertThat(measured(targets, "hit p99 <= nginx p99")).isEqualTo("0.75x (3.00 ms vs 4.00 ms)");
    assertThat(targets.stream().noneMatch(o -> ((JsonObject) o).containsKey("informational"))).isTrue();
    assertThat(BenchReport.markdown(r)).doesNotContain("Paced").doesNotContain("Saturated").doesNotContain("(info)");
  }

  @Test
  @DisplayName("judges every target: met and not met")
  void shouldJudgeTargets(@TempDir Path tmp) throws Exception {
    JsonArray targets = BenchReport.build(run(tmp)).getJsonArray("targets");
    assertThat(targets).hasSize(7);
    assertThat(met(targets, "hit throughput >= 1.0x nginx")).isTrue();
    assertThat(met(targets, "hit throughput >= 0.9x the Vert.x floor")).isTrue();
    assertThat(met(targets, "hit p99 <= nginx p99")).isTrue();
    assertThat(met(targets, "upstream calls per key per lifetime 1.0 on 3 nodes (as written")).isFalse();
    assertThat(met(targets, "upstream calls per key per token generation 1.0 on 3 nodes")).isTrue();
    assertThat(measured(targets, "upstream calls per key per token generation"))
        .startsWith("1.00 (worst key 1.00; 0 duplicate calls of 12; nginx's 3 independent caches: 3.00)");
    assertThat(met(targets, "roll-over p99")).isTrue();
    assertThat(met(targets, "<= 1.5 KiB heap")).isFalse();
  }

  @Test
  @DisplayName("a generation fetched twice misses the per-generation target")
  void shouldFailTheGenerationTargetOnADuplicate(@TempDir Path tmp) throws Exception {
    JsonObject r = BenchReport.build(run(tmp, true));
    JsonArray targets = r.getJsonArray("targets");
    assertThat(met(targets, "upstream calls per key per token generation 1.0 on 3 nodes")).isFalse();
    assertThat(measured(targets, "upstream calls per key per token generation"))
        .startsWith("1.08 (worst key 1.25; 1 duplicate calls of 13;");
    assertThat(r.getJsonObject("herd").getJsonObject("token-cache").getJsonObject("upstream")
        .getLong("duplicate_calls")).isEqualTo(1);
  }

  @Test
  @DisplayName("reads older herd files without per-generation figures: no generation target, '-' in the table")
  void shouldReadOlderHerdFiles(@TempDir Path tmp) throws Exception {
    Path dir = run(tmp);
    // as the bench's former Java driver wrote them: the figures computed, no IdP file beside
    JsonObject old = HerdFigures.of(dir, "token-cache");
    old.getJsonObject("upstream").remove("calls_per_key_per_generation");
    Files.writeString(dir.resolve("herd-token-cache.json"), old.encode());
    Files.delete(dir.resolve("herd-token-cache-idp.json"));
    JsonObject r = BenchReport.build(dir);
    assertThat(r.getJsonArray("targets")).hasSize(6);
    assertThat(BenchReport.markdown(r)).contains("| 1.36 | - | - |");
    BenchReport.charts(r, dir);
    assertThat(dir.resolve("upstream-calls.png")).exists();
  }

  @Test
  @DisplayName("tells roll-over windows (a token issued in or just before them) from the others")
  void shouldClassifyWindows(@TempDir Path tmp) throws Exception {
    JsonObject roll = BenchReport.build(run(tmp)).getJsonObject("rollover");
    assertThat(roll.getInteger("refresh_windows")).isEqualTo(1);
    assertThat(roll.getDouble("refresh_p99_ms_median")).isEqualTo(2.6);
    assertThat(roll.getDouble("steady_p99_ms_median")).isEqualTo(2.0);
    assertThat(roll.getDouble("ratio_refresh_median_vs_steady")).isEqualTo(1.3);
    assertThat(roll.getDouble("ratio_refresh_median_vs_no_refresh")).isEqualTo(1.3);
    assertThat(BenchReport.count(List.of(99_600L, 105_000L, 200_000L), 100_000, 105_000, 500)).isEqualTo(2);
  }

  @Test
  @DisplayName("writes results.json's content, a Markdown table and PNG charts")
  void shouldWriteTableAndCharts(@TempDir Path tmp) throws Exception {
    Path dir = run(tmp);
    JsonObject r = BenchReport.build(dir);
    String md = BenchReport.markdown(r);
    assertThat(md).contains("| token-cache | 23000 |").contains("## Targets").contains("**no**")
        .contains("## 4. Heap per cached token")
        .contains("| per token generation (mean / worst key) | duplicate calls |")
        .contains("| token-cache (3 nodes) | 3 | 600 | 59 | 20 | 4.00 / 4 | 1.36 | 1.00 / 1.00 | 0 |")
        .contains("| nginx (3 nodes) | 3 | 600 | 59 | 20 | 12.00 / 12 | 4.07 | 3.00 / 3.00 | 24 |")
        .doesNotContain("refresh cycle");
    BenchReport.charts(r, dir);
    for (String png : List.of("hit-throughput.png", "hit-cpu.png", "hit-latency.png", "upstream-calls.png", "rollover-p99.png",
        "heap-per-token.png")) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertThat(bytes).hasSizeGreaterThan(1000);
      assertThat(bytes[1]).isEqualTo((byte) 'P');
    }
  }

  @Test
  @DisplayName("leaves out the phases that did not run")
  void shouldSkipMissingPhases(@TempDir Path tmp) throws Exception {
    JsonObject r = BenchReport.build(tmp);
    assertThat(r.containsKey("hit")).isFalse();
    assertThat(r.containsKey("herd")).isFalse();
    assertThat(r.getJsonArray("targets")).isEmpty();
    assertThat(BenchReport.markdown(r)).contains("# token-cache benchmark run");
  }

  private static String measured(JsonArray targets, String prefix) {
    return row(targets, prefix).getString("measured");
  }

  private static JsonObject row(JsonArray targets, String prefix) {
    for (Object o : targets) {
      JsonObject t = (JsonObject) o;
      if (t.getString("target").startsWith(prefix)) {
        return t;
      }
    }
    throw new AssertionError("no target " + prefix);
  }

  private static boolean met(JsonArray targets, String prefix) {
    for (Object o : targets) {
      JsonObject t = (JsonObject) o;
      if (t.getString("target").startsWith(prefix)) {
        return t.getBoolean("met");
      }
    }
    throw new AssertionError("no target " + prefix);
  }

  @Test
  @DisplayName("reads the engine benchmark's figures from its last line and reports the miss's overhead per setup")
  void shouldReportTheEngineMiss(@TempDir Path tmp) throws Exception {
    Path dir = run(tmp);
    Files.writeString(dir.resolve("miss.txt"), "the IdP's own answer, sent straight: median 1.36 ms\n"
        + "\u001b[0mBENCHJSON {\"idp_answer_ms_median\":1.36,\"single\":{\"hit_us_median\":0.79,\"hit_us_p99\":6.99,"
        + "\"miss_ms_median\":1.51,\"miss_ms_p99\":10.28,\"miss_overhead_ms_median\":0.15},\"cluster3\":{"
        + "\"hit_us_median\":0.93,\"hit_us_p99\":1.42,\"miss_ms_median\":8.79,\"miss_ms_p99\":39.68,"
        + "\"miss_overhead_ms_median\":7.43,\"map_operations_per_miss\":{\"token-cache.tokens\":3.0,\"total\":8.0}}}\n");
    JsonObject r = BenchReport.build(dir);
    assertThat(r.getJsonObject("miss").getJsonObject("cluster3").getDouble("miss_overhead_ms_median")).isEqualTo(7.43);
    assertThat(BenchReport.markdown(r)).contains("## 6. A hit and a cold miss through the engine")
        .contains("| one member | 0.79 / 6.99 | 1.51 / 10.28 | 0.15 | - |")
        .contains("| member of 3 | 0.93 / 1.42 | 8.79 / 39.68 | 7.43 | {\"token-cache.tokens\":3.0,\"total\":8.0} |");
  }
}
