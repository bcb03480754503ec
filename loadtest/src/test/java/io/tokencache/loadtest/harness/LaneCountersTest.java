package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LaneCounters")
class LaneCountersTest {

  @Test
  @DisplayName("sums upstream requests over outcomes and upstreams per lane, and budget rejections per lane")
  void shouldSumByLane() {
    LaneCounters counters = LaneCounters.parse("""
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
    LaneCounters counters = LaneCounters.parse("""
        # TYPE token_cache_upstream_requests_total counter
        token_cache_upstream_requests_total{outcome="success",upstream="default",} 7.0
        token_cache_upstream_requests_total{outcome="server_error",upstream="default",} 1.0
        token_cache_budget_rejections_total{upstream="default",} 40.0
        token_cache_budget_rejections_total{upstream="default",} NaN
        """);
    assertThat(counters.upstream()).isEqualTo(Map.of(LaneCounters.ALL, 8.0));
    assertThat(counters.rejections()).isEqualTo(Map.of(LaneCounters.ALL, 40.0));
  }
}
