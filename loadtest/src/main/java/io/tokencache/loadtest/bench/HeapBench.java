package io.tokencache.loadtest.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap per cached token: fills a running token-cache server (its own JVM, a one-member cluster, encryption
 * and metrics on) with {@code --tokens} distinct tokens, one client id each, and compares its live heap
 * before and after, as {@code jcmd <pid> GC.class_histogram} reports it (a full GC first, live objects only).
 *
 * <p>Two figures: after the fill (every token fetched once: a miss each), and after one more request per
 * token (a hit each, which also fills the member's near cache, the steady state of a serving member). The
 * classes that grew most show what a token costs; the token string itself (a Latin-1 {@code String} of the
 * token's length) is reported apart so the overhead net of it shows.
 *
 * <p>The server's process is measured from outside so the figure is the real server's, as deployed.
 */
public final class HeapBench {

  private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern ENTRIES = Pattern.compile("(?m)^token_cache_entries(?:\\{[^}]*})?\\s+([0-9.eE+]+)");

  private HeapBench() {}

  /**
   * Entry point.
   *
   * @param args {@code --server BASE_URL --pid PID --tokens 100000 --concurrency 64 --prefix heap --out FILE
   *     [--histograms DIR] [--jcmd jcmd]}
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Cli()).execute(args));
  }

  @Command(name = "HeapBench", mixinStandardHelpOptions = true,
      description = "Heap per cached token of a running server, from class histograms before and after a fill.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--server", required = true, description = "the server's base URL")
    String server;
    @Option(names = "--pid", required = true, description = "the server's pid, for jcmd")
    long pid;
    @Option(names = "--tokens", description = "tokens to fill (default ${DEFAULT-VALUE})")
    int tokens = 100_000;
    @Option(names = "--concurrency", description = "requests in flight (default ${DEFAULT-VALUE})")
    int concurrency = 64;
    @Option(names = "--prefix", description = "client id prefix (default ${DEFAULT-VALUE})")
    String prefix = "heap";
    @Option(names = "--out", required = true)
    Path out;
    @Option(names = "--histograms", description = "where the histograms go (default: beside --out)")
    Path histograms;
    @Option(names = "--jcmd", description = "the jcmd command (default ${DEFAULT-VALUE})")
    String jcmd = "jcmd";

    @Override
    public Integer call() throws Exception {
      run(server, pid, tokens, concurrency, prefix, out,
          histograms != null ? histograms : out.toAbsolutePath().getParent(), jcmd);
      return 0;
    }
  }

  private static void run(String server, long pid, int tokens, int concurrency, String prefix, Path out,
      Path histograms, String jcmd) throws Exception {
    Files.createDirectories(histograms);

    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    try {
      // warm-up on other client ids: class loading, JIT, pools, so the baseline is a serving server's
      Pass warm = pass(client, server, prefix + "-warm", 2000, concurrency);
      ClassHistogram.parse(histogram(jcmd, pid));
      String baselineText = histogram(jcmd, pid);
      ClassHistogram baseline = ClassHistogram.parse(baselineText);
      Files.writeString(histograms.resolve("histogram-before.txt"), baselineText);

      long t0 = System.nanoTime();
      Pass fill = pass(client, server, prefix, tokens, concurrency);
      double fillSeconds = (System.nanoTime() - t0) / 1e9;
      String afterFillText = histogram(jcmd, pid);
      ClassHistogram afterFill = ClassHistogram.parse(afterFillText);
      Files.writeString(histograms.resolve("histogram-after-fill.txt"), afterFillText);

      Pass read = pass(client, server, prefix, tokens, concurrency);
      String afterReadText = histogram(jcmd, pid);
      ClassHistogram afterRead = ClassHistogram.parse(afterReadText);
      Files.writeString(histograms.resolve("histogram-after-hits.txt"), afterReadText);

      String metrics = get(client, server + "/metrics");
      Matcher m = ENTRIES.matcher(metrics == null ? "" : metrics);
      double entries = m.find() ? Double.parseDouble(m.group(1)) : -1;

      int tokenLength = fill.tokenLength;
      long tokenString = stringBytes(tokenLength);
      JsonObject result = new JsonObject()
          .put("tokens", tokens)
          .put("entries_reported", entries)
          .put("token_chars", tokenLength)
          .put("response_body_bytes", fill.bodyLength)
          .put("token_string_bytes", tokenString)
          .put("fill_seconds", Math.round(fillSeconds * 10) / 10.0)
          .put("warmup", warm.toJson())
          .put("fill", fill.toJson())
          .put("hits", read.toJson())
          .put("heap_before_bytes", baseline.totalBytes())
          .put("after_fill", figures(baseline, afterFill, tokens, tokenString))
          .put("after_hits", figures(baseline, afterRead, tokens, tokenString));
      Files.writeString(out, result.encodePrettily());
      JsonObject h = result.getJsonObject("after_hits");
      System.out.printf("heap per token: %.0f B after fill, %.0f B after a hit on each (near cache filled); "
              + "token string %d B; net of it %.0f B%n", result.getJsonObject("after_fill").getDouble("bytes_per_token"),
          h.getDouble("bytes_per_token"), tokenString, h.getDouble("bytes_per_token_net_of_token_string"));
    } finally {
      client.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static JsonObject figures(ClassHistogram before, ClassHistogram after, int tokens, long tokenString) {
    double perToken = (after.totalBytes() - before.totalBytes()) / (double) tokens;
    return new JsonObject()
        .put("heap_bytes", after.totalBytes())
        .put("growth_bytes", after.totalBytes() - before.totalBytes())
        .put("bytes_per_token", Math.round(perToken * 10) / 10.0)
        .put("bytes_per_token_net_of_token_string", Math.round((perToken - tokenString) * 10) / 10.0)
        .put("top_classes", after.growthSince(before, tokens, 15));
  }

  /** A Latin-1 {@code String} of {@code chars} characters with compressed oops: 24 B + a byte[] of 16 B + chars. */
  static long stringBytes(int chars) {
    return 24 + ((16 + chars + 7) / 8) * 8L;
  }

  static String histogram(String jcmd, long pid) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " GC.class_histogram failed: " + text);
    }
    return text;
  }

  /** One request per client id {@code <prefix>-<i>}, {@code concurrency} in flight. */
  static Pass pass(HttpClient client, String server, String prefix, int count, int concurrency) throws Exception {
    Pass pass = new Pass();
    AtomicInteger next = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(concurrency);
    Buffer body = Buffer.buffer("grant_type=client_credentials&scope=orders%3Aread");
    for (int c = 0; c < concurrency; c++) {
      chain(client, server, prefix, count, next, body, pass, running, done);
    }
    done.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
    return pass;
  }

  private static void chain(HttpClient client, String server, String prefix, int count, AtomicInteger next,
      Buffer body, Pass pass, AtomicInteger running, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= count) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    String id = prefix + "-" + i;
    String auth = "Basic " + Base64.getEncoder().encodeToString((id + ":" + id + "-secret").getBytes(StandardCharsets.UTF_8));
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(server + "/oauth2/token")
            .putHeader("Content-Type", "application/x-www-form-urlencoded").putHeader("Authorization", auth)
            .setTimeout(60_000))
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          pass.record(resp.statusCode(), resp.getHeader("X-Token-Cache"), b);
          return (Void) null;
        }))
        .recover(err -> {
          pass.record(-1, null, null);
          return Future.succeededFuture();
        })
        .onComplete(x -> chain(client, server, prefix, count, next, body, pass, running, done));
  }

  private static String get(HttpClient client, String url) {
    try {
      return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
          .compose(req -> req.send().compose(resp -> resp.statusCode() == 200 ? resp.body() : Future.succeededFuture(null)))
          .map(b -> b == null ? null : b.toString())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  /** The answers of one pass. */
  static final class Pass {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final Map<String, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> byCache = new ConcurrentHashMap<>();
    volatile int tokenLength;
    volatile int bodyLength;

    void record(int status, String cache, Buffer body) {
      byStatus.computeIfAbsent(status < 0 ? "error" : Integer.toString(status), s -> new AtomicInteger())
          .incrementAndGet();
      byCache.computeIfAbsent(cache == null ? "-" : cache, s -> new AtomicInteger()).incrementAndGet();
      if (status == 200) {
        ok.incrementAndGet();
        if (tokenLength == 0 && body != null) {
          Matcher m = ACCESS_TOKEN.matcher(body.toString(StandardCharsets.UTF_8));
          if (m.find()) {
            bodyLength = body.length();
            tokenLength = m.group(1).length();
          }
        }
      } else {
        failed.incrementAndGet();
      }
    }

    JsonObject toJson() {
      JsonObject status = new JsonObject();
      new TreeMap<>(byStatus).forEach((k, v) -> status.put(k, v.get()));
      JsonObject cache = new JsonObject();
      new TreeMap<>(byCache).forEach((k, v) -> cache.put(k, v.get()));
      return new JsonObject().put("ok", ok.get()).put("failed", failed.get())
          .put("answers", new JsonObject().put("status", status).put("cache", cache));
    }
  }
}
