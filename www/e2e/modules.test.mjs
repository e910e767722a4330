// The project's own modules in the page: a module added, edited, renamed
// and deleted by clicks and typing, imported by models.py (live
// autogenerate, diagnostics) and by a migration script; kept by autosave;
// Undo; a missing module is ModuleNotFoundError, as in Alembic.
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

const files = (page) => page.evaluate(() => window.alembicPlayground.files());

/** Adds the module `path` through the pane's form, as a person would. */
async function addModule(page, path) {
    await page.locator('[data-action="new-file"]').click();
    await page.locator("#file-path").fill(path);
    await page.locator("#file-path").press("Enter");
    await page.locator(`[role="tab"][data-file="${path}"][aria-selected="true"]`).waitFor();
}

// Typed a line at a time: the editor indents a class body by itself.
const TYPES = "from sqlalchemy import Column, String\n" +
    "from sqlalchemy.types import TypeDecorator, CHAR\n" +
    "name_col = lambda n: Column(String(n), nullable=False)\n" +
    "class GUID(TypeDecorator):\n" +
    "impl = CHAR(32)\n" +
    "cache_ok = True\n";

const MODELS = "from sqlalchemy import Column, Integer\n" +
    "from sqlalchemy.orm import declarative_base\n" +
    "from myapp.types import GUID, name_col\n" +
    "Base = declarative_base()\n" +
    "class Item(Base):\n" +
    "__tablename__ = 'item'\n" +
    "id = Column(Integer, primary_key=True)\n" +
    "uid = Column(GUID(), nullable=False)\n" +
    "name = name_col(80)\n";

test("a module with a TypeDecorator: models.py and the script import it; autogenerate, upgrade, undo, reload", async () => {
    const page = await openPlayground(browser.context);
    await addModule(page, "myapp/types.py");
    assert.equal((await files(page))["myapp/types.py"], "");
    await typeInto(page, "myapp/types.py", TYPES);
    await typeInto(page, "models.py", MODELS);

    // The live autogenerate sees the module's type and helper.
    const pane = page.locator('[data-view="autogen"]');
    await pane.locator("pre", { hasText: "myapp.types.GUID(length=32)" }).waitFor();
    assert.match(await pane.innerText(), /sa\.Column\('name', sa\.String\(length=80\), nullable=False\)/);
    assert.equal(await page.locator('[data-view="problems"] li.error').count(), 0);
    const f = await files(page);
    assert.match(f["myapp/types.py"], /^class GUID\(TypeDecorator\):\n {4}impl = CHAR\(32\)\n {4}cache_ok = True/m);
    assert.deepEqual(Object.keys(f).sort(), ["models.py", "myapp/types.py"]);

    await page.locator("#message").fill("add item");
    await page.locator("#autogenerate").click();
    const script = Object.keys(await files(page)).find((p) => p.startsWith("versions/"));
    assert.ok(script, "a script was written");
    // Alembic names a project's type by its module without importing it: its upgrade fails so.
    await page.locator("#upgrade").click();
    assert.match(await page.locator("#output .entry").first().innerText(), /NameError: name 'myapp' is not defined/);
    // as in Alembic on SQLite: the version table was made before the script ran, and is empty
    assert.deepEqual(await schema(page).then((s) => s.tables.map((t) => t.name)), ["alembic_version"]);
    assert.deepEqual(await sql(page, "SELECT * FROM alembic_version"), []);

    // The script imports the module: the upgrade creates the table with the module's type.
    await page.locator(`[role="tab"][data-file="${script}"]`).click();
    await editor(page, script).locator(".cm-line", { hasText: /^import sqlalchemy as sa$/ }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("import myapp.types");
    assert.match((await files(page))[script], /\nimport sqlalchemy as sa\nimport myapp\.types\n/);
    await page.locator("#upgrade").click();
    const item = (await schema(page)).tables.find((t) => t.name === "item");
    assert.deepEqual(item.columns.map((c) => `${c.name} ${c.type}`), ["id INTEGER", "uid CHAR(32)", "name VARCHAR(80)"]);
    await sql(page, "INSERT INTO item (uid, name) VALUES ('0123456789abcdef0123456789abcdef', 'first')");
    assert.equal(await pane.locator('[data-ops="0"]').count(), 1, "models and database agree");
    await screenshot(page, "modules.png");

    // A change to the module reaches the script already loaded: GUID renamed, the script's upgrade() breaks.
    await typeInto(page, "myapp/types.py", TYPES.replace("class GUID", "class UUIDType"));
    await page.locator(`[role="tab"][data-file="${script}"].has-error`).waitFor();
    await page.locator('[role="tab"][data-file="models.py"].has-error').waitFor();
    assert.match(await pane.innerText(), /ImportError: cannot import name 'GUID' from 'myapp\.types'/);
    await typeInto(page, "myapp/types.py", TYPES);
    await page.locator(`[role="tab"][data-file="${script}"]:not(.has-error)`).waitFor();
    await page.locator('[role="tab"][data-file="models.py"]:not(.has-error)').waitFor();

    // Rename: models.py's import breaks (ModuleNotFoundError); Undo puts it back.
    await page.locator('[role="tab"][data-file="myapp/types.py"]').click();
    await page.locator('[data-action="rename-file"]').click();
    await page.locator("#file-path").fill("myapp/kinds.py");
    await page.locator("#file-path").press("Enter");
    await page.locator('[role="tab"][data-file="myapp/kinds.py"][aria-selected="true"]').waitFor();
    assert.deepEqual(Object.keys(await files(page)).filter((p) => !p.startsWith("versions/")).sort(), ["models.py", "myapp/kinds.py"]);
    await pane.locator(".error", { hasText: "ModuleNotFoundError: No module named 'myapp.types'" }).waitFor();
    assert.match(await pane.innerText(), /models\.py:3:1: ModuleNotFoundError/);
    await page.locator("#undo").click();
    assert.ok("myapp/types.py" in (await files(page)));
    await pane.locator('[data-ops="0"]').waitFor();

    // Autosave keeps the module; after a reload the script still imports it.
    await page.waitForTimeout(900); // the typing pause before autosave
    const saved = await files(page);
    await page.reload();
    await page.evaluate(() => window.alembicPlayground.ready);
    assert.deepEqual(await files(page), saved);
    await page.locator('[role="tab"][data-file="myapp/types.py"]').waitFor();
    assert.deepEqual(await run(page, "downgrade base").then((r) => r.exitCode), 0);
    assert.deepEqual(await run(page, "upgrade head").then((r) => r.exitCode), 0);
    assert.deepEqual(await sql(page, "SELECT count(*) AS n FROM item"), [{ n: 0 }]);

    // Delete: gone from files(); Undo brings it back.
    await page.locator('[role="tab"][data-file="myapp/types.py"]').click();
    await page.locator('[data-action="delete-file"]').click();
    assert.ok(!("myapp/types.py" in (await files(page))));
    await page.locator('[role="tab"][data-file="models.py"][aria-selected="true"]').waitFor();
    await page.locator("#undo").click();
    assert.ok("myapp/types.py" in (await files(page)));
    assert.deepEqual(page.problems, []);
    await page.close();
});

test("a missing module: ModuleNotFoundError in the pane, the editor and the terminal; setFiles takes modules", async () => {
    const page = await openPlayground(browser.context);
    await typeInto(page, "models.py", "import helpers\n");
    const pane = page.locator('[data-view="autogen"]');
    await pane.locator(".error", { hasText: "models.py:1:8: ModuleNotFoundError: No module named 'helpers'" }).waitFor();
    await page.locator('[data-view="problems"] li.error', { hasText: "No module named 'helpers'" }).waitFor();
    await page.locator('[data-file="models.py"] .cm-lintRange-error').first().waitFor();
    await page.locator("#command").fill("revision --autogenerate -m x");
    await page.locator("#command").press("Enter");
    const entry = await page.locator("#output .entry").first().innerText();
    assert.match(entry, /File "models\.py", line 1, column 8\nModuleNotFoundError: No module named 'helpers'/);
    await screenshot(page, "modules-missing.png");

    // A path that cannot be imported is refused in the form, with why.
    await page.locator('[data-action="new-file"]').click();
    await page.locator("#file-path").fill("my-helpers.py");
    await page.locator("#file-path").press("Enter");
    await page.locator("#file-path-help.error", { hasText: '"my-helpers" is not a Python name' }).waitFor();
    await page.locator("#file-path").fill("helpers.py");
    await page.locator("#file-path").press("Enter");
    await page.locator('[role="tab"][data-file="helpers.py"]').waitFor();
    await pane.locator(".error").waitFor({ state: "detached" });

    // setFiles with a package: the import resolves; an error inside the module is shown in both files.
    await page.evaluate(() => window.alembicPlayground.setFiles({
        "models.py": "from sqlalchemy.orm import declarative_base\nfrom pkg import helper\nBase = declarative_base()\nhelper.boom()\n",
        "pkg/__init__.py": "",
        "pkg/helper.py": "def boom():\n    return undefined_name\n",
    }));
    await pane.locator(".error", { hasText: "NameError: name 'undefined_name' is not defined" }).waitFor();
    assert.match(await pane.innerText(), /models\.py:4:1: NameError: name 'undefined_name' is not defined \(raised at pkg\/helper\.py:2:12\)/);
    await page.locator('[role="tab"][data-file="pkg/helper.py"].has-error').waitFor();
    await page.locator('[role="tab"][data-file="pkg/helper.py"]').click();
    await page.locator('[data-view="problems"] li.error', { hasText: /^pkg\/helper\.py:2:12 NameError/ }).waitFor();

    // A permalink carries the modules: the project opens with them, the error in place.
    const url = await page.evaluate(() => window.alembicPlayground.permalink());
    const opened = await browser.context.newPage();
    const problems = [];
    opened.on("pageerror", (e) => problems.push(e.message));
    opened.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    await opened.goto(url);
    await opened.evaluate(() => window.alembicPlayground.ready);
    assert.deepEqual(await files(opened), await files(page));
    await opened.locator('[role="tab"][data-file="pkg/helper.py"].has-error').waitFor();
    assert.deepEqual(problems, []);
    await opened.close();

    await assert.rejects(
        page.evaluate(() => window.alembicPlayground.setFiles({ "models.py": "", "notes.txt": "x" })),
        /"notes.txt" is neither models.py, versions\/<file> nor a module of the project/,
    );
    assert.deepEqual(page.problems, []);
    await page.close();
});
