package io.tokencache.http.impl;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FormDecoderTest {

  private static Map<String, List<String>> decode(String body) {
    return FormDecoder.decode(Buffer.buffer(body, "UTF-8"), 65);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "grant_type=client_credentials&scope=orders%3Aread",
    "grant_type=client_credentials&scope=orders%3Aread+orders%3Awrite&audience=https%3A%2F%2Fapi.example",
    "client_id=a%2Bb&client_secret=s%25cr%C3%A9t&grant_type=client_credentials",
    "resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb&grant_type=client_credentials",
    "a=1&&b=2&",
    "flag&x=",
    "x==y&semi;colon=1",
    "caf%C3%A9=%E2%82%AC+5",
    "",
  })
  @DisplayName("decodes well-formed forms as Netty's QueryStringDecoder did")
  void shouldDecodeAsNettyDid(String body) {
    Map<String, List<String>> netty = new QueryStringDecoder(body, StandardCharsets.UTF_8, false, 65, true)
      .parameters();
    assertThat(decode(body)).containsExactlyEntriesOf(netty);
  }

  @Test
  @DisplayName("keeps the order of first appearance and every value of a repeated name")
  void shouldKeepOrderAndRepeats() {
    Map<String, List<String>> params = decode("b=1&a=2&b=3");
    assertThat(params.keySet()).containsExactly("b", "a");
    assertThat(params.get("b")).containsExactly("1", "3");
  }

  @Test
  @DisplayName("reads raw UTF-8 and turns malformed UTF-8 into U+FFFD")
  void shouldDecodeUtf8() {
    assertThat(decode("scope=caf\u00e9").get("scope")).containsExactly("caf\u00e9");
    assertThat(decode("scope=%FF").get("scope")).containsExactly("\uFFFD");
  }

  @Test
  @DisplayName("treats ? and # as ordinary characters, unlike a query string")
  void shouldNotSkipQueryCharacters() {
    assertThat(decode("?a=1#b").get("?a")).containsExactly("1#b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"scope=%", "scope=%4", "scope=%zz", "scope=a%2", "=value", "a=1&=2"})
  @DisplayName("refuses bad escapes and parameters without a name")
  void shouldRefuseMalformed(String body) {
    assertThatThrownBy(() -> decode(body)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("stops after the given number of parameters")
  void shouldStopAtTheLimit() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      body.append("p").append(i).append("=v&");
    }
    assertThat(FormDecoder.decode(Buffer.buffer(body.toString()), 65)).hasSize(65);
    assertThat(FormDecoder.decode(Buffer.buffer("a=1&a=2&a=3"), 2).get("a")).containsExactly("1", "2");
  }
}
