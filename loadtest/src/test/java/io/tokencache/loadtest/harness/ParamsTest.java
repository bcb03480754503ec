package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Params")
class ParamsTest {

  private static Params params(Map<String, String> props) {
    return new Params("herd", props::get);
  }

  @Test
  @DisplayName("takes the scenario-specific name over the plain one over the default")
  void shouldPreferScenarioSpecificNames() {
    Params params = params(Map.of("members", "3", "herd.members", "1", "keys", "7", "other.keys", "9"));
    assertThat(params.intValue("members", 2, 1, 16)).isEqualTo(1);
    assertThat(params.intValue("keys", 5, 1, 100)).isEqualTo(7);
    assertThat(params.intValue("users", 2000, 1, 100_000)).isEqualTo(2000);
  }

  @Test
  @DisplayName("records every value it handed out, for the summary")
  void shouldRecordEffectiveValues() {
    Params params = params(Map.of("quotaRps", "12.5", "mode", " HANG ", "fast", "yes"));
    params.doubleValue("quotaRps", 10, 0.1, 1000);
    params.stringValue("mode", "UNAVAILABLE");
    params.booleanValue("fast", false);
    params.stringValue("schedule", null);
    assertThat(params.effective().encode())
        .isEqualTo("{\"quotaRps\":12.5,\"mode\":\"HANG\",\"fast\":true,\"schedule\":null}");
  }

  @Test
  @DisplayName("rejects values out of range or of the wrong type, naming the parameter")
  void shouldRejectBadValues() {
    assertThatThrownBy(() -> params(Map.of("members", "0")).intValue("members", 2, 1, 16))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("members must be from 1 to 16");
    assertThatThrownBy(() -> params(Map.of("members", "two")).intValue("members", 2, 1, 16))
        .hasMessageContaining("members must be a whole number");
    assertThatThrownBy(() -> params(Map.of("quotaRps", "NaN")).doubleValue("quotaRps", 10, 0.1, 100))
        .hasMessageContaining("quotaRps must be from");
    assertThatThrownBy(() -> params(Map.of("fast", "maybe")).booleanValue("fast", false))
        .hasMessageContaining("fast must be true or false");
  }

  @Test
  @DisplayName("treats blank values as absent")
  void shouldIgnoreBlankValues() {
    assertThat(params(Map.of("herd.members", " ", "members", "4")).intValue("members", 2, 1, 16)).isEqualTo(4);
  }
}
