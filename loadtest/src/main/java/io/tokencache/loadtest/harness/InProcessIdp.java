package io.tokencache.loadtest.harness;

import io.tokencache.fakeidp.FailureMode;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The fake IdP inside this JVM, on a Vert.x instance of its own (one event loop), with a probe of
 * how late that loop runs: arrivals are timestamped on it.
 */
final class InProcessIdp implements IdpControl {

  private final Vertx vertx;
  private final FakeIdp idp;
  private EventLoopLagProbe lagProbe;

  private InProcessIdp(Vertx vertx, FakeIdp idp) {
    this.vertx = vertx;
    this.idp = idp;
  }

  /**
   * @param options the IdP's settings
   * @return the started IdP
   * @throws HarnessException when it does not start within 60 s
   */
  static InProcessIdp start(FakeIdpOptions options) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    try {
      FakeIdp idp = FakeIdp.start(vertx, options).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new InProcessIdp(vertx, idp);
    } catch (Exception e) {
      vertx.close();
      throw new HarnessException("the fake IdP did not start: " + e, e);
    }
  }

  /** Starts measuring the event loop's lag (once the IdP is warm). */
  void startLagProbe() {
    lagProbe = EventLoopLagProbe.start(vertx, 20);
  }

  @Override
  public String tokenUrl() {
    return idp.tokenUrl();
  }

  @Override
  public void setFailureMode(FailureMode mode) {
    idp.setFailureMode(mode);
  }

  @Override
  public void setLatency(Duration latency) {
    idp.setLatency(latency);
  }

  @Override
  public void setQuotaRps(double quotaRps) {
    idp.setQuotaRps(quotaRps);
  }

  @Override
  public void resetCounters() {
    idp.resetCounters();
  }

  @Override
  public JsonObject stats() {
    return idp.stats();
  }

  @Override
  public JsonObject lag() {
    return lagProbe == null ? null : lagProbe.toJson();
  }

  @Override
  public String mode() {
    return "in-process";
  }

  @Override
  public long pid() {
    return -1;
  }

  @Override
  public void close() {
    if (lagProbe != null) {
      lagProbe.stop();
    }
    try {
      idp.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
