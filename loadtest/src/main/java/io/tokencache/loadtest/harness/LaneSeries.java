package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Upstream requests and budget rejections per second by budget lane, summed over the members, from the
 * members' cumulative counters scraped about once a second ({@link LaneCounters}).
 *
 * <p>A member's increase between two of its scrapes is attributed to the second holding the midpoint of the
 * two scrape times (the harness scrapes ~20 ms into each second, so that is the second that just ended). A
 * counter lower than in the member's previous scrape was reset (the process restarted, or a lane's counter
 * disappeared): its increase is its new value, never a negative delta. A member's first scrape taken when the
 * load started is its baseline; one taken later (a member that joined during the load) counts in full, as its
 * counters started from zero with the process.
 */
public final class LaneSeries {

  /** Lanes in the order they are reported and stacked; others follow alphabetically. */
  public static final List<String> LANE_ORDER = List.of("refresh", "known", "unknown", "passthrough", LaneCounters.ALL);

  /**
   * One scrape of one member.
   *
   * @param epochMillis when it was taken
   * @param member which member (any stable id: its index or base URL)
   * @param counters what it reported
   */
  public record Scrape(long epochMillis, String member, LaneCounters counters) {
    public Scrape {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(counters, "counters");
    }
  }

  private final long startSecond;
  private final Map<String, long[]> upstream;
  private final Map<String, long[]> rejections;
  private final int scrapes;
  private final int members;

  private LaneSeries(long startSecond, Map<String, long[]> upstream, Map<String, long[]> rejections, int scrapes,
      int members) {
    this.startSecond = startSecond;
    this.upstream = upstream;
    this.rejections = rejections;
    this.scrapes = scrapes;
    this.members = members;
  }

  /** @return a series with no second and no lane, for a run that scraped nothing */
  public static LaneSeries empty() {
    return new LaneSeries(0, Map.of(), Map.of(), 0, 0);
  }

  /**
   * @param scrapes every successful scrape of the run, in any order
   * @param loadStartMillis when the load started: scrapes up to then are baselines
   * @param loadEndMillis when it ended
   * @return the series over the seconds of the load (as {@link Timeline}'s rows)
   */
  public static LaneSeries of(List<Scrape> scrapes, long loadStartMillis, long loadEndMillis) {
    long first = Math.floorDiv(loadStartMillis, 1000L);
    int seconds = (int) (Math.max(first, Math.floorDiv(loadEndMillis, 1000L)) - first + 1);
    List<Scrape> sorted = new ArrayList<>(scrapes);
    sorted.sort(Comparator.comparingLong(Scrape::epochMillis));
    Map<String, long[]> upstream = new HashMap<>();
    Map<String, long[]> rejections = new HashMap<>();
    Map<String, Scrape> previous = new HashMap<>();
    for (Scrape scrape : sorted) {
      Scrape before = previous.put(scrape.member(), scrape);
      long at;
      if (before != null) {
        at = before.epochMillis() + (scrape.epochMillis() - before.epochMillis()) / 2;
      } else if (scrape.epochMillis() <= loadStartMillis) {
        continue;
      } else {
        at = scrape.epochMillis() - 500;
      }
      int index = (int) Math.max(0, Math.min(seconds - 1, Math.floorDiv(at, 1000L) - first));
      LaneCounters none = new LaneCounters(Map.of(), Map.of());
      add(upstream, seconds, index, (before == null ? none : before.counters()).upstream(), scrape.counters().upstream());
      add(rejections, seconds, index, (before == null ? none : before.counters()).rejections(),
          scrape.counters().rejections());
    }
    return new LaneSeries(first, ordered(upstream), ordered(rejections), scrapes.size(), previous.size());
  }

  /**
   * The increase of a counter between two readings: a reading below the previous one means the counter was
   * reset (a restarted member), and counts as having grown from zero.
   *
   * @param before the previous reading
   * @param now the current reading
   * @return the increase, never negative
   */
  public static long increase(double before, double now) {
    double delta = now >= before ? now - before : now;
    return Math.max(0, Math.round(delta));
  }

  private static void add(Map<String, long[]> into, int seconds, int index, Map<String, Double> before,
      Map<String, Double> now) {
    TreeSet<String> lanes = new TreeSet<>(before.keySet());
    lanes.addAll(now.keySet());
    for (String lane : lanes) {
      long delta = increase(before.getOrDefault(lane, 0.0), now.getOrDefault(lane, 0.0));
      // A lane appears in the series once it was seen at all, even with zeros only.
      into.computeIfAbsent(lane, l -> new long[seconds])[index] += delta;
    }
  }

  private static Map<String, long[]> ordered(Map<String, long[]> byLane) {
    Map<String, long[]> ordered = new LinkedHashMap<>();
    byLane.keySet().stream().sorted(LaneSeries::compareLanes).forEach(lane -> ordered.put(lane, byLane.get(lane)));
    return ordered;
  }

  static int compareLanes(String a, String b) {
    int ia = LANE_ORDER.indexOf(a);
    int ib = LANE_ORDER.indexOf(b);
    if (ia >= 0 || ib >= 0) {
      return ia < 0 ? 1 : ib < 0 ? -1 : Integer.compare(ia, ib);
    }
    return a.compareTo(b);
  }

  /** @return the first second, epoch (the load's first second) */
  public long startSecond() {
    return startSecond;
  }

  /** @return the lanes seen, upstream requests and rejections together, in {@link #LANE_ORDER} */
  public List<String> lanes() {
    TreeSet<String> all = new TreeSet<>(LaneSeries::compareLanes);
    all.addAll(upstream.keySet());
    all.addAll(rejections.keySet());
    return List.copyOf(all);
  }

  /**
   * @param lane a lane
   * @return its upstream requests per second from the load's first second (zeros if never seen)
   */
  public long[] upstream(String lane) {
    return series(upstream, lane);
  }

  /**
   * @param lane a lane
   * @return its budget rejections per second (zeros if never seen)
   */
  public long[] rejections(String lane) {
    return series(rejections, lane);
  }

  /** @return upstream requests per second over every lane */
  public long[] upstreamTotal() {
    return total(upstream);
  }

  /** @return budget rejections per second over every lane */
  public long[] rejectionsTotal() {
    return total(rejections);
  }

  private long[] total(Map<String, long[]> byLane) {
    long[] total = new long[seconds()];
    byLane.values().forEach(s -> Arrays.setAll(total, i -> total[i] + (i < s.length ? s[i] : 0)));
    return total;
  }

  /** @return the seconds covered (0 when nothing was scraped) */
  public int seconds() {
    return upstream.isEmpty() && rejections.isEmpty() ? 0
        : Math.max(upstream.values().stream().mapToInt(s -> s.length).max().orElse(0),
            rejections.values().stream().mapToInt(s -> s.length).max().orElse(0));
  }

  /** @return whether any lane was seen */
  public boolean isEmpty() {
    return upstream.isEmpty() && rejections.isEmpty();
  }

  private long[] series(Map<String, long[]> byLane, String lane) {
    long[] values = byLane.get(lane);
    return values == null ? new long[seconds()] : values.clone();
  }

  /**
   * @return {@code start_epoch_second}, {@code lanes}, {@code upstream_total_by_lane},
   *     {@code budget_rejections_total_by_lane}, {@code upstream_per_second} and
   *     {@code budget_rejections_per_second} (each lane's series from the load's first second),
   *     {@code scrapes} and {@code members_scraped}
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("start_epoch_second", startSecond)
        .put("lanes", new JsonArray(lanes()))
        .put("upstream_total_by_lane", totals(upstream))
        .put("budget_rejections_total_by_lane", totals(rejections))
        .put("upstream_per_second", perSecond(upstream))
        .put("budget_rejections_per_second", perSecond(rejections))
        .put("scrapes", scrapes)
        .put("members_scraped", members);
  }

  private static JsonObject totals(Map<String, long[]> byLane) {
    return collect(byLane, s -> Arrays.stream(s).sum());
  }

  private static JsonObject perSecond(Map<String, long[]> byLane) {
    return collect(byLane, s -> {
      JsonArray values = new JsonArray();
      for (long v : s) {
        values.add(v);
      }
      return values;
    });
  }

  private static JsonObject collect(Map<String, long[]> byLane, Function<long[], Object> value) {
    JsonObject json = new JsonObject();
    byLane.forEach((lane, s) -> json.put(lane, value.apply(s)));
    return json;
  }
}
