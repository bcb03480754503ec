package io.tokencache.impl.cluster;

import com.hazelcast.spi.impl.merge.AbstractSplitBrainMergePolicy;
import com.hazelcast.spi.merge.MergingEntry;
import com.hazelcast.spi.merge.MergingValue;
import io.tokencache.impl.admission.ClientRecord;
import io.tokencache.impl.quota.BudgetLog;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;

/**
 * How each of token-cache's maps merges when the sides of a split cluster meet again (Hazelcast runs the policy on
 * the larger side's members, for every entry of the smaller side; {@code existing} is the larger side's). Set per
 * map by {@link TokenMapConfig#apply}; the trade-offs are in docs/cluster-design.md. A value of a foreign type loses
 * to one of ours, and two foreign values keep the larger side's.
 */
public final class MergePolicies {

  private MergePolicies() {
  }

  abstract static class Base extends AbstractSplitBrainMergePolicy<Object, MergingValue<Object>, Object> {
    @Override
    public int getFactoryId() {
      return EntryProcessors.FACTORY_ID;
    }

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
      if (existing == null) {
        return merging.getRawValue();
      }
      Object m = valueOf(merging);
      Object e = valueOf(existing);
      if (m == null) {
        return existing.getRawValue();
      }
      if (e == null) {
        return merging.getRawValue();
      }
      Object merged = merge(m, e);
      return merged == m ? merging.getRawValue() : merged == e ? existing.getRawValue() : merged;
    }

    /** The value to keep of two of this map's values ({@code merging} or {@code existing} themselves, or a new one). */
    abstract Object merge(Object merging, Object existing);

    static Object valueOf(MergingValue<Object> value) {
      try {
        return value.getValue();
      } catch (RuntimeException unreadable) {
        return null;
      }
    }
  }

  /**
   * Tokens: the one served until later (the newer generation). A token invalidated on one side and still held by the
   * other comes back here, and is then refused on every read by the invalidation that outlives it
   * ({@link InvalidationLog}).
   */
  public static final class LaterServeUntil extends Base {
    @Override
    Object merge(Object merging, Object existing) {
      if (!(merging instanceof EncryptedToken m)) {
        return existing;
      }
      if (!(existing instanceof EncryptedToken e)) {
        return merging;
      }
      return m.serveUntil() > e.serveUntil() ? merging : existing;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_TOKENS;
    }
  }

  /**
   * A map of {@link Sealed} values: each side's value counts only if it authenticates under the merging member's
   * seal (a value forged on either side loses to an authentic one, and two forged ones keep the larger side's).
   */
  private abstract static class SealedBase<T> extends Base {
    private final String map;
    private final ValueSeal.BodyReader<T> reader;

    SealedBase(String map, ValueSeal.BodyReader<T> reader) {
      this.map = map;
      this.reader = reader;
    }

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
      if (existing == null || !(merging instanceof MergingEntry<?, ?> entry) || !(entry.getKey() instanceof String key)) {
        return super.merge(merging, existing);
      }
      Object m = valueOf(merging);
      Object e = valueOf(existing);
      ValueSeal seal = m instanceof Sealed sm ? sm.memberSeal() : e instanceof Sealed se ? se.memberSeal() : null;
      T mine = seal == null ? null : seal.open(map, key, m, reader);
      T theirs = seal == null ? null : seal.open(map, key, e, reader);
      if (mine == null) {
        return existing.getRawValue();
      }
      if (theirs == null) {
        return merging.getRawValue();
      }
      T merged = mergeOpened(mine, theirs);
      return merged == mine ? merging.getRawValue() : merged == theirs ? existing.getRawValue()
        : seal.seal(map, key, out -> write(merged, out));
    }

    @Override
    final Object merge(Object merging, Object existing) {
      return existing;
    }

    /** The value to keep of two authentic ones ({@code merging} or {@code existing} themselves, or a new one). */
    abstract T mergeOpened(T merging, T existing);

    /** Writes a new merged value's body. */
    abstract void write(T value, DataOutput out) throws IOException;
  }

  /** Budgets: both sides' grants, and the back-off that ends latest ({@link BudgetLog#mergedWith}). */
  public static final class MergedBudget extends SealedBase<BudgetLog> {
    public MergedBudget() {
      super(TokenMapConfig.QUOTA_MAP, BudgetLog::readFrom);
    }

    @Override
    BudgetLog mergeOpened(BudgetLog merging, BudgetLog existing) {
      return existing.mergedWith(merging);
    }

    @Override
    void write(BudgetLog value, DataOutput out) throws IOException {
      value.writeTo(out);
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_BUDGET;
    }
  }

  /** Client records: what either side learnt, a refusal winning over an acceptance of the same secret ({@link ClientRecord#mergedWith}). */
  public static final class MergedClients extends SealedBase<ClientRecord> {
    public MergedClients() {
      super(TokenMapConfig.CLIENTS_MAP, ClientRecord::readFrom);
    }

    @Override
    ClientRecord mergeOpened(ClientRecord merging, ClientRecord existing) {
      return existing.mergedWith(merging);
    }

    @Override
    void write(ClientRecord value, DataOutput out) throws IOException {
      value.writeTo(out);
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_CLIENTS;
    }
  }

  /**
   * The cluster clock's record and the departure notes that share its map: the clock record further ahead, so the
   * merged clock never runs back for either side; of two notes, either.
   */
  public static final class LaterClock extends SealedBase<Object> {
    public LaterClock() {
      super(TokenMapConfig.CLOCK_MAP, LaterClock::read);
    }

    private static Object read(DataInput in) throws IOException {
      // the body of a departure note is one long; a clock record's is longer
      long first = in.readLong();
      try {
        long last = in.readLong();
        return new ClusterClockRecord(first, last, in.readUTF());
      } catch (EOFException note) {
        return first;
      }
    }

    @Override
    Object mergeOpened(Object merging, Object existing) {
      if (merging instanceof ClusterClockRecord m && existing instanceof ClusterClockRecord e) {
        return m.last > e.last ? merging : existing;
      }
      return existing;
    }

    @Override
    void write(Object value, DataOutput out) {
      throw new IllegalStateException("a merged clock value is always one of the two");
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_CLOCK;
    }
  }

  /** Invalidations: the later one, so a token issued before either stays refused. */
  public static final class LaterInvalidation extends SealedBase<Long> {
    public LaterInvalidation() {
      super(TokenMapConfig.INVALIDATIONS_MAP, DataInput::readLong);
    }

    @Override
    Long mergeOpened(Long merging, Long existing) {
      return merging > existing ? merging : existing;
    }

    @Override
    void write(Long value, DataOutput out) {
      throw new IllegalStateException("a merged invalidation is always one of the two");
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_INVALIDATIONS;
    }
  }
}
