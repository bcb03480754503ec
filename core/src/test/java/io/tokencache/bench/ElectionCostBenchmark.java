package io.tokencache.bench;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.LocalMapStats;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenRequest;
import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.TokenCacheCluster;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What cluster-wide single flight costs: the latency of a hit and of a miss through the engine's API (no
 * HTTP), for a single member with its in-process store and for a member of a 3-member Hazelcast cluster
 * (near cache, leases, shared budget), and a miss's overhead over the IdP's own answer time (the same request
 * sent to the IdP straight). Not a unit test: a command that prints figures, and last one line
 * {@code BENCHJSON {...}} with them for {@code loadtest/bench/run.sh}'s report.
 *
 * <pre>mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.tokencache.bench.ElectionCostBenchmark</pre>
 */
public final class ElectionCostBenchmark {

  private static final int HITS = 200_000;
  private static final int MISSES = 2_000;

  public static void main(String[] args) throws Exception {
    Vertx idpVertx = Vertx.vertx();
    FakeIdp idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(0)).await();
    JsonObject figures = new JsonObject();
    try {
      Vertx plain = Vertx.vertx();
      double idpMillis = idpAnswerMillis(plain, idp);
      figures.put("idp_answer_ms_median", idpMillis);
      System.out.printf("the IdP's own answer, sent straight: median %.2f ms%n", idpMillis);
      TokenCache local = TokenCache.create(plain, options(idp)).await();
      figures.put("single", report("single member (in-process store)", local, plain, idpMillis));
      local.close().await();
      plain.close().await();

      List<Vertx> members = new ArrayList<>();
      List<TokenCache> caches = new ArrayList<>();
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      List<Integer> ports = List.of(FreePorts.next(), FreePorts.next(), FreePorts.next());
      String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      for (int port : ports) {
        ClusterOptions cluster = new ClusterOptions().setClusterName(name).setPort(port)
          .setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList())
          .setEncryptionKey(Base64.getEncoder().encodeToString(key));
        Vertx v = TokenCacheCluster.startClusteredVertx(new VertxOptions(), cluster).await();
        members.add(v);
        caches.add(TokenCache.createClustered(v, options(idp), cluster).await());
      }
      figures.put("cluster3", report("member of a 3-member cluster (near cache, leases, shared budget)", caches.get(0),
        members.get(0), idpMillis).put("map_operations_per_miss", operationsPerMiss(caches.get(0), members)));

      for (int i = 0; i < members.size(); i++) {
        caches.get(i).close().await();
        members.get(i).close().await();
      }
    } finally {
      idp.close().await();
      idpVertx.close().await();
    }
    System.out.println("BENCHJSON " + figures.encode());
  }

  /**
   * The median time the IdP takes to answer a new client's token request sent straight to it, in ms, measured
   * after as many requests again to warm the path up (the misses measured later find it warm too).
   */
  private static double idpAnswerMillis(Vertx vertx, FakeIdp idp) {
    WebClient client = WebClient.create(vertx);
    long[] nanos = new long[MISSES / 2];
    String run = UUID.randomUUID().toString().substring(0, 6);
    for (int i = -nanos.length; i < nanos.length; i++) {
      String id = "straight-" + run + "-" + i;
      long t0 = System.nanoTime();
      client.postAbs(idp.tokenUrl()).basicAuthentication(id, id + "-secret")
        .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
          .add("scope", "read")).await();
      if (i >= 0) {
        nanos[i] = System.nanoTime() - t0;
      }
    }
    client.close();
    return pct(nanos, 0.5) / 1e6;
  }

  private static TokenCacheOptions options(FakeIdp idp) {
    return new TokenCacheOptions().addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(100_000));
  }

  private static TokenRequest request(String client) {
    return TokenRequest.clientCredentials(client, client + "-secret").scope("read").build();
  }

  private static JsonObject report(String setup, TokenCache cache, Vertx vertx, double idpMillis) throws Exception {
    // misses: each request a new client, one at a time (the IdP answers in well under a millisecond)
    long[] missNanos = new long[MISSES];
    String run = UUID.randomUUID().toString().substring(0, 6);
    for (int i = 0; i < MISSES; i++) {
      long t0 = System.nanoTime();
      cache.getToken(request("miss-" + run + "-" + i)).await();
      missNanos[i] = System.nanoTime() - t0;
    }
    // hits: one warm key, asked from a Vert.x context as an HTTP handler would, in batches of 100
    TokenRequest hot = request("hot-" + run);
    cache.getToken(hot).await();
    long[] hitNanos = new long[HITS / 100];
    for (int warm = 0; warm < 2; warm++) {
      for (int b = 0; b < hitNanos.length; b++) {
        hitNanos[b] = batch(cache, vertx, hot);
      }
    }
    double missMedian = pct(missNanos, 0.5) / 1e6;
    System.out.printf("%s%n  hit : median %.2f us, p99 %.2f us per request (batches of 100 on an event loop)%n"
        + "  miss: median %.2f ms, p99 %.2f ms (upstream call included); over the IdP's own answer: %.2f ms%n",
      setup, pct(hitNanos, 0.5) / 100 / 1e3, pct(hitNanos, 0.99) / 100 / 1e3,
      missMedian, pct(missNanos, 0.99) / 1e6, missMedian - idpMillis);
    return new JsonObject().put("hit_us_median", pct(hitNanos, 0.5) / 100 / 1e3)
      .put("hit_us_p99", pct(hitNanos, 0.99) / 100 / 1e3).put("miss_ms_median", missMedian)
      .put("miss_ms_p99", pct(missNanos, 0.99) / 1e6).put("miss_overhead_ms_median", missMedian - idpMillis);
  }

  /**
   * How many map operations a cold miss costs the cluster, by map: the partition owners' statistics
   * ({@code LocalMapStats}, summed over members: owned entries only, so each operation counts once) before and after
   * misses run one at a time. Each is a round trip from the missing member to a partition owner (a hop to a partition
   * thread when the owner is the member itself); operations in flight together still count one each.
   */
  private static JsonObject operationsPerMiss(TokenCache cache, List<Vertx> members) {
    int n = 200;
    Map<String, Long> before = mapOperations(members);
    String run = UUID.randomUUID().toString().substring(0, 6);
    for (int i = 0; i < n; i++) {
      cache.getToken(request("ops-" + run + "-" + i)).await();
    }
    Map<String, Long> after = mapOperations(members);
    StringBuilder line = new StringBuilder();
    JsonObject byMap = new JsonObject();
    double total = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      double perMiss = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) n;
      if (perMiss > 0) {
        total += perMiss;
        byMap.put(e.getKey(), Math.round(perMiss * 100) / 100.0);
        line.append(String.format(" %s %.2f", e.getKey(), perMiss));
      }
    }
    System.out.printf("  map operations per cold miss: %.2f (%s)%n", total, line.toString().trim());
    return byMap.put("total", Math.round(total * 100) / 100.0);
  }

  private static Map<String, Long> mapOperations(List<Vertx> members) {
    Map<String, Long> ops = new TreeMap<>();
    for (Vertx v : members) {
      HazelcastInstance hz = TokenCacheCluster.hazelcastOf(v);
      for (DistributedObject o : hz.getDistributedObjects()) {
        if (o instanceof IMap<?, ?> map) {
          LocalMapStats s = map.getLocalMapStats();
          long count = s.getGetOperationCount() + s.getPutOperationCount() + s.getSetOperationCount()
            + s.getRemoveOperationCount() + s.getOtherOperationCount();
          ops.merge(map.getName(), count, Long::sum);
        }
      }
    }
    return ops;
  }

  private static long batch(TokenCache cache, Vertx vertx, TokenRequest hot) {
    return vertx.getOrCreateContext().<Long>executeBlocking(() -> 0L).compose(x -> {
      io.vertx.core.Promise<Long> done = io.vertx.core.Promise.promise();
      vertx.runOnContext(v -> {
        long t0 = System.nanoTime();
        List<Future<?>> all = new ArrayList<>(100);
        for (int i = 0; i < 100; i++) {
          all.add(cache.getToken(hot));
        }
        Future.all(all).onComplete(ar -> done.complete(System.nanoTime() - t0));
      });
      return done.future();
    }).await();
  }

  private static double pct(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
  }
}
