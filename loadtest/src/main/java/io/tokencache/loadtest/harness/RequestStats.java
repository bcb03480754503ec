package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The client side's figures, recorded by the simulations after every request: how many, how many
 * failed (exactly Gatling's KO: a failed check or no answer), answers by status and by
 * {@code X-Token-Cache}, per request name and per second. Thread-safe; Gatling records from many
 * threads.
 */
public final class RequestStats {

  /** The figures of one request name. */
  public static final class Counts {
    private final LongAdder requests = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byCache = new ConcurrentHashMap<>();

    void record(boolean ko, Integer status, String cache) {
      requests.increment();
      if (ko) {
        failed.increment();
      }
      byStatus.computeIfAbsent(status == null ? "none" : status.toString(), s -> new LongAdder()).increment();
      if (cache != null && !cache.isBlank()) {
        byCache.computeIfAbsent(cache.trim(), c -> new LongAdder()).increment();
      }
    }

    /** @return requests recorded */
    public long requests() {
      return requests.sum();
    }

    /** @return requests Gatling counted as KO */
    public long failed() {
      return failed.sum();
    }

    /**
     * @param status an HTTP status
     * @return answers with that status
     */
    public long status(int status) {
      return byStatus.getOrDefault(Integer.toString(status), new LongAdder()).sum();
    }

    /**
     * @param cacheStatus HIT, MISS, COALESCED or BYPASS
     * @return answers with that X-Token-Cache value
     */
    public long cache(String cacheStatus) {
      return byCache.getOrDefault(cacheStatus, new LongAdder()).sum();
    }

    /** @return {@code requests}, {@code failed}, {@code by_status}, {@code by_cache} */
    public JsonObject toJson() {
      return new JsonObject()
          .put("requests", requests())
          .put("failed", failed())
          .put("by_status", sorted(byStatus, LongAdder::sum))
          .put("by_cache", sorted(byCache, LongAdder::sum));
    }
  }

  private final Counts total = new Counts();
  private final Map<String, Counts> byName = new ConcurrentHashMap<>();
  private final Map<Long, Counts> bySecond = new ConcurrentHashMap<>();
  /** Per member (its base URL): answers it gave that Gatling counted OK, per epoch second. */
  private final Map<String, Map<Long, LongAdder>> servedByMember = new ConcurrentHashMap<>();
  /** Per member: when it first gave such an answer, epoch millis. */
  private final Map<String, Long> firstServedByMember = new ConcurrentHashMap<>();

  /**
   * @param name the request's name in the Gatling report
   * @param failed whether Gatling counted it KO
   * @param status the HTTP status, null when there was no answer
   * @param cacheStatus the X-Token-Cache header, null when absent
   */
  public void record(String name, boolean failed, Integer status, String cacheStatus) {
    record(name, failed, status, cacheStatus, System.currentTimeMillis());
  }

  void record(String name, boolean failed, Integer status, String cacheStatus, long epochMillis) {
    total.record(failed, status, cacheStatus);
    byName.computeIfAbsent(name, n -> new Counts()).record(failed, status, cacheStatus);
    bySecond.computeIfAbsent(Math.floorDiv(epochMillis, 1000L), s -> new Counts()).record(failed, status, cacheStatus);
  }

  /**
   * Records that a member answered a request, and whether Gatling counted the answer OK (a member serves a
   * request when it answers it correctly).
   *
   * @param member the member's base URL, as the request was sent to
   * @param ok whether Gatling counted the request OK
   */
  public void served(String member, boolean ok) {
    served(member, ok, System.currentTimeMillis());
  }

  void served(String member, boolean ok, long epochMillis) {
    if (member == null || !ok) {
      return;
    }
    servedByMember.computeIfAbsent(member, m -> new ConcurrentHashMap<>())
        .computeIfAbsent(Math.floorDiv(epochMillis, 1000L), s -> new LongAdder()).increment();
    firstServedByMember.merge(member, epochMillis, Math::min);
  }

  /**
   * @param member a member's base URL
   * @param epochSecond a second
   * @return requests that member served in that second
   */
  public long servedBy(String member, long epochSecond) {
    return servedByMember.getOrDefault(member, Map.of()).getOrDefault(epochSecond, new LongAdder()).sum();
  }

  /**
   * @param member a member's base URL
   * @return when it first served a request, epoch millis; null if it never did
   */
  public Long firstServedBy(String member) {
    return firstServedByMember.get(member);
  }

  /** @return every request */
  public Counts total() {
    return total;
  }

  /**
   * @param name a request name
   * @return its figures (empty if it never ran)
   */
  public Counts named(String name) {
    return byName.getOrDefault(name, new Counts());
  }

  /**
   * @param epochSecond a second
   * @return {requests, failed} completed in that second
   */
  public long[] second(long epochSecond) {
    Counts counts = bySecond.getOrDefault(epochSecond, new Counts());
    return new long[] {counts.requests(), counts.failed()};
  }

  /** @return every request name's figures, by name */
  public JsonObject byNameJson() {
    return sorted(byName, Counts::toJson);
  }

  private static <T> JsonObject sorted(Map<String, T> values, Function<T, Object> toJson) {
    JsonObject json = new JsonObject();
    new TreeMap<>(values).forEach((key, value) -> json.put(key, toJson.apply(value)));
    return json;
  }
}
