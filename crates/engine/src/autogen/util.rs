//! `alembic/autogenerate/compare/util.py` (`_InspectorConv`) and
//! `SQLiteImpl.autogen_column_reflect`: the reflected side as autogenerate
//! sees it.
//!
//! Invariant: the reflected table is never modified; [`conn_table`] returns a
//! copy whose constraint and index names are `conv` and whose unparenthesized
//! SQL defaults are parenthesized.

use crate::schema::{Name, ServerDefault, Table};

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

/// `SQLiteImpl.autogen_column_reflect` /
/// `_guess_if_default_is_unparenthesized_sql_expr`: a reflected default that
/// is not a number digit, a quoted string or already parenthesized gets
/// parentheses, because SQLite needs them around expressions in DDL
/// (<https://sqlite.org/lang_createtable.html#the_default_clause>).
pub fn parenthesize_reflected_default(d: ServerDefault) -> ServerDefault {
    match d {
        ServerDefault::Text(expr) if is_unparenthesized_sql_expr(&expr) => ServerDefault::Text(format!("({expr})")),
        other => other,
    }
}

fn is_unparenthesized_sql_expr(expr: &str) -> bool {
    // Python's `re.match(r"^...$")`: `$` also matches before one final "\n";
    // `.` does not match "\n".
    let body = expr.strip_suffix('\n').unwrap_or(expr);
    let enclosed = |open: char, close: char| {
        body.chars().count() >= 3 && body.starts_with(open) && body.ends_with(close) && !body.contains('\n')
    };
    let single_digit = body.chars().count() == 1 && body.chars().all(|c| c.is_ascii_digit() || c == '.');
    !(expr.is_empty() || single_digit || enclosed('\'', '\'') || enclosed('(', ')'))
}
