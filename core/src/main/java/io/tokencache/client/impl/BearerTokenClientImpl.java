package io.tokencache.client.impl;

import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.client.BearerTokenClient;
import io.tokencache.client.TokenSource;
import io.tokencache.impl.SingleFlight;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.uritemplate.Variables;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** See {@link BearerTokenClient}. */
public final class BearerTokenClientImpl implements BearerTokenClient {

  private final WebClient webClient;
  private final TokenSource tokens;
  private final TokenRequest tokenRequest;
  /** Renewals in progress, by the access token the API rejected. */
  private final SingleFlight<String, TokenResponse> renewals = new SingleFlight<>();

  /** See {@link BearerTokenClient#create(WebClient, TokenSource, TokenRequest)}. */
  public BearerTokenClientImpl(WebClient webClient, TokenSource tokens, TokenRequest tokenRequest) {
    this.webClient = Objects.requireNonNull(webClient, "webClient");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.tokenRequest = Objects.requireNonNull(tokenRequest, "tokenRequest");
    if (!(tokenRequest instanceof TokenRequest.ClientCredentials)) {
      throw new IllegalArgumentException("a bearer token client needs a client_credentials request");
    }
  }

  @Override
  public WebClient webClient() {
    return webClient;
  }

  @Override
  public <T> Future<HttpResponse<T>> send(HttpRequest<T> request) {
    return send(request, HttpRequest::send);
  }

  @Override
  public <T> Future<HttpResponse<T>> sendBuffer(HttpRequest<T> request, Buffer body) {
    return send(request, r -> r.sendBuffer(body));
  }

  @Override
  public <T> Future<HttpResponse<T>> sendJson(HttpRequest<T> request, Object body) {
    return send(request, r -> r.sendJson(body));
  }

  @Override
  public <T> Future<HttpResponse<T>> sendForm(HttpRequest<T> request, MultiMap form) {
    return send(request, r -> r.sendForm(form));
  }

  @Override
  public <T> Future<HttpResponse<T>> send(HttpRequest<T> request,
                                          Function<HttpRequest<T>, Future<HttpResponse<T>>> sender) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(sender, "sender");
    return tokens.getToken(tokenRequest).compose(token -> attempt(request, sender, token).compose(response -> {
      if (response.statusCode() != 401) {
        return Future.succeededFuture(response);
      }
      return renew(token.accessToken()).compose(fresh -> fresh.accessToken().equals(token.accessToken())
        // the cache still answers with the rejected token: another attempt would get another 401
        ? Future.succeededFuture(response)
        : attempt(request, sender, fresh));
    }));
  }

  private static <T> Future<HttpResponse<T>> attempt(HttpRequest<T> template,
                                                     Function<HttpRequest<T>, Future<HttpResponse<T>>> sender,
                                                     TokenResponse token) {
    HttpRequest<T> request = copyOf(template).putHeader(HttpHeaders.AUTHORIZATION.toString(), "Bearer " + token.accessToken());
    return sender.apply(request);
  }

  /**
   * {@link HttpRequest#copy()} plus what it leaves out in Vert.x 5.0: the URI template's parameters (without them a
   * templated request goes to the wrong path) and the trace operation.
   */
  @SuppressWarnings("unchecked")
  static <T> HttpRequest<T> copyOf(HttpRequest<T> template) {
    HttpRequest<T> copy = template.copy();
    Variables params;
    try {
      params = template.templateParams();
    } catch (IllegalStateException notATemplate) {
      params = null;
    }
    if (params != null && !params.names().isEmpty()) {
      Variables target = copy.templateParams();
      for (String name : params.names()) {
        Object value = params.get(name);
        if (value instanceof String) {
          target.set(name, (String) value);
        } else if (value instanceof List) {
          target.set(name, (List<String>) value);
        } else if (value instanceof Map) {
          target.set(name, (Map<String, String>) value);
        }
      }
    }
    if (template.traceOperation() != null) {
      copy.traceOperation(template.traceOperation());
    }
    return copy;
  }

  /**
   * A token other than {@code rejected}: the cache's current one if another caller already renewed it, else a fresh
   * one after dropping {@code rejected}. Concurrent callers rejected with the same token share one renewal, so a
   * burst of 401s drops the token once and fetches once.
   */
  private Future<TokenResponse> renew(String rejected) {
    return renewals.run(rejected, () -> tokens.getToken(tokenRequest)
      .compose(current -> current.accessToken().equals(rejected)
        ? tokens.invalidate(tokenRequest).compose(dropped -> tokens.getToken(tokenRequest))
        : Future.succeededFuture(current))).future();
  }

  @Override
  public String toString() {
    return "BearerTokenClient{" + tokenRequest + "}";
  }
}
