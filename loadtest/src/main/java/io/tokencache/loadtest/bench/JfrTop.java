package io.tokencache.loadtest.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of the server during a hit run: where the event loops spend their CPU
 * ({@code jdk.ExecutionSample}) and what they allocate ({@code jdk.ObjectAllocationSample}).
 *
 * <ul>
 *   <li>self time by method (top of stack) and by area (Netty, Vert.x core, Vert.x Web, Hazelcast, crypto,
 *   Micrometer, Caffeine, token-cache, JDK);</li>
 *   <li>token-cache's own methods: inclusive (on the stack) and attributed (the innermost token-cache frame of
 *   each sample, which charges it with the library code it calls);</li>
 *   <li>allocation by the innermost token-cache frame, and bytes allocated per request when the request count
 *   is given.</li>
 * </ul>
 */
public final class JfrTop {

  static final String OWN = "io.tokencache.";

  private JfrTop() {}

  /**
   * Entry point.
   *
   * @param args {@code --jfr FILE --out FILE [--requests N] [--top 20] [--threads vert.x-eventloop]}
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Cli()).execute(args));
  }

  @Command(name = "JfrTop", mixinStandardHelpOptions = true,
      description = "Summarises where the event loops of a JFR recording spend their CPU and what they allocate.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--jfr", required = true)
    Path jfr;
    @Option(names = "--out", required = true)
    Path out;
    @Option(names = "--requests", description = "requests served during the recording, for per-request figures")
    long requests;
    @Option(names = "--top", description = "methods listed (default ${DEFAULT-VALUE})")
    int top = 20;
    @Option(names = "--threads", description = "thread name prefix (default ${DEFAULT-VALUE})")
    String threads = "vert.x-eventloop";

    @Override
    public Integer call() throws IOException {
      JsonObject summary = summarize(jfr, threads, requests, top);
      Files.writeString(out, summary.encodePrettily());
      System.out.println("jfr: " + summary.getLong("samples") + " event-loop samples; token-cache frames on "
          + summary.getDouble("own_code_on_stack_share") * 100 + "% of them");
      return 0;
    }
  }

  static JsonObject summarize(Path jfr, String threadPrefix, long requests, int top) throws IOException {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> areas = new HashMap<>();
    Map<String, Long> ownInclusive = new HashMap<>();
    Map<String, Long> ownAttributed = new HashMap<>();
    Map<String, Long> allocByOwn = new HashMap<>();
    Map<String, Long> allocByTop = new HashMap<>();
    Map<String, Long> phases = new HashMap<>();
    Map<Long, Long> firstAllocationSample = new HashMap<>();
    List<RecordedEvent> allocationSamples = new ArrayList<>();
    Map<Long, long[]> threadAllocated = new HashMap<>();
    long samples = 0;
    long withOwn = 0;
    long allocated = 0;
    long allSamples = 0;
    try (RecordingFile file = new RecordingFile(jfr)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        String type = e.getEventType().getName();
        boolean execution = type.equals("jdk.ExecutionSample");
        boolean allocation = type.equals("jdk.ObjectAllocationSample");
        if (type.equals("jdk.ThreadAllocationStatistics")) {
          RecordedThread t = e.getThread("thread");
          if (t != null && t.getJavaName() != null && t.getJavaName().startsWith(threadPrefix)) {
            long bytes = e.getLong("allocated");
            threadAllocated.merge(t.getJavaThreadId(), new long[] {bytes, bytes},
                (x, y) -> new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])});
          }
          continue;
        }
        if (!execution && !allocation) {
          continue;
        }
        RecordedThread thread = execution ? e.getThread("sampledThread") : e.getThread("eventThread");
        if (execution) {
          allSamples++;
        }
        if (thread == null || thread.getJavaName() == null || !thread.getJavaName().startsWith(threadPrefix)) {
          continue;
        }
        RecordedStackTrace stack = e.getStackTrace();
        List<RecordedFrame> frames = stack == null ? List.of() : stack.getFrames();
        if (frames.isEmpty()) {
          continue;
        }
        String topMethod = method(frames.get(0));
        String innermostOwn = innermostOwn(frames);
        if (execution) {
          phases.merge(phase(frames), 1L, Long::sum);
          samples++;
          self.merge(topMethod, 1L, Long::sum);
          areas.merge(area(topMethod), 1L, Long::sum);
          Set<String> seen = new HashSet<>();
          for (RecordedFrame f : frames) {
            String m = method(f);
            if (isOwn(m) && seen.add(m)) {
              ownInclusive.merge(m, 1L, Long::sum);
            }
          }
          if (innermostOwn != null) {
            withOwn++;
            ownAttributed.merge(innermostOwn, 1L, Long::sum);
          }
        } else {
          allocationSamples.add(e);
          firstAllocationSample.merge(thread.getJavaThreadId(), e.getStartTime().toEpochMilli() * 1_000_000
              + e.getStartTime().getNano() % 1_000_000, Math::min);
        }
      }
    }
    // The first allocation sample of a thread weighs everything it allocated before: left out.
    for (RecordedEvent e : allocationSamples) {
      long id = e.getThread("eventThread").getJavaThreadId();
      long at = e.getStartTime().toEpochMilli() * 1_000_000 + e.getStartTime().getNano() % 1_000_000;
      if (at == firstAllocationSample.get(id)) {
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      String topMethod = method(frames.get(0));
      String innermostOwn = innermostOwn(frames);
      long weight = e.getLong("weight");
      allocated += weight;
      allocByTop.merge(topMethod + " (" + e.getClass("objectClass").getName() + ")", weight, Long::sum);
      allocByOwn.merge(innermostOwn == null ? "(no token-cache frame)" : innermostOwn, weight, Long::sum);
    }
    long allocatedExact = threadAllocated.values().stream().mapToLong(v -> v[1] - v[0]).sum();
    JsonObject result = new JsonObject()
        .put("recording", jfr.getFileName().toString())
        .put("thread_prefix", threadPrefix)
        .put("all_execution_samples", allSamples)
        .put("samples", samples)
        .put("own_code_on_stack_share", share(withOwn, samples))
        .put("hit_path_phases", ranked(phases, samples, 20))
        .put("self_by_area", ranked(areas, samples, 20))
        .put("self_top", ranked(self, samples, top))
        .put("own_inclusive", ranked(ownInclusive, samples, top))
        .put("own_attributed", ranked(ownAttributed, samples, top))
        .put("allocated_bytes_estimate", allocated)
        .put("allocation_by_own_frame", ranked(allocByOwn, allocated, top))
        .put("allocation_top", ranked(allocByTop, allocated, top));
    result.put("allocated_bytes_thread_statistics", allocatedExact);
    if (requests > 0) {
      // the thread statistics are exact (sampled once a second): preferred when present
      long bytes = allocatedExact > 0 ? allocatedExact : allocated;
      result.put("requests", requests).put("allocated_bytes_per_request", bytes / requests);
    }
    return result;
  }

  /** token-cache's own code, without the JVM's hidden lambda classes (their frames say nothing new). */
  static boolean isOwn(String method) {
    return method.startsWith(OWN) && !method.contains("$$Lambda");
  }

  /**
   * What part of serving a hit a sample belongs to: the first rule whose frame is on the stack, in this order
   * (meters and body decoding run inside the HTTP stack; the response inside the handler; and so on).
   */
  static final List<String[]> PHASES = List.of(
      new String[] {"Vert.x HTTP metrics (vertx-micrometer)", "io.vertx.micrometer."},
      new String[] {"token-cache meters", "io.tokencache.impl.CacheMetrics."},
      new String[] {"form decoding by Netty (BodyHandler: HttpPostRequestDecoder)", "io.netty.handler.codec.http.multipart."},
      new String[] {"body buffering (BodyHandler)", "io.vertx.ext.web.handler.impl.BodyHandlerImpl."},
      new String[] {"answer: body (TokenResponse.cached)", "io.tokencache.TokenResponse.cached"},
      new String[] {"answer: headers and write (TokenResponses.send)", "io.tokencache.http.impl.TokenResponses.send"},
      new String[] {"cache key: HMAC-SHA256 (CacheKeys.keyOf)", "io.tokencache.impl.CacheKeys.keyOf"},
      new String[] {"store lookup: near cache + decrypted cache (HazelcastTokenStore.get)",
          "io.tokencache.impl.cluster.HazelcastTokenStore.get"},
      new String[] {"request parsing (TokenRequestParser.parse)", "io.tokencache.http.impl.TokenRequestParser.parse"},
      new String[] {"method and media-type checks (checkMethodAndType)",
          "io.tokencache.http.impl.TokenEndpointRouter.checkMethodAndType"},
      new String[] {"engine: lookup and futures (TokenCacheImpl)", "io.tokencache.impl.TokenCacheImpl."},
      new String[] {"routing (vertx-web)", "io.vertx.ext.web."},
      new String[] {"HTTP request decoding (Netty)", "io.netty.handler.codec.http.HttpObjectDecoder."});

  static String phase(List<RecordedFrame> frames) {
    for (String[] rule : PHASES) {
      for (RecordedFrame f : frames) {
        if (method(f).startsWith(rule[1])) {
          return rule[0];
        }
      }
    }
    return "other: connection I/O, Vert.x core, JDK";
  }

  static String method(RecordedFrame f) {
    if (f.getMethod() == null || f.getMethod().getType() == null) {
      return "?";
    }
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  /** The library of a method, for the self-time breakdown: the first area with a prefix of the method. */
  static final List<String[]> AREAS = List.of(
      new String[] {"token-cache", OWN},
      new String[] {"netty", "io.netty."},
      new String[] {"vertx-web", "io.vertx.ext.web."},
      new String[] {"metrics (micrometer)", "io.vertx.micrometer.", "io.micrometer."},
      new String[] {"vertx-core", "io.vertx."},
      new String[] {"hazelcast", "com.hazelcast."},
      new String[] {"caffeine", "com.github.benmanes.caffeine."},
      new String[] {"crypto (jdk)", "javax.crypto.", "com.sun.crypto.", "sun.security."},
      new String[] {"logging", "ch.qos.logback.", "org.slf4j."},
      new String[] {"jdk", "java.", "jdk.", "sun."});

  static String area(String method) {
    return AREAS.stream().filter(a -> Arrays.stream(a, 1, a.length).anyMatch(method::startsWith)).map(a -> a[0])
        .findFirst().orElse("other");
  }

  /** The innermost token-cache frame of a stack, null when there is none. */
  static String innermostOwn(List<RecordedFrame> frames) {
    return frames.stream().map(JfrTop::method).filter(JfrTop::isOwn).findFirst().orElse(null);
  }

  static double share(long part, long whole) {
    return whole == 0 ? 0 : Math.round(part * 10000.0 / whole) / 10000.0;
  }

  static JsonArray ranked(Map<String, Long> counts, long whole, int top) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    JsonArray out = new JsonArray();
    for (Map.Entry<String, Long> e : entries.subList(0, Math.min(top, entries.size()))) {
      out.add(new JsonObject().put("name", e.getKey()).put("count", e.getValue())
          .put("share", share(e.getValue(), whole)));
    }
    return out;
  }
}
