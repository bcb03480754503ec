package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.RunReport;
import java.time.Duration;

/**
 * {@code smoke}: the CI check, under two minutes. Two members, 20 keys activated at 2 per second,
 * the rate ramping to 40 req/s over 10 s and holding for 30 s. Verdicts: no upstream 429, upstream
 * within quota, no failed request.
 *
 * <p>Parameters: the common ones, {@code rate} (40), {@code rampSeconds} (10),
 * {@code durationSeconds} (30), {@code newKeysPerSecond} (2).
 */
public class SmokeSimulation extends TokenCacheSimulation {

  public SmokeSimulation() {
    super("smoke", new Defaults(2, "none", 10, 600, 0, 20, 1000, 2000));
    int rate = params.intValue("rate", 40, 1, 10_000);
    int rampSeconds = params.intValue("rampSeconds", 10, 0, 3600);
    int durationSeconds = params.intValue("durationSeconds", 30, 1, 3600);
    double newKeysPerSecond = params.doubleValue("newKeysPerSecond", 2, 0.01, 10_000);

    ScenarioBuilder tokens = scenario("smoke")
        .feed(keys.growing(1, newKeysPerSecond, this::elapsedMillis))
        .exec(Chains.token("token", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));

    setUp(withVerdicts(tokens.injectOpen(
            rampUsersPerSec(1).to(rate).during(Duration.ofSeconds(rampSeconds)),
            constantUsersPerSec(rate).during(Duration.ofSeconds(durationSeconds)))
        .protocols(httpProtocol)))
        .assertions(standardAssertions())
        .maxDuration(Duration.ofSeconds(rampSeconds + durationSeconds + 120L));
  }

  @Override
  protected void verdicts(RunReport report) {
    RunReport.KeyCalls calls = report.keyCalls(keys);
    report.put("keys_used", calls.keys())
        .put("upstream_calls_per_key_mean", round(calls.mean()))
        .put("upstream_calls_per_key_max", calls.max());
  }
}
