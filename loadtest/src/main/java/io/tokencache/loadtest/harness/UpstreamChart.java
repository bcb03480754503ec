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
 * Draws a run's chart with java.awt, headless: upstream token requests per second (tokens issued,
 * injected failures, 401 and 429 stacked) against the quota line, with the member count over time on a second axis; below, the
 * client's requests and failures per second. Vertical marks show membership changes and IdP
 * switches.
 */
public final class UpstreamChart {

  private static final int WIDTH = 1400;
  private static final int HEIGHT = 910;
  private static final int LEFT = 80;
  private static final int RIGHT = 40;
  private static final Color ADMITTED = new Color(0x3b, 0x73, 0xb9);
  private static final Color THROTTLED = new Color(0xd6, 0x27, 0x28);
  private static final Color INJECTED = new Color(0xff, 0x9f, 0x1c);
  private static final Color REJECTED = new Color(0x8c, 0x8c, 0x8c);
  static final Color QUOTA = new Color(0xb0, 0x10, 0x10);
  private static final Color MEMBERS = new Color(0x2c, 0xa0, 0x2c);
  private static final Color PROCESSES = new Color(0x9a, 0xc9, 0x9a);
  private static final Color CLUSTER = new Color(0x10, 0x40, 0x10);
  private static final Color CLIENT = new Color(0x55, 0x55, 0x55);
  private static final Color GRID = new Color(0xe6, 0xe6, 0xe6);
  static final Color EVENT = new Color(0x99, 0x66, 0xcc);

  /**
   * What to draw.
   *
   * @param title the headline
   * @param subtitle the key figures, one line
   * @param timeline the run's seconds
   * @param quotaRps the IdP's quota
   * @param events marks, with epoch millis
   */
  public record Data(String title, String subtitle, Timeline timeline, double quotaRps,
      List<RunRecord.TimelineEvent> events) {
    public Data {
      Objects.requireNonNull(timeline, "timeline");
      events = List.copyOf(events);
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
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
      g.drawString(data.title(), LEFT, 32);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      g.drawString(data.subtitle(), LEFT, 56);

      List<Timeline.Row> rows = data.timeline().rows();
      int seconds = Math.max(1, rows.size());
      Panel upstream = new Panel(LEFT, 110, WIDTH - LEFT - RIGHT, 400, seconds);
      Panel members = new Panel(LEFT, 560, WIDTH - LEFT - RIGHT, 110, seconds);
      Panel client = new Panel(LEFT, 720, WIDTH - LEFT - RIGHT, 150, seconds);
      drawUpstream(g, upstream, rows, data.quotaRps());
      drawMembers(g, members, rows);
      drawClient(g, client, rows);
      drawEvents(g, data, upstream, members, client);
      return image;
    } finally {
      g.dispose();
    }
  }

  /** A plotting area with x in seconds since the start of the load. */
  record Panel(int x, int y, int width, int height, int seconds) {
    double xOf(double t) {
      return x + t * width / seconds;
    }

    double yOf(double value, double max) {
      return y + height - value * height / max;
    }

    int bottom() {
      return y + height;
    }
  }

  private static void drawUpstream(Graphics2D g, Panel p, List<Timeline.Row> rows, double quota) {
    int maxRequests = rows.stream().mapToInt(Timeline.Row::upstreamRequests).max().orElse(0);
    // Headroom above the tallest bar keeps the legend clear of the data.
    double max = niceCeiling(Math.max(quota * 1.5, maxRequests * 1.3));
    grid(g, p, max, "upstream token requests / s");
    timeAxis(g, p);

    double barWidth = Math.max(1, (double) p.width() / p.seconds() - 1);
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
    g.setColor(QUOTA);
    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {10f, 6f}, 0f));
    int quotaY = (int) Math.round(p.yOf(quota, max));
    g.drawLine(p.x(), quotaY, p.x() + p.width(), quotaY);
    g.setStroke(old);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString("quota " + ClusterPlan.formatRps(quota) + " rps", p.x() + 6, quotaY - 6);
    legend(g, p.x() + p.width() - 4, p.y() + 10, new String[] {
        "token issued", "failure injected", "401", "429", "quota (token bucket)"},
        new Color[] {ADMITTED, INJECTED, REJECTED, THROTTLED, QUOTA});
  }

  private static void drawMembers(Graphics2D g, Panel p, List<Timeline.Row> rows) {
    int maxMembers = rows.stream()
        .mapToInt(r -> Math.max(r.clusterView(), Math.max(r.membersLive(), r.memberProcesses()))).max().orElse(1);
    int axis = Math.max(2, maxMembers + 1);
    grid(g, p, axis, "members", axis <= 8 ? axis : 4);
    timeAxis(g, p);
    Stroke old = g.getStroke();
    g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
    step(g, p, rows, axis, PROCESSES, Timeline.Row::memberProcesses);
    g.setStroke(new BasicStroke(3f));
    step(g, p, rows, axis, MEMBERS, Timeline.Row::membersLive);
    g.setStroke(new BasicStroke(1.5f));
    step(g, p, rows, axis, CLUSTER, Timeline.Row::clusterView);
    g.setStroke(old);
    legend(g, p.x() + p.width() - 4, p.y() - 24,
        new String[] {"in rotation", "processes alive", "cluster size reported (/health/ready)"},
        new Color[] {MEMBERS, PROCESSES, CLUSTER});
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
      if (t < 0 || t > labelled.seconds() || event.label().isEmpty()) {
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
    int step = niceStep(p.seconds());
    g.setColor(Color.DARK_GRAY);
    for (int t = 0; t <= p.seconds(); t += step) {
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
