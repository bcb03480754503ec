package io.tokencache.loadtest.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scrapes every member's {@code GET /metrics} (Prometheus text) at once and keeps the lane counters of each
 * answer, for {@link LaneSeries}. A member that does not answer within the timeout, or answers other than 200,
 * is counted as a failed scrape and skipped: its next scrape covers the gap.
 */
final class MetricsScraper {

  private final HttpClient http;
  private final Duration timeout;
  private final List<LaneSeries.Scrape> scrapes = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger malformedLines = new AtomicInteger();

  MetricsScraper(Executor executor, Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .executor(executor)
        .build();
  }

  /**
   * Scrapes the given members concurrently and waits for all of them (at most the timeout, plus a little).
   *
   * @param members the members to scrape
   */
  void scrape(List<ServerMember> members) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (ServerMember member : members) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(member.baseUrl() + "/metrics"))
          .timeout(timeout).GET().build();
      long sent = System.currentTimeMillis();
      all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
        if (error != null || response.statusCode() != 200) {
          failures.incrementAndGet();
          return null;
        }
        PrometheusText.Parsed parsed = PrometheusText.parse(response.body());
        malformedLines.addAndGet(parsed.malformedLines());
        // The time the request was sent: the counters are read then, give or take the answer's latency.
        scrapes.add(new LaneSeries.Scrape(sent, "m" + member.index(), LaneCounters.of(parsed.samples())));
        return null;
      }));
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis() + 500, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the late ones are counted as failures by their own handler when they end
    }
  }

  /** @return every successful scrape so far */
  List<LaneSeries.Scrape> scrapes() {
    synchronized (scrapes) {
      return List.copyOf(scrapes);
    }
  }

  /** @return scrapes that failed (no answer in time, or not 200) */
  int failures() {
    return failures.get();
  }

  /** @return lines of the answers that were not valid Prometheus samples */
  int malformedLines() {
    return malformedLines.get();
  }
}
