package io.tokencache.server;

import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The training run behind the server's application class-data-sharing archive. The build runs it once, as
 * {@code java -XX:ArchiveClassesAtExit=token-cache-server.jsa -Dtokencache.cds.training=true -jar
 * token-cache-server.jar} (through the jar's own main class, so with the same manifest and module options as a real
 * start), and every later start with {@code -XX:SharedArchiveFile=token-cache-server.jsa} maps the classes it
 * loaded, parsed and verified instead of reading them from the jar again.
 *
 * <p>It goes through what a node does before it is ready, on loopback and free ports: a member starts alone, a
 * second one joins it (the join and partition migration), both become ready, answer their health, metrics and one
 * token request (whose upstream does not listen), and leave. The classes a start needs are the ones this loads;
 * a class it misses is simply read from the jar.
 */
public final class CdsTraining {

  /** The system property that turns {@code java -jar token-cache-server.jar} into the training run. */
  static final String PROPERTY = "tokencache.cds.training";

  private static final long STEP_SECONDS = 60;

  private CdsTraining() {
  }

  /** Runs the training; exits 0 when both members became ready and stopped, 1 otherwise. */
  public static void main(String[] args) {
    TokenCacheServer.processDefaults();
    // the members' own start-up lines stay; Hazelcast's and Micrometer's warnings about two members and two
    // registries in one process, and about the second member leaving, would only be noise in the build's output
    quiet("com.hazelcast");
    quiet("io.micrometer");
    int code;
    try {
      train();
      code = 0;
    } catch (Exception e) {
      System.err.println("token-cache CDS training failed: " + e);
      code = 1;
    }
    System.out.flush();
    System.err.flush();
    // exit (not halt): the archive is written on the way out
    System.exit(code);
  }

  private static void quiet(String logger) {
    if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(logger)).setLevel(ch.qos.logback.classic.Level.ERROR);
    }
  }

  private static void train() throws Exception {
    int[] ports = freePorts(5);
    byte[] key = new byte[32];
    SecureRandom random = new SecureRandom();
    random.nextBytes(key);
    String cluster = "cds-training-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
    Map<String, String> env = new HashMap<>();
    env.put(ServerConfig.HTTP_HOST, "127.0.0.1");
    env.put(ServerConfig.CLUSTER_HOST, "127.0.0.1");
    env.put(ServerConfig.CLUSTER_NAME, cluster);
    env.put(ServerConfig.ENCRYPTION_KEY, Base64.getEncoder().encodeToString(key));
    // a port nothing listens on: the token request fails fast, through the upstream client and its protections
    env.put(ServerConfig.UPSTREAM_TOKEN_URL, "http://127.0.0.1:" + ports[4] + "/oauth2/token");

    Map<String, String> first = new HashMap<>(env);
    first.put(ServerConfig.HTTP_PORT, String.valueOf(ports[0]));
    first.put(ServerConfig.CLUSTER_PORT, String.valueOf(ports[1]));
    TokenCacheServer a = startReady(ServerConfig.load(first));
    exercise(ports[0]);

    Map<String, String> second = new HashMap<>(env);
    second.put(ServerConfig.HTTP_PORT, String.valueOf(ports[2]));
    second.put(ServerConfig.CLUSTER_PORT, String.valueOf(ports[3]));
    second.put(ServerConfig.CLUSTER_MEMBERS, "127.0.0.1:" + ports[1]);
    TokenCacheServer b = startReady(ServerConfig.load(second));
    exercise(ports[2]);

    b.stop().await(STEP_SECONDS, TimeUnit.SECONDS);
    a.stop().await(STEP_SECONDS, TimeUnit.SECONDS);
  }

  private static TokenCacheServer startReady(ServerConfig config) throws Exception {
    TokenCacheServer server = TokenCacheServer.start(config).await(STEP_SECONDS, TimeUnit.SECONDS);
    server.cacheStarted().await(STEP_SECONDS, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
    while (!get(config.httpPort(), "/health/ready").startsWith("HTTP/1.1 200")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the node on port " + config.httpPort() + " did not become ready");
      }
      Thread.sleep(20);
    }
    return server;
  }

  private static void exercise(int port) throws IOException {
    get(port, "/health/live");
    get(port, "/metrics");
    String body = "grant_type=client_credentials&scope=training";
    request(port, "POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      + "Authorization: Basic " + Base64.getEncoder().encodeToString("training:secret".getBytes(StandardCharsets.UTF_8))
      + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
  }

  private static String get(int port, String path) throws IOException {
    return request(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  }

  /** One HTTP/1.1 exchange on a plain socket (no HTTP client of its own to load): the whole answer, or "". */
  private static String request(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(30));
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (java.net.ConnectException notYet) {
      return "";
    }
  }

  private static int[] freePorts(int n) throws IOException {
    int[] ports = new int[n];
    List<ServerSocket> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }
}
