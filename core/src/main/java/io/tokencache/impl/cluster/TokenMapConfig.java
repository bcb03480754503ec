package io.tokencache.impl.cluster;

import com.hazelcast.config.CacheDeserializedValues;
import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;

/**
 * The Hazelcast settings {@link HazelcastTokenStore} relies on; they must be in the {@link Config} before the
 * member starts (every member's the same).
 *
 * <ul>
 *   <li>{@value #TOKENS_MAP}: encrypted tokens, per-entry TTL, synchronous backups, LRU eviction per member,
 *   and a near cache (serialized values, invalidated on every change, local entries too).</li>
 *   <li>{@value #LEASES_MAP}: one entry per key being fetched, holding the fetching member's id, with a TTL.</li>
 *   <li>{@value #QUOTA_MAP}: one sliding-window log per upstream, the cluster's shared budget.</li>
 *   <li>{@value #CLIENTS_MAP}: one record per client id (accepted and refused secrets, guessing bound, keys held),
 *   with a TTL while it matters and LRU eviction per member.</li>
 *   <li>{@value #CLOCK_MAP}: the cluster clock's record, which every absolute time in the other maps is on.</li>
 *   <li>{@value #INVALIDATIONS_MAP}: key and client invalidations, kept as long as a token issued before them could
 *   be served.</li>
 *   <li>{@value #META_MAP}: the encryption key's fingerprint, so a member with another key is refused.</li>
 * </ul>
 *
 * <p>Each map has its own merge policy ({@link MergePolicies}) for when the sides of a split meet again; none has
 * Hazelcast's split-brain protection (a quorum): a side without one would answer 503 for tokens it holds and that
 * are still valid, and the budget is kept within the quota by each side's share instead ({@link MembershipShare}).
 * See docs/cluster-design.md.
 */
public final class TokenMapConfig {

  /** The distributed map of encrypted tokens. */
  public static final String TOKENS_MAP = "token-cache.tokens";
  /** The distributed map of fetch leases. */
  public static final String LEASES_MAP = "token-cache.leases";
  /** The longest a lease written without a TTL lives: longer than any fetch, refresh lease aside. */
  static final int LEASE_BACKSTOP_TTL_SECONDS = 120;
  /** The distributed map of upstream budgets: one sliding-window log per upstream. */
  public static final String QUOTA_MAP = "token-cache.quota";
  /** The distributed map of client records: what the upstream said of each client id's secrets, its keys. */
  public static final String CLIENTS_MAP = "token-cache.clients";
  /** The distributed map of the cluster clock's record ({@link ClusterClock}). */
  public static final String CLOCK_MAP = "token-cache.clock";
  /** The distributed map of invalidations that must outlive their tokens ({@link InvalidationLog}). */
  public static final String INVALIDATIONS_MAP = "token-cache.invalidations";
  /** The distributed map of cluster-wide facts (the key fingerprint). */
  public static final String META_MAP = "token-cache.meta";

  /**
   * Upper bound on how long a near-cached token is kept without asking its owner again. Invalidations normally
   * drop it at once; this bounds the damage of a lost invalidation. Serving never outlives the token's own
   * serve-until point: the store checks it on every read.
   */
  public static final int NEAR_CACHE_TTL_SECONDS = 300;

  /** How often partition owners look for expired entries (Hazelcast's default is 5 s). */
  static final int EXPIRATION_TASK_PERIOD_SECONDS = 1;

  private TokenMapConfig() {
  }

  /**
   * Adds token-cache's maps, serializers and the properties they need to {@code config}.
   *
   * @param maxTokensPerMember entries one member holds as primary owner before LRU eviction
   * @param nearCacheMaxEntries entries one member keeps in its near cache
   * @param backupCount synchronous backups of tokens, leases and meta data (at least 1)
   * @return {@code config}
   */
  public static Config apply(Config config, int maxTokensPerMember, int nearCacheMaxEntries, int backupCount) {
    if (backupCount < 1) {
      throw new IllegalArgumentException("backupCount must be at least 1, was " + backupCount);
    }
    NearCacheConfig nearCache = new NearCacheConfig(TOKENS_MAP)
      // BINARY: for a key this member owns, the near cache keeps the very Data the record holds (a local get
      // hands it over as it is), where OBJECT would keep a second, deserialized copy of every ciphertext. Hazelcast
      // deserializes the value on each read; the store's decrypted cache then spares the cipher for hot tokens.
      .setInMemoryFormat(InMemoryFormat.BINARY)
      .setInvalidateOnChange(true)
      // also near-cache keys this member owns, so a hit on them never waits for a partition thread
      .setCacheLocalEntries(true)
      .setTimeToLiveSeconds(NEAR_CACHE_TTL_SECONDS)
      .setEvictionConfig(new EvictionConfig()
        .setEvictionPolicy(EvictionPolicy.LRU)
        .setMaxSizePolicy(MaxSizePolicy.ENTRY_COUNT)
        .setSize(nearCacheMaxEntries));
    config.addMapConfig(new MapConfig(TOKENS_MAP)
      .setBackupCount(backupCount)
      .setAsyncBackupCount(0)
      .setInMemoryFormat(InMemoryFormat.BINARY)
      // no map has indexes, so no deserialized value is ever cached: NEVER only picks the record class without
      // the field for one, a reference less on every entry
      .setCacheDeserializedValues(CacheDeserializedValues.NEVER)
      .setStatisticsEnabled(true)
      .setEvictionConfig(new EvictionConfig()
        .setEvictionPolicy(EvictionPolicy.LRU)
        .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
        .setSize(maxTokensPerMember))
      .setNearCacheConfig(nearCache)
      .setMergePolicyConfig(merge(MergePolicies.LaterServeUntil.class)));
    config.addMapConfig(new MapConfig(LEASES_MAP)
      .setBackupCount(backupCount)
      .setAsyncBackupCount(0)
      .setInMemoryFormat(InMemoryFormat.BINARY)
      // a backstop for a lease written without a TTL (never by token-cache: by a foreign member), which would
      // otherwise stall its key's misses for good
      .setTimeToLiveSeconds(LEASE_BACKSTOP_TTL_SECONDS)
      // a lease (or a kept refresh lease) of either side: the larger side's stands, the other side's is added
      .setMergePolicyConfig(merge(PutIfAbsentMergePolicy.class)));
    config.addMapConfig(new MapConfig(QUOTA_MAP)
      .setBackupCount(backupCount)
      .setAsyncBackupCount(0)
      .setInMemoryFormat(InMemoryFormat.OBJECT)
      .setMergePolicyConfig(merge(MergePolicies.MergedBudget.class)));
    config.addMapConfig(new MapConfig(CLIENTS_MAP)
      .setCacheDeserializedValues(CacheDeserializedValues.NEVER)
      .setBackupCount(backupCount)
      .setAsyncBackupCount(0)
      .setEvictionConfig(new EvictionConfig()
        .setEvictionPolicy(EvictionPolicy.LRU)
        .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
        .setSize(maxTokensPerMember))
      .setMergePolicyConfig(merge(MergePolicies.MergedClients.class)));
    config.addMapConfig(new MapConfig(CLOCK_MAP)
      .setBackupCount(backupCount)
      .setAsyncBackupCount(0)
      .setMergePolicyConfig(merge(MergePolicies.LaterClock.class)));
    config.addMapConfig(new MapConfig(INVALIDATIONS_MAP)
      .setBackupCount(backupCount)
      .setAsyncBackupCount(0)
      .setMergePolicyConfig(merge(MergePolicies.LaterInvalidation.class)));
    config.addMapConfig(new MapConfig(META_MAP)
      .setBackupCount(backupCount)
      .setAsyncBackupCount(0)
      // the key fingerprint: every member of either side had to match it, so both sides hold the same one
      .setMergePolicyConfig(merge(PutIfAbsentMergePolicy.class)));

    config.getSerializationConfig().addDataSerializableFactory(EntryProcessors.FACTORY_ID, EntryProcessors.FACTORY);
    config.getSerializationConfig().getCompactSerializationConfig().addSerializer(new EncryptedToken.Serializer());

    // Tokens change at most at the upstream quota's rate: send each invalidation at once rather than batching
    // them for up to 10 s, so a replaced or removed token stops being served everywhere promptly.
    config.setProperty("hazelcast.map.invalidation.batch.enabled", "false");
    // A lease whose holder died must lapse, and its waiters hear of it, close to its TTL.
    config.setProperty("hazelcast.internal.map.expiration.task.period.seconds",
      String.valueOf(EXPIRATION_TASK_PERIOD_SECONDS));
    return config;
  }

  private static MergePolicyConfig merge(Class<?> policy) {
    return new MergePolicyConfig(policy.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE);
  }

  /** Whether {@code config} has been through {@link #apply}. */
  static boolean isApplied(Config config) {
    MapConfig tokens = config.getMapConfigOrNull(TOKENS_MAP);
    return tokens != null && tokens.getNearCacheConfig() != null
      && config.getSerializationConfig().getDataSerializableFactories().containsKey(EntryProcessors.FACTORY_ID);
  }
}
