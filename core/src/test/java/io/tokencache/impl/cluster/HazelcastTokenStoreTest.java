package io.tokencache.impl.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.proxy.NearCachedMapProxyImpl;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.HazelcastConfigFactory;
import io.tokencache.impl.CachedToken;
import io.tokencache.impl.store.FetchLeases;
import io.tokencache.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Three Hazelcast members in this JVM, TCP/IP join on loopback, one store on each. */
class HazelcastTokenStoreTest {

  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final List<HazelcastInstance> members = new ArrayList<>();
  private static final List<HazelcastTokenStore> stores = new ArrayList<>();
  private static Vertx vertx;
  private static HazelcastTokenStore s1;
  private static HazelcastTokenStore s2;
  private static HazelcastTokenStore s3;
  private static final List<ClusterLeases> leaseStores = new ArrayList<>();
  private static ClusterLeases l1;
  private static ClusterLeases l2;
  private static ClusterLeases l3;

  @BeforeAll
  static void startCluster() throws Exception {
    int[] ports = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    List<String> addresses = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.toList());
    String clusterName = "store-test-" + UUID.randomUUID().toString().substring(0, 8);
    for (int port : ports) {
      Config config = HazelcastConfigFactory.create(new ClusterOptions().setClusterName(clusterName).setPort(port)
        .setMembers(addresses).setMaxTokensPerMember(10_000).setNearCacheMaxEntries(1000));
      members.add(Hazelcast.newHazelcastInstance(config));
    }
    await().atMost(WAIT).until(() -> members.stream().allMatch(m -> m.getCluster().getMembers().size() == 3));
    vertx = Vertx.vertx();
    TokenCipher cipher = TokenCipher.of(KEY);
    for (HazelcastInstance m : members) {
      stores.add(join(HazelcastTokenStore.create(vertx, m, cipher, Clock.systemUTC())));
    }
    s1 = stores.get(0);
    s2 = stores.get(1);
    s3 = stores.get(2);
    for (int i = 0; i < 3; i++) {
      leaseStores.add(join(ClusterLeases.start(vertx, members.get(i), stores.get(i), Clock.systemUTC(), (k, t) -> false)));
    }
    l1 = leaseStores.get(0);
    l2 = leaseStores.get(1);
    l3 = leaseStores.get(2);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (ClusterLeases l : leaseStores) {
      join(l.close());
    }
    for (HazelcastTokenStore s : stores) {
      join(s.close());
    }
    if (vertx != null) {
      join(vertx.close());
    }
    // terminate, not shutdown: no partition hand-over to wait for at the end of a test
    members.forEach(m -> m.getLifecycleService().terminate());
    // the build reruns a failed test in this JVM, @BeforeAll included: start it from empty lists
    leaseStores.clear();
    stores.clear();
    members.clear();
  }

  private static <T> T join(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
  }

  private static String newKey() {
    return "k-" + UUID.randomUUID();
  }

  private static CachedToken token(String accessToken, String clientTag, Duration servable) {
    long now = System.currentTimeMillis();
    return new CachedToken(accessToken, "{\"token_type\":\"Bearer\",\"scope\":\"very-private-scope\"}", false, now,
      now + 3_600_000, now + 2_700_000, now + servable.toMillis(), clientTag);
  }

  private static CachedToken token(String accessToken) {
    return token(accessToken, "tag-a", Duration.ofMinutes(30));
  }

  private static IMap<String, EncryptedToken> rawTokens(HazelcastInstance member) {
    return member.getMap(TokenMapConfig.TOKENS_MAP);
  }

  /** The entry as its owner holds it, bypassing every near cache. */
  private static EncryptedToken ownerValue(String key) {
    return rawTokens(members.get(0)).executeOnKey(key, new EntryProcessors.Read<>());
  }

  @Test
  @DisplayName("a token stored via member 1 is read via members 2 and 3")
  void shouldShareTokensAcrossMembers() throws Exception {
    String key = newKey();
    CachedToken t = token("at-" + key);
    join(s1.put(key, t));
    assertThat(join(s2.get(key))).isEqualTo(t);
    assertThat(join(s3.get(key))).isEqualTo(t);
    assertThat(join(s1.get(key))).isEqualTo(t);
    assertThat(join(s2.get(newKey()))).isNull();
  }

  @Test
  @DisplayName("the map holds neither the access token nor the body in plaintext, only tag, serve-until and ciphertext")
  void shouldKeepNoPlaintextInTheMap() throws Exception {
    String key = newKey();
    String accessToken = "eyJhbGciOiJSUzI1NiJ9.secret-access-token-" + UUID.randomUUID();
    CachedToken t = token(accessToken, "tag-plain", Duration.ofMinutes(30));
    join(s1.put(key, t));
    EncryptedToken stored = ownerValue(key);
    assertThat(stored.clientTag()).isEqualTo("tag-plain");
    assertThat(stored.serveUntil()).isEqualTo(t.serveUntil());
    for (HazelcastInstance m : members) {
      byte[] bytes = ((SerializationServiceSupport) m).getSerializationService().toData(stored).toByteArray();
      String raw = new String(bytes, StandardCharsets.ISO_8859_1);
      assertThat(raw).doesNotContain("secret-access-token").doesNotContain("very-private-scope")
        .doesNotContain("Bearer").contains("tag-plain");
    }
    assertThat(new String(stored.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("secret-access-token");
    // and the ciphertext is bound to its map key and its plaintext metadata
    assertThat(TokenCipher.of(KEY).decrypt(key, stored.associatedData(), stored.ciphertext())).isNotEmpty();
  }

  @Test
  @DisplayName("a value whose plaintext client tag or serve-until was altered does not decrypt: never served, on any member")
  void shouldRefuseAlteredMetadata() throws Exception {
    String key = newKey();
    CachedToken t = token("at-" + key);
    join(s1.put(key, t));
    assertThat(join(s2.get(key))).isEqualTo(t);
    EncryptedToken stored = ownerValue(key);
    // retagged (an invalidation by client would miss it), then given a later serve-until (served for longer)
    for (EncryptedToken altered : List.of(
      new EncryptedToken("another-tag", stored.serveUntil(), stored.ciphertext()),
      new EncryptedToken(stored.clientTag(), stored.serveUntil() + 3_600_000, stored.ciphertext()))) {
      rawTokens(members.get(0)).set(key, altered);
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        assertThat(join(s1.get(key))).as("the member that wrote and decrypted it").isNull();
        assertThat(join(s2.get(key))).as("a member that decrypted it before").isNull();
      });
    }
  }

  @Test
  @DisplayName("a member recognises the version it decrypted by the ciphertext's nonce and tag, and decrypts any other")
  void shouldRecogniseDecryptedVersionByFingerprint() throws Exception {
    String key = newKey();
    CachedToken t = token("at-" + key);
    join(s1.put(key, t));
    EncryptedToken stored = ownerValue(key);
    // Same header, tag and length, other bytes in between: member 1 answers from its decrypted copy without
    // decrypting (it keeps the fingerprint, not the ciphertext); member 2, which never decrypted it, cannot.
    byte[] altered = stored.ciphertext().clone();
    altered[TokenCipher.CIPHERTEXT_FINGERPRINT_BYTES] ^= 1;
    rawTokens(members.get(0)).set(key, new EncryptedToken(stored.clientTag(), stored.serveUntil(), altered));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
      assertThat(Arrays.equals(ownerValue(key).ciphertext(), altered)).isTrue());
    assertThat(join(s1.get(key))).isEqualTo(t);
    assertThat(join(s2.get(key))).isNull();

    // another encryption (a fresh nonce) of another token: not the version member 1 knows, so it decrypts it
    CachedToken next = token("next-" + key);
    rawTokens(members.get(0)).set(key, new EncryptedToken(next.clientTag(), next.serveUntil(),
      TokenCipher.of(KEY).encrypt(key, EncryptedToken.associatedData(next.clientTag(), next.serveUntil()),
        TokenCodec.encode(next))));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
      .untilAsserted(() -> assertThat(join(s1.get(key))).isEqualTo(next));
    // and compare-and-set finds the owner's ciphertext itself, the decrypted copy holding none
    CachedToken postponed = next.withRefreshAt(next.refreshAt() + 1);
    assertThat(join(s1.replace(key, next, postponed))).isTrue();
    assertThat(join(s1.replace(key, next, postponed))).isFalse();
  }

  @Test
  @DisplayName("tokens beyond the decrypted cache's bound are served right, decrypted on their hits, and only the bound is kept in plaintext")
  void shouldServeColdTokensBeyondTheDecryptedBound() throws Exception {
    HazelcastTokenStore cold = join(HazelcastTokenStore.create(vertx, members.get(0), TokenCipher.of(KEY),
      Clock.systemUTC(), 1));
    try {
      List<String> keys = new ArrayList<>();
      List<CachedToken> tokens = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        keys.add(newKey());
        tokens.add(token("cold-" + i + "-" + keys.get(i)));
        join(s2.put(keys.get(i), tokens.get(i)));
      }
      for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < keys.size(); i++) {
          assertThat(join(cold.get(keys.get(i)))).isEqualTo(tokens.get(i));
        }
      }
      assertThat(cold.decryptedCount()).isLessThanOrEqualTo(1);
    } finally {
      join(cold.close());
    }
  }

  @Test
  @DisplayName("an updated token is never served stale by a member with a bounded decrypted cache, whether its old version was kept decrypted or evicted")
  void shouldNeverServeAStaleTokenOnceUpdatedWithABoundedDecryptedCache() throws Exception {
    HazelcastTokenStore cold = join(HazelcastTokenStore.create(vertx, members.get(0), TokenCipher.of(KEY),
      Clock.systemUTC(), 1));
    try {
      String key = newKey();
      String other = newKey();
      CachedToken v1 = token("v1-" + key);
      CachedToken otherToken = token("other-" + other);
      join(s2.put(key, v1));
      join(s2.put(other, otherToken));
      await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> v1.equals(join(cold.get(key))));

      // v1 kept decrypted (the last token read), then replaced on another member
      CachedToken v2 = token("v2-" + key);
      join(s2.put(key, v2));
      awaitOnlyServed(cold, key, other, otherToken, v2);

      // v2's decrypted copy evicted by another key's read, then replaced again
      assertThat(join(cold.get(other))).isEqualTo(otherToken);
      CachedToken v3 = token("v3-" + key);
      join(s3.put(key, v3));
      awaitOnlyServed(cold, key, other, otherToken, v3);
    } finally {
      join(cold.close());
    }
  }

  /**
   * Waits until {@code store} serves {@code expected} under {@code key} (the invalidation travels), then checks it
   * serves nothing else, reads of {@code other} in between evicting and re-admitting its decrypted copy.
   */
  private static void awaitOnlyServed(HazelcastTokenStore store, String key, String other, CachedToken otherToken,
                                      CachedToken expected) throws Exception {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> expected.equals(join(store.get(key))));
    for (int i = 0; i < 50; i++) {
      assertThat(join(store.get(key))).isEqualTo(expected);
      if (i % 2 == 0) {
        assertThat(join(store.get(other))).isEqualTo(otherToken);
      }
    }
  }

  /** Whether {@code member}'s near cache holds a token for {@code key} (internal API: no read through the map). */
  private static boolean nearCached(HazelcastInstance member, String key) {
    return ((NearCachedMapProxyImpl<String, EncryptedToken>) rawTokens(member)).getNearCache().get(key)
      instanceof EncryptedToken;
  }

  @Test
  @DisplayName("after its own put a member refills its near cache, and answers hits from the token it wrote meanwhile")
  void shouldServeOwnWriteWhileNearCacheReloads() throws Exception {
    String key = newKey();
    CachedToken old = token("old-" + key);
    join(s1.put(key, old));
    // read back right after the put: in the near cache although nobody read it
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> nearCached(members.get(0), key));

    CachedToken refreshed = token("new-" + key);
    Future<Void> put = s1.put(key, refreshed);
    // the put invalidated the near-cache entry; a hit does not wait for the partition owner meanwhile
    Future<CachedToken> hit = s1.get(key);
    assertThat(hit.isComplete()).as("answered at once, from the token just written").isTrue();
    assertThat(hit.result()).isEqualTo(refreshed);
    join(put);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> nearCached(members.get(0), key));
    assertThat(join(s1.get(key))).isEqualTo(refreshed);
    assertThat(join(s2.get(key))).isEqualTo(refreshed);
  }

  @Test
  @DisplayName("a fingerprint record that is no fingerprint (written by a foreign member) is replaced, never quoted, and the store opens")
  void shouldReplaceAMalformedFingerprintRecord() throws Exception {
    IMap<String, Object> meta = members.get(0).getMap(TokenMapConfig.META_MAP);
    String record = ClusterIdentity.FINGERPRINT_KEY;
    Object before = meta.get(record);
    try {
      meta.set(record, "<script>not-a-fingerprint");
      HazelcastTokenStore extra = join(HazelcastTokenStore.create(vertx, members.get(0), TokenCipher.of(KEY),
        Clock.systemUTC()));
      assertThat(TokenCipher.of(KEY).valueSeal().open(TokenMapConfig.META_MAP, record, meta.get(record)))
        .asString(StandardCharsets.UTF_8).isEqualTo(TokenCipher.of(KEY).fingerprint());
      join(extra.close());
    } finally {
      meta.set(record, before);
    }
  }

  @Test
  @DisplayName("a member whose encryption key differs from the cluster's fails to open the store, naming fingerprints only")
  void shouldRefuseMemberWithAnotherKey() {
    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    TokenCipher other = TokenCipher.of(otherKey);
    Future<HazelcastTokenStore> f = HazelcastTokenStore.create(vertx, members.get(2), other, Clock.systemUTC());
    Throwable failure = f.toCompletionStage().toCompletableFuture().handle((s, e) -> e).join();
    assertThat(failure).isInstanceOf(IllegalStateException.class)
      .hasMessageContaining("encryption key differs from the cluster's")
      .hasMessageContaining(other.fingerprint())
      .hasMessageContaining(TokenCipher.of(KEY).fingerprint())
      .hasMessageNotContaining(Base64.getEncoder().encodeToString(otherKey))
      .hasMessageNotContaining(new String(KEY, StandardCharsets.US_ASCII));
  }

  @Test
  @DisplayName("of three members asking at once for a key's lease, exactly one gets it")
  void shouldGrantLeaseToExactlyOneMember() throws Exception {
    for (int round = 0; round < 5; round++) {
      String lease = "lease-" + UUID.randomUUID();
      List<CompletableFuture<Boolean>> asks = new ArrayList<>();
      for (ClusterLeases l : leaseStores) {
        asks.add(CompletableFuture.supplyAsync(() -> l.tryLease(lease, Duration.ofSeconds(30)))
          .thenCompose(f -> f.toCompletionStage()));
      }
      long granted = 0;
      for (CompletableFuture<Boolean> a : asks) {
        granted += a.get(WAIT.toSeconds(), TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(granted).as("round %d", round).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a lease held by no current member (planted by a foreign writer, or its holder gone) is taken over at once, whatever its TTL")
  void shouldTakeOverALeaseOfNoMember() throws Exception {
    String lease = "lease-" + UUID.randomUUID();
    IMap<String, Object> raw = members.get(0).getMap(TokenMapConfig.LEASES_MAP);
    raw.set(lease, "not-a-member", 1, TimeUnit.DAYS);
    assertThat(join(l1.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
    assertThat(join(l2.tryLease(lease, Duration.ofSeconds(30)))).as("now a member holds it").isFalse();
    raw.set(lease, UUID.randomUUID().toString(), 1, TimeUnit.DAYS);
    assertThat(join(l2.tryLease(lease, Duration.ofSeconds(30)))).as("the id of a member that left").isTrue();
    raw.set(lease, 42L);
    assertThat(join(l3.tryLease(lease, Duration.ofSeconds(30)))).as("not even a string").isTrue();
  }

  @Test
  @DisplayName("a lease naming a live member stands only if it authenticates and has not ended: a forged or replayed one is taken over")
  void shouldTakeOverForgedAndReplayedLeases() throws Exception {
    String lease = "lease-" + UUID.randomUUID();
    IMap<String, Object> raw = members.get(0).getMap(TokenMapConfig.LEASES_MAP);
    String live = members.get(0).getCluster().getLocalMember().getUuid().toString();
    byte[] otherKey = KEY.clone();
    otherKey[1] ^= 1;
    long future = System.currentTimeMillis() + 3_600_000;
    raw.set(lease, TokenCipher.of(otherKey).valueSeal().seal(TokenMapConfig.LEASES_MAP, lease, out -> {
      out.writeUTF(live);
      out.writeLong(future);
    }));
    assertThat(join(l2.tryLease(lease, Duration.ofSeconds(30)))).as("sealed under another key").isTrue();
    assertThat(join(l3.tryLease(lease, Duration.ofSeconds(30)))).as("l2's own lease stands").isFalse();

    // the same holder's lease copied back after its end (a replay from the wire): over, taken over
    raw.set(lease, TokenCipher.of(KEY).valueSeal().seal(TokenMapConfig.LEASES_MAP, lease, out -> {
      out.writeUTF(live);
      out.writeLong(System.currentTimeMillis() - 1);
    }));
    assertThat(join(l3.tryLease(lease, Duration.ofSeconds(30)))).as("a lease past its end").isTrue();
    // and a lease sealed for another key of the map is not this key's
    String other = "lease-" + UUID.randomUUID();
    raw.set(other, TokenCipher.of(KEY).valueSeal().seal(TokenMapConfig.LEASES_MAP, lease, out -> {
      out.writeUTF(live);
      out.writeLong(future);
    }));
    assertThat(join(l3.tryLease(other, Duration.ofSeconds(30)))).as("sealed for another lease key").isTrue();
  }

  @Test
  @DisplayName("a member waiting for a key is woken with the token when the lease holder stores it")
  void shouldWakeWaiterWithStoredToken() throws Exception {
    String key = newKey();
    String lease = "lease-" + key;
    assertThat(join(l1.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
    assertThat(join(l2.tryLease(lease, Duration.ofSeconds(30)))).isFalse();
    Future<CachedToken> waiting2 = l2.awaitUpdate(key, lease, Duration.ofSeconds(15));
    Future<CachedToken> waiting3 = l3.awaitUpdate(key, lease, Duration.ofSeconds(15));
    Thread.sleep(200); // let the waiters' initial look at the map pass: they must be woken by the events
    assertThat(waiting2.isComplete()).isFalse();
    CachedToken t = token("at-" + key);
    long start = System.nanoTime();
    join(s1.put(key, t));
    join(l1.releaseLease(lease));
    assertThat(join(waiting2)).isEqualTo(t);
    assertThat(join(waiting3)).isEqualTo(t);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("a token stored just before the wait began is found by the waiter's first look")
  void shouldFindTokenStoredBeforeTheWait() throws Exception {
    String key = newKey();
    String lease = "lease-" + key;
    assertThat(join(l1.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
    CachedToken t = token("at-" + key);
    join(s1.put(key, t));
    assertThat(join(l2.awaitUpdate(key, lease, Duration.ofSeconds(15)))).isEqualTo(t);
    join(l1.releaseLease(lease));
  }

  @Test
  @DisplayName("a waiter is woken with null when the lease holder releases the lease without storing")
  void shouldWakeWaiterWithNullOnRelease() throws Exception {
    String key = newKey();
    String lease = "lease-" + key;
    assertThat(join(l1.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
    Future<CachedToken> waiting = l2.awaitUpdate(key, lease, Duration.ofSeconds(15));
    Thread.sleep(200);
    assertThat(waiting.isComplete()).isFalse();
    long start = System.nanoTime();
    join(l1.releaseLease(lease));
    assertThat(join(waiting)).isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(join(l2.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
  }

  @Test
  @DisplayName("a lease given back with its token stored tells the next claim so, until it is looked past or lapses")
  void shouldTellAClaimTheTokenWasStored() throws Exception {
    String key = newKey();
    assertThat(join(l1.claim(key, Duration.ofSeconds(30), true))).isEqualTo(FetchLeases.Claim.TAKEN);
    assertThat(join(l2.claim(key, Duration.ofSeconds(30), true))).isEqualTo(FetchLeases.Claim.HELD);
    CachedToken stored = token("at-" + key);
    join(s1.put(key, stored));
    join(l2.releaseStored(key, Duration.ofSeconds(30)));
    assertThat(join(l3.claim(key, Duration.ofSeconds(30), true))).as("only the holder gives it back")
      .isEqualTo(FetchLeases.Claim.HELD);
    join(l1.releaseStored(key, Duration.ofSeconds(30)));
    assertThat(join(l2.claim(key, Duration.ofSeconds(30), true))).isEqualTo(FetchLeases.Claim.STORED);
    assertThat(join(l3.claim(key, Duration.ofSeconds(30), true))).isEqualTo(FetchLeases.Claim.STORED);
    assertThat(join(l3.readStored(key))).as("read from the owner").isEqualTo(stored);
    // a refresh (tryLease) and a claim told to look past the marker take it over
    assertThat(join(l2.tryLease(key, Duration.ofSeconds(30)))).isTrue();
    join(l2.releaseStored(key, Duration.ofSeconds(30)));
    assertThat(join(l3.claim(key, Duration.ofSeconds(30), false))).isEqualTo(FetchLeases.Claim.TAKEN);
    assertThat(join(l1.claim(key, Duration.ofSeconds(30), true))).isEqualTo(FetchLeases.Claim.HELD);

    String lapsing = newKey();
    assertThat(join(l1.claim(lapsing, Duration.ofSeconds(30), true))).isEqualTo(FetchLeases.Claim.TAKEN);
    join(l1.releaseStored(lapsing, Duration.ofMillis(1)));
    await().atMost(WAIT).until(() -> join(l2.claim(lapsing, Duration.ofSeconds(30), true)) == FetchLeases.Claim.TAKEN);
  }

  @Test
  @DisplayName("a waiter hears of a lease given back with its token stored as of a release: it looks at once")
  void shouldWakeWaiterOnStoredRelease() throws Exception {
    String key = newKey();
    assertThat(join(l1.claim(key, Duration.ofSeconds(30), true))).isEqualTo(FetchLeases.Claim.TAKEN);
    Future<CachedToken> waiting = l2.awaitUpdate(key, key, Duration.ofSeconds(15));
    Thread.sleep(200); // past the waiter's first look: only the lease's event can wake it
    assertThat(waiting.isComplete()).isFalse();
    long start = System.nanoTime();
    // no token event to wake it (nothing stored here): the lease's own change must
    join(l1.releaseStored(key, Duration.ofSeconds(30)));
    assertThat(join(waiting)).isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    // and a wait that begins after it does not wait for a lease nobody holds
    start = System.nanoTime();
    assertThat(join(l3.awaitUpdate(key, key, Duration.ofSeconds(15)))).isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("only the holder can release a lease")
  void shouldReleaseOnlyOwnLease() throws Exception {
    String lease = "lease-" + UUID.randomUUID();
    assertThat(join(l1.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
    join(l2.releaseLease(lease));
    assertThat(join(l3.tryLease(lease, Duration.ofSeconds(30)))).isFalse();
    join(l1.releaseLease(lease));
    assertThat(join(l3.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
  }

  @Test
  @DisplayName("a lease lapses after its TTL: waiters hear of it and another member can take it")
  void shouldLapseLeaseAfterTtl() throws Exception {
    String key = newKey();
    String lease = "lease-" + key;
    long start = System.nanoTime();
    assertThat(join(l1.tryLease(lease, Duration.ofMillis(1500)))).isTrue();
    assertThat(join(l2.tryLease(lease, Duration.ofSeconds(30)))).isFalse();
    Future<CachedToken> waiting = l3.awaitUpdate(key, lease, Duration.ofSeconds(15));
    assertThat(join(waiting)).isNull();
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(waited).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(6));
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
      .until(() -> join(l2.tryLease(lease, Duration.ofSeconds(30))));
  }

  @Test
  @DisplayName("a wait ends with null at its timeout while the lease is held")
  void shouldTimeOutWaiting() throws Exception {
    String key = newKey();
    String lease = "lease-" + key;
    assertThat(join(l1.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
    long start = System.nanoTime();
    assertThat(join(l2.awaitUpdate(key, lease, Duration.ofMillis(300)))).isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    join(l1.releaseLease(lease));
  }

  @Test
  @DisplayName("removeByClientTag removes that client's tokens on every member and nobody else's")
  void shouldRemoveOnlyThatClientsTokens() throws Exception {
    String tagA = "tag-" + UUID.randomUUID();
    String tagB = "tag-" + UUID.randomUUID();
    List<String> keysA = new ArrayList<>();
    List<String> keysB = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String key = newKey();
      boolean a = i % 3 != 0;
      (a ? keysA : keysB).add(key);
      join(s1.put(key, token("at-" + key, a ? tagA : tagB, Duration.ofMinutes(30))));
      // fill the near caches, which the removal must invalidate
      join(s2.get(key));
      join(s3.get(key));
    }
    assertThat(join(s3.removeByClientTag(tagA))).isEqualTo(keysA.size());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (HazelcastTokenStore s : stores) {
        for (String key : keysA) {
          assertThat(join(s.get(key))).isNull();
        }
      }
    });
    for (HazelcastTokenStore s : stores) {
      for (String key : keysB) {
        assertThat(join(s.get(key))).isNotNull().extracting(CachedToken::clientTag).isEqualTo(tagB);
      }
    }
    assertThat(join(s1.removeByClientTag(tagA))).isZero();
  }

  @Test
  @DisplayName("member 2's near cache serves hits and sees a replace made on member 1")
  void shouldInvalidateNearCacheOnReplace() throws Exception {
    String key = newKey();
    CachedToken t = token("at-" + key);
    join(s1.put(key, t));
    IMap<String, EncryptedToken> map2 = rawTokens(members.get(1));
    long hitsBefore = map2.getLocalMapStats().getNearCacheStats().getHits();
    // the put's invalidation may reach member 2 after its first read and cancel that fill: read until a hit
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      assertThat(join(s2.get(key))).isEqualTo(t);
      assertThat(map2.getLocalMapStats().getNearCacheStats().getHits()).isGreaterThan(hitsBefore);
    });

    CachedToken postponed = t.withRefreshAt(t.refreshAt() + 60_000);
    assertThat(join(s1.replace(key, t, postponed))).isTrue();
    // compare-and-set: the expected token is no longer there
    assertThat(join(s3.replace(key, t, t.withRefreshAt(t.refreshAt() + 1)))).isFalse();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
      .untilAsserted(() -> assertThat(join(s2.get(key))).isEqualTo(postponed));
    // a member that never saw the replacement's ciphertext can still replace it
    CachedToken again = postponed.withRefreshAt(postponed.refreshAt() + 1);
    assertThat(join(s3.replace(key, postponed, again))).isTrue();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
      .untilAsserted(() -> assertThat(join(s1.get(key))).isEqualTo(again));
    assertThat(join(s2.replace(newKey(), t, postponed))).isFalse();
  }

  @Test
  @DisplayName("entries expire at their serve-until point, in the map itself and not only in reads")
  void shouldExpireAtServeUntil() throws Exception {
    String key = newKey();
    CachedToken t = token("at-" + key, "tag-a", Duration.ofMillis(1500));
    join(s1.put(key, t));
    assertThat(join(s2.get(key))).isEqualTo(t);
    assertThat(ownerValue(key)).isNotNull();
    await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100))
      .until(() -> ownerValue(key) == null);
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(t.serveUntil());
    for (HazelcastTokenStore s : stores) {
      assertThat(join(s.get(key))).isNull();
    }
  }

  @Test
  @DisplayName("a token already past its serve-until point is not stored nor kept by replace; remove tells whether there was one")
  void shouldNotStoreExpiredTokensAndRemove() throws Exception {
    String key = newKey();
    join(s1.put(key, token("at-" + key, "tag-a", Duration.ofMillis(-1))));
    assertThat(ownerValue(key)).isNull();
    join(s1.put(key, token("at-" + key)));
    assertThat(join(s2.remove(key))).isTrue();
    assertThat(join(s3.remove(key))).isFalse();
    // the owner is asked at once; member 1's near cache drops the token when the removal's invalidation arrives
    assertThat(join(s1.getFromOwner(key))).isNull();
    await().atMost(WAIT).until(() -> join(s1.get(key)) == null);

    // replacing by a token already past serve-until drops the entry
    CachedToken t = token("at-" + key);
    join(s1.put(key, t));
    CachedToken expired = new CachedToken(t.accessToken(), t.body(), t.tokenInBody(), t.issuedAt(), t.expiresAt(), t.refreshAt(),
      System.currentTimeMillis() - 1, t.clientTag());
    assertThat(join(s2.replace(key, t, expired))).isTrue();
    assertThat(ownerValue(key)).isNull();
  }

  @Test
  @DisplayName("the members' sizes add up to the tokens in the cluster")
  void shouldCountOwnedTokens() throws Exception {
    join(s1.put(newKey(), token("at-size")));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
      assertThat(s1.size() + s2.size() + s3.size()).isEqualTo(rawTokens(members.get(0)).size()).isPositive());
  }

  @Test
  @DisplayName("closed leases stop waiting: pending and new waits end with null")
  void shouldEndWaitsOnClose() throws Exception {
    ClusterLeases extra = join(ClusterLeases.start(vertx, members.get(2), s3, Clock.systemUTC(), (k, t) -> false));
    String key = newKey();
    String lease = "lease-" + key;
    assertThat(join(l1.tryLease(lease, Duration.ofSeconds(30)))).isTrue();
    Future<CachedToken> pending = extra.awaitUpdate(key, lease, Duration.ofSeconds(15));
    join(extra.close());
    assertThat(join(pending)).isNull();
    assertThat(join(extra.awaitUpdate(key, lease, Duration.ofSeconds(15)))).isNull();
    join(l1.releaseLease(lease));
  }
}
