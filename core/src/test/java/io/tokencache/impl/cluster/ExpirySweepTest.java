package io.tokencache.impl.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.HazelcastConfigFactory;
import io.tokencache.testing.FreePorts;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Expired entries leave a member's heap within a few sweep periods, in every partition: Hazelcast's own default
 * sweeps a few partitions per period, so on a small member an expired lease or stored marker that nobody reads
 * again stays for up to a whole cycle over the partitions (45 s on two cores).
 */
class ExpirySweepTest {

  @Test
  @DisplayName("entries that expire unread in every partition are swept within a few seconds")
  void shouldSweepEveryPartitionEachPeriod() {
    String cluster = "sweep-" + UUID.randomUUID().toString().substring(0, 8);
    int port = FreePorts.next();
    Config config = HazelcastConfigFactory.create(new ClusterOptions().setClusterName(cluster).setPort(port)
      .setMembers(List.of("127.0.0.1:" + port)));
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    try {
      IMap<String, String> leases = member.getMap(TokenMapConfig.LEASES_MAP);
      int partitions = member.getPartitionService().getPartitions().size();
      AtomicInteger expired = new AtomicInteger();
      leases.addEntryListener((EntryExpiredListener<String, String>) e -> expired.incrementAndGet(), false);
      // enough keys to land in (nearly) every partition
      int n = partitions * 8;
      for (int i = 0; i < n; i++) {
        leases.set("k-" + i, "v", 1, TimeUnit.SECONDS);
      }
      // nobody reads them again: only the sweep can expire them. Without visiting every partition each period the
      // last of them would go only after a whole cycle over the partitions.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(expired.get()).isEqualTo(n));
      assertThat(leases.getLocalMapStats().getOwnedEntryCount()).isZero();
    } finally {
      member.getLifecycleService().terminate();
    }
  }

  @Test
  @DisplayName("a user's own setting of the partitions swept per period is kept")
  void shouldKeepTheUsersSetting() {
    Config config = new Config();
    config.setProperty(TokenMapConfig.SWEPT_PARTITIONS, "5");
    TokenMapConfig.apply(config, 1000, 100, 1);
    assertThat(config.getProperty(TokenMapConfig.SWEPT_PARTITIONS)).isEqualTo("5");
    Config defaults = TokenMapConfig.apply(new Config(), 1000, 100, 1);
    assertThat(defaults.getProperty(TokenMapConfig.SWEPT_PARTITIONS)).isEqualTo("271");
  }
}
