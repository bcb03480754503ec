package io.tokencache.fakeidp;

import io.vertx.core.json.JsonObject;

/**
 * An RFC 6749 section 5.2 error answer: status, {@code error} code, {@code error_description},
 * and whether to add a {@code WWW-Authenticate: Basic} challenge.
 */
record OAuthError(int status, String error, String description, boolean challenge) {

  static OAuthError invalidRequest(String description) {
    return new OAuthError(400, "invalid_request", description, false);
  }

  static OAuthError invalidClient(String description, boolean challenge) {
    return new OAuthError(401, "invalid_client", description, challenge);
  }

  static OAuthError invalidGrant(String description) {
    return new OAuthError(400, "invalid_grant", description, false);
  }

  static OAuthError invalidScope(String description) {
    return new OAuthError(400, "invalid_scope", description, false);
  }

  static OAuthError unsupportedGrantType(String description) {
    return new OAuthError(400, "unsupported_grant_type", description, false);
  }

  JsonObject body() {
    return new JsonObject().put("error", error).put("error_description", description);
  }
}
