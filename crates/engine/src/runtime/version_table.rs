//! `alembic_version` bookkeeping: Alembic's `HeadMaintainer`
//! (`alembic/runtime/migration.py`) and `_ensure_version_table`.
//!
//! Invariants: the statements are SQLAlchemy's, byte for byte (offline the
//! INSERT carries `RETURNING version_num`); online, an UPDATE or DELETE must
//! match exactly one row, else the step fails as Alembic's does.

use crate::db::{Database, DbError};
use crate::ddl;
use crate::revision::VersionUpdate;

use super::sink::{db_err, offline_statement, Sink};
use super::{run_step, RuntimeError};

/// `alembic_version`'s CREATE TABLE (`DefaultImpl.version_table_impl`).
pub fn version_table_create_sql() -> String {
    "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)".to_string()
}

/// Offline: the version table's CREATE, as `--sql` from base writes it.
pub fn offline_version_table() -> String {
    offline_statement(&version_table_create_sql())
}

/// The statement for one `HeadMaintainer` update. Offline the INSERT
/// carries `RETURNING version_num`, as SQLAlchemy compiles it there.
pub fn version_update_sql(u: &VersionUpdate, offline: bool) -> String {
    match u {
        VersionUpdate::Insert(v) => format!(
            "INSERT INTO alembic_version (version_num) VALUES ({}){}",
            ddl::string_literal(v),
            if offline {
                " RETURNING version_num"
            } else {
                ""
            }
        ),
        VersionUpdate::Update { from, to } => format!(
            "UPDATE alembic_version SET version_num={} WHERE alembic_version.version_num = {}",
            ddl::string_literal(to),
            ddl::string_literal(from)
        ),
        VersionUpdate::Delete(v) => {
            format!(
                "DELETE FROM alembic_version WHERE alembic_version.version_num = {}",
                ddl::string_literal(v)
            )
        }
    }
}

/// `HeadMaintainer._update_version` / `_delete_version`: online, exactly one
/// row must have matched.
pub(super) fn check_version_rowcount(sink: &mut Sink<'_>, u: &VersionUpdate) -> Result<(), RuntimeError> {
    let what = match u {
        VersionUpdate::Insert(_) => return Ok(()),
        VersionUpdate::Update { from, to } => format!("updating '{from}' to '{to}'"),
        VersionUpdate::Delete(from) => format!("deleting '{from}'"),
    };
    let Some(db) = sink.db() else { return Ok(()) };
    let n = db.changes().map_err(|e| db_err("SELECT changes()", e))?;
    if n != 1 {
        return Err(RuntimeError::Command(format!(
            "Online migration expected to match one row when {what} in 'alembic_version'; {n} found"
        )));
    }
    Ok(())
}

/// Offline text of version updates.
pub fn offline_version_updates(updates: &[VersionUpdate]) -> String {
    updates
        .iter()
        .map(|u| offline_statement(&version_update_sql(u, true)))
        .collect()
}

/// `has_table`: a table (not a view) of that name exists.
pub fn has_table(db: &mut dyn Database, name: &str) -> Result<bool, DbError> {
    let r = db.query(&format!(
        "SELECT name FROM sqlite_master WHERE type='table' AND name = {}",
        ddl::string_literal(name)
    ))?;
    Ok(!r.rows.is_empty())
}

/// `_ensure_version_table`: creates `alembic_version` when missing (autocommit).
pub fn ensure_version_table(db: &mut dyn Database) -> Result<(), RuntimeError> {
    if !has_table(db, "alembic_version")
        .map_err(|e| db_err("PRAGMA main.table_info(\"alembic_version\")", e))?
    {
        let sql = version_table_create_sql();
        db.execute(&sql).map_err(|e| db_err(&sql, e))?;
    }
    Ok(())
}

/// `get_current_heads()`: the rows of `alembic_version`; empty when the table is missing.
pub fn read_heads(db: &mut dyn Database) -> Result<Vec<String>, RuntimeError> {
    let check = "SELECT name FROM sqlite_master WHERE type='table' AND name = 'alembic_version'";
    if !has_table(db, "alembic_version").map_err(|e| db_err(check, e))? {
        return Ok(vec![]);
    }
    let sql = "SELECT alembic_version.version_num FROM alembic_version";
    let r = db.query(sql).map_err(|e| db_err(sql, e))?;
    Ok(r.rows
        .iter()
        .filter_map(|row| row.first().and_then(|v| v.as_str()).map(str::to_string))
        .collect())
}

/// Runs version updates by themselves (e.g. `stamp`), in one transaction.
pub fn run_version_updates(
    db: &mut dyn Database,
    updates: &[VersionUpdate],
) -> Result<(), RuntimeError> {
    run_step(db, &[], updates).map(|_| ())
}
