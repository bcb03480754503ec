package io.tokencache.fakeidp;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Helpers shared by the HTTP tests of the fake IdP. */
final class IdpTestSupport {

  static final String CLIENT = "svc-a";
  static final String SECRET = "secret-a";

  private IdpTestSupport() {}

  /** One registered client and no quota, so functional tests are never throttled. */
  static FakeIdpOptions options() {
    return new FakeIdpOptions().addClient(CLIENT, SECRET).setQuotaRps(0);
  }

  /** RFC 6749 section 2.3.1: id and secret form-urlencoded, then base64. */
  static String basic(String clientId, String secret) {
    String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
        + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static MultiMap form(String... namesAndValues) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      form.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return form;
  }

  /** POSTs a form with HTTP Basic client authentication (null: none). */
  static Future<HttpResponse<Buffer>> post(WebClient client, String url, String authorization, MultiMap form) {
    HttpRequest<Buffer> request = client.postAbs(url);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.sendForm(form);
  }

  /** A client-credentials request for the registered client, authenticated with Basic. */
  static Future<HttpResponse<Buffer>> clientCredentials(WebClient client, FakeIdp idp) {
    return post(client, idp.tokenUrl(), basic(CLIENT, SECRET), form("grant_type", "client_credentials"));
  }

  /** The (unverified) claims of a compact JWT. */
  static JsonObject claims(String jwt) {
    String[] parts = jwt.split("\\.");
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }
}
