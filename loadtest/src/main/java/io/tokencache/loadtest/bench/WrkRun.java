package io.tokencache.loadtest.bench;

import io.vertx.core.json.JsonObject;

/**
 * One wrk run's figures, as {@code loadtest/bench/token.lua}'s {@code done()} prints them (one JSON line,
 * microseconds).
 *
 * @param requests requests completed
 * @param seconds the run's duration
 * @param errors socket errors (connect, read, write, timeout)
 * @param statusErrors answers with a status of 400 or more
 * @param p50Micros median latency
 * @param p99Micros 99th percentile
 * @param p999Micros 99.9th percentile
 * @param maxMicros maximum
 */
record WrkRun(long requests, double seconds, long errors, long statusErrors, long p50Micros, long p99Micros,
    long p999Micros, long maxMicros) {

  static WrkRun fromJson(JsonObject wrk) {
    return new WrkRun(wrk.getLong("requests"), wrk.getLong("duration_us") / 1e6, wrk.getLong("errors", 0L),
        wrk.getLong("status_errors", 0L), wrk.getLong("p50"), wrk.getLong("p99"), wrk.getLong("p999"),
        wrk.getLong("max", 0L));
  }

  double rps() {
    return seconds <= 0 ? 0 : requests / seconds;
  }
}
