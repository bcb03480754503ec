package io.tokencache.impl.quota;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SlidingWindowLogTest {

  private static final long T0 = 1_000_000L;

  /** The most grants in any half-open window [t, t + window) — what an IdP counting per sliding second sees. */
  static int maxInAnyWindow(List<Long> times, long window) {
    int max = 0;
    for (int i = 0, j = 0; i < times.size(); i++) {
      while (times.get(i) - times.get(j) >= window) {
        j++;
      }
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  @Test
  @DisplayName("an idle budget allows a burst of Q at once, then one more per freed slot")
  void shouldAllowBurstOfOneSecondOfBudget() {
    SlidingWindowLog log = new SlidingWindowLog(10, 0);
    for (int i = 0; i < 10; i++) {
      assertThat(log.reserve(T0, 0)).isZero();
    }
    assertThat(log.reserve(T0, 0)).as("no slot left without waiting").isEqualTo(-(1000 + 1));
    assertThat(log.reserve(T0, 5000)).isEqualTo(1000);
  }

  @Test
  @DisplayName("greedy callers across a window boundary never get 2Q in a sliding second (the fixed-window flaw)")
  void shouldNeverExceedQuotaInAnySlidingWindow() {
    SlidingWindowLog log = new SlidingWindowLog(10, 0);
    List<Long> sent = new ArrayList<>();
    Random random = new Random(42);
    long now = T0;
    for (int i = 0; i < 2000; i++) {
      now += random.nextInt(200); // on average at the budget (10 per second): waits stay bounded
      long delay = log.reserve(now, 60_000);
      assertThat(delay).isNotNegative();
      sent.add(now + delay);
    }
    sent.sort(Long::compare);
    assertThat(maxInAnyWindow(sent, 1000)).isEqualTo(10);
  }

  @Test
  @DisplayName("the safety margin widens the window the budget is counted over")
  void shouldApplySafetyMargin() {
    SlidingWindowLog log = new SlidingWindowLog(2, 100);
    assertThat(log.reserve(T0, 0)).isZero();
    assertThat(log.reserve(T0, 0)).isZero();
    assertThat(log.reserve(T0, 10_000)).isEqualTo(1100);
  }

  @Test
  @DisplayName("a back-off holds every reservation until it ends, and a refused reservation takes no slot")
  void shouldHoldReservationsDuringBackOff() {
    SlidingWindowLog log = new SlidingWindowLog(10, 0);
    log.blockUntil(T0 + 5000);
    assertThat(log.reserve(T0, 1000)).isEqualTo(-(5000 + 1));
    assertThat(log.reserve(T0 + 5000, 0)).isZero();
    log.blockUntil(T0 + 10);
    assertThat(log.blockedUntil()).as("a shorter back-off never shortens a longer one").isEqualTo(T0 + 5000);
  }

  @Test
  @DisplayName("a budget under 1 per second stretches the window to hold one request")
  void shouldSupportFractionalQuota() {
    SlidingWindowLog log = new SlidingWindowLog(0.5, 0);
    assertThat(log.capacity()).isEqualTo(1);
    assertThat(log.reserve(T0, 0)).isZero();
    assertThat(log.reserve(T0, 10_000)).isEqualTo(2000);
  }
}
