package io.tokencache.client;

import io.tokencache.TokenCache;
import io.tokencache.TokenRequest;
import io.tokencache.client.impl.BearerTokenClientImpl;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.function.Function;

/**
 * Calls an OAuth2-protected API with a Vert.x {@link WebClient}, adding {@code Authorization: Bearer <token>} with a
 * token from a {@link TokenSource} (a {@link TokenCache}, or a token-cache verticle over the event bus) for one fixed
 * {@code client_credentials} {@link TokenRequest}.
 *
 * <p>When the API answers {@code 401}, the token it rejected is dropped from the cache (unless the cache already
 * holds a newer one) and the request is sent <b>once</b> more with a fresh token. The second answer goes to the
 * caller as it is, whatever its status: a client that keeps getting {@code 401} never loops. Concurrent requests
 * rejected with the same token share one renewal. A {@code 401} means the request was refused before being
 * processed, so retrying is safe even for non-idempotent methods.
 *
 * <p>Requests are templates: each attempt sends a {@link HttpRequest#copy() copy}, so the caller's request is not
 * modified and can be reused. Bodies are given as values (buffer, JSON, form) so they can be sent twice; request
 * streams cannot be retried and are not supported.
 *
 * <p>Failures: the token source's failure (a {@link io.tokencache.TokenCacheException}, e.g. {@code 401
 * invalid_client} for a wrong secret, {@code 503} when the IdP cannot be reached), or the HTTP client's.
 *
 * <p>Instances are thread-safe: create one per API and client at start-up and share it.
 *
 * <pre>{@code
 * BearerTokenClient inventory = BearerTokenClient.create(WebClient.create(vertx), cache,
 *   TokenRequest.clientCredentials("orders", secret).scope("inventory:read").build());
 * inventory.send(inventory.webClient().getAbs("https://inventory.example.com/stock/42"))
 *   .onSuccess(response -> ...);
 * }</pre>
 */
public interface BearerTokenClient {

  /**
   * A client getting its tokens from {@code tokens}.
   *
   * @param webClient the client that sends the requests (the caller still owns it and closes it)
   * @param tokens where tokens come from and are invalidated
   * @param request the {@code client_credentials} request whose token every call carries
   * @throws IllegalArgumentException if {@code request} is not a {@code client_credentials} request
   */
  static BearerTokenClient create(WebClient webClient, TokenSource tokens, TokenRequest request) {
    return new BearerTokenClientImpl(webClient, tokens, request);
  }

  /** A client getting its tokens from {@code cache}: {@code create(webClient, TokenSource.of(cache), request)}. */
  static BearerTokenClient create(WebClient webClient, TokenCache cache, TokenRequest request) {
    return create(webClient, TokenSource.of(cache), request);
  }

  /** The web client requests are sent with; use it to build the requests given to {@code send}. */
  WebClient webClient();

  /** Sends {@code request} without a body, with a bearer token; retries once on {@code 401}. */
  <T> Future<HttpResponse<T>> send(HttpRequest<T> request);

  /** Sends {@code request} with {@code body}, with a bearer token; retries once on {@code 401}. */
  <T> Future<HttpResponse<T>> sendBuffer(HttpRequest<T> request, Buffer body);

  /** Sends {@code request} with {@code body} encoded as JSON, with a bearer token; retries once on {@code 401}. */
  <T> Future<HttpResponse<T>> sendJson(HttpRequest<T> request, Object body);

  /** Sends {@code request} with a form body, with a bearer token; retries once on {@code 401}. */
  <T> Future<HttpResponse<T>> sendForm(HttpRequest<T> request, MultiMap form);

  /**
   * Sends {@code request} the way {@code sender} does (for example {@code r -> r.sendMultipartForm(form)}), with a
   * bearer token; retries once on {@code 401}. {@code sender} is called once per attempt, with a copy of
   * {@code request} that carries the token, and must be able to send its body twice.
   */
  <T> Future<HttpResponse<T>> send(HttpRequest<T> request, Function<HttpRequest<T>, Future<HttpResponse<T>>> sender);
}
