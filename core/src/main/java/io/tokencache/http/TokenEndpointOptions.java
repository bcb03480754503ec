package io.tokencache.http;

import io.tokencache.TokenCacheOptions;
import io.vertx.core.json.JsonObject;

/**
 * Settings of a mounted token endpoint.
 */
public class TokenEndpointOptions {

  /** Largest request body accepted: 64 KiB. Larger bodies get {@code 413}. */
  public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  /**
   * Whether grants other than {@code client_credentials} are forwarded to the upstream: {@code true}. They still
   * need client authentication (HTTP Basic, {@code client_id} + {@code client_secret}, or a
   * {@code client_assertion}) before anything is forwarded.
   */
  public static final boolean DEFAULT_PASS_THROUGH = true;

  private String upstream = TokenCacheOptions.DEFAULT_UPSTREAM;
  private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private boolean passThrough = DEFAULT_PASS_THROUGH;

  /** Defaults. */
  public TokenEndpointOptions() {
  }

  /** From JSON: {@code upstream}, {@code maxBodyBytes}, {@code passThrough}. */
  public TokenEndpointOptions(JsonObject json) {
    if (json.containsKey("upstream")) {
      setUpstream(json.getString("upstream"));
    }
    if (json.containsKey("maxBodyBytes")) {
      setMaxBodyBytes(json.getLong("maxBodyBytes"));
    }
    if (json.containsKey("passThrough")) {
      Object v = json.getValue("passThrough");
      if (!(v instanceof Boolean)) {
        throw new IllegalArgumentException("passThrough must be true or false, was '" + v + "'");
      }
      setPassThrough((Boolean) v);
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

  /** Whether grants other than {@code client_credentials} are forwarded (see {@link #DEFAULT_PASS_THROUGH}). */
  public boolean isPassThrough() {
    return passThrough;
  }

  /**
   * Sets whether grants other than {@code client_credentials} are forwarded to the upstream. Off, every other
   * grant gets {@code 400 unsupported_grant_type} and nothing is forwarded.
   */
  public TokenEndpointOptions setPassThrough(boolean passThrough) {
    this.passThrough = passThrough;
    return this;
  }

  /** These options as JSON. */
  public JsonObject toJson() {
    return new JsonObject().put("upstream", upstream).put("maxBodyBytes", maxBodyBytes)
      .put("passThrough", passThrough);
  }
}
