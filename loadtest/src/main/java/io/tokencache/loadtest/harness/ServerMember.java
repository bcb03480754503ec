package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One token-cache server running as its own process, as users run it:
 * {@code java <jvm args> -jar token-cache-server.jar} with the contract's environment variables and
 * no others of ours. Its standard output and error go to a log file.
 */
public final class ServerMember {

  /** Where a member is in its life. */
  public enum State {
    STARTING, READY, DRAINING, STOPPED, FAILED
  }

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(1))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  private static final Duration READY_POLL = Duration.ofMillis(50);

  private final ClusterPlan.Slot slot;
  private final Process process;
  private final Path log;
  private final long startedAtMillis;
  private volatile State state = State.STARTING;
  private volatile long readyAtMillis;
  private volatile long leftRotationAtMillis;

  private ServerMember(ClusterPlan.Slot slot, Process process, Path log) {
    this.slot = slot;
    this.process = process;
    this.log = log;
    this.startedAtMillis = System.currentTimeMillis();
  }

  /**
   * The command line that starts a member.
   *
   * @param javaBin the java executable
   * @param jvmArgs heap and other JVM flags
   * @param jar the server jar
   * @return the command
   */
  static List<String> command(Path javaBin, List<String> jvmArgs, Path jar) {
    return Stream.of(List.of(javaBin.toString()), jvmArgs, List.of("-Dhazelcast.phone.home.enabled=false",
        "-Djava.net.preferIPv4Stack=true", "-jar", jar.toString())).flatMap(List::stream).toList();
  }

  /**
   * Starts the process; does not wait for it to be ready.
   *
   * @param slot the planned member
   * @param command as {@link #command(Path, List, Path)}
   * @param env the member's environment (replaces every inherited {@code TOKEN_CACHE_*} variable)
   * @param log file for its output, created or truncated
   * @return the started member
   * @throws IOException when the process cannot be started
   */
  static ServerMember start(ClusterPlan.Slot slot, List<String> command, Map<String, String> env, Path log)
      throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("TOKEN_CACHE_"));
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return new ServerMember(slot, builder.start(), log);
  }

  /** @return the member's 1-based index */
  public int index() {
    return slot.index();
  }

  /** @return {@code http://127.0.0.1:<port>} */
  public String baseUrl() {
    return slot.baseUrl();
  }

  /** @return the process id */
  public long pid() {
    return process.pid();
  }

  /** @return the log file */
  public Path log() {
    return log;
  }

  void state(State state) {
    this.state = state;
  }

  /** @return the time from process start to ready, null until ready */
  public Duration startup() {
    return readyAtMillis == 0 ? null : Duration.ofMillis(readyAtMillis - startedAtMillis);
  }

  /** Out of rotation from now on: draining until it is stopped. */
  void leftRotation() {
    leftRotationAtMillis = System.currentTimeMillis();
    state = State.DRAINING;
  }

  /** @return whether the process is running */
  public boolean alive() {
    return process.isAlive();
  }

  /**
   * @return the member for the run record: its pid, ports, start-up time, when it started, got ready and left
   *     the rotation (epoch millis, null when it did not), its state and log
   */
  JsonObject toJson() {
    return new JsonObject()
        .put("member", "m" + slot.index())
        .put("pid", process.pid())
        .put("httpPort", slot.httpPort())
        .put("clusterPort", slot.clusterPort())
        .put("startupSeconds", readyAtMillis == 0 ? null : startup().toMillis() / 1000.0)
        .put("startedAtMillis", startedAtMillis)
        .put("readyAtMillis", readyAtMillis == 0 ? null : readyAtMillis)
        .put("leftRotationAtMillis", leftRotationAtMillis == 0 ? null : leftRotationAtMillis)
        .put("state", state.name())
        .put("log", log.toString());
  }

  private HttpRequest readiness(Duration timeout) {
    return HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready")).timeout(timeout).GET().build();
  }

  /**
   * Polls {@code GET /health/ready} until it answers 200, the process exits, the timeout passes or
   * {@code cancelled} says so.
   *
   * @param timeout how long to wait at most
   * @param cancelled checked between polls (an interrupt does not end the wait: this does)
   * @return true when ready
   */
  boolean awaitReady(Duration timeout, BooleanSupplier cancelled) {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest ready = readiness(Duration.ofSeconds(2));
    while (System.nanoTime() < deadline && !cancelled.getAsBoolean()) {
      if (!process.isAlive()) {
        state = State.FAILED;
        return false;
      }
      // a member not listening yet fails the request
      if (HTTP.sendAsync(ready, HttpResponse.BodyHandlers.discarding())
          .handle((response, error) -> error == null && response.statusCode() == 200).join()) {
        readyAtMillis = System.currentTimeMillis();
        state = State.READY;
        return true;
      }
      // Often enough that the time to ready is measured to a tenth of a second; an exit ends the pause.
      exitsWithin(process, READY_POLL);
    }
    return false;
  }

  /**
   * Asks the member how big its cluster is, from the JSON of {@code GET /health/ready}.
   *
   * @param timeout for the request
   * @return the cluster size it reports, null when it does not answer or reports none
   */
  Integer reportedClusterSize(Duration timeout) {
    return HTTP.sendAsync(readiness(timeout), HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> clusterSize(response.body())).exceptionally(error -> null).join();
  }

  /**
   * The readiness JSON is not part of the contract beyond being JSON: take the first number named
   * {@code members} anywhere in it (the server reports its Hazelcast member count so).
   *
   * @param body the readiness answer
   * @return the number, null when there is none or the body is not JSON
   */
  static Integer clusterSize(String body) {
    try {
      return findMembers(new JsonObject(body));
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private static Integer findMembers(Object json) {
    if (json instanceof JsonObject object && object.getValue("members") instanceof Number n) {
      return n.intValue();
    }
    Stream<?> children = json instanceof JsonObject object ? object.stream().map(Map.Entry::getValue)
        : json instanceof JsonArray array ? array.stream() : Stream.empty();
    return children.map(ServerMember::findMembers).filter(Objects::nonNull).findFirst().orElse(null);
  }

  /**
   * SIGTERM, then SIGKILL if the process has not exited within the timeout.
   *
   * @param timeout how long a graceful stop may take
   * @return the exit code, or -1 when it had to be killed
   */
  int terminate(Duration timeout) {
    process.destroy();
    return awaitExit(System.nanoTime() + timeout.toNanos());
  }

  /**
   * SIGTERM to every member at once, then SIGKILL to those that have not exited within the timeout.
   *
   * @param members the members to stop
   * @param timeout how long a graceful stop may take
   */
  static void terminateAll(Collection<ServerMember> members, Duration timeout) {
    members.forEach(member -> member.process.destroy());
    long deadline = System.nanoTime() + timeout.toNanos();
    members.forEach(member -> member.awaitExit(deadline));
  }

  private int awaitExit(long deadlineNanos) {
    if (exitsWithin(process, Duration.ofNanos(deadlineNanos - System.nanoTime()))) {
      state = State.STOPPED;
      return process.exitValue();
    }
    kill();
    return -1;
  }

  /** SIGKILL, and wait (bounded) for the process to be gone. */
  void kill() {
    exitsWithin(process.destroyForcibly(), Duration.ofSeconds(10));
    state = State.STOPPED;
  }

  /**
   * Waits for a process to exit, at most {@code timeout}; an interrupt does not cut the wait short, so that a
   * stop interrupted half-way cannot leave a process behind.
   *
   * @return whether it exited
   */
  static boolean exitsWithin(Process process, Duration timeout) {
    return !process.isAlive()
        || process.onExit().completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS).join() != null;
  }

  /**
   * @param maxChars how much of the end of the log to return
   * @return the last characters of the log, for error messages
   */
  String logTail(int maxChars) {
    try {
      String text = Files.readString(log);
      return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public String toString() {
    return "m" + slot.index() + "(pid " + process.pid() + ", http " + slot.httpPort() + ", cluster "
        + slot.clusterPort() + ", " + state + ")";
  }
}
