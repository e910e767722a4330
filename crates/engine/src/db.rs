//! The `Database` trait: the engine's only door to SQLite.
//!
//! Invariants:
//! - The engine never names rusqlite or sql.js; `src/platform/native.rs`
//!   (rusqlite) and `src/platform/sqljs.rs` (sql.js) implement this trait.
//! - `execute` runs exactly one statement, in autocommit mode unless the
//!   engine opened a transaction: SQLite DDL issued by Alembic is not
//!   wrapped in a transaction ("Will assume non-transactional DDL"), so what
//!   ran before a failure stays (`runtime::Transactions` keeps that true
//!   when it runs a whole command in one real transaction).
//! - Errors carry SQLite's own message text (e.g. `table _alembic_tmp_x already exists`).

/// A SQLite value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

/// Rows of a query with their column names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl QueryResult {
    /// The value of `column` in `row`, or `Null` when there is no such column.
    pub fn get(&self, row: usize, column: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self.columns.iter().position(|c| c == column) {
            Some(i) => self.rows.get(row).and_then(|r| r.get(i)).unwrap_or(&NULL),
            None => &NULL,
        }
    }
}

/// An error SQLite reported, with its message as SQLite wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DbError {
    pub message: String,
}

impl DbError {
    pub fn new(message: impl Into<String>) -> Self {
        DbError { message: message.into() }
    }
}

/// A live SQLite connection.
pub trait Database {
    /// Runs one SQL statement that returns no rows (DDL, INSERT, ...).
    fn execute(&mut self, sql: &str) -> Result<(), DbError>;
    /// Runs one query and returns all its rows.
    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError>;
    /// `sqlite3_changes()`: the rows the last INSERT/UPDATE/DELETE changed.
    /// Implementations that can read it without a statement do.
    fn changes(&mut self) -> Result<i64, DbError> {
        let r = self.query("SELECT changes()")?;
        Ok(r.rows.first().and_then(|row| row.first()).and_then(Value::as_i64).unwrap_or(0))
    }
}
