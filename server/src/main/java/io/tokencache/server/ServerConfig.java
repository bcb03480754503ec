package io.tokencache.server;

import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;

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
  public static final String CLUSTER_NAME = "TOKEN_CACHE_CLUSTER_NAME";
  public static final String CLUSTER_PORT = "TOKEN_CACHE_CLUSTER_PORT";
  public static final String CLUSTER_MEMBERS = "TOKEN_CACHE_CLUSTER_MEMBERS";
  public static final String CLUSTER_DISCOVERY = "TOKEN_CACHE_CLUSTER_DISCOVERY";
  /** Not in the contract's table: the address this member binds and advertises (default: see {@link #fromEnvironment}). */
  public static final String CLUSTER_HOST = "TOKEN_CACHE_CLUSTER_HOST";
  /** For {@code kubernetes} discovery: the DNS name of the headless Service listing the members. */
  public static final String CLUSTER_KUBERNETES_SERVICE_DNS = "TOKEN_CACHE_CLUSTER_KUBERNETES_SERVICE_DNS";
  public static final String ENCRYPTION_KEY = "TOKEN_CACHE_ENCRYPTION_KEY";
  public static final String ADMIN_TOKEN = "TOKEN_CACHE_ADMIN_TOKEN";

  public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 8080;

  private final String httpHost;
  private final int httpPort;
  private final TokenCacheOptions cacheOptions;
  private final ClusterOptions clusterOptions;
  private final String adminToken;

  private ServerConfig(String httpHost, int httpPort, TokenCacheOptions cacheOptions, ClusterOptions clusterOptions,
                       String adminToken) {
    this.httpHost = httpHost;
    this.httpPort = httpPort;
    this.cacheOptions = cacheOptions;
    this.clusterOptions = clusterOptions;
    this.adminToken = adminToken;
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
    ClusterOptions cluster = clusterFromEnvironment(env);
    String admin = env.get(ADMIN_TOKEN);
    if (admin != null && !admin.isEmpty() && admin.length() < 16) {
      throw new IllegalArgumentException(ADMIN_TOKEN + " must be at least 16 characters long");
    }
    return new ServerConfig(host, port, cache, cluster, admin == null || admin.isEmpty() ? null : admin);
  }

  private static ClusterOptions clusterFromEnvironment(Map<String, String> env) {
    ClusterOptions cluster = new ClusterOptions();
    setting(CLUSTER_NAME, env, v -> cluster.setClusterName(v));
    cluster.setPort(intIn(env, CLUSTER_PORT, ClusterOptions.DEFAULT_PORT, 1, 65535));
    setting(CLUSTER_MEMBERS, env, v -> cluster.setMembers(ClusterOptions.parseMembers(v)));
    setting(CLUSTER_DISCOVERY, env, v -> cluster.setDiscovery(ClusterOptions.Discovery.parse(v)));
    setting(CLUSTER_KUBERNETES_SERVICE_DNS, env, v -> cluster.setKubernetesServiceDns(v));
    setting(ENCRYPTION_KEY, env, v -> cluster.setEncryptionKey(v));
    // A lone member or a loopback-only cluster stays on loopback; otherwise bind every interface and let
    // Hazelcast advertise the address the others can reach (the pod IP on Kubernetes).
    String clusterHost = env.get(CLUSTER_HOST);
    if (clusterHost != null && !clusterHost.isBlank()) {
      setting(CLUSTER_HOST, env, v -> cluster.setHost(v));
    } else {
      boolean loopbackOnly = cluster.getDiscovery() == ClusterOptions.Discovery.TCP
        && cluster.getMembers().stream().allMatch(m -> m.startsWith("127.") || m.startsWith("localhost:"));
      cluster.setHost(loopbackOnly ? "127.0.0.1" : ClusterOptions.ANY_HOST);
    }
    boolean alone = cluster.getDiscovery() == ClusterOptions.Discovery.TCP && cluster.getMembers().isEmpty();
    if (!alone && !cluster.hasEncryptionKey()) {
      throw new IllegalArgumentException(ENCRYPTION_KEY + " is required when members may join ("
        + CLUSTER_MEMBERS + " or " + CLUSTER_DISCOVERY + " set): every member must share it");
    }
    try {
      cluster.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cluster settings: " + e.getMessage());
    }
    return cluster;
  }

  private static void setting(String name, Map<String, String> env, java.util.function.Consumer<String> apply) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return;
    }
    try {
      apply.accept(raw.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage());
    }
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

  /** The cluster membership settings (every node is a Hazelcast member, alone or not). */
  public ClusterOptions clusterOptions() {
    return clusterOptions;
  }

  /** The bearer token guarding {@code /admin/*}, or {@code null}: admin off. */
  public String adminToken() {
    return adminToken;
  }

  /** The cache's settings. */
  public TokenCacheOptions cacheOptions() {
    return cacheOptions;
  }
}
