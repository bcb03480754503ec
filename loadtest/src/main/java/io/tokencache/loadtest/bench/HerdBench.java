package io.tokencache.loadtest.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import io.tokencache.loadtest.harness.Generations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upstream efficiency under a herd: N caching nodes (token-cache members of one cluster, or independent
 * nginx caches) in front of one fake IdP, counted at the IdP.
 *
 * <p>First {@code --warmup} requests over 20 other keys warm every node up (JIT, connection pools, the cluster's
 * first operations), so that the herd measures coordination rather than a cold JVM. Then, at t = 0, every key gets {@code --herd} concurrent first requests spread round robin over the nodes
 * (the cold-start herd); from t = 0 too, {@code --rps} requests per second keep every key busy on every node
 * (key {@code i % keys}, node {@code (i / keys) % nodes}) until {@code lifetimes x lifetime - 1 s}. At the end the
 * IdP's per-client counters ({@code GET /stats}, {@code issuedByClient}) give the upstream calls per key:
 * each key is its own client id ({@code <prefix>-<n>}, the fake IdP's dynamic clients).
 *
 * <p>Figures: calls per key (mean, min, max); per token lifetime ({@code mean / (duration / lifetime)}); and
 * per token generation, from the IdP's record of when it issued each key's tokens ({@code issuedAtByClient}):
 * a fetch less than half a lifetime after the key's previous fetch is a duplicate (it fetched a generation just
 * fetched: independent caches do so within milliseconds of each other, while a refresh comes at least
 * {@code (fraction - 0.05)} of a lifetime after the previous token, the refresh point being jittered up to 5% of
 * the lifetime earlier), and a key's calls per generation are {@code calls / (calls - duplicates)}: 1.0 for one
 * fetch per generation cluster-wide, 3.0 for three independent caches (see {@link Generations}). Calls per
 * refresh cycle ({@code floor(duration / (fraction x lifetime)) + 1} cycles) are no longer given: with the
 * jitter a key may rightly be refreshed once more in the same duration.
 */
public final class HerdBench {

  private HerdBench() {}

  /**
   * Entry point.
   *
   * @param args {@code --system NAME --targets url,url,url --idp BASE_URL --prefix P --keys 50 --herd 12
   *     --lifetime 20 --lifetimes 3 --rps 300 --refresh-fraction 0.75 --warmup 3000 --out FILE}
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Cli()).execute(args));
  }

  @Command(name = "HerdBench", mixinStandardHelpOptions = true,
      description = "Upstream calls per key of N caching nodes under a herd, counted at the fake IdP.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--system", required = true, description = "the system's name in the figures")
    String system;
    @Option(names = "--targets", required = true, split = ",", description = "the nodes' base URLs")
    List<String> targets;
    @Option(names = "--idp", required = true, description = "the fake IdP's base URL")
    String idp;
    @Option(names = "--prefix", required = true, description = "client id prefix")
    String prefix;
    @Option(names = "--keys", description = "keys (default ${DEFAULT-VALUE})")
    int keys = 50;
    @Option(names = "--herd", description = "first requests per key at once (default ${DEFAULT-VALUE})")
    int herd = 12;
    @Option(names = "--lifetime", description = "token lifetime, s (default ${DEFAULT-VALUE})")
    int lifetime = 20;
    @Option(names = "--lifetimes", description = "lifetimes the load lasts (default ${DEFAULT-VALUE})")
    int lifetimes = 3;
    @Option(names = "--rps", description = "steady requests per second (default ${DEFAULT-VALUE})")
    int rps = 300;
    @Option(names = "--refresh-fraction", description = "the caches' refresh point (default ${DEFAULT-VALUE})")
    double fraction = 0.75;
    @Option(names = "--warmup", description = "warm-up requests on other keys (default ${DEFAULT-VALUE})")
    int warmup = 3000;
    @Option(names = "--out", required = true)
    Path out;

    @Override
    public Integer call() throws Exception {
      Vertx vertx = Vertx.vertx();
      try {
        JsonObject result = run(vertx, system, targets, idp, prefix, keys, herd, lifetime, lifetimes, rps, fraction,
            warmup);
        Files.writeString(out, result.encodePrettily());
        System.out.println(system + ": " + result.getJsonObject("upstream").encode());
        return 0;
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  static JsonObject run(Vertx vertx, String system, List<String> targets, String idp, String prefix, int keys,
      int herd, int lifetime, int lifetimes, int rps, double fraction, int warmup) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000)
        .setIdleTimeout(30), new PoolOptions().setHttp1MaxSize(Math.max(16, keys * herd / targets.size() + 8)));
    List<String> basic = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      String id = prefix + "-" + k;
      basic.add("Basic " + Base64.getEncoder().encodeToString((id + ":" + id + "-secret")
          .getBytes(StandardCharsets.UTF_8)));
    }
    Buffer body = Buffer.buffer("grant_type=client_credentials&scope=orders%3Aread");
    Tally herdTally = new Tally();
    Tally tailTally = new Tally();

    // warm-up on other keys, every node: JIT, pools, the cluster's first operations; the herd then measures
    // coordination, not a cold JVM (the IdP counts these keys apart)
    Tally warmTally = new Tally();
    if (warmup > 0) {
      List<String> warmBasic = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        String id = prefix + "-warm-" + k;
        warmBasic.add("Basic " + Base64.getEncoder().encodeToString((id + ":" + id + "-secret")
            .getBytes(StandardCharsets.UTF_8)));
      }
      for (int done = 0; done < warmup; ) {
        List<Future<?>> batch = new ArrayList<>();
        for (int i = 0; i < 64 && done < warmup; i++, done++) {
          batch.add(send(client, targets.get(done % targets.size()), warmBasic.get(done % warmBasic.size()), body,
              warmTally));
        }
        Future.join(batch).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      }
    }

    long start = System.currentTimeMillis();
    long durationMillis = lifetimes * lifetime * 1000L - 1000;
    // steady traffic on every key and node from t = 0 to the end of the last lifetime ...
    AtomicLong seq = new AtomicLong();
    AtomicInteger inFlight = new AtomicInteger();
    long tick = 10;
    double perTick = rps * tick / 1000.0;
    double[] carry = {0};
    long timer = vertx.setPeriodic(tick, id -> {
      carry[0] += perTick;
      while (carry[0] >= 1) {
        carry[0] -= 1;
        long i = seq.getAndIncrement();
        int k = (int) (i % keys);
        int node = (int) ((i / keys) % targets.size());
        inFlight.incrementAndGet();
        send(client, targets.get(node), basic.get(k), body, tailTally).onComplete(x -> inFlight.decrementAndGet());
      }
    });
    // ... and at t = 0 the cold-start herd: every key's first requests, all at once, spread over the nodes
    List<Future<?>> herdDone = new ArrayList<>();
    int n = 0;
    for (int k = 0; k < keys; k++) {
      for (int h = 0; h < herd; h++) {
        herdDone.add(send(client, targets.get(n++ % targets.size()), basic.get(k), body, herdTally));
      }
    }
    Future.join(herdDone).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    long herdMillis = System.currentTimeMillis() - start;

    long left = start + durationMillis - System.currentTimeMillis();
    if (left > 0) {
      Thread.sleep(left);
    }
    vertx.cancelTimer(timer);
    long waitUntil = System.currentTimeMillis() + 30_000;
    while (inFlight.get() > 0 && System.currentTimeMillis() < waitUntil) {
      Thread.sleep(50);
    }
    double seconds = (System.currentTimeMillis() - start) / 1000.0;

    JsonObject stats = getJson(client, idp + "/stats");
    JsonObject issued = stats.getJsonObject("issuedByClient", new JsonObject());
    JsonObject issuedAt = stats.getJsonObject("issuedAtByClient", new JsonObject());
    int[] calls = new int[keys];
    long[][] times = new long[keys][];
    for (int k = 0; k < keys; k++) {
      calls[k] = issued.getInteger(prefix + "-" + k, 0);
      times[k] = Generations.millis(issuedAt.getJsonArray(prefix + "-" + k));
    }
    JsonObject upstream = callsPerKey(calls, times, seconds, lifetime);
    client.close();
    return new JsonObject()
        .put("system", system)
        .put("nodes", targets.size())
        .put("keys", keys)
        .put("herd_per_key", herd)
        .put("herd_requests", keys * herd)
        .put("herd_millis", herdMillis)
        .put("tail_rps", rps)
        .put("lifetime_seconds", lifetime)
        .put("duration_seconds", Math.round(seconds * 10) / 10.0)
        .put("refresh_fraction", fraction)
        .put("warmup_requests", warmup)
        .put("warmup_answers", warmTally.toJson())
        .put("herd_answers", herdTally.toJson())
        .put("tail_answers", tailTally.toJson())
        .put("upstream", upstream)
        .put("idp_throttled", stats.getInteger("throttled", 0))
        .put("idp_token_requests", stats.getInteger("tokenRequests", 0));
  }

  /**
   * The per-key figures of a run of {@code seconds}.
   *
   * @param calls tokens the IdP issued per key ({@code issuedByClient})
   * @param issuedAt when the IdP issued each of them, per key ({@code issuedAtByClient})
   * @param seconds the run's duration
   * @param lifetime the tokens' lifetime in seconds
   */
  static JsonObject callsPerKey(int[] calls, long[][] issuedAt, double seconds, int lifetime) {
    double sum = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    JsonArray all = new JsonArray();
    JsonArray duplicatesPerKey = new JsonArray();
    List<Generations.Key> generations = new ArrayList<>();
    boolean complete = true;
    for (int k = 0; k < calls.length; k++) {
      int c = calls[k];
      sum += c;
      min = Math.min(min, c);
      max = Math.max(max, c);
      all.add(c);
      Generations.Key key = Generations.of(issuedAt[k], lifetime * 1000L);
      complete &= key.calls() == c;
      generations.add(key);
      duplicatesPerKey.add(key.duplicates());
    }
    Generations.Summary g = Generations.summarize(generations);
    double mean = calls.length == 0 ? 0 : sum / calls.length;
    double lifetimesCovered = seconds / lifetime;
    return new JsonObject()
        .put("calls_total", (long) sum)
        .put("calls_per_key_mean", round(mean))
        .put("calls_per_key_min", calls.length == 0 ? 0 : min)
        .put("calls_per_key_max", max)
        .put("lifetimes_covered", round(lifetimesCovered))
        .put("calls_per_key_per_lifetime", round(mean / lifetimesCovered))
        .put("duplicate_calls", g.duplicates())
        .put("keys_with_duplicate_calls", g.keysWithDuplicates())
        .put("generations_per_key_mean", round(g.keys() == 0 ? 0 : (double) (g.calls() - g.duplicates()) / g.keys()))
        .put("calls_per_key_per_generation", round(g.callsPerGenerationMean()))
        .put("calls_per_key_per_generation_max", round(g.callsPerGenerationMax()))
        .put("issue_times_complete", complete)
        .put("calls_per_key", all)
        .put("duplicate_calls_per_key", duplicatesPerKey);
  }

  /** The nearest-rank percentile of sorted nanoseconds, in milliseconds. */
  static double percentile(long[] sortedNanos, double p) {
    int rank = (int) Math.ceil(p / 100 * sortedNanos.length);
    return Math.round(sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e4) / 100.0;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** One request; its future always completes, at the latest after {@link #REQUEST_TIMEOUT_MS} (counted as "timeout"). */
  private static Future<Void> send(HttpClient client, String target, String authorization, Buffer body, Tally tally) {
    long sent = System.nanoTime();
    Promise<Void> done = Promise.promise();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target + "/oauth2/token")
        .putHeader("Content-Type", "application/x-www-form-urlencoded").putHeader("Authorization", authorization)
        .setConnectTimeout(5_000).setIdleTimeout(REQUEST_TIMEOUT_MS);
    client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          if (done.tryComplete()) {
            tally.add(resp.statusCode(), resp.getHeader("X-Token-Cache"));
            tally.latency(System.nanoTime() - sent);
          }
          return (Void) null;
        }))
        .onFailure(err -> {
          if (done.tryComplete()) {
            tally.add(-1, err.getClass().getSimpleName());
          }
        });
    TIMER.schedule(() -> {
      if (done.tryComplete()) {
        tally.add(-1, "timeout");
      }
    }, REQUEST_TIMEOUT_MS + 1000, TimeUnit.MILLISECONDS);
    return done.future();
  }

  static final long REQUEST_TIMEOUT_MS = 10_000;
  private static final java.util.concurrent.ScheduledExecutorService TIMER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herd-timeouts");
        t.setDaemon(true);
        return t;
      });

  private static JsonObject getJson(HttpClient client, String url) throws Exception {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
        .compose(req -> req.send().compose(resp -> resp.body()))
        .map(Buffer::toJsonObject)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Answers by status and by cache status. */
  static final class Tally {
    private final Map<String, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> byCache = new ConcurrentHashMap<>();
    private final java.util.Queue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();

    void latency(long nanos) {
      latencies.add(nanos);
    }

    void add(int status, String cache) {
      byStatus.computeIfAbsent(status < 0 ? "error" : Integer.toString(status), s -> new AtomicInteger())
          .incrementAndGet();
      byCache.computeIfAbsent(cache == null ? "-" : cache, s -> new AtomicInteger()).incrementAndGet();
    }

    JsonObject toJson() {
      JsonObject status = new JsonObject();
      new TreeMap<>(byStatus).forEach((k, v) -> status.put(k, v.get()));
      JsonObject cache = new JsonObject();
      new TreeMap<>(byCache).forEach((k, v) -> cache.put(k, v.get()));
      JsonObject out = new JsonObject().put("status", status).put("cache", cache);
      long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      if (l.length > 0) {
        out.put("latency_ms", new JsonObject()
            .put("p50", percentile(l, 50)).put("p99", percentile(l, 99)).put("max", l[l.length - 1] / 1e6));
      }
      return out;
    }
  }
}
