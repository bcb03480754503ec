package io.tokencache.impl.upstream;

import io.vertx.core.buffer.Buffer;

/**
 * What the upstream answered.
 *
 * @param statusCode the HTTP status
 * @param contentType the {@code Content-Type}, or {@code null}
 * @param retryAfter the raw {@code Retry-After} header, or {@code null}
 * @param body the body
 */
public record UpstreamResponse(int statusCode, String contentType, String retryAfter, Buffer body) {
}
