package io.tokencache.impl;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every series an alert may name is there at zero before its first event, so a rule never waits for one. */
class MetricsUpFrontTest {

  @Test
  @DisplayName("a fresh cache exports upstream outcomes per lane, bulkhead and admission refusals, at zero")
  void shouldRegisterAlertedSeriesAtZero() {
    Vertx vertx = Vertx.vertx();
    MeterRegistry registry = new SimpleMeterRegistry();
    TokenCache cache = TokenCache.create(vertx, new TokenCacheOptions().setMeterRegistry(registry)
      .addUpstream(new UpstreamOptions().setTokenUrl("http://127.0.0.1:9/token"))).await();
    try {
      assertThat(registry.find("token.cache.upstream.requests").tag("outcome", "throttled").tag("lane", "refresh")
        .counter()).isNotNull().satisfies(c -> assertThat(c.count()).isZero());
      assertThat(registry.find("token.cache.upstream.requests").counters()).hasSize(5 * 4);
      assertThat(registry.find("token.cache.bulkhead.rejections").counters()).hasSize(2);
      assertThat(registry.find("token.cache.admission.refusals").counters()).hasSize(3);
      assertThat(registry.find("token.cache.budget.rejections").counters()).hasSize(4);
      assertThat(registry.find("token.cache.budget.slots.given.up").counters()).hasSize(4);
    } finally {
      cache.close().await();
      vertx.close().await();
    }
  }
}
