//! SQLite catalog → `MetaData`, as SQLAlchemy's SQLite dialect reflects it.
//!
//! OWNER: sqlite helper. Contract (keep the signature): `reflect(db)` reads
//! `sqlite_master` and `PRAGMA table_info / index_list / index_info /
//! foreign_key_list` (plus the CREATE TABLE text for constraint names and
//! CHECKs, as SQLAlchemy does) and returns every user table, including
//! `alembic_version` (autogenerate skips it), excluding `sqlite_%` tables.
//! Types are what SQLAlchemy's `ischema_names` gives (VARCHAR(40) →
//! `TypeClass::VarcharUpper` with length 40).

use crate::db::{Database, DbError};
use crate::schema::MetaData;

pub fn reflect(db: &mut dyn Database) -> Result<MetaData, DbError> {
    let _ = db;
    Ok(MetaData::default())
}
