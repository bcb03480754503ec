package io.tokencache.loadtest.simulations;

import static io.gatling.javaapi.core.CoreDsl.doIfEqualsOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.tokencache.loadtest.harness.ClusterOrchestrator;
import io.tokencache.loadtest.harness.RequestStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reusable pieces of every scenario. A token request is three steps: pick a member (round robin
 * over the members in rotation, as a load balancer would), POST the client-credentials form with
 * the feeder's credentials ({@code auth} = {@code basic}: HTTP Basic, {@code post}: form fields),
 * then record the answer in the run's {@link RequestStats}.
 *
 * <p>Session attributes used: {@code member}, and from the feeders {@code clientId},
 * {@code secret}, {@code scope}, {@code auth}.
 */
public final class Chains {

  /** The response header naming how the cache answered: HIT, MISS, COALESCED or BYPASS. */
  public static final String CACHE_HEADER = "X-Token-Cache";
  private static final String STATUS = "tc.status";
  private static final String CACHE = "tc.cache";

  private Chains() {}

  /**
   * @param cluster the orchestrator
   * @return sets {@code member} to the next member's base URL
   */
  public static ChainBuilder pickMember(ClusterOrchestrator cluster) {
    return exec(session -> session.set("member", cluster.nextBaseUrl()));
  }

  /**
   * A POST to {@code /oauth2/token}, without checks.
   *
   * @param name the request's name in the report
   * @param basic HTTP Basic ({@code client_secret_basic}) rather than form fields
   * @return the request
   */
  public static HttpRequestActionBuilder tokenRequest(String name, boolean basic) {
    HttpRequestActionBuilder request = http(name)
        .post("#{member}/oauth2/token")
        .formParam("grant_type", "client_credentials")
        .formParam("scope", "#{scope}");
    return basic
        ? request.basicAuth("#{clientId}", "#{secret}")
        : request.formParam("client_id", "#{clientId}").formParam("client_secret", "#{secret}");
  }

  /**
   * Checks of a request with valid credentials: 200, an access token, and an {@code expires_in}
   * from 1 to the IdP's token lifetime (the lifetime actually left, never more than issued).
   *
   * @param lifetimeSeconds the IdP's token lifetime
   * @return the checks
   */
  public static CheckBuilder[] validTokenChecks(long lifetimeSeconds) {
    return withRecording(
        status().is(200),
        jsonPath("$.access_token").exists(),
        jsonPath("$.expires_in").ofLong().gte(1L),
        jsonPath("$.expires_in").ofLong().lte(lifetimeSeconds));
  }

  /**
   * The recording checks (status and {@code X-Token-Cache} saved for {@link #record}) followed by
   * the given ones. The recording checks come first and never fail.
   *
   * @param checks the request's own checks
   * @return all checks
   */
  public static CheckBuilder[] withRecording(CheckBuilder... checks) {
    List<CheckBuilder> all = new ArrayList<>();
    all.add(status().saveAs(STATUS));
    all.add(header(CACHE_HEADER).optional().saveAs(CACHE));
    all.addAll(Arrays.asList(checks));
    return all.toArray(CheckBuilder[]::new);
  }

  /**
   * One token request with the feeder's credentials: pick a member, POST, check, record.
   *
   * @param name the request's name in the report
   * @param cluster the orchestrator
   * @param stats where to record
   * @param checks the request's checks, as {@link #validTokenChecks(long)} or {@link #withRecording}
   * @return the chain
   */
  public static ChainBuilder token(String name, ClusterOrchestrator cluster, RequestStats stats,
      CheckBuilder... checks) {
    return pickMember(cluster)
        .exec(doIfEqualsOrElse("#{auth}", "basic")
            .then(exec(tokenRequest(name, true).check(checks)))
            .orElse(exec(tokenRequest(name, false).check(checks))))
        .exec(record(name, stats));
  }

  /**
   * Records the last request: Gatling's KO status (the session is marked failed by a failed check
   * or a request that got no answer), the status and the cache header. Then clears them, so the
   * next request starts clean.
   *
   * @param name the request's name
   * @param stats where to record
   * @return the chain
   */
  public static ChainBuilder record(String name, RequestStats stats) {
    return exec(session -> {
      Integer status = session.contains(STATUS) ? session.getInt(STATUS) : null;
      String cache = session.contains(CACHE) ? session.getString(CACHE) : null;
      stats.record(name, session.isFailed(), status, cache);
      if (session.contains("member")) {
        stats.served(session.getString("member"), !session.isFailed());
      }
      return session.markAsSucceeded().removeAll(STATUS, CACHE);
    });
  }
}
