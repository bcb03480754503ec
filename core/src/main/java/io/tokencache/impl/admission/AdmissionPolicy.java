package io.tokencache.impl.admission;

/**
 * What a client id may ask of the upstream on a miss.
 *
 * @param maxKeysPerClient distinct cache keys (scope, audience, resource combinations) one client id may hold
 * @param unknownSecretIntervalMillis after the upstream refused a secret for a client id, at most one unknown
 *     secret of that client id is tried upstream per this interval, cluster-wide
 * @param guardMillis how long after the last refusal that bound holds
 * @param knownMillis how long the upstream's acceptance of a secret is remembered
 * @param pendingKeyMillis how long a key being fetched for the first time counts before its token is stored
 */
public record AdmissionPolicy(int maxKeysPerClient, long unknownSecretIntervalMillis, long guardMillis,
                              long knownMillis, long pendingKeyMillis) {

  /** How long after the last refusal of one of its secrets a client id's unknown secrets stay rate-bounded. */
  public static final long DEFAULT_GUARD_MILLIS = 3_600_000;
  /** How long an accepted secret is known without being accepted again. */
  public static final long DEFAULT_KNOWN_MILLIS = 86_400_000;

  public AdmissionPolicy {
    if (maxKeysPerClient < 1) {
      throw new IllegalArgumentException("maxKeysPerClient must be at least 1, was " + maxKeysPerClient);
    }
  }
}
