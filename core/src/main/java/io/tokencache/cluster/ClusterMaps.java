package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nearcache.NearCacheStats;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.tokencache.impl.cluster.TokenMapConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * token-cache's maps as one member sees them, for health checks, admin endpoints and metrics: how many tokens, how
 * the near cache does, whether the maps answer. The map names stay core's own.
 */
public final class ClusterMaps {

  /** Key read from the lease map by {@link #probe}: never written. */
  static final String PROBE_KEY = "token-cache.readiness-probe";

  private ClusterMaps() {
  }

  /** Tokens this member holds as primary owner (local statistics, no remote call); 0 when it is not running. */
  public static long localTokens(HazelcastInstance hz) {
    try {
      return hz.getLifecycleService().isRunning()
        ? hz.getMap(TokenMapConfig.TOKENS_MAP).getLocalMapStats().getOwnedEntryCount()
        : 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Tokens in the whole cluster's map: a count every member answers, bounded by 5 s. */
  public static Future<Long> tokens(Vertx vertx, HazelcastInstance hz) {
    // IMap.size() asks every member and has no async form
    return vertx.executeBlocking(() -> (long) hz.getMap(TokenMapConfig.TOKENS_MAP).size(), false)
      .timeout(5, TimeUnit.SECONDS);
  }

  /** The token map's near-cache statistics on this member, or {@code null} if unavailable (shutting down). */
  public static NearCacheStats nearCacheStats(HazelcastInstance hz) {
    try {
      return hz.getLifecycleService().isRunning()
        ? hz.getMap(TokenMapConfig.TOKENS_MAP).getLocalMapStats().getNearCacheStats()
        : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * A bounded read from a partition owner: proves the cluster's maps answer. It reads the lease map, which has no
   * near cache (the token map's near cache would answer a repeated probe locally, proving nothing).
   */
  public static Future<Void> probe(Vertx vertx, HazelcastInstance hz, long timeoutMillis) {
    if (!hz.getLifecycleService().isRunning()) {
      return Future.failedFuture("not a running cluster member");
    }
    return Future.fromCompletionStage(hz.getMap(TokenMapConfig.LEASES_MAP).getAsync(PROBE_KEY),
        vertx.getOrCreateContext())
      // the owner answered: that a value someone wrote under the probe's key cannot be read here is no reason to
      // take this member out of rotation
      .recover(err -> err instanceof HazelcastSerializationException
        || err.getCause() instanceof HazelcastSerializationException
        ? Future.succeededFuture() : Future.failedFuture(err))
      .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
      .mapEmpty();
  }
}
