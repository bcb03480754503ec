package io.tokencache.loadtest.harness;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The cache keys a scenario requests tokens for, and the feeders that pick them.
 *
 * <p>Key {@code i} is client {@code <prefix>-<i>} (secret {@code <id>-secret}, as the fake IdP's
 * dynamic clients expect) with the scope set {@code scopes[i % scopes.size()]}, authenticated by
 * HTTP Basic for even {@code i} and by form fields for odd {@code i}. One client per key makes the
 * IdP's per-client counter a per-key counter, so "upstream calls per key" is measured, not
 * estimated.
 *
 * <p>Feeder records carry {@code clientId}, {@code secret}, {@code scope}, {@code auth}
 * ({@code basic} or {@code post}) and {@code key} (the index).
 */
public final class KeySpace {

  /** Scope sets, some with several scopes in unsorted order (the cache sorts them for the key). */
  public static final List<String> DEFAULT_SCOPES = List.of(
      "orders:read",
      "orders:write orders:read",
      "payments:read",
      "inventory:read inventory:write",
      "profile");

  private final String prefix;
  private final int size;
  private final List<String> scopes;
  private final AtomicLongArray uses;

  /**
   * @param prefix client id prefix, characters the IdP accepts ([A-Za-z0-9._:-])
   * @param size how many keys, &gt;= 1
   * @param scopes scope sets, not empty
   */
  public KeySpace(String prefix, int size, List<String> scopes) {
    if (prefix == null || !prefix.matches("[A-Za-z0-9._:-]{1,64}")) {
      throw new IllegalArgumentException("prefix must match [A-Za-z0-9._:-]{1,64}, was " + prefix);
    }
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, was " + size);
    }
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("scopes must not be empty");
    }
    this.prefix = prefix;
    this.size = size;
    this.scopes = List.copyOf(scopes);
    this.uses = new AtomicLongArray(size);
  }

  /** @return how many keys */
  public int size() {
    return size;
  }

  /**
   * @param index 0 to size - 1
   * @return the client id of that key
   */
  public String clientId(int index) {
    Objects.checkIndex(index, size);
    return String.format("%s-%05d", prefix, index);
  }

  /**
   * @param index 0 to size - 1
   * @return the feeder record of that key, with its valid secret; counts as a use
   */
  public Map<String, Object> record(int index) {
    Objects.checkIndex(index, size);
    uses.incrementAndGet(index);
    return record(index, clientId(index) + "-secret");
  }

  /**
   * The record of a key with a wrong secret (credential stuffing): the client exists, the secret
   * is one of {@code distinctSecrets} wrong ones. Not counted as a use of the key.
   *
   * @param index 0 to size - 1
   * @param variant which wrong secret, any int
   * @param distinctSecrets how many different wrong secrets per client, &gt;= 1
   * @return the record
   */
  public Map<String, Object> wrongSecretRecord(int index, int variant, int distinctSecrets) {
    return record(index, clientId(index) + "-wrong-" + Math.floorMod(variant, Math.max(1, distinctSecrets)));
  }

  private Map<String, Object> record(int index, String secret) {
    return new HashMap<>(Map.of("key", index, "clientId", clientId(index), "secret", secret,
        "scope", scopes.get(index % scopes.size()), "auth", index % 2 == 0 ? "basic" : "post"));
  }

  /** @return how many distinct keys were handed out with their valid secret */
  public int used() {
    return (int) IntStream.range(0, size).filter(i -> uses.get(i) > 0).count();
  }

  /**
   * @param index 0 to size - 1
   * @return how many times that key was handed out with its valid secret
   */
  public long uses(int index) {
    return uses.get(index);
  }

  /**
   * @param fromInclusive first key
   * @param toExclusive after the last key
   * @return an endless feeder picking keys uniformly at random in the range
   */
  public Iterator<Map<String, Object>> uniform(int fromInclusive, int toExclusive) {
    Objects.checkFromToIndex(fromInclusive, toExclusive, size);
    if (fromInclusive == toExclusive) {
      throw new IllegalArgumentException("empty key range");
    }
    return endless(() -> record(ThreadLocalRandom.current().nextInt(fromInclusive, toExclusive)));
  }

  /** @return an endless feeder picking any key uniformly at random */
  public Iterator<Map<String, Object>> uniform() {
    return uniform(0, size);
  }

  /** @return an endless feeder going through the keys in order, round and round */
  public Iterator<Map<String, Object>> circular() {
    AtomicLong next = new AtomicLong();
    return endless(() -> record((int) (next.getAndIncrement() % size)));
  }

  /**
   * An endless feeder whose key space grows with time, so that first requests for new keys (each a
   * guaranteed upstream call) arrive at a bounded rate whatever the request rate: at time {@code t}
   * (ms after the clock's zero) keys {@code [0, initial + t * newKeysPerSecond)} are active. The
   * first request after a key becomes active takes it; the others pick an active key at random.
   *
   * @param initial keys active from the start, &gt;= 1
   * @param newKeysPerSecond how fast keys activate, &gt;= 0
   * @param elapsedMillis the clock, milliseconds since the load started
   * @return the feeder
   */
  public Iterator<Map<String, Object>> growing(int initial, double newKeysPerSecond, LongSupplier elapsedMillis) {
    return growing(initial, newKeysPerSecond, Long.MAX_VALUE, newKeysPerSecond, elapsedMillis);
  }

  /**
   * As {@link #growing(int, double, LongSupplier)}, with keys activating at one rate until {@code stepAtMillis}
   * and at another from then on: new keys arriving with a step in the request rate.
   *
   * @param initial keys active from the start, &gt;= 1
   * @param newKeysPerSecond how fast keys activate before the step, &gt;= 0
   * @param stepAtMillis when the rate changes, ms after the clock's zero
   * @param newKeysPerSecondAfter how fast keys activate from the step on, &gt;= 0
   * @param elapsedMillis the clock, milliseconds since the load started
   * @return the feeder
   */
  public Iterator<Map<String, Object>> growing(int initial, double newKeysPerSecond, long stepAtMillis,
      double newKeysPerSecondAfter, LongSupplier elapsedMillis) {
    if (initial < 1 || initial > size) {
      throw new IllegalArgumentException("initial must be from 1 to " + size + ", was " + initial);
    }
    if (!(newKeysPerSecond >= 0) || !(newKeysPerSecondAfter >= 0)) {
      throw new IllegalArgumentException("new keys per second must be >= 0, was " + newKeysPerSecond + " and "
          + newKeysPerSecondAfter);
    }
    AtomicInteger introduced = new AtomicInteger();
    return endless(() -> {
      int active = activeKeys(initial, newKeysPerSecond, stepAtMillis, newKeysPerSecondAfter,
          elapsedMillis.getAsLong());
      int fresh = introduced.get();
      while (fresh < active) {
        if (introduced.compareAndSet(fresh, fresh + 1)) {
          return record(fresh);
        }
        fresh = introduced.get();
      }
      return record(ThreadLocalRandom.current().nextInt(Math.max(1, Math.min(active, introduced.get()))));
    });
  }

  /**
   * @param initial keys active from the start
   * @param newKeysPerSecond activation rate before the step
   * @param stepAtMillis when the rate changes
   * @param newKeysPerSecondAfter activation rate from the step on
   * @param elapsedMillis time since the start
   * @return how many keys are active, at most {@link #size()}
   */
  public int activeKeys(int initial, double newKeysPerSecond, long stepAtMillis, double newKeysPerSecondAfter,
      long elapsedMillis) {
    long elapsed = Math.max(0, elapsedMillis);
    double grown = initial + Math.min(elapsed, stepAtMillis) / 1000.0 * newKeysPerSecond
        + Math.max(0, elapsed - stepAtMillis) / 1000.0 * newKeysPerSecondAfter;
    return (int) Math.min(size, Math.floor(grown));
  }

  /**
   * @param initial keys active from the start
   * @param newKeysPerSecond activation rate
   * @param elapsedMillis time since the start
   * @return how many keys are active, at most {@link #size()}
   */
  public int activeKeys(int initial, double newKeysPerSecond, long elapsedMillis) {
    return activeKeys(initial, newKeysPerSecond, Long.MAX_VALUE, newKeysPerSecond, elapsedMillis);
  }

  /** A feeder that never ends; unlike a stream's iterator it holds no state, so threads may share it. */
  private static Iterator<Map<String, Object>> endless(Supplier<Map<String, Object>> next) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        return next.get();
      }
    };
  }
}
