package io.tokencache.server;

import io.tokencache.fakeidp.FakeIdp;
import io.tokencache.fakeidp.FakeIdpOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two server jars, each in a network namespace of its own that this test makes ({@code ip netns}, veth pairs), the
 * link between them cut ({@code ip link set ... down}) and restored: during the split, both sides together stay
 * within the quota at the IdP; after the merge, a client invalidated on one side during the split stays
 * invalidated on both.
 *
 * <p>Addresses are ours only: the members talk over a veth pair ({@value #CLUSTER_NET}.1 and .2), and each
 * namespace reaches the test's fake IdP and is reached by the test through a bridge in the root namespace, on a
 * 10.214.x.0/24 no interface of the host uses (x.1 is the IdP's only address; the servers are at x.2 and x.3). Skipped when {@code ip netns} cannot be
 * used (not root, no iproute2). Everything is removed in {@link #cleanUp}, even on failure.
 */
class SplitBrainProcessesIT {

  /** Inside the test's namespaces only: the same in every run. */
  private static final String CLUSTER_NET = "10.213.0";
  /** In the root namespace: one /24 per run, unused on this host, so runs at the same time do not meet. */
  private static String EDGE_NET;
  private static final int QUOTA = 4;
  /** What the member that merged logs once it read the cluster's invalidations (InvalidationLog). */
  private static final String MERGED_LINE = "merged with the rest of the cluster after a split";
  private static final int CLUSTER_PORT = 5701;
  private static final int HTTP_PORT = 8080;
  private static final String ADMIN_TOKEN = "split-brain-admin-token-" + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 6);
  private static final String NS_A = "tcsa-" + SUFFIX;
  private static final String NS_B = "tcsb-" + SUFFIX;
  private static final String BRIDGE = "tcbr" + SUFFIX;
  /** The cut link's ends: in A and in B. */
  private static final String LINK_A = "tcla" + SUFFIX;
  private static final String LINK_B = "tclb" + SUFFIX;

  private static boolean namespacesMade;
  private static Vertx vertx;
  private static FakeIdp idp;
  private static final List<ServerProcess> servers = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    Assumptions.assumeTrue(ipNetnsUsable(), "ip netns is not usable here (needs root and iproute2): skipping the "
      + "split of server processes in network namespaces");
    EDGE_NET = unusedEdgeNet();
    namespacesMade = true;
    ip("netns", "add", NS_A);
    ip("netns", "add", NS_B);
    // the link between the members, the one the test cuts
    ip("link", "add", LINK_A, "netns", NS_A, "type", "veth", "peer", "name", LINK_B, "netns", NS_B);
    ip("-n", NS_A, "addr", "add", CLUSTER_NET + ".1/24", "dev", LINK_A);
    ip("-n", NS_B, "addr", "add", CLUSTER_NET + ".2/24", "dev", LINK_B);
    // the edge: a bridge in the root namespace, the IdP's and the test's side
    ip("link", "add", BRIDGE, "type", "bridge");
    ip("addr", "add", EDGE_NET + ".1/24", "dev", BRIDGE);
    ip("link", "set", BRIDGE, "up");
    int host = 2;
    for (String ns : List.of(NS_A, NS_B)) {
      String root = "tce" + host + SUFFIX;
      ip("link", "add", root, "type", "veth", "peer", "name", "edge", "netns", ns);
      ip("link", "set", root, "master", BRIDGE);
      ip("link", "set", root, "up");
      ip("-n", ns, "addr", "add", EDGE_NET + "." + host + "/24", "dev", "edge");
      ip("-n", ns, "link", "set", "edge", "up");
      ip("-n", ns, "link", "set", "lo", "up");
      host++;
    }
    ip("-n", NS_A, "link", "set", LINK_A, "up");
    ip("-n", NS_B, "link", "set", LINK_B, "up");

    vertx = Vertx.vertx();
    idp = FakeIdp.start(vertx, new FakeIdpOptions().setHost(EDGE_NET + ".1").setPort(0).setDynamicClients(true)
      .setQuotaRps(QUOTA)).await();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String members = CLUSTER_NET + ".1:" + CLUSTER_PORT + "," + CLUSTER_NET + ".2:" + CLUSTER_PORT;
    String clusterName = "split-" + SUFFIX;
    int n = 1;
    for (String ns : List.of(NS_A, NS_B)) {
      Map<String, String> env = new HashMap<>();
      env.put("TOKEN_CACHE_UPSTREAM_TOKEN_URL", idp.tokenUrl());
      env.put("TOKEN_CACHE_UPSTREAM_QUOTA_RPS", Integer.toString(QUOTA));
      env.put("TOKEN_CACHE_CLUSTER_NAME", clusterName);
      env.put("TOKEN_CACHE_CLUSTER_HOST", CLUSTER_NET + "." + n);
      env.put("TOKEN_CACHE_CLUSTER_PORT", Integer.toString(CLUSTER_PORT));
      env.put("TOKEN_CACHE_CLUSTER_MEMBERS", members);
      env.put("TOKEN_CACHE_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key));
      env.put("TOKEN_CACHE_ADMIN_TOKEN", ADMIN_TOKEN);
      env.put("TOKEN_CACHE_HTTP_HOST", EDGE_NET + "." + (n + 1));
      servers.add(ServerProcess.start(List.of("ip", "netns", "exec", ns), HTTP_PORT, env));
      n++;
    }
    for (ServerProcess s : servers) {
      s.awaitReady(Duration.ofSeconds(60));
    }
    awaitMembers(2, Duration.ofSeconds(30));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    for (ServerProcess s : servers) {
      s.kill();
    }
    // the build reruns a failed test in this JVM, @BeforeAll included: start it from an empty list
    servers.clear();
    if (idp != null) {
      idp.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (namespacesMade) {
      // deleting a namespace deletes the veth ends in it, and so their peers
      quietly("netns", "del", NS_A);
      quietly("netns", "del", NS_B);
      quietly("link", "del", BRIDGE);
    }
  }

  @Test
  @DisplayName("two server processes in their own network namespaces, the link between them cut: at most Q in a sliding second at the IdP from both sides; after the link is restored and the sides merge, a client invalidated during the split stays invalidated")
  void shouldKeepTheQuotaAndTheInvalidationAcrossACutLink() throws Exception {
    String invalidated = token(servers.get(0), "inv");

    ip("-n", NS_A, "link", "set", LINK_A, "down");
    ip("-n", NS_B, "link", "set", LINK_B, "down");
    awaitMembers(1, Duration.ofSeconds(30));
    idp.resetCounters();

    // both sides asked for new keys, far beyond the quota
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    for (int i = 0; System.nanoTime() < end; i++) {
      for (int side = 0; side < 2; side++) {
        all.add(HTTP.sendAsync(tokenRequest(servers.get(side), "k" + side + "-" + i), HttpResponse.BodyHandlers.ofString()));
      }
      Thread.sleep(100);
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(60, TimeUnit.SECONDS);
    int maxInASecond = idp.maxRequestsInAnyWindow(Duration.ofSeconds(1));
    int throttled = idp.throttled();
    int calls = idp.tokenRequests();

    // an operator invalidates the client on side B; side A still serves its copy (it cannot know)
    HttpResponse<String> invalidate = HTTP.send(HttpRequest.newBuilder(
        URI.create(servers.get(1).baseUrl() + "/admin/clients/inv/invalidate?upstream=default"))
      .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(invalidate.statusCode()).as(invalidate.body()).isBetween(200, 299);
    assertThat(token(servers.get(0), "inv")).isEqualTo(invalidated);

    ip("-n", NS_A, "link", "set", LINK_A, "up");
    ip("-n", NS_B, "link", "set", LINK_B, "up");
    // Hazelcast looks for the other side every 30 s; then the side it merges rejoins (both see 2 members) and
    // merges its entries into the other, which brings the invalidation over; "merged" is logged once it is done
    awaitMembers(2, Duration.ofSeconds(45));
    awaitLog(MERGED_LINE, Duration.ofSeconds(30));

    for (ServerProcess s : servers) {
      assertThat(token(s, "inv")).as("after the merge, at %s", s.baseUrl()).isNotEqualTo(invalidated);
    }
    assertThat(calls).as("upstream calls during the split").isPositive();
    assertThat(throttled).as("upstream 429 during the split").isZero();
    assertThat(maxInASecond).as("upstream calls in one sliding second from both sides").isLessThanOrEqualTo(QUOTA);
  }

  private static String token(ServerProcess s, String client) throws Exception {
    HttpResponse<String> r = HTTP.send(tokenRequest(s, client), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getString("access_token");
  }

  private static HttpRequest tokenRequest(ServerProcess s, String client) {
    String basic = Base64.getEncoder().encodeToString((client + ":" + client + "-secret")
      .getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(s.baseUrl() + "/oauth2/token"))
      .timeout(Duration.ofSeconds(20))
      .header("Authorization", "Basic " + basic)
      .header("Content-Type", "application/x-www-form-urlencoded")
      .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=read")).build();
  }

  /** Waits until one server's log has {@code line}: the servers log to files, read as they grow. */
  private static void awaitLog(String line, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (servers.stream().noneMatch(s -> logOf(s).contains(line))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no member logged \"" + line + "\" within " + timeout + ":\n"
          + servers.get(0).log() + "\n---\n" + servers.get(1).log());
      }
      Thread.sleep(250);
    }
  }

  private static String logOf(ServerProcess s) {
    try {
      return s.log();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitMembers(int expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      for (ServerProcess s : servers) {
        all &= members(s) == expected;
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the members did not see " + expected + " members within " + timeout + ":\n"
          + servers.get(0).log() + "\n---\n" + servers.get(1).log());
      }
      Thread.sleep(250);
    }
  }

  private static int members(ServerProcess s) throws Exception {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/health/ready"))
        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      JsonObject body = new JsonObject(r.body());
      return body.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals("cluster"))
        .mapToInt(c -> c.getJsonObject("data", new JsonObject()).getInteger("members", 0)).findFirst().orElse(0);
    } catch (IOException | RuntimeException notAnswering) {
      return -1;
    }
  }

  private static String unusedEdgeNet() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ip", "-o", "-4", "addr", "show").redirectErrorStream(true).start();
    String used = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    for (int tries = 0; tries < 100; tries++) {
      String net = "10.214." + (1 + new SecureRandom().nextInt(250));
      if (!used.contains(" " + net + ".")) {
        return net;
      }
    }
    throw new IllegalStateException("no unused 10.214.x.0/24 for the test's bridge");
  }

  private static boolean ipNetnsUsable() {
    String probe = "tcprobe-" + SUFFIX;
    try {
      if (run("ip", "netns", "add", probe) != 0) {
        return false;
      }
      run("ip", "netns", "del", probe);
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }

  private static void quietly(String... args) {
    try {
      ip(args);
    } catch (Exception ignored) {
      // cleaning up what may not exist
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
