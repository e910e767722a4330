//! The revision graph: Alembic's `alembic/script/revision.py` (`RevisionMap`)
//! plus the version-table bookkeeping of `alembic/runtime/migration.py`
//! (`MigrationStep`, `HeadMaintainer`).
//!
//! OWNER: revision helper. Contract (keep the signatures; add freely).

/// One revision as the map knows it (from a script's header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub revision: String,
    /// `down_revision`: empty for a base, 2+ for a merge point.
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// First line of the docstring (`Revision.doc`).
    pub doc: String,
    /// `r0001_step_1.py`
    pub file_name: String,
}

/// Errors with Alembic's wording, e.g. `Can't locate revision identified by 'x'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    #[error("{0}")]
    Message(String),
}

/// The graph of revisions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RevisionMap {
    pub revisions: Vec<Revision>,
}

impl RevisionMap {
    pub fn new(revisions: Vec<Revision>) -> Result<Self, RevisionError> {
        Ok(RevisionMap { revisions })
    }
}
