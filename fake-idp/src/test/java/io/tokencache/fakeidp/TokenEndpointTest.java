package io.tokencache.fakeidp;

import static io.tokencache.fakeidp.IdpTestSupport.CLIENT;
import static io.tokencache.fakeidp.IdpTestSupport.SECRET;
import static io.tokencache.fakeidp.IdpTestSupport.basic;
import static io.tokencache.fakeidp.IdpTestSupport.claims;
import static io.tokencache.fakeidp.IdpTestSupport.clientCredentials;
import static io.tokencache.fakeidp.IdpTestSupport.form;
import static io.tokencache.fakeidp.IdpTestSupport.options;
import static io.tokencache.fakeidp.IdpTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("FakeIdp token endpoints")
class TokenEndpointTest {

  private WebClient client;
  private FakeIdp idp;

  @BeforeEach
  void setUp(Vertx vertx) {
    client = WebClient.create(vertx);
  }

  /** Assertions on a response. */
  @FunctionalInterface
  interface Check {
    void verify(HttpResponse<Buffer> response) throws Throwable;
  }

  /** Starts an IdP with these options, runs the exchange, then checks the response. */
  private void exchange(Vertx vertx, VertxTestContext test, FakeIdpOptions options,
      Function<FakeIdp, Future<HttpResponse<Buffer>>> exchange,
      Check check) {
    FakeIdp.start(vertx, options)
        .compose(started -> {
          idp = started;
          return exchange.apply(started);
        })
        .onComplete(test.succeeding(response -> test.verify(() -> {
          check.verify(response);
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("with random signatures, issues distinct tokens of a signed token's shape and size that the JWKS does not verify")
  void shouldShapeRandomSignedTokensLikeSignedOnes(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options())
        .compose(signed -> clientCredentials(client, signed).map(r -> r.bodyAsJsonObject().getString("access_token")))
        .compose(signedToken -> FakeIdp.start(vertx, options().setRandomSignatures(true))
            .compose(fast -> clientCredentials(client, fast)
                .compose(a -> clientCredentials(client, fast).map(b -> new String[] {signedToken,
                    a.bodyAsJsonObject().getString("access_token"), b.bodyAsJsonObject().getString("access_token")}))
                .compose(tokens -> JWTAuth.create(vertx,
                        new JWTAuthOptions().addJwk(fast.jwks().getJsonArray("keys").getJsonObject(0)))
                    .authenticate(new TokenCredentials(tokens[1]))
                    .transform(verified -> Future.succeededFuture(new Object[] {tokens, verified.succeeded()})))))
        .onComplete(test.succeeding(result -> test.verify(() -> {
          String[] tokens = (String[]) result[0];
          assertThat(tokens[1]).isNotEqualTo(tokens[2]);
          String[] parts = tokens[1].split("\\.");
          assertThat(parts).hasSize(3);
          assertThat(java.util.Base64.getUrlDecoder().decode(parts[2])).hasSize(256);
          assertThat(claims(tokens[1]).getString("client_id")).isEqualTo(CLIENT);
          assertThat(claims(tokens[1]).getLong("exp") - claims(tokens[1]).getLong("iat")).isEqualTo(3600);
          // the same claims' sizes differ only in the jti's random prefix and counter
          assertThat(Math.abs(tokens[1].length() - tokens[0].length())).isLessThanOrEqualTo(4);
          assertThat((boolean) result[1]).as("verified by the JWKS").isFalse();
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("issues a Bearer token to a client authenticated with HTTP Basic")
  void shouldIssueTokenWithBasicAuth(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> clientCredentials(client, idp), response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(response.getHeader("Pragma")).isEqualTo("no-cache");
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.getString("token_type")).isEqualTo("Bearer");
      assertThat(body.getLong("expires_in")).isEqualTo(3600);
      assertThat(body.getString("access_token")).isNotBlank();
      assertThat(body.containsKey("scope")).as("no scope requested").isFalse();
      assertThat(body.containsKey("refresh_token")).isFalse();
      assertThat(idp.tokenRequests()).isEqualTo(1);
      assertThat(idp.tokensIssued()).isEqualTo(1);
      assertThat(idp.tokensIssued(CLIENT)).isEqualTo(1);
    });
  }

  @Test
  @DisplayName("issues a token to a client authenticated with client_id and client_secret in the form")
  void shouldIssueTokenWithPostAuth(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> post(client, idp.tokenUrl(), null, form(
        "grant_type", "client_credentials", "client_id", CLIENT, "client_secret", SECRET,
        "scope", "read  write read")), response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getString("scope")).isEqualTo("read write");
      assertThat(idp.tokensIssued(CLIENT)).isEqualTo(1);
    });
  }

  @Test
  @DisplayName("form-urlencodes the Basic id and secret before base64, as RFC 6749 section 2.3.1 says")
  void shouldDecodeFormUrlEncodedBasicCredentials(Vertx vertx, VertxTestContext test) {
    String id = "svc:b é";
    String secret = "p@ss w+rd%/:";
    exchange(vertx, test, options().addClient(id, secret),
        idp -> post(client, idp.tokenUrl(), basic(id, secret), form("grant_type", "client_credentials")),
        response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(claims(response.bodyAsJsonObject().getString("access_token")).getString("sub"))
              .isEqualTo(id);
        });
  }

  @Test
  @DisplayName("answers 401 invalid_client with a Basic challenge to a wrong secret")
  void shouldRejectWrongSecret(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> post(client, idp.tokenUrl(), basic(CLIENT, "wrong"),
        form("grant_type", "client_credentials")), response -> {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"fake-idp\"");
      assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
      assertThat(response.bodyAsString()).doesNotContain("wrong", SECRET);
      assertThat(idp.rejectedClients()).isEqualTo(1);
      assertThat(idp.tokenRequests()).isEqualTo(1);
      assertThat(idp.tokensIssued()).isZero();
    });
  }

  @Test
  @DisplayName("answers 401 invalid_client without a challenge to a wrong client_secret in the form")
  void shouldRejectWrongPostSecretWithoutChallenge(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> post(client, idp.tokenUrl(), null, form(
        "grant_type", "client_credentials", "client_id", CLIENT, "client_secret", "wrong")), response -> {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.getHeader("WWW-Authenticate")).isNull();
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    });
  }

  @Test
  @DisplayName("answers 401 invalid_client with a Basic challenge when no client authentication is present")
  void shouldChallengeMissingClientAuthentication(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> post(client, idp.tokenUrl(), null,
        form("grant_type", "client_credentials")), response -> {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.getHeader("WWW-Authenticate")).startsWith("Basic");
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    });
  }

  @Test
  @DisplayName("answers 400 invalid_request when Basic and client_secret are both used")
  void shouldRejectTwoAuthenticationMethods(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> post(client, idp.tokenUrl(), basic(CLIENT, SECRET),
        form("grant_type", "client_credentials", "client_secret", SECRET)), response -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
    });
  }

  @Test
  @DisplayName("answers 400 unsupported_grant_type to a grant other than client_credentials or refresh_token")
  void shouldRejectUnknownGrant(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> post(client, idp.tokenUrl(), basic(CLIENT, SECRET),
        form("grant_type", "password")), response -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("unsupported_grant_type");
      assertThat(response.bodyAsJsonObject().getString("error_description")).isNotBlank();
    });
  }

  @Test
  @DisplayName("answers 400 invalid_request without grant_type or with a repeated parameter")
  void shouldRejectMalformedRequests(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(),
        idp -> post(client, idp.tokenUrl(), basic(CLIENT, SECRET), form())
            .compose(missing -> {
              assertThat(missing.statusCode()).isEqualTo(400);
              assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
              return post(client, idp.tokenUrl(), basic(CLIENT, SECRET),
                  form("grant_type", "client_credentials", "scope", "a", "scope", "b"));
            }),
        repeated -> {
          assertThat(repeated.statusCode()).isEqualTo(400);
          assertThat(repeated.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
          assertThat(idp.tokensIssued()).isZero();
        });
  }

  @Test
  @DisplayName("signs a JWT with exp = iat + lifetime, a distinct jti per issuance, verifiable with the JWKS")
  void shouldIssueVerifiableJwtsWithExpAndDistinctJti(Vertx vertx, VertxTestContext test) {
    FakeIdpOptions options = options().setTokenLifetime(Duration.ofSeconds(120));
    String[] first = new String[1];
    exchange(vertx, test, options,
        idp -> post(client, idp.tokenUrl(), basic(CLIENT, SECRET),
            form("grant_type", "client_credentials", "scope", "orders:read", "resource", "https://api.example/"))
            .compose(one -> {
              first[0] = one.bodyAsJsonObject().getString("access_token");
              return clientCredentials(client, idp);
            }),
        second -> {
          JsonObject a = claims(first[0]);
          JsonObject b = claims(second.bodyAsJsonObject().getString("access_token"));
          assertThat(second.bodyAsJsonObject().getLong("expires_in")).isEqualTo(120);
          assertThat(a.getLong("exp") - a.getLong("iat")).isEqualTo(120);
          assertThat(Math.abs(a.getLong("iat") - System.currentTimeMillis() / 1000)).isLessThanOrEqualTo(5);
          assertThat(a.getString("iss")).isEqualTo(FakeIdpOptions.DEFAULT_ISSUER);
          assertThat(a.getString("sub")).isEqualTo(CLIENT);
          assertThat(a.getString("client_id")).isEqualTo(CLIENT);
          assertThat(a.getString("scope")).isEqualTo("orders:read");
          assertThat(a.getString("aud")).isEqualTo("https://api.example/");
          assertThat(a.getString("jti")).isNotBlank().isNotEqualTo(b.getString("jti"));
          assertThat(b.containsKey("aud")).isFalse();
          assertThat(first[0]).isNotEqualTo(second.bodyAsJsonObject().getString("access_token"));
        });
  }

  @Test
  @DisplayName("publishes the signing key as a JWKS that verifies issued tokens")
  void shouldVerifyTokensWithPublishedJwks(Vertx vertx, VertxTestContext test) {
    FakeIdp.start(vertx, options())
        .compose(started -> clientCredentials(client, started)
            .compose(token -> client.getAbs(started.jwksUrl()).send()
                .compose(jwks -> {
                  JsonObject key = jwks.bodyAsJsonObject().getJsonArray("keys").getJsonObject(0);
                  test.verify(() -> {
                    assertThat(key.getString("kty")).isEqualTo("RSA");
                    assertThat(key.getString("alg")).isEqualTo("RS256");
                  });
                  JWTAuth verifier = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(key));
                  return verifier.authenticate(new TokenCredentials(
                      token.bodyAsJsonObject().getString("access_token")));
                })))
        .onComplete(test.succeeding(user -> test.verify(() -> {
          assertThat(user.principal().getString("sub")).isEqualTo(CLIENT);
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("omits expires_in when configured, leaving only the JWT exp")
  void shouldOmitExpiresIn(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options().setIncludeExpiresIn(false), idp -> clientCredentials(client, idp), response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().containsKey("expires_in")).isFalse();
      assertThat(claims(response.bodyAsJsonObject().getString("access_token")).getLong("exp")).isPositive();
    });
  }

  @Test
  @DisplayName("accepts an Auth0-style JSON body on /oauth/token, with audience as the aud claim")
  void shouldAcceptJsonBodyOnAuth0Endpoint(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> client.postAbs(idp.auth0TokenUrl()).sendJsonObject(new JsonObject()
        .put("client_id", CLIENT).put("client_secret", SECRET).put("audience", "https://api.example/")
        .put("grant_type", "client_credentials").put("scope", "read:orders")), response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject claims = claims(response.bodyAsJsonObject().getString("access_token"));
      assertThat(claims.getString("aud")).isEqualTo("https://api.example/");
      assertThat(claims.getString("scope")).isEqualTo("read:orders");
      assertThat(response.bodyAsJsonObject().getString("scope")).isEqualTo("read:orders");
    });
  }

  @Test
  @DisplayName("rejects a JSON body on the RFC 6749 endpoint /oauth2/token with 400 invalid_request")
  void shouldRejectJsonOnRfcEndpoint(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options(), idp -> client.postAbs(idp.tokenUrl()).sendJsonObject(new JsonObject()
        .put("client_id", CLIENT).put("client_secret", SECRET).put("grant_type", "client_credentials")),
        response -> {
          assertThat(response.statusCode()).isEqualTo(400);
          assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
        });
  }

  @Test
  @DisplayName("issues refresh tokens when enabled and redeems only those it issued")
  void shouldIssueAndRedeemRefreshTokens(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options().setIssueRefreshTokens(true),
        idp -> clientCredentials(client, idp).compose(first -> {
          String refreshToken = first.bodyAsJsonObject().getString("refresh_token");
          test.verify(() -> assertThat(refreshToken).isNotBlank());
          return post(client, idp.tokenUrl(), basic(CLIENT, SECRET),
              form("grant_type", "refresh_token", "refresh_token", refreshToken))
              .compose(refreshed -> {
                test.verify(() -> {
                  assertThat(refreshed.statusCode()).isEqualTo(200);
                  assertThat(refreshed.bodyAsJsonObject().getString("access_token")).isNotBlank();
                });
                return post(client, idp.tokenUrl(), basic(CLIENT, SECRET),
                    form("grant_type", "refresh_token", "refresh_token", "forged"));
              });
        }),
        forged -> {
          assertThat(forged.statusCode()).isEqualTo(400);
          assertThat(forged.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
          assertThat(idp.tokensIssued()).isEqualTo(2);
        });
  }

  @Test
  @DisplayName("with dynamic clients, accepts any well-formed id with the secret id + \"-secret\"")
  void shouldAcceptDynamicClients(Vertx vertx, VertxTestContext test) {
    exchange(vertx, test, options().setDynamicClients(true),
        idp -> post(client, idp.tokenUrl(), basic("load-42", "load-42-secret"),
            form("grant_type", "client_credentials")),
        response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(idp.tokensIssued("load-42")).isEqualTo(1);
        });
  }

  @Test
  @DisplayName("answers malformed, oversized or wrongly typed bodies with RFC 6749 errors, never a 5xx")
  void shouldRejectBadBodies(Vertx vertx, VertxTestContext test) {
    String form = "application/x-www-form-urlencoded";
    exchange(vertx, test, options(), idp -> raw(idp, form, "grant_type=client_credentials&scope=%zz")
        .compose(malformed -> {
          assertThat(malformed.statusCode()).isEqualTo(400);
          assertThat(malformed.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
          return raw(idp, form, "grant_type=client_credentials&scope=" + "a".repeat(70_000));
        })
        .compose(oversized -> {
          assertThat(oversized.statusCode()).isEqualTo(413);
          assertThat(oversized.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
          return raw(idp, "text/plain", "grant_type=client_credentials");
        })
        .compose(wrongType -> {
          assertThat(wrongType.statusCode()).isEqualTo(400);
          assertThat(wrongType.bodyAsJsonObject().getString("error_description")).contains(form);
          return raw(idp, form + "; charset=UTF-8", "grant_type=client_credentials&scope=a+b%20c");
        }), withCharset -> {
          assertThat(withCharset.statusCode()).isEqualTo(200);
          assertThat(withCharset.bodyAsJsonObject().getString("scope")).isEqualTo("a b c");
          assertThat(idp.tokenRequests()).isEqualTo(4);
        });
  }

  private Future<HttpResponse<Buffer>> raw(FakeIdp idp, String contentType, String body) {
    return client.postAbs(idp.tokenUrl())
        .putHeader("Authorization", basic(CLIENT, SECRET))
        .putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(body));
  }
}
