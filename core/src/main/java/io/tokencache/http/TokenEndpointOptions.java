package io.tokencache.http;

import io.tokencache.TokenCacheOptions;
import io.vertx.core.json.JsonObject;

/**
 * Settings of a mounted token endpoint.
 */
public class TokenEndpointOptions {

  /** Largest request body accepted: 64 KiB. Larger bodies get {@code 413}. */
  public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  private String upstream = TokenCacheOptions.DEFAULT_UPSTREAM;
  private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

  /** Defaults. */
  public TokenEndpointOptions() {
  }

  /** From JSON: {@code upstream}, {@code maxBodyBytes}. */
  public TokenEndpointOptions(JsonObject json) {
    if (json.containsKey("upstream")) {
      setUpstream(json.getString("upstream"));
    }
    if (json.containsKey("maxBodyBytes")) {
      setMaxBodyBytes(json.getLong("maxBodyBytes"));
    }
  }

  /** The upstream this endpoint's requests go to. */
  public String getUpstream() {
    return upstream;
  }

  /** Sets the upstream id. */
  public TokenEndpointOptions setUpstream(String upstream) {
    if (upstream == null || upstream.isEmpty()) {
      throw new IllegalArgumentException("upstream must not be empty");
    }
    this.upstream = upstream;
    return this;
  }

  /** The largest request body accepted. */
  public long getMaxBodyBytes() {
    return maxBodyBytes;
  }

  /** Sets the body limit; at least 1 KiB. */
  public TokenEndpointOptions setMaxBodyBytes(long maxBodyBytes) {
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("maxBodyBytes must be at least 1024, was " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
    return this;
  }

  /** These options as JSON. */
  public JsonObject toJson() {
    return new JsonObject().put("upstream", upstream).put("maxBodyBytes", maxBodyBytes);
  }
}
