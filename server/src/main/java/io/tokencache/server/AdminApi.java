package io.tokencache.server;

import io.tokencache.CacheStats;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenCacheOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/*}: answers 404 unless an admin token is configured; then every request must carry
 * {@code Authorization: Bearer <token>}, compared in constant time (SHA-256 digests, {@link MessageDigest#isEqual}),
 * or gets 401.
 *
 * <ul>
 *   <li>{@code POST /admin/clients/{clientId}/invalidate?upstream=default}: drops every cached token of the client,
 *   on every member: {@code {"invalidated": n}}.</li>
 *   <li>{@code GET /admin/stats}: entries, members, per-upstream breaker state and this member's counters.</li>
 *   <li>{@code GET /admin/members}: the cluster's members (address, uuid, whether it is this one).</li>
 * </ul>
 */
final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  private static final int MAX_CLIENT_ID_LENGTH = 1024;
  private static final List<String> RESULTS = List.of("hit", "miss", "coalesced", "bypass", "error");

  private final ServerConfig config;
  private final TokenCache cache;
  private final ClusterView cluster;
  private final byte[] tokenDigest;

  private AdminApi(ServerConfig config, TokenCache cache, ClusterView cluster) {
    this.config = config;
    this.cache = cache;
    this.cluster = cluster;
    this.tokenDigest = config.adminToken() == null ? null
      : ClientIds.sha256(config.adminToken().getBytes(StandardCharsets.UTF_8));
  }

  /** Mounts {@code /admin/*} on {@code root}: the API if an admin token is set, else 404s. */
  static void mount(Router root, Vertx vertx, ServerConfig config, TokenCache cache, ClusterView cluster) {
    if (config.adminToken() == null) {
      root.route("/admin/*").handler(Responses::notFound);
      return;
    }
    AdminApi api = new AdminApi(config, cache, cluster);
    Router admin = Router.router(vertx);
    admin.route().handler(api::authorize);
    admin.post("/clients/:clientId/invalidate").handler(api::invalidate);
    admin.get("/stats").handler(api::stats);
    admin.get("/members").handler(api::members);
    admin.route().handler(Responses::notFound);
    root.route("/admin/*").subRouter(admin);
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String presented = header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)
      ? header.substring(7).trim() : "";
    // digests of equal length, compared without an early exit: the time taken tells nothing about the token
    boolean ok = MessageDigest.isEqual(tokenDigest, ClientIds.sha256(presented.getBytes(StandardCharsets.UTF_8)))
      && !presented.isEmpty();
    if (ok) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"token-cache admin\"");
    Responses.error(ctx, 401, "invalid_token", "a valid admin bearer token is required");
  }

  private void invalidate(RoutingContext ctx) {
    String clientId = ctx.pathParam("clientId");
    String upstream = ctx.queryParams().get("upstream");
    if (upstream == null || upstream.isEmpty()) {
      upstream = TokenCacheOptions.DEFAULT_UPSTREAM;
    }
    if (!config.upstreamIds().contains(upstream)) {
      Responses.error(ctx, 400, "invalid_request", "unknown upstream '" + upstream + "' (configured: "
        + String.join(", ", config.upstreamIds()) + ")");
      return;
    }
    if (clientId == null || clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH) {
      Responses.error(ctx, 400, "invalid_request", "the client id must be 1 to " + MAX_CLIENT_ID_LENGTH + " characters");
      return;
    }
    String up = upstream;
    cache.invalidateClient(upstream, clientId).onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("admin: dropped {} cached token(s) of client {} (hashed) on upstream '{}', cluster-wide",
          ar.result(), ClientIds.hash(clientId), up);
        Responses.json(ctx, 200, new JsonObject().put("invalidated", ar.result()).put("upstream", up));
      } else if (ar.cause() instanceof TokenCacheException) {
        TokenCacheException e = (TokenCacheException) ar.cause();
        if (e.retryAfterSeconds() > 0) {
          ctx.response().putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        Responses.error(ctx, e.statusCode(), e.error(), e.description());
      } else {
        LOG.warn("admin: invalidation failed: {}", ar.cause().toString());
        ctx.response().putHeader("Retry-After", "1");
        Responses.error(ctx, 503, "temporarily_unavailable", "the cluster did not complete the invalidation");
      }
    });
  }

  private void stats(RoutingContext ctx) {
    CacheStats counted = cache.stats();
    JsonObject requests = new JsonObject();
    RESULTS.forEach(r -> requests.put(r, counted.requests().getOrDefault(r, 0L)));
    JsonObject upstreams = new JsonObject();
    JsonObject breakers = ServerHealth.breakers(cache.health(), config.upstreamIds());
    for (String id : config.upstreamIds()) {
      CacheStats.Upstream upstream = counted.upstreams().get(id);
      upstreams.put(id, new JsonObject()
        .put("breaker", breakers.getString(id))
        .put("requests", new JsonObject(upstream == null ? Map.of() : Map.copyOf(upstream.requests())))
        .put("budgetRejections", upstream == null ? 0 : upstream.budgetRejections())
        .put("breakerRejections", upstream == null ? 0 : upstream.breakerRejections()));
    }
    JsonObject stats = new JsonObject()
      .put("members", cluster.members().size())
      .put("entries", new JsonObject().put("local", cluster.localEntries()))
      .put("requests", requests)
      .put("refreshes", new JsonObject()
        .put("started", counted.refreshesStarted())
        .put("failed", counted.refreshesFailed()))
      .put("negativeHits", counted.negativeHits())
      .put("nearCache", cluster.nearCache())
      .put("upstreams", upstreams);
    cluster.clusterEntries().onComplete(ar -> {
      stats.getJsonObject("entries").put("cluster", ar.succeeded() ? ar.result() : null);
      Responses.json(ctx, 200, stats);
    });
  }

  private void members(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject()
      .put("clusterName", config.clusterOptions().getClusterName())
      .put("members", cluster.members()));
  }
}
