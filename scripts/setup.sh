#!/usr/bin/env bash
# Installs every tool the project needs, idempotently and only from the package
# registries (crates.io, npm, PyPI, Debian). A repeat run skips what is already
# installed at the right version. Sourced by scripts/dev; may also be run alone.
#
# Usage: scripts/setup.sh [all|rust|web|browser|python|fuzz]   (default: all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION=0.22.1
# Must equal the wasm-bindgen version pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION=0.2.130
# cargo-fuzz drives libFuzzer for fuzz/ (needs the nightly toolchain rustup lists).
CARGO_FUZZ_VERSION=0.13.2
PY_REQS=(alembic==1.20.1 sqlalchemy==2.1.9 sqlmodel==0.0.50)

log() { printf '[setup] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

# Runs one setup step and says how long it took when it had work to do.
# A step prints nothing and returns fast when its tool is already installed.
timed() {
    local name="$1" start=$SECONDS
    shift
    "$@"
    local took=$((SECONDS - start))
    if [ "$took" -ge 2 ]; then
        log "$name ready after $((took / 60))m$(printf '%02d' $((took % 60)))s"
    fi
}

need() {
    command -v "$1" >/dev/null || die "$1 not found: $2"
}

setup_rust() {
    need cargo "install Rust with rustup (https://rustup.rs), then re-run"
    need rustup "install Rust with rustup (https://rustup.rs), then re-run"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        log "adding rust target wasm32-unknown-unknown"
        rustup target add wasm32-unknown-unknown
    fi
}

setup_trunk() {
    if trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
        return
    fi
    # Every 0.22 release after beta.1 declares a newer rust-version than this
    # machine has; it builds and works with --ignore-rust-version.
    log "installing trunk $TRUNK_VERSION (takes ~16 minutes on 2 cores)"
    cargo install --locked trunk --version "$TRUNK_VERSION" --ignore-rust-version
}

setup_wasm_bindgen() {
    if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
        return
    fi
    # `cargo install --locked wasm-bindgen-cli` fails here: its lockfile pins a
    # webpki-roots release the registry does not serve. Fetch the crate source
    # through cargo, downgrade that one crate, and install from the unpacked source.
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes ~6 minutes)"
    local tmp
    tmp="$(mktemp -d)"
    mkdir -p "$tmp/fetcher/src"
    cat >"$tmp/fetcher/Cargo.toml" <<EOF
[package]
name = "fetcher"
version = "0.0.0"
edition = "2021"
[dependencies]
wasm-bindgen-cli = "=$WASM_BINDGEN_VERSION"
EOF
    echo 'fn main() {}' >"$tmp/fetcher/src/main.rs"
    (cd "$tmp/fetcher" && cargo fetch -q 2>/dev/null || cargo fetch)
    local src
    src="$(ls -d "$HOME"/.cargo/registry/src/*/wasm-bindgen-cli-"$WASM_BINDGEN_VERSION" | head -n1)"
    cp -r "$src" "$tmp/cli"
    (cd "$tmp/cli" && cargo update -p webpki-roots --precise 1.0.10 && cargo install --locked --path . --root "$HOME/.cargo")
    rm -rf "$tmp"
}

setup_fuzz() {
    need rustup "install Rust with rustup (https://rustup.rs), then re-run"
    if ! rustup toolchain list | grep -q '^nightly'; then
        die "cargo-fuzz needs a nightly toolchain: rustup toolchain install nightly"
    fi
    if cargo fuzz --version 2>/dev/null | grep -q "^cargo-fuzz $CARGO_FUZZ_VERSION\$"; then
        return
    fi
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION (takes ~3 minutes)"
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
}

apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "$@" >/dev/null
}

setup_browser() {
    if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
        return
    fi
    log "installing chromium and chromium-driver from Debian"
    apt_install chromium chromium-driver
}

setup_npm() {
    need npm "install Node.js 20+ with npm, then re-run"
    # sql.js (runtime), CodeMirror 6 + esbuild (the editor bundle), playwright-core (e2e driver),
    # binaryen@132 (wasm-opt for trunk).
    if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
        && [ -x node_modules/.bin/wasm-opt ] && [ -f node_modules/sql.js/dist/sql-wasm.wasm ] \
        && [ -x node_modules/.bin/esbuild ] && [ -d node_modules/@codemirror/lang-python ]; then
        return
    fi
    log "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
}

setup_python() {
    local want
    want="$(printf '%s\n' "${PY_REQS[@]}")"
    if [ -x .venv/bin/python ] && [ -f .venv/.reqs ] && [ "$(cat .venv/.reqs)" = "$want" ]; then
        return
    fi
    need python3 "install python3 (3.10+), then re-run"
    log "creating .venv with ${PY_REQS[*]}"
    if ! python3 -m venv .venv >/dev/null 2>&1; then
        log "python3 -m venv failed: installing python3-venv from Debian"
        rm -rf .venv
        apt_install python3-venv
        python3 -m venv .venv
    fi
    .venv/bin/pip install -q "${PY_REQS[@]}"
    printf '%s\n' "$want" >.venv/.reqs
}

# Two set-up runs at once (say `scripts/dev serve` and `scripts/dev test`) would
# race in cargo install / npm ci: the second waits for the first.
if command -v flock >/dev/null; then
    exec 9>"${TMPDIR:-/tmp}/alembic-playground-setup.lock"
    if ! flock -n 9; then
        log "another scripts/setup.sh is running: waiting for it"
        flock 9
    fi
fi

started=$SECONDS
what="${1:-all}"
case "$what" in
    rust) timed "rust target" setup_rust ;;
    web)
        timed "rust target" setup_rust; timed "npm packages" setup_npm
        timed "wasm-bindgen-cli" setup_wasm_bindgen; timed "trunk" setup_trunk ;;
    browser) timed "chromium" setup_browser ;;
    python) timed ".venv" setup_python ;;
    fuzz) timed "rust target" setup_rust; timed "cargo-fuzz" setup_fuzz ;;
    all)
        timed "rust target" setup_rust; timed "npm packages" setup_npm; timed ".venv" setup_python
        timed "chromium" setup_browser; timed "wasm-bindgen-cli" setup_wasm_bindgen; timed "trunk" setup_trunk
        timed "cargo-fuzz" setup_fuzz ;;
    *) echo "usage: scripts/setup.sh [all|rust|web|browser|python|fuzz]" >&2; exit 2 ;;
esac
took=$((SECONDS - started))
log "$what: everything installed ($((took / 60))m$(printf '%02d' $((took % 60)))s)"
