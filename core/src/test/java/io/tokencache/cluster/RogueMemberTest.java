package io.tokencache.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.impl.cluster.EncryptedToken;
import io.tokencache.impl.cluster.ForgedValues;
import io.tokencache.impl.cluster.TokenMapConfig;
import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member that joins with the tagged cluster name (it travels in clear) but has not the cluster key.
 *
 * <p>First one that is not token-cache: it cannot deserialize token-cache's operations and it writes values of
 * foreign types into every one of its maps. Then one that runs token-cache's code and knows its types, but not the
 * key: it writes well-formed values sealed under a key of its own (leases of live members for a day, a budget held
 * back for a day, a clock a year ahead, invalidations, a changed fingerprint), retags, extends and moves tokens, and
 * cannot run the owners' operations for the partitions it owns. Meanwhile the members answer 200 or 503 with
 * Retry-After, never another 5xx, never past their configured bounds and never a token the IdP did not issue for
 * that client; a new member still becomes ready; and new keys are served again within seconds of its leaving.
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

  @Test
  @DisplayName("a member with the cluster's name but not its key, writing well-formed forgeries: 200 or 503 within the bounds, no token of another client, a new member gets ready, recovery within seconds")
  void shouldSurviveAMemberWithoutTheKey() {
    idp = FakeIdp.start(idpVertx, new FakeIdpOptions().setDynamicClients(true).setQuotaRps(20)).await();
    Duration coalesce = Duration.ofSeconds(3);
    UpstreamOptions upstream = new UpstreamOptions().setTokenUrl(idp.tokenUrl()).setQuotaRps(20)
      .setFetchTimeout(Duration.ofSeconds(2)).setQuotaMaxWait(Duration.ofSeconds(1));
    cluster = TestCluster.start(2, () -> new TokenCacheOptions().setCoalesceTimeout(coalesce)
      .addUpstream(new UpstreamOptions(upstream)));
    // the longest a miss may take, whatever the cluster does (coalescing, then one fetch), and a second for the machine
    Duration bound = coalesce.plus(upstream.getFetchTimeout()).plusSeconds(1);
    Map<String, String> tokenOf = new HashMap<>();
    for (String client : List.of("cached-0", "cached-1", "victim")) {
      tokenOf.put(client, token(ask(0, client).await()));
    }

    Config config = rogueConfig();
    TokenMapConfig.apply(config, 1000, 100, 1); // token-cache's types and maps, without the key's seal
    HazelcastInstance rogue = Hazelcast.newHazelcastInstance(config);
    List<Timed> answers = new ArrayList<>();
    boolean rogueOwnsTheBudget;
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> rogue.getCluster().getMembers().size() == 3);
      for (int round = 0; round < 3; round++) {
        forge(rogue);
        for (int m = 0; m < 2; m++) {
          for (String client : List.of("cached-0", "cached-1", "victim", "during-" + round + "-" + m)) {
            answers.add(timed(m, client));
          }
        }
      }
      // its owner, or its backup: a write's backup fails on a member without the key and sends no acknowledgement,
      // so every budget reservation then waits out Hazelcast's backup timeout
      rogueOwnsTheBudget = rogue.getPartitionService().getPartition(TokenCacheOptions.DEFAULT_UPSTREAM).getOwner()
        .localMember() || rogue.getMap(TokenMapConfig.QUOTA_MAP).getLocalMapStats().getBackupEntryCount() > 0;
    } finally {
      rogue.getLifecycleService().terminate();
    }
    assertThat(answers).allSatisfy(a -> {
      assertThat(a.took).as("answered within the configured bounds").isLessThanOrEqualTo(bound);
      assertThat(a.response.statusCode()).as(a.response.bodyAsString()).isIn(200, 503);
      if (a.response.statusCode() == 503) {
        assertThat(a.response.getHeader("Retry-After")).isNotNull();
        assertThat(Long.parseLong(a.response.getHeader("Retry-After"))).as("Retry-After within maxHoldBack")
          .isLessThanOrEqualTo(upstream.getMaxHoldBack().toSeconds());
      } else {
        String token = token(a.response);
        assertThat(token).as("a token the IdP issued").matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
        tokenOf.forEach((client, known) -> {
          if (!client.equals(a.client)) {
            assertThat(token).as("%s got the token of %s", a.client, client).isNotEqualTo(known);
          }
        });
      }
    });
    if (!rogueOwnsTheBudget) {
      // The forged tokens read as absent, so every request then needs the budget: with its log on a partition the
      // rogue owns or backs up (two thirds of the runs), none can be served until it leaves, within the bounds
      // checked above.
      assertThat(answers).as("some requests were answered meanwhile").anyMatch(a -> a.response.statusCode() == 200);
    }

    // a member started after it left, with the forged fingerprint record still in the cluster, gets ready
    assertThat(cluster.addMember(() -> new TokenCacheOptions().setCoalesceTimeout(coalesce)
      .addUpstream(new UpstreamOptions(upstream)))).as("a new member started and is ready").isEqualTo(2);
    // once it is gone, new keys are served again on every member, within seconds
    for (int m = 0; m < cluster.members.size(); m++) {
      int member = m;
      await().atMost(Duration.ofSeconds(15)).until(() -> ask(member, "after-" + member).await().statusCode() == 200);
    }
    assertThat(cluster.count("token.cache.cluster.faults", "kind", "UnauthenticatedValue"))
      .as("forgeries counted").isPositive();
  }

  private record Timed(String client, HttpResponse<Buffer> response, Duration took) {
  }

  private Timed timed(int member, String client) {
    long start = System.nanoTime();
    HttpResponse<Buffer> r = ask(member, client).await();
    return new Timed(client, r, Duration.ofNanos(System.nanoTime() - start));
  }

  /** Writes well-formed forgeries into every map, and moves, retags and extends the tokens it can read. */
  private static void forge(HazelcastInstance rogue) {
    ForgedValues forged = new ForgedValues();
    List<String> live = rogue.getCluster().getMembers().stream()
      .filter(m -> !m.localMember()).map(m -> m.getUuid().toString()).toList();
    IMap<String, Object> tokens = rogue.getMap(TokenMapConfig.TOKENS_MAP);
    IMap<String, Object> leases = rogue.getMap(TokenMapConfig.LEASES_MAP);
    IMap<String, Object> invalidations = rogue.getMap(TokenMapConfig.INVALIDATIONS_MAP);
    List<String> keys = new ArrayList<>(tokens.keySet());
    List<EncryptedToken> read = new ArrayList<>();
    for (String key : keys) {
      if (tokens.get(key) instanceof EncryptedToken t) {
        read.add(t);
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      EncryptedToken other = read.isEmpty() ? null : read.get((i + 1) % read.size());
      tokens.set(key, switch (i % 4) {
        case 0 -> other != null ? other : ForgedValues.randomToken("x"); // another key's token, moved here
        case 1 -> other != null ? ForgedValues.retagged(other) : ForgedValues.randomToken("y");
        case 2 -> other != null ? ForgedValues.extended(other) : ForgedValues.randomToken("z");
        default -> ForgedValues.randomToken("w");
      });
      // leases of live members for a day, forged and replayed in the old plain form
      leases.set(key, forged.lease(key, live.get(i % live.size())));
      invalidations.set("k:" + key, forged.invalidation("k:" + key));
    }
    rogue.getMap(TokenMapConfig.QUOTA_MAP).set(TokenCacheOptions.DEFAULT_UPSTREAM, forged.budgetBlockedForADay(TokenCacheOptions.DEFAULT_UPSTREAM));
    IMap<String, Object> clients = rogue.getMap(TokenMapConfig.CLIENTS_MAP);
    for (Object tag : clients.keySet()) {
      clients.set((String) tag, forged.clientRecord((String) tag));
    }
    rogue.getMap(TokenMapConfig.CLOCK_MAP).set("cluster-clock", forged.clockAYearAhead(live.get(0)));
    rogue.getMap(TokenMapConfig.META_MAP).set("keyFingerprint", forged.fingerprint());
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
