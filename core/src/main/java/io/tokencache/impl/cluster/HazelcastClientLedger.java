package io.tokencache.impl.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.tokencache.impl.Rejection;
import io.tokencache.impl.admission.Admission;
import io.tokencache.impl.admission.AdmissionPolicy;
import io.tokencache.impl.admission.ClientRecord;
import io.tokencache.impl.admission.CredentialLedger;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * The cluster's ledger of client ids: one {@link ClientRecord} per client tag in
 * {@value TokenMapConfig#CLIENTS_MAP}, decided and updated by entry processors on its partition owner, so the
 * lane, a replayed refusal, the guessing bound and the key bound of a miss are one remote call, the same on every
 * member. Each entry lives as long as it matters ({@link ClientRecord#relevantUntil}); the map is also bounded per
 * member by LRU eviction, so a flood of client ids cannot grow it without end.
 */
public final class HazelcastClientLedger implements CredentialLedger {

  private final Vertx vertx;
  private final IMap<String, Object> records;
  private final Clock clock;

  public HazelcastClientLedger(Vertx vertx, HazelcastInstance hz, Clock clock) {
    this.vertx = vertx;
    this.records = hz.getMap(TokenMapConfig.CLIENTS_MAP);
    this.clock = clock;
  }

  @Override
  public Future<Admission> admit(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag) {
    return this.<String>submit(clientTag, new Admit(policy, clock.millis(), secretTag, keyTag)).map(encoded -> {
      try {
        return Admission.decode(encoded);
      } catch (RuntimeException e) {
        // only a key's owner that is not token-cache answers so: the cluster's fault, answered 503
        throw new HazelcastException("the client record's owner answered an unreadable admission");
      }
    });
  }

  @Override
  public Future<Void> accepted(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag, long keyUntil) {
    return submit(clientTag, new Settle(policy, clock.millis(), secretTag, keyTag, keyUntil, null)).mapEmpty();
  }

  @Override
  public Future<Void> abandoned(AdmissionPolicy policy, String clientTag, String keyTag) {
    return submit(clientTag, new Settle(policy, clock.millis(), null, keyTag, 0, null)).mapEmpty();
  }

  @Override
  public Future<Void> rejected(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag, Rejection rejection, long ttlMillis) {
    long now = clock.millis();
    return submit(clientTag, new Settle(policy, now, secretTag, keyTag, now + ttlMillis, rejection)).mapEmpty();
  }

  private <R> Future<R> submit(String clientTag, RecordProcessor<R> processor) {
    return Future.fromCompletionStage(records.submitToKey(clientTag, processor), vertx.getOrCreateContext());
  }

  private abstract static class RecordProcessor<R> extends EntryProcessors.Base<Object, R>
    implements HazelcastInstanceAware {
    AdmissionPolicy policy;
    long now;
    String secretTag;
    String keyTag;
    private transient HazelcastInstance hz;

    RecordProcessor() {
    }

    RecordProcessor(AdmissionPolicy policy, long now, String secretTag, String keyTag) {
      this.policy = policy;
        this.now = now;
      this.secretTag = secretTag;
      this.keyTag = keyTag;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hz = hazelcastInstance;
    }

    /**
     * A record that does not authenticate (written by a member without the key) is treated as absent: the client
     * starts over as unknown, which the unknown lane's budget and the guessing bound still hold.
     */
    @Override
    public R process(Map.Entry<String, Object> entry) {
      ValueSeal seal = EntryProcessors.sealOf(hz);
      String key = entry.getKey();
      ClientRecord record = seal.open(TokenMapConfig.CLIENTS_MAP, key, EntryProcessors.rawValueOf(entry),
        ClientRecord::readFrom);
      if (record == null) {
        record = new ClientRecord();
      }
      R result = apply(record);
      long ttl = record.relevantUntil(policy) - now;
      ClientRecord written = record;
      EntryProcessors.setValue(entry, ttl > 0 ? seal.seal(TokenMapConfig.CLIENTS_MAP, key, written::writeTo) : null, ttl);
      return result;
    }

    abstract R apply(ClientRecord record);

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(policy.maxKeysPerClient());
      out.writeLong(policy.unknownSecretIntervalMillis());
      out.writeLong(policy.guardMillis());
      out.writeLong(policy.knownMillis());
      out.writeLong(policy.pendingKeyMillis());
      out.writeLong(now);
      out.writeString(secretTag);
      out.writeString(keyTag);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      try {
        policy = new AdmissionPolicy(in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
      } catch (IllegalArgumentException e) {
        throw new IOException("invalid admission policy", e);
      }
      now = in.readLong();
      secretTag = in.readString();
      keyTag = in.readString();
    }
  }

  /** Decides a miss. */
  static final class Admit extends RecordProcessor<String> {
    Admit() {
    }

    Admit(AdmissionPolicy policy, long now, String secretTag, String keyTag) {
      super(policy, now, secretTag, keyTag);
    }

    @Override
    String apply(ClientRecord record) {
      // a String across the wire: no Java serialization of records
      return record.admit(policy, now, secretTag, keyTag).encode();
    }

    @Override
    public int getClassId() {
      return EntryProcessors.CLIENT_ADMIT;
    }
  }

  /**
   * Records the upstream's verdict on a secret: accepted (no rejection) or refused; or, with no secret tag, that
   * the key's fetch ended without one.
   */
  static final class Settle extends RecordProcessor<Boolean> {
    private long until;
    private Rejection rejection;

    Settle() {
    }

    Settle(AdmissionPolicy policy, long now, String secretTag, String keyTag, long until, Rejection rejection) {
      super(policy, now, secretTag, keyTag);
      this.until = until;
      this.rejection = rejection;
    }

    @Override
    Boolean apply(ClientRecord record) {
      if (secretTag == null) {
        record.abandoned(keyTag);
      } else if (rejection == null) {
        record.accepted(policy, now, secretTag, keyTag, until);
      } else {
        record.rejected(policy, now, secretTag, keyTag, rejection, until);
      }
      return Boolean.TRUE;
    }

    @Override
    public int getClassId() {
      return EntryProcessors.CLIENT_SETTLE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      super.writeData(out);
      out.writeLong(until);
      out.writeString(rejection == null ? null : rejection.encode());
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      super.readData(in);
      until = in.readLong();
      String encoded = in.readString();
      try {
        rejection = encoded == null ? null : Rejection.decode(encoded);
      } catch (RuntimeException e) {
        throw new IOException("malformed rejection", e);
      }
    }
  }
}
