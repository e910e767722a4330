//! One function per alembic verb: the façade both front ends call.
//!
//! Invariants:
//! - `run(host, argv)` takes an alembic command line without the word
//!   `alembic` (`["upgrade", "head"]`) and never panics; everything it prints
//!   goes into `Output` exactly where Alembic prints it: log lines
//!   (`INFO  [alembic.runtime.migration] ...`) on stderr, command results and
//!   `FAILED: ...` on stdout.
//! - Exit statuses are Alembic's: 0 on success, 255 for a `CommandError`
//!   (`FAILED: ...`), 2 for a command-line usage error (argparse), 1 where
//!   Alembic dies with a traceback: a database error, a models.py env.py
//!   cannot import (missing, syntax error, no `Base`, not interpretable), a
//!   revision file that does not load. Such messages start with
//!   `file:line:column` when they have a position.
//! - `ERROR [alembic.util.messaging]` is logged for a `CommandError` only
//!   once env.py has run (it configures logging), as in Alembic.
//! - All I/O goes through `Host`: the engine itself has no files, clock or RNG.

use crate::db::Database;

mod args;
mod diffs;
mod verbs;
pub mod project;
pub mod script_directory;

pub use args::{parse_args, split_command_line, ArgsError, Invocation};

/// What a command needs from its surroundings: files, the database, the
/// clock and the revision-id source (the engine has no I/O of its own).
pub trait Host {
    /// The text of `models.py`.
    fn read_models(&self) -> Result<String, String>;
    /// `(file name, text)` of every `*.py` in the versions directory, sorted by name.
    fn list_versions(&self) -> Result<Vec<(String, String)>, String>;
    /// Like [`Host::list_versions`], as raw bytes: a file that is not valid
    /// UTF-8 is Python's `SyntaxError` when it loads, not an I/O error.
    fn list_version_bytes(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        Ok(self.list_versions()?.into_iter().map(|(n, t)| (n, t.into_bytes())).collect())
    }
    /// Writes `versions/<file_name>`; `file_name` may name a subfolder
    /// (`a/b_msg.py` for `--rev-id a/b`) that [`Host::ensure_version_subdir`] made.
    fn write_version(&mut self, file_name: &str, text: &str) -> Result<(), String>;
    /// Creates the folder `versions/<dir>` when it is missing, as Alembic's
    /// `_ensure_directory` does; `Ok(true)` when it was created.
    fn ensure_version_subdir(&mut self, dir: &str) -> Result<bool, String> {
        Err(format!("cannot create the folder {dir} in the versions directory"))
    }
    fn database(&mut self) -> &mut dyn Database;
    /// Local time as Alembic's `Create Date` shows it: `2026-11-22 03:03:40.760990`.
    fn now(&self) -> String;
    /// A new 12-hex-digit revision id (`uuid4().hex[-12:]`).
    fn new_rev_id(&mut self) -> String;
    /// The versions directory as messages show it (`Path:` lines of
    /// `history -v`, `Generating <dir>/<file> ...  done`).
    fn versions_dir(&self) -> String {
        "versions".to_string()
    }
    /// How a version file's path is shown.
    fn version_path(&self, file_name: &str) -> String {
        format!("{}/{file_name}", self.versions_dir())
    }
    /// How the database is named in `current -v` (`sqlite:///app.db`).
    fn database_url(&self) -> String {
        "sqlite://".to_string()
    }
    /// Where `import` in scripts and models.py finds the project's own
    /// modules (`--path`, alembic.ini's `prepend_sys_path`).
    fn module_loader(&self) -> std::rc::Rc<dyn crate::python::ModuleLoader> {
        std::rc::Rc::new(crate::python::NoModules)
    }
    /// models.py (`source`) imported as env.py imports it. A host that stays
    /// open (a page) may give back what importing the same files gave
    /// before: the import reads nothing else.
    fn import_models(&mut self, source: &str) -> crate::models::ModelsResult {
        crate::models::load_models_with(source, self.module_loader())
    }
    /// The revision files this host keeps loaded between commands (a page
    /// that stays open), or `None`: each command loads them in a process of
    /// its own, as each `alembic` command is a Python process of its own.
    fn script_cache(&mut self) -> Option<&mut script_directory::ScriptCache> {
        None
    }
}

/// What a command printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.exit_code == 0
    }
}

/// Runs one alembic command line (without the word `alembic`).
pub fn run(host: &mut dyn Host, args: &[String]) -> Output {
    match parse_args(args) {
        Ok(invocation) => verbs::dispatch(host, &invocation),
        Err(e) => Output { exit_code: e.exit_code(), stdout: e.stdout(), stderr: e.stderr() },
    }
}

/// Splits `line` like a shell would and runs it; a leading `alembic` word is dropped.
pub fn run_line(host: &mut dyn Host, line: &str) -> Output {
    match split_command_line(line) {
        Ok(mut words) => {
            if words.first().map(String::as_str) == Some("alembic") {
                words.remove(0);
            }
            run(host, &words)
        }
        Err(message) => Output {
            exit_code: 2,
            stdout: String::new(),
            stderr: format!("alembic: error: {message}\n"),
        },
    }
}
