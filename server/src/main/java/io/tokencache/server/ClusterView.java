package io.tokencache.server;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nearcache.NearCacheStats;
import io.tokencache.cluster.ClusterMaps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;


/** What the admin API and readiness need to know about the cluster; an interface so tests can stub it. */
interface ClusterView {

  /** The members as this member sees them: {@code address}, {@code uuid}, {@code local}. */
  JsonArray members();

  /** Tokens this member holds as primary owner (local statistics, no remote call). */
  long localEntries();

  /** Tokens in the whole cluster's map (a cluster-wide count). */
  Future<Long> clusterEntries();

  /** Whether this member runs and belongs to a cluster. */
  boolean running();

  /**
   * A bounded read from a partition owner: proves the cluster's maps answer. It reads the lease map, which has no
   * near cache (the token map's near cache would answer a repeated probe locally, proving nothing).
   */
  Future<Void> probeMap(long timeoutMillis);

  /** Reads of the token map this member's near cache answered ({@code hits}) and could not ({@code misses}). */
  default JsonObject nearCache() {
    return new JsonObject().put("hits", 0L).put("misses", 0L);
  }

  /** The view of the Hazelcast member behind {@code vertx}. */
  static ClusterView of(Vertx vertx, HazelcastInstance hz) {
    return new ClusterView() {
      @Override
      public JsonArray members() {
        JsonArray list = new JsonArray();
        if (!running()) {
          return list;
        }
        for (Member m : hz.getCluster().getMembers()) {
          list.add(new JsonObject()
            .put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort())
            .put("uuid", m.getUuid().toString())
            .put("local", m.localMember()));
        }
        return list;
      }

      @Override
      public long localEntries() {
        return ClusterMaps.localTokens(hz);
      }

      @Override
      public Future<Long> clusterEntries() {
        return ClusterMaps.tokens(vertx, hz);
      }

      @Override
      public boolean running() {
        return hz.getLifecycleService().isRunning();
      }

      @Override
      public Future<Void> probeMap(long timeoutMillis) {
        return ClusterMaps.probe(vertx, hz, timeoutMillis);
      }

      @Override
      public JsonObject nearCache() {
        NearCacheStats stats = ClusterMaps.nearCacheStats(hz);
        return stats == null ? ClusterView.super.nearCache()
          : new JsonObject().put("hits", stats.getHits()).put("misses", stats.getMisses());
      }
    };
  }
}
