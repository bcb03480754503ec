package io.tokencache.client;

import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenRequest;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.ProtectedApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.uritemplate.UriTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The bearer-token WebClient helper against the fake IdP and a JWT-checking protected API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BearerTokenClientTest {

  private static final String CLIENT = "orders";
  private static final String SECRET = "orders-secret";
  private static final TokenRequest REQUEST = TokenRequest.clientCredentials(CLIENT, SECRET).scope("inventory:read").build();

  private Vertx vertx;
  private FakeIdp idp;
  private ProtectedApi api;
  private WebClient web;
  private TokenCache cache;
  private BearerTokenClient client;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    idp = FakeIdp.start(vertx, new FakeIdpOptions().addClient(CLIENT, SECRET).setQuotaRps(0)).await();
    api = ProtectedApi.start(vertx, idp).await();
    web = WebClient.create(vertx);
  }

  @AfterAll
  void stop() {
    web.close();
    vertx.close().await();
  }

  @BeforeEach
  void freshCache() {
    idp.resetCounters();
    api.reset();
    cache = TokenCache.create(vertx, new TokenCacheOptions()
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()))).await();
    client = BearerTokenClient.create(web, cache, REQUEST);
  }

  @AfterEach
  void closeCache() {
    cache.close().await();
  }

  private HttpRequest<Buffer> stock() {
    return web.getAbs(api.baseUrl() + "/stock/sku-7");
  }

  @Test
  @DisplayName("adds the cached token as a bearer token: the API verifies its signature; one upstream call for many requests")
  void shouldAddTheCachedTokenAsBearerToken() {
    HttpResponse<Buffer> first = client.send(stock()).await();
    HttpResponse<Buffer> second = client.send(stock()).await();

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.bodyAsJsonObject()).isEqualTo(new JsonObject().put("sku", "sku-7").put("available", 42)
      .put("client", CLIENT));
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(api.tokensSeen()).hasSize(2).containsOnly(cache.getToken(REQUEST).await().accessToken());
    assertThat(idp.tokensIssued()).isEqualTo(1);
  }

  @Test
  @DisplayName("on a 401 it drops the token and retries once with a fresh one")
  void shouldRetryOnceWithAFreshTokenAfter401() {
    String rejected = cache.getToken(REQUEST).await().accessToken();
    api.revoke(rejected);

    HttpResponse<Buffer> response = client.send(stock()).await();

    assertThat(response.statusCode()).isEqualTo(200);
    String fresh = cache.getToken(REQUEST).await().accessToken();
    assertThat(fresh).isNotEqualTo(rejected);
    assertThat(api.tokensSeen()).containsExactly(rejected, fresh);
    assertThat(idp.tokensIssued()).isEqualTo(2);
  }

  @Test
  @DisplayName("an API answering 401 twice: the caller gets the 401, after exactly 2 API calls and 2 issued tokens")
  void shouldNotLoopWhenTheApiKeepsAnswering401() {
    api.rejectAll(true);

    HttpResponse<Buffer> response = client.send(stock()).await();

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("WWW-Authenticate")).contains("invalid_token");
    assertThat(api.requests()).isEqualTo(2);
    assertThat(api.tokensSeen()).doesNotHaveDuplicates();
    assertThat(idp.tokensIssued()).isEqualTo(2);
  }

  @Test
  @DisplayName("the retry sends the same body and headers; the caller's request is left unchanged")
  void shouldResendTheBodyOnRetry() {
    api.rejectNext(1);
    JsonObject order = new JsonObject().put("sku", "sku-7").put("quantity", 3);
    HttpRequest<Buffer> request = web.postAbs(api.baseUrl() + "/echo").putHeader("X-Request-Id", "r-1");

    HttpResponse<Buffer> response = client.sendJson(request, order).await();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject()).isEqualTo(order);
    assertThat(api.requests()).isEqualTo(2);
    assertThat(request.headers().contains("Authorization")).isFalse();
    assertThat(client.sendBuffer(web.postAbs(api.baseUrl() + "/echo"), Buffer.buffer("{\"a\":1}")).await()
      .bodyAsJsonObject()).isEqualTo(new JsonObject().put("a", 1));
  }

  @Test
  @DisplayName("a URI-template request keeps its parameters and query on the retry")
  void shouldKeepTemplateParametersOnRetry() {
    api.rejectNext(1);
    HttpRequest<Buffer> request = web.getAbs(UriTemplate.of(api.baseUrl() + "/stock/{sku}"))
      .setTemplateParam("sku", "sku 9").addQueryParam("warehouse", "north");

    HttpResponse<Buffer> response = client.send(request).await();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("sku")).isEqualTo("sku 9");
    assertThat(response.bodyAsJsonObject().getString("warehouse")).isEqualTo("north");
    assertThat(api.requests()).isEqualTo(2);
  }

  @Test
  @DisplayName("other error statuses are returned as they are, without a retry")
  void shouldNotRetryOtherStatuses() {
    HttpResponse<Buffer> response = client.send(web.getAbs(api.baseUrl() + "/forbidden")).await();

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(api.requests()).isEqualTo(1);
    assertThat(idp.tokensIssued()).isEqualTo(1);
  }

  @Test
  @DisplayName("20 concurrent requests rejected with the same token share one renewal: 1 more upstream call")
  void shouldShareOneRenewalAmongConcurrentRejections() {
    api.revoke(cache.getToken(REQUEST).await().accessToken());
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(client.send(stock()));
    }
    Future.join(all).await();

    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(200));
    assertThat(idp.tokensIssued()).isEqualTo(2);
  }

  @Test
  @DisplayName("a token that cannot be had fails the call with the cache's error; the API is not called")
  void shouldFailWithTheTokenSourceError() {
    BearerTokenClient wrong = BearerTokenClient.create(web, cache, TokenRequest.clientCredentials(CLIENT, "nope").build());

    Throwable t = catchThrowable(() -> wrong.send(stock()).await());

    assertThat(t).isInstanceOfSatisfying(TokenCacheException.class, e -> assertThat(e.statusCode()).isEqualTo(401));
    assertThat(api.requests()).isZero();
  }
}
