package io.tokencache.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokencache.TokenCacheException;
import io.tokencache.http.impl.TokenResponses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds what one member's HTTP listeners hold for their clients: how many connections are open, and how long a
 * request may take to arrive.
 *
 * <ul>
 *   <li>Connections beyond {@code maxConnections} (across every listener of the member) are closed as soon as they
 *   are accepted and counted in {@value #REFUSED}; {@value #OPEN} gauges those open.</li>
 *   <li>A request, its head and body, must arrive within {@code requestTimeout}: a client sending a byte now and
 *   then is not idle, so the idle timeout never ends it, and it would hold its connection and buffer for as long
 *   as it likes. Past the deadline the request gets {@code 408} (when an answer can still be written) and its
 *   connection is closed. On HTTP/1 the first request's deadline counts from the connection's acceptance; a later
 *   request's from its head's arrival (Vert.x does not tell when its first byte came), its head being bounded by
 *   the idle timeout plus the deadline after the previous answer. On HTTP/2 it counts from the request's head.</li>
 * </ul>
 *
 * <p>One guard per member, shared by its listeners; each listener (event loop) gets its own {@link #listener}.
 */
final class ConnectionGuard {

  /** Counter of connections closed at once because the member had {@code maxConnections} open. */
  static final String REFUSED = "token.cache.http.connections.refused";
  /** Gauge of the member's open HTTP connections. */
  static final String OPEN = "token.cache.http.connections.open";

  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");

  private final int maxConnections;
  private final long requestTimeoutMillis;
  private final long nextHeadMillis;
  private final AtomicInteger open = new AtomicInteger();
  private final Counter refused;

  ConnectionGuard(ServerConfig config, MeterRegistry registry) {
    this(config.maxConnections(), config.requestTimeout(), config.idleTimeout(), registry);
  }

  ConnectionGuard(int maxConnections, Duration requestTimeout, Duration idleTimeout, MeterRegistry registry) {
    this.maxConnections = maxConnections;
    this.requestTimeoutMillis = Math.max(1, requestTimeout.toMillis());
    this.nextHeadMillis = Math.addExact(idleTimeout.toMillis(), requestTimeoutMillis);
    this.refused = Counter.builder(REFUSED)
      .description("HTTP connections closed as soon as accepted: the member had its maximum open")
      .register(registry);
    Gauge.builder(OPEN, open, AtomicInteger::get).description("Open HTTP connections of this member")
      .register(registry);
  }

  /** The member's open connections. */
  int open() {
    return open.get();
  }

  /** The state of one listener: its connections are all served on its event loop, so it needs no locking. */
  Listener listener(Vertx vertx) {
    return new Listener(vertx);
  }

  /** Hooks for one {@link io.vertx.core.http.HttpServer}: its connection handler and a wrapper of its requests. */
  final class Listener {
    private final Vertx vertx;
    private final Map<HttpConnection, Connection> connections = new IdentityHashMap<>();

    private Listener(Vertx vertx) {
      this.vertx = vertx;
    }

    /** The listener's connection handler. */
    void connected(HttpConnection connection) {
      if (open.incrementAndGet() > maxConnections) {
        open.decrementAndGet();
        refused.increment();
        connection.close();
        return;
      }
      Connection state = new Connection(connection);
      connections.put(connection, state);
      connection.closeHandler(v -> {
        open.decrementAndGet();
        connections.remove(connection);
        state.cancel();
      });
      state.arm(requestTimeoutMillis, state::headTooSlow);
    }

    /** {@code next}, with every request held to the deadline. */
    Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
      return request -> {
        track(request);
        next.handle(request);
      };
    }

    private void track(HttpServerRequest request) {
      Connection state = request.version() == HttpVersion.HTTP_2 ? null : connections.get(request.connection());
      if (state == null) {
        // HTTP/2 (one connection, many requests at once): a deadline of its own per request
        vertx.setTimer(requestTimeoutMillis, id -> {
          if (!request.isEnded()) {
            tooLate(request);
          }
        });
        return;
      }
      state.cancel();
      long left = requestTimeoutMillis;
      if (state.first) {
        state.first = false;
        left -= TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - state.acceptedAt);
      }
      state.arm(Math.max(1, left), () -> state.requestDue(request));
    }

    /** One HTTP/1 connection: at most one timer at a time, for whichever deadline comes next. */
    private final class Connection {
      private final HttpConnection connection;
      private final long acceptedAt = System.nanoTime();
      private boolean first = true;
      private long timer = -1;

      Connection(HttpConnection connection) {
        this.connection = connection;
      }

      void arm(long millis, Runnable due) {
        timer = vertx.setTimer(millis, id -> {
          timer = -1;
          due.run();
        });
      }

      void cancel() {
        if (timer >= 0) {
          vertx.cancelTimer(timer);
          timer = -1;
        }
      }

      /** No whole request head in time: there is no request to answer, only a connection to close. */
      void headTooSlow() {
        connection.close();
      }

      void requestDue(HttpServerRequest request) {
        if (!request.isEnded()) {
          tooLate(request);
        } else if (request.response().ended()) {
          // answered: the next request's head has the idle timeout, and then the deadline, to arrive
          arm(nextHeadMillis, this::headTooSlow);
        } else {
          // Still being answered (an upstream call is bounded by its own timeouts): looked at again later rather
          // than hooked to the response's end, whose handler belongs to whoever answers.
          arm(requestTimeoutMillis, () -> requestDue(request));
        }
      }
    }
  }

  /** 408 if an answer can still be written, and the connection (or HTTP/2 stream) closed either way. */
  private static void tooLate(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    // the rest of the body is not wanted
    request.handler(chunk -> { });
    boolean http2 = request.version() == HttpVersion.HTTP_2;
    if (response.headWritten() || response.ended() || response.closed()) {
      close(request, http2);
      return;
    }
    if (!http2) {
      response.headers().set(HttpHeaders.CONNECTION, CLOSE);
    }
    TokenResponses.sendError(response, TokenCacheException.of(408, "invalid_request",
      "the request did not arrive in time"));
    close(request, http2);
  }

  private static void close(HttpServerRequest request, boolean http2) {
    if (http2) {
      request.response().reset();
    } else {
      request.connection().close();
    }
  }
}
