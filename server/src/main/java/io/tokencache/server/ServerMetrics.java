package io.tokencache.server;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nearcache.NearCacheStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokencache.cluster.ClusterMaps;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The node's meters, exported at {@code /metrics} in the Prometheus text format.
 *
 * <p>Every exported name starts with {@code token_cache_} (the contract): the cache's own meters are named
 * {@code token.cache.*}, and a filter prefixes every other meter (JVM, process, Vert.x) with {@code token.cache.}.
 * Labels carry upstream ids, results and outcomes only; client ids appear only when
 * {@link ServerConfig#clientIdLabels()} is on, as 12 hex digits of their SHA-256, for answered requests only and for
 * at most {@value #MAX_CLIENT_LABELS} distinct clients.
 */
final class ServerMetrics implements AutoCloseable {

  /** Prometheus text format 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** Prefix of every meter name (dots become underscores in Prometheus). */
  static final String PREFIX = "token.cache.";
  /** Distinct client labels kept; the others are counted under {@code client="other"}. */
  static final int MAX_CLIENT_LABELS = 1000;

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final boolean clientIdLabels;
  private final ConcurrentHashMap<String, Counter> clientCounters = new ConcurrentHashMap<>();
  private volatile boolean inGlobalRegistry;

  ServerMetrics(boolean clientIdLabels) {
    this.clientIdLabels = clientIdLabels;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // before any meter exists: a filter only applies to meters registered after it
    registry.config().meterFilter(prometheusNames()).meterFilter(prefixFilter());
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    // the process's CPU time in seconds, in place of the binder's nanoseconds (see prometheusNames)
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
        .description("The CPU time used by the JVM process").register(registry);
    }
  }

  /**
   * Two of Micrometer's system meters have names Prometheus's own linter ({@code promtool check metrics}) refuses:
   * {@code process.cpu.time} is counted in nanoseconds (replaced by {@code process_cpu_seconds_total}, registered
   * above), and {@code system.cpu.count} is a gauge whose name ends in {@code _count}, which Prometheus reserves for
   * histograms and summaries (renamed {@code system.cpus}).
   */
  static MeterFilter prometheusNames() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return "system.cpu.count".equals(id.getName()) ? id.withName("system.cpus") : id;
      }

      @Override
      public MeterFilterReply accept(Meter.Id id) {
        // asked with the name every filter mapped, the prefix included
        String name = id.getName();
        return name.equals("process.cpu.time") || name.equals(PREFIX + "process.cpu.time") ? MeterFilterReply.DENY
          : MeterFilterReply.NEUTRAL;
      }
    };
  }

  /** Prefixes with {@value #PREFIX} every meter whose name does not start with it. */
  static MeterFilter prefixFilter() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
      }
    };
  }

  /** The registry the cache, the JVM binders and (through the global registry) Vert.x record into. */
  MeterRegistry registry() {
    return registry;
  }

  /**
   * Receives Vert.x's own meters: vertx-micrometer-metrics without a backend of its own records into Micrometer's
   * global registry, which forwards to this one.
   */
  void receiveGlobalMeters() {
    Metrics.globalRegistry.add(registry);
    inGlobalRegistry = true;
  }

  /** Meters read from this Hazelcast member: near-cache hits and misses of the token map, and the members. */
  void bindCluster(HazelcastInstance hz) {
    FunctionCounter.builder(PREFIX + "near.cache.hits", hz, nearCache(NearCacheStats::getHits))
      .description("Reads of the token map answered by this member's near cache").register(registry);
    FunctionCounter.builder(PREFIX + "near.cache.misses", hz, nearCache(NearCacheStats::getMisses))
      .description("Reads of the token map this member's near cache could not answer").register(registry);
    Gauge.builder(PREFIX + "cluster.members", hz, h -> h.getLifecycleService().isRunning()
        ? h.getCluster().getMembers().size() : 0)
      .description("Members of the Hazelcast cluster as this member sees it").register(registry);
  }

  private static ToDoubleFunction<HazelcastInstance> nearCache(ToDoubleFunction<NearCacheStats> stat) {
    return hz -> {
      NearCacheStats stats = ClusterMaps.nearCacheStats(hz);
      return stats == null ? 0 : stat.applyAsDouble(stats);
    };
  }

  /**
   * Counts a token answer per client: only when enabled, only for answered requests (so only clients the IdP
   * accepted), and at most {@value #MAX_CLIENT_LABELS} label sets (the rest count as {@code client="other"}).
   */
  void clientAnswered(String upstream, String hashedClientId, String result) {
    if (!clientIdLabels || hashedClientId == null || result == null) {
      return;
    }
    String r = result.toLowerCase(Locale.ROOT);
    Counter counter = clientCounters.get(upstream + "|" + hashedClientId + "|" + r);
    if (counter == null) {
      String client = clientCounters.size() < MAX_CLIENT_LABELS ? hashedClientId : "other";
      counter = clientCounters.computeIfAbsent(upstream + "|" + client + "|" + r, k ->
        Counter.builder(PREFIX + "client.requests")
          .description("Token requests answered, by upstream, hashed client id and result")
          .tag("upstream", upstream).tag("client", client).tag("result", r)
          .register(registry));
    }
    counter.increment();
  }

  /** {@code GET /metrics}: the scrape runs on a worker thread, off the event loop. */
  void handle(Vertx vertx, RoutingContext ctx) {
    vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(ar.result());
      } else {
        ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "server_error").put("error_description", "metrics unavailable").encode());
      }
    });
  }

  /** The value of a counter or gauge summed over the meters with this name and tags, or 0. */
  double sum(String name, String... tags) {
    double total = 0;
    for (Meter m : registry.find(name).tags(tags).meters()) {
      for (var measurement : m.measure()) {
        total += measurement.getValue();
      }
    }
    return total;
  }

  @Override
  public void close() {
    if (inGlobalRegistry) {
      Metrics.globalRegistry.remove(registry);
    }
    gcMetrics.close();
    registry.close();
  }
}
