package io.tokencache.impl.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.MapServiceContext;
import com.hazelcast.map.impl.proxy.MapProxyImpl;
import com.hazelcast.map.impl.record.Record;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import com.hazelcast.spi.impl.merge.MapMergingEntryImpl;
import com.hazelcast.spi.merge.MergingValue;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.HazelcastConfigFactory;
import io.tokencache.impl.quota.BudgetLog;
import io.tokencache.impl.quota.BudgetPolicy;
import io.tokencache.impl.quota.Lane;
import io.tokencache.testing.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merge policies of the sealed maps, run as Hazelcast runs them after a split: on a member, over values it
 * deserializes. An authentic value wins over a forged one whichever side it comes from, and two authentic budget
 * logs merge into one sealed log holding both sides' grants.
 */
class MergePoliciesTest {

  private static final String UPSTREAM = "default";
  private static HazelcastInstance member;
  private static SerializationService serialization;
  private static ValueSeal seal;

  @BeforeAll
  static void start() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String base64 = Base64.getEncoder().encodeToString(key);
    int port = FreePorts.next();
    member = Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(new ClusterOptions()
      .setClusterName("merge-" + UUID.randomUUID().toString().substring(0, 8)).setPort(port)
      .addMember("127.0.0.1:" + port).setEncryptionKey(base64)));
    serialization = ((SerializationServiceSupport) member).getSerializationService();
    seal = TokenCipher.fromBase64(base64).valueSeal();
  }

  @AfterAll
  static void stop() {
    member.getLifecycleService().terminate();
  }

  @Test
  @DisplayName("the token and client maps keep records without a field for a deserialized value: a reference less per entry")
  void shouldKeepRecordsWithoutACachedValue() {
    member.getMap(TokenMapConfig.TOKENS_MAP).set("k", new EncryptedToken("tag", Long.MAX_VALUE, new byte[] {1}));
    member.getMap(TokenMapConfig.CLIENTS_MAP).set("c", seal.seal(TokenMapConfig.CLIENTS_MAP, "c", new byte[] {1}));
    for (String[] entry : new String[][] {{TokenMapConfig.TOKENS_MAP, "k"}, {TokenMapConfig.CLIENTS_MAP, "c"}}) {
      MapServiceContext maps = ((MapService) ((MapProxyImpl<?, ?>) member.getMap(entry[0])).getService())
        .getMapServiceContext();
      int partition = member.getPartitionService().getPartition(entry[1]).getPartitionId();
      Record<?> record = maps.getRecordStore(partition, entry[0]).getRecord(serialization.toData(entry[1]));
      assertThat(record.getClass().getSimpleName()).as(entry[0]).isEqualTo("SimpleRecordWithLRUEviction");
    }
  }

  private static MergingValue<Object> entry(String key, Object value) {
    return new MapMergingEntryImpl<Object, Object>(serialization)
      .setKey(serialization.toData(key)).setValue(serialization.toData(value));
  }

  private static Object merge(MergePolicies.Base policy, String key, Object merging, Object existing) {
    Object merged = policy.merge(entry(key, merging), entry(key, existing));
    return merged instanceof com.hazelcast.internal.serialization.Data d ? serialization.toObject(d) : merged;
  }

  private static BudgetLog logWithGrants(int grants, long now) {
    BudgetPolicy policy = new BudgetPolicy(100, 0, 0.5, 0.25, 0.25, 1, 60_000);
    BudgetLog log = new BudgetLog();
    for (int i = 0; i < grants; i++) {
      log.reserve(policy, now, Lane.KNOWN, "client-" + i, 1_000);
    }
    return log;
  }

  private static int grants(Object value) {
    BudgetLog log = seal.open(TokenMapConfig.QUOTA_MAP, UPSTREAM, value, BudgetLog::readFrom);
    assertThat(log).as("an authentic log").isNotNull();
    return log.size();
  }

  @Test
  @DisplayName("two authentic budget logs merge into one sealed log with both sides' grants")
  void shouldMergeAuthenticBudgets() {
    long now = System.currentTimeMillis();
    Sealed a = seal.seal(TokenMapConfig.QUOTA_MAP, UPSTREAM, logWithGrants(3, now)::writeTo);
    Sealed b = seal.seal(TokenMapConfig.QUOTA_MAP, UPSTREAM, logWithGrants(4, now)::writeTo);
    assertThat(grants(merge(new MergePolicies.MergedBudget(), UPSTREAM, a, b))).isEqualTo(7);
  }

  @Test
  @DisplayName("a forged budget log (sealed under another key) loses to the authentic one, from either side")
  void shouldKeepTheAuthenticBudget() {
    long now = System.currentTimeMillis();
    Sealed authentic = seal.seal(TokenMapConfig.QUOTA_MAP, UPSTREAM, logWithGrants(5, now)::writeTo);
    Object forged = new ForgedValues().budgetBlockedForADay(UPSTREAM);
    assertThat(grants(merge(new MergePolicies.MergedBudget(), UPSTREAM, forged, authentic))).isEqualTo(5);
    assertThat(grants(merge(new MergePolicies.MergedBudget(), UPSTREAM, authentic, forged))).isEqualTo(5);
  }

  @Test
  @DisplayName("invalidations: the later authentic one wins; a forged far-future one never does")
  void shouldKeepTheLaterAuthenticInvalidation() {
    String id = "k:some-key";
    long now = System.currentTimeMillis();
    Sealed earlier = seal.seal(TokenMapConfig.INVALIDATIONS_MAP, id, out -> out.writeLong(now - 1000));
    Sealed later = seal.seal(TokenMapConfig.INVALIDATIONS_MAP, id, out -> out.writeLong(now));
    Object forged = new ForgedValues().invalidation(id);
    assertThat(merge(new MergePolicies.LaterInvalidation(), id, earlier, later)).isEqualTo(later);
    assertThat(merge(new MergePolicies.LaterInvalidation(), id, later, earlier)).isEqualTo(later);
    assertThat(merge(new MergePolicies.LaterInvalidation(), id, forged, earlier)).isEqualTo(earlier);
  }
}
