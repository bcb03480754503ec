package io.tokencache;

import io.tokencache.cluster.ClusterOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCacheVerticleOptionsTest {

  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  @DisplayName("defaults: address token-cache, local-only consumer, no cluster options")
  void shouldHaveDefaults() {
    TokenCacheVerticleOptions options = new TokenCacheVerticleOptions();
    assertThat(options.getAddress()).isEqualTo("token-cache").isEqualTo(TokenCacheVerticleOptions.DEFAULT_ADDRESS);
    assertThat(options.isLocalOnly()).isTrue();
    assertThat(options.getClusterOptions()).isNull();
    assertThat(options.getCacheOptions().getUpstreams()).isEmpty();
  }

  @Test
  @DisplayName("JSON round trip keeps every setting but the encryption key, which never appears in JSON")
  void shouldRoundTripThroughJsonWithoutTheKey() {
    JsonObject json = new JsonObject()
      .put("address", "tokens")
      .put("localOnly", false)
      .put("cache", new JsonObject().put("minRemaining", "10s").put("upstreams", new JsonArray()
        .add(new JsonObject().put("tokenUrl", "https://idp.example.com/oauth2/token"))))
      .put("cluster", new JsonObject().put("clusterName", "apps").put("port", 5799)
        .put("members", "10.0.0.1:5799,10.0.0.2:5799").put("encryptionKey", KEY));

    TokenCacheVerticleOptions options = new TokenCacheVerticleOptions(json);

    assertThat(options.getAddress()).isEqualTo("tokens");
    assertThat(options.isLocalOnly()).isFalse();
    assertThat(options.getCacheOptions().getUpstreams().get("default").getTokenUrl())
      .isEqualTo("https://idp.example.com/oauth2/token");
    assertThat(options.getClusterOptions().getMembers()).containsExactly("10.0.0.1:5799", "10.0.0.2:5799");
    assertThat(options.getClusterOptions().getEncryptionKey()).isEqualTo(KEY);
    assertThat(options.toJson().encode()).doesNotContain(KEY);
    assertThat(options.toString()).doesNotContain(KEY);
    TokenCacheVerticleOptions again = new TokenCacheVerticleOptions(options.toJson());
    assertThat(again.toJson()).isEqualTo(options.toJson());
    assertThat(new TokenCacheVerticleOptions(options).getClusterOptions().getEncryptionKey()).isEqualTo(KEY);
  }

  @Test
  @DisplayName("setters and the JSON constructor reject wrong values, naming the setting")
  void shouldRejectWrongValues() {
    assertThatThrownBy(() -> new TokenCacheVerticleOptions().setAddress(" "))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address");
    assertThatThrownBy(() -> new TokenCacheVerticleOptions().setCacheOptions(null))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cacheOptions");
    assertThatThrownBy(() -> new TokenCacheVerticleOptions(new JsonObject().put("localOnly", "yes")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("localOnly");
    assertThatThrownBy(() -> new TokenCacheVerticleOptions(new JsonObject().put("cache", "x")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache");
    assertThatThrownBy(() -> new TokenCacheVerticleOptions(new JsonObject().put("address", 7)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address");
    assertThatThrownBy(() -> new TokenCacheVerticleOptions(new JsonObject()
      .put("cluster", new JsonObject().put("port", 0))))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
    assertThatThrownBy(() -> new TokenCacheVerticleOptions().validate())
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upstream");
    assertThatThrownBy(() -> new TokenCacheVerticleOptions()
      .setCacheOptions(new TokenCacheOptions().addUpstream(new UpstreamOptions().setTokenUrl("https://idp/t")))
      .setClusterOptions(new ClusterOptions().setDiscovery(ClusterOptions.Discovery.KUBERNETES)).validate())
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kubernetesServiceDns");
  }
}
