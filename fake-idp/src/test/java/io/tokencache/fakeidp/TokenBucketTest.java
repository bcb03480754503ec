package io.tokencache.fakeidp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TokenBucket (on a fake clock)")
class TokenBucketTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  private int drain(TokenBucket bucket) {
    int admitted = 0;
    while (bucket.tryAcquire().admitted()) {
      admitted++;
    }
    return admitted;
  }

  @Test
  @DisplayName("starts full: admits exactly the burst at once, then refuses")
  void shouldStartFullWithBurst() {
    TokenBucket bucket = new TokenBucket(10, 5, nanos::get);

    assertThat(drain(bucket)).isEqualTo(5);
    assertThat(bucket.tryAcquire().admitted()).isFalse();
  }

  @Test
  @DisplayName("refills at the configured rate: one token per 1/rate seconds")
  void shouldRefillAtTheRate() {
    TokenBucket bucket = new TokenBucket(10, 5, nanos::get);
    drain(bucket);

    advance(Duration.ofMillis(99));
    assertThat(bucket.tryAcquire().admitted()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(bucket.tryAcquire().admitted()).isTrue();
    assertThat(bucket.tryAcquire().admitted()).isFalse();

    advance(Duration.ofMillis(300));
    assertThat(drain(bucket)).isEqualTo(3);
  }

  @Test
  @DisplayName("never holds more than its capacity, however long it idles")
  void shouldNeverExceedCapacityWhenIdle() {
    TokenBucket bucket = new TokenBucket(10, 5, nanos::get);
    drain(bucket);

    advance(Duration.ofHours(3));

    assertThat(bucket.availableTokens()).isEqualTo(5.0);
    assertThat(drain(bucket)).isEqualTo(5);
  }

  @Test
  @DisplayName("never admits more than burst + rate * t in any interval of length t")
  void shouldNeverAdmitMoreThanBurstPlusRateTimesElapsed() {
    double rate = 7;
    double burst = 3;
    TokenBucket bucket = new TokenBucket(rate, burst, nanos::get);
    Random random = new Random(42);
    List<Long> admitted = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      // Bursty arrivals: mostly close together, sometimes long gaps.
      long gap = random.nextInt(10) == 0 ? random.nextInt(2_000_000_000) : random.nextInt(30_000_000);
      nanos.addAndGet(gap);
      if (bucket.tryAcquire().admitted()) {
        admitted.add(nanos.get());
      }
    }

    assertThat(admitted).hasSizeGreaterThan(1000);
    for (int first = 0; first < admitted.size(); first++) {
      for (int last = first; last < admitted.size() && last < first + 50; last++) {
        double seconds = (admitted.get(last) - admitted.get(first)) / 1e9;
        int count = last - first + 1;
        assertThat((double) count)
            .as("admissions %d..%d over %.9f s", first, last, seconds)
            .isLessThanOrEqualTo(burst + rate * seconds + 1e-6);
      }
    }
  }

  @Test
  @DisplayName("computes the wait until the next token and Retry-After in whole seconds, rounded up")
  void shouldComputeRetryAfter() {
    TokenBucket slow = new TokenBucket(0.25, 1, nanos::get);
    assertThat(slow.tryAcquire().admitted()).isTrue();
    advance(Duration.ofMillis(1500));

    TokenBucket.Acquisition refused = slow.tryAcquire();

    assertThat(refused.admitted()).isFalse();
    assertThat(refused.waitTime()).isEqualTo(Duration.ofMillis(2500));
    assertThat(refused.retryAfterSeconds()).isEqualTo(3);

    TokenBucket fast = new TokenBucket(10, 1, nanos::get);
    fast.tryAcquire();
    TokenBucket.Acquisition soon = fast.tryAcquire();
    assertThat(soon.waitTime()).isEqualTo(Duration.ofMillis(100));
    assertThat(soon.retryAfterSeconds()).as("at least 1").isEqualTo(1);
  }

  @Test
  @DisplayName("keeps earned tokens, capped at the new capacity, when reconfigured")
  void shouldKeepTokensCappedWhenReconfigured() {
    TokenBucket bucket = new TokenBucket(10, 10, nanos::get);
    bucket.reconfigure(2, 4);

    assertThat(drain(bucket)).isEqualTo(4);
    advance(Duration.ofMillis(500));
    assertThat(drain(bucket)).isEqualTo(1);
  }

  @Test
  @DisplayName("rejects a non-positive rate and a capacity below one token")
  void shouldRejectInvalidArguments() {
    assertThatThrownBy(() -> new TokenBucket(0, 5, nanos::get))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratePerSecond");
    assertThatThrownBy(() -> new TokenBucket(5, 0.5, nanos::get))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
    assertThatThrownBy(() -> new TokenBucket(Double.NaN, 5, nanos::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
