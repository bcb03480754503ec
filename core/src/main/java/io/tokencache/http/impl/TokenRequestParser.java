package io.tokencache.http.impl;

import io.tokencache.ClientAuthMethod;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.http.BasicCredentials;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns an HTTP token request into a validated {@link TokenRequest}, or a {@link TokenCacheException} naming
 * what is wrong (RFC 6749 sections 2.3.1, 3.2, 4.4 and 5.2).
 */
final class TokenRequestParser {

  /** RFC 6749 appendix A.10: {@code grant-name = 1*name-char}, or an absolute URI for extension grants. */
  private static final Pattern GRANT_TYPE = Pattern.compile("[A-Za-z0-9._-]+|[A-Za-z][A-Za-z0-9+.-]*:[\\x21-\\x7E]+");
  private static final int MAX_PARAMETERS = 64;

  private final String upstream;
  private final boolean passThrough;

  /**
   * @param passThrough whether grants other than {@code client_credentials} are accepted (and then forwarded)
   */
  TokenRequestParser(String upstream, boolean passThrough) {
    this.upstream = upstream;
    this.passThrough = passThrough;
  }

  /**
   * @param contentType the request's {@code Content-Type} (already checked to be acceptable)
   * @param body the whole body
   * @param authorization the {@code Authorization} header, or {@code null}
   * @param queryScope the {@code scope} query parameters
   */
  TokenRequest parse(String contentType, Buffer body, String authorization, List<String> queryScope) {
    Map<String, List<String>> params = ContentTypes.of(contentType) == ContentTypes.JSON ? json(body) : form(body);
    // Values, not names, are counted: the decoder stops after one value too many, so counting names would let a
    // repeated name (resource) hide that the rest of the form was never read. The query's scope counts too, so that
    // moving a parameter to the query does not make room for another one in the body.
    int count = queryScope.size();
    for (List<String> values : params.values()) {
      count += values.size();
    }
    if (count > MAX_PARAMETERS) {
      throw tooMany();
    }
    params.forEach((name, values) -> {
      // RFC 6749 section 3.2: parameters must not repeat; RFC 8707 allows several resources.
      if (values.size() > 1 && !name.equals("resource")) {
        throw TokenCacheException.invalidRequest("parameter '" + name + "' is repeated");
      }
    });
    String grantType = single(params, "grant_type");
    if (grantType == null || grantType.isEmpty()) {
      throw TokenCacheException.invalidRequest("grant_type is missing");
    }
    // client_credentials, the grant nearly every request has, skips the regular expression (it cost every hit)
    if (!grantType.equals(TokenRequest.CLIENT_CREDENTIALS)
      && (grantType.length() > 256 || !GRANT_TYPE.matcher(grantType).matches())) {
      throw TokenCacheException.unsupportedGrantType("grant_type is not a valid grant type");
    }
    if (!grantType.equals(TokenRequest.CLIENT_CREDENTIALS)) {
      if (!passThrough) {
        throw TokenCacheException.unsupportedGrantType("only client_credentials is accepted here");
      }
      // checked before anything is forwarded: an anonymous request must not spend the upstream's budget
      String clientId = PassThroughAuthentication.clientId(params, authorization);
      return TokenRequest.passThrough(upstream, grantType, clientId, contentType, body, authorization);
    }

    TokenRequest.Builder builder = authenticate(params, authorization);
    builder.upstream(upstream);
    String formScope = single(params, "scope");
    if (queryScope.size() > 1) {
      throw TokenCacheException.invalidRequest("parameter 'scope' is repeated");
    }
    String urlScope = queryScope.isEmpty() ? null : queryScope.get(0);
    if (formScope != null && urlScope != null && !formScope.equals(urlScope)) {
      throw TokenCacheException.invalidRequest("scope is given in both the body and the query, differently");
    }
    builder.scope(formScope != null ? formScope : urlScope);
    builder.audience(single(params, "audience"));
    params.getOrDefault("resource", List.of()).forEach(builder::resource);
    params.forEach((name, values) -> {
      if (!TokenRequest.isStandardParameter(name)) {
        builder.parameter(name, values.get(0));
      }
    });
    return builder.build();
  }

  private static TokenRequest.Builder authenticate(Map<String, List<String>> params, String authorization) {
    String formId = single(params, "client_id");
    String formSecret = single(params, "client_secret");
    if (BasicCredentials.isBasic(authorization)) {
      if (formSecret != null) {
        throw TokenCacheException.invalidRequest("use one client authentication method, not both Basic and client_secret");
      }
      BasicCredentials credentials = BasicCredentials.of(authorization);
      if (formId != null && !formId.equals(credentials.clientId())) {
        throw TokenCacheException.invalidRequest("client_id in the body differs from the Basic credentials");
      }
      return TokenRequest.clientCredentials(credentials.clientId(), credentials.secret())
        .authMethod(ClientAuthMethod.CLIENT_SECRET_BASIC);
    }
    if (formId == null || formId.isEmpty() || formSecret == null || formSecret.isEmpty()) {
      throw TokenCacheException.invalidClient("client authentication is required (HTTP Basic, or client_id and client_secret)");
    }
    return TokenRequest.clientCredentials(formId, formSecret).authMethod(ClientAuthMethod.CLIENT_SECRET_POST);
  }

  private static Map<String, List<String>> form(Buffer body) {
    try {
      return FormDecoder.decode(body, MAX_PARAMETERS + 1);
    } catch (IllegalArgumentException e) {
      throw TokenCacheException.invalidRequest("the form body is not valid application/x-www-form-urlencoded");
    }
  }

  private static Map<String, List<String>> json(Buffer body) {
    JsonObject object;
    try {
      object = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw TokenCacheException.invalidRequest("the body must be a JSON object");
    }
    if (object.size() > MAX_PARAMETERS) {
      // counted before nulls are dropped: a body of a thousand nulls is not a token request either
      throw tooMany();
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : object) {
      Object v = e.getValue();
      if (v == null) {
        continue;
      }
      if (!(v instanceof String)) {
        throw TokenCacheException.invalidRequest("'" + e.getKey() + "' must be a string");
      }
      params.put(e.getKey(), List.of((String) v));
    }
    return params;
  }

  private static TokenCacheException tooMany() {
    return TokenCacheException.invalidRequest("too many parameters (at most " + MAX_PARAMETERS + ")");
  }

  static String single(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
