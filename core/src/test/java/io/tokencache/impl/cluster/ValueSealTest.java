package io.tokencache.impl.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ValueSealTest {

  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BODY = "body".getBytes(StandardCharsets.UTF_8);

  @Test
  @DisplayName("a sealed value opens only for its own map and key, with its body unchanged, under the same cluster key")
  void shouldBindValueToMapKeyAndClusterKey() {
    ValueSeal seal = TokenCipher.of(KEY).valueSeal();
    AtomicInteger refused = new AtomicInteger();
    seal.onRefused(refused::incrementAndGet);
    Sealed value = seal.seal("map-a", "key-1", BODY);

    assertThat(seal.open("map-a", "key-1", value)).isEqualTo(BODY);
    assertThat(TokenCipher.of(KEY).valueSeal().open("map-a", "key-1", value)).as("another member, same key")
      .isEqualTo(BODY);
    assertThat(seal.open("map-a", "key-2", value)).as("moved to another key").isNull();
    assertThat(seal.open("map-b", "key-1", value)).as("moved to another map").isNull();
    byte[] altered = BODY.clone();
    altered[0] ^= 1;
    assertThat(seal.open("map-a", "key-1", new Sealed(altered, value.tag))).as("body altered").isNull();
    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    assertThat(TokenCipher.of(otherKey).valueSeal().seal("map-a", "key-1", BODY).tag).as("another cluster key")
      .isNotEqualTo(value.tag);
    assertThat(seal.open("map-a", "key-1", "a string")).as("not a sealed value").isNull();
    assertThat(seal.open("map-a", "key-1", null)).as("absent: not counted").isNull();
    assertThat(refused).hasValue(4);
  }

  @Test
  @DisplayName("the tag does not encode the map/key boundary ambiguously: (ab, c) and (a, bc) differ")
  void shouldNotConfuseFieldBoundaries() {
    ValueSeal seal = TokenCipher.of(KEY).valueSeal();
    assertThat(seal.seal("ab", "c", BODY).tag).isNotEqualTo(seal.seal("a", "bc", BODY).tag);
  }
}
