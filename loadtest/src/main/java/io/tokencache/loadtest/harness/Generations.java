package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Upstream fetches per token generation, from the IdP's own record of when it issued each key's tokens
 * (the fake IdP's {@code issuedAtByClient}, one client per key).
 *
 * <p>The invariant is one upstream fetch per key per token generation, cluster-wide. A cache refreshes a
 * token at {@code refreshAheadFraction} (0.75) of its lifetime, moved earlier by a random jitter of up to
 * {@value #REFRESH_JITTER_FRACTION} of the lifetime (token-cache's {@code ExpiryPolicy}): a legitimate refresh
 * therefore comes at least {@code (0.75 - 0.05)} of a lifetime after the previous token was issued, and how
 * many refreshes fit in a run depends on the draws, so counting calls against
 * {@code floor(duration / (0.75 x lifetime)) + 1} cycles is wrong both ways. Fetches of the same generation
 * by independent caches (nginx's per-node caches), or by a cluster that failed to coordinate, come within
 * milliseconds of each other. A fetch less than {@value #DUPLICATE_WINDOW_FRACTION} of a lifetime after the
 * key's previous fetch is therefore a <em>duplicate</em>: it fetched a generation that had just been fetched.
 * Calls per generation = {@code calls / (calls - duplicates)}: 1.0 when every generation was fetched once,
 * 3.0 when three independent caches each fetched every generation.
 */
public final class Generations {

  /** A fetch closer than this fraction of the lifetime to the key's previous fetch is a duplicate. */
  public static final double DUPLICATE_WINDOW_FRACTION = 0.5;

  /**
   * The most a refresh point moves earlier, as a fraction of the lifetime; token-cache's
   * {@code ExpiryPolicy.REFRESH_JITTER_FRACTION} (the load test does not depend on the core module).
   */
  public static final double REFRESH_JITTER_FRACTION = 0.05;

  private Generations() {}

  /**
   * The figures of one key.
   *
   * @param calls tokens issued for the key
   * @param duplicates of which fetched a generation just fetched (see {@link Generations})
   */
  public record Key(int calls, int duplicates) {

    /** @return token generations fetched: {@code calls - duplicates} */
    public int generations() {
      return calls - duplicates;
    }

    /** @return {@code calls / generations}; 0 when there was no call */
    public double callsPerGeneration() {
      return Generations.callsPerGeneration(calls, duplicates);
    }
  }

  /**
   * The figures over several keys.
   *
   * @param keys keys counted (those with at least one call)
   * @param calls tokens issued for them
   * @param duplicates of which duplicates
   * @param keysWithDuplicates keys with at least one duplicate
   * @param callsPerGenerationMean the mean over the keys of each key's calls per generation; 0 without keys
   * @param callsPerGenerationMax the worst key's calls per generation; 0 without keys
   */
  public record Summary(int keys, long calls, long duplicates, int keysWithDuplicates,
      double callsPerGenerationMean, double callsPerGenerationMax) {

    /** @return the figures, rounded to 3 decimals, under snake_case names */
    public JsonObject toJson() {
      return new JsonObject()
          .put("keys", keys)
          .put("calls", calls)
          .put("duplicate_calls", duplicates)
          .put("keys_with_duplicate_calls", keysWithDuplicates)
          .put("calls_per_key_per_generation", round(callsPerGenerationMean))
          .put("calls_per_key_per_generation_max", round(callsPerGenerationMax));
    }
  }

  /**
   * Counts the duplicate fetches of one key.
   *
   * @param issuedAtMillis when each of the key's tokens was issued, in any order
   * @param lifetimeMillis the tokens' lifetime, &gt; 0
   * @return fetches less than {@value #DUPLICATE_WINDOW_FRACTION} of a lifetime after the key's previous fetch
   */
  public static int duplicates(long[] issuedAtMillis, long lifetimeMillis) {
    if (lifetimeMillis <= 0) {
      throw new IllegalArgumentException("lifetimeMillis must be > 0, was " + lifetimeMillis);
    }
    long[] sorted = issuedAtMillis.clone();
    Arrays.sort(sorted);
    double window = lifetimeMillis * DUPLICATE_WINDOW_FRACTION;
    return (int) IntStream.range(1, sorted.length).filter(i -> sorted[i] - sorted[i - 1] < window).count();
  }

  /**
   * @param issuedAtMillis when each of the key's tokens was issued, in any order
   * @param lifetimeMillis the tokens' lifetime, &gt; 0
   * @return the key's figures
   */
  public static Key of(long[] issuedAtMillis, long lifetimeMillis) {
    return new Key(issuedAtMillis.length, duplicates(issuedAtMillis, lifetimeMillis));
  }

  /**
   * @param calls a key's calls
   * @param duplicates of which duplicates
   * @return {@code calls / (calls - duplicates)}; 0 when there was no call
   */
  public static double callsPerGeneration(long calls, long duplicates) {
    if (calls <= 0) {
      return 0;
    }
    if (duplicates < 0 || duplicates >= calls) {
      throw new IllegalArgumentException("duplicates must be in [0, calls), was " + duplicates + " of " + calls);
    }
    return (double) calls / (calls - duplicates);
  }

  /**
   * Sums keys up; keys without a call are left out.
   *
   * @param keys each key's figures
   * @return the summary
   */
  public static Summary summarize(Collection<Key> keys) {
    List<Key> called = keys.stream().filter(key -> key.calls() > 0).toList();
    // summed in order, as the mean always was (a stream's sum() compensates, and may differ in the last bit)
    double sum = called.stream().mapToDouble(Key::callsPerGeneration).reduce(0, Double::sum);
    return new Summary(called.size(), called.stream().mapToLong(Key::calls).sum(),
        called.stream().mapToLong(Key::duplicates).sum(), (int) called.stream().filter(k -> k.duplicates() > 0).count(),
        called.isEmpty() ? 0 : sum / called.size(),
        called.stream().mapToDouble(Key::callsPerGeneration).max().orElse(0));
  }

  /**
   * @param times a JSON array of epoch millis (as the fake IdP's {@code issuedAtByClient} has per client), or null
   * @return the values; empty for null
   */
  public static long[] millis(JsonArray times) {
    return times == null ? new long[0] : times.stream().mapToLong(t -> ((Number) t).longValue()).toArray();
  }

  /**
   * The most fetches (the first one and its refreshes) one shared cache makes for a key requested throughout
   * {@code seconds}, counted with the jittered earliest refresh point:
   * {@code floor(seconds / ((fraction - jitter) x lifetime)) + 1}, with the jitter capped at half the fraction as
   * {@code ExpiryPolicy} does. Informative only: an upper bound on the fetches of a key that refreshes once per
   * generation, not a verdict.
   *
   * @param seconds how long the key was requested
   * @param lifetimeSeconds the tokens' lifetime
   * @param fraction the refresh-ahead fraction
   * @return the most fetches per key one shared cache needs
   */
  public static long maxCyclesWithJitter(double seconds, double lifetimeSeconds, double fraction) {
    double earliest = fraction - Math.min(REFRESH_JITTER_FRACTION, fraction / 2);
    return (long) Math.floor(seconds / (earliest * lifetimeSeconds)) + 1;
  }

  /**
   * @param v a per-key figure
   * @return it to three decimals, as every per-key figure is reported
   */
  public static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
