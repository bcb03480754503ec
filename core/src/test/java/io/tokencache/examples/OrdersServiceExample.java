package io.tokencache.examples;

import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenCacheVerticle;
import io.tokencache.TokenCacheVerticleOptions;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.UpstreamOptions;
import io.tokencache.client.BearerTokenClient;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.TokenCacheCluster;
import io.tokencache.eventbus.TokenCacheEventBusClient;
import io.tokencache.http.TokenEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.uritemplate.UriTemplate;

import java.util.Map;

/**
 * An "orders" service that embeds the token cache. It calls an OAuth2-protected inventory API, and its nodes join
 * the token-cache Hazelcast cluster (with each other and with any standalone token-cache server), so the whole
 * fleet fetches one token per lifetime.
 *
 * <p>It shows each way to use the cache: deploying {@link TokenCacheVerticle} on a clustered Vert.x, getting a token
 * through the API and through the event bus, serving the token endpoint on the application's own router, and
 * calling the protected API with {@link BearerTokenClient}. docs/embedding.md walks through it.
 *
 * <p>Run it with {@code TOKEN_URL}, {@code CLIENT_ID}, {@code CLIENT_SECRET}, {@code INVENTORY_URL} and optionally
 * {@code HTTP_PORT} and the server's {@code TOKEN_CACHE_CLUSTER_NAME}, {@code TOKEN_CACHE_CLUSTER_PORT},
 * {@code TOKEN_CACHE_CLUSTER_MEMBERS}, {@code TOKEN_CACHE_ENCRYPTION_KEY} in the environment.
 */
public final class OrdersServiceExample {

  /**
   * What the service needs to know.
   *
   * @param tokenUrl the identity provider's token endpoint
   * @param clientId this service's client id
   * @param clientSecret this service's client secret
   * @param inventoryUrl the protected inventory API, e.g. {@code https://inventory.example.com}
   * @param httpPort the port this service listens on (0: any free port)
   * @param cluster how this node joins the token-cache cluster
   */
  public record Settings(String tokenUrl, String clientId, String clientSecret, String inventoryUrl, int httpPort,
                         ClusterOptions cluster) {
  }

  private final Vertx vertx;
  private final TokenCacheVerticle tokenCache;
  private final TokenRequest inventoryToken;
  private final HttpServer server;

  private OrdersServiceExample(Vertx vertx, TokenCacheVerticle tokenCache, TokenRequest inventoryToken,
                               HttpServer server) {
    this.vertx = vertx;
    this.tokenCache = tokenCache;
    this.inventoryToken = inventoryToken;
    this.server = server;
  }

  /** Starts a node of the service: joins the cluster, deploys the token cache, serves HTTP. */
  public static Future<OrdersServiceExample> start(Settings settings) {
    // a Hazelcast member of the token-cache cluster: same name, members and encryption key as the servers
    return TokenCacheCluster.startClusteredVertx(new VertxOptions(), settings.cluster())
      .compose(vertx -> start(vertx, settings).onFailure(failure -> vertx.close()));
  }

  private static Future<OrdersServiceExample> start(Vertx vertx, Settings settings) {
    TokenCacheVerticle tokenCache = new TokenCacheVerticle(new TokenCacheVerticleOptions()
      .setCacheOptions(new TokenCacheOptions()
        // the IdP's quota, shared by the whole cluster: the same as the servers' TOKEN_CACHE_UPSTREAM_QUOTA_RPS
        .addUpstream(new UpstreamOptions().setTokenUrl(settings.tokenUrl()).setQuotaRps(10)))
      .setClusterOptions(settings.cluster()));
    return vertx.deployVerticle(tokenCache).compose(deploymentId -> {
      TokenRequest inventoryToken = TokenRequest.clientCredentials(settings.clientId(), settings.clientSecret())
        .scope("inventory:read")
        .build();
      WebClient webClient = WebClient.create(vertx);
      BearerTokenClient inventory = BearerTokenClient.create(webClient, tokenCache.cache(), inventoryToken);
      UriTemplate stockUrl = UriTemplate.of(settings.inventoryUrl() + "/stock/{sku}");
      Router router = Router.router(vertx);
      // the service's own API, calling the inventory API with the shared token
      router.get("/orders/:sku/availability").handler(ctx -> availability(ctx, inventory, stockUrl));
      // the token endpoint, for this service's other clients: POST /auth/oauth2/token and /auth/oauth/token
      router.route("/auth/*").subRouter(TokenEndpoint.router(vertx, tokenCache.cache()));
      return vertx.createHttpServer().requestHandler(router).listen(settings.httpPort())
        .map(server -> new OrdersServiceExample(vertx, tokenCache, inventoryToken, server));
    });
  }

  private static void availability(RoutingContext ctx, BearerTokenClient inventory, UriTemplate stockUrl) {
    String sku = ctx.pathParam("sku");
    inventory.send(inventory.webClient().getAbs(stockUrl).setTemplateParam("sku", sku))
      .onSuccess(response -> {
        if (response.statusCode() == 200) {
          JsonObject stock = response.bodyAsJsonObject();
          ctx.json(new JsonObject().put("sku", sku).put("available", stock.getInteger("available")));
        } else {
          ctx.response().setStatusCode(502).end();
        }
      })
      .onFailure(failure -> ctx.response().setStatusCode(503).end());
  }

  /** A token straight from the cache: for code that holds the verticle. */
  public Future<TokenResponse> tokenFromApi() {
    return tokenCache.cache().getToken(inventoryToken);
  }

  /** A token over the event bus: for any verticle of this Vert.x instance, knowing only the address. */
  public Future<TokenResponse> tokenFromEventBus() {
    TokenCacheEventBusClient tokens = TokenCacheEventBusClient.create(vertx);
    return tokens.getToken(inventoryToken);
  }

  /** The port this node serves HTTP on. */
  public int httpPort() {
    return server.actualPort();
  }

  /** The clustered Vert.x instance of this node. */
  public Vertx vertx() {
    return vertx;
  }

  /** Leaves the cluster: undeploys the token cache (closing it) and closes Vert.x. */
  public Future<Void> stop() {
    return vertx.close();
  }

  /** Runs a node until the JVM is stopped (Ctrl-C or SIGTERM: the node then leaves the cluster). */
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    ClusterOptions cluster = new ClusterOptions()
      .setClusterName(env.getOrDefault("TOKEN_CACHE_CLUSTER_NAME", ClusterOptions.DEFAULT_CLUSTER_NAME))
      .setPort(Integer.parseInt(env.getOrDefault("TOKEN_CACHE_CLUSTER_PORT", "5701")))
      .setMembers(ClusterOptions.parseMembers(env.getOrDefault("TOKEN_CACHE_CLUSTER_MEMBERS", "")))
      .setEncryptionKey(env.get("TOKEN_CACHE_ENCRYPTION_KEY"));
    Settings settings = new Settings(required(env, "TOKEN_URL"), required(env, "CLIENT_ID"),
      required(env, "CLIENT_SECRET"), required(env, "INVENTORY_URL"),
      Integer.parseInt(env.getOrDefault("HTTP_PORT", "8081")), cluster);
    OrdersServiceExample service = start(settings).await();
    System.out.println("orders service listening on port " + service.httpPort());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> service.stop().await()));
    Thread.currentThread().join();
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }
}
