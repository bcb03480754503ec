package io.tokencache.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.tokencache.CacheStats;
import io.tokencache.CacheStatus;
import io.tokencache.TokenCache;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's routes in process, over real HTTP, with a stub cache and cluster: upstream paths, admin guard and
 * endpoints, metrics names, the access log.
 */
class ServerRouterTest {

  private static final String URL = "http://idp.example/oauth2/token";
  private static final String ADMIN = "router-test-admin-token";

  private Vertx vertx;
  private WebClient client;
  private HttpServer server;
  private ServerMetrics metrics;
  private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> invalidations = new CopyOnWriteArrayList<>();

  /** Answers every token request with a fixed token, remembering the requests. */
  private final TokenCache cache = new TokenCache() {
    @Override
    public Future<TokenResponse> getToken(TokenRequest request) {
      requests.add(request);
      return Future.succeededFuture(TokenResponse.cached(CacheStatus.MISS, "tok-123",
        "{\"access_token\":\"tok-123\",\"token_type\":\"Bearer\"}", 3600));
    }

    @Override
    public Future<Boolean> invalidate(TokenRequest request) {
      return Future.succeededFuture(false);
    }

    @Override
    public Future<Integer> invalidateClient(String upstream, String clientId) {
      invalidations.add(upstream + "/" + clientId);
      return Future.succeededFuture(3);
    }

    @Override
    public CacheStats stats() {
      return new CacheStats(Map.of("hit", 7L, "miss", 2L), 1, 0, 3,
        Map.of("acme", new CacheStats.Upstream(Map.of("success", 2L, "throttled", 1L), 4, 5)));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  };

  private final ClusterView cluster = new ClusterView() {
    @Override
    public JsonArray members() {
      return new JsonArray().add(new JsonObject().put("address", "127.0.0.1:5701").put("uuid", "u-1").put("local", true));
    }

    @Override
    public long localEntries() {
      return 2;
    }

    @Override
    public Future<Long> clusterEntries() {
      return Future.succeededFuture(5L);
    }

    @Override
    public boolean running() {
      return true;
    }

    @Override
    public Future<Void> probeMap(long timeoutMillis) {
      return Future.succeededFuture();
    }
  };

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
  }

  @AfterEach
  void tearDown() {
    if (metrics != null) {
      metrics.close();
    }
    vertx.close().await();
  }

  private int serve(ServerConfig config) {
    metrics = new ServerMetrics(config.clientIdLabels());
    ServerRouter.Parts parts = new ServerRouter.Parts(config, cache, ServerHealth.liveness(vertx),
      ServerHealth.readiness(vertx, cluster, () -> null, () -> false, cache::health, config.upstreamIds()), metrics, cluster);
    server = vertx.createHttpServer().requestHandler(ServerRouter.create(vertx, parts)).listen(0, "127.0.0.1").await();
    return server.actualPort();
  }

  private static ServerConfig config(JsonObject file, String... env) {
    Map<String, String> map = new java.util.HashMap<>();
    for (int i = 0; i < env.length; i += 2) {
      map.put(env[i], env[i + 1]);
    }
    return ServerConfig.from(file, map);
  }

  private static JsonObject twoUpstreams() {
    return new JsonObject().put("upstreams", new JsonArray()
      .add(new JsonObject().put("id", "acme").put("tokenUrl", URL))
      .add(new JsonObject().put("id", "globex").put("tokenUrl", URL)));
  }

  private HttpResponse<Buffer> post(int port, String path, String body) {
    return client.request(HttpMethod.POST, port, "127.0.0.1", path)
      .putHeader("Content-Type", "application/x-www-form-urlencoded")
      .sendBuffer(Buffer.buffer(body)).await();
  }

  private HttpResponse<Buffer> admin(int port, HttpMethod method, String path, String token) {
    var request = client.request(method, port, "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send().await();
  }

  private static final String FORM = "grant_type=client_credentials&client_id=svc&client_secret=svc-secret";

  @Test
  @DisplayName("every upstream answers at /{id}/oauth2/token and /{id}/oauth/token; the default one also at the root")
  void shouldServeEveryUpstreamAtItsOwnPath() {
    int port = serve(config(twoUpstreams(), ServerConfig.UPSTREAM_TOKEN_URL, URL));
    assertThat(post(port, "/acme/oauth2/token", FORM).statusCode()).isEqualTo(200);
    assertThat(post(port, "/globex/oauth/token", FORM).statusCode()).isEqualTo(200);
    assertThat(post(port, "/oauth2/token", FORM).statusCode()).isEqualTo(200);
    assertThat(post(port, "/oauth/token", FORM).statusCode()).isEqualTo(200);
    assertThat(post(port, "/default/oauth2/token", FORM).statusCode()).isEqualTo(200);
    assertThat(requests).extracting(TokenRequest::upstream)
      .containsExactly("acme", "globex", "default", "default", "default");

    HttpResponse<Buffer> unknown = post(port, "/initech/oauth2/token", FORM);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
  }

  @Test
  @DisplayName("without a default upstream, the root token paths answer 404")
  void shouldAnswer404AtTheRootWithoutDefaultUpstream() {
    int port = serve(config(twoUpstreams()));
    assertThat(post(port, "/oauth2/token", FORM).statusCode()).isEqualTo(404);
    assertThat(post(port, "/acme/oauth2/token", FORM).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("bodies over the configured limit get 413 on every upstream's path")
  void shouldLimitBodies() {
    int port = serve(config(twoUpstreams().put("http", new JsonObject().put("maxBodyBytes", 2048)),
      ServerConfig.UPSTREAM_TOKEN_URL, URL));
    String big = FORM + "&pad=" + "x".repeat(3000);
    assertThat(post(port, "/acme/oauth2/token", big).statusCode()).isEqualTo(413);
    assertThat(post(port, "/oauth2/token", big).statusCode()).isEqualTo(413);
    assertThat(requests).isEmpty();
  }

  @Test
  @DisplayName("admin paths answer 404, like any unknown path, when no admin token is set")
  void shouldHideAdminWithoutToken() {
    int port = serve(config(new JsonObject(), ServerConfig.UPSTREAM_TOKEN_URL, URL));
    for (String path : List.of("/admin/stats", "/admin/members")) {
      HttpResponse<Buffer> r = admin(port, HttpMethod.GET, path, ADMIN);
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "not_found")
        .put("error_description", "no such endpoint"));
    }
    assertThat(admin(port, HttpMethod.POST, "/admin/clients/svc/invalidate", ADMIN).statusCode()).isEqualTo(404);
    assertThat(invalidations).isEmpty();
  }

  @Test
  @DisplayName("with an admin token, admin requests without it or with another get 401")
  void shouldRefuseAdminRequestsWithoutTheToken() {
    int port = serve(config(new JsonObject(), ServerConfig.UPSTREAM_TOKEN_URL, URL, ServerConfig.ADMIN_TOKEN, ADMIN));
    for (String token : new String[] {null, "", "wrong-token-0123456789", ADMIN + "x", ADMIN.substring(1)}) {
      HttpResponse<Buffer> r = admin(port, HttpMethod.POST, "/admin/clients/svc/invalidate", token);
      assertThat(r.statusCode()).as("token %s", token).isEqualTo(401);
      assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer");
    }
    HttpResponse<Buffer> basic = client.request(HttpMethod.GET, port, "127.0.0.1", "/admin/stats")
      .putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(ADMIN.getBytes(StandardCharsets.UTF_8)))
      .send().await();
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(invalidations).isEmpty();
  }

  @Test
  @DisplayName("with the admin token: invalidate a client on an upstream, read stats and members")
  void shouldServeAdminEndpoints() {
    int port = serve(config(twoUpstreams(), ServerConfig.UPSTREAM_TOKEN_URL, URL, ServerConfig.ADMIN_TOKEN, ADMIN));
    HttpResponse<Buffer> dflt = admin(port, HttpMethod.POST, "/admin/clients/svc/invalidate", ADMIN);
    assertThat(dflt.statusCode()).isEqualTo(200);
    assertThat(dflt.bodyAsJsonObject().getInteger("invalidated")).isEqualTo(3);
    HttpResponse<Buffer> acme = admin(port, HttpMethod.POST, "/admin/clients/my%20client/invalidate?upstream=acme", ADMIN);
    assertThat(acme.statusCode()).isEqualTo(200);
    assertThat(invalidations).containsExactly("default/svc", "acme/my client");
    HttpResponse<Buffer> unknown = admin(port, HttpMethod.POST, "/admin/clients/svc/invalidate?upstream=initech", ADMIN);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");

    post(port, "/acme/oauth2/token", FORM);
    JsonObject stats = admin(port, HttpMethod.GET, "/admin/stats", ADMIN).bodyAsJsonObject();
    assertThat(stats.getInteger("members")).isEqualTo(1);
    assertThat(stats.getJsonObject("entries")).isEqualTo(new JsonObject().put("local", 2).put("cluster", 5));
    assertThat(stats.getJsonObject("upstreams").fieldNames()).containsExactly("default", "acme", "globex");
    assertThat(stats.getJsonObject("requests").fieldNames()).contains("hit", "miss", "coalesced", "bypass", "error");
    // the cache's own counts, whatever the meter registry holds
    assertThat(stats.getJsonObject("requests").getLong("hit")).isEqualTo(7);
    assertThat(stats.getJsonObject("requests").getLong("coalesced")).isZero();
    assertThat(stats.getLong("negativeHits")).isEqualTo(3);
    assertThat(stats.getJsonObject("refreshes").getLong("started")).isEqualTo(1);
    JsonObject acmeStats = stats.getJsonObject("upstreams").getJsonObject("acme");
    assertThat(acmeStats.getJsonObject("requests").getLong("throttled")).isEqualTo(1);
    assertThat(acmeStats.getLong("budgetRejections")).isEqualTo(4);
    assertThat(acmeStats.getLong("breakerRejections")).isEqualTo(5);
    assertThat(stats.getJsonObject("upstreams").getJsonObject("globex").getLong("budgetRejections")).isZero();

    JsonObject members = admin(port, HttpMethod.GET, "/admin/members", ADMIN).bodyAsJsonObject();
    assertThat(members.getJsonArray("members").getJsonObject(0).getBoolean("local")).isTrue();
    assertThat(admin(port, HttpMethod.GET, "/admin/nothing", ADMIN).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("readiness reports breaker states and each budget's clock skew and stays up; liveness is up")
  void shouldReportHealth() {
    int port = serve(config(twoUpstreams()));
    HttpResponse<Buffer> ready = client.get(port, "127.0.0.1", "/health/ready").send().await();
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsString()).contains("\"breakers\"").contains("\"acme\"");
    io.vertx.core.json.JsonObject upstreams = ready.bodyAsJsonObject().getJsonArray("checks").stream()
      .map(io.vertx.core.json.JsonObject.class::cast).filter(c -> "upstreams".equals(c.getString("id"))).findFirst()
      .orElseThrow().getJsonObject("data");
    // no cluster here, so nothing measured yet: the key is there, its value null (measured in ClockSkewBudgetTest)
    assertThat(upstreams.getJsonObject("clockSkewSeconds").containsKey("acme")).isTrue();
    assertThat(upstreams.getJsonObject("clockSkewSeconds").getValue("acme")).isNull();
    assertThat(upstreams.containsKey("clusterQuotaShare")).isTrue();
    assertThat(client.get(port, "127.0.0.1", "/health/live").send().await().statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("/metrics is Prometheus text and every name starts with token_cache_")
  void shouldPrefixEveryMetricName() {
    int port = serve(config(twoUpstreams()));
    Counter.builder("some.library.counter").register(metrics.registry()).increment();
    Counter.builder("token.cache.requests").tag("result", "hit").register(metrics.registry()).increment();
    HttpResponse<Buffer> r = client.get(port, "127.0.0.1", "/metrics").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).startsWith("text/plain");
    String text = r.bodyAsString();
    assertThat(text).contains("token_cache_some_library_counter_total 1.0")
      .contains("token_cache_requests_total{result=\"hit\"} 1.0")
      .contains("token_cache_jvm_memory_used_bytes");
    assertThat(PrometheusText.names(text)).isNotEmpty().allMatch(n -> n.startsWith("token_cache_"));
  }

  @Test
  @DisplayName("with PEM files configured, the listener speaks HTTPS")
  void shouldServeHttpsFromPemFiles() {
    io.vertx.core.net.SelfSignedCertificate cert = io.vertx.core.net.SelfSignedCertificate.create("localhost");
    try {
      ServerConfig config = config(twoUpstreams().put("http", new JsonObject().put("tls", new JsonObject()
        .put("certPath", cert.certificatePath()).put("keyPath", cert.privateKeyPath()))));
      metrics = new ServerMetrics(false);
      ServerRouter.Parts parts = new ServerRouter.Parts(config, cache, ServerHealth.liveness(vertx),
        ServerHealth.readiness(vertx, cluster, () -> null, () -> false, cache::health, config.upstreamIds()), metrics, cluster);
      server = vertx.createHttpServer(HttpServerVerticle.options(config).setHost("127.0.0.1").setPort(0))
        .requestHandler(ServerRouter.create(vertx, parts)).listen().await();
      WebClient tls = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(cert.trustOptions())
        .setVerifyHost(false));
      HttpResponse<Buffer> r = tls.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/acme/oauth2/token")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer(FORM)).await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("access_token")).isEqualTo("tok-123");
      org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () ->
        client.get(server.actualPort(), "127.0.0.1", "/health/live").send().await(), "plain HTTP is not served");
    } finally {
      cert.delete();
    }
  }

  @Test
  @DisplayName("the access log has one line per token request with a hashed client id, never the secret")
  void shouldLogTokenRequestsWithHashedClientIds() {
    Logger access = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    access.addAppender(lines);
    try {
      int port = serve(config(twoUpstreams().put("logging", new JsonObject().put("accessLog", true))
        .put("metrics", new JsonObject().put("clientIdLabels", true))));
      post(port, "/acme/oauth2/token", FORM);
      client.request(HttpMethod.POST, port, "127.0.0.1", "/globex/oauth/token")
        .putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString("svc:svc-secret".getBytes(StandardCharsets.UTF_8)))
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("grant_type=client_credentials")).await();
      client.request(HttpMethod.POST, port, "127.0.0.1", "/acme/oauth/token")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("grant_type", "client_credentials").put("client_id", "svc")
          .put("client_secret", "svc-secret").encode())).await();
      client.get(port, "127.0.0.1", "/health/live").send().await();

      org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> lines.list.size() >= 3);
      String hashed = ClientIds.hash("svc");
      assertThat(lines.list).hasSize(3);
      assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "POST /acme/oauth2/token 200 MISS " + durationOf(lines.list.get(0)) + "ms upstream=acme client=" + hashed,
        "POST /globex/oauth/token 200 MISS " + durationOf(lines.list.get(1)) + "ms upstream=globex client=" + hashed,
        "POST /acme/oauth/token 200 MISS " + durationOf(lines.list.get(2)) + "ms upstream=acme client=" + hashed);
      for (ILoggingEvent e : lines.list) {
        assertThat(e.getFormattedMessage() + e.getKeyValuePairs()).doesNotContain("svc-secret").doesNotContain("tok-123")
          .doesNotContain("client=svc ");
      }
      assertThat(metrics.sum("token.cache.client.requests", "client", hashed, "upstream", "acme")).isEqualTo(2);
    } finally {
      access.detachAppender(lines);
    }
  }

  private static Object durationOf(ILoggingEvent e) {
    return e.getKeyValuePairs().stream().filter(kv -> kv.key.equals("durationMs")).findFirst().orElseThrow().value;
  }
}
