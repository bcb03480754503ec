package io.tokencache.loadtest.harness;

import io.tokencache.fakeidp.FailureMode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

/**
 * The fake IdP as the orchestrator drives it: a process of its own ({@code java -jar fake-idp.jar}, or its main
 * class on a class path), so that an observer in its own JVM timestamps arrivals without the load generator's
 * pauses. Driven over HTTP: {@code GET /stats}, {@code POST /stats/reset}, {@code POST /control}. It prints one
 * line, {@code fake-idp listening on <token url>}, once ready; that line and its logs go to a file.
 */
public final class IdpControl implements AutoCloseable {

  private static final String READY = "fake-idp listening on ";
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final Process process;
  private final String tokenUrl;
  private final String baseUrl;

  private IdpControl(Process process, String tokenUrl) {
    this.process = process;
    this.tokenUrl = tokenUrl;
    this.baseUrl = tokenUrl.substring(0, tokenUrl.length() - "/oauth2/token".length());
  }

  /**
   * @param command the command that starts the IdP ({@code java ... -jar fake-idp.jar <flags>})
   * @param log file for its standard error
   * @return the IdP, once it listens
   * @throws HarnessException when it does not start within 60 s
   */
  static IdpControl start(List<String> command, Path log) {
    Process process;
    try {
      Files.createDirectories(log.getParent());
      // stdout into the log too: a pipe nobody drains could fill and block the IdP
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new HarnessException("cannot start the fake IdP (" + String.join(" ", command) + "): " + e, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String url;
    while ((url = readyUrl(log)) == null && process.isAlive() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    if (url == null) {
      process.destroyForcibly();
      throw new HarnessException("the fake IdP did not start within 60 s; its log:\n" + readLog(log));
    }
    return new IdpControl(process, url);
  }

  /** The URL of the whole line {@code fake-idp listening on <url>}: a log line that quotes it says more. */
  private static String readyUrl(Path log) {
    return readLog(log).lines().filter(line -> line.startsWith(READY))
        .map(line -> line.substring(READY.length()).strip()).filter(url -> !url.contains(" ")).findFirst().orElse(null);
  }

  private static String readLog(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** @return the token endpoint, {@code http://127.0.0.1:<port>/oauth2/token} */
  public String tokenUrl() {
    return tokenUrl;
  }

  /** @param mode how to treat token requests from now on */
  public void setFailureMode(FailureMode mode) {
    control(new JsonObject().put("failureMode", mode.name()));
  }

  /** @param latency delay before each token answer from now on */
  public void setLatency(Duration latency) {
    control(new JsonObject().put("latencyMs", latency.toMillis()));
  }

  /** @param quotaRps the quota from now on (a fresh, full bucket when it was unlimited) */
  public void setQuotaRps(double quotaRps) {
    control(new JsonObject().put("quotaRps", quotaRps));
  }

  /** Zeroes every counter. */
  public void resetCounters() {
    send(HttpRequest.newBuilder(URI.create(baseUrl + "/stats/reset")).POST(HttpRequest.BodyPublishers.noBody()), 204);
  }

  /**
   * @return the IdP's counters, as {@code GET /stats}: {@code tokenRequests}, {@code throttled},
   *     {@code failuresInjected}, {@code rejectedClients}, {@code maxRequestsInAnyWindow1s},
   *     {@code requestsPerSecond}, {@code issuedAtMillis}, {@code issuedByClient},
   *     {@code issuedAtByClient} (client id to the epoch millis of each token issued to it),
   *     {@code settings} (with {@code failureMode}, {@code quotaRps}), ...
   */
  public JsonObject stats() {
    return new JsonObject(send(HttpRequest.newBuilder(URI.create(baseUrl + "/stats")).GET(), 200));
  }

  /** @return the current failure mode, from {@link #stats()} */
  public FailureMode failureMode() {
    return FailureMode.valueOf(stats().getJsonObject("settings").getString("failureMode"));
  }

  /**
   * Sends token requests of one client, eight at a time.
   *
   * @param requests how many
   * @return how many were answered 200
   */
  int warmUp(int requests) {
    String basic = "Basic "
        + Base64.getEncoder().encodeToString("lt-warmup:lt-warmup-secret".getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl)).timeout(Duration.ofSeconds(5))
        .header("Authorization", basic).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=warmup")).build();
    int ok = 0;
    for (int sent = 0; sent < requests; sent += 8) {
      // each request ends within its timeout; a failed one counts as not ok
      List<CompletableFuture<Integer>> batch = IntStream.range(0, Math.min(8, requests - sent))
          .mapToObj(i -> HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding())
              .handle((response, error) -> error == null && response.statusCode() == 200 ? 1 : 0))
          .toList();
      ok += batch.stream().mapToInt(CompletableFuture::join).sum();
    }
    return ok;
  }

  /** @return the IdP's pid */
  public long pid() {
    return process.pid();
  }

  /** Stops the IdP; never throws. */
  @Override
  public void close() {
    process.destroy();
    if (!ServerMember.exitsWithin(process, Duration.ofSeconds(10))) {
      ServerMember.exitsWithin(process.destroyForcibly(), Duration.ofSeconds(10));
    }
  }

  private void control(JsonObject settings) {
    send(HttpRequest.newBuilder(URI.create(baseUrl + "/control"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(settings.encode())), 200);
  }

  private String send(HttpRequest.Builder request, int expected) {
    HttpResponse<String> response;
    try {
      // bounded by the request's timeout
      response = HTTP.sendAsync(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
          .join();
    } catch (CompletionException e) {
      throw new HarnessException("fake IdP unreachable: " + e.getCause(), e.getCause());
    }
    if (response.statusCode() != expected) {
      throw new HarnessException("fake IdP answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
