#!/usr/bin/env bash
# Runs one Gatling load scenario against real token-cache server processes and the fake IdP.
#   ./loadtest/run.sh <scenario> [-Dname=value ...]
#   ./loadtest/run.sh --help
# Exit code: 0 when Gatling's assertions and the scenario's verdicts pass, 1 when they fail or the
# run breaks, 2 on bad usage.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PACKAGE=io.tokencache.loadtest.simulations
SCENARIOS=(smoke steady herd scale-out rollover outage stuffing flood)
declare -A CLASSES=(
  [smoke]=SmokeSimulation
  [steady]=SteadySimulation
  [herd]=HerdSimulation
  [scale-out]=ScaleOutSimulation
  [rollover]=RolloverSimulation
  [outage]=OutageSimulation
  [stuffing]=StuffingSimulation
  [flood]=FloodSimulation
)

usage() {
  cat <<'EOF'
usage: ./loadtest/run.sh <scenario> [-Dname=value ...]

Starts the fake IdP (java -jar fake-idp/target/fake-idp.jar) and real token-cache
servers (java -jar server/target/token-cache-server.jar, one process per member,
all on 127.0.0.1, one cluster), runs the scenario, stops everything, and writes
  loadtest/target/gatling/<simulation>-<timestamp>/index.html  Gatling's report, with the verdicts as
                                                               the "verdicts" and "figures" groups,
                                                               and a copy of the charts and summary
  loadtest/target/reports/<scenario>/summary.json              figures and verdicts
  loadtest/target/reports/<scenario>/upstream.png              upstream calls/s vs quota, members
  loadtest/target/reports/<scenario>/upstream-lanes.png        (flood) upstream calls/s by budget lane
  loadtest/target/reports/<scenario>/timeline.csv              the run second by second
  loadtest/target/reports/<scenario>/members/m<N>.log          each member's output
  loadtest/target/reports/jars/                                the jars the processes run, one copy per build
Builds the server jar and the fake IdP's jar first if missing or older than their sources.
Exits non-zero when a Gatling assertion or a verdict fails.

scenarios (default run time on 2 cores, load only):
  smoke      CI check (~40 s): 2 members, 20 keys, ramp to 40 req/s in 10 s, hold 30 s
  steady     fixed rate (~2 min): 2 members, 100 req/s over 100 keys, 60 s tokens
  herd       thundering herd (~40 s): 10 s warm-up, then 2000 first requests for 5 keys
             within 1 s while the IdP takes 1.5 s; then 50 req/s of hits for 20 s
  scale-out  a spike (~95 s): 30 req/s on 1 member, then 300 req/s within 5 s (new keys
             2/s -> 8/s) held 60 s; members added at 33, 36, 39 and 42 s (5 in all)
  rollover   20 s tokens over 6 lifetimes (~2 min), 50 req/s over 50 keys
  outage     IdP down (UNAVAILABLE) from 30 s to 70 s (~100 s); cached keys must keep working
  stuffing   wrong secrets at 20 req/s beside 50 req/s of valid traffic (~90 s)
  flood      3 members, 10 keys in use (30 req/s, 20 s tokens) while 100 never-seen keys/s
             (10x the budget) arrive over 300 connections for 60 s (~80 s); in-use keys
             must be served and refreshed once per token cycle
Each run adds ~10 s of Maven, ~5 s of IdP warm-up and 5-10 s of member start-up.

properties common to every scenario (-Dname=value for all, -D<scenario>.name=value for one):
  members=N              members started before the load (scale-out 1, smoke/steady/herd/
                         rollover/outage/stuffing 2, flood 3)
  schedule=T:ACTION,...  membership changes during the load, T in seconds from its start;
                         ACTION add | term | kill | term-oldest | kill-oldest
                         (scale-out: 33:add,36:add,39:add,42:add; others: none)
  quotaRps=Q             the IdP's quota, also TOKEN_CACHE_UPSTREAM_QUOTA_RPS (10)
  serverQuotaRps=Q       give the servers a different budget than the IdP enforces
  lifetimeSeconds=S      token lifetime at the IdP (rollover and flood 20, steady 60, others 600)
  idpLatencyMs=MS        IdP answer delay (herd 1500, others 0)
  keys=N                 distinct cache keys, one client id each (smoke 20, steady 100,
                         herd 5, scale-out 600, rollover 50, outage 30, stuffing 50,
                         flood 10: the keys in use)
  maxFailed=N            failed requests tolerated (0)
  p95Ms=MS p99Ms=MS      response time assertions (per scenario; outage: cached keys only,
                         stuffing: valid traffic only, herd: all and the herd's requests,
                         flood: the in-use keys only)
  rampInSeconds=S        the rate ramps up from 1 req/s over the first S seconds (10; not
                         smoke, which has rampSeconds, nor herd, which has a warm-up;
                         flood: the in-use keys' rate)
  serverJvmArgs="..."    JVM flags of each member (-Xmx192m -XX:+UseSerialGC -Xss512k)
  readyTimeoutSeconds=S  how long a member may take to become ready (120)
  refreshAheadFraction=F the server's refresh point, for the per-refresh-cycle verdict (0.75)

scenario properties:
  smoke      rate=40 rampSeconds=10 durationSeconds=30 newKeysPerSecond=2
  steady     rate=100 durationSeconds=120 newKeysPerSecond=5
  herd       users=2000 rampMillis=1000 (0: all at once) tailRps=50 tailSeconds=20
  scale-out  startRate=30 peakRate=300 warmSeconds=30 (the step's start) stepSeconds=5
             holdSeconds=60 newKeysPerSecond=2 peakNewKeysPerSecond=8 maxCallsPerKey=1
             maxStartToServingSeconds=0 (> 0: a verdict on each added member's process
             start to first request served; 0: reported only)
  rollover   lifetimes=6 rate=50 newKeysPerSecond=5
  outage     mode=UNAVAILABLE|HANG|RESET|SERVER_ERROR rate=60 newKeyRps=2 warmSeconds=10
             outageStartSeconds=30 outageSeconds=40 recoverSeconds=30 maxProbeRpsPerMember=1.0
  stuffing   rate=50 stuffingRps=20 stuffingStartSeconds=15 durationSeconds=90
             newKeysPerSecond=5 distinctWrongSecrets=100
  flood      inUseRps=30 warmSeconds=10 floodRps=100 floodConnections=300 floodSeconds=60
             tailSeconds=10 maxRefreshGapFraction=0.9

other -D options: gatling.jvmHeap=-Xmx512m (the Gatling JVM's heap)
environment: LOADTEST_SKIP_BUILD=1 skips the build check.

examples:
  ./loadtest/run.sh smoke
  ./loadtest/run.sh herd -Dmembers=1
  ./loadtest/run.sh scale-out -DpeakRate=200 -Dschedule=31:add,33:add,35:add,37:add
  ./loadtest/run.sh outage -Dmode=HANG
  ./loadtest/run.sh flood -DfloodRps=200
EOF
}

if [[ $# -lt 1 ]]; then
  usage >&2
  exit 2
fi
case "$1" in
  -h | --help | help)
    usage
    exit 0
    ;;
esac
scenario="$1"
shift
class="${CLASSES[$scenario]:-}"
if [[ -z "$class" ]]; then
  echo "run.sh: unknown scenario '$scenario' (one of: ${SCENARIOS[*]})" >&2
  exit 2
fi
props=()
for arg in "$@"; do
  case "$arg" in
    -D?*=*) props+=("$arg") ;;
    -D?*) props+=("$arg") ;;
    *) echo "run.sh: unexpected argument '$arg': give properties as -Dname=value" >&2; exit 2 ;;
  esac
done

command -v java >/dev/null || { echo "run.sh: java not found (Java 17 is required)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "run.sh: mvn not found (Maven 3.8+ is required)" >&2; exit 1; }

# The server jar must exist and be newer than every source it is built from (a root package also
# builds the fake IdP's jar).
jar="$ROOT/server/target/token-cache-server.jar"
stale() {
  [[ ! -f "$jar" ]] && return 0
  local newer
  newer="$(find "$ROOT/pom.xml" "$ROOT/core/pom.xml" "$ROOT/server/pom.xml" "$ROOT/core/src/main" \
    "$ROOT/server/src/main" -type f -newer "$jar" -print -quit 2>/dev/null || true)"
  [[ -n "$newer" ]]
}
# The fake IdP runs from its standalone jar, in a JVM of its own.
idp_jar="$ROOT/fake-idp/target/fake-idp.jar"
idp_stale() {
  [[ ! -f "$idp_jar" ]] && return 0
  local newer
  newer="$(find "$ROOT/fake-idp/pom.xml" "$ROOT/fake-idp/src/main" -type f -newer "$idp_jar" \
    -print -quit 2>/dev/null || true)"
  [[ -n "$newer" ]]
}
if [[ "${LOADTEST_SKIP_BUILD:-0}" != 1 ]] && stale; then
  echo "[run.sh] the server jar is missing or older than its sources: mvn -B -q -DskipTests package"
  if ! (cd "$ROOT" && mvn -B -q -DskipTests package); then
    echo "[run.sh] the build failed; to run against the jars already built, set LOADTEST_SKIP_BUILD=1" >&2
    exit 1
  fi
elif [[ "${LOADTEST_SKIP_BUILD:-0}" != 1 ]] && idp_stale; then
  echo "[run.sh] the fake IdP jar is missing or older than its sources: mvn -B -q -pl fake-idp -DskipTests package"
  if ! (cd "$ROOT" && mvn -B -q -pl fake-idp -DskipTests package); then
    echo "[run.sh] the build failed; to run against the jars already built, set LOADTEST_SKIP_BUILD=1" >&2
    exit 1
  fi
fi

reports="$HERE/target/reports/$scenario"
gatling_results="$HERE/target/gatling"
mkdir -p "$reports" "$gatling_results"
rm -f "$reports/summary.json"

# The Gatling JVM stops every process it started (members, IdP) on success, failure and Ctrl-C
# (a shutdown hook). Should that JVM itself be SIGKILLed, those processes are listed in $reports/pids.
cleanup() {
  local pid
  [[ -f "$reports/pids" ]] || return 0
  while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE "token-cache-server|fake-idp"; then
      echo "[run.sh] stopping leftover process $pid"
      kill -TERM "$pid" 2>/dev/null || true
      sleep 2
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$reports/pids"
}
trap cleanup EXIT

# Gatling's report shows the run description at its top (plain text: it escapes HTML), fixed before the
# run starts; the verdicts themselves reach the report as the "verdicts" and "figures" request groups.
description="token-cache $scenario: verdicts (upstream 429, max upstream in any sliding 1 s against the quota,"
description+=" failed requests, members, the scenario's own) are the 'verdicts' group (KO = failed, the figure"
description+=" in the error) and the key figures the 'figures' group of the statistics below, asserted by"
description+=" name. Chart: upstream.png in this folder (copy of loadtest/target/reports/$scenario/upstream.png);"
description+=" summary: loadtest/target/reports/$scenario/summary.json"
has_description=0
for prop in ${props[@]+"${props[@]}"}; do
  [[ "$prop" == -Dgatling.runDescription=* ]] && has_description=1
done
if [[ $has_description -eq 0 ]]; then
  props+=("-Dgatling.runDescription=$description")
fi

# The simulations build against the fake IdP's module, which a one-module build (-pl loadtest) resolves from the
# local repository: install it there (a few seconds; skipped with LOADTEST_SKIP_BUILD=1 like the jars above).
if [[ "${LOADTEST_SKIP_BUILD:-0}" != 1 ]]; then
  if ! (cd "$ROOT" && { mvn -B -q -o -pl fake-idp -DskipTests install || mvn -B -q -pl fake-idp -DskipTests install; }); then
    echo "[run.sh] installing the fake IdP's module failed (mvn -B -q -pl fake-idp -DskipTests install)" >&2
    exit 1
  fi
fi

started=$(date +%s)
marker="$(mktemp)"
echo "[run.sh] scenario $scenario: $PACKAGE.$class ${props[*]+${props[*]}}"
set +e
(cd "$ROOT" && mvn -B -ntp -pl loadtest gatling:test "-Dgatling.simulationClass=$PACKAGE.$class" \
  ${props[@]+"${props[@]}"})
gatling_rc=$?
set -e
elapsed=$(($(date +%s) - started))

report_dir=""
lower="$(echo "$class" | tr '[:upper:]' '[:lower:]')"
for dir in $(ls -td "$gatling_results/$lower"-* 2>/dev/null); do
  if [[ "$dir" -nt "$marker" ]]; then
    report_dir="$dir"
  fi
  break
done
rm -f "$marker"

status=0
echo
echo "[run.sh] ===== $scenario finished in ${elapsed} s ====="
if [[ -n "$report_dir" && -f "$report_dir/index.html" ]]; then
  echo "[run.sh] Gatling report: ${report_dir#"$ROOT"/}/index.html"
  # The project's charts beside Gatling's report, as its description says.
  for png in upstream.png upstream-lanes.png; do
    [[ -f "$reports/$png" ]] && cp "$reports/$png" "$report_dir/$png"
  done
  if [[ -f "$reports/summary.json" ]]; then
    cp "$reports/summary.json" "$report_dir/token-cache-summary.json"
  fi
else
  echo "[run.sh] Gatling report: not written"
fi
if [[ -f "$reports/summary.json" ]]; then
  echo "[run.sh] summary:        ${reports#"$ROOT"/}/summary.json"
  if [[ -f "$reports/upstream.png" ]]; then
    echo "[run.sh] chart:          ${reports#"$ROOT"/}/upstream.png"
  else
    echo "[run.sh] chart:          not written (see chart_error in the summary)"
  fi
  if [[ -f "$reports/upstream-lanes.png" ]]; then
    echo "[run.sh] lane chart:     ${reports#"$ROOT"/}/upstream-lanes.png"
  fi
  if grep -q '"passed" : true' "$reports/summary.json"; then
    echo "[run.sh] verdicts:       passed"
  else
    echo "[run.sh] verdicts:       FAILED (see the [FAIL] lines above and \"verdicts\" in summary.json)"
    status=1
  fi
else
  echo "[run.sh] summary:        not written: the run did not complete"
  status=1
fi
if [[ $gatling_rc -eq 0 ]]; then
  echo "[run.sh] Gatling:        assertions passed"
else
  echo "[run.sh] Gatling:        FAILED (assertions or the run itself; exit code $gatling_rc)"
  status=1
fi
exit $status
