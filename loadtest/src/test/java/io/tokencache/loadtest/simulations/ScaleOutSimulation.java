package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.MemberLane;
import io.tokencache.loadtest.harness.RunReport;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scale-out}: the project's promise under a spike. One member takes a steady load; then the arrival
 * rate steps up tenfold within a few seconds, new keys arriving faster with it, and members are added the way
 * an autoscaler adds them, a few seconds apart, while the step is on. The IdP's quota is 10 req/s; each new key
 * is a client never seen before, whose first fetch takes the unknown lane (40% of the quota, less the safety
 * margin: about 3.3 per second), so new keys arrive below that lane's rate and the first fetches alone fit (a
 * faster stream of never-seen clients is held to that lane by design: the flood scenario shows it); every member
 * that joins must take its tokens from the cluster, not from the IdP, and serve as soon as it is ready.
 *
 * <p>Timeline (defaults): 30 s at 10 req/s (the first 10 s ramping in from 1 req/s) with 2 new keys/s; at 30 s
 * the rate steps to 100 req/s over 5 s and new keys arrive at 3/s; 100 req/s held for 60 s; members join at 33,
 * 38, 43 and 48 s (5 in all). The rates fit a 2-core machine that also runs Gatling, the IdP and every member:
 * there, starting members is what takes the CPU, and a heavier load measures the machine, not the members. Verdicts: no upstream 429, at most {@code quotaRps} upstream requests in any
 * sliding second, no failed request, the planned member count reached, every added member served requests,
 * each key fetched at most {@code maxCallsPerKey} (1) times (tokens outlive the run), and every added member
 * served its first request within {@code maxStartToServingSeconds} (6) of its process start (0: that time is
 * reported only, as {@code added_members_start_to_serving_s}).
 *
 * <p>Parameters: the common ones, {@code startRate} (10), {@code peakRate} (100), {@code warmSeconds} (30),
 * {@code stepSeconds} (5), {@code holdSeconds} (60), {@code newKeysPerSecond} (2),
 * {@code peakNewKeysPerSecond} (3), {@code maxCallsPerKey} (1), {@code maxStartToServingSeconds} (6; 0: report only).
 */
public class ScaleOutSimulation extends TokenCacheSimulation {

  private final int maxCallsPerKey;
  private final double maxStartToServingSeconds;
  private final int warmSeconds;
  private final int peakRate;

  public ScaleOutSimulation() {
    super("scale-out", new Defaults(1, "33:add,38:add,43:add,48:add", 10, 600, 0, 600, 1000, 2500));
    int startRate = params.intValue("startRate", 10, 1, 10_000);
    peakRate = params.intValue("peakRate", 100, 1, 10_000);
    warmSeconds = params.intValue("warmSeconds", 30, 1, 3600);
    int stepSeconds = params.intValue("stepSeconds", 5, 1, 3600);
    int holdSeconds = params.intValue("holdSeconds", 60, 1, 3600);
    double newKeysPerSecond = params.doubleValue("newKeysPerSecond", 2, 0, 10_000);
    double peakNewKeysPerSecond = params.doubleValue("peakNewKeysPerSecond", 3, 0, 10_000);
    maxCallsPerKey = params.intValue("maxCallsPerKey", 1, 1, 1_000_000);
    maxStartToServingSeconds = params.doubleValue("maxStartToServingSeconds", 6, 0, 3600);

    ScenarioBuilder tokens = scenario("scale-out")
        .feed(keys.growing(1, newKeysPerSecond, warmSeconds * 1000L, peakNewKeysPerSecond, this::elapsedMillis))
        .exec(Chains.token("token", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));

    List<OpenInjectionStep> steps = new ArrayList<>(List.of(atRate(startRate, warmSeconds)));
    steps.add(rampUsersPerSec(startRate).to(peakRate).during(Duration.ofSeconds(stepSeconds)));
    steps.add(constantUsersPerSec(peakRate).during(Duration.ofSeconds(holdSeconds)));
    setUp(withVerdicts(tokens.injectOpen(steps).protocols(httpProtocol)))
        .assertions(standardAssertions())
        .maxDuration(Duration.ofSeconds(warmSeconds + stepSeconds + holdSeconds + 120L));
  }

  @Override
  protected void verdicts(RunReport report) {
    RunReport.KeyCalls calls = report.keyCalls(keys);
    int initial = harness.getInitialMembers();
    int planned = harness.getSchedule().peakMembers(initial);
    List<MemberLane> added = report.memberLanes().stream().filter(lane -> lane.index() > initial).toList();
    JsonArray toReady = new JsonArray();
    JsonArray toServing = new JsonArray();
    double worst = 0;
    boolean allServed = !added.isEmpty() || planned == initial;
    for (MemberLane lane : added) {
      toReady.add(lane.startToReady() == null ? null : round(lane.startToReady()));
      toServing.add(lane.startToServing() == null ? null : round(lane.startToServing()));
      if (lane.startToServing() == null) {
        allServed = false;
      } else {
        worst = Math.max(worst, lane.startToServing());
      }
    }
    report.put("keys_used", calls.keys())
        .put("upstream_calls_per_key_mean", round(calls.mean()))
        .put("upstream_calls_per_key_max", calls.max())
        .put("members_planned_peak", planned)
        .put("step_at_s", warmSeconds)
        .put("peak_rate", peakRate)
        .put("added_members_start_to_ready_s", toReady)
        .put("added_members_start_to_serving_s", toServing)
        .put("added_members_start_to_serving_max_s", round(worst))
        .verdict("members_reached_planned_peak", report.record().membersMax() >= planned)
        .verdict("added_members_served_requests", allServed)
        .verdict("upstream_calls_per_key_within_limit", calls.keys() > 0 && calls.max() <= maxCallsPerKey);
    if (maxStartToServingSeconds > 0) {
      report.verdict("added_members_serving_within_limit", allServed && worst <= maxStartToServingSeconds);
    }
  }
}
