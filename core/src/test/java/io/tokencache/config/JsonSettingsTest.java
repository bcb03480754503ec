package io.tokencache.config;

import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonSettingsTest {

  @Test
  @DisplayName("every options class coerces alike: 3.0 and \"3\" are 3, 3.7 is refused naming the setting's full path")
  void shouldCoerceWholeNumbersAlike() {
    assertThat(new UpstreamOptions(new JsonObject().put("maxConnections", 3.0)).getMaxConnections()).isEqualTo(3);
    assertThat(new UpstreamOptions(new JsonObject().put("maxConnections", "3")).getMaxConnections()).isEqualTo(3);
    assertThat(new ClusterOptions(new JsonObject().put("port", 5702.0)).getPort()).isEqualTo(5702);
    assertThatThrownBy(() -> new UpstreamOptions(new JsonObject().put("maxConnections", 3.7)))
      .hasMessage("maxConnections: must be a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE
        + ", was '3.7'");
    assertThatThrownBy(() -> new ClusterOptions(new JsonObject().put("backupCount", 1.5)))
      .hasMessageStartingWith("backupCount: must be a whole number");
    assertThatThrownBy(() -> new TokenCacheOptions(new JsonObject().put("maxEntries", 2.5)))
      .hasMessageStartingWith("maxEntries: must be a whole number");

    JsonObject file = new JsonObject().put("upstreams", new JsonArray()
      .add(new JsonObject().put("id", "a"))
      .add(new JsonObject().put("id", "b").put("maxConnections", 3.7)));
    assertThatThrownBy(() -> new TokenCacheOptions(file))
      .hasMessageStartingWith("upstreams[1].maxConnections: must be a whole number");
  }

  @Test
  @DisplayName("what a setter refuses is reported under the setting's path, its own name taken off")
  void shouldPutThePathOnASettersError() {
    JsonSettings upstream = new JsonSettings(new JsonObject().put("quotaRps", -1), "upstreams[2]");
    assertThatThrownBy(() -> new UpstreamOptions(upstream))
      .hasMessage("upstreams[2].quotaRps: must be a positive number, was -1.0");
    JsonSettings cluster = new JsonSettings(new JsonObject().put("port", 0), "cluster");
    assertThatThrownBy(() -> new ClusterOptions(cluster)).hasMessage("cluster.port: must be between 1 and 65535, was 0");
  }

  @Test
  @DisplayName("durations, flags, sections and unknown keys read one way; variables read as sentences")
  void shouldReadTheOtherKinds() {
    JsonSettings s = new JsonSettings(new JsonObject().put("t", "500ms").put("z", "0s").put("f", "TRUE")
      .put("n", "x").put("sub", 5), "http");
    assertThat(s.duration("t")).isEqualTo(Duration.ofMillis(500));
    assertThat(s.duration("z", true)).isZero();
    assertThatThrownBy(() -> s.duration("z", false)).hasMessage("http.z: must be positive, was '0s'");
    assertThatThrownBy(() -> s.duration("n")).hasMessageStartingWith("http.n: 'x' is not a duration");
    assertThat(s.bool("f", false)).isTrue();
    assertThat(s.bool("absent", true)).isTrue();
    assertThatThrownBy(() -> s.bool("n", false)).hasMessage("http.n: must be true or false, was 'x'");
    assertThatThrownBy(() -> s.section("sub")).hasMessage("http.sub: must be an object (key: value settings)");
    assertThatThrownBy(() -> s.checkKeys(java.util.List.of("t", "z", "f", "n"), "setting"))
      .hasMessage("http.sub: unknown setting (known: t, z, f, n)");

    JsonSettings env = JsonSettings.ofEnvironment(Map.of("TOKEN_CACHE_HTTP_PORT", "http", "TOKEN_CACHE_BLANK", " "));
    assertThat(env.has("TOKEN_CACHE_BLANK")).as("a blank variable is unset").isFalse();
    assertThatThrownBy(() -> env.wholeNumber("TOKEN_CACHE_HTTP_PORT", 1, 65535))
      .hasMessage("TOKEN_CACHE_HTTP_PORT must be a whole number from 1 to 65535, was 'http'");
  }
}
