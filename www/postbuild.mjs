// Trunk post_build hook: moves the inline scripts Trunk writes into
// index.html (its wasm initializer) into files beside it, so the page runs
// with a Content-Security-Policy of `script-src 'self'`: no inline script.
// Then minifies the site's own scripts and styles that nothing minified yet
// (wasm-bindgen's glue, boot.js, the initializer, the CSS; editor.js and
// sql-wasm.js come minified from www/build.mjs) and sets each one's new
// sha384 into the `integrity` attribute Trunk wrote for it.
// Works on $TRUNK_STAGING_DIR (or the directory given as argument).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transform } from "esbuild";

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

const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
let minified = 0;
for (const name of readdirSync(dir)) {
    const loader = name.endsWith(".css") ? "css" : name.endsWith(".js") ? "js" : null;
    if (!loader || name === "editor.js" || name === "sql-wasm.js") continue;
    const path = join(dir, name);
    const source = readFileSync(path);
    // wasm-bindgen's glue and the initializer are ES modules; boot.js is a classic script.
    const format = loader === "js" && name !== "boot.js" ? "esm" : undefined;
    const { code } = await transform(source.toString("utf8"), { loader, format, minify: true, legalComments: "none", target: loader === "css" ? "chrome110" : "esnext" });
    writeFileSync(path, code);
    const before = sri(source);
    if (html.includes(before)) html = html.replaceAll(before, sri(code));
    minified += 1;
}
writeFileSync(index, html);
console.log(`postbuild: moved ${moved} inline script(s) out of index.html, minified ${minified} file(s)`);
