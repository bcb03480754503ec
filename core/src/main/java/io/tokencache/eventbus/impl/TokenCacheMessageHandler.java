package io.tokencache.eventbus.impl;

import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.eventbus.TokenCacheEventBus;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers the event-bus protocol of {@link TokenCacheEventBus} from a {@link TokenCache}. */
public final class TokenCacheMessageHandler implements Handler<Message<Object>> {

  private static final Logger LOG = LoggerFactory.getLogger(TokenCacheMessageHandler.class);

  private final TokenCache cache;

  /** A handler answering from {@code cache}. */
  public TokenCacheMessageHandler(TokenCache cache) {
    this.cache = cache;
  }

  @Override
  public void handle(Message<Object> message) {
    String action = message.headers().get(TokenCacheEventBus.ACTION_HEADER);
    TokenRequest request;
    try {
      if (action != null && !action.equals(TokenCacheEventBus.INVALIDATE_ACTION)) {
        throw TokenCacheException.invalidRequest("unknown action '" + action + "'");
      }
      request = TokenMessages.fromJson(message.body());
    } catch (TokenCacheException e) {
      fail(message, e);
      return;
    } catch (RuntimeException e) {
      fail(message, TokenCacheException.invalidRequest("the request is malformed"));
      return;
    }
    if (action != null) {
      cache.invalidate(request).onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(TokenMessages.invalidatedAnswer(ar.result()));
        } else {
          fail(message, ar.cause());
        }
      });
      return;
    }
    cache.getToken(request).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result().json(), new DeliveryOptions()
          .addHeader(TokenCacheEventBus.CACHE_STATUS_HEADER, ar.result().cacheStatus().name()));
      } else {
        fail(message, ar.cause());
      }
    });
  }

  private static void fail(Message<Object> message, Throwable cause) {
    TokenCacheException error;
    if (cause instanceof TokenCacheException) {
      error = (TokenCacheException) cause;
    } else {
      LOG.error("unexpected failure answering a token request on the event bus", cause);
      error = TokenCacheException.of(500, "server_error", "unexpected error");
    }
    message.fail(error.statusCode(), TokenMessages.failureMessage(error));
  }
}
