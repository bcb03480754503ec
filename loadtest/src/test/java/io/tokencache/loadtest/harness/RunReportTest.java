package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("RunReport, Timeline and UpstreamChart")
class RunReportTest {

  /** 12:00:00 UTC, a whole second. */
  private static final long START = 1_800_000_000_000L;

  /**
   * A synthetic run of 4 seconds: the IdP received 3, 12 (2 of them throttled), 0 and 1 requests;
   * 2 members, a third one joins in second 2.
   */
  private static RunRecord record(int throttled, int maxUpstreamRps) {
    JsonObject perSecond = new JsonObject()
        .put(Long.toString(START / 1000), 3)
        .put(Long.toString(START / 1000 + 1), 12)
        .put(Long.toString(START / 1000 + 3), 1);
    JsonArray admitted = new JsonArray();
    for (int i = 0; i < 3; i++) {
      admitted.add(START + 100 + i);
    }
    for (int i = 0; i < 12 - throttled; i++) {
      admitted.add(START + 1000 + i);
    }
    admitted.add(START + 3500);
    JsonObject stats = new JsonObject()
        .put("tokenRequests", 16)
        .put("tokensIssued", 16 - throttled)
        .put("throttled", throttled)
        .put("rejectedClients", 0)
        .put("failuresInjected", 0)
        .put("requestsPerSecond", perSecond)
        .put("issuedAtMillis", admitted)
        .put("issuedByClient", new JsonObject().put("lt-00000", 1).put("lt-00001", 3))
        // lt-00000's issue time is missing: as if the IdP had not recorded it
        .put("issuedAtByClient", new JsonObject().put("lt-00001",
            new JsonArray().add(START + 3500).add(START + 100).add(START + 101)))
        .put("settings", new JsonObject().put("quotaRps", 10.0).put("failureMode", "NONE"));
    List<RunRecord.MemberSample> samples = List.of(
        new RunRecord.MemberSample(START + 20, 2, 2, 2, 0, 0),
        new RunRecord.MemberSample(START + 1020, 2, 3, 2, 0, 0),
        new RunRecord.MemberSample(START + 2020, 3, 3, 3, 4, 1),
        new RunRecord.MemberSample(START + 3020, 3, 3, null, 4, 1));
    List<RunRecord.TimelineEvent> events = List.of(
        new RunRecord.TimelineEvent(START - 500, "+m1", "m1 ready before the load"),
        new RunRecord.TimelineEvent(START + 1900, "+m3", "m3 ready"));
    return new RunRecord("unit", new JsonObject().put("quotaRps", 10.0), "loadtest-unit-1", 3, START, START + 3900,
        stats, maxUpstreamRps, samples, events, new JsonArray(), 2, List.of(), null, 0);
  }

  private static RequestStats stats() {
    RequestStats stats = new RequestStats();
    stats.record("token", false, 200, "MISS", START + 10);
    stats.record("token", false, 200, "HIT", START + 1010);
    stats.record("token", false, 200, "HIT", START + 1020);
    stats.record("token", true, 503, null, START + 2010);
    stats.record("other", true, null, null, START + 2020);
    return stats;
  }

  @Test
  @DisplayName("builds the timeline second by second from the IdP's arrivals and the member samples")
  void shouldBuildTheTimeline() {
    Timeline timeline = Timeline.of(record(2, 11), stats());
    assertThat(timeline.rows()).hasSize(4);
    Timeline.Row second = timeline.rows().get(1);
    assertThat(second.t()).isEqualTo(1);
    assertThat(second.upstreamRequests()).isEqualTo(12);
    assertThat(second.upstreamAdmitted()).isEqualTo(10);
    assertThat(second.upstream429()).isEqualTo(2);
    assertThat(second.memberProcesses()).isEqualTo(3);
    assertThat(second.clientRequests()).isEqualTo(2);
    assertThat(timeline.rows().get(2).membersLive()).isEqualTo(3);
    assertThat(timeline.rows().get(2).clientFailed()).isEqualTo(2);
    assertThat(timeline.rows().get(3).clusterView()).isEqualTo(-1);
    assertThat(timeline.maxUpstreamPerCalendarSecond()).isEqualTo(12);
    assertThat(timeline.upstreamBetween(1, 3)).isEqualTo(12);
    assertThat(timeline.toCsv().lines().findFirst().orElseThrow()).startsWith("t_s,epoch_s,upstream_requests");
    assertThat(second.upstreamFailuresInjected()).as("sampled at the start of the next second").isEqualTo(4);
    assertThat(second.upstream401()).isEqualTo(1);
    assertThat(timeline.rows().get(0).upstreamFailuresInjected()).isZero();
    assertThat(timeline.toCsv().lines()).hasSize(5).contains("1," + (START / 1000 + 1) + ",12,10,2,4,1,2,3,2,2,0,13");
  }

  @Test
  @DisplayName("gives each second the most admitted requests in any sliding 1 s window ending in it")
  void shouldComputeTheSlidingSecondMaximum() {
    Timeline timeline = Timeline.of(record(2, 11), stats());
    // Second 1's 10 admitted arrivals (1000-1009 ms) share a window with second 0's three (100-102 ms): 13,
    // more than either calendar second holds.
    assertThat(timeline.rows()).extracting(Timeline.Row::upstreamMaxSliding1s).containsExactly(3, 13, 0, 1);
    assertThat(timeline.maxUpstreamSliding1s()).isEqualTo(13);
    assertThat(timeline.rows().get(1).upstreamAdmitted()).isEqualTo(10);
    assertThat(UpstreamChart.UPSTREAM_AXIS).contains("per calendar second");
  }

  /** The record of {@link #record}, with three members: m1 and m2 started before the load, m3 during it. */
  private static RunRecord recordWithMembers() {
    RunRecord plain = record(0, 10);
    JsonArray members = new JsonArray()
        .add(member(1, 5001, START - 3000, START - 1500, null))
        .add(member(2, 5002, START - 2800, START - 1200, null))
        .add(member(3, 5003, START + 1000, START + 1900, null));
    return new RunRecord(plain.scenario(), plain.options(), plain.clusterName(), plain.plannedMembers(),
        plain.loadStartMillis(), plain.loadEndMillis(), plain.idpStats(), plain.maxUpstreamRps(), plain.samples(),
        plain.events(), members, plain.initialMembers(), plain.errors(), null, 0);
  }

  private static JsonObject member(int index, int port, long started, Long ready, Long left) {
    return new JsonObject().put("member", "m" + index).put("httpPort", port).put("startedAtMillis", started)
        .put("readyAtMillis", ready).put("leftRotationAtMillis", left).put("state", "STOPPED");
  }

  private static RequestStats servedStats() {
    RequestStats stats = stats();
    for (int s = 0; s < 4; s++) {
      stats.served("http://127.0.0.1:5001", true, START + s * 1000 + 10);
      stats.served("http://127.0.0.1:5002", true, START + s * 1000 + 20);
    }
    stats.served("http://127.0.0.1:5003", false, START + 1950);
    stats.served("http://127.0.0.1:5003", true, START + 2100);
    stats.served("http://127.0.0.1:5003", true, START + 3100);
    return stats;
  }

  @Test
  @DisplayName("times each member from its process start to ready and to its first request served")
  void shouldBuildMemberLanes() {
    List<MemberLane> lanes = new RunReport(recordWithMembers(), servedStats()).memberLanes();
    assertThat(lanes).extracting(MemberLane::index).containsExactly(1, 2, 3);
    MemberLane m3 = lanes.get(2);
    assertThat(m3.startedT()).isEqualTo(1.0);
    assertThat(m3.startToReady()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(m3.startToServing()).as("the failed answer at 1.95 s does not count").isCloseTo(1.1,
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(m3.fromT()).as("from the first process start, before the load").isEqualTo(-3);
    assertThat(m3.served()).containsExactly(0, 0, 0, 0, 0, 1, 1);
    assertThat(lanes.get(0).startedT()).isEqualTo(-3.0);
    assertThat(lanes.get(0).firstServedT()).isEqualTo(0.01);
    JsonObject summary = new RunReport(recordWithMembers(), servedStats()).toJson();
    assertThat(summary.getJsonArray("member_timeline").getJsonObject(2).getDouble("start_to_serving_s")).isEqualTo(1.1);
  }

  @Test
  @DisplayName("draws one lane per member, from the first process start on, members before the load included")
  void shouldDrawMemberLanesFromTheFirstEvent() {
    RunReport report = new RunReport(recordWithMembers(), servedStats()).standardVerdicts(5);
    UpstreamChart.Data data = new UpstreamChart.Data("t", "s", report.timeline(), 10, List.of(), -3,
        report.memberLanes());
    BufferedImage image = UpstreamChart.render(data);
    List<org.knowm.xchart.XYChart> charts = UpstreamChart.charts(data);
    assertThat(charts).hasSize(3);
    assertThat(charts).as("every chart's axis starts at the first event")
        .allSatisfy(c -> assertThat(c.getStyler().getXAxisMin()).isEqualTo(-3.0));
    org.knowm.xchart.XYChart lanes = charts.get(1);
    // Lanes oldest on top: m1 at y = 3, m2 at 2, m3 at 1. m1 and m2 were starting before the load, apart.
    // Each lane's band is a series of its own, in lane order.
    var series = lanes.getSeriesMap();
    assertThat(series.get("process starting").getXData()).containsExactly(-3.0, -1.5);
    assertThat(series.get("process starting").getYData()).containsExactly(3.0, 3.0);
    assertThat(series.get("process starting 1").getXData()).containsExactly(-2.8, -1.2);
    assertThat(series.get("process starting 1").getYData()).containsExactly(2.0, 2.0);
    // m3 starting from 1 s to ready at 1.9 s, then in rotation (after ready, before serving) to the end.
    assertThat(series.get("process starting 2").getXData()).containsExactly(1.0, 1.9);
    assertThat(series.get("in rotation 2").getXData()).containsExactly(1.9, 4.0);
    assertThat(series.get("in rotation 2").getYData()).containsExactly(1.0, 1.0);
    assertThat(lanes.getSeriesMap()).containsKeys("process start",
        "requests served / s", "before the load");
    assertThat(image.getHeight()).isEqualTo(64 + charts.stream().mapToInt(org.knowm.xchart.XYChart::getHeight).sum());
  }

  @Test
  @DisplayName("fails the standard verdicts on a 429, on a sliding second above the quota, and on failures")
  void shouldJudgeTheStandardVerdicts() {
    RunReport bad = new RunReport(record(2, 11), stats()).standardVerdicts(0);
    assertThat(bad.passed()).isFalse();
    assertThat(bad.toJson().getJsonObject("verdicts").getMap()).containsEntry("no_upstream_429", false)
        .containsEntry("upstream_rps_within_quota", false)
        .containsEntry("failed_requests_within_limit", false)
        .containsEntry("harness_ok", true);

    RequestStats clean = new RequestStats();
    clean.record("token", false, 200, "HIT", START + 10);
    RunReport good = new RunReport(record(0, 10), clean).standardVerdicts(0);
    assertThat(good.passed()).isTrue();
    assertThat(good.verdict("extra", false).passed()).isFalse();
  }

  @Test
  @DisplayName("writes summary.json with the required figures, timeline.csv and a readable chart")
  void shouldWriteTheReportFiles(@TempDir Path dir) throws Exception {
    RunReport report = new RunReport(record(2, 11), stats())
        .simulation("io.example.UnitSimulation")
        .parameters(new JsonObject().put("members", 2))
        .standardVerdicts(0)
        .put("keys_used", 2)
        .note("a note");
    JsonObject summary = report.write(dir);

    JsonObject written = new JsonObject(Files.readString(dir.resolve("summary.json")));
    assertThat(written).isEqualTo(summary);
    assertThat(written.getInteger("upstream_429")).isEqualTo(2);
    assertThat(written.getInteger("max_upstream_rps")).isEqualTo(11);
    assertThat(written.getDouble("quota_rps")).isEqualTo(10.0);
    assertThat(written.getInteger("upstream_calls")).isEqualTo(16);
    assertThat(written.getLong("failed_requests")).isEqualTo(2);
    assertThat(written.getLong("requests")).isEqualTo(5);
    assertThat(written.getInteger("members_max")).isEqualTo(3);
    assertThat(written.getInteger("members_initial")).isEqualTo(2);
    assertThat(written.getInteger("cluster_size_reported_max")).isEqualTo(3);
    assertThat(written.getInteger("keys_used")).isEqualTo(2);
    assertThat(written.getBoolean("passed")).isFalse();
    assertThat(written.getJsonObject("requests_by_cache").getMap()).containsEntry("HIT", 2).containsEntry("MISS", 1);
    assertThat(written.getJsonObject("requests_by_status").getMap()).containsEntry("503", 1).containsEntry("none", 1);
    assertThat(written.getJsonArray("events")).hasSize(2);
    assertThat(written.containsKey("chart_error")).isFalse();
    assertThat(Files.readAllLines(dir.resolve("timeline.csv"))).hasSize(5);

    BufferedImage chart = ImageIO.read(dir.resolve("upstream.png").toFile());
    assertThat(chart.getWidth()).isEqualTo(1400);
    assertThat(chart.getHeight()).isGreaterThan(800);
    assertThat(report.consoleSummary()).contains("unit: FAILED").contains("[FAIL] no_upstream_429")
        .contains("note: a note");
  }

  @Test
  @DisplayName("counts upstream calls per key over the keys actually used")
  void shouldCountCallsPerKey() {
    KeySpace keys = new KeySpace("lt", 3, List.of("a"));
    keys.record(0);
    keys.record(1);
    keys.record(1);
    RunReport.KeyCalls calls = new RunReport(record(0, 5), new RequestStats()).keyCalls(keys);
    assertThat(calls.keys()).isEqualTo(2);
    assertThat(calls.calls()).isEqualTo(4);
    assertThat(calls.mean()).isEqualTo(2.0);
    assertThat(calls.max()).isEqualTo(3);
    assertThat(calls.maxKey()).isEqualTo("lt-00001");
  }

  @Test
  @DisplayName("counts calls per key per token generation from the IdP's issue times, over the keys used")
  void shouldCountCallsPerGeneration() {
    KeySpace keys = new KeySpace("lt", 3, List.of("a"));
    keys.record(1);
    RunReport report = new RunReport(record(0, 5), new RequestStats());
    // tokens of 2 s: 100 and 101 are one generation, 3500 the next
    RunReport.KeyGenerations short_ = report.keyGenerations(keys, 2_000);
    assertThat(short_.complete()).isTrue();
    assertThat(short_.summary().keys()).isEqualTo(1);
    assertThat(short_.summary().duplicates()).isEqualTo(1);
    assertThat(short_.summary().callsPerGenerationMean()).isEqualTo(1.5);
    // tokens of 20 s: all three within half a lifetime of the previous one
    assertThat(report.keyGenerations(keys, 20_000).summary().callsPerGenerationMax()).isEqualTo(3.0);

    keys.record(0);
    RunReport.KeyGenerations both = report.keyGenerations(keys, 2_000);
    assertThat(both.complete()).isFalse();
    assertThat(both.summary().keys()).isEqualTo(1);
  }

  @Test
  @DisplayName("picks round axis maxima and tick steps")
  void shouldPickNiceScales() {
    assertThat(UpstreamChart.niceCeiling(15)).isEqualTo(20);
    assertThat(UpstreamChart.niceCeiling(11)).isEqualTo(20);
    assertThat(UpstreamChart.niceCeiling(240)).isEqualTo(250);
    assertThat(UpstreamChart.niceCeiling(0)).isEqualTo(1);
    assertThat(UpstreamChart.niceStep(40)).isEqualTo(5);
    assertThat(UpstreamChart.niceStep(190)).isEqualTo(15);
  }

  @Test
  @DisplayName("with the members' lane counters: upstream_by_lane in the summary and upstream-lanes.png beside upstream.png")
  void shouldWriteTheLaneSeriesAndChart(@TempDir Path dir) throws Exception {
    RunRecord plain = record(0, 10);
    LaneSeries lanes = LaneSeries.of(List.of(
        new LaneSeries.Scrape(START, "m1", java.util.Map.of(), java.util.Map.of()),
        new LaneSeries.Scrape(START + 1020, "m1",
            java.util.Map.of("refresh", 2.0, "unknown", 8.0), java.util.Map.of("unknown", 90.0)),
        new LaneSeries.Scrape(START + 2020, "m1",
            java.util.Map.of("refresh", 2.0, "unknown", 16.0), java.util.Map.of("unknown", 180.0))),
        START, START + 3900);
    RunRecord withLanes = new RunRecord(plain.scenario(), plain.options(), plain.clusterName(), plain.plannedMembers(),
        plain.loadStartMillis(), plain.loadEndMillis(), plain.idpStats(), plain.maxUpstreamRps(), plain.samples(),
        plain.events(), plain.members(), plain.initialMembers(), plain.errors(), lanes, 1);
    JsonObject summary = new RunReport(withLanes, stats()).standardVerdicts(5).write(dir);

    assertThat(summary.containsKey("chart_error")).as(summary.getString("chart_error", "")).isFalse();
    JsonObject byLane = summary.getJsonObject("upstream_by_lane");
    assertThat(byLane.getJsonArray("lanes").getList()).containsExactly("refresh", "unknown");
    assertThat(byLane.getJsonObject("upstream_total_by_lane").getLong("unknown")).isEqualTo(16);
    assertThat(byLane.getJsonObject("budget_rejections_total_by_lane").getLong("unknown")).isEqualTo(180);
    assertThat(byLane.getInteger("scrape_failures")).isEqualTo(1);
    BufferedImage chart = ImageIO.read(dir.resolve(LaneChart.FILE).toFile());
    assertThat(chart.getWidth()).isEqualTo(1400);
    assertThat(summary.getJsonObject("files").getString("lane_chart")).endsWith(LaneChart.FILE);
    assertThat(new RunReport(plain, stats()).toJson().containsKey("upstream_by_lane"))
        .as("no lane figures without scrapes").isFalse();
  }
}
