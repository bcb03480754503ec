package io.tokencache.impl.quota;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One upstream's budget: a log of the grants of the last sliding windows (and those reserved ahead), each with
 * its {@link Lane} and client tag, plus a shared back-off ("nobody calls before t").
 *
 * <p>A grant at time t for lane L is the earliest time not before now at which, with it added:
 * <ul>
 *   <li>every sliding window holds at most the quota (the IdP's limit);</li>
 *   <li>for each lane from {@link Lane#KNOWN} down to L, the grants of that lane and the lanes below it hold at
 *   most their {@linkplain BudgetPolicy#share share} of every window: lower lanes never use the headroom kept
 *   for higher ones, and a higher lane may use all a lower one leaves;</li>
 *   <li>outside {@link Lane#REFRESH}, while another client holds grants of the last window or ahead, one
 *   client's grants hold at most its share of the lane's windows, so one client id cannot starve the others of
 *   its lane; alone, it may use all of it.</li>
 * </ul>
 *
 * <p>Why hand-written: identity providers count with token buckets, and a budget of Q per fixed 1 s window
 * (Resilience4j's {@code RateLimiter}, Bucket4j's interval refill) can emit 2Q within one second across a window
 * boundary. A log of grant times bounds every sliding window exactly, and a sequence it allows conforms to the
 * IdP's token bucket (capacity Q, Q per second); no library keeps nested lane caps in one such log. It is small
 * and pure, so the cluster runs it inside an entry processor on its partition owner and a single member runs it
 * in memory. Reservations of lower lanes may lie ahead of later higher-lane ones, so the log is kept sorted and
 * a candidate time is checked against every window that would contain it, rather than as a ring of the last Q.
 *
 * <p>Cost: O(grants kept x lanes) per reservation; the log holds the grants of the longest window plus those
 * reserved ahead (at most the quota times the longest wait), a few hundred for quotas of tens per second.
 * Times are epoch milliseconds of the caller; not thread-safe (callers serialise access).
 *
 * <p>Over the usual size because the log, its clocks across owner changes, its merge and its wire form are one
 * value that the cluster's entry processors move between members: they must change together.
 */
public final class BudgetLog {

  private static final long NONE = Long.MIN_VALUE / 4;

  private long[] times = new long[16];
  private byte[] lanes = new byte[16];
  private String[] clients = new String[16];
  private int size;
  /** The back-off: when it was set and until when, on the cluster clock (see {@link #usedBy}). */
  private long blockSetAt = NONE;
  private long blockedUntil = NONE;
  /** The member whose clock the grants' times are on (the budget's owner when it last wrote), or {@code null}. */
  private String owner;
  /** When that member last used the log, on its clock. */
  private long usedAt = NONE;
  /** The cluster clock less the current user's clock ({@link #usedBy}); 0 for a log used by one process alone. */
  private transient long clusterOffset;
  /** Scratch array for one constraint's grant times. */
  private transient long[] scratch = new long[16];

  /**
   * Puts the log on {@code member}'s clock before {@code member} uses it at {@code now} (its time), when the cluster
   * clock reads {@code clusterNow} on it.
   *
   * <p>The grants' times are on the clock of the member that last used the log, the budget's owner then. When
   * another member owns it (a migration, a crash, the sides of a split merged), its clock may be seconds off that
   * one's: read as they are, the grants would look older than they are (their windows free again: more than the
   * quota at once) or later. So every grant moves by the difference between {@code now} and the last use, as if that
   * had just happened: grants never look older than they are, at the cost of at most one window of budget after an
   * owner change. (Not the cluster clock: a forward step of it, which is safe for tokens, would make the grants look
   * older and empty their windows at once.)
   *
   * <p>The back-off is on the cluster clock: it is a point in time the IdP gave, it lasts up to a minute, and moved
   * like the grants it would start again at an owner change after a quiet minute. A forward step of the cluster clock
   * ends it early by that step, at worst one early call the IdP refuses again.
   */
  public void usedBy(String member, long now, long clusterNow) {
    if (!member.equals(owner) && usedAt != NONE && now != usedAt) {
      long shift = now - usedAt;
      for (int i = 0; i < size; i++) {
        times[i] += shift;
      }
    }
    owner = member;
    usedAt = now;
    clusterOffset = clusterNow - now;
  }

  /**
   * Reserves the earliest slot not before {@code now} for {@code lane}.
   *
   * @param client the requesting client's tag (never a client id in plaintext), or {@code null}
   * @return the delay in ms until the slot (0: send now); or {@code -(delay + 1)} with nothing reserved when the
   *     budget is held back by a back-off (delay: until it ends, whatever {@code maxWaitMillis}: misses fail fast
   *     during an outage) or when the delay would exceed {@code maxWaitMillis}
   */
  public long reserve(BudgetPolicy policy, long now, Lane lane, String client, long maxWaitMillis) {
    prune(policy, now);
    long blocked = blockedUntil(policy, now);
    if (blocked > now) {
      return -(blocked - now + 1);
    }
    long at = now;
    for (int round = 0; round < 64; round++) {
      long next = at;
      for (int level = 0; level <= lane.ordinal(); level++) {
        Lane l = Lane.of(level);
        next = earliest(collect(level, null), policy.capacity(policy.share(l)), policy.window(policy.share(l)), next);
      }
      if (lane != Lane.REFRESH && client != null && othersActive(client, now - policy.window(policy.share(lane)))) {
        double share = policy.share(lane);
        int cap = Math.max(1, (int) Math.floor(policy.clientShare() * policy.capacity(share)));
        next = earliest(collect(Lane.KNOWN.ordinal(), client), cap, policy.window(share), next);
      }
      if (next == at) {
        break;
      }
      at = next;
    }
    long delay = at - now;
    if (delay > maxWaitMillis) {
      return -(delay + 1);
    }
    insert(at, lane, client);
    return delay;
  }

  /**
   * Holds every reservation back until {@code until}, but never longer than the policy's maximum from
   * {@code now}. A longer back-off replaces a shorter one; a shorter one never shortens a longer one.
   */
  public void blockUntil(BudgetPolicy policy, long now, long until) {
    long capped = Math.min(until, now + policy.maxBackOffMillis());
    if (capped > blockedUntil(policy, now)) {
      blockSetAt = now + clusterOffset;
      blockedUntil = capped + clusterOffset;
    }
  }

  /**
   * The time before which no slot is handed out under {@code policy} at {@code now}: the back-off, cut to the
   * policy's maximum counted from when it was set, so a back-off written by a member with a longer maximum (or
   * none) never outlives this one's. A back-off that claims to have been set more than that maximum after
   * {@code now} (a writer's clock far ahead, or a value nobody honest wrote) is ignored: no value read from the
   * cluster holds the budget back longer than twice the maximum from now.
   */
  public long blockedUntil(BudgetPolicy policy, long now) {
    long clusterNow = now + clusterOffset;
    if (blockSetAt == NONE || blockSetAt > clusterNow + policy.maxBackOffMillis()) {
      return NONE;
    }
    return Math.min(blockedUntil, blockSetAt + policy.maxBackOffMillis()) - clusterOffset;
  }

  /**
   * The log after the sides of a split cluster merge: every grant of both (their windows may then hold more than
   * the quota, which only delays the next reservations until they clear), and the back-off that ends latest.
   */
  public BudgetLog mergedWith(BudgetLog other) {
    BudgetLog merged = new BudgetLog();
    // the sides' owners' clocks may differ: no owner, so the next one moves the times as after an owner change
    merged.usedAt = Math.max(usedAt, other.usedAt);
    BudgetLog block = other.blockedUntil > blockedUntil ? other : this;
    merged.blockSetAt = block.blockSetAt;
    merged.blockedUntil = block.blockedUntil;
    for (BudgetLog side : new BudgetLog[] {this, other}) {
      for (int i = 0; i < side.size; i++) {
        merged.insert(side.times[i], Lane.of(side.lanes[i]), side.clients[i]);
      }
    }
    return merged;
  }

  /** Grants kept (the last windows' and those reserved ahead). */
  public int size() {
    return size;
  }

  /**
   * The earliest time from {@code t} at which a grant keeps every window of {@code window} ms over {@code s}
   * (sorted, {@code n} of them) at most {@code capacity}: with the grant, no {@code capacity + 1} of them may lie
   * within less than {@code window} of each other. A time that breaks such a group can only escape it by moving
   * past the group's first grant plus the window.
   */
  static long earliest(long[] s, int n, int capacity, long window, long t) {
    if (n < capacity) {
      return t;
    }
    while (true) {
      long escape = Long.MIN_VALUE;
      int i = lowerBound(s, n, t - window + 1);
      for (; i + capacity - 1 < n; i++) {
        long last = s[i + capacity - 1];
        if (last >= t + window) {
          break;
        }
        if (Math.max(t, last) - Math.min(t, s[i]) < window) {
          escape = Math.max(escape, s[i] + window);
        }
      }
      if (escape == Long.MIN_VALUE) {
        return t;
      }
      t = escape;
    }
  }

  private long earliest(int n, int capacity, long window, long t) {
    return earliest(scratch, n, capacity, window, t);
  }

  /**
   * Whether a client other than {@code client} holds a grant outside {@link Lane#REFRESH} at or after
   * {@code since} (in the last window or reserved ahead). Fairness is work-conserving: a client alone in the
   * lanes may use all of its lane, and is held to its share as soon as another client asks.
   */
  private boolean othersActive(String client, long since) {
    for (int i = size - 1; i >= 0 && times[i] >= since; i--) {
      if (lanes[i] >= Lane.KNOWN.ordinal() && clients[i] != null && !client.equals(clients[i])) {
        return true;
      }
    }
    return false;
  }

  /** Copies into {@link #scratch} the times of grants of lanes {@code >= level} (of one client, if given). */
  private int collect(int level, String client) {
    if (scratch.length < size) {
      scratch = new long[times.length];
    }
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (lanes[i] >= level && (client == null || client.equals(clients[i]))) {
        scratch[n++] = times[i];
      }
    }
    return n;
  }

  /** The first index whose time is at least {@code t}. */
  private static int lowerBound(long[] s, int n, long t) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (s[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void insert(long at, Lane lane, String client) {
    if (size == times.length) {
      int grown = size * 2;
      times = Arrays.copyOf(times, grown);
      lanes = Arrays.copyOf(lanes, grown);
      clients = Arrays.copyOf(clients, grown);
    }
    int p = size;
    while (p > 0 && times[p - 1] > at) {
      p--;
    }
    System.arraycopy(times, p, times, p + 1, size - p);
    System.arraycopy(lanes, p, lanes, p + 1, size - p);
    System.arraycopy(clients, p, clients, p + 1, size - p);
    times[p] = at;
    lanes[p] = (byte) lane.ordinal();
    clients[p] = client;
    size++;
  }

  /**
   * Drops grants that no window containing {@code now} or a later time can hold any more, and grants reserved
   * further ahead than any member may wait (at most the maximum back-off, see {@code UpstreamOptions#validate}): a
   * log filled with far-future grants by a writer that is not token-cache, or by a clock far ahead, cannot refuse
   * every reservation for longer than that.
   */
  private void prune(BudgetPolicy policy, long now) {
    long horizon = now + policy.maxBackOffMillis() + policy.window(policy.passThroughShare());
    while (size > 0 && times[size - 1] > horizon) {
      clients[--size] = null;
    }
    long oldest = now - policy.window(policy.passThroughShare());
    int drop = 0;
    while (drop < size && times[drop] <= oldest) {
      drop++;
    }
    if (drop > 0) {
      System.arraycopy(times, drop, times, 0, size - drop);
      System.arraycopy(lanes, drop, lanes, 0, size - drop);
      System.arraycopy(clients, drop, clients, 0, size - drop);
      Arrays.fill(clients, size - drop, size, null);
      size -= drop;
    }
  }

  /** Writes the log (for Hazelcast's data serialization: no Java serialization across the wire). */
  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(blockSetAt);
    out.writeLong(blockedUntil);
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      out.writeLong(times[i]);
      out.writeByte(lanes[i]);
      out.writeBoolean(clients[i] != null);
      if (clients[i] != null) {
        out.writeUTF(clients[i]);
      }
    }
    out.writeBoolean(owner != null);
    if (owner != null) {
      out.writeUTF(owner);
    }
    out.writeLong(usedAt);
  }

  /** Reads {@link #writeTo}'s form. */
  public static BudgetLog readFrom(DataInput in) throws IOException {
    BudgetLog log = new BudgetLog();
    log.blockSetAt = in.readLong();
    log.blockedUntil = in.readLong();
    int n = in.readInt();
    if (n < 0 || n > 1_000_000) {
      throw new IOException("implausible budget log size " + n);
    }
    for (int i = 0; i < n; i++) {
      long at = in.readLong();
      int lane = in.readByte();
      if (lane < 0 || lane >= Lane.values().length) {
        throw new IOException("unknown lane " + lane);
      }
      String client = in.readBoolean() ? in.readUTF() : null;
      log.insert(at, Lane.of(lane), client);
    }
    try {
      log.owner = in.readBoolean() ? in.readUTF() : null;
      log.usedAt = in.readLong();
    } catch (EOFException writtenBeforeOwners) {
      // a log written by a member that did not record its owner: the next owner moves nothing
    }
    return log;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BudgetLog other) || other.size != size || other.blockSetAt != blockSetAt
      || other.blockedUntil != blockedUntil) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      if (times[i] != other.times[i] || lanes[i] != other.lanes[i] || !Objects.equals(clients[i], other.clients[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(size, blockedUntil);
  }
}
