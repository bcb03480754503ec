package io.tokencache.impl.upstream;

import io.tokencache.ClientAuthMethod;
import io.tokencache.TokenRequest;
import io.tokencache.UpstreamOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Sends token requests to one upstream identity provider over Vert.x's HTTP client, with connect and
 * whole-request timeouts. It makes exactly one HTTP request per call: rate limiting and retries wrap it.
 *
 * <p>The upstream's answer is read up to {@link #DEFAULT_MAX_RESPONSE_BYTES}: a token answer is a few KiB, and an
 * upstream (or whatever answers at its address) streaming an endless body must not fill the member's memory. A
 * longer answer fails the call as a transport failure ({@link ResponseTooLargeException}), which the caller answers
 * with 503.
 */
public final class UpstreamClient {

  /** The longest upstream answer read: 1 MiB. */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

  private final UpstreamOptions options;
  private final HttpClientAgent client;
  private final long requestTimeoutMillis;
  private final int maxResponseBytes;

  public UpstreamClient(Vertx vertx, UpstreamOptions options) {
    this(vertx, options, DEFAULT_MAX_RESPONSE_BYTES);
  }

  /**
   * @param maxResponseBytes the longest answer read; a longer one fails the call
   */
  public UpstreamClient(Vertx vertx, UpstreamOptions options, int maxResponseBytes) {
    if (maxResponseBytes < 1) {
      throw new IllegalArgumentException("maxResponseBytes must be positive, was " + maxResponseBytes);
    }
    this.maxResponseBytes = maxResponseBytes;
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

  /**
   * Requests a {@code client_credentials} token.
   *
   * @param sendable asked once a connection is ready, just before anything is written: when it says no, nothing is
   *     sent and the future fails with {@link NotSent}
   */
  public Future<UpstreamResponse> requestToken(TokenRequest.ClientCredentials request, BooleanSupplier sendable) {
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
    return post("application/x-www-form-urlencoded", Buffer.buffer(form.toString()), authorization, sendable);
  }

  /** Forwards a pass-through request unchanged; {@code sendable} as for {@link #requestToken}. */
  public Future<UpstreamResponse> forward(TokenRequest.PassThrough raw, BooleanSupplier sendable) {
    return post(raw.contentType(), raw.body(), raw.authorization(), sendable);
  }

  private Future<UpstreamResponse> post(String contentType, Buffer body, String authorization,
                                        BooleanSupplier sendable) {
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
    long[] sentNanos = {System.nanoTime()};
    return client.request(ro)
      .compose(req -> {
        if (!sendable.getAsBoolean()) {
          // Nothing written yet: the reset only drops this request, the connection goes back to the pool. The
          // reset is reported to the request as an error, expected here (unhandled, Vert.x logs it as one).
          req.exceptionHandler(expected -> { });
          req.reset();
          return Future.failedFuture(NotSent.INSTANCE);
        }
        sentNanos[0] = System.nanoTime();
        // body() is asked for in send()'s own callback: chained after it, it can run once the response has
        // ended, the body is lost and the request stalls until its timeout (then is retried: a second upstream
        // call for the same key)
        return req.send(body).compose(resp -> boundedBody(req, resp).map(b -> new UpstreamResponse(
          resp.statusCode(), resp.getHeader(HttpHeaders.CONTENT_TYPE), resp.getHeader(HttpHeaders.RETRY_AFTER), b,
          sentNanos[0])));
      })
      // the idle timeout bounds silence; this bounds the whole exchange
      .timeout(requestTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * The answer's body, or a failure as soon as it is known to be longer than the limit (declared, or as it
   * arrives); the request is then reset, which closes an HTTP/1 connection rather than reading the rest.
   */
  private Future<Buffer> boundedBody(HttpClientRequest req, HttpClientResponse resp) {
    String declared = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && declared.length() > 0 && declared.length() < 19 && declared.chars().allMatch(Character::isDigit)
      && Long.parseLong(declared) > maxResponseBytes) {
      // the reset is reported to the response as an error: expected here, not worth a log line
      resp.exceptionHandler(err -> { });
      req.reset();
      return Future.failedFuture(new ResponseTooLargeException(maxResponseBytes));
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    resp.exceptionHandler(promise::tryFail);
    resp.handler(chunk -> {
      if (body.length() + chunk.length() > maxResponseBytes) {
        // failed before the reset, whose own error would otherwise be the one reported
        promise.tryFail(new ResponseTooLargeException(maxResponseBytes));
        resp.handler(null);
        req.reset();
      } else {
        body.appendBuffer(chunk);
      }
    });
    resp.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }

  /** The upstream's answer was longer than the limit: a transport failure, not an answer. */
  public static final class ResponseTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ResponseTooLargeException(int limit) {
      super("the upstream's answer is longer than " + limit + " bytes", null, false, false);
    }
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

  /** A request given up before anything was written: its caller's {@code sendable} said no. */
  public static final class NotSent extends RuntimeException {
    static final NotSent INSTANCE = new NotSent();

    private NotSent() {
      super("not sent: the moment to send it had passed", null, false, false);
    }
  }
}
