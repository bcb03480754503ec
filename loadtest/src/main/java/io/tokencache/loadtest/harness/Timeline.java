package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A run second by second: token requests the IdP received (split into admitted and throttled with
 * 429), members in rotation, and the client's requests and failures. Upstream figures are exact
 * (the IdP timestamps every arrival); member counts come from the orchestrator's 1 s samples.
 *
 * @param rows the seconds of the run, in order
 * @param startSecond the first second, epoch
 */
public record Timeline(List<Row> rows, long startSecond) {

  /**
   * One second of the run.
   *
   * @param epochSecond the second
   * @param t seconds since the start of the load (the second's start)
   * @param upstreamRequests token requests that arrived at the IdP in that second
   * @param upstreamAdmitted of which the IdP's quota admitted
   * @param upstream429 of which the IdP answered 429
   * @param upstreamFailuresInjected of the admitted ones, answered with an injected failure (from
   *     the orchestrator's 1 s samples of the IdP's counter, so approximately this second)
   * @param upstream401 of the admitted ones, answered 401 (sampled likewise)
   * @param membersLive members in rotation at the end of the second
   * @param memberProcesses member processes alive at the end of the second
   * @param clusterView the cluster size the members reported in their last sample, -1 if unknown
   * @param clientRequests Gatling requests completed in that second
   * @param clientFailed of which KO
   * @param upstreamMaxSliding1s the most admitted token requests the IdP received in any sliding 1 s window
   *     ending in that second (what the quota limits; a calendar second can split a burst in two)
   */
  public record Row(long epochSecond, long t, int upstreamRequests, int upstreamAdmitted, int upstream429,
      int upstreamFailuresInjected, int upstream401, int membersLive, int memberProcesses, int clusterView,
      long clientRequests, long clientFailed, int upstreamMaxSliding1s) {}

  public Timeline {
    rows = List.copyOf(rows);
  }

  /**
   * @param record what the orchestrator saw
   * @param stats the client's figures
   * @return the timeline from the second the load started to the second it ended
   */
  public static Timeline of(RunRecord record, RequestStats stats) {
    long first = Math.floorDiv(record.loadStartMillis(), 1000L);
    long last = Math.max(first, Math.floorDiv(record.loadEndMillis(), 1000L));
    JsonObject requests = record.idpStats().getJsonObject("requestsPerSecond", new JsonObject());
    long[] admittedMillis = Generations.millis(record.idpStats().getJsonArray("issuedAtMillis"));
    Map<Long, Integer> admitted = Arrays.stream(admittedMillis).boxed()
        .collect(Collectors.groupingBy(millis -> Math.floorDiv(millis, 1000L), Collectors.summingInt(millis -> 1)));
    Map<Long, Integer> sliding = slidingMaxPerSecond(admittedMillis);
    List<RunRecord.MemberSample> samples = record.samples();
    List<Row> rows = new ArrayList<>();
    int sample = -1;
    for (long second = first; second <= last; second++) {
      long endOfSecond = second * 1000 + 999;
      while (sample + 1 < samples.size() && samples.get(sample + 1).epochMillis() <= endOfSecond) {
        sample++;
      }
      int live = sample >= 0 ? samples.get(sample).live() : record.initialMembers();
      int processes = sample >= 0 ? samples.get(sample).processes() : record.initialMembers();
      Integer view = sample >= 0 ? samples.get(sample).clusterView() : null;
      int total = requests.getInteger(Long.toString(second), 0);
      int ok = admitted.getOrDefault(second, 0);
      long[] client = stats.second(second);
      long from = second * 1000;
      long to = from + 1000;
      int failures = clamp(cumulative(samples, to, RunRecord.MemberSample::idpFailuresInjected)
          - cumulative(samples, from, RunRecord.MemberSample::idpFailuresInjected), ok);
      int rejected = clamp(cumulative(samples, to, RunRecord.MemberSample::idpRejectedClients)
          - cumulative(samples, from, RunRecord.MemberSample::idpRejectedClients), ok - failures);
      rows.add(new Row(second, second - first, total, ok, Math.max(0, total - ok), failures, rejected, live,
          processes, view == null ? -1 : view, client[0], client[1], sliding.getOrDefault(second, 0)));
    }
    return new Timeline(rows, first);
  }

  /**
   * For each second, the most arrivals in a 1 s window {@code (t - 1000 ms, t]} whose end {@code t} is an
   * arrival in that second: the sliding-window count the quota is about, per second of the chart.
   */
  static Map<Long, Integer> slidingMaxPerSecond(long[] arrivalMillis) {
    long[] times = arrivalMillis.clone();
    Arrays.sort(times);
    Map<Long, Integer> max = new HashMap<>();
    int first = 0;
    for (int last = 0; last < times.length; last++) {
      while (times[first] <= times[last] - 1000) {
        first++;
      }
      max.merge(Math.floorDiv(times[last], 1000L), last - first + 1, Math::max);
    }
    return max;
  }

  /**
   * A cumulative counter as of {@code epochMillis}: its value in the first sample taken at or after
   * that time (the samples run ~20 ms after each second starts), else in the last sample.
   */
  private static int cumulative(List<RunRecord.MemberSample> samples, long epochMillis,
      ToIntFunction<RunRecord.MemberSample> counter) {
    for (RunRecord.MemberSample sample : samples) {
      if (sample.epochMillis() >= epochMillis) {
        return counter.applyAsInt(sample);
      }
    }
    return samples.isEmpty() ? 0 : counter.applyAsInt(samples.get(samples.size() - 1));
  }

  private static int clamp(int value, int max) {
    return Math.max(0, Math.min(value, Math.max(0, max)));
  }

  /** @return the most admitted token requests in any sliding 1 s window, from the per-second maxima */
  public int maxUpstreamSliding1s() {
    return rows.stream().mapToInt(Row::upstreamMaxSliding1s).max().orElse(0);
  }

  /** @return the most token requests the IdP received in one calendar second */
  public int maxUpstreamPerCalendarSecond() {
    return rows.stream().mapToInt(Row::upstreamRequests).max().orElse(0);
  }

  /**
   * @param fromT first second (since the start of the load), inclusive
   * @param toT last second, exclusive
   * @return token requests the IdP received in those seconds
   */
  public long upstreamBetween(long fromT, long toT) {
    return rows.stream().filter(r -> r.t() >= fromT && r.t() < toT).mapToLong(Row::upstreamRequests).sum();
  }

  /** @return the timeline as CSV with a header line */
  public String toCsv() {
    StringBuilder csv = new StringBuilder(
        "t_s,epoch_s,upstream_requests,upstream_admitted,upstream_429,upstream_failures_injected,upstream_401,"
            + "members_live,member_processes,cluster_view,client_requests,client_failed,"
            + "upstream_max_sliding_1s\n");
    for (Row r : rows) {
      csv.append(Stream.of(r.t(), r.epochSecond(), r.upstreamRequests(), r.upstreamAdmitted(), r.upstream429(),
          r.upstreamFailuresInjected(), r.upstream401(), r.membersLive(), r.memberProcesses(),
          r.clusterView() < 0 ? "" : r.clusterView(), r.clientRequests(), r.clientFailed(), r.upstreamMaxSliding1s())
          .map(String::valueOf).collect(Collectors.joining(",", "", "\n")));
    }
    return csv.toString();
  }
}
