package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KeySpace")
class KeySpaceTest {

  /** The fake IdP's dynamic client ids. */
  private static final Pattern DYNAMIC_CLIENT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  @Test
  @DisplayName("gives each key its own client, the IdP's dynamic secret, a scope set and an auth style")
  void shouldDescribeKeys() {
    KeySpace keys = new KeySpace("lt-herd", 10, KeySpace.DEFAULT_SCOPES);
    Map<String, Object> even = keys.record(0);
    Map<String, Object> odd = keys.record(7);
    assertThat(even).containsEntry("clientId", "lt-herd-00000").containsEntry("secret", "lt-herd-00000-secret")
        .containsEntry("scope", "orders:read").containsEntry("auth", "basic").containsEntry("key", 0);
    assertThat(odd).containsEntry("clientId", "lt-herd-00007").containsEntry("auth", "post")
        .containsEntry("scope", KeySpace.DEFAULT_SCOPES.get(7 % KeySpace.DEFAULT_SCOPES.size()));
    assertThat((String) odd.get("clientId")).matches(DYNAMIC_CLIENT);
    assertThat(keys.used()).isEqualTo(2);
    assertThat(keys.uses(0)).isEqualTo(1);
  }

  @Test
  @DisplayName("gives wrong secrets that are never the valid one, from a bounded pool, without counting a use")
  void shouldMakeWrongSecrets() {
    KeySpace keys = new KeySpace("lt", 3, List.of("a"));
    Set<Object> secrets = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      Map<String, Object> record = keys.wrongSecretRecord(1, i, 5);
      assertThat(record.get("secret")).isNotEqualTo("lt-00001-secret");
      secrets.add(record.get("secret"));
    }
    assertThat(secrets).hasSize(5);
    assertThat(keys.used()).isZero();
  }

  @Test
  @DisplayName("growing feeder introduces new keys at the configured rate, whatever the request rate")
  void shouldGrowAtABoundedRate() {
    KeySpace keys = new KeySpace("lt", 100, List.of("a"));
    AtomicLong clock = new AtomicLong();
    Iterator<Map<String, Object>> feeder = keys.growing(1, 5, clock::get);
    for (int i = 0; i < 1000; i++) {
      feeder.next();
    }
    assertThat(keys.used()).as("only the initial key at t=0").isEqualTo(1);
    clock.set(2_000);
    for (int i = 0; i < 1000; i++) {
      feeder.next();
    }
    assertThat(keys.used()).as("1 + 2 s x 5 keys/s").isEqualTo(11);
    clock.set(60_000);
    for (int i = 0; i < 5000; i++) {
      feeder.next();
    }
    assertThat(keys.used()).as("capped at the key space").isEqualTo(100);
    assertThat(keys.activeKeys(1, 5, 60_000)).isEqualTo(100);
  }

  @Test
  @DisplayName("growing feeder with a step: keys activate faster from the step on")
  void shouldGrowFasterAfterTheStep() {
    KeySpace keys = new KeySpace("lt", 1000, List.of("a"));
    AtomicLong clock = new AtomicLong();
    Iterator<Map<String, Object>> feeder = keys.growing(1, 2, 10_000, 8, clock::get);
    clock.set(10_000);
    for (int i = 0; i < 1000; i++) {
      feeder.next();
    }
    assertThat(keys.used()).as("1 + 10 s x 2 keys/s").isEqualTo(21);
    clock.set(15_000);
    for (int i = 0; i < 1000; i++) {
      feeder.next();
    }
    assertThat(keys.used()).as("then 5 s x 8 keys/s more").isEqualTo(61);
    assertThat(keys.activeKeys(1, 2, 10_000, 8, 5_000)).isEqualTo(11);
  }

  @Test
  @DisplayName("takes a newly active key on the next request")
  void shouldTakeNewKeysFirst() {
    KeySpace keys = new KeySpace("lt", 10, List.of("a"));
    AtomicLong clock = new AtomicLong();
    Iterator<Map<String, Object>> feeder = keys.growing(1, 1, clock::get);
    assertThat(feeder.next()).containsEntry("key", 0);
    clock.set(1_000);
    assertThat(feeder.next()).containsEntry("key", 1);
    clock.set(3_000);
    assertThat(feeder.next()).containsEntry("key", 2);
    assertThat(feeder.next()).containsEntry("key", 3);
    assertThat((Integer) feeder.next().get("key")).isBetween(0, 3);
  }

  @Test
  @DisplayName("circular feeder visits every key in turn; uniform stays in its range")
  void shouldCircleAndStayInRange() {
    KeySpace keys = new KeySpace("lt", 3, List.of("a"));
    Iterator<Map<String, Object>> circular = keys.circular();
    assertThat(List.of(circular.next().get("key"), circular.next().get("key"), circular.next().get("key"),
        circular.next().get("key"))).containsExactly(0, 1, 2, 0);
    Iterator<Map<String, Object>> uniform = keys.uniform(1, 3);
    for (int i = 0; i < 100; i++) {
      assertThat((Integer) uniform.next().get("key")).isBetween(1, 2);
    }
  }

  @Test
  @DisplayName("rejects prefixes the IdP would refuse and empty spaces")
  void shouldValidate() {
    assertThatThrownBy(() -> new KeySpace("bad prefix", 1, List.of("a"))).hasMessageContaining("prefix");
    assertThatThrownBy(() -> new KeySpace("lt", 0, List.of("a"))).hasMessageContaining("size");
    assertThatThrownBy(() -> new KeySpace("lt", 1, List.of())).hasMessageContaining("scopes");
  }
}
