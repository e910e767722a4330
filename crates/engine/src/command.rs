//! One function per alembic verb: the façade both front ends call.
//!
//! OWNER: lead. `run(host, argv)` parses an alembic command line (without the
//! word `alembic`) and runs it against a `Host`.

use crate::db::Database;

/// What a command needs from its surroundings: files, the database, the
/// clock and the revision-id source (the engine has no I/O of its own).
pub trait Host {
    /// The text of `models.py`.
    fn read_models(&self) -> Result<String, String>;
    /// `(file name, text)` of every `*.py` in the versions directory, sorted by name.
    fn list_versions(&self) -> Result<Vec<(String, String)>, String>;
    /// Writes `versions/<file_name>`.
    fn write_version(&mut self, file_name: &str, text: &str) -> Result<(), String>;
    fn database(&mut self) -> &mut dyn Database;
    /// Local time as Alembic's `Create Date` shows it: `2026-11-22 03:03:40.760990`.
    fn now(&self) -> String;
    /// A new 12-hex-digit revision id (`uuid4().hex[-12:]`).
    fn new_rev_id(&mut self) -> String;
}

/// What a command printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(host: &mut dyn Host, args: &[String]) -> Output {
    let _ = (host, args);
    Output { exit_code: 255, stdout: "FAILED: not implemented\n".into(), stderr: String::new() }
}
