package io.tokencache.examples;

import io.tokencache.CacheStatus;
import io.tokencache.TokenResponse;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.FreePorts;
import io.tokencache.testing.ProtectedApi;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the example application (a one-member cluster) against the fake IdP and a protected inventory API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrdersServiceExampleTest {

  private Vertx vertx;
  private FakeIdp idp;
  private ProtectedApi inventory;
  private WebClient web;
  private OrdersServiceExample service;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    idp = FakeIdp.start(vertx, new FakeIdpOptions().addClient("orders", "orders-secret").setQuotaRps(0)).await();
    inventory = ProtectedApi.start(vertx, idp).await();
    web = WebClient.create(vertx);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    ClusterOptions cluster = new ClusterOptions().setClusterName("example-" + UUID.randomUUID().toString().substring(0, 8))
      .setPort(FreePorts.next()).setEncryptionKey(Base64.getEncoder().encodeToString(key));
    service = OrdersServiceExample.start(new OrdersServiceExample.Settings(idp.tokenUrl(), "orders", "orders-secret",
      inventory.baseUrl(), 0, cluster)).await();
  }

  @AfterAll
  void stop() {
    if (service != null) {
      service.stop().await();
    }
    web.close();
    vertx.close().await();
  }

  @Test
  @DisplayName("the example gets one token through the API, the event bus and its own token endpoint, and calls the API with it")
  void shouldRunTheExample() {
    TokenResponse viaApi = service.tokenFromApi().await();
    TokenResponse viaEventBus = service.tokenFromEventBus().await();
    HttpResponse<Buffer> viaEndpoint = web.post(service.httpPort(), "127.0.0.1", "/auth/oauth2/token")
      .basicAuthentication("orders", "orders-secret")
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", "inventory:read"))
      .await();
    HttpResponse<Buffer> availability = web.get(service.httpPort(), "127.0.0.1", "/orders/sku-1/availability").send().await();

    assertThat(viaApi.cacheStatus()).isEqualTo(CacheStatus.MISS);
    assertThat(viaEventBus.cacheStatus()).isEqualTo(CacheStatus.HIT);
    assertThat(viaEventBus.accessToken()).isEqualTo(viaApi.accessToken());
    assertThat(viaEndpoint.statusCode()).isEqualTo(200);
    assertThat(viaEndpoint.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(viaEndpoint.bodyAsJsonObject().getString("access_token")).isEqualTo(viaApi.accessToken());
    assertThat(availability.statusCode()).isEqualTo(200);
    assertThat(availability.bodyAsJsonObject()).isEqualTo(new JsonObject().put("sku", "sku-1").put("available", 42));
    assertThat(inventory.tokensSeen()).containsExactly(viaApi.accessToken());
    assertThat(idp.tokensIssued()).isEqualTo(1);

    // the inventory API rejects the token once: the service drops it and retries with a fresh one
    inventory.rejectNext(1);
    HttpResponse<Buffer> afterRejection = web.get(service.httpPort(), "127.0.0.1", "/orders/sku-2/availability").send().await();

    assertThat(afterRejection.statusCode()).isEqualTo(200);
    assertThat(idp.tokensIssued()).isEqualTo(2);
    assertThat(service.tokenFromApi().await().accessToken()).isNotEqualTo(viaApi.accessToken());
  }
}
