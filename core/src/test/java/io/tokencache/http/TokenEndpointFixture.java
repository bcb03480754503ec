package io.tokencache.http;

import io.tokencache.TokenCache;
import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.tokencache.testing.FreePorts;
import io.tokencache.testing.MutableClock;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import io.vertx.ext.web.Router;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.UnaryOperator;

/** A fake IdP, a token cache on a mutable clock, and its endpoint served over real HTTP on loopback. */
final class TokenEndpointFixture {

  static final String CLIENT = "svc-a";
  static final String SECRET = "secret-a";
  static final String OTHER_CLIENT = "svc-b";
  static final String OTHER_SECRET = "secret-b";

  final Vertx vertx;
  final FakeIdp idp;
  final MutableClock clock;
  final TokenCache cache;
  final WebClient client;
  final int port;
  private final HttpServer server;
  private Vertx idpVertx;

  private TokenEndpointFixture(Vertx vertx, FakeIdp idp, MutableClock clock, TokenCache cache, HttpServer server,
                               WebClient client) {
    this.vertx = vertx;
    this.clock = clock;
    this.idp = idp;
    this.cache = cache;
    this.server = server;
    this.port = server.actualPort();
    this.client = client;
  }

  static TokenEndpointFixture start(Vertx vertx, UnaryOperator<FakeIdpOptions> idpOptions,
                                    UnaryOperator<TokenCacheOptions> cacheOptions) {
    return start(vertx, idpOptions, cacheOptions, u -> u);
  }

  /** The IdP's quota is off unless {@code idpOptions} sets one; the cache's upstream budget is generous by default. */
  static TokenEndpointFixture start(Vertx vertx, UnaryOperator<FakeIdpOptions> idpOptions,
                                    UnaryOperator<TokenCacheOptions> cacheOptions,
                                    UnaryOperator<UpstreamOptions> upstreamOptions) {
    return start(vertx, idpOptions, cacheOptions, upstreamOptions, new TokenEndpointOptions());
  }

  /** As above, the endpoint mounted with {@code endpointOptions}. */
  static TokenEndpointFixture start(Vertx vertx, UnaryOperator<FakeIdpOptions> idpOptions,
                                    UnaryOperator<TokenCacheOptions> cacheOptions,
                                    UnaryOperator<UpstreamOptions> upstreamOptions,
                                    TokenEndpointOptions endpointOptions) {
    // The IdP is another system: its own Vert.x (threads), so the cache's event loops never delay its clock.
    Vertx idpVertx = Vertx.vertx();
    FakeIdp idp = FakeIdp.start(idpVertx, idpOptions.apply(new FakeIdpOptions()
      .addClient(CLIENT, SECRET).addClient(OTHER_CLIENT, OTHER_SECRET).setQuotaRps(0))).await();
    MutableClock clock = MutableClock.startingNow();
    // the IdP's tokens carry exp on the same clock (a JWT's exp bounds how long a token is kept)
    idp.setClock(clock);
    UpstreamOptions upstream = upstreamOptions.apply(new UpstreamOptions().setTokenUrl(idp.tokenUrl())
      .setRequestTimeout(Duration.ofSeconds(2)).setQuotaRps(1000));
    TokenCacheOptions options = cacheOptions.apply(new TokenCacheOptions().setClock(clock).addUpstream(upstream));
    TokenCache cache = TokenCache.create(vertx, options).await();
    Router router = Router.router(vertx);
    router.route("/*").subRouter(TokenEndpoint.router(vertx, cache, endpointOptions));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(FreePorts.next(), "127.0.0.1").await();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(server.actualPort()), new PoolOptions().setHttp1MaxSize(64));
    TokenEndpointFixture fixture = new TokenEndpointFixture(vertx, idp, clock, cache, server, client);
    fixture.idpVertx = idpVertx;
    return fixture;
  }

  HttpResponse<Buffer> postForm(String path, MultiMap form, String basicClient, String basicSecret) {
    var req = client.post(path);
    if (basicClient != null) {
      req.putHeader("Authorization", basic(basicClient, basicSecret));
    }
    return req.sendForm(form).await();
  }

  /** client_credentials with HTTP Basic on /oauth2/token. */
  HttpResponse<Buffer> basicToken(String clientId, String secret, String scope) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials");
    if (scope != null) {
      form.add("scope", scope);
    }
    return postForm(TokenEndpoint.OAUTH2_PATH, form, clientId, secret);
  }

  HttpResponse<Buffer> postRaw(String path, String contentType, String body, String authorization) {
    var req = client.post(path);
    if (contentType != null) {
      req.putHeader("Content-Type", contentType);
    }
    if (authorization != null) {
      req.putHeader("Authorization", authorization);
    }
    return req.sendBuffer(Buffer.buffer(body)).await();
  }

  static String basic(String id, String secret) {
    return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject json(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject();
  }

  void close() {
    client.close();
    server.close().await();
    cache.close().await();
    idp.close().await();
    idpVertx.close().await();
  }
}
