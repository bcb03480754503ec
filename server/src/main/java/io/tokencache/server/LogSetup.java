package io.tokencache.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * Chooses the log format at start: {@code text} keeps logback.xml's console appender (or whatever configuration
 * the operator supplied with {@code -Dlogback.configurationFile}); {@code json} replaces the root logger's appenders
 * with one console appender writing one JSON object per line (logback's {@link JsonEncoder}: timestamp, level,
 * thread, logger, formatted message, key-value pairs such as the access log's fields, throwable).
 */
final class LogSetup {

  static final String JSON_APPENDER = "JSON";

  private LogSetup() {
  }

  /** Applies the format; idempotent. Does nothing when logback is not the SLF4J backend. */
  static void apply(ServerConfig.LogFormat format) {
    if (format != ServerConfig.LogFormat.JSON || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root.getAppender(JSON_APPENDER) != null) {
      return;
    }
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    // the formatted message only: the template and its arguments separately would double every line
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(JSON_APPENDER);
    appender.setEncoder(encoder);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }
}
