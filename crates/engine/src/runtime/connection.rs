//! The transaction state of the one connection a command migrates with:
//! Python `sqlite3`'s legacy transaction model (what Alembic's SQLite
//! connection uses), and how it is laid onto real SQLite transactions.
//!
//! Invariants:
//! - The model is pysqlite's: a statement runs in autocommit unless a
//!   transaction is open; the first `INSERT`/`UPDATE`/`DELETE`/`REPLACE`
//!   outside one opens it (after the statement compiled: one that does not
//!   compile opens none); `commit()` / `rollback()` end it. What a failure
//!   leaves behind is what this model leaves behind, in both modes below.
//! - [`Transactions::exact`] issues the model as it is: every autocommit
//!   statement commits by itself, `BEGIN` / `COMMIT` / `ROLLBACK` are real.
//! - [`Transactions::batched`] runs the same model inside one real
//!   transaction, committed by [`Transactions::finish`]: an autocommit
//!   statement is simply kept, the model's transaction is a savepoint
//!   (`RELEASE` for its commit, `ROLLBACK TO` for its rollback). Only the
//!   model's rollback undoes anything, and it undoes exactly what the
//!   model's transaction ran, so every state the model reaches is the state
//!   the real database holds (one connection sees its own uncommitted
//!   work). The version table's bookkeeping at the end of a step, after
//!   which the step commits or rolls back with nothing run between
//!   ([`Transactions::execute_alone`]), opens the model's transaction
//!   without a savepoint: a statement that fails changed nothing (SQLite
//!   undoes a failed statement), and the rare rollback after one that ran
//!   goes back by rerunning what the model had committed, as below.
//!   Three things would break the model, and each is handled:
//!   - a statement whose effect differs inside a transaction (`PRAGMA`
//!     settings, `VACUUM`, `ATTACH`, transaction control) while the model
//!     has no transaction open: the real transaction commits first and the
//!     connection goes on exactly ([`Transactions::exact`]) from there;
//!   - the same while the model's transaction is open: it ran inside a
//!     transaction in the model too, so it runs as it is, except `COMMIT` /
//!     `END` (everything commits, then exact) and `ROLLBACK` (to the
//!     savepoint);
//!   - SQLite rolling the whole transaction back by itself on an error
//!     (`ON CONFLICT ROLLBACK`, `RAISE(ROLLBACK)`, a full disk): noticed
//!     after any failed statement, and what the model had committed since
//!     the real transaction began is run again.
//! - A process that dies in the middle of a batched run leaves the database
//!   as it was before the command (SQLite's journal), not half migrated.

use crate::db::{Database, DbError, QueryResult};

use super::sink::{db_err, first_keyword, is_dml};
use super::RuntimeError;

/// The savepoint that stands for the model's transaction in batched mode.
const STEP_SAVEPOINT: &str = "alembic_playground_step";

/// pysqlite's transaction state, and the real transaction behind it.
#[derive(Debug, Default)]
pub struct Transactions {
    /// pysqlite's `Connection.in_transaction`.
    in_transaction: bool,
    /// `Some` in batched mode.
    batch: Option<Batch>,
}

#[derive(Debug, Default)]
struct Batch {
    /// The real transaction is open.
    open: bool,
    /// Statements run since it opened that the model has committed.
    committed: Vec<String>,
    /// Statements run inside the model's open transaction.
    pending: Vec<String>,
    /// The model's transaction is open without a savepoint (opened by
    /// [`Transactions::execute_alone`]): undoing it reruns `committed`.
    unguarded: bool,
}

/// How a statement that opens the model's transaction (batched mode) guards it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opener {
    /// A savepoint, which the model's rollback goes back to.
    Savepoint,
    /// None: the caller commits or rolls back next.
    Alone,
}

/// How a statement relates to transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Opens pysqlite's transaction when none is open.
    Dml,
    /// Has the same effect inside a transaction as in autocommit.
    Plain,
    /// `COMMIT` / `END`.
    Commit,
    /// `ROLLBACK` without `TO`.
    Rollback,
    /// Anything else: `PRAGMA` settings, `VACUUM`, `ATTACH`, `BEGIN`,
    /// `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`, what is not known.
    Other,
}

/// PRAGMAs that only read the schema or a setting: the same answer inside a
/// transaction as outside it.
const READ_PRAGMAS: [&str; 12] = [
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "database_list",
    "collation_list",
    "foreign_keys",
    "user_version",
    "schema_version",
];

fn kind(sql: &str) -> Kind {
    let (word, rest) = first_keyword(sql);
    let is = |k: &str| word.eq_ignore_ascii_case(k);
    if is_dml(sql) {
        Kind::Dml
    } else if ["CREATE", "DROP", "ALTER", "SELECT", "WITH", "VALUES"].iter().any(|k| is(k)) {
        Kind::Plain
    } else if is("COMMIT") || is("END") {
        Kind::Commit
    } else if is("ROLLBACK") {
        let (next, _) = first_keyword(rest);
        let next = if next.eq_ignore_ascii_case("TRANSACTION") { first_keyword(first_keyword(rest).1).0 } else { next };
        if next.eq_ignore_ascii_case("TO") {
            Kind::Other
        } else {
            Kind::Rollback
        }
    } else if is("PRAGMA") && is_read_pragma(rest) {
        Kind::Plain
    } else {
        Kind::Other
    }
}

/// `rest` follows `PRAGMA`: `[schema.]name[(arg)]` without `=`, of a
/// reading pragma; a bare setting name reads it, an argument names a table.
fn is_read_pragma(rest: &str) -> bool {
    let rest = rest.trim();
    if rest.contains('=') {
        return false;
    }
    let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '"')).unwrap_or(rest.len());
    let name = rest[..name_end].rsplit('.').next().unwrap_or("").trim_matches('"');
    let tail = rest[name_end..].trim().trim_end_matches(';').trim();
    let takes_argument = !["foreign_keys", "user_version", "schema_version"].contains(&name.to_ascii_lowercase().as_str());
    READ_PRAGMAS.iter().any(|p| p.eq_ignore_ascii_case(name)) && (tail.is_empty() || (takes_argument && tail.starts_with('(')))
}

impl Transactions {
    /// Every statement as pysqlite issues it.
    pub fn exact() -> Self {
        Transactions { in_transaction: false, batch: None }
    }

    /// The same model inside one real transaction (see the module invariants).
    pub fn batched() -> Self {
        Transactions { in_transaction: false, batch: Some(Batch::default()) }
    }

    /// pysqlite's `in_transaction`.
    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    /// `cursor.execute(sql)` for a statement whose rows are not wanted;
    /// `autocommit` is `MigrationContext.autocommit_block()` (no implicit
    /// `BEGIN`).
    pub fn execute(&mut self, db: &mut dyn Database, sql: &str, autocommit: bool) -> Result<(), DbError> {
        self.run(db, sql, autocommit, Opener::Savepoint, |db| db.execute(sql)).map(|_| ())
    }

    /// [`Self::execute`] of a statement after which the caller commits or
    /// rolls back, with no statement between (the version table's
    /// bookkeeping): in batched mode, if it opens the model's transaction,
    /// no savepoint is made for it (see the module invariants). Two
    /// statements less per step; a statement run between anyway is still
    /// undone by a rollback, by the slower rerun.
    pub fn execute_alone(&mut self, db: &mut dyn Database, sql: &str, autocommit: bool) -> Result<(), DbError> {
        self.run(db, sql, autocommit, Opener::Alone, |db| db.execute(sql)).map(|_| ())
    }

    /// `cursor.execute(sql)` of a query a script runs (through the bind or a
    /// session), with its rows.
    pub fn query(&mut self, db: &mut dyn Database, sql: &str, autocommit: bool) -> Result<QueryResult, DbError> {
        self.run(db, sql, autocommit, Opener::Savepoint, |db| db.query(sql))
    }

    fn run<T: Default>(
        &mut self,
        db: &mut dyn Database,
        sql: &str,
        autocommit: bool,
        opener: Opener,
        statement: impl Fn(&mut dyn Database) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let kind = kind(sql);
        let opens = kind == Kind::Dml && !self.in_transaction && !autocommit;
        if self.batch.is_none() {
            if !opens {
                let result = statement(db);
                if result.is_ok() {
                    // pysqlite's `in_transaction` is SQLite's own state
                    match kind {
                        Kind::Commit | Kind::Rollback => self.in_transaction = false,
                        Kind::Other if begins(sql) => self.in_transaction = true,
                        Kind::Dml | Kind::Plain | Kind::Other => {}
                    }
                }
                return result;
            }
            db.execute("BEGIN")?;
            self.in_transaction = true;
            return statement(db).inspect_err(|_| {
                // pysqlite prepares before its implicit BEGIN: a statement
                // that does not compile leaves no transaction open
                if !compiles(db, sql) {
                    let _ = db.execute("ROLLBACK");
                    self.in_transaction = false;
                }
            });
        }
        match kind {
            Kind::Other | Kind::Commit | Kind::Rollback if !self.in_transaction => {
                self.go_exact(db)?;
                return self.run(db, sql, autocommit, opener, statement);
            }
            Kind::Commit => {
                // the model's COMMIT commits all there is to commit: the
                // real transaction's COMMIT is that statement
                self.in_transaction = false;
                self.go_exact(db)?;
                return Ok(T::default());
            }
            Kind::Rollback => {
                // back to the savepoint, which is what the model's ROLLBACK undoes
                self.rollback(db);
                return Ok(T::default());
            }
            Kind::Dml | Kind::Plain | Kind::Other => {}
        }
        let batch = self.batch.as_mut().expect("batched");
        if !batch.open {
            if db.execute("BEGIN").is_err() {
                // a transaction is open already, not this command's: run exactly
                self.batch = None;
                return self.run(db, sql, autocommit, opener, statement);
            }
            batch.open = true;
        }
        if opens {
            match opener {
                Opener::Savepoint => db.execute(&format!("SAVEPOINT {STEP_SAVEPOINT}"))?,
                Opener::Alone => batch.unguarded = true,
            }
            self.in_transaction = true;
        }
        match statement(db) {
            Ok(v) => {
                let batch = self.batch.as_mut().expect("batched");
                if self.in_transaction { &mut batch.pending } else { &mut batch.committed }.push(sql.to_string());
                Ok(v)
            }
            Err(e) => {
                if opens && !compiles(db, sql) {
                    let batch = self.batch.as_mut().expect("batched");
                    if !std::mem::take(&mut batch.unguarded) {
                        let _ = db.execute(&format!("ROLLBACK TO {STEP_SAVEPOINT}"));
                        let _ = db.execute(&format!("RELEASE {STEP_SAVEPOINT}"));
                    }
                    self.in_transaction = false;
                }
                self.recover(db);
                Err(e)
            }
        }
    }

    /// After a failed statement: if SQLite rolled the real transaction back
    /// by itself, the model's own transaction is gone as it is in pysqlite,
    /// and what the model had committed is run again.
    fn recover(&mut self, db: &mut dyn Database) {
        let Some(batch) = self.batch.as_mut() else { return };
        if !batch.open || db.execute("BEGIN").is_err() {
            return;
        }
        self.in_transaction = false;
        batch.pending.clear();
        batch.unguarded = false;
        for sql in &batch.committed {
            if db.execute(sql).is_err() {
                break;
            }
        }
    }

    /// Commits the real transaction (all the model holds is committed
    /// already) and goes on in exact mode.
    fn go_exact(&mut self, db: &mut dyn Database) -> Result<(), DbError> {
        if let Some(batch) = self.batch.take() {
            if batch.open {
                db.execute("COMMIT")?;
            }
        }
        Ok(())
    }

    /// pysqlite's `commit()`: ends the model's transaction, if one is open.
    pub fn commit(&mut self, db: &mut dyn Database) -> Result<(), DbError> {
        if !self.in_transaction {
            return Ok(());
        }
        match self.batch.as_mut() {
            None => db.execute("COMMIT")?,
            Some(batch) => {
                if !batch.unguarded {
                    db.execute(&format!("RELEASE {STEP_SAVEPOINT}"))?;
                }
                batch.unguarded = false;
                let pending = std::mem::take(&mut batch.pending);
                batch.committed.extend(pending);
            }
        }
        self.in_transaction = false;
        Ok(())
    }

    /// pysqlite's `rollback()`: undoes the model's transaction, if one is open.
    pub fn rollback(&mut self, db: &mut dyn Database) {
        if !self.in_transaction {
            return;
        }
        self.in_transaction = false;
        match self.batch.as_mut() {
            None => {
                let _ = db.execute("ROLLBACK");
            }
            Some(batch) if batch.unguarded => {
                batch.unguarded = false;
                if !std::mem::take(&mut batch.pending).is_empty() {
                    // no savepoint to go back to: the real transaction goes,
                    // and what the model had committed in it runs again
                    let _ = db.execute("ROLLBACK");
                    self.recover(db);
                }
            }
            Some(batch) => {
                batch.pending.clear();
                let undone = db.execute(&format!("ROLLBACK TO {STEP_SAVEPOINT}")).is_ok();
                let _ = db.execute(&format!("RELEASE {STEP_SAVEPOINT}"));
                if !undone {
                    self.recover(db);
                }
            }
        }
    }

    /// The end of the command: in batched mode the real transaction commits
    /// (the model's own transaction is ended by then).
    pub fn finish(&mut self, db: &mut dyn Database) -> Result<(), RuntimeError> {
        self.rollback(db);
        if let Some(batch) = self.batch.as_mut() {
            if batch.open {
                batch.open = false;
                batch.committed.clear();
                db.execute("COMMIT").map_err(|e| db_err("COMMIT", e))?;
            }
        }
        Ok(())
    }
}

/// `BEGIN` or `SAVEPOINT`: opens a transaction when none is open.
fn begins(sql: &str) -> bool {
    let (word, _) = first_keyword(sql);
    word.eq_ignore_ascii_case("BEGIN") || word.eq_ignore_ascii_case("SAVEPOINT")
}

/// Whether SQLite compiles `sql` (`EXPLAIN` prepares without running).
fn compiles(db: &mut dyn Database, sql: &str) -> bool {
    db.query(&format!("EXPLAIN {sql}")).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_kinds() {
        assert_eq!(kind("insert into t values (1)"), Kind::Dml);
        assert_eq!(kind("CREATE TABLE t (x)"), Kind::Plain);
        assert_eq!(kind("-- c\nALTER TABLE t ADD COLUMN y"), Kind::Plain);
        assert_eq!(kind("PRAGMA main.table_xinfo(\"t\")"), Kind::Plain);
        assert_eq!(kind("PRAGMA foreign_keys"), Kind::Plain);
        assert_eq!(kind("PRAGMA foreign_keys = ON"), Kind::Other);
        assert_eq!(kind("PRAGMA foreign_keys(1)"), Kind::Other);
        assert_eq!(kind("PRAGMA optimize"), Kind::Other);
        assert_eq!(kind("VACUUM"), Kind::Other);
        assert_eq!(kind("commit"), Kind::Commit);
        assert_eq!(kind("END TRANSACTION"), Kind::Commit);
        assert_eq!(kind("ROLLBACK"), Kind::Rollback);
        assert_eq!(kind("ROLLBACK TRANSACTION"), Kind::Rollback);
        assert_eq!(kind("ROLLBACK TO sp"), Kind::Other);
        assert_eq!(kind("ROLLBACK TRANSACTION TO SAVEPOINT sp"), Kind::Other);
        assert_eq!(kind("BEGIN"), Kind::Other);
    }
}
