package io.tokencache.http;

import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FailureMode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.tokencache.http.TokenEndpointFixture.CLIENT;
import static io.tokencache.http.TokenEndpointFixture.OTHER_CLIENT;
import static io.tokencache.http.TokenEndpointFixture.OTHER_SECRET;
import static io.tokencache.http.TokenEndpointFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The cached grant over real HTTP against the fake IdP: hits, misses, coalescing, refresh-ahead, expiry. */
@ExtendWith(VertxExtension.class)
class TokenEndpointCachingTest {

  private TokenEndpointFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName("HTTP Basic on /oauth2/token: a miss then a hit with the same token, one upstream call")
  void shouldServeSecondRequestFromCache(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    HttpResponse<Buffer> first = f.basicToken(CLIENT, SECRET, "read write");
    HttpResponse<Buffer> second = f.basicToken(CLIENT, SECRET, "write read");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.getHeader("X-Token-Cache")).isEqualTo("MISS");
    assertThat(second.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(first.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(second.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(second.getHeader("Pragma")).isEqualTo("no-cache");
    assertThat(second.bodyAsJsonObject().getString("access_token"))
      .isEqualTo(first.bodyAsJsonObject().getString("access_token"));
    assertThat(second.bodyAsJsonObject().getString("token_type")).isEqualTo("Bearer");
    // the token is stored once and written back into each answer: once, and the same fields as the miss's answer
    for (HttpResponse<Buffer> r : List.of(first, second)) {
      String raw = r.bodyAsString();
      assertThat(raw.indexOf("\"access_token\"")).isNotNegative().isEqualTo(raw.lastIndexOf("\"access_token\""));
    }
    assertThat(second.bodyAsJsonObject().fieldNames()).isEqualTo(first.bodyAsJsonObject().fieldNames())
      .contains("access_token", "expires_in", "token_type");
    assertThat(f.idp.tokensIssued()).isEqualTo(1);
  }

  @Test
  @DisplayName("client_secret_post works on /oauth2/token and /oauth/token, and JSON bodies on /oauth/token")
  void shouldAcceptEveryAuthenticationMethodOnBothEndpoints(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    MultiMap post = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
      .add("client_id", CLIENT).add("client_secret", SECRET).add("audience", "api://orders");
    HttpResponse<Buffer> oauth2Post = f.postForm(TokenEndpoint.OAUTH2_PATH, post, null, null);
    HttpResponse<Buffer> auth0Post = f.postForm(TokenEndpoint.AUTH0_PATH, post, null, null);
    HttpResponse<Buffer> auth0Json = f.postRaw(TokenEndpoint.AUTH0_PATH, "application/json",
      new JsonObject().put("grant_type", "client_credentials").put("client_id", CLIENT).put("client_secret", SECRET)
        .put("audience", "api://orders").encode(), null);
    HttpResponse<Buffer> auth0Basic = f.postForm(TokenEndpoint.AUTH0_PATH,
      MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("audience", "api://orders"),
      CLIENT, SECRET);

    for (HttpResponse<Buffer> r : List.of(oauth2Post, auth0Post, auth0Json, auth0Basic)) {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("access_token")).isNotBlank();
    }
    // post and JSON share the post-authenticated key; Basic is a different upstream request, hence its own key
    assertThat(auth0Post.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(auth0Json.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(f.idp.tokensIssued(CLIENT)).isLessThanOrEqualTo(2);
  }

  @Test
  @DisplayName("expires_in counts down on hits as the clock moves")
  void shouldRewriteExpiresInToLifetimeLeft(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setTokenLifetime(Duration.ofSeconds(3600)), o -> o);
    assertThat(f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getLong("expires_in")).isBetween(3599L, 3600L);
    f.clock.advance(Duration.ofSeconds(600));
    HttpResponse<Buffer> later = f.basicToken(CLIENT, SECRET, "read");
    assertThat(later.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(later.bodyAsJsonObject().getLong("expires_in")).isBetween(2999L, 3000L);
    f.clock.advance(Duration.ofMillis(1_500));
    assertThat(f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getLong("expires_in")).isBetween(2997L, 2998L);
  }

  @Test
  @DisplayName("200 concurrent misses for one key make exactly one upstream call")
  void shouldCoalesceConcurrentMisses(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setLatency(Duration.ofMillis(300)), o -> o);
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(f.client.post(TokenEndpoint.OAUTH2_PATH)
        .putHeader("Authorization", TokenEndpointFixture.basic(CLIENT, SECRET))
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", "orders")));
    }
    Future.all(all).await();

    assertThat(f.idp.tokensIssued()).isEqualTo(1);
    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(200));
    assertThat(all.stream().map(r -> r.result().bodyAsJsonObject().getString("access_token")).distinct()).hasSize(1);
    Map<String, Long> byStatus = all.stream().map(r -> r.result().getHeader("X-Token-Cache"))
      .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(byStatus.get("MISS")).isEqualTo(1);
    assertThat(byStatus.get("COALESCED")).isGreaterThan(0);
  }

  @Test
  @DisplayName("past the refresh point one background refresh replaces the token; no request waits for it")
  void shouldRefreshAheadInBackground(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setTokenLifetime(Duration.ofSeconds(100)), o -> o);
    String first = f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getString("access_token");
    f.idp.setLatency(Duration.ofMillis(500));
    f.clock.advance(Duration.ofSeconds(80)); // refresh point is 75 s into a 100 s token

    List<HttpResponse<Buffer>> during = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      during.add(f.basicToken(CLIENT, SECRET, "read"));
    }
    assertThat(during).allSatisfy(r -> {
      assertThat(r.getHeader("X-Token-Cache")).isEqualTo("HIT");
      assertThat(r.bodyAsJsonObject().getString("access_token")).isEqualTo(first);
    });
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.idp.tokensIssued()).isEqualTo(2));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
      assertThat(f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getString("access_token")).isNotEqualTo(first));
    HttpResponse<Buffer> after = f.basicToken(CLIENT, SECRET, "read");
    assertThat(after.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(after.bodyAsJsonObject().getLong("expires_in")).isBetween(99L, 100L);
    assertThat(f.idp.tokensIssued()).isEqualTo(2);
  }

  @Test
  @DisplayName("a token past serving whose refresh is still on its way: the request waits for that refresh, the key is not fetched a second time")
  void shouldWaitForARefreshStillOnItsWay(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setTokenLifetime(Duration.ofSeconds(100)), o -> o);
    String first = f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getString("access_token");
    f.idp.setLatency(Duration.ofSeconds(1));
    f.clock.advance(Duration.ofSeconds(80)); // refresh point is 75 s into a 100 s token
    assertThat(f.basicToken(CLIENT, SECRET, "read").getHeader("X-Token-Cache")).isEqualTo("HIT");

    // served until 90 s; the refresh started at 80 s is still waiting for the IdP's answer
    f.clock.advance(Duration.ofSeconds(15));
    HttpResponse<Buffer> late = f.basicToken(CLIENT, SECRET, "read");

    assertThat(late.statusCode()).as(late.bodyAsString()).isEqualTo(200);
    assertThat(late.bodyAsJsonObject().getString("access_token")).isNotEqualTo(first);
    assertThat(f.idp.tokenRequests()).as("the first fetch and its one refresh").isEqualTo(2);
  }

  @Test
  @DisplayName("a token is never served under its minimum lifetime, even when the refresh failed")
  void shouldNeverServeUnderMinimumLifetime(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setTokenLifetime(Duration.ofSeconds(100)), o -> o);
    String first = f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getString("access_token");
    f.idp.setFailureMode(FailureMode.UNAVAILABLE);
    f.clock.advance(Duration.ofSeconds(80));
    HttpResponse<Buffer> stillServed = f.basicToken(CLIENT, SECRET, "read");
    assertThat(stillServed.bodyAsJsonObject().getString("access_token")).isEqualTo(first);
    await().atMost(Duration.ofSeconds(5)).until(() -> f.idp.tokenRequests() >= 2); // the failed refresh

    // min remaining = min(30 s, 10% of 100 s) = 10 s: from 90 s on the old token must not be served
    f.clock.advance(Duration.ofSeconds(10));
    HttpResponse<Buffer> refused = f.basicToken(CLIENT, SECRET, "read");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
    assertThat(refused.getHeader("Retry-After")).isNotNull();
    assertThat(refused.bodyAsString()).doesNotContain(first);

    f.idp.setFailureMode(FailureMode.NONE);
    // the IdP's 503 Retry-After holds the budget back (misses fail fast meanwhile), at most the maximum hold-back
    f.clock.advance(UpstreamOptions.DEFAULT_MAX_HOLD_BACK);
    HttpResponse<Buffer> fresh = f.basicToken(CLIENT, SECRET, "read");
    assertThat(fresh.getHeader("X-Token-Cache")).isEqualTo("MISS");
    assertThat(fresh.bodyAsJsonObject().getString("access_token")).isNotEqualTo(first);
    assertThat(fresh.bodyAsJsonObject().getLong("expires_in")).isGreaterThanOrEqualTo(99L);
  }

  @Test
  @DisplayName("a wrong secret never receives the token cached for the right one")
  void shouldNeverServeCachedTokenToWrongSecret(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    String good = f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getString("access_token");
    HttpResponse<Buffer> wrong = f.basicToken(CLIENT, "not-the-secret", "read");
    HttpResponse<Buffer> otherClientsSecret = f.basicToken(CLIENT, OTHER_SECRET, "read");

    for (HttpResponse<Buffer> r : List.of(wrong, otherClientsSecret)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
      assertThat(r.bodyAsString()).doesNotContain(good);
    }
    assertThat(f.basicToken(OTHER_CLIENT, OTHER_SECRET, "read").bodyAsJsonObject().getString("access_token"))
      .isNotEqualTo(good);
  }

  @Test
  @DisplayName("scope, audience and resource separate tokens; scope may come in the query")
  void shouldKeySeparatelyByScopeAudienceAndResource(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    String read = f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getString("access_token");
    String write = f.basicToken(CLIENT, SECRET, "write").bodyAsJsonObject().getString("access_token");
    HttpResponse<Buffer> viaQuery = f.postForm(TokenEndpoint.OAUTH2_PATH + "?scope=read",
      MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials"), CLIENT, SECRET);
    HttpResponse<Buffer> audience = f.postForm(TokenEndpoint.OAUTH2_PATH, MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "client_credentials").add("scope", "read").add("audience", "api://a"), CLIENT, SECRET);

    assertThat(write).isNotEqualTo(read);
    assertThat(viaQuery.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(viaQuery.bodyAsJsonObject().getString("access_token")).isEqualTo(read);
    assertThat(audience.getHeader("X-Token-Cache")).isEqualTo("MISS");
    assertThat(f.idp.tokensIssued()).isEqualTo(3);
  }

  @Test
  @DisplayName("refresh tokens from the upstream are never stored nor handed out by the cache")
  void shouldNeverStoreRefreshTokens(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setIssueRefreshTokens(true), o -> o);
    HttpResponse<Buffer> miss = f.basicToken(CLIENT, SECRET, "read");
    HttpResponse<Buffer> hit = f.basicToken(CLIENT, SECRET, "read");
    assertThat(miss.bodyAsJsonObject().containsKey("refresh_token")).isFalse();
    assertThat(hit.bodyAsJsonObject().containsKey("refresh_token")).isFalse();
  }

  @Test
  @DisplayName("without expires_in the JWT exp sets the lifetime")
  void shouldUseJwtExpWhenExpiresInIsAbsent(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setIncludeExpiresIn(false).setTokenLifetime(Duration.ofSeconds(900)),
      o -> o);
    assertThat(f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getLong("expires_in")).isBetween(895L, 900L);
  }

  @Test
  @DisplayName("other grant types are forwarded unchanged and never cached")
  void shouldBypassOtherGrantTypes(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setIssueRefreshTokens(true), o -> o);
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
      .add("client_id", CLIENT).add("client_secret", SECRET);
    // an unknown refresh token: the IdP answers invalid_grant, passed through as it came
    HttpResponse<Buffer> bypassed = f.postForm(TokenEndpoint.OAUTH2_PATH, MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "refresh_token").add("refresh_token", "unknown"), CLIENT, SECRET);
    assertThat(bypassed.getHeader("X-Token-Cache")).isEqualTo("BYPASS");
    assertThat(bypassed.statusCode()).isEqualTo(400); // the IdP's own answer, passed through
    assertThat(bypassed.getHeader("Cache-Control")).isEqualTo("no-store");

    int before = f.idp.tokenRequests();
    f.postForm(TokenEndpoint.OAUTH2_PATH, MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "refresh_token").add("refresh_token", "unknown"), CLIENT, SECRET);
    assertThat(f.idp.tokenRequests()).isEqualTo(before + 1);
    assertThat(f.postForm(TokenEndpoint.OAUTH2_PATH, form, null, null).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("an unreachable upstream answers 503 with Retry-After while cached tokens keep being served")
  void shouldServeCachedTokensDuringOutage(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o);
    String cached = f.basicToken(CLIENT, SECRET, "read").bodyAsJsonObject().getString("access_token");
    f.idp.setFailureMode(FailureMode.RESET);
    HttpResponse<Buffer> miss = f.basicToken(CLIENT, SECRET, "other");
    assertThat(miss.statusCode()).isEqualTo(503);
    assertThat(miss.getHeader("Retry-After")).isEqualTo("1");
    assertThat(miss.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
    HttpResponse<Buffer> hit = f.basicToken(CLIENT, SECRET, "read");
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(hit.bodyAsJsonObject().getString("access_token")).isEqualTo(cached);
  }
}
