package io.tokencache.fakeidp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fake IdP's counters. Each counter is thread-safe on its own; a {@link #reset()} concurrent
 * with requests in flight may leave them momentarily inconsistent with each other.
 */
final class IdpCounters {

  /**
   * The most issue times kept per client (the first ones since the last reset): a bound for a client hammered
   * without a cache in front; a cached client gets a few tokens per lifetime.
   */
  static final int MAX_ISSUED_AT_PER_CLIENT = 100_000;

  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private final AtomicInteger throttled = new AtomicInteger();
  private final AtomicInteger rejectedClients = new AtomicInteger();
  private final AtomicInteger failuresInjected = new AtomicInteger();
  private final Map<String, AtomicInteger> issuedByClient = new ConcurrentHashMap<>();
  /** Epoch millis of every token issued, per client; the first {@link #MAX_ISSUED_AT_PER_CLIENT} of each. */
  private final Map<String, LongLog> issuedAtByClient = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> requestsPerSecond = new ConcurrentHashMap<>();
  /** System.nanoTime() of every request that reached the quota check. */
  private final LongLog arrivalNanos = new LongLog();
  /** Epoch millis of every request the quota admitted. */
  private final LongLog admittedMillis = new LongLog();

  /** A token request reached the quota check (every token request does: it is the first check). */
  void arrived(long nanoTime, long epochMillis, boolean admitted) {
    tokenRequests.incrementAndGet();
    requestsPerSecond.computeIfAbsent(Math.floorDiv(epochMillis, 1000L), s -> new AtomicInteger())
        .incrementAndGet();
    arrivalNanos.add(nanoTime);
    if (admitted) {
      admittedMillis.add(epochMillis);
    } else {
      throttled.incrementAndGet();
    }
  }

  /** A token was issued to {@code clientId} at {@code epochMillis}. */
  void issued(String clientId, long epochMillis) {
    tokensIssued.incrementAndGet();
    issuedByClient.computeIfAbsent(clientId, c -> new AtomicInteger()).incrementAndGet();
    issuedAtByClient.computeIfAbsent(clientId, c -> new LongLog(4, MAX_ISSUED_AT_PER_CLIENT)).add(epochMillis);
  }

  void rejectedClient() {
    rejectedClients.incrementAndGet();
  }

  void failureInjected() {
    failuresInjected.incrementAndGet();
  }

  int tokenRequests() {
    return tokenRequests.get();
  }

  int tokensIssued() {
    return tokensIssued.get();
  }

  int tokensIssued(String clientId) {
    AtomicInteger count = issuedByClient.get(clientId);
    return count == null ? 0 : count.get();
  }

  /** @return epoch millis of the tokens issued to {@code clientId}, in the order they were issued; a copy */
  List<Long> issuedAt(String clientId) {
    LongLog log = issuedAtByClient.get(clientId);
    List<Long> list = new ArrayList<>();
    if (log != null) {
      for (long value : log.snapshot()) {
        list.add(value);
      }
    }
    return List.copyOf(list);
  }

  int throttled() {
    return throttled.get();
  }

  int rejectedClients() {
    return rejectedClients.get();
  }

  int failuresInjected() {
    return failuresInjected.get();
  }

  List<Long> admittedMillis() {
    long[] values = admittedMillis.snapshot();
    List<Long> list = new ArrayList<>(values.length);
    for (long value : values) {
      list.add(value);
    }
    return List.copyOf(list);
  }

  /**
   * The largest number of arrivals that fit in a half-open interval {@code [t, t + windowNanos)}:
   * sorted arrivals, two pointers, O(n log n).
   */
  int maxArrivalsInWindow(long windowNanos) {
    long[] arrivals = arrivalNanos.snapshot();
    Arrays.sort(arrivals);
    int max = 0;
    int first = 0;
    for (int last = 0; last < arrivals.length; last++) {
      while (arrivals[last] - arrivals[first] >= windowNanos) {
        first++;
      }
      max = Math.max(max, last - first + 1);
    }
    return max;
  }

  JsonObject issuedByClientJson() {
    JsonObject json = new JsonObject();
    new TreeMap<>(issuedByClient).forEach((client, count) -> json.put(client, count.get()));
    return json;
  }

  /** Client id to the epoch millis of its tokens, in the order they were issued. */
  JsonObject issuedAtByClientJson() {
    JsonObject json = new JsonObject();
    new TreeMap<>(issuedAtByClient).forEach((client, log) -> {
      JsonArray times = new JsonArray();
      for (long millis : log.snapshot()) {
        times.add(millis);
      }
      json.put(client, times);
    });
    return json;
  }

  JsonObject requestsPerSecondJson() {
    JsonObject json = new JsonObject();
    new TreeMap<>(requestsPerSecond).forEach((second, count) -> json.put(Long.toString(second), count.get()));
    return json;
  }

  JsonArray admittedMillisJson() {
    JsonArray array = new JsonArray();
    for (long millis : admittedMillis.snapshot()) {
      array.add(millis);
    }
    return array;
  }

  void reset() {
    tokenRequests.set(0);
    tokensIssued.set(0);
    throttled.set(0);
    rejectedClients.set(0);
    failuresInjected.set(0);
    issuedByClient.clear();
    issuedAtByClient.clear();
    requestsPerSecond.clear();
    arrivalNanos.clear();
    admittedMillis.clear();
  }

  /**
   * An append-only, growable array of longs; unboxed because a load run logs millions. Values past
   * {@code maxSize} are dropped.
   */
  private static final class LongLog {
    private final int initialCapacity;
    private final int maxSize;
    private long[] values;
    private int size;

    LongLog() {
      this(1024, Integer.MAX_VALUE - 8);
    }

    LongLog(int initialCapacity, int maxSize) {
      this.initialCapacity = initialCapacity;
      this.maxSize = maxSize;
      this.values = new long[initialCapacity];
    }

    synchronized void add(long value) {
      if (size >= maxSize) {
        return;
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, (int) Math.min(maxSize, size * 2L));
      }
      values[size++] = value;
    }

    synchronized long[] snapshot() {
      return Arrays.copyOf(values, size);
    }

    synchronized void clear() {
      values = new long[initialCapacity];
      size = 0;
    }
  }
}
