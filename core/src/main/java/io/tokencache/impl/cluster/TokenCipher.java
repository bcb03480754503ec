package io.tokencache.impl.cluster;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * AES-256-GCM for the token values held in the distributed map, under the key every member shares
 * ({@code TOKEN_CACHE_ENCRYPTION_KEY}).
 *
 * <p>Ciphertext layout: {@code version (1 byte) | nonce (12 random bytes) | AES-GCM ciphertext and 128-bit tag}.
 * The additional authenticated data binds the version, the map key and the caller's associated data (the
 * metadata a value carries in plaintext beside the ciphertext), so a ciphertext copied under another key, with its
 * version byte changed, or beside altered metadata, fails to decrypt.
 *
 * <p>The configured key is never used as it is: HKDF-SHA256 (RFC 5869) derives one subkey for AES-GCM and one for
 * MACs, so no HMAC output can ever be related to the encryption key. From the MAC subkey, HMACs with distinct labels
 * give the key's {@link #fingerprint()} (members compare fingerprints, never keys), the cache-key pepper
 * ({@link #derivePepper()}, so every member computes the same cache keys) and the Hazelcast cluster name's tag
 * ({@link #clusterNameTag}); none reveals the key or another.
 *
 * <p>Thread-safe: {@link Cipher} and {@link Mac} instances are kept per thread.
 */
public final class TokenCipher {

  /** Length of the key in bytes: AES-256. */
  public static final int KEY_BYTES = 32;

  static final byte VERSION = 2;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int TAG_BYTES = TAG_BITS / 8;
  private static final int HEADER_BYTES = 1 + NONCE_BYTES;
  /** Length of a {@link #fingerprintOf ciphertext fingerprint}: the version byte, the nonce and the GCM tag. */
  static final int CIPHERTEXT_FINGERPRINT_BYTES = HEADER_BYTES + TAG_BYTES;
  private static final byte[] AAD_DOMAIN = "token-cache/map-value/v2\0".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_ASSOCIATED_DATA = new byte[0];
  private static final String FINGERPRINT_LABEL = "token-cache key fingerprint v1";
  private static final String PEPPER_LABEL = "token-cache cache-key pepper v1";
  private static final String CLUSTER_NAME_LABEL = "token-cache cluster name v1\0";
  private static final String VALUE_SEAL_LABEL = "token-cache value seal v1";
  private static final byte[] AES_INFO = "token-cache/v2/aes-256-gcm".getBytes(StandardCharsets.UTF_8);
  private static final byte[] MAC_INFO = "token-cache/v2/hmac-sha256".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec aesKey;
  private final SecretKeySpec macKey;
  private final boolean ephemeral;
  private final String fingerprint;
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(TokenCipher::newCipher);

  private TokenCipher(byte[] key, boolean ephemeral) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException("the encryption key must be exactly " + KEY_BYTES + " bytes, was "
        + (key == null ? "absent" : key.length + " bytes"));
    }
    this.aesKey = new SecretKeySpec(Hkdf.derive(key, AES_INFO, KEY_BYTES), "AES");
    this.macKey = new SecretKeySpec(Hkdf.derive(key, MAC_INFO, KEY_BYTES), "HmacSHA256");
    this.ephemeral = ephemeral;
    // 8 bytes: enough to tell keys apart in a log line, far too little to test guesses offline at scale
    this.fingerprint = HexFormat.of().formatHex(Arrays.copyOf(hmac(FINGERPRINT_LABEL), 8));
  }

  /** A cipher under {@code key} (32 bytes; copied). */
  public static TokenCipher of(byte[] key) {
    return new TokenCipher(key == null ? null : key.clone(), false);
  }

  /**
   * A cipher under the base64 (standard or URL alphabet) of a 32-byte key, as in {@code TOKEN_CACHE_ENCRYPTION_KEY}.
   *
   * @throws IllegalArgumentException if it is not base64 of exactly 32 bytes (the message never repeats it)
   */
  public static TokenCipher fromBase64(String base64Key) {
    return new TokenCipher(decodeKey(base64Key), false);
  }

  /** A cipher under a fresh random key: for a single node without a configured key. */
  public static TokenCipher generateEphemeral() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return new TokenCipher(key, true);
  }

  /** Decodes a base64 (standard or URL-safe, padded or not) key of exactly 32 bytes. */
  static byte[] decodeKey(String base64Key) {
    if (base64Key == null || base64Key.isBlank()) {
      throw new IllegalArgumentException("the encryption key is empty: expected base64 of " + KEY_BYTES + " bytes");
    }
    String s = base64Key.trim();
    byte[] key;
    try {
      key = (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the encryption key is not valid base64");
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("the encryption key must be base64 of exactly " + KEY_BYTES
        + " bytes, was " + key.length + " bytes");
    }
    return key;
  }

  /** Whether the key was generated at start-up rather than configured (it then cannot be shared). */
  public boolean isEphemeral() {
    return ephemeral;
  }

  /** A short hex fingerprint of the key (HMAC-SHA256 of a fixed label): equal keys, equal fingerprints. */
  public String fingerprint() {
    return fingerprint;
  }

  /** Whether {@code value} has the form of a {@link #fingerprint()} (16 lowercase hex digits). */
  public static boolean isFingerprint(String value) {
    return value != null && value.length() == 16 && value.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
  }

  /** 32 bytes derived from the key for {@code io.tokencache.impl.CacheKeys}: the same on every member. */
  public byte[] derivePepper() {
    return hmac(PEPPER_LABEL);
  }

  /**
   * A tag of {@code clusterName} under this key (16 hex characters): members name their Hazelcast cluster
   * {@code <name>-<tag>}, so a member without the key cannot join by knowing the configured name. The tag travels
   * in clear in every join request: it keeps out scans and mistakes (another deployment's member, a client with
   * the default name), it does not authenticate a member that has seen it.
   */
  public String clusterNameTag(String clusterName) {
    return HexFormat.of().formatHex(Arrays.copyOf(hmac(CLUSTER_NAME_LABEL + clusterName), 8));
  }

  /** The authenticator of the cluster's other values ({@link ValueSeal}), under its own key derived from this one. */
  public ValueSeal valueSeal() {
    return new ValueSeal(hmac(VALUE_SEAL_LABEL));
  }

  /** Encrypts {@code plaintext} to be stored under {@code key}; a fresh random nonce each time. */
  public byte[] encrypt(String key, byte[] plaintext) {
    return encrypt(key, NO_ASSOCIATED_DATA, plaintext);
  }

  /**
   * Encrypts {@code plaintext} to be stored under {@code key} beside {@code associated} (authenticated, not
   * encrypted: decryption needs the same bytes).
   */
  public byte[] encrypt(String key, byte[] associated, byte[] plaintext) {
    byte[] out = new byte[HEADER_BYTES + plaintext.length + TAG_BYTES];
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    out[0] = VERSION;
    System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
    try {
      Cipher cipher = ciphers.get();
      cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(VERSION, key, associated));
      int n = cipher.doFinal(plaintext, 0, plaintext.length, out, HEADER_BYTES);
      if (n != out.length - HEADER_BYTES) {
        throw new IllegalStateException("unexpected AES-GCM output length " + n);
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts a value stored under {@code key}.
   *
   * @throws GeneralSecurityException if it was tampered with, encrypted under another key or for another map key,
   *     or is not in a known format
   */
  public byte[] decrypt(String key, byte[] ciphertext) throws GeneralSecurityException {
    return decrypt(key, NO_ASSOCIATED_DATA, ciphertext);
  }

  /**
   * Decrypts a value stored under {@code key} beside {@code associated}.
   *
   * @throws GeneralSecurityException as {@link #decrypt(String, byte[])}, and if {@code associated} is not what it
   *     was encrypted with
   */
  public byte[] decrypt(String key, byte[] associated, byte[] ciphertext) throws GeneralSecurityException {
    if (ciphertext == null || ciphertext.length < HEADER_BYTES + TAG_BYTES) {
      throw new AEADBadTagException("ciphertext too short");
    }
    if (ciphertext[0] != VERSION) {
      throw new AEADBadTagException("unknown ciphertext version " + ciphertext[0]);
    }
    Cipher cipher = ciphers.get();
    cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, ciphertext, 1, NONCE_BYTES));
    cipher.updateAAD(aad(ciphertext[0], key, associated));
    return cipher.doFinal(ciphertext, HEADER_BYTES, ciphertext.length - HEADER_BYTES);
  }

  /**
   * A short stand-in for a ciphertext of this class's layout, to recognise it later without keeping it: its header
   * (version and nonce) and its GCM tag, {@value #CIPHERTEXT_FINGERPRINT_BYTES} bytes. Nonces are random (96 bits)
   * and the tag authenticates everything else, so two ciphertexts of the same length with equal fingerprints are
   * the same encryption. It proves nothing about a ciphertext's authenticity: only {@link #decrypt} does.
   *
   * @throws IllegalArgumentException if {@code ciphertext} is shorter than a header and a tag
   */
  static byte[] fingerprintOf(byte[] ciphertext) {
    if (ciphertext.length < HEADER_BYTES + TAG_BYTES) {
      throw new IllegalArgumentException("not a ciphertext: " + ciphertext.length + " bytes");
    }
    byte[] fingerprint = new byte[CIPHERTEXT_FINGERPRINT_BYTES];
    System.arraycopy(ciphertext, 0, fingerprint, 0, HEADER_BYTES);
    System.arraycopy(ciphertext, ciphertext.length - TAG_BYTES, fingerprint, HEADER_BYTES, TAG_BYTES);
    return fingerprint;
  }

  /**
   * Whether {@code ciphertext} has the {@code fingerprint} (from {@link #fingerprintOf}) of a ciphertext of
   * {@code length} bytes.
   */
  static boolean hasFingerprint(byte[] ciphertext, int length, byte[] fingerprint) {
    return ciphertext.length == length
      && Arrays.equals(ciphertext, 0, HEADER_BYTES, fingerprint, 0, HEADER_BYTES)
      && Arrays.equals(ciphertext, length - TAG_BYTES, length, fingerprint, HEADER_BYTES, CIPHERTEXT_FINGERPRINT_BYTES);
  }

  /** {@code domain | version | length of the map key (4 bytes) | map key | associated}: unambiguous. */
  private static byte[] aad(byte version, String key, byte[] associated) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(AAD_DOMAIN.length + 1 + 4 + k.length + associated.length)
      .put(AAD_DOMAIN).put(version).putInt(k.length).put(k).put(associated).array();
  }

  private byte[] hmac(String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(macKey);
      return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "TokenCipher{fingerprint=" + fingerprint + (ephemeral ? ", ephemeral" : "") + "}";
  }
}
