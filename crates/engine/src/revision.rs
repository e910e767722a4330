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

/// What one migration step does to `alembic_version` (Alembic's `HeadMaintainer`).
/// The runtime turns these into SQL (online and `--sql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionUpdate {
    /// `INSERT INTO alembic_version (version_num) VALUES ('to')`
    Insert(String),
    /// `UPDATE alembic_version SET version_num='to' WHERE alembic_version.version_num = 'from'`
    Update { from: String, to: String },
    /// `DELETE FROM alembic_version WHERE alembic_version.version_num = 'from'`
    Delete(String),
}

/// One step of an upgrade or downgrade: run one revision's `upgrade()` or
/// `downgrade()`, then apply `version_updates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStep {
    pub revision: String,
    pub is_upgrade: bool,
    pub version_updates: Vec<VersionUpdate>,
    /// The text after `Running ` in Alembic's log, e.g. `upgrade  -> r0001, step_1`
    /// or `downgrade r0002 -> r0001, step_2`.
    pub description: String,
}
