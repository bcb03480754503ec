package io.tokencache.loadtest.harness;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;

/**
 * The companion of {@link UpstreamChart}, drawn with XChart over the same time axis: upstream token requests per
 * second as the members counted them (their 1 s scrapes), stacked by budget lane ({@code refresh}, {@code known},
 * {@code unknown}, {@code passthrough}; {@code all} for a server without lanes) against the dashed quota, with the
 * requests the IdP itself received drawn over them as a line, so that the two counts can be compared; below, the
 * budget's rejections per second, stacked by lane. Both carry the run's event marks.
 */
public final class LaneChart {

  /** The file name, next to {@link RunReport#CHART}. */
  public static final String FILE = "upstream-lanes.png";

  private static final Map<String, Color> LANE_COLORS = Map.of(
      "refresh", new Color(0x2c, 0xa0, 0x2c),
      "known", new Color(0x3b, 0x73, 0xb9),
      "unknown", new Color(0xff, 0x9f, 0x1c),
      "passthrough", new Color(0x8c, 0x8c, 0x8c),
      LaneSeries.ALL, new Color(0x6a, 0x8e, 0xc8));
  private static final Color OTHER = new Color(0x99, 0x66, 0xcc);

  private LaneChart() {}

  private static long max(long[] values) {
    return Arrays.stream(values).max().orElse(0);
  }

  /**
   * @param base the run's chart data (title, timeline with the IdP's counts, quota, marks)
   * @param lanes the members' counts by lane, over the same seconds as the timeline
   * @param file the PNG to write (its folder must exist)
   * @throws IOException when the file cannot be written
   */
  public static void write(UpstreamChart.Data base, LaneSeries lanes, Path file) throws IOException {
    ChartImage.write(render(base, lanes), file);
  }

  /**
   * @param base the run's chart data
   * @param lanes the members' counts by lane
   * @return the image
   */
  public static BufferedImage render(UpstreamChart.Data base, LaneSeries lanes) {
    Objects.requireNonNull(lanes, "lanes");
    List<String> names = lanes.lanes();
    List<Color> colors = names.stream().map(l -> LANE_COLORS.getOrDefault(l, OTHER)).toList();
    List<String> labels = names.stream().map(l -> "lane " + l).toList();
    int seconds = Math.max(base.seconds(), lanes.seconds());
    long[] idp = base.timeline().rows().stream().mapToLong(Timeline.Row::upstreamRequests).toArray();

    double max = UpstreamChart.niceCeiling(Math.max(base.quotaRps() * 1.5,
        Math.max(max(lanes.upstreamTotal()), max(idp)) * 1.3));
    XYChart upstream = UpstreamChart.timeChart(base.originT(), seconds, 480,
        "token requests sent upstream, per second", 0, max);
    UpstreamChart.stack(upstream, labels, colors, names.stream().map(lanes::upstream).toList());
    // The IdP's count at the middle of each second, over the members' bars.
    UpstreamChart.line(upstream, "received by the IdP", Color.BLACK, 1.5f, XYSeriesRenderStyle.Line,
        UpstreamChart.seconds(idp.length, 0.5), Arrays.stream(idp).asDoubleStream().toArray());
    UpstreamChart.quota(upstream, base.originT(), seconds, base.quotaRps());
    UpstreamChart.events(upstream, base, max);

    long[] rejections = lanes.rejectionsTotal();
    XYChart rejected = UpstreamChart.timeChart(base.originT(), seconds, 260, "budget rejections / s", 0,
        UpstreamChart.niceCeiling(Math.max(10, max(rejections) * 1.2)));
    UpstreamChart.stack(rejected, labels, colors, names.stream().map(lanes::rejections).toList());
    UpstreamChart.events(rejected, base, Double.NaN);
    String title = base.title() + " \u00b7 upstream by budget lane, per second (members' 1 s scrapes)"
        + (names.isEmpty() ? " \u00b7 no lane counter in /metrics" : "");
    return ChartImage.compose(title, base.subtitle(), List.of(upstream, rejected));
  }
}
