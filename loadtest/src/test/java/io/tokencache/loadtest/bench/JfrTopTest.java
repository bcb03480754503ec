package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JfrTop")
class JfrTopTest {

  @Test
  @DisplayName("files self time under the library it belongs to")
  void shouldNameAreas() {
    assertThat(JfrTop.area("io.tokencache.impl.CacheKeys.keyOf")).isEqualTo("token-cache");
    assertThat(JfrTop.area("io.netty.buffer.AbstractByteBuf.writeBytes")).isEqualTo("netty");
    assertThat(JfrTop.area("io.vertx.ext.web.impl.RouterImpl.handle")).isEqualTo("vertx-web");
    assertThat(JfrTop.area("io.vertx.core.http.impl.Http1xServerResponse.end")).isEqualTo("vertx-core");
    assertThat(JfrTop.area("io.micrometer.core.instrument.Timer.record")).isEqualTo("metrics (micrometer)");
    assertThat(JfrTop.area("com.sun.crypto.provider.GHASH.blockMult")).isEqualTo("crypto (jdk)");
    assertThat(JfrTop.area("java.util.HashMap.get")).isEqualTo("jdk");
  }

  @Test
  @DisplayName("ranks by count with shares")
  void shouldRank() {
    var ranked = JfrTop.ranked(Map.of("a", 3L, "b", 1L, "c", 6L), 10, 2);
    assertThat(ranked).hasSize(2);
    assertThat(ranked.getJsonObject(0).getString("name")).isEqualTo("c");
    assertThat(ranked.getJsonObject(0).getDouble("share")).isEqualTo(0.6);
  }

  @Test
  @DisplayName("summarises a real recording: samples of the named threads only")
  void shouldSummarizeARecording(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("test.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      r.enable("jdk.ThreadAllocationStatistics").withPeriod(Duration.ofMillis(100));
      r.start();
      Thread busy = new Thread(() -> {
        long until = System.nanoTime() + 400_000_000L;
        double x = 0;
        while (System.nanoTime() < until) {
          x += Math.sqrt(x + 1);
        }
        if (x < 0) {
          System.out.println(x);
        }
      }, "bench-test-loop");
      busy.start();
      busy.join();
      r.stop();
      r.dump(file);
    }
    JsonObject s = JfrTop.summarize(file, "bench-test-loop", 100, 5);
    assertThat(s.getLong("samples")).isGreaterThanOrEqualTo(0);
    assertThat(s.getLong("all_execution_samples")).isGreaterThanOrEqualTo(s.getLong("samples"));
    assertThat(s.getJsonArray("self_top").size()).isLessThanOrEqualTo(5);
    assertThat(s.containsKey("allocated_bytes_per_request")).isTrue();
  }
}
