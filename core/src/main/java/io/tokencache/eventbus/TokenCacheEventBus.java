package io.tokencache.eventbus;

import io.tokencache.TokenCache;
import io.tokencache.eventbus.impl.TokenCacheMessageHandler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The event-bus protocol of a {@link io.tokencache.TokenCacheVerticle}, for callers that cannot use
 * {@link TokenCacheEventBusClient} (other languages, hand-written consumers) and for registering the consumer
 * without the verticle.
 *
 * <p><b>Request</b>: a {@link io.vertx.core.json.JsonObject} with {@code client_id} and {@code client_secret}
 * (required), and optionally {@code scope} (space separated), {@code audience}, {@code resource} (a string or an
 * array of strings), {@code upstream} (an upstream id, default {@code "default"}), {@code client_auth_method}
 * ({@code client_secret_basic}, the default, or {@code client_secret_post}: how the cache authenticates to the
 * upstream) and {@code parameters} (an object of further string parameters, forwarded upstream and part of the
 * cache key). {@code grant_type}, if present, must be {@code client_credentials}.
 *
 * <p><b>Answer</b>: the token response's JSON, with the same fields as the HTTP endpoint's answer
 * ({@code access_token}, {@code token_type}, {@code expires_in} rewritten to the whole seconds left,
 * {@code scope}, ...), and the header {@value #CACHE_STATUS_HEADER} ({@code HIT}, {@code MISS} or
 * {@code COALESCED}).
 *
 * <p><b>Failure</b>: {@link io.vertx.core.eventbus.Message#fail} with the HTTP status the token endpoint would
 * answer as the failure code and, as the message, an RFC 6749 section 5.2 error encoded as JSON
 * ({@code {"error":"invalid_client","error_description":"..."}}), with {@code retry_after} (seconds) for a
 * {@code 503}. A requester sees them as a {@link io.vertx.core.eventbus.ReplyException} whose
 * {@code failureCode()} is the status.
 *
 * <p><b>Invalidation</b>: the same request with the header {@value #ACTION_HEADER}: {@value #INVALIDATE_ACTION}
 * drops the cached token; the answer is {@code {"invalidated": true|false}}.
 *
 * <p><b>Security</b>: requests carry client secrets. A local-only consumer (the verticle's default) keeps them in
 * the process; a cluster-wide one receives them over the cluster's event bus, which must then be on a trusted
 * network or encrypted ({@link io.vertx.core.eventbus.EventBusOptions#setSsl}). Secrets and tokens are never
 * logged.
 */
public final class TokenCacheEventBus {

  /** The answer header telling how the token was produced (see {@link io.tokencache.CacheStatus}): {@value}. */
  public static final String CACHE_STATUS_HEADER = "x-token-cache";
  /** The request header naming an action other than getting a token: {@value}. */
  public static final String ACTION_HEADER = "action";
  /** The {@value #ACTION_HEADER} that drops the request's cached token: {@value}. */
  public static final String INVALIDATE_ACTION = "invalidate";

  private TokenCacheEventBus() {
  }

  /**
   * Registers a consumer answering token requests from {@code cache} at {@code address}. Call it from the verticle
   * (or context) the answers should run on; unregister it before closing the cache.
   *
   * @param localOnly {@code true} for {@link EventBus#localConsumer} (requests from this Vert.x instance only),
   *     {@code false} for {@link EventBus#consumer} (requests from any member of a clustered event bus)
   * @return the consumer; its {@link MessageConsumer#completion()} tells when the registration has propagated
   */
  public static MessageConsumer<Object> register(EventBus eventBus, String address, TokenCache cache,
                                                 boolean localOnly) {
    TokenCacheMessageHandler handler = new TokenCacheMessageHandler(cache);
    return localOnly ? eventBus.localConsumer(address, handler) : eventBus.consumer(address, handler);
  }
}
