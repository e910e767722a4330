//! rusqlite `Database` + filesystem `Host` (not on wasm32).
//!
//! Invariants:
//! - `NativeDatabase` is one rusqlite connection in autocommit mode: every
//!   statement commits by itself unless the engine issued `BEGIN`
//!   (the runtime does, where Python's `sqlite3` module would).
//! - Errors carry SQLite's own message (`sqlite3_errmsg`), nothing added.
//! - Foreign keys are not enforced, as in the reference (Python's `sqlite3`
//!   leaves `PRAGMA foreign_keys` at SQLite's default, off); rusqlite's
//!   bundled SQLite is built with `SQLITE_DEFAULT_FOREIGN_KEYS=1`, so `open`
//!   turns it off (sqlite.org/foreignkeys.html §2).
//! - `PRAGMA synchronous = OFF`: the playground's databases are scratch
//!   databases, so a commit hands its pages to the OS without fsync. What a
//!   failing migration leaves behind is unchanged, and a crash of the process
//!   still leaves a consistent file; only an OS crash or power loss could
//!   lose the last commits (sqlite.org/pragma.html#pragma_synchronous). On a
//!   disk with slow fsync this is the difference between ~4 s and ~0.1 s for
//!   100 revisions.
//! - `changes` is `sqlite3_changes` read from the connection, no statement.

use std::path::Path;

use engine::db::{Database, DbError, QueryResult, Value};
use rusqlite::types::ValueRef;

/// A SQLite database file (or `:memory:`) behind the engine's `Database` trait.
pub struct NativeDatabase {
    conn: rusqlite::Connection,
}

impl NativeDatabase {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        Self::init(rusqlite::Connection::open(path).map_err(db_error)?)
    }

    /// A fresh private in-memory database.
    pub fn open_in_memory() -> Result<Self, DbError> {
        Self::init(rusqlite::Connection::open_in_memory().map_err(db_error)?)
    }

    fn init(conn: rusqlite::Connection) -> Result<Self, DbError> {
        conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF")
            .map_err(db_error)?;
        Ok(NativeDatabase { conn })
    }
}

/// SQLite's own message: rusqlite's `SqliteFailure` carries `sqlite3_errmsg`.
fn db_error(e: rusqlite::Error) -> DbError {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(message))
        | rusqlite::Error::SqlInputError { msg: message, .. } => DbError::new(message),
        other => DbError::new(other.to_string()),
    }
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl Database for NativeDatabase {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        // `execute_batch` accepts statements that return rows too (PRAGMA ...),
        // and runs exactly what it is given.
        self.conn.execute_batch(sql).map_err(db_error)
    }

    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(db_error)?;
        let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let width = columns.len();
        let mut rows = stmt.query([]).map_err(db_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_error)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(value(row.get_ref(i).map_err(db_error)?));
            }
            out.push(values);
        }
        Ok(QueryResult { columns, rows: out })
    }

    fn changes(&mut self) -> Result<i64, DbError> {
        Ok(self.conn.changes() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_sqlites_message() {
        let mut db = NativeDatabase::open_in_memory().unwrap();
        db.execute("CREATE TABLE t (x INTEGER NOT NULL)").unwrap();
        let err = db.execute("CREATE TABLE t (x INTEGER)").unwrap_err();
        assert_eq!(err.message, "table t already exists");
        let err = db.execute("INSERT INTO t (x) VALUES (NULL)").unwrap_err();
        assert_eq!(err.message, "NOT NULL constraint failed: t.x");
    }

    #[test]
    fn syntax_errors_carry_sqlites_message() {
        let mut db = NativeDatabase::open_in_memory().unwrap();
        db.execute("CREATE TABLE t (x INTEGER)").unwrap();
        let err = db.execute("ALTER TABLE t FROB x").unwrap_err();
        assert_eq!(err.message, "near \"FROB\": syntax error");
        let err = db.execute("CREATE TABLE t (y INTEGER)").unwrap_err();
        assert_eq!(err.message, "table t already exists");
    }

    #[test]
    fn foreign_keys_are_not_enforced_as_in_pythons_sqlite3() {
        let mut db = NativeDatabase::open_in_memory().unwrap();
        let r = db.query("PRAGMA foreign_keys").unwrap();
        assert_eq!(r.rows, [[Value::Integer(0)]]);
    }

    #[test]
    fn query_returns_columns_and_typed_values() {
        let mut db = NativeDatabase::open_in_memory().unwrap();
        db.execute("CREATE TABLE t (a INTEGER, b TEXT, c REAL, d BLOB)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 'x', 1.5, x'00ff'), (NULL, NULL, NULL, NULL)")
            .unwrap();
        let r = db.query("SELECT a, b, c, d FROM t ORDER BY rowid").unwrap();
        assert_eq!(r.columns, ["a", "b", "c", "d"]);
        assert_eq!(
            r.rows[0],
            [
                Value::Integer(1),
                Value::Text("x".into()),
                Value::Real(1.5),
                Value::Blob(vec![0, 255])
            ]
        );
        assert_eq!(
            r.rows[1],
            [Value::Null, Value::Null, Value::Null, Value::Null]
        );
    }
}
