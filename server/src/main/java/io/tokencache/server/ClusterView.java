package io.tokencache.server;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.tokencache.impl.cluster.TokenMapConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/** What the admin API and readiness need to know about the cluster; an interface so tests can stub it. */
interface ClusterView {

  /** Key read from the lease map by the readiness probe: never written. */
  String PROBE_KEY = "token-cache.readiness-probe";

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
        try {
          return running() ? hz.getMap(TokenMapConfig.TOKENS_MAP).getLocalMapStats().getOwnedEntryCount() : 0;
        } catch (RuntimeException e) {
          return 0;
        }
      }

      @Override
      public Future<Long> clusterEntries() {
        // IMap.size() asks every member and has no async form
        return vertx.executeBlocking(() -> (long) hz.getMap(TokenMapConfig.TOKENS_MAP).size(), false)
          .timeout(5, TimeUnit.SECONDS);
      }

      @Override
      public boolean running() {
        return hz.getLifecycleService().isRunning();
      }

      @Override
      public Future<Void> probeMap(long timeoutMillis) {
        if (!running()) {
          return Future.failedFuture("not a running cluster member");
        }
        return Future.fromCompletionStage(hz.getMap(TokenMapConfig.LEASES_MAP).getAsync(PROBE_KEY),
            vertx.getOrCreateContext())
          // the owner answered: that a value someone wrote under the probe's key cannot be read here is no reason
          // to take this member out of rotation
          .recover(err -> err instanceof HazelcastSerializationException
            || err.getCause() instanceof HazelcastSerializationException
            ? Future.succeededFuture() : Future.failedFuture(err))
          .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
          .mapEmpty();
      }
    };
  }
}
