package io.tokencache.server;

import io.tokencache.TokenCache;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The listener's bounds, over real sockets: the request deadline, the connection cap, pass-through off. */
class HttpEdgeLimitsTest {

  private static final String CLIENT = "svc";
  private static final String SECRET = "svc-secret";

  private Vertx vertx;
  private Vertx idpVertx;
  private FakeIdp idp;
  private TokenCache cache;
  private ServerMetrics metrics;
  private ConnectionGuard guard;
  private HttpServer server;
  private NetClient net;
  private final List<NetSocket> sockets = new ArrayList<>();

  private final ClusterView cluster = new ClusterView() {
    @Override
    public JsonArray members() {
      return new JsonArray();
    }

    @Override
    public long localEntries() {
      return 0;
    }

    @Override
    public Future<Long> clusterEntries() {
      return Future.succeededFuture(0L);
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
    idpVertx = Vertx.vertx();
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().addClient(CLIENT, SECRET).setQuotaRps(0)).await();
    net = vertx.createNetClient();
  }

  @AfterEach
  void tearDown() {
    sockets.forEach(NetSocket::close);
    if (server != null) {
      server.close().await();
    }
    if (cache != null) {
      cache.close().await();
    }
    if (metrics != null) {
      metrics.close();
    }
    vertx.close().await();
    idp.close().await();
    idpVertx.close().await();
  }

  /** Serves the configured listener as the server does (its options, guard and routes) on a free port. */
  private int serve(JsonObject http, Map<String, String> env) {
    JsonObject file = new JsonObject().put("http", http).put("upstreams", new JsonArray()
      .add(new JsonObject().put("id", "default").put("tokenUrl", idp.tokenUrl())));
    ServerConfig config = ServerConfig.from(file, env);
    metrics = new ServerMetrics(false);
    cache = TokenCache.create(vertx, config.cacheOptions()).await();
    ServerRouter.Parts parts = new ServerRouter.Parts(config, cache, ServerHealth.liveness(vertx),
      ServerHealth.readiness(vertx, cluster, () -> null, () -> false, cache::health, config.upstreamIds()), metrics, cluster);
    guard = new ConnectionGuard(config, metrics.registry());
    server = HttpServerVerticle.create(vertx, HttpServerVerticle.options(config).setHost("127.0.0.1").setPort(0),
      parts, guard).listen().await();
    return server.actualPort();
  }

  /** A raw connection: what it received, and a future completed when the server closes it. */
  private record Raw(NetSocket socket, Buffer received, Future<Void> closed) {
  }

  private Raw connect(int port, String firstBytes) {
    Buffer received = Buffer.buffer();
    Promise<Void> closed = Promise.promise();
    // the handlers are set on the event loop as the connection completes: a close right after it is not missed
    NetSocket socket = net.connect(port, "127.0.0.1").map(s -> {
      s.handler(received::appendBuffer);
      s.closeHandler(v -> closed.tryComplete());
      s.write(firstBytes);
      return s;
    }).await();
    sockets.add(socket);
    return new Raw(socket, received, closed.future());
  }

  /** Writes one byte every 500 ms until the connection closes. */
  private void trickle(Raw raw) {
    long timer = vertx.setPeriodic(500, id -> raw.socket().write("a"));
    raw.closed().onComplete(v -> vertx.cancelTimer(timer));
  }

  @Test
  @DisplayName("a body trickled a byte every 500 ms gets 408 and its connection closed within the request deadline")
  void shouldAnswer408AndCloseWhenTheBodyTrickles() {
    int port = serve(new JsonObject().put("requestTimeout", "1s"), Map.of());
    long start = System.nanoTime();
    Raw raw = connect(port, "POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\n"
      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\ngrant_type=");
    trickle(raw);
    raw.closed().timeout(5, TimeUnit.SECONDS).await();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    String answer = raw.received().toString(StandardCharsets.UTF_8);
    assertThat(answer).startsWith("HTTP/1.1 408");
    assertThat(answer).contains("\"error\":\"invalid_request\"").contains("the request did not arrive in time");
    assertThat(tookMillis).as("closed at the deadline").isBetween(900L, 2500L);
    assertThat(idp.tokenRequests()).isZero();
  }

  @Test
  @DisplayName("a request head trickled a byte every 500 ms gets its connection closed within the request deadline")
  void shouldCloseAConnectionWhoseHeadTrickles() {
    int port = serve(new JsonObject().put("requestTimeout", "1s"), Map.of());
    long start = System.nanoTime();
    Raw raw = connect(port, "POST /oauth2/token HTTP/1.1\r\nX-Slow: ");
    trickle(raw);
    raw.closed().timeout(5, TimeUnit.SECONDS).await();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(900L, 2500L);
  }

  @Test
  @DisplayName("requests that arrive in time are answered, also on a kept-alive connection after a pause")
  void shouldServeRequestsThatArriveInTime() {
    int port = serve(new JsonObject().put("requestTimeout", "1s"), Map.of());
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
      .setKeepAlive(true));
    HttpResponse<Buffer> first = token(client);
    vertx.timer(1500).await();
    HttpResponse<Buffer> second = token(client);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
    assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
    assertThat(second.getHeader("X-Token-Cache")).isEqualTo("HIT");
  }

  private static HttpResponse<Buffer> token(WebClient client) {
    return client.post("/oauth2/token").putHeader("Authorization", "Basic "
        + Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8)))
      .putHeader("Content-Type", "application/x-www-form-urlencoded")
      .sendBuffer(Buffer.buffer("grant_type=client_credentials")).await();
  }

  @Test
  @DisplayName("a connection beyond the member's cap is closed at once and counted; below the cap again, served")
  void shouldCloseConnectionsBeyondTheCap() {
    int port = serve(new JsonObject().put("maxConnections", 3), Map.of());
    List<Raw> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(connect(port, "GET /health/live HTTP/1.1\r\n"));
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> guard.open() == 3);

    Raw refused = connect(port, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
    refused.closed().timeout(5, TimeUnit.SECONDS).await();
    assertThat(refused.received().length()).as("nothing answered").isZero();
    assertThat(metrics.registry().get(ConnectionGuard.REFUSED).counter().count()).isEqualTo(1.0);
    assertThat(metrics.registry().get(ConnectionGuard.OPEN).gauge().value()).isEqualTo(3.0);
    assertThat(held).allMatch(r -> !r.closed().isComplete());

    held.get(0).socket().close();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> guard.open() == 2);
    Raw served = connect(port, "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    Awaitility.await().atMost(Duration.ofSeconds(5))
      .until(() -> served.received().toString(StandardCharsets.UTF_8).startsWith("HTTP/1.1 200"));
  }

  @Test
  @DisplayName("with TOKEN_CACHE_HTTP_PASS_THROUGH=false, other grants get 400 unsupported_grant_type, none forwarded")
  void shouldRefusePassThroughWhenSwitchedOff() {
    int port = serve(new JsonObject(), Map.of(ServerConfig.HTTP_PASS_THROUGH, "false"));
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    HttpResponse<Buffer> r = client.post("/oauth2/token").putHeader("Authorization", "Basic "
        + Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8)))
      .putHeader("Content-Type", "application/x-www-form-urlencoded")
      .sendBuffer(Buffer.buffer("grant_type=refresh_token&refresh_token=r")).await();
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unsupported_grant_type");
    assertThat(idp.tokenRequests()).isZero();
    assertThat(token(client).statusCode()).isEqualTo(200);
  }
}
