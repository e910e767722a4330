//! The step-through view's data: the operations of one migration with their
//! SQL, and what the view asks for (pure; the store's reducer uses these
//! natively), and the helpers that run one operation and record its SQL.

use engine::db::{Database, DbError, QueryResult};
use engine::ops::Op;
use engine::{render, runtime};

/// One operation of the migration.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOp {
    /// The operation as the script says it: `op.add_column('tag', sa.Column('color', ...))`.
    pub label: String,
    /// The statements it executes (known before running for offline-able
    /// ops; after running for the rest). Empty: not known yet.
    pub sql: Vec<String>,
    /// The error it failed with, if it did.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepIntent {
    /// Run the operation at the cursor.
    Next,
    /// Undo the last operation run (the store restores its snapshot).
    Back,
    /// Run the rest.
    RunToEnd,
    /// Undo all steps run so far.
    Restart,
    Close,
}

/// A `Database` that passes everything through and records the statements
/// executed (not the queries), so a step shows the SQL it ran. The
/// transaction control the runtime adds (`BEGIN` / `COMMIT` / `ROLLBACK`) is
/// left out of the record.
pub struct Recording<'a> {
    db: &'a mut dyn Database,
    pub statements: Vec<String>,
}

impl<'a> Recording<'a> {
    pub fn new(db: &'a mut dyn Database) -> Self {
        Recording { db, statements: Vec::new() }
    }
}

impl Database for Recording<'_> {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        if !matches!(sql.trim().to_ascii_uppercase().as_str(), "BEGIN" | "COMMIT" | "ROLLBACK") {
            self.statements.push(sql.to_string());
        }
        self.db.execute(sql)
    }
    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        self.db.query(sql)
    }
}

/// The operation as the script writes it (`op.add_column(...)`, a whole
/// `with op.batch_alter_table(...)` block).
pub fn op_label(op: &Op) -> String {
    render::render_op(op).join("\n")
}

/// The steps of a migration before any has run: labels, no SQL yet.
pub fn pending_steps(ops: &[Op]) -> Vec<StepOp> {
    ops.iter().map(|op| StepOp { label: op_label(op), sql: Vec::new(), error: None }).collect()
}

/// Runs one operation online (as its own step: its DML commits at the end)
/// and returns it with the statements it executed and its error, if any.
pub fn run_one(db: &mut dyn Database, op: &Op) -> StepOp {
    let mut rec = Recording::new(db);
    let result = runtime::run_ops(&mut rec, std::slice::from_ref(op));
    StepOp { label: op_label(op), sql: rec.statements, error: result.err().map(|e| e.to_string()) }
}
