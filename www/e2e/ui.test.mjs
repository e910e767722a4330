// The page itself: loading, the JS API's shape, models/files/sql/schema,
// real clicks and typing in the editors, the terminal, undo, and a clean
// console. Commands are checked to go through the same command layer from
// the UI and the API.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openPlayground, run, sql, schema, screenshot, editor, typeInto } from "./harness.mjs";

let browser;
before(async () => {
    browser = await launch();
});
after(async () => {
    await browser?.close();
});

const API = ["setModels", "models", "run", "files", "setFiles", "schema", "sql", "sqlLog", "undo",
    "examples", "loadExample", "runStep", "reset", "mount"];

test("loads with the example models, exposes the API, console clean", async () => {
    const page = await openPlayground(browser.context);
    assert.equal(await page.title(), "Alembic Playground");
    const api = await page.evaluate(() =>
        Object.fromEntries(Object.entries(window.alembicPlayground).map(([k, v]) => [k, typeof v])),
    );
    for (const name of API) {
        assert.equal(api[name], "function", `alembicPlayground.${name}`);
    }
    assert.equal(api.ready, "object");
    const models = await page.evaluate(() => window.alembicPlayground.models());
    assert.match(models, /class Tag\(Base\):/);
    assert.match(await editor(page, "models.py").innerText(), /class Tag\(Base\):/);
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.files()), { "models.py": models });
    assert.deepEqual(await schema(page), { tables: [] });
    // The live autogenerate pane already shows what autogenerate would write.
    const pane = page.locator('[data-view="autogen"]');
    assert.match(await pane.innerText(), /op\.create_table\('post_tag'/);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("setModels shows in the editor; typing shows in models(), diagnostics and the live autogenerate", async () => {
    const page = await openPlayground(browser.context);
    await page.evaluate(() => window.alembicPlayground.setModels("# from the API\n"));
    assert.match(await editor(page, "models.py").innerText(), /# from the API/);
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.files()), { "models.py": "# from the API\n" });

    await typeInto(page, "models.py", "x = 1");
    assert.equal(await page.evaluate(() => window.alembicPlayground.models()), "x = 1");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await page.keyboard.type("y");
    assert.equal(await page.evaluate(() => window.alembicPlayground.models()), "x = 1\n    y");

    // A syntax error is marked inline at its line and listed with line:column.
    await typeInto(page, "models.py", "x = = 1");
    // (the previous text's problem, an unexpected indent on line 2, goes after the typing pause)
    const problem = page.locator('[data-view="problems"] li.error', { hasText: /^models\.py:1:\d+/ });
    await problem.waitFor();
    assert.equal(await page.locator('[data-view="problems"] li.error').count(), 1);
    await page.locator('[data-file="models.py"] .cm-lintRange-error').first().waitFor();
    assert.match(await page.locator('[data-view="autogen"]').innerText(), /models\.py:1:\d+/);

    // Typing a model updates the live autogenerate pane after a pause.
    await typeInto(page, "models.py",
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\n" +
        "class Thing(Base):\n__tablename__ = 'thing'\nid = Column(Integer, primary_key=True)\n");
    await page.locator('[data-view="autogen"] pre', { hasText: "op.create_table('thing'" }).waitFor();
    assert.equal(await page.locator('[data-view="problems"] li.error').count(), 0);
    // Python highlighting: `class` is a keyword token, in the theme's keyword
    // colour (not the text colour of its line).
    const keyword = page.locator('[data-file="models.py"] .cm-line span', { hasText: /^class$/ }).first();
    const colours = await keyword.evaluate((el) => {
        const probe = document.body.appendChild(document.createElement("span"));
        probe.style.color = "var(--syn-keyword)";
        const theme = getComputedStyle(probe).color;
        probe.remove();
        return { token: getComputedStyle(el).color, theme, line: getComputedStyle(el.closest(".cm-line")).color };
    });
    assert.equal(colours.token, colours.theme);
    assert.notEqual(colours.token, colours.line);
    // Undo and redo in the editor (CodeMirror's own history): Ctrl+Z takes
    // the newest typing back, Ctrl+Shift+Z puts exactly it back (key "Z",
    // as a keyboard sends it with Shift; a "z" with Shift is not redo).
    const typed = await page.evaluate(() => window.alembicPlayground.models());
    await editor(page, "models.py").press("Control+z");
    await page.waitForFunction((text) => window.alembicPlayground.models() !== text, typed);
    await editor(page, "models.py").press("Control+Shift+Z");
    await page.waitForFunction((text) => window.alembicPlayground.models() === text, typed);
    // Line numbers in the gutter, and search: Ctrl+F opens the search panel,
    // the query is typed (the panel takes it on each key), Enter selects the
    // next match, Escape closes the panel.
    await page.locator('[data-file="models.py"] .cm-lineNumbers .cm-gutterElement', { hasText: /^6$/ }).waitFor();
    await editor(page, "models.py").press("Control+f");
    const search = page.locator('[data-file="models.py"] .cm-search input[name="search"]');
    await search.pressSequentially("__tablename__");
    await search.press("Enter");
    await page.locator('[data-file="models.py"] .cm-searchMatch-selected', { hasText: "__tablename__" }).waitFor();
    await search.press("Escape");
    await page.locator('[data-file="models.py"] .cm-search').waitFor({ state: "detached" });

    // Back to the example through the example picker.
    await page.locator("#example").selectOption("blog");
    assert.match(await page.evaluate(() => window.alembicPlayground.models()), /class Post\(Base\):/);

    await assert.rejects(page.evaluate(() => window.alembicPlayground.setModels(42)), /takes a string/);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("a paste of megabytes goes into the editor whole, as one undo step, line breaks normalised", async () => {
    const page = await openPlayground(browser.context);
    const before = await page.evaluate(() => window.alembicPlayground.models());
    // Over the editor's 256 K characters read at once; CRLF and LF lines, so
    // slice boundaries fall among both.
    const lines = [];
    for (let i = 0; lines.join("").length < 700 * 1024; i++) lines.push(`# pasted line ${i}${i % 3 ? "\n" : "\r\n"}`);
    const text = lines.join("") + "# the end";
    await editor(page, "models.py").click();
    await page.keyboard.press("Control+A");
    await page.evaluate((text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        const content = document.querySelector('[data-view="editor"][data-file="models.py"] .cm-content');
        content.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);
    const expected = text.replace(/\r\n/g, "\n");
    await page.waitForFunction((n) => window.alembicPlayground.models().length === n, expected.length);
    assert.equal(await page.evaluate(() => window.alembicPlayground.models()), expected);
    // The whole paste is one step of the editor's history.
    await editor(page, "models.py").press("Control+z");
    await page.waitForFunction((n) => window.alembicPlayground.models().length === n, before.length);
    assert.equal(await page.evaluate(() => window.alembicPlayground.models()), before);
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

test("buttons and the terminal go through the same command layer as run(); history; SQL log", async () => {
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
    await page.locator(".toolbar .hint.warn").waitFor();
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

    // Up and Down walk the history.
    await page.locator("#command").press("ArrowUp");
    assert.equal(await page.locator("#command").inputValue(), 'revision -m "unclosed');
    await page.locator("#command").press("ArrowUp");
    assert.equal(await page.locator("#command").inputValue(), "heads --verbose");
    await page.locator("#command").press("ArrowDown");
    await page.locator("#command").press("ArrowDown");
    assert.equal(await page.locator("#command").inputValue(), "");

    // Keyboard shortcut: Alt+U is upgrade head.
    await page.locator("#command").press("Alt+u");
    assert.equal(await page.locator("#output .entry .cmd").first().innerText(), "$ alembic upgrade head");
    // Alt+Z undoes it; Alt+M puts the cursor in models.py.
    await page.locator("#command").press("Alt+z");
    assert.equal(await page.locator("#output .entry .cmd").first().innerText(), "↶ undo upgrade head");
    await page.locator("#command").press("Alt+m");
    await page.waitForFunction(() => document.activeElement?.closest('[data-view="editor"]')?.dataset.file === "models.py");
    await page.locator("#command").press("Alt+u");

    // The SQL log: every statement executed, with its time.
    const log = await page.evaluate(() => window.alembicPlayground.sqlLog());
    assert.ok(log.length > 5, `sqlLog has ${log.length} entries`);
    assert.ok(log.every((e) => typeof e.sql === "string" && typeof e.ms === "number" && e.ms >= 0));
    assert.ok(log.some((e) => /CREATE TABLE post_tag/.test(e.sql)), "the upgrade's CREATE TABLE is logged");
    await page.locator("#tab-sql").click();
    await page.locator("#sql-log .stmt", { hasText: "CREATE TABLE post_tag" }).first().waitFor();
    assert.match(await page.locator("#sql-log .stmt").first().innerText(), /\d+\.\d\d ms/);
    await screenshot(page, "terminal-sql-log.png");
    await page.locator("#tab-output").click();

    // Every changing command is undoable.
    assert.equal(await page.locator("#undo").isEnabled(), true);
    await screenshot(page, "ui.png");
    assert.deepEqual(page.problems, []);
    await page.close();
});

function normalize(texts) {
    return texts.join("").replace(/\s+/g, " ").trim();
}

test("the example by clicks: autogenerate, edit the script, upgrade runs the edit, undo both", async () => {
    const page = await openPlayground(browser.context);
    await page.locator("#message").fill("create blog");
    await page.locator("#autogenerate").click();
    const newest = page.locator("#output .entry").first();
    assert.equal(await newest.locator(".cmd").innerText(), "$ alembic revision --autogenerate -m 'create blog'");
    assert.match(await newest.innerText(), /Detected added table 'post_tag'/);
    assert.equal(await page.locator("#message").inputValue(), "");

    // The new script has a tab and is open in its editor.
    const scripts = page.locator("#scripts .file");
    assert.equal(await scripts.count(), 1);
    const [name] = await scripts.allInnerTexts();
    assert.match(name, /^[0-9a-f]{12}_create_blog\.py$/);
    const path = `versions/${name}`;
    const script = editor(page, path);
    await script.waitFor();
    assert.match(await script.innerText(), /def upgrade\(\) -> None:/);

    // Edit the script: one more column on tag. Upgrade runs what the editor holds.
    const line = script.locator(".cm-line", { hasText: "sa.Column('name', sa.String(length=50), nullable=False)," });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("sa.Column('color', sa.String(length=7), nullable=True),");
    const files = await page.evaluate(() => window.alembicPlayground.files());
    assert.match(files[path], /sa\.Column\('color', sa\.String\(length=7\), nullable=True\),/);

    await page.locator("#upgrade").click();
    assert.equal(await page.locator("#output .entry.ok").first().locator(".cmd").innerText(), "$ alembic upgrade head");
    await page.locator('#tables [data-table="post_tag"]').waitFor();
    assert.match(await page.locator('#tables [data-table="post_tag"]').innerText(),
        /FOREIGN KEY \(post_id\) REFERENCES post \(id\) ON DELETE CASCADE/);
    assert.match(await page.locator('#tables [data-table="tag"]').innerText(), /INDEX ix_tag_id \(id\)/);
    assert.deepEqual((await schema(page)).tables.find((t) => t.name === "tag").columns.map((c) => c.name), ["id", "name", "color"]);
    assert.match(await page.locator("#alembic-version").innerText(), new RegExp(name.slice(0, 12)));
    // The live pane now shows the difference the edit made (models have no color).
    assert.match(await page.locator('[data-view="autogen"]').innerText(), /drop_column\('color'\)/);

    await page.locator("#undo").click(); // the upgrade
    assert.deepEqual((await schema(page)).tables.map((t) => t.name), ["alembic_version"]);
    assert.deepEqual(await sql(page, "SELECT * FROM alembic_version"), []);
    assert.equal(await scripts.count(), 1);
    await page.locator("#undo").click(); // the autogenerate
    assert.equal(await page.locator("#scripts").count(), 0);
    assert.deepEqual(Object.keys(await page.evaluate(() => window.alembicPlayground.files())), ["models.py"]);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("a broken script shows its error in the editor and in the terminal", async () => {
    const page = await openPlayground(browser.context);
    await run(page, "revision -m empty");
    const [path] = Object.keys(await page.evaluate(() => window.alembicPlayground.files())).filter((f) => f.startsWith("versions/"));
    await editor(page, path).locator(".cm-line", { hasText: "def upgrade() -> None:" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Backspace"); // drop the colon: a syntax error
    await page.locator(`[data-view="problems"] li.error`).first().waitFor();
    assert.match(await page.locator(`[data-view="problems"]`).innerText(), new RegExp(`${path.replace(/\./g, "\\.")}:\\d+:\\d+`));
    assert.match(await page.locator(`#scripts button[data-file="${path}"]`).getAttribute("class"), /has-error/);
    const result = await run(page, "upgrade head");
    assert.equal(result.ok, false);
    assert.equal(await page.locator("#output .entry").first().getAttribute("class"), "entry failed");
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("setFiles replaces the project (undoable); several playgrounds on one page are independent", async () => {
    const page = await openPlayground(browser.context);
    const files = {
        "models.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
        "versions/aaa_first.py": "\"\"\"first\"\"\"\nrevision = 'aaa'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
    };
    const image = () => page.evaluate(() => Array.from(window.alembicPlayground.exportDatabase()).join(","));
    const imageBefore = await image();
    await page.evaluate((f) => window.alembicPlayground.setFiles(f), files);
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.files()), files);
    await page.locator('#scripts button[data-file="versions/aaa_first.py"]').waitFor();
    // The project is the caller's own now: no example's guide, the picker says so.
    assert.equal(await page.locator("details[data-example]").count(), 0);
    assert.match(await page.locator("select#example option:checked").textContent(), /Your own project/);
    assert.equal((await run(page, "heads")).output.trim(), "aaa (head)");
    await assert.rejects(page.evaluate(() => window.alembicPlayground.setFiles({ "notes.txt": "" })), /neither models\.py/);
    // A command after it, then Undo twice: the database image and the files as before setFiles.
    assert.ok((await run(page, "upgrade head")).ok);
    assert.notEqual(await image(), imageBefore);
    assert.equal(await page.evaluate(() => window.alembicPlayground.undo()), true);
    assert.equal(await page.evaluate(() => window.alembicPlayground.undo()), true);
    assert.match(await page.evaluate(() => window.alembicPlayground.models()), /class Post/);
    assert.equal(await image(), imageBefore);
    await page.locator('details[data-example="blog"]').waitFor();

    // A second playground, mounted into the page: its own database and files.
    const second = await page.evaluateHandle(async () => {
        const el = document.createElement("div");
        el.id = "second";
        document.body.append(el);
        return window.alembicPlayground.mount(el).ready;
    });
    await page.evaluate((p) => p.run("revision --autogenerate -m one"), second);
    await page.evaluate((p) => p.run("upgrade head"), second);
    assert.ok((await page.evaluate((p) => p.schema(), second)).tables.some((t) => t.name === "post_tag"));
    assert.deepEqual(await schema(page), { tables: [] });
    assert.deepEqual(Object.keys(await page.evaluate(() => window.alembicPlayground.files())), ["models.py"]);
    await page.locator('#second [data-view="editor"][data-file="models.py"]').waitFor({ state: "attached" });
    assert.equal(await page.locator('[data-view="editor"][data-file="models.py"]').count(), 2);
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("autosave: a reload restores files and database; storage failure is a message", async () => {
    const page = await openPlayground(browser.context);
    await run(page, "revision --autogenerate -m saved");
    await run(page, "upgrade head");
    await sql(page, "INSERT INTO tag (name) VALUES ('kept')");
    await typeInto(page, "models.py", "# edited\n");
    await page.waitForTimeout(900); // the typing pause before autosave
    const before = await page.evaluate(() => window.alembicPlayground.files());
    await page.reload();
    await page.evaluate(() => window.alembicPlayground.ready);
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.files()), before);
    assert.deepEqual(await sql(page, "SELECT name FROM tag"), [{ name: "kept" }]);
    // Reset: back to the example, nothing saved.
    await page.evaluate(() => window.alembicPlayground.reset());
    assert.deepEqual(Object.keys(await page.evaluate(() => window.alembicPlayground.files())), ["models.py"]);
    assert.deepEqual(await schema(page), { tables: [] });
    assert.deepEqual(page.problems, []);
    await page.close();

    // localStorage that throws (full, or disabled): a message, and the page works.
    const broken = await browser.context.newPage();
    await broken.addInitScript(() => {
        Storage.prototype.setItem = () => {
            throw new DOMException("quota exceeded", "QuotaExceededError");
        };
    });
    const { BASE_URL } = await import("./harness.mjs");
    await broken.goto(BASE_URL);
    await broken.evaluate(() => window.alembicPlayground.ready);
    const result = await broken.evaluate(() => window.alembicPlayground.run("revision --autogenerate -m x"));
    assert.equal(result.ok, true);
    await broken.locator('[data-view="notice"]').waitFor();
    assert.match(await broken.locator('[data-view="notice"]').innerText(), /localStorage/);
    await screenshot(broken, "storage-full.png");
    await broken.close();
});

test("localStorage unavailable (sandboxed frame, disabled): a message, and the page works", async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.addInitScript(() => {
        Object.defineProperty(window, "localStorage", {
            get() {
                throw new DOMException("The document is sandboxed", "SecurityError");
            },
        });
    });
    const { BASE_URL } = await import("./harness.mjs");
    await page.goto(BASE_URL);
    await page.evaluate(() => window.alembicPlayground.ready);
    await page.locator('[data-view="notice"]').waitFor();
    assert.match(await page.locator('[data-view="notice"]').innerText(), /localStorage is not available/);
    assert.equal((await page.evaluate(() => window.alembicPlayground.run("revision --autogenerate -m x"))).ok, true);
    assert.equal((await page.evaluate(() => window.alembicPlayground.run("upgrade head"))).ok, true);
    assert.deepEqual(errors, []);
    await page.close();
});

test("a Rust panic is shown, never a blank page; a reload continues from the autosave", async () => {
    const page = await openPlayground(browser.context);
    await run(page, "revision --autogenerate -m before_panic");
    await run(page, "upgrade head");
    const files = await page.evaluate(() => window.alembicPlayground.files());
    await assert.rejects(page.evaluate(() => window.alembicPlayground.__panicForTests()));
    await page.locator("#panic").waitFor();
    assert.match(await page.locator("#panic").innerText(), /internal error.*panic requested.*reload/s);
    // The page is still there, not blank.
    assert.ok(await page.locator('[data-view="editor"][data-file="models.py"]').count() > 0);
    await screenshot(page, "panic.png");
    await page.reload();
    await page.evaluate(() => window.alembicPlayground.ready);
    assert.deepEqual(await page.evaluate(() => window.alembicPlayground.files()), files);
    assert.ok((await schema(page)).tables.some((t) => t.name === "post_tag"));
    // The panic's own console error and uncaught error are the expected ones only.
    assert.ok(page.problems.every((p) => /panic/i.test(p) || /unreachable/i.test(p)), page.problems.join("\n"));
    await page.close();
});
