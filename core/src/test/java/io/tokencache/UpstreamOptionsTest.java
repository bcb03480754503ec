package io.tokencache;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamOptionsTest {

  private static UpstreamOptions upstream() {
    return new UpstreamOptions().setTokenUrl("http://127.0.0.1:1/token");
  }

  @Test
  @DisplayName("no wait or open breaker may outlast maxHoldBack: the budget drops what lies further ahead")
  void shouldBoundWaitsByTheHoldBack() {
    assertThatCode(() -> upstream().validate()).doesNotThrowAnyException();
    assertThatThrownBy(() -> upstream().setMaxHoldBack(Duration.ofSeconds(3)).validate())
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("breakerOpenDuration");
    assertThatThrownBy(() -> upstream().setQuotaMaxWait(Duration.ofSeconds(90)).validate())
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quotaMaxWait");
  }
}
