package io.tokencache.http;

import io.tokencache.testing.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.tokencache.http.TokenEndpointFixture.CLIENT;
import static io.tokencache.http.TokenEndpointFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token answers shaped as real IdPs shape them, from an upstream that answers each scope with one dialect: the
 * answer on a MISS, and on a HIT seconds later (docs/idp-dialects.md).
 */
@ExtendWith(VertxExtension.class)
class IdpDialectsTest {

  private final Map<String, Supplier<JsonObject>> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private HttpServer upstream;
  private TokenEndpointFixture f;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String scope = "";
      for (String pair : body.toString().split("&")) {
        if (pair.startsWith("scope=")) {
          scope = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
        }
      }
      calls.computeIfAbsent(scope, s -> new AtomicInteger()).incrementAndGet();
      req.response().putHeader("Content-Type", "application/json").end(answers.get(scope).get().encode());
    })).listen(FreePorts.next(), "127.0.0.1").await();
    String url = "http://127.0.0.1:" + upstream.actualPort() + "/token";
    f = TokenEndpointFixture.start(vertx, o -> o, o -> o, u -> u.setTokenUrl(url).setMaxAttempts(1));
  }

  @AfterEach
  void stop() {
    f.close();
    upstream.close().await();
  }

  private HttpResponse<Buffer> ask(String dialect) {
    return f.basicToken(CLIENT, SECRET, dialect);
  }

  /** Asks twice, 3 s apart on the cache's clock: the MISS and the HIT. */
  private HttpResponse<Buffer>[] missThenHit(String dialect) {
    HttpResponse<Buffer> miss = ask(dialect);
    f.clock.advance(Duration.ofSeconds(3));
    HttpResponse<Buffer> hit = ask(dialect);
    assertThat(miss.getHeader("X-Token-Cache")).isEqualTo("MISS");
    assertThat(hit.getHeader("X-Token-Cache")).isEqualTo("HIT");
    assertThat(calls.get(dialect).get()).isEqualTo(1);
    @SuppressWarnings("unchecked")
    HttpResponse<Buffer>[] both = new HttpResponse[] {miss, hit};
    return both;
  }

  private static String jwtExpiringAt(long epochSeconds) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString(("{\"exp\":" + epochSeconds + "}").getBytes(StandardCharsets.UTF_8)) + ".sig";
  }

  @Test
  @DisplayName("Entra ID: ext_expires_in, relative like expires_in, is dropped; expires_in counts down")
  void shouldDropExtExpiresIn() {
    answers.put("entra", () -> new JsonObject().put("token_type", "Bearer").put("expires_in", 3599)
      .put("ext_expires_in", 3599).put("access_token", "entra-token"));
    HttpResponse<Buffer>[] r = missThenHit("entra");
    assertThat(r[0].bodyAsJsonObject().getLong("expires_in")).isEqualTo(3599);
    assertThat(r[1].bodyAsJsonObject().getLong("expires_in")).isEqualTo(3596);
    assertThat(r[1].bodyAsJsonObject().containsKey("ext_expires_in")).isFalse();
    assertThat(r[1].bodyAsJsonObject().getString("access_token")).isEqualTo("entra-token");
  }

  @Test
  @DisplayName("expires_in 0 or negative: the token is handed to its caller and never served from the cache")
  void shouldNeverCacheAnExpiredToken() {
    Object[] expired = {0, -5, "0"};
    for (int i = 0; i < expired.length; i++) {
      Object expiresIn = expired[i];
      String dialect = "expired-" + i;
      answers.put(dialect, () -> new JsonObject().put("access_token", "expired").put("expires_in", expiresIn));
      HttpResponse<Buffer> first = ask(dialect);
      HttpResponse<Buffer> second = ask(dialect);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.bodyAsJsonObject().getLong("expires_in")).isZero();
      assertThat(second.getHeader("X-Token-Cache")).as("expires_in " + expiresIn).isEqualTo("MISS");
      assertThat(calls.get(dialect).get()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("Azure AD v1: expires_in and expires_on as strings; expires_on stays the absolute expiry, a string")
  void shouldReadAzureV1() {
    long now = f.clock.millis() / 1000;
    answers.put("v1", () -> new JsonObject().put("token_type", "Bearer").put("expires_in", "3599")
      .put("expires_on", Long.toString(now + 3599)).put("resource", "https://graph").put("access_token", "v1-token"));
    HttpResponse<Buffer>[] r = missThenHit("v1");
    assertThat(r[0].bodyAsJsonObject().getLong("expires_in")).isEqualTo(3599);
    assertThat(r[1].bodyAsJsonObject().getLong("expires_in")).isEqualTo(3596);
    Object expiresOn = r[1].bodyAsJsonObject().getValue("expires_on");
    assertThat(expiresOn).isInstanceOf(String.class);
    assertThat(Long.parseLong((String) expiresOn)).isBetween(now + 3598, now + 3599);
    assertThat(r[1].bodyAsJsonObject().getString("resource")).isEqualTo("https://graph");
  }

  @Test
  @DisplayName("Azure AD v1 without expires_in: expires_on alone gives the lifetime")
  void shouldReadExpiresOnAlone() {
    long now = f.clock.millis() / 1000;
    answers.put("v1-on", () -> new JsonObject().put("expires_on", Long.toString(now + 600)).put("access_token", "t"));
    HttpResponse<Buffer>[] r = missThenHit("v1-on");
    assertThat(r[1].bodyAsJsonObject().getLong("expires_in")).isBetween(596L, 597L);
  }

  @Test
  @DisplayName("Salesforce: no expires_in, issued_at in milliseconds, an opaque token: the default lifetime (5 min), issued_at kept")
  void shouldReadSalesforce() {
    answers.put("sf", () -> new JsonObject().put("access_token", "00Dxx0000001gPL!AR8AQJXg").put("instance_url",
      "https://example.my.salesforce.com").put("id", "https://login.salesforce.com/id/00D/005")
      .put("token_type", "Bearer").put("issued_at", "1700000000000").put("signature", "c2ln"));
    HttpResponse<Buffer>[] r = missThenHit("sf");
    assertThat(r[0].bodyAsJsonObject().getLong("expires_in")).isEqualTo(300);
    assertThat(r[1].bodyAsJsonObject().getLong("expires_in")).isEqualTo(297);
    assertThat(r[1].bodyAsJsonObject().getString("issued_at")).isEqualTo("1700000000000");
    assertThat(r[1].bodyAsJsonObject().getString("instance_url")).isEqualTo("https://example.my.salesforce.com");
  }

  @Test
  @DisplayName("expires_in as a float, or a string with a fraction: cut to the second below")
  void shouldReadFractionalExpiresIn() {
    answers.put("float", () -> new JsonObject().put("access_token", "f").put("expires_in", 3599.7));
    answers.put("float-string", () -> new JsonObject().put("access_token", "g").put("expires_in", "3599.5"));
    assertThat(missThenHit("float")[1].bodyAsJsonObject().getLong("expires_in")).isEqualTo(3596);
    assertThat(missThenHit("float-string")[1].bodyAsJsonObject().getLong("expires_in")).isEqualTo(3596);
  }

  @Test
  @DisplayName("a JWT exp earlier than expires_in implies wins")
  void shouldLetAnEarlierJwtExpWin() {
    long now = f.clock.millis() / 1000;
    String jwt = jwtExpiringAt(now + 600);
    answers.put("jwt", () -> new JsonObject().put("access_token", jwt).put("expires_in", 3600));
    HttpResponse<Buffer>[] r = missThenHit("jwt");
    assertThat(r[0].bodyAsJsonObject().getLong("expires_in")).isBetween(599L, 600L);
    assertThat(r[1].bodyAsJsonObject().getLong("expires_in")).isBetween(596L, 597L);
  }
}
