package io.tokencache.fakeidp;

import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the fake IdP standalone until killed:
 * {@code java -jar fake-idp/target/fake-idp.jar --dynamic-clients --quota-rps 25}. Prints exactly
 * one line on standard output once listening, {@code fake-idp listening on <token url>}, so a
 * harness can wait for it; logs go to standard error. Exit code 2 on bad flags, 1 if it cannot
 * start. picocli parses the flags and writes the usage.
 */
@Command(name = "java -jar fake-idp.jar", usageHelpWidth = 110,
    description = "A fake, quota-enforcing OAuth2 client-credentials token endpoint.",
    footer = {"Runtime control: POST <base>/control {\"failureMode\":\"UNAVAILABLE\",\"latencyMs\":50,"
        + "\"tokenLifetimeSeconds\":20,\"quotaRps\":5}; counters: GET <base>/stats."})
public final class FakeIdpMain {

  @Option(names = "--host", paramLabel = "HOST", description = "listen address (default ${DEFAULT-VALUE})")
  String host = FakeIdpOptions.DEFAULT_HOST;

  @Option(names = "--port", paramLabel = "PORT",
      description = "listen port, 0 for a free one (default ${DEFAULT-VALUE})")
  long port = FakeIdpOptions.DEFAULT_PORT;

  @Option(names = "--quota-rps", paramLabel = "RPS",
      description = "token requests per second, <= 0 for unlimited (default ${DEFAULT-VALUE})")
  double quotaRps = FakeIdpOptions.DEFAULT_QUOTA_RPS;

  @Option(names = "--burst", paramLabel = "N", description = "token bucket capacity (default: one second of quota)")
  Double burst;

  @Option(names = "--lifetime-seconds", paramLabel = "S",
      description = "token lifetime / expires_in (default ${DEFAULT-VALUE})")
  long lifetimeSeconds = FakeIdpOptions.DEFAULT_TOKEN_LIFETIME.toSeconds();

  @Option(names = "--latency-ms", paramLabel = "MS", description = "delay before each token answer (default 0)")
  long latencyMs;

  @Option(names = "--dynamic-clients",
      description = "accept any client id [A-Za-z0-9._:-]{1,128} with secret <id>-secret")
  boolean dynamicClients;

  @Option(names = "--client", paramLabel = "ID:SECRET",
      description = "register a client (repeatable; the id cannot contain ':')")
  List<String> clients = new ArrayList<>();

  @Option(names = "--no-expires-in", description = "omit expires_in: clients must read the JWT exp")
  boolean noExpiresIn;

  @Option(names = "--refresh-tokens", description = "add a refresh_token to client_credentials answers")
  boolean refreshTokens;

  @Option(names = "--random-signatures",
      description = "random bytes instead of the RS256 signature (same size, no RSA cost: for benchmarks)")
  boolean randomSignatures;

  @Option(names = "--issuer", paramLabel = "URL", description = "iss claim (default ${DEFAULT-VALUE})")
  String issuer = FakeIdpOptions.DEFAULT_ISSUER;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this message")
  boolean help;

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
    FakeIdpMain flags = new FakeIdpMain();
    CommandLine cli = new CommandLine(flags);
    FakeIdpOptions options;
    try {
      cli.parseArgs(args);
      if (cli.isUsageHelpRequested()) {
        cli.usage(System.out);
        return;
      }
      options = flags.options();
    } catch (CommandLine.ParameterException | IllegalArgumentException e) {
      System.err.println("fake-idp: " + e.getMessage());
      cli.usage(System.err);
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
   * Parses command-line flags into options ({@code --flag value} and {@code --flag=value}).
   *
   * @throws IllegalArgumentException with a message naming the bad flag
   */
  static FakeIdpOptions parse(String[] args) {
    FakeIdpMain flags = new FakeIdpMain();
    try {
      new CommandLine(flags).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return flags.options();
  }

  /** The options the flags give; checks what picocli's types do not. */
  FakeIdpOptions options() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
    }
    FakeIdpOptions options = new FakeIdpOptions().setHost(host).setPort((int) port).setQuotaRps(quotaRps)
        .setTokenLifetime(Duration.ofSeconds(lifetimeSeconds)).setLatency(Duration.ofMillis(latencyMs))
        .setDynamicClients(dynamicClients).setIncludeExpiresIn(!noExpiresIn).setIssueRefreshTokens(refreshTokens)
        .setRandomSignatures(randomSignatures).setIssuer(issuer);
    if (burst != null) {
      options.setBurst(burst);
    }
    for (String client : clients) {
      int colon = client.indexOf(':');
      if (colon <= 0 || colon == client.length() - 1) {
        // Never echo the value: it holds a secret.
        throw new IllegalArgumentException("--client expects ID:SECRET with both parts non-empty");
      }
      options.addClient(client.substring(0, colon), client.substring(colon + 1));
    }
    return options;
  }
}
