//! The playground's state as a pure store: [`State`] plus [`Action`]s, and
//! one reducer, [`State::apply`]. The root component owns it (`use_reducer`);
//! the bridge (`ui::bridge`, which owns sql.js and the engine) turns what it
//! did into result actions.
//!
//! Invariants:
//! - No web types: this module compiles and is tested natively.
//! - The reducer never touches the database, the files of the host or the
//!   clock; everything it learns comes in an action.
//! - Every slice a component reads is behind an `Rc`, replaced (never
//!   mutated in place) when it changes, so a component whose slice did not
//!   change compares equal by pointer and does not re-render.
//! - The files here mirror the bridge's host: the bridge is the one that
//!   runs commands on them and reports them back with `FilesChanged`; an
//!   edit in an editor goes to the bridge first, then comes here as
//!   `FileEdited`.

use std::collections::BTreeMap;
use std::rc::Rc;

use engine::command::Output;
use engine::db::QueryResult;
use engine::schema::{MetaData, Table};
use engine::schema_diff::SchemaDiff;

use crate::ui::inspect::SchemaView;
pub use crate::ui::views::chain_model::ChainRevision;

/// How many output entries are kept.
pub const LOG_LIMIT: usize = 200;
/// How many SQL log entries the page keeps for display.
pub const SQL_LOG_LIMIT: usize = 1000;
/// How many command lines the terminal remembers.
pub const HISTORY_LIMIT: usize = 100;

/// The path of the models file.
pub const MODELS: &str = "models.py";

/// `models.py`, `versions/<file>` and the project's own modules
/// (`helpers.py`, `myapp/types.py`): path → text.
pub type Files = BTreeMap<String, Rc<str>>;

/// A revision script's path (`versions/<file>`).
pub fn is_script_path(path: &str) -> bool {
    path.starts_with("versions/")
}

/// A project module's path: neither models.py nor a script.
pub fn is_module_path(path: &str) -> bool {
    path != MODELS && !is_script_path(path)
}

/// Why `path` cannot be a module of the project (`None`: it can): a
/// relative `/`-separated path to a `.py` file whose folders and name are
/// Python identifiers, so that `import` reaches it by its path
/// (`myapp/types.py` is `myapp.types`), other than models.py and the
/// scripts of `versions/`.
pub fn module_path_error(path: &str) -> Option<String> {
    let Some(stem) = path.strip_suffix(".py") else {
        return Some(format!("{path:?} is not a Python file: a module's name ends in .py"));
    };
    if path == MODELS {
        return Some("models.py is the models file, not a module of its own".to_string());
    }
    if is_script_path(path) || path == "versions" {
        return Some(format!("{path:?} is in versions/: revision files are made with `revision`"));
    }
    let is_identifier = |part: &str| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
    };
    match stem.split('/').find(|part| !is_identifier(part)) {
        Some(part) => Some(format!(
            "{path:?} cannot be imported by its path: {part:?} is not a Python name (letters, digits and _, not starting with a digit; folders separated by /)"
        )),
        None => None,
    }
}

/// A change to the project's modules asked for in the editor pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileIntent {
    /// A new, empty module at this path.
    Add { path: String },
    Rename { from: String, to: String },
    Delete { path: String },
}

/// What produced a log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// An alembic command line (`alembic upgrade head`).
    Command,
    /// SQL run through the JS API's `sql()` or an example step.
    Sql,
    /// An undo of the change named in the entry.
    Undo,
    /// A message of the playground itself (example loaded, storage full, ...).
    Note,
}

/// One entry of the terminal's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Increasing from 1; stable keys for rendering.
    pub id: u64,
    pub kind: EntryKind,
    /// The command line without the word `alembic`, the SQL, or the undone label.
    pub text: String,
    pub output: Output,
    /// Wall time of the command in milliseconds.
    pub ms: u32,
}

/// One statement the database executed, with its time.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlEntry {
    pub sql: String,
    pub ms: f64,
    /// The error SQLite raised, if any.
    pub error: Option<String>,
}

/// A problem in a file at a position (from `engine::command::project`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u32,
    pub column: u32,
    pub error: bool,
    pub message: String,
}

/// What the live database holds, as read after every change.
#[derive(Debug, Clone, PartialEq)]
pub struct DbView {
    /// PRAGMA view of the schema; `Err` holds SQLite's message.
    pub schema: Result<SchemaView, String>,
    /// `alembic_version` rows.
    pub versions: Vec<String>,
}

impl Default for DbView {
    fn default() -> Self {
        DbView { schema: Ok(SchemaView::default()), versions: Vec::new() }
    }
}

/// The live autogenerate pane.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreviewView {
    /// The `upgrade()` body autogenerate would write now.
    pub upgrade: String,
    pub op_count: usize,
    pub detected: Vec<String>,
    /// Why there is no preview (models.py does not load, ...).
    pub blocked: Option<String>,
    /// The database is not at head: `revision --autogenerate` would refuse.
    pub not_at_head: bool,
    /// models.py is this many bytes, over the size analysed as you type:
    /// the pane waits for a click (`Analyse now`).
    pub paused: Option<usize>,
}

/// The rows of the table shown in the data grid.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsSlice {
    pub table: Rc<Table>,
    pub rows: Rc<QueryResult>,
    /// The row count, when the grid shows fewer.
    pub total: Option<usize>,
    pub error: Option<String>,
}

/// A comparison of the schema at two revisions (`None`: base).
#[derive(Debug, Clone, PartialEq)]
pub struct CompareSlice {
    pub from: Option<String>,
    pub to: Option<String>,
    pub diff: Rc<SchemaDiff>,
    pub error: Option<String>,
}

/// A migration being run an operation at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSlice {
    pub upgrade: bool,
    pub revision: String,
    pub description: String,
    pub ops: Vec<crate::ui::views::steps_model::StepOp>,
    /// Operations run so far.
    pub cursor: usize,
    /// The version table was updated: the step is complete.
    pub finished: bool,
}

/// The schema at a revision picked on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineSlice {
    pub at: Option<String>,
    pub schema: Rc<MetaData>,
    /// What changed from the previous stop, and the schema there.
    pub diff: Rc<SchemaDiff>,
    pub before: Rc<MetaData>,
    pub error: Option<String>,
}

/// A message above everything (a panic, storage that failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

/// The state of one playground.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub files: Rc<Files>,
    /// The file shown in the editor.
    pub open_file: String,
    /// Oldest first, at most [`LOG_LIMIT`].
    pub log: Rc<Vec<LogEntry>>,
    /// Terminal history, oldest first, no two equal neighbours.
    pub history: Rc<Vec<String>>,
    /// Newest last, at most [`SQL_LOG_LIMIT`].
    pub sql_log: Rc<Vec<SqlEntry>>,
    /// Labels of the undo stack, newest last (the images live in the bridge).
    pub undo: Rc<Vec<String>>,
    pub db: Rc<DbView>,
    /// path → problems (only files that have some).
    pub problems: Rc<BTreeMap<String, Vec<Problem>>>,
    pub preview: Rc<PreviewView>,
    /// The revision chain in `alembic history` order, head/current marked.
    pub chain: Rc<Vec<ChainRevision>>,
    /// The live schema as autogenerate reflects it (the ER diagram).
    pub live: Rc<MetaData>,
    /// What the last command or SQL did to the schema: its label, the diff
    /// and the schema before it.
    pub last_change: Option<(String, Rc<SchemaDiff>, Rc<MetaData>)>,
    /// The table shown in the data grid.
    pub selected_table: Option<String>,
    pub rows: Option<Rc<RowsSlice>>,
    pub compare: Option<Rc<CompareSlice>>,
    pub timeline: Option<Rc<TimelineSlice>>,
    /// The step-through in progress.
    pub stepping: Option<Rc<StepSlice>>,
    /// The example loaded last and how many of its steps were done.
    pub example: Option<(String, usize)>,
    /// The example `setFiles` replaced, with its progress, for an Undo of it.
    pub left_example: Option<(String, usize)>,
    pub notice: Option<Notice>,
    /// The permalink made last, shown until closed.
    pub permalink: Option<Permalink>,
    next_id: u64,
}

/// A permalink of the project (the files in the URL fragment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalink {
    pub url: String,
    /// It was copied to the clipboard (the browser may refuse).
    pub copied: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            files: Rc::new(Files::new()),
            open_file: MODELS.to_string(),
            log: Rc::default(),
            history: Rc::default(),
            sql_log: Rc::default(),
            undo: Rc::default(),
            db: Rc::new(DbView { schema: Ok(SchemaView::default()), versions: Vec::new() }),
            problems: Rc::default(),
            preview: Rc::default(),
            chain: Rc::default(),
            live: Rc::default(),
            last_change: None,
            selected_table: None,
            rows: None,
            compare: None,
            timeline: None,
            stepping: None,
            example: None,
            left_example: None,
            notice: None,
            permalink: None,
            next_id: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The host's files changed as a whole (a command wrote a script, an
    /// undo, `setFiles`, an example, a restore from storage).
    FilesChanged(Files),
    /// The person (or `setModels`) edited one file.
    FileEdited { path: String, text: Rc<str> },
    /// Show this file in the editor.
    OpenFile(String),
    /// An alembic command ran; `created` is the newest file it wrote.
    CommandRan { line: String, output: Output, ms: u32, created: Option<String> },
    /// SQL ran (`sql()` or an example step).
    SqlRan { sql: String, output: Output, ms: u32 },
    /// An undo restored the state before `label`.
    Undone { label: String },
    /// The bridge's undo stack, newest last.
    UndoStack(Vec<String>),
    /// The database was read after a change.
    DatabaseRead(DbView),
    /// Statements the database executed since the last report.
    SqlLogged(Vec<SqlEntry>),
    /// Problems of these files, replacing what was known of them.
    Problems(BTreeMap<String, Vec<Problem>>),
    Preview(PreviewView),
    Chain(Vec<ChainRevision>),
    /// The live schema was reflected after a change.
    LiveSchema(MetaData),
    /// What a command did to the schema.
    SchemaChanged { label: String, diff: SchemaDiff, before: MetaData },
    /// Show this table's rows (`None`: none).
    SelectTable(Option<String>),
    Rows(Option<RowsSlice>),
    Compared(CompareSlice),
    TimelineAt(TimelineSlice),
    /// The step-through changed (`None`: closed).
    Stepping(Option<StepSlice>),
    /// An example was loaded (its steps start at 0).
    ExampleLoaded { id: String, title: String },
    /// The project is no longer the loaded example's (`setFiles` replaced
    /// it): the guide's steps no longer apply.
    ExampleLeft,
    /// An Undo brought the example's project back: its guide, with the
    /// progress it had when it was left.
    ExampleResumed(String),
    /// A step of the loaded example was done.
    StepDone(usize),
    /// A message of the playground itself, in the log.
    Note { text: String, error: bool },
    Notice(Option<Notice>),
    /// A permalink was made (`None`: its bar was closed).
    Permalink(Option<Permalink>),
    ClearLog,
}

impl State {
    pub fn new() -> Self {
        State::default()
    }

    /// The text of `path`, empty when there is no such file.
    pub fn file(&self, path: &str) -> Rc<str> {
        self.files.get(path).cloned().unwrap_or_else(|| Rc::from(""))
    }

    /// The label of the change Undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(String::as_str)
    }

    /// Applies `action`.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::FilesChanged(files) => {
                if *self.files != files {
                    self.files = Rc::new(files);
                }
                self.keep_open_file_valid();
                let problems = Rc::make_mut(&mut self.problems);
                problems.retain(|path, _| self.files.contains_key(path));
            }
            Action::FileEdited { path, text } => {
                if self.files.get(&path) != Some(&text) {
                    Rc::make_mut(&mut self.files).insert(path, text);
                }
            }
            Action::OpenFile(path) => {
                if self.files.contains_key(&path) {
                    self.open_file = path;
                }
            }
            Action::CommandRan { line, output, ms, created } => {
                self.remember(&line);
                self.push_log(EntryKind::Command, line, output, ms);
                if let Some(path) = created {
                    if self.files.contains_key(&path) {
                        self.open_file = path;
                    }
                }
            }
            Action::SqlRan { sql, output, ms } => self.push_log(EntryKind::Sql, sql, output, ms),
            Action::Undone { label } => {
                let output = Output { exit_code: 0, stdout: format!("Undid `{label}`.\n"), stderr: String::new() };
                self.push_log(EntryKind::Undo, label, output, 0);
            }
            Action::UndoStack(labels) => {
                if *self.undo != labels {
                    self.undo = Rc::new(labels);
                }
            }
            Action::DatabaseRead(view) => {
                if *self.db != view {
                    self.db = Rc::new(view);
                }
            }
            Action::SqlLogged(entries) => {
                if !entries.is_empty() {
                    let log = Rc::make_mut(&mut self.sql_log);
                    log.extend(entries);
                    if log.len() > SQL_LOG_LIMIT {
                        let excess = log.len() - SQL_LOG_LIMIT;
                        log.drain(..excess);
                    }
                }
            }
            Action::Problems(by_path) => {
                let mut next = (*self.problems).clone();
                for (path, problems) in by_path {
                    if problems.is_empty() {
                        next.remove(&path);
                    } else {
                        next.insert(path, problems);
                    }
                }
                if next != *self.problems {
                    self.problems = Rc::new(next);
                }
            }
            Action::Preview(preview) => {
                if *self.preview != preview {
                    self.preview = Rc::new(preview);
                }
            }
            Action::Chain(chain) => {
                if *self.chain != chain {
                    self.chain = Rc::new(chain);
                }
            }
            Action::LiveSchema(md) => {
                if *self.live != md {
                    if let Some(t) = &self.selected_table {
                        if !md.tables.contains_key(t) {
                            self.selected_table = None;
                            self.rows = None;
                        }
                    }
                    self.live = Rc::new(md);
                }
            }
            Action::SchemaChanged { label, diff, before } => self.last_change = Some((label, Rc::new(diff), Rc::new(before))),
            Action::SelectTable(table) => {
                if table != self.selected_table {
                    self.rows = None;
                }
                self.selected_table = table;
            }
            Action::Rows(rows) => {
                let rows = rows.map(Rc::new);
                if self.rows != rows {
                    self.rows = rows;
                }
            }
            Action::Compared(c) => self.compare = Some(Rc::new(c)),
            Action::TimelineAt(t) => self.timeline = Some(Rc::new(t)),
            Action::Stepping(s) => self.stepping = s.map(Rc::new),
            Action::ExampleLoaded { id, title } => {
                self.example = Some((id, 0));
                let output = Output { exit_code: 0, stdout: format!("Loaded the example “{title}”.\n"), stderr: String::new() };
                self.push_log(EntryKind::Note, "example".into(), output, 0);
                self.open_file = MODELS.to_string();
                self.last_change = None;
                self.compare = None;
                self.timeline = None;
            }
            Action::ExampleLeft => self.left_example = self.example.take(),
            Action::ExampleResumed(id) => {
                let done = self.left_example.take().filter(|(left, _)| *left == id).map_or(0, |(_, done)| done);
                self.example = Some((id, done));
            }
            Action::StepDone(step) => {
                if let Some((_, done)) = &mut self.example {
                    *done = (*done).max(step + 1);
                }
            }
            Action::Note { text, error } => {
                let output = if error {
                    Output { exit_code: 1, stdout: String::new(), stderr: format!("{text}\n") }
                } else {
                    Output { exit_code: 0, stdout: format!("{text}\n"), stderr: String::new() }
                };
                self.push_log(EntryKind::Note, "note".into(), output, 0);
            }
            Action::Notice(notice) => self.notice = notice,
            Action::Permalink(link) => self.permalink = link,
            Action::ClearLog => self.log = Rc::default(),
        }
    }

    fn remember(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() || self.history.last().map(String::as_str) == Some(line) {
            return;
        }
        let history = Rc::make_mut(&mut self.history);
        history.push(line.to_string());
        if history.len() > HISTORY_LIMIT {
            let excess = history.len() - HISTORY_LIMIT;
            history.drain(..excess);
        }
    }

    fn push_log(&mut self, kind: EntryKind, text: String, output: Output, ms: u32) {
        self.next_id += 1;
        let log = Rc::make_mut(&mut self.log);
        log.push(LogEntry { id: self.next_id, kind, text, output, ms });
        if log.len() > LOG_LIMIT {
            let excess = log.len() - LOG_LIMIT;
            log.drain(..excess);
        }
    }

    /// The open file must exist: else (a script gone) the newest script,
    /// else models.py.
    fn keep_open_file_valid(&mut self) {
        if is_module_path(&self.open_file) && !self.files.contains_key(&self.open_file) {
            self.open_file = MODELS.to_string();
        } else if !self.files.contains_key(&self.open_file) {
            self.open_file = self
                .files
                .keys()
                .filter(|p| p.starts_with("versions/"))
                .max()
                .cloned()
                .unwrap_or_else(|| MODELS.to_string());
        }
    }
}

/// Where the terminal's history cursor goes on Up (`older`) or Down: `None`
/// is the fresh line being typed.
pub fn history_step(len: usize, cursor: Option<usize>, older: bool) -> Option<usize> {
    match (cursor, older) {
        (_, _) if len == 0 => None,
        (None, true) => Some(len - 1),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (None, false) => None,
        (Some(i), false) if i + 1 >= len => None,
        (Some(i), false) => Some(i + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Output {
        Output { exit_code: 0, stdout: text.into(), stderr: String::new() }
    }

    fn files(paths: &[&str]) -> Files {
        paths.iter().map(|p| (p.to_string(), Rc::from(format!("# {p}").as_str()))).collect()
    }

    #[test]
    fn a_command_logs_remembers_and_opens_what_it_wrote() {
        let mut s = State::new();
        s.apply(Action::FilesChanged(files(&["models.py", "versions/a_x.py"])));
        s.apply(Action::CommandRan {
            line: "revision -m x".into(),
            output: ok("Generating ... done\n"),
            ms: 3,
            created: Some("versions/a_x.py".into()),
        });
        assert_eq!(s.open_file, "versions/a_x.py");
        assert_eq!(s.log.len(), 1);
        assert_eq!(s.log[0].kind, EntryKind::Command);
        assert_eq!(*s.history, vec!["revision -m x".to_string()]);
        // the same line again is not a second history entry
        s.apply(Action::CommandRan { line: "revision -m x".into(), output: ok(""), ms: 1, created: None });
        assert_eq!(s.history.len(), 1);
        assert_eq!(s.log.len(), 2);
        assert!(s.log[1].id > s.log[0].id);
    }

    #[test]
    fn unchanged_slices_keep_their_pointer() {
        let mut s = State::new();
        s.apply(Action::FilesChanged(files(&["models.py"])));
        let (files_before, db_before, log_before) = (s.files.clone(), s.db.clone(), s.log.clone());
        s.apply(Action::FilesChanged(files(&["models.py"])));
        s.apply(Action::DatabaseRead(DbView { schema: Ok(SchemaView::default()), versions: vec![] }));
        s.apply(Action::Preview(PreviewView::default()));
        assert!(Rc::ptr_eq(&files_before, &s.files));
        assert!(Rc::ptr_eq(&db_before, &s.db));
        assert!(Rc::ptr_eq(&log_before, &s.log));
        // an edit replaces files, not the log
        s.apply(Action::FileEdited { path: "models.py".into(), text: Rc::from("x = 1") });
        assert!(!Rc::ptr_eq(&files_before, &s.files));
        assert!(Rc::ptr_eq(&log_before, &s.log));
        assert_eq!(&*s.file("models.py"), "x = 1");
    }

    #[test]
    fn the_open_file_stays_valid_after_files_change() {
        let mut s = State::new();
        s.apply(Action::FilesChanged(files(&["models.py", "versions/a.py", "versions/b.py"])));
        s.apply(Action::OpenFile("versions/a.py".into()));
        assert_eq!(s.open_file, "versions/a.py");
        s.apply(Action::OpenFile("versions/missing.py".into()));
        assert_eq!(s.open_file, "versions/a.py");
        s.apply(Action::FilesChanged(files(&["models.py", "versions/b.py"])));
        assert_eq!(s.open_file, "versions/b.py");
        s.apply(Action::FilesChanged(files(&["models.py"])));
        assert_eq!(s.open_file, "models.py");
    }

    #[test]
    fn module_paths_are_importable_python_files() {
        for ok in ["helpers.py", "myapp/__init__.py", "myapp/types.py", "ns/inner/_x1.py", "café.py"] {
            assert_eq!(module_path_error(ok), None, "{ok}");
            assert!(is_module_path(ok));
        }
        for (bad, why) in [
            ("helpers.txt", "is not a Python file"),
            ("models.py", "the models file"),
            ("versions/a_x.py", "in versions/"),
            ("my-app/types.py", "\"my-app\" is not a Python name"),
            ("1st.py", "\"1st\" is not a Python name"),
            ("/abs.py", "\"\" is not a Python name"),
            ("a//b.py", "\"\" is not a Python name"),
            ("../up.py", "\"..\" is not a Python name"),
            ("a/./b.py", "\".\" is not a Python name"),
            (".py", "\"\" is not a Python name"),
            ("a\\b.py", "is not a Python name"),
        ] {
            let e = module_path_error(bad).unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(!is_module_path(MODELS));
        assert!(!is_module_path("versions/a.py"));
    }

    #[test]
    fn modules_are_files_like_the_others() {
        let mut s = State::new();
        s.apply(Action::FilesChanged(files(&["models.py", "helpers.py", "myapp/types.py", "versions/a.py"])));
        s.apply(Action::OpenFile("myapp/types.py".into()));
        assert_eq!(s.open_file, "myapp/types.py");
        s.apply(Action::FileEdited { path: "myapp/types.py".into(), text: Rc::from("GUID = 1") });
        assert_eq!(&*s.file("myapp/types.py"), "GUID = 1");
        let p = Problem { line: 1, column: 1, error: true, message: "NameError".into() };
        s.apply(Action::Problems(BTreeMap::from([("myapp/types.py".to_string(), vec![p])])));
        // renamed: the bridge reports the new files, then opens the new path
        s.apply(Action::FilesChanged(files(&["models.py", "helpers.py", "myapp/guid.py", "versions/a.py"])));
        assert!(s.problems.is_empty(), "problems go with their file");
        assert_eq!(s.open_file, "models.py", "a module gone: models.py, not a script");
        s.apply(Action::OpenFile("myapp/guid.py".into()));
        assert_eq!(s.open_file, "myapp/guid.py");
        // deleted
        s.apply(Action::FilesChanged(files(&["models.py", "helpers.py", "versions/a.py"])));
        assert_eq!(s.open_file, "models.py");
    }

    #[test]
    fn problems_replace_per_file_and_go_with_their_file() {
        let mut s = State::new();
        s.apply(Action::FilesChanged(files(&["models.py", "versions/a.py"])));
        let p = Problem { line: 2, column: 5, error: true, message: "bad".into() };
        s.apply(Action::Problems(BTreeMap::from([
            ("models.py".to_string(), vec![p.clone()]),
            ("versions/a.py".to_string(), vec![p.clone()]),
        ])));
        assert_eq!(s.problems.len(), 2);
        s.apply(Action::Problems(BTreeMap::from([("models.py".to_string(), vec![])])));
        assert_eq!(s.problems.keys().collect::<Vec<_>>(), vec!["versions/a.py"]);
        s.apply(Action::FilesChanged(files(&["models.py"])));
        assert!(s.problems.is_empty());
    }

    #[test]
    fn undo_labels_and_notes() {
        let mut s = State::new();
        assert_eq!(s.undo_label(), None);
        s.apply(Action::UndoStack(vec!["upgrade head".into()]));
        assert_eq!(s.undo_label(), Some("upgrade head"));
        s.apply(Action::Undone { label: "upgrade head".into() });
        s.apply(Action::UndoStack(vec![]));
        assert_eq!(s.undo_label(), None);
        assert_eq!(s.log[0].kind, EntryKind::Undo);
        assert_eq!(s.log[0].output.stdout, "Undid `upgrade head`.\n");
        s.apply(Action::Note { text: "storage full".into(), error: true });
        assert_eq!(s.log[1].output.exit_code, 1);
        s.apply(Action::ClearLog);
        assert!(s.log.is_empty());
    }

    #[test]
    fn logs_are_bounded() {
        let mut s = State::new();
        for i in 0..(LOG_LIMIT + 5) {
            s.apply(Action::SqlRan { sql: format!("q{i}"), output: ok(""), ms: 0 });
        }
        assert_eq!(s.log.len(), LOG_LIMIT);
        assert_eq!(s.log[0].text, "q5");
        let entries = (0..SQL_LOG_LIMIT + 1).map(|i| SqlEntry { sql: format!("s{i}"), ms: 0.1, error: None }).collect();
        s.apply(Action::SqlLogged(entries));
        assert_eq!(s.sql_log.len(), SQL_LOG_LIMIT);
        assert_eq!(s.sql_log[0].sql, "s1");
        for i in 0..(HISTORY_LIMIT + 3) {
            s.apply(Action::CommandRan { line: format!("c{i}"), output: ok(""), ms: 0, created: None });
        }
        assert_eq!(s.history.len(), HISTORY_LIMIT);
    }

    #[test]
    fn examples_count_their_steps() {
        let mut s = State::new();
        s.apply(Action::StepDone(0));
        assert_eq!(s.example, None);
        s.apply(Action::ExampleLoaded { id: "tag".into(), title: "Tag".into() });
        s.apply(Action::StepDone(1));
        s.apply(Action::StepDone(0));
        assert_eq!(s.example, Some(("tag".to_string(), 2)));
        s.apply(Action::ExampleLeft);
        assert_eq!(s.example, None);
        s.apply(Action::StepDone(2));
        assert_eq!(s.example, None);
        s.apply(Action::ExampleResumed("tag".into()));
        assert_eq!(s.example, Some(("tag".to_string(), 2)));
        s.apply(Action::ExampleLeft);
        s.apply(Action::ExampleResumed("blog".into()));
        assert_eq!(s.example, Some(("blog".to_string(), 0)));
    }

    #[test]
    fn a_selected_table_goes_with_its_table() {
        let mut s = State::new();
        let mut md = MetaData::default();
        md.add_table(Table { name: "tag".into(), ..Table::default() });
        s.apply(Action::LiveSchema(md.clone()));
        s.apply(Action::SelectTable(Some("tag".into())));
        let rows = RowsSlice { table: Rc::new(md.tables["tag"].clone()), rows: Rc::default(), total: None, error: None };
        s.apply(Action::Rows(Some(rows)));
        assert!(s.rows.is_some());
        let live = s.live.clone();
        s.apply(Action::LiveSchema(md));
        assert!(Rc::ptr_eq(&live, &s.live));
        s.apply(Action::LiveSchema(MetaData::default()));
        assert_eq!((s.selected_table.clone(), s.rows.is_none()), (None, true));
    }

    #[test]
    fn a_permalink_shows_until_closed() {
        let mut s = State::new();
        let link = Permalink { url: "http://x/#project=abc".into(), copied: false };
        s.apply(Action::Permalink(Some(link.clone())));
        assert_eq!(s.permalink, Some(link));
        s.apply(Action::FileEdited { path: MODELS.into(), text: Rc::from("x = 1") });
        assert!(s.permalink.is_some());
        s.apply(Action::Permalink(None));
        assert_eq!(s.permalink, None);
    }

    #[test]
    fn history_cursor_walks_up_and_down() {
        assert_eq!(history_step(0, None, true), None);
        assert_eq!(history_step(3, None, true), Some(2));
        assert_eq!(history_step(3, Some(2), true), Some(1));
        assert_eq!(history_step(3, Some(0), true), Some(0));
        assert_eq!(history_step(3, Some(1), false), Some(2));
        assert_eq!(history_step(3, Some(2), false), None);
        assert_eq!(history_step(3, None, false), None);
    }
}
