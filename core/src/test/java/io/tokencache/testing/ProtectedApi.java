package io.tokencache.testing;

import io.tokencache.fakeidp.FakeIdp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OAuth2-protected API: accepts a bearer token only if its JWT signature verifies against the fake IdP's
 * JWKS and it has not expired. It can be told to answer 401 to the next requests, to every request, or to one
 * revoked token.
 *
 * <p>{@code GET /stock/:sku} answers {@code {"sku":..., "available": 42, "client": <sub>}} (and the
 * {@code warehouse} query parameter, if given);
 * {@code POST /echo} answers the request body; {@code GET /forbidden} answers 403 to any valid token.
 */
public final class ProtectedApi {

  private final HttpServer server;
  private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger rejectNext = new AtomicInteger();
  private final AtomicBoolean rejectAll = new AtomicBoolean();
  private final AtomicInteger requests = new AtomicInteger();

  private ProtectedApi(HttpServer server) {
    this.server = server;
  }

  /** Starts the API on a free loopback port, trusting {@code idp}'s signing key. */
  public static Future<ProtectedApi> start(Vertx vertx, FakeIdp idp) {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(idp.jwks().getJsonArray("keys").getJsonObject(0)));
    Router router = Router.router(vertx);
    ProtectedApi[] self = new ProtectedApi[1];
    router.route().handler(BodyHandler.create(false));
    router.route().handler(ctx -> self[0].authenticate(ctx, jwt));
    router.get("/stock/:sku").handler(ctx -> {
      JsonObject stock = new JsonObject().put("sku", ctx.pathParam("sku")).put("available", 42)
        .put("client", ctx.<String>get("sub"));
      if (ctx.queryParams().contains("warehouse")) {
        stock.put("warehouse", ctx.queryParams().get("warehouse"));
      }
      ctx.json(stock);
    });
    router.post("/echo").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
      .end(ctx.body().buffer()));
    router.get("/forbidden").handler(ctx -> ctx.response().setStatusCode(403).end());
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").map(server -> {
      self[0] = new ProtectedApi(server);
      return self[0];
    });
  }

  private void authenticate(RoutingContext ctx, JWTAuth jwt) {
    requests.incrementAndGet();
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      reject(ctx, "invalid_request");
      return;
    }
    String token = authorization.substring(7);
    tokensSeen.add(token);
    if (rejectAll.get() || revoked.contains(token) || rejectNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      reject(ctx, "invalid_token");
      return;
    }
    jwt.authenticate(new TokenCredentials(token)).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put("sub", ar.result().subject());
        ctx.next();
      } else {
        reject(ctx, "invalid_token");
      }
    });
  }

  private static void reject(RoutingContext ctx, String error) {
    ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer error=\"" + error + "\"").end();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public int port() {
    return server.actualPort();
  }

  /** Answers 401 to the next {@code n} requests, whatever their token. */
  public ProtectedApi rejectNext(int n) {
    rejectNext.set(n);
    return this;
  }

  /** Answers 401 to every request (or stops doing so). */
  public ProtectedApi rejectAll(boolean reject) {
    rejectAll.set(reject);
    return this;
  }

  /** Answers 401 to every request carrying {@code token}. */
  public ProtectedApi revoke(String token) {
    revoked.add(token);
    return this;
  }

  /** Requests received, rejected or not. */
  public int requests() {
    return requests.get();
  }

  /** The bearer tokens received, in order. */
  public List<String> tokensSeen() {
    return List.copyOf(tokensSeen);
  }

  /** Forgets counters, rejections and revocations. */
  public void reset() {
    tokensSeen.clear();
    revoked.clear();
    rejectNext.set(0);
    rejectAll.set(false);
    requests.set(0);
  }

  public Future<Void> close() {
    return server.close();
  }
}
