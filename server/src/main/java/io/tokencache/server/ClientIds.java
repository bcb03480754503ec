package io.tokencache.server;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

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
   * the {@code client_id} field of a form or JSON body that was read.
   */
  static String of(RoutingContext ctx) {
    String fromBasic = fromBasic(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (fromBasic != null) {
      return fromBasic;
    }
    RequestBody body = ctx.body();
    if (body == null || !body.available() || body.buffer() == null || body.buffer().length() == 0) {
      return null;
    }
    return fromBody(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), body.buffer());
  }

  static String fromBasic(String authorization) {
    if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      String id = colon >= 0 ? decoded.substring(0, colon) : decoded;
      id = URLDecoder.decode(id, StandardCharsets.UTF_8);
      return id.isEmpty() ? null : id;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static String fromBody(String contentType, Buffer body) {
    try {
      if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        Object id = new JsonObject(body).getValue("client_id");
        return id instanceof String && !((String) id).isEmpty() ? (String) id : null;
      }
      List<String> ids = new QueryStringDecoder(body.toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
        .parameters().get("client_id");
      return ids == null || ids.isEmpty() || ids.get(0).isEmpty() ? null : ids.get(0);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
