package io.tokencache.server;

import io.tokencache.TokenCache;
import io.tokencache.TokenCacheOptions;
import io.tokencache.http.TokenEndpoint;
import io.tokencache.http.TokenEndpointOptions;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

import java.util.HashMap;
import java.util.Map;

/**
 * The server's routes.
 *
 * <ul>
 *   <li>{@code GET /health/live}, {@code GET /health/ready}, {@code GET /metrics};</li>
 *   <li>{@code /admin/*} (see {@link AdminApi});</li>
 *   <li>for every upstream {@code id}: {@code /{id}/oauth2/token} and {@code /{id}/oauth/token};</li>
 *   <li>for the upstream {@code default}, also {@code /oauth2/token} and {@code /oauth/token};</li>
 *   <li>anything else: 404 in the RFC 6749 error shape.</li>
 * </ul>
 */
final class ServerRouter {

  /** What the routes answer from. */
  record Parts(ServerConfig config, TokenCache cache, HealthChecks liveness, HealthChecks readiness,
               ServerMetrics metrics, ClusterView cluster) {
  }

  private ServerRouter() {
  }

  /**
   * The listener's request handler: the router, except that a request on one of the token paths, spelled exactly,
   * goes straight to its token endpoint. A hit is the request this server answers most, and vertx-web's routing
   * (two routers deep, to reach a mounted token endpoint) was about a tenth of its CPU (docs/benchmarks.md). The
   * answers are the same either way: the router mounts the same endpoints, and still answers every other spelling
   * of those paths. With the access log or per-client meters on, everything goes through the router, where they
   * watch token requests.
   */
  static Handler<HttpServerRequest> requestHandler(Vertx vertx, Parts parts) {
    Router router = create(vertx, parts);
    if (AccessLog.needed(parts.config())) {
      return router;
    }
    Map<String, Handler<HttpServerRequest>> tokenPaths = new HashMap<>();
    for (String id : parts.config().upstreamIds()) {
      addTokenPaths(tokenPaths, "/" + id, parts, id);
    }
    if (parts.config().hasDefaultUpstream()) {
      addTokenPaths(tokenPaths, "", parts, TokenCacheOptions.DEFAULT_UPSTREAM);
    }
    return request -> {
      Handler<HttpServerRequest> endpoint = tokenPaths.get(request.path());
      if (endpoint != null) {
        endpoint.handle(request);
      } else {
        router.handle(request);
      }
    };
  }

  private static void addTokenPaths(Map<String, Handler<HttpServerRequest>> tokenPaths, String prefix, Parts parts,
                                    String upstream) {
    for (String path : new String[] {TokenEndpoint.OAUTH2_PATH, TokenEndpoint.AUTH0_PATH}) {
      tokenPaths.put(prefix + path,
        TokenEndpoint.requestHandler(parts.cache(), endpointOptions(parts.config(), upstream), path));
    }
  }

  static Router create(Vertx vertx, Parts parts) {
    ServerConfig config = parts.config();
    Router router = Router.router(vertx);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(parts.liveness()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(parts.readiness()));
    router.get("/metrics").handler(ctx -> parts.metrics().handle(vertx, ctx));
    AdminApi.mount(router, vertx, config, parts.cache(), parts.cluster());

    AccessLog access = AccessLog.needed(config) ? new AccessLog(config.accessLog(), parts.metrics()) : null;
    for (String id : config.upstreamIds()) {
      if (access != null) {
        for (String path : new String[] {TokenEndpoint.OAUTH2_PATH, TokenEndpoint.AUTH0_PATH}) {
          router.route("/" + id + path).handler(access.forUpstream(id));
        }
      }
      router.route("/" + id + "/*").subRouter(TokenEndpoint.router(vertx, parts.cache(), endpointOptions(config, id)));
    }
    if (config.hasDefaultUpstream()) {
      String id = TokenCacheOptions.DEFAULT_UPSTREAM;
      if (access != null) {
        for (String path : new String[] {TokenEndpoint.OAUTH2_PATH, TokenEndpoint.AUTH0_PATH}) {
          router.route(path).handler(access.forUpstream(id));
        }
      }
      router.route("/*").subRouter(TokenEndpoint.router(vertx, parts.cache(), endpointOptions(config, id)));
    }
    router.route().last().handler(Responses::notFound);
    return router;
  }

  private static TokenEndpointOptions endpointOptions(ServerConfig config, String upstream) {
    return new TokenEndpointOptions().setUpstream(upstream).setMaxBodyBytes(config.maxBodyBytes())
      .setPassThrough(config.passThrough());
  }
}
