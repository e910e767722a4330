//! Declarative models (`models.py`) → `MetaData`.
//!
//! OWNER: models helper. Contract (keep the signature):
//! `load_models(source)` parses the file with `crate::python::parse_module`
//! and interprets the SQLAlchemy / SQLModel declarative subset into a
//! `MetaData`; everything it cannot interpret becomes a `Diagnostic` with
//! line:column, and the rest of the file still counts. Never panics.

use crate::python::Diagnostic;
use crate::schema::MetaData;

/// What `load_models` understood plus what it could not.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelsResult {
    pub metadata: MetaData,
    pub diagnostics: Vec<Diagnostic>,
    /// True when the file uses SQLModel (scripts then `import sqlmodel`).
    pub uses_sqlmodel: bool,
}

pub fn load_models(source: &str) -> ModelsResult {
    let parsed = crate::python::parse_module(source);
    ModelsResult { metadata: MetaData::default(), diagnostics: parsed.diagnostics.clone(), uses_sqlmodel: false }
}
