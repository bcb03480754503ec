package io.tokencache.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

import java.util.concurrent.TimeUnit;

/**
 * One HTTP listener of the server. The server deploys one instance per event loop; they share the port
 * (Vert.x balances connections between them) and the {@link io.tokencache.TokenCache}.
 *
 * <p>Stopping it shuts the listener down gracefully: it stops accepting connections, lets in-flight requests
 * finish (for at most {@link ServerConfig#shutdownTimeout()}), then closes the connections.
 */
final class HttpServerVerticle extends VerticleBase {

  private final ServerRouter.Parts parts;
  private final ConnectionGuard guard;
  private HttpServer server;

  /**
   * @param guard the member's connection cap and request deadline, shared by every listener
   */
  HttpServerVerticle(ServerRouter.Parts parts, ConnectionGuard guard) {
    this.parts = parts;
    this.guard = guard;
  }

  /** The listener's options: address, limits and, with a certificate, TLS from PEM files. */
  static HttpServerOptions options(ServerConfig config) {
    HttpServerOptions options = new HttpServerOptions()
      .setHost(config.httpHost())
      .setPort(config.httpPort())
      .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      .setMaxHeaderSize(config.maxHeaderBytes())
      .setCompressionSupported(false)
      // Without cleartext HTTP/2, a connection is HTTP/1 from its first byte and reaches the connection handler at
      // once; with it, Vert.x first waits for bytes enough to tell HTTP/1 from the HTTP/2 preface, and a client
      // that sends none would hold a connection neither counted against the cap nor under the request deadline.
      // HTTP/2 over TLS (ALPN) is not affected; token clients speak HTTP/1.1.
      .setHttp2ClearTextEnabled(false);
    if (config.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(config.tlsCertPath())
        .setKeyPath(config.tlsKeyPath()));
    }
    return options;
  }

  @Override
  public Future<?> start() {
    server = create(vertx, options(parts.config()), parts, guard);
    return server.listen();
  }

  /** A listener with {@code options}, answering from {@code parts}, held to {@code guard}'s bounds. */
  static HttpServer create(io.vertx.core.Vertx vertx, HttpServerOptions options, ServerRouter.Parts parts,
                           ConnectionGuard guard) {
    ConnectionGuard.Listener listener = guard.listener(vertx);
    return vertx.createHttpServer(options)
      .connectionHandler(listener::connected)
      .requestHandler(listener.requests(ServerRouter.requestHandler(vertx, parts)));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
      : server.shutdown(parts.config().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }
}
