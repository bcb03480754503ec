package io.tokencache.http;

import io.tokencache.TokenCacheException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BasicCredentialsTest {

  private static String basic(String raw) {
    return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldReadFormEncodedIdAndSecret() {
    BasicCredentials c = BasicCredentials.of(basic("svc%3Aa+b:s%25cret:with:colons"));
    assertThat(c.clientId()).isEqualTo("svc:a b");
    assertThat(c.secret()).isEqualTo("s%cret:with:colons");
    assertThat(c.toString()).doesNotContain("cret");
  }

  @Test
  void shouldTellOtherSchemesFromUnreadableBasic() {
    assertThat(BasicCredentials.of("Bearer abc")).isNull();
    assertThat(BasicCredentials.of(null)).isNull();
    assertThat(BasicCredentials.isBasic("basic abc")).isTrue();
    assertThatThrownBy(() -> BasicCredentials.of("Basic !!!")).isInstanceOf(TokenCacheException.class)
      .hasMessageContaining("not base64");
    assertThatThrownBy(() -> BasicCredentials.of(basic(":secret"))).isInstanceOf(TokenCacheException.class)
      .hasMessageContaining("no client id");
    assertThatThrownBy(() -> BasicCredentials.of(basic("a%zz:b"))).isInstanceOf(TokenCacheException.class)
      .hasMessageContaining("not form-urlencoded");
  }

  @Test
  void shouldGiveALogTheClientIdOrNothing() {
    assertThat(BasicCredentials.clientIdOf(basic("svc:secret"))).isEqualTo("svc");
    assertThat(BasicCredentials.clientIdOf("Basic !!!")).isNull();
    assertThat(BasicCredentials.clientIdOf("Bearer abc")).isNull();
    assertThat(BasicCredentials.clientIdOf(null)).isNull();
  }
}
