package io.tokencache.fakeidp;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signs access tokens (RS256) with a key pair generated for this IdP instance, and publishes the
 * public half as a JWKS. Key generation takes tens of milliseconds, so {@link #create} must run on a
 * worker thread.
 */
final class JwtIssuer {

  private static final JWTOptions SIGNING = new JWTOptions()
      .setAlgorithm("RS256")
      // iat and exp are set by us, so that exp is exactly iat + lifetime.
      .setNoTimestamp(true);

  private final JWTAuth signer;
  private final JsonObject jwks;
  // Unique per instance (random prefix) and per issuance (counter): tests rely on distinct tokens.
  private final String jtiPrefix;
  private final AtomicLong jtiCounter = new AtomicLong();
  // The JOSE header the signer writes, for tokens shaped like its own without its RSA signature.
  private final String unsignedHeader;

  private JwtIssuer(JWTAuth signer, JsonObject jwks, String jtiPrefix, String kid) {
    this.signer = signer;
    this.jwks = jwks;
    this.jtiPrefix = jtiPrefix;
    this.unsignedHeader = Base64.getUrlEncoder().withoutPadding().encodeToString(
        new JsonObject().put("typ", "JWT").put("alg", "RS256").put("kid", kid).encode()
            .getBytes(StandardCharsets.UTF_8));
  }

  /** Generates a fresh RSA key pair; blocking (CPU bound). */
  static JwtIssuer create(Vertx vertx) throws NoSuchAlgorithmException {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, random);
    KeyPair keyPair = generator.generateKeyPair();
    String kid = "fake-idp-" + randomToken(random, 6);
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(keyPair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setId(kid).setBuffer(pem)));
    JwtIssuer issuer = new JwtIssuer(signer, jwks((RSAPublicKey) keyPair.getPublic(), kid),
        randomToken(random, 9), kid);
    // The first signature of a fresh JVM loads and compiles the signing path, which takes longer than the budget's
    // safety margin: signed here, off the event loop, it no longer delays the first requests behind it, whose
    // arrival times the quota checks and tests read.
    issuer.sign(new JsonObject().put("sub", "warm-up"));
    return issuer;
  }

  /** @return a new unique JWT id */
  String nextJti() {
    return jtiPrefix + "." + jtiCounter.incrementAndGet();
  }

  /** @return the signed compact JWT for these claims (used as given, nothing added) */
  String sign(JsonObject claims) {
    return signer.generateToken(claims, SIGNING);
  }

  /**
   * @param randomSignature true for 256 random bytes in place of the signature (an RS256 signature's size)
   * @return the compact JWT for these claims, signed or shaped like a signed one
   */
  String sign(JsonObject claims, boolean randomSignature) {
    if (!randomSignature) {
      return sign(claims);
    }
    byte[] signature = new byte[256];
    ThreadLocalRandom.current().nextBytes(signature);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return unsignedHeader + "." + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(signature);
  }

  /** @return {@code {"keys":[...]}} with the public key */
  JsonObject jwks() {
    return jwks.copy();
  }

  static String randomToken(SecureRandom random, int bytes) {
    byte[] buffer = new byte[bytes];
    random.nextBytes(buffer);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
  }

  private static JsonObject jwks(RSAPublicKey key, String kid) {
    JsonObject jwk = new JsonObject()
        .put("kty", "RSA")
        .put("use", "sig")
        .put("alg", "RS256")
        .put("kid", kid)
        .put("n", base64Url(key.getModulus()))
        .put("e", base64Url(key.getPublicExponent()));
    return new JsonObject().put("keys", new JsonArray().add(jwk));
  }

  // RFC 7518 6.3.1: unsigned big-endian, without the sign byte BigInteger may prepend.
  private static String base64Url(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
