#!/usr/bin/env bash
# The README's second command: install what the tests need, then run every check and test:
# formatting, lints, the web UI's build and unit tests, and the Rust workspace's tests (unit,
# HTTP integration against the simulator on loopback, config and docs checks).
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

log "cargo test"
cargo test --locked --workspace
