package io.tokencache.impl;

import io.tokencache.TokenCacheException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * An upstream's refusal of a client's credentials ({@code invalid_client}, {@code unauthorized_client}),
 * remembered for a short while so that guessing secrets cannot burn the upstream's quota. It holds the
 * upstream's answer (which carries no secret), replayed as it came.
 *
 * @param statusCode the upstream's status
 * @param contentType the upstream's content type, or {@code null}
 * @param body the upstream's body
 */
public record Rejection(int statusCode, String contentType, String body) {

  private static final Set<String> REMEMBERED = Set.of("invalid_client", "unauthorized_client");

  /** The rejection to remember for this failure, or {@code null} if it is not a credentials refusal. */
  static Rejection of(Throwable failure) {
    if (failure instanceof TokenCacheException e && e.isUpstreamAnswer()
      && (e.statusCode() == 400 || e.statusCode() == 401) && REMEMBERED.contains(e.error())) {
      return new Rejection(e.statusCode(), e.upstreamContentType(), e.upstreamBody().toString());
    }
    return null;
  }

  /** The replayed answer. */
  static TokenCacheException toException(Rejection rejection) {
    return TokenCacheException.upstreamRejectionReplayed(rejection.statusCode, Buffer.buffer(rejection.body),
      rejection.contentType);
  }

  /** A compact text form for distributed stores. */
  public String encode() {
    return new JsonObject().put("s", statusCode).put("t", contentType).put("b", body).encode();
  }

  /** Reads {@link #encode()}'s form. */
  public static Rejection decode(String encoded) {
    JsonObject json = new JsonObject(encoded);
    return new Rejection(json.getInteger("s"), json.getString("t"), json.getString("b"));
  }
}
