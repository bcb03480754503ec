package io.tokencache.fakeidp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fake OAuth2 identity provider that behaves like Auth0, Cognito or Keycloak on the client
 * credentials grant, including a token-bucket quota answering 429 with {@code Retry-After}. The
 * project's tests start it in-process; the load harness runs it standalone ({@link FakeIdpMain}).
 *
 * <p>Endpoints: {@code POST /oauth2/token} (form, RFC 6749 section 4.4), {@code POST /oauth/token}
 * (form or Auth0-style JSON), {@code GET /.well-known/jwks.json}, {@code GET
 * /.well-known/openid-configuration}, {@code GET /stats}, {@code POST /stats/reset},
 * {@code GET|POST /control}.
 *
 * <p>Only {@code POST}s to a token endpoint are token requests; every one of them is counted and
 * goes through the quota first, whatever its answer.
 */
public final class FakeIdp {

  static final System.Logger LOG = System.getLogger(FakeIdp.class.getName());
  private static final long BODY_LIMIT = 64 * 1024;

  private final Vertx vertx;
  private final FakeIdpOptions options;
  private final JwtIssuer jwtIssuer;
  private final IdpCounters counters = new IdpCounters();
  private final Set<HttpServerRequest> parked = ConcurrentHashMap.newKeySet();
  private final Object quotaLock = new Object();
  private volatile FailureMode failureMode = FailureMode.NONE;
  private volatile Duration unavailableRetryAfter = Duration.ofSeconds(1);
  private volatile Clock clock = Clock.systemUTC();
  private volatile Duration latency;
  private volatile Duration tokenLifetime;
  private volatile double quotaRps;
  private volatile TokenBucket bucket;
  private HttpServer server;

  private FakeIdp(Vertx vertx, FakeIdpOptions options, JwtIssuer jwtIssuer) {
    this.vertx = vertx;
    this.options = options;
    this.jwtIssuer = jwtIssuer;
    this.latency = options.getLatency();
    this.tokenLifetime = options.getTokenLifetime();
    setQuotaRps(options.getQuotaRps());
  }

  /**
   * Generates the signing key (on a worker thread) and starts listening.
   *
   * @param vertx the Vert.x instance to run on
   * @param options the settings; copied, later changes to it have no effect
   * @return the running IdP, once it listens
   */
  public static Future<FakeIdp> start(Vertx vertx, FakeIdpOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    FakeIdpOptions copy = new FakeIdpOptions(Objects.requireNonNull(options, "options"));
    return vertx.executeBlocking(() -> JwtIssuer.create(vertx))
        .compose(jwt -> new FakeIdp(vertx, copy, jwt).listen());
  }

  private Future<FakeIdp> listen() {
    return vertx.createHttpServer()
        .requestHandler(router())
        .listen(options.getPort(), options.getHost())
        .map(listening -> {
          server = listening;
          TokenBucket current = bucket;
          String quota = current == null ? "unlimited"
              : current.ratePerSecond() + " rps, burst " + current.capacity();
          // Client ids and counts only: secrets never reach a log line.
          LOG.log(Level.INFO, "fake-idp listening on {0} (quota {1}, {2} registered clients,"
                  + " dynamic clients {3})", tokenUrl(), quota, options.getClients().size(),
              options.isDynamicClients() ? "on" : "off");
          return this;
        });
  }

  private Router router() {
    Router router = Router.router(vertx);
    TokenEndpoint tokens = new TokenEndpoint(this);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT).setMergeFormAttributes(false);
    // Two routes per endpoint because vertx-web wants the body handler first on a route, and the
    // quota check must come before the body is read. arrive() is synchronous, so no data is lost.
    router.post("/oauth2/token").handler(tokens::arrive);
    router.post("/oauth2/token").handler(body).handler(tokens::handleForm).failureHandler(tokens::failure);
    router.post("/oauth/token").handler(tokens::arrive);
    router.post("/oauth/token").handler(body).handler(tokens::handleFormOrJson).failureHandler(tokens::failure);
    router.get("/.well-known/jwks.json").handler(ctx -> json(ctx, 200, jwtIssuer.jwks()));
    router.get("/.well-known/openid-configuration").handler(ctx -> json(ctx, 200, discovery()));
    router.get("/stats").handler(ctx -> json(ctx, 200, stats()));
    router.post("/stats/reset").handler(ctx -> {
      resetCounters();
      ctx.response().setStatusCode(204).end();
    });
    ControlEndpoint control = new ControlEndpoint(this);
    router.get("/control").handler(ctx -> json(ctx, 200, settings()));
    router.post("/control").handler(body).handler(control::handle);
    router.errorHandler(404, ctx -> json(ctx, 404, error("invalid_request", "no such endpoint")));
    router.errorHandler(405, ctx -> json(ctx, 405, error("invalid_request", "method not allowed")));
    return router;
  }

  /** @return the port the IdP listens on */
  public int port() {
    return server.actualPort();
  }

  /** @return {@code http://<host>:<port>}; 127.0.0.1 when listening on a wildcard address */
  public String baseUrl() {
    String host = options.getHost();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port();
  }

  /** @return the RFC 6749 token endpoint, {@code http://127.0.0.1:<port>/oauth2/token} by default */
  public String tokenUrl() {
    return baseUrl() + "/oauth2/token";
  }

  /** @return the Auth0-style token endpoint (also accepts JSON), {@code .../oauth/token} */
  public String auth0TokenUrl() {
    return baseUrl() + "/oauth/token";
  }

  /** @return the JWKS endpoint, {@code .../.well-known/jwks.json} */
  public String jwksUrl() {
    return baseUrl() + "/.well-known/jwks.json";
  }

  /** @return the public signing key as a JWKS, {@code {"keys":[{"kty":"RSA",...}]}} */
  public JsonObject jwks() {
    return jwtIssuer.jwks();
  }

  /**
   * Stops listening and closes every connection, including those of parked ({@link
   * FailureMode#HANG}) requests.
   *
   * @return completes when closed
   */
  public Future<Void> close() {
    return server.close().onComplete(ar -> parked.clear());
  }

  /**
   * @param mode how to treat token requests from now on
   * @return this
   */
  public FakeIdp setFailureMode(FailureMode mode) {
    this.failureMode = Objects.requireNonNull(mode, "mode");
    LOG.log(Level.INFO, "fake-idp failure mode {0}", mode);
    return this;
  }

  /**
   * @param retryAfter the {@code Retry-After} that {@link FailureMode#UNAVAILABLE} answers with from now on (whole
   *     seconds, at least 1): an IdP in a long maintenance may ask for a day
   * @return this
   */
  public FakeIdp setUnavailableRetryAfter(Duration retryAfter) {
    if (retryAfter.toSeconds() < 1) {
      throw new IllegalArgumentException("retryAfter must be at least 1 s, was " + retryAfter);
    }
    this.unavailableRetryAfter = retryAfter;
    return this;
  }

  /**
   * @param clock the clock of the tokens' {@code iat} and {@code exp} claims from now on: a test that moves the
   *     cache's clock gives the IdP the same one, as two hosts with synchronised clocks would agree (the quota and
   *     the counters stay on real time)
   * @return this
   */
  public FakeIdp setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** @return the clock of the tokens' {@code iat} and {@code exp} */
  public Clock clock() {
    return clock;
  }

  /** @return the {@code Retry-After} of {@link FailureMode#UNAVAILABLE} */
  public Duration unavailableRetryAfter() {
    return unavailableRetryAfter;
  }

  /**
   * Rotates a registered client's secret, or registers it: from now on only {@code secret} is accepted for it.
   *
   * @return this
   */
  public FakeIdp rotateSecret(String clientId, String secret) {
    options.addClient(clientId, secret);
    return this;
  }

  /** @return the current failure mode */
  public FailureMode failureMode() {
    return failureMode;
  }

  /**
   * @param latency delay before answering each token request from now on, &gt;= 0
   * @return this
   */
  public FakeIdp setLatency(Duration latency) {
    FakeIdpOptions.validateLatency(latency);
    this.latency = latency;
    return this;
  }

  /** @return the delay before answering each token request */
  public Duration latency() {
    return latency;
  }

  /**
   * @param lifetime lifetime of tokens issued from now on: whole seconds, &gt;= 1
   * @return this
   */
  public FakeIdp setTokenLifetime(Duration lifetime) {
    FakeIdpOptions.validateLifetime(lifetime);
    this.tokenLifetime = lifetime;
    return this;
  }

  /** @return the lifetime of tokens issued now */
  public Duration tokenLifetime() {
    return tokenLifetime;
  }

  /**
   * Changes the quota from now on. Tokens already in the bucket are kept, capped at the new
   * capacity; capacity follows the new rate unless a burst was set in the options.
   *
   * @param quotaRps requests per second, finite; &lt;= 0 means unlimited
   * @return this
   */
  public FakeIdp setQuotaRps(double quotaRps) {
    if (Double.isNaN(quotaRps) || Double.isInfinite(quotaRps)) {
      throw new IllegalArgumentException("quotaRps must be finite (<= 0 for unlimited), was " + quotaRps);
    }
    synchronized (quotaLock) {
      double burst = options.isBurstSet() ? options.getBurst() : FakeIdpOptions.defaultBurst(quotaRps);
      if (quotaRps <= 0) {
        bucket = null;
      } else if (bucket == null) {
        bucket = new TokenBucket(quotaRps, burst);
      } else {
        bucket.reconfigure(quotaRps, burst);
      }
      this.quotaRps = quotaRps;
    }
    return this;
  }

  /** @return the current quota in requests per second; &lt;= 0 means unlimited */
  public double quotaRps() {
    return quotaRps;
  }

  /** @return requests to a token endpoint (POST), whatever their answer */
  public int tokenRequests() {
    return counters.tokenRequests();
  }

  /** @return 200 answers with an access token */
  public int tokensIssued() {
    return counters.tokensIssued();
  }

  /**
   * @param clientId a client id
   * @return 200 answers with an access token for this client
   */
  public int tokensIssued(String clientId) {
    return counters.tokensIssued(clientId);
  }

  /**
   * @param clientId a client id
   * @return epoch millis of every token issued to this client (200 answers with an access token,
   *     timed when the token is made, before any configured latency), in the order they were issued;
   *     the first {@value IdpCounters#MAX_ISSUED_AT_PER_CLIENT} since the last reset; a copy
   */
  public List<Long> issuedAt(String clientId) {
    return counters.issuedAt(clientId);
  }

  /** @return 429 answers (quota exceeded) */
  public int throttled() {
    return counters.throttled();
  }

  /** @return 401 answers (missing, unknown or wrongly authenticated client) */
  public int rejectedClients() {
    return counters.rejectedClients();
  }

  /** @return token requests that passed the quota and were then refused by the failure mode */
  public int failuresInjected() {
    return counters.failuresInjected();
  }

  /** @return requests currently parked by {@link FailureMode#HANG} */
  public int hangingRequests() {
    return parked.size();
  }

  /**
   * @return epoch millis at arrival of every token request the quota admitted (whatever was
   *     answered next: a token, an injected failure or a 401), in arrival order; a copy
   */
  public List<Long> issuedAtMillis() {
    return counters.admittedMillis();
  }

  /**
   * The largest number of token requests whose arrivals all fall inside one half-open interval
   * {@code [t, t + window)}, over every {@code t}. Counts every token request, as each reaches the
   * quota check first: admitted and throttled alike, whatever was answered afterwards. Arrival is
   * when the request's headers were routed, on {@link System#nanoTime()}.
   *
   * <p>A client that respects a quota of Q rps with burst B must keep this at or below
   * {@code B + Q * window} (in seconds); a fixed-window limiter of Q per second can reach 2Q in a
   * 1 s window straddling its boundary.
   *
   * @param window the window length, &gt; 0
   * @return the maximum count, 0 if there were no requests
   */
  public int maxRequestsInAnyWindow(Duration window) {
    if (window == null || window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("window must be > 0, was " + window);
    }
    return counters.maxArrivalsInWindow(window.toNanos());
  }

  /** Zeroes every counter and log; the quota bucket, failure mode and refresh tokens are kept. */
  public void resetCounters() {
    counters.reset();
  }

  /**
   * @return every counter: {@code tokenRequests}, {@code tokensIssued}, {@code throttled},
   *     {@code rejectedClients}, {@code failuresInjected}, {@code hangingRequests},
   *     {@code admittedRequests}, {@code maxRequestsInAnyWindow1s}, {@code issuedByClient}
   *     (client id to count), {@code issuedAtByClient} (client id to the epoch millis of each token
   *     issued to it, as {@link #issuedAt(String)}: the IdP's record of every token generation),
   *     {@code requestsPerSecond} (epoch second to token requests arrived in it),
   *     {@code issuedAtMillis} (as {@link #issuedAtMillis()}) and {@code settings} (as
   *     {@code GET /control}, without secrets)
   */
  public JsonObject stats() {
    JsonArray admitted = counters.admittedMillisJson();
    return new JsonObject()
        .put("tokenRequests", tokenRequests())
        .put("tokensIssued", tokensIssued())
        .put("throttled", throttled())
        .put("rejectedClients", rejectedClients())
        .put("failuresInjected", failuresInjected())
        .put("hangingRequests", hangingRequests())
        .put("admittedRequests", admitted.size())
        .put("maxRequestsInAnyWindow1s", maxRequestsInAnyWindow(Duration.ofSeconds(1)))
        .put("issuedByClient", counters.issuedByClientJson())
        .put("issuedAtByClient", counters.issuedAtByClientJson())
        .put("requestsPerSecond", counters.requestsPerSecondJson())
        .put("issuedAtMillis", admitted)
        .put("settings", settings());
  }

  /** The runtime settings, as answered by {@code GET /control}; never contains secrets. */
  JsonObject settings() {
    TokenBucket current = bucket;
    return new JsonObject()
        .put("failureMode", failureMode.name())
        .put("latencyMs", latency.toMillis())
        .put("tokenLifetimeSeconds", tokenLifetime.toSeconds())
        .put("quotaRps", quotaRps)
        .put("burst", current == null ? null : current.capacity())
        .put("includeExpiresIn", options.isIncludeExpiresIn())
        .put("issueRefreshTokens", options.isIssueRefreshTokens())
        .put("registeredClients", options.getClients().size())
        .put("dynamicClients", options.isDynamicClients())
        .put("issuer", options.getIssuer());
  }

  /** Counts a token request and takes it through the quota; called first, on arrival. */
  TokenBucket.Acquisition admit() {
    long nanos = System.nanoTime();
    long millis = System.currentTimeMillis();
    TokenBucket current = bucket;
    TokenBucket.Acquisition admission = current == null ? TokenBucket.Acquisition.ADMITTED : current.tryAcquire();
    counters.arrived(nanos, millis, admission.admitted());
    return admission;
  }

  /** Never answers the request; forgets it when the client (or {@link #close()}) closes it. */
  void park(HttpServerRequest request) {
    parked.add(request);
    request.response().closeHandler(v -> parked.remove(request));
  }

  /** Runs {@code answer} after the configured latency (on a timer: never sleeps), if still open. */
  void afterLatency(RoutingContext ctx, Runnable answer) {
    long delay = latency.toMillis();
    if (delay <= 0) {
      answer.run();
      return;
    }
    vertx.setTimer(delay, id -> {
      if (!ctx.response().ended() && !ctx.response().closed()) {
        answer.run();
      }
    });
  }

  FakeIdpOptions registry() {
    return options;
  }

  IdpCounters counters() {
    return counters;
  }

  JwtIssuer jwtIssuer() {
    return jwtIssuer;
  }

  boolean includeExpiresIn() {
    return options.isIncludeExpiresIn();
  }

  boolean issueRefreshTokens() {
    return options.isIssueRefreshTokens();
  }

  private JsonObject discovery() {
    return new JsonObject()
        .put("issuer", options.getIssuer())
        .put("token_endpoint", tokenUrl())
        .put("jwks_uri", jwksUrl())
        .put("grant_types_supported", List.of("client_credentials", "refresh_token"))
        .put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"))
        .put("id_token_signing_alg_values_supported", List.of("RS256"));
  }

  static JsonObject error(String error, String description) {
    return new JsonObject().put("error", error).put("error_description", description);
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.encode());
  }
}
