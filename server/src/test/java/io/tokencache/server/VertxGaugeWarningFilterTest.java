package io.tokencache.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VertxGaugeWarningFilterTest {

  @Test
  @DisplayName("Micrometer's duplicate-gauge warning is dropped for a Vert.x meter, kept for any other")
  void shouldDropOnlyTheVertxDuplicateGaugeWarning() {
    LoggerContext context = new LoggerContext();
    VertxGaugeWarningFilter filter = new VertxGaugeWarningFilter();
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    Logger logger = context.getLogger(VertxGaugeWarningFilter.LOGGER);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    logger.addAppender(appender);

    // the warning as Micrometer words it, for the ids a second registration produces
    MeterRegistry registry = new SimpleMeterRegistry();
    Gauge vertx = Gauge.builder("vertx.http.client.active.requests", () -> 0).tag("client_type", "http").register(registry);
    Gauge ours = Gauge.builder("token_cache_entries", () -> 0).register(registry);
    logger.warn(String.format("This %s has been already registered (%s), the registration will be ignored.", "Gauge",
      vertx.getId()));
    logger.warn(String.format("This %s has been already registered (%s), the registration will be ignored.", "Gauge",
      ours.getId()));
    context.getLogger("some.other.Logger").addAppender(appender);
    context.getLogger("some.other.Logger").warn(String.format("This %s has been already registered (%s), x", "Gauge",
      vertx.getId()));

    assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
      .hasSize(2)
      .noneMatch(m -> m.contains("vertx.http.client.active.requests") && m.contains("ignored"))
      .anyMatch(m -> m.contains("token_cache_entries"));
    assertThat(appender.list).allMatch(e -> e.getLevel() == Level.WARN);
  }
}
