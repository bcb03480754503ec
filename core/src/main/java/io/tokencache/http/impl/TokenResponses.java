package io.tokencache.http.impl;

import io.tokencache.CacheStatus;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenResponse;
import io.tokencache.http.TokenEndpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Writes token answers and RFC 6749 section 5.2 errors with the headers every answer carries. */
public final class TokenResponses {

  private static final CharSequence PRAGMA = HttpHeaders.createOptimized("Pragma");
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence CACHE_STATUS = HttpHeaders.createOptimized(TokenEndpoint.CACHE_STATUS_HEADER);
  private static final CharSequence[] STATUS_VALUES = new CharSequence[CacheStatus.values().length];
  /** A refusal replayed from the negative cache: the IdP was not called for this request. */
  static final CharSequence NEGATIVE = HttpHeaders.createOptimized("NEGATIVE");

  static {
    for (CacheStatus s : CacheStatus.values()) {
      STATUS_VALUES[s.ordinal()] = HttpHeaders.createOptimized(s.name());
    }
  }

  private TokenResponses() {
  }

  /** Writes a token answer. */
  public static void send(HttpServerResponse response, TokenResponse token) {
    if (response.ended() || response.closed()) {
      return;
    }
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.CONTENT_TYPE, token.contentType() != null ? token.contentType() : JSON);
    headers.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
    headers.set(PRAGMA, NO_CACHE);
    headers.set(CACHE_STATUS, STATUS_VALUES[token.cacheStatus().ordinal()]);
    response.setStatusCode(token.statusCode()).end(token.encoded());
  }

  /** Writes an error: the upstream's own answer passed through, or an RFC 6749 error body. */
  public static void sendError(HttpServerResponse response, TokenCacheException error) {
    if (response.ended() || response.closed()) {
      return;
    }
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
    headers.set(PRAGMA, NO_CACHE);
    if (error.statusCode() == 401) {
      headers.set(WWW_AUTHENTICATE, "Basic realm=\"token-cache\", charset=\"UTF-8\"");
    }
    if (error.statusCode() == 405) {
      headers.set(HttpHeaders.ALLOW, "POST");
    }
    if (error.retryAfterSeconds() > 0) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
    }
    response.setStatusCode(error.statusCode());
    if (error.isUpstreamAnswer()) {
      headers.set(CACHE_STATUS, error.isReplayed() ? NEGATIVE : STATUS_VALUES[CacheStatus.MISS.ordinal()]);
      if (error.upstreamContentType() != null) {
        headers.set(HttpHeaders.CONTENT_TYPE, error.upstreamContentType());
      }
      response.end(error.upstreamBody());
    } else {
      headers.set(HttpHeaders.CONTENT_TYPE, JSON);
      response.end(error.toJson().toBuffer());
    }
  }
}
