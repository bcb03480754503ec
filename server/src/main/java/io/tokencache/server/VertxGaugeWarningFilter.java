package io.tokencache.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops one warning known to be harmless, and only that one: Micrometer's "This Gauge has been already registered"
 * for a Vert.x meter, logged at the first upstream request. vertx-micrometer-metrics registers a client's gauges
 * (such as {@code vertx.pool.queue.pending} or {@code vertx.http.client.active.requests}) each time it creates the
 * metrics of an endpoint or pool for the same address, and backs every registration of one meter id with the same
 * counter (its {@code LongGauges} map), so the registration Micrometer ignores would have reported the same value.
 * Installed by logback.xml.
 */
public final class VertxGaugeWarningFilter extends TurboFilter {

  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String MESSAGE = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return format != null && format.startsWith(MESSAGE) && LOGGER.equals(logger.getName())
      ? FilterReply.DENY
      : FilterReply.NEUTRAL;
  }
}
