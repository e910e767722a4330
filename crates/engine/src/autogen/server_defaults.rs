//! `alembic/autogenerate/compare/server_defaults.py`: the part that applies
//! with `compare_server_default=False`, `_setup_autoincrement`'s question.
//!
//! Invariant: pure over the model table; nothing here produces an op.

use crate::schema::{Autoincrement, Column, Table};

/// `Table._autoincrement_column is column` (SQLAlchemy's
/// `PrimaryKeyConstraint._autoincrement_column`), for the column comparator.
pub(super) fn is_autoincrement_column(table: &Table, col: &Column) -> bool {
    let pk_cols = table.primary_key_columns();
    if pk_cols.len() == 1 {
        if pk_cols.first().map(String::as_str) != Some(col.name.as_str()) {
            return false;
        }
        match col.autoincrement {
            Autoincrement::True => true,
            Autoincrement::False => false,
            Autoincrement::Auto | Autoincrement::IgnoreFk => {
                let has_fk = table.foreign_keys.iter().any(|fk| fk.columns.iter().any(|c| c == &col.name));
                crate::ddl::type_affinity(col.type_.class) == crate::ddl::Affinity::Integer
                    && col.server_default.is_none()
                    && col.computed.is_none()
                    && (!has_fk || col.autoincrement == Autoincrement::IgnoreFk)
            }
        }
    } else {
        pk_cols.iter().any(|c| c == &col.name) && col.autoincrement == Autoincrement::True
    }
}
