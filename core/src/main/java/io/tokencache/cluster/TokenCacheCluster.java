package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Starts a Vert.x instance that is a member of the token-cache Hazelcast cluster, so an application's own nodes
 * share tokens (and the event bus) without a network hop to a separate cache.
 */
public final class TokenCacheCluster {

  /**
   * The Hazelcast member of every Vert.x started here. Vert.x's public API does not hand out a Vert.x instance's
   * cluster manager (only its internal one does, which changes between versions), so the member is remembered
   * when it is started; weakly, so a closed Vert.x does not stay reachable.
   */
  private static final Map<Vertx, HazelcastInstance> MEMBERS = Collections.synchronizedMap(new WeakHashMap<>());

  private TokenCacheCluster() {
  }

  /**
   * Starts a clustered Vert.x on a Hazelcast member configured by {@link HazelcastConfigFactory#create}.
   * Unless {@code vertxOptions} say otherwise, the event bus binds and advertises {@code clusterOptions}' host,
   * on a free port (Vert.x's default event-bus port 0).
   *
   * @return the clustered Vert.x once it has joined; failed if the options are invalid or joining failed
   */
  public static Future<Vertx> startClusteredVertx(VertxOptions vertxOptions, ClusterOptions clusterOptions) {
    HazelcastClusterManager clusterManager;
    try {
      clusterManager = new HazelcastClusterManager(HazelcastConfigFactory.create(clusterOptions));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    VertxOptions options = new VertxOptions(vertxOptions);
    // VertxOptions' copy constructor copies metrics options as plain MetricsOptions, dropping a subclass's settings
    // (vertx-micrometer's disabled categories, registry name, ...): keep the caller's instance
    options.setMetricsOptions(vertxOptions.getMetricsOptions());
    EventBusOptions eventBus = options.getEventBusOptions();
    String host = clusterOptions.getHost();
    if (!ClusterOptions.ANY_HOST.equals(host)) {
      if (eventBus.getHost() == null) {
        eventBus.setHost(host);
      }
      if (eventBus.getClusterPublicHost() == null) {
        eventBus.setClusterPublicHost(host);
      }
    }
    return startClusteredVertx(options, clusterManager);
  }

  /**
   * Starts a clustered Vert.x on a Hazelcast cluster manager of the caller's making, for a Hazelcast config of its
   * own: start from {@link HazelcastConfigFactory#create} and adjust it, so that every member treats token-cache's
   * maps alike. A Vert.x must be started here, by either method, for a clustered cache to find its Hazelcast member
   * ({@link #hazelcastOf}).
   *
   * @return the clustered Vert.x once it has joined
   */
  public static Future<Vertx> startClusteredVertx(VertxOptions vertxOptions, HazelcastClusterManager clusterManager) {
    return Vertx.builder().with(vertxOptions).withClusterManager(clusterManager).buildClustered()
      .onSuccess(vertx -> MEMBERS.put(vertx, clusterManager.getHazelcastInstance()));
  }

  /**
   * The Hazelcast member behind a clustered {@code vertx} started by {@link #startClusteredVertx}, or {@code null}
   * (not clustered, or started elsewhere).
   */
  public static HazelcastInstance hazelcastOf(Vertx vertx) {
    return MEMBERS.get(vertx);
  }
}
