// Bundles www/editor.js (CodeMirror 6 from node_modules) into one minified
// ES module, target/www/editor.js, which index.html copies into the site.
// Run by Trunk's pre_build hook (Trunk.toml) and by scripts/e2e.sh; offline.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// CodeMirror's style-mod writes its rules into a <style> element when it
// mounts on a document, which a `style-src 'self'` policy blocks. Browsers
// with constructable stylesheets (all this app supports) take the
// adoptedStyleSheets path instead, which the policy allows.
const adoptedStyleSheets = {
    name: "adopted-style-sheets",
    setup(b) {
        b.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, (args) => {
            const source = readFileSync(args.path, "utf8");
            const patched = source.replace("!root.head && root.adoptedStyleSheets", "root.adoptedStyleSheets");
            if (patched === source) throw new Error("style-mod changed: update www/build.mjs");
            return { contents: patched, loader: "js" };
        });
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
    plugins: [adoptedStyleSheets],
});
