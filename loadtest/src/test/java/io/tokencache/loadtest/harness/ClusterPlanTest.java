package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ClusterPlan")
class ClusterPlanTest {

  private static ClusterPlan plan(int members) {
    return ClusterPlan.create("scale-out", members, "http://127.0.0.1:9999/oauth2/token", 10,
        new PortAllocator(), new SecureRandom());
  }

  @Test
  @DisplayName("plans distinct free loopback ports and lists every planned member in the join list")
  void shouldPlanDistinctPortsAndFullMemberList() {
    ClusterPlan plan = plan(5);
    Set<Integer> ports = new HashSet<>();
    plan.slots().forEach(slot -> {
      ports.add(slot.httpPort());
      ports.add(slot.clusterPort());
    });
    assertThat(ports).hasSize(10).allMatch(port -> port > 0 && port < 65536);
    assertThat(plan.membersList().split(",")).hasSize(5).allMatch(address -> address.startsWith("127.0.0.1:"));
    assertThat(plan.slots()).extracting(ClusterPlan.Slot::index).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  @DisplayName("gives every member the contract's variables, bound to 127.0.0.1, with a shared 32-byte key")
  void shouldProduceTheContractEnvironment() {
    ClusterPlan plan = plan(2);
    Map<String, String> first = plan.environment(plan.slots().get(0));
    Map<String, String> second = plan.environment(plan.slots().get(1));
    assertThat(first).containsEntry("TOKEN_CACHE_HTTP_HOST", "127.0.0.1")
        .containsEntry("TOKEN_CACHE_HTTP_PORT", Integer.toString(plan.slots().get(0).httpPort()))
        .containsEntry("TOKEN_CACHE_CLUSTER_PORT", Integer.toString(plan.slots().get(0).clusterPort()))
        .containsEntry("TOKEN_CACHE_UPSTREAM_TOKEN_URL", "http://127.0.0.1:9999/oauth2/token")
        .containsEntry("TOKEN_CACHE_UPSTREAM_QUOTA_RPS", "10")
        .containsEntry("TOKEN_CACHE_CLUSTER_MEMBERS", plan.membersList())
        .containsEntry("TOKEN_CACHE_CLUSTER_DISCOVERY", "tcp")
        .containsKey("TOKEN_CACHE_ADMIN_TOKEN");
    assertThat(Base64.getDecoder().decode(first.get("TOKEN_CACHE_ENCRYPTION_KEY"))).hasSize(32);
    assertThat(second.get("TOKEN_CACHE_ENCRYPTION_KEY")).isEqualTo(first.get("TOKEN_CACHE_ENCRYPTION_KEY"));
    assertThat(second.get("TOKEN_CACHE_CLUSTER_NAME")).isEqualTo(first.get("TOKEN_CACHE_CLUSTER_NAME"));
    assertThat(second.get("TOKEN_CACHE_HTTP_PORT")).isNotEqualTo(first.get("TOKEN_CACHE_HTTP_PORT"));
  }

  @Test
  @DisplayName("names each run's cluster uniquely, and keys it with a fresh key")
  void shouldBeUniquePerRun() {
    ClusterPlan one = plan(1);
    ClusterPlan two = plan(1);
    assertThat(one.clusterName()).startsWith("loadtest-scale-out-").isNotEqualTo(two.clusterName());
    assertThat(one.environment(one.slots().get(0)).get("TOKEN_CACHE_ENCRYPTION_KEY"))
        .isNotEqualTo(two.environment(two.slots().get(0)).get("TOKEN_CACHE_ENCRYPTION_KEY"));
  }

  @Test
  @DisplayName("writes whole quotas without a decimal point")
  void shouldFormatQuota() {
    assertThat(ClusterPlan.formatRps(10)).isEqualTo("10");
    assertThat(ClusterPlan.formatRps(2.5)).isEqualTo("2.5");
  }

  @Test
  @DisplayName("rejects an empty cluster and a non-positive quota")
  void shouldValidate() {
    assertThatThrownBy(() -> plan(0)).hasMessageContaining("members must be >= 1");
    assertThatThrownBy(() -> ClusterPlan.create("x", 1, "http://127.0.0.1:1/t", 0, new PortAllocator(),
        new SecureRandom())).hasMessageContaining("quotaRps must be > 0");
  }
}
