package io.tokencache.impl.cluster;

import com.hazelcast.spi.impl.merge.AbstractSplitBrainMergePolicy;
import com.hazelcast.spi.merge.MergingValue;

/**
 * How each of token-cache's maps merges when the sides of a split cluster meet again (Hazelcast runs the policy on
 * the larger side's members, for every entry of the smaller side; {@code existing} is the larger side's). Set per
 * map by {@link TokenMapConfig#apply}; the trade-offs are in docs/cluster-design.md. A value of a foreign type loses
 * to one of ours, and two foreign values keep the larger side's.
 */
public final class MergePolicies {

  private MergePolicies() {
  }

  private abstract static class Base extends AbstractSplitBrainMergePolicy<Object, MergingValue<Object>, Object> {
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

    private static Object valueOf(MergingValue<Object> value) {
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

  /** Budgets: both sides' grants, and the back-off that ends latest ({@link io.tokencache.impl.quota.BudgetLog#mergedWith}). */
  public static final class MergedBudget extends Base {
    @Override
    Object merge(Object merging, Object existing) {
      if (!(merging instanceof BudgetEntry m)) {
        return existing;
      }
      if (!(existing instanceof BudgetEntry e)) {
        return merging;
      }
      return new BudgetEntry(e.log().mergedWith(m.log()));
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_BUDGET;
    }
  }

  /**
   * Client records: what either side learnt, a refusal winning over an acceptance of the same secret
   * ({@link io.tokencache.impl.admission.ClientRecord#mergedWith}).
   */
  public static final class MergedClients extends Base {
    @Override
    Object merge(Object merging, Object existing) {
      if (!(merging instanceof ClientEntry m)) {
        return existing;
      }
      if (!(existing instanceof ClientEntry e)) {
        return merging;
      }
      return new ClientEntry(e.record().mergedWith(m.record()));
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_CLIENTS;
    }
  }

  /** The cluster clock's record: the one further ahead, so the merged clock never runs back for either side. */
  public static final class LaterClock extends Base {
    @Override
    Object merge(Object merging, Object existing) {
      if (!(merging instanceof ClusterClock.Record m)) {
        return existing;
      }
      if (!(existing instanceof ClusterClock.Record e)) {
        return merging;
      }
      return m.last > e.last ? merging : existing;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_CLOCK;
    }
  }

  /** Invalidations: the later one, so a token issued before either stays refused. */
  public static final class LaterInvalidation extends Base {
    @Override
    Object merge(Object merging, Object existing) {
      if (!(merging instanceof Long m)) {
        return existing;
      }
      if (!(existing instanceof Long e)) {
        return merging;
      }
      return m > e ? merging : existing;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.MERGE_INVALIDATIONS;
    }
  }
}
