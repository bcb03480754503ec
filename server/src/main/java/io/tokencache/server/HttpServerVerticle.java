package io.tokencache.server;

import io.tokencache.TokenCache;
import io.tokencache.http.TokenEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;

/**
 * One HTTP listener of the server. The server deploys one instance per event loop; they share the port
 * (Vert.x balances connections between them) and the {@link TokenCache}.
 */
final class HttpServerVerticle extends VerticleBase {

  private final ServerConfig config;
  private final TokenCache cache;
  private final HealthChecks liveness;
  private final HealthChecks readiness;

  HttpServerVerticle(ServerConfig config, TokenCache cache, HealthChecks liveness, HealthChecks readiness) {
    this.config = config;
    this.cache = cache;
    this.liveness = liveness;
    this.readiness = readiness;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route("/*").subRouter(TokenEndpoint.router(vertx, cache));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.route().last().handler(ctx -> ctx.response()
      .setStatusCode(404)
      .putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("error", "not_found").put("error_description", "no such endpoint").toBuffer()));

    HttpServerOptions options = new HttpServerOptions()
      .setHost(config.httpHost())
      .setPort(config.httpPort())
      .setIdleTimeout(60)
      .setMaxHeaderSize(16 * 1024)
      .setCompressionSupported(false);
    return vertx.createHttpServer(options).requestHandler(router).listen();
  }
}
