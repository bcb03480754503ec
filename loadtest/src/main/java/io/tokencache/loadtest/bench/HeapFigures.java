package io.tokencache.loadtest.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap per cached token, from what {@code loadtest/bench/run.sh}'s heap phase wrote in {@code heap/}: a running
 * server (its own JVM, a one-member cluster, encryption and metrics on) was warmed up on other clients, then
 * {@code jcmd <pid> GC.class_histogram} (a full GC first, live objects only) was taken before the fill, after it
 * (one distinct token per client id: a miss each) and after one more request per token (a hit each, which also
 * fills the member's near cache: the steady state of a serving member). The wrk lines of both passes, one answer
 * and the server's {@code /metrics} are beside them.
 *
 * <p>The classes that grew most show what a token costs; the token string itself (a Latin-1 {@code String} of
 * the token's length) is reported apart so the overhead net of it shows. The server's process is measured from
 * outside, so the figure is the real server's, as deployed.
 */
final class HeapFigures {

  private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern ENTRIES = Pattern.compile("(?m)^token_cache_entries(?:\\{[^}]*})?\\s+([0-9.eE+]+)");

  private HeapFigures() {}

  /**
   * @param dir the run's folder
   * @return the figures, null when the phase did not run; an older run's {@code heap.json} as it is
   */
  static JsonObject of(Path dir) throws IOException {
    if (Files.exists(dir.resolve("heap.json"))) {
      return new JsonObject(Files.readString(dir.resolve("heap.json")));
    }
    Path heap = dir.resolve("heap");
    if (!Files.exists(heap.resolve("histogram-after-hits.txt"))) {
      return null;
    }
    ClassHistogram before = ClassHistogram.parse(Files.readString(heap.resolve("histogram-before.txt")));
    ClassHistogram afterFill = ClassHistogram.parse(Files.readString(heap.resolve("histogram-after-fill.txt")));
    ClassHistogram afterHits = ClassHistogram.parse(Files.readString(heap.resolve("histogram-after-hits.txt")));
    WrkRun fill = WrkRun.fromJson(new JsonObject(Files.readString(heap.resolve("fill.json"))));
    WrkRun hits = WrkRun.fromJson(new JsonObject(Files.readString(heap.resolve("hits.json"))));
    String answer = Files.readString(heap.resolve("answer.json"));
    Matcher token = ACCESS_TOKEN.matcher(answer);
    int tokenChars = token.find() ? token.group(1).length() : 0;
    Matcher entries = ENTRIES.matcher(Files.readString(heap.resolve("metrics.txt")));
    // a refused fetch cached nothing: divide by the tokens fetched
    int tokens = (int) (fill.requests() - fill.statusErrors());
    long tokenString = stringBytes(tokenChars);
    return new JsonObject()
        .put("tokens", tokens)
        .put("entries_reported", entries.find() ? Double.parseDouble(entries.group(1)) : -1)
        .put("token_chars", tokenChars)
        .put("response_body_bytes", answer.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .put("token_string_bytes", tokenString)
        .put("fill_seconds", Math.round(fill.seconds() * 10) / 10.0)
        .put("fill", answers(fill))
        .put("hits", answers(hits))
        .put("heap_before_bytes", before.totalBytes())
        .put("after_fill", figures(before, afterFill, tokens, tokenString))
        .put("after_hits", figures(before, afterHits, tokens, tokenString));
  }

  private static JsonObject answers(WrkRun run) {
    return new JsonObject().put("ok", run.requests() - run.statusErrors()).put("failed", run.statusErrors() + run.errors());
  }

  static JsonObject figures(ClassHistogram before, ClassHistogram after, int tokens, long tokenString) {
    double perToken = (after.totalBytes() - before.totalBytes()) / (double) tokens;
    return new JsonObject()
        .put("heap_bytes", after.totalBytes())
        .put("growth_bytes", after.totalBytes() - before.totalBytes())
        .put("bytes_per_token", Math.round(perToken * 10) / 10.0)
        .put("bytes_per_token_net_of_token_string", Math.round((perToken - tokenString) * 10) / 10.0)
        .put("top_classes", after.growthSince(before, tokens, 15));
  }

  /** A Latin-1 {@code String} of {@code chars} characters with compressed oops: 24 B + a byte[] of 16 B + chars. */
  static long stringBytes(int chars) {
    return 24 + ((16 + chars + 7) / 8) * 8L;
  }
}
