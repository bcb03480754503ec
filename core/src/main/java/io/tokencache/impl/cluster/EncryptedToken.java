package io.tokencache.impl.cluster;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A token as held in the distributed map: everything secret is inside {@link #ciphertext()} (AES-GCM, see
 * {@link TokenCipher}); in plaintext only what members need without the key: the client tag (a keyed hash, for
 * {@code removeByClientTag} queries on the partition owners) and the serve-until time. Both are authenticated:
 * they are the ciphertext's associated data ({@link #associatedData}), so a value retagged (to escape an
 * invalidation) or given a later serve-until does not decrypt.
 *
 * <p>Serialized with Hazelcast Compact ({@link Serializer}), so owners can query {@code clientTag} without
 * deserializing, and the schema can grow.
 */
public final class EncryptedToken {

  /** Name of the client tag field, for predicates. */
  public static final String CLIENT_TAG = "clientTag";
  static final String SERVE_UNTIL = "serveUntil";
  static final String CIPHERTEXT = "ciphertext";
  static final String TYPE_NAME = "token-cache.EncryptedToken";

  private final String clientTag;
  private final long serveUntil;
  private final byte[] ciphertext;

  public EncryptedToken(String clientTag, long serveUntil, byte[] ciphertext) {
    this.clientTag = Objects.requireNonNull(clientTag, "clientTag");
    this.serveUntil = serveUntil;
    this.ciphertext = Objects.requireNonNull(ciphertext, "ciphertext");
  }

  /** The keyed hash naming the token's client (see {@code CacheKeys#clientTagOf}). */
  public String clientTag() {
    return clientTag;
  }

  /** Epoch milliseconds after which the token is never served; the entry's TTL ends there. */
  public long serveUntil() {
    return serveUntil;
  }

  /** The encrypted token (not copied: never modify it). */
  public byte[] ciphertext() {
    return ciphertext;
  }

  /** The plaintext metadata bound to the ciphertext: client tag and serve-until. */
  static byte[] associatedData(String clientTag, long serveUntil) {
    byte[] tag = clientTag.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + tag.length).putLong(serveUntil).put(tag).array();
  }

  /** {@link #associatedData} of this value. */
  byte[] associatedData() {
    return associatedData(clientTag, serveUntil);
  }

  @Override
  public String toString() {
    return "EncryptedToken{serveUntil=" + serveUntil + ", " + ciphertext.length + " bytes}";
  }

  /** Hazelcast Compact serializer; registered by {@link TokenMapConfig#apply}. */
  public static final class Serializer implements CompactSerializer<EncryptedToken> {

    @Override
    public EncryptedToken read(CompactReader reader) {
      return new EncryptedToken(reader.readString(CLIENT_TAG), reader.readInt64(SERVE_UNTIL),
        reader.readArrayOfInt8(CIPHERTEXT));
    }

    @Override
    public void write(CompactWriter writer, EncryptedToken token) {
      writer.writeString(CLIENT_TAG, token.clientTag);
      writer.writeInt64(SERVE_UNTIL, token.serveUntil);
      writer.writeArrayOfInt8(CIPHERTEXT, token.ciphertext);
    }

    @Override
    public String getTypeName() {
      return TYPE_NAME;
    }

    @Override
    public Class<EncryptedToken> getCompactClass() {
      return EncryptedToken.class;
    }
  }
}
