//! The one playground session of the page, shared by the Yew UI and the JS
//! API (`window.alembicPlayground`): what one does, the other shows.
//!
//! Invariants:
//! - One `Session` per page, in a thread-local; every change goes through the
//!   functions here, which then notify the subscribed views.
//! - Each alembic command line runs through `engine::command::run_line`
//!   (split like a shell, then `command::run`), exactly as the native CLI does; before it, the database image and `versions/` are
//!   snapshotted for undo (`state::Action::CommandRan`).
//! - The session is never borrowed while views are notified (a view reads it
//!   while rendering).

use std::cell::RefCell;
use std::rc::Rc;

use engine::command::{self, Output};
use engine::db::DbError;

use crate::platform::sqljs::{BrowserHost, SqlJsDatabase, SqlJsModule};
use crate::ui::inspect::{self, SchemaView};
use crate::ui::state::{Action, Effect, Snapshot, State};

/// The example `models.py` the editor starts with.
pub const EXAMPLE_MODELS: &str = include_str!("../../static/examples/blog.py");

pub struct Session {
    pub host: BrowserHost,
    pub state: State,
    /// The live schema, re-read after every change; `Err` holds SQLite's message.
    pub schema: Result<SchemaView, String>,
    /// `alembic_version` rows, re-read after every change.
    pub heads: Vec<String>,
}

type Listener = Rc<dyn Fn()>;

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    static LISTENERS: RefCell<Vec<(u32, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: RefCell<u32> = const { RefCell::new(0) };
}

/// Creates the session over a fresh, empty sql.js database.
pub fn init(module: SqlJsModule) -> Result<(), DbError> {
    let db = SqlJsDatabase::open(module)?;
    let mut session = Session {
        host: BrowserHost { models: EXAMPLE_MODELS.to_string(), versions: Default::default(), db },
        state: State::new(),
        schema: Ok(SchemaView::default()),
        heads: Vec::new(),
    };
    session.refresh();
    SESSION.with(|s| *s.borrow_mut() = Some(session));
    Ok(())
}

impl Session {
    fn refresh(&mut self) {
        self.schema = inspect::inspect(&mut self.host.db).map_err(|e| e.message);
        self.heads = inspect::alembic_versions(&mut self.host.db).unwrap_or_default();
    }

    fn snapshot(&self, label: &str) -> Result<Snapshot, DbError> {
        Ok(Snapshot { label: label.to_string(), database: self.host.db.export()?, versions: self.host.versions.clone() })
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Restore { database, versions } => {
                    if let Err(e) = self.host.db.restore(&database) {
                        let output = Output { exit_code: 1, stdout: String::new(), stderr: format!("{e}\n") };
                        self.state.reduce(Action::SqlRan { sql: "-- undo".into(), before: None, output });
                    }
                    self.host.versions = versions;
                }
            }
        }
    }
}

/// Runs `f` on the session (`None` before `init`), then notifies the views when `changed`.
fn update<R>(changed: bool, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    let result = SESSION.with(|s| s.borrow_mut().as_mut().map(f));
    if changed && result.is_some() {
        notify();
    }
    result
}

/// Reads the session (`None` before `init`).
pub fn read<R>(f: impl FnOnce(&Session) -> R) -> Option<R> {
    SESSION.with(|s| s.borrow().as_ref().map(f))
}

/// Calls `listener` after every change until the returned id is unsubscribed.
pub fn subscribe(listener: Listener) -> u32 {
    let id = NEXT_LISTENER.with(|n| {
        let mut n = n.borrow_mut();
        *n += 1;
        *n
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, listener)));
    id
}

pub fn unsubscribe(id: u32) {
    LISTENERS.with(|l| l.borrow_mut().retain(|(i, _)| *i != id));
}

fn notify() {
    let listeners: Vec<Listener> = LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener();
    }
}

/// Runs one alembic command line (`alembic` prefix optional) and records it.
pub fn run_command(line: &str) -> Output {
    let line = line.trim();
    // Shown as `$ alembic <line>`: drop a typed `alembic` word.
    let line = match line.strip_prefix("alembic") {
        Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => line,
    };
    let outcome = update(true, |session| {
        let before = match session.snapshot(line) {
            Ok(before) => before,
            Err(e) => return Output { exit_code: 1, stdout: String::new(), stderr: format!("{e}\n") },
        };
        let output = command::run_line(&mut session.host, line);
        let versions_after = session.host.versions.keys().cloned().collect();
        session.state.reduce(Action::CommandRan {
            command: line.to_string(),
            before,
            output: output.clone(),
            versions_after,
        });
        session.refresh();
        output
    });
    outcome.unwrap_or_else(not_ready)
}

fn not_ready() -> Output {
    Output { exit_code: 1, stdout: String::new(), stderr: "The playground is still loading.\n".into() }
}

/// Runs SQL on the live database (`sql()` of the JS API): the rows of the
/// last statement that returned rows. A change to the database is undoable.
pub fn run_sql(sql: &str) -> Result<(Vec<String>, Vec<js_sys::Array>), String> {
    update(true, |session| {
        let before = session.snapshot(sql).map_err(|e| e.message)?;
        let (changes_before, schema_before) = (total_changes(session), schema_version(session));
        let result = session.host.db.exec_rows(sql);
        let changes = total_changes(session) - changes_before;
        let changed = changes != 0 || schema_version(session) != schema_before;
        let output = match &result {
            Ok((_, rows)) if !rows.is_empty() || !changed => {
                Output { exit_code: 0, stdout: format!("{} row(s)\n", rows.len()), stderr: String::new() }
            }
            Ok(_) if changes != 0 => {
                Output { exit_code: 0, stdout: format!("{changes} row(s) changed\n"), stderr: String::new() }
            }
            Ok(_) => Output { exit_code: 0, stdout: "schema changed\n".into(), stderr: String::new() },
            Err(e) => Output { exit_code: 1, stdout: String::new(), stderr: format!("{e}\n") },
        };
        session.state.reduce(Action::SqlRan { sql: sql.to_string(), before: changed.then_some(before), output });
        session.refresh();
        result.map_err(|e| e.message)
    })
    .unwrap_or_else(|| Err("The playground is still loading.".into()))
}

fn total_changes(session: &mut Session) -> i64 {
    use engine::db::Database;
    session.host.db.query("SELECT total_changes() AS n").ok().and_then(|r| r.get(0, "n").as_i64()).unwrap_or(0)
}

fn schema_version(session: &mut Session) -> i64 {
    use engine::db::Database;
    session.host.db.query("PRAGMA schema_version").ok().and_then(|r| r.rows.first()?.first()?.as_i64()).unwrap_or(0)
}

/// Sets the text of `models.py`.
pub fn set_models(text: &str) {
    update(true, |session| session.host.models = text.to_string());
}

pub fn models() -> String {
    read(|session| session.host.models.clone()).unwrap_or_default()
}

/// Undoes the newest change; `false` when there was nothing to undo.
pub fn undo() -> bool {
    update(true, |session| {
        let effects = session.state.reduce(Action::Undo);
        let undid = !effects.is_empty();
        session.apply(effects);
        let names = session.host.versions.keys().cloned().collect();
        session.state.reduce(Action::VersionsListed(names));
        session.refresh();
        undid
    })
    .unwrap_or(false)
}

pub fn select_script(name: &str) {
    update(true, |session| {
        session.state.reduce(Action::SelectScript(name.to_string()));
    });
}

pub fn clear_log() {
    update(true, |session| {
        session.state.reduce(Action::ClearLog);
    });
}
