package io.tokencache.server;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers of the server's own endpoints, errors in the RFC 6749 section 5.2 shape. */
final class Responses {

  private Responses() {
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .putHeader("Cache-Control", "no-store")
      .end(body.toBuffer());
  }

  static void error(RoutingContext ctx, int status, String error, String description) {
    json(ctx, status, new JsonObject().put("error", error).put("error_description", description));
  }

  static void notFound(RoutingContext ctx) {
    error(ctx, 404, "not_found", "no such endpoint");
  }
}
