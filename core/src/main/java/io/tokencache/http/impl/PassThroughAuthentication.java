package io.tokencache.http.impl;

import io.tokencache.TokenCacheException;
import io.tokencache.http.BasicCredentials;

import java.util.List;
import java.util.Map;

/**
 * Checks that a pass-through request (a grant other than {@code client_credentials}) carries client
 * authentication before it is forwarded, and names the client it claims to be.
 *
 * <p>The credentials are not verified here (only the upstream can); what is required is that some are present and
 * well-formed, so that anonymous requests never reach the upstream and spend its budget, and so that the budget can
 * account what is forwarded per client. Accepted, one method at a time (RFC 6749 section 2.3, RFC 7523 section 2.2):
 * HTTP Basic with a client id; {@code client_id} and {@code client_secret} in the body; {@code client_assertion}
 * with its {@code client_assertion_type}, {@code client_id} then optional.
 */
final class PassThroughAuthentication {

  private PassThroughAuthentication() {
  }

  /**
   * The id of the client the request authenticates as, or {@code null} for a {@code client_assertion} without a
   * {@code client_id}.
   *
   * @throws TokenCacheException {@code invalid_client} (401) when no client authentication is present,
   *     {@code invalid_request} when it is malformed or more than one method is used
   */
  static String clientId(Map<String, List<String>> params, String authorization) {
    String formId = nonEmpty(TokenRequestParser.single(params, "client_id"));
    String formSecret = nonEmpty(TokenRequestParser.single(params, "client_secret"));
    String assertion = nonEmpty(TokenRequestParser.single(params, "client_assertion"));
    String assertionType = nonEmpty(TokenRequestParser.single(params, "client_assertion_type"));
    boolean basic = BasicCredentials.isBasic(authorization);
    if ((assertion != null || assertionType != null) && (basic || formSecret != null)) {
      throw TokenCacheException.invalidRequest("use one client authentication method, not a client_assertion and a secret");
    }
    if (basic) {
      if (formSecret != null) {
        throw TokenCacheException.invalidRequest("use one client authentication method, not both Basic and client_secret");
      }
      String id = BasicCredentials.of(authorization).clientId();
      if (formId != null && !formId.equals(id)) {
        throw TokenCacheException.invalidRequest("client_id in the body differs from the Basic credentials");
      }
      return id;
    }
    if (assertion != null || assertionType != null) {
      if (assertion == null || assertionType == null) {
        throw TokenCacheException.invalidRequest("client_assertion and client_assertion_type go together");
      }
      return formId;
    }
    if (formId != null && formSecret != null) {
      return formId;
    }
    throw TokenCacheException.invalidClient("client authentication is required (HTTP Basic, client_id and "
      + "client_secret, or client_assertion)");
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
