package io.tokencache;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A successful answer to a {@link TokenRequest}.
 *
 * <p>For cached grants the body is the upstream's JSON with {@code expires_in} rewritten to the whole
 * seconds of lifetime left and any {@code refresh_token} removed. For {@link CacheStatus#BYPASS} answers it
 * is the upstream's answer, status and body unchanged.
 */
public final class TokenResponse {

  private final CacheStatus cacheStatus;
  private final int statusCode;
  private final String contentType;
  private final String accessToken;
  private final long expiresIn;
  private final Buffer encoded;
  private JsonObject json;

  private TokenResponse(CacheStatus cacheStatus, int statusCode, String contentType, String accessToken,
                        long expiresIn, Buffer encoded) {
    this.cacheStatus = cacheStatus;
    this.statusCode = statusCode;
    this.contentType = contentType;
    this.accessToken = accessToken;
    this.expiresIn = expiresIn;
    this.encoded = encoded;
  }

  /**
   * A cached-grant answer.
   *
   * @param bodyWithoutExpiresIn the upstream's JSON object, encoded, without {@code expires_in}
   */
  public static TokenResponse cached(CacheStatus status, String accessToken, String bodyWithoutExpiresIn,
                                     long expiresIn) {
    // Prepending the rewritten field to the pre-encoded body keeps JSON encoding off the hit path.
    StringBuilder sb = new StringBuilder(bodyWithoutExpiresIn.length() + 24).append("{\"expires_in\":").append(expiresIn);
    if (bodyWithoutExpiresIn.length() > 2) {
      sb.append(',').append(bodyWithoutExpiresIn, 1, bodyWithoutExpiresIn.length());
    } else {
      sb.append('}');
    }
    return new TokenResponse(status, 200, "application/json", accessToken, expiresIn, Buffer.buffer(sb.toString()));
  }

  /** A pass-through answer: the upstream's status, content type and body. */
  public static TokenResponse passThrough(int statusCode, String contentType, Buffer body) {
    return new TokenResponse(CacheStatus.BYPASS, statusCode, contentType, null, -1, body);
  }

  /** How this answer was produced. */
  public CacheStatus cacheStatus() {
    return cacheStatus;
  }

  /** The HTTP status: 200, or the upstream's for a pass-through answer. */
  public int statusCode() {
    return statusCode;
  }

  /** The body's content type. */
  public String contentType() {
    return contentType;
  }

  /** The access token, or {@code null} for a pass-through answer. */
  public String accessToken() {
    return accessToken;
  }

  /** Whole seconds of lifetime left, or -1 for a pass-through answer. */
  public long expiresIn() {
    return expiresIn;
  }

  /** The body as sent to HTTP clients. */
  public Buffer encoded() {
    return encoded;
  }

  /** The body as JSON (decoded on first use). */
  public JsonObject json() {
    if (json == null) {
      json = new JsonObject(encoded);
    }
    return json;
  }

  @Override
  public String toString() {
    return "TokenResponse{" + cacheStatus + ", status=" + statusCode + ", expiresIn=" + expiresIn + "}";
  }
}
