package io.tokencache.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SingleFlightTest {

  private final SingleFlight<String, String> flights = new SingleFlight<>();

  @Test
  @DisplayName("callers arriving during a load join it and one load runs")
  void shouldCoalesceConcurrentCallers() {
    AtomicInteger loads = new AtomicInteger();
    Promise<String> load = Promise.promise();
    SingleFlight.Flight<String> first = flights.run("k", () -> {
      loads.incrementAndGet();
      return load.future();
    });
    SingleFlight.Flight<String> second = flights.run("k", () -> {
      loads.incrementAndGet();
      return Future.succeededFuture("other");
    });
    assertThat(first.leader()).isTrue();
    assertThat(second.leader()).isFalse();
    load.complete("v");
    assertThat(first.future().result()).isEqualTo("v");
    assertThat(second.future().result()).isEqualTo("v");
    assertThat(loads).hasValue(1);
    assertThat(flights.size()).isZero();
  }

  @Test
  @DisplayName("a failure reaches every waiter and is not cached: the next caller loads again")
  void shouldNotCacheFailures() {
    Promise<String> load = Promise.promise();
    SingleFlight.Flight<String> first = flights.run("k", load::future);
    SingleFlight.Flight<String> second = flights.run("k", () -> Future.succeededFuture("unused"));
    load.fail("boom");
    assertThat(first.future().failed()).isTrue();
    assertThat(second.future().cause()).hasMessage("boom");
    SingleFlight.Flight<String> third = flights.run("k", () -> Future.succeededFuture("fresh"));
    assertThat(third.leader()).isTrue();
    assertThat(third.future().result()).isEqualTo("fresh");
  }

  @Test
  @DisplayName("a loader that throws fails its flight instead of leaving it stuck")
  void shouldFailFlightWhenLoaderThrows() {
    SingleFlight.Flight<String> f = flights.run("k", () -> {
      throw new IllegalStateException("bad");
    });
    assertThat(f.future().cause()).hasMessage("bad");
    assertThat(flights.isRunning("k")).isFalse();
  }
}
