#!/usr/bin/env bash
# Protocol benchmark: chatkit-rs's ChatKit server side by side with the official Python server
# (openai-chatkit 1.6.5 under uvicorn, bench/protocol/python_server.py), both answering the same
# scripted conversation: threads.create with a user message, a 20-delta streamed reply, items.list.
#
# Measures, in one run: closed-loop conversations/s and requests/s at a few concurrencies with
# latency percentiles per step, the server CPU time per conversation (/proc), resident memory (at
# start, idle after a warm-up, peak), and how many idle open streams each holds and what each
# costs in memory. Writes bench/results/protocol-<date>.md and prints it. See bench/README.md.
#
# Knobs (environment):
#   BENCH_SECONDS        seconds per closed-loop run (default 10; 1..=120)
#   BENCH_CONCURRENCIES  closed-loop concurrencies (default "8 32 128")
#   BENCH_HOLDS          idle open streams to hold, one test per number (default "1000"; 1..=10000)
#   BENCH_HOLD_SECONDS   how long the streams stay open once all are (default 2)
#   BENCH_IDLE_CONNS     idle keep-alive connections opened (and kept open) before each hold test,
#                        to measure what a connection alone costs (default 1000; 0: none)
#   BENCH_IDLE_SECONDS   idle wait before reading idle memory (default: min(5, BENCH_SECONDS))
#   BENCH_ONLY           "python" or "rust": measure one side only (default: both)
#   BENCH_PY_WORKERS2    1 (default): also run the closed loops against uvicorn --workers 2; 0: skip
#   BENCH_SKIP_BUILD=1   use the existing binaries, do not run cargo build
#   BENCH_CHATKIT_BIN    the chatkit binary to measure (default target/release/chatkit)
#   BENCH_VENV           the Python environment for the peer (default bench/protocol/.venv)
#   BENCH_SQLITE_SYNC    the Python store's SQLite `synchronous`: FULL (default, as chatkit-rs) or NORMAL
#
# All load goes to 127.0.0.1; every process this script starts is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
HERE=$ROOT/bench/protocol

. "$ROOT/bench/lib.sh"

BENCH_SECONDS=${BENCH_SECONDS:-10}
is_uint "$BENCH_SECONDS" || die "BENCH_SECONDS must be a whole number of seconds"
BENCH_CONCURRENCIES=${BENCH_CONCURRENCIES:-8 32 128}
BENCH_HOLDS=${BENCH_HOLDS:-1000}
BENCH_HOLD_SECONDS=${BENCH_HOLD_SECONDS:-2}
BENCH_IDLE_CONNS=${BENCH_IDLE_CONNS:-1000}
BENCH_IDLE_SECONDS=${BENCH_IDLE_SECONDS:-$((BENCH_SECONDS < 5 ? BENCH_SECONDS : 5))}
BENCH_ONLY=${BENCH_ONLY:-}
BENCH_PY_WORKERS2=${BENCH_PY_WORKERS2:-1}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
VENV=${BENCH_VENV:-$HERE/.venv}
BENCH_SQLITE_SYNC=${BENCH_SQLITE_SYNC:-FULL}
[[ $BENCH_SQLITE_SYNC == FULL || $BENCH_SQLITE_SYNC == NORMAL ]] || die "BENCH_SQLITE_SYNC must be FULL or NORMAL"

((BENCH_SECONDS >= 1 && BENCH_SECONDS <= 120)) || die "BENCH_SECONDS must be 1..=120"
for knob in BENCH_HOLD_SECONDS BENCH_IDLE_SECONDS; do
  is_uint "${!knob}" || die "$knob must be a whole number of seconds"
done
((BENCH_HOLD_SECONDS <= 120)) || die "BENCH_HOLD_SECONDS must be at most 120"
((BENCH_IDLE_SECONDS <= 60)) || die "BENCH_IDLE_SECONDS must be at most 60"
is_uint "$BENCH_IDLE_CONNS" && ((BENCH_IDLE_CONNS <= 10000)) || die "BENCH_IDLE_CONNS must be 0..=10000"
for c in $BENCH_CONCURRENCIES; do
  is_uint "$c" && ((c >= 1 && c <= 1024)) || die "concurrency $c must be 1..=1024"
done
MAX_HOLD=0
for h in $BENCH_HOLDS; do
  is_uint "$h" && ((h >= 1 && h <= 10000)) || die "hold $h must be 1..=10000"
  ((h > MAX_HOLD)) && MAX_HOLD=$h
done
case $BENCH_ONLY in
"") TARGETS=(chatkit-rs python) ;;
python) TARGETS=(python) ;;
rust | chatkit-rs) TARGETS=(chatkit-rs) ;;
*) die "BENCH_ONLY must be python or rust" ;;
esac
has_target() {
  local t
  for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done
  return 1
}
for tool in cargo curl python3; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

# The command as given, for the report (only the knobs that were set).
COMMAND="bash bench/protocol/run.sh"
for knob in BENCH_SQLITE_SYNC BENCH_VENV BENCH_CHATKIT_BIN BENCH_SKIP_BUILD BENCH_PY_WORKERS2 BENCH_ONLY BENCH_IDLE_SECONDS \
  BENCH_IDLE_CONNS BENCH_HOLD_SECONDS BENCH_HOLDS BENCH_CONCURRENCIES BENCH_SECONDS; do
  if printenv "$knob" >/dev/null; then
    COMMAND="$knob=$(printf '%q' "${!knob}") $COMMAND"
  fi
done

# Every held stream and idle connection is one socket in the load generator and one in the
# server: raise the limit on open files (inherited by both) as far as the hard limit allows.
WANT_FDS=$((MAX_HOLD + BENCH_IDLE_CONNS + 2048))
if (($(ulimit -n) < WANT_FDS)); then
  ulimit -n "$WANT_FDS" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
(($(ulimit -n) >= WANT_FDS)) ||
  die "open files limit $(ulimit -n) is below $WANT_FDS (BENCH_HOLDS $MAX_HOLD + BENCH_IDLE_CONNS $BENCH_IDLE_CONNS + 2048); raise the hard limit"

bench_workdir chatkit-protocol-bench


# --- build and install ---------------------------------------------------------------------------

if [[ $BENCH_SKIP_BUILD != 1 ]]; then
  if has_target chatkit-rs; then
    echo "== cargo build --release -p chatkit -p loadgen" >&2
    cargo build --release -p chatkit -p loadgen >&2
  else
    echo "== cargo build --release -p loadgen" >&2
    cargo build --release -p loadgen >&2
  fi
fi
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CHATKIT=${BENCH_CHATKIT_BIN:-$TARGET_DIR/release/chatkit}
LOADGEN=$TARGET_DIR/release/loadgen
[[ -x $LOADGEN ]] || die "$LOADGEN is missing"
if has_target chatkit-rs; then
  [[ -x $CHATKIT ]] || die "$CHATKIT is missing"
fi

# The Python peer's environment: (re)installed when requirements.txt changed since the last time.
if has_target python; then
  if [[ ! -x $VENV/bin/python ]] || ! cmp -s "$HERE/requirements.txt" "$VENV/.bench-requirements.txt"; then
    echo "== installing the Python peer into ${VENV#"$ROOT"/} (pip install -r requirements.txt)" >&2
    [[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" >&2
    cp "$HERE/requirements.txt" "$VENV/.bench-requirements.txt"
  fi
fi
PYTHON=$VENV/bin/python
[[ -x $PYTHON ]] || PYTHON=$(command -v python3)

# From here on everything talks to 127.0.0.1 only: no proxy may step in (cargo and pip above may
# have needed one).
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY

# --- helpers -------------------------------------------------------------------------------------





# tree PID : PID and its descendants (uvicorn --workers 2 serves from child processes).
tree() {
  local pid=$1 child
  echo "$pid"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    tree "$child"
  done
}



# child_cpu_ms VAR : sets VAR to the CPU time (user + system) of this shell's finished children
# so far, in ms (from `times`, which must run in this shell, not in a subshell): read around each
# run, it gives the load generator's own cost.
child_cpu_ms() {
  times >"$WORK/times.out"
  printf -v "$1" '%s' "$(awk 'NR == 2 {
    total = 0
    for (i = 1; i <= 2; i++) {
      split($i, p, "m"); sub("s", "", p[2]); total += p[1] * 60000 + p[2] * 1000
    }
    printf "%d\n", total
  }' "$WORK/times.out")"
}

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

# url TARGET / pids TARGET : the endpoint and the server processes of a target.
declare -A URL PID
pids() { tree "${PID[$1]}"; }

# converse TARGET PHASE LOADGEN-ARGS... : one closed-loop run of `loadgen chatkit`, recorded with
# the CPU time the target's processes and the load generator spent.
converse() {
  local target=$1 phase=$2
  shift 2
  local line t0 t1 l0 l1
  local -a procs
  mapfile -t procs < <(pids "$target")
  t0=$(cpu_ticks "${procs[@]}")
  child_cpu_ms l0
  run_loadgen chatkit --url "${URL[$target]}" "$@" >"$WORK/loadgen.out"
  child_cpu_ms l1
  t1=$(cpu_ticks "${procs[@]}")
  line=$(<"$WORK/loadgen.out")
  line=${line%\}}
  line+=$(printf ',"cpu_ticks":%s,"clk_tck":%s,"loadgen_cpu_ms":%s,"rss_kb":%s}' \
    "$((t1 - t0))" "$CLK_TCK" "$((l1 - l0))" "$(kb VmRSS "${procs[@]}")")
  record "$target" "$phase" "$line"
  echo "   $target $phase: $(summary "$line")" >&2
}

# summary JSON : the few numbers worth a line on the terminal.
summary() {
  python3 "$HERE/report.py" --summary "$1"
}

# check TARGET : one conversation must pass every check; its raw stream is kept for the report.
check() {
  local target=$1 out
  out=$("$LOADGEN" chatkit --url "${URL[$target]}" --concurrency 1 --max-conversations 1 \
    --duration 30 --timeout 10) || die "$target: loadgen failed"
  [[ $out == *'"ok":1,'* ]] || die "$target: the checked conversation failed: $out"
  curl -s --max-time 10 -X POST "${URL[$target]}" -H 'Content-Type: application/json' \
    -H 'Accept: text/event-stream' \
    -d '{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"check"}],"attachments":[],"inference_options":{}}}}' \
    >"$WORK/frames-$target.sse" || die "$target: curl threads.create failed"
  echo "   $target: one conversation checked" >&2
}

# --- start the servers ---------------------------------------------------------------------------

mkdir -p "$WORK/raw"
# start_chatkit DATA : chatkit-rs on RS_PORT with an empty data directory DATA.
start_chatkit() {
  echo "== starting chatkit-rs on 127.0.0.1:$RS_PORT" >&2
  # From an empty directory, so no developer .env or chatkit.toml leaks in.
  start chatkit-rs "$WORK/rs" env HOST=127.0.0.1 PORT="$RS_PORT" \
    CHATKIT_SCRIPTED_AGENT=bench CHATKIT_RATE_LIMITS=off CHATKIT_STREAM_LIMITS=off \
    CHATKIT_DATA_DIR="$1" RUST_LOG=warn "$CHATKIT" serve
  PID[chatkit-rs]=$LAST_PID
  URL[chatkit-rs]="http://127.0.0.1:$RS_PORT/chatkit/bench"
  wait_http chatkit-rs "${PID[chatkit-rs]}" "http://127.0.0.1:$RS_PORT/healthz"
}
if has_target chatkit-rs; then
  RS_PORT=$(free_port)
  start_chatkit "$WORK/rs-data"
fi

COOKIE_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
# start_python NAME WORKERS : the official server under uvicorn, from an empty directory with its
# own SQLite file. uvicorn closes a keep-alive connection after 5 s of silence by default; the
# hold tests' idle connections must stay open while the streams are measured (as chatkit-rs,
# which keeps them until the client closes), hence --timeout-keep-alive.
start_python() {
  local name=$1 workers=$2 port
  port=$(free_port)
  echo "== starting the Python server ($name, uvicorn --workers $workers) on 127.0.0.1:$port" >&2
  mkdir -p "$WORK/$name/ready"
  start "$name" "$WORK/$name" env BENCH_DB="$WORK/$name/chatkit.sqlite3" \
    BENCH_SQLITE_SYNC="$BENCH_SQLITE_SYNC" BENCH_COOKIE_SECRET="$COOKIE_SECRET" BENCH_READY_DIR="$WORK/$name/ready" \
    PYTHONDONTWRITEBYTECODE=1 \
    "$VENV/bin/python" -m uvicorn --app-dir "$HERE" python_server:app \
    --host 127.0.0.1 --port "$port" --workers "$workers" --log-level warning \
    --timeout-keep-alive 600
  PID[$name]=$LAST_PID
  URL[$name]="http://127.0.0.1:$port/chatkit"
  wait_http "$name" "${PID[$name]}" "http://127.0.0.1:$port/healthz"
  # With several workers the first answer comes from the first worker up; wait for all of them.
  local ready=0
  for _ in $(seq 1 300); do
    ready=$(find "$WORK/$name/ready" -type f | wc -l)
    ((ready >= workers)) && break
    sleep 0.1
  done
  ((ready >= workers)) || die "$name: only $ready of $workers workers started within 30 s"
  sleep 0.5
}
if has_target python; then
  start_python python 1
fi

echo "== checking one conversation on each" >&2
for target in "${TARGETS[@]}"; do
  check "$target"
done

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
for target in "${TARGETS[@]}"; do
  mapfile -t procs < <(pids "$target")
  record "$target" mem-start "{\"rss_kb\":$(kb VmRSS "${procs[@]}")}"
done

# The same amount of work for both (not the same time), so that idle memory compares warmed-up
# processes rather than how many conversations each served in a fixed time.
echo "== warm-up (400 conversations per target, not reported)" >&2
for target in "${TARGETS[@]}"; do
  run_loadgen chatkit --url "${URL[$target]}" --concurrency 8 --max-conversations 400 \
    --duration 60 >/dev/null
done
echo "== idle ${BENCH_IDLE_SECONDS} s" >&2
sleep "$BENCH_IDLE_SECONDS"
for target in "${TARGETS[@]}"; do
  mapfile -t procs < <(pids "$target")
  record "$target" mem-idle "{\"rss_kb\":$(kb VmRSS "${procs[@]}")}"
done

echo "== closed loop, ${BENCH_SECONDS} s per run" >&2
for c in $BENCH_CONCURRENCIES; do
  for target in "${TARGETS[@]}"; do
    converse "$target" closed --concurrency "$c" --duration "$BENCH_SECONDS"
  done
done

# hold PHASE TARGET URL STREAMS VIA LOADGEN-ARGS... : one hold test of TARGET's processes through
# URL, recorded as PHASE with how the streams reached the server (VIA).
hold() {
  local phase=$1 target=$2 url=$3 streams=$4 via=$5 line
  shift 5
  mapfile -t procs < <(pids "$target")
  pid_args=()
  for p in "${procs[@]}"; do pid_args+=(--server-pid "$p"); done
  run_loadgen chatkit --url "$url" --hold "$streams" "${pid_args[@]}" \
    --hold-seconds "$BENCH_HOLD_SECONDS" --open-timeout 90 --timeout 30 "$@" >"$WORK/loadgen.out"
  line=$(<"$WORK/loadgen.out")
  line="${line%\}},\"via\":\"$via\"}"
  record "$target" "$phase" "$line"
  echo "   $target $phase $streams ($via): $(summary "$line")" >&2
  sleep 1
}

echo "== idle open streams, ${BENCH_HOLD_SECONDS} s each" >&2
for h in $BENCH_HOLDS; do
  for target in "${TARGETS[@]}"; do
    hold hold "$target" "${URL[$target]}" "$h" direct --idle-connections "$BENCH_IDLE_CONNS"
  done
done

for target in "${TARGETS[@]}"; do
  mapfile -t procs < <(pids "$target")
  record "$target" mem-end "{\"rss_kb\":$(kb VmRSS "${procs[@]}"),\"hwm_kb\":$(kb VmHWM "${procs[@]}")}"
done

# By transport: the same held streams over HTTP/1.1 (a connection per stream), over HTTP/2 where
# they share connections (h2c from the load generator, 100 streams per connection), and, when
# HAProxy is installed, through a real proxy (the clients speak HTTP/1.1 to it, one connection
# per stream; it speaks HTTP/2 to chatkit-rs). Each test on a fresh chatkit-rs after the same
# warm-up, since memory a process freed is reused rather than returned. uvicorn serves HTTP/1.1 only, so
# the Python server has no such rows.
# HAProxy wants two descriptors per connection it may hold.
have_haproxy() {
  command -v haproxy >/dev/null 2>&1 && (($(ulimit -n) >= 2 * (MAX_HOLD + 64) + 256))
}
if has_target chatkit-rs; then
  echo "== idle open streams by transport, a fresh chatkit-rs each" >&2
  for via in direct h2c haproxy-h2; do
    if [[ $via == haproxy-h2 ]] && ! have_haproxy; then
      echo "   (no proxy row: HAProxy is not installed (apt-get install haproxy), or too few open files)" >&2
      continue
    fi
    for h in $BENCH_HOLDS; do
      stop "${PID[chatkit-rs]}"
      start_chatkit "$WORK/rs-data-$via-$h"
      run_loadgen chatkit --url "${URL[chatkit-rs]}" --concurrency 8 --max-conversations 400 \
        --duration 60 >/dev/null
      url=${URL[chatkit-rs]}
      if [[ $via == haproxy-h2 ]]; then
        # A fresh HAProxy too: it keeps a quiet stream whose client left until the server writes
        # to it (docs/deployment.md), so the last test's streams would still count against its
        # maxconn.
        PROXY_PORT=$(free_port)
        # `http-reuse always`: streams of different clients share the upstream HTTP/2
        # connections. `http-no-delay`: each SSE frame is sent at once (without it, HAProxy held
        # small frames back, and a stream's first frame took about 200 ms instead of 25).
        cat >"$WORK/haproxy.cfg" <<CFG
global
    maxconn $((MAX_HOLD + 64))
defaults
    mode http
    option http-no-delay
    timeout connect 5s
    timeout client 10m
    timeout server 10m
frontend chat
    bind 127.0.0.1:$PROXY_PORT
    default_backend chatkit
backend chatkit
    http-reuse always
    server chatkit-rs 127.0.0.1:$RS_PORT proto h2
CFG
        start haproxy "$WORK/haproxy" haproxy -db -f "$WORK/haproxy.cfg"
        PID[haproxy]=$LAST_PID
        url="http://127.0.0.1:$PROXY_PORT/chatkit/bench"
        wait_http haproxy "${PID[haproxy]}" "http://127.0.0.1:$PROXY_PORT/healthz"
      fi
      case $via in
        h2c) hold hold-fresh chatkit-rs "$url" "$h" "$via" --http2-streams-per-connection 100 ;;
        *) hold hold-fresh chatkit-rs "$url" "$h" "$via" ;;
      esac
      if [[ $via == haproxy-h2 ]]; then
        stop "${PID[haproxy]}"
      fi
    done
  done
fi

# The Python server on two worker processes (two cores for two workers: the most it can use
# here), closed loop only, after the single-process runs so it does not share the machine with
# an idle peer's memory growth.
if has_target python && [[ $BENCH_PY_WORKERS2 == 1 ]]; then
  stop "${PID[python]}"
  start_python python-w2 2
  check python-w2
  run_loadgen chatkit --url "${URL[python-w2]}" --concurrency 8 --max-conversations 400 \
    --duration 60 >/dev/null
  mapfile -t procs < <(pids python-w2)
  record python-w2 mem-idle "{\"rss_kb\":$(kb VmRSS "${procs[@]}"),\"processes\":${#procs[@]}}"
  for c in $BENCH_CONCURRENCIES; do
    converse python-w2 closed --concurrency "$c" --duration "$BENCH_SECONDS"
  done
  mapfile -t procs < <(pids python-w2)
  record python-w2 mem-end "{\"rss_kb\":$(kb VmRSS "${procs[@]}"),\"hwm_kb\":$(kb VmHWM "${procs[@]}")}"
fi

# --- report --------------------------------------------------------------------------------------

DATE=$(date -u +%Y-%m-%d)
REPORT=$ROOT/bench/results/protocol-$DATE.md
mkdir -p "$ROOT/bench/results"
chatkit_version=unknown
if has_target chatkit-rs; then
  chatkit_version=$("$CHATKIT" --version 2>/dev/null || echo unknown)
fi
py_versions=unknown
if has_target python; then
  py_versions=$("$VENV/bin/python" -c '
import sys
from importlib.metadata import version
names = ["openai-chatkit", "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "pydantic", "aiosqlite"]
print(f"Python {sys.version.split()[0]}; " + ", ".join(f"{n} {version(n)}" for n in names))
')
fi
BENCH_COMMAND=$COMMAND \
  BENCH_LOADAVG=$LOADAVG \
  BENCH_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) \
  BENCH_RUSTC=$(rustc --version) \
  BENCH_CHATKIT_VERSION=$chatkit_version \
  BENCH_PY_VERSIONS=$py_versions \
  BENCH_GIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo "-dirty") \
  BENCH_SECONDS=$BENCH_SECONDS BENCH_IDLE_SECONDS=$BENCH_IDLE_SECONDS \
  BENCH_HOLD_SECONDS=$BENCH_HOLD_SECONDS BENCH_FRAMES_DIR=$WORK BENCH_SQLITE_SYNC=$BENCH_SQLITE_SYNC \
  python3 "$HERE/report.py" "$RESULTS" >"$REPORT"
cat "$REPORT"
echo "== report written to ${REPORT#"$ROOT"/}" >&2
