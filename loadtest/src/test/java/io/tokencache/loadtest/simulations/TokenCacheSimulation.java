package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.tokencache.loadtest.harness.ClassPreloader;
import io.tokencache.loadtest.harness.ClusterOrchestrator;
import io.tokencache.loadtest.harness.Generations;
import io.tokencache.loadtest.harness.HarnessOptions;
import io.tokencache.loadtest.harness.KeySpace;
import io.tokencache.loadtest.harness.MembershipSchedule;
import io.tokencache.loadtest.harness.Params;
import io.tokencache.loadtest.harness.RequestStats;
import io.tokencache.loadtest.harness.RunReport;
import io.tokencache.loadtest.harness.VerdictEndpoint;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every scenario shares: parameters from system properties, the orchestrated cluster (started
 * in {@link #before()}, stopped once the load is over), the HTTP protocol, the run's request figures,
 * the standard assertions and verdicts, and the report files.
 *
 * <p>Gatling's report shows only request statistics, so the verdicts reach it as requests: once every load
 * population is done ({@link #withVerdicts}), one virtual user stops the cluster, judges the run, writes the
 * report files and then requests each verdict ({@code verdicts} group, one request per verdict, KO with the
 * figure as its error message when it does not hold) and each key figure ({@code figures} group, always OK,
 * the figure in the request's name, the chart's path last) from a {@link VerdictEndpoint}; the assertions
 * require that no request in the {@code verdicts} group failed.
 *
 * <p>Common parameters (each can be given plain, {@code -Dmembers=1}, or for one scenario only,
 * {@code -Dherd.members=1}): {@code members}, {@code schedule}, {@code quotaRps},
 * {@code serverQuotaRps}, {@code lifetimeSeconds}, {@code idpLatencyMs}, {@code keys},
 * {@code serverJvmArgs}, {@code maxFailed}, {@code p95Ms}, {@code p99Ms}, {@code readyTimeoutSeconds},
 * {@code rampInSeconds} (10: the rate ramps up from 1/s over the first seconds of a phase). The fake IdP
 * runs from {@code fake-idp.jar} in its own JVM, an observer unaffected by the load generator's pauses.
 */
public abstract class TokenCacheSimulation extends Simulation {

  static {
    // Before anything else: a concurrent rebuild of loadtest/target must not pull classes away mid-run.
    ClassPreloader.preload(ClusterOrchestrator.class, TokenCacheSimulation.class);
  }

  /** A scenario's defaults for the common parameters. */
  protected record Defaults(int members, String schedule, double quotaRps, int lifetimeSeconds, int idpLatencyMs,
      int keys, int p95Ms, int p99Ms) {}

  protected final String scenario;
  protected final Params params;
  protected final RequestStats stats = new RequestStats();
  protected final HarnessOptions harness;
  protected final ClusterOrchestrator cluster;
  protected final KeySpace keys;
  protected final HttpProtocolBuilder httpProtocol;
  protected final long maxFailed;
  protected final int p95Ms;
  protected final int p99Ms;
  protected final long lifetimeSeconds;
  protected final int rampInSeconds;
  private final Path reportDir;

  /** The group of the verdict requests in Gatling's report. */
  static final String VERDICTS = "verdicts";
  /** The group of the figure requests. */
  static final String FIGURES = "figures";
  /** The verdicts {@link RunReport#standardVerdicts(long)} records, asserted by name. */
  static final List<String> STANDARD_VERDICTS = List.of("no_upstream_429", "upstream_rps_within_quota",
      "failed_requests_within_limit", "harness_ok");
  /** Load populations still running; the last one done judges the run. */
  private final AtomicInteger loadPopulations = new AtomicInteger();
  /** The run's evaluation: cluster stopped, verdicts judged, report written; null until it starts. */
  private volatile CompletableFuture<Evaluation> evaluation;

  /** A judged run: its report and summary, and the endpoint serving its verdicts (null if it could not start). */
  private record Evaluation(RunReport report, JsonObject summary, VerdictEndpoint endpoint) {}

  protected TokenCacheSimulation(String scenario, Defaults defaults) {
    this.scenario = scenario;
    this.params = Params.fromSystemProperties(scenario);
    Path reportsRoot = Path.of(System.getProperty("loadtest.reportsDir", "target/reports"));
    this.reportDir = reportsRoot.resolve(scenario).toAbsolutePath();
    int members = params.intValue("members", defaults.members(), 1, 16);
    MembershipSchedule schedule = MembershipSchedule.parse(params.stringValue("schedule", defaults.schedule()));
    double quota = params.doubleValue("quotaRps", defaults.quotaRps(), 0.1, 100_000);
    double serverQuota = params.doubleValue("serverQuotaRps", quota, 0.1, 100_000);
    this.lifetimeSeconds = params.intValue("lifetimeSeconds", defaults.lifetimeSeconds(), 1, 86_400);
    Path idpJar = Path.of(System.getProperty("loadtest.idpJar", "../fake-idp/target/fake-idp.jar"));
    if (!Files.isRegularFile(idpJar)) {
      throw new IllegalStateException("fake IdP jar not found at " + idpJar.toAbsolutePath()
          + ": build it with `mvn -B -q -pl fake-idp -DskipTests package`");
    }
    this.harness = HarnessOptions.builder()
        .setScenario(scenario)
        .setReportDir(reportDir)
        .setServerJar(Path.of(System.getProperty("loadtest.serverJar", "../server/target/token-cache-server.jar")))
        .setInitialMembers(members)
        .setSchedule(schedule)
        .setQuotaRps(quota)
        .setServerQuotaRps(serverQuota)
        .setTokenLifetime(Duration.ofSeconds(lifetimeSeconds))
        .setIdpLatency(Duration.ofMillis(params.intValue("idpLatencyMs", defaults.idpLatencyMs(), 0, 60_000)))
        .setServerJvmArgs(Arrays.asList(params.stringValue("serverJvmArgs",
            String.join(" ", HarnessOptions.DEFAULT_SERVER_JVM_ARGS)).trim().split("\\s+")))
        .setReadyTimeout(Duration.ofSeconds(params.intValue("readyTimeoutSeconds", 120, 5, 600)))
        .setIdpJar(idpJar)
        .build();
    this.cluster = ClusterOrchestrator.create(harness);
    this.keys = new KeySpace("lt-" + scenario, params.intValue("keys", defaults.keys(), 1, 100_000),
        KeySpace.DEFAULT_SCOPES);
    this.maxFailed = params.intValue("maxFailed", 0, 0, Integer.MAX_VALUE);
    this.p95Ms = params.intValue("p95Ms", defaults.p95Ms(), 1, 600_000);
    this.p99Ms = params.intValue("p99Ms", defaults.p99Ms(), 1, 600_000);
    this.rampInSeconds = params.intValue("rampInSeconds", 10, 0, 3600);
    this.httpProtocol = http
        .shareConnections()
        .disableWarmUp()
        .disableCaching()
        .disableFollowRedirect()
        .acceptHeader("application/json")
        .userAgentHeader("token-cache-loadtest/" + scenario);
  }

  /**
   * The assertions every scenario makes: no more than {@code maxFailed} failed requests, and
   * response-time percentiles under {@code p95Ms} / {@code p99Ms}.
   *
   * @param latencyOf the request names whose response times are asserted; none: all requests
   *     (a scenario excludes requests whose slowness is the point, like an attacker's)
   * @return the assertions
   */
  protected List<Assertion> standardAssertions(String... latencyOf) {
    List<Assertion> assertions = new ArrayList<>();
    // The run's verdicts, as requested at its end (withVerdicts): the standard ones by name, then all of them.
    for (String verdict : STANDARD_VERDICTS) {
      assertions.add(details(VERDICTS, verdict).failedRequests().count().is(0L));
    }
    assertions.add(details(VERDICTS).failedRequests().count().is(0L));
    assertions.add(global().failedRequests().count().lte(maxFailed));
    if (latencyOf.length == 0) {
      assertions.add(global().responseTime().percentile(95.0).lt(p95Ms));
      assertions.add(global().responseTime().percentile(99.0).lt(p99Ms));
    }
    for (String name : latencyOf) {
      assertions.add(details(name).responseTime().percentile(95.0).lt(p95Ms));
      assertions.add(details(name).responseTime().percentile(99.0).lt(p99Ms));
    }
    return assertions;
  }

  /**
   * Arrivals at {@code rate} per second for {@code seconds}, the first {@code rampInSeconds} of them
   * ramping up from 1/s: servers that just started (cold JIT) get a few seconds before the full rate.
   *
   * @param rate arrivals per second
   * @param seconds the phase's whole length, ramp included
   * @return the injection steps
   */
  protected OpenInjectionStep[] atRate(double rate, long seconds) {
    long ramp = Math.min(rampInSeconds, Math.max(0, seconds - 1));
    if (ramp == 0) {
      return new OpenInjectionStep[] {constantUsersPerSec(rate).during(Duration.ofSeconds(Math.max(1, seconds)))};
    }
    return new OpenInjectionStep[] {
        rampUsersPerSec(1).to(rate).during(Duration.ofSeconds(ramp)),
        constantUsersPerSec(rate).during(Duration.ofSeconds(seconds - ramp))};
  }

  /** @return milliseconds since the load started (0 before it started) */
  protected long elapsedMillis() {
    long start = cluster.loadStartMillis();
    return start == 0 ? 0 : System.currentTimeMillis() - start;
  }

  @Override
  public void before() {
    System.out.printf("[harness] scenario %s, parameters %s%n", scenario, params.effective().encode());
    try {
      cluster.start();
    } catch (RuntimeException e) {
      writeFailure("the cluster did not start: " + e.getMessage());
      throw e;
    }
  }

  /**
   * The load populations, each followed by a one-user population that, when it is the last to run (every load
   * population is then done), judges the run and requests its verdicts and figures, so that Gatling's report
   * shows them (see the class comment).
   *
   * @param load the scenario's populations
   * @return the populations to give {@code setUp}
   */
  protected List<PopulationBuilder> withVerdicts(PopulationBuilder... load) {
    return withVerdicts(Arrays.asList(load));
  }

  /**
   * @param load the scenario's populations
   * @return the populations to give {@code setUp}
   * @see #withVerdicts(PopulationBuilder...)
   */
  protected List<PopulationBuilder> withVerdicts(List<PopulationBuilder> load) {
    loadPopulations.set(load.size());
    List<PopulationBuilder> all = new ArrayList<>();
    for (int i = 0; i < load.size(); i++) {
      all.add(load.get(i).andThen(scenario(load.size() == 1 ? "verdicts" : "verdicts " + (i + 1))
          .exec(session -> session.set("last", loadPopulations.decrementAndGet() == 0))
          .exec(doIf(session -> session.getBoolean("last")).then(requestVerdicts()))
          .injectOpen(atOnceUsers(1))
          .protocols(httpProtocol)));
    }
    return all;
  }

  private ChainBuilder requestVerdicts() {
    return exec(session -> {
      startEvaluation();
      return session;
    })
        // Stopping the members takes seconds: waited for here, off Gatling's threads.
        .asLongAs(session -> !evaluation.isDone()).on(pause(Duration.ofMillis(200)))
        .exec(group(VERDICTS).on(repeat(session -> endpoint() == null ? 0 : endpoint().verdicts().size(), "v").on(
            http(session -> endpoint().verdicts().get(session.getInt("v")).name())
                .get(session -> endpoint().verdictUrl(session.getInt("v")))
                .check(bodyString().is(VerdictEndpoint.HOLDS)))))
        .exec(group(FIGURES).on(repeat(session -> endpoint() == null ? 0 : endpoint().figures().size(), "f").on(
            http(session -> endpoint().figures().get(session.getInt("f")))
                .get(session -> endpoint().figureUrl(session.getInt("f")))
                .check(bodyString().is(VerdictEndpoint.HOLDS)))));
  }

  private VerdictEndpoint endpoint() {
    CompletableFuture<Evaluation> done = evaluation;
    return done == null || !done.isDone() || done.isCompletedExceptionally() ? null : done.join().endpoint();
  }

  /** Starts the evaluation once, on a thread of its own. */
  private synchronized CompletableFuture<Evaluation> startEvaluation() {
    if (evaluation == null) {
      evaluation = CompletableFuture.supplyAsync(this::evaluate, runnable -> {
        Thread thread = new Thread(runnable, "evaluation-" + scenario);
        thread.setDaemon(true);
        thread.start();
      });
    }
    return evaluation;
  }

  private Evaluation evaluate() {
    RunReport report;
    try {
      report = new RunReport(cluster.stop(), stats)
          .simulation(getClass().getName())
          .parameters(params.effective())
          .standardVerdicts(maxFailed);
      verdicts(report);
    } catch (RuntimeException e) {
      cluster.close();
      writeFailure("the run could not be evaluated: " + e);
      throw e;
    }
    JsonObject summary = report.write(reportDir);
    List<String> figures = new ArrayList<>(report.figureLines());
    figures.add("chart: " + (summary.containsKey("chart_error") ? "not drawn: " + summary.getString("chart_error")
        : reportDir.resolve(RunReport.CHART)));
    figures.add("summary: " + reportDir.resolve(RunReport.SUMMARY));
    VerdictEndpoint endpoint = null;
    try {
      endpoint = VerdictEndpoint.start(report.verdictLines(), figures);
    } catch (IOException e) {
      System.err.println("[harness] cannot serve the verdicts to Gatling: " + e);
    }
    return new Evaluation(report, summary, endpoint);
  }

  @Override
  public void after() {
    // Normally done by the last verdicts user; here when the run ended before it (maxDuration, a crash).
    Evaluation done;
    try {
      done = startEvaluation().get(harness.getStopTimeout().toSeconds() + 120, TimeUnit.SECONDS);
    } catch (Exception e) {
      cluster.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw cause instanceof RuntimeException runtime ? runtime
          : new IllegalStateException("the run could not be evaluated: " + cause, cause);
    }
    if (done.endpoint() != null) {
      done.endpoint().close();
    }
    System.out.println(done.report().consoleSummary());
    System.out.println("[harness] summary: " + reportDir.resolve(RunReport.SUMMARY));
    System.out.println("[harness] chart:   " + (done.summary().containsKey("chart_error")
        ? "not drawn: " + done.summary().getString("chart_error") : reportDir.resolve(RunReport.CHART)));
  }

  /**
   * Adds the scenario's own figures and verdicts.
   *
   * @param report the run's report, with the standard verdicts in
   */
  protected abstract void verdicts(RunReport report);

  /**
   * Verdict on invariant 1 over token generations: no key's token generation was fetched twice, cluster-wide.
   * Counted from the IdP's record of when it issued each key's tokens ({@code issuedAtByClient}): a fetch less
   * than half a lifetime after the key's previous fetch is a duplicate (a refresh comes at least
   * {@code refreshAheadFraction - 0.05} of a lifetime after the previous token was issued: the refresh point is
   * jittered up to 5% of the lifetime earlier; see {@link Generations}). The verdict holds when keys were used,
   * the IdP recorded an issue time for every token it counted for them, and there is no duplicate. The number of
   * refresh cycles a key may see ({@code refresh_cycles_allowed_per_key}, with the jittered earliest refresh
   * point) is reported, not judged.
   *
   * @param report the run's report
   * @param loadSeconds how long the keys were requested
   */
  protected void generationVerdict(RunReport report, double loadSeconds) {
    double fraction = params.doubleValue("refreshAheadFraction", 0.75, 0.01, 0.99);
    RunReport.KeyCalls calls = report.keyCalls(keys);
    RunReport.KeyGenerations generations = report.keyGenerations(keys, lifetimeSeconds * 1000);
    Generations.Summary g = generations.summary();
    double lifetimes = loadSeconds / lifetimeSeconds;
    if (!generations.complete()) {
      report.note("the IdP recorded fewer issue times (issuedAtByClient) than tokens issued (issuedByClient) for"
          + " the used keys: duplicates cannot be counted");
    }
    report.put("keys_used", calls.keys())
        .put("token_lifetime_seconds", lifetimeSeconds)
        .put("lifetimes_covered", round(lifetimes))
        .put("upstream_calls_per_key_mean", round(calls.mean()))
        .put("upstream_calls_per_key_max", calls.max())
        .put("upstream_calls_per_key_per_lifetime", round(lifetimes <= 0 ? 0 : calls.mean() / lifetimes))
        .put("upstream_calls_per_key_per_lifetime_max", round(lifetimes <= 0 ? 0 : calls.max() / lifetimes))
        .put("upstream_duplicate_calls", g.duplicates())
        .put("keys_with_duplicate_calls", g.keysWithDuplicates())
        .put("upstream_calls_per_key_per_generation", round(g.callsPerGenerationMean()))
        .put("upstream_calls_per_key_per_generation_max", round(g.callsPerGenerationMax()))
        .put("upstream_issue_times_complete", generations.complete())
        .put("refresh_cycles_allowed_per_key", Generations.maxCyclesWithJitter(loadSeconds, lifetimeSeconds, fraction))
        .verdict("at_most_one_upstream_call_per_key_per_token_generation",
            calls.keys() > 0 && generations.complete() && g.duplicates() == 0);
  }

  protected static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private void writeFailure(String message) {
    try {
      Files.createDirectories(reportDir);
      JsonObject summary = new JsonObject()
          .put("scenario", scenario)
          .put("simulation", getClass().getName())
          .put("passed", false)
          .put("error", message)
          .put("written_at", Instant.now().toString())
          .put("parameters", params.effective());
      Files.writeString(reportDir.resolve(RunReport.SUMMARY), summary.encodePrettily() + "\n");
    } catch (IOException | RuntimeException e) {
      System.err.println("[harness] cannot write the failure summary: " + e);
    }
  }
}
