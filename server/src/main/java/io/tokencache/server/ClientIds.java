package io.tokencache.server;

import io.tokencache.http.BasicCredentials;
import io.tokencache.http.TokenEndpoint;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Finds the client id of a token request, for the access log and per-client meters, and hashes it: logs and labels
 * only ever carry the first {@value #HASH_HEX_DIGITS} hex digits of its SHA-256. Only the id is ever extracted; the
 * secret next to it is never kept.
 */
final class ClientIds {

  /** Hex digits of the SHA-256 kept: 48 bits, enough to tell clients apart in logs. */
  static final int HASH_HEX_DIGITS = 12;

  private ClientIds() {
  }

  /** The hashed client id of the request, or {@code null} if it names none (or cannot be read). */
  static String hashedOf(RoutingContext ctx) {
    String id = of(ctx);
    return id == null ? null : hash(id);
  }

  /** The first {@value #HASH_HEX_DIGITS} hex digits of the SHA-256 of {@code clientId}'s UTF-8 bytes. */
  static String hash(String clientId) {
    return HexFormat.of().formatHex(sha256(clientId.getBytes(StandardCharsets.UTF_8))).substring(0, HASH_HEX_DIGITS);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The client id: from HTTP Basic authentication (RFC 6749 section 2.3.1: form-encoded, before the colon), else
   * the one the token endpoint parsed ({@link TokenEndpoint#CLIENT_ID_KEY}: it reads the body itself).
   */
  static String of(RoutingContext ctx) {
    String fromBasic = BasicCredentials.clientIdOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (fromBasic != null) {
      return fromBasic;
    }
    String parsed = ctx.get(TokenEndpoint.CLIENT_ID_KEY);
    return parsed == null || parsed.isEmpty() ? null : parsed;
  }
}
