package io.tokencache.impl.store;

import io.tokencache.impl.CachedToken;
import io.vertx.core.Future;

/**
 * Where cached tokens live: this member's memory, or the cluster's distributed map. Every entry expires at its
 * token's {@link CachedToken#serveUntil()}. Who fetches a missing key is agreed elsewhere ({@link FetchLeases}).
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

  /** Releases resources. */
  Future<Void> close();
}
