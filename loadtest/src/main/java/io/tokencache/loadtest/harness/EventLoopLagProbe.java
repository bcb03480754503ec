package io.tokencache.loadtest.harness;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures how late a periodic timer fires on a Vert.x instance's event loop: the fake IdP
 * timestamps every arrival on that loop, so a stalled loop (GC, JIT or CPU starvation in the Gatling
 * JVM it shares) would bunch arrivals that were spread out on the wire. The run's summary carries
 * the worst lag, so a reader can tell a server bursting from a measurement artefact.
 */
final class EventLoopLagProbe {

  private final Vertx vertx;
  private final long periodMillis;
  private final Map<Long, Long> maxLagPerSecond = new ConcurrentHashMap<>();
  private volatile long maxLagMillis;
  private volatile long expectedNanos;
  private long timerId = -1;

  private EventLoopLagProbe(Vertx vertx, long periodMillis) {
    this.vertx = vertx;
    this.periodMillis = periodMillis;
  }

  /**
   * @param vertx the instance whose (first) event loop to watch
   * @param periodMillis timer period
   * @return the running probe
   */
  static EventLoopLagProbe start(Vertx vertx, long periodMillis) {
    EventLoopLagProbe probe = new EventLoopLagProbe(vertx, periodMillis);
    probe.expectedNanos = System.nanoTime() + periodMillis * 1_000_000;
    probe.timerId = vertx.setPeriodic(periodMillis, id -> probe.tick());
    return probe;
  }

  private void tick() {
    long now = System.nanoTime();
    long lag = Math.max(0, (now - expectedNanos) / 1_000_000);
    expectedNanos = now + periodMillis * 1_000_000;
    if (lag > maxLagMillis) {
      maxLagMillis = lag;
    }
    maxLagPerSecond.merge(Math.floorDiv(System.currentTimeMillis(), 1000L), lag, Math::max);
  }

  void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /** @return the worst lag over the run, in ms */
  long maxLagMillis() {
    return maxLagMillis;
  }

  /** @return {@code maxLagMillis} and {@code maxLagMillisPerSecond} (epoch second to ms) */
  JsonObject toJson() {
    JsonObject perSecond = new JsonObject();
    new TreeMap<>(maxLagPerSecond).forEach((second, lag) -> perSecond.put(Long.toString(second), lag));
    return new JsonObject().put("periodMillis", periodMillis).put("maxLagMillis", maxLagMillis)
        .put("maxLagMillisPerSecond", perSecond);
  }
}
