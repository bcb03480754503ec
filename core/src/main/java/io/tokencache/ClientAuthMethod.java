package io.tokencache;

/**
 * How a client authenticated (RFC 6749 section 2.3.1); the upstream request uses the same method.
 */
public enum ClientAuthMethod {
  /** HTTP Basic with the form-urlencoded client id and secret ({@code client_secret_basic}). */
  CLIENT_SECRET_BASIC,
  /** {@code client_id} and {@code client_secret} in the request body ({@code client_secret_post}). */
  CLIENT_SECRET_POST
}
