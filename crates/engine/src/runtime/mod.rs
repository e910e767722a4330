//! Runs ops as Alembic does on SQLite: online against a `Database` (DDL not
//! transactional: what ran before a failure stays), or offline (`--sql`) as
//! statement text.
//!
//! Invariants:
//! - Statement text is `ddl`'s, in the order Alembic 1.20.1 emits it
//!   (`alembic/ddl/impl.py`, `alembic/operations/toimpl.py`, `batch.py`).
//! - Online, transactions follow Python's `sqlite3` module in its legacy
//!   mode, which is what Alembic's SQLite connection uses: DDL runs in
//!   autocommit; the first `INSERT`/`UPDATE`/`DELETE`/`REPLACE` of a
//!   migration step opens a transaction (`BEGIN`), which commits when the
//!   step ends and rolls back when it fails. So a failed batch copy leaves
//!   `_alembic_tmp_<table>` behind (its CREATE was autocommitted) and the
//!   version row unchanged. A DML statement that does not compile opens no
//!   transaction (the module prepares before it begins), so Alembic's
//!   `DROP TABLE _alembic_tmp_<table>` after it sticks. That model is
//!   [`Transactions`]; the verbs lay it over one real transaction per
//!   command (`Transactions::batched`), which leaves the same database.
//! - Batch mode: "move and copy" unless every op of the block is a plain
//!   `add_column` (no SQL-expression default, no persisted `Computed`),
//!   `create_index` or `drop_index` (`SQLiteImpl.requires_recreate_in_batch`).
//! - Offline, every statement is written as `str(compiled).replace("\t",
//!   "    ").strip() + ";"` followed by a blank line (`impl.static_output`).
//!
//! Split as Alembic splits it: this module runs a step and its plain ops
//! (`alembic/ddl/impl.py`, `operations/toimpl.py`); [`sink`] is where each
//! statement goes as it arrives (the connection or `--sql` text);
//! [`batch`] is move-and-copy (`alembic/operations/batch.py`);
//! [`version_table`] is `alembic_version` bookkeeping
//! (`alembic/runtime/migration.py`'s `HeadMaintainer`).

mod batch;
mod connection;
mod sink;
mod version_table;

use std::collections::BTreeMap;

use crate::db::{Database, QueryResult};
use crate::ddl::{self, DdlError};
use crate::ops::{AlterColumn, Op};
use crate::reflect;
use crate::revision::VersionUpdate;
use crate::schema::{Column, ConstraintKind, Name, Table};

pub use batch::batch_requires_recreate;
pub use connection::Transactions;
pub use sink::offline_statement;
pub(crate) use sink::is_dml;
pub use version_table::{
    ensure_version_table, has_table, offline_version_table, offline_version_updates, read_heads,
    run_version_updates, version_table_create_sql, version_update_sql,
};

use batch::run_batch;
use sink::{db_err, Sink, ONE_STATEMENT};
use version_table::check_version_rowcount;

/// Why a migration stopped, worded as Alembic / SQLAlchemy word it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// SQLite refused a statement: `sqlalchemy.exc.OperationalError` /
    /// `IntegrityError`. `left_behind` says what the failure left in the
    /// database (e.g. a `_alembic_tmp_` table).
    #[error("{}", db_error_text(.statement, .message, .left_behind))]
    Database {
        statement: String,
        message: String,
        left_behind: Vec<String>,
    },
    /// `alembic.util.exc.CommandError` (printed as `FAILED: ...`).
    #[error("{0}")]
    Command(String),
    /// `NotImplementedError` (e.g. ALTER of constraints outside batch mode).
    #[error("{0}")]
    NotImplemented(String),
    /// `ValueError` (e.g. `Constraint must have a name`).
    #[error("{0}")]
    Value(String),
    /// `KeyError` (a batch op names a column the table does not have).
    #[error("'{0}'")]
    Key(String),
    /// `sqlalchemy.exc.NoSuchTableError`
    #[error("{0}")]
    NoSuchTable(String),
    /// `sqlalchemy.exc.CompileError`
    #[error("{0}")]
    Compile(String),
    /// `sqlalchemy.exc.UnsupportedCompilationError` (a `CompileError`): the
    /// message ends with SQLAlchemy's link to its error page.
    #[error("{} (Background on this error at: https://sqlalche.me/e/21/l7de)", ddl::unsupported_compilation(.0))]
    UnsupportedCompilation(crate::schema::UnrenderableType),
    /// `TypeError` (an argument the batch's `ApplyBatchImpl` method does not take).
    #[error("{0}")]
    Type(String),
    /// `sqlalchemy.exc.InvalidRequestError` (a naming convention that needs
    /// `%(constraint_name)s` for an unnamed constraint).
    #[error("{0}")]
    InvalidRequest(String),
    /// `AssertionError`, raised without a message (SQLAlchemy's compiler
    /// asserting that an index has a name).
    #[error("")]
    Assertion,
}

fn db_error_text(statement: &str, message: &str, left_behind: &[String]) -> String {
    let mut s = format!(
        "({}) {}\n[SQL: {}]",
        sqlite_exception(message),
        message,
        statement
    );
    for l in left_behind {
        s.push('\n');
        s.push_str(l);
    }
    s
}

/// The `sqlite3` exception class Python raises for a SQLite message.
fn sqlite_exception(message: &str) -> &'static str {
    if message == ONE_STATEMENT {
        "sqlite3.ProgrammingError"
    } else if message.contains("constraint failed") {
        "sqlite3.IntegrityError"
    } else {
        "sqlite3.OperationalError"
    }
}

impl RuntimeError {
    /// The Python exception Alembic's command line would show.
    pub fn python_exception(&self) -> &'static str {
        match self {
            RuntimeError::Database { message, .. } => {
                if message == ONE_STATEMENT {
                    "sqlalchemy.exc.ProgrammingError"
                } else if message.contains("constraint failed") {
                    "sqlalchemy.exc.IntegrityError"
                } else {
                    "sqlalchemy.exc.OperationalError"
                }
            }
            RuntimeError::Command(_) => "alembic.util.exc.CommandError",
            RuntimeError::NotImplemented(_) => "NotImplementedError",
            RuntimeError::Value(_) => "ValueError",
            RuntimeError::Key(_) => "KeyError",
            RuntimeError::NoSuchTable(_) => "sqlalchemy.exc.NoSuchTableError",
            RuntimeError::Compile(_) => "sqlalchemy.exc.CompileError",
            RuntimeError::UnsupportedCompilation(_) => "sqlalchemy.exc.UnsupportedCompilationError",
            RuntimeError::Type(_) => "TypeError",
            RuntimeError::InvalidRequest(_) => "sqlalchemy.exc.InvalidRequestError",
            RuntimeError::Assertion => "AssertionError",
        }
    }
}

impl From<DdlError> for RuntimeError {
    fn from(e: DdlError) -> Self {
        match e {
            DdlError::Compile(m) => RuntimeError::Compile(m),
            DdlError::UnnamedIndex => RuntimeError::Assertion,
            DdlError::UnsupportedType(u) => RuntimeError::UnsupportedCompilation(u),
        }
    }
}

const NO_CONSTRAINT_ALTER: &str = "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode feature which allows for SQLite migrations using a copy-and-move strategy.";

const SKIP_IMPLICIT_CONSTRAINT: &str = "Skipping unsupported ALTER for creation of implicit constraint. Please refer to the batch mode feature which allows for SQLite migrations using a copy-and-move strategy.";


/// What a step reports besides its effect: its stderr (the Python warnings
/// Alembic / SQLAlchemy would print, as the lines Python's `warnings`
/// module ends them with: `UserWarning: ...` from Alembic's `util.warn`,
/// `SAWarning: ...` from SQLAlchemy's reflection; and the script's log
/// records), in order, and what the script printed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepReport {
    /// What the step wrote to stderr, in the order it happened.
    pub stderr: Vec<StepStderr>,
    /// What the script printed (stdout).
    pub printed: String,
}

/// A piece of a step's stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStderr {
    /// A Python warning's line (the command layer shows each once).
    Warning(String),
    /// What the script's log records wrote (whole lines).
    Logged(String),
}

fn user_warning(message: impl std::fmt::Display) -> String {
    format!("UserWarning: {message}")
}

/// Runs ops online as one migration step without version bookkeeping.
pub fn run_ops(db: &mut dyn Database, ops: &[Op]) -> Result<(), RuntimeError> {
    run_step(db, ops, &[]).map(|_| ())
}

/// Runs one migration step online: `ops`, then the `alembic_version`
/// updates, inside the step's transaction (see the module invariants).
/// On failure the open transaction is rolled back; the error lists what
/// stayed behind (leftover `_alembic_tmp_` tables).
pub fn run_step(
    db: &mut dyn Database,
    ops: &[Op],
    updates: &[VersionUpdate],
) -> Result<StepReport, RuntimeError> {
    let mut report = StepReport::default();
    run_step_streaming(
        db,
        &mut Transactions::exact(),
        updates,
        |run| {
            for op in ops {
                run.apply(op)?;
            }
            Ok(())
        },
        |e| e,
        |e: &mut RuntimeError| Some(e),
        &mut report,
    )?;
    Ok(report)
}

/// A migration step in progress whose ops arrive one at a time, as a
/// script's `upgrade()` calls them.
pub struct StepRun<'a> {
    sink: Sink<'a>,
    /// The warnings of the op that ran last (moved to `stderr` after it).
    warnings: Vec<String>,
    stderr: Vec<StepStderr>,
    /// What the script printed, online.
    printed: String,
}

impl StepRun<'_> {
    /// The script's `print()` output: in the `--sql` text where the script
    /// printed it, or (online) kept for the step's report.
    pub fn printed(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match &mut self.sink {
            Sink::Offline { out, .. } => out.push_str(text),
            Sink::Online { .. } => self.printed.push_str(text),
        }
    }

    /// What the script's log records wrote: stderr, online and offline,
    /// after what the step wrote there before.
    pub fn logged(&mut self, text: &str) {
        if !text.is_empty() {
            self.stderr.push(StepStderr::Logged(text.to_string()));
        }
    }

    /// Runs (online) or renders (offline) one op now.
    pub fn apply(&mut self, op: &Op) -> Result<(), RuntimeError> {
        let r = run_op(&mut self.sink, op, &mut self.warnings);
        self.stderr.extend(self.warnings.drain(..).map(StepStderr::Warning));
        r
    }

    /// `MigrationContext.autocommit_block()` entered (`on`) or left: on
    /// entry the open transaction commits (Alembic commits it
    /// unconditionally); inside, each statement autocommits. Offline
    /// nothing is emitted (SQLite's DDL is not transactional).
    pub fn autocommit(&mut self, on: bool) -> Result<(), RuntimeError> {
        match &mut self.sink {
            Sink::Online { db, tx, autocommit, .. } => {
                if on {
                    tx.commit(&mut **db).map_err(|e| db_err("COMMIT", e))?;
                }
                *autocommit = on;
                Ok(())
            }
            Sink::Offline { .. } => Ok(()),
        }
    }

    /// Runs a query of the script's online (inside the step's transaction
    /// when one is open); `None` offline.
    pub fn query(&mut self, sql: &str) -> Result<Option<QueryResult>, RuntimeError> {
        match &mut self.sink {
            Sink::Online { db, tx, autocommit, .. } => {
                tx.query(&mut **db, sql, *autocommit).map(Some).map_err(|e| db_err(sql, e))
            }
            Sink::Offline { .. } => Ok(None),
        }
    }
}

/// [`run_step`] with the ops produced by `body` while the step runs.
/// `E` is the caller's error type: `from_runtime` wraps a runtime error
/// into it, `runtime_of` finds the runtime error inside it (to report what a
/// database failure left behind). `report` is filled as the step goes, so
/// a step that fails has its warnings too, as Python prints them when they
/// happen.
pub fn run_step_streaming<E>(
    db: &mut dyn Database,
    tx: &mut Transactions,
    updates: &[VersionUpdate],
    body: impl FnOnce(&mut StepRun<'_>) -> Result<(), E>,
    from_runtime: impl Fn(RuntimeError) -> E,
    runtime_of: impl Fn(&mut E) -> Option<&mut RuntimeError>,
    report: &mut StepReport,
) -> Result<(), E> {
    let result = {
        let mut run = StepRun {
            sink: Sink::Online {
                db: &mut *db,
                tx: &mut *tx,
                autocommit: false,
                kept: vec![],
            },
            warnings: Vec::new(),
            stderr: Vec::new(),
            printed: String::new(),
        };
        let r = body(&mut run).and_then(|()| {
            for u in updates {
                run.sink.exec_version_update(&version_update_sql(u, false)).map_err(&from_runtime)?;
                check_version_rowcount(&mut run.sink, u).map_err(&from_runtime)?;
            }
            Ok(())
        });
        run.stderr.extend(run.warnings.drain(..).map(StepStderr::Warning));
        report.stderr = std::mem::take(&mut run.stderr);
        report.printed = std::mem::take(&mut run.printed);
        match run.sink {
            Sink::Online { kept, .. } => (r, kept),
            Sink::Offline { .. } => (r, vec![]),
        }
    };
    match result {
        (Ok(()), _) => tx.commit(db).map_err(|e| from_runtime(db_err("COMMIT", e))),
        (Err(mut e), kept) => {
            tx.rollback(db);
            if let Some(RuntimeError::Database { left_behind, .. }) = runtime_of(&mut e) {
                if !kept.is_empty() {
                    let firsts: Vec<&str> = kept
                        .iter()
                        .map(|k| k.lines().next().unwrap_or("").trim_end())
                        .collect();
                    left_behind.push(format!(
                        "Not rolled back (ran in autocommit before the failure): {}",
                        firsts.join("; ")
                    ));
                }
                if let Ok(names) = reflect::get_table_names(db) {
                    for n in names.iter().filter(|n| n.starts_with("_alembic_tmp_")) {
                        left_behind.push(format!(
                            "The table {n} was left in the database (SQLite DDL is not transactional); \
                             drop it before trying again, or the next attempt fails with \
                             \"table {n} already exists\"."
                        ));
                    }
                }
            }
            Err(e)
        }
    }
}

/// `--sql`: ops produced by `body` rendered into `out` as they arrive;
/// the warnings they gave go into `report`, a step that fails included.
pub fn offline_streaming<E>(out: &mut String, body: impl FnOnce(&mut StepRun<'_>) -> Result<(), E>, report: &mut StepReport) -> Result<(), E> {
    let mut run = StepRun { sink: Sink::Offline { out }, warnings: Vec::new(), stderr: Vec::new(), printed: String::new() };
    let r = body(&mut run);
    run.stderr.extend(run.warnings.drain(..).map(StepStderr::Warning));
    report.stderr = std::mem::take(&mut run.stderr);
    r
}

/// `alembic upgrade --sql` text for `ops` (no version bookkeeping, no
/// `-- Running` comments: the command layer adds those).
pub fn offline_sql(ops: &[Op]) -> Result<String, RuntimeError> {
    let mut out = String::new();
    offline_sql_into(ops, &mut out)?;
    Ok(out)
}

/// Like [`offline_sql`], appending to `out`, so that what was written
/// before a failure is kept (Alembic has printed it already).
pub fn offline_sql_into(ops: &[Op], out: &mut String) -> Result<(), RuntimeError> {
    let mut sink = Sink::Offline { out };
    let mut warnings = Vec::new();
    for op in ops {
        run_op(&mut sink, op, &mut warnings)?;
    }
    Ok(())
}

/// One step of `alembic upgrade/downgrade --sql`: the ops' statements, then
/// the version updates. The caller writes what surrounds it, as Alembic's
/// `run_migrations` does: before the first step from base the version
/// table's CREATE ([`offline_version_table`]), and before every step the
/// comment line `-- Running upgrade  -> r0001` followed by a blank line.
pub fn offline_step_into(
    ops: &[Op],
    updates: &[VersionUpdate],
    out: &mut String,
) -> Result<(), RuntimeError> {
    offline_sql_into(ops, out)?;
    out.push_str(&offline_version_updates(updates));
    Ok(())
}

// ---------------------------------------------------------------- plain ops

fn run_op(sink: &mut Sink<'_>, op: &Op, warnings: &mut Vec<String>) -> Result<(), RuntimeError> {
    match op {
        Op::CreateTable { table, if_not_exists } => {
            sink.exec(&ddl::create_table_if(table, ddl::Existence(*if_not_exists == Some(true)))?)?;
            for idx in &table.indexes {
                sink.exec(&ddl::create_index(idx, ddl::Existence::default())?)?;
            }
            Ok(())
        }
        Op::DropTable { table, if_exists } => sink.exec(&ddl::drop_table_if(&table.name, ddl::Existence(*if_exists == Some(true)))),
        Op::RenameTable { old_name, new_name } => sink.exec(&ddl::rename_table(old_name, new_name)),
        // the position only orders a recreated table's columns
        Op::AddColumn { table, column, if_not_exists, position: _ } => {
            sink.exec(&ddl::add_column_if(table, column, ddl::Existence(*if_not_exists == Some(true)))?)?;
            if !ddl::type_bound_checks(column).is_empty() {
                warnings.push(user_warning(SKIP_IMPLICIT_CONSTRAINT));
            }
            Ok(())
        }
        Op::DropColumn { table, column, if_exists } => sink.exec(&ddl::drop_column_if(table, &column.name, ddl::Existence(*if_exists == Some(true)))),
        Op::AlterColumn(a) => alter_column_plain(sink, a, warnings),
        Op::CreateIndex { index, if_not_exists } => sink.exec(&ddl::create_index(index, ddl::Existence(*if_not_exists == Some(true)))?),
        Op::DropIndex { index, if_exists } => sink.exec(&ddl::drop_index(
            index.name.as_ref().map(|n| n.value.as_str()).unwrap_or(""),
            ddl::Existence(*if_exists == Some(true)),
        )),
        Op::CreateUniqueConstraint { .. }
        | Op::CreatePrimaryKey { .. }
        | Op::CreateForeignKey { .. }
        | Op::CreateCheckConstraint { .. }
        | Op::DropConstraint { .. } => {
            Err(RuntimeError::NotImplemented(NO_CONSTRAINT_ALTER.into()))
        }
        Op::Execute { sql } => sink.exec(sql),
        Op::BulkInsert {
            table,
            columns,
            rows,
        } => {
            for row in rows {
                sink.exec(&ddl::insert_row(table, columns, row))?;
            }
            Ok(())
        }
        Op::BatchAlterTable(b) => run_batch(sink, b, warnings),
    }
}

/// `DefaultImpl.alter_column`: nullable, default, type, then the rename
/// last — each its own ALTER statement (SQLite accepts only the rename).
fn alter_column_plain(
    sink: &mut Sink<'_>,
    a: &AlterColumn,
    warnings: &mut Vec<String>,
) -> Result<(), RuntimeError> {
    if a.modify_autoincrement.is_some() || a.existing_autoincrement.is_some() {
        warnings.push(user_warning("autoincrement and existing_autoincrement only make sense for MySQL"));
    }
    if let Some(n) = a.modify_nullable {
        sink.exec(&ddl::alter_column_nullable(&a.table, &a.column, n))?;
    }
    if let Some(d) = &a.modify_server_default {
        sink.exec(&ddl::alter_column_default(&a.table, &a.column, d.as_ref()))?;
    }
    if let Some(t) = &a.modify_type {
        sink.exec(&ddl::alter_column_type(&a.table, &a.column, t)?)?;
        let new_col = Column::new(a.column.clone(), t.clone());
        if !ddl::type_bound_checks(&new_col).is_empty() {
            warnings.push(user_warning(SKIP_IMPLICIT_CONSTRAINT));
        }
    }
    if a.modify_comment.is_some() {
        // SQLite's DDL compiler has no handler for Alembic's ColumnComment.
        return Err(RuntimeError::Compile(
            "Compiler <sqlalchemy.dialects.sqlite.base.SQLiteDDLCompiler object> can't render element of type \
             <class 'alembic.ddl.base.ColumnComment'>: <class 'alembic.ddl.base.ColumnComment'> construct has no \
             default compilation handler."
                .into(),
        ));
    }
    if let Some(new) = &a.modify_name {
        sink.exec(&ddl::rename_column(&a.table, &a.column, new))?;
    }
    Ok(())
}


/// `SchemaObjects.metadata()`: every table and constraint an op builds
/// lives in a `MetaData(naming_convention=target_metadata.naming_convention)`,
/// so SQLAlchemy's `_constraint_name_for_table` names them: an unnamed
/// primary key, foreign key, unique or check constraint takes its template's
/// name (`alias_pkey` for `%(table_name)s_pkey`), a plain name is replaced
/// when the template uses `%(constraint_name)s` (also the name
/// `drop_constraint` looks for), a `conv` name (`op.f`) stays. The CHECK a
/// `Boolean(create_constraint=True, name='b')` or a non-native
/// `Enum(..., create_constraint=True, name='e')` adds is named by the `ck`
/// template the same way (`ck_flag_b` for `ck_%(table_name)s_%(constraint_name)s`).
/// Names are rewritten in place, in every op and nested batch op; a template
/// that needs `%(constraint_name)s` for an unnamed constraint is SQLAlchemy's
/// `InvalidRequestError`.
pub fn apply_target_naming_convention(ops: &mut [Op], naming_convention: &BTreeMap<String, String>) -> Result<(), RuntimeError> {
    // no target metadata: `MetaData()`'s own convention
    let default;
    let naming_convention = if naming_convention.is_empty() {
        default = crate::sort::map_of([("ix".to_string(), "ix_%(column_0_label)s".to_string())]);
        &default
    } else {
        naming_convention
    };
    let ck = naming_convention.get("ck");
    let name = |kind: &str, raw: &mut Option<Name>, table: &str, cols: &[String], referred: Option<(String, Vec<String>)>| {
        if !naming_convention.contains_key(kind) {
            return Ok(());
        }
        *raw = crate::models::convention_name(naming_convention, kind, raw.take(), table, cols, referred).map_err(naming_error)?;
        Ok::<(), RuntimeError>(())
    };
    for op in ops.iter_mut() {
        match op {
            Op::CreateTable { table, .. } => {
                crate::models::name_table_constraints(table, naming_convention).map_err(naming_error)?;
                if let Some(tpl) = ck {
                    let name = table.name.clone();
                    for c in &mut table.columns {
                        name_type_bound_check(tpl, &name, &c.name, &mut c.type_);
                    }
                }
            }
            Op::DropTable { table, .. } => {
                if let Some(tpl) = ck {
                    let name = table.name.clone();
                    for c in &mut table.columns {
                        name_type_bound_check(tpl, &name, &c.name, &mut c.type_);
                    }
                }
            }
            Op::AddColumn { table, column, .. } | Op::DropColumn { table, column, .. } => {
                if let Some(tpl) = ck {
                    name_type_bound_check(tpl, table, &column.name, &mut column.type_);
                }
            }
            Op::AlterColumn(a) => {
                if let Some(tpl) = ck {
                    let column = a.modify_name.clone().unwrap_or_else(|| a.column.clone());
                    if let Some(t) = a.modify_type.as_mut() {
                        name_type_bound_check(tpl, &a.table, &column, t);
                    }
                    if let Some(t) = a.existing_type.as_mut() {
                        name_type_bound_check(tpl, &a.table, &a.column, t);
                    }
                }
            }
            Op::BatchAlterTable(b) => apply_target_naming_convention(&mut b.ops, naming_convention)?,
            Op::CreatePrimaryKey { table, constraint } => name("pk", &mut constraint.name, table, &constraint.columns, None)?,
            Op::CreateUniqueConstraint { table, constraint } => name("uq", &mut constraint.name, table, &constraint.columns, None)?,
            Op::CreateForeignKey { table, constraint } => {
                let referred = Some((constraint.referred_table.clone(), constraint.referred_columns.clone()));
                name("fk", &mut constraint.name, table, &constraint.columns, referred)?
            }
            Op::CreateCheckConstraint { table, constraint } => name("ck", &mut constraint.name, table, &[], None)?,
            // `generic_constraint(name, table, type_)`: a constraint without
            // columns, so only a name of its own is templated
            Op::DropConstraint { table, name: Some(n), kind: Some(kind), .. } if !n.conv => {
                let key = match kind {
                    ConstraintKind::Primary => "pk",
                    ConstraintKind::ForeignKey => "fk",
                    ConstraintKind::Unique => "uq",
                    ConstraintKind::Check => "ck",
                };
                if naming_convention.get(key).is_some_and(|t| t.contains("%(constraint_name)s")) {
                    let mut raw = Some(n.clone());
                    name(key, &mut raw, table, &[], None)?;
                    if let Some(new) = raw {
                        *n = new;
                    }
                }
            }
            // `op.create_index(None, 't', ['c'])` takes the `ix` template's name
            Op::CreateIndex { index, .. } => {
                let cols: Vec<String> = index.columns.iter().map(|c| c.as_str().to_string()).collect();
                let table = index.table.clone();
                name("ix", &mut index.name, &table, &cols, None)?
            }
            Op::DropIndex { index, .. } if index.name.as_ref().is_some_and(|n| !n.conv) => {
                if naming_convention.get("ix").is_some_and(|t| t.contains("%(constraint_name)s")) {
                    // `DropIndexOp.to_index` stands a column `x` in for the
                    // columns a plain `drop_index` does not know
                    let mut cols: Vec<String> = index.columns.iter().map(|c| c.as_str().to_string()).collect();
                    if cols.is_empty() {
                        cols.push("x".to_string());
                    }
                    let table = index.table.clone();
                    name("ix", &mut index.name, &table, &cols, None)?;
                }
            }
            Op::DropConstraint { .. } | Op::RenameTable { .. } | Op::DropIndex { .. } | Op::Execute { .. } | Op::BulkInsert { .. } => {}
        }
    }
    Ok(())
}

/// A naming convention SQLAlchemy (or the playground) cannot apply.
pub(crate) fn naming_error(e: crate::models::NamingError) -> RuntimeError {
    match e {
        crate::models::NamingError::NameRequired => RuntimeError::InvalidRequest(
            "Naming convention including %(constraint_name)s token requires that constraint is explicitly named.".into(),
        ),
        crate::models::NamingError::Unsupported(m) => RuntimeError::NotImplemented(m),
    }
}

/// One type's CHECK name under the `ck` template `tpl`: a `conv` name stays;
/// a plain name is replaced only when the template uses
/// `%(constraint_name)s`; an unnamed one gets the template (if it needs
/// `%(constraint_name)s`, SQLAlchemy raises and the name stays unset here).
fn name_type_bound_check(tpl: &str, table: &str, column: &str, t: &mut crate::schema::SqlType) {
    let probe = Column::new(column, t.clone());
    if ddl::type_bound_checks(&probe).is_empty() {
        return;
    }
    let current: Option<Name> = match t.class {
        crate::schema::TypeClass::Enum => t.enum_.as_ref().and_then(|e| e.name.clone()).map(Name::plain),
        _ => t.constraint_name.clone(),
    };
    if current.as_ref().is_some_and(|n| n.conv) {
        return;
    }
    if current.is_some() && !tpl.contains("%(constraint_name)s") {
        return;
    }
    let Ok(name) = crate::models::format_convention(
        tpl,
        &Table::new(table),
        &[column.to_string()],
        None,
        current.as_ref().map(|n| n.value.as_str()),
    ) else {
        return;
    };
    match t.class {
        crate::schema::TypeClass::Enum => {
            if let Some(e) = t.enum_.as_mut() {
                e.name = Some(name);
            }
        }
        _ => t.constraint_name = Some(Name::conv(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Recreate;

    /// Ground truth: Alembic 1.20.1 running `op.create_table('flag', ...,
    /// sa.Column('enabled', sa.Boolean(create_constraint=True, name='enabled_bool')))`
    /// with `target_metadata.naming_convention = {"ck": "ck_%(table_name)s_%(constraint_name)s"}`
    /// emits `CONSTRAINT ck_flag_enabled_bool CHECK (enabled IN (0, 1))`.
    #[test]
    fn target_naming_convention_names_type_bound_checks() {
        use crate::schema::{Column, EnumInfo, SqlType, Table, TypeClass};
        let mut flag = SqlType::new(TypeClass::Boolean);
        flag.create_constraint = true;
        flag.constraint_name = Some(Name::plain("enabled_bool"));
        let mut unnamed = SqlType::new(TypeClass::Boolean);
        unnamed.create_constraint = true;
        let mut state = SqlType::new(TypeClass::Enum);
        state.enum_ = Some(EnumInfo {
            values: vec!["new".into(), "sent".into()],
            name: Some("shipment_state".into()),
            create_constraint: true,
            ..Default::default()
        });
        let mut table = Table::new("flag");
        table.columns = vec![
            Column::new("enabled", flag.clone()),
            Column::new("hidden", unnamed),
            Column::new("state", state),
        ];
        let checks = |tpl: &str| {
            let mut ops = vec![Op::CreateTable { table: table.clone(), if_not_exists: None }];
            let nc = BTreeMap::from([("ck".to_string(), tpl.to_string())]);
            apply_target_naming_convention(&mut ops, &nc).unwrap();
            let Op::CreateTable { table, .. } = &ops[0] else { unreachable!() };
            table
                .columns
                .iter()
                .flat_map(ddl::type_bound_checks)
                .map(|c| c.name.map(|n| n.value).unwrap_or_else(|| "-".into()))
                .collect::<Vec<_>>()
                .join(",")
        };
        // an unnamed type CHECK cannot use %(constraint_name)s: left unnamed
        assert_eq!(
            checks("ck_%(table_name)s_%(constraint_name)s"),
            "ck_flag_enabled_bool,-,ck_flag_shipment_state"
        );
        // a plain name wins over a template without %(constraint_name)s
        assert_eq!(
            checks("ck_%(table_name)s_%(column_0_name)s"),
            "enabled_bool,ck_flag_hidden,shipment_state"
        );
        // batch ops are reached too
        let mut ops = vec![Op::BatchAlterTable(crate::ops::BatchAlterTable {
            table: "flag".into(),
            recreate: Recreate::Auto,
            copy_from: None,
            reflect_args: None,
            partial_reordering: Vec::new(),
            table_args: vec![],
            naming_convention: Default::default(),
            table_kwargs: Default::default(),
            ops: vec![Op::AddColumn { table: "flag".into(), column: Column::new("gradual", flag), if_not_exists: None, position: crate::ops::ColumnPosition::default() }],
        })];
        let nc = BTreeMap::from([("ck".to_string(), "ck_%(table_name)s_%(constraint_name)s".to_string())]);
        apply_target_naming_convention(&mut ops, &nc).unwrap();
        let Op::BatchAlterTable(b) = &ops[0] else { unreachable!() };
        let Op::AddColumn { column, .. } = &b.ops[0] else { unreachable!() };
        assert_eq!(column.type_.constraint_name, Some(Name::conv("ck_flag_enabled_bool")));
    }
}
