package io.tokencache.fakeidp;

/**
 * How the fake IdP misbehaves on token requests that passed the quota check. Requests refused by a
 * failure mode count in {@link FakeIdp#tokenRequests()} but not in {@link FakeIdp#tokensIssued()}.
 */
public enum FailureMode {
  /** Behave normally. */
  NONE,
  /**
   * Answer {@code 503} with {@code Retry-After: 1} (or {@link FakeIdp#setUnavailableRetryAfter}) and an RFC 6749 style body
   * {@code {"error":"temporarily_unavailable",...}}, as an IdP in maintenance or overloaded does.
   */
  UNAVAILABLE,
  /** Answer {@code 500} with {@code {"error":"server_error",...}}. */
  SERVER_ERROR,
  /**
   * Never answer: the request is parked and the connection stays open until the client gives up
   * (or the IdP is closed). Exercises the caller's timeouts.
   */
  HANG,
  /** Close the connection without answering, as a crashing IdP or a load balancer reset does. */
  RESET
}
