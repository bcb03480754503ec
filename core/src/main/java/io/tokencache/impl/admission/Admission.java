package io.tokencache.impl.admission;

import io.tokencache.impl.Rejection;

/**
 * What a miss may do, decided before anything is sent upstream.
 *
 * @param verdict the decision
 * @param rejection the upstream's remembered refusal, for {@link Verdict#REJECTED}
 */
public record Admission(Verdict verdict, Rejection rejection) {

  /** The decisions. */
  public enum Verdict {
    /** Credentials the upstream accepted before: a first fetch in the known lane. */
    KNOWN,
    /** Credentials never seen accepted: the unknown lane. */
    UNKNOWN,
    /** The upstream refused these very credentials a short while ago: its answer is replayed. */
    REJECTED,
    /** Another unknown secret of a client id whose secrets were refused, before its turn: 401 here. */
    GUESS_LIMITED,
    /** Another unknown secret of the same client id awaits the upstream's verdict: 503, retry shortly. */
    GUESS_PENDING,
    /** The client id already holds its maximum of distinct keys: 400 here. */
    TOO_MANY_KEYS
  }

  static final Admission KNOWN = new Admission(Verdict.KNOWN, null);
  static final Admission UNKNOWN = new Admission(Verdict.UNKNOWN, null);
  static final Admission GUESS_LIMITED = new Admission(Verdict.GUESS_LIMITED, null);
  static final Admission GUESS_PENDING = new Admission(Verdict.GUESS_PENDING, null);
  static final Admission TOO_MANY_KEYS = new Admission(Verdict.TOO_MANY_KEYS, null);

  /** A compact text form, for answers from a partition owner. */
  public String encode() {
    return rejection == null ? verdict.name() : verdict.name() + ":" + rejection.encode();
  }

  /** Reads {@link #encode()}'s form. */
  public static Admission decode(String encoded) {
    int colon = encoded.indexOf(':');
    Verdict verdict = Verdict.valueOf(colon < 0 ? encoded : encoded.substring(0, colon));
    return new Admission(verdict, colon < 0 ? null : Rejection.decode(encoded.substring(colon + 1)));
  }
}
