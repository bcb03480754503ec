package io.tokencache.loadtest.harness;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * Stands in for the server jar in the orchestrator's tests: prints its TOKEN_CACHE_* environment,
 * answers {@code GET /health/ready} like the server (Vert.x health-check JSON with the cluster size)
 * and says goodbye on SIGTERM. {@code -Dstub.exit=N} makes it exit with N at once instead.
 */
public final class StubServer {

  private StubServer() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    String exit = System.getProperty("stub.exit");
    if (exit != null) {
      System.out.println("stub exiting with " + exit);
      System.exit(Integer.parseInt(exit));
    }
    new TreeMap<>(System.getenv()).forEach((name, value) -> {
      if (name.startsWith("TOKEN_CACHE_")) {
        System.out.println("env " + name + "=" + value);
      }
    });
    int port = Integer.parseInt(System.getenv("TOKEN_CACHE_HTTP_PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress(System.getenv("TOKEN_CACHE_HTTP_HOST"), port), 0);
    server.createContext("/health/ready", exchange -> {
      byte[] body = ("{\"status\":\"UP\",\"checks\":[{\"id\":\"cluster\",\"status\":\"UP\",\"data\":{\"members\":"
          + System.getProperty("stub.members", "1") + "}}]}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    System.out.println("stub listening on " + port);
    CountDownLatch forever = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stub stopping on SIGTERM");
      server.stop(0);
    }));
    forever.await();
  }
}
