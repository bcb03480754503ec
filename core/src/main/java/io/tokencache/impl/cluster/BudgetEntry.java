package io.tokencache.impl.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.tokencache.impl.quota.BudgetLog;
import io.tokencache.impl.quota.BudgetPolicy;

import java.io.IOException;

/** The value of an upstream's entry in {@value TokenMapConfig#QUOTA_MAP}: its {@link BudgetLog}, data-serialized. */
final class BudgetEntry implements IdentifiedDataSerializable {

  private BudgetLog log;

  BudgetEntry() {
    this(new BudgetLog());
  }

  BudgetEntry(BudgetLog log) {
    this.log = log;
  }

  BudgetLog log() {
    return log;
  }

  @Override
  public int getFactoryId() {
    return EntryProcessors.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return EntryProcessors.BUDGET_ENTRY;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    log.writeTo(out);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    log = BudgetLog.readFrom(in);
  }

  static void writePolicy(ObjectDataOutput out, BudgetPolicy p) throws IOException {
    out.writeDouble(p.quotaPerSecond());
    out.writeLong(p.safetyMarginMillis());
    out.writeDouble(p.knownShare());
    out.writeDouble(p.unknownShare());
    out.writeDouble(p.passThroughShare());
    out.writeDouble(p.clientShare());
    out.writeLong(p.maxBackOffMillis());
  }

  static BudgetPolicy readPolicy(ObjectDataInput in) throws IOException {
    try {
      return new BudgetPolicy(in.readDouble(), in.readLong(), in.readDouble(), in.readDouble(), in.readDouble(),
        in.readDouble(), in.readLong());
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid budget policy: " + e.getMessage(), e);
    }
  }
}
