//! The step-through view's data: the operations of one migration with their
//! SQL, and what the view asks for (pure; the store's reducer uses these
//! natively).

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
