package io.tokencache.loadtest.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The floor of what a Vert.x token endpoint costs: a plain {@code HttpServer} (no router, no parsing,
 * no cache) that reads the whole request body and answers a fixed token body with the same status
 * and headers as token-cache's hit ({@code Content-Type}, {@code Cache-Control: no-store},
 * {@code Pragma: no-cache}, {@code X-Token-Cache: HIT}). One verticle per available processor, as the
 * server deploys its HTTP verticles.
 *
 * <p>{@code java -cp loadtest.jar io.tokencache.loadtest.bench.FloorServer --port P --body-file F}
 * prints {@code floor listening on http://HOST:PORT/oauth2/token} once it listens.
 */
public final class FloorServer extends VerticleBase {

  private static final CharSequence PRAGMA = HttpHeaders.createOptimized("Pragma");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence CACHE_STATUS = HttpHeaders.createOptimized("X-Token-Cache");
  private static final CharSequence HIT = HttpHeaders.createOptimized("HIT");

  private final String host;
  private final int port;
  private final Buffer body;

  FloorServer(String host, int port, Buffer body) {
    this.host = host;
    this.port = port;
    this.body = body;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setIdleTimeout(60)
            .setCompressionSupported(false))
        .requestHandler(req -> {
          if (req.method() != HttpMethod.POST) {
            req.response().setStatusCode(405).end();
            return;
          }
          // read the whole body, as any token endpoint must, then answer
          req.body().onComplete(ar -> {
            MultiMap headers = req.response().headers();
            headers.set(HttpHeaders.CONTENT_TYPE, JSON);
            headers.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
            headers.set(PRAGMA, NO_CACHE);
            headers.set(CACHE_STATUS, HIT);
            req.response().end(body);
          });
        })
        .listen();
  }

  /**
   * Entry point; the server keeps running after it returns.
   *
   * @param args {@code --host H} (127.0.0.1), {@code --port P} (required), {@code --body-file F}
   *     (required: the token body to answer, e.g. one captured from token-cache), {@code --instances N}
   *     (default: available processors)
   */
  public static void main(String[] args) {
    int code = new CommandLine(new Cli()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Command(name = "FloorServer", mixinStandardHelpOptions = true,
      description = "A plain Vert.x HttpServer answering a fixed token body: the floor of a Vert.x endpoint.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--host", description = "listen address (default ${DEFAULT-VALUE})")
    String host = "127.0.0.1";
    @Option(names = "--port", required = true)
    int port;
    @Option(names = "--body-file", required = true, description = "the token body to answer")
    Path bodyFile;
    @Option(names = "--instances", description = "verticles (default: available processors)")
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Override
    public Integer call() throws Exception {
      Buffer body = Buffer.buffer(Files.readAllBytes(bodyFile));
      Vertx vertx = Vertx.vertx();
      vertx.deployVerticle(() -> new FloorServer(host, port, body), new DeploymentOptions().setInstances(instances))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("floor listening on http://" + host + ":" + port + "/oauth2/token (" + instances
          + " verticles, body " + body.length() + " bytes)");
      System.out.flush();
      return 0;
    }
  }
}
