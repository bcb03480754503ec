package io.tokencache.impl.admission;

import io.tokencache.impl.Rejection;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the cluster knows of one client id of one upstream (named by its tag, never in plaintext): which of its
 * secrets the upstream accepted or refused (by secret tag), when it last refused one, when an unknown secret was
 * last let through after that, and which cache keys the client id holds.
 *
 * <p>Tags are kept {@linkplain ClientRecordForm#shorten shortened} to 128 bits: they are keyed hashes, so two that
 * share their first 128 bits are as unlikely and as hard to make as two equal ones, and a record is held for every
 * client id in use.
 *
 * <p>Pure, so the cluster updates it in an entry processor on its partition owner (one remote call per miss
 * decides lane, replayed refusal, guessing bound and key bound at once) and a single member in memory. Times are
 * epoch milliseconds of the caller; not thread-safe.
 *
 * <p>A little over the usual size: the rules and the two wire forms (the compact one written, both read) share the
 * record's private state; {@link ClientRecordForm} holds the encoding itself.
 */
public final class ClientRecord {

  /** Secrets remembered as accepted: a client rotating its secret has two at once, rarely more. */
  static final int MAX_ACCEPTED = 4;
  /** Refused secrets remembered with their answers; beyond, the guessing bound answers for them. */
  static final int MAX_REJECTED = 16;

  private final LinkedHashMap<String, Long> accepted = new LinkedHashMap<>();
  private final LinkedHashMap<String, Refused> rejected = new LinkedHashMap<>();
  private final LinkedHashMap<String, Long> keys = new LinkedHashMap<>();
  /** A time long past: no refusal, no guess yet. */
  private static final long NEVER = Long.MIN_VALUE / 4;
  /** The most keys a record read from the cluster may hold: a bound on what a corrupt one makes us allocate. */
  private static final int MAX_KEYS_READ = 1_000_000;

  private long lastRejectionAt = NEVER;
  private long lastGuessAt = NEVER;
  /** The unknown secret last let through, and whether the upstream's verdict on it is still awaited. */
  private String guessTag;
  private boolean guessPending;

  private record Refused(Rejection rejection, long until) {
  }

  /** Decides a miss for {@code keyTag} with the credentials {@code secretTag}; records what it lets through. */
  public Admission admit(AdmissionPolicy policy, long now, String secretTag, String keyTag) {
    secretTag = ClientRecordForm.shorten(secretTag);
    keyTag = ClientRecordForm.shorten(keyTag);
    prune(policy, now);
    Refused refused = rejected.get(secretTag);
    if (refused != null) {
      return new Admission(Admission.Verdict.REJECTED, refused.rejection());
    }
    if (!keys.containsKey(keyTag) && keys.size() >= policy.maxKeysPerClient()) {
      return Admission.TOO_MANY_KEYS;
    }
    boolean known = accepted.containsKey(secretTag);
    if (!known && !secretTag.equals(guessTag)) {
      // A new guess. Unknown secrets of one client id are tried one at a time: after a refusal at most one per
      // interval (401 before its turn), and while another one's verdict is awaited not at all (503, retry
      // shortly), so a burst of distinct guesses costs one upstream call. The same unknown secret for more keys is
      // one guess.
      if (now < lastGuessAt + policy.unknownSecretIntervalMillis()) {
        if (now < lastRejectionAt + policy.guardMillis()) {
          return Admission.GUESS_LIMITED;
        }
        if (guessPending) {
          return Admission.GUESS_PENDING;
        }
      }
      lastGuessAt = now;
      guessTag = secretTag;
      guessPending = true;
    }
    keys.merge(keyTag, now + policy.pendingKeyMillis(), Math::max);
    return known ? Admission.KNOWN : Admission.UNKNOWN;
  }

  /** The upstream issued a token for these credentials, kept under {@code keyTag} until {@code keyUntil}. */
  public void accepted(AdmissionPolicy policy, long now, String secretTag, String keyTag, long keyUntil) {
    secretTag = ClientRecordForm.shorten(secretTag);
    keyTag = ClientRecordForm.shorten(keyTag);
    prune(policy, now);
    settled(secretTag);
    rejected.remove(secretTag);
    accepted.remove(secretTag);
    accepted.put(secretTag, now);
    trim(accepted, MAX_ACCEPTED);
    keys.put(keyTag, Math.max(keyUntil, now + policy.pendingKeyMillis()));
  }

  /** The upstream refused these credentials: remembered until {@code until}; they are no longer known. */
  public void rejected(AdmissionPolicy policy, long now, String secretTag, String keyTag, Rejection rejection,
                       long until) {
    secretTag = ClientRecordForm.shorten(secretTag);
    keyTag = ClientRecordForm.shorten(keyTag);
    prune(policy, now);
    settled(secretTag);
    accepted.remove(secretTag);
    rejected.remove(secretTag);
    rejected.put(secretTag, new Refused(rejection, until));
    trim(rejected, MAX_REJECTED);
    keys.remove(keyTag);
    lastRejectionAt = now;
  }

  private void settled(String secretTag) {
    if (secretTag.equals(guessTag)) {
      // the verdict is kept with the secret (accepted or rejected): the guess need not be, and a record is held per
      // client id in every member's map
      guessPending = false;
      guessTag = null;
    }
  }

  /**
   * The fetch for {@code keyTag} ended without a token or a verdict on the credentials (the upstream was
   * unavailable, or refused the request itself): the key no longer counts against the client's maximum, so an
   * outage answers 503, never "too many keys".
   */
  public void abandoned(String keyTag) {
    keys.remove(ClientRecordForm.shorten(keyTag));
  }

  /** Until when this record matters; after that it can be dropped. */
  public long relevantUntil(AdmissionPolicy policy) {
    long until = lastRejectionAt + policy.guardMillis();
    for (long at : accepted.values()) {
      until = Math.max(until, at + policy.knownMillis());
    }
    for (Refused r : rejected.values()) {
      until = Math.max(until, r.until());
    }
    for (long at : keys.values()) {
      until = Math.max(until, at);
    }
    return until;
  }

  /**
   * The record after the sides of a split cluster merge: what either side learnt, a refusal winning over an
   * acceptance of the same secret (a rejection made during the split is not undone), the latest of every time.
   */
  public ClientRecord mergedWith(ClientRecord other) {
    ClientRecord merged = new ClientRecord();
    for (ClientRecord side : new ClientRecord[] {this, other}) {
      side.accepted.forEach((secret, at) -> merged.accepted.merge(secret, at, Math::max));
      side.rejected.forEach((secret, r) -> merged.rejected.merge(secret, r, (a, b) -> a.until() >= b.until() ? a : b));
      side.keys.forEach((key, until) -> merged.keys.merge(key, until, Math::max));
    }
    merged.accepted.keySet().removeAll(merged.rejected.keySet());
    trim(merged.accepted, MAX_ACCEPTED);
    trim(merged.rejected, MAX_REJECTED);
    merged.lastRejectionAt = Math.max(lastRejectionAt, other.lastRejectionAt);
    ClientRecord guess = other.lastGuessAt > lastGuessAt ? other : this;
    merged.lastGuessAt = guess.lastGuessAt;
    merged.guessTag = guess.guessTag;
    merged.guessPending = guess.guessPending;
    return merged;
  }

  /** Whether {@code secretTag} is remembered as refused. */
  boolean isRejected(String secretTag) {
    return rejected.containsKey(ClientRecordForm.shorten(secretTag));
  }

  /** Keys counted against the client id's maximum. */
  public int keys() {
    return keys.size();
  }

  private void prune(AdmissionPolicy policy, long now) {
    accepted.values().removeIf(at -> at + policy.knownMillis() <= now);
    rejected.values().removeIf(r -> r.until() <= now);
    keys.values().removeIf(until -> until <= now);
  }

  private static void trim(LinkedHashMap<String, ?> map, int max) {
    Iterator<String> oldest = map.keySet().iterator();
    while (map.size() > max) {
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * Writes the record (for Hazelcast's data serialization: no Java serialization across the wire) in its compact
   * form ({@link ClientRecordForm}): a record lives in the cluster's map for every client id in use.
   */
  public void writeTo(DataOutput out) throws IOException {
    ClientRecordForm.Writer w = new ClientRecordForm.Writer(out, anchor());
    int guessForm = guessTag == null ? ClientRecordForm.GUESS_NONE
      : accepted.containsKey(guessTag) ? ClientRecordForm.GUESS_ACCEPTED
      : rejected.containsKey(guessTag) ? ClientRecordForm.GUESS_REJECTED
      : ClientRecordForm.GUESS_TAG;
    w.header(lastRejectionAt != NEVER, guessPending, guessForm);
    if (lastRejectionAt != NEVER) {
      w.time(lastRejectionAt);
    }
    w.time(lastGuessAt);
    switch (guessForm) {
      case ClientRecordForm.GUESS_ACCEPTED -> w.count(indexOf(accepted, guessTag));
      case ClientRecordForm.GUESS_REJECTED -> w.count(indexOf(rejected, guessTag));
      case ClientRecordForm.GUESS_TAG -> w.tag(guessTag);
      default -> { }
    }
    w.count(accepted.size());
    for (Map.Entry<String, Long> e : accepted.entrySet()) {
      w.tag(e.getKey());
      w.time(e.getValue());
    }
    w.count(keys.size());
    for (Map.Entry<String, Long> e : keys.entrySet()) {
      w.tag(e.getKey());
      w.time(e.getValue());
    }
    w.count(rejected.size());
    for (Map.Entry<String, Refused> e : rejected.entrySet()) {
      w.tag(e.getKey());
      w.text(e.getValue().rejection().encode());
      w.time(e.getValue().until());
    }
  }

  /** The latest of the record's times: the others are written as differences from it, mostly small. */
  private long anchor() {
    long anchor = Math.max(lastRejectionAt, lastGuessAt);
    for (long at : accepted.values()) {
      anchor = Math.max(anchor, at);
    }
    for (long until : keys.values()) {
      anchor = Math.max(anchor, until);
    }
    return anchor;
  }

  private static int indexOf(Map<String, ?> map, String key) {
    int i = 0;
    for (String k : map.keySet()) {
      if (k.equals(key)) {
        return i;
      }
      i++;
    }
    throw new IllegalStateException("not in the map");
  }

  /** Reads {@link #writeTo}'s form, or the fixed-width form of earlier versions. */
  public static ClientRecord readFrom(DataInput in) throws IOException {
    int first = in.readUnsignedByte();
    return first == ClientRecordForm.MARKER ? readCompact(new ClientRecordForm.Reader(in)) : readLegacy(in, first);
  }

  private static ClientRecord readCompact(ClientRecordForm.Reader in) throws IOException {
    ClientRecord r = new ClientRecord();
    if (in.hasRejection()) {
      r.lastRejectionAt = in.time();
    }
    r.lastGuessAt = in.time();
    r.guessPending = in.guessPending();
    int guessForm = in.guessForm();
    int guessIndex = guessForm == ClientRecordForm.GUESS_ACCEPTED || guessForm == ClientRecordForm.GUESS_REJECTED
      ? in.count(Math.max(MAX_ACCEPTED, MAX_REJECTED)) : -1;
    if (guessForm == ClientRecordForm.GUESS_TAG) {
      r.guessTag = in.tag();
    }
    int n = in.count(MAX_ACCEPTED);
    for (int i = 0; i < n; i++) {
      r.accepted.put(in.tag(), in.time());
    }
    n = in.count(MAX_KEYS_READ);
    for (int i = 0; i < n; i++) {
      r.keys.put(in.tag(), in.time());
    }
    n = in.count(MAX_REJECTED);
    for (int i = 0; i < n; i++) {
      String tag = in.tag();
      r.rejected.put(tag, new Refused(rejection(in.text()), in.time()));
    }
    if (guessIndex >= 0) {
      Map<String, ?> of = guessForm == ClientRecordForm.GUESS_ACCEPTED ? r.accepted : r.rejected;
      if (guessIndex >= of.size()) {
        throw new IOException("the guess names no secret of the record");
      }
      r.guessTag = of.keySet().stream().skip(guessIndex).findFirst().orElseThrow();
    }
    return r;
  }

  /** The form written before the compact one: fixed-width times, tags as modified UTF-8. */
  private static ClientRecord readLegacy(DataInput in, int firstByte) throws IOException {
    ClientRecord r = new ClientRecord();
    long lastRejectionAt = firstByte;
    for (int i = 1; i < Long.BYTES; i++) {
      lastRejectionAt = lastRejectionAt << 8 | in.readUnsignedByte();
    }
    r.lastRejectionAt = lastRejectionAt;
    r.lastGuessAt = in.readLong();
    r.guessTag = in.readBoolean() ? ClientRecordForm.shorten(in.readUTF()) : null;
    r.guessPending = in.readBoolean();
    readTimes(in, r.accepted, MAX_ACCEPTED);
    readTimes(in, r.keys, MAX_KEYS_READ);
    int n = count(in, MAX_REJECTED);
    for (int i = 0; i < n; i++) {
      String tag = ClientRecordForm.shorten(in.readUTF());
      r.rejected.put(tag, new Refused(rejection(in.readUTF()), in.readLong()));
    }
    return r;
  }

  private static Rejection rejection(String encoded) throws IOException {
    try {
      return Rejection.decode(encoded);
    } catch (RuntimeException e) {
      throw new IOException("malformed rejection", e);
    }
  }

  private static void readTimes(DataInput in, Map<String, Long> map, int max) throws IOException {
    int n = count(in, max);
    for (int i = 0; i < n; i++) {
      map.put(ClientRecordForm.shorten(in.readUTF()), in.readLong());
    }
  }

  private static int count(DataInput in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("implausible count " + n);
    }
    return n;
  }
}
