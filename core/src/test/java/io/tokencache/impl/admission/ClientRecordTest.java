package io.tokencache.impl.admission;

import io.tokencache.impl.Rejection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class ClientRecordTest {

  private static final long T0 = 1_000_000L;
  private static final AdmissionPolicy POLICY = new AdmissionPolicy(3, 10_000, 3_600_000, 86_400_000, 16_000);
  private static final Rejection REFUSED = new Rejection(401, "application/json", "{\"error\":\"invalid_client\"}");

  @Test
  @DisplayName("credentials are unknown until the upstream accepts them, known after")
  void shouldLearnAcceptedSecrets() {
    ClientRecord r = new ClientRecord();
    assertThat(r.admit(POLICY, T0, "s1", "k1").verdict()).isEqualTo(Admission.Verdict.UNKNOWN);
    r.accepted(POLICY, T0, "s1", "k1", T0 + 60_000);
    assertThat(r.admit(POLICY, T0 + 1, "s1", "k2").verdict()).isEqualTo(Admission.Verdict.KNOWN);
    assertThat(r.admit(POLICY, T0 + 1, "s2", "k3").verdict()).as("another secret of the same client")
      .isEqualTo(Admission.Verdict.UNKNOWN);
  }

  @Test
  @DisplayName("after a refusal: the refused secret is replayed, other unknown secrets get one try per interval, the known one is unaffected, a rotated one gets in at its turn")
  void shouldBoundGuessingAfterARefusal() {
    ClientRecord r = new ClientRecord();
    r.admit(POLICY, T0, "good", "k1");
    r.accepted(POLICY, T0, "good", "k1", T0 + 600_000);
    r.admit(POLICY, T0, "wrong-0", "k1");
    r.rejected(POLICY, T0, "wrong-0", "k1", REFUSED, T0 + 30_000);

    Admission replay = r.admit(POLICY, T0 + 1, "wrong-0", "k1");
    assertThat(replay.verdict()).isEqualTo(Admission.Verdict.REJECTED);
    assertThat(replay.rejection()).isEqualTo(REFUSED);

    int tried = 0;
    int limited = 0;
    for (int i = 1; i <= 1000; i++) {
      // 1000 distinct wrong secrets over 100 s
      Admission a = r.admit(POLICY, T0 + i * 100L, "wrong-" + i, "k1");
      if (a.verdict() == Admission.Verdict.UNKNOWN) {
        tried++;
        r.rejected(POLICY, T0 + i * 100L, "wrong-" + i, "k1", REFUSED, T0 + i * 100L + 30_000);
      } else if (a.verdict() == Admission.Verdict.GUESS_LIMITED) {
        limited++;
      }
      assertThat(r.admit(POLICY, T0 + i * 100L, "good", "k1").verdict()).isEqualTo(Admission.Verdict.KNOWN);
    }
    assertThat(tried).as("one per 10 s over 100 s").isEqualTo(10);
    assertThat(limited).isEqualTo(990);
    assertThat(r.admit(POLICY, T0 + 200_000, "rotated", "k1").verdict()).isEqualTo(Admission.Verdict.UNKNOWN);
  }

  @Test
  @DisplayName("a burst of distinct unknown secrets before any verdict: one is tried, the others wait (503); the same secret for more keys is one guess")
  void shouldTryOneUnknownSecretAtATime() {
    ClientRecord r = new ClientRecord();
    assertThat(r.admit(POLICY, T0, "first", "k1").verdict()).isEqualTo(Admission.Verdict.UNKNOWN);
    assertThat(r.admit(POLICY, T0, "first", "k2").verdict()).as("the same guess").isEqualTo(Admission.Verdict.UNKNOWN);
    for (int i = 0; i < 100; i++) {
      assertThat(r.admit(POLICY, T0 + i, "other-" + i, "k1").verdict()).isEqualTo(Admission.Verdict.GUESS_PENDING);
    }
    r.accepted(POLICY, T0 + 200, "first", "k1", T0 + 60_000);
    assertThat(r.admit(POLICY, T0 + 201, "second", "k1").verdict()).as("no verdict awaited, no refusal: a rotation")
      .isEqualTo(Admission.Verdict.UNKNOWN);
    assertThat(r.admit(POLICY, T0 + 202, "first", "k2").verdict()).isEqualTo(Admission.Verdict.KNOWN);
  }

  @Test
  @DisplayName("a client id holds at most its maximum of distinct keys; a key it holds is always admitted; expired keys free their place")
  void shouldBoundDistinctKeysPerClient() {
    ClientRecord r = new ClientRecord();
    for (int i = 0; i < 3; i++) {
      assertThat(r.admit(POLICY, T0, "s", "k" + i).verdict()).isNotEqualTo(Admission.Verdict.TOO_MANY_KEYS);
      r.accepted(POLICY, T0, "s", "k" + i, T0 + 60_000);
    }
    assertThat(r.admit(POLICY, T0, "s", "k3").verdict()).isEqualTo(Admission.Verdict.TOO_MANY_KEYS);
    assertThat(r.admit(POLICY, T0, "s", "k1").verdict()).isEqualTo(Admission.Verdict.KNOWN);
    assertThat(r.admit(POLICY, T0 + 60_000, "s", "k3").verdict()).isEqualTo(Admission.Verdict.KNOWN);
  }

  @Test
  @DisplayName("a refusal of a known secret (revocation) makes it unknown and replayed")
  void shouldForgetARevokedSecret() {
    ClientRecord r = new ClientRecord();
    r.accepted(POLICY, T0, "s", "k", T0 + 60_000);
    r.rejected(POLICY, T0 + 10, "s", "k", REFUSED, T0 + 30_000);
    assertThat(r.admit(POLICY, T0 + 20, "s", "k").verdict()).isEqualTo(Admission.Verdict.REJECTED);
    assertThat(r.admit(POLICY, T0 + 30_000, "s", "k").verdict()).as("after the replay time, one try at its turn")
      .isEqualTo(Admission.Verdict.UNKNOWN);
  }

  @Test
  @DisplayName("the record survives its wire form, and an admission its text form")
  void shouldRoundTrip() throws Exception {
    ClientRecord r = new ClientRecord();
    r.accepted(POLICY, T0, "s", "k", T0 + 60_000);
    r.rejected(POLICY, T0, "bad", "k2", REFUSED, T0 + 30_000);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.writeTo(new DataOutputStream(bytes));
    ClientRecord read = ClientRecord.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(read.admit(POLICY, T0 + 1, "bad", "k2")).isEqualTo(new Admission(Admission.Verdict.REJECTED, REFUSED));
    assertThat(read.admit(POLICY, T0 + 1, "s", "k").verdict()).isEqualTo(Admission.Verdict.KNOWN);
    assertThat(read.relevantUntil(POLICY)).as("the accepted secret is known for a day").isEqualTo(T0 + 86_400_000);
    Admission a = new Admission(Admission.Verdict.REJECTED, REFUSED);
    assertThat(Admission.decode(a.encode())).isEqualTo(a);
  }

  @Test
  @DisplayName("after a split's merge, a refusal learnt on one side wins over the other side's acceptance of the same secret, and both sides' keys count")
  void shouldKeepARefusalThroughAMerge() throws java.io.IOException {
    ClientRecord before = new ClientRecord();
    before.admit(POLICY, T0, "s1", "k1");
    before.accepted(POLICY, T0, "s1", "k1", T0 + 60_000);
    ClientRecord refusing = ClientRecord.readFrom(copy(before));
    ClientRecord accepting = ClientRecord.readFrom(copy(before));
    refusing.rejected(POLICY, T0 + 1_000, "s1", "k1", REFUSED, T0 + 16_000);
    accepting.admit(POLICY, T0 + 1_000, "s1", "k2");
    accepting.accepted(POLICY, T0 + 1_000, "s1", "k2", T0 + 61_000);

    for (ClientRecord merged : new ClientRecord[] {refusing.mergedWith(accepting), accepting.mergedWith(refusing)}) {
      Admission admission = merged.admit(POLICY, T0 + 2_000, "s1", "k3");
      assertThat(admission.verdict()).isEqualTo(Admission.Verdict.REJECTED);
      assertThat(admission.rejection()).isEqualTo(REFUSED);
      assertThat(merged.keys()).isEqualTo(2);
    }
  }

  /** A tag as {@code CacheKeys} makes them: 43 base64url characters of an HMAC-SHA256. */
  private static String tag(String name) {
    try {
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytesOf(ClientRecord record) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    record.writeTo(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  @Test
  @DisplayName("a client with one accepted secret and one key costs under 64 bytes on the wire: tags shortened to 128 bits, as bytes, the guess as a reference, times as differences")
  void shouldWriteACompactRecord() throws Exception {
    ClientRecord r = new ClientRecord();
    String secret = tag("secret");
    String key = tag("key");
    r.admit(POLICY, 1_764_800_000_000L, secret, key);
    r.accepted(POLICY, 1_764_800_000_150L, secret, key, 1_764_803_600_000L);
    byte[] wire = bytesOf(r);
    // two 16-byte tags, an 8-byte anchor, and a few bytes of flags, counts and time differences (181 bytes before)
    assertThat(wire.length).isLessThan(64);
    String text = new String(wire, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain(secret).doesNotContain(key);

    ClientRecord read = ClientRecord.readFrom(new DataInputStream(new ByteArrayInputStream(wire)));
    assertThat(bytesOf(read)).isEqualTo(wire);
    assertThat(read.relevantUntil(POLICY)).isEqualTo(r.relevantUntil(POLICY));
    assertThat(read.admit(POLICY, 1_764_800_001_000L, secret, key).verdict()).isEqualTo(Admission.Verdict.KNOWN);
    assertThat(read.keys()).isEqualTo(1);
  }

  @Test
  @DisplayName("the guessing bound survives the wire form whichever list the guessed secret is in, or none")
  void shouldKeepTheGuessThroughTheWire() throws Exception {
    // pending: the guess is in no list; a second unknown secret waits for its verdict
    ClientRecord pending = new ClientRecord();
    pending.admit(POLICY, T0, tag("good"), "k1");
    pending.accepted(POLICY, T0, tag("good"), "k1", T0 + 600_000);
    pending.admit(POLICY, T0, "wrong-0", "k1");
    pending.rejected(POLICY, T0, "wrong-0", "k1", REFUSED, T0 + 30_000);
    pending.admit(POLICY, T0 + 20_000, tag("new"), "k2");
    ClientRecord read = ClientRecord.readFrom(copy(pending));
    assertThat(read.admit(POLICY, T0 + 20_001, tag("other"), "k3").verdict()).isEqualTo(Admission.Verdict.GUESS_LIMITED);
    assertThat(read.admit(POLICY, T0 + 20_001, tag("new"), "k3").verdict()).as("the same guess for another key")
      .isEqualTo(Admission.Verdict.UNKNOWN);

    // the guess refused: a reference into the refused secrets, replayed
    read.rejected(POLICY, T0 + 20_002, tag("new"), "k2", REFUSED, T0 + 50_000);
    ClientRecord refused = ClientRecord.readFrom(copy(read));
    assertThat(refused.admit(POLICY, T0 + 20_003, tag("new"), "k2").verdict()).isEqualTo(Admission.Verdict.REJECTED);
    assertThat(refused.admit(POLICY, T0 + 20_003, tag("other"), "k2").verdict()).as("one guess per interval after a refusal")
      .isEqualTo(Admission.Verdict.GUESS_LIMITED);
    assertThat(refused.admit(POLICY, T0 + 20_003, tag("good"), "k1").verdict()).isEqualTo(Admission.Verdict.KNOWN);
    assertThat(refused.isRejected("wrong-0")).isTrue();
  }

  @Test
  @DisplayName("a record in the fixed-width form of earlier versions is still read")
  void shouldReadTheEarlierForm() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(T0); // last rejection
      out.writeLong(T0 + 5); // last guess
      out.writeBoolean(true);
      out.writeUTF("guess");
      out.writeBoolean(true); // pending
      out.writeInt(1);
      out.writeUTF(tag("good"));
      out.writeLong(T0);
      out.writeInt(1);
      out.writeUTF("k1");
      out.writeLong(T0 + 60_000);
      out.writeInt(1);
      out.writeUTF("bad");
      out.writeUTF(REFUSED.encode());
      out.writeLong(T0 + 30_000);
    }
    ClientRecord read = ClientRecord.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(read.admit(POLICY, T0 + 6, "bad", "k1")).isEqualTo(new Admission(Admission.Verdict.REJECTED, REFUSED));
    assertThat(read.admit(POLICY, T0 + 6, tag("good"), "k1").verdict()).as("a full-length tag of then")
      .isEqualTo(Admission.Verdict.KNOWN);
    assertThat(read.admit(POLICY, T0 + 6, "another", "k1").verdict()).as("after a refusal, within the interval")
      .isEqualTo(Admission.Verdict.GUESS_LIMITED);
    assertThat(read.relevantUntil(POLICY)).isEqualTo(T0 + 86_400_000);

    ClientRecord never = new ClientRecord();
    never.accepted(POLICY, T0, "good", "k1", T0 + 60_000);
    ByteArrayOutputStream fresh = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(fresh)) {
      out.writeLong(Long.MIN_VALUE / 4);
      out.writeLong(Long.MIN_VALUE / 4);
      out.writeBoolean(false);
      out.writeBoolean(false);
      out.writeInt(0);
      out.writeInt(0);
      out.writeInt(0);
    }
    ClientRecord empty = ClientRecord.readFrom(new DataInputStream(new ByteArrayInputStream(fresh.toByteArray())));
    assertThat(empty.admit(POLICY, T0, "any", "k1").verdict()).isEqualTo(Admission.Verdict.UNKNOWN);
  }

  private static java.io.DataInput copy(ClientRecord record) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      record.writeTo(new DataOutputStream(bytes));
      return new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
