package io.tokencache.fakeidp;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Runs the fake IdP standalone until killed:
 * {@code java -jar fake-idp/target/fake-idp.jar --dynamic-clients --quota-rps 25}. Prints exactly
 * one line on standard output once listening, {@code fake-idp listening on <token url>}, so a
 * harness can wait for it; logs go to standard error. Exit code 2 on bad flags, 1 if it cannot
 * start.
 */
public final class FakeIdpMain {

  static final String USAGE = String.join("\n",
      "usage: java -jar fake-idp.jar [flags]",
      "  --host HOST              listen address (default " + FakeIdpOptions.DEFAULT_HOST + ")",
      "  --port PORT              listen port, 0 for a free one (default " + FakeIdpOptions.DEFAULT_PORT + ")",
      "  --quota-rps RPS          token requests per second, <= 0 for unlimited (default "
          + FakeIdpOptions.DEFAULT_QUOTA_RPS + ")",
      "  --burst N                token bucket capacity (default: one second of quota)",
      "  --lifetime-seconds S     token lifetime / expires_in (default "
          + FakeIdpOptions.DEFAULT_TOKEN_LIFETIME.toSeconds() + ")",
      "  --latency-ms MS          delay before each token answer (default 0)",
      "  --dynamic-clients        accept any client id [A-Za-z0-9._:-]{1,128} with secret <id>-secret",
      "  --client ID:SECRET       register a client (repeatable; the id cannot contain ':')",
      "  --no-expires-in          omit expires_in: clients must read the JWT exp",
      "  --refresh-tokens         add a refresh_token to client_credentials answers",
      "  --issuer URL             iss claim (default " + FakeIdpOptions.DEFAULT_ISSUER + ")",
      "  --help                   print this message",
      "Runtime control: POST <base>/control {\"failureMode\":\"UNAVAILABLE\",\"latencyMs\":50,"
          + "\"tokenLifetimeSeconds\":20,\"quotaRps\":5}; counters: GET <base>/stats.");

  private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

  private FakeIdpMain() {}

  /**
   * Parses the flags, starts the IdP and blocks until the process is killed.
   *
   * @param args command-line flags, see {@link #USAGE}
   */
  public static void main(String[] args) {
    if (System.getProperty(LOG_FORMAT) == null) {
      // One line per record on standard error, instead of JUL's default two.
      System.setProperty(LOG_FORMAT, "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    }
    FakeIdpOptions options;
    try {
      options = parse(args);
    } catch (HelpRequested e) {
      System.out.println(USAGE);
      return;
    } catch (IllegalArgumentException e) {
      fail(System.err, e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    FakeIdp idp;
    try {
      idp = FakeIdp.start(vertx, options).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("fake-idp: cannot start: " + (e.getCause() != null ? e.getCause() : e));
      vertx.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Two separate waits from this plain thread: a future composed on the IdP's event loop would
      // try to deliver vertx.close()'s result to an event loop that close() just stopped.
      try {
        idp.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "fake-idp-shutdown"));
    System.out.println("fake-idp listening on " + idp.tokenUrl());
    System.out.flush();
    // Vert.x's event-loop threads are not daemons: the JVM runs until killed.
  }

  /**
   * Parses command-line flags into options; accepts {@code --flag value} and {@code --flag=value}.
   *
   * @param args the flags
   * @return the options
   * @throws IllegalArgumentException with a message naming the bad flag
   */
  static FakeIdpOptions parse(String[] args) {
    FakeIdpOptions options = new FakeIdpOptions();
    Deque<String> queue = new ArrayDeque<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        queue.add(arg.substring(0, eq));
        queue.add(arg.substring(eq + 1));
      } else {
        queue.add(arg);
      }
    }
    while (!queue.isEmpty()) {
      String flag = queue.poll();
      switch (flag) {
        case "--help", "-h" -> throw new HelpRequested();
        case "--host" -> options.setHost(value(flag, queue));
        case "--port" -> options.setPort(port(flag, value(flag, queue)));
        case "--quota-rps" -> options.setQuotaRps(decimal(flag, value(flag, queue)));
        case "--burst" -> options.setBurst(decimal(flag, value(flag, queue)));
        case "--lifetime-seconds" ->
            options.setTokenLifetime(Duration.ofSeconds(integer(flag, value(flag, queue))));
        case "--latency-ms" -> options.setLatency(Duration.ofMillis(integer(flag, value(flag, queue))));
        case "--dynamic-clients" -> options.setDynamicClients(true);
        case "--client" -> client(options, value(flag, queue));
        case "--no-expires-in" -> options.setIncludeExpiresIn(false);
        case "--refresh-tokens" -> options.setIssueRefreshTokens(true);
        case "--issuer" -> options.setIssuer(value(flag, queue));
        default -> throw new IllegalArgumentException("unknown flag: " + flag);
      }
    }
    return options;
  }

  private static void client(FakeIdpOptions options, String value) {
    int colon = value.indexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      // Never echo the value: it holds a secret.
      throw new IllegalArgumentException("--client expects ID:SECRET with both parts non-empty");
    }
    options.addClient(value.substring(0, colon), value.substring(colon + 1));
  }

  private static String value(String flag, Deque<String> queue) {
    String value = queue.poll();
    if (value == null || value.startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }

  private static int port(String flag, String value) {
    long port = integer(flag, value);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(flag + " must be between 0 and 65535, got " + port);
    }
    return (int) port;
  }

  private static long integer(String flag, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " expects a whole number, got '" + value + "'");
    }
  }

  private static double decimal(String flag, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " expects a number, got '" + value + "'");
    }
  }

  private static void fail(PrintStream err, String message) {
    err.println("fake-idp: " + message);
    err.println(USAGE);
  }

  /** {@code --help}: print the usage and exit 0. */
  static final class HelpRequested extends IllegalArgumentException {
    HelpRequested() {
      super("help requested");
    }
  }
}
