package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

/**
 * One member's life during a run, for its lane on the chart: when its process started, when it became ready
 * (and joined the rotation), when it first served a request, when it left the rotation, and the requests it
 * served each second. Times are seconds since the second the load started (negative before it).
 *
 * @param index the member's index (m1, m2, ...)
 * @param startedT when its process was started
 * @param readyT when {@code /health/ready} first answered 200 (it joined the rotation then); null if never
 * @param firstServedT when it first answered a request Gatling counted OK; null if never
 * @param leftT when it left the rotation before the end of the run; null if it stayed
 * @param fromT the first second of {@code served}
 * @param served requests it served in each second from {@code fromT} on
 */
public record MemberLane(int index, double startedT, Double readyT, Double firstServedT, Double leftT, long fromT,
    long[] served) {

  public MemberLane {
    served = served.clone();
  }

  /** @return seconds from process start to ready, null if it never became ready */
  public Double startToReady() {
    return readyT == null ? null : readyT - startedT;
  }

  /** @return seconds from process start to its first request served, null if it never served one */
  public Double startToServing() {
    return firstServedT == null ? null : firstServedT - startedT;
  }

  /** @return the most requests it served in one second */
  public long maxServed() {
    return Arrays.stream(served).max().orElse(0);
  }

  /**
   * The lanes of every member a run started, in start order.
   *
   * @param record what the orchestrator saw ({@link RunRecord#members()} with their times)
   * @param stats the client's figures, with the requests each member served
   * @param startSecond the epoch second the load started in (t = 0)
   * @param fromT the first second to count served requests for (the chart's origin, &lt;= 0)
   * @param toT the last second, inclusive
   * @return the lanes
   */
  public static List<MemberLane> of(RunRecord record, RequestStats stats, long startSecond, long fromT, long toT) {
    List<MemberLane> lanes = new ArrayList<>();
    JsonArray members = record.members();
    for (int i = 0; i < members.size(); i++) {
      JsonObject member = members.getJsonObject(i);
      Long started = member.getLong("startedAtMillis");
      if (started == null) {
        continue;
      }
      String baseUrl = "http://" + ClusterPlan.HOST + ":" + member.getInteger("httpPort");
      long[] served = LongStream.rangeClosed(fromT, toT).map(t -> stats.servedBy(baseUrl, startSecond + t)).toArray();
      String name = member.getString("member", "m" + (i + 1));
      int index = name.startsWith("m") ? Integer.parseInt(name.substring(1)) : i + 1;
      lanes.add(new MemberLane(index, t(started, startSecond), t(member.getLong("readyAtMillis"), startSecond),
          t(stats.firstServedBy(baseUrl), startSecond), t(member.getLong("leftRotationAtMillis"), startSecond), fromT,
          served));
    }
    return lanes;
  }

  private static Double t(Long epochMillis, long startSecond) {
    return epochMillis == null ? null : (epochMillis - startSecond * 1000) / 1000.0;
  }

  /** @return the lane as JSON, for the summary */
  public JsonObject toJson() {
    return new JsonObject()
        .put("member", "m" + index)
        .put("process_started_t", RunReport.round(startedT, 2))
        .put("ready_t", readyT == null ? null : RunReport.round(readyT, 2))
        .put("first_served_t", firstServedT == null ? null : RunReport.round(firstServedT, 2))
        .put("left_rotation_t", leftT == null ? null : RunReport.round(leftT, 2))
        .put("start_to_ready_s", startToReady() == null ? null : RunReport.round(startToReady(), 2))
        .put("start_to_serving_s", startToServing() == null ? null : RunReport.round(startToServing(), 2));
  }
}
