//! `alembic/autogenerate/compare/util.py` (`_InspectorConv`) and
//! `SQLiteImpl.autogen_column_reflect`: the reflected side as autogenerate
//! sees it.
//!
//! Invariant: the reflected table is never modified; [`conn_table`] returns a
//! copy whose constraint and index names are `conv` and whose unparenthesized
//! SQL defaults are parenthesized.

use crate::ddl::parenthesize_reflected_default;
use crate::schema::{Name, Table};

/// A reflected table as Alembic's autogenerate sees it: names wrapped in
/// `conv()` and SQL defaults parenthesized.
pub(super) fn conn_table(raw: &Table) -> Table {
    let mut t = raw.clone();
    for c in &mut t.columns {
        c.server_default = c.server_default.take().map(parenthesize_reflected_default);
    }
    if let Some(pk) = &mut t.primary_key {
        pk.name = pk.name.take().map(to_conv);
    }
    for fk in &mut t.foreign_keys {
        fk.name = fk.name.take().map(to_conv);
    }
    for uq in &mut t.unique_constraints {
        uq.name = uq.name.take().map(to_conv);
    }
    for ck in &mut t.check_constraints {
        ck.name = ck.name.take().map(to_conv);
    }
    for ix in &mut t.indexes {
        ix.name = ix.name.take().map(to_conv);
    }
    t
}

fn to_conv(n: Name) -> Name {
    Name::conv(n.value)
}
