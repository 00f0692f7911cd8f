#!/usr/bin/env bash
# The README's second command: install what the tests need, then run every check and test:
# formatting, lints, the web UI's build and unit tests, the Rust workspace's tests (unit, HTTP
# integration against the simulator on loopback, the store story on SQLite and on a real
# PostgreSQL server started here, config and docs checks), and the wire conformance check by the
# official openai-chatkit package (installed into a virtualenv), and the chat UI's browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_toolchain

log "cargo fmt --check"
cargo fmt --all -- --check

build_web
log "web unit tests"
(cd web && npm test --silent)

log "cargo clippy (warnings are errors)"
cargo clippy --locked --workspace --all-targets -- -D warnings

# The Rust tests write conformance records here (every frame, reply and value they produce).
export CHATKIT_CONFORMANCE_DIR="${CHATKIT_CONFORMANCE_DIR:-$PWD/target/conformance}"
mkdir -p "$CHATKIT_CONFORMANCE_DIR"
rm -f "$CHATKIT_CONFORMANCE_DIR"/*.jsonl

log "PostgreSQL for the store story test (TEST_DATABASE_URL; the server's own DATABASE_URL stays unset)"
eval "$(bash scripts/postgres.sh start)"
trap 'bash scripts/postgres.sh stop' EXIT

log "cargo test"
cargo test --locked --workspace

log "the example agents load (chatkit check-config, with the support example's service variables)"
CHATKIT_AGENTS=examples/agents ORDERS_API_URL=http://127.0.0.1:9/orders ORDERS_API_TOKEN=example \
  cargo run --locked -q -p chatkit -- check-config >/dev/null

log "browser tests: the chat UI in Chromium (Playwright) against the binary in demo mode"
need_chromium
chatkit_bin="$(cd "$TARGET_DIR" && pwd)/debug/chatkit"
# Screenshots go to the build directory here; docs/screenshots holds a committed set (refresh it by
# running the browser tests without CHATKIT_SCREENSHOTS_DIR).
(cd web && CHATKIT_BIN="$chatkit_bin" CHATKIT_SCREENSHOTS_DIR="$(cd .. && cd "$TARGET_DIR" && pwd)/screenshots" \
  npx --no-install playwright test)

log "TypeScript types in web/src/gen are current (generated from the Rust wire types)"
cargo test --locked -p chatkit-types --features ts --test typescript

log "conformance harness self-test (openai-chatkit 1.6.5 in a virtualenv)"
bash scripts/conformance.sh selftest

log "conformance: golden fixtures and the Rust tests' records, checked by openai-chatkit 1.6.5"
bash scripts/conformance.sh --fixtures crates/chatkit-types/tests/fixtures "$CHATKIT_CONFORMANCE_DIR"

log "the simulator's model endpoints, checked by the openai package (3.54)"
bash scripts/conformance.sh openai-sim "$TARGET_DIR/debug/chatkit"
