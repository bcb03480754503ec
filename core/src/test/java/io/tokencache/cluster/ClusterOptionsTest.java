package io.tokencache.cluster;

import io.tokencache.cluster.ClusterOptions.Discovery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterOptionsTest {

  private static final String KEY = Base64.getEncoder().encodeToString(
    "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  @Test
  @DisplayName("defaults follow the contract: token-cache, 127.0.0.1:5701, tcp alone, one backup")
  void shouldHaveContractDefaults() {
    ClusterOptions o = new ClusterOptions();
    assertThat(o.getClusterName()).isEqualTo("token-cache");
    assertThat(o.getHost()).isEqualTo("127.0.0.1");
    assertThat(o.getPort()).isEqualTo(5701);
    assertThat(o.getMembers()).isEmpty();
    assertThat(o.getDiscovery()).isEqualTo(Discovery.TCP);
    assertThat(o.getKubernetesServicePort()).isEqualTo(5701);
    assertThat(o.getMaxTokensPerMember()).isEqualTo(100_000);
    assertThat(o.getNearCacheMaxEntries()).isEqualTo(100_000);
    assertThat(o.getDecryptedMaxEntries()).isEqualTo(4_096);
    assertThat(o.getBackupCount()).isEqualTo(1);
    assertThat(o.hasEncryptionKey()).isFalse();
  }

  @Test
  @DisplayName("options survive a JSON round trip, and the copy constructor keeps the key")
  void shouldRoundTripJson() {
    ClusterOptions o = new ClusterOptions().setClusterName("prod.tokens").setHost("10.0.0.5").setPort(5801)
      .setMembers(List.of("10.0.0.5:5801", "10.0.0.6:5801", "[::1]:5701")).setDiscovery(Discovery.KUBERNETES)
      .setKubernetesServiceDns("token-cache-hazelcast.default.svc.cluster.local").setKubernetesServicePort(5702)
      .setMaxTokensPerMember(5000).setNearCacheMaxEntries(700).setDecryptedMaxEntries(300).setBackupCount(2)
      .setEncryptionKey(KEY);
    ClusterOptions back = new ClusterOptions(o.toJson());
    assertThat(back.getDecryptedMaxEntries()).isEqualTo(300);
    assertThat(back.toJson()).isEqualTo(o.toJson());
    assertThat(back.getMembers()).containsExactly("10.0.0.5:5801", "10.0.0.6:5801", "[::1]:5701");
    assertThat(back.getDiscovery()).isEqualTo(Discovery.KUBERNETES);
    assertThat(back.getKubernetesServiceDns()).isEqualTo("token-cache-hazelcast.default.svc.cluster.local");
    assertThat(back.getBackupCount()).isEqualTo(2);
    assertThat(new ClusterOptions(o).getEncryptionKey()).isEqualTo(KEY);
    assertThat(new ClusterOptions(o).toJson()).isEqualTo(o.toJson());
  }

  @Test
  @DisplayName("JSON accepts members as one comma-separated string, discovery in any case and numbers as strings")
  void shouldReadLenientJson() {
    ClusterOptions o = new ClusterOptions(new JsonObject().put("members", "a:1, b:2,,").put("discovery", "MultiCast")
      .put("port", "5702").put("encryptionKey", KEY));
    assertThat(o.getMembers()).containsExactly("a:1", "b:2");
    assertThat(o.getDiscovery()).isEqualTo(Discovery.MULTICAST);
    assertThat(o.getPort()).isEqualTo(5702);
    assertThat(o.getEncryptionKey()).isEqualTo(KEY);
    assertThat(ClusterOptions.parseMembers("")).isEmpty();
  }

  @Test
  @DisplayName("the encryption key never shows in toJson nor toString")
  void shouldHideEncryptionKey() {
    ClusterOptions o = new ClusterOptions().setEncryptionKey(KEY);
    assertThat(o.toJson().encode()).doesNotContain(KEY).doesNotContain("encryptionKey");
    assertThat(o.toString()).doesNotContain(KEY).contains("\"encryptionKey\":\"<set>\"");
    assertThat(new ClusterOptions().toString()).contains("\"encryptionKey\":\"<absent>\"");
  }

  @Test
  @DisplayName("each invalid setting is refused with a message naming it")
  void shouldValidateEachSetting() {
    ClusterOptions o = new ClusterOptions();
    assertThatThrownBy(() -> o.setClusterName(" ")).hasMessageContaining("clusterName");
    assertThatThrownBy(() -> o.setClusterName(null)).hasMessageContaining("clusterName");
    assertThatThrownBy(() -> o.setHost("10.0.0.1:5701")).hasMessageContaining("host");
    assertThatThrownBy(() -> o.setHost("")).hasMessageContaining("host");
    assertThatThrownBy(() -> o.setPort(0)).hasMessage("port must be between 1 and 65535, was 0");
    assertThatThrownBy(() -> o.setPort(65536)).hasMessageContaining("port");
    assertThatThrownBy(() -> o.setMembers(null)).hasMessageContaining("members");
    assertThatThrownBy(() -> o.setMembers(List.of("host-without-port"))).hasMessageContaining("members")
      .hasMessageContaining("host-without-port");
    assertThatThrownBy(() -> o.setMembers(List.of("h:0"))).hasMessageContaining("members");
    assertThatThrownBy(() -> o.setMembers(List.of("h:x"))).hasMessageContaining("members");
    assertThatThrownBy(() -> o.addMember(":5701")).hasMessageContaining("members");
    assertThatThrownBy(() -> o.setDiscovery(null)).hasMessageContaining("discovery");
    assertThatThrownBy(() -> Discovery.parse("gossip")).hasMessageContaining("discovery");
    assertThatThrownBy(() -> o.setKubernetesServiceDns("Not A DNS name")).hasMessageContaining("kubernetesServiceDns");
    assertThatThrownBy(() -> o.setKubernetesServicePort(0)).hasMessageContaining("kubernetesServicePort");
    assertThatThrownBy(() -> o.setMaxTokensPerMember(0)).hasMessageContaining("maxTokensPerMember");
    assertThatThrownBy(() -> o.setNearCacheMaxEntries(0)).hasMessageContaining("nearCacheMaxEntries");
    assertThatThrownBy(() -> o.setDecryptedMaxEntries(0)).hasMessageContaining("decryptedMaxEntries");
    assertThatThrownBy(() -> o.setBackupCount(0)).hasMessageContaining("backupCount");
    assertThatThrownBy(() -> o.setBackupCount(7)).hasMessageContaining("backupCount");
    assertThatThrownBy(() -> new ClusterOptions(new JsonObject().put("port", "x"))).hasMessageContaining("port");
    assertThatThrownBy(() -> new ClusterOptions(new JsonObject().put("members", new JsonArray().add(5))))
      .hasMessageContaining("members");
    // the options before any failure are untouched
    assertThat(o.toJson()).isEqualTo(new ClusterOptions().toJson());
  }

  @Test
  @DisplayName("a malformed encryption key is refused without echoing it")
  void shouldValidateEncryptionKey() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> new ClusterOptions().setEncryptionKey(shortKey))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessage("encryptionKey must be base64 of exactly 32 bytes, was 16 bytes");
    assertThatThrownBy(() -> new ClusterOptions().setEncryptionKey("s3cr3t!not-base64"))
      .hasMessageContaining("encryptionKey").hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> new ClusterOptions(new JsonObject().put("encryptionKey", 12345)))
      .hasMessageContaining("encryptionKey").hasMessageNotContaining("12345");
  }

  @Test
  @DisplayName("kubernetes discovery requires the service DNS name and a host other pods can reach")
  void shouldValidateKubernetes() {
    ClusterOptions o = new ClusterOptions().setDiscovery(Discovery.KUBERNETES).setHost("0.0.0.0");
    assertThatThrownBy(o::validate).hasMessage("kubernetesServiceDns is required with discovery kubernetes");
    o.setKubernetesServiceDns("token-cache-hazelcast.default.svc.cluster.local");
    o.validate();
    assertThatThrownBy(() -> o.setHost("127.0.0.1").validate()).hasMessageContaining("host");
    new ClusterOptions().validate();
  }
}
