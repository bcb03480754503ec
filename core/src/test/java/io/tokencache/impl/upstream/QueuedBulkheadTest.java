package io.tokencache.impl.upstream;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokencache.TokenCacheException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bulkhead's queue on its own: order, hand-over, contexts and Resilience4j's permit count. */
@ExtendWith(VertxExtension.class)
class QueuedBulkheadTest {

  private Bulkhead bulkhead;
  private SimpleMeterRegistry registry;
  private QueuedBulkhead permits;

  @BeforeEach
  void setUp(Vertx vertx) {
    bulkhead = Bulkhead.of("test", BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
    registry = new SimpleMeterRegistry();
    UpstreamMetrics metrics = new UpstreamMetrics(registry, "test", CircuitBreaker.ofDefaults("test"));
    permits = new QueuedBulkhead(vertx, bulkhead, 3, metrics);
  }

  /** A fresh event-loop context of its own (a deployed verticle's). */
  private static Context newContext(Vertx vertx) {
    Promise<Context> ctx = Promise.promise();
    vertx.deployVerticle(new io.vertx.core.AbstractVerticle() {
      @Override
      public void start() {
        ctx.complete(context);
      }
    }).await();
    return ctx.future().await();
  }

  private static <T> T on(Context ctx, Callable<T> action) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        p.complete(action.call());
      } catch (Exception e) {
        p.fail(e);
      }
    });
    return p.future().await();
  }

  @Test
  @DisplayName("released permits go to the waiters first come first served, each completed on its own context")
  void shouldHandPermitsToWaitersInOrderOnTheirContexts(Vertx vertx) {
    Context holder = newContext(vertx);
    assertThat(on(holder, () -> permits.acquire(1_000).succeeded())).isTrue();
    List<Context> contexts = new ArrayList<>();
    List<Future<Void>> waiting = new ArrayList<>();
    List<String> order = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 3; i++) {
      Context ctx = newContext(vertx);
      contexts.add(ctx);
      int n = i;
      waiting.add(on(ctx, () -> permits.acquire(10_000).onSuccess(v -> {
        order.add("w" + n + (Vertx.currentContext() == ctx ? "" : " on a foreign context"));
      })));
    }
    assertThat(permits.queued()).isEqualTo(3);
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isZero();
    // a newcomer does not overtake the queue, and the queue is full
    assertThat(on(holder, () -> permits.acquire(1_000).failed())).isTrue();

    for (int i = 0; i < 3; i++) {
      on(holder, () -> {
        permits.release();
        return null;
      });
      int served = i + 1;
      await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == served);
    }
    assertThat(order).containsExactly("w0", "w1", "w2");
    assertThat(permits.queued()).isZero();
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isZero();
    permits.release();
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
  }

  @Test
  @DisplayName("a waiter not served within its bound is removed and failed with 503 on its own context")
  void shouldFailAWaiterAfterItsBound(Vertx vertx) {
    Context holder = newContext(vertx);
    on(holder, () -> permits.acquire(1_000));
    Context ctx = newContext(vertx);
    List<String> seen = new CopyOnWriteArrayList<>();
    Future<Void> waiter = on(ctx, () -> permits.acquire(200).onFailure(e ->
      seen.add(Vertx.currentContext() == ctx ? "own context" : "foreign context")));
    await().atMost(Duration.ofSeconds(5)).until(waiter::isComplete);

    assertThat(waiter.cause()).isInstanceOf(TokenCacheException.class);
    assertThat(((TokenCacheException) waiter.cause()).statusCode()).isEqualTo(503);
    assertThat(seen).containsExactly("own context");
    assertThat(permits.queued()).isZero();
    assertThat(registry.get("token.cache.bulkhead.rejections").tag("reason", "timeout").counter().count()).isEqualTo(1);
    // the permit, once released, is free again: nobody stale holds it
    permits.release();
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
  }
}
