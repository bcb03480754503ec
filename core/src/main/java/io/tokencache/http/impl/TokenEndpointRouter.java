package io.tokencache.http.impl;

import io.netty.handler.codec.DecoderException;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.http.TokenEndpoint;
import io.tokencache.http.TokenEndpointOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Builds the token endpoint's router: method and media-type checks, a bounded body, parsing, the cache,
 * and RFC 6749 errors for every way a request can go wrong.
 */
public final class TokenEndpointRouter {

  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpointRouter.class);

  private final TokenCache cache;
  private final TokenRequestParser parser;
  private final long maxBodyBytes;

  private TokenEndpointRouter(TokenCache cache, TokenEndpointOptions options) {
    this.cache = cache;
    this.parser = new TokenRequestParser(options.getUpstream());
    this.maxBodyBytes = options.getMaxBodyBytes();
  }

  /** See {@link TokenEndpoint#router(Vertx, TokenCache, TokenEndpointOptions)}. */
  public static Router create(Vertx vertx, TokenCache cache, TokenEndpointOptions options) {
    TokenEndpointRouter endpoint = new TokenEndpointRouter(cache, options);
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false)
      .setBodyLimit(options.getMaxBodyBytes())
      .setMergeFormAttributes(false);
    for (String path : List.of(TokenEndpoint.OAUTH2_PATH, TokenEndpoint.AUTH0_PATH)) {
      boolean jsonAllowed = path.equals(TokenEndpoint.AUTH0_PATH);
      router.route(path)
        // the checks come before the body is read, so a wrong method or media type never buffers a body
        .handler(ctx -> endpoint.checkMethodAndType(ctx, jsonAllowed, body))
        .handler(endpoint::handle)
        .failureHandler(endpoint::failure);
    }
    return router;
  }

  private void checkMethodAndType(RoutingContext ctx, boolean jsonAllowed, BodyHandler body) {
    HttpServerRequest request = ctx.request();
    if (request.method() != HttpMethod.POST) {
      TokenResponses.sendError(ctx.response(), TokenCacheException.of(405, "invalid_request",
        "the token endpoint accepts POST only"));
      return;
    }
    ContentTypes type = ContentTypes.of(request.getHeader(HttpHeaders.CONTENT_TYPE));
    if (type == ContentTypes.OTHER || type == ContentTypes.JSON && !jsonAllowed) {
      TokenResponses.sendError(ctx.response(), TokenCacheException.of(415, "invalid_request",
        jsonAllowed ? "Content-Type must be application/x-www-form-urlencoded or application/json"
          : "Content-Type must be application/x-www-form-urlencoded"));
      return;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.length() < 19 && length.chars().allMatch(Character::isDigit)
      && Long.parseLong(length) > maxBodyBytes) {
      tooLarge(ctx);
      return;
    }
    body.handle(ctx);
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    TokenRequest tokenRequest;
    try {
      tokenRequest = parser.parse(request.getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(),
        request.getHeader(HttpHeaders.AUTHORIZATION), request.params().getAll("scope"));
    } catch (TokenCacheException e) {
      TokenResponses.sendError(ctx.response(), e);
      return;
    }
    cache.getToken(tokenRequest).onComplete(ar -> {
      if (ar.succeeded()) {
        TokenResponses.send(ctx.response(), ar.result());
      } else {
        sendFailure(ctx, ar.cause());
      }
    });
  }

  private void failure(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      tooLarge(ctx);
    } else if (ctx.failure() instanceof DecoderException) {
      // Vert.x decodes form bodies as they arrive and fails the route on bad percent-encoding
      TokenResponses.sendError(ctx.response(), TokenCacheException.invalidRequest(
        "the form body is not valid application/x-www-form-urlencoded"));
    } else if (ctx.failure() != null) {
      sendFailure(ctx, ctx.failure());
    } else {
      int status = ctx.statusCode() >= 400 && ctx.statusCode() < 500 ? ctx.statusCode() : 400;
      TokenResponses.sendError(ctx.response(), TokenCacheException.of(status, "invalid_request", "the request could not be read"));
    }
  }

  private void tooLarge(RoutingContext ctx) {
    TokenResponses.sendError(ctx.response(), TokenCacheException.of(413, "invalid_request",
      "the request body is larger than " + maxBodyBytes + " bytes"));
  }

  private static void sendFailure(RoutingContext ctx, Throwable cause) {
    if (cause instanceof TokenCacheException) {
      TokenResponses.sendError(ctx.response(), (TokenCacheException) cause);
    } else {
      LOG.error("unexpected failure answering a token request", cause);
      TokenResponses.sendError(ctx.response(), TokenCacheException.of(500, "server_error", "unexpected error"));
    }
  }
}
