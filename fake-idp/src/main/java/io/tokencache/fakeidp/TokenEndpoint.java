package io.tokencache.fakeidp;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code POST /oauth2/token} and {@code POST /oauth/token}. Checks run in a real IdP's order: the
 * quota first (on arrival, before the body is read, so a throttled request never has its
 * credentials checked), then the failure mode, then body parsing, client authentication and the
 * grant.
 */
final class TokenEndpoint {

  private static final String ADMISSION = "fake-idp.admission";
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON = "application/json";
  // RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
  private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

  private final FakeIdp idp;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, RefreshGrant> refreshTokens = new ConcurrentHashMap<>();

  /** What a refresh token was issued for. */
  private record RefreshGrant(String clientId, String scope, Object audience) {}

  TokenEndpoint(FakeIdp idp) {
    this.idp = idp;
  }

  /** First handler: counts the request and takes it through the quota, before the body is read. */
  void arrive(RoutingContext ctx) {
    ctx.put(ADMISSION, idp.admit());
    ctx.next();
  }

  /** Form-only endpoint ({@code /oauth2/token}). */
  void handleForm(RoutingContext ctx) {
    handle(ctx, false);
  }

  /** Auth0-style endpoint ({@code /oauth/token}): form or JSON. */
  void handleFormOrJson(RoutingContext ctx) {
    handle(ctx, true);
  }

  /** Body handler failures (too large, undecodable): answered as RFC 6749 errors. */
  void failure(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (!throttle(ctx)) {
      int status = ctx.statusCode();
      if (status == 413) {
        send(ctx, new OAuthError(413, "invalid_request", "request body too large", false));
      } else if (status >= 400 && status < 500) {
        send(ctx, OAuthError.invalidRequest("malformed request body"));
      } else {
        FakeIdp.LOG.log(System.Logger.Level.ERROR, "token endpoint failed", ctx.failure());
        sendJson(ctx, 500, new JsonObject().put("error", "server_error")
            .put("error_description", "internal error"));
      }
    }
  }

  private void handle(RoutingContext ctx, boolean jsonAllowed) {
    if (throttle(ctx) || injectFailure(ctx)) {
      return;
    }
    TokenParams params;
    try {
      params = parse(ctx, jsonAllowed);
    } catch (IllegalArgumentException | DecodeException e) {
      send(ctx, OAuthError.invalidRequest(e instanceof DecodeException ? "malformed JSON body" : e.getMessage()));
      return;
    }
    ClientAuthentication.Outcome auth = ClientAuthentication.authenticate(
        ctx.request().getHeader(HttpHeaders.AUTHORIZATION), params, idp.registry());
    if (auth.error() != null) {
      if (auth.error().status() == 401) {
        idp.counters().rejectedClient();
      }
      send(ctx, auth.error());
      return;
    }
    grant(ctx, auth.clientId(), params);
  }

  /** Answers 429 if the quota refused this request on arrival. */
  private boolean throttle(RoutingContext ctx) {
    TokenBucket.Acquisition admission = ctx.get(ADMISSION);
    if (admission == null || admission.admitted()) {
      return false;
    }
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(admission.retryAfterSeconds()));
    sendJson(ctx, 429, new JsonObject().put("error", "too_many_requests")
        .put("error_description", "token endpoint quota exceeded, retry after "
            + admission.retryAfterSeconds() + " s"));
    return true;
  }

  private boolean injectFailure(RoutingContext ctx) {
    FailureMode mode = idp.failureMode();
    if (mode == FailureMode.NONE) {
      return false;
    }
    idp.counters().failureInjected();
    switch (mode) {
      case UNAVAILABLE -> {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(idp.unavailableRetryAfter().toSeconds()));
        sendJson(ctx, 503, new JsonObject().put("error", "temporarily_unavailable")
            .put("error_description", "the authorization server is temporarily unavailable"));
      }
      case SERVER_ERROR -> sendJson(ctx, 500, new JsonObject().put("error", "server_error")
          .put("error_description", "the authorization server encountered an unexpected condition"));
      case HANG -> idp.park(ctx.request());
      case RESET -> idp.afterLatency(ctx, () -> ctx.request().connection().close());
      default -> throw new IllegalStateException("unknown failure mode " + mode);
    }
    return true;
  }

  private static TokenParams parse(RoutingContext ctx, boolean jsonAllowed) {
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = contentType == null ? ""
        : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    String body = ctx.body().asString("UTF-8");
    if (mediaType.equals(FORM)) {
      return TokenParams.fromForm(body == null ? "" : body);
    }
    if (jsonAllowed && mediaType.equals(JSON)) {
      if (body == null || body.isBlank()) {
        throw new IllegalArgumentException("empty JSON body");
      }
      return TokenParams.fromJson(new JsonObject(body));
    }
    throw new IllegalArgumentException("Content-Type must be " + FORM + (jsonAllowed ? " or " + JSON : ""));
  }

  private void grant(RoutingContext ctx, String clientId, TokenParams params) {
    String grantType = params.get("grant_type");
    if (grantType == null) {
      send(ctx, OAuthError.invalidRequest("missing grant_type"));
      return;
    }
    String scope;
    try {
      scope = normalizeScope(params.get("scope"));
    } catch (IllegalArgumentException e) {
      send(ctx, OAuthError.invalidScope(e.getMessage()));
      return;
    }
    switch (grantType) {
      case "client_credentials" -> issue(ctx, clientId, scope, audience(params), idp.issueRefreshTokens());
      case "refresh_token" -> refresh(ctx, clientId, scope, params.get("refresh_token"));
      default -> send(ctx, OAuthError.unsupportedGrantType(
          "grant_type must be client_credentials or refresh_token"));
    }
  }

  private void refresh(RoutingContext ctx, String clientId, String scope, String refreshToken) {
    if (refreshToken == null) {
      send(ctx, OAuthError.invalidRequest("missing refresh_token"));
      return;
    }
    RefreshGrant original = refreshTokens.get(refreshToken);
    if (original == null || !original.clientId().equals(clientId)) {
      send(ctx, OAuthError.invalidGrant("unknown refresh_token"));
      return;
    }
    if (scope != null && !scopes(original.scope()).containsAll(scopes(scope))) {
      send(ctx, OAuthError.invalidScope("scope exceeds the scope originally granted"));
      return;
    }
    // Refresh tokens are not rotated: the original stays valid and no new one is returned.
    issue(ctx, clientId, scope != null ? scope : original.scope(), original.audience(), false);
  }

  private void issue(RoutingContext ctx, String clientId, String scope, Object audience, boolean withRefresh) {
    long lifetime = idp.tokenLifetime().toSeconds();
    long iat = idp.clock().millis() / 1000;
    JsonObject claims = new JsonObject().put("iss", idp.registry().getIssuer()).put("sub", clientId);
    if (audience != null) {
      claims.put("aud", audience);
    }
    if (scope != null) {
      claims.put("scope", scope);
    }
    claims.put("iat", iat)
        .put("exp", iat + lifetime)
        .put("jti", idp.jwtIssuer().nextJti())
        .put("client_id", clientId);
    JsonObject body = new JsonObject()
        .put("access_token", idp.jwtIssuer().sign(claims, idp.registry().isRandomSignatures()))
        .put("token_type", "Bearer");
    if (idp.includeExpiresIn()) {
      body.put("expires_in", lifetime);
    }
    if (scope != null) {
      body.put("scope", scope);
    }
    if (withRefresh) {
      String refreshToken = JwtIssuer.randomToken(random, 32);
      refreshTokens.put(refreshToken, new RefreshGrant(clientId, scope, audience));
      body.put("refresh_token", refreshToken);
    }
    idp.counters().issued(clientId, System.currentTimeMillis());
    sendJson(ctx, 200, body);
  }

  /** {@code aud}: the audience parameter, else the resource parameter(s). */
  private static Object audience(TokenParams params) {
    String audience = params.get("audience");
    if (audience != null) {
      return audience;
    }
    List<String> resources = params.getAll("resource");
    if (resources.isEmpty()) {
      return null;
    }
    return resources.size() == 1 ? resources.get(0) : new JsonArray(new ArrayList<>(resources));
  }

  /** Space-separated, each token valid per RFC 6749 section 3.3, duplicates dropped; null if none. */
  private static String normalizeScope(String scope) {
    if (scope == null || scope.isBlank()) {
      return null;
    }
    Set<String> tokens = scopes(scope);
    for (String token : tokens) {
      if (!SCOPE_TOKEN.matcher(token).matches()) {
        throw new IllegalArgumentException("scope contains characters RFC 6749 section 3.3 does not allow");
      }
    }
    return String.join(" ", tokens);
  }

  private static Set<String> scopes(String scope) {
    Set<String> tokens = new LinkedHashSet<>();
    if (scope != null) {
      Arrays.stream(scope.split(" +")).filter(s -> !s.isEmpty()).forEach(tokens::add);
    }
    return tokens;
  }

  private void send(RoutingContext ctx, OAuthError error) {
    if (error.challenge()) {
      ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"fake-idp\"");
    }
    sendJson(ctx, error.status(), error.body());
  }

  private void sendJson(RoutingContext ctx, int status, JsonObject body) {
    idp.afterLatency(ctx, () -> ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("Pragma", "no-cache")
        .end(body.encode()));
  }
}
