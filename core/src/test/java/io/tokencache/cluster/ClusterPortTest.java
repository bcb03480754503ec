package io.tokencache.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenRequest;
import io.tokencache.eventbus.TokenCacheEventBusClient;
import io.tokencache.TokenCacheVerticleOptions;
import io.tokencache.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ObjectInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What reaches the cluster port of two real members on loopback: only members holding the cluster key, speaking the
 * member protocol, with Java serialization limited to an allow-list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPortTest {

  private final List<Integer> ports = List.of(FreePorts.next(), FreePorts.next());
  private final String clusterName = "port-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Vertx> nodes = new ArrayList<>();
  private ClusterOptions options;

  @BeforeAll
  void start() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    for (int port : ports) {
      options = new ClusterOptions().setClusterName(clusterName).setPort(port)
        .setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList())
        .setEncryptionKey(Base64.getEncoder().encodeToString(key));
      nodes.add(TokenCacheCluster.startClusteredVertx(new VertxOptions(), options).await());
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> members(0) == 2 && members(1) == 2);
  }

  @AfterAll
  void stop() {
    nodes.forEach(v -> v.close().await());
  }

  private int members(int node) {
    return TokenCacheCluster.hazelcastOf(nodes.get(node)).getCluster().getMembers().size();
  }

  @Test
  @DisplayName("a Hazelcast client knowing the cluster name, configured or tagged, cannot connect: there is no client endpoint")
  void shouldRefuseClients() {
    for (String name : List.of(clusterName, HazelcastConfigFactory.memberClusterName(options))) {
      ClientConfig config = new ClientConfig().setClusterName(name);
      config.getNetworkConfig().addAddress("127.0.0.1:" + ports.get(0));
      config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3000);
      assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(config).shutdown())
        .as("a client of cluster '" + name + "'").isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  @DisplayName("a member with the configured cluster name but no key does not join the cluster")
  void shouldNotLetAMemberWithoutTheKeyJoin() {
    Config config = new Config().setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
    config.getNetworkConfig().setPort(FreePorts.next()).setPortAutoIncrement(false);
    config.getJetConfig().setEnabled(false);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    HazelcastInstance rogue = Hazelcast.newHazelcastInstance(config);
    try {
      assertThat(rogue.getCluster().getMembers()).as("the rogue stays alone").hasSize(1);
      assertThat(members(0)).isEqualTo(2);
      assertThat(members(1)).isEqualTo(2);
    } finally {
      rogue.shutdown();
    }
  }

  @Test
  @DisplayName("a Java-serialized value of a class outside the allow-list is refused before it is instantiated")
  void shouldRefuseUnlistedJavaSerializedClasses() {
    IMap<String, Object> scratch = TokenCacheCluster.hazelcastOf(nodes.get(0)).getMap("port-test.scratch");
    Canary.readObjects.set(0);
    // a key owned by the other member, so its value crosses the wire as bytes
    String key = ownedBy(1);
    scratch.set(key, new Canary());
    assertThat(Canary.readObjects.get()).as("serializing is not deserializing").isZero();
    IMap<String, Object> remote = TokenCacheCluster.hazelcastOf(nodes.get(1)).getMap("port-test.scratch");
    assertThatThrownBy(() -> remote.get(key)).isInstanceOf(HazelcastSerializationException.class)
      .hasRootCauseInstanceOf(SecurityException.class);
    assertThat(Canary.readObjects.get()).as("the class was never instantiated from the stream").isZero();
    scratch.delete(key);
  }

  private String ownedBy(int node) {
    HazelcastInstance hz = TokenCacheCluster.hazelcastOf(nodes.get(node));
    for (int i = 0; ; i++) {
      String key = "k" + i;
      if (hz.getPartitionService().getPartition(key).getOwner().localMember()) {
        return key;
      }
    }
  }

  /** A class nobody allowed: it counts every instance built from a stream. */
  static final class Canary implements Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicInteger readObjects = new AtomicInteger();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      readObjects.incrementAndGet();
      in.defaultReadObject();
    }
  }

  @Test
  @DisplayName("an embedded event-bus client never delivers a request (with its secret) to a cluster-wide consumer on another member")
  void shouldKeepEventBusRequestsLocal() {
    AtomicBoolean received = new AtomicBoolean();
    String address = TokenCacheVerticleOptions.DEFAULT_ADDRESS;
    nodes.get(1).eventBus().consumer(address, msg -> {
      received.set(true);
      msg.reply(new io.vertx.core.json.JsonObject().put("access_token", "forged"));
    }).completion().await();
    // the subscription has reached node 0 once a cluster-wide request would be delivered there
    await().atMost(Duration.ofSeconds(10)).until(() ->
      nodes.get(0).eventBus().request(address, "probe").transform(ar -> Future.succeededFuture(ar.succeeded()))
        .await());
    received.set(false);

    Future<?> answer = TokenCacheEventBusClient.create(nodes.get(0))
      .getToken(TokenRequest.clientCredentials("svc", "svc-secret").build())
      .transform(ar -> Future.succeededFuture(ar));
    io.vertx.core.AsyncResult<?> result = (io.vertx.core.AsyncResult<?>) answer.await();
    assertThat(result.failed()).isTrue();
    assertThat(((TokenCacheException) result.cause()).statusCode()).isEqualTo(503);
    assertThat(received.get()).as("the other member's consumer saw the request").isFalse();
  }
}
