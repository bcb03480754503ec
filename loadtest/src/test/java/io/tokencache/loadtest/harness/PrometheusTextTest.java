package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PrometheusText")
class PrometheusTextTest {

  @Test
  @DisplayName("reads names, labels and values, skipping HELP, TYPE, EOF and blank lines")
  void shouldParseSampleLinesAndSkipComments() {
    String text = """
        # HELP token_cache_upstream_requests_total Upstream token requests, by outcome
        # TYPE token_cache_upstream_requests_total counter
        token_cache_upstream_requests_total{outcome="success",upstream="default"} 12.0

        token_cache_budget_rejections_total{upstream="default",} 3.0
        process_uptime_seconds 42.5
        # EOF
        """;
    PrometheusText.Parsed parsed = PrometheusText.parse(text);
    assertThat(parsed.malformedLines()).isZero();
    assertThat(parsed.samples()).containsExactly(
        new PrometheusText.Sample("token_cache_upstream_requests_total",
            Map.of("outcome", "success", "upstream", "default"), 12.0),
        new PrometheusText.Sample("token_cache_budget_rejections_total", Map.of("upstream", "default"), 3.0),
        new PrometheusText.Sample("process_uptime_seconds", Map.of(), 42.5));
  }

  @Test
  @DisplayName("accepts timestamps, exponents, special values, spaces, CRLF and escaped label values")
  void shouldParseTheFormatsCorners() {
    PrometheusText.Parsed parsed = PrometheusText.parse(
        "a_total{x=\"q\\\"uo\\\\te\\n\", y = \"a,b}\"} 1.5E3 1700000000000\r\n"
            + "b NaN\r\n"
            + "c{} +Inf\n"
            + "d -Inf\n"
            + "e_bucket{le=\"+Inf\"} 7\n");
    assertThat(parsed.malformedLines()).isZero();
    assertThat(parsed.samples()).hasSize(5);
    PrometheusText.Sample a = parsed.samples().get(0);
    assertThat(a.labels()).containsEntry("x", "q\"uo\\te\n").containsEntry("y", "a,b}");
    assertThat(a.value()).isEqualTo(1500.0);
    assertThat(parsed.samples().get(1).value()).isNaN();
    assertThat(parsed.samples().get(2).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(parsed.samples().get(3).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(parsed.samples().get(4).label("le", "")).isEqualTo("+Inf");
  }

  @Test
  @DisplayName("skips and counts malformed lines instead of failing the scrape")
  void shouldSkipMalformedLines() {
    PrometheusText.Parsed parsed = PrometheusText.parse("""
        ok_total 1
        {no_name="x"} 1
        unterminated{a="x} 1
        missing_value{a="x"}
        not_a_number{a="x"} twelve
        too many 1 2 3
        0starts_with_digit 1
        <html>oops</html>
        """);
    assertThat(parsed.samples()).extracting(PrometheusText.Sample::name).containsExactly("ok_total");
    assertThat(parsed.malformedLines()).isEqualTo(7);
    assertThat(PrometheusText.parse(null).samples()).isEmpty();
  }
}
