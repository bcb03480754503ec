package io.tokencache.loadtest.harness;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Serves a finished run's verdicts and figures over HTTP on 127.0.0.1, one path each, so that the simulation
 * can request them at its end and Gatling's own report lists them: {@code GET /verdict/<i>} answers 200
 * {@code holds} when verdict {@code i} holds and 409 {@code FAILED: <its figure>} when not (the simulation's
 * check on the body turns that into a KO with the figure as its message); {@code GET /figure/<i>} answers 200
 * {@code holds} (a figure is information, never a failure). Gatling's assertions read only request
 * statistics, and its run description is fixed before the run starts, so this is how a verdict reaches the
 * report.
 */
public final class VerdictEndpoint implements AutoCloseable {

  /** The body of a verdict that holds, and of every figure. */
  public static final String HOLDS = "holds";

  private final HttpServer server;
  private final String baseUrl;
  private final List<RunReport.VerdictLine> verdicts;
  private final List<String> figures;

  private VerdictEndpoint(List<RunReport.VerdictLine> verdicts, List<String> figures) throws IOException {
    this.verdicts = List.copyOf(verdicts);
    this.figures = List.copyOf(figures);
    // No executor: the server's own thread answers, one request at a time.
    server = HttpServer.create(new InetSocketAddress(ClusterPlan.HOST, 0), 16);
    server.createContext("/", exchange -> {
      int status = 404;
      String body = "no such verdict or figure";
      String[] parts = exchange.getRequestURI().getPath().split("/");
      try {
        if (parts.length == 3 && parts[1].equals("verdict")) {
          RunReport.VerdictLine line = this.verdicts.get(Integer.parseInt(parts[2]));
          status = line.holds() ? 200 : 409;
          body = line.holds() ? HOLDS : "FAILED: " + (line.detail().isEmpty() ? line.name() : line.detail());
        } else if (parts.length == 3 && parts[1].equals("figure")) {
          this.figures.get(Integer.parseInt(parts[2]));
          status = 200;
          body = HOLDS;
        }
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        // 404
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    baseUrl = "http://" + ClusterPlan.HOST + ":" + server.getAddress().getPort();
  }

  /**
   * @param verdicts the run's verdicts
   * @param figures the run's figures
   * @return the endpoint, listening
   * @throws IOException when it cannot listen
   */
  public static VerdictEndpoint start(List<RunReport.VerdictLine> verdicts, List<String> figures) throws IOException {
    return new VerdictEndpoint(verdicts, figures);
  }

  /** @return the verdicts served */
  public List<RunReport.VerdictLine> verdicts() {
    return verdicts;
  }

  /** @return the figures served */
  public List<String> figures() {
    return figures;
  }

  /**
   * @param i a verdict's position
   * @return its URL
   */
  public String verdictUrl(int i) {
    return baseUrl + "/verdict/" + i;
  }

  /**
   * @param i a figure's position
   * @return its URL
   */
  public String figureUrl(int i) {
    return baseUrl + "/figure/" + i;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
