package io.tokencache.fakeidp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("IdpCounters")
class IdpCountersTest {

  private static final long MS = 1_000_000L;

  @Test
  @DisplayName("counts admitted and throttled arrivals in half-open sliding windows [t, t + w)")
  void shouldCountArrivalsInHalfOpenSlidingWindows() {
    IdpCounters counters = new IdpCounters();
    long[] arrivalsMs = {0, 100, 900, 999, 1000, 1001, 1500, 3000};
    for (long ms : arrivalsMs) {
      counters.arrived(ms * MS, 1_700_000_000_000L + ms, ms % 2 == 0);
    }

    // [900, 1900) holds 900, 999, 1000, 1001, 1500; [0, 1000) holds only four (1000 is excluded).
    assertThat(counters.maxArrivalsInWindow(1000 * MS)).isEqualTo(5);
    assertThat(counters.maxArrivalsInWindow(1 * MS)).isEqualTo(1);
    assertThat(counters.maxArrivalsInWindow(10_000 * MS)).isEqualTo(8);
    assertThat(counters.tokenRequests()).isEqualTo(8);
    assertThat(counters.throttled()).isEqualTo(2);
    assertThat(counters.admittedMillis()).hasSize(6);
    assertThat(counters.requestsPerSecondJson().getInteger("1700000000")).isEqualTo(4);
    assertThat(counters.requestsPerSecondJson().getInteger("1700000001")).isEqualTo(3);
  }

  @Test
  @DisplayName("reset zeroes every counter and log")
  void shouldResetEverything() {
    IdpCounters counters = new IdpCounters();
    counters.arrived(1, 1, true);
    counters.issued("a", 1_700_000_000_000L);
    counters.rejectedClient();

    counters.reset();

    assertThat(counters.tokenRequests()).isZero();
    assertThat(counters.tokensIssued("a")).isZero();
    assertThat(counters.rejectedClients()).isZero();
    assertThat(counters.maxArrivalsInWindow(1_000 * MS)).isZero();
    assertThat(counters.admittedMillis()).isEmpty();
    assertThat(counters.issuedAt("a")).isEmpty();
    assertThat(counters.issuedAtByClientJson()).isEmpty();
  }

  @Test
  @DisplayName("records when each client's tokens were issued, in order, per client")
  void shouldRecordIssueTimesPerClient() {
    IdpCounters counters = new IdpCounters();
    counters.issued("a", 1_000);
    counters.issued("b", 1_002);
    counters.issued("a", 16_000);
    counters.issued("a", 16_003);

    assertThat(counters.issuedAt("a")).containsExactly(1_000L, 16_000L, 16_003L);
    assertThat(counters.issuedAt("b")).containsExactly(1_002L);
    assertThat(counters.issuedAt("c")).isEmpty();
    assertThat(counters.tokensIssued("a")).isEqualTo(3);
    JsonObject json = counters.issuedAtByClientJson();
    assertThat(json.fieldNames()).containsExactly("a", "b");
    assertThat(json.getJsonArray("a")).isEqualTo(new JsonArray().add(1_000L).add(16_000L).add(16_003L));
  }

  @Test
  @DisplayName("keeps at most MAX_ISSUED_AT_PER_CLIENT issue times per client, the first ones, and counts them all")
  void shouldBoundIssueTimesPerClient() {
    IdpCounters counters = new IdpCounters();
    for (int i = 0; i < IdpCounters.MAX_ISSUED_AT_PER_CLIENT + 5; i++) {
      counters.issued("a", i);
    }
    List<Long> times = counters.issuedAt("a");
    assertThat(times).hasSize(IdpCounters.MAX_ISSUED_AT_PER_CLIENT);
    assertThat(times.get(times.size() - 1)).isEqualTo(IdpCounters.MAX_ISSUED_AT_PER_CLIENT - 1L);
    assertThat(counters.tokensIssued("a")).isEqualTo(IdpCounters.MAX_ISSUED_AT_PER_CLIENT + 5);
  }
}
