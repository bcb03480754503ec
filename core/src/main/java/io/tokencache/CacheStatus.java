package io.tokencache;

/**
 * How a token answer was produced; sent to HTTP clients as the {@code X-Token-Cache} header.
 */
public enum CacheStatus {
  /** Served from the cache without any upstream call. */
  HIT,
  /** This request fetched the token from the upstream identity provider. */
  MISS,
  /** This request waited for a fetch started by another request (on this node or another member). */
  COALESCED,
  /** A grant type that is never cached: the request was forwarded to the upstream unchanged. */
  BYPASS
}
