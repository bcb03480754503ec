package io.tokencache.server;

import io.tokencache.TokenCache;
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
 * The token-cache server: one node answering the token endpoint, configured from the environment.
 *
 * <p>Run with {@code java -jar server/target/token-cache-server.jar}.
 */
public final class TokenCacheServer {

  private static final Logger LOG = LoggerFactory.getLogger(TokenCacheServer.class);

  private final Vertx vertx;
  private final TokenCache cache;
  private final int port;

  private TokenCacheServer(Vertx vertx, TokenCache cache, int port) {
    this.vertx = vertx;
    this.cache = cache;
    this.port = port;
  }

  /**
   * Starts a server.
   *
   * @return the running server, once it listens and is ready
   */
  public static Future<TokenCacheServer> start(ServerConfig config) {
    Vertx vertx = Vertx.vertx(new VertxOptions());
    // Liveness only proves an event loop answers; an open breaker or a lost cluster must not get us restarted.
    HealthChecks liveness = HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
    HealthChecks readiness = HealthChecks.create(vertx);
    return TokenCache.create(vertx, config.cacheOptions())
      .compose(cache -> {
        readiness.register("cache", p -> p.complete(Status.OK(new JsonObject().put("tokens", 0))));
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return vertx.deployVerticle(() -> new HttpServerVerticle(config, cache, liveness, readiness),
            new DeploymentOptions().setInstances(instances))
          .map(id -> new TokenCacheServer(vertx, cache, config.httpPort()));
      })
      .recover(err -> vertx.close().transform(v -> Future.failedFuture(err)));
  }

  /** The HTTP port this server listens on. */
  public int port() {
    return port;
  }

  /** Stops accepting, then closes the cache and Vert.x. */
  public Future<Void> stop() {
    return cache.close().eventually(() -> vertx.close());
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
      TokenCacheServer server = started.future().await(60, TimeUnit.SECONDS);
      LOG.info("token-cache listening on http://{}:{}", config.httpHost(), server.port());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
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
