package io.tokencache.server;

import com.hazelcast.core.HazelcastInstance;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheOptions;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.TokenCacheCluster;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The token-cache server: one node, always a Hazelcast member (alone or with others), answering the token
 * endpoints of its upstreams, its health, its metrics and (when enabled) its admin API; configured from the
 * environment over an optional configuration file (see {@link ServerConfig}).
 *
 * <p>Run with {@code java -jar server/target/token-cache-server.jar}.
 */
public final class TokenCacheServer {

  private static final Logger LOG = LoggerFactory.getLogger(TokenCacheServer.class);
  /** Exit code of a configuration error. */
  public static final int EXIT_CONFIGURATION = 2;
  /** Exit code of a failure to start (a port in use, a cluster that cannot be joined). */
  public static final int EXIT_START_FAILURE = 1;

  private final Vertx vertx;
  private final DeferredTokenCache cache;
  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final AtomicBoolean stopping;
  private final Future<TokenCache> cacheStarted;
  private final long joinedAtMillis;

  private TokenCacheServer(Vertx vertx, DeferredTokenCache cache, ServerConfig config, ServerMetrics metrics,
                           AtomicBoolean stopping, Future<TokenCache> cacheStarted, long joinedAtMillis) {
    this.vertx = vertx;
    this.cache = cache;
    this.config = config;
    this.metrics = metrics;
    this.stopping = stopping;
    this.cacheStarted = cacheStarted;
    this.joinedAtMillis = joinedAtMillis;
  }

  /**
   * Starts a node: joins the cluster, starts the HTTP listeners, then the cache. A cache that cannot start
   * (an encryption key the cluster refuses) leaves the node up but never ready, saying why.
   *
   * @return the running node, once it listens
   */
  public static Future<TokenCacheServer> start(ServerConfig config) {
    ServerMetrics metrics = new ServerMetrics(config.clientIdLabels());
    VertxOptions vertxOptions = new VertxOptions();
    if (config.vertxMetrics()) {
      metrics.receiveGlobalMeters();
      MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions().setEnabled(true);
      if (!config.vertxHttpServerMetrics()) {
        metricsOptions.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
      }
      vertxOptions.setMetricsOptions(metricsOptions);
    }
    return TokenCacheCluster.startClusteredVertx(vertxOptions, config.clusterOptions()).compose(vertx -> {
      long joinedAt = System.currentTimeMillis();
      HazelcastInstance hz = TokenCacheCluster.hazelcastOf(vertx);
      metrics.bindCluster(hz);
      TokenCacheOptions cacheOptions = new TokenCacheOptions(config.cacheOptions()).setMeterRegistry(metrics.registry());
      Future<TokenCache> created = TokenCache.createClustered(vertx, cacheOptions, config.clusterOptions())
        .onFailure(err -> LOG.error("this node will not become ready: {}", err.getMessage()));
      DeferredTokenCache cache = new DeferredTokenCache(created);
      ClusterView cluster = ClusterView.of(vertx, hz);
      AtomicBoolean stopping = new AtomicBoolean();
      List<String> upstreams = config.upstreamIds();
      HealthChecks liveness = ServerHealth.liveness(vertx);
      HealthChecks readiness = ServerHealth.readiness(vertx, cluster, cache::notReadyReason, stopping::get,
        cache::health, upstreams);
      ServerRouter.Parts parts = new ServerRouter.Parts(config, cache, liveness, readiness, metrics, cluster);
      int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
      ConnectionGuard guard = new ConnectionGuard(config, metrics.registry());
      return vertx.deployVerticle(() -> new HttpServerVerticle(parts, guard), new DeploymentOptions().setInstances(instances))
        .map(id -> new TokenCacheServer(vertx, cache, config, metrics, stopping, created, joinedAt))
        .recover(err -> created.transform(ar -> cache.close())
          .eventually(vertx::close)
          .transform(v -> Future.failedFuture(err)));
    }).onFailure(err -> metrics.close());
  }

  /**
   * Completes when the cache has started (its maps and listeners in place, the cluster's key fingerprint checked),
   * which, with the HTTP listeners up, is when the node turns ready; fails when it never will.
   */
  public Future<TokenCache> cacheStarted() {
    return cacheStarted;
  }

  /** When this member had joined its cluster (epoch milliseconds). */
  long joinedAtMillis() {
    return joinedAtMillis;
  }

  /**
   * What every node process sets before the first Hazelcast or Netty class loads (see {@link #main} and
   * {@link CdsTraining}); a value given with {@code -D} is kept.
   */
  static void processDefaults() {
    // before Hazelcast's first logger: its lines go through SLF4J (and so come out as JSON when asked)
    defaultProperty("hazelcast.logging.type", "slf4j");
    // Netty's buffer allocator emits JFR events of its own when JFR is present: registering their classes starts
    // part of JFR in every process, on the start-up path; no recording here needs them (-D turns them back on)
    defaultProperty("io.netty.jfr.enabled", "false");
  }

  private static void defaultProperty(String name, String value) {
    if (System.getProperty(name) == null) {
      System.setProperty(name, value);
    }
  }

  /** The HTTP port this server listens on. */
  public int port() {
    return config.httpPort();
  }

  /**
   * Leaves gracefully: readiness turns down, the HTTP listeners stop accepting and let in-flight requests finish
   * (for at most the configured shutdown timeout), then the cache closes, then Vert.x, which shuts the Hazelcast
   * member down gracefully so its partitions move to the others first.
   */
  public Future<Void> stop() {
    stopping.set(true);
    return Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
      .eventually(cache::close)
      .eventually(() -> vertx.close())
      .eventually(() -> {
        metrics.close();
        return Future.succeededFuture();
      })
      .mapEmpty();
  }

  /** The HTTP or the cluster port, if one cannot be bound now: one line naming it. */
  static String firstUnavailablePort(ServerConfig config) {
    String http = PortCheck.unavailable("the HTTP port", "TOKEN_CACHE_HTTP_PORT", config.httpHost(), config.httpPort());
    if (http != null) {
      return http;
    }
    String host = config.clusterOptions().getHost();
    return PortCheck.unavailable("the cluster port", "TOKEN_CACHE_CLUSTER_PORT",
      ClusterOptions.ANY_HOST.equals(host) ? null : host, config.clusterOptions().getPort());
  }

  /**
   * Entry point: {@code --help} and {@code --version} answer and exit 0; configuration from the environment and
   * the file; exits 2 on a configuration error or an unknown argument, 1 when a port is taken or the start fails.
   */
  public static void main(String[] args) {
    if (Boolean.getBoolean(CdsTraining.PROPERTY)) {
      CdsTraining.main(args);
      return;
    }
    ServerCommand.Outcome command = ServerCommand.parse(args,
      new PrintWriter(System.out, true, StandardCharsets.UTF_8), new PrintWriter(System.err, true, StandardCharsets.UTF_8));
    if (!command.run()) {
      System.exit(command.exitCode());
      return;
    }
    long mainAt = System.currentTimeMillis();
    Map<String, String> env = Map.copyOf(System.getenv());
    processDefaults();
    LogSetup.apply(ServerConfig.logFormatFromEnvironment(env));
    ServerConfig config;
    try {
      config = ServerConfig.load(env);
    } catch (IllegalArgumentException e) {
      System.err.println("token-cache: configuration error: " + e.getMessage());
      System.err.flush();
      System.exit(EXIT_CONFIGURATION);
      return;
    }
    LogSetup.apply(config.logFormat());
    String taken = firstUnavailablePort(config);
    if (taken != null) {
      System.err.println("token-cache: cannot start: " + taken);
      System.err.flush();
      System.exit(EXIT_START_FAILURE);
      return;
    }
    LOG.info("token-cache starting: {}", config.summary());
    Promise<TokenCacheServer> started = Promise.promise();
    // Vert.x turns Hazelcast's own shutdown hook off: leaving the cluster on SIGTERM is ours to do, even while
    // still starting (then once started).
    Duration grace = config.shutdownTimeout().plusSeconds(30);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("token-cache stopping: no new connections, finishing in-flight requests, leaving the cluster");
      try {
        TokenCacheServer server = started.future().await(grace.toMillis(), TimeUnit.MILLISECONDS);
        server.stop().await(grace.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("token-cache stopped");
      } catch (Exception e) {
        LOG.warn("shutdown did not complete cleanly: {}", e.toString());
      }
    }, "token-cache-shutdown"));
    start(config).onComplete(started);
    TokenCacheServer server;
    try {
      server = started.future().await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("token-cache failed to start: {}", e instanceof java.util.concurrent.TimeoutException
        ? "not started within 120 s" : e.getMessage() != null ? e.getMessage() : e.toString());
      // halt, not exit: the shutdown hook would wait for a start that is not coming
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(EXIT_START_FAILURE);
      return;
    }
    LOG.info("token-cache listening on {}://{}:{} (upstreams {}, cluster '{}', member port {})",
      config.tls() ? "https" : "http", config.httpHost(), server.port(), config.upstreamIds(),
      config.clusterOptions().getClusterName(), config.clusterOptions().getPort());
    if (!config.hasDefaultUpstream()) {
      LOG.info("no upstream with id 'default': /oauth2/token and /oauth/token answer 404; use /{upstream}/oauth2/token");
    }
    server.cacheStarted().onSuccess(c -> logStartTimes(mainAt, server.joinedAtMillis()));
  }

  /** Where the start went, from the JVM's own start: one line, for operators tuning probes and for the benchmark. */
  private static void logStartTimes(long mainAt, long joinedAt) {
    long now = System.currentTimeMillis();
    long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    LOG.info("token-cache ready to serve {} ms after the JVM started (main at {} ms, cluster joined at {} ms)",
      now - jvmStart, mainAt - jvmStart, joinedAt - jvmStart);
  }
}
