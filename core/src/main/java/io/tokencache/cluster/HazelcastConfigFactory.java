package io.tokencache.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import io.tokencache.impl.cluster.TokenCipher;
import io.tokencache.impl.cluster.ValueSeal;
import io.tokencache.impl.cluster.TokenMapConfig;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds the Hazelcast member configuration of a token-cache node from {@link ClusterOptions}: network and
 * discovery, failure detection and shutdown, token-cache's own maps, and what Vert.x's
 * {@code HazelcastClusterManager} needs for the event bus.
 *
 * <p>What reaches the cluster port is kept to the member protocol: Hazelcast's advanced network with a member
 * endpoint only (no client protocol, REST, memcache or Jet), on the configured host's interface only. With an
 * encryption key the Hazelcast cluster name is {@code <clusterName>-<tag>}, the tag an HMAC of the name under the
 * key ({@link TokenCipher#clusterNameTag}), so a member or client knowing only the configured name is not let in.
 * Java serialization, which nothing of token-cache uses, is filtered to an allow-list of JDK and Hazelcast classes
 * ({@link #JAVA_SERIALIZATION_ALLOWED}): any other class is refused before it is instantiated.
 *
 * <p>Exactly one join method is enabled: TCP/IP with the member list, multicast, or Hazelcast's built-in
 * Kubernetes discovery in DNS lookup mode (a headless Service). Auto-detection and phone-home are off. A member
 * that finds a running member joins it at once (the master admits join requests as they arrive, without Hazelcast's
 * batching window); a member that finds nobody waits only as long as keeps members started together from forming
 * separate clusters ({@link #KUBERNETES_WAIT_SECONDS_BEFORE_JOIN}, {@link #TCP_CONNECTION_TIMEOUT_SECONDS}).
 * A member that vanishes without a word (SIGKILL, a lost node) is declared dead after
 * {@value #MAX_NO_HEARTBEAT_SECONDS} s without heartbeat; one that shuts down gracefully first hands its
 * partitions over, for at most {@value #GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS} s.
 */
public final class HazelcastConfigFactory {

  /** Seconds between heartbeats. */
  public static final int HEARTBEAT_INTERVAL_SECONDS = 1;
  /** Seconds without heartbeat after which a member is removed from the cluster. */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 10;
  /**
   * Seconds a member with Kubernetes discovery keeps looking for peers in DNS before it starts alone (Hazelcast's
   * {@code hazelcast.wait.seconds.before.join}; 0 with the other discovery modes, whose joiners do not read it).
   */
  public static final int KUBERNETES_WAIT_SECONDS_BEFORE_JOIN = 1;
  /** Seconds a member with a TCP/IP member list asks the listed members for a master before it claims the role. */
  public static final int TCP_CONNECTION_TIMEOUT_SECONDS = 2;
  /** Longest a graceful shutdown waits for partitions to migrate away (below Kubernetes' default 30 s grace). */
  public static final int GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS = 20;

  /**
   * Package prefixes whose classes Hazelcast may deserialize with Java serialization: the JDK's own value and
   * exception types (Hazelcast sends remote exceptions that way, with their stack traces), Hazelcast's, and arrays
   * ({@code [}: an array's elements are filtered one by one). Everything token-cache and Vert.x put in the cluster
   * is Compact or (Identified)DataSerializable and never goes through this filter.
   */
  public static final List<String> JAVA_SERIALIZATION_ALLOWED = List.of("java.lang.", "java.util.", "java.time.",
    "java.math.", "java.net.", "java.io.", "com.hazelcast.", "[");

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private HazelcastConfigFactory() {
  }

  /**
   * The member configuration for {@code options}.
   *
   * @throws IllegalArgumentException if the options are incomplete (see {@link ClusterOptions#validate()})
   */
  public static Config create(ClusterOptions options) {
    options.validate();
    Config config = new Config();
    config.setClusterName(memberClusterName(options));

    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    joinTiming(config, options.getDiscovery());
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_INTERVAL_SECONDS));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_SECONDS));
    // Vert.x's cluster manager turns Hazelcast's own hook off and leaves the cluster when Vert.x closes; these
    // apply when the member runs without it.
    config.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
    config.setProperty("hazelcast.graceful.shutdown.max.wait", String.valueOf(GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS));
    // a write waits for its backup's acknowledgement at most this long (Hazelcast: 5 s), so a backup member that
    // never answers (it cannot deserialize the operation, or it is going away) stalls a miss for 2 s at most
    config.setProperty("hazelcast.operation.backup.timeout.millis", "2000");
    // An operation on a partition that is migrating is retried after this pause (Hazelcast: 500 ms). Every member
    // that joins moves partitions, and a joining member's own first operations (Vert.x's cluster manager
    // registering the node, the cache's first reads) meet those migrations: waiting half a second per retry is
    // what kept a member joining a spike out of rotation for seconds.
    config.setProperty("hazelcast.invocation.retry.pause.millis", "100");
    // heal a split brain within a minute rather than Hazelcast's default five
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "30");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "30");

    network(config, options);
    join(config.getAdvancedNetworkConfig().getJoin(), options);
    config.getJetConfig().setEnabled(false);
    config.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
      .setDefaultsDisabled(true)
      .setWhitelist(new ClassFilter().addPrefixes(JAVA_SERIALIZATION_ALLOWED.toArray(String[]::new))));

    if (options.hasEncryptionKey()) {
      // entry processors and merge policies authenticate the cluster's values with it: there before the first one
      ValueSeal.register(config, TokenCipher.fromBase64(options.getEncryptionKey()).valueSeal());
    }
    vertxMaps(config, options.getBackupCount());
    TokenMapConfig.apply(config, options.getMaxTokensPerMember(), options.getNearCacheMaxEntries(),
      options.getBackupCount());
    return config;
  }

  /**
   * The name members use in Hazelcast: the configured one, tagged under the encryption key when there is one (a
   * member without a key cannot share tokens anyway, so it keeps the plain name).
   */
  public static String memberClusterName(ClusterOptions options) {
    if (!options.hasEncryptionKey()) {
      return options.getClusterName();
    }
    TokenCipher cipher = TokenCipher.fromBase64(options.getEncryptionKey());
    return options.getClusterName() + "-" + cipher.clusterNameTag(options.getClusterName());
  }

  private static void network(Config config, ClusterOptions options) {
    ServerSocketEndpointConfig member = new ServerSocketEndpointConfig();
    member.setPort(options.getPort()).setPortAutoIncrement(false).setPortCount(1);
    String host = options.getHost();
    if (!ClusterOptions.ANY_HOST.equals(host)) {
      member.setPublicAddress(host + ":" + options.getPort());
      // read by Vert.x's cluster manager for the address it advertises; Hazelcast itself uses the endpoint's
      config.getNetworkConfig().setPublicAddress(host + ":" + options.getPort());
      if (IPV4.matcher(host).matches()) {
        // bind exactly this address, not every interface
        member.getInterfaces().setEnabled(true).addInterface(host);
        config.setProperty("hazelcast.socket.bind.any", "false");
      }
    }
    // a member endpoint and nothing else: no client endpoint, REST or memcache endpoint is configured
    AdvancedNetworkConfig advanced = config.getAdvancedNetworkConfig().setEnabled(true);
    advanced.setMemberEndpointConfig(member);
  }

  /**
   * How long joining waits, on both sides. A member that joins a running cluster (a scale-out, a restart) is useless
   * until it has joined, so nothing waits once a running member is found; a member that finds nobody still waits a
   * little before it declares itself a cluster of one, so members started together do not each form their own.
   *
   * <ul>
   *   <li>The master admits a join request as it arrives. Hazelcast's master otherwise holds join requests to admit
   *   members starting together in one member-list update and one partition rebalance: it waits
   *   {@code hazelcast.wait.seconds.before.join} after each request during the first
   *   {@code hazelcast.max.wait.seconds.before.join} after its first one (set to 0 here: no such window), and
   *   holds any request arriving within {@code hazelcast.wait.seconds.before.join} after it admitted a member or
   *   merged. Without the batching, members started together are admitted one by one: a few more member-list
   *   updates and migrations, nothing unsafe.</li>
   *   <li>That last hold is why {@code hazelcast.wait.seconds.before.join} is 0 with TCP/IP and multicast
   *   discovery, whose joiners do not read it. With Kubernetes discovery it is also how long a member that finds no
   *   peer in DNS keeps asking before it becomes a cluster of one; there it stays
   *   {@value #KUBERNETES_WAIT_SECONDS_BEFORE_JOIN} s, so pods of a Deployment created together do not each start
   *   alone (a split brain at birth, healed by a merge only after {@code hazelcast.merge.first.run.delay.seconds}),
   *   and a pod joining within that second after another waits for the rest of it. The headless Service publishes
   *   not-ready pods, so peers appear in DNS as soon as they have an address.</li>
   *   <li>With TCP/IP and a member list whose other members do not answer, a member still asks them for
   *   {@value #TCP_CONNECTION_TIMEOUT_SECONDS} s (the join's connection timeout) before it claims to be master;
   *   alone with an empty list (or only itself) it starts at once. With multicast, a member listens for a master
   *   for Hazelcast's multicast timeout (2 s) before starting alone.</li>
   *   <li>A member joining a cluster of two or more does not wait until it has connections to every member
   *   ({@code hazelcast.connect.all.wait.seconds} 0): Hazelcast checks once, then sleeps a whole second if a
   *   connection is still being set up; they are opened on demand by the first operation instead.</li>
   * </ul>
   */
  private static void joinTiming(Config config, ClusterOptions.Discovery discovery) {
    int wait = discovery == ClusterOptions.Discovery.KUBERNETES ? KUBERNETES_WAIT_SECONDS_BEFORE_JOIN : 0;
    config.setProperty("hazelcast.wait.seconds.before.join", String.valueOf(wait));
    config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.connect.all.wait.seconds", "0");
  }

  private static void join(JoinConfig join, ClusterOptions options) {
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getGcpConfig().setEnabled(false);
    join.getAzureConfig().setEnabled(false);
    join.getEurekaConfig().setEnabled(false);
    switch (options.getDiscovery()) {
      case TCP:
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(TCP_CONNECTION_TIMEOUT_SECONDS);
        options.getMembers().forEach(join.getTcpIpConfig()::addMember);
        if (options.getMembers().isEmpty() && !ClusterOptions.ANY_HOST.equals(options.getHost())) {
          // alone: TCP/IP join with only this member forms a cluster of one, and never multicasts
          join.getTcpIpConfig().addMember(options.getHost() + ":" + options.getPort());
        }
        break;
      case MULTICAST:
        join.getMulticastConfig().setEnabled(true);
        break;
      case KUBERNETES:
        join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", options.getKubernetesServiceDns())
          .setProperty("service-port", String.valueOf(options.getKubernetesServicePort()));
        break;
      default:
        throw new IllegalArgumentException("discovery " + options.getDiscovery() + " is not supported");
    }
  }

  /** What vertx-hazelcast's default cluster.xml sets up, with our backup count. */
  private static void vertxMaps(Config config, int backupCount) {
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs")
      .setBackupCount(backupCount)
      .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    for (String name : new String[] {"__vertx.haInfo", "__vertx.nodeInfo", "__vertx.map.lock", "__vertx.map.counter"}) {
      config.addMapConfig(new MapConfig(name).setBackupCount(backupCount));
    }
  }
}
