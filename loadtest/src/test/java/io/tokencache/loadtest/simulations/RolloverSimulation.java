package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.RunReport;
import java.time.Duration;

/**
 * {@code rollover}: tokens live 20 s and the load runs for six lifetimes, so every key is refreshed
 * over and over. Verdicts: the standard ones, every answer's {@code expires_in} between 1 and the
 * lifetime (a check on each request), and at most one upstream call per key per token generation
 * (no token generation fetched twice, cluster-wide, by the IdP's issue times), i.e. no refresh convoy at expiry.
 *
 * <p>Parameters: the common ones (lifetimeSeconds 20), {@code lifetimes} (6), {@code rate} (50),
 * {@code newKeysPerSecond} (5), {@code refreshAheadFraction} (0.75, the server's default).
 */
public class RolloverSimulation extends TokenCacheSimulation {

  public RolloverSimulation() {
    super("rollover", new Defaults(2, "none", 10, 20, 0, 50, 500, 1000));
    int lifetimes = params.intValue("lifetimes", 6, 1, 1000);
    int rate = params.intValue("rate", 50, 1, 10_000);
    double newKeysPerSecond = params.doubleValue("newKeysPerSecond", 5, 0.01, 10_000);
    long durationSeconds = lifetimes * lifetimeSeconds;

    ScenarioBuilder tokens = scenario("rollover")
        .feed(keys.growing(1, newKeysPerSecond, this::elapsedMillis))
        .exec(Chains.token("token", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));

    setUp(withVerdicts(tokens.injectOpen(atRate(rate, durationSeconds))
        .protocols(httpProtocol)))
        .assertions(standardAssertions())
        .maxDuration(Duration.ofSeconds(durationSeconds + 120L));
  }

  @Override
  protected void verdicts(RunReport report) {
    generationVerdict(report, report.record().loadSeconds());
  }
}
