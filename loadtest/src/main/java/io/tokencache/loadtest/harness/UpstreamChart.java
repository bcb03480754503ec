package io.tokencache.loadtest.harness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Draws a run's chart with java.awt, headless: upstream token requests per calendar second (tokens issued,
 * injected failures, 401 and 429 stacked as bars) with, as a line, the most requests in any sliding 1 s window
 * ending in that second (what the quota limits), against the quota line; below, one lane per member (process
 * starting, in rotation, requests served each second, process start and first request served marked); below
 * that, the client's requests and failures per second. The time axis starts at the first event, so members
 * started before the load (t &lt; 0) show too. Vertical marks show membership changes and IdP switches.
 */
public final class UpstreamChart {

  private static final int WIDTH = 1400;
  private static final int LANE_HEIGHT = 30;
  private static final int MIN_LANES_HEIGHT = 110;
  private static final int LEFT = 80;
  private static final int RIGHT = 40;
  private static final Color ADMITTED = new Color(0x3b, 0x73, 0xb9);
  private static final Color THROTTLED = new Color(0xd6, 0x27, 0x28);
  private static final Color INJECTED = new Color(0xff, 0x9f, 0x1c);
  private static final Color REJECTED = new Color(0x8c, 0x8c, 0x8c);
  static final Color QUOTA = new Color(0xb0, 0x10, 0x10);
  private static final Color CLIENT = new Color(0x55, 0x55, 0x55);
  private static final Color GRID = new Color(0xe6, 0xe6, 0xe6);
  static final Color EVENT = new Color(0x99, 0x66, 0xcc);
  static final Color SLIDING = new Color(0x20, 0x20, 0x20);
  static final Color BEFORE_LOAD = new Color(0xf4, 0xf4, 0xf4);
  static final Color STARTING = new Color(0xb8, 0xb8, 0xb8);
  static final Color IN_ROTATION = new Color(0xcf, 0xeb, 0xcf);
  static final Color SERVED = new Color(0x2c, 0xa0, 0x2c);
  static final Color FIRST_SERVED = new Color(0x10, 0x50, 0x10);

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

    /** Without member lanes, the axis starting with the load. */
    public Data(String title, String subtitle, Timeline timeline, double quotaRps,
        List<RunRecord.TimelineEvent> events) {
      this(title, subtitle, timeline, quotaRps, events, 0, List.of());
    }
  }

  /** Where the panels go, for a given data. */
  record Layout(Panel upstream, Panel members, Panel client, int height) {}

  private UpstreamChart() {}

  /**
   * Renders the chart into a PNG file.
   *
   * @param data what to draw
   * @param file the PNG to write (its folder must exist)
   * @throws IOException when the file cannot be written
   */
  public static void write(Data data, Path file) throws IOException {
    BufferedImage image = render(data);
    try (var out = Files.newOutputStream(file)) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer available");
      }
    }
  }

  /**
   * @param data what to draw
   * @return the image
   */
  public static BufferedImage render(Data data) {
    int height = layout(data).height();
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
      g.drawString(data.title(), LEFT, 32);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      g.drawString(data.subtitle(), LEFT, 56);

      List<Timeline.Row> rows = data.timeline().rows();
      Layout layout = layout(data);
      drawUpstream(g, layout.upstream(), rows, data.quotaRps());
      drawMembers(g, layout.members(), data.members());
      drawClient(g, layout.client(), rows);
      drawEvents(g, data, layout.upstream(), layout.members(), layout.client());
      return image;
    } finally {
      g.dispose();
    }
  }

  static Layout layout(Data data) {
    int seconds = Math.max(1, data.timeline().rows().size());
    int origin = data.originT();
    int lanesHeight = Math.max(MIN_LANES_HEIGHT, LANE_HEIGHT * Math.max(1, data.members().size()));
    Panel upstream = new Panel(LEFT, 110, WIDTH - LEFT - RIGHT, 400, seconds, origin);
    Panel members = new Panel(LEFT, 560, WIDTH - LEFT - RIGHT, lanesHeight, seconds, origin);
    Panel client = new Panel(LEFT, members.bottom() + 50, WIDTH - LEFT - RIGHT, 150, seconds, origin);
    return new Layout(upstream, members, client, client.bottom() + 40);
  }

  /**
   * A plotting area with x in seconds since the start of the load, from {@code origin} (&lt;= 0) to
   * {@code seconds}.
   */
  record Panel(int x, int y, int width, int height, int seconds, int origin) {
    Panel(int x, int y, int width, int height, int seconds) {
      this(x, y, width, height, seconds, 0);
    }

    double xOf(double t) {
      return x + (t - origin) * width / (seconds - origin);
    }

    double yOf(double value, double max) {
      return y + height - value * height / max;
    }

    int bottom() {
      return y + height;
    }

    /** @return the span of the axis in seconds */
    int span() {
      return seconds - origin;
    }
  }

  /** Shades the part of a panel before the load started, where only members (and no load) can show. */
  static void beforeLoad(Graphics2D g, Panel p) {
    if (p.origin() >= 0) {
      return;
    }
    g.setColor(BEFORE_LOAD);
    int x0 = (int) Math.round(p.xOf(0));
    g.fillRect(p.x() + 1, p.y() + 1, x0 - p.x() - 1, p.height() - 1);
    g.setColor(Color.GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 11));
    g.drawString("before the load", p.x() + 4, p.bottom() - 4);
  }

  private static void drawUpstream(Graphics2D g, Panel p, List<Timeline.Row> rows, double quota) {
    int maxRequests = rows.stream()
        .mapToInt(r -> Math.max(r.upstreamRequests(), r.upstreamMaxSliding1s())).max().orElse(0);
    // Headroom above the tallest bar keeps the legend clear of the data.
    double max = niceCeiling(Math.max(quota * 1.5, maxRequests * 1.3));
    beforeLoad(g, p);
    grid(g, p, max, UPSTREAM_AXIS);
    timeAxis(g, p);

    double barWidth = Math.max(1, (double) p.width() / p.span() - 1);
    for (Timeline.Row row : rows) {
      // Stacked from the bottom: tokens issued, injected failures, 401, then 429 on top.
      double x = p.xOf(row.t());
      int issued = row.upstreamAdmitted() - row.upstreamFailuresInjected() - row.upstream401();
      int[] heights = {issued, row.upstreamFailuresInjected(), row.upstream401(), row.upstream429()};
      Color[] colors = {ADMITTED, INJECTED, REJECTED, THROTTLED};
      int base = 0;
      for (int i = 0; i < heights.length; i++) {
        if (heights[i] <= 0) {
          continue;
        }
        double bottom = p.yOf(base, max);
        double top = p.yOf(base + heights[i], max);
        g.setColor(colors[i]);
        g.fill(new java.awt.geom.Rectangle2D.Double(x, top, barWidth, bottom - top));
        base += heights[i];
      }
    }

    Stroke old = g.getStroke();
    // The sliding-second maximum, a step over each second: what the quota and the verdict judge.
    g.setStroke(new BasicStroke(1.5f));
    step(g, p, rows, max, SLIDING, Timeline.Row::upstreamMaxSliding1s);
    g.setColor(QUOTA);
    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {10f, 6f}, 0f));
    int quotaY = (int) Math.round(p.yOf(quota, max));
    g.drawLine(p.x(), quotaY, p.x() + p.width(), quotaY);
    g.setStroke(old);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString("quota " + ClusterPlan.formatRps(quota) + " rps", p.x() + 6, quotaY - 6);
    legend(g, p.x() + p.width() - 4, p.y() + 10, new String[] {
        "token issued", "failure injected", "401", "429", "max in any sliding 1 s", "quota (token bucket)"},
        new Color[] {ADMITTED, INJECTED, REJECTED, THROTTLED, SLIDING, QUOTA});
  }

  /** The upstream panel's axis: the bars count calendar seconds. */
  static final String UPSTREAM_AXIS = "token requests at the IdP, per calendar second";

  /**
   * One lane per member, oldest on top: a grey band while its process starts, a light green band while it is
   * in rotation, green bars for the requests it served each second (scaled to the busiest member-second), a
   * black triangle at its process start and a dark green dot at its first request served, labelled with the
   * seconds from process start to that first request.
   */
  private static void drawMembers(Graphics2D g, Panel p, List<MemberLane> lanes) {
    beforeLoad(g, p);
    g.setColor(Color.GRAY);
    g.drawRect(p.x(), p.y(), p.width(), p.height());
    verticalLabel(g, "members", p.x() - 55, p.y() + p.height() / 2, Color.DARK_GRAY);
    timeAxis(g, p);
    long maxServed = Math.max(1, lanes.stream().mapToLong(MemberLane::maxServed).max().orElse(1));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i < lanes.size(); i++) {
      MemberLane lane = lanes.get(i);
      double top = laneTop(p, i);
      double bottom = top + LANE_HEIGHT - 6;
      double end = lane.leftT() != null ? lane.leftT() : p.seconds();
      double ready = lane.readyT() != null ? lane.readyT() : end;
      g.setColor(STARTING);
      g.fill(new java.awt.geom.Rectangle2D.Double(p.xOf(lane.startedT()), top + (bottom - top) / 2 - 3,
          Math.max(1, p.xOf(ready) - p.xOf(lane.startedT())), 6));
      if (lane.readyT() != null) {
        g.setColor(IN_ROTATION);
        g.fill(new java.awt.geom.Rectangle2D.Double(p.xOf(ready), top, Math.max(1, p.xOf(end) - p.xOf(ready)),
            bottom - top));
      }
      g.setColor(SERVED);
      double barWidth = Math.max(1, (double) p.width() / p.span() - 1);
      long[] served = lane.served();
      for (int s = 0; s < served.length; s++) {
        if (served[s] <= 0) {
          continue;
        }
        double h = Math.max(1, (bottom - top) * served[s] / maxServed);
        g.fill(new java.awt.geom.Rectangle2D.Double(p.xOf(lane.fromT() + s), bottom - h, barWidth, h));
      }
      // Process start: a triangle pointing up at the start.
      double sx = p.xOf(lane.startedT());
      g.setColor(Color.BLACK);
      g.fillPolygon(new int[] {(int) sx - 5, (int) sx + 5, (int) sx}, new int[] {(int) bottom, (int) bottom,
          (int) bottom - 9}, 3);
      g.setColor(Color.DARK_GRAY);
      g.drawString("m" + lane.index(), p.x() - 30, (int) bottom - 4);
      if (lane.firstServedT() != null) {
        double fx = p.xOf(lane.firstServedT());
        double cy = top + (bottom - top) / 2;
        g.setColor(FIRST_SERVED);
        g.fill(new java.awt.geom.Ellipse2D.Double(fx - 4, cy - 4, 8, 8));
        String text = String.format("process start t=%.1f s \u00b7 ready +%.1f s \u00b7 serving +%.1f s",
            lane.startedT(), lane.startToReady() == null ? Double.NaN : lane.startToReady(), lane.startToServing());
        g.setColor(Color.BLACK);
        g.drawString(text, (int) fx + 8, (int) cy + 4);
      }
    }
    legend(g, p.x() + p.width() - 4, p.y() - 24,
        new String[] {"process starting", "in rotation", "requests served / s", "\u25b2 process start",
            "\u25cf first request served (s after process start)"},
        new Color[] {STARTING, IN_ROTATION, SERVED, Color.BLACK, FIRST_SERVED});
  }

  /** The top of member lane {@code i}. */
  static double laneTop(Panel p, int i) {
    return p.y() + 3 + i * (double) LANE_HEIGHT;
  }

  /** A step line of a per-second value; negative values (unknown) leave a gap. */
  private static void step(Graphics2D g, Panel p, List<Timeline.Row> rows, double max, Color color,
      java.util.function.ToIntFunction<Timeline.Row> value) {
    g.setColor(color);
    double previousY = Double.NaN;
    for (Timeline.Row row : rows) {
      int v = value.applyAsInt(row);
      if (v < 0) {
        previousY = Double.NaN;
        continue;
      }
      double y = p.yOf(v, max);
      double x0 = p.xOf(row.t());
      double x1 = p.xOf(row.t() + 1);
      if (!Double.isNaN(previousY) && previousY != y) {
        g.draw(new java.awt.geom.Line2D.Double(x0, previousY, x0, y));
      }
      g.draw(new java.awt.geom.Line2D.Double(x0, y, x1, y));
      previousY = y;
    }
  }

  private static void drawClient(Graphics2D g, Panel p, List<Timeline.Row> rows) {
    long maxRequests = rows.stream().mapToLong(Timeline.Row::clientRequests).max().orElse(0);
    double max = niceCeiling(Math.max(10, maxRequests * 1.1));
    beforeLoad(g, p);
    grid(g, p, max, "client requests / s");
    timeAxis(g, p);
    Stroke old = g.getStroke();
    g.setStroke(new BasicStroke(2f));
    polyline(g, p, rows, max, CLIENT, false);
    polyline(g, p, rows, max, THROTTLED, true);
    g.setStroke(old);
    legend(g, p.x() + p.width() - 4, p.y() - 24, new String[] {"requests (Gatling)", "failed (KO)"},
        new Color[] {CLIENT, THROTTLED});
  }

  private static void polyline(Graphics2D g, Panel p, List<Timeline.Row> rows, double max, Color color,
      boolean failed) {
    g.setColor(color);
    double px = Double.NaN;
    double py = Double.NaN;
    for (Timeline.Row row : rows) {
      double value = failed ? row.clientFailed() : row.clientRequests();
      double x = p.xOf(row.t() + 0.5);
      double y = p.yOf(value, max);
      if (!Double.isNaN(px)) {
        g.draw(new java.awt.geom.Line2D.Double(px, py, x, y));
      }
      px = x;
      py = y;
    }
  }

  static void drawEvents(Graphics2D g, Data data, Panel labelled, Panel... panels) {
    long start = data.timeline().startSecond() * 1000;
    Stroke old = g.getStroke();
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int lane = 0;
    for (RunRecord.TimelineEvent event : data.events()) {
      double t = (event.epochMillis() - start) / 1000.0;
      if (t < labelled.origin() || t > labelled.seconds() || event.label().isEmpty()) {
        continue;
      }
      int x = (int) Math.round(labelled.xOf(t));
      g.setColor(EVENT);
      g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 4f}, 0f));
      g.drawLine(x, labelled.y(), x, labelled.bottom());
      for (Panel panel : panels) {
        g.drawLine(x, panel.y(), x, panel.bottom());
      }
      g.setStroke(old);
      // Three label lanes above the panel so that close events do not overprint each other.
      g.drawString(event.label(), x + 3, labelled.y() - 6 - 13 * (lane % 3));
      lane++;
    }
    g.setStroke(old);
  }

  static void grid(Graphics2D g, Panel p, double max, String label) {
    grid(g, p, max, label, 5);
  }

  private static void grid(Graphics2D g, Panel p, double max, String label, int ticks) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    for (int i = 0; i <= ticks; i++) {
      double value = max * i / ticks;
      int y = (int) Math.round(p.yOf(value, max));
      g.setColor(GRID);
      g.drawLine(p.x(), y, p.x() + p.width(), y);
      g.setColor(Color.DARK_GRAY);
      String text = value == Math.rint(value) ? Long.toString((long) value) : String.format("%.1f", value);
      g.drawString(text, p.x() - 8 - metrics.stringWidth(text), y + 4);
    }
    g.setColor(Color.GRAY);
    g.drawRect(p.x(), p.y(), p.width(), p.height());
    verticalLabel(g, label, p.x() - 55, p.y() + p.height() / 2, Color.DARK_GRAY);
  }

  static void timeAxis(Graphics2D g, Panel p) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    int step = niceStep(p.span());
    g.setColor(Color.DARK_GRAY);
    // Ticks on multiples of the step, 0 (the load's start) among them.
    for (int t = Math.floorDiv(p.origin(), step) * step; t <= p.seconds(); t += step) {
      if (t < p.origin()) {
        continue;
      }
      int x = (int) Math.round(p.xOf(t));
      g.drawLine(x, p.bottom(), x, p.bottom() + 4);
      String text = t + " s";
      g.drawString(text, x - metrics.stringWidth(text) / 2, p.bottom() + 18);
    }
  }

  /** Draws a legend whose right edge is at {@code right}. */
  static void legend(Graphics2D g, int right, int y, String[] labels, Color[] colors) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    int width = 0;
    for (String label : labels) {
      width += metrics.stringWidth(label) + 34;
    }
    int x = right - width;
    g.setColor(new Color(255, 255, 255, 220));
    g.fillRect(x - 6, y - 2, width + 6, 22);
    int cx = x;
    for (int i = 0; i < labels.length; i++) {
      g.setColor(colors[i]);
      g.fillRect(cx, y + 5, 18, 10);
      g.setColor(Color.BLACK);
      g.drawString(labels[i], cx + 22, y + 15);
      cx += metrics.stringWidth(labels[i]) + 34;
    }
  }

  private static void verticalLabel(Graphics2D g, String text, int x, int y, Color color) {
    AffineTransform saved = g.getTransform();
    g.setColor(color);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int width = g.getFontMetrics().stringWidth(text);
    g.rotate(-Math.PI / 2, x, y);
    g.drawString(text, x - width / 2, y);
    g.setTransform(saved);
  }

  /** 1, 2 or 5 times a power of ten, at or above {@code value}. */
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
