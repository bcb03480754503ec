package io.tokencache.impl.upstream;

import io.vertx.core.buffer.Buffer;

/**
 * What the upstream answered.
 *
 * @param statusCode the HTTP status
 * @param contentType the {@code Content-Type}, or {@code null}
 * @param retryAfter the raw {@code Retry-After} header, or {@code null}
 * @param body the body
 * @param sentNanos {@link System#nanoTime()} when the request left (the token's issue is no earlier)
 */
public record UpstreamResponse(int statusCode, String contentType, String retryAfter, Buffer body, long sentNanos) {

  /** An answer timed as sent now. */
  public UpstreamResponse(int statusCode, String contentType, String retryAfter, Buffer body) {
    this(statusCode, contentType, retryAfter, body, System.nanoTime());
  }
}
