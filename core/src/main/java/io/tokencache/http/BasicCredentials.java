package io.tokencache.http;

import io.tokencache.TokenCacheException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HTTP Basic client credentials as RFC 6749 section 2.3.1 has them: base64 of the form-urlencoded client id, a colon,
 * and the form-urlencoded secret. The one reader of them, for the token endpoint and for whoever only needs the
 * client id (an access log).
 *
 * @param clientId the client id, decoded
 * @param secret the client secret, decoded; never logged
 */
public record BasicCredentials(String clientId, String secret) {

  private static final String SCHEME = "Basic ";

  /**
   * The credentials of an {@code Authorization} header, or {@code null} if it is not Basic.
   *
   * @throws TokenCacheException {@code invalid_request} if it is Basic but not readable
   */
  public static BasicCredentials of(String authorization) {
    return isBasic(authorization) ? parse(authorization.substring(SCHEME.length()).trim()) : null;
  }

  /** Whether an {@code Authorization} header uses the Basic scheme (case-insensitive). */
  public static boolean isBasic(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
  }

  /**
   * The client id of an {@code Authorization} header, or {@code null} if it is not Basic or cannot be read: for a
   * log line, which must not fail the request it describes.
   */
  public static String clientIdOf(String authorization) {
    try {
      BasicCredentials credentials = of(authorization);
      return credentials == null ? null : credentials.clientId();
    } catch (TokenCacheException unreadable) {
      return null;
    }
  }

  /**
   * Reads the part after {@code Basic }.
   *
   * @throws TokenCacheException {@code invalid_request} if it is not base64, has no client id or is not
   *     form-urlencoded
   */
  public static BasicCredentials parse(String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw TokenCacheException.invalidRequest("the Basic credentials are not base64");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw TokenCacheException.invalidRequest("the Basic credentials have no client id");
    }
    try {
      return new BasicCredentials(formDecoded(decoded.substring(0, colon)), formDecoded(decoded.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw TokenCacheException.invalidRequest("the Basic credentials are not form-urlencoded");
    }
  }

  /** URL-decodes a credential; most have nothing to decode, and then cost no decoder. */
  private static String formDecoded(String s) {
    return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Without the secret: a record's own {@code toString} would print it. */
  @Override
  public String toString() {
    return "BasicCredentials[clientId=" + clientId + "]";
  }
}
