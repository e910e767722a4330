// What www/bench-page.mjs and www/profile-page.mjs share: `HELPERS`, installed
// in a page as window.bench by `page.evaluate(HELPERS)` (the function is sent
// as source, so it uses nothing from this module's scope), and `typeWhile`.

/** Keys typed into the terminal while `promise` works: their input delay is measured. */
export async function typeWhile(page, promise) {
    let working = true;
    promise.finally(() => (working = false));
    await page.locator("#command").focus().catch(() => {});
    while (working) {
        await page.keyboard.press("x").catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
    }
    return promise;
}

export const HELPERS = () => {
    const lastMeasure = (name) => {
        const list = performance.getEntriesByName(name, "measure");
        return list.length ? list[list.length - 1].duration : NaN;
    };
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    /** Resolves with the time of the first change under `selector`. */
    const changed = (selector) =>
        new Promise((resolve) => {
            const target = document.querySelector(selector);
            const mo = new MutationObserver(() => {
                mo.disconnect();
                resolve(performance.now());
            });
            mo.observe(target, { subtree: true, childList: true, characterData: true, attributes: true });
        });
    /**
     * Models with `n` tables of seven columns (a foreign key to the previous
     * table, an index, NOT NULL), `extra` adding a column to the last one.
     */
    const tables = (n, { extra = false, lastColumn = "zz" } = {}) => {
        const out = ["import sqlalchemy as sa", "from sqlalchemy.orm import declarative_base", "", "Base = declarative_base()", ""];
        for (let t = 0; t < n; t++) {
            out.push("", `class T${t}(Base):`, `    __tablename__ = 't${t}'`, "    id = sa.Column(sa.Integer, primary_key=True)",
                "    name = sa.Column(sa.String(80), nullable=False)", "    c2 = sa.Column(sa.Integer, index=True)",
                "    c3 = sa.Column(sa.Text)", "    c4 = sa.Column(sa.DateTime)");
            if (t > 0) out.push(`    t${t - 1}_id = sa.Column(sa.Integer, sa.ForeignKey('t${t - 1}.id'))`);
            if (t === n - 1 && extra) out.push("    added = sa.Column(sa.Boolean)");
        }
        out.push(`    ${lastColumn} = sa.Column(sa.Integer)`);
        return out.join("\n");
    };
    /** scripts/bench.py's models_text: every 6th step a table, else a column. */
    const TYPES = ["sa.Integer", "sa.String(50)", "sa.Text", "sa.Boolean", "sa.DateTime", "sa.Numeric(10, 2)", "sa.Date"];
    const chainModels = (revisions) => {
        const tables = [];
        for (let i = 0; i < revisions; i++) {
            if (i % 6 === 0) {
                const t = tables.length;
                const cols = ["    id = sa.Column(sa.Integer, primary_key=True)", "    name = sa.Column(sa.String(80), nullable=False)"];
                if (t > 0) cols.push(`    t${t - 1}_id = sa.Column(sa.Integer, sa.ForeignKey('t${t - 1}.id'))`);
                tables.push(cols);
            } else {
                const cols = tables[tables.length - 1];
                cols.push(`    c${cols.length} = sa.Column(${TYPES[i % TYPES.length]}${i % 4 === 0 ? ", index=True" : ""})`);
            }
        }
        const out = ['"""Benchmark models (generated)."""', "import sqlalchemy as sa", "from sqlalchemy.orm import declarative_base", "", "Base = declarative_base()", ""];
        tables.forEach((cols, t) => out.push("", `class T${t}(Base):`, `    __tablename__ = 't${t}'`, ...cols, ""));
        return out.join("\n");
    };
    /** A chain of `n` scripts in the form Alembic writes (every 6th a table, else a batch add_column). */
    const chainScripts = (n) => {
        const files = {};
        let table = -1;
        let column = 0;
        for (let i = 1; i <= n; i++) {
            const rev = `r${String(i).padStart(4, "0")}`;
            const down = i === 1 ? "None" : `'r${String(i - 1).padStart(4, "0")}'`;
            let up;
            let downBody;
            if ((i - 1) % 6 === 0) {
                table += 1;
                column = 2;
                up = `    op.create_table('t${table}',\n    sa.Column('id', sa.Integer(), nullable=False),\n    sa.Column('name', sa.String(length=80), nullable=False),\n    sa.PrimaryKeyConstraint('id')\n    )`;
                downBody = `    op.drop_table('t${table}')`;
            } else {
                up = `    with op.batch_alter_table('t${table}', schema=None) as batch_op:\n        batch_op.add_column(sa.Column('c${column}', sa.Integer(), nullable=True))`;
                downBody = `    with op.batch_alter_table('t${table}', schema=None) as batch_op:\n        batch_op.drop_column('c${column}')`;
                column += 1;
            }
            files[`versions/${rev}_step_${i}.py`] =
                `"""step_${i}\n\nRevision ID: ${rev}\nRevises: ${i === 1 ? "" : down.slice(1, -1)}\nCreate Date: 2026-12-06 00:00:00.000000\n\n"""\n` +
                "from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n" +
                `# revision identifiers, used by Alembic.\nrevision: str = '${rev}'\ndown_revision: Union[str, Sequence[str], None] = ${down}\n` +
                "branch_labels: Union[str, Sequence[str], None] = None\ndepends_on: Union[str, Sequence[str], None] = None\n\n\n" +
                `def upgrade() -> None:\n    """Upgrade schema."""\n    # ### commands auto generated by Alembic - please adjust! ###\n${up}\n    # ### end Alembic commands ###\n\n\n` +
                `def downgrade() -> None:\n    """Downgrade schema."""\n    # ### commands auto generated by Alembic - please adjust! ###\n${downBody}\n    # ### end Alembic commands ###\n`;
        }
        return files;
    };
    /**
     * Watches the main thread while `work()` runs: long tasks (the Long
     * Tasks API) and the input delay of key presses (Event Timing), until
     * `done()` is true and `settleMs` after (the autosave and background
     * work that follow). Returns { ms, longestTask, longTasks, inputDelay, events }.
     */
    const watch = async (work, done, timeoutMs = 120000, settleMs = 4000) => {
        const tasks = [];
        const events = [];
        const lt = new PerformanceObserver((l) => tasks.push(...l.getEntries()));
        lt.observe({ type: "longtask" });
        const ev = new PerformanceObserver((l) => events.push(...l.getEntries()));
        ev.observe({ type: "event", durationThreshold: 16 });
        const start = performance.now();
        await work();
        while (!done()) {
            if (performance.now() - start > timeoutMs) throw new Error("timed out waiting for the page");
            await new Promise((r) => setTimeout(r, 20));
        }
        const ms = performance.now() - start;
        // What follows the visible result counts too (autosave, background parsing).
        await nextFrame();
        await new Promise((r) => setTimeout(r, settleMs));
        lt.disconnect();
        ev.disconnect();
        const inputs = events.filter((e) => e.name === "keydown" || e.name === "keypress" || e.name === "keyup");
        return {
            ms,
            longestTask: Math.max(0, ...tasks.map((t) => t.duration)),
            longTasks: tasks.length,
            inputDelay: Math.max(0, ...inputs.map((e) => e.processingStart - e.startTime)),
            inputDuration: Math.max(0, ...inputs.map((e) => e.duration)),
            events: inputs.length,
        };
    };
    window.bench = { lastMeasure, nextFrame, changed, tables, chainModels, chainScripts, watch };
};
