package io.tokencache;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

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

  /**
   * A cached-grant answer from a body that holds neither {@code access_token} nor {@code expires_in}: both are
   * written in front of the body's other fields. The engine stores tokens this way, so that each is held once.
   *
   * @param accessToken the access token; it must be {@linkplain #isJsonSafe JSON-safe}, since it is written between
   *     quotes as it is (checking it here would cost every hit a scan of the token: callers check it once, when
   *     they store it)
   * @param bodyWithoutTokenAndExpiresIn the upstream's JSON object, encoded, without {@code access_token} and
   *     {@code expires_in}
   */
  public static TokenResponse cachedWithoutTokenInBody(CacheStatus status, String accessToken,
                                                       String bodyWithoutTokenAndExpiresIn, long expiresIn) {
    assert isJsonSafe(accessToken) : "the access token needs escaping in JSON";
    return new TokenResponse(status, 200, "application/json", accessToken, expiresIn,
      answerBytes(accessToken, bodyWithoutTokenAndExpiresIn, expiresIn));
  }

  private static final byte[] EXPIRES_IN = "{\"expires_in\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ACCESS_TOKEN = ",\"access_token\":\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * {@code {"expires_in":N,"access_token":"T",<the body's fields>}} written straight into one array of the exact
   * size. This is every hit's answer: built through a StringBuilder and a String, the token would be copied several
   * times more, and what a hit allocates is what its tail latency pays for in collections. The array is copied once
   * into the answer's buffer: Vert.x's public API has no buffer that wraps an array (its internal one does, and
   * changes between versions).
   */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the exact copy for ASCII, no encoder
  private static Buffer answerBytes(String accessToken, String body, long expiresIn) {
    String seconds = Long.toString(expiresIn);
    boolean fields = body.length() > 2;
    // the body's other fields (after its '{'), as UTF-8 unless it is ASCII, as it nearly always is
    byte[] utf8 = fields && !isAscii(body) ? body.substring(1).getBytes(StandardCharsets.UTF_8) : null;
    int rest = !fields ? 1 : utf8 != null ? 1 + utf8.length : body.length();
    byte[] out = new byte[EXPIRES_IN.length + seconds.length() + ACCESS_TOKEN.length + accessToken.length() + 1 + rest];
    int at = put(out, 0, EXPIRES_IN);
    seconds.getBytes(0, seconds.length(), out, at);
    at = put(out, at + seconds.length(), ACCESS_TOKEN);
    accessToken.getBytes(0, accessToken.length(), out, at);
    at += accessToken.length();
    out[at++] = '"';
    if (!fields) {
      out[at] = '}';
    } else if (utf8 != null) {
      out[at++] = ',';
      System.arraycopy(utf8, 0, out, at, utf8.length);
    } else {
      out[at++] = ',';
      body.getBytes(1, body.length(), out, at);
    }
    return Buffer.buffer(out);
  }

  private static int put(byte[] out, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, out, at, bytes.length);
    return at + bytes.length;
  }

  private static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) > 0x7F) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} can be written into JSON between quotes as it is: printable ASCII, without {@code "} or
   * {@code \}. Then it is also exactly how a JSON encoder writes it.
   */
  public static boolean isJsonSafe(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
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
