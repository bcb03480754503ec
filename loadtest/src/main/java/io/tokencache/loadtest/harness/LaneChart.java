package io.tokencache.loadtest.harness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * The companion of {@link UpstreamChart} (and drawn with its panels, grid, axes and legend): upstream token
 * requests per second as the members counted them, stacked by budget lane ({@code refresh}, {@code known},
 * {@code unknown}, {@code passthrough}; {@code all} for a server without lanes) against the quota, with the
 * requests the IdP itself received drawn over them as a line, so the two counts can be compared; below, the
 * budget's rejections per second by lane.
 */
public final class LaneChart {

  /** The file name, next to {@link RunReport#CHART}. */
  public static final String FILE = "upstream-lanes.png";

  private static final int WIDTH = 1400;
  private static final int HEIGHT = 800;
  private static final int LEFT = 80;
  private static final int RIGHT = 40;
  private static final Map<String, Color> LANE_COLORS = Map.of(
      "refresh", new Color(0x2c, 0xa0, 0x2c),
      "known", new Color(0x3b, 0x73, 0xb9),
      "unknown", new Color(0xff, 0x9f, 0x1c),
      "passthrough", new Color(0x8c, 0x8c, 0x8c),
      LaneCounters.ALL, new Color(0x6a, 0x8e, 0xc8));
  private static final Color OTHER = new Color(0x99, 0x66, 0xcc);
  private static final Color IDP = Color.BLACK;

  private LaneChart() {}

  /**
   * @param base the run's chart data (title, timeline with the IdP's counts, quota, marks)
   * @param lanes the members' counts by lane, over the same seconds as the timeline
   * @param file the PNG to write (its folder must exist)
   * @throws IOException when the file cannot be written
   */
  public static void write(UpstreamChart.Data base, LaneSeries lanes, Path file) throws IOException {
    BufferedImage image = render(base, lanes);
    try (var out = Files.newOutputStream(file)) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer available");
      }
    }
  }

  /**
   * @param base the run's chart data
   * @param lanes the members' counts by lane
   * @return the image
   */
  public static BufferedImage render(UpstreamChart.Data base, LaneSeries lanes) {
    Objects.requireNonNull(lanes, "lanes");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
      g.drawString(base.title() + " \u00b7 upstream by budget lane, per second (members' 1 s scrapes)", LEFT, 32);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      g.drawString(base.subtitle(), LEFT, 56);

      List<Timeline.Row> rows = base.timeline().rows();
      int seconds = Math.max(1, Math.max(rows.size(), lanes.seconds()));
      // The same time axis as the run's main chart, from its first event on.
      UpstreamChart.Panel upstream = new UpstreamChart.Panel(LEFT, 110, WIDTH - LEFT - RIGHT, 400, seconds,
          base.originT());
      UpstreamChart.Panel rejected = new UpstreamChart.Panel(LEFT, 580, WIDTH - LEFT - RIGHT, 170, seconds,
          base.originT());
      List<String> names = lanes.lanes();
      long[] idp = rows.stream().mapToLong(Timeline.Row::upstreamRequests).toArray();
      double max = UpstreamChart.niceCeiling(Math.max(base.quotaRps() * 1.5,
          Math.max(maxOf(lanes.upstreamTotal()), maxOf(idp)) * 1.3));
      UpstreamChart.beforeLoad(g, upstream);
      UpstreamChart.grid(g, upstream, max, "token requests sent upstream, per second");
      UpstreamChart.timeAxis(g, upstream);
      stack(g, upstream, max, names, lanes::upstream);
      line(g, upstream, max, idp);
      quota(g, upstream, max, base.quotaRps());
      legend(g, upstream, names, "received by the IdP", IDP);

      long[] rejections = new long[seconds];
      for (String lane : names) {
        long[] s = lanes.rejections(lane);
        for (int i = 0; i < Math.min(s.length, seconds); i++) {
          rejections[i] += s[i];
        }
      }
      double rejectedMax = UpstreamChart.niceCeiling(Math.max(10, maxOf(rejections) * 1.2));
      UpstreamChart.beforeLoad(g, rejected);
      UpstreamChart.grid(g, rejected, rejectedMax, "budget rejections / s");
      UpstreamChart.timeAxis(g, rejected);
      stack(g, rejected, rejectedMax, names, lanes::rejections);
      legend(g, rejected, names, null, null);
      UpstreamChart.drawEvents(g, base, upstream, rejected);
      return image;
    } finally {
      g.dispose();
    }
  }

  private static void stack(Graphics2D g, UpstreamChart.Panel p, double max, List<String> lanes,
      java.util.function.Function<String, long[]> series) {
    double barWidth = Math.max(1, (double) p.width() / p.span() - 1);
    long[] base = new long[p.seconds()];
    for (String lane : lanes) {
      long[] values = series.apply(lane);
      g.setColor(colorOf(lane));
      for (int t = 0; t < Math.min(values.length, p.seconds()); t++) {
        if (values[t] <= 0) {
          continue;
        }
        double bottom = p.yOf(base[t], max);
        double top = p.yOf(base[t] + values[t], max);
        g.fill(new Rectangle2D.Double(p.xOf(t), top, barWidth, bottom - top));
        base[t] += values[t];
      }
    }
  }

  private static void line(Graphics2D g, UpstreamChart.Panel p, double max, long[] values) {
    Stroke old = g.getStroke();
    g.setStroke(new BasicStroke(1.5f));
    g.setColor(IDP);
    for (int t = 1; t < Math.min(values.length, p.seconds()); t++) {
      g.draw(new Line2D.Double(p.xOf(t - 0.5), p.yOf(values[t - 1], max), p.xOf(t + 0.5), p.yOf(values[t], max)));
    }
    g.setStroke(old);
  }

  private static void quota(Graphics2D g, UpstreamChart.Panel p, double max, double quota) {
    Stroke old = g.getStroke();
    g.setColor(UpstreamChart.QUOTA);
    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {10f, 6f}, 0f));
    int y = (int) Math.round(p.yOf(quota, max));
    g.drawLine(p.x(), y, p.x() + p.width(), y);
    g.setStroke(old);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString("quota " + ClusterPlan.formatRps(quota) + " rps", p.x() + 6, y - 6);
  }

  private static void legend(Graphics2D g, UpstreamChart.Panel p, List<String> lanes, String extra, Color extraColor) {
    int n = lanes.size() + (extra == null ? 0 : 2);
    String[] labels = new String[n];
    Color[] colors = new Color[n];
    for (int i = 0; i < lanes.size(); i++) {
      labels[i] = "lane " + lanes.get(i);
      colors[i] = colorOf(lanes.get(i));
    }
    if (extra != null) {
      labels[n - 2] = extra;
      colors[n - 2] = extraColor;
      labels[n - 1] = "quota (token bucket)";
      colors[n - 1] = UpstreamChart.QUOTA;
    }
    if (n == 0) {
      labels = new String[] {"no lane counter in /metrics"};
      colors = new Color[] {Color.WHITE};
    }
    UpstreamChart.legend(g, p.x() + p.width() - 4, p.y() + 10, labels, colors);
  }

  private static Color colorOf(String lane) {
    return LANE_COLORS.getOrDefault(lane, OTHER);
  }

  private static long maxOf(long[] values) {
    long max = 0;
    for (long v : values) {
      max = Math.max(max, v);
    }
    return max;
  }
}
