package io.tokencache.impl.admission;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokencache.impl.Rejection;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;

/** A single member's ledger: client records in a bounded in-memory cache. */
public final class LocalCredentialLedger implements CredentialLedger {

  private final Clock clock;
  private final Cache<String, ClientRecord> records;

  public LocalCredentialLedger(Clock clock, long maxClients) {
    this.clock = clock;
    this.records = Caffeine.newBuilder().maximumSize(maxClients)
      .expireAfterAccess(Duration.ofMillis(Math.max(AdmissionPolicy.DEFAULT_GUARD_MILLIS,
        AdmissionPolicy.DEFAULT_KNOWN_MILLIS)))
      .executor(Runnable::run).build();
  }

  @Override
  public Future<Admission> admit(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag) {
    ClientRecord record = records.get(clientTag, t -> new ClientRecord());
    synchronized (record) {
      return Future.succeededFuture(record.admit(policy, clock.millis(), secretTag, keyTag));
    }
  }

  @Override
  public Future<Void> accepted(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag, long keyUntil) {
    ClientRecord record = records.get(clientTag, t -> new ClientRecord());
    synchronized (record) {
      record.accepted(policy, clock.millis(), secretTag, keyTag, keyUntil);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> abandoned(AdmissionPolicy policy, String clientTag, String keyTag) {
    ClientRecord record = records.getIfPresent(clientTag);
    if (record != null) {
      synchronized (record) {
        record.abandoned(keyTag);
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> rejected(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag, Rejection rejection, long ttlMillis) {
    ClientRecord record = records.get(clientTag, t -> new ClientRecord());
    synchronized (record) {
      long now = clock.millis();
      record.rejected(policy, now, secretTag, keyTag, rejection, now + ttlMillis);
    }
    return Future.succeededFuture();
  }
}
