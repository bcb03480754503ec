package io.tokencache.impl;

import io.tokencache.TokenCacheException;

/**
 * What one upstream fetch came to, classified once where the answer arrives: a token, the upstream's own
 * refusal (a 4xx other than 429, passed through as it came), or unavailable (5xx, 429, unreachable, an unusable
 * answer, or refused here by the breaker, bulkhead or budget), with the {@code Retry-After} to tell the caller.
 */
sealed interface FetchOutcome {

  /** The upstream issued a token. */
  record Issued(CachedToken token) implements FetchOutcome {
  }

  /** The upstream refused the request; {@code answer} replays its status and body. */
  record Refused(TokenCacheException answer) implements FetchOutcome {
    /** The refusal to remember when it is of the credentials themselves, else {@code null}. */
    Rejection credentials() {
      return Rejection.of(answer);
    }
  }

  /** No token could be had within bounds: a 503 with {@code Retry-After}. */
  record Unavailable(TokenCacheException error) implements FetchOutcome {
  }
}
