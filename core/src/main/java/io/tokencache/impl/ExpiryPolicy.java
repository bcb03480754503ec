package io.tokencache.impl;

import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenResponse;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Turns an upstream token answer into a {@link CachedToken} with absolute expiry, refresh and serve-until
 * points.
 *
 * <p>Expiry comes from {@code expires_in} (or Azure AD v1's {@code expires_on}), else the JWT {@code exp}, else
 * the configured default lifetime; a JWT {@code exp} earlier than {@code expires_in} implies wins; it never exceeds
 * the configured maximum. An answer saying the token is already expired ({@code expires_in} 0 or less) gives a
 * lifetime of zero: the token is handed to the caller that fetched it, never kept. See docs/idp-dialects.md.
 * The minimum remaining lifetime is capped at a fraction of the token's lifetime, and the refresh point is a
 * fraction of it, so short-lived tokens are cached and refreshed ahead too.
 *
 * <p>The refresh point is jittered: moved earlier by a random amount of up to {@value #REFRESH_JITTER_FRACTION}
 * of the lifetime (and never more than half the time before it), so that tokens fetched together, at start-up or
 * in a burst of new clients, are not all refreshed in the same millisecond. Earlier only, never later: a token is
 * never refreshed later than configured, and the refresh point stays at or before serve-until.
 */
public final class ExpiryPolicy {

  /** The most the refresh point moves earlier, as a fraction of the token's lifetime. */
  public static final double REFRESH_JITTER_FRACTION = 0.05;

  /**
   * How far the IdP's clock and the cluster's may disagree before a JWT's {@code exp} read against the cluster's
   * clock (rather than its own {@code iat}) shortens the token's life.
   */
  static final long JWT_CLOCK_TOLERANCE_MILLIS = 120_000;

  private final RandomGenerator random;
  private final double refreshAheadFraction;
  private final long minRemainingMillis;
  private final double maxMinRemainingFraction;
  private final long defaultLifetimeMillis;
  private final long maxLifetimeMillis;

  public ExpiryPolicy(TokenCacheOptions options) {
    // java.util.Random is thread-safe (fetches complete on several event loops); one draw per fetched token
    this(options, new Random());
  }

  /** A policy drawing the refresh jitter from {@code random} (tests pass a seeded one). */
  public ExpiryPolicy(TokenCacheOptions options, RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
    this.refreshAheadFraction = options.getRefreshAheadFraction();
    this.minRemainingMillis = options.getMinRemaining().toMillis();
    this.maxMinRemainingFraction = options.getMaxMinRemainingFraction();
    this.defaultLifetimeMillis = options.getDefaultLifetime().toMillis();
    this.maxLifetimeMillis = options.getMaxLifetime().toMillis();
  }

  /**
   * Computes the cached form of an upstream answer.
   *
   * @param answer the upstream's 200 JSON body
   * @param issuedAt when the upstream request was sent
   * @param clientTag see {@link CachedToken#clientTag()}
   * @throws IllegalArgumentException when the answer has no access token
   */
  public CachedToken toCachedToken(JsonObject answer, long issuedAt, String clientTag) {
    Object token = answer.getValue("access_token");
    if (!(token instanceof String) || ((String) token).isEmpty()) {
      throw new IllegalArgumentException("the upstream answer has no access_token");
    }
    String accessToken = (String) token;
    long lifetime = lifetimeMillis(answer, accessToken, issuedAt);
    lifetime = Math.min(lifetime, maxLifetimeMillis);
    long expiresAt = issuedAt + lifetime;
    long minRemaining = Math.min(minRemainingMillis, (long) (lifetime * maxMinRemainingFraction));
    long serveUntil = expiresAt - minRemaining;
    long maxJitter = (long) (lifetime * Math.min(REFRESH_JITTER_FRACTION, refreshAheadFraction / 2));
    long jitter = maxJitter > 0 ? random.nextLong(maxJitter + 1) : 0;
    long refreshAt = Math.min(issuedAt + (long) (lifetime * refreshAheadFraction) - jitter, serveUntil);

    JsonObject body = answer.copy();
    body.remove("expires_in");
    // Entra ID's ext_expires_in is relative to the answer, like expires_in, and would go stale on every hit:
    // dropped (clients treat it as optional). Azure AD v1's expires_on is absolute: it stays true, set to the
    // expiry the cache uses, in the IdP's form (a string of epoch seconds, or a number).
    body.remove("ext_expires_in");
    if (body.containsKey("expires_on")) {
      long expiresOn = expiresAt / 1000;
      body.put("expires_on", body.getValue("expires_on") instanceof String ? Long.toString(expiresOn) : expiresOn);
    }
    // Refresh tokens are never stored nor shared between callers.
    body.remove("refresh_token");
    // The access token is kept once (CachedToken.accessToken), not a second time inside the body: it is most of a
    // cached entry's size, in every copy (the map's record, the near cache, the decrypted cache). Each answer then
    // writes it back between quotes as it is, so it must need no escaping in JSON: checked here, once per token,
    // not on every hit. A token that would need escaping (never seen in practice: JWTs and opaque tokens are
    // printable ASCII without quotes or backslashes) stays in the body, encoded by the JSON encoder as before;
    // that is simpler than keeping a pre-escaped copy, and costs such a token only the memory it used to.
    boolean tokenInBody = !TokenResponse.isJsonSafe(accessToken);
    if (!tokenInBody) {
      body.remove("access_token");
    }
    return new CachedToken(accessToken, body.encode(), tokenInBody, issuedAt, expiresAt, refreshAt, serveUntil,
      clientTag);
  }

  /**
   * The token's lifetime from the IdP's answer, in its dialect: {@code expires_in} (a number, or a string as Azure
   * AD v1 sends; a fraction is cut to the second below; zero or negative: already expired), else Azure AD v1's
   * absolute {@code expires_on}, else the configured default. A JWT's {@code exp}, when present, bounds it: the
   * token is never kept past the expiry it carries itself: measured from its {@code iat} when it has one (both are
   * the IdP's times, so no clock here skews the comparison), else from {@code issuedAt}.
   */
  private long lifetimeMillis(JsonObject answer, String accessToken, long issuedAt) {
    JsonObject claims = jwtClaims(accessToken);
    Long exp = claims == null ? null : longClaim(claims, "exp");
    Long iat = claims == null ? null : longClaim(claims, "iat");
    // exp and iat are both on the IdP's clock: their difference is the lifetime it gave, whatever this member's clock
    // (or the cluster's) reads; exp against the issue time here still catches a token handed out long after its iat,
    // with a tolerance for the clocks' disagreement. Without iat, exp can only be compared with the issue time here.
    long fromJwt;
    if (exp == null) {
      fromJwt = Long.MAX_VALUE;
    } else if (iat != null && iat <= exp) {
      // iat is a whole second: the token may have been made up to 999 ms after it, with that much less to live
      fromJwt = Math.max(0, Math.min((exp - iat) * 1000 - 999, exp * 1000 - issuedAt + JWT_CLOCK_TOLERANCE_MILLIS));
    } else {
      fromJwt = Math.max(0, exp * 1000 - issuedAt);
    }
    Double expiresIn = seconds(answer.getValue("expires_in"));
    if (expiresIn != null) {
      return Math.min(fromJwt, Math.max(0, (long) Math.floor(expiresIn) * 1000));
    }
    Double expiresOn = seconds(answer.getValue("expires_on"));
    if (expiresOn != null) {
      return Math.min(fromJwt, Math.max(0, (long) Math.floor(expiresOn) * 1000 - issuedAt));
    }
    return exp != null ? fromJwt : defaultLifetimeMillis;
  }

  /** A number of seconds, sent as a JSON number or a string; {@code null} when absent or not a number. */
  private static Double seconds(Object value) {
    try {
      double seconds;
      if (value instanceof Number) {
        seconds = ((Number) value).doubleValue();
      } else if (value instanceof String) {
        seconds = Double.parseDouble(((String) value).trim());
      } else {
        return null;
      }
      return Double.isFinite(seconds) ? seconds : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The {@code exp} claim of a JWT, or {@code null} when the token is not a JWT or has none. The signature is
   * not checked: the cache only needs a bound on how long to keep the token, and the token came straight from
   * the upstream over the connection we opened.
   */
  static Long jwtExpirySeconds(String token) {
    JsonObject claims = jwtClaims(token);
    return claims == null ? null : longClaim(claims, "exp");
  }

  /** The claims of a JWT (its payload), or {@code null} when the token is not one. */
  private static JsonObject jwtClaims(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0) {
      return null;
    }
    try {
      byte[] payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
      return new JsonObject(new String(payload, StandardCharsets.UTF_8));
    } catch (RuntimeException notAJwt) {
      return null;
    }
  }

  private static Long longClaim(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    return value instanceof Number ? ((Number) value).longValue() : null;
  }
}
