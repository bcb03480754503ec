package io.tokencache.loadtest.harness;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Everything the members of one run share, fixed before the first member starts: a cluster name
 * unique to the run, one HTTP and one cluster port per planned member (members added later included,
 * so every member's join list names them all), a random encryption key and admin token, the
 * upstream URL and quota. Produces each member's environment as the contract defines it
 * (CONTRACT.md, "Environment"); everything binds to 127.0.0.1.
 *
 * @param clusterName the cluster name, unique to this run
 * @param encryptionKey the TOKEN_CACHE_ENCRYPTION_KEY every member shares
 * @param adminToken the admin bearer token the members accept on {@code /admin/*}
 * @param upstreamTokenUrl the IdP's token endpoint
 * @param quotaRps the cluster-wide upstream budget
 * @param slots every planned member, in start order
 */
public record ClusterPlan(String clusterName, String encryptionKey, String adminToken, String upstreamTokenUrl,
    double quotaRps, List<Slot> slots) {

  /** The loopback address every member binds to and joins on. */
  public static final String HOST = "127.0.0.1";

  /**
   * One planned member.
   *
   * @param index 1-based, in planned start order
   * @param httpPort its TOKEN_CACHE_HTTP_PORT
   * @param clusterPort its TOKEN_CACHE_CLUSTER_PORT
   */
  public record Slot(int index, int httpPort, int clusterPort) {
    /** @return {@code http://127.0.0.1:<httpPort>} */
    public String baseUrl() {
      return "http://" + HOST + ":" + httpPort;
    }

    /** @return {@code 127.0.0.1:<clusterPort>} */
    public String clusterAddress() {
      return HOST + ":" + clusterPort;
    }
  }

  public ClusterPlan {
    slots = List.copyOf(slots);
  }

  /**
   * Plans a run's cluster.
   *
   * @param scenario the scenario name, part of the cluster name
   * @param members how many members the run may start in all, &gt;= 1
   * @param upstreamTokenUrl the IdP's token endpoint
   * @param quotaRps the cluster-wide upstream budget, &gt; 0
   * @param ports where the ports come from
   * @param random the source of the cluster name suffix, key and admin token
   * @return the plan
   */
  public static ClusterPlan create(String scenario, int members, String upstreamTokenUrl, double quotaRps,
      PortAllocator ports, SecureRandom random) {
    Objects.requireNonNull(upstreamTokenUrl, "upstreamTokenUrl");
    if (members < 1) {
      throw new IllegalArgumentException("members must be >= 1, was " + members);
    }
    if (!(quotaRps > 0)) {
      throw new IllegalArgumentException("quotaRps must be > 0, was " + quotaRps);
    }
    byte[] key = new byte[32];
    random.nextBytes(key);
    byte[] admin = new byte[16];
    random.nextBytes(admin);
    String name = String.format("loadtest-%s-%08x", scenario.replaceAll("[^A-Za-z0-9-]", "-"), random.nextInt());
    List<Slot> slots = IntStream.rangeClosed(1, members)
        .mapToObj(i -> new Slot(i, ports.next(), ports.next())).toList();
    return new ClusterPlan(name, Base64.getEncoder().encodeToString(key),
        Base64.getUrlEncoder().withoutPadding().encodeToString(admin), upstreamTokenUrl, quotaRps, slots);
  }

  /** @return the TOKEN_CACHE_CLUSTER_MEMBERS value: every planned member's cluster address */
  public String membersList() {
    return slots.stream().map(Slot::clusterAddress).collect(Collectors.joining(","));
  }

  /**
   * @param slot the member
   * @return its environment: the contract's variables only
   */
  public Map<String, String> environment(Slot slot) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TOKEN_CACHE_HTTP_HOST", HOST);
    env.put("TOKEN_CACHE_HTTP_PORT", Integer.toString(slot.httpPort()));
    env.put("TOKEN_CACHE_UPSTREAM_TOKEN_URL", upstreamTokenUrl);
    env.put("TOKEN_CACHE_UPSTREAM_QUOTA_RPS", formatRps(quotaRps));
    env.put("TOKEN_CACHE_CLUSTER_NAME", clusterName);
    env.put("TOKEN_CACHE_CLUSTER_PORT", Integer.toString(slot.clusterPort()));
    env.put("TOKEN_CACHE_CLUSTER_MEMBERS", membersList());
    env.put("TOKEN_CACHE_CLUSTER_DISCOVERY", "tcp");
    env.put("TOKEN_CACHE_ENCRYPTION_KEY", encryptionKey);
    env.put("TOKEN_CACHE_ADMIN_TOKEN", adminToken);
    // Belt and braces beside -Dhazelcast.phone.home.enabled=false on the command line.
    env.put("HZ_PHONEHOME_ENABLED", "false");
    return env;
  }

  /** Whole numbers without a decimal point, so that an integer-only parser accepts them too. */
  static String formatRps(double rps) {
    return rps == Math.rint(rps) ? Long.toString((long) rps) : Double.toString(rps);
  }
}
