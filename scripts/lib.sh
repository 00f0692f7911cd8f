# Shared helpers for scripts/run.sh and scripts/test.sh (sourced, not run).

# Build output lives outside the clone when CHATKIT_TARGET_DIR is set (CI keeps a cache there);
# otherwise in ./target as usual.
if [ -n "${CHATKIT_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="$CHATKIT_TARGET_DIR"
fi
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

log() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
# apt_install PKG...: installs the Debian packages that are missing.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing packages: ${missing[*]} (install them with your package manager)" >&2
    return 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# need_toolchain: cargo and a Node.js with npm.
need_toolchain() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is required: install Rust from https://rustup.rs" >&2
    exit 1
  fi
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
}

# build_web: installs the UI's locked dependencies and builds web/dist (embedded by the binary).
build_web() {
  log "building the web UI (web/dist)"
  (cd web && { [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1 || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
}

# need_chromium: a Chromium for the browser tests (Debian's package: Playwright downloads no
# browser here). CHROMIUM_PATH, or chromium on PATH, is used as it is.
need_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    return 0
  fi
  apt_install chromium fonts-liberation
}
