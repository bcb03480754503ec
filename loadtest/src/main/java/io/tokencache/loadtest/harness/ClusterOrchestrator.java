package io.tokencache.loadtest.harness;

import io.tokencache.fakeidp.FailureMode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Runs a load test's system under test: the fake IdP (its own process, from {@code fake-idp.jar} or a class
 * path) and real token-cache servers as separate processes on 127.0.0.1, planned as one cluster (a run-unique
 * cluster name, a free cluster port per member, every planned member in each member's join list, a shared
 * random encryption key). Adds and removes members on a {@link MembershipSchedule} during the load, samples the member
 * count each second, and stops everything at the end: {@link #stop()}, or a JVM shutdown hook if the
 * run dies first. No member process outlives the JVM that started it, unless that JVM is SIGKILLed;
 * for that case the member pids are written to {@code <reportDir>/pids}.
 *
 * <p>Typical use, from a Gatling simulation: {@link #start()} in {@code before()},
 * {@link #nextBaseUrl()} for each request, {@link #stop()} in {@code after()}.
 */
public final class ClusterOrchestrator implements AutoCloseable {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  /** The processes run on the harness's own Java. */
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  /** The longest a run may last: sampling and scheduled changes stop after it, whoever forgot to stop it. */
  private static final Duration MAX_RUN = Duration.ofMinutes(30);

  /** An action the harness runs at a point of the load, e.g. switching the IdP's failure mode. */
  private record Scheduled(Duration at, String label, Runnable action) {}

  private final HarnessOptions options;
  private final List<Scheduled> actions = new ArrayList<>();
  /** In rotation, oldest first. */
  private final List<ServerMember> live = new CopyOnWriteArrayList<>();
  /** Every member started, in start order. */
  private final List<ServerMember> started = new CopyOnWriteArrayList<>();
  private final List<RunRecord.MemberSample> samples = Collections.synchronizedList(new ArrayList<>());
  private final List<RunRecord.TimelineEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicBoolean sampling = new AtomicBoolean();

  private IdpControl idp;
  private ClusterPlan plan;
  /** The members' command line: the stored jar, with its class-data-sharing archive when there is one. */
  private List<String> memberCommand;
  private int nextSlot;
  private ScheduledExecutorService scheduler;
  private ExecutorService workers;
  private Thread shutdownHook;
  private volatile boolean stopping;
  /** The IdP and the thread pools are closed (after stop() or a failed start()). */
  private volatile boolean closed;
  private volatile long loadStartMillis;
  private RunRecord record;
  /** The jars the processes run, with their checksums, for the run record. */
  private final JsonObject jars = new JsonObject();
  /** Scrapes the members' /metrics each second when the scenario asked for it; null otherwise. */
  private LaneSeries.Scraper metrics;
  private boolean scrapeMetrics;

  private ClusterOrchestrator(HarnessOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * @param options the run's settings
   * @return an orchestrator, not started
   */
  public static ClusterOrchestrator create(HarnessOptions options) {
    return new ClusterOrchestrator(options);
  }

  /**
   * Runs {@code action} at {@code at} after the start of the load (on the harness's scheduler
   * thread; it should be quick), and marks it on the timeline. Call before {@link #start()}.
   *
   * @param at offset from the start of the load
   * @param label shown on the chart
   * @param action what to do
   * @return this
   */
  public synchronized ClusterOrchestrator at(Duration at, String label, Runnable action) {
    if (scheduler != null) {
      throw new IllegalStateException("schedule actions before start()");
    }
    actions.add(new Scheduled(Objects.requireNonNull(at, "at"), Objects.requireNonNull(label, "label"),
        Objects.requireNonNull(action, "action")));
    return this;
  }

  /**
   * Scrapes every live member's {@code GET /metrics} once a second during the load (and once when it starts
   * and ends), for upstream requests and budget rejections per second by budget lane ({@link LaneSeries}, in
   * {@link RunRecord#lanes()}). Call before {@link #start()}.
   *
   * @return this
   */
  public synchronized ClusterOrchestrator scrapeMetrics() {
    if (scheduler != null) {
      throw new IllegalStateException("ask for metrics before start()");
    }
    scrapeMetrics = true;
    return this;
  }

  /**
   * Switches the IdP's failure mode at {@code at} after the start of the load.
   *
   * @param at offset from the start of the load
   * @param mode the new failure mode
   * @return this
   */
  public ClusterOrchestrator idpFailureAt(Duration at, FailureMode mode) {
    return at(at, mode == FailureMode.NONE ? "IdP up" : "IdP " + mode, () -> idp.setFailureMode(mode));
  }

  /**
   * Starts the IdP and the initial members, waits until every one is ready, then starts the clock
   * of the load, the sampler and the schedule. On failure everything started so far is stopped.
   *
   * @throws HarnessException when the IdP or a member does not come up
   */
  public synchronized void start() {
    if (scheduler != null) {
      throw new IllegalStateException("already started");
    }
    if (!Files.isRegularFile(options.getServerJar())) {
      throw new HarnessException("server jar not found at " + options.getServerJar().toAbsolutePath()
          + ": build it with `mvn -B -q -DskipTests package` at the repository root");
    }
    ThreadFactory daemons = runnable -> {
      Thread thread = new Thread(runnable, "harness-" + options.getScenario());
      thread.setDaemon(true);
      return thread;
    };
    scheduler = Executors.newSingleThreadScheduledExecutor(daemons);
    workers = Executors.newCachedThreadPool(daemons);
    if (scrapeMetrics) {
      metrics = new LaneSeries.Scraper(workers, Duration.ofMillis(800));
    }
    shutdownHook = new Thread(this::emergencyStop, "harness-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      prepareReportDir();
      snapshotJar();
      startIdp();
      plan = ClusterPlan.create(options.getScenario(),
          options.getInitialMembers() + options.getSchedule().additions(), idp.tokenUrl(),
          options.getServerQuotaRps(), new PortAllocator(), new SecureRandom());
      log("cluster %s: %d planned members %s, IdP %s (quota %s rps, lifetime %d s)", plan.clusterName(),
          plan.slots().size(), plan.membersList(), idp.tokenUrl(), ClusterPlan.formatRps(options.getQuotaRps()),
          options.getTokenLifetime().toSeconds());
      List<CompletableFuture<Boolean>> initial = IntStream.range(0, options.getInitialMembers())
          .mapToObj(i -> launch()).map(member -> CompletableFuture.supplyAsync(() -> awaitReady(member), workers))
          .toList();
      // While the members boot (they do not call the IdP before the load): JIT-compiling the IdP's token path
      // (JWT signing above all) during the first seconds of the load would stall it and bunch the arrivals it
      // timestamps.
      long begin = System.nanoTime();
      int ok = idp.warmUp(options.getIdpWarmupRequests());
      log("IdP warmed up: %d/%d token requests answered 200 in %d ms", ok, options.getIdpWarmupRequests(),
          (System.nanoTime() - begin) / 1_000_000);
      if (!initial.stream().allMatch(CompletableFuture::join)) {
        throw new HarnessException("the initial members did not all become ready: " + String.join("; ", errors));
      }
      // Oldest first, whatever order they became ready in.
      live.sort(Comparator.comparingInt(ServerMember::index));
      // The run's IdP settings, now that it is warm; its counters start from zero.
      idp.setLatency(options.getIdpLatency());
      idp.setQuotaRps(options.getQuotaRps());
      idp.resetCounters();
    } catch (RuntimeException e) {
      stopQuietly();
      throw e instanceof HarnessException ? e : new HarnessException("cannot start the cluster: " + e, e);
    }
    sample(true);
    loadStartMillis = System.currentTimeMillis();
    event("", "load starts with " + live.size() + " member(s): " + live);
    for (MembershipSchedule.Event change : options.getSchedule().events()) {
      scheduler.schedule(() -> workers.execute(() -> runStep("membership change " + change, () -> change(change))),
          sinceLoadStart(change.at()), TimeUnit.MILLISECONDS);
    }
    for (Scheduled action : actions) {
      scheduler.schedule(() -> runStep("scheduled action '" + action.label() + "'", () -> {
        action.action().run();
        event(action.label(), action.label());
      }), sinceLoadStart(action.at()), TimeUnit.MILLISECONDS);
    }
    long toNextSecond = 1000 - System.currentTimeMillis() % 1000 + 20;
    scheduler.scheduleAtFixedRate(() -> {
      // On a worker: asking members for their cluster view must not delay scheduled actions.
      if (sampling.compareAndSet(false, true)) {
        workers.execute(() -> {
          try {
            sample(true);
          } finally {
            sampling.set(false);
          }
        });
      }
    }, toNextSecond, 1000, TimeUnit.MILLISECONDS);
    // Bounded even if nobody calls stop(): sampling and changes end after maxRun.
    scheduler.schedule(() -> {
      error("the run exceeded " + MAX_RUN.toSeconds() + " s: the harness stopped sampling");
      scheduler.shutdown();
    }, MAX_RUN.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** @return the fake IdP (after {@link #start()}) */
  public IdpControl idp() {
    return idp;
  }

  /** @return epoch millis when the load started, 0 before {@link #start()} */
  public long loadStartMillis() {
    return loadStartMillis;
  }

  /**
   * The member the next request goes to: round robin over the members in rotation, as a load
   * balancer would. Members join the rotation once ready and leave it before they are stopped.
   *
   * @return {@code http://127.0.0.1:<port>}
   */
  public String nextBaseUrl() {
    int size = live.size();
    if (size == 0) {
      // Nobody in rotation (should not happen: the last member is never removed); the request
      // fails against the first planned member and is counted as failed.
      return plan.slots().get(0).baseUrl();
    }
    try {
      return live.get(Math.floorMod(roundRobin.getAndIncrement(), size)).baseUrl();
    } catch (IndexOutOfBoundsException shrunk) {
      return live.get(0).baseUrl();
    }
  }

  /** @return how many members are in rotation */
  public int liveMembers() {
    return live.size();
  }

  /**
   * Marks something on the run's timeline (and the chart).
   *
   * @param label short, for the chart; empty to keep it off the chart
   * @param detail longer, for the summary and the console
   */
  private void event(String label, String detail) {
    events.add(new RunRecord.TimelineEvent(System.currentTimeMillis(), label, detail));
    log("%s", detail);
  }

  /**
   * Stops the schedule and the sampler, snapshots the IdP's counters, stops every member (SIGTERM,
   * SIGKILL after the stop timeout) and the IdP. Idempotent.
   *
   * @return what the run saw
   */
  public synchronized RunRecord stop() {
    if (record != null) {
      return record;
    }
    if (scheduler == null || closed) {
      throw new IllegalStateException(closed ? "already closed: start() failed" : "not started");
    }
    stopping = true;
    long end = System.currentTimeMillis();
    scheduler.shutdownNow();
    sample(false);
    if (metrics != null) {
      // The last second's increase, before the members go.
      metrics.scrape(List.copyOf(live));
    }
    JsonObject stats = idp.stats();
    int maxRps = stats.getInteger("maxRequestsInAnyWindow1s", 0);
    live.clear();
    ServerMember.terminateAll(running(), options.getStopTimeout());
    JsonArray members = new JsonArray(started.stream().map(ServerMember::toJson).collect(Collectors.toList()));
    stopQuietly();
    record = new RunRecord(options.getScenario(), options.toJson().put("jars", jars.copy()), plan.clusterName(),
        plan.slots().size(), loadStartMillis, end, stats, maxRps, List.copyOf(samples), List.copyOf(events), members,
        options.getInitialMembers(), List.copyOf(errors),
        metrics == null ? LaneSeries.empty() : LaneSeries.of(metrics.scrapes(), loadStartMillis, end),
        metrics == null ? 0 : metrics.failures());
    if (metrics != null && metrics.malformedLines() > 0) {
      log("%d line(s) of the members' /metrics were not valid Prometheus samples and were skipped",
          metrics.malformedLines());
    }
    return record;
  }

  /** Stops everything if {@link #stop()} was not called; never throws. */
  @Override
  public void close() {
    try {
      if (scheduler != null && record == null && !closed) {
        stop();
      }
    } catch (RuntimeException e) {
      log("stop failed: %s", e);
      stopQuietly();
    }
  }

  private void prepareReportDir() {
    Path dir = options.getReportDir();
    try {
      Files.createDirectories(dir);
      // A previous run's files must not pass for this run's (the jar copies are those older runs kept here).
      for (String name : List.of("summary.json", "upstream.png", "upstream-lanes.png", "timeline.csv", "pids",
          "token-cache-server.jar", "fake-idp.jar", "idp.log")) {
        Files.deleteIfExists(dir.resolve(name));
      }
      Path logs = dir.resolve("members");
      if (Files.isDirectory(logs)) {
        try (Stream<Path> old = Files.list(logs)) {
          for (Path file : old.collect(Collectors.toList())) {
            Files.deleteIfExists(file);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
  }

  /**
   * Members run a copy of the jar taken now (see {@link JarStore}: one copy per build, shared by every
   * scenario's report folder), so that a rebuild of the server while the run goes on cannot change or
   * remove what members added later run.
   */
  private void snapshotJar() {
    JarStore.Stored stored = storeJar("server", options.getServerJar());
    event("", String.format("server jar %s (%d bytes, sha256 %s, built %s) run from %s", stored.source(),
        stored.bytes(), stored.sha256(), stored.built(), stored.path()));
    Path jar = stored.path();
    Path archive = CdsArchive.ensure(JAVA, jar);
    event("", archive != null ? "members start with the class-data-sharing archive " + archive
        : "no class-data-sharing archive could be trained for " + jar + " (see " + jar + ".jsa.log): members start"
            + " without one, slower");
    // The configured JVM flags, and the archive as the documented start uses it.
    List<String> jvmArgs = Stream.concat(options.getServerJvmArgs().stream(),
        Stream.ofNullable(archive).map(file -> "-XX:SharedArchiveFile=" + file.toAbsolutePath())).toList();
    memberCommand = ServerMember.command(JAVA, jvmArgs, jar.toAbsolutePath());
  }

  /** Stores a copy of {@code source} and records it under {@code name} in the run's jars. */
  private JarStore.Stored storeJar(String name, Path source) {
    try {
      JarStore.Stored stored = new JarStore(options.getJarStoreDir()).store(source);
      jars.put(name, new JsonObject().put("source", stored.source().toString())
          .put("path", stored.path().toString()).put("sha256", stored.sha256()).put("bytes", stored.bytes()));
      return stored;
    } catch (IOException e) {
      throw new HarnessException("cannot store a copy of " + source + ": " + e, e);
    }
  }

  /** Starts the IdP unlimited and without latency; {@link #start()} applies the run's settings once it is warm. */
  private void startIdp() {
    List<String> command = new ArrayList<>(List.of(JAVA.toString()));
    command.addAll(options.getIdpJvmArgs());
    if (options.getIdpJar().isPresent()) {
      command.addAll(List.of("-jar", storeJar("idp", options.getIdpJar().get()).path().toString()));
    } else if (options.getIdpClasspath().isPresent()) {
      command.addAll(List.of("-cp", options.getIdpClasspath().get(), "io.tokencache.fakeidp.FakeIdpMain"));
    } else {
      throw new HarnessException("no fake IdP to start: set HarnessOptions.idpJar or idpClasspath");
    }
    command.addAll(List.of("--host", ClusterPlan.HOST, "--port", "0", "--dynamic-clients", "--quota-rps", "0",
        "--lifetime-seconds", Long.toString(options.getTokenLifetime().toSeconds()),
        "--issuer", "https://fake-idp.loadtest/" + options.getScenario()));
    idp = IdpControl.start(command, options.getReportDir().resolve("idp.log"));
    writePids();
  }

  private synchronized ServerMember launch() {
    if (nextSlot >= plan.slots().size()) {
      throw new HarnessException("no planned member slot left");
    }
    ClusterPlan.Slot slot = plan.slots().get(nextSlot++);
    Path log = options.getReportDir().resolve("members").resolve("m" + slot.index() + ".log");
    try {
      ServerMember member = ServerMember.start(slot, memberCommand, plan.environment(slot), log);
      started.add(member);
      writePids();
      log("m%d starting: pid %d, http %d, cluster %d", slot.index(), member.pid(), slot.httpPort(), slot.clusterPort());
      return member;
    } catch (IOException e) {
      throw new HarnessException("cannot start member m" + slot.index() + ": " + e, e);
    }
  }

  private boolean awaitReady(ServerMember member) {
    if (member.awaitReady(options.getReadyTimeout(), () -> stopping)) {
      live.add(member);
      // Initial members are ready before the load starts: only later changes go on the chart.
      event(loadStartMillis == 0 ? "" : "+m" + member.index(), String.format(
          "m%d ready after %.1f s, %d member(s) in rotation", member.index(), member.startup().toMillis() / 1000.0,
          live.size()));
      return true;
    }
    if (!stopping) {
      error("m" + member.index() + " did not become ready within " + options.getReadyTimeout().toSeconds()
          + " s (" + (member.alive() ? "still running" : "exited") + "); log " + member.log() + ":\n"
          + member.logTail(2000));
    }
    member.kill();
    member.state(ServerMember.State.FAILED);
    return false;
  }

  /** Runs a scheduled step unless the run is stopping; its failure is a harness error. */
  private void runStep(String step, Runnable action) {
    if (stopping) {
      return;
    }
    try {
      action.run();
    } catch (RuntimeException e) {
      error(step + " failed: " + e);
    }
  }

  private void change(MembershipSchedule.Event change) {
    if (change.action() == MembershipSchedule.Action.ADD) {
      awaitReady(launch());
    } else {
      remove(change.action());
    }
  }

  private void remove(MembershipSchedule.Action action) {
    ServerMember leaving;
    synchronized (live) {
      if (live.size() <= 1) {
        error("membership change " + action.text() + " skipped: it would remove the last member in rotation");
        return;
      }
      leaving = action.oldest() ? live.get(0) : live.get(live.size() - 1);
      live.remove(leaving);
    }
    leaving.leftRotation();
    if (action.kills()) {
      leaving.kill();
      event("-m" + leaving.index() + " (kill)", "m" + leaving.index() + " SIGKILLed, " + live.size()
          + " member(s) in rotation");
      return;
    }
    event("-m" + leaving.index(), "m" + leaving.index() + " left the rotation, SIGTERM after "
        + options.getDrain().toMillis() + " ms of drain; " + live.size() + " member(s) in rotation");
    // like every wait of a stop, not cut short by an interrupt
    CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(options.getDrain().toMillis(),
        TimeUnit.MILLISECONDS)).join();
    long begin = System.nanoTime();
    int exit = leaving.terminate(options.getStopTimeout());
    log("m%d exited with %d after %.1f s", leaving.index(), exit, (System.nanoTime() - begin) / 1e9);
    if (exit == -1) {
      error("m" + leaving.index() + " did not exit within " + options.getStopTimeout().toSeconds()
          + " s of SIGTERM and was killed");
    }
  }

  private long sinceLoadStart(Duration at) {
    return Math.max(0, at.toMillis() - (System.currentTimeMillis() - loadStartMillis));
  }

  private void sample(boolean askMembers) {
    if (metrics != null && askMembers) {
      // First, ~20 ms into the second: the increase between two scrapes is then the second that just ended
      // (the IdP's /stats, below, grows with the clients it saw and can take a few hundred ms).
      metrics.scrape(List.copyOf(live));
    }
    long now = System.currentTimeMillis();
    // The IdP's counters first: they are attributed to the second the sample falls in.
    JsonObject stats;
    try {
      stats = idp.stats();
    } catch (RuntimeException e) {
      // the IdP is gone or slow: the sample keeps zeros for its two figures
      stats = new JsonObject();
    }
    List<ServerMember> inRotation = List.copyOf(live);
    int processes = running().size();
    Integer view = !askMembers ? null : inRotation.stream()
        .map(member -> member.reportedClusterSize(Duration.ofMillis(400))).filter(Objects::nonNull)
        .min(Integer::compare).orElse(null);
    samples.add(new RunRecord.MemberSample(now, inRotation.size(), processes, view,
        stats.getInteger("failuresInjected", 0), stats.getInteger("rejectedClients", 0)));
  }

  /** @return the member processes still running, in start order */
  private List<ServerMember> running() {
    return started.stream().filter(ServerMember::alive).toList();
  }

  /** Last resort, from the shutdown hook: SIGTERM every member, SIGKILL what is left after 10 s, and the IdP. */
  private void emergencyStop() {
    stopping = true;
    List<ServerMember> running = running();
    if (running.isEmpty() && idp == null) {
      return;
    }
    System.err.println("[harness] stopping " + running.size() + " member process(es) on JVM exit");
    ServerMember.terminateAll(running, Duration.ofSeconds(10));
    if (idp != null) {
      ProcessHandle.of(idp.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private synchronized void stopQuietly() {
    stopping = true;
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    running().forEach(ServerMember::kill);
    if (closed) {
      return;
    }
    closed = true;
    if (workers != null) {
      workers.shutdownNow();
    }
    if (idp != null) {
      idp.close();
    }
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // called from the hook itself, or the JVM is exiting anyway
      }
    }
  }

  private void writePids() {
    String pids = Stream.concat(Stream.ofNullable(idp).map(IdpControl::pid), started.stream().map(ServerMember::pid))
        .map(pid -> pid + "\n").collect(Collectors.joining());
    try {
      Files.writeString(options.getReportDir().resolve("pids"), pids);
    } catch (IOException e) {
      log("cannot write the pid file: %s", e);
    }
  }

  private void error(String message) {
    errors.add(message);
    log("ERROR %s", message);
  }

  private void log(String format, Object... args) {
    String time = LocalTime.now().format(TIME);
    String offset = loadStartMillis == 0 ? ""
        : String.format(" +%.1fs", (System.currentTimeMillis() - loadStartMillis) / 1000.0);
    System.out.println("[harness " + time + offset + "] " + String.format(format, args));
  }
}
