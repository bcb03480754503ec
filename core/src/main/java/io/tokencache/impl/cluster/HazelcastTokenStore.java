package io.tokencache.impl.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.impl.CachedToken;
import io.tokencache.impl.store.LocalTokenStore;
import io.tokencache.impl.store.TokenStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The cluster's token store: tokens in a Hazelcast {@code IMap}, encrypted (see {@link TokenStore}). Who fetches a
 * missing key is agreed through {@link ClusterLeases}, which reads tokens through this store.
 *
 * <p><b>Encryption is explicit</b>, not in a Hazelcast serializer: {@link #put} encrypts (AES-GCM with the map
 * key as associated data, which a serializer never sees) into an {@link EncryptedToken} that holds in plaintext
 * only the client tag and serve-until time, so partition owners can expire, query and compare-and-set entries
 * without ever holding the key or decrypting. Both are authenticated as the ciphertext's associated data: a value
 * retagged, given a later serve-until, or written by a member without the key is refused (counted, logged once).
 *
 * <p><b>Near cache and hits.</b> The token map's near cache keeps the serialized {@code EncryptedToken}s
 * ({@code BINARY} format, invalidated on change, local entries included): for a key this member owns it holds the
 * very value the partition's record holds, so a token is not held twice encrypted on its owner. Hazelcast
 * deserializes a near-cached value on each read; a hit costs no network, but would also cost an AES-GCM
 * decryption. So the store keeps a decrypted cache, by map key, of (fingerprint of the ciphertext, token): a read
 * whose ciphertext has that fingerprint (same nonce, tag and length: nonces are random, so that is the same
 * write) is answered from it. The near cache decides freshness, the decrypted cache only spares the cipher. It
 * holds tokens in plaintext, so it is bounded to the hot ones ({@code decryptedMaxEntries}, by frequency:
 * Caffeine's admission keeps a scan of cold keys from displacing them); a token outside it is decrypted on each
 * hit. After its own {@link #put} (which invalidates the key's near-cache entry), a member reads the key back at
 * once to refill its near cache, and answers hits from the token it wrote until that read is back. A miss
 * (Hazelcast near-caches those too) is always confirmed with the key's owner: see {@link #get}.
 *
 * <p>Every Hazelcast call is asynchronous ({@code getAsync}, {@code setAsync}, {@code removeAsync},
 * {@code submitToKey}) except {@code executeOnEntries} with a predicate for {@link #removeByClientTag}, which has
 * no async form and runs with {@code executeBlocking}.
 *
 * <p>Somewhat over the usual size because the near cache, the decrypted cache and the read-back after a write are
 * one mechanism: each is only correct with the others' rules in view (which copy decides freshness, which only
 * spares the cipher, when a hit may use the token just written).
 */
public final class HazelcastTokenStore implements TokenStore {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastTokenStore.class);
  /**
   * The longest a put's own token answers hits while its near-cache entry is reloaded (the read-back normally ends
   * it within a millisecond): a bound for when that read is slow or lost, e.g. during a partition migration.
   */
  static final long RELOAD_GRACE_MILLIS = 2_000;

  private final Vertx vertx;
  private final TokenCipher cipher;
  private final Clock clock;
  private final IMap<String, EncryptedToken> tokens;
  private final Cache<String, Decrypted> decrypted;
  private final ValueSeal seal;

  private HazelcastTokenStore(Vertx vertx, HazelcastInstance hz, TokenCipher cipher, Clock clock, int decryptedMax) {
    this.vertx = vertx;
    this.cipher = cipher;
    this.clock = clock;
    this.tokens = hz.getMap(TokenMapConfig.TOKENS_MAP);
    this.seal = ValueSeal.register(hz, cipher.valueSeal());
    this.decrypted = Caffeine.newBuilder()
      .maximumSize(decryptedMax)
      .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
      .expireAfter(Expiry.<String, Decrypted>writing((k, d) -> LocalTokenStore.untilServeUntil(d.token.serveUntil(), clock)))
      .executor(Runnable::run)
      .build();
  }

  /**
   * {@link #create(Vertx, HazelcastInstance, TokenCipher, Clock, int)} with at most
   * {@link ClusterOptions#DEFAULT_DECRYPTED_MAX_ENTRIES} tokens kept decrypted.
   */
  public static Future<HazelcastTokenStore> create(Vertx vertx, HazelcastInstance hz, TokenCipher cipher, Clock clock) {
    return create(vertx, hz, cipher, clock, ClusterOptions.DEFAULT_DECRYPTED_MAX_ENTRIES);
  }

  /**
   * Opens the store on a running member whose {@code Config} went through {@link TokenMapConfig#apply} (as
   * {@code io.tokencache.cluster.HazelcastConfigFactory}'s does).
   *
   * <p>Fails with an {@link IllegalStateException} if the cluster's tokens are encrypted under another key than
   * {@code cipher}'s ({@link ClusterIdentity}): such a member must not become ready.
   *
   * @param decryptedMaxEntries the most tokens this member keeps decrypted (the hot ones); others are decrypted on
   *     each hit. At least 1.
   */
  public static Future<HazelcastTokenStore> create(Vertx vertx, HazelcastInstance hz, TokenCipher cipher, Clock clock,
                                                   int decryptedMaxEntries) {
    if (decryptedMaxEntries < 1) {
      throw new IllegalArgumentException("decryptedMaxEntries must be at least 1, was " + decryptedMaxEntries);
    }
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(hz, "hz");
    Objects.requireNonNull(cipher, "cipher");
    Objects.requireNonNull(clock, "clock");
    if (!TokenMapConfig.isApplied(hz.getConfig())) {
      return Future.failedFuture(new IllegalStateException("the Hazelcast member lacks token-cache's map and "
        + "serialization settings: build its Config with HazelcastConfigFactory or TokenMapConfig.apply"));
    }
    HazelcastTokenStore store = new HazelcastTokenStore(vertx, hz, cipher, clock, decryptedMaxEntries);
    return new ClusterIdentity(vertx, hz, cipher, store.seal).check().map(store);
  }

  /**
   * Hits come from the near cache. A miss the near cache answers is confirmed with the key's partition owner:
   * Hazelcast near-caches misses too, and a stale one (a token another member just stored, its invalidation still
   * on the way) would send this member to the upstream for a token the cluster already has. A key the near cache
   * does not hold is read from its owner by Hazelcast itself: one round trip, and its answer stands.
   */
  @Override
  public Future<CachedToken> get(String key) {
    Decrypted known = decrypted.getIfPresent(key);
    long now = clock.millis();
    if (known != null && known.reloading(now) && known.token.servable(now)) {
      // This member's own put, its near-cache entry not back yet (the put invalidated it): the token just
      // written is the newest (one writer per generation: the refresh lease), so hits need not queue on the
      // partition thread meanwhile. See put.
      return Future.succeededFuture(known.token);
    }
    // read as Object: a value of another type (written by a foreign member) is treated as absent, not cast
    CompletableFuture<?> read;
    try {
      read = ((IMap<String, ?>) tokens).getAsync(key).toCompletableFuture();
    } catch (HazelcastSerializationException e) {
      // The near cache keeps serialized values (BINARY) and deserializes one on each read, here: one this member
      // cannot read (another writer's bytes) is absent, as the owner's read will say (and count).
      return readFromOwner(key).map(owned -> open(key, owned));
    }
    // A near-cache hit comes back already completed. Hazelcast runs callbacks of its futures on its own
    // executor even then, so bridging it would cost two thread hops per hit; read it in place instead.
    if (read.isDone() && !read.isCompletedExceptionally()) {
      EncryptedToken enc = asToken(read.getNow(null));
      return enc != null
        ? Future.succeededFuture(open(key, enc, known, now))
        : readFromOwner(key).map(owned -> open(key, owned));
    }
    // Not in the near cache: Hazelcast asked the key's owner, so an absent answer is the owner's, not a stale
    // near-cached miss, and needs no second read.
    return Future.fromCompletionStage(read, vertx.getOrCreateContext())
      .recover(this::unreadableAsAbsent)
      .map(v -> open(key, asToken(v)));
  }

  /** The value as a token; a value of another type (another writer's) reads as absent, and is counted. */
  private EncryptedToken asToken(Object value) {
    if (value == null || value instanceof EncryptedToken) {
      return (EncryptedToken) value;
    }
    seal.refused(TokenMapConfig.TOKENS_MAP);
    return null;
  }

  /** A value that cannot be deserialized here (another writer's bytes) reads as absent; other failures stay. */
  private <T> Future<T> unreadableAsAbsent(Throwable error) {
    if (error instanceof HazelcastSerializationException || error.getCause() instanceof HazelcastSerializationException) {
      seal.refused(TokenMapConfig.TOKENS_MAP);
      return Future.succeededFuture(null);
    }
    return Future.failedFuture(error);
  }

  /** The token in {@code enc}, decrypted at most once per stored version; null if absent, expired or unreadable. */
  CachedToken open(String key, EncryptedToken enc) {
    return enc == null ? null : open(key, enc, decrypted.getIfPresent(key), clock.millis());
  }

  /** {@link #open(String, EncryptedToken)} with the decrypted cache's entry for {@code key} already looked up. */
  private CachedToken open(String key, EncryptedToken enc, Decrypted d, long now) {
    if (enc == null || enc.serveUntil() <= now) {
      return null;
    }
    if (d != null && d.matches(enc)) {
      return d.token.servable(now) ? d.token : null;
    }
    CachedToken token;
    try {
      token = TokenCodec.decode(cipher.decrypt(key, enc.associatedData(), enc.ciphertext()), enc.clientTag(),
        enc.serveUntil());
    } catch (TokenCodec.UnknownFormatException e) {
      LOG.warn("a token in the cluster's map is in a format this member does not know (written by a newer "
        + "token-cache: a cluster of mixed versions); treating it as absent");
      return null;
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      // altered, or written under another key: counted and logged once, without any detail of the value
      seal.refused(TokenMapConfig.TOKENS_MAP);
      return null;
    }
    // A cold token (one the decrypted cache's bound does not admit) is decrypted again on its next hit.
    decrypted.put(key, new Decrypted(enc.ciphertext(), token));
    return token.servable(now) ? token : null;
  }

  @Override
  public Future<Void> put(String key, CachedToken token) {
    long ttl = token.serveUntil() - clock.millis();
    if (ttl <= 0) {
      return Future.succeededFuture();
    }
    EncryptedToken enc = seal(key, token);
    Decrypted written = new Decrypted(enc.ciphertext(), token);
    written.reloadingUntil = clock.millis() + RELOAD_GRACE_MILLIS;
    decrypted.put(key, written);
    return Future.fromCompletionStage(tokens.setAsync(key, enc, hazelcastTtl(ttl), TimeUnit.MILLISECONDS),
        vertx.getOrCreateContext())
      .onComplete(stored -> {
        if (stored.failed()) {
          written.reloadingUntil = 0;
          return;
        }
        // The put invalidated this member's near-cache entry; read the key back at once so that the near cache
        // holds the new token before hits come for it (until then get answers them from the token written here;
        // without either, each would take the slow path through the partition thread). Not awaited: a miss's
        // answer does not wait for it.
        tokens.getAsync(key).whenComplete((v, err) -> written.reloadingUntil = 0);
      });
  }

  /**
   * Hazelcast keeps a record's TTL and update time in whole seconds, so an entry may lapse up to a second or two
   * before the TTL asked for. Rounding up and adding a second makes it lapse at or (at most 2 s) after it: a lease
   * never lapses while its holder may still be fetching, and a token's reads stop at serve-until anyway (every
   * read checks it on the clock).
   */
  static long hazelcastTtl(long ttlMillis) {
    return ((ttlMillis + 999) / 1000 + 1) * 1000;
  }

  private EncryptedToken seal(String key, CachedToken token) {
    return new EncryptedToken(token.clientTag(), token.serveUntil(), cipher.encrypt(key,
      EncryptedToken.associatedData(token.clientTag(), token.serveUntil()), TokenCodec.encode(token)));
  }

  @Override
  public Future<Boolean> replace(String key, CachedToken expected, CachedToken replacement) {
    // The decrypted cache keeps only a fingerprint of the ciphertext, not the ciphertext the compare-and-set needs:
    // read it from the owner. A rare path (after a failed background refresh), so the extra round trip is cheap
    // next to a second copy of every ciphertext on the heap.
    return readFromOwner(key).compose(enc -> {
      CachedToken current = open(key, enc);
      if (current == null || !current.equals(expected)) {
        return Future.succeededFuture(false);
      }
      return compareAndSet(key, enc.ciphertext(), replacement);
    });
  }

  private Future<Boolean> compareAndSet(String key, byte[] expectedCiphertext, CachedToken replacement) {
    long ttl = replacement.serveUntil() - clock.millis();
    // an already expired replacement: the same as removing the expected token
    EncryptedToken enc = ttl > 0 ? seal(key, replacement) : null;
    return Future.fromCompletionStage(
        tokens.submitToKey(key, new EntryProcessors.ReplaceIfCiphertext(expectedCiphertext, enc, hazelcastTtl(ttl))),
        vertx.getOrCreateContext())
      .onSuccess(done -> {
        if (done && enc != null) {
          decrypted.put(key, new Decrypted(enc.ciphertext(), replacement));
        }
      });
  }

  @Override
  public Future<Boolean> remove(String key) {
    decrypted.invalidate(key);
    return Future.fromCompletionStage(tokens.removeAsync(key), vertx.getOrCreateContext()).map(Objects::nonNull);
  }

  @Override
  public Future<Integer> removeByClientTag(String clientTag) {
    decrypted.asMap().values().removeIf(d -> d.token.clientTag().equals(clientTag));
    // executeOnEntries with a predicate has no async form; it runs on every owner at once, without decrypting
    return vertx.executeBlocking(() -> tokens.executeOnEntries(new EntryProcessors.Remove<>(),
      Predicates.equal(EncryptedToken.CLIENT_TAG, clientTag)).size(), false);
  }

  /**
   * The tokens this member owns as primary (Hazelcast's local statistics: no remote call). Summed over the
   * members, the cluster's total.
   */
  @Override
  public long size() {
    return tokens.getLocalMapStats().getOwnedEntryCount();
  }

  /**
   * The token under {@code key} as its partition owner has it (never a near-cached copy), or null if absent,
   * expired or refused.
   */
  Future<CachedToken> getFromOwner(String key) {
    return readFromOwner(key).map(enc -> open(key, enc));
  }

  /** The token entry as its partition owner has it: never a near-cached copy. */
  @SuppressWarnings("unchecked")
  private Future<EncryptedToken> readFromOwner(String key) {
    IMap<String, Object> raw = (IMap<String, Object>) (IMap<String, ?>) tokens;
    return Future.fromCompletionStage(raw.submitToKey(key, new EntryProcessors.Read<>()), vertx.getOrCreateContext())
      .recover(this::unreadableAsAbsent)
      .map(this::asToken);
  }

  /** How many tokens this member holds decrypted now (for tests: the bound is kept). */
  long decryptedCount() {
    decrypted.cleanUp();
    return decrypted.estimatedSize();
  }

  @Override
  public Future<Void> close() {
    decrypted.invalidateAll();
    return Future.succeededFuture();
  }

  /**
   * A token with a fingerprint of the ciphertext it was decrypted from (or encrypted to) here
   * ({@link TokenCipher#fingerprintOf}: header and GCM tag, 29 bytes), not the ciphertext itself: that would be a
   * third copy of it on this member, next to the map record's and the near cache's.
   *
   * <p>A ciphertext with the same fingerprint is the same encryption, so its plaintext is {@link #token}. Someone
   * able to write the map could pair a known fingerprint with other bytes; this member would then serve the token
   * it had already authenticated for that key, never the forged bytes' content.
   */
  private static final class Decrypted {
    final byte[] fingerprint;
    final int length;
    final CachedToken token;
    /** Until when this member's own put is being read back into the near cache (see {@link #put}); 0 if not. */
    volatile long reloadingUntil;

    Decrypted(byte[] ciphertext, CachedToken token) {
      this.fingerprint = TokenCipher.fingerprintOf(ciphertext);
      this.length = ciphertext.length;
      this.token = token;
    }

    boolean reloading(long now) {
      return now < reloadingUntil;
    }

    /** The same encryption, with the metadata it was sealed with (else it is decrypted again, and refused). */
    boolean matches(EncryptedToken enc) {
      return TokenCipher.hasFingerprint(enc.ciphertext(), length, fingerprint)
        && enc.serveUntil() == token.serveUntil() && enc.clientTag().equals(token.clientTag());
    }
  }
}
