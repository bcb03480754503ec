package io.tokencache.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.impl.cluster.TokenMapConfig;
import io.tokencache.loadtest.idp.FakeIdp;
import io.tokencache.loadtest.idp.FakeIdpOptions;
import io.tokencache.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member that joins with the tagged cluster name (it travels in clear) but is not token-cache: it cannot
 * deserialize token-cache's operations and it writes values of foreign types into every one of its maps. The
 * members answer 200 or 503 with Retry-After meanwhile, never another 5xx or a token the IdP did not issue, and
 * serve new keys again within seconds of its leaving.
 */
class RogueMemberTest {

  private final Vertx idpVertx = Vertx.vertx();
  private FakeIdp idp;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    cluster.close();
    idp.close().await();
    idpVertx.close().await();
  }

  @Test
  @DisplayName("a foreign member writing garbage into every map: only 200 or 503 meanwhile, no foreign token, recovery within seconds of it leaving")
  void shouldSurviveAForeignMember() {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(20)).await();
    cluster = TestCluster.start(2, () -> new TokenCacheOptions()
      .addUpstream(new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(20)));
    String cached = token(ask(0, "cached").await());

    HazelcastInstance rogue = Hazelcast.newHazelcastInstance(rogueConfig());
    List<HttpResponse<Buffer>> answers = new ArrayList<>();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> rogue.getCluster().getMembers().size() == 3);
      for (int round = 0; round < 3; round++) {
        scribble(rogue);
        for (int m = 0; m < 2; m++) {
          answers.add(ask(m, "cached").await());
          answers.add(ask(m, "during-" + round + "-" + m).await());
        }
      }
    } finally {
      rogue.getLifecycleService().terminate();
    }
    assertThat(answers).allSatisfy(r -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 503);
      if (r.statusCode() == 503) {
        assertThat(r.getHeader("Retry-After")).isNotNull();
      } else {
        assertThat(token(r)).as("a token the IdP issued").matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
      }
    });

    // once it is gone (killed, its partitions recovered from backups), new keys are served again on every member
    for (int m = 0; m < 2; m++) {
      int member = m;
      await().atMost(Duration.ofSeconds(30)).until(() -> ask(member, "after-" + member).await().statusCode() == 200);
    }
    assertThat(token(ask(0, "cached").await())).as("the cached key's token, if still served, is the IdP's")
      .matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
    assertThat(cached).isNotBlank();
  }

  private Future<HttpResponse<Buffer>> ask(int member, String client) {
    return cluster.request(member, client, client + "-secret", "read");
  }

  private static String token(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getString("access_token");
  }

  private Config rogueConfig() {
    Config config = new Config().setClusterName(HazelcastConfigFactory.memberClusterName(cluster.options));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.getNetworkConfig().setPort(FreePorts.next()).setPortAutoIncrement(false);
    config.getJetConfig().setEnabled(false);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.options.getMembers());
    return config;
  }

  /** Overwrites every entry of token-cache's maps it can see with values of foreign types, and adds more. */
  private static void scribble(HazelcastInstance rogue) {
    for (String name : List.of(TokenMapConfig.TOKENS_MAP, TokenMapConfig.LEASES_MAP, TokenMapConfig.QUOTA_MAP,
      TokenMapConfig.CLIENTS_MAP, TokenMapConfig.META_MAP)) {
      IMap<Object, Object> map = rogue.getMap(name);
      Set<Object> keys;
      try {
        keys = map.keySet();
      } catch (RuntimeException e) {
        continue; // its own members cannot deserialize keys of some entries: it writes what it can
      }
      for (Object key : keys) {
        map.set(key, garbage());
      }
      map.set("default", garbage());
      map.set("fingerprint", garbage());
    }
  }

  private static Object garbage() {
    return switch (ThreadLocalRandom.current().nextInt(3)) {
      case 0 -> "garbage-" + ThreadLocalRandom.current().nextLong();
      case 1 -> ThreadLocalRandom.current().nextLong();
      default -> new byte[] {1, 2, 3};
    };
  }
}
