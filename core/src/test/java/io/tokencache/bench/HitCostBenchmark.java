package io.tokencache.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.HazelcastConfigFactory;
import io.tokencache.cluster.TokenCacheCluster;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.impl.cluster.EncryptedToken;
import io.tokencache.impl.cluster.TokenCipher;
import io.tokencache.impl.cluster.TokenMapConfig;
import io.tokencache.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * What a cache hit costs on a clustered member, by how its token is held: the near cache's format ({@code OBJECT},
 * a deserialized copy of each ciphertext; {@code BINARY}, the record's own bytes, deserialized on each read) and
 * whether the token is in the decrypted cache (hot) or decrypted on the hit (cold). Through the engine's API (no
 * HTTP), on one member, with the fake IdP's RS256 tokens; then the two per-hit costs alone: a Compact
 * deserialization of a stored token, and its AES-GCM decryption. Not a unit test: a command that prints figures.
 *
 * <pre>mvn -B -q -o -pl core test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.tokencache.bench.HitCostBenchmark</pre>
 *
 * <p>Setups are measured in alternating rounds, so a neighbour's load on a shared machine falls on all of them.
 */
public final class HitCostBenchmark {

  private static final int KEYS = 1_000;
  private static final int HITS_PER_ROUND = 100_000;
  private static final int ROUNDS = 5;
  private static final int OPS = 200_000;

  private record Setup(String name, InMemoryFormat nearCache, int decryptedMaxEntries) {
  }

  private static final List<Setup> SETUPS = List.of(
    new Setup("OBJECT near cache, every token decrypted-cached (before)", InMemoryFormat.OBJECT, 100_000),
    new Setup("BINARY near cache, hot tokens (in the decrypted cache)", InMemoryFormat.BINARY, 100_000),
    new Setup("BINARY near cache, cold tokens (decrypted on each hit)", InMemoryFormat.BINARY, 1));

  private HitCostBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Vertx idpVertx = Vertx.vertx();
    FakeIdp idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(0)).await();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    List<Vertx> members = new ArrayList<>();
    List<TokenCache> caches = new ArrayList<>();
    try {
      for (Setup setup : SETUPS) {
        ClusterOptions cluster = new ClusterOptions().setClusterName("hit-bench-" + UUID.randomUUID().toString().substring(0, 8))
          .setPort(FreePorts.next()).setEncryptionKey(Base64.getEncoder().encodeToString(key))
          .setDecryptedMaxEntries(setup.decryptedMaxEntries());
        Config config = HazelcastConfigFactory.create(cluster);
        config.getMapConfig(TokenMapConfig.TOKENS_MAP).getNearCacheConfig().setInMemoryFormat(setup.nearCache());
        Vertx v = TokenCacheCluster.startClusteredVertx(new VertxOptions(), new HazelcastClusterManager(config)).await();
        members.add(v);
        TokenCache cache = TokenCache.createClustered(v, new TokenCacheOptions()
          .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(100_000)), cluster).await();
        caches.add(cache);
      }
      List<List<TokenRequest>> requests = new ArrayList<>();
      int tokenLength = 0;
      for (TokenCache cache : caches) {
        List<TokenRequest> keys = new ArrayList<>();
        String run = UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < KEYS; i++) {
          TokenRequest r = TokenRequest.clientCredentials("hit-" + run + "-" + i, "hit-" + run + "-" + i + "-secret").scope("read").build();
          TokenResponse first = cache.getToken(r).await();
          tokenLength = first.accessToken().length();
          keys.add(r);
        }
        requests.add(keys);
      }
      System.out.printf("hit cost through the API, one member, %d keys asked in turn, tokens of %d characters%n",
        KEYS, tokenLength);
      double[][] spread = new double[SETUPS.size()][ROUNDS + 1];
      double[][] single = new double[SETUPS.size()][ROUNDS + 1];
      // round 0 warms up (JIT, near cache filled by the first reads), and is not counted
      for (int round = 0; round <= ROUNDS; round++) {
        for (int s = 0; s < SETUPS.size(); s++) {
          spread[s][round] = perHit(caches.get(s), members.get(s), requests.get(s));
          single[s][round] = perHit(caches.get(s), members.get(s), requests.get(s).subList(0, 1));
        }
      }
      for (int s = 0; s < SETUPS.size(); s++) {
        System.out.printf("  %-58s %d keys: %.2f us per hit; one key: %.2f us (median of %d rounds)%n", SETUPS.get(s).name(),
          KEYS, median(spread[s]), median(single[s]), ROUNDS);
      }
      components(TokenCacheCluster.hazelcastOf(members.get(1)), tokenLength);
    } finally {
      for (int i = 0; i < caches.size(); i++) {
        caches.get(i).close().await();
      }
      for (Vertx v : members) {
        v.close().await();
      }
      idp.close().await();
      idpVertx.close().await();
    }
  }

  /** Nanoseconds per hit over {@value #HITS_PER_ROUND} hits on {@code keys} in turn, from an event loop. */
  private static double perHit(TokenCache cache, Vertx vertx, List<TokenRequest> keys) {
    Promise<Long> done = Promise.promise();
    vertx.runOnContext(v -> {
      long t0 = System.nanoTime();
      runBatch(vertx, cache, keys, 0, t0, done);
    });
    return done.future().await() / (double) HITS_PER_ROUND / 1e3;
  }

  /** Hits in batches of 100, each batch from a fresh event-loop task, so the loop is never held for long. */
  private static void runBatch(Vertx vertx, TokenCache cache, List<TokenRequest> keys, int from, long t0,
                               Promise<Long> done) {
    List<Future<?>> batch = new ArrayList<>(100);
    for (int i = from; i < from + 100; i++) {
      batch.add(cache.getToken(keys.get(i % keys.size())));
    }
    Future.all(batch).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else if (from + 100 >= HITS_PER_ROUND) {
        done.complete(System.nanoTime() - t0);
      } else {
        vertx.runOnContext(v -> runBatch(vertx, cache, keys, from + 100, t0, done));
      }
    });
  }

  /** What a BINARY near cache adds to every hit (deserialization) and a cold token adds (decryption), alone. */
  private static void components(HazelcastInstance hz, int tokenLength) throws GeneralSecurityException {
    SerializationService serialization = ((SerializationServiceSupport) hz).getSerializationService();
    TokenCipher cipher = TokenCipher.generateEphemeral();
    byte[] plaintext = new byte[tokenLength + 80]; // the token and the rest of the body, as TokenCodec lays them out
    new SecureRandom().nextBytes(plaintext);
    String mapKey = "k".repeat(43);
    byte[] ciphertext = cipher.encrypt(mapKey, plaintext);
    Data data = serialization.toData(new EncryptedToken("t".repeat(43), System.currentTimeMillis(), ciphertext));
    long sink = 0;
    double[] deserialize = new double[ROUNDS + 1];
    double[] decrypt = new double[ROUNDS + 1];
    for (int round = 0; round <= ROUNDS; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < OPS; i++) {
        sink += serialization.<EncryptedToken>toObject(data).ciphertext().length;
      }
      deserialize[round] = (System.nanoTime() - t0) / (double) OPS;
      t0 = System.nanoTime();
      for (int i = 0; i < OPS / 10; i++) {
        sink += cipher.decrypt(mapKey, ciphertext).length;
      }
      decrypt[round] = (System.nanoTime() - t0) / (double) (OPS / 10);
    }
    System.out.printf("per operation, alone (%d-byte stored value, %d-byte ciphertext; checksum %d):%n"
        + "  Compact deserialization of the stored token (a BINARY near cache's read): %.0f ns%n"
        + "  AES-GCM decryption (a cold token's hit): %.0f ns%n",
      data.totalSize(), ciphertext.length, sink % 10, median(deserialize), median(decrypt));
  }

  /** The median of the rounds after the first (a warm-up). */
  private static double median(double[] rounds) {
    double[] counted = Arrays.copyOfRange(rounds, 1, rounds.length);
    Arrays.sort(counted);
    return counted[counted.length / 2];
  }
}
