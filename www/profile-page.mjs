// Where the page's time goes: one scenario in headless Chromium under the
// CPU profiler (functions by self and inclusive time) or the tracer (the
// main thread's long tasks and what they did: script, style, layout, paint).
// A tool for finding, not a figure: the figures are www/bench-page.mjs.
//
//   scripts/dev-site.sh --names      the release wasm with function names → target/dev-site
//   node www/profile-page.mjs [--trace] [--filter REGEX] SCENARIO [DIST]
//
// SCENARIO: keystroke (20 keys in a 50-table models.py at head), autogen
// (setModels at 100 tables at head, 20 times), paste (a 5 MB models.py),
// scripts (setFiles with 1,000 scripts), ready (a reload to `ready`),
// upgrade (`upgrade head` of www/bench-page.mjs's 100-revision chain, then
// undo, 20 times).
// With --trace: the scenario's longest task, by wall time and by the main
// thread's own time on the CPU (on a busy machine, wall time also counts
// waiting for a core); tasks over LONG_MS (default 30) of wall time, or with
// LONG_CPU_MS set, over that much CPU time, are listed.
// DIST defaults to target/dev-site. --filter keeps the inclusive list to
// matching function names (e.g. 'alembic_|yew::|editor.js'). --within REGEX
// counts only the samples with a matching function on their stack (e.g.
// 'command::run_line': the command without the bridge's work around it);
// --without REGEX drops the samples with a matching function on their stack
// (e.g. 'Database>::query': the engine without the statements' own time).
import { launch, serveDir } from "./e2e/harness.mjs";
import { HELPERS, typeWhile } from "./bench-helpers.mjs";

const args = process.argv.slice(2);
let trace = false;
let filter = null;
let within = null;
let without = null;
const rest = [];
for (let i = 0; i < args.length; i++) {
    if (args[i] === "--trace") trace = true;
    else if (args[i] === "--filter") filter = new RegExp(args[++i]);
    else if (args[i] === "--within") within = new RegExp(args[++i]);
    else if (args[i] === "--without") without = new RegExp(args[++i]);
    else rest.push(args[i]);
}
const [scenario = "keystroke", dist = "target/dev-site"] = rest;

const { server, url } = await serveDir(dist);
const browser = await launch();
const page = await browser.context.newPage();
page.on("console", (m) => console.log(`console: ${m.text()}`));
await page.addInitScript(() => localStorage.clear());
await page.goto(url);
await page.evaluate(() => window.alembicPlayground.ready);

await page.evaluate(HELPERS);
/** Models with `n` tables, as www/bench-page.mjs writes them (window.bench.tables); `last` names the last column. */
const tables = (n, last = "zz") => page.evaluate(([n, l]) => window.bench.tables(n, { lastColumn: l }), [n, last]);
const atHead = (models) =>
    page.evaluate(async (m) => {
        const api = window.alembicPlayground;
        api.setFiles({ "models.py": m });
        await api.run("revision --autogenerate -m all");
        await api.run("upgrade head");
    }, models);


const cdp = await browser.context.newCDPSession(page);
const events = [];
async function start() {
    if (trace) {
        cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
        await cdp.send("Tracing.start", {
            categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink,blink.user_timing",
            transferMode: "ReportEvents",
        });
    }
    // With --trace too: its samples are put in the long tasks (same clock).
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: trace ? 250 : 100 });
    await cdp.send("Profiler.start");
    // The scenario's span in the trace (the tracer's own tasks before and after are not the page's).
    await page.evaluate(() => performance.mark("profile:start"));
}

const scenarios = {
    async keystroke() {
        await atHead(await tables(50));
        await page.locator('[role="tab"][data-file="models.py"]').click();
        await page.locator('[data-view="editor"][data-file="models.py"] .cm-content').click();
        await page.keyboard.press("Control+End");
        await page.keyboard.press("Home");
        await start();
        for (let i = 0; i < 20; i++) {
            await page.keyboard.press(i % 2 ? "Backspace" : "a");
            await page.waitForTimeout(150);
        }
    },
    async autogen() {
        await atHead(await tables(100));
        await start();
        await page.evaluate(async ({ a, b }) => {
            for (let i = 0; i < 20; i++) {
                window.alembicPlayground.setModels(i % 2 ? a : b);
                await new Promise((r) => setTimeout(r, 50));
            }
        }, { a: await tables(100), b: await tables(100, "yy") });
    },
    async paste() {
        await page.locator('[data-view="editor"][data-file="models.py"] .cm-content').click();
        await page.keyboard.press("Control+A");
        // The text reaches the page before the profile starts (as in www/bench-page.mjs).
        await page.evaluate((text) => (window.pasteText = text), await tables(17000));
        await start();
        await typeWhile(page, page.evaluate(async () => {
            // the paste in a task of its own, as in www/bench-page.mjs
            await new Promise((r) => setTimeout(r, 20));
            const data = new DataTransfer();
            data.setData("text/plain", window.pasteText);
            const content = document.querySelector('[data-view="editor"][data-file="models.py"] .cm-content');
            content.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
            await new Promise((r) => setTimeout(r, 4000));
        }));
    },
    async scripts() {
        await start();
        await typeWhile(page, page.evaluate(async () => {
            // window.bench.chainScripts(1000) (www/bench-helpers.mjs), in the form Alembic writes
            const files = { "models.py": window.alembicPlayground.models(), ...window.bench.chainScripts(1000) };
            // setFiles in a task of its own, as in www/bench-page.mjs
            await new Promise((r) => setTimeout(r, 20));
            const t0 = performance.now();
            window.alembicPlayground.setFiles(files);
            while (document.querySelectorAll('svg[data-view="chain"] [data-revision]').length < 1000) await new Promise((r) => setTimeout(r, 20));
            console.log(`chain drawn after ${(performance.now() - t0).toFixed(0)} ms`);
            // what follows (the autosave), as www/bench-page.mjs waits for it
            await new Promise((r) => setTimeout(r, 4000));
        }));
    },
    async upgrade() {
        // The chain as www/bench-page.mjs autogenerates it (window.bench.chainModels).
        await page.evaluate(async () => {
            const api = window.alembicPlayground;
            api.reset();
            api.setFiles({ "models.py": window.bench.chainModels(0) });
            for (let i = 1; i <= 100; i++) {
                api.setModels(window.bench.chainModels(i));
                const g = await api.run(`revision --autogenerate -m step_${i} --rev-id r${String(i).padStart(4, "0")}`);
                const u = await api.run("upgrade head");
                if (!g.ok || !u.ok) throw new Error(`revision ${i}: ${g.output}${u.output}`);
            }
            const files = api.files();
            api.reset();
            api.setFiles(files);
            // warm up (as the benchmark's first, uncounted run)
            await api.run("upgrade head");
            api.undo();
        });
        await start();
        await page.evaluate(async () => {
            const api = window.alembicPlayground;
            for (let i = 0; i < 20; i++) {
                const u = await api.run("upgrade head");
                if (!u.ok) throw new Error(u.output);
                api.undo();
            }
        });
    },
    async ready() {
        await start();
        await page.reload();
        await page.evaluate(() => window.alembicPlayground.ready);
    },
};
if (!scenarios[scenario]) throw new Error(`no scenario ${scenario}: ${Object.keys(scenarios).join(", ")}`);
await scenarios[scenario]();

const ms = (us) => (us / 1000).toFixed(1).padStart(8);
const { profile } = await cdp.send("Profiler.stop");
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`;
const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
/** Self and inclusive time by function of the samples taken in [from, to) (µs, the trace's clock). */
function attribute(from = -Infinity, to = Infinity) {
    const self = new Map();
    const inclusive = new Map();
    let total = 0;
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
        const us = profile.timeDeltas[i];
        at += us;
        if (at < from || at >= to) return;
        if (within || without) {
            let inside = !within;
            let excluded = false;
            for (let p = id; p !== undefined; p = parent.get(p)) {
                const k = name(byId.get(p));
                if (within?.test(k)) inside = true;
                if (without?.test(k)) excluded = true;
            }
            if (!inside || excluded) return;
        }
        total += us;
        self.set(name(byId.get(id)), (self.get(name(byId.get(id))) ?? 0) + us);
        const seen = new Set();
        for (let p = id; p !== undefined; p = parent.get(p)) {
            const k = name(byId.get(p));
            if (!seen.has(k)) {
                seen.add(k);
                inclusive.set(k, (inclusive.get(k) ?? 0) + us);
            }
        }
    });
    return { self, inclusive, total };
}
if (trace) {
    const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
    await page.evaluate(() => performance.mark("profile:end"));
    await cdp.send("Tracing.end");
    await done;
    const thread = (e) => `${e.pid}:${e.tid}`;
    const mains = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args.name === "CrRendererMain").map(thread));
    const busy = new Map();
    for (const e of events) if (e.name === "RunTask" && mains.has(thread(e))) busy.set(thread(e), (busy.get(thread(e)) ?? 0) + e.dur);
    const main = [...busy].sort((a, b) => b[1] - a[1])[0][0];
    const own = events.filter((e) => thread(e) === main && e.ph === "X");
    const totals = new Map();
    for (const e of own) totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur);
    console.log("== main thread, by event (ms) ==");
    for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${ms(us)} ${name}`);
    const over = Number(process.env.LONG_MS ?? 30);
    const mark = (name) => events.find((e) => e.name === name)?.ts;
    const [from, to] = [mark("profile:start") ?? -Infinity, mark("profile:end") ?? Infinity];
    const scenario = own.filter((e) => e.name === "RunTask" && e.ts > from && e.ts + e.dur < to);
    const longest = (key) => Math.max(0, ...scenario.map((t) => t[key] ?? 0)) / 1000;
    console.log(`longest task of the scenario: ${longest("dur").toFixed(1)} ms wall; longest on the CPU: ${longest("tdur").toFixed(1)} ms`);
    console.log(`== tasks over ${over} ms, with what in them took over 5 ms ==`);
    const tasks = own.filter((e) => e.name === "RunTask");
    // performance.measure() spans: async begin/end pairs in blink.user_timing
    const open = new Map();
    const timings = [];
    for (const e of events.filter((e) => e.cat === "blink.user_timing")) {
        const key = `${e.name}:${e.id ?? e.id2?.local}`;
        if (e.ph === "b") open.set(key, e.ts);
        else if (e.ph === "e" && open.has(key)) {
            timings.push({ name: e.name, start: open.get(key), end: e.ts });
            open.delete(key);
        }
    }
    const t0 = Math.min(...tasks.map((t) => t.ts));
    // LONG_CPU_MS: list by time on the CPU instead (on a busy machine, wall time also counts waiting for a core)
    const overCpu = process.env.LONG_CPU_MS === undefined ? null : Number(process.env.LONG_CPU_MS) * 1000;
    for (const t of tasks.filter((t) => (overCpu === null ? t.dur > over * 1000 : (t.tdur ?? 0) > overCpu))) {
        const parts = own
            .filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur > 5000)
            .map((e) => `${e.name}${e.args?.data?.type ? `(${e.args.data.type})` : ""} ${(e.dur / 1000).toFixed(1)}`);
        // tdur: the thread's own time in the task (on a busy machine, wall time also counts waiting for a core)
        const cpu = t.tdur === undefined ? "" : ` (${(t.tdur / 1000).toFixed(1)} ms on the CPU)`;
        console.log(`@${((t.ts - t0) / 1000).toFixed(0)} ms: ${(t.dur / 1000).toFixed(1)} ms${cpu}: ${parts.join(", ")}`);
        // The page's own performance.measure()s (alembic:*) that ended in this task.
        const measures = timings
            .filter((m) => m.end > t.ts && m.end <= t.ts + t.dur)
            .map((m) => `${m.name} ${((m.end - m.start) / 1000).toFixed(1)}`);
        if (measures.length) console.log(`    measures: ${measures.join(", ")}`);
        // What the CPU profiler saw in this task (by default Rust and Yew functions).
        const { inclusive } = attribute(t.ts, t.ts + t.dur);
        const keep = filter ?? /alembic_|yew::|editor\.js|^\(program\)|^\(garbage/;
        for (const [k, us] of top(new Map([...inclusive].filter(([k]) => keep.test(k))), 12)) console.log(`      ${ms(us)} ${k.slice(0, 140)}`);
    }
} else {
    const { self, inclusive, total } = attribute();
    console.log(`== ${scenario}: ${(total / 1000).toFixed(0)} ms sampled; by self time (ms) ==`);
    for (const [k, us] of top(self, 30)) console.log(`${ms(us)} ${k.slice(0, 160)}`);
    console.log("== by inclusive time (ms) ==");
    const shown = filter ? new Map([...inclusive].filter(([k]) => filter.test(k))) : inclusive;
    for (const [k, us] of top(shown, 60)) console.log(`${ms(us)} ${k.slice(0, 160)}`);
}
await browser.close();
server.close();
