package io.tokencache.impl;

/**
 * A cached access token with its absolute points in time (epoch milliseconds).
 *
 * <p>The access token is held once: {@code body} leaves it out, and the answer puts it back (see
 * {@link ExpiryPolicy#toCachedToken}), unless it needs escaping in JSON, which real tokens never do.
 *
 * @param accessToken the access token
 * @param body the upstream's JSON answer, encoded, without {@code expires_in} and {@code refresh_token}, and
 *     without {@code access_token} unless {@code tokenInBody}
 * @param tokenInBody whether {@code body} holds {@code access_token}; when it does not, the token is
 *     {@linkplain io.tokencache.TokenResponse#isJsonSafe JSON-safe} and the answer writes it back as it is
 * @param issuedAt when the upstream request was sent (a conservative issue time)
 * @param expiresAt when the token expires
 * @param refreshAt from when a request starts a background refresh
 * @param serveUntil the last moment the token may be served (expiry less the minimum remaining lifetime)
 * @param clientTag a keyed hash of (upstream, client id), so one client's tokens can be found without
 *     naming the client in plaintext
 */
public record CachedToken(String accessToken, String body, boolean tokenInBody, long issuedAt, long expiresAt, long refreshAt,
                          long serveUntil, String clientTag) {

  /** Whether the token may still be served at {@code now}. */
  public boolean servable(long now) {
    return now < serveUntil;
  }

  /** Whether a request at {@code now} should start a background refresh. */
  public boolean refreshDue(long now) {
    return now >= refreshAt;
  }

  /** Whole seconds of lifetime left at {@code now}, never negative. */
  public long expiresInSeconds(long now) {
    return Math.max(0, (expiresAt - now) / 1000);
  }

  /** A copy whose next refresh attempt is postponed to {@code nextRefreshAt} (after a failed refresh). */
  public CachedToken withRefreshAt(long nextRefreshAt) {
    return new CachedToken(accessToken, body, tokenInBody, issuedAt, expiresAt, Math.min(nextRefreshAt, serveUntil),
      serveUntil, clientTag);
  }

  @Override
  public String toString() {
    // never the token itself
    return "CachedToken{issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + ", refreshAt=" + refreshAt
      + ", serveUntil=" + serveUntil + "}";
  }
}
