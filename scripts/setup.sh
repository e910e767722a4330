#!/usr/bin/env bash
# Installs every tool the project needs, idempotently and only from the package
# registries (crates.io, npm, PyPI, Debian). A repeat run skips what is already
# installed at the right version. Sourced by scripts/dev; may also be run alone.
#
# Usage: scripts/setup.sh [all|rust|web|browser|python]   (default: all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION=0.22.1
# Must equal the wasm-bindgen version pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION=0.2.130
PY_REQS=(alembic==1.20.1 sqlalchemy==2.1.9 sqlmodel==0.0.50)

log() { printf '[setup] %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"

setup_rust() {
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

setup_browser() {
    if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
        return
    fi
    log "installing chromium and chromium-driver from Debian"
    export DEBIAN_FRONTEND=noninteractive
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -q
    $sudo apt-get install -y -q chromium chromium-driver
}

setup_npm() {
    # sql.js (runtime), playwright-core (e2e driver), binaryen@132 (wasm-opt for trunk).
    if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
        && [ -x node_modules/.bin/wasm-opt ] && [ -f node_modules/sql.js/dist/sql-wasm.wasm ]; then
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
    log "creating .venv with ${PY_REQS[*]}"
    python3 -m venv .venv
    .venv/bin/pip install -q "${PY_REQS[@]}"
    printf '%s\n' "$want" >.venv/.reqs
}

what="${1:-all}"
case "$what" in
    rust) setup_rust ;;
    web) setup_rust; setup_npm; setup_wasm_bindgen; setup_trunk ;;
    browser) setup_browser ;;
    python) setup_python ;;
    all) setup_rust; setup_npm; setup_python; setup_browser; setup_wasm_bindgen; setup_trunk ;;
    *) echo "usage: scripts/setup.sh [all|rust|web|browser|python]" >&2; exit 2 ;;
esac
