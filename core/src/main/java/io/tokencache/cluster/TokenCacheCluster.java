package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starts a Vert.x instance that is a member of the token-cache Hazelcast cluster, so an application's own nodes
 * share tokens (and the event bus) without a network hop to a separate cache.
 */
public final class TokenCacheCluster {

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
    return Vertx.builder().with(options).withClusterManager(clusterManager).buildClustered();
  }

  /** The Hazelcast member behind a clustered {@code vertx}, or {@code null} if it is not clustered with Hazelcast. */
  public static HazelcastInstance hazelcastOf(Vertx vertx) {
    if (!(vertx instanceof VertxInternal)) {
      return null;
    }
    ClusterManager clusterManager = ((VertxInternal) vertx).clusterManager();
    return clusterManager instanceof HazelcastClusterManager
      ? ((HazelcastClusterManager) clusterManager).getHazelcastInstance()
      : null;
  }
}
