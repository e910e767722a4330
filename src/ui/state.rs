//! The playground's session history as a pure reducer: the output log, the
//! undo stack and the selected migration script.
//!
//! Invariants:
//! - No web types: this module compiles and is tested natively.
//! - The reducer never touches the database or the files; what must happen
//!   outside (restore a database image and the `versions/` files) comes back
//!   as an [`Effect`], which the caller applies.
//! - Every command and every database-changing `sql()` call pushes the
//!   [`Snapshot`] taken just before it; [`Action::Undo`] pops exactly one.
//!   "In the browser every command can be undone."
//! - `models.py` is not part of a snapshot: no alembic command writes it, so
//!   undoing a command leaves the editor as the person left it.

use std::collections::BTreeMap;

use engine::command::Output;

/// How many undo steps are kept (each holds a whole database image).
pub const UNDO_LIMIT: usize = 50;
/// How many output entries are kept.
pub const LOG_LIMIT: usize = 200;

/// The database image and the `versions/` files from just before a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// What the change was, e.g. `upgrade head`; shown on the Undo button.
    pub label: String,
    /// The SQLite database file (sql.js `db.export()`).
    pub database: Vec<u8>,
    /// `versions/*.py`: file name → text.
    pub versions: BTreeMap<String, String>,
}

/// What produced a log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// An alembic command line (`alembic upgrade head`).
    Command,
    /// SQL run through the JS API's `sql()`.
    Sql,
    /// An undo of the change named in the entry.
    Undo,
}

/// One entry of the output panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Increasing from 1; stable keys for rendering.
    pub id: u64,
    pub kind: EntryKind,
    /// The command line without the word `alembic`, the SQL, or the undone label.
    pub text: String,
    pub output: Output,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// An alembic command ran. `before` was taken just before it;
    /// `versions_after` are the file names of `versions/` after it.
    CommandRan { command: String, before: Snapshot, output: Output, versions_after: Vec<String> },
    /// `sql()` ran; `before` is `Some` when it changed the database.
    SqlRan { sql: String, before: Option<Snapshot>, output: Output },
    /// Undo the newest change.
    Undo,
    /// Show this script in the scripts panel.
    SelectScript(String),
    /// The `versions/` file names changed outside a command (after an undo).
    VersionsListed(Vec<String>),
    ClearLog,
}

/// Work the caller must do after [`State::reduce`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Replace the live database with this image and `versions/` with these files.
    Restore { database: Vec<u8>, versions: BTreeMap<String, String> },
}

/// The session history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct State {
    /// Oldest first, at most [`LOG_LIMIT`].
    pub log: Vec<LogEntry>,
    /// Newest last, at most [`UNDO_LIMIT`].
    pub undo: Vec<Snapshot>,
    /// The script shown in the scripts panel (a `versions/` file name).
    pub selected_script: Option<String>,
    next_id: u64,
}

impl State {
    pub fn new() -> Self {
        State::default()
    }

    /// The label of the change Undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Applies `action`; returns what the caller must do to the outside world.
    pub fn reduce(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::CommandRan { command, before, output, versions_after } => {
                let created = versions_after.iter().filter(|name| !before.versions.contains_key(*name)).max().cloned();
                self.push_undo(before);
                self.push_log(EntryKind::Command, command, output);
                match created {
                    Some(name) => self.selected_script = Some(name),
                    None => self.keep_selection_valid(&versions_after),
                }
                Vec::new()
            }
            Action::SqlRan { sql, before, output } => {
                if let Some(before) = before {
                    self.push_undo(before);
                }
                self.push_log(EntryKind::Sql, sql, output);
                Vec::new()
            }
            Action::Undo => match self.undo.pop() {
                Some(snapshot) => {
                    let names: Vec<String> = snapshot.versions.keys().cloned().collect();
                    let output =
                        Output { exit_code: 0, stdout: format!("Undid `{}`.\n", snapshot.label), stderr: String::new() };
                    self.push_log(EntryKind::Undo, snapshot.label.clone(), output);
                    self.keep_selection_valid(&names);
                    vec![Effect::Restore { database: snapshot.database, versions: snapshot.versions }]
                }
                None => Vec::new(),
            },
            Action::SelectScript(name) => {
                self.selected_script = Some(name);
                Vec::new()
            }
            Action::VersionsListed(names) => {
                self.keep_selection_valid(&names);
                Vec::new()
            }
            Action::ClearLog => {
                self.log.clear();
                Vec::new()
            }
        }
    }

    fn push_undo(&mut self, snapshot: Snapshot) {
        self.undo.push(snapshot);
        if self.undo.len() > UNDO_LIMIT {
            let excess = self.undo.len() - UNDO_LIMIT;
            self.undo.drain(..excess);
        }
    }

    fn push_log(&mut self, kind: EntryKind, text: String, output: Output) {
        self.next_id += 1;
        self.log.push(LogEntry { id: self.next_id, kind, text, output });
        if self.log.len() > LOG_LIMIT {
            let excess = self.log.len() - LOG_LIMIT;
            self.log.drain(..excess);
        }
    }

    /// Keeps the selection when its file still exists, else selects the last file.
    fn keep_selection_valid(&mut self, names: &[String]) {
        let still_there = self.selected_script.as_ref().is_some_and(|s| names.contains(s));
        if !still_there {
            self.selected_script = names.iter().max().cloned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(names: &[&str]) -> BTreeMap<String, String> {
        names.iter().map(|n| (n.to_string(), format!("# {n}\n"))).collect()
    }

    fn snapshot(label: &str, db: u8, names: &[&str]) -> Snapshot {
        Snapshot { label: label.into(), database: vec![db], versions: versions(names) }
    }

    fn ok(stdout: &str) -> Output {
        Output { exit_code: 0, stdout: stdout.into(), stderr: String::new() }
    }

    fn ran(state: &mut State, command: &str, db: u8, before: &[&str], after: &[&str]) -> Vec<Effect> {
        state.reduce(Action::CommandRan {
            command: command.into(),
            before: snapshot(command, db, before),
            output: ok("done\n"),
            versions_after: after.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn a_command_pushes_its_snapshot_and_logs_its_output() {
        let mut state = State::new();
        let effects = ran(&mut state, "upgrade head", 7, &[], &[]);
        assert_eq!(effects, vec![]);
        assert_eq!(state.undo, vec![snapshot("upgrade head", 7, &[])]);
        assert_eq!(state.undo_label(), Some("upgrade head"));
        assert_eq!(state.log.len(), 1);
        assert_eq!(state.log[0].kind, EntryKind::Command);
        assert_eq!(state.log[0].text, "upgrade head");
        assert_eq!(state.log[0].output.stdout, "done\n");
    }

    #[test]
    fn a_new_script_becomes_the_selected_one() {
        let mut state = State::new();
        ran(&mut state, "revision -m a", 0, &[], &["aaa_a.py"]);
        assert_eq!(state.selected_script.as_deref(), Some("aaa_a.py"));
        state.reduce(Action::SelectScript("aaa_a.py".into()));
        ran(&mut state, "revision -m b", 0, &["aaa_a.py"], &["aaa_a.py", "bbb_b.py"]);
        assert_eq!(state.selected_script.as_deref(), Some("bbb_b.py"));
        // A command that writes nothing keeps the selection.
        state.reduce(Action::SelectScript("aaa_a.py".into()));
        ran(&mut state, "upgrade head", 0, &["aaa_a.py", "bbb_b.py"], &["aaa_a.py", "bbb_b.py"]);
        assert_eq!(state.selected_script.as_deref(), Some("aaa_a.py"));
    }

    #[test]
    fn undo_restores_the_newest_snapshot_once() {
        let mut state = State::new();
        ran(&mut state, "revision --autogenerate -m a", 1, &[], &["aaa_a.py"]);
        ran(&mut state, "upgrade head", 2, &["aaa_a.py"], &["aaa_a.py"]);
        let effects = state.reduce(Action::Undo);
        assert_eq!(effects, vec![Effect::Restore { database: vec![2], versions: versions(&["aaa_a.py"]) }]);
        assert_eq!(state.undo_label(), Some("revision --autogenerate -m a"));
        let effects = state.reduce(Action::Undo);
        assert_eq!(effects, vec![Effect::Restore { database: vec![1], versions: versions(&[]) }]);
        // The script the first command wrote is gone: nothing to select.
        assert_eq!(state.selected_script, None);
        assert_eq!(state.reduce(Action::Undo), vec![]);
        assert!(!state.can_undo());
        let kinds: Vec<EntryKind> = state.log.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, vec![EntryKind::Command, EntryKind::Command, EntryKind::Undo, EntryKind::Undo]);
        assert_eq!(state.log[2].text, "upgrade head");
    }

    #[test]
    fn a_failed_command_is_undoable_too() {
        // A failing migration on SQLite may leave half its DDL behind
        // (non-transactional DDL): its snapshot is what undo brings back.
        let mut state = State::new();
        state.reduce(Action::CommandRan {
            command: "upgrade head".into(),
            before: snapshot("upgrade head", 3, &[]),
            output: Output { exit_code: 1, stdout: String::new(), stderr: "FAILED\n".into() },
            versions_after: vec![],
        });
        assert!(state.can_undo());
        assert_eq!(state.log[0].output.exit_code, 1);
    }

    #[test]
    fn sql_pushes_a_snapshot_only_when_it_changed_the_database() {
        let mut state = State::new();
        state.reduce(Action::SqlRan { sql: "SELECT 1".into(), before: None, output: ok("1 row\n") });
        assert!(!state.can_undo());
        state.reduce(Action::SqlRan {
            sql: "INSERT INTO tag (name) VALUES ('x')".into(),
            before: Some(snapshot("INSERT INTO tag (name) VALUES ('x')", 4, &[])),
            output: ok("1 row changed\n"),
        });
        assert_eq!(state.undo_label(), Some("INSERT INTO tag (name) VALUES ('x')"));
        assert_eq!(state.log.iter().filter(|e| e.kind == EntryKind::Sql).count(), 2);
    }

    #[test]
    fn undo_and_log_are_bounded() {
        let mut state = State::new();
        for i in 0..(LOG_LIMIT + 5) {
            ran(&mut state, &format!("cmd {i}"), 0, &[], &[]);
        }
        assert_eq!(state.undo.len(), UNDO_LIMIT);
        assert_eq!(state.undo[0].label, format!("cmd {}", LOG_LIMIT + 5 - UNDO_LIMIT));
        assert_eq!(state.log.len(), LOG_LIMIT);
        assert_eq!(state.log[0].text, "cmd 5");
        // Ids keep increasing across the trim.
        assert_eq!(state.log.last().map(|e| e.id), Some((LOG_LIMIT + 5) as u64));
    }

    #[test]
    fn versions_listed_fixes_a_dangling_selection() {
        let mut state = State::new();
        state.reduce(Action::SelectScript("gone.py".into()));
        state.reduce(Action::VersionsListed(vec!["a.py".into(), "b.py".into()]));
        assert_eq!(state.selected_script.as_deref(), Some("b.py"));
        state.reduce(Action::ClearLog);
        assert!(state.log.is_empty());
    }
}
