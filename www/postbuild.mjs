// Trunk post_build hook: moves the inline scripts Trunk writes into
// index.html (its wasm initializer) into files beside it, so the page runs
// with a Content-Security-Policy of `script-src 'self'`: no inline script.
// Works on $TRUNK_STAGING_DIR (or the directory given as argument).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
    console.error("postbuild: no TRUNK_STAGING_DIR and no directory argument");
    process.exit(1);
}
const index = join(dir, "index.html");
let html = readFileSync(index, "utf8");
let moved = 0;
html = html.replace(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g, (whole, attrs = "", body) => {
    if (/\ssrc\s*=/.test(attrs) || body.trim() === "") return whole;
    const name = `init-${createHash("sha256").update(body).digest("hex").slice(0, 16)}.js`;
    writeFileSync(join(dir, name), body.trim() + "\n");
    moved += 1;
    const type = /type\s*=\s*["']?module/.test(attrs) ? ' type="module"' : "";
    return `<script${type} src="./${name}"></script>`;
});
writeFileSync(index, html);
console.log(`postbuild: moved ${moved} inline script(s) out of index.html`);
