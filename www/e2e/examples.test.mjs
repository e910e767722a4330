// Every example, by real clicks: pick it in the example menu, press each
// step's button in order, check the step did what it says (including the
// steps meant to fail), then check the database through the JS API.
// Throughout, the page must make no request beyond its own origin and
// report no Content-Security-Policy violation (harness: page.problems).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openPlayground, sql, schema, screenshot } from "./harness.mjs";

let browser;
before(async () => {
    browser = await launch();
});
after(async () => {
    await browser?.close();
});

const tables = async (page) => (await schema(page)).tables.map((t) => t.name).filter((n) => n !== "alembic_version");
const scripts = async (page) =>
    Object.keys(await page.evaluate(() => window.alembicPlayground.files())).filter((f) => f.startsWith("versions/"));

/** What each example leaves behind. */
const FINAL = {
    blog: async (page) => assert.deepEqual(await tables(page), ["post", "post_tag", "tag"]),
    tag: async (page) => {
        assert.deepEqual(await tables(page), ["tag"]);
        assert.deepEqual(await sql(page, "SELECT name FROM tag ORDER BY id"), [{ name: "python" }, { name: "sqlite" }]);
        assert.deepEqual((await schema(page)).tables.find((t) => t.name === "tag").indexes.map((i) => i.name), ["ix_tag_name"]);
    },
    "user-sample-material": async (page) => {
        assert.deepEqual(await tables(page), ["material", "sample", "user"]);
        assert.equal((await scripts(page)).length, 2);
    },
    navigate: async (page) => {
        assert.deepEqual(await tables(page), []);
        assert.deepEqual(await sql(page, "SELECT * FROM alembic_version"), []);
    },
    "not-null": async (page) => {
        assert.deepEqual(await sql(page, "SELECT name, color FROM tag ORDER BY id"),
            [{ name: "python", color: "#cccccc" }, { name: "sqlite", color: "#cccccc" }]);
        assert.equal((await scripts(page)).length, 2);
    },
    rename: async (page) => {
        assert.deepEqual((await schema(page)).tables.find((t) => t.name === "tag").columns.map((c) => c.name), ["id", "name"]);
        assert.equal((await sql(page, "SELECT count(*) AS n FROM tag"))[0].n, 2);
    },
    branches: async (page) => {
        assert.deepEqual(await tables(page), ["material", "sample", "user"]);
        assert.equal((await scripts(page)).length, 4);
        assert.equal((await sql(page, "SELECT count(*) AS n FROM alembic_version"))[0].n, 1);
    },
    mapped: async (page) => {
        assert.deepEqual(await tables(page), ["author", "book"]);
        const book = (await schema(page)).tables.find((t) => t.name === "book");
        assert.equal(book.columns.find((c) => c.name === "published").nullable, true);
        assert.equal(book.columns.find((c) => c.name === "title").nullable, false);
    },
    sqlmodel: async (page) => {
        assert.deepEqual(await sql(page, "SELECT hero.name, team.name AS team FROM hero JOIN team ON team.id = hero.team_id"),
            [{ name: "Deadpond", team: "Preventers" }]);
    },
};

test("every example, step by step, by clicks; no request leaves the origin, no CSP violation", async () => {
    const page = await openPlayground(browser.context);
    const examples = await page.evaluate(() => window.alembicPlayground.examples());
    assert.deepEqual(examples.map((e) => e.id).sort(), Object.keys(FINAL).sort());
    for (const example of examples) {
        await page.locator("#example").selectOption(example.id);
        const guide = page.locator(`[data-example="${example.id}"]`);
        await guide.waitFor();
        assert.deepEqual(await tables(page), [], `${example.id} starts on an empty database`);
        for (const [i, step] of example.steps.entries()) {
            const entries = await page.locator("#output .entry").count();
            await guide.locator(`[data-guide-step="${i}"] button`).click();
            const where = `${example.id} step ${i} (${step.kind} ${step.value.slice(0, 40)})`;
            if (step.kind === "models") {
                assert.equal(await page.evaluate(() => window.alembicPlayground.models()), step.value, where);
                continue;
            }
            assert.ok((await page.locator("#output .entry").count()) > entries || entries >= 200, `${where}: logged`);
            const newest = page.locator("#output .entry").first();
            const cls = await newest.getAttribute("class");
            if (step.kind === "undo") {
                assert.match(await newest.locator(".cmd").innerText(), /^↶ undo /, where);
            } else {
                assert.equal(/\bok\b/.test(cls), step.expectOk, `${where}: ${await newest.innerText()}`);
            }
            assert.match(await guide.locator(`[data-guide-step="${i}"]`).getAttribute("class"), /\bdone\b/, where);
        }
        await FINAL[example.id](page);
        await screenshot(page, `example-${example.id}.png`);
    }
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("undo after a half-applied failure restores schema, rows, alembic_version and files exactly", async () => {
    const page = await openPlayground(browser.context);
    await page.evaluate(() => window.alembicPlayground.loadExample("not-null"));
    for (let i = 0; i < 5; i++) assert.equal(await page.evaluate((n) => window.alembicPlayground.runStep(n), i), true);
    const state = async () => ({
        schema: await schema(page),
        rows: await sql(page, "SELECT * FROM tag ORDER BY id"),
        version: await sql(page, "SELECT * FROM alembic_version"),
        master: await sql(page, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"),
        files: await page.evaluate(() => window.alembicPlayground.files()),
    });
    const before = await state();
    // The failing upgrade (step 5) is meant to fail.
    assert.equal(await page.evaluate(() => window.alembicPlayground.runStep(5)), true);
    await page.locator("#undo").click();
    assert.deepEqual(await state(), before);
    assert.deepEqual(page.problems, []);
    await page.close();
});
