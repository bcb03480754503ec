package io.tokencache.loadtest.harness;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One member's cumulative upstream counters by budget lane, read from its {@code /metrics}:
 * {@code token_cache_upstream_requests_total} (summed over outcomes and upstreams) and
 * {@code token_cache_budget_rejections_total}, each by its {@code lane} label ({@code refresh}, {@code known},
 * {@code unknown}, {@code passthrough}). A server whose budget has no lanes exports these counters without the
 * label; they count under {@link #ALL}, so the figures exist against any server version.
 *
 * @param upstream upstream token requests so far, by lane
 * @param rejections fetches the budget refused so far, by lane
 */
public record LaneCounters(Map<String, Double> upstream, Map<String, Double> rejections) {

  /** The lane of a counter without a {@code lane} label (a server whose budget has no lanes). */
  public static final String ALL = "all";
  /** Upstream token requests, by outcome (and lane, once the budget has lanes). */
  public static final String UPSTREAM_REQUESTS = "token_cache_upstream_requests_total";
  /** Fetches refused because no budget slot was free in time. */
  public static final String BUDGET_REJECTIONS = "token_cache_budget_rejections_total";
  /** The label naming a budget lane. */
  public static final String LANE = "lane";

  public LaneCounters {
    upstream = Collections.unmodifiableMap(new TreeMap<>(upstream));
    rejections = Collections.unmodifiableMap(new TreeMap<>(rejections));
  }

  /**
   * @param samples a parsed exposition
   * @return the counters it holds, summed by lane; NaN and infinite values are ignored
   */
  public static LaneCounters of(Iterable<PrometheusText.Sample> samples) {
    Map<String, Double> upstream = new TreeMap<>();
    Map<String, Double> rejections = new TreeMap<>();
    for (PrometheusText.Sample sample : samples) {
      if (!Double.isFinite(sample.value())) {
        continue;
      }
      Map<String, Double> into = switch (sample.name()) {
        case UPSTREAM_REQUESTS -> upstream;
        case BUDGET_REJECTIONS -> rejections;
        default -> null;
      };
      if (into != null) {
        into.merge(sample.label(LANE, ALL), sample.value(), Double::sum);
      }
    }
    return new LaneCounters(upstream, rejections);
  }

  /**
   * @param text a {@code /metrics} answer
   * @return the counters it holds
   */
  public static LaneCounters parse(String text) {
    return of(PrometheusText.parse(text).samples());
  }
}
