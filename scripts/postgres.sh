#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests, on loopback and a free high port.
#
#   eval "$(bash scripts/postgres.sh start)"   # prints: export TEST_DATABASE_URL=postgres://...
#   bash scripts/postgres.sh stop              # stops it and removes its directory
#   bash scripts/postgres.sh status
#
# `start` installs Debian's `postgresql` if it is missing, creates a cluster in a fresh temporary
# directory (trust auth, no fsync: the data is thrown away), waits until it accepts connections,
# creates the database `chatkit` and prints the export line on stdout (everything else goes to
# stderr). Running `start` again while the server is up prints the same line. The directory, port
# and binaries are kept in a state file (CHATKIT_PG_STATE, default
# ${TMPDIR:-/tmp}/chatkit-postgres.state) for `stop`. As root, the server runs as the `postgres`
# user (initdb refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

STATE="${CHATKIT_PG_STATE:-${TMPDIR:-/tmp}/chatkit-postgres.state}"
DB=chatkit
READY_TIMEOUT=30

# as_pg CMD...: runs a PostgreSQL program as the cluster's owner.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

url_for() { echo "postgres://postgres@127.0.0.1:$1/$DB"; }

# port_in_use PORT: whether something accepts connections on it.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  echo "no free port found" >&2
  return 1
}

running() {
  # shellcheck disable=SC1090
  [ -f "$STATE" ] && . "$STATE" && [ -d "$DIR/data" ] &&
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  if running; then
    log "PostgreSQL already running on port $PORT ($DIR)"
    echo "export TEST_DATABASE_URL=$(url_for "$PORT")"
    return 0
  fi
  [ -f "$STATE" ] && stop

  PGBIN=$(pg_bin)
  if [ -z "$PGBIN" ]; then
    apt_install postgresql
    PGBIN=$(pg_bin)
  fi
  [ -n "$PGBIN" ] || { echo "PostgreSQL binaries not found after installing postgresql" >&2; exit 1; }

  local base="${TMPDIR:-/tmp}"
  DIR=$(mktemp -d "$base/chatkit-pg.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$DIR"
    # The postgres user must reach the directory: fall back to /tmp if TMPDIR is private.
    if ! runuser -u postgres -- test -w "$DIR"; then
      rmdir "$DIR"
      DIR=$(mktemp -d /tmp/chatkit-pg.XXXXXX)
      chown postgres:postgres "$DIR"
    fi
  fi

  log "initdb in $DIR ($PGBIN)"
  as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null

  # A port can be taken between the check and the bind: try a few.
  local started=0
  for _ in 1 2 3 4 5; do
    PORT=$(free_port)
    if as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t "$READY_TIMEOUT" \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      started=1
      break
    fi
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ "$started" -ne 1 ]; then
    echo "PostgreSQL did not start; its log:" >&2
    tail -n 30 "$DIR/log" >&2 || true
    rm -rf "$DIR"
    exit 1
  fi
  printf 'DIR=%q\nPORT=%q\nPGBIN=%q\n' "$DIR" "$PORT" "$PGBIN" >"$STATE"

  local deadline=$((SECONDS + READY_TIMEOUT))
  until as_pg "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "PostgreSQL on port $PORT not ready after ${READY_TIMEOUT}s; its log:" >&2
      tail -n 30 "$DIR/log" >&2 || true
      stop
      exit 1
    fi
    sleep 0.2
  done
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
  log "PostgreSQL listening on 127.0.0.1:$PORT (stop: bash scripts/postgres.sh stop)"
  echo "export TEST_DATABASE_URL=$(url_for "$PORT")"
}

stop() {
  if [ ! -f "$STATE" ]; then
    log "no PostgreSQL started by this script ($STATE absent)"
    return 0
  fi
  # shellcheck disable=SC1090
  . "$STATE"
  if [ -d "$DIR/data" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w -t "$READY_TIMEOUT" stop >/dev/null 2>&1 ||
      as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  case "$DIR" in
    */chatkit-pg.*) rm -rf "$DIR" ;;
  esac
  rm -f "$STATE"
  log "PostgreSQL stopped and $DIR removed"
}

status() {
  if running; then
    echo "running on 127.0.0.1:$PORT in $DIR: $(url_for "$PORT")"
  else
    echo "not running"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
