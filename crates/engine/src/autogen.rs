//! Autogenerate: compare(metadata, reflected) → upgrade ops, as Alembic's
//! `alembic/autogenerate/compare/*` does with `compare_type=True`,
//! `compare_server_default=False`, `render_as_batch=True`.
//!
//! OWNER: autogen helper. Contract (keep the signature).

use crate::ops::UpgradeOps;
use crate::schema::MetaData;

/// The ops plus Alembic's "Detected ..." log lines, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    pub upgrade: UpgradeOps,
    /// e.g. `Detected added table 'athlete'` (logged by
    /// `alembic.autogenerate.compare.tables`): `(logger, message)`.
    pub log: Vec<(String, String)>,
}

/// Compares model metadata with the reflected database schema. Tables named
/// `alembic_version` are skipped. Ops on existing tables come grouped in
/// `Op::BatchAlterTable` blocks (render_as_batch=True).
pub fn compare(metadata: &MetaData, reflected: &MetaData) -> Comparison {
    let _ = (metadata, reflected);
    Comparison::default()
}
