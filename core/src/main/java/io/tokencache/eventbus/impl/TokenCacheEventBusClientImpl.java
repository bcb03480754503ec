package io.tokencache.eventbus.impl;

import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.eventbus.TokenCacheEventBus;
import io.tokencache.eventbus.TokenCacheEventBusClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/** See {@link TokenCacheEventBusClient}. */
public final class TokenCacheEventBusClientImpl implements TokenCacheEventBusClient {

  private final Vertx vertx;
  private final String address;
  private final DeliveryOptions getOptions;
  private final DeliveryOptions invalidateOptions;

  /** See {@link TokenCacheEventBusClient#create(Vertx, String, DeliveryOptions)}. */
  public TokenCacheEventBusClientImpl(Vertx vertx, String address, DeliveryOptions deliveryOptions) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("address must not be empty");
    }
    this.address = address;
    Objects.requireNonNull(deliveryOptions, "deliveryOptions");
    this.getOptions = new DeliveryOptions(deliveryOptions);
    if (this.getOptions.getHeaders() != null) {
      this.getOptions.getHeaders().remove(TokenCacheEventBus.ACTION_HEADER);
    }
    this.invalidateOptions = new DeliveryOptions(deliveryOptions)
      .addHeader(TokenCacheEventBus.ACTION_HEADER, TokenCacheEventBus.INVALIDATE_ACTION);
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public Future<TokenResponse> getToken(TokenRequest request) {
    JsonObject body;
    try {
      body = TokenMessages.toJson(request);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return vertx.eventBus().<Object>request(address, body, getOptions)
      .transform(ar -> ar.succeeded()
        ? Future.succeededFuture(answer(ar.result()))
        : Future.failedFuture(TokenMessages.failure(ar.cause(), address)));
  }

  private static TokenResponse answer(Message<Object> reply) {
    return TokenMessages.response(reply.body(), reply.headers().get(TokenCacheEventBus.CACHE_STATUS_HEADER));
  }

  @Override
  public Future<Boolean> invalidate(TokenRequest request) {
    JsonObject body;
    try {
      body = TokenMessages.toJson(request);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return vertx.eventBus().<Object>request(address, body, invalidateOptions)
      .transform(ar -> ar.succeeded()
        ? Future.succeededFuture(TokenMessages.readInvalidatedAnswer(ar.result().body()))
        : Future.failedFuture(TokenMessages.failure(ar.cause(), address)));
  }

  @Override
  public String toString() {
    return "TokenCacheEventBusClient{" + address + "}";
  }
}
