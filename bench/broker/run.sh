#!/usr/bin/env bash
# Session-broker benchmark: chatkit-rs side by side with the deployment blueprint's Express broker
# (bench/broker/express/server.js), both minting sessions against the same local simulator.
#
# Measures, in one run: closed-loop requests/s at a few concurrencies (simulator direct, chatkit-rs,
# Express), open-loop latency at fixed rates (added latency = broker percentile - direct percentile),
# and each broker's resident memory (at start, idle after warm-up, idle after the load, peak).
# Writes bench/results/broker-<date>.md and prints it. See bench/README.md.
#
# Knobs (environment):
#   BENCH_SECONDS        seconds per closed-loop run (default 10; 1..=120)
#   BENCH_OPEN_SECONDS   seconds per open-loop run (default: BENCH_SECONDS)
#   BENCH_CONCURRENCIES  closed-loop concurrencies (default "16 64 256")
#   BENCH_RATES          open-loop rates in requests/s (default "500 2000")
#   BENCH_IDLE_SECONDS   idle wait before reading idle memory (default: min(5, BENCH_SECONDS))
#   BENCH_SKIP_BUILD=1   use the existing binaries, do not run cargo build
#   BENCH_CHATKIT_BIN    the chatkit binary to measure (default target/release/chatkit)
#
# All load goes to 127.0.0.1; every process this script starts is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

. "$ROOT/bench/lib.sh"

BENCH_SECONDS=${BENCH_SECONDS:-10}
is_uint "$BENCH_SECONDS" || die "BENCH_SECONDS must be a whole number of seconds"
BENCH_OPEN_SECONDS=${BENCH_OPEN_SECONDS:-$BENCH_SECONDS}
BENCH_CONCURRENCIES=${BENCH_CONCURRENCIES:-16 64 256}
BENCH_RATES=${BENCH_RATES:-500 2000}
BENCH_IDLE_SECONDS=${BENCH_IDLE_SECONDS:-$((BENCH_SECONDS < 5 ? BENCH_SECONDS : 5))}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}

for knob in BENCH_OPEN_SECONDS BENCH_IDLE_SECONDS; do
  is_uint "${!knob}" || die "$knob must be a whole number of seconds"
done
((BENCH_SECONDS >= 1 && BENCH_SECONDS <= 120)) || die "BENCH_SECONDS must be 1..=120"
((BENCH_OPEN_SECONDS >= 1 && BENCH_OPEN_SECONDS <= 120)) || die "BENCH_OPEN_SECONDS must be 1..=120"
((BENCH_IDLE_SECONDS <= 60)) || die "BENCH_IDLE_SECONDS must be at most 60"
for c in $BENCH_CONCURRENCIES; do
  is_uint "$c" && ((c >= 1 && c <= 1024)) || die "concurrency $c must be 1..=1024"
done
for r in $BENCH_RATES; do
  is_uint "$r" && ((r >= 1 && r <= 100000)) || die "rate $r must be 1..=100000"
done
for tool in cargo node npm curl; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

# The command as given, for the report (only the knobs that were set).
COMMAND="bash bench/broker/run.sh"
for knob in BENCH_CHATKIT_BIN BENCH_SKIP_BUILD BENCH_IDLE_SECONDS BENCH_RATES BENCH_CONCURRENCIES BENCH_OPEN_SECONDS BENCH_SECONDS; do
  if printenv "$knob" >/dev/null; then
    COMMAND="$knob=$(printf '%q' "${!knob}") $COMMAND"
  fi
done

bench_workdir chatkit-bench






if [[ $BENCH_SKIP_BUILD != 1 ]]; then
  echo "== cargo build --release -p chatkit -p loadgen" >&2
  cargo build --release -p chatkit -p loadgen >&2
fi
CHATKIT=${BENCH_CHATKIT_BIN:-$ROOT/target/release/chatkit}
LOADGEN=$ROOT/target/release/loadgen
[[ -x $CHATKIT ]] || die "$CHATKIT is missing"
[[ -x $LOADGEN ]] || die "$LOADGEN is missing"

EXPRESS_DIR=$ROOT/bench/broker/express
if [[ ! -f $EXPRESS_DIR/node_modules/.package-lock.json ||
  $EXPRESS_DIR/package-lock.json -nt $EXPRESS_DIR/node_modules/.package-lock.json ]]; then
  echo "== npm ci (bench/broker/express)" >&2
  (cd "$EXPRESS_DIR" && npm ci --no-audit --no-fund) >&2
fi

# From here on everything talks to 127.0.0.1 only: no proxy may step in (cargo and npm above may
# have needed one).
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY

SIM_PORT=$(free_port)
RS_PORT=$(free_port)
EX_PORT=$(free_port)
mkdir -p "$WORK/run" "$WORK/data"

# Every server runs from an empty directory, so no developer .env or chatkit.toml leaks in.
echo "== starting the simulator on 127.0.0.1:$SIM_PORT" >&2
start sim "$WORK/run" "$CHATKIT" sim --host 127.0.0.1 --port "$SIM_PORT" --no-record
SIM_PID=$LAST_PID
wait_http simulator "$SIM_PID" "http://127.0.0.1:$SIM_PORT/__sim/health" 200

echo "== starting chatkit-rs on 127.0.0.1:$RS_PORT" >&2
start chatkit-rs "$WORK/run" env HOST=127.0.0.1 PORT="$RS_PORT" OPENAI_API_KEY=sk-bench \
  CHATKIT_WORKFLOW_ID=wf_bench CHATKIT_API_BASE="http://127.0.0.1:$SIM_PORT" \
  CHATKIT_RATE_LIMITS=off CHATKIT_DATA_DIR="$WORK/data" RUST_LOG=warn \
  "$CHATKIT" serve
RS_PID=$LAST_PID
wait_http chatkit-rs "$RS_PID" "http://127.0.0.1:$RS_PORT/healthz" 200

echo "== starting Express on 127.0.0.1:$EX_PORT" >&2
start express "$WORK/run" env PORT="$EX_PORT" OPENAI_API_KEY=sk-bench WORKFLOW_ID=wf_bench \
  CHATKIT_API_BASE="http://127.0.0.1:$SIM_PORT" node "$EXPRESS_DIR/server.js"
EX_PID=$LAST_PID
wait_http express "$EX_PID" "http://127.0.0.1:$EX_PORT/" any

# Arguments of loadgen for each target.
DIRECT=(--url "http://127.0.0.1:$SIM_PORT/v1/chatkit/sessions"
  --header "Authorization: Bearer sk-bench" --header "OpenAI-Beta: chatkit_beta=v1"
  --body '{"user":"u","workflow":{"id":"wf_bench"}}')
RS=(--url "http://127.0.0.1:$RS_PORT/api/chatkit/session" --body '{}')
EX=(--url "http://127.0.0.1:$EX_PORT/api/session" --body '{}')

# One real mint through each path before measuring: a 200 carrying a client secret.
check_mint() {
  local name=$1 url=$2
  shift 2
  local out
  out=$(curl -s --max-time 5 -w '\n%{http_code}' -X POST "$@" "$url") || die "$name: mint failed"
  [[ ${out##*$'\n'} == 200 && $out == *client_secret* ]] ||
    die "$name: expected 200 with a client_secret, got: $out"
}
check_mint simulator "http://127.0.0.1:$SIM_PORT/v1/chatkit/sessions" \
  -H "Authorization: Bearer sk-bench" -H "OpenAI-Beta: chatkit_beta=v1" \
  -H "Content-Type: application/json" -d '{"user":"u","workflow":{"id":"wf_bench"}}'
check_mint chatkit-rs "http://127.0.0.1:$RS_PORT/api/chatkit/session" \
  -H "Content-Type: application/json" -d '{}'
check_mint express "http://127.0.0.1:$EX_PORT/api/session" \
  -H "Content-Type: application/json" -d '{}'

RESULTS=$WORK/results.jsonl
: >"$RESULTS"

# record TARGET PHASE JSON : appends one result line.
record() {
  printf '{"target":"%s","phase":"%s","result":%s}\n' "$1" "$2" "$3" >>"$RESULTS"
}

# run_loadgen ARGS... : loadgen in the background, so a signal to this script is handled (and the
# load stopped) at once instead of after the run.
run_loadgen() {
  "$LOADGEN" "$@" &
  LOADGEN_PID=$!
  local rc=0
  wait "$LOADGEN_PID" || rc=$?
  LOADGEN_PID=
  return "$rc"
}


# target_pid TARGET : the process that serves TARGET (the simulator serves "direct").
target_pid() {
  case $1 in
  direct) echo "$SIM_PID" ;;
  chatkit-rs) echo "$RS_PID" ;;
  express) echo "$EX_PID" ;;
  esac
}

# load TARGET PHASE LOADGEN-ARGS... : one loadgen run, recorded and summarised on stderr, with the
# CPU time the target's process (and, for the brokers, the simulator behind it) spent per request.
load() {
  local target=$1 phase=$2
  shift 2
  local line pid t0 t1 s0 s1
  pid=$(target_pid "$target")
  t0=$(cpu_ticks "$pid")
  s0=$(cpu_ticks "$SIM_PID")
  run_loadgen "$@" >"$WORK/loadgen.out"
  t1=$(cpu_ticks "$pid")
  s1=$(cpu_ticks "$SIM_PID")
  line=$(<"$WORK/loadgen.out")
  line=${line%\}}
  line+=$(printf ',"cpu_ticks":%s,"sim_cpu_ticks":%s,"clk_tck":%s}' \
    "$((t1 - t0))" "$((s1 - s0))" "$CLK_TCK")
  record "$target" "$phase" "$line"
  echo "   $target $phase: $line" >&2
}

target_args() {
  case $1 in
  direct) ARGS=("${DIRECT[@]}") ;;
  chatkit-rs) ARGS=("${RS[@]}") ;;
  express) ARGS=("${EX[@]}") ;;
  esac
}

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

# Memory right after start-up, before any mint.
record chatkit-rs mem-start "{\"rss_kb\":$(kb VmRSS "$RS_PID")}"
record express mem-start "{\"rss_kb\":$(kb VmRSS "$EX_PID")}"

# The same amount of work for every target (not the same time), so that idle memory compares
# warmed-up processes rather than how many sessions each minted in a fixed time.
echo "== warm-up (1,000 mints per target, not reported)" >&2
for target in direct chatkit-rs express; do
  target_args "$target"
  run_loadgen "${ARGS[@]}" --concurrency 16 --max-requests 1008 --duration 30 >/dev/null
done
echo "== idle ${BENCH_IDLE_SECONDS} s" >&2
sleep "$BENCH_IDLE_SECONDS"
record chatkit-rs mem-idle "{\"rss_kb\":$(kb VmRSS "$RS_PID")}"
record express mem-idle "{\"rss_kb\":$(kb VmRSS "$EX_PID")}"

echo "== closed loop, ${BENCH_SECONDS} s per run" >&2
declare -A MAX_RPS=([direct]=0 [chatkit-rs]=0 [express]=0)
for c in $BENCH_CONCURRENCIES; do
  for target in direct chatkit-rs express; do
    target_args "$target"
    load "$target" closed "${ARGS[@]}" --concurrency "$c" --duration "$BENCH_SECONDS"
    rps=$(tail -n 1 "$RESULTS" | sed -E 's/.*"rps":([0-9.]+).*/\1/')
    rps=${rps%.*}
    if ((rps > MAX_RPS[$target])); then
      MAX_RPS[$target]=$rps
    fi
  done
done

# Open loop only well below saturation: at a rate above half a target's best closed-loop
# throughput its latency is mostly queueing, which says nothing about the latency it adds.
echo "== open loop, ${BENCH_OPEN_SECONDS} s per run" >&2
for r in $BENCH_RATES; do
  for target in direct chatkit-rs express; do
    if ((r * 2 > MAX_RPS[$target])); then
      record "$target" skipped-open "{\"rate\":$r,\"max_rps\":${MAX_RPS[$target]}}"
      echo "   $target open: $r req/s skipped (best closed-loop ${MAX_RPS[$target]} req/s)" >&2
      continue
    fi
    target_args "$target"
    load "$target" open "${ARGS[@]}" --rate "$r" --duration "$BENCH_OPEN_SECONDS"
  done
done

echo "== idle ${BENCH_IDLE_SECONDS} s" >&2
sleep "$BENCH_IDLE_SECONDS"
for target in chatkit-rs express; do
  pid=$RS_PID
  [[ $target == express ]] && pid=$EX_PID
  record "$target" mem-end "{\"rss_kb\":$(kb VmRSS "$pid"),\"hwm_kb\":$(kb VmHWM "$pid")}"
done

DATE=$(date -u +%Y-%m-%d)
REPORT=$ROOT/bench/results/broker-$DATE.md
mkdir -p "$ROOT/bench/results"
BENCH_COMMAND=$COMMAND \
  BENCH_LOADAVG=$LOADAVG \
  BENCH_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) \
  BENCH_RUSTC=$(rustc --version) \
  BENCH_NODE=$(node --version) \
  BENCH_EXPRESS=$(node -p 'require(process.argv[1]).version' "$EXPRESS_DIR/node_modules/express/package.json") \
  BENCH_GIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo "-dirty") \
  BENCH_SECONDS=$BENCH_SECONDS BENCH_OPEN_SECONDS=$BENCH_OPEN_SECONDS BENCH_IDLE_SECONDS=$BENCH_IDLE_SECONDS \
  node "$ROOT/bench/broker/report.mjs" "$RESULTS" >"$REPORT"
cat "$REPORT"
echo "== report written to ${REPORT#"$ROOT"/}" >&2
