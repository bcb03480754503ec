package io.tokencache.impl;

import io.tokencache.TokenCacheOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpiryPolicyTest {

  private static final long T0 = 1_700_000_000_000L;
  /** Draws no jitter: the refresh point exactly where the options put it. */
  private static final RandomGenerator NO_JITTER = () -> 0L;
  private final ExpiryPolicy policy = new ExpiryPolicy(new TokenCacheOptions(), NO_JITTER);

  /** Always draws the largest jitter allowed. */
  private static final class MaxJitter implements RandomGenerator {
    @Override
    public long nextLong() {
      throw new UnsupportedOperationException();
    }

    @Override
    public long nextLong(long bound) {
      return bound - 1;
    }
  }

  @Test
  @DisplayName("the refresh point is jittered earlier by up to 5% of the lifetime, deterministically for a seed")
  void shouldJitterRefreshPointWithinBounds() {
    TokenCacheOptions options = new TokenCacheOptions();
    ExpiryPolicy seeded = new ExpiryPolicy(options, new SplittableRandom(42));
    ExpiryPolicy sameSeed = new ExpiryPolicy(options, new SplittableRandom(42));
    JsonObject answer = new JsonObject().put("access_token", "a").put("expires_in", 3600);
    Set<Long> points = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      CachedToken t = seeded.toCachedToken(answer, T0, "tag");
      // 75% of 3600 s, less at most 5% of it (180 s)
      assertThat(t.refreshAt()).isBetween(T0 + 2_700_000 - 180_000, T0 + 2_700_000).isLessThan(t.serveUntil());
      assertThat(sameSeed.toCachedToken(answer, T0, "tag").refreshAt()).isEqualTo(t.refreshAt());
      points.add(t.refreshAt());
    }
    // tokens fetched in the same millisecond are refreshed at (almost all) different moments
    assertThat(points).hasSizeGreaterThan(190);
    assertThat(new ExpiryPolicy(options, new MaxJitter()).toCachedToken(answer, T0, "tag").refreshAt())
      .isEqualTo(T0 + 2_700_000 - 180_000);
  }

  @Test
  @DisplayName("the jitter never moves the refresh point past serve-until, nor before half its distance from the fetch")
  void shouldKeepJitteredRefreshPointInsideTheLifetime() {
    // refresh at 95%, serve until 90% (the minimum remaining lifetime caps at 10%): serve-until wins
    TokenCacheOptions late = new TokenCacheOptions().setRefreshAheadFraction(0.95);
    JsonObject answer = new JsonObject().put("access_token", "a").put("expires_in", 100);
    for (RandomGenerator r : List.of(NO_JITTER, new MaxJitter(), new SplittableRandom(7))) {
      CachedToken t = new ExpiryPolicy(late, r).toCachedToken(answer, T0, "tag");
      assertThat(t.refreshAt()).isLessThanOrEqualTo(t.serveUntil()).isGreaterThanOrEqualTo(T0 + 90_000 - 5_000);
    }
    // refresh at 4% of the lifetime: the jitter is capped at half of it
    TokenCacheOptions early = new TokenCacheOptions().setRefreshAheadFraction(0.04).setMaxMinRemainingFraction(0.01);
    assertThat(new ExpiryPolicy(early, new MaxJitter()).toCachedToken(answer, T0, "tag").refreshAt())
      .isEqualTo(T0 + 4_000 - 2_000);
  }

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
    CachedToken expired = p.toCachedToken(new JsonObject().put("access_token", "a").put("expires_in", -5), T0, "t");
    assertThat(expired.expiresAt()).as("the IdP says it is expired: never the default").isEqualTo(T0);
    assertThat(expired.servable(T0)).isFalse();
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
