package io.tokencache.impl.store;

import io.tokencache.impl.CachedToken;
import io.vertx.core.Future;

import java.time.Duration;

/**
 * Where cached tokens live, and how members agree on who fetches a key: this member's memory, or the
 * cluster's distributed map. Every entry expires at its token's {@link CachedToken#serveUntil()}.
 *
 * <p>The lease methods give cluster-wide single-flight: the member that {@linkplain #tryLease acquires} a
 * key's lease fetches it; the others {@linkplain #awaitUpdate wait} for the token to appear, or for the lease
 * to go away (released after a failed fetch, or expired because its holder died), and then try again.
 * A store with a single member grants every lease: local single-flight already coalesces.
 */
public interface TokenStore {

  /** The token under {@code key}, or {@code null}. */
  Future<CachedToken> get(String key);

  /** Stores {@code token} under {@code key} until its serve-until point. */
  Future<Void> put(String key, CachedToken token);

  /** Replaces {@code expected} by {@code replacement} only if {@code expected} is still the stored token. */
  Future<Boolean> replace(String key, CachedToken expected, CachedToken replacement);

  /** Drops the token under {@code key}; tells whether there was one. */
  Future<Boolean> remove(String key);

  /** Drops every token whose {@link CachedToken#clientTag()} is {@code clientTag}; tells how many. */
  Future<Integer> removeByClientTag(String clientTag);

  /** Number of tokens stored (approximate for distributed stores). */
  long size();

  /**
   * Tries to take the lease on {@code leaseKey}; it lapses by itself after {@code ttl}, so a member that
   * dies while fetching blocks nobody for longer than that.
   */
  Future<Boolean> tryLease(String leaseKey, Duration ttl);

  /** Gives the lease back (after the token was stored, or the fetch failed). */
  Future<Void> releaseLease(String leaseKey);

  /**
   * Waits until {@code key} holds a token stored after this call began, or {@code leaseKey}'s lease is gone,
   * or {@code timeout} passed; completes with the stored token or {@code null}. It checks the store once
   * after it starts listening, so a token stored just before the call is not missed.
   */
  Future<CachedToken> awaitUpdate(String key, String leaseKey, Duration timeout);

  /** Releases resources. */
  Future<Void> close();
}
