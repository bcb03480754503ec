package io.tokencache.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StubIdp")
class StubIdpTest {

  @Test
  @DisplayName("issues distinct JWT-shaped tokens: header, the fake IdP's claims, a 256-byte signature")
  void shouldShapeTokensLikeTheFakeIdp() {
    String a = StubIdp.token("heap-123", "orders:read", 1_795_698_448L, 3600, 1);
    String b = StubIdp.token("heap-123", "orders:read", 1_795_698_448L, 3600, 2);
    assertThat(a).isNotEqualTo(b);
    String[] parts = a.split("\\.");
    assertThat(parts).hasSize(3);
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    assertThat(header.getString("alg")).isEqualTo("RS256");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(3600);
    assertThat(claims.getString("client_id")).isEqualTo("heap-123");
    assertThat(Base64.getUrlDecoder().decode(parts[2])).hasSize(256);
    // the fake IdP's tokens for such a client are about 650 characters
    assertThat(a.length()).isBetween(600, 720);
  }

  @Test
  @DisplayName("reads the client id from HTTP Basic, and nothing from anything else")
  void shouldReadBasic() {
    String basic = "Basic " + Base64.getEncoder().encodeToString("c-1:c-1-secret".getBytes(StandardCharsets.UTF_8));
    assertThat(StubIdp.clientId(basic)).isEqualTo("c-1");
    assertThat(StubIdp.clientId(null)).isNull();
    assertThat(StubIdp.clientId("Bearer x")).isNull();
  }
}
