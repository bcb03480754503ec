package io.tokencache.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.FirewallingNodeContext;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.internal.server.FirewallingServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * Members whose network a test cuts and restores, with Hazelcast's own split-brain test support: each member runs
 * on a {@link FirewallingNodeContext}, whose connection manager can refuse and close the connections to given
 * addresses (as {@code SplitBrainTestSupport} does); the members on each side are then told the others are gone,
 * and on healing, Hazelcast's split-brain handler finds the other side and merges it as in production.
 */
final class SplitNetwork {

  /** Hazelcast looks for the other side of a split this often (its defaults, 300 s then 120 s, are for production). */
  static final String MERGE_FIRST_RUN = "hazelcast.merge.first.run.delay.seconds";
  static final String MERGE_NEXT_RUN = "hazelcast.merge.next.run.delay.seconds";

  private SplitNetwork() {
  }

  /** A clustered Vert.x on a firewalled member configured as {@link TokenCacheCluster#startClusteredVertx} would. */
  static Future<Vertx> startFirewalled(VertxOptions vertxOptions, ClusterOptions clusterOptions) {
    Config config = HazelcastConfigFactory.create(clusterOptions);
    config.setProperty(MERGE_FIRST_RUN, "3");
    config.setProperty(MERGE_NEXT_RUN, "2");
    // what HazelcastClusterManager sets on a config it starts itself
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.getMemberAttributeConfig().setAttribute("__vertx.nodeId", UUID.randomUUID().toString());
    HazelcastInstance hz = HazelcastInstanceFactory.newHazelcastInstance(config,
      "split-" + clusterOptions.getPort(), new FirewallingNodeContext());
    VertxOptions options = new VertxOptions(vertxOptions);
    options.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
    return TokenCacheCluster.startClusteredVertx(options, new HazelcastClusterManager(hz));
  }

  /** Cuts every connection between the two sides and makes each side drop the other's members. */
  static void split(List<HazelcastInstance> one, List<HazelcastInstance> other) {
    for (HazelcastInstance a : one) {
      for (HazelcastInstance b : other) {
        block(a, b);
        block(b, a);
      }
    }
    for (HazelcastInstance a : one) {
      for (HazelcastInstance b : other) {
        suspect(a, b);
        suspect(b, a);
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> one.stream().allMatch(h -> size(h) == one.size())
      && other.stream().allMatch(h -> size(h) == other.size()));
  }

  /** Restores the connections; Hazelcast merges the sides on its next look ({@link #MERGE_NEXT_RUN}). */
  static void heal(List<HazelcastInstance> all) {
    for (HazelcastInstance a : all) {
      for (HazelcastInstance b : all) {
        if (a != b) {
          connections(a).unblock(address(b));
        }
      }
    }
  }

  static int size(HazelcastInstance hz) {
    return hz.getCluster().getMembers().size();
  }

  private static void block(HazelcastInstance from, HazelcastInstance to) {
    FirewallingServer.FirewallingServerConnectionManager cm = connections(from);
    cm.blockNewConnection(address(to));
    cm.closeActiveConnection(address(to));
  }

  private static void suspect(HazelcastInstance at, HazelcastInstance gone) {
    Member member = gone.getCluster().getLocalMember();
    Node node = node(at);
    if (node.getClusterService().getMember(member.getAddress()) != null) {
      node.getClusterService().suspectMember(node.getClusterService().getMember(member.getAddress()), "split by the test",
        true);
    }
  }

  private static FirewallingServer.FirewallingServerConnectionManager connections(HazelcastInstance hz) {
    return (FirewallingServer.FirewallingServerConnectionManager) node(hz).getServer()
      .getConnectionManager(EndpointQualifier.MEMBER);
  }

  private static Address address(HazelcastInstance hz) {
    return node(hz).getThisAddress();
  }

  private static Node node(HazelcastInstance hz) {
    HazelcastInstanceImpl impl = hz instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal()
      : (HazelcastInstanceImpl) hz;
    return impl.node;
  }
}
