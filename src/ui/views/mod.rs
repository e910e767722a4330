//! The playground's views: props-only Yew components over plain data, and
//! the pure logic behind them (tested natively with `cargo test`).
//!
//! Invariants:
//! - A view never reads the store, sql.js or the engine's live state: it takes
//!   props and emits intents through callbacks; the store runs them. UI-local
//!   state only (focus, a drag, text being typed, diagram/list choice).
//! - User text is always a text node or an attribute value (Yew escapes it);
//!   no SVG or HTML is built from strings.
//! - The `*_model` modules and `util`/`viewport` have no web types and compile
//!   natively; the components are wasm32-only.
//! - Styles: `static/views.css` (link it after `style.css`); it uses the
//!   page's variables (`--ink`, `--accent`, `--line`, …) and follows the
//!   system's dark/light setting.
//!
//! # Components (props → callbacks)
//!
//! **[`ChainView`]** — the revision chain, `svg[data-view="chain"]`, one
//! `g[data-revision=ID]` per node with `data-head` / `data-current` present
//! when they apply.
//! - `revisions: Rc<Vec<ChainRevision>>` in `alembic history` order (newest
//!   first). Laid out once per change ([`chain_model::drawing`]) and drawn in
//!   blocks of [`chain_model::BLOCK_ROWS`] rows: the first blocks at once, the
//!   rest one per task, so a chain of thousands keeps the page responsive
//!   (every node gets its `data-revision` element, a few tasks later); a
//!   change re-renders only the blocks it touched. [`chain_model::from_map`]`(&RevisionMap, &current_heads)` gives it
//!   exactly (the engine's own history walk). From the façade's
//!   `command::project::RevisionNode`: `id = revision`, `file_name = path`
//!   without `versions/`, `is_current = current_heads.contains(id)`, the rest 1:1.
//! - `on_intent: Callback<ChainIntent>`: `Open { id, file_name }` (node click),
//!   `Upgrade(Target)` / `Downgrade(Target)` (`+1`, `head`, `-1`, `base`,
//!   "to here" = `Target::Revision`), `Stamp(id)`, `NewRevision { message,
//!   autogenerate }`, `MergeHeads { message }`, `Squash { ids (newest first),
//!   message }`. `ChainIntent::command_line()` gives the alembic command line
//!   for all but `Open` and `Squash` (squash = downgrade to the oldest's
//!   parent, delete the scripts, `revision --autogenerate -m message`,
//!   upgrade; [`chain_model::squash_run`] has validated the run).
//! - `open: Option<String>` (highlighted node), `busy: bool` (disables the
//!   actions), `errors: Vec<(rev id, message)>` (shown at the node).
//!
//! **[`SchemaView`]** — ER diagram `svg[data-view="schema"]` with a
//! `g[data-table=NAME]` per table (`g[data-column=NAME]` per column), or a
//! compact list (toggle in its toolbar). Pan: drag, arrow keys; zoom: wheel,
//! `+`/`-`, buttons; fit: button or `0`.
//! - `schema: Rc<MetaData>` (e.g. `reflect::reflect` of the live database).
//! - `diff: Option<Rc<SchemaDiff>>`: marks added / changed tables and columns
//!   with `data-change` + `data-object` (as in the diff view).
//! - `before: Option<Rc<MetaData>>`: the diff's starting schema; with it,
//!   dropped tables (`g[data-dropped-table=NAME]`, dashed, not `data-table`)
//!   and dropped columns (struck through) are drawn too.
//! - `on_select_table: Callback<String>` (click / Enter on a table, e.g. to
//!   show its rows), `selected_table: Option<String>`, `height: u32` (px, 520).
//!
//! **[`DiffView`]** — `[data-view="diff"]`; every entry has
//! `data-change="added|dropped|changed"` and `data-object` (`table:tag`,
//! `column:tag.color`, `index:tag.ix_tag_name`, `constraint:tag.<name>` or,
//! unnamed, `constraint:tag.primary` / `foreignkey(a)` / `unique(a, b)` /
//! `check(sql)`).
//! - `diff: Rc<SchemaDiff>` from `engine::schema_diff::diff(&before, &after)`
//!   — between two revisions' schemas, or before/after the last command.
//! - `before_label`, `after_label: AttrValue` (what the sides are).
//! - For "between any two revisions": `choices: Vec<TimelineStop>`
//!   ([`chain_model::timeline_stops`]), `from`, `to: Option<String>` (`None` =
//!   base), `on_compare: Callback<(Option<String>, Option<String>)>`.
//!
//! **[`Timeline`]** — `[data-view="timeline"]`, a slider base … newest.
//! - `stops: Vec<TimelineStop>`, `selected: Option<String>`,
//!   `on_select: Callback<Option<String>>` (the store computes the schema at
//!   that revision and passes it to `SchemaView`, with the diff from the
//!   previous stop if wanted).
//!
//! **[`RowsView`]** — `[data-view="rows"][data-table=NAME]`, `tr[data-row=i]`,
//! `td[data-column=NAME]`; double-click / Enter edits a cell (Enter saves,
//! Escape cancels, `NULL` is null).
//! - `table: Rc<Table>`, `rows: Rc<QueryResult>` from
//!   [`rows_model::rows_query`]`(table, limit)`, `total: Option<usize>` (row
//!   count when cut by the limit), `error: Option<AttrValue>`, `busy: bool`.
//! - `on_intent: Callback<RowIntent>`: `Insert { table, values }`,
//!   `Update { table, key, column, value }`, `Delete { table, key }` — each
//!   has `RowIntent::sql()`, one statement; `FillSample { table, rows }` — the
//!   store runs `engine::sample_rows::sample_rows(&meta, &[table], &existing,
//!   SampleOptions { rows, seed })` with `existing` = `SELECT * FROM t` of the
//!   tables, then the plan's statements (one undo step).
//!
//! **[`StepThrough`]** — `[data-view="steps"]`, `li[data-step=i]` with
//! `data-state="done|current|pending|failed"`.
//! - `direction`, `revision`, `message: AttrValue`, `ops: Vec<StepOp { label,
//!   sql, error }>`, `cursor: usize` (ops run), `busy`.
//! - `on_intent: Callback<StepIntent>`: `Next`, `Back`, `RunToEnd`,
//!   `Restart`, `Close`.
//! - Helpers: [`steps_model::pending_steps`]`(&ops)` (labels via
//!   `render::render_op`), [`steps_model::run_one`]`(db, &op)` runs one op
//!   through `runtime::run_ops` on a [`steps_model::Recording`] database and
//!   returns its `StepOp` with the SQL it executed (batch move-and-copy
//!   included) or its error; the store snapshots the database before each
//!   step for `Back`.

use engine::schema::MetaData;

/// Alembic's version table (the env.py default; the playground never sets
/// `version_table`): bookkeeping, which the chain view shows as the current
/// revision, so it is not a table of the schema views.
pub const VERSION_TABLE: &str = "alembic_version";

/// `md` as the schema views show it: without the version table (the ER
/// diagram, the list, the diffs and the timeline all take this).
pub fn user_schema(mut md: MetaData) -> MetaData {
    md.remove_table(VERSION_TABLE);
    md
}

pub mod chain_model;
pub mod er_model;
pub mod rows_model;
pub mod steps_model;
pub mod util;
pub mod viewport;

#[cfg(target_arch = "wasm32")]
mod chain;
#[cfg(target_arch = "wasm32")]
mod diff;
#[cfg(target_arch = "wasm32")]
pub mod progressive;
#[cfg(target_arch = "wasm32")]
mod rows;
#[cfg(target_arch = "wasm32")]
mod schema;
#[cfg(target_arch = "wasm32")]
mod steps;

#[cfg(target_arch = "wasm32")]
pub use chain::{ChainView, ChainViewProps};
#[cfg(target_arch = "wasm32")]
pub use diff::{DiffView, DiffViewProps, Timeline, TimelineProps};
#[cfg(target_arch = "wasm32")]
pub use rows::{RowsView, RowsViewProps};
#[cfg(target_arch = "wasm32")]
pub use schema::{SchemaView, SchemaViewProps};
#[cfg(target_arch = "wasm32")]
pub use steps::{StepThrough, StepThroughProps};

#[cfg(test)]
mod tests {
    use super::*;
    use engine::schema::Table;

    #[test]
    fn the_version_table_is_not_a_table_of_the_views() {
        let mut md = MetaData::default();
        for name in [VERSION_TABLE, "tag"] {
            md.add_table(Table { name: name.into(), ..Table::default() });
        }
        let shown = user_schema(md);
        assert_eq!(shown.tables.keys().collect::<Vec<_>>(), vec!["tag"]);
        assert_eq!(shown.table_order, vec!["tag".to_string()]);
    }
}
