package io.tokencache.cluster;

import io.tokencache.config.JsonSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a member joins the token-cache Hazelcast cluster, and how the shared token map is sized.
 *
 * <p>Follows the Vert.x options style: {@code DEFAULT_*} constants, validating fluent setters (an
 * {@link IllegalArgumentException} names the setting that is wrong), a {@link JsonObject} constructor and
 * {@link #toJson()}. Settings that depend on each other are checked by {@link #validate()}.
 *
 * <p>The encryption key is never part of {@link #toJson()} nor {@link #toString()}.
 *
 * <p>Its length is one documented getter and validating setter per setting; the reading of JSON is
 * {@link io.tokencache.config.JsonSettings}'s.
 */
public class ClusterOptions {

  /** How members find each other. */
  public enum Discovery {
    /** A fixed list of {@code host:port} members ({@link #setMembers}). */
    TCP,
    /** IP multicast on the local network. */
    MULTICAST,
    /** Hazelcast's Kubernetes discovery in DNS lookup mode, through a headless Service. */
    KUBERNETES;

    /** Parses {@code tcp}, {@code multicast} or {@code kubernetes}, in any case. */
    public static Discovery parse(String value) {
      if (value != null) {
        for (Discovery d : values()) {
          if (d.name().equalsIgnoreCase(value.trim())) {
            return d;
          }
        }
      }
      throw new IllegalArgumentException("discovery must be one of tcp, multicast, kubernetes, was '" + value + "'");
    }
  }

  /** Hazelcast cluster name: {@value}. */
  public static final String DEFAULT_CLUSTER_NAME = "token-cache";
  /** Address this member binds and advertises: {@value}. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** This member's Hazelcast port: {@value}. */
  public static final int DEFAULT_PORT = 5701;
  /** Member discovery: TCP/IP with a member list. */
  public static final Discovery DEFAULT_DISCOVERY = Discovery.TCP;
  /** Port of the members behind the Kubernetes headless Service: {@value}. */
  public static final int DEFAULT_KUBERNETES_SERVICE_PORT = 5701;
  /** Tokens one member holds for the cluster (primaries), least recently used evicted beyond: {@value}. */
  public static final int DEFAULT_MAX_TOKENS_PER_MEMBER = 100_000;
  /** Tokens one member keeps in its near cache: {@value}. */
  public static final int DEFAULT_NEAR_CACHE_MAX_ENTRIES = 100_000;
  /** Tokens one member keeps decrypted, the hot ones: {@value}. */
  public static final int DEFAULT_DECRYPTED_MAX_ENTRIES = 4_096;
  /** Synchronous backups of each token and lease: {@value}. */
  public static final int DEFAULT_BACKUP_COUNT = 1;
  /** Hazelcast's limit on backups. */
  public static final int MAX_BACKUP_COUNT = 6;

  /** The address that means "bind every interface and let Hazelcast choose the address it advertises". */
  public static final String ANY_HOST = "0.0.0.0";

  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");
  private static final Pattern DNS_NAME = Pattern.compile(
    "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");
  private static final int KEY_BYTES = 32;

  private String clusterName = DEFAULT_CLUSTER_NAME;
  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private List<String> members = new ArrayList<>();
  private Discovery discovery = DEFAULT_DISCOVERY;
  private String kubernetesServiceDns;
  private int kubernetesServicePort = DEFAULT_KUBERNETES_SERVICE_PORT;
  private int maxTokensPerMember = DEFAULT_MAX_TOKENS_PER_MEMBER;
  private int nearCacheMaxEntries = DEFAULT_NEAR_CACHE_MAX_ENTRIES;
  private int decryptedMaxEntries = DEFAULT_DECRYPTED_MAX_ENTRIES;
  private int backupCount = DEFAULT_BACKUP_COUNT;
  private String encryptionKey;

  /** Defaults: a single member on 127.0.0.1:5701, no encryption key. */
  public ClusterOptions() {
  }

  /** A copy, encryption key included. */
  public ClusterOptions(ClusterOptions other) {
    this.clusterName = other.clusterName;
    this.host = other.host;
    this.port = other.port;
    this.members = new ArrayList<>(other.members);
    this.discovery = other.discovery;
    this.kubernetesServiceDns = other.kubernetesServiceDns;
    this.kubernetesServicePort = other.kubernetesServicePort;
    this.maxTokensPerMember = other.maxTokensPerMember;
    this.nearCacheMaxEntries = other.nearCacheMaxEntries;
    this.decryptedMaxEntries = other.decryptedMaxEntries;
    this.backupCount = other.backupCount;
    this.encryptionKey = other.encryptionKey;
  }

  /**
   * From JSON: {@code clusterName}, {@code host}, {@code port}, {@code members} (an array of {@code host:port},
   * or one comma-separated string), {@code discovery} ({@code tcp}, {@code multicast}, {@code kubernetes}),
   * {@code kubernetesServiceDns}, {@code kubernetesServicePort}, {@code maxTokensPerMember},
   * {@code nearCacheMaxEntries}, {@code decryptedMaxEntries}, {@code backupCount}, {@code encryptionKey} (base64 of
   * 32 bytes).
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public ClusterOptions(JsonObject json) {
    this(new JsonSettings(json));
  }

  /**
   * From settings read at some path of a configuration file (see {@link #ClusterOptions(JsonObject)}): errors name
   * the setting's full path.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public ClusterOptions(JsonSettings s) {
    this();
    s.read("clusterName", s::string, this::setClusterName);
    s.read("host", s::string, this::setHost);
    s.read("port", s::integer, this::setPort);
    s.read("members", key -> members(s, key), this::setMembers);
    s.read("discovery", s::string, v -> setDiscovery(Discovery.parse(v)));
    s.read("kubernetesServiceDns", s::string, this::setKubernetesServiceDns);
    s.read("kubernetesServicePort", s::integer, this::setKubernetesServicePort);
    s.read("maxTokensPerMember", s::integer, this::setMaxTokensPerMember);
    s.read("nearCacheMaxEntries", s::integer, this::setNearCacheMaxEntries);
    s.read("decryptedMaxEntries", s::integer, this::setDecryptedMaxEntries);
    s.read("backupCount", s::integer, this::setBackupCount);
    if (s.has("encryptionKey")) {
      if (!(s.raw("encryptionKey") instanceof String key)) {
        // never echo what was given: it may be the key
        throw s.error("encryptionKey", "must be a base64 string");
      }
      s.read("encryptionKey", k -> key, this::setEncryptionKey);
    }
  }

  /** {@code members}: a list of {@code host:port} strings, or one comma-separated string. */
  private List<String> members(JsonSettings s, String key) {
    Object v = s.raw(key);
    if (v instanceof String commaSeparated) {
      return parseMembers(commaSeparated);
    }
    if (!(v instanceof JsonArray array)) {
      throw s.error(key, "must be a list of host:port, was " + v);
    }
    List<String> list = new ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof String member)) {
        throw s.error(key, "must be strings host:port, was " + o);
      }
      list.add(member);
    }
    return list;
  }

  /**
   * Splits a comma-separated member list ({@code TOKEN_CACHE_CLUSTER_MEMBERS}); blanks are skipped, so an empty
   * string gives an empty list.
   */
  public static List<String> parseMembers(String commaSeparated) {
    List<String> list = new ArrayList<>();
    if (commaSeparated != null) {
      for (String s : commaSeparated.split(",")) {
        if (!s.isBlank()) {
          list.add(s.trim());
        }
      }
    }
    return list;
  }

  private static void checkPort(String name, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(name + " must be between 1 and 65535, was " + port);
    }
  }

  /** The Hazelcast cluster name: members with another name never join this cluster. */
  public String getClusterName() {
    return clusterName;
  }

  /** Sets the cluster name: 1 to 64 letters, digits, {@code .}, {@code _}, {@code -}. */
  public ClusterOptions setClusterName(String clusterName) {
    if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
      throw new IllegalArgumentException("clusterName '" + clusterName + "' must match " + CLUSTER_NAME.pattern());
    }
    this.clusterName = clusterName;
    return this;
  }

  /**
   * The address this member binds and advertises to the others (and the event bus's), an IP address or a host
   * name; {@value #ANY_HOST} binds every interface and lets Hazelcast pick the advertised address.
   */
  public String getHost() {
    return host;
  }

  /** Sets the host; see {@link #getHost()}. Without a port. */
  public ClusterOptions setHost(String host) {
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("host '" + host + "' must be an IP address or a host name, without port");
    }
    this.host = host;
    return this;
  }

  /** This member's Hazelcast port; exactly this one is used (no auto-increment). */
  public int getPort() {
    return port;
  }

  /** Sets the port, 1 to 65535 (Hazelcast cannot bind an ephemeral port 0). */
  public ClusterOptions setPort(int port) {
    checkPort("port", port);
    this.port = port;
    return this;
  }

  /** The {@code host:port} members to join with TCP discovery (may include this member); empty: alone. */
  public List<String> getMembers() {
    return Collections.unmodifiableList(members);
  }

  /** Sets the member list; each entry {@code host:port} (IPv6 as {@code [addr]:port}). */
  public ClusterOptions setMembers(List<String> members) {
    if (members == null) {
      throw new IllegalArgumentException("members must be a list of host:port, was null");
    }
    List<String> copy = new ArrayList<>(members.size());
    for (String m : members) {
      copy.add(checkMember(m));
    }
    this.members = copy;
    return this;
  }

  /** Adds a {@code host:port} member. */
  public ClusterOptions addMember(String member) {
    members.add(checkMember(member));
    return this;
  }

  private static String checkMember(String member) {
    String m = member == null ? null : member.trim();
    int colon = m == null ? -1 : m.lastIndexOf(':');
    if (colon <= 0 || colon == m.length() - 1 || !HOST.matcher(m.substring(0, colon)).matches()) {
      throw new IllegalArgumentException("members: '" + member + "' must be host:port");
    }
    int p;
    try {
      p = Integer.parseInt(m.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("members: '" + member + "' must be host:port, port a number");
    }
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException("members: '" + member + "' has port " + p + ", must be between 1 and 65535");
    }
    return m;
  }

  /** How members find each other. */
  public Discovery getDiscovery() {
    return discovery;
  }

  /** Sets the discovery mode. */
  public ClusterOptions setDiscovery(Discovery discovery) {
    if (discovery == null) {
      throw new IllegalArgumentException("discovery must be one of tcp, multicast, kubernetes, was null");
    }
    this.discovery = discovery;
    return this;
  }

  /**
   * With {@link Discovery#KUBERNETES}: the DNS name of the headless Service in front of the members, e.g.
   * {@code token-cache-hazelcast.default.svc.cluster.local}.
   */
  public String getKubernetesServiceDns() {
    return kubernetesServiceDns;
  }

  /** Sets the headless Service's DNS name (lower-case DNS name); {@code null} clears it. */
  public ClusterOptions setKubernetesServiceDns(String kubernetesServiceDns) {
    if (kubernetesServiceDns != null && !DNS_NAME.matcher(kubernetesServiceDns).matches()) {
      throw new IllegalArgumentException("kubernetesServiceDns '" + kubernetesServiceDns
        + "' must be a lower-case DNS name such as token-cache-hazelcast.default.svc.cluster.local");
    }
    this.kubernetesServiceDns = kubernetesServiceDns;
    return this;
  }

  /** With {@link Discovery#KUBERNETES}: the Hazelcast port of the members behind the Service. */
  public int getKubernetesServicePort() {
    return kubernetesServicePort;
  }

  /** Sets the Service's member port, 1 to 65535. */
  public ClusterOptions setKubernetesServicePort(int kubernetesServicePort) {
    checkPort("kubernetesServicePort", kubernetesServicePort);
    this.kubernetesServicePort = kubernetesServicePort;
    return this;
  }

  /**
   * Tokens one member holds as primary owner; beyond, the least recently used are evicted. Hazelcast enforces it
   * per partition (271 by default), so small values evict early and unevenly.
   */
  public int getMaxTokensPerMember() {
    return maxTokensPerMember;
  }

  /** Sets the per-member maximum; at least 1. */
  public ClusterOptions setMaxTokensPerMember(int maxTokensPerMember) {
    if (maxTokensPerMember < 1) {
      throw new IllegalArgumentException("maxTokensPerMember must be at least 1, was " + maxTokensPerMember);
    }
    this.maxTokensPerMember = maxTokensPerMember;
    return this;
  }

  /** Tokens one member keeps in its near cache (encrypted); least recently used evicted beyond. */
  public int getNearCacheMaxEntries() {
    return nearCacheMaxEntries;
  }

  /** Sets the near cache size; at least 1. */
  public ClusterOptions setNearCacheMaxEntries(int nearCacheMaxEntries) {
    if (nearCacheMaxEntries < 1) {
      throw new IllegalArgumentException("nearCacheMaxEntries must be at least 1, was " + nearCacheMaxEntries);
    }
    this.nearCacheMaxEntries = nearCacheMaxEntries;
    return this;
  }

  /**
   * Tokens one member keeps decrypted: the hot ones, by how often they are asked for. A hit on another token
   * decrypts it (AES-GCM of under a kilobyte) instead of reading a plaintext copy: a bound on the heap a member
   * spends per token, at some CPU on hits of tokens asked for rarely.
   */
  public int getDecryptedMaxEntries() {
    return decryptedMaxEntries;
  }

  /** Sets how many tokens one member keeps decrypted; at least 1. */
  public ClusterOptions setDecryptedMaxEntries(int decryptedMaxEntries) {
    if (decryptedMaxEntries < 1) {
      throw new IllegalArgumentException("decryptedMaxEntries must be at least 1, was " + decryptedMaxEntries);
    }
    this.decryptedMaxEntries = decryptedMaxEntries;
    return this;
  }

  /** Synchronous backups of each token and lease: how many members may die at once without losing them. */
  public int getBackupCount() {
    return backupCount;
  }

  /** Sets the backup count, 1 to {@value #MAX_BACKUP_COUNT}. */
  public ClusterOptions setBackupCount(int backupCount) {
    if (backupCount < 1 || backupCount > MAX_BACKUP_COUNT) {
      throw new IllegalArgumentException("backupCount must be between 1 and " + MAX_BACKUP_COUNT + ", was " + backupCount);
    }
    this.backupCount = backupCount;
    return this;
  }

  /** The base64 of the 32-byte key that encrypts the tokens in the distributed map, or {@code null}. */
  public String getEncryptionKey() {
    return encryptionKey;
  }

  /** Whether an encryption key is set. */
  public boolean hasEncryptionKey() {
    return encryptionKey != null;
  }

  /**
   * Sets the encryption key: base64 (standard or URL alphabet) of exactly 32 bytes, shared by every member;
   * {@code null} clears it. Error messages never repeat it.
   */
  public ClusterOptions setEncryptionKey(String encryptionKey) {
    if (encryptionKey != null) {
      String s = encryptionKey.trim();
      byte[] key;
      try {
        key = (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("encryptionKey must be base64 of exactly " + KEY_BYTES
          + " bytes: it is not valid base64");
      }
      if (key.length != KEY_BYTES) {
        throw new IllegalArgumentException("encryptionKey must be base64 of exactly " + KEY_BYTES
          + " bytes, was " + key.length + " bytes");
      }
      encryptionKey = s;
    }
    this.encryptionKey = encryptionKey;
    return this;
  }

  /**
   * Checks the settings that depend on each other: Kubernetes discovery needs {@link #getKubernetesServiceDns()}
   * and a host other peers can reach.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public void validate() {
    if (discovery == Discovery.KUBERNETES) {
      if (kubernetesServiceDns == null) {
        throw new IllegalArgumentException("kubernetesServiceDns is required with discovery kubernetes");
      }
      if (isLoopback(host)) {
        throw new IllegalArgumentException("host '" + host + "' is a loopback address, which other pods cannot "
          + "reach: with discovery kubernetes set it to the pod IP or " + ANY_HOST);
      }
    }
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("127.") || h.equals("localhost") || h.equals("[::1]");
  }

  /** These options as JSON, readable by {@link #ClusterOptions(JsonObject)}; without the encryption key. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("clusterName", clusterName)
      .put("host", host)
      .put("port", port)
      .put("members", new JsonArray(new ArrayList<>(members)))
      .put("discovery", discovery.name().toLowerCase(Locale.ROOT))
      .put("kubernetesServicePort", kubernetesServicePort)
      .put("maxTokensPerMember", maxTokensPerMember)
      .put("nearCacheMaxEntries", nearCacheMaxEntries)
      .put("decryptedMaxEntries", decryptedMaxEntries)
      .put("backupCount", backupCount);
    if (kubernetesServiceDns != null) {
      json.put("kubernetesServiceDns", kubernetesServiceDns);
    }
    return json;
  }

  /** The JSON form, plus whether an encryption key is set ({@code <set>} or {@code <absent>}), never the key. */
  @Override
  public String toString() {
    return toJson().put("encryptionKey", encryptionKey == null ? "<absent>" : "<set>").encode();
  }
}
