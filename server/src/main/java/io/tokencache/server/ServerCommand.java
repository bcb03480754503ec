package io.tokencache.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The server's command line. The server is configured by its environment and an optional file, never by
 * arguments: the command line only answers {@code --help} and {@code --version}, and refuses anything else
 * instead of starting a node that ignores it. picocli parses it and writes the usage.
 */
@Command(name = "token-cache", mixinStandardHelpOptions = true, versionProvider = ServerCommand.Version.class,
  usageHelpWidth = 120,
  description = {"A clustered OAuth2 access-token cache: a drop-in token endpoint for client-credentials tokens.",
    "",
    "Configured by the environment, plus an optional YAML or JSON file named by TOKEN_CACHE_CONFIG (the environment",
    "overrides the file). The most used variables:",
    "  TOKEN_CACHE_UPSTREAM_TOKEN_URL   the IdP's token endpoint (required unless the file defines upstreams)",
    "  TOKEN_CACHE_UPSTREAM_QUOTA_RPS   cluster-wide budget of upstream requests per second (10)",
    "  TOKEN_CACHE_HTTP_HOST / _PORT    listen address and port (0.0.0.0 / 8080)",
    "  TOKEN_CACHE_CLUSTER_NAME         cluster name (token-cache)",
    "  TOKEN_CACHE_CLUSTER_PORT         this member's cluster port (5701)",
    "  TOKEN_CACHE_CLUSTER_MEMBERS      comma-separated host:port of the members (empty: alone)",
    "  TOKEN_CACHE_ENCRYPTION_KEY       base64 of 32 bytes, the same on every member",
    "  TOKEN_CACHE_ADMIN_TOKEN          enables /admin/* behind this bearer token",
    "Every setting: docs/configuration.md.",
    ""})
final class ServerCommand {

  /** What {@link #parse} decided. */
  record Outcome(boolean run, int exitCode) {
  }

  private ServerCommand() {
  }

  /**
   * Parses {@code args}: usage or version printed to {@code out} (exit 0), an unknown argument reported to
   * {@code err} with the usage (exit 2), or no argument at all (run).
   */
  static Outcome parse(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length == 0) {
      // the way a node is started: picocli is loaded only to answer an argument (its classes, too old for the
      // class-data-sharing archive, would be loaded and verified from the jar at every start)
      return new Outcome(true, 0);
    }
    CommandLine cli = new CommandLine(new ServerCommand()).setOut(out).setErr(err);
    try {
      cli.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("token-cache: " + e.getMessage() + " (the server is configured by its environment; see --help)");
      err.flush();
      return new Outcome(false, TokenCacheServer.EXIT_CONFIGURATION);
    }
    if (cli.isUsageHelpRequested()) {
      cli.usage(out);
      out.flush();
      return new Outcome(false, 0);
    }
    if (cli.isVersionHelpRequested()) {
      cli.printVersionHelp(out);
      out.flush();
      return new Outcome(false, 0);
    }
    return new Outcome(true, 0);
  }

  /** The version in the jar's manifest ({@code Implementation-Version}), or "development" outside a jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = ServerCommand.class.getPackage().getImplementationVersion();
      return new String[] {"token-cache " + (version == null ? "(development build)" : version)};
    }
  }
}
