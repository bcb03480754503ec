package io.tokencache.loadtest.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one orchestrated run: the fake IdP, the server processes and the membership
 * schedule. Fluent setters validate their argument.
 */
public final class HarnessOptions {

  public static final int DEFAULT_INITIAL_MEMBERS = 1;
  public static final double DEFAULT_QUOTA_RPS = 10;
  public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(600);
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);
  public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(1);
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_IDP_WARMUP_REQUESTS = 400;
  public static final List<String> DEFAULT_IDP_JVM_ARGS = List.of("-Xmx128m", "-XX:+UseSerialGC",
      "-Djava.net.preferIPv4Stack=true");
  /** Small heaps and the serial collector: up to five members share two cores with Gatling. */
  public static final List<String> DEFAULT_SERVER_JVM_ARGS = List.of("-Xmx192m", "-XX:+UseSerialGC", "-Xss512k");

  private String scenario = "adhoc";
  private Path reportDir = Path.of("target", "reports", "adhoc");
  private Path serverJar = Path.of("server", "target", "token-cache-server.jar");
  private List<String> serverJvmArgs = DEFAULT_SERVER_JVM_ARGS;
  private int initialMembers = DEFAULT_INITIAL_MEMBERS;
  private MembershipSchedule schedule = MembershipSchedule.none();
  private double quotaRps = DEFAULT_QUOTA_RPS;
  private Double serverQuotaRps;
  private Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;
  private Duration idpLatency = Duration.ZERO;
  private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
  private Duration drain = DEFAULT_DRAIN;
  private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
  private int idpWarmupRequests = DEFAULT_IDP_WARMUP_REQUESTS;
  private Path idpJar;
  private Path jarStoreDir;
  private String idpClasspath;
  private List<String> idpJvmArgs = DEFAULT_IDP_JVM_ARGS;

  /** @return the scenario name (cluster name, report folder, log lines) */
  public String getScenario() {
    return scenario;
  }

  /**
   * @param scenario letters, digits, '-' and '_'
   * @return this
   */
  public HarnessOptions setScenario(String scenario) {
    if (scenario == null || !scenario.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("scenario must match [A-Za-z0-9_-]{1,64}, was " + scenario);
    }
    this.scenario = scenario;
    return this;
  }

  /** @return the folder for this run's summary, chart, timeline and member logs */
  public Path getReportDir() {
    return reportDir;
  }

  /**
   * @param reportDir the folder; emptied of a previous run's files at start
   * @return this
   */
  public HarnessOptions setReportDir(Path reportDir) {
    this.reportDir = Objects.requireNonNull(reportDir, "reportDir");
    return this;
  }

  /** @return the server jar the members run */
  public Path getServerJar() {
    return serverJar;
  }

  /**
   * @param serverJar the server jar
   * @return this
   */
  public HarnessOptions setServerJar(Path serverJar) {
    this.serverJar = Objects.requireNonNull(serverJar, "serverJar");
    return this;
  }

  /** @return JVM flags of every member */
  public List<String> getServerJvmArgs() {
    return serverJvmArgs;
  }

  /**
   * @param serverJvmArgs JVM flags of every member
   * @return this
   */
  public HarnessOptions setServerJvmArgs(List<String> serverJvmArgs) {
    this.serverJvmArgs = List.copyOf(serverJvmArgs);
    return this;
  }

  /** @return members started and ready before the load starts */
  public int getInitialMembers() {
    return initialMembers;
  }

  /**
   * @param initialMembers 1 to 16
   * @return this
   */
  public HarnessOptions setInitialMembers(int initialMembers) {
    if (initialMembers < 1 || initialMembers > 16) {
      throw new IllegalArgumentException("initialMembers must be from 1 to 16, was " + initialMembers);
    }
    this.initialMembers = initialMembers;
    return this;
  }

  /** @return members joining and leaving during the load */
  public MembershipSchedule getSchedule() {
    return schedule;
  }

  /**
   * @param schedule members joining and leaving during the load
   * @return this
   */
  public HarnessOptions setSchedule(MembershipSchedule schedule) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    return this;
  }

  /** @return the IdP's quota (token bucket, burst = 1 s of quota) */
  public double getQuotaRps() {
    return quotaRps;
  }

  /**
   * @param quotaRps &gt; 0
   * @return this
   */
  public HarnessOptions setQuotaRps(double quotaRps) {
    if (!(quotaRps > 0) || Double.isInfinite(quotaRps)) {
      throw new IllegalArgumentException("quotaRps must be > 0, was " + quotaRps);
    }
    this.quotaRps = quotaRps;
    return this;
  }

  /** @return TOKEN_CACHE_UPSTREAM_QUOTA_RPS given to the members; the IdP's quota unless set */
  public double getServerQuotaRps() {
    return serverQuotaRps != null ? serverQuotaRps : quotaRps;
  }

  /**
   * @param serverQuotaRps &gt; 0, or null to follow {@link #getQuotaRps()}
   * @return this
   */
  public HarnessOptions setServerQuotaRps(Double serverQuotaRps) {
    if (serverQuotaRps != null && (!(serverQuotaRps > 0) || serverQuotaRps.isInfinite())) {
      throw new IllegalArgumentException("serverQuotaRps must be > 0, was " + serverQuotaRps);
    }
    this.serverQuotaRps = serverQuotaRps;
    return this;
  }

  /** @return lifetime of the tokens the IdP issues */
  public Duration getTokenLifetime() {
    return tokenLifetime;
  }

  /**
   * @param tokenLifetime whole seconds, &gt;= 1 s
   * @return this
   */
  public HarnessOptions setTokenLifetime(Duration tokenLifetime) {
    if (tokenLifetime == null || tokenLifetime.compareTo(Duration.ofSeconds(1)) < 0 || tokenLifetime.getNano() != 0) {
      throw new IllegalArgumentException("tokenLifetime must be whole seconds >= 1, was " + tokenLifetime);
    }
    this.tokenLifetime = tokenLifetime;
    return this;
  }

  /** @return the IdP's delay before each token answer */
  public Duration getIdpLatency() {
    return idpLatency;
  }

  /**
   * @param idpLatency &gt;= 0
   * @return this
   */
  public HarnessOptions setIdpLatency(Duration idpLatency) {
    if (idpLatency == null || idpLatency.isNegative()) {
      throw new IllegalArgumentException("idpLatency must be >= 0, was " + idpLatency);
    }
    this.idpLatency = idpLatency;
    return this;
  }

  /** @return how long a member may take to answer 200 on /health/ready */
  public Duration getReadyTimeout() {
    return readyTimeout;
  }

  /**
   * @param readyTimeout &gt; 0
   * @return this
   */
  public HarnessOptions setReadyTimeout(Duration readyTimeout) {
    this.readyTimeout = positive("readyTimeout", readyTimeout);
    return this;
  }

  /** @return how long a leaving member stays up after it left the rotation, before SIGTERM */
  public Duration getDrain() {
    return drain;
  }

  /**
   * @param drain &gt;= 0
   * @return this
   */
  public HarnessOptions setDrain(Duration drain) {
    if (drain == null || drain.isNegative()) {
      throw new IllegalArgumentException("drain must be >= 0, was " + drain);
    }
    this.drain = drain;
    return this;
  }

  /** @return how long a graceful stop may take before SIGKILL */
  public Duration getStopTimeout() {
    return stopTimeout;
  }

  /**
   * @param stopTimeout &gt; 0
   * @return this
   */
  public HarnessOptions setStopTimeout(Duration stopTimeout) {
    this.stopTimeout = positive("stopTimeout", stopTimeout);
    return this;
  }

  /** @return token requests sent to the IdP to warm it up before the load (then its counters are zeroed) */
  public int getIdpWarmupRequests() {
    return idpWarmupRequests;
  }

  /**
   * @param idpWarmupRequests 0 to 100000
   * @return this
   */
  public HarnessOptions setIdpWarmupRequests(int idpWarmupRequests) {
    if (idpWarmupRequests < 0 || idpWarmupRequests > 100_000) {
      throw new IllegalArgumentException("idpWarmupRequests must be from 0 to 100000, was " + idpWarmupRequests);
    }
    this.idpWarmupRequests = idpWarmupRequests;
    return this;
  }

  /** @return the fake IdP's standalone jar to run it as a process; null: see {@link #getIdpClasspath()} */
  public Path getIdpJar() {
    return idpJar;
  }

  /**
   * @param idpJar {@code fake-idp.jar}, run as a process of its own (from its copy in {@link #getJarStoreDir()}); null to run
   *     it from {@link #setIdpClasspath(String) a class path}
   * @return this
   */
  public HarnessOptions setIdpJar(Path idpJar) {
    this.idpJar = idpJar;
    return this;
  }

  /** @return where the jars the processes run are kept ({@link JarStore}): by default {@code jars} beside the report folder */
  public Path getJarStoreDir() {
    return jarStoreDir != null ? jarStoreDir : reportDir.toAbsolutePath().normalize().resolveSibling("jars");
  }

  /**
   * @param jarStoreDir where the jars the processes run are kept, one copy per build; null for the default
   * @return this
   */
  public HarnessOptions setJarStoreDir(Path jarStoreDir) {
    this.jarStoreDir = jarStoreDir;
    return this;
  }

  /** @return a class path to run the IdP's main class from as a process, when no jar is set */
  public String getIdpClasspath() {
    return idpClasspath;
  }

  /**
   * @param idpClasspath a class path holding {@code FakeIdpMain} and its dependencies; null for none
   * @return this
   */
  public HarnessOptions setIdpClasspath(String idpClasspath) {
    this.idpClasspath = idpClasspath;
    return this;
  }

  /** @return JVM flags of the IdP process */
  public List<String> getIdpJvmArgs() {
    return idpJvmArgs;
  }

  /**
   * @param idpJvmArgs JVM flags of the IdP process
   * @return this
   */
  public HarnessOptions setIdpJvmArgs(List<String> idpJvmArgs) {
    this.idpJvmArgs = List.copyOf(idpJvmArgs);
    return this;
  }

  /**
   * @throws IllegalArgumentException when the schedule removes the last member
   */
  public void validate() {
    schedule.validate(initialMembers);
  }

  /** @return the settings as JSON, for the run's summary */
  public JsonObject toJson() {
    return new JsonObject()
        .put("scenario", scenario)
        .put("serverJar", serverJar.toString())
        .put("serverJvmArgs", new JsonArray(List.copyOf(serverJvmArgs)))
        .put("initialMembers", initialMembers)
        .put("schedule", schedule.toString())
        .put("quotaRps", quotaRps)
        .put("serverQuotaRps", getServerQuotaRps())
        .put("tokenLifetimeSeconds", tokenLifetime.toSeconds())
        .put("idpLatencyMs", idpLatency.toMillis())
        .put("idp", idpJar != null ? "process: " + idpJar : "process (class path)")
        .put("readyTimeoutSeconds", readyTimeout.toSeconds())
        .put("drainMillis", drain.toMillis())
        .put("stopTimeoutSeconds", stopTimeout.toSeconds());
  }

  private static Duration positive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }
}
