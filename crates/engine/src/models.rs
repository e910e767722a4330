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
mod modules;
pub(crate) mod objects;
mod evaluated;
pub use evaluated::load_evaluated;

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
    /// The Python exceptions importing the file raises in real Python, in
    /// source order (each is also an error in `diagnostics`). The first one
    /// is what Alembic's traceback ends with when it is also the first error.
    pub exceptions: Vec<PyException>,
}

impl ModelsResult {
    /// The exception Alembic's import of models.py dies with, when the first
    /// error of the file is one Python raises (rather than a construct the
    /// playground does not evaluate).
    pub fn first_exception(&self) -> Option<&PyException> {
        let first = self.diagnostics.iter().find(|d| d.severity == crate::python::Severity::Error)?;
        self.exceptions.iter().find(|e| e.line == first.line && e.column == first.column)
    }
}

/// A Python exception class raised while importing models.py.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyExceptionClass {
    NameError,
    ModuleNotFoundError,
    AssertionError,
    TypeError,
    /// `sqlalchemy.exc.ArgumentError` (e.g. a mapped class without a primary key)
    ArgumentError,
}

impl PyExceptionClass {
    /// The class as the last line of a Python traceback names it.
    pub fn python_name(self) -> &'static str {
        match self {
            PyExceptionClass::NameError => "NameError",
            PyExceptionClass::ModuleNotFoundError => "ModuleNotFoundError",
            PyExceptionClass::AssertionError => "AssertionError",
            PyExceptionClass::TypeError => "TypeError",
            PyExceptionClass::ArgumentError => "sqlalchemy.exc.ArgumentError",
        }
    }
}

/// One raised exception: class, message (Python's `str(exc)`) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyException {
    pub class: PyExceptionClass,
    pub message: String,
    /// 1-based, like `Diagnostic`.
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for PyException {
    /// The traceback's last line: `NameError: name 'Strin' is not defined`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.class.python_name())
        } else {
            write!(f, "{}: {}", self.class.python_name(), self.message)
        }
    }
}

pub fn load_models(source: &str) -> ModelsResult {
    interp::load(source)
}

/// Canonical JSON of a `MetaData` (indented, keys sorted), comparable with
/// `tests/differential/dump_metadata.py`'s output.
pub fn metadata_to_json(md: &MetaData) -> String {
    metadata_json(md).pretty()
}
