package io.tokencache.http.impl;

import io.tokencache.TokenCache;
import io.tokencache.http.TokenEndpoint;
import io.tokencache.http.TokenEndpointOptions;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;

/**
 * Builds the token endpoint's router: one route per token path, each answered by a {@link TokenEndpointHandler}.
 */
public final class TokenEndpointRouter {

  private TokenEndpointRouter() {
  }

  /** See {@link TokenEndpoint#router(Vertx, TokenCache, TokenEndpointOptions)}. */
  public static Router create(Vertx vertx, TokenCache cache, TokenEndpointOptions options) {
    Router router = Router.router(vertx);
    for (String path : new String[] {TokenEndpoint.OAUTH2_PATH, TokenEndpoint.AUTH0_PATH}) {
      TokenEndpointHandler endpoint = handler(cache, options, path);
      router.route(path).handler(ctx -> {
        // an application's own BodyHandler in front of this router has read the body already
        RequestBody body = ctx.body();
        endpoint.handle(ctx.request(), body.available() ? body.buffer() : null,
          request -> ctx.put(TokenEndpoint.CLIENT_ID_KEY, request.clientId()));
      });
    }
    return router;
  }

  /** The handler of one of the token paths (the Auth0-style path also accepts JSON bodies). */
  public static TokenEndpointHandler handler(TokenCache cache, TokenEndpointOptions options, String path) {
    if (!path.equals(TokenEndpoint.OAUTH2_PATH) && !path.equals(TokenEndpoint.AUTH0_PATH)) {
      throw new IllegalArgumentException("not a token path: " + path);
    }
    return new TokenEndpointHandler(cache, options, path.equals(TokenEndpoint.AUTH0_PATH));
  }
}
