package io.tokencache.loadtest.harness;

import io.tokencache.fakeidp.FailureMode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The fake IdP as the orchestrator drives it, wherever it runs: in the Gatling JVM
 * ({@link InProcessIdp}) or as its own process from {@code fake-idp.jar} ({@link ProcessIdp}, the
 * default for load runs: an observer in its own JVM timestamps arrivals without the load
 * generator's pauses).
 */
public interface IdpControl extends AutoCloseable {

  /** @return the token endpoint, {@code http://127.0.0.1:<port>/oauth2/token} */
  String tokenUrl();

  /**
   * @param mode how to treat token requests from now on
   */
  void setFailureMode(FailureMode mode);

  /**
   * @param latency delay before each token answer from now on
   */
  void setLatency(Duration latency);

  /**
   * @param quotaRps the quota from now on (a fresh, full bucket when it was unlimited)
   */
  void setQuotaRps(double quotaRps);

  /** Zeroes every counter. */
  void resetCounters();

  /**
   * @return the IdP's counters, as {@code GET /stats}: {@code tokenRequests}, {@code throttled},
   *     {@code failuresInjected}, {@code rejectedClients}, {@code maxRequestsInAnyWindow1s},
   *     {@code requestsPerSecond}, {@code issuedAtMillis}, {@code issuedByClient},
   *     {@code issuedAtByClient} (client id to the epoch millis of each token issued to it),
   *     {@code settings} (with {@code failureMode}, {@code quotaRps}), ...; plus
   *     {@code eventLoopLag} when measured
   */
  JsonObject stats();

  /** @return where the IdP runs, for the summary: {@code in-process} or {@code process} */
  String mode();

  /** @return the IdP's pid when it is a process of its own, else -1 */
  long pid();

  /**
   * @param stats as {@link #stats()}
   * @return the most token requests that arrived in any sliding 1 s window
   */
  static int maxRequestsInAnyWindow1s(JsonObject stats) {
    return stats.getInteger("maxRequestsInAnyWindow1s", 0);
  }

  /** Stops the IdP; never throws. */
  @Override
  void close();

  /** @return a lag probe's figures, if this IdP measures its event loop, else null */
  default JsonObject lag() {
    return null;
  }

  /** Convenience for tests: the current failure mode, from {@link #stats()}. */
  default FailureMode failureMode() {
    return FailureMode.valueOf(stats().getJsonObject("settings").getString("failureMode"));
  }
}
