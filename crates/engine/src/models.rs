//! Declarative models (`models.py`) → `MetaData`.
//!
//! OWNER: models helper. Contract (keep the signature):
//! `load_models(source)` parses the file with `crate::python::parse_module`
//! and interprets the SQLAlchemy / SQLModel declarative subset into a
//! `MetaData`; everything it cannot interpret becomes a `Diagnostic` with
//! line:column, and the rest of the file still counts. Never panics.
//!
//! Invariants:
//! - The result is the MetaData SQLAlchemy 2.1.9 (and SQLModel 0.0.50) would
//!   build: tables in the order their classes / `Table()` calls attach them,
//!   columns in declarative's order (own attributes in `vars`/annotation merge
//!   order, then mixin copies in MRO order, then `sort_order`), names from the
//!   naming convention as `Name::conv`.
//! - The target metadata is `Base.metadata` when the module defines `Base`,
//!   else `SQLModel.metadata` when SQLModel is used, else the first
//!   declarative base's, else the first `MetaData()`.
//! - `metadata_to_json` prints the format of
//!   `tests/differential/dump_metadata.py`, the ground truth run against real
//!   SQLAlchemy.

mod interp;
mod json;

pub use json::{enum_length, metadata_json, python_class_name, Json};
/// `MetaData.naming_convention` templates, for the runtime's target metadata.
pub(crate) use interp::format_convention;

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
    interp::load(source)
}

/// Canonical JSON of a `MetaData` (indented, keys sorted), comparable with
/// `tests/differential/dump_metadata.py`'s output.
pub fn metadata_to_json(md: &MetaData) -> String {
    metadata_json(md).pretty()
}
