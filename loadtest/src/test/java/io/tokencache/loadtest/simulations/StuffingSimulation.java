package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.RequestStats;
import io.tokencache.loadtest.harness.RunReport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code stuffing}: credential stuffing. Valid traffic warms 50 keys, then requests with wrong
 * secrets for the same client ids (from a pool of {@code distinctWrongSecrets} per client) arrive
 * beside it at twice the IdP's quota.
 *
 * <p>Verdicts: the standard ones (the valid traffic never fails; a wrong-secret request must get
 * 400, 401, 403, 429 or 503 and never an access token, anything else is a failure), no wrong
 * secret ever received a token, and the IdP's quota held although the garbage exceeded it.
 *
 * <p>Parameters: the common ones (50 keys), {@code rate} (50 valid req/s), {@code stuffingRps}
 * (20), {@code stuffingStartSeconds} (15), {@code durationSeconds} (90),
 * {@code newKeysPerSecond} (5), {@code distinctWrongSecrets} (100).
 */
public class StuffingSimulation extends TokenCacheSimulation {

  public StuffingSimulation() {
    super("stuffing", new Defaults(2, "none", 10, 600, 0, 50, 500, 1000));
    int rate = params.intValue("rate", 50, 1, 10_000);
    int stuffingRps = params.intValue("stuffingRps", 20, 1, 10_000);
    int stuffingStart = params.intValue("stuffingStartSeconds", 15, 0, 3600);
    int durationSeconds = params.intValue("durationSeconds", 90, stuffingStart + 1, 3600);
    double newKeysPerSecond = params.doubleValue("newKeysPerSecond", 5, 0.01, 10_000);
    int distinctWrongSecrets = params.intValue("distinctWrongSecrets", 100, 1, 1_000_000);

    ScenarioBuilder valid = scenario("valid")
        .feed(keys.growing(1, newKeysPerSecond, this::elapsedMillis))
        .exec(Chains.token("valid", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));
    java.util.Iterator<Map<String, Object>> wrong = new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return keys.wrongSecretRecord(random.nextInt(keys.size()), random.nextInt(), distinctWrongSecrets);
      }
    };
    ScenarioBuilder stuffing = scenario("stuffing")
        .feed(wrong)
        .exec(Chains.token("wrong secret", cluster, stats, Chains.withRecording(
            status().in(400, 401, 403, 429, 503),
            jsonPath("$.access_token").notExists())));

    setUp(withVerdicts(
        valid.injectOpen(atRate(rate, durationSeconds)).protocols(httpProtocol),
        stuffing.injectOpen(nothingFor(Duration.ofSeconds(stuffingStart)),
            constantUsersPerSec(stuffingRps).during(Duration.ofSeconds(durationSeconds - stuffingStart)))
            .protocols(httpProtocol)))
        // Response times: the valid traffic's. The attacker's requests may wait for the budget.
        .assertions(standardAssertions("valid"))
        .maxDuration(Duration.ofSeconds(durationSeconds + 120L));
  }

  @Override
  protected void verdicts(RunReport report) {
    RequestStats.Counts valid = stats.named("valid");
    RequestStats.Counts wrong = stats.named("wrong secret");
    report.put("valid_requests", valid.requests())
        .put("valid_failed", valid.failed())
        .put("wrong_secret_requests", wrong.requests())
        .put("wrong_secret_by_status", wrong.toJson().getJsonObject("by_status"))
        .put("wrong_secret_tokens_served", wrong.status(200))
        .put("wrong_secret_reaching_idp", report.record().idpStats().getInteger("rejectedClients", 0))
        .verdict("wrong_secret_never_served_a_token", wrong.requests() > 0 && wrong.status(200) == 0)
        .verdict("valid_traffic_unaffected", valid.requests() > 0 && valid.failed() == 0);
  }
}
