package io.tokencache.http.impl;

import io.tokencache.TokenRequest;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the parser tells the cache about a pass-through request: who it is for, never a secret. */
class TokenRequestParserTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private final TokenRequestParser parser = new TokenRequestParser("default", true);

  private TokenRequest parse(String body, String authorization) {
    return parser.parse(FORM, Buffer.buffer(body), authorization, List.of());
  }

  @Test
  @DisplayName("a pass-through request carries the id of the client that authenticated it, and no secret")
  void shouldNameTheAuthenticatedClientOfAPassThroughRequest() {
    String basic = "Basic " + Base64.getEncoder().encodeToString("svc%3Aa:s3cret-basic".getBytes(StandardCharsets.UTF_8));
    TokenRequest byBasic = parse("grant_type=refresh_token&refresh_token=r", basic);
    TokenRequest byPost = parse("grant_type=refresh_token&refresh_token=r&client_id=svc-b&client_secret=s3cret-post", null);
    TokenRequest byAssertion = parse("grant_type=refresh_token&refresh_token=r&client_id=svc-c"
      + "&client_assertion=eyJ.sig&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
      null);
    TokenRequest anonymousAssertion = parse("grant_type=refresh_token&refresh_token=r"
      + "&client_assertion=eyJ.sig&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
      null);

    assertThat(byBasic).isInstanceOf(TokenRequest.PassThrough.class);
    assertThat(byBasic.clientId()).isEqualTo("svc:a");
    assertThat(byPost.clientId()).isEqualTo("svc-b");
    assertThat(byAssertion.clientId()).isEqualTo("svc-c");
    assertThat(anonymousAssertion.clientId()).isNull();
    for (TokenRequest r : List.of(byBasic, byPost, byAssertion)) {
      assertThat(r).as("forwarded, holding no secret of its own").isInstanceOf(TokenRequest.PassThrough.class);
      assertThat(r.toString()).contains(r.clientId()).doesNotContain("s3cret").doesNotContain("eyJ")
        .doesNotContain(basic.substring(6));
    }
    assertThat(((TokenRequest.PassThrough) byPost).body().toString()).as("forwarded unchanged")
      .isEqualTo("grant_type=refresh_token&refresh_token=r&client_id=svc-b&client_secret=s3cret-post");
  }
}
