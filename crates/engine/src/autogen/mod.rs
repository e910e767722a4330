//! Autogenerate: compare(metadata, reflected) → upgrade ops, as Alembic's
//! `alembic/autogenerate/compare/*` does with `compare_type=True`,
//! `compare_server_default=False`, `render_as_batch=True`, on SQLite.
//!
//! Invariants:
//! - `metadata` is the model side (types as written, `Name::conv` for names
//!   that came from a naming convention); `reflected` is what SQLAlchemy's
//!   SQLite inspector returns (plain names, UPPERCASE types, reflected default
//!   text). Neither is modified.
//! - Reflected objects that end up in ops are first adjusted the way Alembic's
//!   reflection does it: constraint and index names become `conv` (Alembic's
//!   `_InspectorConv`, so they render as `batch_op.f('name')`), and an
//!   unparenthesized SQL default gets parentheses
//!   (`SQLiteImpl.autogen_column_reflect`: `CURRENT_TIMESTAMP` →
//!   `(CURRENT_TIMESTAMP)`).
//! - `CreateTable` / `DropTable` carry their table without indexes: Alembic
//!   renders indexes as separate `create_index` / `drop_index` ops in a
//!   `batch_alter_table` block right after / before the table op.
//! - Order is Alembic's where Alembic's is deterministic: added tables in
//!   `MetaData.sorted_tables` order (FK dependency, ties by name), existing
//!   tables by name; per table: added columns, altered columns, indexes and
//!   unique constraints (removed / changed / added, each by name, then unnamed
//!   uniques), foreign keys (removed, then added), dropped columns. Where
//!   Alembic iterates a Python `set` (removed tables, dropped columns, FKs,
//!   unnamed uniques) its order is not stable between runs; we use reflected
//!   order (removed tables: children before parents) and model order.
//! - Server defaults and comments are not compared (SQLite has no comments;
//!   `compare_server_default` is off), CHECK constraints and primary keys are
//!   not compared either, as in Alembic.
//!
//! Split as Alembic 1.20 splits `alembic/autogenerate/compare/`: this module is
//! the entry (`__init__.py`'s `_produce_net_changes`, `api.py`'s
//! `compare_metadata`); [`tables`] is `tables.py` (`_compare_tables`,
//! `_compare_columns`), [`types`] is `types.py`, [`constraints`] is
//! `constraints.py`, [`server_defaults`] is `server_defaults.py`, [`util`] is
//! `util.py` (`_InspectorConv`).

mod constraints;
mod server_defaults;
mod tables;
mod types;
mod util;

use crate::ops::{BatchAlterTable, Op, Recreate, UpgradeOps};
use crate::schema::MetaData;

pub use tables::{sorted_tables, ConnSchema};
pub use types::{compare_type, sqlite_type_ddl, type_class_name, type_repr};

/// Logger of table / column add and remove lines.
pub const LOG_TABLES: &str = "alembic.autogenerate.compare.tables";
/// Logger of type change lines.
pub const LOG_TYPES: &str = "alembic.autogenerate.compare.types";
/// Logger of index, unique constraint, foreign key and nullable lines.
pub const LOG_CONSTRAINTS: &str = "alembic.autogenerate.compare.constraints";

/// The ops plus Alembic's "Detected ..." log lines, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    pub upgrade: UpgradeOps,
    /// e.g. `Detected added table 'athlete'` (logged by
    /// `alembic.autogenerate.compare.tables`): `(logger, message)`. Python
    /// warnings come in order among them under [`PY_WARNINGS`], the message
    /// being the whole line (`UserWarning: ...`).
    pub log: Vec<(String, String)>,
    /// What SQLite's type compiler raised while comparing a column's type
    /// (`_tokenize_column_type` compiles the model's type: a dialect type
    /// SQLite cannot render): autogenerate stops there, `log` holding what
    /// was logged before.
    pub error: Option<crate::ddl::DdlError>,
}

/// The logger name Python gives warnings (`logging.captureWarnings`); Alembic
/// does not capture them, so they are printed as they are.
pub const PY_WARNINGS: &str = "py.warnings";

/// Compares model metadata with the reflected database schema. Tables named
/// `alembic_version` are skipped. Ops on existing tables come grouped in
/// `Op::BatchAlterTable` blocks (render_as_batch=True).
pub fn compare(metadata: &MetaData, reflected: &MetaData) -> Comparison {
    compare_with(metadata, &ConnSchema::new(reflected))
}

/// [`compare`] with the database side already prepared.
pub fn compare_with(metadata: &MetaData, conn: &ConnSchema) -> Comparison {
    let mut cx = Cx::default();
    tables::compare_tables(&mut cx, metadata, conn);
    Comparison { upgrade: UpgradeOps { ops: cx.ops }, log: cx.log, error: cx.error }
}

#[derive(Default)]
struct Cx {
    ops: Vec<Op>,
    log: Vec<(String, String)>,
    /// The first error raised; nothing is logged after it.
    error: Option<crate::ddl::DdlError>,
}

impl Cx {
    fn info(&mut self, logger: &str, message: String) {
        if self.error.is_none() {
            self.log.push((logger.to_string(), message));
        }
    }
    fn fail(&mut self, e: crate::ddl::DdlError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }
    /// Appends a `ModifyTableOps` (rendered as a batch block) unless empty.
    fn push_batch(&mut self, table: &str, ops: Vec<Op>) {
        if ops.is_empty() {
            return;
        }
        self.ops.push(Op::BatchAlterTable(BatchAlterTable {
            table: table.to_string(),
            recreate: Recreate::Auto,
            copy_from: None,
            reflect_args: None,
            partial_reordering: Vec::new(),
            table_args: Vec::new(),
            naming_convention: Default::default(),
            table_kwargs: Default::default(),
            ops,
        }));
    }
}

// ---------------------------------------------------------------------------
// Python reprs for log lines

/// `repr(str)`, as Python writes it.
pub fn py_str(s: &str) -> String {
    crate::render::py_repr_str(s)
}

fn py_opt_str(s: Option<&str>) -> String {
    s.map(py_str).unwrap_or_else(|| "None".to_string())
}

/// `repr(tuple_of_str)`: `('a',)`, `('a', 'b')`, `()`.
pub use crate::python::repr::py_repr_str_tuple as py_tuple;

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}
