package io.tokencache.impl;

import io.tokencache.TokenCacheOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpiryPolicyTest {

  private static final long T0 = 1_700_000_000_000L;
  private final ExpiryPolicy policy = new ExpiryPolicy(new TokenCacheOptions());

  @Test
  @DisplayName("expiry, refresh point and serve-until come from expires_in")
  void shouldDeriveTimesFromExpiresIn() {
    CachedToken t = policy.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", 3600), T0, "tag");
    assertThat(t.expiresAt()).isEqualTo(T0 + 3_600_000);
    assertThat(t.refreshAt()).isEqualTo(T0 + 2_700_000);
    assertThat(t.serveUntil()).isEqualTo(T0 + 3_600_000 - 30_000);
  }

  @Test
  @DisplayName("a 20-second token is still cached: the minimum remaining lifetime scales down to 10% of it")
  void shouldScaleMinimumRemainingForShortTokens() {
    CachedToken t = policy.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", 20), T0, "tag");
    assertThat(t.serveUntil()).isEqualTo(T0 + 18_000);
    assertThat(t.refreshAt()).isEqualTo(T0 + 15_000);
    assertThat(t.servable(T0 + 17_999)).isTrue();
    assertThat(t.servable(T0 + 18_000)).isFalse();
  }

  @Test
  @DisplayName("expires_in sent as a string is read")
  void shouldReadStringExpiresIn() {
    CachedToken t = policy.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", "60"), T0, "tag");
    assertThat(t.expiresAt()).isEqualTo(T0 + 60_000);
  }

  @Test
  @DisplayName("without expires_in the JWT exp claim sets the expiry")
  void shouldFallBackToJwtExp() {
    long exp = T0 / 1000 + 600;
    String jwt = jwt(new JsonObject().put("sub", "x").put("exp", exp));
    CachedToken t = policy.toCachedToken(new JsonObject().put("access_token", jwt), T0, "tag");
    assertThat(t.expiresAt()).isEqualTo(exp * 1000);
  }

  @Test
  @DisplayName("without expires_in or exp the configured default lifetime applies, and nothing outlives the maximum")
  void shouldApplyDefaultAndMaximumLifetime() {
    ExpiryPolicy p = new ExpiryPolicy(new TokenCacheOptions().setDefaultLifetime(Duration.ofMinutes(2))
      .setMaxLifetime(Duration.ofHours(1)));
    assertThat(p.toCachedToken(new JsonObject().put("access_token", "opaque"), T0, "t").expiresAt())
      .isEqualTo(T0 + 120_000);
    assertThat(p.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", 999_999), T0, "t").expiresAt())
      .isEqualTo(T0 + 3_600_000);
    assertThat(p.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", -5), T0, "t").expiresAt())
      .isEqualTo(T0 + 120_000);
  }

  @Test
  @DisplayName("the stored body drops expires_in and refresh_token and keeps the rest")
  void shouldStripExpiresInAndRefreshToken() {
    CachedToken t = policy.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", 60)
      .put("refresh_token", "r").put("token_type", "Bearer").put("scope", "x y"), T0, "tag");
    JsonObject body = new JsonObject(t.body());
    // the access token is held once, in CachedToken.accessToken, not in the body too
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("token_type", "scope");
    assertThat(t.tokenInBody()).isFalse();
    assertThat(t.accessToken()).isEqualTo("a");
  }

  @Test
  @DisplayName("a token that would need escaping in JSON stays in the body, encoded by the JSON encoder")
  void shouldKeepTokenNeedingEscapesInTheBody() {
    for (String odd : new String[] {"a\"b", "a\\b", "a\nb", "caf\u00e9"}) {
      CachedToken t = policy.toCachedToken(new JsonObject().put("access_token", odd).put("expires_in", 60)
        .put("token_type", "Bearer"), T0, "tag");
      assertThat(t.tokenInBody()).as(odd).isTrue();
      assertThat(new JsonObject(t.body()).getString("access_token")).isEqualTo(odd);
    }
  }

  @Test
  @DisplayName("an answer without access_token is refused")
  void shouldRefuseAnswerWithoutToken() {
    assertThatThrownBy(() -> policy.toCachedToken(new JsonObject().put("expires_in", 60), T0, "tag"))
      .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("expires_in counts whole seconds left, rounded down")
  void shouldCountWholeSecondsLeft() {
    CachedToken t = policy.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", 100), T0, "tag");
    assertThat(t.expiresInSeconds(T0)).isEqualTo(100);
    assertThat(t.expiresInSeconds(T0 + 1)).isEqualTo(99);
    assertThat(t.expiresInSeconds(T0 + 40_500)).isEqualTo(59);
  }

  private static String jwt(JsonObject claims) {
    Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
    return enc.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + enc.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".sig";
  }
}
