//! The seam between the command layer and the layers it drives (revision
//! graph, runtime, autogenerate): every call the verbs make into them goes
//! through here, so the verbs read as Alembic's command.py does.

use crate::db::{Database, DbError};
use crate::ops::{Op, UpgradeOps};
use crate::revision::{MigrationStep, RevisionError, RevisionMap, VersionUpdate};

fn pending<T>(what: &str) -> Result<T, RevisionError> {
    Err(RevisionError::Message(format!("{what} is not available yet")))
}

pub fn heads(map: &RevisionMap) -> Vec<String> {
    let _ = map;
    Vec::new()
}
pub fn is_head(map: &RevisionMap, rev: &str) -> bool {
    let _ = (map, rev);
    true
}
pub fn resolve(map: &RevisionMap, target: &str) -> Result<Vec<String>, RevisionError> {
    let _ = (map, target);
    pending("resolve")
}
pub fn resolve_heads_for_new_revision(map: &RevisionMap, head: &str) -> Result<Vec<String>, RevisionError> {
    let _ = (map, head);
    Ok(Vec::new())
}
pub fn resolve_dependency(map: &RevisionMap, dep: &str) -> Result<String, RevisionError> {
    let _ = map;
    Ok(dep.to_string())
}
pub fn upgrade_steps(map: &RevisionMap, heads: &[String], target: &str) -> Result<Vec<MigrationStep>, RevisionError> {
    let _ = (map, heads, target);
    pending("upgrade")
}
pub fn downgrade_steps(map: &RevisionMap, heads: &[String], target: &str) -> Result<Vec<MigrationStep>, RevisionError> {
    let _ = (map, heads, target);
    pending("downgrade")
}
pub fn stamp_steps(map: &RevisionMap, heads: &[String], targets: &[String]) -> Result<Vec<MigrationStep>, RevisionError> {
    let _ = (map, heads, targets);
    pending("stamp")
}
pub fn current_text(map: &RevisionMap, heads: &[String], verbose: bool, path: &dyn Fn(&str) -> String) -> Result<String, RevisionError> {
    let _ = (map, heads, verbose, path);
    pending("current")
}
pub fn history_text(
    map: &RevisionMap,
    range: Option<&str>,
    verbose: bool,
    indicate_current: bool,
    current: &[String],
    path: &dyn Fn(&str) -> String,
) -> Result<String, RevisionError> {
    let _ = (map, range, verbose, indicate_current, current, path);
    pending("history")
}
pub fn heads_text(map: &RevisionMap, verbose: bool, resolve_dependencies: bool, path: &dyn Fn(&str) -> String) -> Result<String, RevisionError> {
    let _ = (map, verbose, resolve_dependencies, path);
    pending("heads")
}
pub fn branches_text(map: &RevisionMap, verbose: bool, path: &dyn Fn(&str) -> String) -> Result<String, RevisionError> {
    let _ = (map, verbose, path);
    pending("branches")
}
pub fn show_text(map: &RevisionMap, rev: &str, path: &dyn Fn(&str) -> String) -> Result<String, RevisionError> {
    let _ = (map, rev, path);
    pending("show")
}
pub fn is_stamp(step: &MigrationStep) -> bool {
    step.description.starts_with("stamp")
}
pub fn short_log(step: &MigrationStep) -> String {
    step.description.clone()
}

/// Whether a runtime failure is Alembic's `CommandError` or a database exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Command,
    Database,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuntimeError {
    pub message: String,
    pub kind: FailureKind,
}
impl RuntimeError {
    pub fn kind(&self) -> FailureKind {
        self.kind
    }
}

pub fn read_heads(db: &mut dyn Database) -> Result<Vec<String>, DbError> {
    let _ = db;
    Ok(Vec::new())
}
pub fn ensure_version_table(db: &mut dyn Database) -> Result<(), DbError> {
    let _ = db;
    Ok(())
}
pub fn purge_version_table(db: &mut dyn Database) -> Result<(), DbError> {
    let _ = db;
    Ok(())
}
pub fn offline_version_table_sql() -> String {
    String::new()
}
pub fn offline_sql(ops: &[Op]) -> Result<String, RuntimeError> {
    let _ = ops;
    Ok(String::new())
}
pub fn offline_version_sql(updates: &[VersionUpdate]) -> String {
    let _ = updates;
    String::new()
}
pub fn run_ops(db: &mut dyn Database, ops: &[Op]) -> Result<(), RuntimeError> {
    let _ = (db, ops);
    Ok(())
}
pub fn apply_version_updates(db: &mut dyn Database, updates: &[VersionUpdate]) -> Result<(), DbError> {
    let _ = (db, updates);
    Ok(())
}
pub fn as_diffs(upgrade: &UpgradeOps) -> String {
    format!("{} operation(s)", upgrade.ops.len())
}
