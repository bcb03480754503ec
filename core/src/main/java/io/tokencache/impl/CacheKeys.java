package io.tokencache.impl;

import io.tokencache.TokenRequest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Derives cache keys: HMAC-SHA256 under a cluster-wide pepper over the canonical request (upstream, client
 * id, secret, grant type, sorted scopes, audience, sorted resources, extra parameters).
 *
 * <p>The secret is part of the key, so a request with a wrong secret can never find the token cached for
 * the right one, and the key (which is stored, logged and used as a map key) reveals neither. Fields are
 * length-prefixed so no two different requests share a canonical form.
 */
public final class CacheKeys {

  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec pepper;
  // Mac instances are not thread-safe; one per event-loop thread is cheap.
  private final ThreadLocal<Mac> macs;

  /** @param pepper at least 32 secret bytes shared by every member of the cluster */
  public CacheKeys(byte[] pepper) {
    if (pepper.length < 32) {
      throw new IllegalArgumentException("the key pepper must be at least 32 bytes");
    }
    this.pepper = new SecretKeySpec(pepper.clone(), ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(pepper);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /** The cache key of a {@code client_credentials} request: 43 base64url characters. */
  public String keyOf(TokenRequest request) {
    Canonical c = new Canonical("token/v1");
    c.field(request.upstream()).field(request.clientId()).field(request.clientSecret()).field(request.grantType());
    c.list(request.scopes()).field(request.audience()).list(request.resources());
    c.count(request.extraParameters().size());
    for (Map.Entry<String, String> e : request.extraParameters().entrySet()) {
      c.field(e.getKey()).field(e.getValue());
    }
    return ENCODER.encodeToString(macs.get().doFinal(c.bytes()));
  }

  /**
   * A tag naming a client of an upstream without naming it in plaintext; every token of that client carries
   * it, so an administrator can drop them all.
   */
  public String clientTagOf(String upstream, String clientId) {
    Canonical c = new Canonical("client/v1").field(upstream).field(clientId);
    return ENCODER.encodeToString(macs.get().doFinal(c.bytes()));
  }

  /**
   * A tag naming one client's credentials (upstream, client id, secret) and nothing else: the key under which
   * an upstream's refusal of those credentials is remembered, whatever scopes were asked for.
   */
  public String secretTagOf(TokenRequest request) {
    Canonical c = new Canonical("secret/v1").field(request.upstream()).field(request.clientId())
      .field(request.clientSecret());
    return ENCODER.encodeToString(macs.get().doFinal(c.bytes()));
  }

  /** Length-prefixed fields: {@code null} and empty differ, and no field can run into the next. */
  private static final class Canonical {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    Canonical(String domain) {
      field(domain);
    }

    Canonical field(String value) {
      if (value == null) {
        count(-1);
        return this;
      }
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      count(bytes.length);
      out.writeBytes(bytes);
      return this;
    }

    Canonical list(List<String> values) {
      count(values.size());
      values.forEach(this::field);
      return this;
    }

    Canonical count(int n) {
      out.write(n >>> 24);
      out.write(n >>> 16);
      out.write(n >>> 8);
      out.write(n);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
