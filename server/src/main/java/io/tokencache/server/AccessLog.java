package io.tokencache.server;

import io.tokencache.http.TokenEndpoint;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches token requests as they end: one access-log line each (when enabled) and the per-client meters (when
 * enabled).
 *
 * <p>A line holds the method, the path (never the query string), the status, {@code X-Token-Cache}, the duration,
 * the upstream and the hashed client id; never the secret, the {@code Authorization} header, the body or the token.
 * In JSON log format the same fields are key-value pairs of the event.
 */
final class AccessLog {

  /** The access log's logger: route or silence it on its own in a logback configuration. */
  static final String LOGGER = "io.tokencache.access";
  private static final Logger ACCESS = LoggerFactory.getLogger(LOGGER);

  private final boolean log;
  private final ServerMetrics metrics;

  AccessLog(boolean log, ServerMetrics metrics) {
    this.log = log;
    this.metrics = metrics;
  }

  /** Whether anything watches token requests; if not, no handler is installed at all. */
  static boolean needed(ServerConfig config) {
    return config.accessLog() || config.clientIdLabels();
  }

  /** A handler for the token paths of {@code upstream}; it passes the request on at once. */
  Handler<RoutingContext> forUpstream(String upstream) {
    return ctx -> {
      long start = System.nanoTime();
      ctx.addEndHandler(ar -> ended(ctx, upstream, start, ar.succeeded()));
      ctx.next();
    };
  }

  private void ended(RoutingContext ctx, String upstream, long start, boolean completed) {
    HttpServerResponse response = ctx.response();
    int status = response.getStatusCode();
    String cache = response.headers().get(TokenEndpoint.CACHE_STATUS_HEADER);
    String client = ClientIds.hashedOf(ctx);
    if (status == 200 && completed) {
      metrics.clientAnswered(upstream, client, cache);
    }
    if (log) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      String method = ctx.request().method().name();
      String path = ctx.request().path();
      ACCESS.atInfo()
        .addKeyValue("method", method)
        .addKeyValue("path", path)
        .addKeyValue("status", status)
        .addKeyValue("cache", cache == null ? "-" : cache)
        .addKeyValue("durationMs", millis)
        .addKeyValue("upstream", upstream)
        .addKeyValue("client", client == null ? "-" : client)
        .addKeyValue("completed", completed)
        .log("{} {} {} {} {}ms upstream={} client={}{}", method, path, status, cache == null ? "-" : cache, millis,
          upstream, client == null ? "-" : client, completed ? "" : " (connection closed before the answer was sent)");
    }
  }
}
