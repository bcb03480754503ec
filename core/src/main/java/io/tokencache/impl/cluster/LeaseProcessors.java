package io.tokencache.impl.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.DataInput;
import java.io.IOException;
import java.util.Map;

/**
 * The entry processors of {@link ClusterLeases} on the {@value TokenMapConfig#LEASES_MAP} map, run on a lease's
 * partition owner: {@link Take} and {@link Release}. A lease is a {@linkplain ValueSeal sealed}
 * (holder, until) pair.
 */
final class LeaseProcessors {

  private LeaseProcessors() {
  }

  static String holderOf(ValueSeal seal, String leaseKey, Object value) {
    Lease lease = seal.open(TokenMapConfig.LEASES_MAP, leaseKey, value, Lease::read);
    return lease == null ? null : lease.holder;
  }

  private record Lease(String holder, long until) {
    static Lease read(DataInput in) throws IOException {
      return new Lease(in.readUTF(), in.readLong());
    }
  }

  /**
   * Takes the lease unless one stands: it authenticates, its holder is a current member and its end has not
   * passed on the owner's cluster clock. Answers whether it was taken. Runs on the partition owner, which knows the
   * membership (Hazelcast injects the instance).
   */
  static final class Take extends EntryProcessors.Base<Object, Boolean> implements HazelcastInstanceAware {
    private Sealed lease;
    private long ttlMillis;
    private transient HazelcastInstance hz;

    Take() {
    }

    Take(Sealed lease, long ttlMillis) {
      this.lease = lease;
      this.ttlMillis = ttlMillis;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    @Override
    public Boolean process(Map.Entry<String, Object> entry) {
      Object existing = EntryProcessors.rawValueOf(entry);
      if (existing != null && stands(EntryProcessors.sealOf(hz).open(TokenMapConfig.LEASES_MAP, entry.getKey(),
        existing, Lease::read))) {
        return Boolean.FALSE;
      }
      EntryProcessors.setValue(entry, lease, ttlMillis);
      return Boolean.TRUE;
    }

    private boolean stands(Lease existing) {
      if (existing == null) {
        return false;
      }
      // its end was written on the taker's cluster clock: compared on the same clock, whatever this member's own
      // clock says (an owner whose clock runs ahead would otherwise let no lease stand)
      if (existing.until <= ClusterClock.ownerMillis(hz)) {
        return false;
      }
      for (Member m : hz.getCluster().getMembers()) {
        if (m.getUuid().toString().equals(existing.holder)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.TAKE_LEASE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeObject(lease);
      out.writeLong(ttlMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      Object l = in.readObject();
      if (!(l instanceof Sealed s)) {
        throw new IOException("not a sealed lease");
      }
      lease = s;
      ttlMillis = in.readLong();
    }
  }

  /** Removes the lease if it authenticates and {@code holder} holds it; answers whether it did. */
  static final class Release extends EntryProcessors.Base<Object, Boolean> implements HazelcastInstanceAware {
    private String holder;
    private transient HazelcastInstance hz;

    Release() {
    }

    Release(String holder) {
      this.holder = holder;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    @Override
    public Boolean process(Map.Entry<String, Object> entry) {
      Object existing = EntryProcessors.rawValueOf(entry);
      if (existing != null && holder.equals(holderOf(EntryProcessors.sealOf(hz), entry.getKey(), existing))) {
        entry.setValue(null);
        return Boolean.TRUE;
      }
      return Boolean.FALSE;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.RELEASE_LEASE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(holder);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      holder = in.readString();
    }
  }
}
