# Shared by the benchmark scripts (sourced, not run): processes started in the background and
# cleaned up on any exit, free loopback ports, readiness checks, and readings from /proc.
# Everything here talks to 127.0.0.1 only, and every wait is bounded.

die() {
  echo "run.sh: $*" >&2
  exit 1
}
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

CLK_TCK=$(getconf CLK_TCK)

# bench_workdir PREFIX : a scratch directory ($WORK) for logs, and the cleanup that stops every
# process started with `start` (and a running load generator, $LOADGEN_PID) on any exit, printing
# the last lines of their logs when the run failed.
bench_workdir() {
  WORK=$(mktemp -d -t "$1.XXXXXX")
  PIDS=()
  NAMES=()
  LOADGEN_PID=
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local i pid
  if [[ -n $LOADGEN_PID ]]; then
    kill "$LOADGEN_PID" 2>/dev/null || true
    wait "$LOADGEN_PID" 2>/dev/null || true
  fi
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    stop "$pid"
  done
  if ((rc != 0)); then
    for i in "${!NAMES[@]}"; do
      echo "--- last lines of ${NAMES[$i]}.log ---" >&2
      tail -n 20 "$WORK/${NAMES[$i]}.log" >&2 || true
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}

# A free TCP port on 127.0.0.1 (the kernel picks it; it is free again once printed).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start NAME DIR CMD... : runs CMD in DIR (created if missing) in the background, logging to
# $WORK/NAME.log. The subshell execs, so the recorded PID ($LAST_PID) is the process itself.
start() {
  local name=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  (cd "$dir" && exec "$@") >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
  LAST_PID=$!
}

# stop PID : stops a process this script started (SIGTERM, then SIGKILL after 5 s).
stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_http NAME PID URL [WANT] : polls URL until it answers status WANT (default 200; "any":
# any status), at most 30 s, failing early if the process died.
wait_http() {
  local name=$1 pid=$2 url=$3 want=${4:-200} code
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
    if [[ $want == any && $code != 000 ]] || [[ $code == "$want" ]]; then
      return 0
    fi
    sleep 0.1
  done
  die "$name did not answer $want on $url within 30 s"
}

# kb FIELD PID... : the sum of a VmRSS/VmHWM value in kB over processes.
kb() {
  local field=$1 total=0 pid v
  shift
  for pid in "$@"; do
    v=$(awk -v field="$field:" '$1 == field { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# cpu_ticks PID... : user + system CPU time so far, in clock ticks, summed over processes
# (/proc/PID/stat fields 14 and 15).
cpu_ticks() {
  local total=0 pid stat
  for pid in "$@"; do
    stat=$(<"/proc/$pid/stat") || continue
    stat=${stat##*) }
    # After the command name: field 3 is the state, so utime/stime are the 12th/13th words here.
    total=$((total + $(awk '{print $12 + $13}' <<<"$stat")))
  done
  echo "$total"
}
