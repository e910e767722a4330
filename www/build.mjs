// Bundles www/editor.js (CodeMirror 6 from node_modules) into one minified
// ES module, target/www/editor.js, and minifies sql.js's loader (a classic
// script; its global `initSqlJs` kept) into target/www/sql-wasm.js: both are
// copied into the site by index.html.
// Run by Trunk's pre_build hook (Trunk.toml) and by scripts/e2e.sh; offline.
import { build, transform } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// Two source patches, each checked (a changed source fails the build):
// - style-mod writes CodeMirror's rules into a <style> element when it mounts
//   on a document, which a `style-src 'self'` policy blocks. Browsers with
//   constructable stylesheets (all this app supports) take the
//   adoptedStyleSheets path instead, which the policy allows.
// - The language package parses in the background in slices of up to 100 ms
//   (Work.Slice), yielding early only where `isInputPending` reports input;
//   after a large paste that is a string of 100 ms tasks. 20 ms slices keep
//   each well under the 50 ms of a long task, on a busy machine too (30 ms
//   slices were the longest tasks after a 5 MB paste, 30-39 ms); the total
//   work is the same.
// - Each transaction that changes the document parses for up to 20 ms
//   (Work.Apply) in its own task before the view updates: after a large
//   paste, 20 ms of the paste's task. 8 ms parse far more than a screen of
//   code (the highlighting needs that much at once); the background parse
//   does the rest.
const LANGUAGE = /@codemirror[\\/]language[\\/]dist[\\/]index\.js$/;
const patches = [
    { file: /style-mod[\\/]src[\\/]style-mod\.js$/, from: "!root.head && root.adoptedStyleSheets", to: "root.adoptedStyleSheets" },
    { file: LANGUAGE, from: "Math.min(this.chunkBudget, 100 /* Work.Slice */,", to: "Math.min(this.chunkBudget, 20," },
    { file: LANGUAGE, from: "newCx.work(20 /* Work.Apply */, upto)", to: "newCx.work(8, upto)" },
];
const patchSources = {
    name: "patch-sources",
    setup(b) {
        // One onLoad per file (esbuild takes the first that returns contents), applying each of its patches.
        for (const file of new Set(patches.map((p) => p.file))) {
            b.onLoad({ filter: file }, (args) => {
                let patched = readFileSync(args.path, "utf8");
                for (const { from, to } of patches.filter((p) => p.file === file)) {
                    const before = patched;
                    patched = patched.replace(from, to);
                    if (patched === before) throw new Error(`${args.path} changed (no "${from}"): update www/build.mjs`);
                }
                return { contents: patched, loader: "js" };
            });
        }
    },
};
await build({
    entryPoints: [join(root, "www", "editor.js")],
    outfile: join(root, "target", "www", "editor.js"),
    bundle: true,
    format: "esm",
    minify: true,
    target: ["es2020"],
    legalComments: "none",
    logLevel: "warning",
    plugins: [patchSources],
});

const sqlJs = readFileSync(join(root, "node_modules", "sql.js", "dist", "sql-wasm.js"), "utf8");
// No syntax lowering (it would add helper globals beside initSqlJs).
const minified = await transform(sqlJs, { minify: true, legalComments: "none", target: "esnext" });
if (!/^var initSqlJsPromise=void 0,initSqlJs=function/.test(minified.code)) throw new Error("sql-wasm.js: the global initSqlJs is gone after minifying");
mkdirSync(join(root, "target", "www"), { recursive: true });
writeFileSync(join(root, "target", "www", "sql-wasm.js"), minified.code);
