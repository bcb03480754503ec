package io.tokencache.impl.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates the values of the cluster's maps that steer behaviour (budget logs, client records, leases, the
 * cluster clock's record, invalidations, departure notes, the key fingerprint record): each is stored as a
 * {@link Sealed} value, its body with an HMAC-SHA256 tag (truncated to 128 bits) under a subkey of the cluster key,
 * bound to the map's name and the entry's key. A member with the cluster's name but not its key can write such a
 * value, but not one that authenticates: a value that does not is ignored (treated as absent, or as the last one
 * authenticated where the reader keeps it), counted through {@link #onRefused} and logged once per map, never
 * quoted.
 *
 * <p>The tag does not stop a replay: a sealed value copied back under the same key, later, authenticates. So every
 * body that matters in time carries its own times, and readers bound them by their own clock and configuration.
 *
 * <p>One per member, in the Hazelcast member's user context ({@link #register}), so entry processors running on
 * the member that owns a key, and merge policies, find it. Thread-safe.
 */
public final class ValueSeal {

  /** The key of the member's seal in its Hazelcast user context. */
  static final String CONTEXT_KEY = "token-cache.value-seal";
  static final int TAG_BYTES = 16;
  private static final Logger LOG = LoggerFactory.getLogger(ValueSeal.class);
  private static final byte[] DOMAIN = "token-cache/sealed-value/v1\0".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  /**
   * The values this member last wrote, by map and key, for the maps whose readers fall back on them
   * ({@link #lastWritten}); bounded, since any member can make an owner write under keys of its choosing.
   */
  private final Cache<String, byte[]> written = Caffeine.newBuilder().maximumSize(1024).build();
  private volatile Runnable onRefused = () -> { };

  ValueSeal(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** Puts {@code seal} into {@code config}'s user context, so it is there before the member takes any operation. */
  public static void register(Config config, ValueSeal seal) {
    config.getUserContext().putIfAbsent(CONTEXT_KEY, seal);
  }

  /** Puts {@code seal} into the running member's user context unless one is there; answers the member's seal. */
  public static ValueSeal register(HazelcastInstance hz, ValueSeal seal) {
    Object existing = hz.getUserContext().putIfAbsent(CONTEXT_KEY, seal);
    return existing instanceof ValueSeal s ? s : seal;
  }

  /**
   * The member's seal.
   *
   * @throws IllegalStateException if the member has none (not token-cache, or not started yet): it then cannot
   *     authenticate anything, and the operation fails rather than trusting or dropping values
   */
  static ValueSeal of(HazelcastInstance hz) {
    Object seal = hz == null ? null : hz.getUserContext().get(CONTEXT_KEY);
    if (seal instanceof ValueSeal s) {
      return s;
    }
    throw new IllegalStateException("this member holds no cluster key to authenticate token-cache's values with");
  }

  /** Called once for every value refused (to count it); replaces the previous callback. */
  public void onRefused(Runnable callback) {
    this.onRefused = callback == null ? () -> { } : callback;
  }

  /** A sealed value of {@code body} for {@code key} in {@code map}. */
  Sealed seal(String map, String key, byte[] body) {
    return new Sealed(body, tag(map, key, body));
  }

  /** A sealed value of what {@code writer} writes, for {@code key} in {@code map}. */
  Sealed seal(String map, String key, BodyWriter writer) {
    return seal(map, key, bytesOf(writer));
  }

  /**
   * The body of {@code value} if it is a {@link Sealed} value of {@code key} in {@code map} that authenticates;
   * {@code null} if it is absent; {@code null} too, counted and logged once for the map, if it is anything else.
   */
  byte[] open(String map, String key, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Sealed s && s.tag != null && s.body != null
      && MessageDigest.isEqual(s.tag, tag(map, key, s.body))) {
      return s.body;
    }
    refused(map);
    return null;
  }

  /** {@link #open} and {@code reader} over the body; a body that authenticates but does not parse is refused too. */
  <T> T open(String map, String key, Object value, BodyReader<T> reader) {
    byte[] body = open(map, key, value);
    if (body == null) {
      return null;
    }
    try {
      return reader.read(new DataInputStream(new ByteArrayInputStream(body)));
    } catch (IOException | RuntimeException e) {
      // only a member with the key wrote it: another version of token-cache, not an attacker
      refused(map);
      return null;
    }
  }

  /** Keeps {@code value}, just sealed by this member, as the last one it wrote for {@code key} in {@code map}. */
  void remember(String map, String key, Sealed value) {
    written.put(map + '\0' + key, value.body);
  }

  /** The last value this member wrote for {@code key} in {@code map} ({@link #remember}), read, or {@code null}. */
  <T> T lastWritten(String map, String key, BodyReader<T> reader) {
    byte[] body = written.getIfPresent(map + '\0' + key);
    if (body == null) {
      return null;
    }
    try {
      return reader.read(new DataInputStream(new ByteArrayInputStream(body)));
    } catch (IOException e) {
      return null;
    }
  }

  /** Counts a value of {@code map} that failed authentication (or a token that failed to decrypt). */
  void refused(String map) {
    onRefused.run();
    if (logged.add(map)) {
      LOG.warn("a value in the cluster map '{}' failed authentication (written by a member without the cluster key, "
        + "or altered); it is ignored (logged once per map; counted in token_cache_cluster_faults_total"
        + "{{kind=\"UnauthenticatedValue\"}})", map);
    }
  }

  private byte[] tag(String map, String key, byte[] body) {
    Mac mac = macs.get();
    byte[] m = map.getBytes(StandardCharsets.UTF_8);
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    mac.update(DOMAIN);
    mac.update(lengthOf(m.length));
    mac.update(m);
    mac.update(lengthOf(k.length));
    mac.update(k);
    mac.update(body);
    return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
  }

  private static byte[] lengthOf(int n) {
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  static byte[] bytesOf(BodyWriter writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return bytes.toByteArray();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "ValueSeal";
  }

  /** Writes a value's body. */
  @FunctionalInterface
  interface BodyWriter {
    void write(DataOutput out) throws IOException;
  }

  /** Reads a value's body. */
  @FunctionalInterface
  interface BodyReader<T> {
    T read(DataInput in) throws IOException;
  }
}
