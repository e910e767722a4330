// The views wired to the store, by clicks: the revision chain (markers,
// open a script, upgrade/downgrade to a node, squash), the ER diagram with
// the last change marked, the last-change diff, compare, timeline, and the
// rows grid (sample rows, undo).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openPlayground, run, sql, schema, screenshot } from "./harness.mjs";

let browser;
before(async () => {
    browser = await launch();
});
after(async () => {
    await browser?.close();
});

const USER = "1a0c7e5b9d21";
const MATERIAL = "2b9f4d6a8c13";
const SAMPLE = "3c8e2f7b1a45";

test("chain, ER diagram, diff, compare, timeline and rows by clicks", async () => {
    const page = await openPlayground(browser.context);
    await page.locator("#example").selectOption("navigate");
    const chain = page.locator('svg[data-view="chain"]');
    await chain.locator(`[data-revision="${SAMPLE}"][data-head]`).waitFor();
    assert.equal(await chain.locator("[data-revision]").count(), 3);
    assert.equal(await chain.locator("[data-current]").count(), 0);

    // Upgrade head from the chain's toolbar: the head is current; the ER diagram has the tables.
    await page.locator(".chain-view button", { hasText: "Upgrade head" }).click();
    await chain.locator(`[data-revision="${SAMPLE}"][data-current]`).waitFor();
    const er = page.locator('svg[data-view="schema"]');
    for (const t of ["user", "material", "sample"]) await er.locator(`[data-table="${t}"]`).waitFor();
    // ... with what the upgrade added marked.
    await er.locator('[data-change="added"][data-object="table:sample"]').first().waitFor();
    await page.locator("#view-change").click();
    await page.locator('[data-view="diff"] [data-change="added"][data-object="table:material"]').waitFor();
    // alembic_version is bookkeeping (the chain marks the current revision): no table of the views.
    assert.equal(await page.locator('[data-object="table:alembic_version"]').count(), 0);
    await page.locator("#view-diagram").click();
    await er.locator('[data-table="sample"]').waitFor();
    assert.equal(await page.locator('[data-table="alembic_version"]').count(), 0);
    await page.locator(".workbench button", { hasText: /^List$/ }).first().click();
    await page.locator('[data-list-table="sample"]').first().waitFor();
    assert.equal(await page.locator('[data-list-table="alembic_version"]').count(), 0);
    await page.locator(".workbench button", { hasText: /^Diagram$/ }).first().click();
    await page.locator("#view-change").click();
    await screenshot(page, "views-chain-er.png");

    // Click a node: its script opens; downgrade to it.
    await chain.locator(`[data-revision="${USER}"]`).click();
    const tab = page.locator(`[role="tab"][data-file="versions/${USER}_create_user.py"]`);
    assert.equal(await tab.getAttribute("aria-selected"), "true");
    await page.locator(".chain-actions.selected button", { hasText: "Downgrade to here" }).click();
    await chain.locator(`[data-revision="${USER}"][data-current]`).waitFor();
    assert.deepEqual(await sql(page, "SELECT version_num FROM alembic_version"), [{ version_num: USER }]);
    await page.locator("#view-change").click();
    await page.locator('[data-view="diff"] [data-change="dropped"][data-object="table:sample"]').waitFor();

    // Compare base with the head: three tables added.
    await page.locator("#view-compare").click();
    await page.locator('[data-view="diff"] select[aria-label="to"]').selectOption(SAMPLE);
    await page.locator('[data-view="diff"] [data-object="table:sample"][data-change="added"]').waitFor();
    for (const t of ["user", "material", "sample"]) {
        assert.equal(await page.locator(`[data-view="diff"] [data-object="table:${t}"][data-change="added"]`).count(), 1, t);
    }

    // Timeline: step to the second revision; the diagram shows user and material.
    await page.locator("#view-timeline").click();
    await page.locator('[data-view="timeline"] button[aria-label="next revision"]').click();
    await page.locator('[data-view="timeline"] button[aria-label="next revision"]').click();
    const at = page.locator('.workbench svg[data-view="schema"]');
    await at.locator('[data-table="material"]').waitFor();
    assert.equal(await at.locator('[data-table="sample"]').count(), 0);
    await screenshot(page, "views-timeline.png");

    // Rows: pick a table from the diagram, fill it with sample rows, undo.
    await page.locator("#view-diagram").click();
    await sql(page, "INSERT INTO user (email) VALUES ('ada@example.com')");
    await page.locator('svg[data-view="schema"] [data-table="user"]').first().click();
    const grid = page.locator('[data-view="rows"][data-table="user"]');
    await grid.waitFor();
    assert.equal(await grid.locator("tr[data-row]").count(), 1);
    await grid.locator("button", { hasText: "Fill with sample rows" }).click();
    await grid.locator("tr[data-row]").nth(5).waitFor();
    assert.equal((await sql(page, "SELECT count(*) AS n FROM user"))[0].n, 6);
    await screenshot(page, "views-rows.png");
    await page.locator("#undo").click();
    assert.equal((await sql(page, "SELECT count(*) AS n FROM user"))[0].n, 1);
    await page.waitForFunction(() => document.querySelectorAll('[data-view="rows"][data-table="user"] tr[data-row]').length === 1);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("squash two revisions into one from the chain", async () => {
    const page = await openPlayground(browser.context);
    await page.evaluate(() => window.alembicPlayground.loadExample("user-sample-material"));
    for (let i = 0; i < 5; i++) assert.equal(await page.evaluate((n) => window.alembicPlayground.runStep(n), i), true);
    const before = await schema(page);
    const chain = page.locator('svg[data-view="chain"]');
    const ids = await chain.locator("[data-revision]").evaluateAll((els) => els.map((e) => e.getAttribute("data-revision")));
    assert.equal(ids.length, 2);
    await chain.locator(`[data-revision="${ids[0]}"]`).click();
    await page.locator(".chain-actions.selected button", { hasText: "Squash from here" }).click();
    await chain.locator(`[data-revision="${ids[1]}"]`).click();
    await page.locator(".chain-actions.squash button", { hasText: "Squash" }).first().click();
    await screenshot(page, "views-squash.png");
    await page.waitForFunction(() => document.querySelectorAll('svg[data-view="chain"] [data-revision]').length === 1);
    assert.equal(Object.keys(await page.evaluate(() => window.alembicPlayground.files())).filter((f) => f.startsWith("versions/")).length, 1);
    assert.deepEqual((await schema(page)).tables.map((t) => t.name), before.tables.map((t) => t.name));
    assert.equal((await run(page, "check")).ok, true);
    // One undo brings both revisions back.
    await page.locator("#undo").click();
    await page.waitForFunction(() => document.querySelectorAll('svg[data-view="chain"] [data-revision]').length === 2);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("step through a migration one operation at a time, with the SQL of each", async () => {
    const page = await openPlayground(browser.context);
    await page.evaluate(() => window.alembicPlayground.loadExample("navigate"));
    await page.evaluate(() => window.alembicPlayground.run("upgrade +2"));
    await page.locator("#step-upgrade").click();
    const steps = page.locator('[data-view="steps"]');
    await steps.waitFor();
    // create_table sample, then the batch block with its index
    assert.equal(await steps.locator("li[data-step]").count(), 2);
    assert.equal(await steps.locator('li[data-step="0"]').getAttribute("data-state"), "current");
    await steps.locator("button", { hasText: "Step ▶" }).click();
    await steps.locator('li[data-step="0"][data-state="done"]').waitFor();
    assert.match(await steps.locator('li[data-step="0"]').innerText(), /CREATE TABLE sample/);
    assert.ok((await schema(page)).tables.some((t) => t.name === "sample"));
    assert.deepEqual(await sql(page, "SELECT version_num FROM alembic_version"), [{ version_num: MATERIAL }]);
    await steps.locator("button", { hasText: "Step ▶" }).click();
    await steps.locator('li[data-step="1"][data-state="done"]').waitFor();
    assert.match(await steps.locator('li[data-step="1"]').innerText(), /CREATE INDEX ix_sample_owner_id/);
    assert.deepEqual(await sql(page, "SELECT version_num FROM alembic_version"), [{ version_num: SAMPLE }]);
    await screenshot(page, "views-step-through.png");
    // Back undoes the last operation; the version table goes back too.
    await steps.locator("button", { hasText: "Back" }).click();
    await steps.locator('li[data-step="1"][data-state="current"]').waitFor();
    assert.deepEqual(await sql(page, "SELECT version_num FROM alembic_version"), [{ version_num: MATERIAL }]);
    assert.deepEqual((await schema(page)).tables.find((t) => t.name === "sample").indexes, []);
    await steps.locator("button", { hasText: "Run to end" }).click();
    await steps.locator('li[data-step="1"][data-state="done"]').waitFor();
    // One undo for the whole step-through.
    await page.locator('[aria-label="close step-through"]').click();
    await page.locator("#undo").click();
    assert.deepEqual(await sql(page, "SELECT version_num FROM alembic_version"), [{ version_num: MATERIAL }]);
    assert.ok(!(await schema(page)).tables.some((t) => t.name === "sample"));
    assert.deepEqual(page.problems, []);
    await page.close();
});
