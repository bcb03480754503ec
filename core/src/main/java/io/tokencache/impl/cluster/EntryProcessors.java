package io.tokencache.impl.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
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
import java.util.Objects;
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

  private static final int PUT_IF_ABSENT = 1;
  private static final int REMOVE_IF_VALUE = 2;
  private static final int REPLACE_IF_CIPHERTEXT = 3;
  private static final int REMOVE = 4;
  private static final int READ = 5;
  static final int BUDGET_ENTRY = 6;
  static final int BUDGET_RESERVE = 7;
  static final int BUDGET_BACK_OFF = 8;
  static final int CLIENT_ENTRY = 9;
  static final int CLIENT_ADMIT = 10;
  static final int CLIENT_SETTLE = 11;
  private static final int TAKE_LEASE = 12;
  static final int OWNER_TIME = 13;
  // the cluster clock and split-brain types use ids from 40, clear of other work on this factory
  static final int CLOCK_RECORD = 40;
  static final int CLOCK_TICK = 41;
  static final int MERGE_TOKENS = 42;
  static final int MERGE_BUDGET = 43;
  static final int MERGE_CLIENTS = 44;
  static final int MERGE_CLOCK = 45;
  static final int MERGE_INVALIDATIONS = 46;

  private EntryProcessors() {
  }

  private static IdentifiedDataSerializable create(int classId) {
    switch (classId) {
      case PUT_IF_ABSENT:
        return new PutIfAbsent();
      case REMOVE_IF_VALUE:
        return new RemoveIfValue();
      case REPLACE_IF_CIPHERTEXT:
        return new ReplaceIfCiphertext();
      case REMOVE:
        return new Remove<>();
      case READ:
        return new Read<>();
      case BUDGET_ENTRY:
        return new BudgetEntry();
      case BUDGET_RESERVE:
        return new HazelcastQuotaGate.Reserve();
      case BUDGET_BACK_OFF:
        return new HazelcastQuotaGate.BackOff();
      case CLIENT_ENTRY:
        return new ClientEntry();
      case CLIENT_ADMIT:
        return new HazelcastClientLedger.Admit();
      case CLIENT_SETTLE:
        return new HazelcastClientLedger.Settle();
      case TAKE_LEASE:
        return new TakeLease();
      case OWNER_TIME:
        return new ClockSkewMonitor.OwnerTime();
      case CLOCK_RECORD:
        return new ClusterClock.Record();
      case CLOCK_TICK:
        return new ClusterClock.Tick();
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

  @SuppressWarnings("unchecked")
  static <V> void setValue(Map.Entry<String, V> entry, V value, long ttlMillis) {
    if (value != null && ttlMillis > 0 && entry instanceof ExtendedMapEntry) {
      ((ExtendedMapEntry<String, V>) entry).setValue(value, ttlMillis, TimeUnit.MILLISECONDS);
    } else {
      entry.setValue(value);
    }
  }

  /**
   * Sets the value (with a TTL if positive) unless there is one it {@linkplain #keeps keeps}; answers the existing
   * value, or null if set.
   */
  static class PutIfAbsent extends Base<String, String> {
    private String value;
    private long ttlMillis;

    PutIfAbsent() {
    }

    PutIfAbsent(String value, long ttlMillis) {
      this.value = value;
      this.ttlMillis = ttlMillis;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      String existing = valueOf(entry, String.class);
      if (existing != null && keeps(existing)) {
        return existing;
      }
      setValue(entry, value, ttlMillis);
      return null;
    }

    /** Whether {@code existing} stands; any value does here. */
    boolean keeps(String existing) {
      return true;
    }

    @Override
    public int getClassId() {
      return PUT_IF_ABSENT;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(value);
      out.writeLong(ttlMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      value = in.readString();
      ttlMillis = in.readLong();
    }
  }

  /**
   * Takes a lease for a member (its UUID, with a TTL) unless a current member of the cluster holds it; answers the
   * holder, or null if taken. A lease held by no current member (its holder died or left, or the value is not a
   * member's id at all: written by a foreign member) is taken over at once instead of being waited out until its
   * TTL, so a member that leaves never holds anybody's misses back, and a planted lease is worth nothing. Runs on
   * the partition owner, which knows the membership (Hazelcast injects the instance).
   */
  static final class TakeLease extends PutIfAbsent implements HazelcastInstanceAware {
    private transient HazelcastInstance hz;

    TakeLease() {
    }

    TakeLease(String holder, long ttlMillis) {
      super(holder, ttlMillis);
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    /** A lease stands while its holder is a member; with no membership to ask, until its TTL. */
    @Override
    boolean keeps(String holder) {
      if (hz == null) {
        return true;
      }
      for (Member m : hz.getCluster().getMembers()) {
        if (m.getUuid().toString().equals(holder)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int getClassId() {
      return TAKE_LEASE;
    }
  }

  /** Removes the entry only if it holds {@code value}; answers whether it did. */
  static final class RemoveIfValue extends Base<String, Boolean> {
    private String value;

    RemoveIfValue() {
    }

    RemoveIfValue(String value) {
      this.value = value;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (Objects.equals(valueOf(entry, String.class), value)) {
        entry.setValue(null);
        return Boolean.TRUE;
      }
      return Boolean.FALSE;
    }

    @Override
    public int getClassId() {
      return REMOVE_IF_VALUE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(value);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      value = in.readString();
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
