#!/usr/bin/env bash
# Browser end-to-end tests: builds the site with `trunk build --release`,
# serves dist/ on a free loopback port, and runs www/e2e/*.test.mjs with
# node's test runner against Debian's Chromium (playwright-core).
# Artifacts (screenshots) go to target/e2e/.
#
# Usage: scripts/e2e.sh [--no-build] [node --test args...]
#   --no-build   serve the existing dist/ as is
#   E2E_DIST=DIR serve DIR instead of dist/ (e.g. target/dev-site from scripts/dev-site.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# wasm-opt must be binaryen@132 from npm (see Trunk.toml); trunk and wasm-bindgen from cargo.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

build=1
if [ "${1:-}" = "--no-build" ]; then
    build=0
    shift
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/sql.js/dist/sql-wasm.wasm ] \
    || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/@codemirror/lang-python ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi

DIST="${E2E_DIST:-dist}"
if [ "$build" = 1 ]; then
    node www/build.mjs
    trunk build --release
fi
[ -f "$DIST/index.html" ] || { echo "e2e: $DIST/index.html missing: build first" >&2; exit 1; }

mkdir -p target/e2e
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server --bind 127.0.0.1 --directory "$DIST" "$port" >target/e2e/http.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done

E2E_BASE_URL="http://127.0.0.1:$port/" node --test --test-concurrency=1 "$@" www/e2e/*.test.mjs
