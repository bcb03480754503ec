package io.tokencache.server;

import io.tokencache.CacheStatus;
import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenCacheVerticle;
import io.tokencache.TokenCacheVerticleOptions;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.TokenCacheCluster;
import io.tokencache.eventbus.TokenCacheEventBusClient;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application embedding {@link TokenCacheVerticle} on a clustered Vert.x and a standalone server-jar process in
 * one Hazelcast cluster, in front of one fake IdP: a token fetched by either member is a hit on the other.
 */
class EmbeddedAndServerMembersIT {

  private static Vertx vertx;
  private static FakeIdp idp;
  private static WebClient web;
  private static Vertx embedded;
  private static TokenCacheVerticle tokenCache;
  private static ServerProcess server;

  @BeforeAll
  static void startMembers() throws Exception {
    vertx = Vertx.vertx();
    idp = FakeIdp.start(vertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(10)).await();
    web = WebClient.create(vertx);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String encryptionKey = Base64.getEncoder().encodeToString(key);
    String clusterName = "embedded-it-" + UUID.randomUUID().toString().substring(0, 8);
    int embeddedPort = ServerProcess.freePort();
    int serverPort = ServerProcess.freePort();
    List<String> members = List.of("127.0.0.1:" + embeddedPort, "127.0.0.1:" + serverPort);

    ClusterOptions cluster = new ClusterOptions().setClusterName(clusterName).setPort(embeddedPort)
      .setMembers(members).setEncryptionKey(encryptionKey);
    embedded = TokenCacheCluster.startClusteredVertx(new VertxOptions(), cluster).await();
    tokenCache = new TokenCacheVerticle(new TokenCacheVerticleOptions()
      .setCacheOptions(new TokenCacheOptions().addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl())))
      .setClusterOptions(cluster));
    embedded.deployVerticle(tokenCache).await();

    server = ServerProcess.start(ServerProcess.freePort(), Map.of(
      "TOKEN_CACHE_UPSTREAM_TOKEN_URL", idp.tokenUrl(),
      "TOKEN_CACHE_CLUSTER_NAME", clusterName,
      "TOKEN_CACHE_CLUSTER_PORT", Integer.toString(serverPort),
      "TOKEN_CACHE_CLUSTER_MEMBERS", String.join(",", members),
      "TOKEN_CACHE_ENCRYPTION_KEY", encryptionKey));
    server.awaitReady(Duration.ofSeconds(60));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (TokenCacheCluster.hazelcastOf(embedded).getCluster().getMembers().size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(TokenCacheCluster.hazelcastOf(embedded).getCluster().getMembers()).hasSize(2);
  }

  @AfterAll
  static void stopMembers() throws Exception {
    if (server != null) {
      server.close();
    }
    if (embedded != null) {
      embedded.close().await();
    }
    web.close();
    vertx.close().await();
  }

  private static HttpResponse<Buffer> serverToken(String client, String scope) {
    return web.post(server.port(), "127.0.0.1", "/oauth2/token")
      .basicAuthentication(client, client + FakeIdpOptions.DYNAMIC_CLIENT_SECRET_SUFFIX)
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", scope))
      .await();
  }

  private static TokenRequest request(String client, String scope) {
    return TokenRequest.clientCredentials(client, client + FakeIdpOptions.DYNAMIC_CLIENT_SECRET_SUFFIX).scope(scope).build();
  }

  @Test
  @DisplayName("a token fetched through the server's HTTP endpoint is a hit through the embedded API and event bus")
  void shouldServeTheServersTokenFromTheEmbeddedMember() {
    HttpResponse<Buffer> miss = serverToken("svc-server-first", "read");
    TokenResponse viaApi = tokenCache.cache().getToken(request("svc-server-first", "read")).await();
    TokenResponse viaEventBus = TokenCacheEventBusClient.create(embedded).getToken(request("svc-server-first", "read")).await();

    assertThat(miss.statusCode()).as(miss.bodyAsString()).isEqualTo(200);
    assertThat(miss.getHeader("X-Token-Cache")).isEqualTo("MISS");
    String token = miss.bodyAsJsonObject().getString("access_token");
    assertThat(viaApi.cacheStatus()).isEqualTo(CacheStatus.HIT);
    assertThat(viaApi.accessToken()).isEqualTo(token);
    assertThat(viaEventBus.cacheStatus()).isEqualTo(CacheStatus.HIT);
    assertThat(viaEventBus.accessToken()).isEqualTo(token);
    assertThat(idp.tokensIssued("svc-server-first")).isEqualTo(1);
  }

  @Test
  @DisplayName("a token fetched through the embedded API is a hit through the server's HTTP endpoint")
  void shouldServeTheEmbeddedMembersTokenFromTheServer() {
    TokenResponse miss = tokenCache.cache().getToken(request("svc-embedded-first", "write")).await();
    HttpResponse<Buffer> hit = serverToken("svc-embedded-first", "write");

    assertThat(miss.cacheStatus()).isEqualTo(CacheStatus.MISS);
    assertThat(hit.statusCode()).as(hit.bodyAsString()).isEqualTo(200);
    assertThat(hit.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(hit.bodyAsJsonObject().getString("access_token")).isEqualTo(miss.accessToken());
    assertThat(hit.bodyAsJsonObject().getLong("expires_in")).isBetween(1L, miss.expiresIn());
    assertThat(idp.tokensIssued("svc-embedded-first")).isEqualTo(1);
  }
}
