package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the orchestrator saw during a run, fixed when it stops: the IdP's counters, the member count
 * over time and what happened when.
 *
 * @param scenario the scenario name
 * @param options the harness settings, as JSON
 * @param clusterName the run's cluster name
 * @param plannedMembers how many members the run could start in all
 * @param loadStartMillis epoch millis when the load started
 * @param loadEndMillis epoch millis when the orchestrator was stopped
 * @param idpStats the IdP's {@code /stats}, taken before the members were stopped
 * @param maxUpstreamRps the most token requests the IdP saw in any sliding 1 s window
 * @param samples the member count, sampled each second
 * @param events membership changes, IdP switches and other marks, in order
 * @param members every member started, as JSON (index, pid, ports, startup, state, log)
 * @param initialMembers members in rotation when the load started
 * @param errors what went wrong in the harness itself (a member that never got ready, ...)
 * @param lanes upstream requests and budget rejections per second by budget lane, from the members'
 *     {@code /metrics}; empty when the run did not scrape them ({@link ClusterOrchestrator#scrapeMetrics()})
 * @param metricsScrapeFailures scrapes of a member's {@code /metrics} that got no 200 in time
 */
public record RunRecord(
    String scenario,
    JsonObject options,
    String clusterName,
    int plannedMembers,
    long loadStartMillis,
    long loadEndMillis,
    JsonObject idpStats,
    int maxUpstreamRps,
    List<MemberSample> samples,
    List<TimelineEvent> events,
    JsonArray members,
    int initialMembers,
    List<String> errors,
    LaneSeries lanes,
    int metricsScrapeFailures) {

  /**
   * The member count at one instant.
   *
   * @param epochMillis when
   * @param live members in rotation (ready and not leaving)
   * @param processes member processes alive (starting and leaving ones included)
   * @param clusterView the smallest cluster size the members in rotation report on
   *     {@code /health/ready} (Hazelcast's member list), null when none reports one
   * @param idpFailuresInjected the IdP's failures injected so far (cumulative)
   * @param idpRejectedClients the IdP's 401 answers so far (cumulative)
   */
  public record MemberSample(long epochMillis, int live, int processes, Integer clusterView,
      int idpFailuresInjected, int idpRejectedClients) {}

  /**
   * Something that happened during the run.
   *
   * @param epochMillis when
   * @param label what, short enough for a chart ("+m3", "IdP UNAVAILABLE")
   * @param detail the longer story, for the summary
   */
  public record TimelineEvent(long epochMillis, String label, String detail) {}

  public RunRecord {
    samples = List.copyOf(samples);
    events = List.copyOf(events);
    errors = List.copyOf(errors);
    lanes = lanes == null ? LaneSeries.empty() : lanes;
  }

  /** @return the most members in rotation at once */
  public int membersMax() {
    return Math.max(initialMembers, samples.stream().mapToInt(MemberSample::live).max().orElse(0));
  }

  /** @return the largest cluster size any sample saw reported, null when none was */
  public Integer clusterViewMax() {
    return samples.stream().map(MemberSample::clusterView).filter(java.util.Objects::nonNull)
        .max(Integer::compare).orElse(null);
  }

  /** @return members in rotation at the last sample */
  public int membersFinal() {
    return samples.isEmpty() ? initialMembers : samples.get(samples.size() - 1).live();
  }

  /** @return the load's duration in seconds */
  public double loadSeconds() {
    return (loadEndMillis - loadStartMillis) / 1000.0;
  }
}
