package io.tokencache.loadtest.harness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * XChart charts stacked into one PNG under a title and a line of key figures (XChart has one title line per
 * chart and no subtitle). The charts are laid out top to bottom, each as wide as the image.
 */
public final class ChartImage {

  private static final int HEADER = 64;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private ChartImage() {}

  /**
   * @param title the headline
   * @param subtitle the key figures, one line (null for none)
   * @param charts the charts, top to bottom
   * @return the image, as wide as the widest chart
   */
  public static BufferedImage compose(String title, String subtitle, List<? extends Chart<?, ?>> charts) {
    int width = charts.stream().mapToInt(Chart::getWidth).max().orElse(1);
    int height = HEADER + charts.stream().mapToInt(Chart::getHeight).sum();
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString(title, 12, 26);
      if (subtitle != null) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(subtitle, 12, 48);
      }
      int y = HEADER;
      for (Chart<?, ?> chart : charts) {
        Graphics2D area = (Graphics2D) g.create(0, y, chart.getWidth(), chart.getHeight());
        chart.paint(area, chart.getWidth(), chart.getHeight());
        area.dispose();
        y += chart.getHeight();
      }
      return image;
    } finally {
      g.dispose();
    }
  }

  /**
   * The look every chart of the load test and the bench shares: no title of its own (the image has one), the
   * legend below the plot, on white.
   *
   * @param styler the chart's styler
   */
  public static void style(Styler styler) {
    styler.setChartTitleVisible(false).setLegendPosition(LegendPosition.OutsideS)
        .setLegendLayout(LegendLayout.Horizontal).setChartBackgroundColor(Color.WHITE);
  }

  /**
   * @param width the line's width
   * @param dash a dash's length
   * @param gap the gap's
   * @return a dashed line
   */
  public static BasicStroke dashed(float width, float dash, float gap) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {dash, gap}, 0f);
  }

  /**
   * @param image the image
   * @param file the PNG to write (its folder must exist)
   * @throws IOException when the file cannot be written
   */
  public static void write(BufferedImage image, Path file) throws IOException {
    try (var out = Files.newOutputStream(file)) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer available");
      }
    }
  }
}
