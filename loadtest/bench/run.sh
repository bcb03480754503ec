#!/usr/bin/env bash
# token-cache benchmarks, side by side, in one run (issue 9):
#   1. hit      cache-hit throughput and latency of one token-cache node vs nginx (the API Gateway recipe:
#               proxy_cache on POST) vs a minimal Vert.x endpoint (the floor), alternating rounds: saturated (the
#               same concurrency), then paced (the same request rate, for the p99 target), + a JFR profile
#   2. herd     upstream calls per key per lifetime: 3 token-cache nodes (one cluster) vs 3 independent nginx caches
#   3. rollover p99 while tokens roll over vs steady-state p99 (one token-cache node)
#   4. heap     heap per cached token at 100,000 tokens (one token-cache node)
#   5. startup  process start to /health/ready: a member joining a running member and a lone one, 5 starts each,
#               with the CDS archive and without (loadtest/bench/startup.sh, which also runs alone)
#   6. miss     a hit and a cold miss through the engine's API (no HTTP), one member and a 3-member cluster: the
#               miss's overhead over the IdP's own answer and the map operations it costs (ElectionCostBenchmark)
# Writes loadtest/target/bench/<timestamp>/{results.json,results.md,*.png} and the raw files behind them.
# See docs/benchmarks.md for what is measured and how to read it.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: loadtest/bench/run.sh [options]
  --phases LIST     comma-separated subset of hit,herd,rollover,heap,startup,miss (default: all)
  --quick           short durations (a smoke run of the command, ~4 min; figures not meaningful)
  --no-pin          do not pin with taskset (default on >= 2 CPUs: servers on CPU 1, wrk and helpers on CPU 0)
  --wait-quiet[=S]  before measuring, wait up to S seconds (default 600) for the 1-min load average to drop
                    below BENCH_QUIET_LOAD (default 1.0); measure anyway after that, and record the load
  --publish         copy results.md and the charts to docs/benchmarks/
  -h, --help        this text
Environment (defaults): BENCH_DURATION=20 (s per hit round) BENCH_ROUNDS=3 BENCH_WARMUP=15 BENCH_CONNECTIONS=64
  BENCH_THREADS=2 BENCH_SERVER_JVM="-Xms256m -Xmx256m -XX:+UseSerialGC" BENCH_HEAP_TOKENS=100000
  BENCH_PACED_RPS (req/s of the paced hit rounds; default: 50% of the lowest median saturated req/s of this run)
  BENCH_PACED_CONNECTIONS=128 (wrk -c of the paced hit rounds: enough that connections never limit the rate)
  BENCH_PACED_WARMUP=30 (s per system at the paced rate before the paced rounds)
  BENCH_HERD_KEYS=50 BENCH_HERD_PER_KEY=12 BENCH_HERD_LIFETIME=20 BENCH_HERD_LIFETIMES=3 BENCH_HERD_RPS=300
  BENCH_HERD_WARMUP=5 (s of warm-up on other keys before the herd)
  BENCH_ROLL_LIFETIME=20 BENCH_ROLL_WINDOW=5 BENCH_ROLL_WINDOWS=16 BENCH_ROLL_KEYS=50 BENCH_JFR_SECONDS=20
  BENCH_SERVER_JAR (default server/target/token-cache-server.jar: measure another build, e.g. a patched one)
Exit code: 0 when every phase ran (targets met or not: see results.md), 1 when the run broke, 2 on bad usage.
EOF
}

ARGS="$*"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_SRC=$ROOT/loadtest/bench
DURATION=${BENCH_DURATION:-20}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
PACED_RPS=${BENCH_PACED_RPS:-}
PACED_CONNECTIONS=${BENCH_PACED_CONNECTIONS:-128}
PACED_WARMUP=${BENCH_PACED_WARMUP:-30}
THREADS=${BENCH_THREADS:-2}
SERVER_JVM=${BENCH_SERVER_JVM:-"-Xms256m -Xmx256m -XX:+UseSerialGC"}
HEAP_TOKENS=${BENCH_HEAP_TOKENS:-100000}
HERD_KEYS=${BENCH_HERD_KEYS:-50}
HERD_PER_KEY=${BENCH_HERD_PER_KEY:-12}
HERD_LIFETIME=${BENCH_HERD_LIFETIME:-20}
HERD_LIFETIMES=${BENCH_HERD_LIFETIMES:-3}
HERD_RPS=${BENCH_HERD_RPS:-300}
HERD_IDP_LATENCY=${BENCH_HERD_IDP_LATENCY:-100}
HERD_WARMUP=${BENCH_HERD_WARMUP:-5}
ROLL_LIFETIME=${BENCH_ROLL_LIFETIME:-20}
ROLL_STEADY_LIFETIME=3600
ROLL_WINDOW=${BENCH_ROLL_WINDOW:-5}
ROLL_WINDOWS=${BENCH_ROLL_WINDOWS:-16}
ROLL_KEYS=${BENCH_ROLL_KEYS:-50}
JFR_SECONDS=${BENCH_JFR_SECONDS:-20}
QUIET_LOAD=${BENCH_QUIET_LOAD:-1.0}
PHASES=hit,herd,rollover,heap,startup,miss
PIN=auto
WAIT_QUIET=0
PUBLISH=0
QUICK=0

while [[ $# -gt 0 ]]; do
  case $1 in
    --phases) PHASES=${2:?--phases needs a list}; shift ;;
    --phases=*) PHASES=${1#*=} ;;
    --quick) QUICK=1 ;;
    --no-pin) PIN=0 ;;
    --wait-quiet) WAIT_QUIET=600 ;;
    --wait-quiet=*) WAIT_QUIET=${1#*=} ;;
    --publish) PUBLISH=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [[ -n $PACED_RPS && ! $PACED_RPS =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: BENCH_PACED_RPS must be a positive integer (req/s), not '$PACED_RPS'" >&2; exit 2
fi
if [[ ! $PACED_CONNECTIONS =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: BENCH_PACED_CONNECTIONS must be a positive integer, not '$PACED_CONNECTIONS'" >&2; exit 2
fi
if [[ ! $PACED_WARMUP =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: BENCH_PACED_WARMUP must be a positive integer (seconds), not '$PACED_WARMUP'" >&2; exit 2
fi
for p in ${PHASES//,/ }; do
  case $p in hit|herd|rollover|heap|startup|miss) ;; *) echo "run.sh: unknown phase '$p'" >&2; exit 2 ;; esac
done
if [[ $QUICK == 1 ]]; then
  DURATION=5 ROUNDS=2 WARMUP=3 PACED_WARMUP=3 JFR_SECONDS=5 HEAP_TOKENS=10000
  HERD_LIFETIME=8 HERD_LIFETIMES=2 HERD_PER_KEY=6 HERD_WARMUP=2 ROLL_LIFETIME=8 ROLL_WINDOW=2 ROLL_WINDOWS=8
fi
(( HERD_KEYS * HERD_PER_KEY % 3 == 0 )) || { echo "run.sh: BENCH_HERD_KEYS x BENCH_HERD_PER_KEY must divide by 3 (one wrk thread per node)" >&2; exit 2; }
has_phase() { [[ ",$PHASES," == *",$1,"* ]]; }

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ processes we start, and only those
PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ ${#PIDS[@]} -gt 0 ]]; then
    log "stopping ${#PIDS[@]} process(es) started by this run"
    stop_pids "${PIDS[@]}"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# stop_pids PID...: SIGTERM, up to 15 s grace, then SIGKILL; forgets them
stop_pids() {
  local pid alive
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 150); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
  local keep=() p
  for p in "${PIDS[@]}"; do
    [[ " $* " == *" $p "* ]] || keep+=("$p")
  done
  PIDS=(${keep[@]+"${keep[@]}"})
}

# pin CPULIST cmd...: run pinned when pinning is on (taskset execs: the pid stays the command's)
pin() {
  local cpus=$1; shift
  if [[ $PIN == 1 && -n $cpus ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# start NAME CPULIST cmd...: in the background, output to logs/NAME.log; sets STARTED_PID
start() {
  local name=$1 cpus=$2; shift 2
  local prefix=()
  [[ $PIN == 1 && -n $cpus ]] && prefix=(taskset -c "$cpus")
  # exec in the subshell, so $! is the command's own pid (taskset and env exec too), the one to signal and jcmd
  ( exec ${prefix[@]+"${prefix[@]}"} "$@" >"$RUN/logs/$name.log" 2>&1 ) &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

wait_line() { # LOGFILE PATTERN PID [seconds]
  local file=$1 pattern=$2 pid=$3 limit=${4:-60}
  for _ in $(seq 1 $((limit * 10))); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before '$pattern' (see $file)"
    sleep 0.1
  done
  die "timed out waiting for '$pattern' in $file"
}

wait_ready() { # URL PID [seconds]
  local url=$1 pid=$2 limit=${3:-120}
  for _ in $(seq 1 $((limit * 5))); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before $url answered"
    sleep 0.2
  done
  die "timed out waiting for $url"
}

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
now_ms() { date +%s%3N; }

# ------------------------------------------------------------------ tools and jars
need_apt=()
command -v nginx >/dev/null 2>&1 || need_apt+=(nginx)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
if [[ ${#need_apt[@]} -gt 0 ]]; then
  command -v apt-get >/dev/null 2>&1 || die "missing ${need_apt[*]} and no apt-get: install them"
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  log "installing ${need_apt[*]} (apt-get)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
for tool in java jcmd jfr curl wrk nginx; do
  command -v "$tool" >/dev/null 2>&1 || die "missing $tool"
done
[[ -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx || NGINX=$(command -v nginx)
if [[ $PIN == auto ]]; then
  if command -v taskset >/dev/null 2>&1 && [[ $(nproc) -ge 2 ]]; then PIN=1; else PIN=0; fi
fi
if [[ $PIN == 1 ]]; then
  SUT_CPU=1; AUX_CPU=0; SUT_WORKERS=1
  PINNING="server under test (token-cache, nginx with 1 worker, Vert.x floor) on CPU 1 (taskset -c 1, so each JVM sees 1 CPU and deploys 1 HTTP verticle); wrk, the IdP and the drivers on CPU 0; herd and heap phases unpinned"
else
  SUT_CPU=; AUX_CPU=; SUT_WORKERS=$(nproc)
  PINNING="none: servers, wrk and the IdP share all $(nproc) CPUs"
fi

SERVER_JAR=${BENCH_SERVER_JAR:-$ROOT/server/target/token-cache-server.jar}
BENCH_JAR=$ROOT/loadtest/target/loadtest.jar
if [[ -n ${BENCH_SERVER_JAR:-} && ! -f $SERVER_JAR ]]; then
  die "BENCH_SERVER_JAR=$SERVER_JAR: no such file"
fi
if [[ ! -f $SERVER_JAR ]]; then
  log "building the jars: mvn -B -q -o -DskipTests install"
  (cd "$ROOT" && mvn -B -q -o -DskipTests install) || (cd "$ROOT" && mvn -B -q -DskipTests install) \
    || die "the build failed"
fi
if [[ ! -f $BENCH_JAR ]] || ! java -cp "$BENCH_JAR" io.tokencache.loadtest.harness.PortAllocator 1 >/dev/null 2>&1 \
  || [[ -n $(find "$ROOT/loadtest/src/main/java/io/tokencache/loadtest/bench" -newer "$BENCH_JAR" -name '*.java') ]]; then
  log "building the loadtest jar (bench classes missing or older than their sources): mvn -B -q -o -DskipTests -pl loadtest -am package"
  (cd "$ROOT" && mvn -B -q -o -DskipTests -pl loadtest -am package) || (cd "$ROOT" && mvn -B -q -DskipTests -pl loadtest -am package) \
    || die "the build failed"
fi

RUN_ID=$(date +%Y%m%d-%H%M%S)
RUN=$ROOT/loadtest/target/bench/$RUN_ID
mkdir -p "$RUN/logs" "$RUN/hit" "$RUN/rollover" "$RUN/heap" "$RUN/jars"
# members run copies taken now: a rebuild during the run does not change what is measured
SRC_SERVER_JAR=$SERVER_JAR
cp "$SERVER_JAR" "$RUN/jars/token-cache-server.jar"
cp "$BENCH_JAR" "$RUN/jars/bench.jar"
SERVER_JAR=$RUN/jars/token-cache-server.jar
BENCH_JAR=$RUN/jars/bench.jar
log "run $RUN_ID -> $RUN"

META=$RUN/meta.properties
meta() { printf '%s=%s\n' "$1" "$2" >>"$META"; }
meta run_id "$RUN_ID"
meta command "loadtest/bench/run.sh $ARGS"
meta machine "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
meta versions "$(java -version 2>&1 | head -1 | tr -d '"'); $($NGINX -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); token-cache $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') with $(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) uncommitted paths"
meta pinning "$PINNING"
meta wrk "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s -s loadtest/bench/token.lua"
meta server_jvm "$SERVER_JVM"
meta server_jar "$SRC_SERVER_JAR, built $(date -r "$SRC_SERVER_JAR" -Is)"
meta duration "$DURATION"
meta rounds "$ROUNDS"
meta warmup "$WARMUP"
meta paced_warmup "$PACED_WARMUP"
meta phases "$PHASES"
meta quick "$QUICK"

if [[ $WAIT_QUIET -gt 0 ]]; then
  waited=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v q="$QUIET_LOAD" 'BEGIN {exit !(l >= q)}'; do
    if [[ $waited -ge $WAIT_QUIET ]]; then
      log "load still $(load_avg) after ${waited}s: measuring anyway"
      break
    fi
    log "load average $(load_avg) >= $QUIET_LOAD: waiting for a quieter moment (${waited}/${WAIT_QUIET}s)"
    sleep 20
    waited=$((waited + 20))
  done
  meta quiet_wait "waited ${waited}s for a 1-min load below $QUIET_LOAD"
fi

ports() { java -cp "$BENCH_JAR" io.tokencache.loadtest.harness.PortAllocator "$1"; }
random_key() { head -c 32 /dev/urandom | base64 | tr -d '\n'; }

start_idp() { # NAME PORT CPU flags... -> IDP_PID
  local name=$1 port=$2 cpus=$3; shift 3
  start "$name" "$cpus" java -Xmx512m -XX:+UseSerialGC -cp "$BENCH_JAR" io.tokencache.fakeidp.FakeIdpMain \
    --host 127.0.0.1 --port "$port" --dynamic-clients --quota-rps 0 "$@"
  IDP_PID=$STARTED_PID
  wait_line "$RUN/logs/$name.log" "listening on" "$IDP_PID"
}

start_node() { # NAME CPU HTTP_PORT CLUSTER_PORT IDP_URL CLUSTER_NAME MEMBERS KEY JVM [ENV...] -> NODE_PID
  local name=$1 cpus=$2 http=$3 cport=$4 idp=$5 cname=$6 members=$7 key=$8 jvm=$9
  shift 9
  # shellcheck disable=SC2086
  start "$name" "$cpus" env TOKEN_CACHE_HTTP_HOST=127.0.0.1 TOKEN_CACHE_HTTP_PORT="$http" \
    TOKEN_CACHE_UPSTREAM_TOKEN_URL="$idp" TOKEN_CACHE_UPSTREAM_QUOTA_RPS="${NODE_QUOTA:-100}" \
    TOKEN_CACHE_CLUSTER_NAME="$cname" TOKEN_CACHE_CLUSTER_PORT="$cport" TOKEN_CACHE_CLUSTER_MEMBERS="$members" \
    TOKEN_CACHE_ENCRYPTION_KEY="$key" "$@" java $jvm -Djava.net.preferIPv4Stack=true -jar "$SERVER_JAR"
  NODE_PID=$STARTED_PID
}

start_nginx() { # NAME CPU PORT IDP_PORT TTL WORKERS -> NGINX_PID
  local name=$1 cpus=$2 port=$3 idp=$4 ttl=$5 workers=$6
  local prefix=$RUN/nginx/$name
  mkdir -p "$prefix/cache" "$prefix/logs"
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" -e "s|@IDP_PORT@|$idp|g" -e "s|@TTL@|$ttl|g" \
    -e "s|@WORKERS@|$workers|g" "$BENCH_SRC/nginx.conf.template" >"$prefix/nginx.conf"
  start "$name" "$cpus" "$NGINX" -p "$prefix" -e "$prefix/error.log" -c "$prefix/nginx.conf"
  NGINX_PID=$STARTED_PID
  for _ in $(seq 1 100); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx $name exited (see $prefix/error.log)"
    sleep 0.1
  done
  die "nginx $name did not listen on $port"
}

# token URL -> "STATUS CACHE BYTES" for client $2
probe() {
  local url=$1 client=$2 h
  h=$(curl -sS -o "$RUN/probe.body" -D - --max-time 10 -u "$client:$client-secret" \
    -d grant_type=client_credentials -d scope=orders:read "$url")
  printf '%s %s %s\n' "$(head -1 <<<"$h" | cut -d' ' -f2)" \
    "$(grep -i '^x-token-cache:' <<<"$h" | tr -d '\r' | cut -d' ' -f2)" "$(stat -c %s "$RUN/probe.body")"
}

# cpu_ticks PID...: user + system CPU time of these processes and their live children (nginx workers), in ticks
cpu_ticks() {
  local t=0 p c
  for p in "$@"; do
    for c in "$p" $(pgrep -P "$p" 2>/dev/null || true); do
      [[ -r /proc/$c/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat")))
    done
  done
  echo "$t"
}
CLK_TCK=$(getconf CLK_TCK)

# run_wrk OUT LABEL ROUND URL SECONDS SERVER_PID [ENV...]: one wrk run pinned to the helper CPU; the figures, with
# the CPU time the server used meanwhile, go to OUT. WRK_CONNECTIONS=N run_wrk ... overrides -c (default
# BENCH_CONNECTIONS); WRK_RATE=R run_wrk ... paces the run to R req/s in total (token.lua's BENCH_RATE) and records
# the rate as "target_rps"
run_wrk() {
  local out=$1 label=$2 round=$3 url=$4 secs=$5 spid=$6
  shift 6
  local conns=${WRK_CONNECTIONS:-$CONNECTIONS} rate=${WRK_RATE:-}
  local l1 text line t0 t1 cpu_ms pacing=() target=
  if [[ -n $rate ]]; then
    pacing=(BENCH_RATE="$rate")
    target=",\"target_rps\":$rate"
  fi
  l1=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(cpu_ticks "$spid")
  text=$(pin "$AUX_CPU" env BENCH_THREADS="$THREADS" ${pacing[@]+"${pacing[@]}"} "$@" \
    wrk -t"$THREADS" -c"$conns" -d"${secs}s" -s "$BENCH_SRC/token.lua" "$url")
  t1=$(cpu_ticks "$spid")
  cpu_ms=$(( (t1 - t0) * 1000 / CLK_TCK ))
  line=$(grep '^WRKJSON ' <<<"$text" | sed 's/^WRKJSON //')
  [[ -n $line ]] || die "wrk printed no figures for $label: $text"
  if [[ -n $out ]]; then
    printf '{"system":"%s","round":%d,"load1":%s,"server_cpu_ms":%d,"connections":%d%s,"wrk":%s}\n' "$label" "$round" \
      "$l1" "$cpu_ms" "$conns" "$target" "$line" >"$out"
  fi
  WRK_LINE=$line
  local req dur
  req=$(grep -o '"requests":[0-9]*' <<<"$line" | cut -d: -f2)
  dur=$(grep -o '"duration_us":[0-9]*' <<<"$line" | cut -d: -f2)
  log "  $label r$round: $req requests in ${secs}s${rate:+ (paced at $rate req/s: $((req * 1000000 / (dur > 0 ? dur : 1))) req/s achieved)}, p99 $(grep -o '"p99":[0-9]*' <<<"$line" | cut -d: -f2) us, server CPU $((cpu_ms * 1000 / (req > 0 ? req : 1))) us/request, errors $(grep -o '"errors":[0-9]*,"status_errors":[0-9]*' <<<"$line" | tr -d '"') (load $l1)"
}

# median_rps FILE...: the median req/s of these run_wrk files (requests / duration); nothing when there are none
median_rps() {
  local f
  for f in "$@"; do
    [[ -f $f ]] || continue
    sed -n 's/.*"requests":\([0-9]*\),"duration_us":\([0-9]*\).*/\1 \2/p' "$f"
  done | awk '$2 > 0 {print $1 * 1e6 / $2}' | sort -g \
    | awk '{v[NR] = $1} END {if (NR > 0) printf "%.0f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# ------------------------------------------------------------------ 1. hits
phase_hit() {
  log "phase 1: cache hits, token-cache vs nginx vs Vert.x floor (load $(load_avg))"
  meta load.1-hit "$(load_avg)"
  local p idp http cport ng fl
  mapfile -t p < <(ports 5)
  idp=${p[0]} http=${p[1]} cport=${p[2]} ng=${p[3]} fl=${p[4]}
  start_idp idp-hit "$idp" "$AUX_CPU" --lifetime-seconds 3600
  local idp_pid=$IDP_PID
  start_node tc-hit "$SUT_CPU" "$http" "$cport" "http://127.0.0.1:$idp/oauth2/token" "bench-$RUN_ID-hit" "" \
    "$(random_key)" "$SERVER_JVM"
  local tc_pid=$NODE_PID
  start_nginx nginx-hit "$SUT_CPU" "$ng" "$idp" 2700 "$SUT_WORKERS"
  local ng_pid=$NGINX_PID
  wait_ready "http://127.0.0.1:$http/health/ready" "$tc_pid"

  local tc_url=http://127.0.0.1:$http/oauth2/token ng_url=http://127.0.0.1:$ng/oauth2/token
  local fl_url=http://127.0.0.1:$fl/oauth2/token
  log "  token-cache: $(probe "$tc_url" bench-hit) then $(probe "$tc_url" bench-hit)"
  cp "$RUN/probe.body" "$RUN/hit/token-body.json"
  log "  nginx:       $(probe "$ng_url" bench-hit) then $(probe "$ng_url" bench-hit)"
  start fl-hit "$SUT_CPU" java $SERVER_JVM -cp "$BENCH_JAR" io.tokencache.loadtest.bench.FloorServer \
    --port "$fl" --body-file "$RUN/hit/token-body.json"
  local fl_pid=$STARTED_PID
  wait_line "$RUN/logs/fl-hit.log" "listening on" "$fl_pid"
  log "  floor:       $(probe "$fl_url" bench-hit)"
  for s in token-cache nginx vertx-floor; do
    local u
    case $s in token-cache) u=$tc_url ;; nginx) u=$ng_url ;; *) u=$fl_url ;; esac
    meta "hit.response.$s" "$(curl -s -o /dev/null -w '%{size_header} B headers + %{size_download} B body' \
      -u bench-hit:bench-hit-secret -d grant_type=client_credentials -d scope=orders:read "$u")"
  done

  log "  warm-up ${WARMUP}s each"
  run_wrk "" nginx 0 "$ng_url" "$WARMUP" "$ng_pid" BENCH_CLIENT=bench-hit
  run_wrk "" token-cache 0 "$tc_url" "$WARMUP" "$tc_pid" BENCH_CLIENT=bench-hit
  run_wrk "" vertx-floor 0 "$fl_url" "$WARMUP" "$fl_pid" BENCH_CLIENT=bench-hit
  for r in $(seq 1 "$ROUNDS"); do
    log "  round $r/$ROUNDS"
    run_wrk "$RUN/hit/nginx-r$r.json" nginx "$r" "$ng_url" "$DURATION" "$ng_pid" BENCH_CLIENT=bench-hit
    run_wrk "$RUN/hit/token-cache-r$r.json" token-cache "$r" "$tc_url" "$DURATION" "$tc_pid" BENCH_CLIENT=bench-hit
    run_wrk "$RUN/hit/vertx-floor-r$r.json" vertx-floor "$r" "$fl_url" "$DURATION" "$fl_pid" BENCH_CLIENT=bench-hit
  done

  # Paced rounds: the p99 target reads "at the same load", and in the saturated rounds each system runs at its own
  # throughput. Here every system gets the same request rate (token.lua's fixed schedule), by default half of the
  # slowest system's saturated throughput, so that none of them is saturated; more connections than the saturated
  # rounds, so that a free connection is there for every slot and the connections do not limit the rate.
  local rate=$PACED_RPS source="BENCH_PACED_RPS"
  if [[ -z $rate ]]; then
    local s m lowest=
    for s in nginx token-cache vertx-floor; do
      m=$(median_rps "$RUN"/hit/"$s"-r*.json)
      [[ -n $m ]] || die "no saturated hit rounds of $s to derive the paced rate from"
      if [[ -z $lowest || $m -lt $lowest ]]; then lowest=$m; fi
    done
    rate=$((lowest / 2))
    [[ $rate -ge 1 ]] || die "the lowest median saturated throughput ($lowest req/s) is too low to pace at half of it"
    source="50% of the lowest median saturated req/s ($lowest)"
  fi
  meta hit.paced_rps "$rate"
  meta hit.paced_rps_source "$source"
  meta hit.paced_connections "$PACED_CONNECTIONS"
  meta wrk_paced "BENCH_RATE=$rate wrk -t$THREADS -c$PACED_CONNECTIONS -d${DURATION}s -s loadtest/bench/token.lua"
  mkdir -p "$RUN/hit/paced"
  log "  paced: $rate req/s for every system ($source), -c$PACED_CONNECTIONS; warm-up ${PACED_WARMUP}s each at that rate"
  # A JVM re-profiles and recompiles when the load changes shape (closed loop -> paced: the event loop now idles
  # between requests), and on one CPU that compilation competes with the event loop: without a warm-up at the
  # paced rate, the first paced round measures the recompilation (docs/benchmarks.md)
  WRK_RATE=$rate WRK_CONNECTIONS=$PACED_CONNECTIONS run_wrk "" nginx 0 "$ng_url" "$PACED_WARMUP" "$ng_pid" \
    BENCH_CLIENT=bench-hit
  WRK_RATE=$rate WRK_CONNECTIONS=$PACED_CONNECTIONS run_wrk "" token-cache 0 "$tc_url" "$PACED_WARMUP" "$tc_pid" \
    BENCH_CLIENT=bench-hit
  WRK_RATE=$rate WRK_CONNECTIONS=$PACED_CONNECTIONS run_wrk "" vertx-floor 0 "$fl_url" "$PACED_WARMUP" "$fl_pid" \
    BENCH_CLIENT=bench-hit
  for r in $(seq 1 "$ROUNDS"); do
    log "  paced round $r/$ROUNDS"
    WRK_RATE=$rate WRK_CONNECTIONS=$PACED_CONNECTIONS run_wrk "$RUN/hit/paced/nginx-r$r.json" nginx "$r" "$ng_url" \
      "$DURATION" "$ng_pid" BENCH_CLIENT=bench-hit
    WRK_RATE=$rate WRK_CONNECTIONS=$PACED_CONNECTIONS run_wrk "$RUN/hit/paced/token-cache-r$r.json" token-cache "$r" \
      "$tc_url" "$DURATION" "$tc_pid" BENCH_CLIENT=bench-hit
    WRK_RATE=$rate WRK_CONNECTIONS=$PACED_CONNECTIONS run_wrk "$RUN/hit/paced/vertx-floor-r$r.json" vertx-floor "$r" \
      "$fl_url" "$DURATION" "$fl_pid" BENCH_CLIENT=bench-hit
  done

  log "  JFR profile of token-cache during a ${JFR_SECONDS}s hit run"
  # JDK's "profile" settings, with Java samples every 2 ms (not 10) and per-thread allocation totals every second
  sed -e 's|control="method-sampling-java-interval">10 ms<|control="method-sampling-java-interval">2 ms<|' \
    -e '/name="jdk.ThreadAllocationStatistics"/,/<\/event>/ s|>everyChunk<|>1 s<|' \
    "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/profile.jfc" >"$RUN/hit/bench.jfc"
  # JFR's first recording in a JVM costs (its own start-up, instrumentation, recompilation: on one CPU, tens of
  # seconds at a fraction of the throughput): a throwaway recording first, so the profile shows the steady state
  jcmd "$tc_pid" JFR.start name=warm settings="$RUN/hit/bench.jfc" >/dev/null
  run_wrk "" token-cache-jfr-warmup 0 "$tc_url" 30 "$tc_pid" BENCH_CLIENT=bench-hit
  jcmd "$tc_pid" JFR.stop name=warm >/dev/null
  jcmd "$tc_pid" JFR.start name=bench settings="$RUN/hit/bench.jfc" filename="$RUN/hit/token-cache.jfr" >/dev/null
  run_wrk "" token-cache-jfr 0 "$tc_url" "$JFR_SECONDS" "$tc_pid" BENCH_CLIENT=bench-hit
  local jfr_requests
  jfr_requests=$(grep -o '"requests":[0-9]*' <<<"$WRK_LINE" | cut -d: -f2)
  jcmd "$tc_pid" JFR.stop name=bench >/dev/null
  java -cp "$BENCH_JAR" io.tokencache.loadtest.bench.JfrTop --jfr "$RUN/hit/token-cache.jfr" \
    --requests "$jfr_requests" --out "$RUN/jfr.json"
  curl -s "http://127.0.0.1:$http/metrics" >"$RUN/hit/token-cache-metrics.txt" || true
  stop_pids "$tc_pid" "$ng_pid" "$fl_pid" "$idp_pid"
}

# ------------------------------------------------------------------ 2. herd
# herd_run SYSTEM PREFIX IDP_PORT PORT PORT PORT: the herd against three nodes, one wrk thread on each: a warm-up on
# 20 other keys, then at once the herd (HERD_PER_KEY first requests per key, all at t = 0) and the steady load
# (HERD_RPS req/s over every key and node) until the last token lifetime ends; the IdP counts the calls per key.
# Writes $RUN/herd-SYSTEM.json (the settings and both wrk lines) and $RUN/herd-SYSTEM-idp.json (the IdP's stats).
herd_run() {
  local system=$1 prefix=$2 idp=$3 ports="$4,$5,$6" url="http://127.0.0.1:$4/oauth2/token"
  local secs=$((HERD_LIFETIMES * HERD_LIFETIME - 1)) once=$((HERD_KEYS * HERD_PER_KEY / 3)) t0 t1 herd tail
  pin "" env BENCH_CLIENT="$prefix-warm" BENCH_KEYS=20 BENCH_TARGETS="$ports" BENCH_THREADS=3 \
    wrk -t3 -c48 -d"${HERD_WARMUP}s" -s "$BENCH_SRC/token.lua" "$url" >"$RUN/logs/$system-herd-warmup.log" 2>&1 \
    || die "the herd's warm-up failed: $(cat "$RUN/logs/$system-herd-warmup.log")"
  t0=$(now_ms)
  pin "" env BENCH_CLIENT="$prefix" BENCH_KEYS="$HERD_KEYS" BENCH_TARGETS="$ports" BENCH_RATE="$HERD_RPS" \
    BENCH_THREADS=3 wrk -t3 -c$((HERD_RPS * 2)) -d"${secs}s" --timeout 10s -s "$BENCH_SRC/token.lua" "$url" \
    >"$RUN/logs/$system-herd-tail.log" 2>&1 &
  local tail_pid=$!
  herd=$(pin "" env BENCH_CLIENT="$prefix" BENCH_KEYS="$HERD_KEYS" BENCH_TARGETS="$ports" BENCH_ONCE="$once" \
    BENCH_THREADS=3 wrk -t3 -c$((once * 3)) -d"${secs}s" --timeout 30s -s "$BENCH_SRC/token.lua" "$url" | grep '^WRKJSON ' | sed 's/^WRKJSON //')
  wait "$tail_pid" || die "the herd's steady load failed: $(cat "$RUN/logs/$system-herd-tail.log")"
  t1=$(now_ms)
  tail=$(grep '^WRKJSON ' "$RUN/logs/$system-herd-tail.log" | sed 's/^WRKJSON //')
  [[ -n $herd && -n $tail ]] || die "wrk printed no figures for the $system herd"
  curl -fsS "http://127.0.0.1:$idp/stats" >"$RUN/herd-$system-idp.json"
  if [[ $system == token-cache ]]; then
    # each node's meters, to tell an error answer's cause (quota wait, cluster fault, guess pending...) afterwards
    local port
    for port in $4 $5 $6; do
      curl -fsS "http://127.0.0.1:$port/metrics" >"$RUN/logs/$system-herd-metrics-$port.txt" || true
    done
  fi
  printf '{"system":"%s","prefix":"%s","nodes":3,"keys":%d,"herd_per_key":%d,"tail_rps":%d,"lifetime_seconds":%d,"refresh_fraction":0.75,"warmup_seconds":%d,"duration_seconds":%s,"herd":%s,"tail":%s}\n' \
    "$system" "$prefix" "$HERD_KEYS" "$HERD_PER_KEY" "$HERD_RPS" "$HERD_LIFETIME" "$HERD_WARMUP" \
    "$(awk "BEGIN{printf \"%.1f\", ($t1 - $t0) / 1000}")" "$herd" "$tail" >"$RUN/herd-$system.json"
  log "  $system: herd $(grep -o '"requests":[0-9]*' <<<"$herd") p99 $(grep -o '"p99":[0-9]*' <<<"$herd") us; steady $(grep -o '"requests":[0-9]*,"duration_us":[0-9]*,"errors":[0-9]*,"status_errors":[0-9]*' <<<"$tail")"
}

phase_herd() {
  log "phase 2: upstream calls per key, 3 token-cache nodes vs 3 nginx caches (load $(load_avg))"
  meta load.2-herd "$(load_avg)"
  local p idp key members cname
  mapfile -t p < <(ports 10)
  idp=${p[0]}
  start_idp idp-herd "$idp" "" --lifetime-seconds "$HERD_LIFETIME" --latency-ms "$HERD_IDP_LATENCY"
  local idp_pid=$IDP_PID
  key=$(random_key)
  cname=bench-$RUN_ID-herd
  members="127.0.0.1:${p[4]},127.0.0.1:${p[5]},127.0.0.1:${p[6]}"
  local nodes=() targets=() i
  for i in 0 1 2; do
    start_node "tc-herd-$i" "" "${p[$((1 + i))]}" "${p[$((4 + i))]}" "http://127.0.0.1:$idp/oauth2/token" "$cname" \
      "$members" "$key" "$SERVER_JVM"
    nodes+=("$NODE_PID")
    targets+=("http://127.0.0.1:${p[$((1 + i))]}")
  done
  for i in 0 1 2; do
    wait_ready "${targets[$i]}/health/ready" "${nodes[$i]}"
  done
  for _ in $(seq 1 60); do
    curl -s "${targets[0]}/health/ready" | grep -q '"members":3' && break
    sleep 1
  done
  curl -s "${targets[0]}/health/ready" | grep -q '"members":3' || die "the 3 token-cache nodes did not form one cluster"
  log "  3 token-cache nodes in one cluster; herd of $((HERD_KEYS * HERD_PER_KEY)) first requests, then ${HERD_RPS} req/s for $((HERD_LIFETIMES * HERD_LIFETIME))s"
  herd_run token-cache "herd-tc-$RUN_ID" "$idp" "${p[1]}" "${p[2]}" "${p[3]}"
  stop_pids "${nodes[@]}"

  local ttl=$((HERD_LIFETIME * 3 / 4)) ngs=()
  for i in 0 1 2; do
    start_nginx "nginx-herd-$i" "" "${p[$((7 + i))]}" "$idp" "$ttl" 1
    ngs+=("$NGINX_PID")
  done
  log "  3 independent nginx caches (proxy_cache_valid ${ttl}s, proxy_cache_lock on); the same herd"
  herd_run nginx "herd-ng-$RUN_ID" "$idp" "${p[7]}" "${p[8]}" "${p[9]}"
  stop_pids "${ngs[@]}" "$idp_pid"
  meta herd.nginx_ttl "$ttl"
  meta herd.idp_latency_ms "$HERD_IDP_LATENCY"
}

# ------------------------------------------------------------------ 3. roll-over
phase_rollover() {
  log "phase 3: p99 during token roll-over vs steady (load $(load_avg))"
  meta load.3-rollover "$(load_avg)"
  local p idp http cport
  mapfile -t p < <(ports 3)
  idp=${p[0]} http=${p[1]} cport=${p[2]}
  # random signatures: RSA signing (50 tokens per refresh) would steal the CPU wrk runs on and show up as latency;
  # a real IdP's CPU is elsewhere
  start_idp idp-roll "$idp" "$AUX_CPU" --lifetime-seconds "$ROLL_STEADY_LIFETIME" --latency-ms 20 --random-signatures
  local idp_pid=$IDP_PID
  start_node tc-roll "$SUT_CPU" "$http" "$cport" "http://127.0.0.1:$idp/oauth2/token" "bench-$RUN_ID-roll" "" \
    "$(random_key)" "$SERVER_JVM"
  local tc_pid=$NODE_PID
  wait_ready "http://127.0.0.1:$http/health/ready" "$tc_pid"
  local url=http://127.0.0.1:$http/oauth2/token w start end
  local env_steady=(BENCH_CLIENT="roll-steady-$RUN_ID" BENCH_KEYS="$ROLL_KEYS")
  local env_roll=(BENCH_CLIENT="roll-short-$RUN_ID" BENCH_KEYS="$ROLL_KEYS")
  log "  steady: tokens live ${ROLL_STEADY_LIFETIME}s; warm-up ${WARMUP}s, then $ROLL_WINDOWS windows of ${ROLL_WINDOW}s"
  run_wrk "" steady-warmup 0 "$url" "$WARMUP" "$tc_pid" "${env_steady[@]}"
  for w in $(seq 1 "$ROLL_WINDOWS"); do
    start=$(now_ms)
    run_wrk "" steady "$w" "$url" "$ROLL_WINDOW" "$tc_pid" "${env_steady[@]}"
    end=$(now_ms)
    printf '{"kind":"steady","window":%d,"start_ms":%s,"end_ms":%s,"wrk":%s}\n' "$w" "$start" "$end" "$WRK_LINE" \
      >"$RUN/rollover/steady-w$w.json"
  done
  curl -fsS -X POST -H 'Content-Type: application/json' -d "{\"tokenLifetimeSeconds\":$ROLL_LIFETIME}" \
    "http://127.0.0.1:$idp/control" >/dev/null
  log "  roll-over: tokens live ${ROLL_LIFETIME}s (refresh at 75%); first fetch, then $ROLL_WINDOWS windows of ${ROLL_WINDOW}s"
  run_wrk "" rollover-first 0 "$url" 2 "$tc_pid" "${env_roll[@]}"
  for w in $(seq 1 "$ROLL_WINDOWS"); do
    start=$(now_ms)
    run_wrk "" rollover "$w" "$url" "$ROLL_WINDOW" "$tc_pid" "${env_roll[@]}"
    end=$(now_ms)
    printf '{"kind":"rollover","window":%d,"start_ms":%s,"end_ms":%s,"wrk":%s}\n' "$w" "$start" "$end" "$WRK_LINE" \
      >"$RUN/rollover/rollover-w$w.json"
  done
  curl -fsS "http://127.0.0.1:$idp/stats" >"$RUN/rollover/idp-stats.json"
  stop_pids "$tc_pid" "$idp_pid"
  meta rollover.lifetime "$ROLL_LIFETIME"
  meta rollover.steady_lifetime "$ROLL_STEADY_LIFETIME"
  meta rollover.window "$ROLL_WINDOW"
  meta rollover.keys "$ROLL_KEYS"
  meta rollover.refresh_grace_ms 500
}

# ------------------------------------------------------------------ 4. heap
# heap_pass NAME PREFIX N URL: one request for each of N client ids <PREFIX>-0 .. -(N-1) (N even), 32 at a time, over
# two wrk threads; waits until both threads say they are done, then stops wrk. The wrk line goes to heap/NAME.json.
heap_pass() {
  local name=$1 prefix=$2 n=$3 url=$4 log="$RUN/heap/$1.wrk.log" pid i
  env BENCH_CLIENT="$prefix" BENCH_KEYS="$n" BENCH_ONCE=$((n / 2)) BENCH_THREADS=2 \
    wrk -t2 -c32 -d3600s --timeout 60s -s "$BENCH_SRC/token.lua" "$url" >"$log" 2>&1 &
  pid=$!
  for ((i = 0; i < 36000; i++)); do
    (( $(grep -c '^WRKTHREAD done' "$log") >= 2 )) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -INT "$pid" 2>/dev/null
  wait "$pid" || true
  grep '^WRKJSON ' "$log" | sed 's/^WRKJSON //' >"$RUN/heap/$name.json"
  grep -q '"requests":'"$n"',' "$RUN/heap/$name.json" || die "the heap phase's $name pass did not get $n answers: $(cat "$log")"
  # a refusal (503 on a machine too busy for the upstream bulkhead's bound) is counted; the figures divide by the
  # tokens actually fetched
  log "  $name: $n requests, $(grep -o '"duration_us":[0-9]*,"errors":[0-9]*,"status_errors":[0-9]*' "$RUN/heap/$name.json")"
}

HEAP_JVM="-Xms1g -Xmx1g -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0"

phase_heap() {
  log "phase 4: heap per cached token at $HEAP_TOKENS tokens (load $(load_avg))"
  meta load.4-heap "$(load_avg)"
  local p idp http cport
  mapfile -t p < <(ports 3)
  idp=${p[0]} http=${p[1]} cport=${p[2]}
  # random signatures: a hundred thousand RSA signatures would take minutes
  start_idp heap-idp "$idp" "" --lifetime-seconds 3600 --random-signatures
  local idp_pid=$IDP_PID
  local room=$((HEAP_TOKENS * 2 + 10000))
  printf '{"cluster":{"maxTokensPerMember":%d,"nearCacheMaxEntries":%d}}\n' "$room" "$room" >"$RUN/heap/config.json"
  # MarkSweepDeadRatio=0: SerialGC's full collection (the one GC.class_histogram runs) otherwise leaves up to 5% of
  # the old generation as dead objects in place, filled as int[] that the histogram counts as live; the figure is
  # the live heap a token costs, so the collection compacts all of it
  NODE_QUOTA=5000 start_node tc-heap "" "$http" "$cport" "http://127.0.0.1:$idp/oauth2/token" "bench-$RUN_ID-heap" "" \
    "$(random_key)" "$HEAP_JVM" TOKEN_CACHE_CONFIG="$RUN/heap/config.json"
  local tc_pid=$NODE_PID
  wait_ready "http://127.0.0.1:$http/health/ready" "$tc_pid"
  local url="http://127.0.0.1:$http/oauth2/token" h="$RUN/heap"
  # warm-up on other client ids (class loading, JIT, pools), so the baseline is a serving server's; the first
  # histogram's full GC clears the warm-up's garbage
  heap_pass warmup "heap-$RUN_ID-warm" 2000 "$url"
  jcmd "$tc_pid" GC.class_histogram >/dev/null || die "jcmd $tc_pid GC.class_histogram failed"
  jcmd "$tc_pid" GC.class_histogram >"$h/histogram-before.txt"
  heap_pass fill "heap-$RUN_ID" "$HEAP_TOKENS" "$url"
  jcmd "$tc_pid" GC.class_histogram >"$h/histogram-after-fill.txt"
  heap_pass hits "heap-$RUN_ID" "$HEAP_TOKENS" "$url"
  jcmd "$tc_pid" GC.class_histogram >"$h/histogram-after-hits.txt"
  curl -fsS -u "heap-$RUN_ID-0:heap-$RUN_ID-0-secret" -d 'grant_type=client_credentials&scope=orders%3Aread' "$url" \
    >"$h/answer.json"
  curl -fsS "http://127.0.0.1:$http/metrics" >"$h/metrics.txt"
  stop_pids "$tc_pid" "$idp_pid"
  meta heap.server_jvm "$HEAP_JVM"
  meta heap.config "cluster.maxTokensPerMember and nearCacheMaxEntries $room (room for every token)"
}

has_phase hit && phase_hit
has_phase herd && phase_herd
has_phase rollover && phase_rollover
has_phase heap && phase_heap
if has_phase startup; then
  log "phase 5: start-up, process start to ready (load $(load_avg))"
  meta load.5-startup "$(load_avg)"
  BENCH_SERVER_JAR=$SERVER_JAR "$BENCH_SRC/startup.sh" --out "$RUN/startup" --starts "$([[ $QUICK == 1 ]] && echo 2 || echo 5)" \
    || die "the start-up phase failed (see $RUN/startup/logs)"
fi
if has_phase miss; then
  log "phase 6: a hit and a cold miss through the engine, 1 and 3 members (load $(load_avg))"
  meta load.6-miss "$(load_avg)"
  # the engine's own benchmark, from core's test classes (the fake IdP from the same tree)
  (cd "$ROOT" && mvn -B -q -o -pl fake-idp install -DskipTests && mvn -B -q -o -pl core test-compile exec:java \
    -Dexec.classpathScope=test -Dexec.mainClass=io.tokencache.bench.ElectionCostBenchmark) \
    >"$RUN/miss.txt" 2>"$RUN/logs/miss.log" || die "the miss phase failed (see $RUN/logs/miss.log)"
  grep -v 'BENCHJSON' "$RUN/miss.txt" | sed 's/\x1b\[[0-9;]*m//g' | while read -r line; do log "  $line"; done
fi
meta finished "$(date -Is)"

log "report"
if [[ $PHASES == startup ]]; then
  cp "$RUN/startup/startup.md" "$RUN/results.md"
  cp "$RUN/startup/startup.json" "$RUN/results.json"
else
  java -Djava.awt.headless=true -cp "$BENCH_JAR" io.tokencache.loadtest.bench.BenchReport --dir "$RUN" >"$RUN/report.log" \
    || { cat "$RUN/report.log"; die "the report failed"; }
  if has_phase startup; then
    printf '\n' >>"$RUN/results.md"
    cat "$RUN/startup/startup.md" >>"$RUN/results.md"
  fi
fi
cat "$RUN/results.md"
if [[ $PUBLISH == 1 ]]; then
  mkdir -p "$ROOT/docs/benchmarks"
  cp "$RUN"/*.png "$ROOT/docs/benchmarks/"
  cp "$RUN/results.md" "$ROOT/docs/benchmarks/results.md"
  cp "$RUN/results.json" "$ROOT/docs/benchmarks/results.json"
  log "published the charts and results to docs/benchmarks/"
fi
log "done: $RUN/results.md, $RUN/results.json, $(cd "$RUN" && ls ./*.png 2>/dev/null | tr '\n' ' ')"
