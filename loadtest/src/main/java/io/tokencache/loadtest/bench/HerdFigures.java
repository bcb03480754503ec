package io.tokencache.loadtest.bench;

import io.tokencache.loadtest.harness.Generations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The herd phase's figures for one system, from what {@code loadtest/bench/run.sh} wrote: {@code herd-<system>.json}
 * (the settings and the two wrk lines: the herd of first requests, all sent at t = 0, and the steady load until the
 * last token lifetime ends) and {@code herd-<system>-idp.json} (the fake IdP's {@code /stats}: the tokens issued
 * per client, and when). One client per key, so the IdP's per-client counts are the upstream calls per key.
 * Older runs' {@code herd-<system>.json} already hold the figures and are read as they are.
 */
final class HerdFigures {

  private HerdFigures() {}

  /**
   * @param dir the run's folder
   * @param system {@code token-cache} or {@code nginx}
   * @return the figures, null when the phase did not run for this system
   */
  static JsonObject of(Path dir, String system) throws IOException {
    Path run = dir.resolve("herd-" + system + ".json");
    if (!Files.exists(run)) {
      return null;
    }
    JsonObject h = new JsonObject(Files.readString(run));
    Path idp = dir.resolve("herd-" + system + "-idp.json");
    if (!Files.exists(idp)) {
      return h; // a run of before 2026-12-03, whose Java driver wrote the figures themselves
    }
    JsonObject stats = new JsonObject(Files.readString(idp));
    int keys = h.getInteger("keys");
    String prefix = h.getString("prefix");
    JsonObject issued = stats.getJsonObject("issuedByClient", new JsonObject());
    JsonObject issuedAt = stats.getJsonObject("issuedAtByClient", new JsonObject());
    int[] calls = new int[keys];
    long[][] times = new long[keys][];
    for (int k = 0; k < keys; k++) {
      calls[k] = issued.getInteger(prefix + "-" + k, 0);
      times[k] = Generations.millis(issuedAt.getJsonArray(prefix + "-" + k));
    }
    WrkRun herd = WrkRun.fromJson(h.getJsonObject("herd"));
    return h.copy()
        .put("herd_requests", keys * h.getInteger("herd_per_key"))
        .put("herd_answers", answers(herd).put("latency_ms", new JsonObject().put("p50", herd.p50Micros() / 1000.0)
            .put("p99", herd.p99Micros() / 1000.0).put("max", herd.maxMicros() / 1000.0)))
        .put("tail_answers", answers(WrkRun.fromJson(h.getJsonObject("tail"))))
        .put("upstream", callsPerKey(calls, times, h.getDouble("duration_seconds"), h.getInteger("lifetime_seconds")))
        .put("idp_throttled", stats.getInteger("throttled", 0))
        .put("idp_token_requests", stats.getInteger("tokenRequests", 0));
  }

  /** Answers of one wrk run by outcome: a status below 400, 400 or above, none (connect, read, write, timeout). */
  private static JsonObject answers(WrkRun run) {
    return new JsonObject().put("status", new JsonObject()
        .put("below 400", run.requests() - run.statusErrors())
        .put("400 or above", run.statusErrors())
        .put("socket errors", run.errors()));
  }

  /**
   * The per-key figures of a run of {@code seconds}.
   *
   * @param calls tokens the IdP issued per key ({@code issuedByClient})
   * @param issuedAt when the IdP issued each of them, per key ({@code issuedAtByClient})
   * @param seconds the run's duration
   * @param lifetime the tokens' lifetime in seconds
   */
  static JsonObject callsPerKey(int[] calls, long[][] issuedAt, double seconds, int lifetime) {
    double sum = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    JsonArray all = new JsonArray();
    JsonArray duplicatesPerKey = new JsonArray();
    List<Generations.Key> generations = new ArrayList<>();
    boolean complete = true;
    for (int k = 0; k < calls.length; k++) {
      int c = calls[k];
      sum += c;
      min = Math.min(min, c);
      max = Math.max(max, c);
      all.add(c);
      Generations.Key key = Generations.of(issuedAt[k], lifetime * 1000L);
      complete &= key.calls() == c;
      generations.add(key);
      duplicatesPerKey.add(key.duplicates());
    }
    Generations.Summary g = Generations.summarize(generations);
    double mean = calls.length == 0 ? 0 : sum / calls.length;
    double lifetimesCovered = seconds / lifetime;
    return new JsonObject()
        .put("calls_total", (long) sum)
        .put("calls_per_key_mean", Generations.round(mean))
        .put("calls_per_key_min", calls.length == 0 ? 0 : min)
        .put("calls_per_key_max", max)
        .put("lifetimes_covered", Generations.round(lifetimesCovered))
        .put("calls_per_key_per_lifetime", Generations.round(mean / lifetimesCovered))
        .put("duplicate_calls", g.duplicates())
        .put("keys_with_duplicate_calls", g.keysWithDuplicates())
        .put("generations_per_key_mean",
            Generations.round(g.keys() == 0 ? 0 : (double) (g.calls() - g.duplicates()) / g.keys()))
        .put("calls_per_key_per_generation", Generations.round(g.callsPerGenerationMean()))
        .put("calls_per_key_per_generation_max", Generations.round(g.callsPerGenerationMax()))
        .put("issue_times_complete", complete)
        .put("calls_per_key", all)
        .put("duplicate_calls_per_key", duplicatesPerKey);
  }
}
