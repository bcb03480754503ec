package io.tokencache.impl.cluster;

import io.tokencache.impl.quota.BudgetLog;
import io.tokencache.impl.quota.BudgetPolicy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Well-formed values of token-cache's maps, as a member without the cluster key can make them: of the right types,
 * sealed under a key of its own. For tests of what the members make of them.
 */
public final class ForgedValues {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long DAY = 86_400_000L;
  private final ValueSeal seal;

  /** Values sealed under a random key, not the cluster's. */
  public ForgedValues() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    this.seal = TokenCipher.of(key).valueSeal();
  }

  /** A lease held by {@code holder} (a live member's id) until a day from now. */
  public Object lease(String leaseKey, String holder) {
    long until = System.currentTimeMillis() + DAY;
    return seal.seal(TokenMapConfig.LEASES_MAP, leaseKey, out -> {
      out.writeUTF(holder);
      out.writeLong(until);
    });
  }

  /** A budget log holding every reservation back for a day. */
  public Object budgetBlockedForADay(String upstream) {
    long now = System.currentTimeMillis();
    BudgetPolicy policy = new BudgetPolicy(1, 0, 0.5, 0.25, 0.25, 1, 10 * DAY);
    BudgetLog log = new BudgetLog();
    log.blockUntil(policy, now, now + DAY);
    return seal.seal(TokenMapConfig.QUOTA_MAP, upstream, log::writeTo);
  }

  /** A client record of random bytes. */
  public Object clientRecord(String clientTag) {
    byte[] body = new byte[64];
    RANDOM.nextBytes(body);
    return seal.seal(TokenMapConfig.CLIENTS_MAP, clientTag, body);
  }

  /** The cluster clock's record, a year ahead. */
  public Object clockAYearAhead(String keeper) {
    long ahead = 365 * DAY;
    ClusterClockRecord record = new ClusterClockRecord(ahead, System.currentTimeMillis() + ahead, keeper);
    return seal.seal(TokenMapConfig.CLOCK_MAP, ClusterClock.KEY, record::writeTo);
  }

  /** An invalidation of {@code key}'s tokens until a day from now. */
  public Object invalidation(String id) {
    long at = System.currentTimeMillis() + DAY;
    return seal.seal(TokenMapConfig.INVALIDATIONS_MAP, id, out -> out.writeLong(at));
  }

  /** A key fingerprint record of another key. */
  public Object fingerprint() {
    byte[] f = new byte[8];
    RANDOM.nextBytes(f);
    return seal.seal(TokenMapConfig.META_MAP, ClusterIdentity.FINGERPRINT_KEY,
      HexFormat.of().formatHex(f).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code token} with another client tag (to escape an invalidation of its client). */
  public static EncryptedToken retagged(EncryptedToken token) {
    return new EncryptedToken("retagged-" + RANDOM.nextInt(1000), token.serveUntil(), token.ciphertext());
  }

  /** {@code token} served a day longer. */
  public static EncryptedToken extended(EncryptedToken token) {
    return new EncryptedToken(token.clientTag(), token.serveUntil() + DAY, token.ciphertext());
  }

  /** A token of random ciphertext. */
  public static EncryptedToken randomToken(String clientTag) {
    byte[] c = new byte[200];
    RANDOM.nextBytes(c);
    c[0] = TokenCipher.VERSION;
    return new EncryptedToken(clientTag, System.currentTimeMillis() + DAY, c);
  }
}
