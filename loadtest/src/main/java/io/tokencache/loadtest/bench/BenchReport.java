package io.tokencache.loadtest.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import freemarker.core.ArithmeticEngine;
import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapper;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModel;
import freemarker.template.TemplateModelException;
import freemarker.template.utility.DeepUnwrap;
import io.tokencache.loadtest.harness.ChartImage;
import io.tokencache.loadtest.harness.Generations;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a bench run's raw files ({@code loadtest/target/bench/<timestamp>/}, written by
 * {@code loadtest/bench/run.sh}) into {@code results.json}, {@code results.md} and PNG charts.
 *
 * <p>Raw files: {@code meta.properties}; {@code hit/<system>-r<round>.json} (one saturated wrk run each: closed
 * loop, the same concurrency); {@code hit/paced/<system>-r<round>.json} (one paced wrk run each: the same request
 * rate for every system, {@code target_rps}; absent in older runs);
 * {@code herd-<system>.json} and {@code herd-<system>-idp.json} ({@link HerdFigures}); {@code rollover/<kind>-w<n>.json} (one wrk window each)
 * with {@code rollover/idp-stats.json}; {@code heap/} ({@link HeapFigures}); {@code miss.txt} (ElectionCostBenchmark's output); {@code startup/startup.json}; {@code jfr.json}
 * ({@link JfrTop}). Any of them may be missing (a phase not run): its section is left out.
 */
public final class BenchReport {

  static final List<String> SYSTEMS = List.of("nginx", "token-cache", "vertx-floor");
  /** Issue 17's target (issue 9 asked 1 KiB, out of reach while a token is held encrypted in the map). */
  static final double HEAP_TARGET_BYTES = 1536;
  /** A paced round that achieved less than this share of its target rate was saturated: not at the same load. */
  static final double PACED_SHORTFALL = 0.95;

  private BenchReport() {}

  /**
   * Entry point.
   *
   * @param args {@code --dir RUN_DIR}
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Cli()).execute(args));
  }

  @Command(name = "BenchReport", mixinStandardHelpOptions = true,
      description = "Writes results.json, results.md and the charts of a bench run's folder.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "RUN_DIR", description = "the run's folder")
    Path dir;

    @Override
    public Integer call() throws IOException {
      JsonObject results = build(dir);
      Files.writeString(dir.resolve("results.json"), results.encodePrettily());
      String md = markdown(results);
      Files.writeString(dir.resolve("results.md"), md);
      charts(results, dir);
      System.out.println(md);
      return 0;
    }
  }

  static JsonObject build(Path dir) throws IOException {
    JsonObject results = new JsonObject();
    Properties meta = new Properties();
    Path metaFile = dir.resolve("meta.properties");
    if (Files.exists(metaFile)) {
      try (Reader r = Files.newBufferedReader(metaFile)) {
        meta.load(r);
      }
    }
    JsonObject run = new JsonObject();
    meta.stringPropertyNames().stream().sorted().forEach(k -> run.put(k, meta.getProperty(k)));
    results.put("run", run);
    putPresent(results, "hit", hit(dir.resolve("hit")));
    JsonObject herd = new JsonObject();
    for (String system : List.of("token-cache", "nginx")) {
      putPresent(herd, system, HerdFigures.of(dir, system));
    }
    putPresent(results, "herd", herd.isEmpty() ? null : herd);
    putPresent(results, "rollover", rollover(dir.resolve("rollover"), meta));
    putPresent(results, "heap", HeapFigures.of(dir));
    putPresent(results, "jfr", readJson(dir.resolve("jfr.json")));
    putPresent(results, "startup", readJson(dir.resolve("startup").resolve("startup.json")));
    if (Files.exists(dir.resolve("miss.txt"))) {
      // ElectionCostBenchmark's last line: BENCHJSON {...}
      Files.readAllLines(dir.resolve("miss.txt")).stream().filter(l -> l.contains("BENCHJSON {")).findFirst()
          .ifPresent(l -> results.put("miss", new JsonObject(l.substring(l.indexOf("BENCHJSON {") + 10))));
    }
    results.put("targets", targets(results));
    return results;
  }

  /** A phase's section: left out when the phase did not run. */
  private static void putPresent(JsonObject into, String name, Object value) {
    if (value != null) {
      into.put(name, value);
    }
  }

  private static JsonObject readJson(Path file) throws IOException {
    return Files.exists(file) ? new JsonObject(Files.readString(file)) : null;
  }

  // ---------------------------------------------------------------- hit

  static JsonObject hit(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    Map<String, List<JsonObject>> bySystem = runs(dir);
    JsonObject paced = paced(dir.resolve("paced"));
    if (bySystem.isEmpty() && paced == null) {
      return null;
    }
    JsonObject systems = systems(bySystem);
    JsonObject ratios = new JsonObject();
    ratios(ratios, systems, "token-cache", "nginx", "", "rps", "p50_ms", "p99_ms", "p999_ms", "cpu_us_per_request");
    ratios(ratios, systems, "token-cache", "vertx-floor", "", "rps", "p99_ms", "cpu_us_per_request");
    ratios(ratios, systems, "vertx-floor", "nginx", "", "rps");
    JsonObject hit = new JsonObject().put("systems", systems).put("ratios", ratios);
    if (paced != null) {
      hit.put("paced", paced);
    }
    return hit;
  }

  /**
   * The paced rounds ({@code hit/paced/}): every system at the same request rate, the load the p99 target means.
   * Null when the run has none (older runs).
   */
  static JsonObject paced(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    Map<String, List<JsonObject>> bySystem = runs(dir);
    if (bySystem.isEmpty()) {
      return null;
    }
    List<JsonObject> all = bySystem.values().stream().flatMap(List::stream).toList();
    // one rate for the whole run (run.sh paces every round alike); the median guards against a stray file
    double target = Stats.median(all.stream().filter(o -> o.containsKey("target_rps"))
        .map(o -> o.getDouble("target_rps")).toList());
    List<Double> connections = all.stream().filter(o -> o.containsKey("connections"))
        .map(o -> o.getDouble("connections")).toList();
    JsonObject systems = systems(bySystem);
    for (String s : systems.fieldNames()) {
      JsonObject o = systems.getJsonObject(s);
      double achieved = Stats.ratio(o.getDouble("rps"), target);
      o.put("target_rps", Stats.round(target, 0)).put("achieved_share", achieved)
          // wrk could not send at the target rate: the server (or wrk) was saturated, so this system was not
          // measured at the same load as the others
          .put("below_target", !Double.isNaN(achieved) && achieved < PACED_SHORTFALL);
    }
    JsonObject ratios = new JsonObject();
    ratios(ratios, systems, "token-cache", "nginx", "_paced", "p50_ms", "p99_ms", "p999_ms", "cpu_us_per_request");
    ratios(ratios, systems, "token-cache", "vertx-floor", "_paced", "p99_ms");
    return new JsonObject().put("target_rps", Stats.round(target, 0))
        .put("connections", connections.isEmpty() ? null : (int) Stats.median(connections))
        .put("systems", systems).put("ratios", ratios);
  }

  /**
   * Puts system {@code a}'s figure over {@code b}'s for each field, as {@code <a>_vs_<b>_<field without
   * _ms/_us>suffix} (e.g. {@code token_cache_vs_nginx_p99}; the Vert.x floor is {@code floor}); nothing when either
   * system is missing.
   */
  private static void ratios(JsonObject ratios, JsonObject systems, String system, String other, String suffix,
                             String... fields) {
    JsonObject a = systems.getJsonObject(system);
    JsonObject b = systems.getJsonObject(other);
    if (a == null || b == null) {
      return;
    }
    String prefix = (system + "_vs_" + other).replace("vertx-floor", "floor").replace('-', '_');
    for (String field : fields) {
      String name = field.replaceFirst("_ms$", "").replaceFirst("_us_per_request$", "_per_request");
      ratios.put(prefix + "_" + name + suffix, Stats.ratio(a.getDouble(field), b.getDouble(field)));
    }
  }

  /** The wrk runs of one folder ({@code <system>-r<round>.json}, as run.sh's run_wrk writes them), by system. */
  private static Map<String, List<JsonObject>> runs(Path dir) throws IOException {
    Map<String, List<JsonObject>> bySystem = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches(".+-r\\d+\\.json")).sorted().toList()) {
        JsonObject o = new JsonObject(Files.readString(f));
        if (o.getString("system") != null && o.getJsonObject("wrk") != null) {
          bySystem.computeIfAbsent(o.getString("system"), s -> new ArrayList<>()).add(o);
        }
      }
    }
    return bySystem;
  }

  /** Per system: the rounds and the medians over them. */
  private static JsonObject systems(Map<String, List<JsonObject>> bySystem) {
    JsonObject systems = new JsonObject();
    for (String system : SYSTEMS) {
      List<JsonObject> runs = bySystem.getOrDefault(system, List.of());
      if (runs.isEmpty()) {
        continue;
      }
      runs.sort((x, y) -> Integer.compare(x.getInteger("round"), y.getInteger("round")));
      JsonArray rounds = new JsonArray();
      // the rounds hold rates rounded: their medians are taken of the exact ones
      List<Double> rps = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      for (JsonObject o : runs) {
        WrkRun w = WrkRun.fromJson(o.getJsonObject("wrk"));
        rps.add(w.rps());
        double cpuPerRequest = o.containsKey("server_cpu_ms") && w.requests() > 0
            ? o.getLong("server_cpu_ms") * 1000.0 / w.requests() : Double.NaN;
        if (!Double.isNaN(cpuPerRequest)) {
          cpu.add(cpuPerRequest);
        }
        rounds.add(new JsonObject().put("round", o.getInteger("round")).put("rps", Stats.round(w.rps(), 0))
            .put("cpu_us_per_request", Stats.round(cpuPerRequest, 2))
            .put("p50_ms", w.p50Micros() / 1000.0).put("p99_ms", w.p99Micros() / 1000.0)
            .put("p999_ms", w.p999Micros() / 1000.0).put("errors", w.errors() + w.statusErrors())
            .put("load1", o.getValue("load1")));
      }
      systems.put(system, new JsonObject()
          .put("rounds", rounds)
          .put("rps", Stats.round(Stats.median(rps), 0))
          .put("p50_ms", Stats.round(median(rounds, "p50_ms"), 3))
          .put("p99_ms", Stats.round(median(rounds, "p99_ms"), 3))
          .put("p999_ms", Stats.round(median(rounds, "p999_ms"), 3))
          .put("cpu_us_per_request", Stats.round(Stats.median(cpu), 2))
          .put("errors", rounds.stream().mapToLong(x -> ((JsonObject) x).getLong("errors")).sum()));
    }
    return systems;
  }

  private static double median(JsonArray rows, String field) {
    return Stats.median(rows.stream().map(x -> ((JsonObject) x).getDouble(field)).toList());
  }

  // ---------------------------------------------------------------- roll-over

  static JsonObject rollover(Path dir, Properties meta) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    JsonObject stats = readJson(dir.resolve("idp-stats.json"));
    List<Long> issued = stats == null ? List.of()
        : Arrays.stream(Generations.millis(stats.getJsonArray("issuedAtMillis"))).boxed().toList();
    long grace = Long.parseLong(meta.getProperty("rollover.refresh_grace_ms", "500"));
    JsonArray steady = new JsonArray();
    JsonArray roll = new JsonArray();
    List<Double> steadyRps = new ArrayList<>();
    List<Double> rollRps = new ArrayList<>();
    List<JsonObject> windows = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("(steady|rollover)-w\\d+\\.json")).toList()) {
        windows.add(new JsonObject(Files.readString(f)));
      }
    }
    if (windows.isEmpty()) {
      return null;
    }
    windows.sort((x, y) -> Long.compare(x.getLong("start_ms"), y.getLong("start_ms")));
    for (JsonObject w : windows) {
      WrkRun r = WrkRun.fromJson(w.getJsonObject("wrk"));
      long start = w.getLong("start_ms");
      long end = w.getLong("end_ms");
      int refreshes = count(issued, start, end, grace);
      JsonObject row = new JsonObject().put("window", w.getInteger("window")).put("start_ms", start)
          .put("end_ms", end).put("rps", Stats.round(r.rps(), 0)).put("p50_ms", r.p50Micros() / 1000.0)
          .put("p99_ms", r.p99Micros() / 1000.0).put("p999_ms", r.p999Micros() / 1000.0)
          .put("errors", r.errors() + r.statusErrors()).put("refresh", refreshes > 0)
          .put("refreshes", refreshes);
      boolean isSteady = w.getString("kind").equals("steady");
      (isSteady ? steady : roll).add(row);
      (isSteady ? steadyRps : rollRps).add(r.rps());
    }
    List<Double> steadyP99 = p99s(steady, null);
    List<Double> refreshP99 = p99s(roll, true);
    List<Double> quietP99 = p99s(roll, false);
    double steadyMedian = Stats.median(steadyP99);
    double refreshMedian = Stats.median(refreshP99);
    double refreshMax = Stats.max(refreshP99);
    return new JsonObject()
        .put("lifetime_seconds", Integer.parseInt(meta.getProperty("rollover.lifetime", "0")))
        .put("steady_lifetime_seconds", Integer.parseInt(meta.getProperty("rollover.steady_lifetime", "0")))
        .put("window_seconds", Integer.parseInt(meta.getProperty("rollover.window", "0")))
        .put("keys", Integer.parseInt(meta.getProperty("rollover.keys", "0")))
        .put("refresh_grace_ms", grace)
        .put("steady_windows", steady)
        .put("rollover_windows", roll)
        .put("steady_rps_median", Stats.round(Stats.median(steadyRps), 0))
        .put("rollover_rps_median", Stats.round(Stats.median(rollRps), 0))
        .put("steady_p99_ms_median", Stats.round(steadyMedian, 3))
        .put("refresh_windows", refreshP99.size())
        .put("refresh_p99_ms_median", Stats.round(refreshMedian, 3))
        .put("refresh_p99_ms_max", Stats.round(refreshMax, 3))
        .put("no_refresh_p99_ms_median", Stats.round(Stats.median(quietP99), 3))
        .put("ratio_refresh_median_vs_steady", Stats.ratio(refreshMedian, steadyMedian))
        .put("ratio_refresh_median_vs_no_refresh", Stats.ratio(refreshMedian, Stats.median(quietP99)))
        .put("ratio_refresh_max_vs_steady", Stats.ratio(refreshMax, steadyMedian));
  }

  /** The p99 of each window, of those with or without a refresh when {@code refresh} is not null. */
  private static List<Double> p99s(JsonArray windows, Boolean refresh) {
    return windows.stream().map(x -> (JsonObject) x)
        .filter(w -> refresh == null || w.getBoolean("refresh").equals(refresh)).map(w -> w.getDouble("p99_ms")).toList();
  }

  /** Tokens issued from {@code grace} before the window to its end: their storing lands in the window. */
  static int count(List<Long> issued, long start, long end, long grace) {
    return (int) issued.stream().filter(t -> t >= start - grace && t <= end).count();
  }

  // ---------------------------------------------------------------- targets

  static JsonArray targets(JsonObject r) {
    JsonArray t = new JsonArray();
    JsonObject hit = r.getJsonObject("hit");
    JsonObject ratios = hit == null ? null : hit.getJsonObject("ratios");
    if (ratios != null && ratios.containsKey("token_cache_vs_nginx_rps")) {
      double v = ratios.getDouble("token_cache_vs_nginx_rps");
      t.add(target("hit throughput >= 1.0x nginx", fmt("%.2fx", v), v >= 1.0));
      double p = ratios.getDouble("token_cache_vs_nginx_p99");
      String saturated = fmt("%.2fx (%.2f ms vs %.2f ms)", p,
          hit.getJsonObject("systems").getJsonObject("token-cache").getDouble("p99_ms"),
          hit.getJsonObject("systems").getJsonObject("nginx").getDouble("p99_ms"));
      JsonObject paced = pacedPair(hit);
      if (paced == null) {
        // an older run without paced rounds: the only p99 comparison there is
        t.add(target("hit p99 <= nginx p99", saturated, p <= 1.0));
      } else {
        t.add(pacedP99Target(paced));
        // the same concurrency puts each system at its own (saturated) rate: not the target's load, but reported
        // so that nothing is hidden
        String conns = r.getJsonObject("run", new JsonObject()).getString("wrk", "");
        Matcher c = Pattern.compile("-c(\\d+)").matcher(conns);
        t.add(info("hit p99 <= nginx p99 at the same concurrency (saturated" + (c.find() ? ", -c" + c.group(1) : "")
            + ": each system at its own rate; informational)", saturated, p <= 1.0));
      }
    }
    if (ratios != null && ratios.containsKey("token_cache_vs_floor_rps")) {
      double v = ratios.getDouble("token_cache_vs_floor_rps");
      t.add(target("hit throughput >= 0.9x the Vert.x floor", fmt("%.2fx", v), v >= 0.9));
    }
    JsonObject herd = r.getJsonObject("herd");
    if (herd != null && herd.containsKey("token-cache")) {
      JsonObject u = herd.getJsonObject("token-cache").getJsonObject("upstream");
      double perLifetime = u.getDouble("calls_per_key_per_lifetime");
      t.add(target("upstream calls per key per lifetime 1.0 on 3 nodes (as written: per token lifetime)",
          fmt("%.2f (max %d calls per key over %.2f lifetimes)", perLifetime, u.getInteger("calls_per_key_max"),
              u.getDouble("lifetimes_covered")), perLifetime <= 1.0));
      if (u.containsKey("calls_per_key_per_generation")) {
        // the invariant: one fetch per key per token generation, cluster-wide (see HerdFigures, Generations)
        double perGeneration = u.getDouble("calls_per_key_per_generation");
        JsonObject ng = herd.getJsonObject("nginx");
        JsonObject ngu = ng == null ? null : ng.getJsonObject("upstream");
        String nginx = ngu == null || !ngu.containsKey("calls_per_key_per_generation") ? ""
            : fmt("; nginx's 3 independent caches: %.2f", ngu.getDouble("calls_per_key_per_generation"));
        t.add(target("upstream calls per key per token generation 1.0 on 3 nodes",
            fmt("%.2f (worst key %.2f; %d duplicate calls of %d%s)", perGeneration,
                u.getDouble("calls_per_key_per_generation_max"), u.getLong("duplicate_calls"),
                u.getLong("calls_total"), nginx), perGeneration <= 1.0));
      }
    }
    JsonObject roll = r.getJsonObject("rollover");
    if (roll != null && roll.getInteger("refresh_windows", 0) > 0) {
      // both baselines must pass: the steady run (no refresh at all) and the same run's windows without a refresh
      double v = roll.getDouble("ratio_refresh_median_vs_steady");
      double same = roll.getDouble("ratio_refresh_median_vs_no_refresh");
      t.add(target("roll-over p99 <= 1.5x steady p99",
          fmt("%.2fx vs the steady run, %.2fx vs the same run's windows without a refresh (refresh windows: median p99 "
                  + "%.2f ms over %d windows, worst %.2f ms; steady run %.2f ms; no-refresh windows %.2f ms)",
              v, same, roll.getDouble("refresh_p99_ms_median"), roll.getInteger("refresh_windows"),
              roll.getDouble("refresh_p99_ms_max"), roll.getDouble("steady_p99_ms_median"),
              roll.getDouble("no_refresh_p99_ms_median")), v <= 1.5 && same <= 1.5));
    }
    JsonObject heap = r.getJsonObject("heap");
    if (heap != null) {
      double v = heap.getJsonObject("after_hits").getDouble("bytes_per_token");
      t.add(target("<= 1.5 KiB heap per cached token", fmt("%.0f B per token (%.0f B net of the %d B token string)", v,
          heap.getJsonObject("after_hits").getDouble("bytes_per_token_net_of_token_string"),
          heap.getLong("token_string_bytes")), v <= HEAP_TARGET_BYTES));
    }
    return t;
  }

  private static JsonObject target(String name, String measured, boolean met) {
    return new JsonObject().put("target", name).put("measured", measured).put("met", met);
  }

  /** A comparison reported next to the targets, not one of them: {@code met} says how it came out. */
  private static JsonObject info(String name, String measured, boolean met) {
    return target(name, measured, met).put("informational", true);
  }

  /** The paced block when it has both token-cache and nginx, else null. */
  private static JsonObject pacedPair(JsonObject hit) {
    JsonObject paced = hit.getJsonObject("paced");
    if (paced == null) {
      return null;
    }
    JsonObject systems = paced.getJsonObject("systems");
    return systems.containsKey("token-cache") && systems.containsKey("nginx") ? paced : null;
  }

  /**
   * The p99 target as the issue writes it, "at the same load": the paced rounds. Met when token-cache's p99 is no
   * higher than nginx's and both achieved the target rate; a system that fell more than 5% short was saturated,
   * so the two were not at the same load and the target cannot be called met.
   */
  private static JsonObject pacedP99Target(JsonObject paced) {
    JsonObject systems = paced.getJsonObject("systems");
    JsonObject tc = systems.getJsonObject("token-cache");
    JsonObject ng = systems.getJsonObject("nginx");
    double target = paced.getDouble("target_rps");
    double p = paced.getJsonObject("ratios").getDouble("token_cache_vs_nginx_p99_paced");
    StringBuilder measured = new StringBuilder(fmt("%.2fx (%.2f ms vs %.2f ms; achieved %.0f vs %.0f req/s)", p,
        tc.getDouble("p99_ms"), ng.getDouble("p99_ms"), tc.getDouble("rps"), ng.getDouble("rps")));
    List<String> shortfalls = new ArrayList<>();
    for (String s : List.of("token-cache", "nginx")) {
      JsonObject o = systems.getJsonObject(s);
      if (o.getBoolean("below_target", false)) {
        shortfalls.add(fmt("%s achieved %.0f req/s, %.0f%% of the target", s, o.getDouble("rps"),
            o.getDouble("achieved_share") * 100));
      }
    }
    if (!shortfalls.isEmpty()) {
      measured.append("; **not at the same load**: ").append(String.join(", ", shortfalls))
          .append(" (saturated: more than 5% short)");
    }
    return target(fmt("hit p99 <= nginx p99 at the same load (paced, %.0f req/s)", target), measured.toString(),
        p <= 1.0 && shortfalls.isEmpty());
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  // ---------------------------------------------------------------- markdown

  /** A conversion in a {@code String.format} pattern: its letter says whether a template number is a long or a double. */
  private static final Pattern CONVERSION = Pattern.compile("%[-#+ 0,(]*\\d*(?:\\.\\d+)?([a-zA-Z%])");

  /** results.md, from the template {@code results.md.ftl} beside this class (the sections of the phases run). */
  static String markdown(JsonObject r) {
    Configuration cfg = new Configuration(Configuration.VERSION_2_3_34);
    cfg.setClassForTemplateLoading(BenchReport.class, "");
    cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
    cfg.setLogTemplateExceptions(false);
    // Java's widening, as the figures were computed in Java: a double times 100 stays a double
    cfg.setArithmeticEngine(ArithmeticEngine.CONSERVATIVE_ENGINE);
    cfg.setObjectWrapper(new DefaultObjectWrapper(Configuration.VERSION_2_3_34) {
      @Override
      public TemplateModel wrap(Object o) throws TemplateModelException {
        return super.wrap(o instanceof JsonObject j ? j.getMap() : o instanceof JsonArray a ? a.getList() : o);
      }
    });
    Map<String, Object> model = Map.of("r", r, "systems", SYSTEMS,
        "fmt", (TemplateMethodModelEx) BenchReport::templateFormat,
        "json", (TemplateMethodModelEx) args -> Json.encode(DeepUnwrap.unwrap((TemplateModel) args.get(0))),
        "sortedKeys", (TemplateMethodModelEx) args -> ((Map<?, ?>) DeepUnwrap.unwrap((TemplateModel) args.get(0)))
            .keySet().stream().map(String::valueOf).sorted().toList());
    StringWriter out = new StringWriter();
    try {
      cfg.getTemplate("results.md.ftl").process(model, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (TemplateException e) {
      throw new IllegalStateException("results.md.ftl: " + e.getMessage(), e);
    }
    return out.toString();
  }

  /**
   * {@code fmt(pattern, values...)} in the template: {@link #fmt} with each number converted as its conversion asks
   * ({@code %d} a long, {@code %f} a double), since JSON and the template hold ints, longs and doubles alike.
   */
  private static String templateFormat(List<?> args) throws TemplateModelException {
    String pattern = DeepUnwrap.unwrap((TemplateModel) args.get(0)).toString();
    Object[] values = new Object[args.size() - 1];
    Matcher m = CONVERSION.matcher(pattern);
    for (int i = 0; i < values.length && m.find(); ) {
      if (!m.group(1).equals("%")) {
        Object v = DeepUnwrap.unwrap((TemplateModel) args.get(i + 1));
        values[i++] = v instanceof Number n ? (m.group(1).equals("d") ? (Object) n.longValue() : n.doubleValue()) : v;
      }
    }
    return fmt(pattern, values);
  }

  // ---------------------------------------------------------------- charts

  static void charts(JsonObject r, Path dir) throws IOException {
    JsonObject hit = r.getJsonObject("hit");
    String load = r.getJsonObject("run", new JsonObject()).getString("load.1-hit", "?");
    if (hit != null && !hit.getJsonObject("systems").isEmpty()) {
      JsonObject systems = hit.getJsonObject("systems");
      List<String> names = SYSTEMS.stream().filter(systems::containsKey).toList();
      List<Color> colors = names.stream().map(BenchReport::color).toList();
      Color[] barColors = colors.toArray(new Color[0]);
      ChartImage.write(Charts.bars("Cache-hit throughput, one node each", "median of alternating rounds (dots: rounds); "
              + "load before: " + load, "req/s", names, List.of(new Charts.Series("req/s", Charts.TOKEN_CACHE,
              figure(systems, names, "rps"), barColors, names.stream().map(n -> systems.getJsonObject(n)
              .getJsonArray("rounds").stream().mapToDouble(x -> ((JsonObject) x).getDouble("rps")).toArray())
              .toArray(double[][]::new))), List.of(), List.of(), 520, 360, "%.0f"), dir.resolve("hit-throughput.png"));
      ChartImage.write(Charts.bars("Server CPU per cache hit", "user + system CPU time of the server's processes / requests",
          "µs", names, List.of(new Charts.Series("µs", Charts.TOKEN_CACHE, figure(systems, names, "cpu_us_per_request"),
          barColors, null)), List.of(), List.of(), 520, 360, "%.1f"), dir.resolve("hit-cpu.png"));
      // the paced p99 (the same request rate: the target's load) as a last group, when the run has paced rounds
      JsonObject paced = hit.getJsonObject("paced");
      List<String> latGroups = new ArrayList<>(List.of("p50", "p99", "p99.9"));
      String latSubtitle = "median of rounds, same concurrency";
      if (paced != null) {
        latGroups.add(fmt("p99 paced, %.0f req/s", paced.getDouble("target_rps")));
        latSubtitle = fmt("median of rounds; p50, p99, p99.9: same concurrency (saturated); last: the same rate, "
            + "%.0f req/s each", paced.getDouble("target_rps"));
      }
      List<Charts.Series> lat = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        JsonObject o = systems.getJsonObject(names.get(i));
        JsonObject p = paced == null ? null : paced.getJsonObject("systems").getJsonObject(names.get(i));
        double[] v = {o.getDouble("p50_ms"), o.getDouble("p99_ms"), o.getDouble("p999_ms"),
            p == null ? Double.NaN : p.getDouble("p99_ms")};
        lat.add(new Charts.Series(names.get(i), colors.get(i), Arrays.copyOf(v, latGroups.size())));
      }
      ChartImage.write(Charts.bars("Cache-hit latency, one node each", latSubtitle, "ms", latGroups, lat, List.of(),
          List.of(), paced == null ? 520 : 640, 360, "%.2f"), dir.resolve("hit-latency.png"));
    }
    JsonObject herd = r.getJsonObject("herd");
    if (herd != null) {
      List<String> groups = List.of("per token lifetime", "per token generation", "per generation, worst key");
      List<Charts.Series> series = new ArrayList<>();
      for (String s : List.of("token-cache", "nginx")) {
        JsonObject h = herd.getJsonObject(s);
        if (h == null) {
          continue;
        }
        JsonObject u = h.getJsonObject("upstream");
        series.add(new Charts.Series(s + " x3", color(s), new double[] {u.getDouble("calls_per_key_per_lifetime"),
            u.getDouble("calls_per_key_per_generation", Double.NaN),
            u.getDouble("calls_per_key_per_generation_max", Double.NaN)}));
      }
      JsonObject any = herd.getJsonObject(herd.containsKey("token-cache") ? "token-cache" : "nginx");
      ChartImage.write(Charts.bars("Upstream calls per key, 3 nodes under the same herd",
          fmt("%d keys, %d first requests at once, then %d req/s for %.0f s; tokens live %d s", any.getInteger("keys"),
              any.getInteger("herd_requests"), any.getInteger("tail_rps"), any.getDouble("duration_seconds"),
              any.getInteger("lifetime_seconds")), "calls", groups, series,
          List.of(new Charts.Line("1.0", 1.0, Charts.TARGET)), List.of(), 620, 360, "%.2f"), dir.resolve("upstream-calls.png"));
    }
    JsonObject roll = r.getJsonObject("rollover");
    if (roll != null) {
      JsonArray steady = roll.getJsonArray("steady_windows");
      JsonArray rolled = roll.getJsonArray("rollover_windows");
      int n = Math.max(steady.size(), rolled.size());
      double[] s = new double[n];
      double[] v = new double[n];
      Color[] vc = new Color[n];
      List<String> groups = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        s[i] = i < steady.size() ? steady.getJsonObject(i).getDouble("p99_ms") : Double.NaN;
        v[i] = i < rolled.size() ? rolled.getJsonObject(i).getDouble("p99_ms") : Double.NaN;
        vc[i] = i < rolled.size() && rolled.getJsonObject(i).getBoolean("refresh") ? Charts.ACCENT : Charts.TOKEN_CACHE;
        groups.add(Integer.toString((i + 1) * roll.getInteger("window_seconds")));
      }
      double steadyMedian = roll.getDouble("steady_p99_ms_median");
      ChartImage.write(Charts.bars("p99 per window: steady vs token roll-over (token-cache, one node)",
          fmt("windows of %d s (x axis: seconds); roll-over run: tokens live %d s, %d keys", roll.getInteger("window_seconds"),
              roll.getInteger("lifetime_seconds"), roll.getInteger("keys")), "p99 ms", groups,
          List.of(new Charts.Series("steady (long lifetime)", Charts.FLOOR, s),
              new Charts.Series("roll-over run, no refresh", Charts.TOKEN_CACHE, v, vc, null)),
          List.of(new Charts.Line("1.5x steady median", 1.5 * steadyMedian, Charts.TARGET)),
          List.of(new Charts.Legend("roll-over run, window with a refresh", Charts.ACCENT)), 760, 360, null),
          dir.resolve("rollover-p99.png"));
    }
    JsonObject heap = r.getJsonObject("heap");
    if (heap != null) {
      JsonObject h = heap.getJsonObject("after_hits");
      List<JsonObject> top = h.getJsonArray("top_classes").stream().map(JsonObject.class::cast)
          .takeWhile(c -> c.getDouble("bytes_per_token") >= 8).limit(10).toList();
      ChartImage.write(Charts.hbars("Heap per cached token, by class",
          fmt("%d tokens, near cache filled: %.0f B per token (target 1536 B); token string %d B", heap.getInteger("tokens"),
              h.getDouble("bytes_per_token"), heap.getLong("token_string_bytes")), "B",
          top.stream().map(c -> c.getString("class")).toList(),
          top.stream().mapToDouble(c -> c.getDouble("bytes_per_token")).toArray(), Charts.TOKEN_CACHE, 760, "%.0f"),
          dir.resolve("heap-per-token.png"));
    }
  }

  /** One figure of each named system. */
  private static double[] figure(JsonObject systems, List<String> names, String field) {
    return names.stream().mapToDouble(n -> systems.getJsonObject(n).getDouble(field)).toArray();
  }

  private static Color color(String system) {
    return switch (system) {
      case "nginx" -> Charts.NGINX;
      case "token-cache" -> Charts.TOKEN_CACHE;
      default -> Charts.FLOOR;
    };
  }
}
