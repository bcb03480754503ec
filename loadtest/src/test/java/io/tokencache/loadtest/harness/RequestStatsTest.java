package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RequestStats")
class RequestStatsTest {

  @Test
  @DisplayName("counts requests, KOs, statuses and cache answers, in total, per name and per second")
  void shouldCount() {
    RequestStats stats = new RequestStats();
    stats.record("valid", false, 200, "HIT", 5_000);
    stats.record("valid", false, 200, " MISS ", 5_999);
    stats.record("wrong secret", false, 401, null, 6_000);
    stats.record("wrong secret", true, 200, "HIT", 6_001);
    stats.record("valid", true, null, null, 7_000);

    assertThat(stats.total().requests()).isEqualTo(5);
    assertThat(stats.total().failed()).isEqualTo(2);
    assertThat(stats.total().cache("HIT")).isEqualTo(2);
    assertThat(stats.total().cache("MISS")).isEqualTo(1);
    assertThat(stats.named("wrong secret").status(200)).isEqualTo(1);
    assertThat(stats.named("wrong secret").status(401)).isEqualTo(1);
    assertThat(stats.named("valid").failed()).isEqualTo(1);
    assertThat(stats.named("never").requests()).isZero();
    assertThat(stats.second(5)).containsExactly(2, 0);
    assertThat(stats.second(6)).containsExactly(2, 1);
    assertThat(stats.second(8)).containsExactly(0, 0);
    assertThat(stats.byNameJson().getJsonObject("valid").getJsonObject("by_status").getMap())
        .containsEntry("200", 2L).containsEntry("none", 1L);
  }
}
