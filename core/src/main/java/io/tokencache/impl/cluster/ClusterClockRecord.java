package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * The {@link ClusterClock}'s record, one entry of {@value TokenMapConfig#CLOCK_MAP} kept by its partition owner (the
 * keeper): the keeper's offset to the cluster clock, the last time handed out, and who handed it out; and the entry
 * processor ({@link Tick}) that moves it on.
 */
final class ClusterClockRecord {

  final long offset;
  final long last;
  final String keeper;

  ClusterClockRecord(long offset, long last, String keeper) {
    this.offset = offset;
    this.last = last;
    this.keeper = keeper;
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeLong(offset);
    out.writeLong(last);
    out.writeUTF(keeper);
  }

  static ClusterClockRecord readFrom(DataInput in) throws IOException {
    return new ClusterClockRecord(in.readLong(), in.readLong(), in.readUTF());
  }

  /** The record in a map value, if it authenticates under {@code seal}. */
  static ClusterClockRecord of(ValueSeal seal, Object value) {
    return seal.open(TokenMapConfig.CLOCK_MAP, ClusterClock.KEY, value, ClusterClockRecord::readFrom);
  }

  /**
   * Moves the record on and answers the cluster time, on the keeper's clock. The new record is fixed in the
   * processor, so backups store exactly what the owner did.
   */
  static final class Tick extends EntryProcessors.Base<Object, Long> implements HazelcastInstanceAware {
    /** The asking member's continuation of its last estimate (its earliest bound), or {@link ClusterClock#NONE}. */
    long floor;
    /** The same estimate's latest bound, or {@link ClusterClock#NONE}. */
    long latest;
    /** The record the owner computed (then a backup only stores it). */
    ClusterClockRecord computed;
    private transient HazelcastInstance hz;

    Tick() {
    }

    Tick(long floor, long latest) {
      this.floor = floor;
      this.latest = latest;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    @Override
    public Long process(Map.Entry<String, Object> entry) {
      ValueSeal seal = EntryProcessors.sealOf(hz);
      if (computed == null) {
        // a record that does not authenticate (written without the key) is ignored: this member's last one stands
        ClusterClockRecord current = ClusterClockRecord.of(seal, EntryProcessors.rawValueOf(entry));
        if (current == null) {
          current = seal.lastWritten(TokenMapConfig.CLOCK_MAP, ClusterClock.KEY, ClusterClockRecord::readFrom);
        }
        computed = next(current, ownerNow(), keeper(), floor, latest);
      }
      ClusterClockRecord written = computed;
      Sealed value = seal.seal(TokenMapConfig.CLOCK_MAP, ClusterClock.KEY, written::writeTo);
      seal.remember(TokenMapConfig.CLOCK_MAP, ClusterClock.KEY, value);
      entry.setValue(value);
      return computed.last;
    }

    private long ownerNow() {
      Clock owner = hz == null ? null : (Clock) hz.getUserContext().get(HazelcastQuotaGate.OWNER_CLOCK);
      return owner != null ? owner.millis() : System.currentTimeMillis();
    }

    private String keeper() {
      return hz == null ? "" : hz.getCluster().getLocalMember().getUuid().toString();
    }

    /**
     * The record after a tick at the keeper's time {@code now}: forward only (see {@link ClusterClock}). A new keeper
     * does not bring its own clock in (the record's offset was another member's): the clock continues from the asking
     * member's latest estimate, or, from a member without one, from the last time handed out plus the longest gap
     * between ticks; from then on it runs at the new keeper's rate.
     */
    static ClusterClockRecord next(ClusterClockRecord current, long now, String keeper, long floor, long latest) {
      long t;
      if (current == null) {
        t = now;
      } else if (keeper.equals(current.keeper)) {
        t = Math.max(now + current.offset, current.last);
      } else if (latest != ClusterClock.NONE) {
        t = Math.max(current.last, Math.min(latest, current.last + ClusterClock.MAX_TAKEOVER_MILLIS));
      } else {
        t = current.last + ClusterClock.MAX_TICK_GAP_MILLIS;
      }
      if (floor != ClusterClock.NONE && floor > t) {
        t = Math.min(floor, t + ClusterClock.MAX_FLOOR_PUSH_MILLIS);
      }
      return new ClusterClockRecord(t - now, t, keeper);
    }

    @Override
    public int getClassId() {
      return EntryProcessors.CLOCK_TICK;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(floor);
      out.writeLong(latest);
      out.writeBoolean(computed != null);
      if (computed != null) {
        computed.writeTo(out);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      floor = in.readLong();
      latest = in.readLong();
      if (in.readBoolean()) {
        computed = ClusterClockRecord.readFrom(in);
      }
    }
  }
}
