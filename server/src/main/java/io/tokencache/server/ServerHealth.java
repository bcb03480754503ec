package io.tokencache.server;

import io.tokencache.CacheHealth;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's health, through vertx-health-check.
 *
 * <ul>
 *   <li>Liveness only proves an event loop answers: a lost cluster or an open breaker must not get the node
 *   restarted (it still serves cached tokens).</li>
 *   <li>Readiness: this member runs in its cluster, the cluster's maps answer a bounded read within
 *   {@value #MAP_PROBE_TIMEOUT_MILLIS} ms, the cache has started, and the node is not shutting down. Each upstream's
 *   breaker state is reported in the data, but an open breaker fails neither check.</li>
 * </ul>
 */
final class ServerHealth {

  /** Bound on the readiness probe's read of the cluster's map. */
  static final long MAP_PROBE_TIMEOUT_MILLIS = 2000;

  private ServerHealth() {
  }

  static HealthChecks liveness(Vertx vertx) {
    return HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
  }

  /**
   * @param cacheReady whether the cache has started, and if not, why ({@code null} when ready)
   * @param stopping whether the node is shutting down
   */
  static HealthChecks readiness(Vertx vertx, ClusterView cluster, Supplier<String> cacheNotReadyReason,
                                BooleanSupplier stopping, Supplier<CacheHealth> cacheHealth, List<String> upstreams) {
    return HealthChecks.create(vertx)
      .register("node", p -> p.complete(stopping.getAsBoolean()
        ? Status.KO(new JsonObject().put("reason", "shutting down"))
        : Status.OK()))
      .register("cluster", p -> p.complete(cluster.running()
        ? Status.OK(new JsonObject().put("members", cluster.members().size()))
        : Status.KO(new JsonObject().put("reason", "not a running cluster member"))))
      .register("map", MAP_PROBE_TIMEOUT_MILLIS + 1000, p -> cluster.probeMap(MAP_PROBE_TIMEOUT_MILLIS).onComplete(ar ->
        p.tryComplete(ar.succeeded()
          ? Status.OK()
          : Status.KO(new JsonObject().put("reason", "the cluster's map did not answer within "
            + MAP_PROBE_TIMEOUT_MILLIS + " ms: " + ar.cause().getMessage())))))
      .register("cache", p -> {
        String reason = cacheNotReadyReason.get();
        p.complete(reason == null ? Status.OK() : Status.KO(new JsonObject().put("reason", reason)));
      })
      // reported, never failing: cached tokens are still served while a breaker is open
      .register("upstreams", p -> {
        CacheHealth health = cacheHealth.get();
        p.complete(Status.OK(new JsonObject()
          .put("breakers", breakers(health, upstreams))
          // how far this member's clock is from each budget owner's: shown, never a reason to be unready
          .put("clockSkewSeconds", clockSkews(health, upstreams))
          // below 1 during a split (or after crashes): each side uses its members' share of every quota
          .put("clusterQuotaShare", health.clusterQuotaShare())));
      });
  }

  /** Each upstream's circuit breaker state by upstream id; {@code unknown} while the cache cannot tell. */
  static JsonObject breakers(CacheHealth health, List<String> upstreams) {
    JsonObject states = new JsonObject();
    for (String id : upstreams) {
      CacheHealth.Upstream u = health.upstreams().get(id);
      states.put(id, u == null ? "unknown" : u.breaker());
    }
    return states;
  }

  /** Each upstream's clock skew against its budget owner, in seconds; null where not measured. */
  static JsonObject clockSkews(CacheHealth health, List<String> upstreams) {
    JsonObject skews = new JsonObject();
    for (String id : upstreams) {
      CacheHealth.Upstream u = health.upstreams().get(id);
      skews.put(id, u == null ? null : u.clockSkewSeconds());
    }
    return skews;
  }
}
