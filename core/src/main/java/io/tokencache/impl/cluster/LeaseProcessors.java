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
 * partition owner: {@link Take}, {@link Claim}, {@link Release} and {@link ReleaseStored}. A lease is a
 * {@linkplain ValueSeal sealed} (holder, until) pair; a holder that stored its token leaves a marker in its place,
 * a pair whose holder is {@link #STORED}.
 */
final class LeaseProcessors {

  /**
   * The holder of a lease given back after its token was stored. Not a member's id, so it never stands as a lease:
   * a member of an older version takes it over as it would a lapsed one.
   */
  static final String STORED = "stored";

  /** {@link Claim}'s answers. */
  static final byte TAKEN = 0;
  static final byte HELD = 1;
  static final byte FOUND_STORED = 2;

  private LeaseProcessors() {
  }

  /** Whether {@code holder} is a current member of the cluster {@code hz} belongs to. */
  private static boolean isMember(HazelcastInstance hz, String holder) {
    for (Member m : hz.getCluster().getMembers()) {
      if (m.getUuid().toString().equals(holder)) {
        return true;
      }
    }
    return false;
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
      // a stored marker names no member: taken over like a lapsed lease
      return claim(hz, entry, lease, ttlMillis, false) == TAKEN;
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
      lease = readSealed(in);
      ttlMillis = in.readLong();
    }
  }

  /**
   * {@link Take}, which also tells a lease given back with its token stored ({@link ReleaseStored}) from a free one:
   * a miss that looked for the token before another member stored it learns so here, in the round trip that would
   * have taken the lease, instead of reading the token a second time on every miss. With {@code seeStored} false a
   * stored marker is taken over like a free lease (the token it stood for was removed since).
   */
  static final class Claim extends EntryProcessors.Base<Object, Byte> implements HazelcastInstanceAware {
    private Sealed lease;
    private long ttlMillis;
    private boolean seeStored;
    private transient HazelcastInstance hz;

    Claim() {
    }

    Claim(Sealed lease, long ttlMillis, boolean seeStored) {
      this.lease = lease;
      this.ttlMillis = ttlMillis;
      this.seeStored = seeStored;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    @Override
    public Byte process(Map.Entry<String, Object> entry) {
      return claim(hz, entry, lease, ttlMillis, seeStored);
    }

    @Override
    public int getClassId() {
      return EntryProcessors.CLAIM_LEASE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeObject(lease);
      out.writeLong(ttlMillis);
      out.writeBoolean(seeStored);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      lease = readSealed(in);
      ttlMillis = in.readLong();
      seeStored = in.readBoolean();
    }
  }

  /**
   * What {@link Take} and {@link Claim} do: HELD if a lease stands (it authenticates, its end has not passed on the
   * owner's cluster clock, which is the clock it was written on, and its holder is a current member), FOUND_STORED
   * for a standing stored marker when {@code seeStored}, else the lease is set and TAKEN.
   */
  private static byte claim(HazelcastInstance hz, Map.Entry<String, Object> entry, Sealed lease, long ttlMillis,
                            boolean seeStored) {
    Object existing = EntryProcessors.rawValueOf(entry);
    Lease current = existing == null ? null
      : EntryProcessors.sealOf(hz).open(TokenMapConfig.LEASES_MAP, entry.getKey(), existing, Lease::read);
    if (current != null && current.until > ClusterClock.ownerMillis(hz)) {
      if (STORED.equals(current.holder)) {
        if (seeStored) {
          return FOUND_STORED;
        }
      } else if (isMember(hz, current.holder)) {
        return HELD;
      }
    }
    EntryProcessors.setValue(entry, lease, ttlMillis);
    return TAKEN;
  }

  private static Sealed readSealed(ObjectDataInput in) throws IOException {
    Object l = in.readObject();
    if (!(l instanceof Sealed s)) {
      throw new IOException("not a sealed lease");
    }
    return s;
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

  /**
   * Replaces the lease by a {@link #STORED} marker (lasting {@code ttlMillis}) if it authenticates and
   * {@code holder} holds it; answers whether it did. Waiters hear of it as of a release (an update of the lease).
   */
  static final class ReleaseStored extends EntryProcessors.Base<Object, Boolean> implements HazelcastInstanceAware {
    private String holder;
    private Sealed marker;
    private long ttlMillis;
    private transient HazelcastInstance hz;

    ReleaseStored() {
    }

    ReleaseStored(String holder, Sealed marker, long ttlMillis) {
      this.holder = holder;
      this.marker = marker;
      this.ttlMillis = ttlMillis;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    @Override
    public Boolean process(Map.Entry<String, Object> entry) {
      Object existing = EntryProcessors.rawValueOf(entry);
      if (existing != null && holder.equals(holderOf(EntryProcessors.sealOf(hz), entry.getKey(), existing))) {
        EntryProcessors.setValue(entry, marker, ttlMillis);
        return Boolean.TRUE;
      }
      return Boolean.FALSE;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.RELEASE_STORED;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(holder);
      out.writeObject(marker);
      out.writeLong(ttlMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      holder = in.readString();
      marker = readSealed(in);
      ttlMillis = in.readLong();
    }
  }
}
