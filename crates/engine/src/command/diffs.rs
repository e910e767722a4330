//! `UpgradeOps.as_diffs()` as `alembic check` prints it: `New upgrade
//! operations detected: [...]` is Python's `repr` of a list of diff tuples
//! holding SQLAlchemy objects (`Table(...)`, `Column(...)`, `Index(...)`,
//! types such as `String(length=40)`).
//!
//! Invariants:
//! - Model-side objects (added tables, columns, indexes; new types) come from
//!   the models' `MetaData`, database-side ones (removed tables, columns,
//!   indexes; existing types) from the reflected one, as in Alembic, so types
//!   read `String(length=40)` on one side and `VARCHAR(length=40)` on the other.
//! - A type's repr is its rendering without the module prefix (`sa.String(length=40)`
//!   → `String(length=40)`): Alembic renders types through `repr()` too.
//! - What Python shows with a memory address (a reflected server default, a
//!   constraint object) cannot match: it is shown without the address.

use crate::ops::{AlterColumn, Op, UpgradeOps};
use crate::render::{self, py_repr_str};
use crate::schema::{Column, Index, IndexColumn, MetaData, ServerDefault, SqlType, Table};

/// The two sides autogenerate compared.
pub(super) struct Sides<'a> {
    pub models: &'a MetaData,
    pub database: &'a MetaData,
}

/// `repr(upgrade_ops.as_diffs())`.
pub(super) fn as_diffs(upgrade: &UpgradeOps, sides: &Sides<'_>) -> String {
    let mut out = Vec::new();
    for op in &upgrade.ops {
        diffs(op, sides, &mut out);
    }
    format!("[{}]", out.join(", "))
}

fn diffs(op: &Op, sides: &Sides<'_>, out: &mut Vec<String>) {
    let q = |s: &str| py_repr_str(s);
    match op {
        Op::CreateTable { table, .. } => out.push(format!("('add_table', {})", table_repr(table))),
        Op::DropTable { table, .. } => {
            let reflected = sides.database.tables.get(&table.name).unwrap_or(table);
            out.push(format!("('remove_table', {})", table_repr(reflected)))
        }
        Op::RenameTable { old_name, new_name } => out.push(format!("('rename_table', {}, {})", q(old_name), q(new_name))),
        Op::AddColumn { table, column, .. } => {
            let t = sides.models.tables.get(table);
            out.push(format!("('add_column', None, {}, {})", q(table), column_repr(column, table, t)))
        }
        Op::DropColumn { table, column, .. } => {
            let t = sides.database.tables.get(table);
            let c = t.and_then(|t| t.column(&column.name)).unwrap_or(column);
            out.push(format!("('remove_column', None, {}, {})", q(table), column_repr(c, table, t)))
        }
        Op::AlterColumn(a) => out.push(alter_repr(a)),
        Op::CreateIndex { index, .. } => out.push(format!("('add_index', {})", index_repr(index, sides.models))),
        Op::DropIndex { index, .. } => out.push(format!("('remove_index', {})", index_repr(index, sides.database))),
        Op::CreateUniqueConstraint { table, .. } => out.push(format!("('add_constraint', {})", q(table))),
        Op::CreateForeignKey { table, .. } => out.push(format!("('add_fk', {})", q(table))),
        Op::CreatePrimaryKey { table, .. } => out.push(format!("('add_constraint', {})", q(table))),
        Op::CreateCheckConstraint { table, .. } => out.push(format!("('add_constraint', {})", q(table))),
        Op::DropConstraint { table, .. } => out.push(format!("('remove_constraint', {})", q(table))),
        Op::Execute { .. } | Op::BulkInsert { .. } => {}
        Op::BatchAlterTable(b) => b.ops.iter().for_each(|o| diffs(o, sides, out)),
    }
}

/// `repr(type_)`: `String(length=40)`, `INTEGER()`.
fn type_repr(t: &SqlType) -> String {
    // a Variant's repr is its base type's
    let t = t.variant_of.as_ref().map(|v| &v.base).unwrap_or(t);
    // `sa.ARRAY(sa.String(...))` renders its item as a type; its repr does not
    if t.dialect.as_ref().is_some_and(|d| d.item_type.is_some()) {
        return crate::autogen::type_repr(t);
    }
    let rendered = render::render_type(t);
    let call = rendered.find('(').unwrap_or(rendered.len());
    match rendered[..call].rfind('.') {
        Some(dot) => rendered[dot + 1..].to_string(),
        None => rendered,
    }
}

/// `Table.__repr__`: name, `MetaData()`, the columns, `schema=None`.
fn table_repr(t: &Table) -> String {
    let mut parts = vec![py_repr_str(&t.name), "MetaData()".to_string()];
    parts.extend(t.columns.iter().map(|c| column_repr(c, &t.name, Some(t))));
    parts.push("schema=None".to_string());
    format!("Table({})", parts.join(", "))
}

/// `Column.__repr__`: name, type, its `ForeignKey`s, `table=<t>`, then
/// `primary_key`, `nullable`, `default`, `server_default`, `comment` when set.
fn column_repr(c: &Column, table_name: &str, table: Option<&Table>) -> String {
    let mut parts = vec![py_repr_str(&c.name), type_repr(&c.type_)];
    if let Some(t) = table {
        for fk in &t.foreign_keys {
            for (col, referred) in fk.columns.iter().zip(&fk.referred_columns) {
                if col == &c.name {
                    parts.push(format!("ForeignKey({})", py_repr_str(&format!("{}.{referred}", fk.referred_table))));
                }
            }
        }
    }
    parts.push(format!("table=<{table_name}>"));
    if c.primary_key {
        parts.push("primary_key=True".to_string());
    }
    if !c.nullable {
        parts.push("nullable=False".to_string());
    }
    if let Some(d) = &c.client_default {
        parts.push(format!("default={d}"));
    }
    if let Some(d) = &c.server_default {
        parts.push(format!("server_default={}", default_repr(d)));
    }
    if let Some(comment) = &c.comment {
        parts.push(format!("comment={}", py_repr_str(comment)));
    }
    format!("Column({})", parts.join(", "))
}

/// `DefaultClause.__repr__`; a text clause shows as an object (Python adds
/// its address).
fn default_repr(d: &ServerDefault) -> String {
    match d {
        ServerDefault::Literal(s) => format!("DefaultClause({}, for_update=False)", py_repr_str(s)),
        ServerDefault::Text(_) => "DefaultClause(<sqlalchemy.sql.elements.TextClause object>, for_update=False)".to_string(),
    }
}

/// `Index.__repr__`: name, its columns (as `Column(...)` of its table), `unique=True`.
fn index_repr(index: &Index, side: &MetaData) -> String {
    let table = side.tables.get(&index.table);
    let mut parts = vec![match &index.name {
        Some(n) => py_repr_str(&n.value),
        None => "None".to_string(),
    }];
    for col in &index.columns {
        match col {
            IndexColumn::Column(name) => match table.and_then(|t| t.column(name)) {
                // the index's columns print without their ForeignKeys (checked
                // against Alembic 1.20.1: `Index('ix_click_link_id', Column('link_id',
                // INTEGER(), table=<click>, nullable=False))`)
                Some(c) => parts.push(column_repr(c, &index.table, None)),
                None => parts.push(py_repr_str(name)),
            },
            IndexColumn::Expression(text) => parts.push(format!("<sqlalchemy.sql.elements.TextClause object> ({text})")),
        }
    }
    if index.unique {
        parts.push("unique=True".to_string());
    }
    format!("Index({})", parts.join(", "))
}

fn opt_type_repr(t: Option<&SqlType>) -> String {
    t.map(type_repr).unwrap_or_else(|| "None".to_string())
}

fn opt_bool(b: Option<bool>) -> String {
    match b {
        Some(true) => "True".to_string(),
        Some(false) => "False".to_string(),
        None => "None".to_string(),
    }
}

/// `existing_server_default`: `False` when there is none.
fn existing_default(a: &AlterColumn) -> String {
    match &a.existing_server_default {
        Some(Some(d)) => default_repr(d),
        Some(None) | None => "False".to_string(),
    }
}

fn opt_comment(c: Option<&Option<String>>) -> String {
    match c {
        Some(Some(s)) => py_repr_str(s),
        _ => "None".to_string(),
    }
}

/// `AlterColumnOp.to_diff_tuple()`: a list of `modify_*` tuples.
fn alter_repr(a: &AlterColumn) -> String {
    let (t, c) = (py_repr_str(&a.table), py_repr_str(&a.column));
    let existing_type = opt_type_repr(a.existing_type.as_ref());
    let existing_nullable = opt_bool(a.existing_nullable);
    let existing_comment = opt_comment(a.existing_comment.as_ref());
    let mut items = Vec::new();
    if let Some(new_type) = &a.modify_type {
        items.push(format!(
            "('modify_type', None, {t}, {c}, {{'existing_nullable': {existing_nullable}, 'existing_server_default': {}, \
             'existing_comment': {existing_comment}}}, {existing_type}, {})",
            existing_default(a),
            type_repr(new_type)
        ));
    }
    if let Some(nullable) = a.modify_nullable {
        items.push(format!(
            "('modify_nullable', None, {t}, {c}, {{'existing_type': {existing_type}, 'existing_server_default': {}, \
             'existing_comment': {existing_comment}}}, {existing_nullable}, {})",
            existing_default(a),
            opt_bool(Some(nullable))
        ));
    }
    if let Some(new_default) = &a.modify_server_default {
        items.push(format!(
            "('modify_default', None, {t}, {c}, {{'existing_nullable': {existing_nullable}, 'existing_type': {existing_type}, \
             'existing_comment': {existing_comment}}}, {}, {})",
            existing_default(a),
            new_default.as_ref().map(default_repr).unwrap_or_else(|| "None".to_string())
        ));
    }
    if let Some(new_comment) = &a.modify_comment {
        items.push(format!(
            "('modify_comment', None, {t}, {c}, {{'existing_nullable': {existing_nullable}, 'existing_type': {existing_type}, \
             'existing_server_default': {}}}, {existing_comment}, {})",
            existing_default(a),
            new_comment.as_ref().map(|s| py_repr_str(s)).unwrap_or_else(|| "None".to_string())
        ));
    }
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKeyConstraint, Name, SqlType, Table, TypeClass};

    fn sides_with(models: MetaData, database: MetaData, f: impl FnOnce(&Sides<'_>)) {
        f(&Sides { models: &models, database: &database })
    }

    #[test]
    fn add_table_is_a_table_repr_with_column_foreign_keys() {
        // `alembic check` on models adding `recipe` (Alembic 1.20.1 / SQLAlchemy 2.1.9)
        let mut table = Table::new("recipe");
        let mut id = Column::new("id", SqlType::new(TypeClass::Integer));
        id.primary_key = true;
        id.nullable = false;
        let mut title = Column::new("title", SqlType::new(TypeClass::String).with_length(Some(100)));
        title.nullable = false;
        table.columns = vec![id, title, Column::new("cook_id", SqlType::new(TypeClass::Integer))];
        table.foreign_keys.push(ForeignKeyConstraint {
            name: None::<Name>,
            columns: vec!["cook_id".into()],
            referred_table: "cook".into(),
            referred_columns: vec!["id".into()],
            ondelete: Some("CASCADE".into()),
            onupdate: None,
            deferrable: None,
            initially: None,
            use_alter: false,
        });
        let ops = UpgradeOps { ops: vec![Op::CreateTable { table, if_not_exists: None }] };
        sides_with(MetaData::default(), MetaData::default(), |sides| {
            assert_eq!(
                as_diffs(&ops, sides),
                "[('add_table', Table('recipe', MetaData(), Column('id', Integer(), table=<recipe>, primary_key=True, \
                 nullable=False), Column('title', String(length=100), table=<recipe>, nullable=False), \
                 Column('cook_id', Integer(), ForeignKey('cook.id'), table=<recipe>), schema=None))]"
            );
        });
    }
}
