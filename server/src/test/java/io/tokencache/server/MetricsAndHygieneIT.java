package io.tokencache.server;

import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One server process (the real jar, configured by a YAML file and the environment, JSON logs and access log on) in
 * front of the fake IdP: exact request metrics for a scripted sequence, several upstreams at their own paths, and no
 * secret or token in the logs or the metrics after a varied run.
 */
class MetricsAndHygieneIT {

  private static final String SVC_SECRET = "svc-secret-" + UUID.randomUUID();
  private static final String OTHER_SECRET = "other-secret-" + UUID.randomUUID();
  private static final String WRONG_SECRET = "wrong-secret-" + UUID.randomUUID();
  private static final String ADMIN_TOKEN = "admin-token-" + UUID.randomUUID();
  private static final String ENCRYPTION_KEY = randomKey();
  private static final int CONCURRENT = 6;

  private static Vertx vertx;
  private static FakeIdp idp;
  private static ServerProcess server;
  private static final List<String> tokensSeen = new ArrayList<>();

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    idp = FakeIdp.start(vertx, new FakeIdpOptions().setQuotaRps(0)
      .addClient("svc", SVC_SECRET).addClient("other", OTHER_SECRET)).await();
    Path config = Files.createTempFile("token-cache-", ".yaml");
    Files.writeString(config, String.join("\n",
      "upstreams:",
      "  - id: acme",
      "    tokenUrl: " + idp.auth0TokenUrl(),
      "    quotaRps: 50",
      "logging:",
      "  format: json",
      "  accessLog: true",
      "metrics:",
      "  clientIdLabels: true",
      "admin:",
      "  token: " + ADMIN_TOKEN,
      ""));
    config.toFile().deleteOnExit();
    server = ServerProcess.start(ServerProcess.freePort(), Map.of(
      "TOKEN_CACHE_CONFIG", config.toString(),
      "TOKEN_CACHE_UPSTREAM_TOKEN_URL", idp.tokenUrl(),
      "TOKEN_CACHE_UPSTREAM_QUOTA_RPS", "50",
      "TOKEN_CACHE_ENCRYPTION_KEY", ENCRYPTION_KEY));
    server.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    idp.close().await();
    vertx.close().await();
    // the build reruns a failed test in this JVM, @BeforeAll included: start it from an empty list
    tokensSeen.clear();
  }

  private static String metrics() throws Exception {
    HttpResponse<String> r = Requests.get(server.baseUrl() + "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return r.body();
  }

  private static double requests(String text, String result) {
    Double v = PrometheusText.value(text, "token_cache_requests_total", "result=\"" + result + "\"");
    return v == null ? 0 : v;
  }

  private static HttpResponse<String> token(String path, String client, String secret, String scope) throws Exception {
    HttpResponse<String> r = Requests.send(Requests.token(server.baseUrl(), path, client, secret, scope));
    remember(r);
    return r;
  }

  private static synchronized void remember(HttpResponse<String> r) {
    if (r.statusCode() == 200) {
      tokensSeen.add(new JsonObject(r.body()).getString("access_token"));
    }
  }

  @Test
  @DisplayName("/metrics counts a scripted sequence of misses, hits and coalesced requests exactly")
  void shouldCountHitsMissesAndCoalescedRequestsExactly() throws Exception {
    String before = metrics();
    List<String> a = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      a.add(Requests.cacheStatus(token("/oauth2/token", "svc", SVC_SECRET, "metrics-a")));
    }
    assertThat(a).containsExactly("MISS", "HIT", "HIT", "HIT", "HIT");

    idp.setLatency(Duration.ofSeconds(1));
    List<HttpResponse<String>> b;
    try {
      List<CompletableFuture<HttpResponse<String>>> sent = IntStream.range(0, CONCURRENT)
        .mapToObj(i -> Requests.sendAsync(Requests.token(server.baseUrl(), "/oauth2/token", "svc", SVC_SECRET, "metrics-b")))
        .toList();
      b = sent.stream().map(CompletableFuture::join).toList();
    } finally {
      idp.setLatency(Duration.ZERO);
    }
    b.forEach(MetricsAndHygieneIT::remember);
    assertThat(b).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    assertThat(b).extracting(Requests::cacheStatus).containsOnly("MISS", "COALESCED")
      .filteredOn("MISS"::equals).hasSize(1);

    String after = metrics();
    assertThat(requests(after, "miss") - requests(before, "miss")).isEqualTo(2);
    assertThat(requests(after, "hit") - requests(before, "hit")).isEqualTo(4);
    assertThat(requests(after, "coalesced") - requests(before, "coalesced")).isEqualTo(CONCURRENT - 1);
    assertThat(requests(after, "bypass") - requests(before, "bypass")).isZero();
    assertThat(requests(after, "error") - requests(before, "error")).isZero();
    String success = "outcome=\"success\"";
    String dflt = "upstream=\"default\"";
    assertThat(PrometheusText.value(after, "token_cache_upstream_requests_total", success, dflt)
      - valueOrZero(before, "token_cache_upstream_requests_total", success, dflt)).isEqualTo(2);
    assertThat(PrometheusText.value(after, "token_cache_upstream_latency_seconds_count", dflt)).isPositive();
    assertThat(PrometheusText.value(after, "token_cache_near_cache_hits_total")).isNotNull();
    assertThat(PrometheusText.value(after, "token_cache_breaker_state", dflt)).isZero();
    assertThat(PrometheusText.names(after)).isNotEmpty().allMatch(n -> n.startsWith("token_cache_"), "starts with token_cache_");
    // Vert.x's own meters are on, except the per-request HTTP server ones (metrics.vertxHttpServer, off by default)
    assertThat(PrometheusText.names(after)).anyMatch(n -> n.startsWith("token_cache_vertx_http_client_"))
      .noneMatch(n -> n.startsWith("token_cache_vertx_http_server_"));
  }

  @Test
  @DisplayName("a scrape after hits, misses and refusals passes Prometheus's own linter (promtool check metrics)")
  void shouldPassPromtoolCheckMetrics() throws Exception {
    Path promtool = Stream.of(System.getenv("PATH").split(File.pathSeparator)).map(d -> Path.of(d, "promtool"))
      .filter(Files::isExecutable).findFirst().orElse(null);
    // CI installs it (.ci/run); elsewhere the check needs Debian's prometheus package
    assumeTrue(promtool != null || System.getenv("CI") != null, "promtool not on PATH (apt-get install prometheus)");
    assertThat(promtool).as("promtool on PATH in CI").isNotNull();
    assertThat(token("/oauth2/token", "svc", SVC_SECRET, "promtool").statusCode()).isEqualTo(200);
    assertThat(token("/oauth2/token", "svc", SVC_SECRET, "promtool").statusCode()).isEqualTo(200);
    assertThat(token("/oauth2/token", "svc", WRONG_SECRET, "promtool").statusCode()).isEqualTo(401);
    String scrape = metrics();
    assertThat(scrape).contains("token_cache_budget_wait_seconds_count", "token_cache_process_cpu_seconds_total");

    Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var in = check.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    String findings = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(findings).as("promtool's findings").isBlank();
    assertThat(check.exitValue()).isZero();
  }

  @Test
  @DisplayName("every metric the alerting rules and the Grafana dashboard name is in a live scrape, from the start")
  void shouldExposeEveryMetricTheAlertsAndTheDashboardName() throws Exception {
    Set<String> scraped = PrometheusText.names(metrics());
    for (String file : List.of("token-cache-rules.yml", "grafana-dashboard.json")) {
      String text = Files.readString(Path.of("..", "k8s", "monitoring", file));
      Set<String> named = Pattern.compile("token_cache_[a-z0-9_]+").matcher(text).results().map(MatchResult::group)
        .collect(Collectors.toCollection(TreeSet::new));
      assertThat(named).as(file).hasSizeGreaterThanOrEqualTo(8);
      assertThat(scraped).as("metrics named in " + file).containsAll(named);
    }
  }

  private static double valueOrZero(String text, String name, String... labels) {
    Double v = PrometheusText.value(text, name, labels);
    return v == null ? 0 : v;
  }

  @Test
  @DisplayName("an upstream of the file answers at /{id}/oauth2/token and /{id}/oauth/token, apart from the default one")
  void shouldServeTheFileUpstreamsAtTheirPaths() throws Exception {
    HttpResponse<String> first = token("/acme/oauth2/token", "other", OTHER_SECRET, "paths");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(Requests.cacheStatus(first)).isEqualTo("MISS");
    HttpResponse<String> auth0 = Requests.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/acme/oauth/token"))
      .header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("grant_type", "client_credentials")
        .put("client_id", "other").put("client_secret", OTHER_SECRET).put("scope", "paths").encode())).build());
    remember(auth0);
    assertThat(Requests.cacheStatus(auth0)).as("same upstream, client and scope: the same key").isEqualTo("HIT");
    HttpResponse<String> dflt = token("/oauth2/token", "other", OTHER_SECRET, "paths");
    assertThat(Requests.cacheStatus(dflt)).as("another upstream, another key").isEqualTo("MISS");
    assertThat(token("/globex/oauth2/token", "other", OTHER_SECRET, "paths").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("after a varied run, no secret and no token appears in the process output or in /metrics")
  void shouldKeepSecretsAndTokensOutOfLogsAndMetrics() throws Exception {
    // every way a secret reaches the server: Basic, form fields, JSON, wrong secrets, unknown clients, admin calls
    assertThat(token("/oauth2/token", "svc", SVC_SECRET, "hygiene").statusCode()).isEqualTo(200);
    assertThat(token("/oauth2/token", "svc", WRONG_SECRET, "hygiene").statusCode()).isEqualTo(401);
    assertThat(token("/acme/oauth2/token", "nobody", WRONG_SECRET, null).statusCode()).isEqualTo(401);
    HttpResponse<String> post = Requests.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
      .header("Content-Type", "application/x-www-form-urlencoded")
      .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=other&client_secret="
        + OTHER_SECRET + "&scope=hygiene")).build());
    remember(post);
    assertThat(post.statusCode()).isEqualTo(200);
    HttpResponse<String> both = Requests.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
      .header("Authorization", Requests.basic("svc", SVC_SECRET))
      .header("Content-Type", "application/x-www-form-urlencoded")
      .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=svc&client_secret=" + SVC_SECRET))
      .build());
    assertThat(both.statusCode()).isEqualTo(400);
    HttpResponse<String> json = Requests.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth/token"))
      .header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("grant_type", "client_credentials")
        .put("client_id", "svc").put("client_secret", WRONG_SECRET).encode())).build());
    assertThat(json.statusCode()).isEqualTo(401);
    HttpResponse<String> refresh = Requests.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
      .header("Authorization", Requests.basic("svc", SVC_SECRET))
      .header("Content-Type", "application/x-www-form-urlencoded")
      .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=" + WRONG_SECRET)).build());
    assertThat(refresh.statusCode()).as("forwarded, never cached").isLessThan(500);
    assertThat(Requests.admin(server.baseUrl() + "/admin/stats", "GET", WRONG_SECRET).statusCode()).isEqualTo(401);
    HttpResponse<String> stats = Requests.admin(server.baseUrl() + "/admin/stats", "GET", ADMIN_TOKEN);
    assertThat(stats.statusCode()).isEqualTo(200);
    HttpResponse<String> invalidated = Requests.admin(server.baseUrl() + "/admin/clients/other/invalidate?upstream=acme",
      "POST", ADMIN_TOKEN);
    assertThat(invalidated.statusCode()).isEqualTo(200);

    String metrics = metrics();
    String log = server.log();
    List<String> secrets = new ArrayList<>(List.of(SVC_SECRET, OTHER_SECRET, WRONG_SECRET, ADMIN_TOKEN, ENCRYPTION_KEY,
      Requests.basic("svc", SVC_SECRET).substring(6), Requests.basic("other", OTHER_SECRET).substring(6),
      Requests.basic("svc", WRONG_SECRET).substring(6)));
    synchronized (MetricsAndHygieneIT.class) {
      assertThat(tokensSeen).isNotEmpty();
      secrets.addAll(tokensSeen);
    }
    for (String secret : secrets) {
      assertThat(log).as("process output").doesNotContain(secret);
      assertThat(metrics).as("/metrics").doesNotContain(secret);
      assertThat(stats.body()).as("/admin/stats").doesNotContain(secret);
    }
    // the access log is there, as JSON, with hashed client ids only
    List<JsonObject> access = log.lines().filter(l -> l.startsWith("{")).map(JsonObject::new)
      .filter(j -> "io.tokencache.access".equals(j.getString("loggerName"))).toList();
    assertThat(access).isNotEmpty();
    assertThat(access).extracting(j -> j.getString("formattedMessage"))
      .anyMatch(m -> m.contains("client=" + ClientIds.hash("svc")))
      .noneMatch(m -> m.contains("client=svc"));
    assertThat(log.lines().filter(l -> !l.isBlank())).as("every log line is a JSON object")
      .allMatch(l -> l.startsWith("{") && l.endsWith("}"));
  }
}
