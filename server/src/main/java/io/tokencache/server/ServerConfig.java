package io.tokencache.server;

import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.config.JsonSettings;
import io.tokencache.http.TokenEndpointOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The server's settings: the contract's environment variables over an optional configuration file (JSON or
 * YAML, named by {@value #CONFIG}; see {@code docs/configuration.md}).
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} whose message names the setting (the
 * variable, or the file setting's path such as {@code upstreams[1].quotaRps}) and what is wrong with it; the
 * launcher prints it and exits with code 2. Messages never repeat the admin token or the encryption key.
 */
public final class ServerConfig {

  /** The configuration file (JSON by {@code .json}, YAML by {@code .yaml}/{@code .yml}); optional. */
  public static final String CONFIG = "TOKEN_CACHE_CONFIG";
  public static final String HTTP_HOST = "TOKEN_CACHE_HTTP_HOST";
  public static final String HTTP_PORT = "TOKEN_CACHE_HTTP_PORT";
  public static final String UPSTREAM_TOKEN_URL = "TOKEN_CACHE_UPSTREAM_TOKEN_URL";
  public static final String UPSTREAM_QUOTA_RPS = "TOKEN_CACHE_UPSTREAM_QUOTA_RPS";
  public static final String CLUSTER_NAME = "TOKEN_CACHE_CLUSTER_NAME";
  public static final String CLUSTER_PORT = "TOKEN_CACHE_CLUSTER_PORT";
  public static final String CLUSTER_MEMBERS = "TOKEN_CACHE_CLUSTER_MEMBERS";
  public static final String CLUSTER_DISCOVERY = "TOKEN_CACHE_CLUSTER_DISCOVERY";
  /** Not in the contract's table: the address this member binds and advertises (default: see {@link #from}). */
  public static final String CLUSTER_HOST = "TOKEN_CACHE_CLUSTER_HOST";
  /** For {@code kubernetes} discovery: the DNS name of the headless Service listing the members. */
  public static final String CLUSTER_KUBERNETES_SERVICE_DNS = "TOKEN_CACHE_CLUSTER_KUBERNETES_SERVICE_DNS";
  public static final String ENCRYPTION_KEY = "TOKEN_CACHE_ENCRYPTION_KEY";
  public static final String ADMIN_TOKEN = "TOKEN_CACHE_ADMIN_TOKEN";
  /** Not in the contract's table: {@code false} refuses every grant but client_credentials (see {@code http.passThrough}). */
  public static final String HTTP_PASS_THROUGH = "TOKEN_CACHE_HTTP_PASS_THROUGH";
  /** Not in the contract's table: how long a whole request may take to arrive (see {@code http.requestTimeout}). */
  public static final String HTTP_REQUEST_TIMEOUT = "TOKEN_CACHE_HTTP_REQUEST_TIMEOUT";
  /** Not in the contract's table: open HTTP connections per member (see {@code http.maxConnections}). */
  public static final String HTTP_MAX_CONNECTIONS = "TOKEN_CACHE_HTTP_MAX_CONNECTIONS";
  /** Not in the contract's table: {@code text} (default) or {@code json} log lines. */
  public static final String LOG_FORMAT = "TOKEN_CACHE_LOG_FORMAT";
  /** Not in the contract's table: {@code true} logs one line per token request (client ids hashed). */
  public static final String ACCESS_LOG = "TOKEN_CACHE_ACCESS_LOG";

  public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 8080;
  /** Largest token request body: 64 KiB. */
  public static final long DEFAULT_MAX_BODY_BYTES = TokenEndpointOptions.DEFAULT_MAX_BODY_BYTES;
  /** Largest request head (request line and headers): 16 KiB. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  /** Connections idle this long are closed: 60 s. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** A whole request (head and body) must arrive within 10 s; later, it gets 408 and its connection is closed. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Open HTTP connections per member: 10,000; further ones are closed as soon as accepted. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** On SIGTERM, how long in-flight requests may take to finish before their connections are closed: 15 s. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);
  /** Shortest admin token accepted. */
  public static final int MIN_ADMIN_TOKEN_LENGTH = 16;
  /**
   * How the example overlay's placeholders begin ({@code k8s/overlays/example/secrets.env.example}): an admin
   * token or an encryption key that begins so is refused, so that a copy of the example never runs.
   */
  public static final String PLACEHOLDER_PREFIX = "REPLACE_WITH";

  /** Upstream ids that would collide with the server's own paths. */
  static final Set<String> RESERVED_UPSTREAM_IDS = Set.of("admin", "health", "metrics");

  /** How log lines are written. */
  public enum LogFormat {
    /** One human-readable line per event (logback.xml's pattern). */
    TEXT,
    /** One JSON object per line (logback's {@code JsonEncoder}). */
    JSON;

    static LogFormat parse(String name, String value) {
      for (LogFormat f : values()) {
        if (f.name().equalsIgnoreCase(value.trim())) {
          return f;
        }
      }
      throw new IllegalArgumentException(name + " must be text or json, was '" + value + "'");
    }
  }

  private static final List<String> TOP_LEVEL = List.of("http", "upstreams", "cache", "cluster", "admin", "logging",
    "metrics");
  private static final List<String> HTTP_KEYS = List.of("host", "port", "maxBodyBytes", "maxHeaderBytes",
    "idleTimeout", "shutdownTimeout", "requestTimeout", "maxConnections", "passThrough", "tls");
  private static final List<String> TLS_KEYS = List.of("certPath", "keyPath");
  private static final List<String> ADMIN_KEYS = List.of("token");
  private static final List<String> LOGGING_KEYS = List.of("format", "accessLog");
  private static final List<String> METRICS_KEYS = List.of("clientIdLabels", "vertx", "vertxHttpServer");
  private static final List<String> UPSTREAM_KEYS = keysOf(withTokenUrl(new UpstreamOptions().toJson()));
  private static final List<String> CACHE_KEYS = keysOf(new TokenCacheOptions().toJson(), "upstreams");
  private static final List<String> CLUSTER_KEYS = keysOf(new ClusterOptions().toJson()
    .put("kubernetesServiceDns", "").put("encryptionKey", ""));

  private String httpHost = DEFAULT_HTTP_HOST;
  private int httpPort = DEFAULT_HTTP_PORT;
  private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
  private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
  private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private boolean passThrough = TokenEndpointOptions.DEFAULT_PASS_THROUGH;
  private String tlsCertPath;
  private String tlsKeyPath;
  private TokenCacheOptions cacheOptions;
  private ClusterOptions clusterOptions;
  private String adminToken;
  private LogFormat logFormat = LogFormat.TEXT;
  private boolean accessLog;
  private boolean clientIdLabels;
  private boolean vertxMetrics = true;
  private boolean vertxHttpServerMetrics;

  private ServerConfig() {
  }

  /**
   * Reads the settings from environment variables alone.
   *
   * @throws IllegalArgumentException naming the variable that is missing or wrong
   */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    return from(new JsonObject(), env);
  }

  /**
   * Reads the settings: the file named by {@value #CONFIG} if set (read with a short-lived Vert.x instance),
   * the environment over it. Blocks: call it before starting the server, never on an event loop.
   *
   * @throws IllegalArgumentException naming the setting (or the file) that is wrong
   */
  public static ServerConfig load(Map<String, String> env) {
    String file = env.get(CONFIG);
    if (file == null || file.isBlank()) {
      return fromEnvironment(env);
    }
    return from(ConfigFile.readBlocking(file.trim()), env);
  }

  /**
   * Reads the settings from a configuration file's content and the environment, the environment winning.
   *
   * @param file the file's content (an empty object when there is no file)
   * @param env the environment
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static ServerConfig from(JsonObject file, Map<String, String> env) {
    ServerConfig c = new ServerConfig();
    JsonSettings f = new JsonSettings(file);
    JsonSettings e = JsonSettings.ofEnvironment(env);
    f.checkKeys(TOP_LEVEL, "top-level key");
    c.readHttp(f.section("http"), e);
    c.readCache(f, e);
    c.clusterOptions = readCluster(f.section("cluster"), e);
    c.readAdmin(f.section("admin"), e);
    c.readLogging(f.section("logging"), e);
    JsonSettings metrics = f.section("metrics");
    metrics.checkKeys(METRICS_KEYS, "setting");
    c.clientIdLabels = metrics.bool("clientIdLabels", false);
    c.vertxMetrics = metrics.bool("vertx", true);
    c.vertxHttpServerMetrics = metrics.bool("vertxHttpServer", false);
    return c;
  }

  // ---------------------------------------------------------------------------------------------- sections

  private void readHttp(JsonSettings http, JsonSettings env) {
    http.checkKeys(HTTP_KEYS, "setting");
    http.read("host", http::nonEmptyString, v -> httpHost = v);
    http.read("port", k -> (int) http.wholeNumber(k, 1, 65535), v -> httpPort = v);
    http.read("maxBodyBytes", k -> http.wholeNumber(k, 1024, Integer.MAX_VALUE), v -> maxBodyBytes = v);
    http.read("maxHeaderBytes", k -> (int) http.wholeNumber(k, 1024, 1024 * 1024), v -> maxHeaderBytes = v);
    http.read("idleTimeout", k -> http.duration(k, false), v -> idleTimeout = v);
    http.read("shutdownTimeout", k -> http.duration(k, true), v -> shutdownTimeout = v);
    http.read("requestTimeout", k -> http.duration(k, false), v -> requestTimeout = v);
    http.read("maxConnections", k -> (int) http.wholeNumber(k, 1, Integer.MAX_VALUE), v -> maxConnections = v);
    passThrough = http.bool("passThrough", passThrough);
    JsonSettings tls = http.section("tls");
    tls.checkKeys(TLS_KEYS, "setting");
    tls.read("certPath", k -> readableFile(tls, k), v -> tlsCertPath = v);
    tls.read("keyPath", k -> readableFile(tls, k), v -> tlsKeyPath = v);
    if ((tlsCertPath == null) != (tlsKeyPath == null)) {
      throw new IllegalArgumentException("http.tls: certPath and keyPath must be set together (PEM certificate "
        + "chain and PEM private key)");
    }

    env.read(HTTP_HOST, env::nonEmptyString, v -> httpHost = v);
    env.read(HTTP_PORT, k -> (int) env.wholeNumber(k, 1, 65535), v -> httpPort = v);
    env.read(HTTP_REQUEST_TIMEOUT, k -> env.duration(k, false), v -> requestTimeout = v);
    env.read(HTTP_MAX_CONNECTIONS, k -> (int) env.wholeNumber(k, 1, Integer.MAX_VALUE), v -> maxConnections = v);
    passThrough = env.bool(HTTP_PASS_THROUGH, passThrough);
  }

  private void readCache(JsonSettings file, JsonSettings env) {
    JsonSettings cache = file.section("cache");
    cache.checkKeys(CACHE_KEYS, "setting");
    TokenCacheOptions options = new TokenCacheOptions(cache);

    Map<String, UpstreamOptions> upstreams = new LinkedHashMap<>();
    Map<String, String> paths = new LinkedHashMap<>();
    Object list = file.raw("upstreams");
    if (list != null) {
      if (!(list instanceof JsonArray array)) {
        throw file.error("upstreams", "must be a list of objects, each with an id and a tokenUrl");
      }
      for (int i = 0; i < array.size(); i++) {
        String path = "upstreams[" + i + "]";
        if (!(array.getValue(i) instanceof JsonObject json)) {
          throw file.error(path, "must be an object with an id and a tokenUrl");
        }
        JsonSettings settings = new JsonSettings(json, path);
        settings.checkKeys(UPSTREAM_KEYS, "setting");
        UpstreamOptions upstream = new UpstreamOptions(settings);
        String id = upstream.getId();
        if (RESERVED_UPSTREAM_IDS.contains(id)) {
          throw settings.error("id", "'" + id + "' is reserved (/" + id
            + "/* is the server's own path); choose another id");
        }
        if (upstreams.containsKey(id)) {
          throw settings.error("id", "duplicate upstream id '" + id + "' (also " + paths.get(id) + ")");
        }
        upstreams.put(id, upstream);
        paths.put(id, path);
      }
    }

    // The environment's upstream is the one with id "default": the variables override the file's.
    UpstreamOptions dflt = upstreams.get(TokenCacheOptions.DEFAULT_UPSTREAM);
    if (env.has(UPSTREAM_TOKEN_URL)) {
      if (dflt == null) {
        dflt = new UpstreamOptions();
        Map<String, UpstreamOptions> reordered = new LinkedHashMap<>();
        reordered.put(TokenCacheOptions.DEFAULT_UPSTREAM, dflt);
        reordered.putAll(upstreams);
        upstreams = reordered;
        paths.put(TokenCacheOptions.DEFAULT_UPSTREAM, UPSTREAM_TOKEN_URL);
      }
      env.read(UPSTREAM_TOKEN_URL, env::string, dflt::setTokenUrl);
    }
    if (env.has(UPSTREAM_QUOTA_RPS)) {
      if (dflt == null) {
        throw new IllegalArgumentException(UPSTREAM_QUOTA_RPS + " is set but there is no default upstream: set "
          + UPSTREAM_TOKEN_URL + ", or define an upstream with id 'default' in the file named by " + CONFIG);
      }
      UpstreamOptions target = dflt;
      try {
        env.read(UPSTREAM_QUOTA_RPS, env::number, target::setQuotaRps);
      } catch (IllegalArgumentException e) {
        throw env.error(UPSTREAM_QUOTA_RPS, "must be a positive number of requests per second, was '"
          + env.raw(UPSTREAM_QUOTA_RPS) + "'");
      }
    }
    if (upstreams.isEmpty()) {
      throw new IllegalArgumentException(UPSTREAM_TOKEN_URL + " is required: the token endpoint of the upstream "
        + "identity provider (or define upstreams in the configuration file named by " + CONFIG + ")");
    }
    for (UpstreamOptions u : upstreams.values()) {
      if (u.getTokenUrl() == null) {
        throw new IllegalArgumentException(paths.get(u.getId()) + ".tokenUrl: required"
          + (TokenCacheOptions.DEFAULT_UPSTREAM.equals(u.getId()) ? " (or set " + UPSTREAM_TOKEN_URL + ")" : ""));
      }
      options.addUpstream(u);
    }
    try {
      options.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cache: " + e.getMessage());
    }
    cacheOptions = options;
  }

  private static ClusterOptions readCluster(JsonSettings file, JsonSettings env) {
    file.checkKeys(CLUSTER_KEYS, "setting");
    if (file.raw("encryptionKey") instanceof String fileKey) {
      refusePlaceholder("cluster.encryptionKey", fileKey, "head -c 32 /dev/urandom | base64");
    }
    ClusterOptions cluster = new ClusterOptions(file);
    env.read(CLUSTER_NAME, env::string, cluster::setClusterName);
    env.read(CLUSTER_PORT, k -> (int) env.wholeNumber(k, 1, 65535), cluster::setPort);
    env.read(CLUSTER_MEMBERS, env::string, v -> cluster.setMembers(ClusterOptions.parseMembers(v)));
    env.read(CLUSTER_DISCOVERY, env::string, v -> cluster.setDiscovery(ClusterOptions.Discovery.parse(v)));
    env.read(CLUSTER_KUBERNETES_SERVICE_DNS, env::string, cluster::setKubernetesServiceDns);
    if (env.raw(ENCRYPTION_KEY) instanceof String key) {
      refusePlaceholder(ENCRYPTION_KEY, key, "head -c 32 /dev/urandom | base64");
    }
    env.read(ENCRYPTION_KEY, env::string, cluster::setEncryptionKey);
    // A lone member or a loopback-only cluster stays on loopback; otherwise bind every interface and let
    // Hazelcast advertise the address the others can reach (the pod IP on Kubernetes).
    if (env.has(CLUSTER_HOST)) {
      env.read(CLUSTER_HOST, env::string, cluster::setHost);
    } else if (!file.has("host")) {
      boolean loopbackOnly = cluster.getDiscovery() == ClusterOptions.Discovery.TCP
        && cluster.getMembers().stream().allMatch(m -> m.startsWith("127.") || m.startsWith("localhost:"));
      cluster.setHost(loopbackOnly ? "127.0.0.1" : ClusterOptions.ANY_HOST);
    }
    boolean alone = cluster.getDiscovery() == ClusterOptions.Discovery.TCP && cluster.getMembers().isEmpty();
    if (!alone && !cluster.hasEncryptionKey()) {
      throw new IllegalArgumentException(ENCRYPTION_KEY + " is required when members may join ("
        + CLUSTER_MEMBERS + " or " + CLUSTER_DISCOVERY + " set): every member must share it"
        + " (or set cluster.encryptionKey in the configuration file)");
    }
    try {
      cluster.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cluster settings: " + e.getMessage());
    }
    return cluster;
  }

  private void readAdmin(JsonSettings admin, JsonSettings env) {
    admin.checkKeys(ADMIN_KEYS, "setting");
    String token = null;
    String name = "admin.token";
    if (admin.has("token")) {
      if (!(admin.raw("token") instanceof String fileToken)) {
        // never echo it
        throw admin.error("token", "must be a string");
      }
      token = fileToken;
      refusePlaceholder(name, token, "openssl rand -hex 24");
    }
    if (env.raw(ADMIN_TOKEN) instanceof String fromEnv) {
      token = fromEnv;
      name = ADMIN_TOKEN;
    }
    if (token != null && !token.isEmpty()) {
      // never echo the token, not even in part
      refusePlaceholder(name, token, "openssl rand -hex 24");
      if (token.length() < MIN_ADMIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(name + " must be at least " + MIN_ADMIN_TOKEN_LENGTH + " characters long");
      }
      if (!token.equals(token.trim()) || token.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
        throw new IllegalArgumentException(name + " must be printable ASCII without spaces (it is sent as a bearer "
          + "token)");
      }
      adminToken = token;
    }
  }

  private void readLogging(JsonSettings logging, JsonSettings env) {
    logging.checkKeys(LOGGING_KEYS, "setting");
    logging.read("format", k -> LogFormat.parse(logging.path(k) + ":", String.valueOf(logging.raw(k))),
      v -> logFormat = v);
    accessLog = logging.bool("accessLog", false);
    env.read(LOG_FORMAT, k -> LogFormat.parse(LOG_FORMAT, env.string(k)), v -> logFormat = v);
    accessLog = env.bool(ACCESS_LOG, accessLog);
  }

  /**
   * The log format the environment asks for, ignoring the file and any error (applied before the configuration
   * is read, so that even its first lines come out in the right format).
   */
  static LogFormat logFormatFromEnvironment(Map<String, String> env) {
    try {
      String v = env.get(LOG_FORMAT);
      return v == null || v.isBlank() ? LogFormat.TEXT : LogFormat.parse(LOG_FORMAT, v);
    } catch (IllegalArgumentException e) {
      return LogFormat.TEXT;
    }
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private static List<String> keysOf(JsonObject json, String... except) {
    List<String> keys = new ArrayList<>(json.fieldNames());
    keys.removeAll(List.of(except));
    return List.copyOf(keys);
  }

  private static JsonObject withTokenUrl(JsonObject json) {
    return json.put("tokenUrl", "");
  }

  private static String readableFile(JsonSettings settings, String key) {
    String file = settings.nonEmptyString(key);
    Path p = Path.of(file);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw settings.error(key, "cannot read '" + file + "' (no such file, or not readable)");
    }
    return file;
  }

  /**
   * Refuses a secret that is still the example overlay's placeholder ({@value #PLACEHOLDER_PREFIX}...). The
   * message names the setting and says it is the placeholder; it does not repeat the value.
   */
  static void refusePlaceholder(String name, String value, String howToMake) {
    if (value != null && value.trim().regionMatches(true, 0, PLACEHOLDER_PREFIX, 0, PLACEHOLDER_PREFIX.length())) {
      throw new IllegalArgumentException(name + " is still the example's placeholder (" + PLACEHOLDER_PREFIX
        + "...): replace it with a real secret, e.g. " + howToMake
        + " (see k8s/overlays/example/secrets.env.example)");
    }
  }

  /** A URL for logs: scheme, host, port and path; never user info nor query. */
  static String redactedUrl(String url) {
    try {
      URI u = URI.create(url);
      return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "")
        + (u.getRawPath() == null ? "" : u.getRawPath());
    } catch (IllegalArgumentException e) {
      return "<unparseable>";
    }
  }

  // ---------------------------------------------------------------------------------------------- getters

  /** The listen address. */
  public String httpHost() {
    return httpHost;
  }

  /** The listen port. */
  public int httpPort() {
    return httpPort;
  }

  /** The largest token request body accepted; larger ones get 413. */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /** The largest request head (request line and headers) accepted. */
  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  /** Connections idle this long are closed. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** On shutdown, how long in-flight requests may take to finish. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** How long a whole request (head and body) may take to arrive; later, it gets 408 and its connection is closed. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The most HTTP connections this member keeps open; further ones are closed as soon as accepted. */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * Whether grants other than {@code client_credentials} are forwarded upstream (with client authentication);
   * off, they get {@code 400 unsupported_grant_type}.
   */
  public boolean passThrough() {
    return passThrough;
  }

  /** The PEM certificate chain of the HTTPS listener, or {@code null}: plain HTTP. */
  public String tlsCertPath() {
    return tlsCertPath;
  }

  /** The PEM private key of the HTTPS listener, or {@code null}: plain HTTP. */
  public String tlsKeyPath() {
    return tlsKeyPath;
  }

  /** Whether the listener speaks HTTPS. */
  public boolean tls() {
    return tlsCertPath != null;
  }

  /** The cluster membership settings (every node is a Hazelcast member, alone or not). */
  public ClusterOptions clusterOptions() {
    return clusterOptions;
  }

  /** The bearer token guarding {@code /admin/*}, or {@code null}: admin off. */
  public String adminToken() {
    return adminToken;
  }

  /** The cache's settings, upstreams included. */
  public TokenCacheOptions cacheOptions() {
    return cacheOptions;
  }

  /** The ids of the configured upstreams, in order. */
  public List<String> upstreamIds() {
    return List.copyOf(cacheOptions.getUpstreams().keySet());
  }

  /** Whether an upstream with id {@code default} exists (served at {@code /oauth2/token} and {@code /oauth/token}). */
  public boolean hasDefaultUpstream() {
    return cacheOptions.getUpstreams().containsKey(TokenCacheOptions.DEFAULT_UPSTREAM);
  }

  /** How log lines are written. */
  public LogFormat logFormat() {
    return logFormat;
  }

  /** Whether each token request is logged (hashed client id, never a secret or token). */
  public boolean accessLog() {
    return accessLog;
  }

  /** Whether token answers are also counted per (hashed) client id. */
  public boolean clientIdLabels() {
    return clientIdLabels;
  }

  /** Whether Vert.x's own meters (HTTP server and client, event bus, pools) are exported. */
  public boolean vertxMetrics() {
    return vertxMetrics;
  }

  /**
   * Whether Vert.x's per-request HTTP server meters are exported too (with {@link #vertxMetrics()}). Off by
   * default: vertx-micrometer looks its meters up by name and tags on every request and response, about a tenth of
   * a cache hit's CPU, and {@code token_cache_requests_total} already counts the answers by result.
   */
  public boolean vertxHttpServerMetrics() {
    return vertxHttpServerMetrics;
  }

  /** A one-line summary for the start-up log: no secret, no URL user info. */
  public String summary() {
    Function<UpstreamOptions, String> up = u -> u.getId() + "=" + redactedUrl(u.getTokenUrl()) + " (" + u.getQuotaRps() + " rps)";
    return "upstreams [" + String.join(", ", cacheOptions.getUpstreams().values().stream().map(up).toList()) + "], "
      + "cluster " + clusterOptions + ", admin " + (adminToken == null ? "off" : "on") + ", tls " + (tls() ? "on" : "off")
      + ", log " + logFormat.name().toLowerCase(Locale.ROOT) + (accessLog ? " with access log" : "");
  }
}
