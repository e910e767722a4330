//! Fault injection through the `Database` seam, for tests only: a wrapper
//! that fails the k-th statement that changes the database, as if SQLite
//! had raised there.
//!
//! Invariants:
//! - Counted are the statements whose first keyword (after whitespace and
//!   SQL comments) is CREATE, DROP, ALTER, INSERT, UPDATE, DELETE or REPLACE,
//!   whether they come through `execute` or `query`. Reads (SELECT, PRAGMA)
//!   and transaction control (BEGIN, COMMIT, ROLLBACK) are not: their number
//!   differs between Alembic and the playground, the writes do not. The
//!   reference harness (tests/differential/faults.py) counts with the same rule.
//! - The k-th counted statement is not run; it fails with
//!   `injected fault at statement k`. Everything else passes through unchanged.
//! - The native CLI turns this on only when `ALEMBIC_PLAYGROUND_FAIL_STATEMENT`
//!   or `ALEMBIC_PLAYGROUND_STATEMENT_LOG` is set ([`FaultPlan::from_env`]); the
//!   engine and the page never see it.

use std::io::Write;
use std::path::PathBuf;

use engine::db::{Database, DbError, QueryResult};

/// Which counted statement fails, and where counted statements are logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// 1-based; `None` fails nothing (counting and logging only).
    pub fail_at: Option<u64>,
    /// Appends each counted statement (whitespace runs as one space), one a line.
    pub log: Option<PathBuf>,
}

/// Names the variables the native CLI reads.
pub const FAIL_STATEMENT_VAR: &str = "ALEMBIC_PLAYGROUND_FAIL_STATEMENT";
pub const STATEMENT_LOG_VAR: &str = "ALEMBIC_PLAYGROUND_STATEMENT_LOG";

impl FaultPlan {
    /// The plan the environment asks for, `None` when neither variable is set.
    /// A value of `ALEMBIC_PLAYGROUND_FAIL_STATEMENT` that is not a positive
    /// integer is an error, so that a typo cannot silently test nothing.
    pub fn from_env() -> Result<Option<FaultPlan>, String> {
        let fail = std::env::var(FAIL_STATEMENT_VAR).ok();
        let log = std::env::var_os(STATEMENT_LOG_VAR).map(PathBuf::from);
        if fail.is_none() && log.is_none() {
            return Ok(None);
        }
        let fail_at = match fail.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => match v.parse::<u64>() {
                Ok(k) if k >= 1 => Some(k),
                _ => return Err(format!("{FAIL_STATEMENT_VAR}={v:?}: expected a statement number from 1")),
            },
        };
        Ok(Some(FaultPlan { fail_at, log }))
    }
}

/// Whether `sql` is a statement the fault plan counts (see the module invariants).
pub fn counts(sql: &str) -> bool {
    let mut rest = sql;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let boundary = rest[word.len()..].chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    boundary
        && ["CREATE", "DROP", "ALTER", "INSERT", "UPDATE", "DELETE", "REPLACE"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&word))
}

/// A `Database` that fails the k-th counted statement.
pub struct FailingDatabase<D> {
    inner: D,
    plan: FaultPlan,
    counted: u64,
}

impl<D: Database> FailingDatabase<D> {
    pub fn new(inner: D, plan: FaultPlan) -> Self {
        FailingDatabase { inner, plan, counted: 0 }
    }

    /// How many counted statements have been seen (the failing one included).
    pub fn counted(&self) -> u64 {
        self.counted
    }

    pub fn inner(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Starts counting again from zero under `plan`.
    pub fn rearm(&mut self, plan: FaultPlan) {
        self.plan = plan;
        self.counted = 0;
    }

    fn before(&mut self, sql: &str) -> Result<(), DbError> {
        if !counts(sql) {
            return Ok(());
        }
        self.counted += 1;
        if let Some(path) = &self.plan.log {
            let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(e) = written {
                return Err(DbError::new(format!("cannot write the statement log {}: {e}", path.display())));
            }
        }
        if self.plan.fail_at == Some(self.counted) {
            return Err(DbError::new(format!("injected fault at statement {}", self.counted)));
        }
        Ok(())
    }
}

impl<D: Database> Database for FailingDatabase<D> {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.before(sql)?;
        self.inner.execute(sql)
    }

    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        self.before(sql)?;
        self.inner.query(sql)
    }

    fn changes(&mut self) -> Result<i64, DbError> {
        self.inner.changes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::native::NativeDatabase;

    #[test]
    fn counts_writes_only() {
        for sql in [
            "CREATE TABLE t (x INTEGER)",
            "\n\tdrop table t",
            "-- c\nALTER TABLE t ADD COLUMN y",
            "/* c */ INSERT INTO t VALUES (1)",
            "UPDATE alembic_version SET version_num='b' WHERE alembic_version.version_num = 'a'",
            "DELETE FROM t",
            "replace into t values (1)",
        ] {
            assert!(counts(sql), "{sql:?} should count");
        }
        for sql in ["SELECT 1", "PRAGMA table_info(t)", "BEGIN", "COMMIT", "ROLLBACK", "", "-- only a comment", "CREATED", "INSERTx"] {
            assert!(!counts(sql), "{sql:?} should not count");
        }
    }

    #[test]
    fn fails_exactly_the_kth_write_and_runs_the_rest() {
        let db = NativeDatabase::open_in_memory().unwrap();
        let mut db = FailingDatabase::new(db, FaultPlan { fail_at: Some(2), log: None });
        db.execute("CREATE TABLE a (x)").unwrap();
        db.query("SELECT * FROM a").unwrap();
        let err = db.execute("CREATE TABLE b (x)").unwrap_err();
        assert_eq!(err.message, "injected fault at statement 2");
        db.execute("CREATE TABLE c (x)").unwrap();
        assert_eq!(db.counted(), 3);
        let names = db.query("SELECT name FROM sqlite_master ORDER BY name").unwrap();
        let names: Vec<_> = names.rows.iter().map(|r| r[0].as_str().unwrap().to_string()).collect();
        assert_eq!(names, ["a", "c"], "the failed statement must not have run");
    }

    #[test]
    fn logs_counted_statements() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log.txt");
        let db = NativeDatabase::open_in_memory().unwrap();
        let mut db = FailingDatabase::new(db, FaultPlan { fail_at: None, log: Some(log.clone()) });
        db.execute("CREATE TABLE a (\n\tx INTEGER\n)").unwrap();
        db.execute("BEGIN").unwrap();
        db.execute("INSERT INTO a VALUES (1)").unwrap();
        db.execute("COMMIT").unwrap();
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "CREATE TABLE a ( x INTEGER )\nINSERT INTO a VALUES (1)\n");
    }
}
