//! Ops → Alembic script text, byte for byte as Alembic 1.20.1 renders it
//! with the default `generic` template and `render_as_batch=True`.
//!
//! OWNER: script helper. Contract (keep the signatures).

use crate::ops::{DowngradeOps, UpgradeOps};

/// The header of a revision script.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScriptHeader {
    pub revision: String,
    /// Empty for a base revision; two or more for a merge.
    pub down_revision: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// `-m` message (None renders as `empty message`).
    pub message: Option<String>,
    /// `Create Date: 2026-11-22 03:03:40.760990` (local time, microseconds).
    pub create_date: String,
    /// Extra import lines after `import sqlalchemy as sa` (e.g. `import sqlmodel`).
    pub extra_imports: Vec<String>,
    /// `--autogenerate`: the body carries the `# ### commands auto generated` markers.
    pub autogenerate: bool,
}

/// Renders a whole revision file (docstring, imports, identifiers, upgrade(), downgrade()).
pub fn render_script(header: &ScriptHeader, upgrade: &UpgradeOps, downgrade: &DowngradeOps) -> String {
    let _ = (upgrade, downgrade);
    format!("\"\"\"{}\n\nRevision ID: {}\n\"\"\"\n", header.message.as_deref().unwrap_or("empty message"), header.revision)
}
