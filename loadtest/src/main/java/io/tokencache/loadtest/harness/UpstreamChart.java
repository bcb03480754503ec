package io.tokencache.loadtest.harness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A run's chart, drawn with XChart: three charts over one time axis, stacked into one PNG. The axis counts seconds
 * since the load started and begins at the first event, so members started before the load (t &lt; 0, shaded)
 * show too.
 * <ol>
 *   <li>Upstream token requests per calendar second at the IdP, stacked: tokens issued, injected failures, 401,
 *       429 on top; a step line for the most requests in any sliding 1 s window ending in that second (what the
 *       quota limits); the quota, dashed.
 *   <li>One lane per member, oldest on top: a thin grey band while its process starts, a wide light green band
 *       while it is in rotation, a step line of the requests it served each second (scaled within its lane to the
 *       busiest member-second), a triangle at its process start, a dot at its first request served; the legend
 *       names each lane's member with the seconds from process start to ready and to serving. Left out without
 *       members.
 *   <li>The client's requests and failures (KO) per second.
 * </ol>
 * Dotted vertical lines on every chart mark membership changes and IdP switches, labelled on the first.
 */
public final class UpstreamChart {

  static final int WIDTH = 1400;
  static final int LANE_HEIGHT = 34;
  static final Color QUOTA = new Color(0xb0, 0x10, 0x10);
  static final Color EVENT = new Color(0x99, 0x66, 0xcc);
  private static final Color ISSUED = new Color(0x3b, 0x73, 0xb9);
  private static final Color THROTTLED = new Color(0xd6, 0x27, 0x28);
  private static final Color INJECTED = new Color(0xff, 0x9f, 0x1c);
  private static final Color REJECTED = new Color(0x8c, 0x8c, 0x8c);
  private static final Color CLIENT = new Color(0x55, 0x55, 0x55);
  private static final Color SLIDING = new Color(0x20, 0x20, 0x20);
  private static final Color BEFORE_LOAD = new Color(0xee, 0xee, 0xee);
  static final Color STARTING = new Color(0xb8, 0xb8, 0xb8);
  static final Color IN_ROTATION = new Color(0xcf, 0xeb, 0xcf);
  private static final Color SERVED = new Color(0x2c, 0xa0, 0x2c);
  private static final Color FIRST_SERVED = new Color(0x10, 0x50, 0x10);

  /** The upstream chart's axis: the bars count calendar seconds. */
  static final String UPSTREAM_AXIS = "token requests at the IdP, per calendar second";

  /**
   * What to draw.
   *
   * @param title the headline
   * @param subtitle the key figures, one line
   * @param timeline the run's seconds
   * @param quotaRps the IdP's quota
   * @param events marks, with epoch millis
   * @param originT where the time axis starts, in seconds since the load started (&lt;= 0: the first member's
   *     process start)
   * @param members one lane per member, empty to draw none
   */
  public record Data(String title, String subtitle, Timeline timeline, double quotaRps,
      List<RunRecord.TimelineEvent> events, int originT, List<MemberLane> members) {
    public Data {
      Objects.requireNonNull(timeline, "timeline");
      events = List.copyOf(events);
      members = List.copyOf(members);
      originT = Math.min(0, originT);
    }

    int seconds() {
      return Math.max(1, timeline.rows().size());
    }
  }

  private UpstreamChart() {}

  /**
   * Renders the chart into a PNG file.
   *
   * @param data what to draw
   * @param file the PNG to write (its folder must exist)
   * @throws IOException when the file cannot be written
   */
  public static void write(Data data, Path file) throws IOException {
    ChartImage.write(render(data), file);
  }

  /**
   * @param data what to draw
   * @return the image
   */
  public static BufferedImage render(Data data) {
    return ChartImage.compose(data.title(), data.subtitle(), charts(data));
  }

  /** The charts, top to bottom. */
  static List<XYChart> charts(Data data) {
    List<XYChart> charts = new ArrayList<>(List.of(upstream(data)));
    if (!data.members().isEmpty()) {
      charts.add(members(data));
    }
    charts.add(client(data));
    return charts;
  }

  private static XYChart upstream(Data data) {
    List<Timeline.Row> rows = data.timeline().rows();
    int peak = rows.stream().mapToInt(r -> Math.max(r.upstreamRequests(), r.upstreamMaxSliding1s())).max().orElse(0);
    // Headroom above the tallest bar keeps the event labels clear of the data.
    double max = niceCeiling(Math.max(data.quotaRps() * 1.5, peak * 1.3));
    XYChart chart = timeChart(data.originT(), data.seconds(), 480, UPSTREAM_AXIS, 0, max);
    List<long[]> layers = List.of(perSecond(rows, r -> r.upstreamAdmitted() - r.upstreamFailuresInjected()
        - r.upstream401()), perSecond(rows, Timeline.Row::upstreamFailuresInjected),
        perSecond(rows, Timeline.Row::upstream401), perSecond(rows, Timeline.Row::upstream429));
    stack(chart, List.of("token issued", "failure injected", "401", "429"),
        List.of(ISSUED, INJECTED, REJECTED, THROTTLED), layers);
    // The sliding-second maximum, a step over each second (the last one repeated for its right edge): what the
    // quota and the verdict judge.
    double[] sliding = IntStream.rangeClosed(0, rows.size())
        .mapToDouble(i -> rows.get(Math.min(i, rows.size() - 1)).upstreamMaxSliding1s()).toArray();
    line(chart, "max in any sliding 1 s", SLIDING, 1.5f, XYSeriesRenderStyle.Step, seconds(rows.size() + 1, 0),
        sliding);
    quota(chart, data.originT(), data.seconds(), data.quotaRps());
    events(chart, data, max);
    return chart;
  }

  private static XYChart members(Data data) {
    List<MemberLane> lanes = data.members();
    int n = lanes.size();
    // Lanes are named in the legend, one line per member beside its dot: in this chart XChart placed texts and
    // tick labels at the middle of the axis.
    XYChart chart = timeChart(data.originT(), data.seconds(), 200 + (LANE_HEIGHT + 20) * n, "members", 0.5,
        n + 0.5);
    chart.getStyler().setYAxisTicksVisible(false).setLegendLayout(LegendLayout.Vertical);
    double maxServed = Math.max(1, lanes.stream().mapToLong(MemberLane::maxServed).max().orElse(1));
    Points starting = new Points();
    Points inRotation = new Points();
    Points served = new Points();
    Points started = new Points();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      MemberLane lane = lanes.get(i);
      double y = n - i;
      double end = lane.leftT() != null ? lane.leftT() : data.seconds();
      double ready = lane.readyT() != null ? lane.readyT() : end;
      starting.segment(lane.startedT(), ready, y);
      if (lane.readyT() != null) {
        inRotation.segment(ready, end, y);
      }
      long[] perSecond = lane.served();
      for (int s = 0; s <= perSecond.length && perSecond.length > 0; s++) {
        served.add(lane.fromT() + s, y - 0.35 + 0.7 * perSecond[Math.min(s, perSecond.length - 1)] / maxServed);
      }
      served.gap();
      started.add(lane.startedT(), y);
      labels.add(String.format("m%d (%s lane): process start t=%.1f s \u00b7 ready +%s \u00b7 first request served +%s",
          lane.index(), ordinal(i + 1), lane.startedT(), seconds(lane.startToReady()), seconds(lane.startToServing())));
    }
    inRotation.draw(chart, "in rotation", IN_ROTATION, LANE_HEIGHT * 0.7f, XYSeriesRenderStyle.Line);
    starting.draw(chart, "process starting", STARTING, 6, XYSeriesRenderStyle.Line);
    served.draw(chart, "requests served / s", SERVED, 1.5f, XYSeriesRenderStyle.Step);
    for (XYSeries mark : started.draw(chart, "process start", Color.BLACK, 1, XYSeriesRenderStyle.Scatter)) {
      mark.setMarker(SeriesMarkers.TRIANGLE_UP).setMarkerColor(Color.BLACK);
    }
    for (int i = 0; i < n; i++) {
      // A dot at the first request served; a member that served none has its line at its process start.
      MemberLane lane = lanes.get(i);
      Double at = lane.firstServedT();
      XYSeries dot = chart.addSeries(labels.get(i), new double[] {at != null ? at : lane.startedT()},
          new double[] {n - i});
      dot.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter).setMarker(at != null ? SeriesMarkers.CIRCLE
          : SeriesMarkers.NONE).setMarkerColor(FIRST_SERVED);
    }
    events(chart, data, Double.NaN);
    return chart;
  }

  private static XYChart client(Data data) {
    List<Timeline.Row> rows = data.timeline().rows();
    long peak = rows.stream().mapToLong(Timeline.Row::clientRequests).max().orElse(0);
    double max = niceCeiling(Math.max(10, peak * 1.1));
    XYChart chart = timeChart(data.originT(), data.seconds(), 260, "client requests / s", 0, max);
    // Each second's count drawn at the middle of the second.
    double[] x = rows.stream().mapToDouble(r -> r.t() + 0.5).toArray();
    line(chart, "requests (Gatling)", CLIENT, 2, XYSeriesRenderStyle.Line, x,
        rows.stream().mapToDouble(Timeline.Row::clientRequests).toArray());
    line(chart, "failed (KO)", THROTTLED, 2, XYSeriesRenderStyle.Line, x,
        rows.stream().mapToDouble(Timeline.Row::clientFailed).toArray());
    events(chart, data, Double.NaN);
    return chart;
  }

  /**
   * An XY chart over the run's time axis with the legend below (clear of the data), the same left margin for
   * every chart so that their time axes line up, and the part before the load shaded.
   */
  static XYChart timeChart(int origin, int seconds, int height, String yTitle, double yMin, double yMax) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(height)
        .xAxisTitle("seconds since the load started").yAxisTitle(yTitle).build();
    ChartImage.style(chart.getStyler());
    chart.getStyler().setPlotBackgroundColor(Color.WHITE).setYAxisLeftWidthHint(60).setAnnotationLineColor(EVENT)
        .setAnnotationLineStroke(ChartImage.dashed(1f, 3f, 4f)).setMarkerSize(10);
    chart.getStyler().setXAxisMin((double) origin).setXAxisMax((double) seconds).setYAxisMin(yMin)
        .setYAxisMax(yMax).setXAxisTickMarkSpacingHint((WIDTH - 120) * niceStep(seconds - origin)
            / (seconds - origin)).setPlotGridVerticalLinesVisible(false)
        .setxAxisTickLabelsFormattingFunction(t -> String.format("%.0f s", t));
    if (origin < 0) {
      line(chart, "before the load", BEFORE_LOAD, 1, XYSeriesRenderStyle.StepArea, new double[] {origin, 0},
          new double[] {yMax, yMax}).setLineStyle(new BasicStroke(8f));
    }
    return chart;
  }

  /**
   * Stacked per-second bars: each layer drawn as a step area of the running total, the topmost first so that the
   * ones below paint over it (XChart stacks category charts only, and those have no numeric time axis).
   */
  static void stack(XYChart chart, List<String> names, List<Color> colors, List<long[]> layers) {
    int n = layers.stream().mapToInt(l -> l.length).max().orElse(0);
    if (n == 0) {
      return;
    }
    double[][] totals = new double[layers.size()][n + 1];
    for (int l = 0; l < layers.size(); l++) {
      for (int t = 0; t <= n; t++) {
        long[] layer = layers.get(l);
        int s = Math.min(t, n - 1); // the last second repeated: a step needs its right edge
        totals[l][t] = (l > 0 ? totals[l - 1][t] : 0) + (s < layer.length ? layer[s] : 0);
      }
    }
    for (int l = layers.size() - 1; l >= 0; l--) {
      // A line wide enough to read in the legend.
      line(chart, names.get(l), colors.get(l), 2.5f, XYSeriesRenderStyle.StepArea, seconds(n + 1, 0), totals[l]);
    }
  }

  /** The quota as a dashed line across the chart. */
  static void quota(XYChart chart, int origin, int seconds, double quotaRps) {
    line(chart, "quota " + ClusterPlan.formatRps(quotaRps) + " rps (token bucket)", QUOTA, 2,
        XYSeriesRenderStyle.Line, new double[] {origin, seconds}, new double[] {quotaRps, quotaRps})
        .setLineStyle(ChartImage.dashed(2f, 10f, 6f));
  }

  /**
   * A dotted vertical line per labelled event; with {@code labelY} a number, the labels too, in three rows from
   * that height down so that close events do not overprint each other.
   */
  static void events(XYChart chart, Data data, double labelY) {
    long start = data.timeline().startSecond() * 1000;
    int row = 0;
    for (RunRecord.TimelineEvent event : data.events()) {
      double t = (event.epochMillis() - start) / 1000.0;
      if (t < data.originT() || t > data.seconds() || event.label().isEmpty()) {
        continue;
      }
      chart.addAnnotation(new AnnotationLine(t, true, false));
      if (!Double.isNaN(labelY)) {
        chart.addAnnotation(new AnnotationText(event.label(), t + pixels(event.label().length() * 3.5 + 4, data),
            labelY * (0.96 - 0.05 * (row++ % 3)), false));
      }
    }
  }

  static XYSeries line(XYChart chart, String name, Color color, float width, XYSeriesRenderStyle style, double[] x,
      double[] y) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setXYSeriesRenderStyle(style).setMarker(SeriesMarkers.NONE).setLineColor(color)
        .setLineStyle(new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
    series.setFillColor(color);
    return series;
  }

  /** The seconds 0, 1, ... as x values, shifted by {@code from}. */
  static double[] seconds(int count, double from) {
    return IntStream.range(0, count).mapToDouble(i -> from + i).toArray();
  }

  private static String ordinal(int lane) {
    return lane == 1 ? "top" : lane + (lane == 2 ? "nd" : lane == 3 ? "rd" : "th");
  }

  private static String seconds(Double value) {
    return value == null ? "\u2013" : String.format("%.1f s", value);
  }

  private static long[] perSecond(List<Timeline.Row> rows, ToDoubleFunction<Timeline.Row> value) {
    return rows.stream().mapToLong(r -> (long) value.applyAsDouble(r)).toArray();
  }

  /** A width in pixels as seconds on the time axis (about: the plot is a little narrower than the chart). */
  private static double pixels(double px, Data data) {
    return px * (data.seconds() - data.originT()) / (WIDTH - 120.0);
  }

  /**
   * Runs of points drawn as one series: XChart breaks a line on no value (a NaN upsets its axis and annotation
   * scale), so each run is a series of its own, the first one named in the legend.
   */
  private static final class Points {
    private final List<double[][]> runs = new ArrayList<>();
    private final List<Double> x = new ArrayList<>();
    private final List<Double> y = new ArrayList<>();

    void add(double px, double py) {
      x.add(px);
      y.add(py);
    }

    void segment(double from, double to, double py) {
      add(from, py);
      add(to, py);
      gap();
    }

    void gap() {
      if (!x.isEmpty()) {
        runs.add(new double[][] {x.stream().mapToDouble(Double::doubleValue).toArray(),
            y.stream().mapToDouble(Double::doubleValue).toArray()});
        x.clear();
        y.clear();
      }
    }

    List<XYSeries> draw(XYChart chart, String name, Color color, float width, XYSeriesRenderStyle style) {
      gap();
      List<XYSeries> drawn = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        XYSeries series = line(chart, i == 0 ? name : name + " " + i, color, width, style, runs.get(i)[0],
            runs.get(i)[1]);
        series.setShowInLegend(i == 0);
        drawn.add(series);
      }
      return drawn;
    }
  }

  /** 1, 2, 2.5 or 5 times a power of ten, at or above {@code value}. */
  static double niceCeiling(double value) {
    if (value <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double factor : new double[] {1, 2, 2.5, 5, 10}) {
      if (factor * magnitude >= value) {
        return factor * magnitude;
      }
    }
    return 10 * magnitude;
  }

  /** A tick step giving at most ~15 ticks. */
  static int niceStep(int seconds) {
    for (int step : new int[] {1, 2, 5, 10, 15, 30, 60, 120, 300, 600}) {
      if (seconds / step <= 15) {
        return step;
      }
    }
    return 1200;
  }
}
