// Every example, by real clicks: pick it in the example menu, press each
// step's button in order, check the step did what it says (including the
// steps meant to fail), then check the database through the JS API.
// Throughout, the page must make no request beyond its own origin and
// report no Content-Security-Policy violation (harness: page.problems).
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
    "project-type": async (page) => {
        const files = await page.evaluate(() => window.alembicPlayground.files());
        assert.match(files["myapp/types.py"], /class GUID\(TypeDecorator\)/);
        const written = Object.entries(files).filter(([f]) => f.startsWith("versions/"));
        assert.equal(written.length, 2);
        for (const [f, text] of written) assert.match(text, /^import myapp\.types$/m, f);
        assert.deepEqual(await sql(page, "SELECT id, email, invited_by FROM account"),
            [{ id: "0c6b0e5e6f9f4a3c9d1d2b7a4f1e8c55", email: "ada@example.com", invited_by: null }]);
        const account = (await schema(page)).tables.find((t) => t.name === "account");
        assert.equal(account.columns.find((c) => c.name === "invited_by").type, "CHAR(32)");
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
            if (step.kind === "script") {
                const files = await page.evaluate(() => window.alembicPlayground.files());
                const written = Object.entries(files).filter(([f]) => f.startsWith("versions/"));
                assert.ok(written.length > 0 && written.every(([, text]) => text.includes(step.value)), where);
                assert.match(await guide.locator(`[data-guide-step="${i}"]`).getAttribute("class"), /\bdone\b/, where);
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

const script = (rev, down, upgrade, downgrade) =>
    `"""${rev}\n\nRevision ID: ${rev}\nRevises: ${down ?? ""}\nCreate Date: 2026-12-06 00:00:00.000000\n\n"""\n` +
    "from alembic import op\nimport sqlalchemy as sa\n\n\n" +
    `revision = '${rev}'\ndown_revision = ${down ? `'${down}'` : "None"}\nbranch_labels = None\ndepends_on = None\n\n\n` +
    `def upgrade() -> None:\n${upgrade}\n\n\ndef downgrade() -> None:\n${downgrade}\n`;

test("undo after a half-applied failure restores the database image and the files byte for byte", async () => {
    const page = await openPlayground(browser.context);
    const api = (f, ...a) => page.evaluate(([f, a]) => window.alembicPlayground[f](...a), [f, a]);
    // r1 creates tag; r2 creates half, then adds a NOT NULL column without a default to tag,
    // which has a row: SQLite refuses, after `half` exists (DDL is not transactional).
    await api("setFiles", {
        "models.py": "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
        "versions/a1_tag.py": script("a1", null,
            "    op.create_table('tag', sa.Column('id', sa.Integer(), nullable=False), sa.Column('name', sa.String(50)), sa.PrimaryKeyConstraint('id'))",
            "    op.drop_table('tag')"),
        "versions/b2_half.py": script("b2", "a1",
            "    op.create_table('half', sa.Column('id', sa.Integer(), nullable=False), sa.PrimaryKeyConstraint('id'))\n" +
            "    op.add_column('tag', sa.Column('weight', sa.Integer(), nullable=False))",
            "    op.drop_column('tag', 'weight')\n    op.drop_table('half')"),
    });
    assert.equal((await run(page, "upgrade a1")).ok, true);
    await sql(page, "INSERT INTO tag (name) VALUES ('kept')");
    const state = async () => ({
        // The SQLite file image (sql.js export()), as hex: schema, rows, alembic_version, every page.
        image: await page.evaluate(() =>
            Array.from(window.alembicPlayground.exportDatabase(), (b) => b.toString(16).padStart(2, "0")).join("")),
        schema: await schema(page),
        rows: await sql(page, "SELECT * FROM tag ORDER BY id"),
        version: await sql(page, "SELECT * FROM alembic_version"),
        master: await sql(page, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"),
        files: await page.evaluate(() => window.alembicPlayground.files()),
    });
    const before = await state();
    assert.ok(before.image.length >= 2 * 4096, "a database image of at least one page");

    // The upgrade fails half way, as in Alembic: `half` exists, the version is still a1.
    await page.locator("#upgrade").click();
    assert.equal(await page.locator("#output .entry").first().getAttribute("class"), "entry failed");
    const failed = await state();
    assert.notEqual(failed.image, before.image);
    assert.ok(failed.schema.tables.some((t) => t.name === "half"));
    assert.deepEqual(failed.version, [{ version_num: "a1" }]);
    await screenshot(page, "undo-half-applied.png");

    // One click restores the image and the files, byte for byte.
    await page.locator("#undo").click();
    const after = await state();
    assert.equal(after.image, before.image);
    assert.deepEqual(after, before);
    assert.deepEqual(page.problems, []);
    await page.close();
});
