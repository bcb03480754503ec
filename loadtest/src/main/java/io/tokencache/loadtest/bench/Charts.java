package io.tokencache.loadtest.bench;

import io.tokencache.loadtest.harness.ChartImage;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The bench's bar charts, drawn with XChart, headless, written as PNG under a title and a line of key figures. */
final class Charts {

  static final Color NGINX = new Color(0x2c, 0xa0, 0x2c);
  static final Color TOKEN_CACHE = new Color(0x1f, 0x77, 0xb4);
  static final Color FLOOR = new Color(0x99, 0x99, 0x99);
  static final Color ACCENT = new Color(0xff, 0x7f, 0x0e);
  static final Color TARGET = new Color(0xd6, 0x27, 0x28);

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

  /** The legend text of bars given another colour than their series' ({@link Series#colors()}). */
  record Legend(String label, Color color) {}

  private Charts() {}

  /**
   * Grouped vertical bars with value labels. XChart colours a series, not a bar, so a series with per-bar colours
   * becomes one series per colour (named by its {@link Legend}, or by the group when it stands alone); dots are
   * scatter series, one per observation.
   *
   * @param format the value labels' {@code printf} format ({@code %.2f}), null for none
   */
  static BufferedImage bars(String title, String subtitle, String unit, List<String> groups, List<Series> series,
      List<Line> lines, List<Legend> extraLegend, int width, int height, String format) {
    CategoryChart chart = chart(width, height, unit);
    boolean alone = series.size() == 1;
    // one series with per-bar colours: its bars overlap their empty twins, so each group shows one centred bar
    chart.getStyler().setOverlapped(alone && series.get(0).colors() != null);
    for (Series s : series) {
      Map<Color, double[]> byColor = new LinkedHashMap<>();
      for (int i = 0; i < groups.size(); i++) {
        Color c = s.colors() == null || s.colors()[i] == null ? s.color() : s.colors()[i];
        byColor.computeIfAbsent(c, k -> nans(groups.size()))[i] = s.values()[i];
      }
      byColor.forEach((color, values) -> {
        String name = color.equals(s.color()) && !alone ? s.name() : legend(extraLegend, color, groups, values);
        bar(chart, name, groups, values, color);
      });
      if (s.dots() != null) {
        int observations = Arrays.stream(s.dots()).mapToInt(d -> d == null ? 0 : d.length).max().orElse(0);
        for (int k = 0; k < observations; k++) {
          double[] v = nans(groups.size());
          for (int i = 0; i < groups.size(); i++) {
            v[i] = s.dots()[i] != null && k < s.dots()[i].length ? s.dots()[i][k] : Double.NaN;
          }
          CategorySeries dots = chart.addSeries("round " + (k + 1), groups, boxed(v));
          dots.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Scatter);
          dots.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(Color.DARK_GRAY);
        }
      }
    }
    for (Line line : lines) {
      double[] v = new double[groups.size()];
      Arrays.fill(v, line.value());
      CategorySeries s = chart.addSeries(line.label(), groups, boxed(v));
      s.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Line);
      s.setMarker(SeriesMarkers.NONE).setLineColor(line.color());
      s.setLineStyle(ChartImage.dashed(2f, 6f, 4f));
    }
    labels(chart, format);
    return ChartImage.compose(title, subtitle, List.of(chart));
  }

  /**
   * Bars of one series, one per label; long labels (class names) are shortened to their simple name and slanted
   * (XChart has no horizontal bars).
   */
  static BufferedImage hbars(String title, String subtitle, String unit, List<String> labels, double[] values,
      Color color, int width, String format) {
    CategoryChart chart = chart(width, 420, unit);
    chart.getStyler().setXAxisLabelRotation(30);
    chart.getStyler().setLegendVisible(false);
    List<String> shortLabels = labels.stream().map(l -> l.substring(l.lastIndexOf('.') + 1)).toList();
    bar(chart, unit, shortLabels, values, color);
    labels(chart, format);
    return ChartImage.compose(title, subtitle, List.of(chart));
  }

  private static CategoryChart chart(int width, int height, String unit) {
    CategoryChart chart = new CategoryChartBuilder().width(width).height(height - 64).yAxisTitle(unit).build();
    chart.getStyler().setPlotGridVerticalLinesVisible(false).setYAxisMin(0.0);
    ChartImage.style(chart.getStyler());
    return chart;
  }

  private static void bar(CategoryChart chart, String name, List<String> groups, double[] values, Color color) {
    CategorySeries s = chart.addSeries(name, groups, boxed(values));
    s.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Bar);
    s.setFillColor(color);
  }

  private static void labels(CategoryChart chart, String format) {
    if (format != null) {
      int decimals = format.matches("%\\.\\d+f") ? Integer.parseInt(format.substring(2, format.length() - 1)) : 0;
      chart.getStyler().setLabelsVisible(true);
      chart.getStyler().setDecimalPattern(decimals == 0 ? "#,##0" : "0." + "0".repeat(decimals));
    }
  }

  private static String legend(List<Legend> extra, Color color, List<String> groups, double[] values) {
    for (Legend l : extra) {
      if (l.color().equals(color)) {
        return l.label();
      }
    }
    List<String> named = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      if (!Double.isNaN(values[i])) {
        named.add(groups.get(i));
      }
    }
    return String.join(", ", named);
  }

  private static double[] nans(int n) {
    double[] v = new double[n];
    Arrays.fill(v, Double.NaN);
    return v;
  }

  /** XChart leaves a null value's bar out; NaN would be drawn. */
  private static List<Double> boxed(double[] values) {
    return Arrays.stream(values).mapToObj(v -> Double.isNaN(v) ? null : v).toList();
  }
}
