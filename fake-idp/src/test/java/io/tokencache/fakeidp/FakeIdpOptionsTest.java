package io.tokencache.fakeidp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FakeIdpOptions")
class FakeIdpOptionsTest {

  @Test
  @DisplayName("has the documented defaults")
  void shouldHaveDefaults() {
    FakeIdpOptions options = new FakeIdpOptions();

    assertThat(options.getHost()).isEqualTo("127.0.0.1");
    assertThat(options.getPort()).isZero();
    assertThat(options.getQuotaRps()).isEqualTo(10);
    assertThat(options.getBurst()).isEqualTo(10);
    assertThat(options.isBurstSet()).isFalse();
    assertThat(options.getTokenLifetime()).isEqualTo(Duration.ofHours(1));
    assertThat(options.isIncludeExpiresIn()).isTrue();
    assertThat(options.getLatency()).isZero();
    assertThat(options.isIssueRefreshTokens()).isFalse();
    assertThat(options.getClients()).isEmpty();
    assertThat(options.isDynamicClients()).isFalse();
    assertThat(options.getIssuer()).isEqualTo("http://fake-idp.local/");
  }

  @Test
  @DisplayName("burst follows the quota (one second of budget, at least one token) unless set")
  void shouldDefaultBurstToOneSecondOfQuota() {
    assertThat(new FakeIdpOptions().setQuotaRps(25).getBurst()).isEqualTo(25);
    assertThat(new FakeIdpOptions().setQuotaRps(0.5).getBurst()).isEqualTo(1);
    assertThat(new FakeIdpOptions().setBurst(3).setQuotaRps(25).getBurst()).isEqualTo(3);
  }

  @Test
  @DisplayName("round-trips through JSON")
  void shouldRoundTripThroughJson() {
    FakeIdpOptions options = new FakeIdpOptions()
        .setHost("0.0.0.0").setPort(8181).setQuotaRps(25).setBurst(50)
        .setTokenLifetime(Duration.ofSeconds(20)).setIncludeExpiresIn(false)
        .setLatency(Duration.ofMillis(30)).setIssueRefreshTokens(true)
        .addClient("svc-a", "secret-a").setDynamicClients(true).setIssuer("https://idp.example/");

    JsonObject json = options.toJson();
    FakeIdpOptions copy = new FakeIdpOptions(json);

    assertThat(copy.toJson()).isEqualTo(json);
    assertThat(json.getLong("tokenLifetimeSeconds")).isEqualTo(20);
    assertThat(json.getLong("latencyMs")).isEqualTo(30);
    assertThat(new FakeIdpOptions(new JsonObject()).toJson()).isEqualTo(new FakeIdpOptions().toJson());
    assertThat(new FakeIdpOptions().toJson().containsKey("burst")).isFalse();
  }

  @Test
  @DisplayName("setters reject out-of-range values with a message naming the setting")
  void shouldValidateSetters() {
    FakeIdpOptions options = new FakeIdpOptions();

    assertThatThrownBy(() -> options.setPort(70000)).hasMessageContaining("port");
    assertThatThrownBy(() -> options.setHost(" ")).hasMessageContaining("host");
    assertThatThrownBy(() -> options.setQuotaRps(Double.NaN)).hasMessageContaining("quotaRps");
    assertThatThrownBy(() -> options.setBurst(0)).hasMessageContaining("burst");
    assertThatThrownBy(() -> options.setTokenLifetime(Duration.ZERO)).hasMessageContaining("tokenLifetime");
    assertThatThrownBy(() -> options.setTokenLifetime(Duration.ofMillis(1500)))
        .hasMessageContaining("whole number of seconds");
    assertThatThrownBy(() -> options.setLatency(Duration.ofMillis(-1))).hasMessageContaining("latency");
    assertThatThrownBy(() -> options.addClient("", "s")).hasMessageContaining("clientId");
    assertThatThrownBy(() -> options.addClient("svc", "")).hasMessageContaining("secret");
    assertThatThrownBy(() -> options.setIssuer(null)).hasMessageContaining("issuer");
    assertThat(options.toJson()).isEqualTo(new FakeIdpOptions().toJson());
  }

  @Test
  @DisplayName("dynamic clients: any well-formed id, secret is id + \"-secret\"; registered clients keep theirs")
  void shouldResolveDynamicClientSecrets() {
    FakeIdpOptions options = new FakeIdpOptions().addClient("svc-a", "secret-a");
    assertThat(options.expectedSecret("load-17")).isNull();

    options.setDynamicClients(true);

    assertThat(options.expectedSecret("load-17")).isEqualTo("load-17-secret");
    assertThat(options.expectedSecret("svc-a")).isEqualTo("secret-a");
    assertThat(options.expectedSecret("bad id")).isNull();
    assertThat(options.expectedSecret("x".repeat(129))).isNull();
  }
}
