// The acceptance scenario of the walking skeleton, through the JS API only:
// autogenerate + upgrade a `tag` model, keep rows across a second migration
// that adds a NOT NULL column with a server default, downgrade to base, history.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openPlayground, run, sql, schema, screenshot } from "./harness.mjs";

const TAG_MODELS = `from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tag"

    id = Column(Integer, primary_key=True, index=True)
    name = Column(String)
`;

const TAG_WITH_COLOR = TAG_MODELS + `    color = Column(String(7), nullable=False, server_default="#cccccc")
`;

let browser;
before(async () => {
    browser = await launch();
});
after(async () => {
    await browser?.close();
});

function table(s, name) {
    return s.tables.find((t) => t.name === name);
}

async function ok(page, line) {
    const result = await run(page, line);
    assert.equal(typeof result.output, "string");
    assert.ok(result.ok, `\`alembic ${line}\` failed:\n${result.output}`);
    return result;
}

test("tag: autogenerate, upgrade, keep rows across an added column, downgrade to base, history", async () => {
    const page = await openPlayground(browser.context);
    try {
        await page.evaluate((m) => window.alembicPlayground.setModels(m), TAG_MODELS);

        await ok(page, 'revision --autogenerate -m "create tag"');
        await ok(page, "upgrade head");
        let s = await schema(page);
        const tag = table(s, "tag");
        assert.ok(tag, "table tag exists after upgrade head");
        assert.deepEqual(tag.columns.map((c) => c.name), ["id", "name"]);
        const files = await page.evaluate(() => window.alembicPlayground.files());
        const scripts = Object.keys(files).filter((f) => f.startsWith("versions/"));
        assert.equal(scripts.length, 1);
        const first = scripts[0].match(/^versions\/([0-9a-f]{12})_create_tag\.py$/);
        assert.ok(first, `script name ${scripts[0]}`);
        assert.deepEqual(await sql(page, "SELECT version_num FROM alembic_version"), [{ version_num: first[1] }]);

        await sql(page, "INSERT INTO tag (name) VALUES ('rust'), ('sql')");
        assert.deepEqual(await sql(page, "SELECT count(*) AS n FROM tag"), [{ n: 2 }]);

        await page.evaluate((m) => window.alembicPlayground.setModels(m), TAG_WITH_COLOR);
        await ok(page, 'revision --autogenerate -m "add color"');
        await ok(page, "upgrade head");
        s = await schema(page);
        const color = table(s, "tag").columns.find((c) => c.name === "color");
        assert.ok(color, "column color exists");
        assert.equal(color.nullable, false);
        assert.deepEqual(
            await sql(page, "SELECT name, color FROM tag ORDER BY id"),
            [{ name: "rust", color: "#cccccc" }, { name: "sql", color: "#cccccc" }],
        );
        const second = Object.keys(await page.evaluate(() => window.alembicPlayground.files()))
            .map((f) => f.match(/^versions\/([0-9a-f]{12})_add_color\.py$/))
            .find(Boolean);
        assert.ok(second, "second script written");
        assert.deepEqual(await sql(page, "SELECT version_num FROM alembic_version"), [{ version_num: second[1] }]);

        await ok(page, "downgrade base");
        s = await schema(page);
        assert.equal(table(s, "tag"), undefined, "no tag after downgrade base");

        const history = await ok(page, "history");
        assert.match(history.output, /create tag/);
        assert.match(history.output, /add color/);

        // The UI shows what the API did.
        await page.locator("#output .entry").first().waitFor();
        assert.match(await page.locator("#output").innerText(), /history/);
        assert.deepEqual(page.problems, []);
    } finally {
        await screenshot(page, "screenshot.png");
        await page.close();
    }
});
