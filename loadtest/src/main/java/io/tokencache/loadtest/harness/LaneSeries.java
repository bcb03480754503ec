package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Upstream requests and budget rejections per second by budget lane, summed over the members, from the
 * members' {@code /metrics} scraped about once a second ({@link Scraper}): the cumulative counters
 * {@code token_cache_upstream_requests_total} (summed over outcomes and upstreams) and
 * {@code token_cache_budget_rejections_total}, each by its {@code lane} label ({@code refresh}, {@code known},
 * {@code unknown}, {@code passthrough}). A server whose budget has no lanes exports these counters without the
 * label; they count under {@link #ALL}, so the figures exist against any server version.
 *
 * <p>A member's increase between two of its scrapes is attributed to the second holding the midpoint of the
 * two scrape times (the harness scrapes ~20 ms into each second, so that is the second that just ended). A
 * counter lower than in the member's previous scrape was reset (the process restarted, or a lane's counter
 * disappeared): its increase is its new value, never a negative delta. A member's first scrape taken when the
 * load started is its baseline; one taken later (a member that joined during the load) counts in full, as its
 * counters started from zero with the process.
 */
public final class LaneSeries {

  /** The lane of a counter without a {@code lane} label (a server whose budget has no lanes). */
  public static final String ALL = "all";
  /** Lanes in the order they are reported and stacked; others follow alphabetically. */
  public static final List<String> LANE_ORDER = List.of("refresh", "known", "unknown", "passthrough", ALL);

  /**
   * One scrape of one member: its cumulative counters by lane.
   *
   * @param epochMillis when it was taken
   * @param member which member (any stable id: its index or base URL)
   * @param upstream upstream token requests so far, by lane
   * @param rejections fetches the budget refused so far, by lane
   */
  public record Scrape(long epochMillis, String member, Map<String, Double> upstream, Map<String, Double> rejections) {
    public Scrape {
      Objects.requireNonNull(member, "member");
      upstream = Map.copyOf(upstream);
      rejections = Map.copyOf(rejections);
    }

    /**
     * @param epochMillis when it was taken
     * @param member which member
     * @param samples its parsed {@code /metrics}
     * @return the counters they hold, summed by lane; NaN and infinite values are ignored
     */
    public static Scrape of(long epochMillis, String member, Iterable<PrometheusText.Sample> samples) {
      Map<String, Double> upstream = new HashMap<>();
      Map<String, Double> rejections = new HashMap<>();
      for (PrometheusText.Sample sample : samples) {
        Map<String, Double> into = switch (sample.name()) {
          case "token_cache_upstream_requests_total" -> upstream;
          case "token_cache_budget_rejections_total" -> rejections;
          default -> null;
        };
        if (into != null && Double.isFinite(sample.value())) {
          into.merge(sample.label("lane", ALL), sample.value(), Double::sum);
        }
      }
      return new Scrape(epochMillis, member, upstream, rejections);
    }
  }

  private final long startSecond;
  private final int seconds;
  private final Map<String, long[]> upstream;
  private final Map<String, long[]> rejections;
  private final int scrapes;
  private final int members;

  private LaneSeries(long startSecond, int seconds, Map<String, long[]> upstream, Map<String, long[]> rejections,
      int scrapes, int members) {
    this.startSecond = startSecond;
    this.seconds = upstream.isEmpty() && rejections.isEmpty() ? 0 : seconds;
    this.upstream = upstream;
    this.rejections = rejections;
    this.scrapes = scrapes;
    this.members = members;
  }

  /** @return a series with no second and no lane, for a run that scraped nothing */
  public static LaneSeries empty() {
    return new LaneSeries(0, 0, Map.of(), Map.of(), 0, 0);
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
    Map<String, long[]> upstream = new TreeMap<>(LaneSeries::compareLanes);
    Map<String, long[]> rejections = new TreeMap<>(LaneSeries::compareLanes);
    Map<String, Scrape> previous = new HashMap<>();
    for (Scrape scrape : scrapes.stream().sorted(Comparator.comparingLong(Scrape::epochMillis)).toList()) {
      Scrape before = previous.put(scrape.member(), scrape);
      if (before == null && scrape.epochMillis() <= loadStartMillis) {
        continue;
      }
      long at = before == null ? scrape.epochMillis() - 500
          : before.epochMillis() + (scrape.epochMillis() - before.epochMillis()) / 2;
      int index = (int) Math.max(0, Math.min(seconds - 1, Math.floorDiv(at, 1000L) - first));
      add(upstream, seconds, index, before == null ? Map.of() : before.upstream(), scrape.upstream());
      add(rejections, seconds, index, before == null ? Map.of() : before.rejections(), scrape.rejections());
    }
    return new LaneSeries(first, seconds, upstream, rejections, scrapes.size(), previous.size());
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
    Stream.concat(before.keySet().stream(), now.keySet().stream()).distinct().forEach(lane -> {
      long delta = increase(before.getOrDefault(lane, 0.0), now.getOrDefault(lane, 0.0));
      // A lane appears in the series once it was seen at all, even with zeros only.
      into.computeIfAbsent(lane, l -> new long[seconds])[index] += delta;
    });
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
    return Stream.concat(upstream.keySet().stream(), rejections.keySet().stream()).distinct()
        .sorted(LaneSeries::compareLanes).toList();
  }

  /**
   * @param lane a lane
   * @return its upstream requests per second from the load's first second (zeros if never seen)
   */
  public long[] upstream(String lane) {
    return upstream.getOrDefault(lane, new long[seconds]).clone();
  }

  /**
   * @param lane a lane
   * @return its budget rejections per second (zeros if never seen)
   */
  public long[] rejections(String lane) {
    return rejections.getOrDefault(lane, new long[seconds]).clone();
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
    long[] total = new long[seconds];
    byLane.values().forEach(s -> Arrays.setAll(total, i -> total[i] + s[i]));
    return total;
  }

  /** @return the seconds covered (0 when nothing was scraped) */
  public int seconds() {
    return seconds;
  }

  /** @return whether any lane was seen */
  public boolean isEmpty() {
    return upstream.isEmpty() && rejections.isEmpty();
  }

  /**
   * @return {@code start_epoch_second}, {@code lanes}, {@code upstream_total_by_lane},
   *     {@code budget_rejections_total_by_lane}, {@code upstream_per_second} and
   *     {@code budget_rejections_per_second} (each lane's series from the load's first second),
   *     {@code scrapes} and {@code members_scraped}
   */
  public JsonObject toJson() {
    Function<long[], Object> total = s -> Arrays.stream(s).sum();
    Function<long[], Object> perSecond = s -> new JsonArray(new ArrayList<>(Arrays.stream(s).boxed().toList()));
    return new JsonObject()
        .put("start_epoch_second", startSecond)
        .put("lanes", new JsonArray(lanes()))
        .put("upstream_total_by_lane", byLane(upstream, total))
        .put("budget_rejections_total_by_lane", byLane(rejections, total))
        .put("upstream_per_second", byLane(upstream, perSecond))
        .put("budget_rejections_per_second", byLane(rejections, perSecond))
        .put("scrapes", scrapes)
        .put("members_scraped", members);
  }

  private static JsonObject byLane(Map<String, long[]> series, Function<long[], Object> value) {
    JsonObject json = new JsonObject();
    series.forEach((lane, s) -> json.put(lane, value.apply(s)));
    return json;
  }

  /**
   * Scrapes every member's {@code GET /metrics} (Prometheus text) at once and keeps the lane counters of each
   * answer. A member that does not answer within the timeout, or answers other than 200, is counted as a failed
   * scrape and skipped: its next scrape covers the gap.
   */
  static final class Scraper {

    private final HttpClient http;
    private final Duration timeout;
    private final List<Scrape> scrapes = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger malformedLines = new AtomicInteger();

    Scraper(Executor executor, Duration timeout) {
      this.timeout = timeout;
      this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
          .executor(executor).build();
    }

    /**
     * Scrapes the given members concurrently and waits for all of them (at most the timeout, plus a little).
     *
     * @param members the members to scrape
     */
    void scrape(List<ServerMember> members) {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (ServerMember member : members) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(member.baseUrl() + "/metrics"))
            .timeout(timeout).GET().build();
        long sent = System.currentTimeMillis();
        all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
          if (error != null || response.statusCode() != 200) {
            failures.incrementAndGet();
            return null;
          }
          PrometheusText.Parsed parsed = PrometheusText.parse(response.body());
          malformedLines.addAndGet(parsed.malformedLines());
          // The time the request was sent: the counters are read then, give or take the answer's latency.
          scrapes.add(Scrape.of(sent, "m" + member.index(), parsed.samples()));
          return null;
        }));
      }
      // the late ones are counted as failures by their own handler when they end
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(error -> null)
          .completeOnTimeout(null, timeout.toMillis() + 500, TimeUnit.MILLISECONDS).join();
    }

    /** @return every successful scrape so far */
    List<Scrape> scrapes() {
      return List.copyOf(scrapes);
    }

    /** @return scrapes that failed (no answer in time, or not 200) */
    int failures() {
      return failures.get();
    }

    /** @return lines of the answers that were not valid Prometheus samples */
    int malformedLines() {
      return malformedLines.get();
    }
  }
}
