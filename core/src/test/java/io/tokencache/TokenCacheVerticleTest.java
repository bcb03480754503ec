package io.tokencache;

import io.tokencache.client.BearerTokenClient;
import io.tokencache.eventbus.TokenCacheEventBus;
import io.tokencache.eventbus.TokenCacheEventBusClient;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.ProtectedApi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A plain (non-clustered) Vert.x application deploying the verticle and using each of its interfaces. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenCacheVerticleTest {

  private static final String CLIENT = "orders";
  private static final String SECRET = "orders-secret";

  private Vertx vertx;
  private FakeIdp idp;
  private ProtectedApi api;
  private WebClient web;

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
  void reset() {
    idp.resetCounters();
    api.reset();
  }

  @AfterEach
  void undeployAll() {
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
  }

  private TokenCacheVerticleOptions options() {
    return new TokenCacheVerticleOptions().setCacheOptions(new TokenCacheOptions()
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl())));
  }

  private static TokenRequest request(String scope) {
    return TokenRequest.clientCredentials(CLIENT, SECRET).scope(scope).build();
  }

  private Message<Object> send(String address, Object body, DeliveryOptions options) {
    return vertx.eventBus().request(address, body, options).await();
  }

  private static ReplyException replyFailure(Runnable call) {
    Throwable t = catchThrowable(call::run);
    if (t instanceof CompletionException) {
      t = t.getCause();
    }
    assertThat(t).isInstanceOf(ReplyException.class);
    return (ReplyException) t;
  }

  @Test
  @DisplayName("one token through the API, the event bus and the WebClient helper: 1 upstream call")
  void shouldServeOneTokenThroughApiEventBusAndWebClientHelper() {
    TokenCacheVerticle verticle = new TokenCacheVerticle(options());
    vertx.deployVerticle(verticle).await();

    TokenResponse viaApi = verticle.cache().getToken(request("inventory:read")).await();
    TokenResponse viaEventBus = TokenCacheEventBusClient.create(vertx).getToken(request("inventory:read")).await();
    HttpResponse<Buffer> viaHelper = BearerTokenClient.create(web, TokenCacheEventBusClient.create(vertx),
      request("inventory:read")).send(web.getAbs(api.baseUrl() + "/stock/sku-1")).await();

    assertThat(viaApi.cacheStatus()).isEqualTo(CacheStatus.MISS);
    assertThat(viaEventBus.cacheStatus()).isEqualTo(CacheStatus.HIT);
    assertThat(viaEventBus.accessToken()).isEqualTo(viaApi.accessToken());
    assertThat(viaEventBus.expiresIn()).isBetween(1L, 3600L);
    assertThat(viaEventBus.json().getString("token_type")).isEqualTo("Bearer");
    assertThat(viaEventBus.json().getString("scope")).isEqualTo("inventory:read");
    assertThat(viaHelper.statusCode()).isEqualTo(200);
    assertThat(viaHelper.bodyAsJsonObject().getString("client")).isEqualTo(CLIENT);
    assertThat(api.tokensSeen()).containsExactly(viaApi.accessToken());
    assertThat(idp.tokensIssued()).isEqualTo(1);
  }

  @Test
  @DisplayName("deployed from JSON config, it answers hand-written messages at its address and invalidates on request")
  void shouldDeployFromJsonConfigAndSpeakThePlainProtocol() {
    JsonObject config = new JsonObject()
      .put("address", "tokens.custom")
      .put("cache", new JsonObject().put("upstreams", new JsonArray()
        .add(new JsonObject().put("tokenUrl", idp.tokenUrl()))));
    vertx.deployVerticle(TokenCacheVerticle.class.getName(), new DeploymentOptions().setConfig(config)).await();
    JsonObject body = new JsonObject().put("client_id", CLIENT).put("client_secret", SECRET)
      .put("scope", "b a").put("resource", new JsonArray().add("https://inventory.example.com"));

    Message<Object> miss = send("tokens.custom", body, new DeliveryOptions());
    Message<Object> hit = send("tokens.custom", body.copy().put("scope", "a b a"), new DeliveryOptions());
    Message<Object> invalidated = send("tokens.custom", body,
      new DeliveryOptions().addHeader(TokenCacheEventBus.ACTION_HEADER, TokenCacheEventBus.INVALIDATE_ACTION));
    Message<Object> refetched = send("tokens.custom", body, new DeliveryOptions());

    JsonObject token = (JsonObject) miss.body();
    assertThat(miss.headers().get("x-token-cache")).isEqualTo("MISS");
    assertThat(token.getString("access_token")).isNotBlank();
    assertThat(token.getString("token_type")).isEqualTo("Bearer");
    assertThat(token.getLong("expires_in")).isBetween(1L, 3600L);
    assertThat(hit.headers().get("x-token-cache")).isEqualTo("HIT");
    assertThat(((JsonObject) hit.body()).getString("access_token")).isEqualTo(token.getString("access_token"));
    assertThat(invalidated.body()).isEqualTo(new JsonObject().put("invalidated", true));
    assertThat(refetched.headers().get("x-token-cache")).isEqualTo("MISS");
    assertThat(((JsonObject) refetched.body()).getString("access_token")).isNotEqualTo(token.getString("access_token"));
    assertThat(idp.tokensIssued()).isEqualTo(2);
  }

  @Test
  @DisplayName("failures carry the HTTP status as failure code and an RFC 6749 error as JSON; the client maps them back")
  void shouldFailWithTheHttpStatusAndAnRfc6749Error() {
    vertx.deployVerticle(new TokenCacheVerticle(options())).await();
    String address = TokenCacheVerticleOptions.DEFAULT_ADDRESS;
    JsonObject good = new JsonObject().put("client_id", CLIENT).put("client_secret", SECRET);
    // the event bus client sends local-only; so do these, to reach the local-only consumer
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);

    ReplyException wrongSecret = replyFailure(() -> send(address, good.copy().put("client_secret", "nope"), local));
    ReplyException noSecret = replyFailure(() -> send(address, new JsonObject().put("client_id", CLIENT), local));
    ReplyException notJson = replyFailure(() -> send(address, "grant_type=client_credentials", local));
    ReplyException badScope = replyFailure(() -> send(address, good.copy().put("scope", "a\"b"), local));
    ReplyException badGrant = replyFailure(() -> send(address, good.copy().put("grant_type", "password"), local));
    ReplyException badAction = replyFailure(() -> send(address, good,
      new DeliveryOptions(local).addHeader(TokenCacheEventBus.ACTION_HEADER, "explode")));

    assertThat(wrongSecret.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    assertThat(wrongSecret.failureCode()).isEqualTo(401);
    assertThat(new JsonObject(wrongSecret.getMessage()).getString("error")).isEqualTo("invalid_client");
    assertThat(wrongSecret.getMessage()).doesNotContain("nope");
    assertThat(noSecret.failureCode()).isEqualTo(401);
    assertThat(new JsonObject(noSecret.getMessage()).getString("error")).isEqualTo("invalid_client");
    assertThat(new JsonObject(noSecret.getMessage()).getString("error_description")).isNotBlank();
    assertThat(notJson.failureCode()).isEqualTo(400);
    assertThat(new JsonObject(notJson.getMessage()).getString("error")).isEqualTo("invalid_request");
    assertThat(badScope.failureCode()).isEqualTo(400);
    assertThat(new JsonObject(badScope.getMessage()).getString("error")).isEqualTo("invalid_scope");
    assertThat(badGrant.failureCode()).isEqualTo(400);
    assertThat(new JsonObject(badGrant.getMessage()).getString("error")).isEqualTo("unsupported_grant_type");
    assertThat(badAction.failureCode()).isEqualTo(400);

    Throwable typed = catchThrowable(() -> TokenCacheEventBusClient.create(vertx)
      .getToken(TokenRequest.clientCredentials(CLIENT, "nope").build()).await());
    assertThat(typed).isInstanceOfSatisfying(TokenCacheException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(401);
      assertThat(e.error()).isEqualTo("invalid_client");
    });
  }

  @Test
  @DisplayName("undeploying unregisters the consumer and closes the cache; the client then fails with 503")
  void shouldUnregisterAndCloseOnUndeploy() {
    TokenCacheVerticle verticle = new TokenCacheVerticle(options());
    String id = vertx.deployVerticle(verticle).await();
    assertThat(TokenCacheEventBusClient.create(vertx).getToken(request(null)).await().accessToken()).isNotBlank();

    vertx.undeploy(id).await();

    assertThatThrownBy(verticle::cache).isInstanceOf(IllegalStateException.class);
    Throwable t = catchThrowable(() -> TokenCacheEventBusClient.create(vertx).getToken(request(null)).await());
    assertThat(t).isInstanceOfSatisfying(TokenCacheException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(503);
      assertThat(e.description()).contains("no token cache listens");
    });
  }

  @Test
  @DisplayName("a deployment without an upstream fails, naming the missing setting")
  void shouldRefuseToDeployWithoutAnUpstream() {
    Throwable t = catchThrowable(() -> vertx.deployVerticle(TokenCacheVerticle.class.getName(),
      new DeploymentOptions().setConfig(new JsonObject())).await());
    assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upstream");
    assertThat(vertx.deploymentIDs()).isEmpty();
  }
}
