//! Declarative models (`models.py`) → `MetaData`.
//!
//! `load_models(source)` runs the file with the one evaluator
//! (`crate::python`) over SQLAlchemy's object model (`objects`): Core
//! `Table()`s and the declarative styles (DeclarativeBase,
//! `declarative_base()`, `registry`, `as_declarative`, mixins,
//! `declared_attr`, `Mapped[...]` annotations) and SQLModel are Python
//! values whose class statements build their tables as SQLAlchemy's do.
//!
//! Invariants:
//! - The module runs as Python runs it: every statement is evaluated, none
//!   is skipped; the exception Python would raise importing it (NameError,
//!   ModuleNotFoundError, SQLAlchemy's ArgumentError...) ends the load and
//!   is the result's first error, at its line:column. Never panics.
//! - The result is the MetaData SQLAlchemy 2.1.9 (and SQLModel 0.0.50) would
//!   build: tables in the order they attach, columns in declarative's order,
//!   names from the naming convention as `Name::conv`.
//! - The target metadata is `Base.metadata` when the module defines `Base`,
//!   else `SQLModel.metadata` when SQLModel is used, else the first
//!   `MetaData` among the module's globals.
//! - `metadata_to_json` prints the format of
//!   `tests/differential/dump_metadata.py`, the ground truth run against real
//!   SQLAlchemy.

mod evaluated;
mod json;
mod naming;
pub(crate) mod objects;

pub use evaluated::{load_evaluated, load_evaluated_deferred, Teardown};
pub use json::{enum_length, metadata_json, python_class_name, Json};
/// `MetaData.naming_convention` templates, for the runtime's target metadata.
pub(crate) use naming::format_convention;
/// Naming conventions applied to what ops build and to batch mode's reflected tables.
pub(crate) use naming::{convention_name, name_reflected_constraints, name_table_constraints, NamingError};

use crate::python::Diagnostic;
use crate::schema::MetaData;

/// What `load_models` understood plus what it could not.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelsResult {
    pub metadata: MetaData,
    pub diagnostics: Vec<Diagnostic>,
    /// True when the file uses SQLModel (scripts then `import sqlmodel`).
    pub uses_sqlmodel: bool,
    /// True when what the reference env.py reads exists: `models.Base.metadata`
    /// (or `SQLModel.metadata` in a SQLModel project). Otherwise env.py dies
    /// with `AttributeError` in every verb that runs it.
    pub env_target: bool,
    /// The Python exceptions importing the file raises in real Python, in
    /// source order (each is also an error in `diagnostics`). The first one
    /// is what Alembic's traceback ends with when it is also the first error.
    pub exceptions: Vec<PyException>,
    /// What the file's `print()` calls wrote while it was imported: Alembic's
    /// env.py imports it, so the command prints it to stdout.
    pub printed: String,
    /// What its log records wrote to stderr while it was imported (after
    /// env.py's `fileConfig`: the console handler's lines).
    pub logged: String,
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

/// One raised exception: class, message (Python's `str(exc)`) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyException {
    /// The class as the last line of a Python traceback names it
    /// (`NameError`, `sqlalchemy.exc.ArgumentError`).
    pub class: String,
    pub message: String,
    /// Where in models.py, 1-based like `Diagnostic`: where it was raised,
    /// or the statement it left models.py by (the import of a project
    /// module that raised it, the call of a function defined there).
    pub line: u32,
    pub column: u32,
    /// The traceback's places at file boundaries, outermost (models.py)
    /// first, the place it was raised last.
    pub traceback: Vec<crate::python::Loc>,
}

impl std::fmt::Display for PyException {
    /// The traceback's last line: `NameError: name 'Strin' is not defined`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::python::repr::exception_line(&self.class, &self.message))
    }
}

pub fn load_models(source: &str) -> ModelsResult {
    load_evaluated(source, std::rc::Rc::new(crate::python::NoModules))
}

/// [`load_models_with`], leaving the evaluation's teardown to the caller.
pub fn load_models_deferred(source: &str, loader: std::rc::Rc<dyn crate::python::ModuleLoader>) -> (ModelsResult, Teardown) {
    load_evaluated_deferred(source, loader)
}

/// `load_models` with the project's own modules importable through
/// `loader` (the `--path` folders).
pub fn load_models_with(source: &str, loader: std::rc::Rc<dyn crate::python::ModuleLoader>) -> ModelsResult {
    load_evaluated(source, loader)
}

/// Canonical JSON of a `MetaData` (indented, keys sorted), comparable with
/// `tests/differential/dump_metadata.py`'s output.
pub fn metadata_to_json(md: &MetaData) -> String {
    metadata_json(md).pretty()
}
