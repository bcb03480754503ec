package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LaneSeries")
class LaneSeriesTest {

  private static final long START = 1_700_000_000_000L;

  private static LaneSeries.Scrape scrape(long offsetMillis, String member, Map<String, Double> upstream,
      Map<String, Double> rejections) {
    return new LaneSeries.Scrape(START + offsetMillis, member, upstream, rejections);
  }

  @Test
  @DisplayName("sums each member's increase per lane per second; the scrape at the load's start is the baseline")
  void shouldSumDeltasOverMembersPerLanePerSecond() {
    List<LaneSeries.Scrape> scrapes = List.of(
        scrape(0, "m1", Map.of("refresh", 5.0), Map.of()),
        scrape(0, "m2", Map.of("unknown", 100.0), Map.of()),
        scrape(1_020, "m1", Map.of("refresh", 6.0, "unknown", 3.0), Map.of("unknown", 10.0)),
        scrape(1_030, "m2", Map.of("unknown", 104.0), Map.of("unknown", 20.0)),
        scrape(2_020, "m1", Map.of("refresh", 6.0, "unknown", 5.0), Map.of("unknown", 15.0)),
        scrape(2_025, "m2", Map.of("unknown", 104.0, "refresh", 1.0), Map.of("unknown", 20.0)));
    LaneSeries series = LaneSeries.of(scrapes, START, START + 2_500);

    assertThat(series.seconds()).isEqualTo(3);
    assertThat(series.lanes()).containsExactly("refresh", "unknown");
    assertThat(series.upstream("refresh")).containsExactly(1, 1, 0);
    assertThat(series.upstream("unknown")).containsExactly(7, 2, 0);
    assertThat(series.rejections("unknown")).containsExactly(30, 5, 0);
    assertThat(series.upstreamTotal()).containsExactly(8, 3, 0);
    JsonObject json = series.toJson();
    assertThat(json.getJsonObject("upstream_total_by_lane").getLong("unknown")).isEqualTo(9);
    assertThat(json.getJsonObject("budget_rejections_total_by_lane").getLong("unknown")).isEqualTo(35);
    assertThat(json.getJsonObject("upstream_per_second").getJsonArray("refresh").getList()).containsExactly(1L, 1L, 0L);
    assertThat(json.getInteger("members_scraped")).isEqualTo(2);
  }

  @Test
  @DisplayName("a counter that went down (the member restarted) counts its new value, never a negative delta")
  void shouldNotGoNegativeWhenACounterResets() {
    List<LaneSeries.Scrape> scrapes = List.of(
        scrape(0, "m1", Map.of("all", 50.0), Map.of("all", 9.0)),
        scrape(1_020, "m1", Map.of("all", 60.0), Map.of("all", 9.0)),
        scrape(2_020, "m1", Map.of("all", 2.0), Map.of()),
        scrape(3_020, "m1", Map.of("all", 5.0), Map.of("all", 1.0)));
    LaneSeries series = LaneSeries.of(scrapes, START, START + 3_500);
    assertThat(series.upstream("all")).containsExactly(10, 2, 3, 0);
    assertThat(series.rejections("all")).containsExactly(0, 0, 1, 0);
    assertThat(LaneSeries.increase(10, 3)).isEqualTo(3);
    assertThat(LaneSeries.increase(3, 10)).isEqualTo(7);
  }

  @Test
  @DisplayName("a member first scraped during the load counts from zero; a missed scrape's increase lands once")
  void shouldCountAJoiningMemberFromZeroAndBridgeMissedScrapes() {
    List<LaneSeries.Scrape> scrapes = List.of(
        scrape(-200, "m1", Map.of("known", 0.0), Map.of()),
        // m1's scrape at +1 s failed: its +2 s scrape covers the gap once, in the second of the midpoint (0.9 s)
        scrape(2_020, "m1", Map.of("known", 4.0), Map.of()),
        scrape(2_040, "m3", Map.of("known", 3.0), Map.of()));
    LaneSeries series = LaneSeries.of(scrapes, START, START + 2_100);
    assertThat(series.upstream("known")).containsExactly(4, 3, 0);
    long total = 0;
    for (long v : series.upstream("known")) {
      total += v;
    }
    assertThat(total).isEqualTo(7);
  }

  @Test
  @DisplayName("orders lanes refresh, known, unknown, passthrough, all, then others; empty without scrapes")
  void shouldOrderLanesAndBeEmptyWithoutScrapes() {
    LaneSeries series = LaneSeries.of(List.of(
        scrape(0, "m1", Map.of(), Map.of()),
        scrape(1_000, "m1", Map.of("zeta", 1.0, "all", 1.0, "passthrough", 1.0, "refresh", 1.0, "alpha", 1.0),
            Map.of("known", 1.0))), START, START + 1_000);
    assertThat(series.lanes()).containsExactly("refresh", "known", "passthrough", "all", "alpha", "zeta");
    assertThat(LaneSeries.of(List.of(), START, START + 5_000).isEmpty()).isTrue();
    assertThat(LaneSeries.empty().toJson().getJsonArray("lanes")).isEmpty();
  }

  private static LaneSeries.Scrape parse(String metrics) {
    return LaneSeries.Scrape.of(START, "m1", PrometheusText.parse(metrics).samples());
  }

  @Test
  @DisplayName("sums upstream requests over outcomes and upstreams per lane, and budget rejections per lane")
  void shouldSumByLane() {
    LaneSeries.Scrape counters = parse("""
        token_cache_upstream_requests_total{upstream="default",outcome="success",lane="refresh"} 4.0
        token_cache_upstream_requests_total{upstream="default",outcome="throttled",lane="refresh"} 1.0
        token_cache_upstream_requests_total{upstream="default",outcome="success",lane="unknown"} 10.0
        token_cache_upstream_requests_total{upstream="other",outcome="success",lane="unknown"} 2.0
        token_cache_budget_rejections_total{upstream="default",lane="unknown"} 90.0
        token_cache_budget_rejections_total{upstream="default",lane="refresh"} 0.0
        token_cache_upstream_latency_seconds_count{upstream="default"} 17.0
        token_cache_requests_total{result="hit"} 1000.0
        """);
    assertThat(counters.upstream()).isEqualTo(Map.of("refresh", 5.0, "unknown", 12.0));
    assertThat(counters.rejections()).isEqualTo(Map.of("unknown", 90.0, "refresh", 0.0));
  }

  @Test
  @DisplayName("counts a counter without a lane label (today's server) under the lane 'all'")
  void shouldTreatAMissingLaneAsAll() {
    LaneSeries.Scrape counters = parse("""
        # TYPE token_cache_upstream_requests_total counter
        token_cache_upstream_requests_total{outcome="success",upstream="default",} 7.0
        token_cache_upstream_requests_total{outcome="server_error",upstream="default",} 1.0
        token_cache_budget_rejections_total{upstream="default",} 40.0
        token_cache_budget_rejections_total{upstream="default",} NaN
        """);
    assertThat(counters.upstream()).isEqualTo(Map.of(LaneSeries.ALL, 8.0));
    assertThat(counters.rejections()).isEqualTo(Map.of(LaneSeries.ALL, 40.0));
  }
}
