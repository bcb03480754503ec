package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.Arrays;

/**
 * A value of one of token-cache's maps with its authentication tag ({@link ValueSeal}): the body's bytes are parsed
 * only after the tag is checked, so bytes from a member without the key never reach a parser.
 *
 * <p>Hazelcast injects the member deserializing it ({@link HazelcastInstanceAware}), which is how merge policies,
 * created by Hazelcast without any context, find the member's seal.
 */
final class Sealed implements IdentifiedDataSerializable, HazelcastInstanceAware {

  byte[] body;
  byte[] tag;
  private transient HazelcastInstance hz;

  Sealed() {
  }

  Sealed(byte[] body, byte[] tag) {
    this.body = body;
    this.tag = tag;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.hz = hazelcastInstance;
  }

  /** The seal of the member that deserialized this value, or {@code null} if it has none. */
  ValueSeal memberSeal() {
    try {
      return ValueSeal.of(hz);
    } catch (IllegalStateException none) {
      return null;
    }
  }

  @Override
  public int getFactoryId() {
    return EntryProcessors.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return EntryProcessors.SEALED;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByteArray(body);
    out.writeByteArray(tag);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    body = in.readByteArray();
    tag = in.readByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sealed s && Arrays.equals(body, s.body) && Arrays.equals(tag, s.tag);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tag);
  }

  @Override
  public String toString() {
    return "Sealed{" + (body == null ? 0 : body.length) + " bytes}";
  }
}
