package io.tokencache.server;

import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;

import java.util.Map;

/**
 * The server's settings, read from the contract's environment variables (a configuration file adds more,
 * the environment overriding it).
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} whose message names the variable and
 * what is wrong with it; the launcher prints it and exits non-zero.
 */
public final class ServerConfig {

  public static final String HTTP_HOST = "TOKEN_CACHE_HTTP_HOST";
  public static final String HTTP_PORT = "TOKEN_CACHE_HTTP_PORT";
  public static final String UPSTREAM_TOKEN_URL = "TOKEN_CACHE_UPSTREAM_TOKEN_URL";
  public static final String UPSTREAM_QUOTA_RPS = "TOKEN_CACHE_UPSTREAM_QUOTA_RPS";

  public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 8080;

  private final String httpHost;
  private final int httpPort;
  private final TokenCacheOptions cacheOptions;

  private ServerConfig(String httpHost, int httpPort, TokenCacheOptions cacheOptions) {
    this.httpHost = httpHost;
    this.httpPort = httpPort;
    this.cacheOptions = cacheOptions;
  }

  /**
   * Reads the settings from environment variables.
   *
   * @throws IllegalArgumentException naming the variable that is missing or wrong
   */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    String host = env.getOrDefault(HTTP_HOST, DEFAULT_HTTP_HOST).trim();
    if (host.isEmpty()) {
      throw new IllegalArgumentException(HTTP_HOST + " must not be empty");
    }
    int port = intIn(env, HTTP_PORT, DEFAULT_HTTP_PORT, 1, 65535);

    UpstreamOptions upstream = new UpstreamOptions();
    String url = env.get(UPSTREAM_TOKEN_URL);
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(UPSTREAM_TOKEN_URL + " is required: the token endpoint of the upstream identity provider");
    }
    try {
      upstream.setTokenUrl(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(UPSTREAM_TOKEN_URL + ": " + e.getMessage());
    }
    String quota = env.get(UPSTREAM_QUOTA_RPS);
    if (quota != null) {
      try {
        upstream.setQuotaRps(Double.parseDouble(quota.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(UPSTREAM_QUOTA_RPS + " must be a positive number of requests per second, was '" + quota + "'");
      }
    }
    TokenCacheOptions cache = new TokenCacheOptions().addUpstream(upstream);
    cache.validate();
    return new ServerConfig(host, port, cache);
  }

  private static int intIn(Map<String, String> env, String name, int dflt, int min, int max) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return dflt;
    }
    try {
      int v = Integer.parseInt(raw.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", was '" + raw + "'");
  }

  /** The listen address. */
  public String httpHost() {
    return httpHost;
  }

  /** The listen port. */
  public int httpPort() {
    return httpPort;
  }

  /** The cache's settings. */
  public TokenCacheOptions cacheOptions() {
    return cacheOptions;
  }
}
