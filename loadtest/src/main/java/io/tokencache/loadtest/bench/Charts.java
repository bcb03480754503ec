package io.tokencache.loadtest.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Small bar charts drawn with java.awt, headless, written as PNG (few colours, so the files stay small). */
final class Charts {

  static final Color NGINX = new Color(0x2c, 0xa0, 0x2c);
  static final Color TOKEN_CACHE = new Color(0x1f, 0x77, 0xb4);
  static final Color FLOOR = new Color(0x99, 0x99, 0x99);
  static final Color ACCENT = new Color(0xff, 0x7f, 0x0e);
  static final Color TARGET = new Color(0xd6, 0x27, 0x28);
  private static final Color GRID = new Color(0xe8, 0xe8, 0xe8);
  private static final Color TEXT = new Color(0x22, 0x22, 0x22);

  /**
   * One series of a grouped bar chart.
   *
   * @param name legend text
   * @param color bar colour
   * @param values one value per group (NaN: no bar)
   * @param colors per-bar colour overrides, or null
   * @param dots per group, individual observations drawn as dots on the bar, or null
   */
  record Series(String name, Color color, double[] values, Color[] colors, double[][] dots) {
    Series(String name, Color color, double[] values) {
      this(name, color, values, null, null);
    }
  }

  /** A horizontal reference line with its label. */
  record Line(String label, double value, Color color) {}

  /** A legend entry that is not a series (e.g. a per-bar colour). */
  record Legend(String label, Color color) {}

  private Charts() {}

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** Grouped vertical bars with value labels. */
  static BufferedImage bars(String title, String subtitle, String unit, List<String> groups, List<Series> series,
      List<Line> lines, List<Legend> extraLegend, int width, int height, String format) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = start(image, title, subtitle);
    int left = 70;
    int right = 20;
    int top = 64;
    int bottom = 56;
    int plotW = width - left - right;
    int plotH = height - top - bottom;
    double max = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        if (!Double.isNaN(v)) {
          max = Math.max(max, v);
        }
      }
      if (s.dots() != null) {
        for (double[] ds : s.dots()) {
          for (double d : ds == null ? new double[0] : ds) {
            max = Math.max(max, d);
          }
        }
      }
    }
    for (Line l : lines) {
      max = Math.max(max, l.value());
    }
    double scale = niceMax(max * 1.12);
    axis(g, left, top, plotW, plotH, scale, unit);
    int n = groups.size();
    double groupW = plotW / (double) Math.max(1, n);
    int barW = (int) Math.max(2, Math.min(60, (groupW * 0.8) / Math.max(1, series.size())));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, n > 16 ? 9 : 11));
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i < n; i++) {
      double gx = left + i * groupW + (groupW - barW * series.size()) / 2.0;
      for (int s = 0; s < series.size(); s++) {
        Series se = series.get(s);
        double v = se.values()[i];
        int x = (int) (gx + s * barW);
        if (!Double.isNaN(v)) {
          int h = (int) Math.round(v / scale * plotH);
          g.setColor(se.colors() != null && se.colors()[i] != null ? se.colors()[i] : se.color());
          g.fillRect(x, top + plotH - h, barW - 2, h);
          if (n <= 16 && format != null) {
            g.setColor(TEXT);
            String label = String.format(Locale.ROOT, format, v);
            g.drawString(label, x + (barW - 2 - fm.stringWidth(label)) / 2, top + plotH - h - 3);
          }
        }
        if (se.dots() != null && se.dots()[i] != null) {
          g.setColor(TEXT);
          for (double d : se.dots()[i]) {
            int y = top + plotH - (int) Math.round(d / scale * plotH);
            g.fillOval(x + (barW - 2) / 2 - 2, y - 2, 5, 5);
          }
        }
      }
      g.setColor(TEXT);
      String label = groups.get(i);
      g.drawString(label, (int) (left + i * groupW + (groupW - fm.stringWidth(label)) / 2), top + plotH + 16);
    }
    g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (Line l : lines) {
      int y = top + plotH - (int) Math.round(l.value() / scale * plotH);
      g.setColor(l.color());
      g.drawLine(left, y, left + plotW, y);
      g.drawString(l.label(), left + plotW - g.getFontMetrics().stringWidth(l.label()) - 4, y - 4);
    }
    g.setStroke(new BasicStroke(1));
    legend(g, series, extraLegend, left, height - 22);
    g.dispose();
    return image;
  }

  /** Horizontal bars, one per label, for long labels (class names). */
  static BufferedImage hbars(String title, String subtitle, String unit, List<String> labels, double[] values,
      Color color, int width, String format) {
    int rowH = 22;
    int height = 70 + rowH * labels.size() + 40;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = start(image, title, subtitle);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    int labelW = 0;
    for (String l : labels) {
      labelW = Math.max(labelW, fm.stringWidth(l));
    }
    labelW = Math.min(labelW, width / 2);
    int left = labelW + 20;
    int plotW = width - left - 80;
    double max = 0;
    for (double v : values) {
      max = Math.max(max, v);
    }
    double scale = max <= 0 ? 1 : max;
    for (int i = 0; i < labels.size(); i++) {
      int y = 70 + i * rowH;
      g.setColor(TEXT);
      String label = labels.get(i);
      while (fm.stringWidth(label) > labelW && label.length() > 4) {
        label = "…" + label.substring(2);
      }
      g.drawString(label, left - 8 - fm.stringWidth(label), y + 14);
      int w = (int) Math.round(values[i] / scale * plotW);
      g.setColor(color);
      g.fillRect(left, y + 3, Math.max(1, w), rowH - 6);
      g.setColor(TEXT);
      g.drawString(String.format(Locale.ROOT, format, values[i]) + " " + unit, left + w + 4, y + 14);
    }
    g.dispose();
    return image;
  }

  static void write(BufferedImage image, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer available");
      }
    }
  }

  private static Graphics2D start(BufferedImage image, String title, String subtitle) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, 12, 22);
    if (subtitle != null) {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.drawString(subtitle, 12, 40);
    }
    return g;
  }

  private static void axis(Graphics2D g, int left, int top, int plotW, int plotH, double scale, String unit) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i <= 5; i++) {
      double v = scale * i / 5;
      int y = top + plotH - (int) Math.round(plotH * i / 5.0);
      g.setColor(GRID);
      g.drawLine(left, y, left + plotW, y);
      g.setColor(TEXT);
      String label = tick(v);
      g.drawString(label, left - 6 - fm.stringWidth(label), y + 4);
    }
    g.drawString(unit, 8, top - 8);
    g.drawLine(left, top, left, top + plotH);
    g.drawLine(left, top + plotH, left + plotW, top + plotH);
  }

  private static void legend(Graphics2D g, List<Series> series, List<Legend> extra, int x, int y) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    int cx = x;
    if (series.size() == 1 && series.get(0).colors() != null && extra.isEmpty()) {
      return; // one series coloured bar by bar: the group labels say it all
    }
    for (Series s : series) {
      cx = legendEntry(g, fm, s.name(), s.color(), cx, y);
    }
    for (Legend l : extra) {
      cx = legendEntry(g, fm, l.label(), l.color(), cx, y);
    }
  }

  private static int legendEntry(Graphics2D g, FontMetrics fm, String label, Color color, int x, int y) {
    g.setColor(color);
    g.fillRect(x, y - 9, 12, 10);
    g.setColor(TEXT);
    g.drawString(label, x + 16, y);
    return x + 16 + fm.stringWidth(label) + 18;
  }

  static double niceMax(double v) {
    if (v <= 0 || Double.isNaN(v)) {
      return 1;
    }
    double exp = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (m * exp >= v) {
        return m * exp;
      }
    }
    return 10 * exp;
  }

  private static String tick(double v) {
    if (v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
