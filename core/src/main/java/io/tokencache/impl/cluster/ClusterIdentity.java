package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Makes sure this member encrypts under the cluster's key before it serves: the key's fingerprint is kept, sealed,
 * in the {@value TokenMapConfig#META_MAP} map, and a member whose fingerprint differs refuses to become ready.
 *
 * <p>A record that does not authenticate was not written by a member with this key. Where the Hazelcast cluster
 * name is tagged under this key ({@code io.tokencache.cluster.HazelcastConfigFactory} names clusters so), only
 * members with the same key can have joined, so such a record is a forgery (or garbage): it is replaced, counted
 * and logged once, and never stops this member from becoming ready. Under a plain name (an application's own
 * Hazelcast configuration), a record holding another fingerprint may as well be an honest member's with another
 * key, and this member refuses to start, as it must in that case.
 */
final class ClusterIdentity {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterIdentity.class);
  static final String FINGERPRINT_KEY = "keyFingerprint";

  private final Vertx vertx;
  private final IMap<String, Object> meta;
  private final TokenCipher cipher;
  private final ValueSeal seal;
  private final boolean nameTaggedUnderKey;

  ClusterIdentity(Vertx vertx, HazelcastInstance hz, TokenCipher cipher, ValueSeal seal) {
    this.vertx = vertx;
    this.meta = hz.getMap(TokenMapConfig.META_MAP);
    this.cipher = cipher;
    this.seal = seal;
    this.nameTaggedUnderKey = isTaggedUnder(hz.getConfig().getClusterName(), cipher);
  }

  /** Whether {@code name} is {@code <configured name>-<its tag under cipher's key>}. */
  static boolean isTaggedUnder(String name, TokenCipher cipher) {
    int dash = name.lastIndexOf('-');
    return dash > 0 && name.substring(dash + 1).equals(cipher.clusterNameTag(name.substring(0, dash)));
  }

  /** Completes when the cluster's record is this member's fingerprint; fails if it is another key's. */
  Future<Void> check() {
    String ours = cipher.fingerprint();
    Sealed record = seal.seal(TokenMapConfig.META_MAP, FINGERPRINT_KEY, ours.getBytes(StandardCharsets.UTF_8));
    return Future.fromCompletionStage(meta.getAsync(FINGERPRINT_KEY), vertx.getOrCreateContext())
      .otherwise(EntryProcessors.UNREADABLE)
      .compose(value -> {
        if (value == null) {
          return write(record);
        }
        byte[] body = seal.open(TokenMapConfig.META_MAP, FINGERPRINT_KEY, value);
        String theirs = body != null ? new String(body, StandardCharsets.UTF_8) : claimed(value);
        if (ours.equals(theirs)) {
          return body != null ? Future.succeededFuture() : write(record);
        }
        if (body == null && (nameTaggedUnderKey || !TokenCipher.isFingerprint(theirs))) {
          LOG.warn("the cluster's key fingerprint record was not written by a member with this key; replacing it");
          return write(record);
        }
        return Future.failedFuture(new IllegalStateException("this member's encryption key differs from the "
          + "cluster's (key fingerprint " + ours + ", cluster's " + theirs + "): every member must share the same "
          + "TOKEN_CACHE_ENCRYPTION_KEY; this member refuses to use the cluster's token store"));
      });
  }

  private Future<Void> write(Sealed record) {
    return Future.fromCompletionStage(meta.setAsync(FINGERPRINT_KEY, record), vertx.getOrCreateContext());
  }

  /** The fingerprint a record that does not authenticate claims, if it has the form of one (else null). */
  private static String claimed(Object value) {
    String s = value instanceof String str ? str
      : value instanceof Sealed sealed && sealed.body != null ? new String(sealed.body, StandardCharsets.UTF_8) : null;
    return TokenCipher.isFingerprint(s) ? s : null;
  }
}
