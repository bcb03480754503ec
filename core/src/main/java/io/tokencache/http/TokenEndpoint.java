package io.tokencache.http;

import io.tokencache.TokenCache;
import io.tokencache.http.impl.TokenEndpointRouter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * The HTTP token endpoint: a {@link Router} answering {@value #OAUTH2_PATH} (RFC 6749 section 4.4, form
 * encoded) and {@value #AUTH0_PATH} (the same, and Auth0-style JSON bodies) from a {@link TokenCache}.
 *
 * <p>Mount it on an application's router with {@code router.route("/*").subRouter(TokenEndpoint.router(...))}, or
 * give token requests to a {@link #requestHandler} straight from an {@code HttpServer}'s request handler (which
 * saves vertx-web's routing on every request).
 * Answers carry {@code Cache-Control: no-store}, {@code Pragma: no-cache} and {@code X-Token-Cache}; errors
 * are RFC 6749 section 5.2 JSON with a 4xx status, or {@code 503} with {@code Retry-After} when the upstream
 * cannot be reached within bounds.
 */
public interface TokenEndpoint {

  /** The standard token path. */
  String OAUTH2_PATH = "/oauth2/token";
  /** The Auth0-style token path, which also accepts JSON bodies. */
  String AUTH0_PATH = "/oauth/token";
  /** The response header telling how the answer was produced (see {@link io.tokencache.CacheStatus}). */
  String CACHE_STATUS_HEADER = "X-Token-Cache";
  /**
   * The key under which the {@link #router} puts a request's client id into its {@code RoutingContext} once the
   * request is parsed (from HTTP Basic or the body): for an application's access log or per-client metrics, which
   * would otherwise have to read the body again. Absent when the request could not be parsed.
   */
  String CLIENT_ID_KEY = "io.tokencache.clientId";

  /** A router for the default upstream with default options. */
  static Router router(Vertx vertx, TokenCache cache) {
    return router(vertx, cache, new TokenEndpointOptions());
  }

  /** A router for the upstream and limits in {@code options}. */
  static Router router(Vertx vertx, TokenCache cache, TokenEndpointOptions options) {
    return TokenEndpointRouter.create(vertx, cache, options);
  }

  /**
   * A handler answering token requests that arrive on {@code path}, for servers that dispatch requests themselves:
   * {@code if (path.equals(req.path())) handler.handle(req); else router.handle(req);}. It
   * must be given the request as it arrives (in the request handler, before any of the body is delivered): it
   * reads the body itself.
   *
   * @param path {@value #OAUTH2_PATH} (form bodies) or {@value #AUTH0_PATH} (form or JSON bodies)
   * @throws IllegalArgumentException for any other path
   */
  static Handler<HttpServerRequest> requestHandler(TokenCache cache, TokenEndpointOptions options, String path) {
    return TokenEndpointRouter.handler(cache, options, path);
  }
}
