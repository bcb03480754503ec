package io.tokencache.http.impl;

import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.http.TokenEndpointOptions;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * Answers one token request, whatever path it came on: method and media-type checks, a bounded body, parsing,
 * the cache, and RFC 6749 errors for every way a request can go wrong.
 *
 * <p>It works on the bare {@link HttpServerRequest}, not on a vertx-web {@code RoutingContext}, so that a server
 * can hand token requests to it straight from its request handler (see
 * {@link io.tokencache.http.TokenEndpoint#requestHandler}), and it reads the body itself rather than through
 * vertx-web's {@code BodyHandler}: that handler has Netty decode a form body into attributes (with an exception
 * thrown, stack trace included, at the end of every body) that nobody reads, since the parser decodes the body
 * again with its own rules. On a cache hit that was about a quarter of the CPU per request (docs/benchmarks.md).
 *
 * <p>It must be called as the request arrives (from the request handler, or a route reached synchronously), before
 * any of the body has been delivered.
 */
public final class TokenEndpointHandler implements Handler<HttpServerRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpointHandler.class);
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");

  private final TokenCache cache;
  private final TokenRequestParser parser;
  private final long maxBodyBytes;
  private final boolean jsonAllowed;

  /**
   * @param jsonAllowed whether JSON bodies are accepted besides forms (the Auth0-style path)
   */
  public TokenEndpointHandler(TokenCache cache, TokenEndpointOptions options, boolean jsonAllowed) {
    this.cache = cache;
    this.parser = new TokenRequestParser(options.getUpstream(), options.isPassThrough());
    this.maxBodyBytes = options.getMaxBodyBytes();
    this.jsonAllowed = jsonAllowed;
  }

  @Override
  public void handle(HttpServerRequest request) {
    handle(request, null, null);
  }

  /**
   * Answers a request whose body may already have been read by the application (a {@code BodyHandler} of its own
   * router in front of the endpoint's).
   *
   * @param alreadyRead the whole body when it was read already, else {@code null}: it is read here
   * @param parsed told the request once it is parsed (before the cache answers it), or {@code null}
   */
  public void handle(HttpServerRequest request, Buffer alreadyRead, Consumer<TokenRequest> parsed) {
    // the checks come before the body is read, so a wrong method or media type never buffers a body
    if (request.method() != HttpMethod.POST) {
      reject(request, TokenCacheException.of(405, "invalid_request", "the token endpoint accepts POST only"));
      return;
    }
    ContentTypes type = ContentTypes.of(request.getHeader(HttpHeaders.CONTENT_TYPE));
    if (type == ContentTypes.OTHER || type == ContentTypes.JSON && !jsonAllowed) {
      reject(request, TokenCacheException.of(415, "invalid_request",
        jsonAllowed ? "Content-Type must be application/x-www-form-urlencoded or application/json"
          : "Content-Type must be application/x-www-form-urlencoded"));
      return;
    }
    long declared = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (declared > maxBodyBytes) {
      reject(request, tooLarge());
      return;
    }
    if (alreadyRead != null) {
      if (alreadyRead.length() > maxBodyBytes) {
        reject(request, tooLarge());
      } else {
        answer(request, alreadyRead, parsed);
      }
      return;
    }
    readBody(request, declared, parsed);
  }

  /**
   * Reads the whole body, refusing it with 413 as soon as it grows past the limit (a chunked body has no declared
   * length to check up front).
   */
  private void readBody(HttpServerRequest request, long declared, Consumer<TokenRequest> parsed) {
    if (request.isEnded()) {
      // read by someone else before it came here, without leaving it to us: there is no body to give
      answer(request, Buffer.buffer(), parsed);
      return;
    }
    BodyReader reader = new BodyReader(request, declared);
    request.handler(reader);
    request.exceptionHandler(err -> {
      // the connection broke while the body was arriving: there is nobody to answer
      reader.refused = true;
      LOG.debug("a token request's body could not be read: {}", err.toString());
    });
    request.endHandler(v -> {
      if (!reader.refused) {
        answer(request, reader.body == null ? Buffer.buffer() : reader.body, parsed);
      }
    });
    // a router in front may have paused the request
    request.resume();
  }

  /** Gathers a body's chunks up to the limit. */
  private final class BodyReader implements Handler<Buffer> {
    private final HttpServerRequest request;
    private final long declared;
    private Buffer body;
    private boolean gathered;
    private boolean refused;

    BodyReader(HttpServerRequest request, long declared) {
      this.request = request;
      this.declared = declared;
    }

    @Override
    public void handle(Buffer chunk) {
      if (refused) {
        return;
      }
      int length = body == null ? 0 : body.length();
      if (length + chunk.length() > maxBodyBytes) {
        refused = true;
        reject(request, tooLarge());
      } else if (body == null) {
        // a body nearly always arrives in one chunk: kept as Vert.x delivered it (a copy of its own)
        body = chunk;
      } else {
        if (!gathered) {
          gathered = true;
          body = Buffer.buffer(declared > 0 ? (int) declared : 2 * length).appendBuffer(body);
        }
        body.appendBuffer(chunk);
      }
    }
  }

  private void answer(HttpServerRequest request, Buffer body, Consumer<TokenRequest> parsed) {
    HttpServerResponse response = request.response();
    TokenRequest tokenRequest;
    try {
      tokenRequest = parser.parse(request.getHeader(HttpHeaders.CONTENT_TYPE), body,
        request.getHeader(HttpHeaders.AUTHORIZATION),
        // most requests have no query string: no query parameters to decode then
        request.query() == null ? List.of() : request.params().getAll("scope"));
    } catch (TokenCacheException e) {
      TokenResponses.sendError(response, e);
      return;
    } catch (IllegalArgumentException e) {
      // a malformed query string (bad percent-encoding in ?scope=)
      TokenResponses.sendError(response, TokenCacheException.invalidRequest("the query string is not valid"));
      return;
    }
    if (parsed != null) {
      parsed.accept(tokenRequest);
    }
    cache.getToken(tokenRequest).onComplete(ar -> {
      if (ar.succeeded()) {
        TokenResponses.send(response, ar.result());
      } else if (ar.cause() instanceof TokenCacheException) {
        TokenResponses.sendError(response, (TokenCacheException) ar.cause());
      } else {
        LOG.error("unexpected failure answering a token request", ar.cause());
        TokenResponses.sendError(response, TokenCacheException.of(500, "server_error", "unexpected error"));
      }
    });
  }

  /**
   * Answers before the body was read (or all of it). The rest of the body is discarded as it arrives; a body
   * refused for its size also closes the connection after the answer (HTTP/1.x), so that a client cannot keep it
   * busy sending what will never be read.
   */
  private static void reject(HttpServerRequest request, TokenCacheException error) {
    if (!request.isEnded()) {
      request.handler(chunk -> { });
      if (error.statusCode() == 413 && request.version() != HttpVersion.HTTP_2) {
        request.response().headers().set(HttpHeaders.CONNECTION, CLOSE);
      }
    }
    TokenResponses.sendError(request.response(), error);
  }

  private TokenCacheException tooLarge() {
    return TokenCacheException.of(413, "invalid_request", "the request body is larger than " + maxBodyBytes + " bytes");
  }

  /** The declared body length, or -1 when absent or not a plain decimal number (Netty refuses those anyway). */
  private static long declaredLength(String header) {
    if (header == null || header.isEmpty() || header.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
