package io.tokencache.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.tokencache.impl.cluster.TokenMapConfig;

import java.util.regex.Pattern;

/**
 * Builds the Hazelcast member configuration of a token-cache node from {@link ClusterOptions}: network and
 * discovery, failure detection and shutdown, token-cache's own maps, and what Vert.x's
 * {@code HazelcastClusterManager} needs for the event bus.
 *
 * <p>Exactly one join method is enabled: TCP/IP with the member list, multicast, or Hazelcast's built-in
 * Kubernetes discovery in DNS lookup mode (a headless Service). Auto-detection and phone-home are off.
 * A member that vanishes without a word (SIGKILL, a lost node) is declared dead after
 * {@value #MAX_NO_HEARTBEAT_SECONDS} s without heartbeat; one that shuts down gracefully first hands its
 * partitions over, for at most {@value #GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS} s.
 */
public final class HazelcastConfigFactory {

  /** Seconds between heartbeats. */
  public static final int HEARTBEAT_INTERVAL_SECONDS = 1;
  /** Seconds without heartbeat after which a member is removed from the cluster. */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 10;
  /** Longest a graceful shutdown waits for partitions to migrate away (below Kubernetes' default 30 s grace). */
  public static final int GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS = 20;

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
    config.setClusterName(options.getClusterName());

    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "5");
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_INTERVAL_SECONDS));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_SECONDS));
    // Vert.x's cluster manager turns Hazelcast's own hook off and leaves the cluster when Vert.x closes; these
    // apply when the member runs without it.
    config.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
    config.setProperty("hazelcast.graceful.shutdown.max.wait", String.valueOf(GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS));
    // heal a split brain within a minute rather than Hazelcast's default five
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "30");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "30");

    network(config, config.getNetworkConfig(), options);
    join(config.getNetworkConfig().getJoin(), options);
    config.getJetConfig().setEnabled(false);

    vertxMaps(config, options.getBackupCount());
    TokenMapConfig.apply(config, options.getMaxTokensPerMember(), options.getNearCacheMaxEntries(),
      options.getBackupCount());
    return config;
  }

  private static void network(Config config, NetworkConfig network, ClusterOptions options) {
    network.setPort(options.getPort()).setPortAutoIncrement(false).setPortCount(1);
    network.getRestApiConfig().setEnabled(false);
    network.getMemcacheProtocolConfig().setEnabled(false);
    String host = options.getHost();
    if (ClusterOptions.ANY_HOST.equals(host)) {
      return;
    }
    network.setPublicAddress(host + ":" + options.getPort());
    if (IPV4.matcher(host).matches()) {
      // bind exactly this address, not every interface
      network.getInterfaces().setEnabled(true).addInterface(host);
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
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
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
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
