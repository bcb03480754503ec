package io.tokencache;

import io.vertx.core.buffer.Buffer;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A token request: either a {@link ClientCredentials} request, in canonical form, which is cached (what the cache
 * key is computed from and what is sent upstream), or a {@link PassThrough} request for another grant type, which is
 * forwarded unchanged and never cached. Code that handles both switches on the two.
 *
 * <p>Scopes and resources are sorted and de-duplicated, so {@code "b a a"} and {@code "a b"} are the same
 * request. The client secret is held only to authenticate upstream and to derive the cache key; it is
 * never part of {@code toString()}, nor is a pass-through request's body or {@code Authorization} header.
 */
public sealed interface TokenRequest permits TokenRequest.ClientCredentials, TokenRequest.PassThrough {

  /** The grant type that is cached. */
  String CLIENT_CREDENTIALS = "client_credentials";

  /** The id of the upstream identity provider this request goes to. */
  String upstream();

  /** The OAuth2 grant type. */
  String grantType();

  /**
   * The client id. For a pass-through request, the id the client authenticated with, or {@code null} when it
   * authenticated by a {@code client_assertion} without a {@code client_id}.
   */
  String clientId();

  /**
   * Starts a {@code client_credentials} request.
   *
   * @param clientId the client id, non-empty
   * @param clientSecret the client secret, non-empty
   */
  static Builder clientCredentials(String clientId, String clientSecret) {
    return new Builder(clientId, clientSecret);
  }

  /**
   * A request for another grant type, forwarded to the upstream as it came and never cached, with no client id
   * known. Prefer {@link #passThrough(String, String, String, String, Buffer, String)}: the upstream budget accounts
   * pass-through requests per client.
   *
   * @param upstream the upstream id
   * @param grantType the grant type named in the request (for metrics and logs)
   * @param contentType the caller's {@code Content-Type}
   * @param body the caller's body, unchanged
   * @param authorization the caller's {@code Authorization} header, or {@code null}
   */
  static PassThrough passThrough(String upstream, String grantType, String contentType, Buffer body,
                                 String authorization) {
    return passThrough(upstream, grantType, null, contentType, body, authorization);
  }

  /**
   * A request for another grant type, forwarded to the upstream as it came and never cached.
   *
   * @param upstream the upstream id
   * @param grantType the grant type named in the request (for metrics and logs)
   * @param clientId the id of the client that authenticated the request (HTTP Basic, {@code client_id}), or
   *     {@code null} when it authenticated by a {@code client_assertion} alone; never a secret
   * @param contentType the caller's {@code Content-Type}
   * @param body the caller's body, unchanged
   * @param authorization the caller's {@code Authorization} header, or {@code null}
   * @throws TokenCacheException {@code invalid_request} when the client id is malformed or too long
   */
  static PassThrough passThrough(String upstream, String grantType, String clientId, String contentType,
                                 Buffer body, String authorization) {
    return new PassThrough(upstream, grantType, clientId, contentType, body, authorization);
  }

  /** True for the parameters {@link ClientCredentials} models itself; any other one is an extra parameter. */
  static boolean isStandardParameter(String name) {
    return RequestChecks.STANDARD_PARAMETERS.contains(name);
  }

  /**
   * A {@code client_credentials} request, the one that is cached; built and validated by {@link Builder}.
   *
   * @param upstream the upstream id
   * @param clientId the client id
   * @param clientSecret the client secret: never log it
   * @param authMethod how the caller authenticated; the upstream request does the same
   * @param scopes requested scopes, sorted and de-duplicated
   * @param audience the {@code audience} parameter, or {@code null}
   * @param resources the RFC 8707 {@code resource} parameters, sorted and de-duplicated
   * @param extraParameters any further parameters, forwarded upstream and part of the cache key
   */
  record ClientCredentials(String upstream, String clientId, String clientSecret, ClientAuthMethod authMethod,
                           List<String> scopes, String audience, List<String> resources,
                           SortedMap<String, String> extraParameters) implements TokenRequest {

    public ClientCredentials {
      Objects.requireNonNull(upstream, "upstream");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(clientSecret, "clientSecret");
      Objects.requireNonNull(authMethod, "authMethod");
      scopes = List.copyOf(scopes);
      resources = List.copyOf(resources);
      // no sorted map copied for the usual request without extra parameters: this runs on every hit
      extraParameters = extraParameters.isEmpty() ? Collections.emptySortedMap()
        : Collections.unmodifiableSortedMap(new TreeMap<>(extraParameters));
    }

    @Override
    public String grantType() {
      return CLIENT_CREDENTIALS;
    }

    /** The scopes as the space-separated {@code scope} parameter, or {@code null} when none. */
    public String scopeParameter() {
      return scopes.isEmpty() ? null : String.join(" ", scopes);
    }

    @Override
    public String toString() {
      return "TokenRequest{upstream=" + upstream + ", clientId=" + clientId + ", secret=<redacted>, auth="
        + authMethod + ", scopes=" + scopes + ", audience=" + audience + ", resources=" + resources
        + ", extra=" + extraParameters.keySet() + "}";
    }
  }

  /**
   * A request for another grant type: the caller's raw request, forwarded unchanged and never cached.
   *
   * @param upstream the upstream id
   * @param grantType the grant type named in the request (for metrics and logs)
   * @param clientId the id of the client that authenticated it, or {@code null}; never a secret
   * @param contentType the caller's {@code Content-Type}
   * @param body the caller's body, unchanged (empty when there was none)
   * @param authorization the caller's {@code Authorization} header, or {@code null}
   */
  record PassThrough(String upstream, String grantType, String clientId, String contentType, Buffer body,
                     String authorization) implements TokenRequest {

    public PassThrough {
      if (upstream == null || upstream.isEmpty()) {
        throw new IllegalArgumentException("upstream must not be empty");
      }
      Objects.requireNonNull(grantType, "grantType");
      if (clientId != null && (clientId.isEmpty() || clientId.length() > RequestChecks.MAX_CLIENT_ID
        || !RequestChecks.isVschar(clientId))) {
        throw TokenCacheException.invalidRequest("client_id is malformed");
      }
      body = body == null ? Buffer.buffer() : body;
    }

    @Override
    public String toString() {
      // the body and the Authorization header hold credentials: never shown
      return "TokenRequest{upstream=" + upstream + ", grantType=" + grantType + ", clientId=" + clientId
        + ", passThrough}";
    }
  }

  /** Builds and validates a {@code client_credentials} request. */
  final class Builder {
    private String upstream = TokenCacheOptions.DEFAULT_UPSTREAM;
    private String clientId;
    private String clientSecret;
    private ClientAuthMethod authMethod = ClientAuthMethod.CLIENT_SECRET_BASIC;
    private final TreeSet<String> scopes = new TreeSet<>();
    private String audience;
    private final TreeSet<String> resources = new TreeSet<>();
    private final TreeMap<String, String> extraParameters = new TreeMap<>();

    private Builder(String clientId, String clientSecret) {
      if (clientId == null || clientId.isEmpty()) {
        throw TokenCacheException.invalidClient("client_id is missing");
      }
      if (clientSecret == null || clientSecret.isEmpty()) {
        throw TokenCacheException.invalidClient("client_secret is missing");
      }
      if (clientId.length() > RequestChecks.MAX_CLIENT_ID || !RequestChecks.isVschar(clientId)) {
        throw TokenCacheException.invalidRequest("client_id is malformed");
      }
      if (clientSecret.length() > RequestChecks.MAX_SECRET || !RequestChecks.isVschar(clientSecret)) {
        throw TokenCacheException.invalidRequest("client_secret is malformed");
      }
      this.clientId = clientId;
      this.clientSecret = clientSecret;
    }

    /** The upstream id (default {@value TokenCacheOptions#DEFAULT_UPSTREAM}). */
    public Builder upstream(String upstream) {
      if (upstream == null || upstream.isEmpty()) {
        throw new IllegalArgumentException("upstream must not be empty");
      }
      this.upstream = upstream;
      return this;
    }

    /** How the caller authenticated (default {@link ClientAuthMethod#CLIENT_SECRET_BASIC}). */
    public Builder authMethod(ClientAuthMethod authMethod) {
      this.authMethod = Objects.requireNonNull(authMethod, "authMethod");
      return this;
    }

    /** Adds the scopes of a space-separated {@code scope} parameter; {@code null} or blank adds none. */
    public Builder scope(String scopeParameter) {
      if (scopeParameter == null) {
        return this;
      }
      if (scopeParameter.length() > RequestChecks.MAX_VALUE) {
        throw TokenCacheException.invalidScope("scope is too long");
      }
      for (String token : scopeParameter.split(" ")) {
        if (!token.isEmpty()) {
          addScope(token);
        }
      }
      return this;
    }

    /** Adds scopes one by one. */
    public Builder scopes(Collection<String> scopes) {
      scopes.forEach(this::addScope);
      return this;
    }

    private void addScope(String token) {
      if (!RequestChecks.isScopeToken(token)) {
        throw TokenCacheException.invalidScope("scope contains characters RFC 6749 section 3.3 does not allow");
      }
      scopes.add(token);
      if (scopes.size() > RequestChecks.MAX_SCOPES) {
        throw TokenCacheException.invalidScope("too many scopes");
      }
    }

    /** The {@code audience} parameter; {@code null} or empty for none. */
    public Builder audience(String audience) {
      this.audience = checkedValue("audience", audience);
      return this;
    }

    /** Adds an RFC 8707 {@code resource} parameter. */
    public Builder resource(String resource) {
      String value = checkedValue("resource", resource);
      if (value != null) {
        resources.add(value);
      }
      return this;
    }

    /** Adds any other parameter: forwarded upstream and part of the cache key. */
    public Builder parameter(String name, String value) {
      if (name == null || name.isEmpty() || name.length() > 128) {
        throw TokenCacheException.invalidRequest("a parameter name is empty or too long");
      }
      String checked = checkedValue(name, value);
      if (checked != null) {
        extraParameters.put(name, checked);
      }
      return this;
    }

    private static String checkedValue(String name, String value) {
      if (value == null || value.isEmpty()) {
        return null;
      }
      if (value.length() > RequestChecks.MAX_VALUE || value.chars().anyMatch(Character::isISOControl)) {
        throw TokenCacheException.invalidRequest(name + " is malformed or too long");
      }
      return value;
    }

    /** The validated request. */
    public ClientCredentials build() {
      return new ClientCredentials(upstream, clientId, clientSecret, authMethod, List.copyOf(scopes), audience,
        List.copyOf(resources), extraParameters);
    }
  }
}
