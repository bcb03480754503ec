package io.tokencache.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheOptions;
import io.tokencache.http.TokenEndpoint;
import io.tokencache.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * Members in one JVM, each a clustered Vert.x with its own token cache, meter registry and token endpoint on
 * loopback, sharing tokens, leases, the client ledger and the upstream budget through Hazelcast.
 */
final class TestCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TestCluster.class);
  /** How long closing a member may take before it is stopped hard. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  final List<Vertx> members = new ArrayList<>();
  final List<TokenCache> caches = new ArrayList<>();
  final List<MeterRegistry> registries = new ArrayList<>();
  /** The first member's cluster options (every member's differ only in the port). */
  ClusterOptions options;
  private final List<WebClient> clients = new ArrayList<>();
  private final java.util.Set<Integer> stopped = new java.util.HashSet<>();

  private List<String> addresses;
  private UnaryOperator<ClusterOptions> configure;
  private BiFunction<VertxOptions, ClusterOptions, Future<Vertx>> starter;

  private TestCluster() {
  }

  /**
   * Starts one more member, joining the others, with the first member's key and name; completes once its cache is
   * ready to serve (it has joined, its maps are in place and its key matched the cluster's).
   *
   * @return its index
   */
  int addMember(Supplier<TokenCacheOptions> cacheOptions) {
    startMember(FreePorts.next(), options.getEncryptionKey(), options.getClusterName(), cacheOptions);
    return members.size() - 1;
  }

  private void startMember(int port, String key, String name, Supplier<TokenCacheOptions> cacheOptions) {
    ClusterOptions clusterOptions = configure.apply(new ClusterOptions().setClusterName(name).setPort(port)
      .setMembers(addresses).setEncryptionKey(key));
    if (options == null) {
      options = clusterOptions;
    }
    Vertx vertx = starter.apply(new VertxOptions(), clusterOptions).await();
    MeterRegistry registry = new SimpleMeterRegistry();
    TokenCache cache = TokenCache.createClustered(vertx, cacheOptions.get().setMeterRegistry(registry), clusterOptions)
      .await();
    Router router = Router.router(vertx);
    router.route("/*").subRouter(TokenEndpoint.router(vertx, cache));
    int httpPort = vertx.createHttpServer().requestHandler(router).listen(FreePorts.next(), "127.0.0.1").await()
      .actualPort();
    members.add(vertx);
    caches.add(cache);
    registries.add(registry);
    clients.add(WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(httpPort),
      new PoolOptions().setHttp1MaxSize(100)));
  }

  /** Starts {@code size} members, each with the options {@code options} makes (a fresh meter registry is set). */
  static TestCluster start(int size, Supplier<TokenCacheOptions> options) {
    return start(size, options, c -> c, TokenCacheCluster::startClusteredVertx);
  }

  /**
   * Starts {@code size} members as {@link #start(int, Supplier)}, with each member's cluster options passed through
   * {@code configure} and its clustered Vert.x started by {@code starter}.
   */
  static TestCluster start(int size, Supplier<TokenCacheOptions> options, UnaryOperator<ClusterOptions> configure,
                           BiFunction<VertxOptions, ClusterOptions, Future<Vertx>> starter) {
    TestCluster cluster = new TestCluster();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(FreePorts.next());
    }
    List<String> addresses = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    cluster.addresses = addresses;
    cluster.configure = configure;
    cluster.starter = starter;
    for (int port : ports) {
      cluster.startMember(port, Base64.getEncoder().encodeToString(key), name, options);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.members.stream()
      .allMatch(v -> TokenCacheCluster.hazelcastOf(v).getCluster().getMembers().size() == size));
    return cluster;
  }

  /** The token cache of {@code member}. */
  TokenCache cache(int member) {
    return caches.get(member);
  }

  /** A client-credentials request with HTTP Basic authentication to {@code member}'s token endpoint. */
  Future<HttpResponse<Buffer>> request(int member, String clientId, String secret, String scope) {
    String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return clients.get(member).post(TokenEndpoint.OAUTH2_PATH).putHeader("Authorization", "Basic " + basic)
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", scope));
  }

  /** The sum over members of the counter {@code name} with the tag {@code tag=value}. */
  double count(String name, String tag, String value) {
    return registries.stream().flatMap(r -> r.find(name).tag(tag, value).counters().stream())
      .mapToDouble(c -> c.count()).sum();
  }

  /**
   * Stops member {@code i} as a rolling restart does, once the cluster is safe (its cache closed, then its Vert.x and
   * Hazelcast member: the others hold its partitions' backups); the others keep their indexes.
   */
  void stopMember(int i) {
    // as an orderly rolling restart does: only once every partition has its backup, or the member's entries go with it
    HazelcastInstance hz = TokenCacheCluster.hazelcastOf(members.get(i));
    await().atMost(Duration.ofSeconds(30)).until(() -> hz.getPartitionService().isClusterSafe());
    stopped.add(i);
    caches.get(i).close().await();
    members.get(i).close().await();
  }

  /** The indexes of the members still running. */
  List<Integer> running() {
    return java.util.stream.IntStream.range(0, members.size()).filter(i -> !stopped.contains(i)).boxed().toList();
  }

  @Override
  public void close() {
    clients.forEach(WebClient::close);
    for (int i = 0; i < members.size(); i++) {
      if (stopped.contains(i)) {
        continue;
      }
      Vertx member = members.get(i);
      HazelcastInstance hz = TokenCacheCluster.hazelcastOf(member);
      within(caches.get(i).close(), "closing the cache of member " + i);
      if (!within(member.close(), "member " + i + " leaving the cluster") && hz != null) {
        // Vert.x's cluster manager can wait without end in its leave (deregistering a listener on a member that
        // already left but is still listed): a test must not hang on it, so the member is stopped hard instead
        hz.getLifecycleService().terminate();
        within(member.close(), "member " + i + " closing after its Hazelcast member was terminated");
      }
    }
  }

  private static boolean within(Future<?> closing, String what) {
    try {
      closing.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      LOG.warn("{} did not finish within {}", what, CLOSE_TIMEOUT);
      return false;
    }
  }
}
