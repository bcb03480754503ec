package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.tokencache.loadtest.harness.Generations;
import io.tokencache.loadtest.harness.KeySpace;
import io.tokencache.loadtest.harness.LaneSeries;
import io.tokencache.loadtest.harness.RefreshCycles;
import io.tokencache.loadtest.harness.RequestStats;
import io.tokencache.loadtest.harness.RunReport;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code flood} (issue 14, invariant 8: the budget serves the tokens in use first). Ten keys are in use: asked
 * steadily, round robin over three members, for the whole run, and warmed up first so that they are cached.
 * Then a flood of client ids never seen before (each a first-time key with valid dynamic credentials, so each
 * needs an upstream call) arrives at ten times the budget over about a hundred concurrent connections, for
 * three token lifetimes. The budget can admit only a tenth of the flood; what it must never do is let the
 * flood starve the refresh of a token in use.
 *
 * <p>Verdicts: the standard ones (no upstream 429, the IdP never above its quota in any sliding second, no
 * failed request: an in-use key must get 200 every time, a flood request 200 or 503); every in-use key
 * answered 200 throughout ({@code in_use_keys_always_served}); each in-use key fetched once per token cycle,
 * neither twice nor late ({@code in_use_keys_refreshed_once_per_token_cycle}, from the IdP's issue times, see
 * {@link RefreshCycles}); the flood's keys never repeated; and the members' {@code /metrics} sampled by lane
 * ({@code upstream_lanes_sampled}; a server without lanes reports lane {@code all}). Flood answers are counted
 * by status, 200 and 503 apart.
 *
 * <p>Parameters: the common ones (3 members, quota 10, lifetimeSeconds 20, keys 10: the keys in use),
 * {@code inUseRps} (30), {@code warmSeconds} (10: in-use keys alone before the flood), {@code floodRps} (100
 * new keys per second), {@code floodConnections} (300 virtual users, each asking one new key at a time, paced
 * to {@code floodRps} in all), {@code floodSeconds} (60, three lifetimes), {@code tailSeconds} (10: in-use keys
 * alone after the flood), {@code maxRefreshGapFraction} (0.9: a key not fetched for longer than this part of a
 * lifetime had its refresh starved).
 */
public class FloodSimulation extends TokenCacheSimulation {

  private static final String IN_USE = "in-use key";
  private static final String NEW_KEY = "new key";

  private final int floodSeconds;
  private final int floodRps;
  private final int connections;
  private final double maxRefreshGapFraction;
  private final KeySpace floodKeys;

  public FloodSimulation() {
    super("flood", new Defaults(3, "none", 10, 20, 0, 10, 500, 1000));
    int inUseRps = params.intValue("inUseRps", 30, 1, 10_000);
    int warmSeconds = params.intValue("warmSeconds", 10, 1, 600);
    floodRps = params.intValue("floodRps", 100, 1, 10_000);
    connections = params.intValue("floodConnections", 300, 1, 10_000);
    floodSeconds = params.intValue("floodSeconds", 60, 1, 3600);
    int tailSeconds = params.intValue("tailSeconds", 10, 0, 600);
    maxRefreshGapFraction = params.doubleValue("maxRefreshGapFraction", 0.9, 0.1, 10);
    int total = warmSeconds + floodSeconds + tailSeconds;
    // Each flood user asks one key per pace period at most: room for every request, so none repeats.
    floodKeys = new KeySpace("lt-flood-new", floodRps * floodSeconds + 2 * connections + 1000, KeySpace.DEFAULT_SCOPES);
    cluster.scrapeMetrics()
        .at(Duration.ofSeconds(warmSeconds), "flood", () -> { })
        .at(Duration.ofSeconds(warmSeconds + floodSeconds), "flood ends", () -> { });

    ScenarioBuilder inUse = scenario("in use")
        .feed(keys.circular())
        .exec(Chains.token(IN_USE, cluster, stats, Chains.validTokenChecks(lifetimeSeconds)));
    Duration pacing = Duration.ofMillis(Math.max(1, 1000L * connections / floodRps));
    ScenarioBuilder flood = scenario("flood")
        // exitASAP false: a request in flight when the time is up is still recorded (it waits for the budget).
        .exec(during(Duration.ofSeconds(floodSeconds), false).on(
            pace(pacing)
                .feed(floodKeys.circular())
                .exec(Chains.token(NEW_KEY, cluster, stats, Chains.withRecording(status().in(200, 503))))));

    setUp(withVerdicts(
        inUse.injectOpen(atRate(inUseRps, total)).protocols(httpProtocol),
        // Users arrive over one pace period, so their requests spread evenly over each second.
        flood.injectOpen(nothingFor(Duration.ofSeconds(warmSeconds)), rampUsers(connections).during(pacing))
            .protocols(httpProtocol)))
        // Response times: the keys in use. A flood request may wait for the budget, by design.
        .assertions(standardAssertions(IN_USE))
        .maxDuration(Duration.ofSeconds(total + 60L));
  }

  @Override
  protected void verdicts(RunReport report) {
    RequestStats.Counts inUse = stats.named(IN_USE);
    RequestStats.Counts flood = stats.named(NEW_KEY);
    long floodOther = flood.requests() - flood.status(200) - flood.status(503);
    report.put("in_use_keys", keys.size())
        .put("in_use_requests", inUse.requests())
        .put("in_use_failed", inUse.failed())
        .put("in_use_by_status", inUse.toJson().getJsonObject("by_status"))
        .put("flood_requests", flood.requests())
        .put("flood_200", flood.status(200))
        .put("flood_503", flood.status(503))
        .put("flood_other", floodOther)
        .put("flood_failed", flood.failed())
        .put("flood_rps_offered", floodRps)
        .put("flood_rps_achieved", round(flood.requests() / (double) floodSeconds))
        .put("flood_keys_distinct", floodKeys.used());

    RefreshCycles.Summary cycles = refreshCycles(report);
    boolean complete = issueTimesComplete(report);
    report.put("in_use_fetches", cycles.fetches())
        .put("in_use_fetches_per_key_min", cycles.fetchesPerKeyMin())
        .put("in_use_fetches_per_key_max", cycles.fetchesPerKeyMax())
        .put("in_use_duplicate_fetches", cycles.duplicates())
        .put("in_use_late_refreshes", cycles.lateRefreshes())
        .put("in_use_refresh_max_gap_seconds", cycles.maxGapMillis() / 1000.0)
        .put("in_use_refresh", cycles.toJson().put("max_gap_allowed_seconds", maxRefreshGapFraction * lifetimeSeconds))
        .put("in_use_issue_times_complete", complete);

    LaneSeries lanes = report.record().lanes();
    JsonObject laneJson = lanes.toJson();
    report.put("upstream_calls_by_lane", laneJson.getJsonObject("upstream_total_by_lane"))
        .put("budget_rejections_by_lane", laneJson.getJsonObject("budget_rejections_total_by_lane"))
        .note("upstream calls by lane (members' /metrics): " + text(laneJson.getJsonObject("upstream_total_by_lane"))
            + "; budget rejections by lane: " + text(laneJson.getJsonObject("budget_rejections_total_by_lane"))
            + "; the IdP received " + report.upstreamCalls());

    boolean served = inUse.requests() > 0 && inUse.failed() == 0;
    boolean once = complete && cycles.oncePerCycle();
    boolean floodAnswers = flood.requests() > 0 && floodOther == 0 && flood.failed() == 0;
    boolean distinct = floodKeys.used() == flood.requests();
    report.verdict("in_use_keys_always_served", served)
        .verdict("in_use_keys_refreshed_once_per_token_cycle", once)
        .verdict("flood_answered_200_or_503", floodAnswers)
        .verdict("flood_keys_never_repeated", distinct)
        .verdict("upstream_lanes_sampled", !lanes.isEmpty());
    if (flood.requests() < 0.9 * floodRps * floodSeconds) {
      report.note("the flood reached " + round(flood.requests() / (double) floodSeconds) + " new keys/s, not "
          + floodRps + ": each of its " + connections + " users waits for its answer, and the server held flood"
          + " requests longer than " + 1000L * connections / floodRps + " ms (see Gatling's report for 'new key')");
    }
    // What failed, with its figure, for the console.
    if (!served) {
      report.note("in_use_keys_always_served FAILED: " + inUse.failed() + " of " + inUse.requests()
          + " in-use requests failed, by status " + inUse.toJson().getJsonObject("by_status").encode());
    }
    if (!once) {
      report.note("in_use_keys_refreshed_once_per_token_cycle FAILED: " + cycles.lateRefreshes()
          + " late or missed refresh(es) (a key unfetched for up to " + cycles.maxGapMillis() / 1000.0 + " s, allowed "
          + maxRefreshGapFraction * lifetimeSeconds + " s), " + cycles.duplicates() + " duplicate fetch(es), "
          + cycles.keysNeverFetched() + " key(s) never fetched, fetches per key " + cycles.fetchesPerKeyMin() + ".."
          + cycles.fetchesPerKeyMax() + (complete ? "" : "; the IdP's issue times are incomplete"));
    }
    if (!floodAnswers) {
      report.note("flood_answered_200_or_503 FAILED: " + floodOther + " flood answer(s) neither 200 nor 503, "
          + flood.failed() + " KO, by status " + flood.toJson().getJsonObject("by_status").encode());
    }
    if (report.maxUpstreamRps() > report.quotaRps()) {
      report.note("upstream_rps_within_quota FAILED: " + report.maxUpstreamRps() + " upstream requests in one sliding"
          + " second, quota " + report.quotaRps());
    }
    if (report.upstream429() > 0) {
      report.note("no_upstream_429 FAILED: the IdP answered 429 " + report.upstream429() + " time(s)");
    }
  }

  private RefreshCycles.Summary refreshCycles(RunReport report) {
    JsonObject issuedAt = report.record().idpStats().getJsonObject("issuedAtByClient", new JsonObject());
    Map<String, long[]> times = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      times.put(keys.clientId(i), Generations.millis(issuedAt.getJsonArray(keys.clientId(i))));
    }
    return RefreshCycles.judge(times, lifetimeSeconds * 1000, maxRefreshGapFraction, report.record().loadEndMillis());
  }

  private boolean issueTimesComplete(RunReport report) {
    JsonObject issued = report.record().idpStats().getJsonObject("issuedByClient", new JsonObject());
    JsonObject issuedAt = report.record().idpStats().getJsonObject("issuedAtByClient", new JsonObject());
    for (int i = 0; i < keys.size(); i++) {
      String client = keys.clientId(i);
      if (Generations.millis(issuedAt.getJsonArray(client)).length != issued.getInteger(client, 0)) {
        return false;
      }
    }
    return true;
  }

  private static String text(JsonObject totals) {
    if (totals == null || totals.isEmpty()) {
      return "none";
    }
    StringBuilder text = new StringBuilder();
    totals.forEach(e -> text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue()));
    return text.toString();
  }
}
