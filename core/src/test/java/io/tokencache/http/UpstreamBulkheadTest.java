package io.tokencache.http;

import io.tokencache.fakeidp.FailureMode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

import static io.tokencache.http.TokenEndpointFixture.CLIENT;
import static io.tokencache.http.TokenEndpointFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upstream bulkhead ({@code maxConcurrentRequests}) queues fetches beyond it, within bounds: the queue's length
 * ({@code maxQueuedRequests}) and the wait ({@code quotaMaxWait}, never past {@code fetchTimeout}). One member, the
 * fake IdP over HTTP.
 */
@ExtendWith(VertxExtension.class)
class UpstreamBulkheadTest {

  private TokenEndpointFixture f;
  /** When each request sent by {@link #send} was answered, in ms after it was sent. */
  private final Map<String, Long> answeredAfter = new ConcurrentHashMap<>();

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private Future<HttpResponse<Buffer>> send(String scope) {
    long sent = System.nanoTime();
    return f.client.post(TokenEndpoint.OAUTH2_PATH)
      .putHeader("Authorization", TokenEndpointFixture.basic(CLIENT, SECRET))
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", scope))
      .onComplete(ar -> answeredAfter.put(scope, Duration.ofNanos(System.nanoTime() - sent).toMillis()));
  }

  private static void assertRefused(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
    assertThat(r.bodyAsJsonObject().getString("error_description")).contains("too many upstream requests");
    assertThat(r.getHeader("Retry-After")).isEqualTo("1");
  }

  @Test
  @DisplayName("10 concurrent new keys through 2 concurrent upstream requests to a slow IdP: all 200, none refused")
  void shouldQueueFetchesBeyondTheConcurrencyLimit(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setLatency(Duration.ofMillis(300)), o -> o,
      u -> u.setMaxConcurrentRequests(2));
    long start = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(send("key-" + i));
    }
    Future.join(all).await();
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();

    assertThat(all).allSatisfy(r -> assertThat(r.result().statusCode()).as(r.result().bodyAsString()).isEqualTo(200));
    assertThat(f.idp.tokenRequests()).isEqualTo(10);
    // two at a time: five rounds of 300 ms
    assertThat(took).isGreaterThanOrEqualTo(1_400L);
  }

  @Test
  @DisplayName("beyond the queue's bound a fetch is refused at once with 503 and Retry-After; the queued ones succeed")
  void shouldRefuseFetchesBeyondTheQueueBound(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o.setLatency(Duration.ofMillis(1500)), o -> o,
      u -> u.setMaxConcurrentRequests(1).setMaxQueuedRequests(2).setRequestTimeout(Duration.ofSeconds(5)));
    Future<HttpResponse<Buffer>> running = send("running");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.idp.tokenRequests() == 1);
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      burst.add(send("burst-" + i));
    }
    Future.join(burst).await();
    running.await();

    assertThat(running.result().statusCode()).isEqualTo(200);
    List<HttpResponse<Buffer>> ok = burst.stream().map(Future::result).filter(r -> r.statusCode() == 200).toList();
    List<HttpResponse<Buffer>> refused = burst.stream().map(Future::result).filter(r -> r.statusCode() != 200).toList();
    assertThat(ok).hasSize(2);
    assertThat(refused).hasSize(2).allSatisfy(UpstreamBulkheadTest::assertRefused);
    // refused on arrival, not after waiting for the IdP's 1.5 s answers
    for (int i = 0; i < 4; i++) {
      if (burst.get(i).result().statusCode() != 200) {
        assertThat(answeredAfter.get("burst-" + i)).as("ms until burst-%d was refused", i).isLessThan(1_000L);
      }
    }
    assertThat(f.idp.tokenRequests()).isEqualTo(3);
  }

  @Test
  @DisplayName("a queued fetch whose turn does not come within quotaMaxWait gets 503 and never reaches the IdP")
  void shouldTimeOutAQueuedFetchAfterTheWaitBound(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o, u -> u.setMaxConcurrentRequests(1).setMaxAttempts(1)
      .setRequestTimeout(Duration.ofSeconds(5)).setQuotaMaxWait(Duration.ofMillis(300)));
    f.idp.setFailureMode(FailureMode.HANG);
    Future<HttpResponse<Buffer>> hanging = send("hanging");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.idp.hangingRequests() == 1);

    HttpResponse<Buffer> queued = send("queued").await();

    assertRefused(queued);
    assertThat(answeredAfter.get("queued")).as("ms until the queued fetch was refused").isBetween(250L, 2_500L);
    assertThat(hanging.isComplete()).as("the hanging request still holds the permit").isFalse();
    assertThat(f.idp.tokenRequests()).isEqualTo(1);
  }

  @Test
  @DisplayName("a queued fetch whose deadline (fetchTimeout) passes first is removed and gets 503")
  void shouldTimeOutAQueuedFetchAtItsDeadline(Vertx vertx) {
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o, u -> u.setMaxConcurrentRequests(1).setMaxAttempts(1)
      .setRequestTimeout(Duration.ofSeconds(5)).setQuotaMaxWait(Duration.ofSeconds(10))
      .setFetchTimeout(Duration.ofMillis(400)));
    f.idp.setFailureMode(FailureMode.HANG);
    send("hanging");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.idp.hangingRequests() == 1);

    HttpResponse<Buffer> queued = send("queued").await();

    assertRefused(queued);
    assertThat(answeredAfter.get("queued")).as("ms until the queued fetch was refused").isBetween(350L, 2_500L);
    assertThat(f.idp.tokenRequests()).isEqualTo(1);

    // the refused waiter left the queue: once the permit is free, the next fetch goes straight through
    f.idp.setFailureMode(FailureMode.NONE);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> send("after").await().statusCode() == 200);
  }
}
