// Embedding: permalinks (the project in the URL fragment, restored over the
// autosaved work) and the postMessage API of a playground in an iframe of
// another origin (answered only for the origins the page names).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launch, openPlayground, run, screenshot, BASE_URL } from "./harness.mjs";

let browser;
before(async () => {
    browser = await launch();
});
after(async () => {
    await browser?.close();
});

const MODELS = "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\n" +
    "class Thing(Base):\n    __tablename__ = 'thing'\n    id = Column(Integer, primary_key=True)\n    note = 'ünïcode ✓ \"quoted\" #hash'\n";

test("a permalink carries every file and opens over the autosaved work", async () => {
    const page = await openPlayground(browser.context);
    await page.evaluate((m) => window.alembicPlayground.setFiles({ "models.py": m }), MODELS);
    assert.equal((await run(page, "revision --autogenerate -m 'first thing'")).ok, true);
    const files = await page.evaluate(() => window.alembicPlayground.files());
    assert.equal(Object.keys(files).length, 2);

    // The button shows the link (the API gives the same).
    await page.locator("#permalink").click();
    const field = page.locator('[data-view="permalink"] input');
    await field.waitFor();
    const url = await field.inputValue();
    assert.ok(url.startsWith(BASE_URL.split("#")[0]), url);
    assert.match(url, /#project=[A-Za-z0-9_-]+$/);
    assert.equal(await page.evaluate(() => window.alembicPlayground.permalink()), url);
    await screenshot(page, "permalink.png");

    // Later work is autosaved; the link still opens the project as it was.
    await page.evaluate(() => window.alembicPlayground.setFiles({ "models.py": "# later work\n" }));
    const opened = await browser.context.newPage();
    const problems = [];
    opened.on("pageerror", (e) => problems.push(e.message));
    opened.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    await opened.goto(url);
    await opened.evaluate(() => window.alembicPlayground.ready);
    assert.deepEqual(await opened.evaluate(() => window.alembicPlayground.files()), files);
    // The database starts empty; the script runs.
    assert.equal((await run(opened, "upgrade head")).ok, true);
    // The fragment leaves the address bar, and the link's project is now the autosaved one.
    assert.equal(new URL(opened.url()).hash, "");
    await opened.reload();
    await opened.evaluate(() => window.alembicPlayground.ready);
    assert.deepEqual(await opened.evaluate(() => window.alembicPlayground.files()), files);

    // A broken link: a message, and the saved work opens.
    await opened.goto(`${BASE_URL.split("#")[0]}#project=not-a-project`);
    await opened.reload();
    await opened.evaluate(() => window.alembicPlayground.ready);
    assert.match(await opened.locator('[data-view="notice"]').innerText(), /could not be read/);
    assert.deepEqual(await opened.evaluate(() => window.alembicPlayground.files()), files);
    assert.deepEqual(problems, []);
    assert.deepEqual(page.problems, []);
    await opened.close();
    await page.close();
});

// A documentation page at another origin embedding the playground: served
// from another loopback port (a routed page would count as public, and
// Chromium's Local Network Access checks would block the frame).
let docs;
let EMBEDDER;
before(async () => {
    docs = createServer((req, res) => {
        const query = new URL(req.url, "http://x").searchParams.get("frame") ?? "";
        res.writeHead(200, { "content-type": "text/html" });
        res.end(`<!doctype html><title>docs</title><iframe id="pg" src="${BASE_URL}${query}" width="1200" height="800"></iframe>`);
    });
    await new Promise((r) => docs.listen(0, "127.0.0.1", r));
    EMBEDDER = `http://127.0.0.1:${docs.address().port}`;
});
after(() => docs?.close());

async function embedder(query) {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
        if (window.top !== window) return;
        window.received = [];
        window.addEventListener("message", (e) => window.received.push({ origin: e.origin, data: e.data }));
        let next = 0;
        /** Calls `method` in the iframe; resolves with the reply, or null after `ms`. */
        window.call = (method, args = [], ms = 20000) =>
            new Promise((resolve) => {
                const id = ++next;
                const timer = setTimeout(() => resolve(null), ms);
                window.addEventListener("message", function on(e) {
                    if (e.data && e.data.id === id) {
                        clearTimeout(timer);
                        window.removeEventListener("message", on);
                        resolve(e.data);
                    }
                });
                document.getElementById("pg").contentWindow.postMessage({ alembicPlayground: 1, id, method, args }, "*");
            });
    });
    await page.goto(`${EMBEDDER}/guide.html?frame=${encodeURIComponent(query)}`);
    return page;
}

test("postMessage API: an embedding page at a named origin drives the playground", async () => {
    const page = await embedder(`?origin=${encodeURIComponent(EMBEDDER)}`);
    const origin = new URL(BASE_URL).origin;
    await page.waitForFunction(() => window.received.some((m) => m.data && m.data.event === "ready"));
    const ready = await page.evaluate(() => window.received.find((m) => m.data.event === "ready"));
    assert.deepEqual(ready, { origin, data: { alembicPlayground: 1, event: "ready" } });

    const call = (method, args) => page.evaluate(([m, a]) => window.call(m, a), [method, args]);
    // A fresh project (the frame shares this origin's autosave with the other tests).
    assert.deepEqual(await call("reset"), { alembicPlayground: 1, id: 1, ok: true, result: null });
    assert.deepEqual(await call("setFiles", [{ "models.py": MODELS }]), { alembicPlayground: 1, id: 2, ok: true, result: null });
    const generated = await call("run", ["revision --autogenerate -m 'from the docs'"]);
    assert.equal(generated.ok, true, generated.error);
    assert.equal(generated.result.ok, true);
    assert.match(generated.result.output, /Detected added table 'thing'/);
    assert.equal((await call("run", ["upgrade head"])).result.exitCode, 0);
    const files = (await call("files")).result;
    assert.deepEqual(Object.keys(files).sort().map((p) => p.replace(/[0-9a-f]{12}/, "ID")), ["models.py", "versions/ID_from_the_docs.py"]);
    const log = (await call("sqlLog")).result;
    assert.ok(log.some((s) => /CREATE TABLE thing/.test(s.sql)), JSON.stringify(log));
    assert.deepEqual((await call("sql", ["SELECT count(*) AS n FROM thing"])).result, [{ n: 0 }]);
    // The iframe shows it.
    const frame = page.frameLocator("#pg");
    await frame.locator('svg[data-view="schema"] [data-table="thing"]').waitFor();
    // Errors come back as errors.
    const bad = await call("setModels", [42]);
    assert.equal(bad.ok, false);
    assert.match(bad.error, /takes a string/);
    assert.match((await call("mount", [])).error, /no method mount/);
    assert.match((await call("__panicForTests", [])).error, /no method/);
    await screenshot(page, "embedded.png");
    await page.close();
});

test("postMessage API: an origin the page does not name gets nothing", async () => {
    const page = await embedder("");
    // The playground loads in the frame, but neither the ready event nor answers reach this origin.
    await page.frameLocator("#pg").locator('svg[data-view="chain"]').waitFor();
    assert.equal(await page.evaluate(() => window.call("files", [], 1500)), null);
    assert.deepEqual(await page.evaluate(() => window.received), []);
    await page.close();
});
