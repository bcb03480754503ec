package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
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
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What every scenario shares: parameters from system properties, the orchestrated cluster (started
 * in {@link #before()}, stopped in {@link #after()}), the HTTP protocol, the run's request figures,
 * the standard assertions and verdicts, and the report files.
 *
 * <p>Common parameters (each can be given plain, {@code -Dmembers=1}, or for one scenario only,
 * {@code -Dherd.members=1}): {@code members}, {@code schedule}, {@code quotaRps},
 * {@code serverQuotaRps}, {@code lifetimeSeconds}, {@code idpLatencyMs}, {@code keys},
 * {@code serverJvmArgs}, {@code maxFailed}, {@code p95Ms}, {@code p99Ms}, {@code readyTimeoutSeconds},
 * {@code rampInSeconds} (10: the rate ramps up from 1/s over the first seconds of a phase),
 * {@code idp} ({@code process}: the fake IdP runs from {@code fake-idp.jar} in its own JVM, an
 * observer unaffected by the load generator's pauses; {@code in-process}: inside the Gatling JVM).
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
    this.harness = new HarnessOptions()
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
        .setReadyTimeout(Duration.ofSeconds(params.intValue("readyTimeoutSeconds", 120, 5, 600)));
    String idpMode = params.stringValue("idp", "process");
    if (idpMode.equals("process")) {
      Path idpJar = Path.of(System.getProperty("loadtest.idpJar", "target/fake-idp.jar"));
      if (!Files.isRegularFile(idpJar)) {
        throw new IllegalStateException("fake IdP jar not found at " + idpJar.toAbsolutePath()
            + ": build it with `mvn -B -q -pl loadtest -DskipTests package`, or run with -Didp=in-process");
      }
      harness.setIdpJar(idpJar);
    } else if (!idpMode.equals("in-process")) {
      throw new IllegalArgumentException("idp must be process or in-process, was " + idpMode);
    }
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

  @Override
  public void after() {
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
    System.out.println(report.consoleSummary());
    System.out.println("[harness] summary: " + reportDir.resolve(RunReport.SUMMARY));
    System.out.println("[harness] chart:   " + (summary.containsKey("chart_error")
        ? "not drawn: " + summary.getString("chart_error") : reportDir.resolve(RunReport.CHART)));
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
