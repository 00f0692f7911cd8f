#!/usr/bin/env bash
# Conformance harness against the official Python package (openai-chatkit, pinned in
# conformance/requirements.txt).
#
# Creates (or reuses) a virtualenv at ${CHATKIT_VENV:-.venv} (a relative path is taken from the
# repository root), installs the pinned requirements into it when any installed version differs
# (never skipping the check for want of the package), then runs:
#
#   scripts/conformance.sh PATH...                 the checker over record files/directories
#   scripts/conformance.sh --fixtures DIR [PATH...] the checker over golden fixtures (and records)
#   scripts/conformance.sh gen [--check]           (re)generate the golden fixtures, or with --check
#                                                  fail if the committed ones are stale
#   scripts/conformance.sh selftest [PYTEST ARGS]  the harness's own tests (pytest conformance/)
#   scripts/conformance.sh openai-sim BINARY [ARGS] the simulator's model endpoints, judged by the
#                                                  openai package's types: starts
#                                                  `BINARY sim --port <free> --no-record` (BINARY is
#                                                  target/debug/chatkit, or chatkit-sim's
#                                                  `standalone` example), waits for /__sim/health,
#                                                  runs conformance/openai_check.py (ARGS go to it),
#                                                  then stops the simulator
#
# Paths are taken relative to the caller's working directory. Needs no standard input.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/lib.sh"

VENV="${CHATKIT_VENV:-.venv}"
case "$VENV" in
  /*) ;;
  *) VENV="$ROOT/$VENV" ;;
esac
REQS="$ROOT/conformance/requirements.txt"
PY="$VENV/bin/python"

# venv_works: the venv's interpreter runs and has pip.
venv_works() {
  [ -x "$PY" ] && "$PY" -c 'import sys' >/dev/null 2>&1 && "$PY" -m pip --version >/dev/null 2>&1
}

# requirements_met: every `name==version` line of requirements.txt is installed at that version.
requirements_met() {
  "$PY" - "$REQS" >/dev/null 2>&1 <<'PY'
import re, sys
from importlib import metadata

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        have = metadata.version(norm(name.strip()))
    except metadata.PackageNotFoundError:
        sys.exit(1)
    if have != want.strip():
        sys.exit(1)
PY
}

make_venv() {
  if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  if [ -e "$VENV" ] && ! venv_works; then
    if [ -f "$VENV/pyvenv.cfg" ]; then
      log "removing the broken virtualenv at $VENV"
      rm -rf "$VENV"
    else
      echo "$VENV exists but is not a virtualenv; set CHATKIT_VENV to another path" >&2
      exit 1
    fi
  fi
  if [ ! -e "$VENV" ]; then
    log "creating the conformance virtualenv at $VENV"
    if ! python3 -m venv "$VENV" </dev/null >/dev/null 2>&1; then
      # Debian splits venv/ensurepip into python3-venv (and python3.X-venv).
      rm -rf "$VENV"
      local minor
      minor="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
      apt_install python3-venv
      if ! python3 -m venv "$VENV" </dev/null >/dev/null 2>&1; then
        rm -rf "$VENV"
        apt_install "python${minor}-venv"
        python3 -m venv "$VENV" </dev/null
      fi
    fi
  fi
  if ! venv_works; then
    echo "the virtualenv at $VENV has no working python/pip" >&2
    exit 1
  fi
}

make_venv
if ! requirements_met; then
  log "installing conformance/requirements.txt into $VENV"
  "$PY" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQS" </dev/null
  if ! requirements_met; then
    echo "installed packages still differ from conformance/requirements.txt" >&2
    exit 1
  fi
fi

case "${1:-}" in
  gen)
    shift
    exec "$PY" "$ROOT/conformance/gen_fixtures.py" "$@" </dev/null
    ;;
  selftest)
    shift
    exec "$PY" -m pytest -q -p no:cacheprovider "$ROOT/conformance" "$@" </dev/null
    ;;
  openai-sim)
    shift
    if [ "$#" -lt 1 ] || [ ! -x "$1" ]; then
      echo "usage: scripts/conformance.sh openai-sim BINARY [CHECK ARGS] (BINARY: an executable that serves \`sim --port N --no-record\`)" >&2
      exit 2
    fi
    SIM_BIN="$1"
    shift
    SIM_PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    SIM_LOG="$(mktemp)"
    "$SIM_BIN" sim --port "$SIM_PORT" --no-record </dev/null >"$SIM_LOG" 2>&1 &
    SIM_PID=$!
    stop_sim() {
      kill "$SIM_PID" 2>/dev/null || true
      wait "$SIM_PID" 2>/dev/null || true
      rm -f "$SIM_LOG"
    }
    trap stop_sim EXIT
    if ! "$PY" - "$SIM_URL" "$SIM_PID" <<'PY'
import os, sys, time, urllib.request

url, pid = sys.argv[1], int(sys.argv[2])
for _ in range(300):
    try:
        with urllib.request.urlopen(f"{url}/__sim/health", timeout=1) as reply:
            if reply.status == 200:
                sys.exit(0)
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    time.sleep(0.1)
sys.exit(1)
PY
    then
      echo "the simulator ($SIM_BIN sim --port $SIM_PORT) did not become healthy:" >&2
      cat "$SIM_LOG" >&2
      exit 1
    fi
    log "openai package $("$PY" -c 'import openai; print(openai.__version__)') against $SIM_BIN sim at $SIM_URL"
    "$PY" "$ROOT/conformance/openai_check.py" --base-url "$SIM_URL" "$@" </dev/null
    ;;
  *)
    exec "$PY" "$ROOT/conformance/check.py" "$@" </dev/null
    ;;
esac
