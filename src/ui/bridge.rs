//! The bridge of one playground: it owns the sql.js database and the files
//! (the engine's `Host`), runs commands, SQL and analyses on them, and
//! reports what happened to the store as [`Action`]s.
//!
//! Invariants:
//! - One bridge per playground (several on a page are independent); the
//!   root component holds it in an `Rc<RefCell<_>>` and so does the JS API
//!   handle. No other global.
//! - The bridge never calls into a component and the reducer never calls the
//!   bridge, so a dispatch during a bridge call cannot re-enter it. A call
//!   that finds the bridge busy gets a "busy" error instead of a panic
//!   ([`with`]).
//! - Before every command, SQL or project change the database image and the
//!   files are snapshotted; when the change altered either, the snapshot
//!   goes on the undo stack, and Undo restores both byte for byte (a command
//!   keeps the person's models.py; a project change restores it too). A
//!   change that cannot touch the database (`setFiles`) snapshots the files
//!   only: the database is as it was when Undo reaches it.
//! - After every change the project is autosaved (when the playground has a
//!   storage name); a storage failure is a message, never a failure.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::{Rc, Weak};

use engine::command::{self, project, Output};
use engine::db::DbError;
use engine::schema::MetaData;
use engine::sort::{map_of, set_of};
use gloo_storage::Storage;
use gloo_timers::callback::Timeout;

use crate::platform::sqljs::{BrowserHost, SqlJsDatabase, SqlJsModule};
use crate::ui::bindings::{measure_since, now_ms};
use crate::ui::examples::{self, StepAction};
use crate::ui::inspect::{self, SchemaView};
use crate::ui::persist::{self, Saved};
use crate::ui::store::{
    is_module_path, module_path_error, Action, ChainRevision, CompareSlice, DbView, Files, Notice, PreviewView, Problem,
    RowsSlice, SqlEntry, TimelineSlice, MODELS,
};
use crate::ui::store::StepSlice;
use crate::ui::views::chain_model::ChainIntent;
use crate::ui::views::user_schema;
use crate::ui::views::steps_model::{StepIntent, StepOp};
use crate::ui::views::rows_model::{rows_query, RowIntent};

/// How many rows the data grid shows.
const ROWS_LIMIT: usize = 200;

/// How many undo steps are kept (each holds a whole database image).
pub const UNDO_LIMIT: usize = 50;
/// Typing pauses this long before diagnostics and the live autogenerate run,
/// unless the last analysis took at most [`INSTANT_ANALYSIS_MS`]: then it
/// runs at once, in the keystroke's task, so the pane follows every key.
const ANALYSIS_DELAY_MS: u32 = 120;
const INSTANT_ANALYSIS_MS: f64 = 40.0;
/// A project with more scripts than this to load is loaded in slices of
/// about [`SLICE_MS`], each its own task (see [`Bridge::analyse_now`]).
const SYNC_SCRIPTS: usize = 40;
const SLICE_MS: f64 = 12.0;
/// models.py larger than this (bytes) is analysed on request only: the
/// engine's analysis is one task, seconds long for megabytes, and the page
/// must stay responsive while such a file is pasted or edited.
pub const LIVE_MODELS_LIMIT: usize = 256 * 1024;
/// Typing pauses this long before the project is autosaved; for a project
/// over [`LARGE_SAVE_CHARS`], whose save takes a task of its own (some ms
/// per 100 KB: serialised, encoded, stored), longer.
const SAVE_DELAY_MS: u32 = 600;
const LARGE_SAVE_DELAY_MS: u32 = 3000;
const LARGE_SAVE_CHARS: usize = 256 << 10;
/// What a site's localStorage holds in the browsers the page supports: about
/// 5 Mi UTF-16 code units (Chromium: 10 MiB as UTF-16; Firefox, Safari:
/// 5 MiB). A project larger than this is not written (the write could only
/// fail, after a copy and a serialisation of megabytes): a message says so.
const STORAGE_CHARS: usize = 5 << 20;

pub type Shared = Rc<RefCell<Bridge>>;

/// Where the chain of the loaded scripts is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChainState {
    /// Scripts were loaded or dropped since it was worked out.
    Stale,
    /// Worked out (`Bridge::chain`), not yet sent to the store.
    Unsent,
    /// In the store.
    Sent,
}

/// Verbs that change the database or the files (without `--sql`).
const MUTATING_VERBS: &[&str] = &["upgrade", "downgrade", "stamp", "revision", "merge", "ensure_version"];

/// The live schema and the comparison's database side prepared from it:
/// kept together so that the prepared side is never older than the schema.
struct Reflected {
    schema: MetaData,
    conn: project::ConnSchema,
}

/// A migration run an operation at a time.
struct Stepping {
    plan: project::PlannedStep,
    ops: Vec<StepOp>,
    cursor: usize,
    finished: bool,
    /// The database image before op `i` ran (`images[0]`: before the step).
    images: Vec<Vec<u8>>,
}

/// The database and files from just before a change.
struct Snapshot {
    label: String,
    /// `None`: the change leaves the database as it is (it replaces files
    /// only), so Undo has no image to restore.
    database: Option<Vec<u8>>,
    models: String,
    versions: BTreeMap<String, String>,
    modules: BTreeMap<String, String>,
    /// Restore models.py and the modules too (a project change, not a command).
    restore_models: bool,
    /// The example loaded when it was taken (restored with the project).
    example: Option<String>,
}

pub struct Bridge {
    module: SqlJsModule,
    host: BrowserHost,
    /// The table the data grid shows.
    selected_table: Option<String>,
    /// The chain as last loaded (for current marks and squash).
    chain: project::Chain,
    stepping: Option<Stepping>,
    undo: Vec<Snapshot>,
    /// Every statement since load (`sqlLog()`).
    sql_log: Vec<SqlEntry>,
    /// The live schema as autogenerate reflects it, with the comparison's
    /// database side prepared from it (both re-read together); `None`: re-read.
    reflected: Option<Result<Reflected, String>>,
    /// The `alembic_version` rows; `None`: re-read (with `reflected`).
    current: Option<Vec<String>>,
    /// Chain heads, for "is the database at head".
    heads: Vec<String>,
    /// Each script of `versions/` as last loaded, with the text it was loaded from.
    loaded: BTreeMap<String, (String, project::LoadedScript)>,
    /// Each module's syntax errors, with the text they were found in;
    /// emptied when the set of files changes (no entry outlives its file).
    module_syntax: BTreeMap<String, (String, Vec<Problem>)>,
    /// Problems the last import of models.py raised inside modules.
    module_raised: BTreeMap<String, Vec<Problem>>,
    /// Whether the store's chain is that of the loaded scripts.
    chain_state: ChainState,
    /// How long the last complete analysis took (ms).
    last_analysis_ms: f64,
    /// The next analysis runs even on a models.py over [`LIVE_MODELS_LIMIT`].
    analyse_large: bool,
    storage_key: Option<String>,
    storage_failed: bool,
    /// Bumped by every edit; the autosave skips a project saved since.
    edits: u64,
    saved_edits: Option<u64>,
    example: Option<String>,
    dispatch: Rc<dyn Fn(Action)>,
    /// Files whose problems are stale.
    dirty: BTreeSet<String>,
    analysis: Option<Timeout>,
    /// Previews' evaluations whose objects are still to be freed, and the
    /// task that frees them once the page has shown the preview.
    garbage: Vec<engine::models::Teardown>,
    teardown: Option<Timeout>,
    save_timer: Option<Timeout>,
    me: Weak<RefCell<Bridge>>,
}

/// Runs `f` on the bridge, or says it is busy (a call from inside a bridge
/// call, which the design never makes; never a panic).
pub fn with<R>(bridge: &Shared, f: impl FnOnce(&mut Bridge) -> R) -> Result<R, String> {
    match bridge.try_borrow_mut() {
        Ok(mut b) => Ok(f(&mut b)),
        Err(_) => Err("The playground is busy with another command.".to_string()),
    }
}

fn err_output(message: &str) -> Output {
    Output { exit_code: 1, stdout: String::new(), stderr: format!("{message}\n") }
}

impl Bridge {
    /// A playground over a fresh database: restored from storage when
    /// `storage_name` has a saved project, else the default example.
    /// `link`: a permalink's files, opened instead (and autosaved), or why
    /// they could not be read (a message; the saved work opens).
    pub fn new(
        module: SqlJsModule,
        storage_name: Option<&str>,
        link: Option<Result<BTreeMap<String, String>, String>>,
        dispatch: Rc<dyn Fn(Action)>,
    ) -> Result<Shared, DbError> {
        let db = SqlJsDatabase::open(module.clone())?;
        let host = BrowserHost::new(db);
        let bridge = Rc::new(RefCell::new(Bridge {
            module,
            selected_table: None,
            chain: project::Chain::default(),
            stepping: None,
            host,
            undo: Vec::new(),
            sql_log: Vec::new(),
            reflected: None,
            current: None,
            heads: Vec::new(),
            loaded: BTreeMap::new(),
            module_syntax: BTreeMap::new(),
            module_raised: BTreeMap::new(),
            chain_state: ChainState::Sent,
            last_analysis_ms: 0.0,
            analyse_large: false,
            storage_key: storage_name.map(persist::storage_key),
            storage_failed: false,
            edits: 0,
            saved_edits: None,
            example: None,
            dispatch,
            dirty: BTreeSet::new(),
            analysis: None,
            garbage: Vec::new(),
            teardown: None,
            save_timer: None,
            me: Weak::new(),
        }));
        {
            let mut b = bridge.borrow_mut();
            b.me = Rc::downgrade(&bridge);
            let opened = match link {
                Some(Ok(files)) => match split_files(files) {
                    Ok(split) => {
                        b.host.models = split.models.unwrap_or_default();
                        b.host.versions = split.versions;
                        b.host.modules = split.modules;
                        Some(Ok(()))
                    }
                    Err(e) => Some(Err(format!("The project in this link could not be opened: {e}"))),
                },
                Some(Err(e)) => Some(Err(e)),
                None => None,
            };
            if !matches!(opened, Some(Ok(()))) && !b.restore_saved() {
                b.apply_example(examples::DEFAULT);
            }
            b.sync_all();
            match opened {
                Some(Ok(())) => {
                    b.emit(Action::Note { text: "Opened the project from the link.".into(), error: false });
                    b.save_now();
                }
                Some(Err(e)) => b.emit(Action::Notice(Some(Notice { error: true, text: e }))),
                None => {}
            }
        }
        Ok(bridge)
    }

    fn emit(&self, action: Action) {
        (self.dispatch)(action);
    }

    // ---------------------------------------------------------------- reads

    /// `models.py`, `versions/<file>` and the modules (`helpers.py`,
    /// `myapp/types.py`) → text.
    pub fn files(&self) -> BTreeMap<String, String> {
        let mut files = self.host.modules.clone();
        files.insert(MODELS.to_string(), self.host.models.clone());
        for (name, text) in &self.host.versions {
            files.insert(format!("versions/{name}"), text.clone());
        }
        files
    }

    pub fn models(&self) -> String {
        self.host.models.clone()
    }

    /// The PRAGMA view of the live schema (`schema()`).
    pub fn schema(&mut self) -> Result<SchemaView, String> {
        inspect::inspect(&mut self.host.db).map_err(|e| e.message)
    }

    /// The SQLite file image of the live database (sql.js `export()`).
    pub fn export_database(&self) -> Result<Vec<u8>, String> {
        self.host.db.export().map_err(|e| e.message)
    }

    /// Every statement executed since load.
    pub fn sql_log(&self) -> &[SqlEntry] {
        &self.sql_log
    }

    /// The example the project came from.
    pub fn example_id(&self) -> Option<String> {
        self.example.clone()
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    // -------------------------------------------------------------- changes

    fn snapshot(&self, label: &str, restore_models: bool) -> Result<Snapshot, DbError> {
        Ok(Snapshot {
            label: label.to_string(),
            database: Some(self.host.db.export()?),
            models: self.host.models.clone(),
            versions: self.host.versions.clone(),
            modules: self.host.modules.clone(),
            restore_models,
            example: self.example.clone(),
        })
    }

    /// Pushes `before` when the database or the files differ from it now,
    /// or `always` (a command that changes things by its nature, so that
    /// one Undo per such command is what a person counts on, even when it
    /// failed before changing anything).
    fn push_undo_if_changed(&mut self, before: Snapshot, always: bool) -> bool {
        let database_changed = match &before.database {
            Some(image) => self.host.db.export().ok().as_deref() != Some(&image[..]),
            None => false,
        };
        let changed = database_changed
            || self.host.versions != before.versions
            || (before.restore_models && (self.host.models != before.models || self.host.modules != before.modules));
        if changed || always {
            self.undo.push(before);
            if self.undo.len() > UNDO_LIMIT {
                let excess = self.undo.len() - UNDO_LIMIT;
                self.undo.drain(..excess);
            }
            self.emit_undo_stack();
        }
        changed
    }

    fn emit_undo_stack(&self) {
        self.emit(Action::UndoStack(self.undo.iter().map(|s| s.label.clone()).collect()));
    }

    fn take_statements(&mut self) -> Vec<SqlEntry> {
        let entries: Vec<SqlEntry> = self
            .host
            .db
            .take_recorded()
            .into_iter()
            .map(|s| SqlEntry { sql: s.sql, ms: s.ms, error: s.error })
            .collect();
        self.sql_log.extend(entries.iter().cloned());
        self.emit(Action::SqlLogged(entries.clone()));
        entries
    }

    /// Runs one alembic command line (`alembic` prefix optional).
    pub fn run_command(&mut self, line: &str) -> Output {
        let line = line.trim();
        let line = match line.strip_prefix("alembic") {
            Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => rest.trim_start(),
            _ => line,
        };
        let before = match self.snapshot(line, false) {
            Ok(before) => before,
            Err(e) => return err_output(&e.message),
        };
        let names_before: BTreeSet<String> = set_of(self.host.versions.keys().cloned());
        let schema_before = self.live_schema();
        self.sync_modules();
        self.host.db.record();
        let start = now_ms();
        let output = command::run_line(&mut self.host, line);
        measure_since("alembic:command", start);
        let ms = (now_ms() - start).max(0.0) as u32;
        self.take_statements();
        let created = self
            .host
            .versions
            .keys()
            .filter(|n| !names_before.contains(*n))
            .max()
            .map(|n| format!("versions/{n}"));
        let files_changed = self.host.versions != before.versions;
        let verb = line.split_whitespace().find(|w| !w.starts_with('-')).unwrap_or("");
        let changes_by_nature = MUTATING_VERBS.contains(&verb) && !line.split_whitespace().any(|w| w == "--sql");
        self.push_undo_if_changed(before, changes_by_nature);
        if files_changed {
            self.emit(Action::FilesChanged(self.store_files()));
            self.dirty.extend(self.host.versions.keys().map(|n| format!("versions/{n}")));
        }
        self.emit(Action::CommandRan { line: line.to_string(), output: output.clone(), ms, created });
        self.after_database_change();
        if let (Some(before), Some(after)) = (schema_before.map(user_schema), self.live_schema().map(user_schema)) {
            let diff = engine::schema_diff::diff(&before, &after);
            self.emit(Action::SchemaChanged { label: line.to_string(), diff, before });
        }
        self.save_now();
        output
    }

    /// The `alembic_version` rows (read once per database change).
    fn current_versions(&mut self) -> Vec<String> {
        if self.current.is_none() {
            self.current = Some(inspect::alembic_versions(&mut self.host.db).unwrap_or_default());
        }
        self.current.clone().unwrap_or_default()
    }

    /// The live schema (reflected once per database change).
    fn live_schema(&mut self) -> Option<MetaData> {
        self.reflect();
        self.reflected.as_ref().and_then(|r| r.as_ref().ok()).map(|r| r.schema.clone())
    }

    fn reflect(&mut self) {
        if self.reflected.is_none() {
            let reflected = project::live_schema(&mut self.host.db)
                .map(|schema| Reflected { conn: project::ConnSchema::new(&schema), schema })
                .map_err(|e| e.message);
            self.reflected = Some(reflected);
        }
    }

    // ---------------------------------------------------------------- views

    /// A chain view's intent: open a script, or the command it stands for.
    pub fn chain_intent(&mut self, intent: ChainIntent) -> Result<(), String> {
        match intent {
            ChainIntent::Open { file_name, .. } => {
                self.emit(Action::OpenFile(format!("versions/{file_name}")));
                Ok(())
            }
            ChainIntent::Squash { ids, message } => self.squash(&ids, &message),
            other => {
                if let Some(line) = other.command_line() {
                    self.run_command(&line);
                }
                Ok(())
            }
        }
    }

    /// Squashes a linear run of revisions (newest first) that ends at a
    /// head into one: downgrade to the oldest one's parent, drop their
    /// scripts, autogenerate one revision, upgrade. One undo step.
    pub fn squash(&mut self, ids: &[String], message: &str) -> Result<(), String> {
        let (Some(newest), Some(oldest)) = (ids.first(), ids.last()) else { return Err("nothing to squash".into()) };
        let revisions = self.chain.revisions.clone();
        let node = |id: &str| revisions.iter().find(|r| r.revision == id).cloned();
        let newest_node = node(newest).ok_or_else(|| format!("no revision {newest}"))?;
        if !newest_node.is_head {
            return Err(format!("squash: {newest} is not a head; squash runs that end at a head"));
        }
        let oldest_node = node(oldest).ok_or_else(|| format!("no revision {oldest}"))?;
        let parent = match oldest_node.down_revisions.as_slice() {
            [] => "base".to_string(),
            [one] => one.clone(),
            _ => return Err(format!("squash: {oldest} is a merge point")),
        };
        let before = self.snapshot(&format!("squash {}", ids.len()), false).map_err(|e| e.message)?;
        let label = before.label.clone();
        let current = self.current_versions();
        let mut ok = true;
        if current.iter().any(|c| ids.contains(c)) {
            ok = self.run_quietly(&format!("downgrade {parent}"));
        }
        if ok {
            for id in ids {
                if let Some(r) = node(id) {
                    self.host.versions.remove(r.path.trim_start_matches("versions/"));
                }
            }
            ok = self.run_quietly(&format!("revision --autogenerate -m {}", crate::ui::cmdline::quote(message)))
                && self.run_quietly("upgrade head");
        }
        self.push_undo_if_changed(before, true);
        self.emit(Action::Note { text: format!("{label}: {}", if ok { "done" } else { "stopped at the failing step (Undo restores everything)" }), error: !ok });
        self.emit(Action::FilesChanged(self.store_files()));
        self.dirty.extend(self.host.versions.keys().map(|n| format!("versions/{n}")));
        self.after_database_change();
        self.save_now();
        Ok(())
    }

    /// Runs one command as part of a larger action (no undo step of its own).
    fn run_quietly(&mut self, line: &str) -> bool {
        self.sync_modules();
        self.host.db.record();
        let start = now_ms();
        let output = command::run_line(&mut self.host, line);
        let ms = (now_ms() - start).max(0.0) as u32;
        self.take_statements();
        let ok = output.ok();
        self.emit(Action::CommandRan { line: line.to_string(), output, ms, created: None });
        ok
    }

    /// Starts stepping through the next `upgrade +1` (or `downgrade -1`)
    /// an operation at a time. The whole step-through is one undo step.
    pub fn step_start(&mut self, upgrade: bool) -> Result<(), String> {
        let current = self.current_versions();
        let versions: Vec<(String, String)> = self.host.versions.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        self.sync_modules();
        let models = self.host.models.clone();
        let plan = project::next_step_with(&models, &versions, &current, upgrade, self.host.scripts())?;
        let label = format!("step through {}", plan.description);
        let before = self.snapshot(&label, false).map_err(|e| e.message)?;
        let image = before.database.clone().unwrap_or_default();
        self.push_undo_if_changed(before, true);
        let ops = plan.labels.iter().map(|l| StepOp { label: l.clone(), sql: Vec::new(), error: None }).collect();
        let empty = plan.ops.is_empty();
        self.stepping = Some(Stepping { plan, ops, cursor: 0, finished: false, images: vec![image] });
        if empty {
            self.step_finish();
            self.after_database_change();
        }
        self.emit(Action::Note { text: format!("Stepping through {}: one operation at a time.", label.trim_start_matches("step through ")), error: false });
        self.emit_stepping();
        Ok(())
    }

    fn emit_stepping(&self) {
        let slice = self.stepping.as_ref().map(|s| StepSlice {
            upgrade: s.plan.is_upgrade,
            revision: s.plan.revision.clone(),
            description: s.plan.description.clone(),
            ops: s.ops.clone(),
            cursor: s.cursor,
            finished: s.finished,
        });
        self.emit(Action::Stepping(slice));
    }

    /// A step-through's intent.
    pub fn step_intent(&mut self, intent: StepIntent) {
        match intent {
            StepIntent::Next => {
                self.step_next();
            }
            StepIntent::RunToEnd => while self.step_next() {},
            StepIntent::Back | StepIntent::Restart => {
                let Some(s) = &mut self.stepping else { return };
                let to = if intent == StepIntent::Back { s.cursor.saturating_sub(1) } else { 0 };
                let image = s.images.get(to).cloned();
                s.images.truncate(to + 1);
                for op in &mut s.ops[to..] {
                    op.sql.clear();
                    op.error = None;
                }
                s.cursor = to;
                s.finished = false;
                if let Some(image) = image {
                    if let Err(e) = self.host.db.restore(&image) {
                        self.emit(Action::Note { text: format!("Could not restore the database: {e}"), error: true });
                    }
                }
                self.after_database_change();
            }
            StepIntent::Close => self.stepping = None,
        }
        self.emit_stepping();
        self.save_now();
    }

    /// Runs the operation at the cursor; after the last one, the version
    /// table update that ends the step. `false` when there is nothing more
    /// to run or it failed.
    fn step_next(&mut self) -> bool {
        let Some(s) = &self.stepping else { return false };
        if s.finished || s.cursor >= s.plan.ops.len() || s.ops[s.cursor].error.is_some() {
            return false;
        }
        let op = s.plan.ops[s.cursor].clone();
        self.host.db.record();
        let result = engine::runtime::run_ops(&mut self.host.db, std::slice::from_ref(&op));
        let statements: Vec<String> = self.take_statements().into_iter().map(|st| st.sql).collect();
        let s = self.stepping.as_mut().expect("checked above");
        let i = s.cursor;
        s.ops[i].sql = statements;
        let ok = result.is_ok();
        s.ops[i].error = result.err().map(|e| e.to_string());
        if ok {
            // images[i + 1]: before the next op
            let image = self.host.db.export().unwrap_or_default();
            let s = self.stepping.as_mut().expect("checked above");
            s.images.push(image);
            s.cursor += 1;
            if s.cursor == s.plan.ops.len() {
                self.step_finish();
            }
        }
        self.after_database_change();
        ok
    }

    /// The `alembic_version` update that ends the step.
    fn step_finish(&mut self) {
        let Some(s) = &self.stepping else { return };
        let updates = s.plan.version_updates.clone();
        self.host.db.record();
        let result = engine::runtime::run_version_updates(&mut self.host.db, &updates);
        let statements: Vec<String> = self.take_statements().into_iter().map(|st| st.sql).collect();
        let s = self.stepping.as_mut().expect("checked above");
        if let Some(last) = s.ops.last_mut() {
            last.sql.extend(statements);
        }
        match result {
            Ok(()) => s.finished = true,
            Err(e) => self.emit(Action::Note { text: format!("alembic_version update failed: {e}"), error: true }),
        }
    }

    /// Shows `table`'s rows in the data grid.
    pub fn select_table(&mut self, table: Option<String>) {
        self.selected_table = table.clone();
        self.emit(Action::SelectTable(table));
        self.refresh_rows();
    }

    fn refresh_rows(&mut self) {
        let Some(name) = self.selected_table.clone() else { return };
        let Some(md) = self.live_schema() else { return };
        let Some(table) = md.tables.get(&name).cloned() else {
            self.selected_table = None;
            self.emit(Action::Rows(None));
            return;
        };
        use engine::db::Database;
        let query = rows_query(&table, ROWS_LIMIT);
        let (rows, error) = match self.host.db.query(&query) {
            Ok(rows) => (rows, None),
            Err(e) => (Default::default(), Some(e.message)),
        };
        let total = if rows.rows.len() >= ROWS_LIMIT {
            let count = format!("SELECT count(*) AS n FROM {}", engine::ddl::quote(&name));
            self.host.db.query(&count).ok().and_then(|r| r.get(0, "n").as_i64()).map(|n| n as usize)
        } else {
            None
        };
        self.emit(Action::Rows(Some(RowsSlice { table: Rc::new(table), rows: Rc::new(rows), total, error })));
    }

    /// A data grid's intent: one statement, or sample rows (one undo step).
    pub fn row_intent(&mut self, intent: RowIntent) -> Result<(), String> {
        let sql = match &intent {
            RowIntent::FillSample { table, rows } => {
                use engine::db::Database;
                let md = self.live_schema().ok_or("the database cannot be read")?;
                let mut existing = BTreeMap::new();
                for name in md.tables.keys().filter(|n| !n.starts_with("sqlite_")) {
                    let q = format!("SELECT * FROM {}", engine::ddl::quote(name));
                    existing.insert(name.clone(), self.host.db.query(&q).map_err(|e| e.message)?);
                }
                let opts = engine::sample_rows::SampleOptions { rows: *rows, ..Default::default() };
                let plan = engine::sample_rows::sample_rows(&md, std::slice::from_ref(table), &existing, opts)
                    .map_err(|e| e.to_string())?;
                plan.statements.join(";\n")
            }
            other => other.sql().unwrap_or_default(),
        };
        if sql.is_empty() {
            return Ok(());
        }
        self.run_sql(&sql).map(|_| ())
    }

    /// The schema after upgrading a scratch database to `rev` (`None`: base).
    fn schema_at(&self, rev: Option<&str>) -> Result<MetaData, String> {
        let db = SqlJsDatabase::open(self.module.clone()).map_err(|e| e.message)?;
        let mut scratch = BrowserHost::new(db);
        scratch.models = self.host.models.clone();
        scratch.versions = self.host.versions.clone();
        scratch.modules = self.host.modules.clone();
        if let Some(rev) = rev {
            let output = command::run_line(&mut scratch, &format!("upgrade {}", crate::ui::cmdline::quote(rev)));
            if !output.ok() {
                return Err(format!("upgrade {rev} on a scratch database failed:\n{}{}", output.stderr, output.stdout));
            }
        }
        let md = project::live_schema(&mut scratch.db).map_err(|e| e.message)?;
        Ok(user_schema(md))
    }

    /// Compares the schema at two revisions.
    pub fn compare(&mut self, from: Option<String>, to: Option<String>) {
        let result = self.schema_at(from.as_deref()).and_then(|a| Ok((a, self.schema_at(to.as_deref())?)));
        let (diff, error) = match result {
            Ok((a, b)) => (engine::schema_diff::diff(&a, &b), None),
            Err(e) => (Default::default(), Some(e)),
        };
        self.emit(Action::Compared(CompareSlice { from, to, diff: Rc::new(diff), error }));
    }

    /// The schema at a timeline stop, with what changed from the stop before.
    pub fn timeline(&mut self, at: Option<String>) {
        let order: Vec<Option<String>> = std::iter::once(None)
            .chain(self.chain.revisions.iter().rev().map(|r| Some(r.revision.clone())))
            .collect();
        let previous = order.iter().position(|s| *s == at).and_then(|i| i.checked_sub(1)).and_then(|i| order[i].clone());
        let slice = match self.schema_at(at.as_deref()) {
            Ok(schema) => {
                let before = if at.is_none() { Ok(MetaData::default()) } else { self.schema_at(previous.as_deref()) };
                let before = before.unwrap_or_default();
                let diff = engine::schema_diff::diff(&before, &schema);
                TimelineSlice { at, schema: Rc::new(schema), diff: Rc::new(diff), before: Rc::new(before), error: None }
            }
            Err(e) => TimelineSlice { at, schema: Rc::default(), diff: Rc::default(), before: Rc::default(), error: Some(e) },
        };
        self.emit(Action::TimelineAt(slice));
    }

    /// Runs SQL on the live database (`sql()`): the rows of the last
    /// statement that returned rows. A change to the database is undoable.
    pub fn run_sql(&mut self, sql: &str) -> Result<(Vec<String>, Vec<js_sys::Array>), String> {
        let before = self.snapshot(sql, false).map_err(|e| e.message)?;
        let schema_before = self.live_schema();
        self.host.db.record();
        let start = now_ms();
        let result = self.host.db.exec_rows(sql);
        let ms = (now_ms() - start).max(0.0) as u32;
        self.take_statements();
        let changed = self.push_undo_if_changed(before, false);
        let output = match &result {
            Ok((_, rows)) if !rows.is_empty() || !changed => {
                Output { exit_code: 0, stdout: format!("{} row(s)\n", rows.len()), stderr: String::new() }
            }
            Ok(_) => Output { exit_code: 0, stdout: "database changed\n".into(), stderr: String::new() },
            Err(e) => err_output(&e.message),
        };
        self.emit(Action::SqlRan { sql: sql.to_string(), output, ms });
        if changed {
            self.after_database_change();
            if let (Some(before), Some(after)) = (schema_before.map(user_schema), self.live_schema().map(user_schema)) {
                let diff = engine::schema_diff::diff(&before, &after);
                if !diff.is_empty() {
                    self.emit(Action::SchemaChanged { label: sql.to_string(), diff, before });
                }
            }
            self.save_now();
        }
        result.map_err(|e| e.message)
    }

    /// The person (or `setModels`) edited one file: diagnostics and the
    /// live autogenerate follow after a pause in typing.
    /// `text` goes to the store as it is (the editor keeps the same `Rc`,
    /// so neither side compares megabytes to learn that nothing changed).
    pub fn edit_file(&mut self, path: &str, text: Rc<str>) -> Result<(), String> {
        if path == MODELS {
            if *self.host.models == *text {
                return Ok(());
            }
            self.host.models = text.to_string();
        } else if is_module_path(path) {
            let Some(old) = self.host.modules.get_mut(path) else { return Err(format!("no such file: {path}")) };
            if **old == *text {
                return Ok(());
            }
            *old = text.to_string();
            // models.py may import it (and the scripts: see `sync_modules`)
            self.dirty.insert(MODELS.to_string());
        } else {
            let name = path.strip_prefix("versions/").filter(|n| self.host.versions.contains_key(*n));
            let Some(name) = name else { return Err(format!("no such file: {path}")) };
            if self.host.versions.get(name).map(String::as_str) == Some(&*text) {
                return Ok(());
            }
            self.host.versions.insert(name.to_string(), text.to_string());
        }
        self.emit(Action::FileEdited { path: path.to_string(), text });
        self.dirty.insert(path.to_string());
        self.edits += 1;
        self.schedule_analysis();
        self.schedule_save();
        Ok(())
    }

    /// Replaces the project's files (`setFiles`): `models.py`,
    /// `versions/<file>` and module paths; the database stays. Undoable.
    pub fn set_files(&mut self, files: BTreeMap<String, String>) -> Result<(), String> {
        let split = split_files(files).map_err(|e| format!("setFiles: {e}"))?;
        // The database stays as it is, so the snapshot holds the files only:
        // by the time Undo reaches it, every later change is undone and the
        // database is as it was (no image exported, none restored).
        let before = Snapshot {
            label: "set files".to_string(),
            database: None,
            models: std::mem::replace(&mut self.host.models, split.models.unwrap_or_default()),
            versions: std::mem::replace(&mut self.host.versions, split.versions),
            modules: std::mem::replace(&mut self.host.modules, split.modules),
            restore_models: true,
            example: self.example.clone(),
        };
        self.push_undo_if_changed(before, false);
        // A project of the caller's own: the example's guided steps are not about it.
        if self.example.take().is_some() {
            self.emit(Action::ExampleLeft);
        }
        self.after_files_replaced();
        Ok(())
    }

    /// Loads an example into a fresh database. Undoable.
    pub fn load_example(&mut self, id: &str) -> Result<(), String> {
        let example = examples::find(id).ok_or_else(|| format!("no such example: {id}"))?;
        let before = self.snapshot(&format!("load example {id}"), true).map_err(|e| e.message)?;
        self.host.db.clear().map_err(|e| e.message)?;
        self.apply_example(example.id);
        self.push_undo_if_changed(before, false);
        self.emit(Action::ExampleLoaded { id: example.id.to_string(), title: example.title.to_string() });
        self.after_files_replaced();
        self.after_database_change();
        Ok(())
    }

    fn apply_example(&mut self, id: &str) {
        let Some(example) = examples::find(id) else { return };
        self.host.models = example.models.to_string();
        self.host.modules = map_of(example.modules.iter().map(|(path, text)| (path.to_string(), text.to_string())));
        self.host.versions = map_of(
            example.scripts.iter().filter_map(|(path, text)| Some((path.strip_prefix("versions/")?.to_string(), text.to_string()))),
        );
        self.example = Some(example.id.to_string());
    }

    /// Runs step `index` of the loaded example; `Ok(true)` when it did what
    /// the step expects (a step may be meant to fail).
    pub fn run_step(&mut self, example_id: &str, index: usize) -> Result<bool, String> {
        let example = examples::find(example_id).ok_or_else(|| format!("no such example: {example_id}"))?;
        let step = example.steps.get(index).ok_or_else(|| format!("no step {index}"))?;
        let ok = match step.action {
            StepAction::Command(line) => self.run_command(line).ok(),
            StepAction::Sql(query) => self.run_sql(query).is_ok(),
            StepAction::Models(source) => {
                self.edit_file(MODELS, Rc::from(source))?;
                self.analyse_now();
                true
            }
            StepAction::ScriptEdit { after, insert } => {
                let edits: Vec<(String, String)> = self
                    .host
                    .versions
                    .iter()
                    .filter(|(_, text)| !text.contains(insert))
                    .filter_map(|(name, text)| {
                        let at = text.find(after)? + after.len();
                        Some((format!("versions/{name}"), format!("{}{insert}{}", &text[..at], &text[at..])))
                    })
                    .collect();
                for (path, text) in &edits {
                    self.edit_file(path, Rc::from(text.as_str()))?;
                }
                self.analyse_now();
                !edits.is_empty()
            }
            StepAction::Undo => self.undo(),
        };
        self.emit(Action::StepDone(index));
        Ok(ok == step.expect_ok)
    }

    /// Undoes the newest change; `false` when there was nothing to undo.
    pub fn undo(&mut self) -> bool {
        let Some(snapshot) = self.undo.pop() else { return false };
        if let Some(image) = &snapshot.database {
            if let Err(e) = self.host.db.restore(image) {
                self.emit(Action::Note { text: format!("Undo could not restore the database: {e}"), error: true });
            }
        }
        self.host.versions = snapshot.versions;
        if snapshot.restore_models {
            self.host.models = snapshot.models;
            self.host.modules = snapshot.modules;
            if snapshot.example != self.example {
                self.example = snapshot.example;
                self.emit(match &self.example {
                    Some(id) => Action::ExampleResumed(id.clone()),
                    None => Action::ExampleLeft,
                });
            }
        }
        self.emit_undo_stack();
        self.emit(Action::Undone { label: snapshot.label });
        self.after_files_replaced();
        self.after_database_change();
        true
    }

    // ------------------------------------------------------------- analyses

    fn store_files(&self) -> Files {
        map_of(self.files().into_iter().map(|(k, v)| (k, Rc::from(v.as_str()))))
    }

    fn after_files_replaced(&mut self) {
        self.module_syntax.clear();
        self.emit(Action::FilesChanged(self.store_files()));
        self.dirty.insert(MODELS.to_string());
        self.dirty.extend(self.host.modules.keys().cloned());
        self.dirty.extend(self.host.versions.keys().map(|n| format!("versions/{n}")));
        if self.scripts_to_load() > SYNC_SCRIPTS {
            // Loaded in slices anyway: the first one too in a task of its
            // own, not in the one that replaced the files and renders them.
            self.analyse_next_task();
        } else {
            self.analyse_now();
        }
        self.save_soon();
    }

    fn after_database_change(&mut self) {
        let start = now_ms();
        self.reflected = None;
        self.current = None;
        let schema = inspect::inspect(&mut self.host.db).map_err(|e| e.message);
        let versions = self.current_versions();
        self.emit(Action::DatabaseRead(DbView { schema, versions: versions.clone() }));
        if let Some(md) = self.live_schema() {
            self.emit(Action::LiveSchema(user_schema(md)));
        }
        self.refresh_rows();
        self.emit_chain(&versions);
        self.dirty.insert(MODELS.to_string());
        self.analyse_now();
        measure_since("alembic:refresh", start);
    }

    fn emit_chain(&self, current: &[String]) {
        let chain = self
            .chain
            .revisions
            .iter()
            .map(|r| ChainRevision {
                id: r.revision.clone(),
                down_revisions: r.down_revisions.clone(),
                depends_on: r.depends_on.clone(),
                message: r.message.clone(),
                branch_labels: r.branch_labels.clone(),
                file_name: r.path.trim_start_matches("versions/").to_string(),
                is_head: r.is_head,
                is_current: current.contains(&r.revision),
            })
            .collect();
        self.emit(Action::Chain(chain));
    }

    /// Everything to the store (at start).
    fn sync_all(&mut self) {
        self.emit(Action::FilesChanged(self.store_files()));
        self.emit_undo_stack();
        if let Some(id) = &self.example {
            if let Some(e) = examples::find(id) {
                self.emit(Action::ExampleLoaded { id: e.id.to_string(), title: e.title.to_string() });
            }
        }
        self.dirty.insert(MODELS.to_string());
        self.dirty.extend(self.host.modules.keys().cloned());
        self.dirty.extend(self.host.versions.keys().map(|n| format!("versions/{n}")));
        self.after_database_change();
    }

    fn schedule_analysis(&mut self) {
        let me = self.me.clone();
        if self.last_analysis_ms <= INSTANT_ANALYSIS_MS {
            // Cheap enough to follow the key before the browser renders the
            // frame: now, so the edit and its analysis reach the store
            // together and the views render once (in Yew's microtask, after
            // the editor's own update, which called here, is over).
            self.analyse_now();
            return;
        }
        self.analysis = Some(Timeout::new(ANALYSIS_DELAY_MS, move || {
            if let Some(bridge) = me.upgrade() {
                let _ = with(&bridge, |b| b.analyse_now());
            }
        }));
    }

    /// How many dirty scripts have a text not loaded yet.
    fn scripts_to_load(&self) -> usize {
        self.dirty
            .iter()
            .filter_map(|p| p.strip_prefix("versions/"))
            .filter(|name| match (self.host.versions.get(*name), self.loaded.get(*name)) {
                (Some(text), Some((loaded_text, _))) => text != loaded_text,
                (Some(_), None) => true,
                (None, _) => false,
            })
            .count()
    }

    /// Runs [`Bridge::analyse_now`] in a task of its own, after the page
    /// has had its turn.
    fn analyse_next_task(&mut self) {
        let me = self.me.clone();
        self.analysis = Some(Timeout::new(0, move || {
            if let Some(bridge) = me.upgrade() {
                let _ = with(&bridge, |b| b.analyse_now());
            }
        }));
    }

    /// Problems of the dirty files, the chain, and the live autogenerate.
    ///
    /// Each script is loaded once per text (`loaded` keeps the result). When
    /// more than [`SYNC_SCRIPTS`] need loading (a big project pasted or
    /// restored), they are loaded [`SLICE_MS`] at a time, each slice its own
    /// task, so the page stays responsive; the chain and the live
    /// autogenerate follow in the task after the last slice.
    pub fn analyse_now(&mut self) {
        self.analysis = None;
        self.sync_modules();
        if self.dirty.is_empty() && self.chain_state == ChainState::Sent {
            return;
        }
        self.host.scripts().renew_if_worn();
        let start = now_ms();
        let mut problems = BTreeMap::new();
        let pending: Vec<String> = self.dirty.iter().filter(|p| p.starts_with("versions/")).cloned().collect();
        let sliced = self.scripts_to_load() > SYNC_SCRIPTS;
        for (i, path) in pending.iter().enumerate() {
            if sliced && i > 0 && now_ms() - start > SLICE_MS {
                break;
            }
            self.dirty.remove(path);
            self.chain_state = ChainState::Stale;
            let name = &path["versions/".len()..];
            let Some(text) = self.host.versions.get(name).cloned() else {
                self.loaded.remove(name);
                continue;
            };
            let script = match self.loaded.get(name) {
                Some((loaded_text, script)) if *loaded_text == text => script.clone(),
                _ => {
                    // the scripts the commands run: the same loader and module objects
                    let script = project::load_script(self.host.scripts(), name, &text);
                    self.loaded.insert(name.to_string(), (text, script.clone()));
                    script
                }
            };
            problems.insert(path.clone(), script.problems.into_iter().map(to_problem).collect::<Vec<_>>());
        }
        if sliced {
            // A slice loaded: the main thread goes back to the page first,
            // then the next slice, or the chain and the live autogenerate.
            self.emit(Action::Problems(problems));
            self.analyse_next_task();
            measure_since("alembic:analyse", start);
            return;
        }
        if self.chain_state == ChainState::Stale || (self.heads.is_empty() && self.chain_state == ChainState::Sent) {
            let versions = &self.host.versions;
            self.loaded.retain(|name, _| versions.contains_key(name));
            let names: BTreeSet<String> = set_of(versions.keys().cloned());
            self.host.scripts().retain(|name| names.contains(name));
            let chain =
                project::chain_of(self.loaded.iter().filter(|(name, _)| project::is_script_file(name)).map(|(_, (_, s))| s));
            self.heads = chain.heads.clone();
            for found in &chain.problems {
                // The file's own problems come first (it may have been loaded in an earlier slice).
                let list = problems.entry(found.path.clone()).or_insert_with(|| {
                    let name = found.path.trim_start_matches("versions/");
                    self.loaded.get(name).map(|(_, s)| s.problems.iter().cloned().map(to_problem).collect()).unwrap_or_default()
                });
                let p = to_problem(found.clone());
                if !list.contains(&p) {
                    list.push(p);
                }
            }
            let large = chain.revisions.len() > SYNC_SCRIPTS;
            self.chain = chain;
            self.chain_state = ChainState::Unsent;
            if large {
                // Worked out: drawn (and the live autogenerate run) in the
                // next task, so the two are not one long task.
                self.emit(Action::Problems(problems));
                self.analyse_next_task();
                measure_since("alembic:analyse", start);
                return;
            }
        }
        if self.chain_state == ChainState::Unsent {
            self.chain_state = ChainState::Sent;
            let current = self.current_versions();
            self.emit_chain(&current);
        }
        let dirty = std::mem::take(&mut self.dirty);
        if dirty.contains(MODELS) {
            if self.host.models.len() > LIVE_MODELS_LIMIT && !std::mem::take(&mut self.analyse_large) {
                let paused = PreviewView { paused: Some(self.host.models.len()), ..Default::default() };
                problems.insert(MODELS.to_string(), Vec::new());
                self.emit(Action::Preview(paused));
            } else {
                let (preview, models_problems, raised) = self.preview();
                problems.insert(MODELS.to_string(), models_problems);
                self.emit(Action::Preview(preview));
                // every module's problems again: where the import raised may have moved
                let before = std::mem::replace(&mut self.module_raised, raised);
                problems.extend(before.into_keys().map(|path| (path, Vec::new())));
                problems.extend(self.module_problems(self.host.modules.keys().cloned().collect()));
            }
        }
        let modules: Vec<String> = dirty.iter().filter(|p| is_module_path(p)).cloned().collect();
        problems.extend(self.module_problems(modules));
        self.emit(Action::Problems(problems));
        self.last_analysis_ms = now_ms() - start;
        measure_since("alembic:analyse", start);
    }

    /// Analyses models.py now, whatever its size (the pane's `Analyse now`).
    pub fn analyse_models_now(&mut self) {
        self.analyse_large = true;
        self.dirty.insert(MODELS.to_string());
        self.analyse_now();
    }

    /// The live autogenerate, models.py's problems, and the problems its
    /// import raised inside the modules (path → problems).
    fn preview(&mut self) -> (PreviewView, Vec<Problem>, BTreeMap<String, Vec<Problem>>) {
        self.reflect();
        let loader = engine::command::Host::module_loader(&self.host);
        let conn = match self.reflected.as_ref() {
            Some(Ok(r)) => &r.conn,
            Some(Err(e)) => {
                let blocked = PreviewView { blocked: Some(format!("The database cannot be read: {e}")), ..Default::default() };
                return (blocked, vec![], BTreeMap::new());
            }
            None => unreachable!("reflected was just set"),
        };
        let start = now_ms();
        let (preview, teardown) = project::preview_deferred(&self.host.models, conn, loader);
        measure_since("alembic:autogenerate", start);
        // Freeing the evaluation's objects is a sixth of its cost: done in a
        // task of its own, after the pane has its preview, not before. (A
        // new preview replaces the task; the queue keeps what it had to free.)
        self.garbage.push(teardown);
        let me = self.me.clone();
        self.teardown = Some(Timeout::new(0, move || {
            if let Some(bridge) = me.upgrade() {
                let garbage = with(&bridge, |b| {
                    b.teardown = None;
                    std::mem::take(&mut b.garbage)
                });
                drop(garbage);
            }
        }));
        let mut raised: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
        let mut problems: Vec<Problem> = Vec::new();
        for p in preview.problems.iter().cloned() {
            if p.path == MODELS {
                problems.push(to_problem(p));
            } else if self.host.modules.contains_key(&p.path) {
                raised.entry(p.path.clone()).or_default().push(to_problem(p));
            }
        }
        let blocked = preview
            .problems
            .iter()
            .find(|p| p.error)
            .map(|p| format!("models.py:{}:{}: {}", p.line, p.column, p.message));
        let mut current = self.current_versions();
        engine::sort::sort(&mut current);
        let mut heads = self.heads.clone();
        engine::sort::sort(&mut heads);
        let view = PreviewView {
            upgrade: preview.upgrade,
            op_count: preview.op_count,
            detected: preview.detected,
            blocked,
            not_at_head: current != heads,
            paused: None,
        };
        (view, problems, raised)
    }

    /// The problems of these modules: their syntax errors (found once per
    /// text), then what the last import of models.py raised in them.
    fn module_problems(&mut self, paths: Vec<String>) -> BTreeMap<String, Vec<Problem>> {
        let mut found = BTreeMap::new();
        for path in paths {
            let Some(text) = self.host.modules.get(&path) else {
                found.insert(path, Vec::new());
                continue;
            };
            let syntax = match self.module_syntax.get(&path) {
                Some((checked, problems)) if checked == text => problems.clone(),
                _ => {
                    let parsed = engine::python::parse_module(text);
                    // Python reports the first syntax error only
                    let problems: Vec<Problem> = parsed
                        .diagnostics
                        .iter()
                        .find(|d| d.severity == engine::python::Severity::Error)
                        .map(|d| Problem { line: d.line, column: d.column, error: true, message: d.message.clone() })
                        .into_iter()
                        .collect();
                    self.module_syntax.insert(path.clone(), (text.clone(), problems.clone()));
                    problems
                }
            };
            let mut list = syntax;
            for p in self.module_raised.get(&path).into_iter().flatten() {
                if !list.contains(p) {
                    list.push(p.clone());
                }
            }
            found.insert(path, list);
        }
        found
    }

    /// Brings the scripts' imports up to date with the files: when a change
    /// reached a module the scripts imported (or could not), every script is
    /// loaded again, as a fresh `alembic` process would.
    fn sync_modules(&mut self) {
        if self.host.sync_modules() {
            self.loaded.clear();
            self.dirty.extend(self.host.versions.keys().map(|n| format!("versions/{n}")));
        }
    }

    // ------------------------------------------------------------- modules

    /// Adds the module `path` to the project (`text`; empty for a new file)
    /// and opens it. Undoable.
    pub fn add_module(&mut self, path: &str, text: &str) -> Result<(), String> {
        let path = path.trim();
        if let Some(e) = module_path_error(path) {
            return Err(e);
        }
        if self.host.modules.contains_key(path) {
            return Err(format!("{path} already exists"));
        }
        let before = self.snapshot(&format!("add {path}"), true).map_err(|e| e.message)?;
        self.host.modules.insert(path.to_string(), text.to_string());
        self.push_undo_if_changed(before, true);
        self.after_modules_changed(Some(path));
        Ok(())
    }

    /// Renames the module `from` to `to` and opens it. Undoable.
    pub fn rename_module(&mut self, from: &str, to: &str) -> Result<(), String> {
        let to = to.trim();
        if from == to {
            return Ok(());
        }
        if !self.host.modules.contains_key(from) {
            return Err(format!("no such module: {from}"));
        }
        if let Some(e) = module_path_error(to) {
            return Err(e);
        }
        if self.host.modules.contains_key(to) {
            return Err(format!("{to} already exists"));
        }
        let before = self.snapshot(&format!("rename {from} to {to}"), true).map_err(|e| e.message)?;
        let text = self.host.modules.remove(from).unwrap_or_default();
        self.host.modules.insert(to.to_string(), text);
        self.push_undo_if_changed(before, true);
        self.after_modules_changed(Some(to));
        Ok(())
    }

    /// Deletes the module `path`. Undoable.
    pub fn delete_module(&mut self, path: &str) -> Result<(), String> {
        if !self.host.modules.contains_key(path) {
            return Err(format!("no such module: {path}"));
        }
        let before = self.snapshot(&format!("delete {path}"), true).map_err(|e| e.message)?;
        self.host.modules.remove(path);
        self.push_undo_if_changed(before, true);
        self.after_modules_changed(None);
        Ok(())
    }

    /// The editor pane's add / rename / delete of a module.
    pub fn file_intent(&mut self, intent: crate::ui::store::FileIntent) -> Result<(), String> {
        use crate::ui::store::FileIntent;
        match intent {
            FileIntent::Add { path } => self.add_module(&path, ""),
            FileIntent::Rename { from, to } => self.rename_module(&from, &to),
            FileIntent::Delete { path } => self.delete_module(&path),
        }
    }

    fn after_modules_changed(&mut self, open: Option<&str>) {
        self.module_syntax.clear();
        self.emit(Action::FilesChanged(self.store_files()));
        if let Some(path) = open {
            self.emit(Action::OpenFile(path.to_string()));
        }
        self.dirty.insert(MODELS.to_string());
        self.dirty.extend(self.host.modules.keys().cloned());
        self.edits += 1;
        self.analyse_now();
        self.save_now();
    }

    // -------------------------------------------------------------- storage

    fn restore_saved(&mut self) -> bool {
        let Some(key) = self.storage_key.clone() else { return false };
        if !crate::ui::bindings::local_storage_available() {
            self.storage_failed("localStorage is not available here (disabled, or a sandboxed frame): your work stays in this tab but will not survive a reload.");
            return false;
        }
        let saved: Saved = match gloo_storage::LocalStorage::get(&key) {
            Ok(saved) => saved,
            Err(gloo_storage::errors::StorageError::KeyNotFound(_)) => return false,
            Err(gloo_storage::errors::StorageError::SerdeError(_)) => return false,
            Err(e) => {
                self.storage_failed(&format!("Saved work could not be read ({e}); starting from the example."));
                return false;
            }
        };
        let Some(image) = persist::base64_decode(&saved.database) else { return false };
        if self.host.db.restore(&image).is_err() {
            return false;
        }
        let Ok(split) = split_files(saved.files) else { return false };
        self.host.models = split.models.unwrap_or_default();
        self.host.versions = split.versions;
        self.host.modules = split.modules;
        self.example = saved.example;
        true
    }

    fn schedule_save(&mut self) {
        if self.storage_key.is_none() {
            return;
        }
        let delay = if self.project_chars() > LARGE_SAVE_CHARS { LARGE_SAVE_DELAY_MS } else { SAVE_DELAY_MS };
        let me = self.me.clone();
        self.save_timer = Some(Timeout::new(delay, move || {
            if let Some(bridge) = me.upgrade() {
                let _ = with(&bridge, |b| b.save_if_edited());
            }
        }));
    }

    /// Autosaves now, or for a project over [`LARGE_SAVE_CHARS`] (whose save
    /// is a long task of its own) after the longer pause, so a large project
    /// set or restored is not written in the same task.
    fn save_soon(&mut self) {
        if self.project_chars() > LARGE_SAVE_CHARS {
            self.edits += 1;
            self.schedule_save();
        } else {
            self.save_now();
        }
    }

    /// The files' size in characters (bytes: an upper bound, cheap to sum).
    fn project_chars(&self) -> usize {
        self.host.models.len()
            + self.host.versions.iter().chain(&self.host.modules).map(|(k, v)| k.len() + v.len()).sum::<usize>()
    }

    /// The typing pause's autosave: skipped when no edit came since the last
    /// save (a command saves at once, see [`Bridge::save_now`]).
    fn save_if_edited(&mut self) {
        if self.saved_edits != Some(self.edits) {
            self.save_now();
        } else {
            self.save_timer = None;
        }
    }

    /// Autosaves the project now (no-op without a storage name).
    pub fn save_now(&mut self) {
        self.save_timer = None;
        let Some(key) = self.storage_key.clone() else { return };
        if !crate::ui::bindings::local_storage_available() {
            return self.storage_failed("localStorage is not available here (disabled, or a sandboxed frame): your work stays in this tab but will not survive a reload.");
        }
        let chars = self.project_chars();
        if chars > STORAGE_CHARS {
            self.saved_edits = Some(self.edits);
            return self.storage_failed(&format!(
                "The project ({:.1} MB) is too large to autosave (a site's localStorage holds about 5 MB): your work stays in this tab but will not survive a reload.",
                chars as f64 / 1e6
            ));
        }
        let database = match self.host.db.export() {
            Ok(image) => persist::base64_encode(&image),
            Err(e) => return self.storage_failed(&format!("Autosave failed: {e}")),
        };
        let saved = Saved { files: self.files(), database, example: self.example.clone() };
        self.saved_edits = Some(self.edits);
        match gloo_storage::LocalStorage::set(&key, &saved) {
            Ok(()) => {
                if self.storage_failed {
                    self.storage_failed = false;
                    self.emit(Action::Notice(None));
                }
            }
            Err(e) => self.storage_failed(&format!(
                "Autosave to localStorage failed ({e}): your work stays in this tab but will not survive a reload."
            )),
        }
    }

    fn storage_failed(&mut self, message: &str) {
        if !self.storage_failed {
            self.storage_failed = true;
            self.emit(Action::Notice(Some(Notice { error: true, text: message.to_string() })));
        }
    }

    /// Forgets the saved project and loads the default example.
    pub fn reset(&mut self) -> Result<(), String> {
        if let Some(key) = &self.storage_key {
            if crate::ui::bindings::local_storage_available() {
                gloo_storage::LocalStorage::delete(key);
            }
        }
        self.load_example(examples::DEFAULT)
    }
}

/// A project in the `files()` shape, split as the host holds it.
#[derive(Default)]
struct SplitFiles {
    models: Option<String>,
    /// `versions/` file name → text.
    versions: BTreeMap<String, String>,
    /// Module path → text.
    modules: BTreeMap<String, String>,
}

/// `files()`-shaped files as models.py, `versions/` and the modules.
fn split_files(files: BTreeMap<String, String>) -> Result<SplitFiles, String> {
    let mut split = SplitFiles::default();
    for (path, text) in files {
        if path == MODELS {
            split.models = Some(text);
        } else if let Some(name) = path.strip_prefix("versions/").filter(|n| !n.is_empty() && !n.contains('/')) {
            split.versions.insert(name.to_string(), text);
        } else if let Some(e) = module_path_error(&path) {
            return Err(format!("{path:?} is neither models.py, versions/<file> nor a module of the project: {e}"));
        } else {
            split.modules.insert(path, text);
        }
    }
    Ok(split)
}

fn to_problem(p: project::FileProblem) -> Problem {
    Problem { line: p.line, column: p.column, error: p.error, message: p.message }
}
