package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.RequestStats;
import io.tokencache.loadtest.harness.RunReport;
import io.tokencache.fakeidp.FailureMode;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code outage}: the IdP goes down mid-run. Cached keys are requested all along; a trickle of
 * requests for keys never cached runs beside them. At {@code outageStartSeconds} the IdP switches
 * to {@code mode} (UNAVAILABLE: 503 with Retry-After; HANG: never answers; RESET: drops the
 * connection; SERVER_ERROR: 500) and back to normal {@code outageSeconds} later.
 *
 * <p>Verdicts: the standard ones (every cached-key request answered 200 with a token, before,
 * during and after the outage; a new-key request may get 200 or 503 with {@code Retry-After},
 * nothing else), and the IdP seeing at most {@code maxProbeRpsPerMember} requests per second per
 * member while it is down (only probes, not the traffic).
 *
 * <p>Parameters: the common ones (30 keys), {@code mode} (UNAVAILABLE), {@code rate} (60 cached-key
 * req/s), {@code newKeyRps} (2), {@code warmSeconds} (10, keys activate at 3/s),
 * {@code outageStartSeconds} (30), {@code outageSeconds} (40), {@code recoverSeconds} (30),
 * {@code maxProbeRpsPerMember} (1.0).
 */
public class OutageSimulation extends TokenCacheSimulation {

  private static final int NEW_KEY_SPACE = 100_000;
  private final int outageStart;
  private final int outageSeconds;
  private final double maxProbeRpsPerMember;
  private final FailureMode mode;
  private final io.tokencache.loadtest.harness.KeySpace newKeys;

  public OutageSimulation() {
    super("outage", new Defaults(2, "none", 10, 600, 0, 30, 500, 1000));
    mode = FailureMode.valueOf(params.stringValue("mode", "UNAVAILABLE").toUpperCase(Locale.ROOT));
    int rate = params.intValue("rate", 60, 1, 10_000);
    int newKeyRps = params.intValue("newKeyRps", 2, 0, 1000);
    int warmSeconds = params.intValue("warmSeconds", 10, 1, 3600);
    outageStart = params.intValue("outageStartSeconds", 30, warmSeconds, 3600);
    outageSeconds = params.intValue("outageSeconds", 40, 1, 3600);
    int recoverSeconds = params.intValue("recoverSeconds", 30, 0, 3600);
    maxProbeRpsPerMember = params.doubleValue("maxProbeRpsPerMember", 1.0, 0, 10_000);
    int total = outageStart + outageSeconds + recoverSeconds;
    // Keys never requested twice: each one is a miss, whatever the cache holds.
    newKeys = new io.tokencache.loadtest.harness.KeySpace("lt-outage-new", NEW_KEY_SPACE,
        io.tokencache.loadtest.harness.KeySpace.DEFAULT_SCOPES);

    cluster.idpFailureAt(Duration.ofSeconds(outageStart), mode)
        .idpFailureAt(Duration.ofSeconds(outageStart + outageSeconds), FailureMode.NONE);

    double activation = Math.max(0.01, keys.size() / (double) warmSeconds);
    ScenarioBuilder cached = scenario("cached keys")
        .feed(keys.growing(1, activation, this::elapsedMillis))
        .exec(Chains.token("cached key", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));
    CheckBuilder[] newKeyChecks = Chains.withRecording(status().in(200, 503));
    ScenarioBuilder fresh = scenario("new keys")
        .feed(newKeys.circular())
        .exec(Chains.token("new key", cluster, stats, newKeyChecks));

    var cachedPopulation = cached.injectOpen(atRate(rate, total))
        .protocols(httpProtocol);
    var setUp = newKeyRps == 0
        ? setUp(withVerdicts(cachedPopulation))
        : setUp(withVerdicts(cachedPopulation, fresh.injectOpen(nothingFor(Duration.ofSeconds(warmSeconds)),
            constantUsersPerSec(newKeyRps).during(Duration.ofSeconds(total - warmSeconds))).protocols(httpProtocol)));
    // Response times: the cached keys'. New keys may wait for retries before their 503, by design.
    setUp.assertions(standardAssertions("cached key")).maxDuration(Duration.ofSeconds(total + 120L));
  }

  @Override
  protected void verdicts(RunReport report) {
    long during = report.timeline().upstreamBetween(outageStart, outageStart + outageSeconds);
    int members = Math.max(1, report.record().membersMax());
    double perMember = during / (double) outageSeconds / members;
    RequestStats.Counts cachedKeys = stats.named("cached key");
    RequestStats.Counts newKey = stats.named("new key");
    report.put("outage_mode", mode.name())
        .put("outage_window_seconds", new io.vertx.core.json.JsonArray().add(outageStart).add(outageStart + outageSeconds))
        .put("upstream_calls_during_outage", during)
        .put("upstream_rps_per_member_during_outage", round(perMember))
        .put("cached_key_requests", cachedKeys.requests())
        .put("cached_key_failed", cachedKeys.failed())
        .put("new_key_requests", newKey.requests())
        .put("new_key_503", newKey.status(503))
        .put("new_key_200", newKey.status(200))
        .verdict("cached_keys_served_throughout", cachedKeys.requests() > 0 && cachedKeys.failed() == 0)
        .verdict("idp_sees_only_probes_while_down", perMember <= maxProbeRpsPerMember);
  }
}
