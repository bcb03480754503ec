package io.tokencache.impl.store;

import io.tokencache.impl.CachedToken;
import io.vertx.core.Future;

import java.time.Duration;

/**
 * How the members of a cluster agree on who fetches a key: the member that {@linkplain #tryLease acquires} a key's
 * lease fetches it; the others {@linkplain #awaitUpdate wait} for the token to appear, or for the lease to go away
 * (released after a failed fetch, or lapsed because its holder died), and then try again.
 *
 * <p>Only a cluster has leases: within one member, single flight already coalesces a key's misses.
 */
public interface FetchLeases {

  /** What {@link #claim} found. */
  enum Claim {
    /** The lease is this member's now: it fetches. */
    TAKEN,
    /** Another member holds it: {@linkplain #awaitUpdate wait} for its token. */
    HELD,
    /** Given back by a member that stored the key's token since: read the token. */
    STORED
  }

  /**
   * {@link #tryLease} for a miss: also answers {@link Claim#STORED} when the lease was {@linkplain #releaseStored
   * given back with its token stored} within its {@code keep}, unless {@code seeStored} is false, when such a
   * marker is taken over like a free lease.
   */
  Future<Claim> claim(String key, Duration ttl, boolean seeStored);

  /**
   * The key's token as its owner holds it (never a near-cached copy, which may not have heard of the store yet),
   * or {@code null}: what a {@link Claim#STORED} answer is followed by.
   */
  Future<CachedToken> readStored(String key);

  /**
   * Gives the lease back after its holder stored the key's token, leaving a marker for {@code keep}: a miss that
   * looked for the token before it was stored is told so by its {@link #claim}.
   */
  Future<Void> releaseStored(String key, Duration keep);

  /**
   * Tries to take the lease on {@code leaseKey}; it lapses by itself after {@code ttl}, so a member that dies while
   * fetching blocks nobody for longer than that.
   */
  Future<Boolean> tryLease(String leaseKey, Duration ttl);

  /** Gives the lease back (after the token was stored, or the fetch failed). */
  Future<Void> releaseLease(String leaseKey);

  /**
   * Waits until {@code key} holds a token stored after this call began, or {@code leaseKey}'s lease is gone, or
   * {@code timeout} passed; completes with the stored token or {@code null}. It checks the store once after it
   * starts listening, so a token stored just before the call is not missed.
   */
  Future<CachedToken> awaitUpdate(String key, String leaseKey, Duration timeout);

  /** Stops listening; pending waits complete with {@code null}. */
  Future<Void> close();
}
