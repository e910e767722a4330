// The page itself: loading, the JS API's shape, models/files/sql/schema,
// real clicks and typing, undo, and a clean console. Independent of the
// engine's progress: commands are checked to go through the same command
// layer from the UI and the API, not for what they print.
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

test("loads with the example models, exposes the API, console clean", async () => {
    const page = await openPlayground(browser.context);
    assert.equal(await page.title(), "Alembic Playground");
    const api = await page.evaluate(() =>
        Object.fromEntries(Object.entries(window.alembicPlayground).map(([k, v]) => [k, typeof v])),
    );
    for (const name of ["setModels", "models", "run", "files", "schema", "sql"]) {
        assert.equal(api[name], "function", `alembicPlayground.${name}`);
    }
    assert.equal(api.ready, "object");
    const models = await page.evaluate(() => window.alembicPlayground.models());
    assert.match(models, /class Tag\(Base\):/);
    assert.equal(await page.locator("#models").inputValue(), models);
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.files()), { "models.py": models });
    assert.deepEqual(await schema(page), { tables: [] });
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("setModels shows in the editor; typing in the editor shows in models()", async () => {
    const page = await openPlayground(browser.context);
    await page.evaluate(() => window.alembicPlayground.setModels("# from the API\n"));
    assert.equal(await page.locator("#models").inputValue(), "# from the API\n");
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.files()), { "models.py": "# from the API\n" });

    await page.locator("#models").fill("");
    await page.locator("#models").pressSequentially("x = 1");
    assert.equal(await page.evaluate(() => window.alembicPlayground.models()), "x = 1");
    await page.locator("#models").press("Enter");
    await page.locator("#models").press("Tab");
    await page.locator("#models").pressSequentially("y");
    assert.equal(await page.evaluate(() => window.alembicPlayground.models()), "x = 1\n    y");

    await page.locator("#reset-models").click();
    assert.match(await page.evaluate(() => window.alembicPlayground.models()), /class Post\(Base\):/);

    await assert.rejects(page.evaluate(() => window.alembicPlayground.setModels(42)), /takes a string/);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("sql() and schema() read the live database; the UI shows it; undo by click", async () => {
    const page = await openPlayground(browser.context);
    assert.deepEqual(
        await sql(page, "CREATE TABLE tag (id INTEGER NOT NULL, name VARCHAR(50) NOT NULL, " +
            "color VARCHAR(7) DEFAULT '#cccccc' NOT NULL, PRIMARY KEY (id), UNIQUE (name))"),
        [],
    );
    await sql(page, "CREATE INDEX ix_tag_id ON tag (id)");
    await sql(page, "CREATE TABLE post (id INTEGER NOT NULL PRIMARY KEY, tag_id INTEGER REFERENCES tag (id) ON DELETE CASCADE)");
    await sql(page, "INSERT INTO tag (name) VALUES ('rust'), ('sql')");
    assert.deepEqual(await sql(page, "SELECT id, name, color FROM tag ORDER BY id"), [
        { id: 1, name: "rust", color: "#cccccc" },
        { id: 2, name: "sql", color: "#cccccc" },
    ]);
    assert.deepEqual(await sql(page, "SELECT NULL AS a, 1.5 AS b, 'x' AS c"), [{ a: null, b: 1.5, c: "x" }]);
    assert.deepEqual(await page.evaluate(() => Array.from(window.alembicPlayground.sql("SELECT x'0102' AS c")[0].c)), [1, 2]);
    await assert.rejects(sql(page, "SELECT * FROM missing"), /no such table: missing/);

    const s = await schema(page);
    assert.deepEqual(s.tables.map((t) => t.name), ["post", "tag"]);
    const tag = s.tables[1];
    assert.deepEqual(tag.columns, [
        { name: "id", type: "INTEGER", nullable: false, default: null, primary_key: true },
        { name: "name", type: "VARCHAR(50)", nullable: false, default: null, primary_key: false },
        { name: "color", type: "VARCHAR(7)", nullable: false, default: "'#cccccc'", primary_key: false },
    ]);
    assert.deepEqual(tag.indexes, [{ name: "ix_tag_id", column_names: ["id"], unique: false }]);
    assert.deepEqual(tag.unique_constraints, [{ name: null, column_names: ["name"] }]);
    assert.deepEqual(s.tables[0].foreign_keys, [{
        constrained_columns: ["tag_id"], referred_table: "tag", referred_columns: ["id"], ondelete: "CASCADE", onupdate: null,
    }]);

    // The database panel shows both tables and the row count.
    const panel = page.locator("#tables");
    await panel.locator('[data-table="tag"]').waitFor();
    assert.match(await panel.locator('[data-table="tag"]').innerText(), /2 rows/);
    assert.match(await panel.locator('[data-table="tag"]').innerText(), /VARCHAR\(7\)/);

    // Undo the INSERT by clicking: rows gone, tables stay. A SELECT is not undoable.
    await page.locator("#undo").click();
    assert.deepEqual(await sql(page, "SELECT count(*) AS n FROM tag"), [{ n: 0 }]);
    assert.match(await panel.locator('[data-table="tag"]').innerText(), /0 rows/);
    await page.locator("#undo").click(); // the CREATE TABLE post
    assert.deepEqual((await schema(page)).tables.map((t) => t.name), ["tag"]);
    // undo() of the API shares the stack: CREATE INDEX, then CREATE TABLE tag, then nothing.
    assert.equal(await page.evaluate(() => window.alembicPlayground.undo()), true);
    assert.deepEqual((await schema(page)).tables[0].indexes, []);
    assert.equal(await page.evaluate(() => window.alembicPlayground.undo()), true);
    assert.deepEqual(await schema(page), { tables: [] });
    assert.equal(await page.evaluate(() => window.alembicPlayground.undo()), false);
    assert.equal(await page.locator("#undo").isDisabled(), true);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("buttons and the command line go through the same command layer as run()", async () => {
    const page = await openPlayground(browser.context);
    const viaApi = await run(page, "history");
    assert.equal(typeof viaApi.ok, "boolean");
    assert.equal(typeof viaApi.output, "string");
    // An API call shows in the UI at once.
    assert.equal(await page.locator("#output .entry .cmd").first().innerText(), "$ alembic history");

    await page.locator("#history").click();
    const newest = page.locator("#output .entry").first();
    assert.match(await newest.locator(".cmd").innerText(), /^\$ alembic history$/);
    assert.equal(normalize(await newest.locator("pre").allInnerTexts()), normalize([viaApi.output]));

    for (const [id, line] of [["#upgrade", "upgrade head"], ["#downgrade", "downgrade -1"], ["#downgrade-base", "downgrade base"]]) {
        await page.locator(id).click();
        assert.equal(await page.locator("#output .entry .cmd").first().innerText(), `$ alembic ${line}`);
    }

    // Autogenerate asks for a message first.
    await page.locator("#autogenerate").click();
    await page.locator(".hint.warn").waitFor();
    await page.locator("#message").fill("create tag");
    await page.locator("#autogenerate").click();
    assert.equal(await page.locator("#output .entry .cmd").first().innerText(),
        "$ alembic revision --autogenerate -m 'create tag'");

    // Any command from the command line, `alembic` prefix optional; Enter runs it.
    await page.locator("#command").fill("alembic heads --verbose");
    await page.locator("#command").press("Enter");
    assert.equal(await page.locator("#output .entry .cmd").first().innerText(), "$ alembic heads --verbose");
    assert.equal(await page.locator("#command").inputValue(), "");
    await page.locator("#command").fill('revision -m "unclosed');
    await page.locator("#run").click();
    assert.match(await page.locator("#output .entry").first().innerText(), /unterminated double quote/);
    const unclosed = await run(page, 'revision -m "unclosed');
    assert.equal(unclosed.ok, false);
    assert.equal(unclosed.exitCode, 2);
    assert.match(unclosed.output, /unterminated double quote/);

    // Every command is undoable (a snapshot per command).
    assert.equal(await page.locator("#undo").isEnabled(), true);

    // A populated page for the record: the example's tables, made with sql().
    await sql(page, "CREATE TABLE tag (id INTEGER NOT NULL, name VARCHAR(50) NOT NULL, PRIMARY KEY (id), UNIQUE (name))");
    await sql(page, "CREATE INDEX ix_tag_id ON tag (id)");
    await sql(page, "INSERT INTO tag (name) VALUES ('rust'), ('sql')");
    await screenshot(page, "ui.png");
    assert.deepEqual(page.problems, []);
    await page.close();
});

function normalize(texts) {
    return texts.join("").replace(/\s+/g, " ").trim();
}

test("the example by clicks: autogenerate, upgrade, see the schema, undo both", async () => {
    const page = await openPlayground(browser.context);
    await page.locator("#message").fill("create blog");
    await page.locator("#autogenerate").click();
    const newest = page.locator("#output .entry").first();
    assert.equal(await newest.locator(".cmd").innerText(), "$ alembic revision --autogenerate -m 'create blog'");
    assert.match(await newest.innerText(), /Detected added table 'post_tag'/);
    assert.equal(await page.locator("#message").inputValue(), "");

    // The new script is listed and shown.
    const scripts = page.locator("#scripts .file");
    assert.equal(await scripts.count(), 1);
    const [name] = await scripts.allInnerTexts();
    assert.match(name, /^[0-9a-f]{12}_create_blog\.py$/);
    assert.match(await page.locator("#script-text").innerText(), /def upgrade\(\) -> None:/);
    assert.match(await page.locator("#script-text").innerText(), /op\.create_table\('post'/);
    const files = await page.evaluate(() => window.alembicPlayground.files());
    assert.equal(files[`versions/${name}`], await page.locator("#script-text").innerText());

    await page.locator("#upgrade").click();
    assert.equal(await page.locator("#output .entry.ok").first().locator(".cmd").innerText(), "$ alembic upgrade head");
    await page.locator('#tables [data-table="post_tag"]').waitFor();
    assert.match(await page.locator('#tables [data-table="post_tag"]').innerText(),
        /FOREIGN KEY \(post_id\) REFERENCES post \(id\) ON DELETE CASCADE/);
    assert.match(await page.locator('#tables [data-table="tag"]').innerText(), /INDEX ix_tag_id \(id\)/);
    assert.match(await page.locator("#alembic-version").innerText(), new RegExp(name.slice(0, 12)));

    await page.locator("#undo").click(); // the upgrade
    // back to what autogenerate left: like Alembic's run_migrations, it created
    // the (empty) version table, and nothing else
    assert.deepEqual((await schema(page)).tables.map((t) => t.name), ["alembic_version"]);
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.sql("SELECT * FROM alembic_version")), []);
    assert.equal(await scripts.count(), 1);
    await page.locator("#undo").click(); // the autogenerate
    assert.equal(await page.locator("#scripts").count(), 0);
    assert.deepEqual(Object.keys(await page.evaluate(() => window.alembicPlayground.files())), ["models.py"]);
    assert.deepEqual(page.problems, []);
    await page.close();
});
