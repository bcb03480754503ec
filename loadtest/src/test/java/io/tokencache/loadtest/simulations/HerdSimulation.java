package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.KeySpace;
import io.tokencache.loadtest.harness.RequestStats;
import io.tokencache.loadtest.harness.RunReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code herd}: the thundering herd. After a warm-up on other clients (so the servers' JIT and
 * connections are warm), thousands of first requests for a few keys arrive together while the IdP
 * takes 1.5 s to answer, so all of them wait on the first fetch of their key; then a gentle tail of
 * cache hits. Verdicts: the standard ones, and exactly one upstream call per key
 * across the whole cluster (the others coalesced).
 *
 * <p>Parameters: the common ones (defaults: 2 members, 5 keys, idpLatencyMs 1500), {@code users}
 * (2000), {@code rampMillis} (1000; 0 sends them all at once), {@code tailRps} (50),
 * {@code tailSeconds} (20), {@code warmupSeconds} (10; 0: none), {@code warmupRps} (50). The
 * response-time assertions apply to the herd's requests as well as globally.
 */
public class HerdSimulation extends TokenCacheSimulation {

  public HerdSimulation() {
    super("herd", new Defaults(2, "none", 10, 600, 1500, 5, 5000, 6000));
    int users = params.intValue("users", 2000, 1, 100_000);
    int rampMillis = params.intValue("rampMillis", 1000, 0, 600_000);
    int tailRps = params.intValue("tailRps", 50, 0, 10_000);
    int tailSeconds = params.intValue("tailSeconds", 20, 0, 3600);
    int warmupSeconds = params.intValue("warmupSeconds", 10, 0, 3600);
    int warmupRps = params.intValue("warmupRps", 50, 1, 10_000);
    // Other clients than the herd's: the warm-up JIT-compiles the servers' request path and opens
    // connections, so that the herd measures coalescing rather than a cold JVM.
    KeySpace warmKeys = new KeySpace("lt-herd-warmup", 5, KeySpace.DEFAULT_SCOPES);

    ScenarioBuilder warmup = scenario("warm-up")
        .feed(warmKeys.uniform())
        .exec(Chains.token("warm-up", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));
    ScenarioBuilder herd = scenario("herd")
        .feed(keys.circular())
        .exec(Chains.token("herd", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));
    ScenarioBuilder tail = scenario("after the herd")
        .feed(keys.uniform())
        .exec(Chains.token("after herd", cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));

    OpenInjectionStep wave = rampMillis == 0 ? atOnceUsers(users) : rampUsers(users).during(Duration.ofMillis(rampMillis));
    long herdStart = warmupSeconds == 0 ? 0 : warmupSeconds + 2L;
    long tailStart = herdStart + rampMillis / 1000 + 5;
    List<PopulationBuilder> populations = new ArrayList<>();
    if (warmupSeconds > 0) {
      populations.add(warmup.injectOpen(constantUsersPerSec(warmupRps).during(Duration.ofSeconds(warmupSeconds)))
          .protocols(httpProtocol));
    }
    populations.add(herd.injectOpen(nothingFor(Duration.ofSeconds(herdStart)), wave).protocols(httpProtocol));
    if (tailRps > 0 && tailSeconds > 0) {
      populations.add(tail.injectOpen(nothingFor(Duration.ofSeconds(tailStart)),
          constantUsersPerSec(tailRps).during(Duration.ofSeconds(tailSeconds))).protocols(httpProtocol));
    }
    List<Assertion> assertions = new ArrayList<>(standardAssertions());
    assertions.add(details("herd").responseTime().percentile(95.0).lt(p95Ms));
    assertions.add(details("herd").responseTime().percentile(99.0).lt(p99Ms));
    setUp(withVerdicts(populations))
        .assertions(assertions)
        .maxDuration(Duration.ofSeconds(tailStart + tailSeconds + 120L));
  }

  @Override
  protected void verdicts(RunReport report) {
    RunReport.KeyCalls calls = report.keyCalls(keys);
    RequestStats.Counts herd = stats.named("herd");
    report.put("keys_used", calls.keys())
        .put("herd_requests", herd.requests())
        .put("herd_miss", herd.cache("MISS"))
        .put("herd_coalesced", herd.cache("COALESCED"))
        .put("herd_hit", herd.cache("HIT"))
        .put("upstream_calls_per_key_max", calls.max())
        .put("upstream_calls_per_key", new io.vertx.core.json.JsonObject(new java.util.LinkedHashMap<>(calls.perKeyCalls())))
        .verdict("one_upstream_call_per_key", calls.keys() > 0 && calls.max() <= 1);
  }
}
