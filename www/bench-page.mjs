// Page figures for the benchmark: transfer size of the whole site (gzip -9
// of every file in the built site) and navigation → `alembicPlayground.ready`
// on loopback in headless Chromium (median of 5 fresh pages), each printed
// next to its target. Usage: node www/bench-page.mjs [DIST] (serves it itself).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { launch } from "./e2e/harness.mjs";

const dist = process.argv[2] ?? "dist";
const files = readdirSync(dist, { recursive: true }).map((f) => join(dist, f)).filter((f) => statSync(f).isFile());
let raw = 0;
let gz = 0;
for (const f of files) {
    const bytes = readFileSync(f);
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
}
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`site transfer (gzip): ${kb(gz)} (raw ${kb(raw)}, ${files.length} files)   target < 1536 KB   ${gz < 1536 * 1024 ? "ok" : "OVER"}`);

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
const server = createServer((req, res) => {
    const path = join(dist, decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/\/$/, "/index.html"));
    try {
        const body = readFileSync(path);
        res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
        res.end(body);
    } catch {
        res.writeHead(404).end();
    }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();
const times = [];
for (let i = 0; i < 6; i++) {
    const page = await browser.context.newPage();
    const start = performance.now();
    await page.goto(url);
    await page.evaluate(() => window.alembicPlayground.ready);
    const ms = performance.now() - start;
    if (i === 0) console.log(`navigation to ready, cold cache: ${ms.toFixed(0)} ms   target < 1000 ms   ${ms < 1000 ? "ok" : "OVER"}`);
    else times.push(ms);
    await page.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`navigation to ready (loopback, headless Chromium, warm cache, median of ${times.length}): ${median.toFixed(0)} ms   target < 1000 ms   ${median < 1000 ? "ok" : "OVER"}`);
await browser.close();
server.close();
