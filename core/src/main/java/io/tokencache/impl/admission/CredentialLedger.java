package io.tokencache.impl.admission;

import io.tokencache.impl.Rejection;
import io.vertx.core.Future;

/**
 * Where members keep each client id's {@link ClientRecord}: in memory for a single member, in the cluster (one
 * entry per client tag on its partition owner) when members share it. Each call carries its upstream's policy.
 */
public interface CredentialLedger {

  /** Decides a miss of the client tagged {@code clientTag} ({@link ClientRecord#admit}). */
  Future<Admission> admit(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag);

  /** The upstream issued a token for these credentials, kept under {@code keyTag} until {@code keyUntil}. */
  Future<Void> accepted(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag, long keyUntil);

  /** The fetch for {@code keyTag} ended with no verdict on the credentials ({@link ClientRecord#abandoned}). */
  Future<Void> abandoned(AdmissionPolicy policy, String clientTag, String keyTag);

  /** The upstream refused these credentials; its answer is replayed for {@code ttlMillis}. */
  Future<Void> rejected(AdmissionPolicy policy, String clientTag, String secretTag, String keyTag, Rejection rejection, long ttlMillis);
}
