package io.tokencache.impl;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.MemberLeftException;
import io.tokencache.TokenCacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failures of cluster operations that are the cluster's fault, not the request's: a member that cannot be
 * understood (a serialization error from a foreign or rogue member, a value of the wrong type in a map), reached
 * (timeouts, members leaving) or trusted. They are answered {@code 503} with {@code Retry-After}, never 500, and
 * logged once per kind, without their message (which may carry a value's content).
 */
final class ClusterFaults {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFaults.class);
  private static final int MAX_DEPTH = 8;

  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** The kind of cluster fault {@code error} is (its class's simple name), or {@code null} if it is none. */
  static String kindOf(Throwable error) {
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof TokenCacheException) {
        return null;
      }
      if (t instanceof HazelcastException || t instanceof HazelcastInstanceNotActiveException
        || t instanceof MemberLeftException || t instanceof ClassCastException) {
        return t.getClass().getSimpleName();
      }
    }
    return null;
  }

  /** The answer for a cluster fault of {@code kind}: logged the first time it is seen. */
  TokenCacheException answer(String kind) {
    if (logged.add(kind)) {
      LOG.warn("a cluster operation failed ({}); answering 503 while it lasts (logged once per kind; "
        + "see token_cache_cluster_faults_total)", kind);
    }
    return TokenCacheException.temporarilyUnavailable("the cluster could not answer; retry shortly", 1);
  }
}
