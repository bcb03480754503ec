package io.tokencache;

import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.TokenCacheCluster;
import io.tokencache.eventbus.TokenCacheEventBus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token cache as a verticle, deployable in any Vert.x application: it creates a {@link TokenCache} and answers
 * token requests on the event bus (the protocol of {@link io.tokencache.eventbus.TokenCacheEventBus}, spoken by
 * {@link io.tokencache.eventbus.TokenCacheEventBusClient}).
 *
 * <p>When the Vert.x instance is clustered with Hazelcast (started with
 * {@link TokenCacheCluster#startClusteredVertx}) and {@link TokenCacheVerticleOptions#getClusterOptions() cluster
 * options} are given, the cache is {@linkplain TokenCache#createClustered clustered}: this application's nodes and
 * any standalone token-cache server in the same cluster share tokens, fetch leases and the upstream budget, without
 * a network hop to a separate cache. Otherwise the cache is {@linkplain TokenCache#create local} to this Vert.x
 * instance.
 *
 * <p>Deploy it with options:
 *
 * <pre>{@code
 * TokenCacheVerticle tokenCache = new TokenCacheVerticle(options);
 * vertx.deployVerticle(tokenCache).await();
 * tokenCache.cache().getToken(request);
 * }</pre>
 *
 * or from JSON configuration (the form of {@link TokenCacheVerticleOptions#TokenCacheVerticleOptions(io.vertx.core.json.JsonObject)}):
 *
 * <pre>{@code
 * vertx.deployVerticle(TokenCacheVerticle.class.getName(), new DeploymentOptions().setConfig(json));
 * }</pre>
 *
 * <p>Deploy one instance per Vert.x instance: the cache is thread-safe and meant to be shared by every verticle.
 * On start the verticle creates the cache, then registers its event-bus consumer; the deployment fails (and nothing
 * is left open) if either fails. On stop it unregisters the consumer, then closes the cache.
 */
public class TokenCacheVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TokenCacheVerticle.class);

  private final TokenCacheVerticleOptions givenOptions;
  private volatile TokenCacheVerticleOptions options;
  private volatile TokenCache cache;
  private MessageConsumer<Object> consumer;

  /** A verticle reading its {@link TokenCacheVerticleOptions} from its deployment's {@link #config()}. */
  public TokenCacheVerticle() {
    this.givenOptions = null;
  }

  /**
   * A verticle with these options (copied; the deployment's {@link #config()} is then ignored).
   *
   * @param options the cache's options, cluster options and event-bus address
   */
  public TokenCacheVerticle(TokenCacheVerticleOptions options) {
    this.givenOptions = new TokenCacheVerticleOptions(options);
  }

  /**
   * Creates the cache and registers the event-bus consumer.
   *
   * @return completes once the consumer's registration has propagated; failed (with an
   *     {@link IllegalArgumentException} naming the setting) if the options are invalid
   */
  @Override
  public Future<?> start() {
    TokenCacheVerticleOptions opts;
    try {
      opts = givenOptions != null ? givenOptions : new TokenCacheVerticleOptions(config());
      opts.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return createCache(opts).compose(created -> {
      MessageConsumer<Object> registered =
        TokenCacheEventBus.register(vertx.eventBus(), opts.getAddress(), created, opts.isLocalOnly());
      return registered.completion()
        .<Void>map(v -> {
          options = opts;
          consumer = registered;
          cache = created;
          return null;
        })
        .recover(err -> created.close().transform(ignored -> Future.failedFuture(err)));
    });
  }

  private Future<TokenCache> createCache(TokenCacheVerticleOptions opts) {
    ClusterOptions cluster = opts.getClusterOptions();
    boolean hazelcast = TokenCacheCluster.hazelcastOf(vertx) != null;
    if (cluster != null && hazelcast) {
      return TokenCache.createClustered(vertx, opts.getCacheOptions(), cluster);
    }
    if (cluster != null) {
      LOG.warn("cluster options are set but this Vert.x instance is not clustered with Hazelcast: the token cache is "
        + "local to this instance (start Vert.x with TokenCacheCluster.startClusteredVertx to share tokens)");
    } else if (hazelcast) {
      LOG.info("no cluster options: the token cache is local to this instance although Vert.x is clustered");
    }
    return TokenCache.create(vertx, opts.getCacheOptions());
  }

  /** Unregisters the event-bus consumer, then closes the cache. */
  @Override
  public Future<?> stop() {
    MessageConsumer<Object> registered = consumer;
    TokenCache created = cache;
    consumer = null;
    cache = null;
    Future<Void> unregistered = registered == null ? Future.succeededFuture() : registered.unregister();
    return unregistered.eventually(() -> created == null ? Future.succeededFuture() : created.close());
  }

  /**
   * The cache, for callers in the same JVM: {@code getToken}, {@code invalidate}, or
   * {@link io.tokencache.http.TokenEndpoint#router} to serve it over HTTP.
   *
   * @throws IllegalStateException before the deployment has completed, or after it was undeployed
   */
  public TokenCache cache() {
    TokenCache c = cache;
    if (c == null) {
      throw new IllegalStateException("the token cache verticle is not deployed");
    }
    return c;
  }

  /**
   * The event-bus address this verticle answers on.
   *
   * @throws IllegalStateException before the deployment has completed
   */
  public String address() {
    TokenCacheVerticleOptions o = options;
    if (o == null) {
      throw new IllegalStateException("the token cache verticle is not deployed");
    }
    return o.getAddress();
  }
}
