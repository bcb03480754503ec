package io.tokencache.eventbus.impl;

import io.tokencache.CacheStatus;
import io.tokencache.ClientAuthMethod;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;

/**
 * The JSON forms of the event-bus protocol described in {@link io.tokencache.eventbus.TokenCacheEventBus}: both
 * sides use this class, so they cannot drift apart.
 */
public final class TokenMessages {

  static final String CLIENT_ID = "client_id";
  static final String CLIENT_SECRET = "client_secret";
  static final String GRANT_TYPE = "grant_type";
  static final String SCOPE = "scope";
  static final String AUDIENCE = "audience";
  static final String RESOURCE = "resource";
  static final String UPSTREAM = "upstream";
  static final String CLIENT_AUTH_METHOD = "client_auth_method";
  static final String PARAMETERS = "parameters";
  static final String INVALIDATED = "invalidated";
  static final String RETRY_AFTER = "retry_after";

  private TokenMessages() {
  }

  /**
   * The request message for a {@code client_credentials} request.
   *
   * @throws TokenCacheException {@code unsupported_grant_type} for a pass-through request, which the event bus
   *     does not carry
   */
  public static JsonObject toJson(TokenRequest any) {
    if (!(any instanceof TokenRequest.ClientCredentials request)) {
      throw TokenCacheException.unsupportedGrantType("only client_credentials requests can be sent on the event bus");
    }
    JsonObject json = new JsonObject()
      .put(CLIENT_ID, request.clientId())
      .put(CLIENT_SECRET, request.clientSecret())
      .put(UPSTREAM, request.upstream())
      .put(CLIENT_AUTH_METHOD, request.authMethod().name().toLowerCase(Locale.ROOT));
    if (!request.scopes().isEmpty()) {
      json.put(SCOPE, String.join(" ", request.scopes()));
    }
    if (request.audience() != null) {
      json.put(AUDIENCE, request.audience());
    }
    if (!request.resources().isEmpty()) {
      json.put(RESOURCE, new JsonArray(new java.util.ArrayList<Object>(request.resources())));
    }
    if (!request.extraParameters().isEmpty()) {
      json.put(PARAMETERS, new JsonObject(new java.util.LinkedHashMap<String, Object>(request.extraParameters())));
    }
    return json;
  }

  /**
   * Reads a request message, validated as the HTTP endpoint validates its requests.
   *
   * @throws TokenCacheException with the status and RFC 6749 error the HTTP endpoint would answer
   */
  public static TokenRequest fromJson(Object body) {
    if (!(body instanceof JsonObject)) {
      throw TokenCacheException.invalidRequest("the message body must be a JSON object");
    }
    JsonObject json = (JsonObject) body;
    String grantType = string(json, GRANT_TYPE);
    if (grantType != null && !grantType.equals(TokenRequest.CLIENT_CREDENTIALS)) {
      throw TokenCacheException.unsupportedGrantType("the event bus serves the client_credentials grant only");
    }
    TokenRequest.Builder builder = TokenRequest.clientCredentials(string(json, CLIENT_ID), string(json, CLIENT_SECRET));
    String upstream = string(json, UPSTREAM);
    if (upstream != null) {
      if (upstream.isEmpty()) {
        throw TokenCacheException.invalidRequest("upstream must not be empty");
      }
      builder.upstream(upstream);
    }
    String method = string(json, CLIENT_AUTH_METHOD);
    if (method != null) {
      builder.authMethod(authMethod(method));
    }
    builder.scope(string(json, SCOPE));
    builder.audience(string(json, AUDIENCE));
    Object resource = json.getValue(RESOURCE);
    if (resource instanceof String) {
      builder.resource((String) resource);
    } else if (resource instanceof JsonArray) {
      for (Object r : (JsonArray) resource) {
        if (!(r instanceof String)) {
          throw TokenCacheException.invalidRequest("resource must be a string or an array of strings");
        }
        builder.resource((String) r);
      }
    } else if (resource != null) {
      throw TokenCacheException.invalidRequest("resource must be a string or an array of strings");
    }
    Object parameters = json.getValue(PARAMETERS);
    if (parameters instanceof JsonObject) {
      for (Map.Entry<String, Object> e : (JsonObject) parameters) {
        if (TokenRequest.isStandardParameter(e.getKey())) {
          throw TokenCacheException.invalidRequest("parameters must not repeat '" + e.getKey() + "'");
        }
        if (!(e.getValue() instanceof String)) {
          throw TokenCacheException.invalidRequest("parameter '" + e.getKey() + "' must be a string");
        }
        builder.parameter(e.getKey(), (String) e.getValue());
      }
    } else if (parameters != null) {
      throw TokenCacheException.invalidRequest("parameters must be an object of strings");
    }
    return builder.build();
  }

  private static ClientAuthMethod authMethod(String value) {
    for (ClientAuthMethod m : ClientAuthMethod.values()) {
      if (m.name().equalsIgnoreCase(value)) {
        return m;
      }
    }
    throw TokenCacheException.invalidRequest("client_auth_method must be client_secret_basic or client_secret_post");
  }

  private static String string(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw TokenCacheException.invalidRequest("'" + key + "' must be a string");
  }

  /** The answer to an invalidation. */
  public static JsonObject invalidatedAnswer(boolean dropped) {
    return new JsonObject().put(INVALIDATED, dropped);
  }

  /** Reads the answer to an invalidation. */
  public static boolean readInvalidatedAnswer(Object body) {
    return body instanceof JsonObject && Boolean.TRUE.equals(((JsonObject) body).getValue(INVALIDATED));
  }

  /** The failure message for an error: an RFC 6749 error object, encoded. */
  public static String failureMessage(TokenCacheException error) {
    JsonObject json = null;
    if (error.isUpstreamAnswer()) {
      // the upstream's own RFC 6749 error, with its description, when it sent one
      try {
        JsonObject upstream = new JsonObject(error.upstreamBody());
        if (upstream.getValue("error") instanceof String) {
          json = upstream;
        }
      } catch (DecodeException | ClassCastException notAnObject) {
        // fall back to our own description below
      }
    }
    if (json == null) {
      json = error.toJson();
    }
    if (error.retryAfterSeconds() > 0) {
      json.put(RETRY_AFTER, error.retryAfterSeconds());
    }
    return json.encode();
  }

  /** Reads a token answer. */
  public static TokenResponse response(Object body, String cacheStatus) {
    if (!(body instanceof JsonObject)) {
      throw new IllegalStateException("the token cache answered with something other than a JSON object");
    }
    JsonObject json = ((JsonObject) body).copy();
    Object expiresIn = json.remove("expires_in");
    CacheStatus status;
    try {
      status = cacheStatus == null ? CacheStatus.MISS : CacheStatus.valueOf(cacheStatus);
    } catch (IllegalArgumentException unknown) {
      status = CacheStatus.MISS;
    }
    return TokenResponse.cached(status, json.getString("access_token"), json.encode(),
      expiresIn instanceof Number ? ((Number) expiresIn).longValue() : -1);
  }

  /**
   * Turns a failed request into the {@link TokenCacheException} the cache would have failed with: the answer's
   * status and error, or {@code 503 temporarily_unavailable} when no token cache listens at the address or it did not
   * answer in time. Other failures are returned as they are.
   */
  public static Throwable failure(Throwable cause, String address) {
    if (!(cause instanceof ReplyException)) {
      return cause;
    }
    ReplyException reply = (ReplyException) cause;
    if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
      return TokenCacheException.temporarilyUnavailable("no token cache listens on event-bus address '" + address + "'", 1);
    }
    if (reply.failureType() == ReplyFailure.TIMEOUT) {
      return TokenCacheException.temporarilyUnavailable("the token cache at event-bus address '" + address
        + "' did not answer in time", 1);
    }
    int status = reply.failureCode();
    JsonObject json;
    try {
      json = new JsonObject(reply.getMessage());
    } catch (DecodeException | NullPointerException notJson) {
      return TokenCacheException.of(status > 0 ? status : 500, "server_error", String.valueOf(reply.getMessage()));
    }
    String error = json.getValue("error") instanceof String ? json.getString("error") : "server_error";
    String description = json.getValue("error_description") instanceof String ? json.getString("error_description") : error;
    if (status == 503) {
      Object retryAfter = json.getValue(RETRY_AFTER);
      return TokenCacheException.temporarilyUnavailable(description,
        retryAfter instanceof Number ? ((Number) retryAfter).longValue() : 1);
    }
    return TokenCacheException.of(status, error, description);
  }
}
