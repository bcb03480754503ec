package io.tokencache.impl.quota;

import java.util.Locale;

/**
 * The priority lanes of an upstream's budget, highest first. Each lane may use a capped share of every sliding
 * window, counted together with the lanes below it, so a lower lane can never take the slots a higher one needs:
 * refreshes of tokens being served always find headroom, whatever floods the lanes below.
 */
public enum Lane {
  /** Refreshing a token that is being served: the fleet's tokens in use. */
  REFRESH,
  /** A first fetch with credentials the IdP has accepted before (a known client id and secret). */
  KNOWN,
  /** A first fetch with credentials the cluster has never seen accepted: new clients, guesses, typos. */
  UNKNOWN,
  /** A grant forwarded unchanged (not client credentials): never cached, the lowest priority. */
  PASSTHROUGH;

  private static final Lane[] ALL = values();
  private final String tag = name().toLowerCase(Locale.ROOT);

  /** The lane's name in metrics and logs. */
  public String tag() {
    return tag;
  }

  /** The lane with this ordinal. */
  static Lane of(int ordinal) {
    return ALL[ordinal];
  }
}
