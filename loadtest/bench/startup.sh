#!/usr/bin/env bash
# token-cache start-up benchmark (issue 17): process start to /health/ready 200, for
#   join   a member joining a running member (TCP/IP member list), BENCH_STARTS times
#   lone   a member alone (empty member list), BENCH_STARTS times
# each with the class-data-sharing archive the build makes (java -XX:SharedArchiveFile=... -jar, the documented
# command) and without it (plain java -jar). Prints median and max of each; writes startup.json and startup.md to
# the output directory, and each start's log (with the server's own "ready to serve" breakdown) under logs/.
# Run alone, or as the `startup` phase of loadtest/bench/run.sh. Unpinned: the JVMs use every CPU, as in a pod.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: loadtest/bench/startup.sh [--out DIR] [--starts N]
  --out DIR     where to write (default loadtest/target/bench/startup-<timestamp>)
  --starts N    starts per case (default BENCH_STARTS or 5)
Environment: BENCH_SERVER_JAR (default server/target/token-cache-server.jar, built with mvn package if missing)
Exit code: 0 when every start became ready, 1 when one did not, 2 on bad usage.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=
STARTS=${BENCH_STARTS:-5}
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --starts) STARTS=${2:?--starts needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "startup.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ $STARTS =~ ^[1-9][0-9]*$ ]] || { echo "startup.sh: --starts must be a positive integer" >&2; exit 2; }
OUT=${OUT:-$ROOT/loadtest/target/bench/startup-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs" "$OUT/jars"

# a write to a member that closes the connection must fail the write, not kill this script
trap '' PIPE

log() { printf '[startup %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() { log "ERROR: $*"; exit 1; }

PIDS=()
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in ${PIDS[@]+"${PIDS[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  for p in ${PIDS[@]+"${PIDS[@]}"}; do wait "$p" 2>/dev/null || true; done
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# stop PID: SIGTERM (the member leaves the cluster gracefully), up to 30 s, then SIGKILL
stop() {
  local pid=$1 keep=() p
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in ${PIDS[@]+"${PIDS[@]}"}; do [[ $p == "$pid" ]] || keep+=("$p"); done
  PIDS=(${keep[@]+"${keep[@]}"})
}

# a sleep that forks nothing (read times out on a pipe nobody writes), so polling costs the measured JVM no CPU
exec {NAP}<> <(:)
nap() { read -r -t "$1" -u "$NAP" _ || true; }

used_ports=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    [[ $used_ports == *" $p "* ]] && continue
    if ! { exec {probe}<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then
      used_ports+="$p "
      echo "$p"
      return
    fi
    exec {probe}<&-
  done
}

# ready HTTP_PORT: whether /health/ready answers 200 now (bash's /dev/tcp: no curl to fork)
ready() {
  local fd line
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  if ! printf 'GET /health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&"$fd" 2>/dev/null; then
    exec {fd}<&-
    return 1
  fi
  read -r -t 3 -u "$fd" line 2>/dev/null || line=
  exec {fd}<&-
  [[ $line == *" 200 "* ]]
}

JAR_SRC=${BENCH_SERVER_JAR:-$ROOT/server/target/token-cache-server.jar}
if [[ ! -f $JAR_SRC ]]; then
  [[ -n ${BENCH_SERVER_JAR:-} ]] && die "BENCH_SERVER_JAR=$JAR_SRC: no such file"
  log "building the server jar: mvn -B -q -pl server -am package -DskipTests"
  (cd "$ROOT" && mvn -B -q -o -pl server -am package -DskipTests) || (cd "$ROOT" && mvn -B -q -pl server -am package -DskipTests) \
    || die "the build failed"
fi
# measured on a copy taken now (a rebuild during the run changes nothing), with an archive trained for this copy:
# an archive only serves the jar file it was made with
JAR=$OUT/jars/token-cache-server.jar
JSA=$OUT/jars/token-cache-server.jsa
cp "$JAR_SRC" "$JAR"
log "training the class-data-sharing archive for $JAR"
if java -XX:ArchiveClassesAtExit="$JSA" -Xlog:cds=error -Dtokencache.cds.training=true -jar "$JAR" \
  >"$OUT/logs/cds-training.log" 2>&1 && [[ -f $JSA ]]; then
  CASES="join-cds join-plain lone-cds lone-plain"
else
  log "no archive (this jar has no CDS training, see $OUT/logs/cds-training.log): measuring plain starts only"
  CASES="join-plain lone-plain"
fi

KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
NAME=startup-$$-$RANDOM
A_HTTP=$(free_port); A_CLUSTER=$(free_port)

# launch LOGNAME HTTP CLUSTER MEMBERS CDS(0|1): starts a member; sets LAUNCHED_PID and LAUNCHED_AT (epoch µs)
launch() {
  local name=$1 http=$2 cport=$3 members=$4 cds=$5 opts=()
  [[ $cds == 1 ]] && opts=(-XX:SharedArchiveFile="$JSA")
  LAUNCHED_AT=${EPOCHREALTIME/./}
  ( exec env TOKEN_CACHE_HTTP_HOST=127.0.0.1 TOKEN_CACHE_HTTP_PORT="$http" TOKEN_CACHE_CLUSTER_HOST=127.0.0.1 \
      TOKEN_CACHE_CLUSTER_PORT="$cport" TOKEN_CACHE_CLUSTER_MEMBERS="$members" TOKEN_CACHE_CLUSTER_NAME="$NAME" \
      TOKEN_CACHE_ENCRYPTION_KEY="$KEY" TOKEN_CACHE_UPSTREAM_TOKEN_URL=http://127.0.0.1:9/oauth2/token \
      java ${opts[@]+"${opts[@]}"} -jar "$JAR" >"$OUT/logs/$name.log" 2>&1 ) &
  LAUNCHED_PID=$!
  PIDS+=("$LAUNCHED_PID")
}

# await_ready HTTP PID LOGNAME: polls every 10 ms; sets READY_MS (from launch)
await_ready() {
  local http=$1 pid=$2 name=$3
  for _ in $(seq 1 6000); do
    if ready "$http"; then
      READY_MS=$(( (${EPOCHREALTIME/./} - LAUNCHED_AT) / 1000 ))
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "$name exited before it was ready (see $OUT/logs/$name.log)"
    nap 0.01
  done
  die "$name was not ready within 60 s (see $OUT/logs/$name.log)"
}

declare -A RESULTS
# one_start CASE I MEMBERS
one_start() {
  local case=$1 i=$2 members=$3 cds=0 http cport
  [[ $case == *-cds ]] && cds=1
  http=$(free_port); cport=$(free_port)
  launch "$case-$i" "$http" "$cport" "$members" "$cds"
  local pid=$LAUNCHED_PID
  await_ready "$http" "$pid" "$case-$i"
  local own
  own=$(grep -o 'ready to serve .*' "$OUT/logs/$case-$i.log" | head -1 || true)
  log "  $case #$i: ready in $READY_MS ms${own:+ (server: $own)}"
  RESULTS[$case]+="$READY_MS "
  stop "$pid"
  nap 1
}

log "starts per case: $STARTS; machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
if [[ $CASES == *join* ]]; then
  launch running "$A_HTTP" "$A_CLUSTER" "" 1
  A_PID=$LAUNCHED_PID
  await_ready "$A_HTTP" "$A_PID" running
  log "running member ready on $A_HTTP (cluster port $A_CLUSTER)"
  for case in $CASES; do
    [[ $case == join-* ]] || continue
    for i in $(seq 1 "$STARTS"); do one_start "$case" "$i" "127.0.0.1:$A_CLUSTER"; done
  done
  stop "$A_PID"
fi
for case in $CASES; do
  [[ $case == lone-* ]] || continue
  for i in $(seq 1 "$STARTS"); do one_start "$case" "$i" ""; done
done

stats() { # values... -> "median max"
  printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%d %d\n", m, v[NR]}'
}
describe() {
  case $1 in
    join-cds) echo "joining a running member, with the CDS archive" ;;
    join-plain) echo "joining a running member, plain java -jar" ;;
    lone-cds) echo "alone, with the CDS archive" ;;
    lone-plain) echo "alone, plain java -jar" ;;
  esac
}
{
  echo "## Start-up: process start to /health/ready 200"
  echo
  echo "$STARTS starts per case on $(nproc) CPUs (load at the end $(cut -d' ' -f1-3 /proc/loadavg)), $(java -version 2>&1 | head -1 | tr -d '"')."
  echo "Command: \`loadtest/bench/startup.sh\` (or the \`startup\` phase of \`loadtest/bench/run.sh\`)."
  echo
  echo "| case | median ms | max ms | each start, ms |"
  echo "|---|---:|---:|---|"
  for case in $CASES; do
    read -r med max < <(stats ${RESULTS[$case]})
    echo "| $(describe "$case") | $med | $max | ${RESULTS[$case]% } |"
  done
} >"$OUT/startup.md"
{
  printf '{"starts":%d,"cpus":%d' "$STARTS" "$(nproc)"
  for case in $CASES; do
    read -r med max < <(stats ${RESULTS[$case]})
    printf ',"%s":{"median_ms":%d,"max_ms":%d,"each_ms":[%s]}' "$case" "$med" "$max" "$(echo ${RESULTS[$case]} | tr ' ' ',')"
  done
  printf '}\n'
} >"$OUT/startup.json"
cat "$OUT/startup.md"
log "done: $OUT/startup.md, $OUT/startup.json"
