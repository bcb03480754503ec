package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ClassHistogram")
class ClassHistogramTest {

  static final String BEFORE = String.join("\n",
      "12345:",
      " num     #instances         #bytes  class name (module)",
      "-------------------------------------------------------",
      "   1:         10000        1000000  [B (java.base@17.0.15)",
      "   2:          5000         120000  java.lang.String (java.base@17.0.15)",
      "   3:            10            640  [Ljava.lang.Object; (java.base@17.0.15)",
      "Total         15010        1120640",
      "");

  static final String AFTER = String.join("\n",
      "12345:",
      " num     #instances         #bytes  class name (module)",
      "-------------------------------------------------------",
      "   1:         12000        3000000  [B (java.base@17.0.15)",
      "   2:          6000         144000  java.lang.String (java.base@17.0.15)",
      "   3:          1000          56000  io.tokencache.impl.CachedToken",
      "   4:            10            640  [Ljava.lang.Object; (java.base@17.0.15)",
      "Total         19010        3200640",
      "");

  @Test
  @DisplayName("parses jcmd GC.class_histogram: rows and the Total line")
  void shouldParse() {
    ClassHistogram h = ClassHistogram.parse(BEFORE);
    assertThat(h.totalBytes()).isEqualTo(1_120_640);
    assertThat(h.totalInstances()).isEqualTo(15_010);
    assertThat(h.classes().get("[B")).containsExactly(10_000, 1_000_000);
    assertThat(h.classes()).containsKey("java.lang.String");
  }

  @Test
  @DisplayName("refuses text without a Total line")
  void shouldRefuseGarbage() {
    assertThatThrownBy(() -> ClassHistogram.parse("jcmd: no such process")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("ranks what grew, per unit, with readable array names and shares of the growth")
  void shouldRankGrowth() {
    JsonArray growth = ClassHistogram.parse(AFTER).growthSince(ClassHistogram.parse(BEFORE), 1000, 3);
    assertThat(growth).hasSize(3);
    JsonObject first = growth.getJsonObject(0);
    assertThat(first.getString("class")).isEqualTo("byte[]");
    assertThat(first.getDouble("bytes_per_token")).isEqualTo(2000.0);
    assertThat(first.getDouble("instances_per_token")).isEqualTo(2.0);
    assertThat(first.getDouble("share")).isEqualTo(0.962);
    assertThat(growth.getJsonObject(1).getString("class")).isEqualTo("io.tokencache.impl.CachedToken");
    assertThat(growth.getJsonObject(2).getString("class")).isEqualTo("java.lang.String");
  }

  @Test
  @DisplayName("names JVM array types as Java does")
  void shouldNameArrays() {
    assertThat(ClassHistogram.readable("[B")).isEqualTo("byte[]");
    assertThat(ClassHistogram.readable("[[J")).isEqualTo("long[][]");
    assertThat(ClassHistogram.readable("[Ljava.lang.Object;")).isEqualTo("java.lang.Object[]");
    assertThat(ClassHistogram.readable("java.lang.String")).isEqualTo("java.lang.String");
  }

  @Test
  @DisplayName("a Latin-1 String of n characters takes 24 B plus a 16 B array header plus n, 8-aligned")
  void shouldSizeStrings() {
    assertThat(HeapFigures.stringBytes(658)).isEqualTo(24 + 680);
    assertThat(HeapFigures.stringBytes(0)).isEqualTo(40);
  }
}
