package io.tokencache.eventbus;

import io.tokencache.TokenCacheVerticleOptions;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.client.TokenSource;
import io.tokencache.eventbus.impl.TokenCacheEventBusClientImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Asks a {@link io.tokencache.TokenCacheVerticle} for tokens over the event bus, with typed requests and answers:
 * for verticles that do not hold a reference to the {@link io.tokencache.TokenCache} (deployed separately, from
 * another module, or on another member). Speaks the protocol described in {@link TokenCacheEventBus}.
 *
 * <p>Failures are {@link io.tokencache.TokenCacheException}s with the status and RFC 6749 error the HTTP endpoint
 * would answer; when no verticle listens at the address, or it does not answer within the send timeout, the failure
 * is {@code 503 temporarily_unavailable}.
 *
 * <p><b>Client secrets travel in the messages.</b> By default messages are
 * {@linkplain DeliveryOptions#setLocalOnly local only}, to the verticle of this Vert.x instance (whose consumer is
 * local only by default, see {@link TokenCacheVerticleOptions#isLocalOnly()}), so secrets never leave the process.
 * If you make both cluster-wide, secrets cross the network on the cluster's event bus: keep it on a trusted network,
 * or encrypt it ({@link io.vertx.core.eventbus.EventBusOptions#setSsl} with key and trust stores on every member).
 *
 * <p>Instances are thread-safe and cheap; one per address is enough.
 */
public interface TokenCacheEventBusClient extends TokenSource {

  /** Default send timeout: 30 s, longer than the cache waits for another member's fetch (20 s by default). */
  long DEFAULT_SEND_TIMEOUT_MILLIS = 30_000;

  /** A client of the verticle at {@value TokenCacheVerticleOptions#DEFAULT_ADDRESS} on this Vert.x instance. */
  static TokenCacheEventBusClient create(Vertx vertx) {
    return create(vertx, TokenCacheVerticleOptions.DEFAULT_ADDRESS);
  }

  /** A client of the verticle at {@code address} on this Vert.x instance. */
  static TokenCacheEventBusClient create(Vertx vertx, String address) {
    return create(vertx, address, new DeliveryOptions().setLocalOnly(true).setSendTimeout(DEFAULT_SEND_TIMEOUT_MILLIS));
  }

  /**
   * A client with explicit delivery options (send timeout, {@linkplain DeliveryOptions#setLocalOnly local only} or
   * cluster-wide, tracing); they are copied, and the {@value TokenCacheEventBus#ACTION_HEADER} header is set per
   * message.
   */
  static TokenCacheEventBusClient create(Vertx vertx, String address, DeliveryOptions deliveryOptions) {
    return new TokenCacheEventBusClientImpl(vertx, address, deliveryOptions);
  }

  /** The address requests are sent to. */
  String address();

  /**
   * Gets a token for a {@code client_credentials} request.
   *
   * @return the answer ({@link TokenResponse#cacheStatus()} tells HIT, MISS or COALESCED; {@link TokenResponse#json()}
   *     holds the fields of the HTTP answer), or a failure with a {@link io.tokencache.TokenCacheException}
   */
  @Override
  Future<TokenResponse> getToken(TokenRequest request);

  /**
   * Drops the cached token for this request (on every member, for a clustered cache).
   *
   * @return whether a token was dropped
   */
  @Override
  Future<Boolean> invalidate(TokenRequest request);
}
