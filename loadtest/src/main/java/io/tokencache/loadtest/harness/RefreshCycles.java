package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;

/**
 * Whether tokens in use were refreshed once per token cycle, from the IdP's record of when it issued each key's
 * tokens: no cycle fetched twice (no duplicate, as {@link Generations} counts them) and none skipped or late.
 * A key asked steadily is refreshed about {@code refreshAheadFraction} (0.75, minus up to 5% of jitter) of a
 * lifetime after its previous token; a gap between two fetches, or from the last fetch to the end of the load,
 * longer than {@code maxGapFraction} of a lifetime means the refresh was starved (its token ran low or out, and
 * the key was fetched again only as a miss, or not at all).
 */
public final class RefreshCycles {

  /**
   * The figures over the keys in use.
   *
   * @param keys keys judged
   * @param keysNeverFetched of which the IdP issued no token for
   * @param fetches tokens issued for them
   * @param fetchesPerKeyMin the fewest fetches of one key
   * @param fetchesPerKeyMax the most
   * @param duplicates fetches of a cycle just fetched
   * @param lateRefreshes gaps longer than {@code maxGapFraction} of a lifetime
   * @param maxGapMillis the longest gap of any key, the end of the load included
   */
  public record Summary(int keys, int keysNeverFetched, long fetches, int fetchesPerKeyMin, int fetchesPerKeyMax,
      long duplicates, long lateRefreshes, long maxGapMillis) {

    /** @return whether every key was fetched, and once per cycle: no duplicate, no late refresh */
    public boolean oncePerCycle() {
      return keys > 0 && keysNeverFetched == 0 && duplicates == 0 && lateRefreshes == 0;
    }

    /** @return the figures under snake_case names */
    public JsonObject toJson() {
      return new JsonObject()
          .put("keys", keys)
          .put("keys_never_fetched", keysNeverFetched)
          .put("fetches", fetches)
          .put("fetches_per_key_min", fetchesPerKeyMin)
          .put("fetches_per_key_max", fetchesPerKeyMax)
          .put("duplicate_fetches", duplicates)
          .put("late_refreshes", lateRefreshes)
          .put("max_gap_seconds", maxGapMillis / 1000.0);
    }
  }

  private RefreshCycles() {}

  /**
   * @param issuedAtByKey each key's issue times (epoch millis, any order); a key with none was never fetched
   * @param lifetimeMillis the tokens' lifetime
   * @param maxGapFraction the longest gap allowed between fetches, as a fraction of the lifetime
   * @param loadEndMillis when the load ended (the last fetch must be this recent)
   * @return the figures
   */
  public static Summary judge(Map<String, long[]> issuedAtByKey, long lifetimeMillis, double maxGapFraction,
      long loadEndMillis) {
    double maxGap = lifetimeMillis * maxGapFraction;
    int never = 0;
    long fetches = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    long duplicates = 0;
    long late = 0;
    long longest = 0;
    for (long[] times : issuedAtByKey.values()) {
      min = Math.min(min, times.length);
      max = Math.max(max, times.length);
      fetches += times.length;
      if (times.length == 0) {
        never++;
        continue;
      }
      duplicates += Generations.duplicates(times, lifetimeMillis);
      long[] sorted = times.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < sorted.length; i++) {
        long gap = (i + 1 < sorted.length ? sorted[i + 1] : loadEndMillis) - sorted[i];
        longest = Math.max(longest, gap);
        if (gap > maxGap) {
          late++;
        }
      }
    }
    return new Summary(issuedAtByKey.size(), never, fetches, issuedAtByKey.isEmpty() ? 0 : min, max, duplicates,
        late, longest);
  }
}
