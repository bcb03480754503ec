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
  private HttpServer server;

  HttpServerVerticle(ServerRouter.Parts parts) {
    this.parts = parts;
  }

  /** The listener's options: address, limits and, with a certificate, TLS from PEM files. */
  static HttpServerOptions options(ServerConfig config) {
    HttpServerOptions options = new HttpServerOptions()
      .setHost(config.httpHost())
      .setPort(config.httpPort())
      .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      .setMaxHeaderSize(config.maxHeaderBytes())
      .setCompressionSupported(false);
    if (config.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(config.tlsCertPath())
        .setKeyPath(config.tlsKeyPath()));
    }
    return options;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options(parts.config()))
      .requestHandler(ServerRouter.requestHandler(vertx, parts));
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
      : server.shutdown(parts.config().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }
}
