package io.tokencache.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.cluster.impl.ClusterJoinManager;
import com.hazelcast.internal.util.Clock;
import io.tokencache.cluster.ClusterOptions.Discovery;
import io.tokencache.impl.cluster.TokenMapConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HazelcastConfigFactoryTest {

  private static boolean[] joins(Config c) {
    JoinConfig j = c.getAdvancedNetworkConfig().getJoin();
    return new boolean[] {j.getTcpIpConfig().isEnabled(), j.getMulticastConfig().isEnabled(),
      j.getKubernetesConfig().isEnabled(), j.getAutoDetectionConfig().isEnabled(), j.getAwsConfig().isEnabled(),
      j.getGcpConfig().isEnabled(), j.getAzureConfig().isEnabled(), j.getEurekaConfig().isEnabled()};
  }

  @Test
  @DisplayName("tcp: only TCP/IP join, with the member list, on exactly the configured port and address")
  void shouldConfigureTcp() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions().setClusterName("c1").setPort(5801)
      .setMembers(List.of("127.0.0.1:5801", "127.0.0.1:5802")));
    assertThat(c.getClusterName()).isEqualTo("c1");
    assertThat(joins(c)).containsExactly(true, false, false, false, false, false, false, false);
    assertThat(c.getAdvancedNetworkConfig().getJoin().getTcpIpConfig().getMembers())
      .containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    ServerSocketEndpointConfig member = memberEndpoint(c);
    assertThat(member.getPort()).isEqualTo(5801);
    assertThat(member.isPortAutoIncrement()).isFalse();
    assertThat(member.getPublicAddress()).isEqualTo("127.0.0.1:5801");
    assertThat(member.getInterfaces().isEnabled()).isTrue();
    assertThat(member.getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(c.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
  }

  private static ServerSocketEndpointConfig memberEndpoint(Config c) {
    return (ServerSocketEndpointConfig) c.getAdvancedNetworkConfig().getEndpointConfigs()
      .get(EndpointQualifier.MEMBER);
  }

  @Test
  @DisplayName("the cluster port speaks the member protocol only: advanced network with a member endpoint and no other")
  void shouldOpenOnlyTheMemberEndpoint() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions().setPort(5801));
    assertThat(c.getAdvancedNetworkConfig().isEnabled()).isTrue();
    assertThat(c.getAdvancedNetworkConfig().getEndpointConfigs()).containsOnlyKeys(EndpointQualifier.MEMBER);
    assertThat(c.getJetConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("with an encryption key the Hazelcast cluster name is the configured one tagged under the key")
  void shouldTagTheClusterNameWithTheKey() {
    String k1 = Base64.getEncoder().encodeToString(new byte[32]);
    byte[] other = new byte[32];
    other[0] = 1;
    String k2 = Base64.getEncoder().encodeToString(other);
    String tagged = HazelcastConfigFactory.create(new ClusterOptions().setClusterName("prod").setEncryptionKey(k1))
      .getClusterName();
    assertThat(tagged).matches("prod-[0-9a-f]{16}");
    assertThat(HazelcastConfigFactory.create(new ClusterOptions().setClusterName("prod").setEncryptionKey(k2))
      .getClusterName()).startsWith("prod-").isNotEqualTo(tagged);
    assertThat(HazelcastConfigFactory.create(new ClusterOptions().setClusterName("prod")).getClusterName())
      .as("without a key, the configured name").isEqualTo("prod");
  }

  @Test
  @DisplayName("Java serialization is limited to an allow-list of JDK and Hazelcast classes")
  void shouldFilterJavaSerialization() {
    JavaSerializationFilterConfig filter = HazelcastConfigFactory.create(new ClusterOptions()).getSerializationConfig()
      .getJavaSerializationFilterConfig();
    assertThat(filter).isNotNull();
    assertThat(filter.isDefaultsDisabled()).isTrue();
    assertThat(filter.getWhitelist().getPrefixes()).containsExactlyInAnyOrderElementsOf(
      HazelcastConfigFactory.JAVA_SERIALIZATION_ALLOWED).doesNotContain("io.tokencache.");
  }

  @Test
  @DisplayName("tcp without members: a cluster of one that lists only itself and never multicasts")
  void shouldConfigureLoneTcpMember() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions().setPort(5901));
    assertThat(joins(c)).containsExactly(true, false, false, false, false, false, false, false);
    assertThat(c.getAdvancedNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5901");
  }

  @Test
  @DisplayName("multicast: only multicast join")
  void shouldConfigureMulticast() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions().setDiscovery(Discovery.MULTICAST));
    assertThat(joins(c)).containsExactly(false, true, false, false, false, false, false, false);
  }

  @Test
  @DisplayName("kubernetes: only Kubernetes join, in DNS lookup mode on the headless service, binding any address")
  void shouldConfigureKubernetes() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions().setDiscovery(Discovery.KUBERNETES)
      .setHost(ClusterOptions.ANY_HOST).setKubernetesServiceDns("token-cache-hazelcast.default.svc.cluster.local"));
    assertThat(joins(c)).containsExactly(false, false, true, false, false, false, false, false);
    assertThat(c.getAdvancedNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"))
      .isEqualTo("token-cache-hazelcast.default.svc.cluster.local");
    assertThat(c.getAdvancedNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-port")).isEqualTo("5701");
    assertThat(memberEndpoint(c).getPublicAddress()).isNull();
    assertThat(memberEndpoint(c).getInterfaces().isEnabled()).isFalse();
    // a pod that finds no peer in DNS keeps looking this long before it starts alone
    assertThat(c.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("1");
    assertThat(c.getProperty("hazelcast.max.wait.seconds.before.join")).isEqualTo("0");
  }

  @Test
  @DisplayName("kubernetes without a service DNS name is refused")
  void shouldRefuseIncompleteKubernetes() {
    assertThatThrownBy(() -> HazelcastConfigFactory.create(new ClusterOptions().setDiscovery(Discovery.KUBERNETES)
      .setHost("10.1.2.3"))).hasMessageContaining("kubernetesServiceDns");
  }

  @Test
  @DisplayName("phone home off, slf4j logging, quick join, failures detected in seconds, graceful shutdown")
  void shouldSetProperties() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions());
    assertThat(c.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(c.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(c.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(c.getProperty("hazelcast.max.wait.seconds.before.join")).isEqualTo("0");
    assertThat(c.getProperty("hazelcast.connect.all.wait.seconds")).isEqualTo("0");
    assertThat(c.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(c.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
    assertThat(c.getProperty("hazelcast.shutdownhook.policy")).isEqualTo("GRACEFUL");
    assertThat(Integer.parseInt(c.getProperty("hazelcast.graceful.shutdown.max.wait"))).isBetween(5, 30);
    assertThat(c.getProperty("hazelcast.map.invalidation.batch.enabled")).isEqualTo("false");
  }

  @Test
  @DisplayName("token map: one synchronous backup, LRU eviction per member, near cache of serialized values (the record's own, for local keys) invalidated on change")
  void shouldConfigureTokenMap() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions().setMaxTokensPerMember(1234)
      .setNearCacheMaxEntries(567));
    MapConfig tokens = c.getMapConfigOrNull(TokenMapConfig.TOKENS_MAP);
    assertThat(tokens).isNotNull();
    assertThat(tokens.getBackupCount()).isEqualTo(1);
    assertThat(tokens.getAsyncBackupCount()).isZero();
    assertThat(tokens.getEvictionConfig().getEvictionPolicy()).isEqualTo(EvictionPolicy.LRU);
    assertThat(tokens.getEvictionConfig().getMaxSizePolicy()).isEqualTo(MaxSizePolicy.PER_NODE);
    assertThat(tokens.getEvictionConfig().getSize()).isEqualTo(1234);
    NearCacheConfig near = tokens.getNearCacheConfig();
    assertThat(near).isNotNull();
    assertThat(near.getInMemoryFormat()).isEqualTo(InMemoryFormat.BINARY);
    assertThat(near.isCacheLocalEntries()).isTrue();
    assertThat(near.isInvalidateOnChange()).isTrue();
    assertThat(near.getEvictionConfig().getSize()).isEqualTo(567);
    assertThat(near.getEvictionConfig().getMaxSizePolicy()).isEqualTo(MaxSizePolicy.ENTRY_COUNT);
    assertThat(near.getTimeToLiveSeconds()).isPositive();
    assertThat(c.getMapConfigOrNull(TokenMapConfig.LEASES_MAP).getBackupCount()).isEqualTo(1);
    assertThat(c.getMapConfigOrNull(TokenMapConfig.META_MAP).getBackupCount()).isEqualTo(1);
    assertThat(HazelcastConfigFactory.create(new ClusterOptions().setBackupCount(2))
      .getMapConfigOrNull(TokenMapConfig.TOKENS_MAP).getBackupCount()).isEqualTo(2);
  }

  @Test
  @DisplayName("the maps Vert.x's cluster manager uses are configured as in vertx-hazelcast's default cluster.xml")
  void shouldConfigureVertxMaps() {
    Config c = HazelcastConfigFactory.create(new ClusterOptions());
    MultiMapConfig subs = c.getMultiMapConfigs().get("__vertx.subs");
    assertThat(subs).isNotNull();
    assertThat(subs.getBackupCount()).isEqualTo(1);
    assertThat(subs.getValueCollectionType()).isEqualTo(MultiMapConfig.ValueCollectionType.SET);
    assertThat(c.getMapConfigOrNull("__vertx.haInfo").getBackupCount()).isEqualTo(1);
    assertThat(c.getMapConfigOrNull("__vertx.nodeInfo").getBackupCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("a member joining running members is admitted at once: the master holds no join request, not even "
    + "right after admitting another member")
  void shouldJoinRunningMembersAtOnce() throws Exception {
    int[] ports = {freePort(), freePort(), freePort()};
    List<String> members = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2]);
    String name = "join-" + System.nanoTime();
    List<HazelcastInstance> started = new ArrayList<>();
    try {
      HazelcastInstance master = Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(new ClusterOptions()
        .setClusterName(name).setPort(ports[0])));
      started.add(master);
      ClusterJoinManager joins = ((HazelcastInstanceProxy) master).getOriginal().node.getClusterService()
        .getClusterJoinManager();
      for (int i = 1; i < 3; i++) {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(new ClusterOptions()
          .setClusterName(name).setPort(ports[i]).setMembers(members.subList(0, i + 1))));
        started.add(member);
        assertThat(member.getCluster().getMembers()).hasSize(i + 1);
        // with Hazelcast's batching the master would now hold the next joiner for wait.seconds.before.join
        assertThat(joins.isBatchingJoins(Clock.currentTimeMillis())).as("master batching after member %d", i + 1)
          .isFalse();
      }
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).getLifecycleService().terminate();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
