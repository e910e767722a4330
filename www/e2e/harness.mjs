// Shared e2e harness: Debian's Chromium through playwright-core, a fresh
// user-data dir per run, and a page whose console must stay clean.
//
// E2E_BASE_URL (set by scripts/e2e.sh) is the served dist/ site.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ARTIFACTS = join(ROOT, "target", "e2e");
export const BASE_URL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:8080/";

const FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/** Launches Chromium with a fresh profile; returns { context, close }. */
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/** Serves the static site in `dir` on a free loopback port: `{ server, url }`. */
export async function serveDir(dir) {
    const server = createServer((req, res) => {
        const path = join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/\/$/, "/index.html"));
        try {
            const body = readFileSync(path);
            res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
            res.end(body);
        } catch {
            res.writeHead(404).end();
        }
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

export async function launch() {
    const userDataDir = mkdtempSync(join(tmpdir(), "alembic-playground-e2e-"));
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
        headless: true,
        args: FLAGS,
        viewport: { width: 1400, height: 1000 },
    });
    return {
        context,
        async close() {
            await context.close();
            rmSync(userDataDir, { recursive: true, force: true });
        },
    };
}

/**
 * Opens the playground in a new page and waits for `alembicPlayground.ready`.
 * `page.problems` collects console errors (CSP violations are logged as
 * such), uncaught errors, failed requests, Content-Security-Policy violation
 * events, and any request that leaves the site's origin.
 * The page starts with empty localStorage (the tests share one browser
 * profile); a reload keeps what the page saved.
 */
export async function openPlayground(context, { storage = "fresh" } = {}) {
    const page = await context.newPage();
    const problems = [];
    const origin = new URL(BASE_URL).origin;
    await page.addInitScript((fresh) => {
        if (fresh && window.name !== "e2e-kept") localStorage.clear();
        window.name = "e2e-kept";
        document.addEventListener("securitypolicyviolation", (e) => {
            console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
        });
    }, storage === "fresh");
    page.on("request", (req) => {
        const url = req.url();
        if (!url.startsWith("data:") && new URL(url).origin !== origin) problems.push(`request left the origin: ${url}`);
    });
    page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console.error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
    page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
    page.on("response", (res) => {
        if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    page.problems = problems;
    await page.goto(BASE_URL, { waitUntil: "load" });
    await page.evaluate(() => window.alembicPlayground.ready);
    return page;
}

/** The CodeMirror editor of `path` (`models.py`, `versions/<file>`). */
export function editor(page, path) {
    return page.locator(`[data-view="editor"][data-file="${path}"] .cm-content`);
}

/** Replaces the whole text of an editor by typing, as a person would. */
export async function typeInto(page, path, text) {
    await page.locator(`[role="tab"][data-file="${path}"]`).first().click();
    const content = editor(page, path);
    await content.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await content.pressSequentially(text);
}

export async function screenshot(page, name) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

/** `run(line)` through the JS API. */
export function run(page, line) {
    return page.evaluate((l) => window.alembicPlayground.run(l), line);
}

export function sql(page, query) {
    return page.evaluate((q) => window.alembicPlayground.sql(q), query);
}

export function schema(page) {
    return page.evaluate(() => window.alembicPlayground.schema());
}
