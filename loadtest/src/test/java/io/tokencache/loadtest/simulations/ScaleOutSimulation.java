package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.RunReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scale-out}: the project's promise. The cluster starts with one member and grows to five
 * while the arrival rate ramps tenfold over 300 keys; the IdP's quota is 10 req/s. Keys activate at
 * 5 per second (half the quota) so the first fetches alone stay under it; every member that joins
 * must take its tokens from the cluster, not from the IdP.
 *
 * <p>Timeline (defaults): 30 s at 30 req/s (the first 10 s ramping in from 1 req/s), a ramp to 300 req/s over 120 s, 30 s at 300 req/s;
 * members join at 30, 60, 90 and 120 s. Verdicts: no upstream 429, at most {@code quotaRps} upstream
 * requests in any sliding second, no failed request, the planned member count reached, and each key
 * fetched at most {@code maxCallsPerKey} (1) times (tokens outlive the run).
 *
 * <p>Parameters: the common ones, {@code startRate} (30), {@code peakRate} (300),
 * {@code warmSeconds} (30), {@code rampSeconds} (120), {@code holdSeconds} (30),
 * {@code newKeysPerSecond} (5), {@code maxCallsPerKey} (1).
 */
public class ScaleOutSimulation extends TokenCacheSimulation {

  private final int maxCallsPerKey;

  public ScaleOutSimulation() {
    super("scale-out", new Defaults(1, "30:add,60:add,90:add,120:add", 10, 600, 0, 300, 1000, 2500));
    int startRate = params.intValue("startRate", 30, 1, 10_000);
    int peakRate = params.intValue("peakRate", 300, 1, 10_000);
    int warmSeconds = params.intValue("warmSeconds", 30, 0, 3600);
    int rampSeconds = params.intValue("rampSeconds", 120, 1, 3600);
    int holdSeconds = params.intValue("holdSeconds", 30, 0, 3600);
    double newKeysPerSecond = params.doubleValue("newKeysPerSecond", 5, 0.01, 10_000);
    maxCallsPerKey = params.intValue("maxCallsPerKey", 1, 1, 1_000_000);

    ScenarioBuilder tokens = scenario("scale-out")
        .feed(keys.growing(1, newKeysPerSecond, this::elapsedMillis))
        .exec(Chains.token("token", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));

    List<OpenInjectionStep> steps = new ArrayList<>(List.of(atRate(startRate, Math.max(1, warmSeconds))));
    steps.add(rampUsersPerSec(startRate).to(peakRate).during(Duration.ofSeconds(rampSeconds)));
    steps.add(constantUsersPerSec(peakRate).during(Duration.ofSeconds(Math.max(1, holdSeconds))));
    setUp(tokens.injectOpen(steps)
        .protocols(httpProtocol))
        .assertions(standardAssertions())
        .maxDuration(Duration.ofSeconds(warmSeconds + rampSeconds + holdSeconds + 180L));
  }

  @Override
  protected void verdicts(RunReport report) {
    RunReport.KeyCalls calls = report.keyCalls(keys);
    int planned = harness.getSchedule().peakMembers(harness.getInitialMembers());
    report.put("keys_used", calls.keys())
        .put("upstream_calls_per_key_mean", round(calls.mean()))
        .put("upstream_calls_per_key_max", calls.max())
        .put("members_planned_peak", planned)
        .verdict("members_reached_planned_peak", report.record().membersMax() >= planned)
        .verdict("upstream_calls_per_key_within_limit", calls.keys() > 0 && calls.max() <= maxCallsPerKey);
  }
}
