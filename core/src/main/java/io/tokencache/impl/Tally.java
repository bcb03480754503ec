package io.tokencache.impl;

import io.micrometer.core.instrument.Counter;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Micrometer counter with its own count beside it, for {@link io.tokencache.CacheStats}: a counter registered
 * in a registry that records nothing (the global composite with no registry added, the default when an embedding
 * application sets none) always reads 0, and the cache's stats must not depend on how metrics are exported.
 */
public final class Tally {

  private final Counter meter;
  private final LongAdder count = new LongAdder();

  public Tally(Counter meter) {
    this.meter = meter;
  }

  public void increment() {
    meter.increment();
    count.increment();
  }

  /** How many times {@link #increment} was called. */
  public long count() {
    return count.sum();
  }
}
