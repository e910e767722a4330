//! Where a step's statements go as they arrive: a live `Database` (Python
//! `sqlite3`'s legacy transaction model) or `--sql` text.
//!
//! Invariants:
//! - Online, statements go through the connection's [`Transactions`]
//!   (pysqlite's transaction model); what runs while no transaction is open
//!   is remembered as `kept`, which a later failure does not undo.
//! - One statement per call, as `cursor.execute` allows; `ALTER COLUMN`
//!   fails as SQLite 3.40 (Python's) fails.
//! - Offline, each statement is written as `impl.static_output` writes it.

use crate::db::{Database, DbError};

use super::connection::Transactions;
use super::RuntimeError;

/// Where statements go: a live database or `--sql` text.
pub(super) enum Sink<'a> {
    /// `kept`: statements that ran in autocommit (before any transaction
    /// began), which a later failure does not undo.
    Online {
        db: &'a mut dyn Database,
        tx: &'a mut Transactions,
        /// Inside `MigrationContext.autocommit_block()`: DML opens no transaction.
        autocommit: bool,
        kept: Vec<String>,
    },
    Offline {
        out: &'a mut String,
    },
}

/// `sql` without leading whitespace and `--` / `/* */` comments.
fn skip_space_and_comments(mut sql: &str) -> &str {
    loop {
        let t = sql.trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            sql = rest.split_once('\n').map(|(_, r)| r).unwrap_or("");
        } else if let Some(rest) = t.strip_prefix("/*") {
            sql = rest.split_once("*/").map(|(_, r)| r).unwrap_or("");
        } else {
            return t;
        }
    }
}

/// The first word of `sql` (after whitespace and comments) and what follows it.
pub(super) fn first_keyword(sql: &str) -> (&str, &str) {
    let t = skip_space_and_comments(sql);
    let end = t.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(t.len());
    t.split_at(end)
}

/// Python's `sqlite3` opens a transaction before these (legacy mode).
pub(crate) fn is_dml(sql: &str) -> bool {
    let (first, _) = first_keyword(sql);
    ["INSERT", "UPDATE", "DELETE", "REPLACE"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
}

/// Python's `sqlite3` prepares the text once and refuses it when anything
/// but whitespace and comments follows the first statement SQLite parsed
/// ("You can only execute one statement at a time."). Where that statement
/// ends is decided as `sqlite3_complete` decides it: at the first `;` outside
/// strings, quoted names and comments, except inside a `CREATE [TEMP]
/// TRIGGER ... BEGIN ... END` body, whose statements end in `;` too.
fn has_second_statement(sql: &str) -> bool {
    match first_statement_end(sql) {
        Some(end) => !skip_space_and_comments(&sql[end..]).is_empty(),
        None => false,
    }
}

/// The byte offset just after the `;` that ends the first statement, by
/// SQLite's `sqlite3_complete` state machine (complete.c).
fn first_statement_end(sql: &str) -> Option<usize> {
    #[derive(Clone, Copy)]
    enum Tk {
        Semi,
        Ws,
        Other,
        Explain,
        Create,
        Temp,
        Trigger,
        End,
    }
    // states: 0 INVALID, 1 START, 2 NORMAL, 3 EXPLAIN, 4 CREATE, 5 TRIGGER, 6 SEMI, 7 END
    const TRANS: [[u8; 8]; 8] = [
        [1, 0, 2, 3, 4, 2, 2, 2],
        [1, 1, 2, 3, 4, 2, 2, 2],
        [1, 2, 2, 2, 2, 2, 2, 2],
        [1, 3, 3, 2, 4, 2, 2, 2],
        [1, 4, 2, 2, 2, 4, 5, 2],
        [6, 5, 5, 5, 5, 5, 5, 5],
        [6, 6, 5, 5, 5, 5, 5, 7],
        [1, 7, 5, 5, 5, 5, 5, 5],
    ];
    let b = sql.as_bytes();
    let is_id = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
    let mut state = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let tok = match c {
            b';' => {
                i += 1;
                Tk::Semi
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                i += 1;
                Tk::Ws
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                if i >= b.len() {
                    return None;
                }
                i += 2;
                Tk::Ws
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                if i >= b.len() {
                    return None;
                }
                Tk::Ws
            }
            b'\'' | b'"' | b'`' | b'[' => {
                let close = if c == b'[' { b']' } else { c };
                i += 1;
                while i < b.len() && b[i] != close {
                    i += 1;
                }
                if i >= b.len() {
                    return None;
                }
                i += 1;
                Tk::Other
            }
            c if is_id(c) => {
                let start = i;
                while i < b.len() && is_id(b[i]) {
                    i += 1;
                }
                let word = &sql[start..i];
                let kw = |k: &str| word.eq_ignore_ascii_case(k);
                if c.is_ascii_digit() {
                    Tk::Other
                } else if kw("create") {
                    Tk::Create
                } else if kw("trigger") {
                    Tk::Trigger
                } else if kw("temp") || kw("temporary") {
                    Tk::Temp
                } else if kw("end") {
                    Tk::End
                } else if kw("explain") {
                    Tk::Explain
                } else {
                    Tk::Other
                }
            }
            _ => {
                i += 1;
                Tk::Other
            }
        };
        let before = state;
        state = TRANS[state as usize][tok as usize];
        if matches!(tok, Tk::Semi) && state == 1 && before > 1 {
            return Some(i);
        }
    }
    None
}

pub(super) const ONE_STATEMENT: &str = "You can only execute one statement at a time.";

/// `ALTER TABLE t ALTER COLUMN ...`: the reference SQLite (3.40, Python's)
/// has no such statement (sqlite.org/lang_altertable.html lists RENAME, ADD
/// COLUMN and DROP COLUMN) and fails with a syntax error; newer SQLite (sql.js
/// and rusqlite bundle 3.54) accepts `SET/DROP NOT NULL`. Fail as 3.40 does.
fn is_alter_column(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .take(2)
        .map(str::to_uppercase)
        .collect();
    words == ["ALTER", "TABLE"] && sql.to_uppercase().contains(" ALTER COLUMN ")
}

impl Sink<'_> {
    pub(super) fn exec(&mut self, sql: &str) -> Result<(), RuntimeError> {
        match self {
            Sink::Offline { out } => {
                out.push_str(&offline_statement(sql));
                Ok(())
            }
            Sink::Online {
                db,
                tx,
                autocommit,
                kept,
            } => {
                if has_second_statement(sql) {
                    return Err(db_err(sql, DbError::new(ONE_STATEMENT)));
                }
                if is_alter_column(sql) {
                    return Err(db_err(sql, DbError::new("near \"ALTER\": syntax error")));
                }
                tx.execute(&mut **db, sql, *autocommit).map_err(|e| db_err(sql, e))?;
                if !tx.in_transaction() {
                    kept.push(sql.to_string());
                }
                Ok(())
            }
        }
    }

    /// [`Self::exec`] of the version table's bookkeeping, which the step's
    /// commit or rollback follows (`Transactions::execute_alone`).
    pub(super) fn exec_version_update(&mut self, sql: &str) -> Result<(), RuntimeError> {
        match self {
            Sink::Offline { .. } => self.exec(sql),
            Sink::Online { db, tx, autocommit, kept } => {
                tx.execute_alone(&mut **db, sql, *autocommit).map_err(|e| db_err(sql, e))?;
                if !tx.in_transaction() {
                    kept.push(sql.to_string());
                }
                Ok(())
            }
        }
    }

    pub(super) fn db(&mut self) -> Option<&mut dyn Database> {
        match self {
            Sink::Online { db, .. } => Some(&mut **db),
            Sink::Offline { .. } => None,
        }
    }
}

pub(super) fn db_err(sql: &str, e: DbError) -> RuntimeError {
    RuntimeError::Database {
        statement: sql.to_string(),
        message: e.message,
        left_behind: vec![],
    }
}

/// `static_output`: tabs become four spaces, trimmed, `;`, blank line.
pub fn offline_statement(sql: &str) -> String {
    format!("{};\n\n", sql.replace('\t', "    ").trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dml_detection_skips_comments_like_pysqlite() {
        assert!(is_dml("  /* c */ -- x\n insert into t values (1)"));
        assert!(!is_dml("CREATE TABLE t (x INTEGER)"));
        assert!(is_dml("REPLACE INTO t VALUES (1)"));
    }

    #[test]
    fn one_statement_at_a_time() {
        assert!(has_second_statement(
            "insert into t values (1); insert into t values (2)"
        ));
        assert!(!has_second_statement("insert into t values (3);  -- x\n"));
        assert!(!has_second_statement("insert into t values ('a;b')"));
        assert!(!has_second_statement("select 1"));
    }

    /// Ground truth: Python 3.11's `sqlite3` (SQLite 3.40) runs each of the
    /// `ok` texts with `cursor.execute` and refuses the `two` texts with
    /// "You can only execute one statement at a time."
    #[test]
    fn a_trigger_body_is_one_statement() {
        let ok = [
            "CREATE TRIGGER tr AFTER INSERT ON log BEGIN UPDATE log SET msg = upper(msg) WHERE id = new.id; END",
            "CREATE TRIGGER tr AFTER INSERT ON log BEGIN UPDATE log SET msg = upper(msg) WHERE id = new.id; END;",
            "create temp trigger tr after insert on log begin select 1; select 'end;'; end; -- done\n",
            "CREATE TRIGGER tr AFTER INSERT ON log BEGIN\n  INSERT INTO a VALUES (1);\n  INSERT INTO b VALUES (2);\nEND",
        ];
        for sql in ok {
            assert!(!has_second_statement(sql), "{sql}");
        }
        let two = [
            "CREATE TRIGGER tr AFTER INSERT ON log BEGIN SELECT 1; END; SELECT 2",
            "CREATE TABLE t (x INTEGER); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
            "CREATE VIEW v AS SELECT 1 AS \"end\"; SELECT 2",
        ];
        for sql in two {
            assert!(has_second_statement(sql), "{sql}");
        }
    }

    #[test]
    fn offline_statements_use_four_spaces() {
        assert_eq!(
            offline_statement("\nCREATE TABLE t (\n\tx INTEGER\n)\n\n"),
            "CREATE TABLE t (\n    x INTEGER\n);\n\n"
        );
    }
}
