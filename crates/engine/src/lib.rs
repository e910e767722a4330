//! Alembic + SQLAlchemy's SQLite workflow as a pure library.
//!
//! Invariants:
//! - No I/O, clock or randomness: the database comes in through
//!   [`db::Database`], files and ids/dates through [`command::Host`].
//! - Builds for `wasm32-unknown-unknown` and native alike.
//! - The reference is real Alembic 1.20.1 with SQLAlchemy 2.1.9; where this
//!   crate and Alembic differ, Alembic is right.

pub mod autogen;
pub mod command;
pub mod db;
pub mod ddl;
pub mod models;
pub mod ops;
pub mod python;
pub mod reflect;
pub mod render;
pub mod revision;
pub mod runtime;
pub mod sample_rows;
pub mod schema;
pub mod schema_diff;
pub mod script;
pub mod sort;
