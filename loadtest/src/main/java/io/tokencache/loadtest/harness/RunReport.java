package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A run's verdicts and report files: {@code summary.json} (figures from the IdP's side and the
 * client's, scenario extras, verdicts), {@code timeline.csv} (second by second) and
 * {@code upstream.png} (upstream calls per second against the quota, members over time); when the run scraped
 * the members' metrics, also {@code upstream_by_lane} in the summary and {@code upstream-lanes.png}.
 *
 * <p>Every figure comes from a measurement: the IdP's own counters for everything upstream, the
 * orchestrator's samples for members, Gatling's KO status for failed requests.
 */
public final class RunReport {

  /** File names inside the scenario's report folder. */
  public static final String SUMMARY = "summary.json";
  public static final String CHART = "upstream.png";
  public static final String TIMELINE = "timeline.csv";

  /**
   * Upstream calls per key, counted from the IdP's tokens issued per client (one client per key).
   *
   * @param keys keys used with their valid secret
   * @param calls tokens issued for those keys
   * @param mean calls per used key
   * @param max calls for the busiest key
   * @param maxKey the client id of the busiest key
   * @param perKeyCalls calls of every used key, by client id
   */
  public record KeyCalls(int keys, long calls, double mean, long max, String maxKey, Map<String, Long> perKeyCalls) {}

  /**
   * Upstream calls per key per token generation, from the IdP's record of when it issued each key's tokens
   * ({@code issuedAtByClient}; see {@link Generations}).
   *
   * @param summary the figures over the used keys with at least one call
   * @param complete whether the IdP recorded an issue time for every token it counted for those keys
   *     ({@code issuedByClient}); when not, duplicates may be missed
   */
  public record KeyGenerations(Generations.Summary summary, boolean complete) {}

  private final RunRecord record;
  private final RequestStats stats;
  private final Timeline timeline;
  private final JsonObject extras = new JsonObject();
  private final Map<String, VerdictLine> verdicts = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private String simulation;
  private JsonObject parameters = new JsonObject();

  /**
   * @param record what the orchestrator saw
   * @param stats the client's figures
   */
  public RunReport(RunRecord record, RequestStats stats) {
    this.record = Objects.requireNonNull(record, "record");
    this.stats = Objects.requireNonNull(stats, "stats");
    this.timeline = Timeline.of(record, stats);
  }

  /**
   * @param simulation the Gatling simulation class
   * @return this
   */
  public RunReport simulation(String simulation) {
    this.simulation = simulation;
    return this;
  }

  /**
   * @param parameters the scenario parameters used, as {@link Params#effective()}
   * @return this
   */
  public RunReport parameters(JsonObject parameters) {
    this.parameters = parameters.copy();
    return this;
  }

  /**
   * Adds a scenario figure to the summary.
   *
   * @param name snake_case
   * @param value a JSON value
   * @return this
   */
  public RunReport put(String name, Object value) {
    extras.put(name, value);
    return this;
  }

  /**
   * Records a verdict; the run passes only when every verdict holds.
   *
   * @param name snake_case, says what holds when true
   * @param holds whether it holds
   * @return this
   */
  public RunReport verdict(String name, boolean holds) {
    return verdict(name, holds, "");
  }

  /**
   * Records a verdict with the figure it judges, for the reader of Gatling's report.
   *
   * @param name snake_case, says what holds when true
   * @param holds whether it holds
   * @param detail the figure and its limit, e.g. {@code upstream 429: 3 (allowed: 0)}
   * @return this
   */
  public RunReport verdict(String name, boolean holds, String detail) {
    verdicts.put(name, new VerdictLine(name, holds, detail));
    return this;
  }

  /**
   * A verdict as Gatling's report shows it.
   *
   * @param name the verdict's name
   * @param holds whether it holds
   * @param detail its figure, empty when none was given
   */
  public record VerdictLine(String name, boolean holds, String detail) {}

  /** @return every verdict, in the order recorded */
  public List<VerdictLine> verdictLines() {
    return List.copyOf(verdicts.values());
  }

  /**
   * @return the run's key figures, one short line each (upstream calls, 429s, the sliding-second maximum
   *     against the quota, members, failed requests, then the scenario's own scalar figures)
   */
  public List<String> figureLines() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format("upstream calls: %d (tokens issued %d)", upstreamCalls(),
        record.idpStats().getInteger("tokensIssued", 0)));
    lines.add("upstream 429: " + upstream429());
    lines.add(String.format("max upstream in any sliding 1 s: %d (quota %s)", maxUpstreamRps(),
        ClusterPlan.formatRps(quotaRps())));
    lines.add(String.format("members: %d initial, %d max, %d final (%d planned)", record.initialMembers(),
        record.membersMax(), record.membersFinal(), record.plannedMembers()));
    lines.add(String.format("requests: %d (%d failed)", requests(), failedRequests()));
    extras.forEach(entry -> {
      if (!(entry.getValue() instanceof JsonObject)) {
        lines.add(entry.getKey() + " = " + (entry.getValue() instanceof JsonArray array ? array.encode()
            : entry.getValue()));
      }
    });
    return lines;
  }

  /**
   * @param note a remark for the reader of the summary (why a verdict is expected to fail, ...)
   * @return this
   */
  public RunReport note(String note) {
    notes.add(note);
    return this;
  }

  /**
   * The verdicts every scenario shares: the IdP never answered 429, never saw more requests in a
   * sliding second than its quota, at most {@code maxFailed} requests failed, and the harness itself
   * had no trouble.
   *
   * @param maxFailed failed requests tolerated
   * @return this
   */
  public RunReport standardVerdicts(long maxFailed) {
    verdict("no_upstream_429", upstream429() == 0, "upstream 429: " + upstream429() + " (allowed: 0)");
    verdict("upstream_rps_within_quota", maxUpstreamRps() <= quotaRps(), String.format(
        "max upstream in any sliding 1 s: %d (quota: %s)", maxUpstreamRps(), ClusterPlan.formatRps(quotaRps())));
    verdict("failed_requests_within_limit", failedRequests() <= maxFailed,
        String.format("failed requests: %d of %d (allowed: %d)", failedRequests(), requests(), maxFailed));
    verdict("harness_ok", record.errors().isEmpty(), "harness errors: " + record.errors().size()
        + (record.errors().isEmpty() ? "" : " (first: " + firstLine(record.errors().get(0)) + ")"));
    return this;
  }

  /** @return what the orchestrator saw */
  public RunRecord record() {
    return record;
  }

  /** @return the run second by second */
  public Timeline timeline() {
    return timeline;
  }

  /** @return the client's figures */
  public RequestStats stats() {
    return stats;
  }

  /** @return 429 answers of the IdP */
  public int upstream429() {
    return record.idpStats().getInteger("throttled", 0);
  }

  /** @return token requests the IdP received, whatever it answered */
  public int upstreamCalls() {
    return record.idpStats().getInteger("tokenRequests", 0);
  }

  /** @return the most token requests the IdP received in any sliding 1 s window */
  public int maxUpstreamRps() {
    return record.maxUpstreamRps();
  }

  /** @return the IdP's quota */
  public double quotaRps() {
    return record.idpStats().getJsonObject("settings", new JsonObject())
        .getDouble("quotaRps", record.options().getDouble("quotaRps", 0.0));
  }

  /** @return requests Gatling sent */
  public long requests() {
    return stats.total().requests();
  }

  /** @return requests Gatling counted KO */
  public long failedRequests() {
    return stats.total().failed();
  }

  /** @return whether every verdict holds */
  public boolean passed() {
    return !verdicts.isEmpty() && verdicts.values().stream().allMatch(VerdictLine::holds);
  }

  /**
   * Upstream calls per key over the keys a key space handed out with their valid secret.
   *
   * @param keys the scenario's keys
   * @return the figures
   */
  public KeyCalls keyCalls(KeySpace keys) {
    JsonObject issued = record.idpStats().getJsonObject("issuedByClient", new JsonObject());
    Map<String, Long> perKey = new LinkedHashMap<>();
    usedClients(keys).forEach(client -> perKey.put(client, (long) issued.getInteger(client, 0)));
    long total = perKey.values().stream().mapToLong(Long::longValue).sum();
    // the first of the busiest keys; none when no key was called
    Map.Entry<String, Long> max = perKey.entrySet().stream().filter(e -> e.getValue() > 0)
        .max(Map.Entry.comparingByValue()).orElse(Map.entry("", 0L));
    return new KeyCalls(perKey.size(), total, perKey.isEmpty() ? 0 : (double) total / perKey.size(), max.getValue(),
        max.getKey().isEmpty() ? null : max.getKey(), perKey);
  }

  /**
   * Upstream calls per key per token generation over the keys a key space handed out with their valid secret.
   *
   * @param keys the scenario's keys
   * @param lifetimeMillis the tokens' lifetime
   * @return the figures
   */
  public KeyGenerations keyGenerations(KeySpace keys, long lifetimeMillis) {
    JsonObject issued = record.idpStats().getJsonObject("issuedByClient", new JsonObject());
    JsonObject issuedAt = record.idpStats().getJsonObject("issuedAtByClient", new JsonObject());
    List<Generations.Key> perKey = new ArrayList<>();
    boolean complete = true;
    for (String client : usedClients(keys)) {
      long[] times = Generations.millis(issuedAt.getJsonArray(client));
      complete &= times.length == issued.getInteger(client, 0);
      perKey.add(Generations.of(times, lifetimeMillis));
    }
    return new KeyGenerations(Generations.summarize(perKey), complete);
  }

  /** The client ids of the keys handed out with their valid secret. */
  private static List<String> usedClients(KeySpace keys) {
    return IntStream.range(0, keys.size()).filter(i -> keys.uses(i) > 0).mapToObj(keys::clientId).toList();
  }

  /** @return the summary */
  public JsonObject toJson() {
    JsonObject idp = record.idpStats();
    JsonObject json = new JsonObject()
        .put("scenario", record.scenario())
        .put("simulation", simulation)
        .put("passed", passed())
        .put("started_at", Instant.ofEpochMilli(record.loadStartMillis()).toString())
        .put("load_seconds", round(record.loadSeconds(), 1))
        .put("requests", requests())
        .put("failed_requests", failedRequests())
        .put("upstream_calls", upstreamCalls())
        .put("upstream_429", upstream429())
        .put("max_upstream_rps", maxUpstreamRps())
        .put("quota_rps", quotaRps())
        .put("max_upstream_per_calendar_second", timeline.maxUpstreamPerCalendarSecond())
        .put("max_upstream_admitted_in_any_sliding_1s", timeline.maxUpstreamSliding1s())
        .put("upstream_tokens_issued", idp.getInteger("tokensIssued", 0))
        .put("upstream_401", idp.getInteger("rejectedClients", 0))
        .put("upstream_failures_injected", idp.getInteger("failuresInjected", 0))
        .put("members_initial", record.initialMembers())
        .put("members_max", record.membersMax())
        .put("members_final", record.membersFinal())
        .put("members_planned", record.plannedMembers())
        .put("cluster_size_reported_max", record.clusterViewMax())
        .put("cluster_name", record.clusterName());
    extras.forEach(entry -> json.put(entry.getKey(), entry.getValue()));
    JsonObject verdictJson = new JsonObject();
    verdicts.forEach((name, verdict) -> verdictJson.put(name, verdict.holds()));
    json.put("verdicts", verdictJson)
        .put("notes", new JsonArray(List.copyOf(notes)))
        .put("harness_errors", new JsonArray(List.copyOf(record.errors())))
        .put("requests_by_status", stats.total().toJson().getJsonObject("by_status"))
        .put("requests_by_cache", stats.total().toJson().getJsonObject("by_cache"))
        .put("requests_by_name", stats.byNameJson());
    json.put("events", record.events().stream().map(event -> new JsonObject()
            .put("t", round((event.epochMillis() - record.loadStartMillis()) / 1000.0, 1))
            .put("event", event.detail())).collect(JsonArray::new, JsonArray::add, JsonArray::addAll))
        .put("members", record.members())
        .put("member_timeline", memberLanes().stream().map(MemberLane::toJson)
            .collect(JsonArray::new, JsonArray::add, JsonArray::addAll))
        .put("parameters", parameters)
        .put("harness", record.options())
        .put("idp_settings", idp.getJsonObject("settings"));
    if (!record.lanes().isEmpty() || record.metricsScrapeFailures() > 0) {
      json.put("upstream_by_lane", record.lanes().toJson().put("scrape_failures", record.metricsScrapeFailures()));
    }
    return json;
  }

  /**
   * Writes {@code summary.json}, {@code timeline.csv} and {@code upstream.png} into {@code dir}. A
   * chart that cannot be drawn (no fonts on a bare machine, say) is reported in the summary as
   * {@code chart_error}; the other files are written regardless.
   *
   * @param dir the scenario's report folder
   * @return the summary written
   */
  public JsonObject write(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(TIMELINE), timeline.toCsv());
      JsonObject files = new JsonObject()
          .put("summary", dir.resolve(SUMMARY).toString())
          .put("timeline", dir.resolve(TIMELINE).toString())
          .put("member_logs", dir.resolve("members").toString());
      JsonObject summary = toJson().put("files", files);
      try {
        UpstreamChart.write(chartData(), dir.resolve(CHART));
        files.put("chart", dir.resolve(CHART).toString());
        if (!record.lanes().isEmpty()) {
          LaneChart.write(chartData(), record.lanes(), dir.resolve(LaneChart.FILE));
          files.put("lane_chart", dir.resolve(LaneChart.FILE).toString());
        }
      } catch (IOException | RuntimeException | Error e) {
        summary.put("chart_error", e.toString());
      }
      Files.writeString(dir.resolve(SUMMARY), summary.encodePrettily() + "\n");
      return summary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + dir, e);
    }
  }

  /** @return a one-screen text version of the key figures and verdicts, for the console */
  public String consoleSummary() {
    StringBuilder text = new StringBuilder();
    text.append(String.format("%n==== %s: %s ====%n", record.scenario(), passed() ? "PASSED" : "FAILED"));
    figureLines().forEach(line -> text.append("  ").append(line).append('\n'));
    verdicts.values().forEach(v -> text.append(v.holds() ? "  [ok]   " : "  [FAIL] ").append(v.name()).append('\n'));
    record.errors().forEach(error -> text.append("  harness error: ").append(firstLine(error)).append('\n'));
    notes.forEach(note -> text.append("  note: ").append(note).append('\n'));
    return text.toString();
  }

  private UpstreamChart.Data chartData() {
    String title = "token-cache loadtest \u00b7 " + record.scenario() + " \u00b7 " + (passed() ? "passed" : "FAILED");
    String subtitle = String.format(
        "max upstream in any sliding 1 s: %d (quota %s) \u00b7 upstream 429: %d \u00b7 upstream calls: %d \u00b7 "
            + "requests: %d (%d failed) \u00b7 members: %d\u2192%d (max %d)",
        maxUpstreamRps(), ClusterPlan.formatRps(quotaRps()), upstream429(), upstreamCalls(), requests(),
        failedRequests(), record.initialMembers(), record.membersFinal(), record.membersMax());
    // Initial members got ready before the load started: their lanes show it, the marks show what happened
    // during the load.
    List<RunRecord.TimelineEvent> marks = record.events().stream()
        .filter(e -> e.epochMillis() >= record.loadStartMillis() && !e.label().isEmpty())
        .toList();
    return new UpstreamChart.Data(title, subtitle, timeline, quotaRps(), marks, originT(), memberLanes());
  }

  /** @return where the chart's time axis starts: the second the first member's process started in, or 0 */
  int originT() {
    long first = record.members().stream().map(member -> ((JsonObject) member).getLong("startedAtMillis"))
        .filter(Objects::nonNull).mapToLong(started -> Math.floorDiv(started, 1000L)).min().orElse(Long.MAX_VALUE);
    return (int) (Math.min(first, timeline.startSecond()) - timeline.startSecond());
  }

  /** @return one lane per member started, with the requests it served from the chart's origin on */
  public List<MemberLane> memberLanes() {
    return MemberLane.of(record, stats, timeline.startSecond(), originT(), Math.max(0, timeline.rows().size() - 1));
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline) + " ...";
  }

  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
