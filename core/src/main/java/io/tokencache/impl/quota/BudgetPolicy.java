package io.tokencache.impl.quota;

/**
 * How one upstream's budget is shared out: the quota, the window's safety margin, each lane's share of every
 * window, a client's share of its lane, and the longest back-off an upstream hint may impose.
 *
 * <p>A share applies to a lane together with every lane below it: with a quota of 10 and shares 0.8 (known),
 * 0.4 (unknown) and 0.2 (pass-through), the lanes from {@link Lane#KNOWN} down hold at most 8 of any window, so 2
 * are always left to refreshes; {@link Lane#UNKNOWN} and {@link Lane#PASSTHROUGH} together at most 4; pass-through
 * alone at most 2. A higher lane may use every slot the lower ones leave.
 *
 * @param quotaPerSecond requests per second; below 1 a window stretches to hold one request
 * @param safetyMarginMillis added to every window against jitter between a grant and its arrival at the IdP
 * @param knownShare share of every window for {@link Lane#KNOWN} and below
 * @param unknownShare share for {@link Lane#UNKNOWN} and below
 * @param passThroughShare share for {@link Lane#PASSTHROUGH}
 * @param clientShare the most one client id may hold of the windows of a lane other than refresh (at least one)
 * @param maxBackOffMillis the longest any back-off holds the budget, however long the upstream asked for
 */
public record BudgetPolicy(double quotaPerSecond, long safetyMarginMillis, double knownShare, double unknownShare,
                           double passThroughShare, double clientShare, long maxBackOffMillis) {

  public BudgetPolicy {
    if (!(quotaPerSecond > 0)) {
      throw new IllegalArgumentException("quota must be positive, was " + quotaPerSecond);
    }
    if (!(knownShare > 0 && knownShare <= 1 && unknownShare > 0 && unknownShare <= knownShare
      && passThroughShare > 0 && passThroughShare <= unknownShare)) {
      throw new IllegalArgumentException("lane shares must satisfy 0 < passThrough <= unknown <= known <= 1, were "
        + knownShare + ", " + unknownShare + ", " + passThroughShare);
    }
    if (!(clientShare > 0 && clientShare <= 1)) {
      throw new IllegalArgumentException("clientShare must be in (0, 1], was " + clientShare);
    }
  }

  /** Only the quota and margin: every lane may use the whole window (a budget without lanes). */
  public static BudgetPolicy unshared(double quotaPerSecond, long safetyMarginMillis, long maxBackOffMillis) {
    return new BudgetPolicy(quotaPerSecond, safetyMarginMillis, 1, 1, 1, 1, maxBackOffMillis);
  }

  /** The share of every window that {@code lane} and the lanes below it may hold together. */
  double share(Lane lane) {
    return switch (lane) {
      case REFRESH -> 1;
      case KNOWN -> knownShare;
      case UNKNOWN -> unknownShare;
      case PASSTHROUGH -> passThroughShare;
    };
  }

  /** Requests a window of {@link #window} may hold at {@code share} of the quota. */
  int capacity(double share) {
    double rate = quotaPerSecond * share;
    return rate >= 1 ? (int) Math.floor(rate) : 1;
  }

  /** The sliding window, in ms, over which {@link #capacity} is counted at {@code share} of the quota. */
  long window(double share) {
    double rate = quotaPerSecond * share;
    return (rate >= 1 ? 1000 : (long) Math.ceil(1000 / rate)) + safetyMarginMillis;
  }
}
