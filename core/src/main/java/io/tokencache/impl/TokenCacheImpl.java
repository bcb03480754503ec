package io.tokencache.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokencache.CacheHealth;
import io.tokencache.CacheStats;
import io.tokencache.CacheStatus;
import io.tokencache.TokenCache;
import io.tokencache.TokenCacheException;
import io.tokencache.TokenCacheOptions;
import io.tokencache.TokenRequest;
import io.tokencache.TokenResponse;
import io.tokencache.UpstreamOptions;
import io.tokencache.impl.store.FetchLeases;
import io.tokencache.impl.store.LocalTokenStore;
import io.tokencache.impl.store.TokenStore;
import com.hazelcast.core.HazelcastInstance;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.cluster.TokenCacheCluster;
import io.tokencache.impl.admission.Admission;
import io.tokencache.impl.admission.AdmissionPolicy;
import io.tokencache.impl.admission.CredentialLedger;
import io.tokencache.impl.admission.LocalCredentialLedger;
import io.tokencache.impl.cluster.ClusterClock;
import io.tokencache.impl.cluster.HazelcastClientLedger;
import io.tokencache.impl.cluster.HazelcastQuotaGate;
import io.tokencache.impl.cluster.HazelcastTokenStore;
import io.tokencache.impl.cluster.ClusterLeases;
import io.tokencache.impl.cluster.InvalidationHoldingStore;
import io.tokencache.impl.cluster.ValueSeal;
import io.tokencache.impl.cluster.InvalidationLog;
import io.tokencache.impl.cluster.TokenCipher;
import io.tokencache.impl.quota.Lane;
import io.tokencache.impl.quota.LocalQuotaGate;
import io.tokencache.impl.quota.QuotaGate;
import io.tokencache.impl.upstream.ResilientUpstream;
import io.tokencache.impl.upstream.UpstreamClient;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The engine: look up, serve, refresh ahead, coalesce misses on this member and across the cluster.
 *
 * <p>A request's path: key (HMAC of the canonical request) -> store lookup -> servable: answer, and past
 * the refresh point start one background refresh -> otherwise join this member's in-flight fetch for the
 * key, or lead it: take the key's cluster lease, ask the ledger what these credentials may do (known or unknown
 * lane, a refusal to replay, the guessing and key bounds) and fetch in that lane of the budget, or wait for the
 * member holding the lease to store the token -> answer with {@code expires_in} rewritten to the time left.
 *
 * <p>Refreshes run in the budget's highest lane under their own flight key, so a miss never joins a refresh
 * (which may end by keeping the old token) and a flood of first fetches cannot take their slots.
 *
 * <p>Over the usual size because the hit, the miss and the refresh share their coordination (the single flights,
 * the key's lease, a miss waiting for a refresh on its way): each path's correctness is argued against the others'
 * here, in one place. The upstream call and its outcomes live in {@link UpstreamFetcher}.
 */
public final class TokenCacheImpl implements TokenCache {

  private static final Logger LOG = LoggerFactory.getLogger(TokenCacheImpl.class);
  /** After a failed background refresh, wait this fraction of the token's lifetime before trying again. */
  private static final double REFRESH_RETRY_FRACTION = 0.05;
  private static final long MIN_REFRESH_RETRY_MILLIS = 1000;
  /** A key's refresh runs as this member's single flight under this prefix and the key. */
  private static final String REFRESH_FLIGHT = "refresh:";

  private final Clock clock;
  private final CacheKeys keys;
  private final Vertx vertx;
  private final TokenStore store;
  /** Cluster-wide single flight; null on a single member, where local single flight coalesces a key's misses. */
  private final FetchLeases leases;
  private final Map<String, ResilientUpstream> upstreams;
  private final Map<String, AdmissionPolicy> admissions = new HashMap<>();
  private final CredentialLedger ledger;
  private final UpstreamFetcher fetcher;
  private final Duration coalesceTimeout;
  private final CacheMetrics metrics;
  private final SingleFlight<String, Fetched> fetches = new SingleFlight<>();
  private final ClusterFaults clusterFaults = new ClusterFaults();
  /**
   * Refresh leases this member saw taken by another member, so its hits do not ask the cluster again on
   * every request until the refreshed token reaches them.
   */
  private final Cache<String, Boolean> refreshesElsewhere = Caffeine.newBuilder()
    .expireAfterWrite(Duration.ofSeconds(1)).maximumSize(100_000).executor(Runnable::run).build();

  /** A token obtained for a miss, and whether this member fetched it from the upstream. */
  private record Fetched(CachedToken token, boolean fromUpstream) {
  }

  public TokenCacheImpl(Vertx vertx, TokenCacheOptions options, CacheKeys keys, TokenStore store,
                        CredentialLedger ledger, Map<String, ResilientUpstream> upstreams) {
    this(vertx, options, options.getClock(), keys, store, null, ledger, upstreams);
  }

  /**
   * @param tokenClock the clock of every token's times (issue, refresh, serve-until): in a cluster the
   *     {@link ClusterClock}, so members whose own clocks disagree measure a token's age alike
   */
  public TokenCacheImpl(Vertx vertx, TokenCacheOptions options, Clock tokenClock, CacheKeys keys, TokenStore store,
                        FetchLeases leases, CredentialLedger ledger, Map<String, ResilientUpstream> upstreams) {
    this.vertx = vertx;
    this.clock = tokenClock;
    this.keys = keys;
    this.store = store;
    this.leases = leases;
    this.ledger = ledger;
    this.upstreams = upstreams;
    upstreams.forEach((id, u) -> admissions.put(id, Policies.admission(u.options())));
    this.fetcher = new UpstreamFetcher(clock, new ExpiryPolicy(options));
    this.coalesceTimeout = options.getCoalesceTimeout();
    this.metrics = new CacheMetrics(options.getMeterRegistry());
    metrics.entries(store::size);
  }

  /** A cache whose tokens stay in this process (no cluster). */
  public static Future<TokenCache> create(Vertx vertx, TokenCacheOptions options) {
    byte[] pepper = new byte[32];
    new SecureRandom().nextBytes(pepper);
    TokenStore store = new LocalTokenStore(options.getMaxEntries(), options.getClock());
    return Future.succeededFuture(new TokenCacheImpl(vertx, options, new CacheKeys(pepper), store,
      new LocalCredentialLedger(options.getClock(), options.getMaxEntries()),
      upstreams(vertx, options, u -> new LocalQuotaGate(Policies.budget(u), options.getClock()))));
  }

  /** A cache sharing tokens, leases and budgets through the Hazelcast member behind a clustered Vert.x. */
  public static Future<TokenCache> createClustered(Vertx vertx, TokenCacheOptions options, ClusterOptions cluster) {
    HazelcastInstance hz = TokenCacheCluster.hazelcastOf(vertx);
    if (hz == null) {
      return Future.failedFuture(new IllegalStateException("Vert.x is not clustered with Hazelcast"));
    }
    TokenCipher cipher;
    if (cluster.hasEncryptionKey()) {
      cipher = TokenCipher.fromBase64(cluster.getEncryptionKey());
    } else {
      LOG.warn("no encryption key configured: using an ephemeral one; no other member will be able to join");
      cipher = TokenCipher.generateEphemeral();
    }
    Clock clock = options.getClock();
    HazelcastQuotaGate.registerOwnerClock(hz, clock);
    ValueSeal seal = ValueSeal.register(hz, cipher.valueSeal());
    // Tokens and client records are timed on the cluster clock, whose keeper changes only ever move it forward.
    // The budget stays on its owner's own clock: a forward jump would empty its windows at once.
    return ClusterClock.start(vertx, hz, clock).compose(clusterClock -> HazelcastTokenStore.create(vertx, hz, cipher,
        clusterClock, cluster.getDecryptedMaxEntries())
      .compose(tokens -> {
        // The invalidation log's start and the leases' listener registrations each wait for every member: run
        // them side by side, since a member joining a spike is of no use until both are done. Nothing is served
        // before both are, so the leases may ask the log through a reference set when it is started.
        AtomicReference<InvalidationLog> log = new AtomicReference<>();
        Future<InvalidationLog> invalidations = InvalidationLog.start(vertx, hz, clusterClock, options.getMaxLifetime())
          .onSuccess(log::set);
        Future<ClusterLeases> leases = ClusterLeases.start(vertx, hz, tokens, clusterClock,
          (key, token) -> log.get() != null && log.get().refuses(key, token));
        return Future.join(invalidations, leases)
          .map(started -> {
            TokenCacheImpl cache = new TokenCacheImpl(vertx, options, clusterClock, new CacheKeys(cipher.derivePepper()),
              new InvalidationHoldingStore(tokens, invalidations.result()), leases.result(),
              new HazelcastClientLedger(vertx, hz, clusterClock), upstreams(vertx, options,
                u -> new HazelcastQuotaGate(vertx, hz, u.getId(), Policies.budget(u), clock, options.getMeterRegistry())));
            seal.onRefused(cache.metrics::unauthenticatedValue);
            return (TokenCache) cache;
          })
          .onFailure(err -> {
            if (invalidations.succeeded()) {
              invalidations.result().close();
            }
            if (leases.succeeded()) {
              leases.result().close();
            }
            tokens.close();
          });
      })
      .onFailure(err -> clusterClock.close()));
  }

  /** One protected HTTP client per configured upstream, each behind its budget gate. */
  public static Map<String, ResilientUpstream> upstreams(Vertx vertx, TokenCacheOptions options,
                                                        Function<UpstreamOptions, QuotaGate> gates) {
    Map<String, ResilientUpstream> clients = new LinkedHashMap<>();
    for (UpstreamOptions u : options.getUpstreams().values()) {
      clients.put(u.getId(), new ResilientUpstream(vertx, new UpstreamClient(vertx, u), gates.apply(u),
        options.getClock(), options.getMeterRegistry()));
    }
    return clients;
  }

  @Override
  public Future<TokenResponse> getToken(TokenRequest request) {
    Future<TokenResponse> answer = lookup(request);
    if (answer.succeeded()) {
      // a hit: counted in place, without one more future
      count(answer);
      return answer;
    }
    return answer.recover(this::degrade).andThen(this::count);
  }

  /** A failure that is the cluster's fault becomes a 503 with Retry-After; any other one stays as it is. */
  private Future<TokenResponse> degrade(Throwable error) {
    String kind = ClusterFaults.kindOf(error);
    if (kind == null) {
      return Future.failedFuture(error);
    }
    metrics.clusterFault(kind);
    return Future.failedFuture(clusterFaults.answer(kind));
  }

  private void count(AsyncResult<TokenResponse> ar) {
    if (ar.succeeded()) {
      metrics.answered(ar.result().cacheStatus());
    } else {
      metrics.failed();
    }
  }

  private Future<TokenResponse> lookup(TokenRequest request) {
    ResilientUpstream upstream = upstreams.get(request.upstream());
    if (upstream == null) {
      return Future.failedFuture(TokenCacheException.invalidRequest("unknown upstream '" + request.upstream() + "'"));
    }
    if (request instanceof TokenRequest.PassThrough raw) {
      return fetcher.passThrough(upstream, raw,
        raw.clientId() == null ? null : keys.clientTagOf(raw.upstream(), raw.clientId()));
    }
    return cached((TokenRequest.ClientCredentials) request, upstream);
  }

  private Future<TokenResponse> cached(TokenRequest.ClientCredentials request, ResilientUpstream upstream) {
    String key = keys.keyOf(request);
    Context caller = Vertx.currentContext();
    Future<CachedToken> stored = store.get(key);
    if (!stored.succeeded()) {
      return stored.compose(token -> serve(key, request, upstream, caller, token));
    }
    // a near-cache hit is already there: answered without composing futures, failing as compose would
    try {
      return serve(key, request, upstream, caller, stored.result());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Answers from {@code token} when it is servable (a hit), else joins or leads the fetch for {@code key}. */
  private Future<TokenResponse> serve(String key, TokenRequest.ClientCredentials request, ResilientUpstream upstream,
                                      Context caller, CachedToken token) {
    long now = clock.millis();
    if (token != null && token.servable(now)) {
      if (token.refreshDue(now)) {
        refreshAhead(key, request, token, upstream);
      }
      return Future.succeededFuture(answer(token, now, CacheStatus.HIT));
    }
    // A token still held but past serving is one in use whose refreshes did not land: fetched in the refresh lane,
    // and not beside a refresh of it still on its way (afterRefresh).
    long start = System.nanoTime();
    Fetch fetch = new Fetch(keys, request, upstream, key, token != null ? Lane.REFRESH : null,
      start + coalesceTimeout.toNanos());
    SingleFlight.Flight<Fetched> flight = fetches.run(key, () -> afterRefresh(fetch));
    Future<Fetched> result = flight.leader() ? flight.future() : onContext(flight.future(), caller);
    long answerBy = start + coalesceTimeout.toNanos() + upstream.options().getFetchTimeout().toNanos();
    return answeredBy(result, answerBy).map(f -> answer(f.token(), clock.millis(),
      flight.leader() && f.fromUpstream() ? CacheStatus.MISS : CacheStatus.COALESCED));
  }

  /**
   * {@code result}, or a 503 once {@code deadline} (a {@code System.nanoTime()}) passed: a miss waits for another
   * member's fetch at most {@code coalesceTimeout} and then fetches within the upstream's {@code fetchTimeout}, so
   * its answer never comes later than their sum, whatever the cluster's members do or fail to answer (a member that
   * never acknowledges its backups, an owner that never answers). The fetch goes on, and its token is kept.
   */
  private <T> Future<T> answeredBy(Future<T> result, long deadline) {
    if (result.isComplete()) {
      return result;
    }
    Promise<T> answer = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
      id -> answer.tryFail(TokenCacheException.temporarilyUnavailable(
        "the token could not be obtained in time; retry shortly", 1)));
    result.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        answer.tryComplete(ar.result());
      } else {
        answer.tryFail(ar.cause());
      }
    });
    return answer.future();
  }

  private TokenResponse answer(CachedToken token, long now, CacheStatus status) {
    return token.tokenInBody()
      ? TokenResponse.cached(status, token.accessToken(), token.body(), token.expiresInSeconds(now))
      : TokenResponse.cachedWithoutTokenInBody(status, token.accessToken(), token.body(), token.expiresInSeconds(now));
  }

  private boolean usable(CachedToken token) {
    return token != null && token.servable(clock.millis());
  }

  /**
   * A miss for a key whose refresh is still on its way (a slow IdP, a budget wait: its token passed serving before
   * the new one landed) waits for that refresh instead of fetching the key a second time. A refresh running here is
   * joined; one running on another member holds the key's lease while it fetches ({@link #refreshAhead}), so the
   * miss waits for it there.
   */
  private Future<Fetched> afterRefresh(Fetch fetch) {
    Future<Fetched> refresh = fetches.running(REFRESH_FLIGHT + fetch.key);
    if (refresh == null) {
      return fetchOnce(fetch);
    }
    return refresh.transform(ar -> ar.succeeded() && usable(ar.result().token())
      ? Future.succeededFuture(new Fetched(ar.result().token(), false))
      : fetchOnce(fetch));
  }

  /**
   * Cluster-wide single flight for a miss: the member holding the key's lease fetches; the others wait for
   * its token, and try again if the lease goes away without one (the fetch failed or the member died).
   *
   * <p>Before the upstream call a cold miss makes three round trips, none of them twice: its first look at the token
   * (in {@link #cached}), the lease with the ledger's admission beside it, and the budget. The admission is asked
   * before it is known whether this member leads: a member that ends up waiting has asked it for nothing (one ledger
   * write per member and key), where asking after the lease would be a fourth step on every miss. A token stored by
   * another member between the first look and the lease is told by the lease itself ({@link FetchLeases.Claim#STORED}).
   */
  private Future<Fetched> fetchOnce(Fetch fetch) {
    if (leases == null) {
      return lead(fetch);
    }
    Future<FetchLeases.Claim> claim = leases.claim(fetch.key, leaseTtl(fetch.upstream), true);
    Future<Admission> admission = admit(fetch);
    return Future.join(claim, admission).transform(done -> claim.failed()
      ? Future.failedFuture(claim.cause())
      : afterClaim(fetch, claim.result(), admission));
  }

  private Future<Fetched> afterClaim(Fetch fetch, FetchLeases.Claim claim, Future<Admission> admission) {
    switch (claim) {
      case TAKEN -> {
        if (admission.failed()) {
          leases.releaseLease(fetch.key);
          return Future.failedFuture(admission.cause());
        }
        // given back once the token is stored (waiters are woken by the token itself), without holding the answer
        return admitted(fetch, admission.result()).compose(v -> fetchAndStore(fetch)).map(t -> new Fetched(t, true))
          .onComplete(done -> giveBack(fetch, done.succeeded() ? done.result().token() : null));
      }
      case STORED -> {
        // another member stored the token after our first look: read it (a miss's second look, in a race only)
        return leases.readStored(fetch.key).compose(token -> usable(token)
          ? Future.succeededFuture(new Fetched(token, false))
          // removed since (an invalidation): the marker stands for nothing, take the lease past it
          : leases.claim(fetch.key, leaseTtl(fetch.upstream), false).compose(c -> afterClaim(fetch, c, admission)));
      }
      default -> {
        long left = fetch.deadline - System.nanoTime();
        if (left <= 0) {
          return Future.failedFuture(TokenCacheException.temporarilyUnavailable(
            "timed out waiting for another member to fetch the token", 1));
        }
        return leases.awaitUpdate(fetch.key, fetch.key, Duration.ofNanos(left)).compose(token -> usable(token)
          ? Future.succeededFuture(new Fetched(token, false))
          : fetchOnce(fetch));
      }
    }
  }

  /** Gives the key's lease back, leaving a stored marker while {@code stored} (the token kept) can be served. */
  private void giveBack(Fetch fetch, CachedToken stored) {
    long now = clock.millis();
    if (stored != null && stored.servable(now)) {
      // as long as a miss may take between its first look and its lease, and no longer than the token is served
      leases.releaseStored(fetch.key, Duration.ofMillis(Math.min(leaseTtl(fetch.upstream).toMillis(),
        stored.serveUntil() - now)));
    } else {
      leases.releaseLease(fetch.key);
    }
  }

  private Future<Admission> admit(Fetch fetch) {
    return ledger.admit(admissions.get(fetch.request.upstream()), fetch.clientTag(), fetch.secretTag(), fetch.key);
  }

  /**
   * The fetch of a member without a cluster. Another flight may have stored the token between our first look and
   * this one; the ledger is asked at the same time.
   */
  private Future<Fetched> lead(Fetch fetch) {
    Future<CachedToken> existing = store.get(fetch.key);
    Future<Admission> admission = admit(fetch);
    return Future.all(existing, admission)
      .compose(both -> usable(existing.result())
        ? Future.succeededFuture(new Fetched(existing.result(), false))
        : admitted(fetch, admission.result()).compose(v -> fetchAndStore(fetch)).map(t -> new Fetched(t, true)));
  }

  /** Sets the fetch's lane from the ledger's verdict, or fails with the answer given here instead of upstream. */
  private Future<Void> admitted(Fetch fetch, Admission admission) {
    switch (admission.verdict()) {
      case KNOWN, UNKNOWN -> {
        if (fetch.lane() == null) {
          fetch.lane(admission.verdict() == Admission.Verdict.KNOWN ? Lane.KNOWN : Lane.UNKNOWN);
        }
        return Future.succeededFuture();
      }
      case REJECTED -> {
        metrics.negativeHit();
        return Future.failedFuture(Rejection.toException(admission.rejection()));
      }
      case GUESS_LIMITED -> {
        metrics.admissionRefused("guess_limited");
        return Future.failedFuture(TokenCacheException.invalidClient(
          "client authentication failed (secrets of this client were refused recently; try again later)"));
      }
      case GUESS_PENDING -> {
        metrics.admissionRefused("guess_pending");
        return Future.failedFuture(TokenCacheException.temporarilyUnavailable(
          "another secret of this client is being checked with the identity provider; retry shortly", 1));
      }
      default -> {
        metrics.admissionRefused("too_many_keys");
        return Future.failedFuture(TokenCacheException.invalidRequest("this client already holds the most distinct "
          + "tokens allowed (scope, audience and resource combinations); reuse one, or ask the operator to raise "
          + "maxKeysPerClient"));
      }
    }
  }

  /** Fetches in the fetch's lane, stores a token and tells the ledger what the upstream said of the credentials. */
  private Future<CachedToken> fetchAndStore(Fetch fetch) {
    AdmissionPolicy policy = admissions.get(fetch.request.upstream());
    return fetcher.fetch(fetch).compose(outcome -> {
      if (outcome instanceof FetchOutcome.Issued issued) {
        CachedToken token = issued.token();
        Future<Void> learnt = ledger.accepted(policy, fetch.clientTag(), fetch.secretTag(), fetch.key, token.serveUntil());
        // A token already under its minimum lifetime is handed to this caller but not kept.
        Future<Void> stored = token.servable(clock.millis()) ? store.put(fetch.key, token) : Future.succeededFuture();
        return Future.all(stored, learnt.recover(err -> Future.succeededFuture())).map(token);
      }
      if (outcome instanceof FetchOutcome.Refused refused) {
        Rejection rejection = refused.credentials();
        if (rejection == null) {
          return abandoned(fetch, policy).transform(v -> Future.failedFuture(refused.answer()));
        }
        // remembered before the lease is released, so waiters on other members find it; a refresh refused this way
        // means the credentials were revoked: their token is not served on until it expires
        Future<Void> remembered = ledger.rejected(policy, fetch.clientTag(), fetch.secretTag(), fetch.key, rejection,
          fetch.upstream.options().getNegativeCacheTtl().toMillis());
        Future<?> revoked = fetch.lane() == Lane.REFRESH ? store.remove(fetch.key) : Future.succeededFuture();
        return Future.all(remembered, revoked).transform(v -> Future.failedFuture(refused.answer()));
      }
      return abandoned(fetch, policy).transform(v -> Future.failedFuture(((FetchOutcome.Unavailable) outcome).error()));
    });
  }

  /** A miss that got no token no longer holds one of its client's keys; a refresh's key keeps its token. */
  private Future<Void> abandoned(Fetch fetch, AdmissionPolicy policy) {
    if (fetch.lane() == Lane.REFRESH) {
      return Future.succeededFuture();
    }
    return ledger.abandoned(policy, fetch.clientTag(), fetch.key).recover(err -> Future.succeededFuture());
  }

  /**
   * Starts one background refresh, cluster-wide, unless one runs; the current token keeps being served.
   *
   * <p>The refresh lease is named after the token generation it replaces and is kept after a successful
   * refresh: a member whose near cache still shows the old generation cannot refresh it a second time.
   */
  private void refreshAhead(String key, TokenRequest.ClientCredentials request, CachedToken current,
                            ResilientUpstream upstream) {
    String leaseKey = generationLease(key, current);
    String flightKey = REFRESH_FLIGHT + key;
    if (fetches.isRunning(flightKey) || refreshesElsewhere.getIfPresent(leaseKey) != null) {
      return;
    }
    Fetch fetch = new Fetch(keys, request, upstream, key, Lane.REFRESH, System.nanoTime() + coalesceTimeout.toNanos());
    SingleFlight.Flight<Fetched> flight = fetches.run(flightKey, () -> refreshLease(leaseKey, current)
      .compose(acquired -> acquired
        ? refreshHoldingTheKey(fetch, current, leaseKey).onFailure(err -> {
          if (leases != null) {
            leases.releaseLease(leaseKey);
          }
        })
        : Future.succeededFuture(new Fetched(current, false)).onSuccess(f -> refreshesElsewhere.put(leaseKey, true))));
    if (flight.leader()) {
      metrics.refreshStarted();
      flight.future().onFailure(err -> {
        metrics.refreshFailed();
        long lifetime = current.expiresAt() - current.issuedAt();
        long retryAt = clock.millis() + Math.max(MIN_REFRESH_RETRY_MILLIS, (long) (lifetime * REFRESH_RETRY_FRACTION));
        LOG.warn("background refresh failed for upstream '{}': {}; serving the current token until it is due",
          request.upstream(), err.getMessage());
        if (Rejection.of(err) == null) {
          // Postponing the refresh point inside the entry keeps every later hit from retrying at once.
          store.replace(key, current, current.withRefreshAt(retryAt));
        }
      });
    }
  }

  /**
   * The refresh's fetch, holding the key's own lease meanwhile, as a miss's fetch does: a miss elsewhere whose token
   * passes serving before the refresh lands waits for it rather than fetching beside it. Should a miss already be
   * fetching the key, the refresh is left to it (and the generation's lease given back, should that miss fail).
   */
  private Future<Fetched> refreshHoldingTheKey(Fetch fetch, CachedToken current, String generationLease) {
    if (leases == null) {
      return fetchAndStore(fetch).map(t -> new Fetched(t, true));
    }
    return leases.tryLease(fetch.key, leaseTtl(fetch.upstream)).compose(acquired -> {
      if (acquired) {
        return fetchAndStore(fetch).map(t -> new Fetched(t, true)).onComplete(done -> leases.releaseLease(fetch.key));
      }
      leases.releaseLease(generationLease);
      return Future.succeededFuture(new Fetched(current, false));
    });
  }

  /** The name of the lease on refreshing {@code token}'s generation of {@code key}. */
  private static String generationLease(String key, CachedToken token) {
    return key + "@" + token.issuedAt();
  }

  /** The refresh lease of a token generation: always this member's without a cluster. */
  private Future<Boolean> refreshLease(String leaseKey, CachedToken current) {
    return leases == null ? Future.succeededFuture(true) : leases.tryLease(leaseKey, refreshLeaseTtl(current));
  }

  /**
   * Long enough for one whole upstream fetch. A member that dies holding it delays the others' misses until the
   * cluster declares it dead (its lease is then taken over), or this long at most.
   */
  private static Duration leaseTtl(ResilientUpstream upstream) {
    return upstream.options().getFetchTimeout().plusSeconds(1);
  }

  /** Until the replaced generation can no longer be served: nobody needs to refresh it after that. */
  private Duration refreshLeaseTtl(CachedToken current) {
    return Duration.ofMillis(Math.max(1000, current.serveUntil() - clock.millis()));
  }

  /** Completes on {@code context} (a waiter's own event loop), whichever thread completes {@code future}. */
  private static <T> Future<T> onContext(Future<T> future, Context context) {
    if (context == null) {
      return future;
    }
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }

  @Override
  public Future<Boolean> invalidate(TokenRequest request) {
    return request instanceof TokenRequest.ClientCredentials credentials
      ? store.remove(keys.keyOf(credentials))
      : Future.succeededFuture(false);
  }

  @Override
  public Future<Integer> invalidateClient(String upstream, String clientId) {
    return store.removeByClientTag(keys.clientTagOf(upstream, clientId));
  }

  @Override
  public CacheHealth health() {
    Map<String, CacheHealth.Upstream> states = new LinkedHashMap<>();
    Double share = null;
    for (Map.Entry<String, ResilientUpstream> e : upstreams.entrySet()) {
      states.put(e.getKey(), e.getValue().health());
      // every upstream's gate shares one membership: any of them tells the share
      share = e.getValue().quotaShare();
    }
    return new CacheHealth(states, share);
  }

  @Override
  public CacheStats stats() {
    Map<String, CacheStats.Upstream> counts = new LinkedHashMap<>();
    upstreams.forEach((id, upstream) -> counts.put(id, upstream.stats()));
    return metrics.stats(counts);
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = upstreams.values().stream().map(ResilientUpstream::close).collect(Collectors.toList());
    closing.add(store.close());
    if (leases != null) {
      closing.add(leases.close());
    }
    if (clock instanceof ClusterClock clusterClock) {
      clusterClock.close();
    }
    return Future.all(closing).mapEmpty();
  }
}
