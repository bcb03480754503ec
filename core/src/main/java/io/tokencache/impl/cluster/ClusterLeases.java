package io.tokencache.impl.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.tokencache.impl.CachedToken;
import io.tokencache.impl.store.FetchLeases;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;

/**
 * Cluster-wide single flight ({@link FetchLeases}) through the {@value TokenMapConfig#LEASES_MAP} map: a lease is a
 * {@linkplain ValueSeal sealed} (holder, until) pair taken by an entry processor on the key's owner.
 *
 * <p><b>What a lease can and cannot do.</b> A lease stands while it authenticates, its holder is a member of the
 * cluster and its own end has not passed on the owner's cluster clock; anything else is taken over by the next miss. So
 * a lease planted by a member without the key is worth nothing, a lease replayed from the wire ends when it did,
 * and a member that leaves holds nobody's misses back. A waiter never waits past the caller's timeout (the
 * coalescing bound), whatever the map holds.
 *
 * <p><b>Stored markers.</b> A leader that stored its token gives the lease back as a marker ({@link #releaseStored}):
 * a miss whose first look came before the token was stored learns so from its {@link #claim}, and only then reads
 * the token again (see docs/cluster-design.md, the path of a miss).
 *
 * <p><b>Waiters.</b> One entry listener on the token map and one on the lease map (added once in {@link #start})
 * dispatch to the waiters of this member, registered by key and by lease key. A token added or updated under a
 * waited-for key completes its waiters with it (the event carries the value, so no read follows); a lease removed,
 * expired, evicted or replaced (by a stored marker, or taken over) makes its waiters read the token from its
 * partition owner (never a near cache, since the token's invalidation and the lease's removal travel separately)
 * and complete with it, or with null. Listener callbacks run on Hazelcast event threads; waiters are completed on
 * their caller's Vert.x context.
 *
 * <p>A little over the usual size: taking, giving back and waiting share the lease's format and the waiters'
 * registry, and the listeners must see every way a lease ends.
 */
public final class ClusterLeases implements FetchLeases {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterLeases.class);

  private final Vertx vertx;
  private final HazelcastTokenStore tokens;
  private final IMap<String, Object> leases;
  private final IMap<String, Object> tokenMap;
  private final ValueSeal seal;
  private final Clock clock;
  private final String memberId;
  private final BiPredicate<String, CachedToken> refused;
  private final ConcurrentHashMap<String, List<Waiter>> waitersByKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<Waiter>> waitersByLease = new ConcurrentHashMap<>();
  private volatile UUID tokenListener;
  private volatile UUID leaseListener;
  private volatile boolean closed;

  private ClusterLeases(Vertx vertx, HazelcastInstance hz, HazelcastTokenStore tokens, Clock clock,
                        BiPredicate<String, CachedToken> refused) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.leases = hz.getMap(TokenMapConfig.LEASES_MAP);
    this.tokenMap = hz.getMap(TokenMapConfig.TOKENS_MAP);
    this.seal = ValueSeal.of(hz);
    this.clock = clock;
    this.memberId = hz.getCluster().getLocalMember().getUuid().toString();
    this.refused = refused;
  }

  /**
   * Starts listening for the waiters of this member.
   *
   * @param tokens the store the tokens waited for are read from
   * @param clock the clock a lease's end is written on (the cluster clock)
   * @param refused tokens a waiter must not be handed (invalidated ones)
   */
  public static Future<ClusterLeases> start(Vertx vertx, HazelcastInstance hz, HazelcastTokenStore tokens, Clock clock,
                                            BiPredicate<String, CachedToken> refused) {
    ClusterLeases leases = new ClusterLeases(vertx, hz, tokens, clock, refused);
    // addEntryListener registers on every member and waits for it: no async form
    return vertx.executeBlocking(() -> {
      leases.tokenListener = leases.tokenMap.addEntryListener(leases.new TokenListener(), true);
      leases.leaseListener = leases.leases.addEntryListener(leases.new LeaseListener(), false);
      return leases;
    }, false);
  }

  /**
   * Acquires the lease by a put-if-absent with a TTL on the lease's owner ({@link LeaseProcessors.Take}); a lease
   * that does not stand (see the class comment) is taken over. It lapses between {@code ttl} and {@code ttl} + 2 s later
   * (Hazelcast's TTLs have a one-second granularity; see {@link HazelcastTokenStore#hazelcastTtl}), and its
   * waiters hear of it within about a second more (the expiry sweep's period).
   */
  @Override
  public Future<Boolean> tryLease(String leaseKey, Duration ttl) {
    long ttlMillis = HazelcastTokenStore.hazelcastTtl(Math.max(1, ttl.toMillis()));
    Sealed lease = sealLease(leaseKey, memberId, clock.millis() + ttlMillis);
    return Future.fromCompletionStage(leases.submitToKey(leaseKey, new LeaseProcessors.Take(lease, ttlMillis)),
      vertx.getOrCreateContext()).map(Boolean::booleanValue);
  }

  @Override
  public Future<Claim> claim(String key, Duration ttl, boolean seeStored) {
    long ttlMillis = HazelcastTokenStore.hazelcastTtl(Math.max(1, ttl.toMillis()));
    Sealed lease = sealLease(key, memberId, clock.millis() + ttlMillis);
    return Future.fromCompletionStage(leases.submitToKey(key, new LeaseProcessors.Claim(lease, ttlMillis, seeStored)),
      vertx.getOrCreateContext()).map(answer -> switch (answer) {
        case LeaseProcessors.TAKEN -> Claim.TAKEN;
        case LeaseProcessors.HELD -> Claim.HELD;
        default -> Claim.STORED;
      });
  }

  @Override
  public Future<Void> releaseStored(String key, Duration keep) {
    long ttlMillis = HazelcastTokenStore.hazelcastTtl(Math.max(1, keep.toMillis()));
    Sealed marker = sealLease(key, LeaseProcessors.STORED, clock.millis() + ttlMillis);
    return Future.fromCompletionStage(leases.submitToKey(key,
        new LeaseProcessors.ReleaseStored(memberId, marker, ttlMillis)), vertx.getOrCreateContext())
      .mapEmpty();
  }

  @Override
  public Future<CachedToken> readStored(String key) {
    return tokens.getFromOwner(key).map(token -> token != null && refused.test(key, token) ? null : token);
  }

  private Sealed sealLease(String leaseKey, String holder, long until) {
    return seal.seal(TokenMapConfig.LEASES_MAP, leaseKey, out -> {
      out.writeUTF(holder);
      out.writeLong(until);
    });
  }

  /** Removes the lease only if this member still holds it (it may have lapsed and been taken by another). */
  @Override
  public Future<Void> releaseLease(String leaseKey) {
    return Future.fromCompletionStage(leases.submitToKey(leaseKey, new LeaseProcessors.Release(memberId)),
        vertx.getOrCreateContext())
      .mapEmpty();
  }

  @Override
  public Future<CachedToken> awaitUpdate(String key, String leaseKey, Duration timeout) {
    if (closed) {
      return Future.succeededFuture(null);
    }
    Context context = vertx.getOrCreateContext();
    Waiter waiter = new Waiter(key, leaseKey, context);
    waiter.timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> finish(waiter, null));
    register(waiter);
    // Listening now; whatever was stored or released before is not going to raise an event: look once.
    tokens.getFromOwner(key).onComplete(read -> {
      CachedToken token = read.succeeded() ? read.result() : null;
      if (token != null) {
        finish(waiter, token);
      } else if (!waiter.done.get()) {
        Future.fromCompletionStage(leases.getAsync(leaseKey), context).onComplete(lease -> {
          // gone, unreadable, not authentic, or given back with its token stored: no lease anybody could be waited for
          String holder = lease.failed() ? null : LeaseProcessors.holderOf(seal, leaseKey, lease.result());
          if (holder == null || holder.equals(LeaseProcessors.STORED)) {
            onLeaseGone(leaseKey);
          }
        });
      }
    });
    return waiter.promise.future();
  }

  private void register(Waiter w) {
    waitersByKey.compute(w.key, (k, list) -> add(list, w));
    waitersByLease.compute(w.leaseKey, (k, list) -> add(list, w));
    if (w.done.get() || closed) {
      // finished (timer, close) while registering: make sure it does not stay
      deregister(w);
      if (closed) {
        finish(w, null);
      }
    }
  }

  private static List<Waiter> add(List<Waiter> list, Waiter w) {
    List<Waiter> l = list == null ? new CopyOnWriteArrayList<>() : list;
    l.add(w);
    return l;
  }

  private void deregister(Waiter w) {
    waitersByKey.computeIfPresent(w.key, (k, list) -> list.remove(w) && list.isEmpty() ? null : list);
    waitersByLease.computeIfPresent(w.leaseKey, (k, list) -> list.remove(w) && list.isEmpty() ? null : list);
  }

  private void finish(Waiter w, CachedToken token) {
    if (w.done.compareAndSet(false, true)) {
      vertx.cancelTimer(w.timer);
      deregister(w);
      CachedToken handed = token != null && refused.test(w.key, token) ? null : token;
      w.context.runOnContext(v -> w.promise.complete(handed));
    }
  }

  private void onToken(String key, EntryEvent<String, Object> event) {
    List<Waiter> waiting = waitersByKey.get(key);
    if (waiting == null || waiting.isEmpty()) {
      return;
    }
    Object value;
    try {
      value = event.getValue();
    } catch (RuntimeException unreadable) {
      return;
    }
    CachedToken token = value instanceof EncryptedToken enc ? tokens.open(key, enc) : null;
    if (token != null) {
      for (Waiter w : waiting) {
        finish(w, token);
      }
    }
  }

  private void onLeaseGone(String leaseKey) {
    List<Waiter> waiting = waitersByLease.get(leaseKey);
    if (waiting == null || waiting.isEmpty()) {
      return;
    }
    for (Waiter w : waiting) {
      // the holder stores before releasing, but the token's event may still be on its way: ask the owner
      tokens.getFromOwner(w.key).onComplete(read -> finish(w, read.succeeded() ? read.result() : null));
    }
  }

  @Override
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    List<Waiter> pending = new ArrayList<>();
    waitersByKey.values().forEach(pending::addAll);
    pending.forEach(w -> finish(w, null));
    UUID t = tokenListener;
    UUID l = leaseListener;
    return vertx.executeBlocking(() -> {
      // removeEntryListener deregisters on every member and waits: no async form
      try {
        if (t != null) {
          tokenMap.removeEntryListener(t);
        }
        if (l != null) {
          leases.removeEntryListener(l);
        }
      } catch (RuntimeException e) {
        // the member is shutting down: its listeners go with it
        LOG.debug("could not remove the lease listeners", e);
      }
      return null;
    }, false);
  }

  /** The holder of a lease value, if it authenticates (else null, counted). */
  private final class TokenListener implements EntryAddedListener<String, Object>,
    EntryUpdatedListener<String, Object> {

    @Override
    public void entryAdded(EntryEvent<String, Object> event) {
      onToken(event.getKey(), event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      onToken(event.getKey(), event);
    }
  }

  private final class LeaseListener implements EntryRemovedListener<String, Object>,
    EntryExpiredListener<String, Object>, EntryEvictedListener<String, Object>, EntryUpdatedListener<String, Object> {

    /**
     * A lease given back with its token stored, or a lapsed one taken over: either way its waiters look again
     * (without values in the events, the two are not told apart; the second is rare).
     */
    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      onLeaseGone(event.getKey());
    }

    @Override
    public void entryRemoved(EntryEvent<String, Object> event) {
      onLeaseGone(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, Object> event) {
      onLeaseGone(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, Object> event) {
      onLeaseGone(event.getKey());
    }
  }

  private static final class Waiter {
    final String key;
    final String leaseKey;
    final Context context;
    final Promise<CachedToken> promise = Promise.promise();
    final AtomicBoolean done = new AtomicBoolean();
    volatile long timer;

    Waiter(String key, String leaseKey, Context context) {
      this.key = key;
      this.leaseKey = leaseKey;
      this.context = context;
    }
  }
}
