package io.tokencache.impl.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.tokencache.impl.admission.ClientRecord;

import java.io.IOException;

/** The value of a client tag's entry in {@value TokenMapConfig#CLIENTS_MAP}: its {@link ClientRecord}. */
final class ClientEntry implements IdentifiedDataSerializable {

  private ClientRecord record;

  ClientEntry() {
    this(new ClientRecord());
  }

  ClientEntry(ClientRecord record) {
    this.record = record;
  }

  ClientRecord record() {
    return record;
  }

  @Override
  public int getFactoryId() {
    return EntryProcessors.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return EntryProcessors.CLIENT_ENTRY;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    record.writeTo(out);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    record = ClientRecord.readFrom(in);
  }
}
