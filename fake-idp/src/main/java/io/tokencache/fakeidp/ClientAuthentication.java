package io.tokencache.fakeidp;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Authenticates the client of a token request (RFC 6749 section 2.3.1): HTTP Basic
 * ({@code client_secret_basic}, id and secret form-urlencoded before base64) or the
 * {@code client_id} and {@code client_secret} parameters ({@code client_secret_post}), never both.
 */
final class ClientAuthentication {

  /**
   * The outcome: the authenticated client id, or the error to answer.
   *
   * @param clientId the authenticated client, null on error
   * @param error the error to answer, null on success
   */
  record Outcome(String clientId, OAuthError error) {}

  private ClientAuthentication() {}

  static Outcome authenticate(String authorization, TokenParams params, FakeIdpOptions registry) {
    if (authorization != null) {
      return basic(authorization, params, registry);
    }
    String clientId = params.get("client_id");
    String secret = params.get("client_secret");
    if (clientId == null || secret == null) {
      // No usable client authentication at all: challenge, as RFC 6749 section 5.2 suggests.
      return failure("client authentication required (HTTP Basic or client_id and client_secret)", true);
    }
    return verify(clientId, secret, registry, false);
  }

  private static Outcome basic(String authorization, TokenParams params, FakeIdpOptions registry) {
    if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return failure("unsupported authentication scheme, use Basic", true);
    }
    String clientId;
    String secret;
    try {
      byte[] decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
      String pair = new String(decoded, StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      if (colon < 0) {
        return failure("malformed Basic credentials", true);
      }
      clientId = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
      secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return failure("malformed Basic credentials", true);
    }
    if (params.has("client_secret")) {
      return new Outcome(null, OAuthError.invalidRequest(
          "more than one client authentication method (Basic and client_secret)"));
    }
    String formClientId = params.get("client_id");
    if (formClientId != null && !formClientId.equals(clientId)) {
      return new Outcome(null, OAuthError.invalidRequest(
          "client_id parameter differs from the Basic credentials"));
    }
    return verify(clientId, secret, registry, true);
  }

  private static Outcome verify(String clientId, String secret, FakeIdpOptions registry, boolean basic) {
    String expected = clientId.isEmpty() ? null : registry.expectedSecret(clientId);
    // Compare even for unknown clients so that timing does not reveal which ids exist.
    byte[] presented = secret.getBytes(StandardCharsets.UTF_8);
    byte[] wanted = (expected == null ? "\0unknown-client" : expected).getBytes(StandardCharsets.UTF_8);
    boolean matches = MessageDigest.isEqual(presented, wanted);
    if (expected == null || !matches) {
      return failure("client authentication failed", basic);
    }
    return new Outcome(clientId, null);
  }

  private static Outcome failure(String description, boolean challenge) {
    return new Outcome(null, OAuthError.invalidClient(description, challenge));
  }
}
