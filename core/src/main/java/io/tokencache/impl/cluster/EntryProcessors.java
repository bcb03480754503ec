package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The atomic, asynchronous operations the store runs on a key's partition owner with
 * {@code IMap.submitToKey}: Hazelcast 5.3's {@code IMap} has no async {@code putIfAbsent} (with TTL),
 * conditional {@code remove} or conditional {@code replace}, and an entry processor gives all three without
 * blocking a thread. Each is {@link IdentifiedDataSerializable}; {@link #FACTORY} is registered by
 * {@link TokenMapConfig#apply}.
 */
public final class EntryProcessors {

  /** Data-serializable factory id of token-cache's classes. */
  public static final int FACTORY_ID = 0x70CA;
  /** The factory to register under {@link #FACTORY_ID}. */
  public static final DataSerializableFactory FACTORY = EntryProcessors::create;

  // 1 and 2 were the plain put-if-absent and conditional remove of leases before they were sealed: never reused
  private static final int REPLACE_IF_CIPHERTEXT = 3;
  private static final int REMOVE = 4;
  private static final int READ = 5;
  // 6 and 9 were the budget and client values before they were sealed: never reused
  static final int BUDGET_RESERVE = 7;
  static final int BUDGET_BACK_OFF = 8;
  static final int CLIENT_ADMIT = 10;
  static final int CLIENT_SETTLE = 11;
  static final int TAKE_LEASE = 12;
  static final int OWNER_TIME = 13;
  static final int CLAIM_LEASE = 14;
  static final int RELEASE_STORED = 15;
  // the cluster clock and split-brain types use ids from 40, clear of other work on this factory
  // 40 was the cluster clock's record before it was sealed: never reused
  static final int CLOCK_TICK = 41;
  static final int MERGE_TOKENS = 42;
  static final int MERGE_BUDGET = 43;
  static final int MERGE_CLIENTS = 44;
  static final int MERGE_CLOCK = 45;
  static final int MERGE_INVALIDATIONS = 46;
  static final int SEALED = 47;
  static final int RELEASE_LEASE = 48;

  private EntryProcessors() {
  }

  private static IdentifiedDataSerializable create(int classId) {
    switch (classId) {
      case REPLACE_IF_CIPHERTEXT:
        return new ReplaceIfCiphertext();
      case REMOVE:
        return new Remove<>();
      case READ:
        return new Read<>();
      case BUDGET_RESERVE:
        return new HazelcastQuotaGate.Reserve();
      case BUDGET_BACK_OFF:
        return new HazelcastQuotaGate.BackOff();
      case CLIENT_ADMIT:
        return new HazelcastClientLedger.Admit();
      case CLIENT_SETTLE:
        return new HazelcastClientLedger.Settle();
      case TAKE_LEASE:
        return new LeaseProcessors.Take();
      case CLAIM_LEASE:
        return new LeaseProcessors.Claim();
      case RELEASE_STORED:
        return new LeaseProcessors.ReleaseStored();
      case OWNER_TIME:
        return new ClockSkewMonitor.OwnerTime();
      case CLOCK_TICK:
        return new ClusterClockRecord.Tick();
      case MERGE_TOKENS:
        return new MergePolicies.LaterServeUntil();
      case MERGE_BUDGET:
        return new MergePolicies.MergedBudget();
      case MERGE_CLIENTS:
        return new MergePolicies.MergedClients();
      case MERGE_CLOCK:
        return new MergePolicies.LaterClock();
      case MERGE_INVALIDATIONS:
        return new MergePolicies.LaterInvalidation();
      case SEALED:
        return new Sealed();
      case RELEASE_LEASE:
        return new LeaseProcessors.Release();
      default:
        return null;
    }
  }

  abstract static class Base<V, R> implements EntryProcessor<String, V, R>, IdentifiedDataSerializable {
    @Override
    public int getFactoryId() {
      return FACTORY_ID;
    }
  }

  /**
   * The entry's value if it is a {@code type}, else {@code null}: a value another writer put there (a foreign or
   * rogue member, another version) that is of another type or cannot be deserialized is treated as absent, so the
   * processor replaces it instead of failing on every call.
   */
  static <V> V valueOf(Map.Entry<String, ?> entry, Class<V> type) {
    Object value;
    try {
      value = entry.getValue();
    } catch (HazelcastSerializationException e) {
      return null;
    }
    return type.isInstance(value) ? type.cast(value) : null;
  }

  /** Stands for a value that cannot be deserialized here: present, and never authentic. */
  static final Object UNREADABLE = new Object();

  /** The entry's value, or {@link #UNREADABLE} if it cannot be deserialized (another writer's bytes). */
  static Object rawValueOf(Map.Entry<String, ?> entry) {
    try {
      return entry.getValue();
    } catch (HazelcastSerializationException e) {
      return UNREADABLE;
    }
  }

  /**
   * The seal of the member running a processor. A member without one (not token-cache, or one still starting) can
   * authenticate nothing: the operation fails with a Hazelcast exception, which the caller answers with 503.
   */
  static ValueSeal sealOf(HazelcastInstance hz) {
    try {
      return ValueSeal.of(hz);
    } catch (IllegalStateException e) {
      throw new HazelcastException(e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  static <V> void setValue(Map.Entry<String, V> entry, V value, long ttlMillis) {
    if (value != null && ttlMillis > 0 && entry instanceof ExtendedMapEntry) {
      ((ExtendedMapEntry<String, V>) entry).setValue(value, ttlMillis, TimeUnit.MILLISECONDS);
    } else {
      entry.setValue(value);
    }
  }

  /**
   * Compare-and-set on the ciphertext: replaces the stored token by {@code replacement} (or removes it if
   * {@code replacement} is null) only if the stored ciphertext is exactly {@code expected}. Nonces are random, so
   * equal ciphertexts mean the very same stored write.
   */
  static final class ReplaceIfCiphertext extends Base<EncryptedToken, Boolean> {
    private byte[] expected;
    private EncryptedToken replacement;
    private long ttlMillis;

    ReplaceIfCiphertext() {
    }

    ReplaceIfCiphertext(byte[] expected, EncryptedToken replacement, long ttlMillis) {
      this.expected = expected;
      this.replacement = replacement;
      this.ttlMillis = ttlMillis;
    }

    @Override
    public Boolean process(Map.Entry<String, EncryptedToken> entry) {
      EncryptedToken current = valueOf(entry, EncryptedToken.class);
      if (current == null || !Arrays.equals(current.ciphertext(), expected)) {
        return Boolean.FALSE;
      }
      setValue(entry, replacement, ttlMillis);
      return Boolean.TRUE;
    }

    @Override
    public int getClassId() {
      return REPLACE_IF_CIPHERTEXT;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeByteArray(expected);
      out.writeObject(replacement);
      out.writeLong(ttlMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      expected = in.readByteArray();
      replacement = in.readObject();
      ttlMillis = in.readLong();
    }
  }

  /** Removes the entry; answers true. Run on the entries a predicate selects. */
  static final class Remove<V> extends Base<V, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, V> entry) {
      entry.setValue(null);
      return Boolean.TRUE;
    }

    @Override
    public int getClassId() {
      return REMOVE;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  /** Reads the value on the partition owner: never from a near cache, so never stale. */
  static final class Read<V> extends Base<V, V> implements ReadOnly {
    @Override
    public V process(Map.Entry<String, V> entry) {
      return entry.getValue();
    }

    @Override
    public EntryProcessor<String, V, V> getBackupProcessor() {
      return null;
    }

    @Override
    public int getClassId() {
      return READ;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }
}
