package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VerdictEndpoint")
class VerdictEndpointTest {

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("answers 200 for a verdict that holds and for figures, 409 with the figure for one that fails")
  void shouldServeVerdicts() throws Exception {
    try (VerdictEndpoint endpoint = VerdictEndpoint.start(List.of(
        new RunReport.VerdictLine("no_upstream_429", true, "upstream 429: 0 (allowed: 0)"),
        new RunReport.VerdictLine("upstream_rps_within_quota", false, "max upstream in any sliding 1 s: 12 (quota: 10)")),
        List.of("upstream calls: 42"))) {
      HttpResponse<String> holds = get(endpoint.verdictUrl(0));
      assertThat(holds.statusCode()).isEqualTo(200);
      assertThat(holds.body()).isEqualTo(VerdictEndpoint.HOLDS);
      HttpResponse<String> fails = get(endpoint.verdictUrl(1));
      assertThat(fails.statusCode()).isEqualTo(409);
      assertThat(fails.body()).isEqualTo("FAILED: max upstream in any sliding 1 s: 12 (quota: 10)");
      assertThat(get(endpoint.figureUrl(0)).body()).isEqualTo(VerdictEndpoint.HOLDS);
      assertThat(endpoint.verdictUrl(0)).startsWith("http://127.0.0.1:");
      assertThat(get(endpoint.verdictUrl(7)).statusCode()).isEqualTo(404);
    }
  }

  @Test
  @DisplayName("the report's standard verdicts carry the figures they judge")
  void shouldCarryFigures() {
    RunRecord record = new RunRecord("unit", new io.vertx.core.json.JsonObject().put("quotaRps", 10.0), "c", 1, 0,
        1000, new io.vertx.core.json.JsonObject().put("throttled", 3).put("tokenRequests", 20)
            .put("settings", new io.vertx.core.json.JsonObject().put("quotaRps", 10.0)),
        12, List.of(), List.of(), new io.vertx.core.json.JsonArray(), 1, List.of(), null, 0);
    RunReport report = new RunReport(record, new RequestStats()).standardVerdicts(0).put("keys_used", 5);
    assertThat(report.verdictLines()).extracting(RunReport.VerdictLine::detail)
        .contains("upstream 429: 3 (allowed: 0)", "max upstream in any sliding 1 s: 12 (quota: 10)");
    assertThat(report.figureLines()).contains("upstream calls: 20 (tokens issued 0)", "upstream 429: 3",
        "keys_used = 5");
  }
}
