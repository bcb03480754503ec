package io.tokencache.loadtest.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token endpoint that answers every {@code client_credentials} request at once with a token shaped and
 * sized like the fake IdP's (an RS256 JWT: the same header, the same claims, a 256-byte signature), but with
 * random bytes for the signature instead of an RSA signature, so filling a cache with 100,000 tokens takes
 * seconds rather than minutes of RSA, and so that the IdP's own CPU (on the same two cores) does not show up in
 * the roll-over latencies. For the heap and roll-over benchmarks, where the token's size matters and its
 * signature does not (token-cache never verifies it).
 *
 * <p>{@code java -cp loadtest.jar io.tokencache.loadtest.bench.StubIdp --port P --lifetime-seconds S
 * [--latency-ms MS] [--log-issues]} prints {@code stub-idp listening on <token url>}; {@code GET /stats} answers
 * {@code tokensIssued}, and with {@code --log-issues} {@code issuedByClient} and {@code issuedAtMillis} as the fake
 * IdP does; {@code POST /control {"tokenLifetimeSeconds":n}} changes the lifetime of the tokens issued next.
 */
public final class StubIdp {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  // the fake IdP's JOSE header, with a kid of the same length
  private static final String HEADER = B64.encodeToString(
      "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"fake-idp-stubSTUB\"}".getBytes(StandardCharsets.UTF_8));

  private StubIdp() {}

  /** A JWT-shaped token for {@code clientId}: real header and claims, random 256-byte "signature". */
  static String token(String clientId, String scope, long nowSeconds, int lifetimeSeconds, long serial) {
    JsonObject claims = new JsonObject()
        .put("iss", "http://fake-idp.local/")
        .put("sub", clientId)
        .put("scope", scope)
        .put("iat", nowSeconds)
        .put("exp", nowSeconds + lifetimeSeconds)
        .put("jti", "stubSTUBstub." + serial)
        .put("client_id", clientId);
    byte[] signature = new byte[256];
    ThreadLocalRandom.current().nextBytes(signature);
    return HEADER + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(signature);
  }

  /**
   * Entry point.
   *
   * @param args {@code --host H --port P --lifetime-seconds S --latency-ms MS --log-issues}
   * @throws Exception when it cannot start
   */
  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args);
    String host = a.get("host", "127.0.0.1");
    int port = a.intValue("port", 0);
    AtomicInteger lifetime = new AtomicInteger(a.intValue("lifetime-seconds", 3600));
    long latencyMs = a.longValue("latency-ms", 0);
    AtomicLong issued = new AtomicLong();
    Queue<Long> issuedAt = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> byClient = new ConcurrentHashMap<>();
    boolean keepLog = a.flag("log-issues");
    Vertx vertx = Vertx.vertx();
    int bound = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(req -> {
          if (req.method() == HttpMethod.GET && req.path().equals("/stats")) {
            JsonObject clients = new JsonObject();
            byClient.forEach((id, n) -> clients.put(id, n.get()));
            req.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("tokensIssued", issued.get()).put("issuedByClient", clients)
                    .put("issuedAtMillis", new JsonArray(List.copyOf(issuedAt))).encode());
            return;
          }
          req.body().onSuccess(body -> {
            if (req.path().equals("/control")) {
              JsonObject control = body.toJsonObject();
              if (control.containsKey("tokenLifetimeSeconds")) {
                lifetime.set(control.getInteger("tokenLifetimeSeconds"));
              }
              req.response().putHeader("Content-Type", "application/json")
                  .end(new JsonObject().put("tokenLifetimeSeconds", lifetime.get()).encode());
              return;
            }
            String clientId = clientId(req.getHeader("Authorization"));
            if (clientId == null) {
              req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                  .end("{\"error\":\"invalid_client\"}");
              return;
            }
            String scope = req.getParam("scope") != null ? req.getParam("scope") : scopeOf(body);
            long serial = issued.incrementAndGet();
            if (keepLog) {
              issuedAt.add(System.currentTimeMillis());
              byClient.computeIfAbsent(clientId, id -> new AtomicInteger()).incrementAndGet();
            }
            int seconds = lifetime.get();
            JsonObject answer = new JsonObject()
                .put("access_token", token(clientId, scope, System.currentTimeMillis() / 1000, seconds, serial))
                .put("token_type", "Bearer")
                .put("expires_in", seconds)
                .put("scope", scope);
            Runnable send = () -> req.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache").end(answer.toBuffer());
            if (latencyMs > 0) {
              vertx.setTimer(latencyMs, t -> send.run());
            } else {
              send.run();
            }
          });
        })
        .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
    System.out.println("stub-idp listening on http://" + host + ":" + bound + "/oauth2/token");
    System.out.flush();
  }

  static String clientId(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    int colon = decoded.indexOf(':');
    return colon <= 0 ? null : decoded.substring(0, colon);
  }

  private static String scopeOf(Buffer body) {
    for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
      if (pair.startsWith("scope=")) {
        return java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
    }
    return "";
  }
}
