package io.tokencache;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A token request that could not be answered with a token: an RFC 6749 section 5.2 error with the
 * HTTP status it maps to, or an upstream error answer passed through unchanged.
 *
 * <p>Instances carry no client secret and no token; their messages are safe to log.
 */
public final class TokenCacheException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final String error;
  private final long retryAfterSeconds;
  private final Buffer upstreamBody;
  private final String upstreamContentType;
  private final boolean replayed;

  private TokenCacheException(int statusCode, String error, String description, long retryAfterSeconds,
                              Buffer upstreamBody, String upstreamContentType) {
    this(statusCode, error, description, retryAfterSeconds, upstreamBody, upstreamContentType, false);
  }

  private TokenCacheException(int statusCode, String error, String description, long retryAfterSeconds,
                              Buffer upstreamBody, String upstreamContentType, boolean replayed) {
    super(description, null, false, false);
    this.statusCode = statusCode;
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
    this.upstreamBody = upstreamBody;
    this.upstreamContentType = upstreamContentType;
    this.replayed = replayed;
  }

  /** {@code 400 invalid_request}: a malformed or incomplete request. */
  public static TokenCacheException invalidRequest(String description) {
    return new TokenCacheException(400, "invalid_request", description, -1, null, null);
  }

  /** {@code 400 invalid_scope}: a scope that is not RFC 6749 section 3.3 syntax. */
  public static TokenCacheException invalidScope(String description) {
    return new TokenCacheException(400, "invalid_scope", description, -1, null, null);
  }

  /** {@code 400 unsupported_grant_type}. */
  public static TokenCacheException unsupportedGrantType(String description) {
    return new TokenCacheException(400, "unsupported_grant_type", description, -1, null, null);
  }

  /** {@code 401 invalid_client}: no usable client authentication. */
  public static TokenCacheException invalidClient(String description) {
    return new TokenCacheException(401, "invalid_client", description, -1, null, null);
  }

  /** An error with an explicit status and RFC 6749 error code (405, 413, 415, ...). */
  public static TokenCacheException of(int statusCode, String error, String description) {
    return new TokenCacheException(statusCode, error, description, -1, null, null);
  }

  /**
   * {@code 503 temporarily_unavailable}: the upstream could not be reached within bounds.
   *
   * @param retryAfterSeconds the {@code Retry-After} to send, at least 1
   */
  public static TokenCacheException temporarilyUnavailable(String description, long retryAfterSeconds) {
    return new TokenCacheException(503, "temporarily_unavailable", description, Math.max(1, retryAfterSeconds),
      null, null);
  }

  /** The upstream's own 4xx answer, whose body is passed through unchanged. */
  public static TokenCacheException upstreamRejected(int statusCode, Buffer body, String contentType) {
    return new TokenCacheException(statusCode, errorOf(body), "the upstream identity provider answered " + statusCode,
      -1, body, contentType);
  }

  /** The upstream body's RFC 6749 {@code error}, or {@code upstream_error} when it has none. */
  private static String errorOf(Buffer body) {
    try {
      Object code = body == null || body.length() == 0 ? null : new JsonObject(body).getValue("error");
      if (code instanceof String) {
        return (String) code;
      }
    } catch (RuntimeException notJson) {
      // keep the generic code: the body is still passed through as it came
    }
    return "upstream_error";
  }

  /**
   * The upstream's own answer refusing these credentials a short while ago, replayed without calling it (the
   * negative cache); answered as it came, with {@code X-Token-Cache: NEGATIVE}.
   */
  public static TokenCacheException upstreamRejectionReplayed(int statusCode, Buffer body, String contentType) {
    return new TokenCacheException(statusCode, errorOf(body), "the upstream identity provider refused these "
      + "credentials a short while ago; its answer is replayed", -1, body, contentType, true);
  }

  /** True for a refusal replayed from the negative cache ({@link #upstreamRejectionReplayed}). */
  public boolean isReplayed() {
    return replayed;
  }

  /** The HTTP status this error is answered with. */
  public int statusCode() {
    return statusCode;
  }

  /** The RFC 6749 error code ({@code invalid_request}, ...), or the upstream's own code. */
  public String error() {
    return error;
  }

  /** The human-readable {@code error_description}. */
  public String description() {
    return getMessage();
  }

  /** The {@code Retry-After} seconds to send, or -1 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** True when this is the upstream's own answer, to be passed through with {@link #upstreamBody()}. */
  public boolean isUpstreamAnswer() {
    return upstreamBody != null;
  }

  /** The upstream's body for a pass-through answer, else {@code null}. */
  public Buffer upstreamBody() {
    return upstreamBody;
  }

  /** The upstream's {@code Content-Type} for a pass-through answer, possibly {@code null}. */
  public String upstreamContentType() {
    return upstreamContentType;
  }

  /** The RFC 6749 section 5.2 body of this error. */
  public JsonObject toJson() {
    return new JsonObject().put("error", error).put("error_description", getMessage());
  }

  @Override
  public String toString() {
    return "TokenCacheException{" + statusCode + " " + error + ": " + getMessage() + "}";
  }
}
