package io.tokencache;

import io.vertx.core.buffer.Buffer;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A token request in canonical form: what the cache key is computed from and what is sent upstream.
 *
 * <p>Scopes and resources are sorted and de-duplicated, so {@code "b a a"} and {@code "a b"} are the same
 * request. The client secret is held only to authenticate upstream and to derive the cache key; it is
 * never part of {@link #toString()}.
 *
 * <p>Requests for grant types other than {@code client_credentials} are {@linkplain #passThrough pass-through}
 * requests: they carry the caller's raw body and are forwarded unchanged, never cached.
 */
public final class TokenRequest {

  /** The grant type that is cached. */
  public static final String CLIENT_CREDENTIALS = "client_credentials";


  // Character classes checked by loops rather than regular expressions: they run on every request, and matching
  // them with java.util.regex was several percent of a cache hit's CPU.

  /** RFC 6749 appendix A.1: client ids are {@code VSCHAR = %x20-7E}; a secret too. */
  private static boolean isVschar(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /** RFC 6749 section 3.3: {@code scope-token = 1*( %x21 / %x23-5B / %x5D-7E )}. */
  private static boolean isScopeToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E || c == 0x22 || c == 0x5C) {
        return false;
      }
    }
    return true;
  }

  /** Upper bounds that keep keys and upstream requests sane; real ids, secrets and scopes are far smaller. */
  static final int MAX_CLIENT_ID = 256;
  static final int MAX_SECRET = 1024;
  static final int MAX_SCOPES = 64;
  static final int MAX_VALUE = 2048;

  private final String upstream;
  private final String grantType;
  private final String clientId;
  private final String clientSecret;
  private final ClientAuthMethod authMethod;
  private final List<String> scopes;
  private final String audience;
  private final List<String> resources;
  private final SortedMap<String, String> extraParameters;
  private final PassThrough passThrough;

  private TokenRequest(Builder b, PassThrough passThrough) {
    this.upstream = b.upstream;
    this.grantType = b.grantType;
    this.clientId = b.clientId;
    this.clientSecret = b.clientSecret;
    this.authMethod = b.authMethod;
    this.scopes = List.copyOf(b.scopes);
    this.audience = b.audience;
    this.resources = List.copyOf(b.resources);
    this.extraParameters = b.extraParameters.isEmpty() ? Collections.emptySortedMap()
      : Collections.unmodifiableSortedMap(new TreeMap<>(b.extraParameters));
    this.passThrough = passThrough;
  }

  /**
   * Starts a {@code client_credentials} request.
   *
   * @param clientId the client id, non-empty
   * @param clientSecret the client secret, non-empty
   */
  public static Builder clientCredentials(String clientId, String clientSecret) {
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
  public static TokenRequest passThrough(String upstream, String grantType, String contentType, Buffer body,
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
  public static TokenRequest passThrough(String upstream, String grantType, String clientId, String contentType,
                                         Buffer body, String authorization) {
    Builder b = new Builder();
    b.upstream(upstream);
    b.grantType = Objects.requireNonNull(grantType, "grantType");
    if (clientId != null) {
      if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID || !isVschar(clientId)) {
        throw TokenCacheException.invalidRequest("client_id is malformed");
      }
      b.clientId = clientId;
    }
    return new TokenRequest(b, new PassThrough(contentType, body, authorization));
  }

  /** The id of the upstream identity provider this request goes to. */
  public String upstream() {
    return upstream;
  }

  /** The OAuth2 grant type. */
  public String grantType() {
    return grantType;
  }

  /** True for {@code client_credentials} requests, the only ones that are cached. */
  public boolean isCacheable() {
    return passThrough == null;
  }

  /**
   * The client id. For a pass-through request, the id the client authenticated with, or {@code null} when it
   * authenticated by a {@code client_assertion} without a {@code client_id}.
   */
  public String clientId() {
    return clientId;
  }

  /** The client secret, or {@code null} for a pass-through request. Never log it. */
  public String clientSecret() {
    return clientSecret;
  }

  /** How the caller authenticated; the upstream request does the same. */
  public ClientAuthMethod authMethod() {
    return authMethod;
  }

  /** Requested scopes, sorted and de-duplicated. */
  public List<String> scopes() {
    return scopes;
  }

  /** The scopes as the space-separated {@code scope} parameter, or {@code null} when none. */
  public String scopeParameter() {
    return scopes.isEmpty() ? null : String.join(" ", scopes);
  }

  /** The {@code audience} parameter, or {@code null}. */
  public String audience() {
    return audience;
  }

  /** The RFC 8707 {@code resource} parameters, sorted and de-duplicated. */
  public List<String> resources() {
    return resources;
  }

  /** Any further parameters, forwarded upstream and part of the cache key. */
  public SortedMap<String, String> extraParameters() {
    return extraParameters;
  }

  /** The raw request of a pass-through request, else {@code null}. */
  public PassThrough passThroughRequest() {
    return passThrough;
  }

  @Override
  public String toString() {
    if (passThrough != null) {
      // the body and the Authorization header hold credentials: never shown
      return "TokenRequest{upstream=" + upstream + ", grantType=" + grantType + ", clientId=" + clientId
        + ", passThrough}";
    }
    return "TokenRequest{upstream=" + upstream + ", clientId=" + clientId + ", secret=<redacted>, auth="
      + authMethod + ", scopes=" + scopes + ", audience=" + audience + ", resources=" + resources
      + ", extra=" + extraParameters.keySet() + "}";
  }

  /** The caller's raw request, for grant types that are forwarded unchanged. */
  public static final class PassThrough {
    private final String contentType;
    private final Buffer body;
    private final String authorization;

    PassThrough(String contentType, Buffer body, String authorization) {
      this.contentType = contentType;
      this.body = body == null ? Buffer.buffer() : body;
      this.authorization = authorization;
    }

    /** The caller's {@code Content-Type}. */
    public String contentType() {
      return contentType;
    }

    /** The caller's body. */
    public Buffer body() {
      return body;
    }

    /** The caller's {@code Authorization} header, or {@code null}. */
    public String authorization() {
      return authorization;
    }
  }

  /** Builds and validates a {@code client_credentials} request. */
  public static final class Builder {
    private String upstream = TokenCacheOptions.DEFAULT_UPSTREAM;
    private String grantType = CLIENT_CREDENTIALS;
    private String clientId;
    private String clientSecret;
    private ClientAuthMethod authMethod = ClientAuthMethod.CLIENT_SECRET_BASIC;
    private final TreeSet<String> scopes = new TreeSet<>();
    private String audience;
    private final TreeSet<String> resources = new TreeSet<>();
    private final TreeMap<String, String> extraParameters = new TreeMap<>();

    private Builder() {
    }

    private Builder(String clientId, String clientSecret) {
      if (clientId == null || clientId.isEmpty()) {
        throw TokenCacheException.invalidClient("client_id is missing");
      }
      if (clientSecret == null || clientSecret.isEmpty()) {
        throw TokenCacheException.invalidClient("client_secret is missing");
      }
      if (clientId.length() > MAX_CLIENT_ID || !isVschar(clientId)) {
        throw TokenCacheException.invalidRequest("client_id is malformed");
      }
      if (clientSecret.length() > MAX_SECRET || !isVschar(clientSecret)) {
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
      if (scopeParameter.length() > MAX_VALUE) {
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
      if (!isScopeToken(token)) {
        throw TokenCacheException.invalidScope("scope contains characters RFC 6749 section 3.3 does not allow");
      }
      scopes.add(token);
      if (scopes.size() > MAX_SCOPES) {
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
      if (value.length() > MAX_VALUE || value.chars().anyMatch(Character::isISOControl)) {
        throw TokenCacheException.invalidRequest(name + " is malformed or too long");
      }
      return value;
    }

    /** The validated request. */
    public TokenRequest build() {
      return new TokenRequest(this, null);
    }
  }

  private static final Set<String> STANDARD_PARAMETERS =
    Set.of("grant_type", "client_id", "client_secret", "scope", "audience", "resource");

  /** True for the parameters this class models itself; any other one is an {@linkplain Builder#parameter extra}. */
  public static boolean isStandardParameter(String name) {
    return STANDARD_PARAMETERS.contains(name);
  }
}
