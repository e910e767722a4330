//! Runs ops as Alembic does on SQLite: online against a `Database` (DDL not
//! transactional: what ran before a failure stays), or offline (`--sql`) as
//! statement text.
//!
//! OWNER: sqlite helper.
