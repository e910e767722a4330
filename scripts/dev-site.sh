#!/usr/bin/env bash
# A quick, unoptimized build of the site (or, with --release, an optimized one) for iterating on the UI without
# Trunk's release pipeline: debug wasm + wasm-bindgen into target/dev-site/
# (same files and CSP as the Trunk build). The e2e tests run against it with
# `E2E_DIST=target/dev-site scripts/e2e.sh --no-build`.
# With --names: the release wasm with its function names kept (wasm-bindgen
# --keep-debug, no wasm-opt), for CPU profiles that name Rust functions
# (www/profile-page.mjs); its speed is close to the release site's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
OUT=target/dev-site
PROFILE=debug
KEEP=()
if [ "${1:-}" = "--names" ]; then
    PROFILE=wasm-release
    KEEP=(--keep-debug)
    cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features --lib
elif [ "${1:-}" = "--release" ]; then
    # Trunk's release settings (index.html): the wasm-release profile, wasm-opt -Oz, functions by name.
    PROFILE=wasm-release
    cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features --lib
else
    cargo build --target wasm32-unknown-unknown --no-default-features --lib
fi
node www/build.mjs
rm -rf "$OUT" && mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript "${KEEP[@]}" --out-dir "$OUT" "target/wasm32-unknown-unknown/$PROFILE/alembic_playground.wasm"
if [ "$PROFILE" = wasm-release ] && [ ${#KEEP[@]} = 0 ]; then
    wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-multivalue --reorder-functions-by-name -o "$OUT/alembic_playground_bg.wasm" "$OUT/alembic_playground_bg.wasm"
fi
cp target/www/sql-wasm.js node_modules/sql.js/dist/sql-wasm.wasm target/www/editor.js www/boot.js static/style.css static/views.css "$OUT/"
printf '%s\n' "import init from './alembic_playground.js';" "await init({ module_or_path: './alembic_playground_bg.wasm' });" >"$OUT/init.js"
python3 - "$OUT" <<'PY'
import re, sys
html = open("index.html").read()
html = re.sub(r'<link data-trunk rel="rust"[^>]*/>', '<script type="module" src="init.js"></script>', html, flags=re.S)
html = re.sub(r'<link data-trunk rel="css" href="static/([a-z]+\.css)" />', r'<link rel="stylesheet" href="\1" />', html)
html = re.sub(r'\s*<link data-trunk rel="copy-file"[^>]*/>', '', html)
open(sys.argv[1] + "/index.html", "w").write(html)
PY
echo "dev site in $OUT"
