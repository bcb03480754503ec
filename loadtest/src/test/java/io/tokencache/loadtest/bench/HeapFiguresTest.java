package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HeapFigures")
class HeapFiguresTest {

  private static String wrk(long requests, long statusErrors) {
    return new JsonObject().put("requests", requests).put("duration_us", 20_000_000L).put("errors", 0)
        .put("status_errors", statusErrors).put("p50", 1).put("p99", 2).put("p999", 3).put("max", 4).encode();
  }

  @Test
  @DisplayName("per token from the histograms, dividing by the tokens fetched; token size from an answer")
  void shouldComputeFromTheRawFiles(@TempDir Path dir) throws Exception {
    Path heap = Files.createDirectories(dir.resolve("heap"));
    Files.writeString(heap.resolve("histogram-before.txt"), ClassHistogramTest.BEFORE);
    Files.writeString(heap.resolve("histogram-after-fill.txt"), ClassHistogramTest.AFTER);
    Files.writeString(heap.resolve("histogram-after-hits.txt"), ClassHistogramTest.AFTER);
    // 1,010 requests, 10 refused: 1,000 tokens
    Files.writeString(heap.resolve("fill.json"), wrk(1010, 10));
    Files.writeString(heap.resolve("hits.json"), wrk(1010, 0));
    Files.writeString(heap.resolve("answer.json"), "{\"access_token\":\"" + "a".repeat(658) + "\",\"expires_in\":3599}");
    Files.writeString(heap.resolve("metrics.txt"), "# TYPE token_cache_entries gauge\ntoken_cache_entries 1000.0\n");

    JsonObject h = HeapFigures.of(dir);

    assertThat(h.getInteger("tokens")).isEqualTo(1000);
    assertThat(h.getInteger("token_chars")).isEqualTo(658);
    assertThat(h.getLong("token_string_bytes")).isEqualTo(24 + 680);
    assertThat(h.getDouble("entries_reported")).isEqualTo(1000.0);
    assertThat(h.getJsonObject("after_hits").getDouble("bytes_per_token")).isEqualTo(2080.0);
    assertThat(h.getJsonObject("fill").getLong("failed")).isEqualTo(10);
    assertThat(h.getDouble("fill_seconds")).isEqualTo(20.0);
  }

  @Test
  @DisplayName("reads an older run's heap.json as it is, and nothing when the phase did not run")
  void shouldReadOlderRuns(@TempDir Path dir) throws Exception {
    assertThat(HeapFigures.of(dir)).isNull();
    Files.writeString(dir.resolve("heap.json"), "{\"tokens\":5}");
    assertThat(HeapFigures.of(dir).getInteger("tokens")).isEqualTo(5);
  }
}
