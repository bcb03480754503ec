package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.RunReport;
import java.time.Duration;

/**
 * {@code steady}: a fixed arrival rate (after a 10 s ramp-in) for two minutes over 100 keys (activated at 5 per second, so
 * first fetches stay at half the quota), tokens living 60 s so that every key is refreshed twice.
 * Verdicts: the standard ones, and at most one upstream call per key per token generation (no token
 * generation fetched twice, cluster-wide, by the IdP's issue times).
 *
 * <p>Parameters: the common ones, {@code rate} (100 req/s), {@code durationSeconds} (120),
 * {@code newKeysPerSecond} (5), {@code refreshAheadFraction} (0.75, the server's default).
 */
public class SteadySimulation extends TokenCacheSimulation {

  private final int durationSeconds;

  public SteadySimulation() {
    super("steady", new Defaults(2, "none", 10, 60, 0, 100, 500, 1000));
    int rate = params.intValue("rate", 100, 1, 10_000);
    durationSeconds = params.intValue("durationSeconds", 120, 1, 3600);
    double newKeysPerSecond = params.doubleValue("newKeysPerSecond", 5, 0.01, 10_000);

    ScenarioBuilder tokens = scenario("steady")
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
