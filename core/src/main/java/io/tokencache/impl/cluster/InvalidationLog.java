package io.tokencache.impl.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.tokencache.impl.CachedToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInput;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Invalidations that outlive the tokens they removed: when an operator invalidates a key or a client, the time (on
 * the {@link ClusterClock}) is kept in {@value TokenMapConfig#INVALIDATIONS_MAP} for as long as a token issued
 * before it could still be served, and every member refuses such a token on read. Removing the tokens is not
 * enough in a split cluster: the other side still holds them, and the merge would bring them back. The map merges
 * to the later invalidation ({@link MergePolicies.LaterInvalidation}), and every member keeps a copy of it, updated
 * by an entry listener (merged entries included), so the check on a hit is a lookup in an empty map almost always.
 */
public final class InvalidationLog {

  private static final Logger LOG = LoggerFactory.getLogger(InvalidationLog.class);
  private static final String KEY_PREFIX = "k:";
  private static final String CLIENT_PREFIX = "c:";

  private final Vertx vertx;
  private final IMap<String, Object> map;
  private final Clock clock;
  private final long ttlMillis;
  private final ConcurrentHashMap<String, Long> known = new ConcurrentHashMap<>();
  private volatile UUID listener;
  private volatile UUID lifecycleListener;
  private volatile HazelcastInstance hz;
  private final ValueSeal seal;

  private InvalidationLog(Vertx vertx, HazelcastInstance hz, Clock clock, Duration ttl) {
    this.vertx = vertx;
    this.seal = ValueSeal.of(hz);
    this.map = hz.getMap(TokenMapConfig.INVALIDATIONS_MAP);
    this.clock = clock;
    this.ttlMillis = ttl.toMillis();
  }

  /**
   * Listens and loads the invalidations already kept.
   *
   * @param clock the clock tokens' times are on (the {@link ClusterClock})
   * @param ttl how long an invalidation is kept: the longest a token may be served
   */
  public static Future<InvalidationLog> start(Vertx vertx, HazelcastInstance hz, Clock clock, Duration ttl) {
    InvalidationLog log = new InvalidationLog(vertx, hz, clock, ttl);
    // adding a listener and reading every entry have no async form
    return vertx.executeBlocking(() -> {
      log.listener = log.map.addEntryListener(log.new Listener(), true);
      log.load();
      // A member of the smaller side of a split rejoins the larger one empty: the invalidations made there before
      // the merge raised no event here. Read them all as soon as the merge is done (until then, from its rejoin,
      // this member may serve a token invalidated on the other side).
      log.lifecycleListener = hz.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          try {
            log.load();
            // Hazelcast's own lifecycle lines are below the level most deployments log at: this one tells an
            // operator (and a test) that the split is over for this member and its invalidations are current
            LOG.info("merged with the rest of the cluster after a split: {} invalidations known", log.known.size());
          } catch (RuntimeException e) {
            LOG.warn("could not read the cluster's invalidations after a merge: {}", e.toString());
          }
        }
      });
      log.hz = hz;
      return log;
    }, false);
  }

  private void load() {
    for (Map.Entry<String, Object> e : map.entrySet()) {
      learn(e.getKey(), e.getValue());
    }
  }

  /** Refuses, from now on, every token of {@code key} issued before now. */
  public Future<Void> invalidateKey(String key) {
    return record(KEY_PREFIX + key);
  }

  /** Refuses, from now on, every token of the client {@code clientTag} issued before now. */
  public Future<Void> invalidateClient(String clientTag) {
    return record(CLIENT_PREFIX + clientTag);
  }

  private Future<Void> record(String id) {
    // the earliest it can be now: a token fetched after this call is never refused by it (a token issued in the same
    // millisecond is not refused either; this side's copy is removed anyway)
    long at = ClusterClock.earliestMillis(clock);
    known.merge(id, at, Math::max);
    Sealed value = seal.seal(TokenMapConfig.INVALIDATIONS_MAP, id, out -> out.writeLong(at));
    return Future.fromCompletionStage(map.setAsync(id, value, HazelcastTokenStore.hazelcastTtl(ttlMillis),
      TimeUnit.MILLISECONDS), vertx.getOrCreateContext());
  }

  /** Whether {@code token}, read under {@code key}, was issued before an invalidation of its key or client. */
  public boolean refuses(String key, CachedToken token) {
    if (known.isEmpty()) {
      return false;
    }
    Long byKey = known.get(KEY_PREFIX + key);
    Long byClient = known.get(CLIENT_PREFIX + token.clientTag());
    return byKey != null && token.issuedAt() < byKey || byClient != null && token.issuedAt() < byClient;
  }

  /**
   * Keeps an invalidation that authenticates; one written without the key is ignored (a forged invalidation would
   * otherwise make a key's tokens read as absent). One further ahead than this member's clock allows (written by a
   * member whose clock runs ahead) counts as of now: it refuses every token issued until now, not until then.
   */
  private void learn(String id, Object value) {
    Long at = seal.open(TokenMapConfig.INVALIDATIONS_MAP, id, value, DataInput::readLong);
    if (at != null) {
      known.merge(id, Math.min(at, clock.millis()), Math::max);
    }
  }

  private void forget(String id) {
    known.remove(id);
  }

  /** Stops listening. */
  public Future<Void> close() {
    UUID l = listener;
    if (l == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      try {
        map.removeEntryListener(l);
        if (lifecycleListener != null) {
          hz.getLifecycleService().removeLifecycleListener(lifecycleListener);
        }
      } catch (RuntimeException e) {
        LOG.debug("could not remove the invalidation listener", e);
      }
      return null;
    }, false);
  }

  private final class Listener implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>,
    EntryMergedListener<String, Object>, EntryRemovedListener<String, Object>, EntryExpiredListener<String, Object>,
    EntryEvictedListener<String, Object> {

    @Override
    public void entryAdded(EntryEvent<String, Object> event) {
      learn(event.getKey(), value(event));
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      learn(event.getKey(), value(event));
    }

    @Override
    public void entryMerged(EntryEvent<String, Object> event) {
      learn(event.getKey(), value(event));
    }

    @Override
    public void entryRemoved(EntryEvent<String, Object> event) {
      forget(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, Object> event) {
      forget(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, Object> event) {
      forget(event.getKey());
    }

    private Object value(EntryEvent<String, Object> event) {
      try {
        return event.getValue();
      } catch (RuntimeException unreadable) {
        return null;
      }
    }
  }
}
