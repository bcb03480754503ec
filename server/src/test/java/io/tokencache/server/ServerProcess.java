package io.tokencache.server;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server jar running as a separate process, as users run it: {@code java -jar token-cache-server.jar}
 * with the contract's environment variables. Its output goes to a log file the test can read.
 */
final class ServerProcess implements AutoCloseable {

  private final Process process;
  private final String host;
  private final int port;
  private final Path log;

  private ServerProcess(Process process, String host, int port, Path log) {
    this.process = process;
    this.host = host;
    this.port = port;
    this.log = log;
  }

  /** The jar built by this module's package phase (failsafe passes its path). */
  static Path jar() {
    String path = System.getProperty("server.jar", "target/token-cache-server.jar");
    Path jar = Path.of(path).toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException("server jar not found at " + jar + ": run mvn package first");
    }
    return jar;
  }

  /** Starts a server with these environment variables (merged over nothing: no inherited TOKEN_CACHE_*). */
  static ServerProcess start(int port, Map<String, String> env) throws IOException {
    return start(List.of(), port, env);
  }

  /**
   * Starts a server as {@link #start(int, Map)} does, its command run after {@code prefix} (e.g.
   * {@code ip netns exec <ns>}); it is reached at {@code TOKEN_CACHE_HTTP_HOST}.
   */
  static ServerProcess start(List<String> prefix, int port, Map<String, String> env) throws IOException {
    Path log = Files.createTempFile("token-cache-server-" + port + "-", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(java, "-Xmx256m", "-Dhazelcast.phone.home.enabled=false", "-jar", jar().toString()));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> environment = pb.environment();
    environment.keySet().removeIf(k -> k.startsWith("TOKEN_CACHE_"));
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("TOKEN_CACHE_HTTP_HOST", "127.0.0.1");
    all.putIfAbsent("TOKEN_CACHE_CLUSTER_PORT", Integer.toString(freePort()));
    all.put("TOKEN_CACHE_HTTP_PORT", Integer.toString(port));
    environment.putAll(all);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new ServerProcess(pb.start(), all.get("TOKEN_CACHE_HTTP_HOST"), port, log);
  }

  static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Runs the jar to completion (for configuration errors) and returns its exit code. */
  static int runToExit(Map<String, String> env, Path output, String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dhazelcast.phone.home.enabled=false", "-jar",
      jar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("TOKEN_CACHE_"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(output.toFile());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("the server did not exit");
    }
    return p.exitValue();
  }

  int port() {
    return port;
  }

  String baseUrl() {
    return "http://" + host + ":" + port;
  }

  /** Waits until {@code /health/ready} answers 200, or fails with the process's log. */
  ServerProcess awaitReady(Duration timeout) throws InterruptedException, IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("server not ready within " + timeout + ":\n" + log());
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  Process process() {
    return process;
  }

  /** SIGTERM, then wait for the process to end. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
    }
    return process.exitValue();
  }

  /** SIGKILL: the process dies without any chance to clean up. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException, IOException {
    if (process.isAlive()) {
      terminate(Duration.ofSeconds(20));
    }
    new File(log.toString()).deleteOnExit();
  }
}
