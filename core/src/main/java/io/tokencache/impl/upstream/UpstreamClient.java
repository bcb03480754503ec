package io.tokencache.impl.upstream;

import io.tokencache.ClientAuthMethod;
import io.tokencache.TokenRequest;
import io.tokencache.UpstreamOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sends token requests to one upstream identity provider over Vert.x's HTTP client, with connect and
 * whole-request timeouts. It makes exactly one HTTP request per call: rate limiting and retries wrap it.
 */
public final class UpstreamClient {

  private final UpstreamOptions options;
  private final HttpClientAgent client;
  private final long requestTimeoutMillis;

  public UpstreamClient(Vertx vertx, UpstreamOptions options) {
    this.options = options;
    this.requestTimeoutMillis = options.getRequestTimeout().toMillis();
    this.client = vertx.createHttpClient(
      new HttpClientOptions()
        .setConnectTimeout((int) options.getConnectTimeout().toMillis())
        .setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(options.getMaxConnections()));
  }

  /** The upstream's options. */
  public UpstreamOptions options() {
    return options;
  }

  /** Requests a {@code client_credentials} token. */
  public Future<UpstreamResponse> requestToken(TokenRequest request) {
    StringBuilder form = new StringBuilder(128);
    param(form, "grant_type", request.grantType());
    param(form, "scope", request.scopeParameter());
    param(form, "audience", request.audience());
    request.resources().forEach(r -> param(form, "resource", r));
    for (Map.Entry<String, String> e : request.extraParameters().entrySet()) {
      param(form, e.getKey(), e.getValue());
    }
    String authorization = null;
    if (request.authMethod() == ClientAuthMethod.CLIENT_SECRET_BASIC) {
      // RFC 6749 section 2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
      String pair = formEncode(request.clientId()) + ":" + formEncode(request.clientSecret());
      authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    } else {
      param(form, "client_id", request.clientId());
      param(form, "client_secret", request.clientSecret());
    }
    return post("application/x-www-form-urlencoded", Buffer.buffer(form.toString()), authorization);
  }

  /** Forwards a pass-through request unchanged. */
  public Future<UpstreamResponse> forward(TokenRequest.PassThrough raw) {
    return post(raw.contentType(), raw.body(), raw.authorization());
  }

  private Future<UpstreamResponse> post(String contentType, Buffer body, String authorization) {
    RequestOptions ro = new RequestOptions()
      .setMethod(HttpMethod.POST)
      .setAbsoluteURI(options.getTokenUrl())
      .setIdleTimeout(requestTimeoutMillis);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
      .set(HttpHeaders.ACCEPT, "application/json");
    if (contentType != null) {
      headers.set(HttpHeaders.CONTENT_TYPE, contentType);
    }
    if (authorization != null) {
      headers.set(HttpHeaders.AUTHORIZATION, authorization);
    }
    ro.setHeaders(headers);
    return client.request(ro)
      // body() is asked for in send()'s own callback: chained after it, it can run once the response has
      // ended, the body is lost and the request stalls until its timeout (then is retried: a second upstream
      // call for the same key)
      .compose(req -> req.send(body).compose(resp -> resp.body().map(b -> new UpstreamResponse(resp.statusCode(),
        resp.getHeader(HttpHeaders.CONTENT_TYPE), resp.getHeader(HttpHeaders.RETRY_AFTER), b))))
      // the idle timeout bounds silence; this bounds the whole exchange
      .timeout(requestTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  private static void param(StringBuilder form, String name, String value) {
    if (value == null) {
      return;
    }
    if (form.length() > 0) {
      form.append('&');
    }
    form.append(formEncode(name)).append('=').append(formEncode(value));
  }

  private static String formEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Closes the connections. */
  public Future<Void> close() {
    return client.close();
  }
}
