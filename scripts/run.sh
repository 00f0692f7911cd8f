#!/usr/bin/env bash
# The README's first command: set up, build the web UI and the server, and serve on
# 127.0.0.1:8787 with SQLite. With no OpenAI key configured it runs in demo mode against the
# built-in simulator (a banner says so). Extra arguments go to `chatkit serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_toolchain
build_web
log "building the server (release)"
cargo build --release --locked -p chatkit
log "starting chatkit-rs on http://${HOST:-127.0.0.1}:${PORT:-8787}"
exec "$TARGET_DIR/release/chatkit" serve --demo-if-no-key "$@"
