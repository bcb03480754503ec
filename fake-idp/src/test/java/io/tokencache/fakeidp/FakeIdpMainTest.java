package io.tokencache.fakeidp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FakeIdpMain command line")
class FakeIdpMainTest {

  @Test
  @DisplayName("reads every flag, in --flag value and --flag=value forms")
  void shouldParseEveryFlag() {
    FakeIdpOptions options = FakeIdpMain.parse(new String[] {
        "--host", "0.0.0.0", "--port=9999", "--quota-rps", "25", "--burst", "40",
        "--lifetime-seconds", "30", "--latency-ms", "15", "--dynamic-clients",
        "--client", "svc-a:s3cr:et", "--client=svc-b:other", "--no-expires-in", "--refresh-tokens",
        "--issuer", "https://idp.example/"});

    assertThat(options.getHost()).isEqualTo("0.0.0.0");
    assertThat(options.getPort()).isEqualTo(9999);
    assertThat(options.getQuotaRps()).isEqualTo(25);
    assertThat(options.getBurst()).isEqualTo(40);
    assertThat(options.getTokenLifetime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.getLatency()).isEqualTo(Duration.ofMillis(15));
    assertThat(options.isDynamicClients()).isTrue();
    assertThat(options.getClients()).containsEntry("svc-a", "s3cr:et").containsEntry("svc-b", "other");
    assertThat(options.isIncludeExpiresIn()).isFalse();
    assertThat(options.isIssueRefreshTokens()).isTrue();
    assertThat(options.getIssuer()).isEqualTo("https://idp.example/");
  }

  @Test
  @DisplayName("rejects unknown flags, missing values and bad numbers with a clear message")
  void shouldRejectBadFlags() {
    assertThatThrownBy(() -> FakeIdpMain.parse(new String[] {"--quota"}))
        .hasMessageContaining("Unknown option").hasMessageContaining("--quota");
    assertThatThrownBy(() -> FakeIdpMain.parse(new String[] {"--port"}))
        .hasMessageContaining("--port").hasMessageContaining("Missing required parameter");
    assertThatThrownBy(() -> FakeIdpMain.parse(new String[] {"--latency-ms", "soon"}))
        .hasMessageContaining("--latency-ms").hasMessageContaining("'soon'");
    assertThatThrownBy(() -> FakeIdpMain.parse(new String[] {"--port", "123456"}))
        .hasMessageContaining("--port must be between 0 and 65535");
  }

  @Test
  @DisplayName("never echoes a malformed --client value, which may hold a secret")
  void shouldNotEchoClientSecrets() {
    assertThatThrownBy(() -> FakeIdpMain.parse(new String[] {"--client", "hunter2"}))
        .hasMessageContaining("ID:SECRET")
        .hasMessageNotContaining("hunter2");
  }
}
