package io.tokencache.server;

import com.hazelcast.core.HazelcastInstance;
import io.tokencache.TokenCache;
import io.tokencache.cluster.TokenCacheCluster;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The token-cache server: one node, always a Hazelcast member (alone or with others), answering the token
 * endpoint and its health, configured from the environment.
 *
 * <p>Run with {@code java -jar server/target/token-cache-server.jar}.
 */
public final class TokenCacheServer {

  private static final Logger LOG = LoggerFactory.getLogger(TokenCacheServer.class);

  private final Vertx vertx;
  private final DeferredTokenCache cache;
  private final ServerConfig config;

  private TokenCacheServer(Vertx vertx, DeferredTokenCache cache, ServerConfig config) {
    this.vertx = vertx;
    this.cache = cache;
    this.config = config;
  }

  /**
   * Starts a node: joins the cluster, starts the HTTP listeners, then the cache. A cache that cannot start
   * (an encryption key the cluster refuses) leaves the node up but never ready, saying why.
   *
   * @return the running node, once it listens
   */
  public static Future<TokenCacheServer> start(ServerConfig config) {
    return TokenCacheCluster.startClusteredVertx(new VertxOptions(), config.clusterOptions()).compose(vertx -> {
      Future<TokenCache> created = TokenCache.createClustered(vertx, config.cacheOptions(), config.clusterOptions())
        .onFailure(err -> LOG.error("this node will not become ready: {}", err.getMessage()));
      DeferredTokenCache cache = new DeferredTokenCache(created);
      HazelcastInstance hz = TokenCacheCluster.hazelcastOf(vertx);
      // Liveness only proves an event loop answers: a lost cluster or an open breaker must not get us restarted.
      HealthChecks liveness = HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
      HealthChecks readiness = HealthChecks.create(vertx)
        .register("cluster", p -> p.complete(hz.getLifecycleService().isRunning()
          ? Status.OK(new JsonObject().put("members", hz.getCluster().getMembers().size()))
          : Status.KO(new JsonObject().put("reason", "not a running cluster member"))))
        .register("cache", p -> p.complete(cache.isReady()
          ? Status.OK()
          : Status.KO(new JsonObject().put("reason", cache.notReadyReason()))));
      int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
      return vertx.deployVerticle(() -> new HttpServerVerticle(config, cache, liveness, readiness),
          new DeploymentOptions().setInstances(instances))
        .map(id -> new TokenCacheServer(vertx, cache, config))
        .recover(err -> vertx.close().transform(v -> Future.failedFuture(err)));
    });
  }

  /** The HTTP port this server listens on. */
  public int port() {
    return config.httpPort();
  }

  /**
   * Leaves gracefully: stops the HTTP listeners (in-flight requests finish), closes the cache, then Vert.x,
   * which shuts the Hazelcast member down gracefully so its partitions move to the others first.
   */
  public Future<Void> stop() {
    return Future.all(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
      .eventually(cache::close)
      .eventually(() -> vertx.close())
      .mapEmpty();
  }

  /** Entry point: configuration from the environment; exits 2 on a configuration error. */
  public static void main(String[] args) {
    ServerConfig config;
    try {
      config = ServerConfig.fromEnvironment(Map.copyOf(System.getenv()));
    } catch (IllegalArgumentException e) {
      System.err.println("token-cache: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Promise<TokenCacheServer> started = Promise.promise();
    start(config).onComplete(started);
    try {
      TokenCacheServer server = started.future().await(120, TimeUnit.SECONDS);
      LOG.info("token-cache listening on http://{}:{} (cluster '{}', member port {})", config.httpHost(),
        server.port(), config.clusterOptions().getClusterName(), config.clusterOptions().getPort());
      // Vert.x turns Hazelcast's own shutdown hook off: leaving the cluster on SIGTERM is ours to do.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("token-cache stopping: finishing in-flight requests and leaving the cluster");
        try {
          server.stop().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("shutdown did not complete cleanly: {}", e.toString());
        }
      }, "token-cache-shutdown"));
    } catch (Exception e) {
      LOG.error("token-cache failed to start: {}", e.getMessage());
      System.exit(1);
    }
  }
}
