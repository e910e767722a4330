//! What changed between two schemas: tables, columns, indexes and
//! constraints added, dropped or changed, as an ordered structured result.
//!
//! This is a *viewer's* diff (the playground's diff view, the ER diagram's
//! change marks, the timeline), not autogenerate: it never produces ops and
//! it compares what a person reads (compiled SQL types, default text,
//! nullability), so `String(40)` from a model and `VARCHAR(40)` reflected from
//! the database are the same type here.
//!
//! Invariants:
//! - Pure and deterministic: tables in name order; inside a table, columns in
//!   the `after` table's order followed by dropped ones in the `before`
//!   table's order; then indexes, then constraints (primary key, foreign keys,
//!   unique, check), each in the same after-then-dropped order.
//! - Identity: a column or table by name; an index or constraint by its name,
//!   or, when unnamed, by its kind and column list (a primary key is the
//!   table's one `primary` constraint whatever its columns).
//! - A table present on both sides is `Changed` exactly when it has item
//!   changes; an added or dropped table lists no items (all of it is new/gone).
//! - [`ObjectRef::key`] is the stable `data-object` text the UI's test hooks
//!   use: `table:tag`, `column:tag.color`, `index:tag.ix_tag_name`,
//!   `constraint:tag.fk_tag_user_id_user`.

use std::collections::BTreeSet;

use crate::ddl;
use crate::sort::set_of;
use crate::schema::{
    CheckConstraint, Column, ConstraintKind, ForeignKeyConstraint, Index, MetaData, Name,
    PrimaryKeyConstraint, ServerDefault, Table, UniqueConstraint,
};

/// How an object differs between `before` and `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    Added,
    Dropped,
    Changed,
}

impl Change {
    /// `added` / `dropped` / `changed` (the `data-change` hook value).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Dropped => "dropped",
            Change::Changed => "changed",
        }
    }
}

/// An object inside a table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    Column(String),
    /// The index's identity: its name, or `(a, b)` when unnamed.
    Index(String),
    /// The constraint's kind and identity: its name, or `kind(a, b)` when
    /// unnamed (`primary` for any primary key without a name).
    Constraint { kind: ConstraintKind, id: String },
}

/// A table or an object inside one: what a diff entry is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectRef {
    Table(String),
    Item { table: String, item: Item },
}

impl ObjectRef {
    pub fn column(table: &str, column: &str) -> Self {
        ObjectRef::Item { table: table.into(), item: Item::Column(column.into()) }
    }

    /// The `data-object` text: `table:T`, `column:T.C`, `index:T.ID`,
    /// `constraint:T.ID`.
    pub fn key(&self) -> String {
        match self {
            ObjectRef::Table(t) => format!("table:{t}"),
            ObjectRef::Item { table, item } => match item {
                Item::Column(c) => format!("column:{table}.{c}"),
                Item::Index(id) => format!("index:{table}.{id}"),
                Item::Constraint { id, .. } => format!("constraint:{table}.{id}"),
            },
        }
    }
}

/// Which property of a changed item differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The compiled SQLite type (`VARCHAR(40)`).
    Type,
    Nullable,
    /// The server default as DDL writes it (`'x'`, `CURRENT_TIMESTAMP`).
    Default,
    /// Membership in the primary key.
    PrimaryKey,
    /// `GENERATED ALWAYS AS (...)`.
    Computed,
    /// The column list of an index or constraint.
    Columns,
    /// `unique=` of an index.
    Unique,
    /// The `WHERE` of a partial index (`sqlite_where=`).
    Where,
    /// The referred `table(columns)` of a foreign key.
    References,
    OnDelete,
    OnUpdate,
    /// The SQL text of a check constraint.
    SqlText,
    /// The name of a primary key constraint.
    Name,
    Comment,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Type => "type",
            Field::Nullable => "nullable",
            Field::Default => "default",
            Field::PrimaryKey => "primary key",
            Field::Computed => "computed",
            Field::Columns => "columns",
            Field::Unique => "unique",
            Field::Where => "where",
            Field::References => "references",
            Field::OnDelete => "on delete",
            Field::OnUpdate => "on update",
            Field::SqlText => "sql",
            Field::Name => "name",
            Field::Comment => "comment",
        }
    }
}

/// One property's old and new value, as display text (`∅` for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: Field,
    pub before: String,
    pub after: String,
}

/// One added, dropped or changed column / index / constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDiff {
    pub item: Item,
    pub change: Change,
    /// A one-line description of the object (`VARCHAR(40) NOT NULL`,
    /// `UNIQUE INDEX (name)`, `FOREIGN KEY (user_id) → user (id)`): the `after`
    /// side's, or the `before` side's for a dropped one.
    pub summary: String,
    /// For `Changed`: what differs, in [`Field`] order. Empty otherwise.
    pub fields: Vec<FieldChange>,
}

/// One table's difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDiff {
    pub name: String,
    pub change: Change,
    /// Empty for added and dropped tables.
    pub items: Vec<ItemDiff>,
}

/// The whole difference, tables in name order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaDiff {
    pub tables: Vec<TableDiff>,
}

impl SchemaDiff {
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Every entry as (object, change), tables before their items.
    pub fn entries(&self) -> Vec<(ObjectRef, Change)> {
        let mut out = Vec::new();
        for t in &self.tables {
            out.push((ObjectRef::Table(t.name.clone()), t.change));
            for i in &t.items {
                out.push((ObjectRef::Item { table: t.name.clone(), item: i.item.clone() }, i.change));
            }
        }
        out
    }

    /// The change of one table, if any.
    pub fn table(&self, name: &str) -> Option<&TableDiff> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The change of one column, if any (columns of added / dropped tables
    /// report their table's change).
    pub fn column_change(&self, table: &str, column: &str) -> Option<Change> {
        let t = self.table(table)?;
        match t.change {
            Change::Added | Change::Dropped => Some(t.change),
            Change::Changed => t
                .items
                .iter()
                .find(|i| matches!(&i.item, Item::Column(c) if c == column))
                .map(|i| i.change),
        }
    }

    /// Counts of (added, dropped, changed) entries, tables and items alike.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut n = (0, 0, 0);
        for (_, c) in self.entries() {
            match c {
                Change::Added => n.0 += 1,
                Change::Dropped => n.1 += 1,
                Change::Changed => n.2 += 1,
            }
        }
        n
    }
}

/// The difference from `before` to `after`.
pub fn diff(before: &MetaData, after: &MetaData) -> SchemaDiff {
    let names: BTreeSet<&str> = set_of(before.tables.keys().chain(after.tables.keys()).map(String::as_str));
    let mut tables = Vec::new();
    for name in names {
        match (before.tables.get(name), after.tables.get(name)) {
            (None, Some(_)) => tables.push(TableDiff { name: name.to_string(), change: Change::Added, items: vec![] }),
            (Some(_), None) => tables.push(TableDiff { name: name.to_string(), change: Change::Dropped, items: vec![] }),
            (Some(b), Some(a)) => {
                let items = table_items(b, a);
                if !items.is_empty() {
                    tables.push(TableDiff { name: name.to_string(), change: Change::Changed, items });
                }
            }
            (None, None) => {}
        }
    }
    SchemaDiff { tables }
}

/// `VARCHAR(40)`, or the type's class name when SQLite cannot compile it.
pub fn type_text(t: &crate::schema::SqlType) -> String {
    ddl::compile_type(t).unwrap_or_else(|_| format!("{:?}", t.class).to_uppercase())
}

/// A server default as DDL writes it, without `DEFAULT`: `'x'`, `CURRENT_TIMESTAMP`.
pub fn default_text(d: &ServerDefault) -> String {
    match d {
        ServerDefault::Literal(s) => ddl::string_literal(s),
        ServerDefault::Text(s) => s.clone(),
    }
}

const NONE: &str = "∅";

fn opt(s: Option<String>) -> String {
    s.unwrap_or_else(|| NONE.to_string())
}

fn column_summary(c: &Column) -> String {
    let mut s = type_text(&c.type_);
    if c.primary_key {
        s.push_str(" PRIMARY KEY");
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.server_default {
        s.push_str(" DEFAULT ");
        s.push_str(&default_text(d));
    }
    if let Some(comp) = &c.computed {
        s.push_str(&format!(" GENERATED ({})", comp.sqltext));
    }
    s
}

fn column_fields(b: &Column, a: &Column) -> Vec<FieldChange> {
    let mut f = Vec::new();
    let mut push = |field, before: String, after: String| {
        if before != after {
            f.push(FieldChange { field, before, after });
        }
    };
    push(Field::Type, type_text(&b.type_), type_text(&a.type_));
    push(Field::Nullable, b.nullable.to_string(), a.nullable.to_string());
    push(Field::Default, opt(b.server_default.as_ref().map(default_text)), opt(a.server_default.as_ref().map(default_text)));
    push(Field::PrimaryKey, b.primary_key.to_string(), a.primary_key.to_string());
    push(
        Field::Computed,
        opt(b.computed.as_ref().map(|c| c.sqltext.clone())),
        opt(a.computed.as_ref().map(|c| c.sqltext.clone())),
    );
    push(Field::Comment, opt(b.comment.clone()), opt(a.comment.clone()));
    f
}

fn cols(list: &[String]) -> String {
    format!("({})", list.join(", "))
}

fn name_of(n: &Option<Name>) -> Option<String> {
    n.as_ref().map(|n| n.value.clone())
}

fn index_id(i: &Index) -> String {
    name_of(&i.name).unwrap_or_else(|| {
        cols(&i.columns.iter().map(|c| c.as_str().to_string()).collect::<Vec<_>>())
    })
}

fn index_summary(i: &Index) -> String {
    let c: Vec<String> = i.columns.iter().map(|c| c.as_str().to_string()).collect();
    format!("{}INDEX {}", if i.unique { "UNIQUE " } else { "" }, cols(&c))
}

fn index_fields(b: &Index, a: &Index) -> Vec<FieldChange> {
    let mut f = Vec::new();
    let bc: Vec<String> = b.columns.iter().map(|c| c.as_str().to_string()).collect();
    let ac: Vec<String> = a.columns.iter().map(|c| c.as_str().to_string()).collect();
    if bc != ac {
        f.push(FieldChange { field: Field::Columns, before: cols(&bc), after: cols(&ac) });
    }
    if b.unique != a.unique {
        f.push(FieldChange { field: Field::Unique, before: b.unique.to_string(), after: a.unique.to_string() });
    }
    if b.sqlite_where != a.sqlite_where {
        let text = |w: &Option<String>| w.clone().unwrap_or_default();
        f.push(FieldChange { field: Field::Where, before: text(&b.sqlite_where), after: text(&a.sqlite_where) });
    }
    f
}

/// A constraint of any kind, borrowed, for the shared matching code.
#[derive(Clone, Copy)]
enum Con<'a> {
    Pk(&'a PrimaryKeyConstraint),
    Fk(&'a ForeignKeyConstraint),
    Uq(&'a UniqueConstraint),
    Ck(&'a CheckConstraint),
}

impl Con<'_> {
    fn kind(self) -> ConstraintKind {
        match self {
            Con::Pk(_) => ConstraintKind::Primary,
            Con::Fk(_) => ConstraintKind::ForeignKey,
            Con::Uq(_) => ConstraintKind::Unique,
            Con::Ck(_) => ConstraintKind::Check,
        }
    }

    fn id(self) -> String {
        match self {
            Con::Pk(pk) => name_of(&pk.name).unwrap_or_else(|| "primary".into()),
            Con::Fk(fk) => name_of(&fk.name).unwrap_or_else(|| format!("foreignkey{}", cols(&fk.columns))),
            Con::Uq(uq) => name_of(&uq.name).unwrap_or_else(|| format!("unique{}", cols(&uq.columns))),
            Con::Ck(ck) => name_of(&ck.name).unwrap_or_else(|| format!("check({})", ck.sqltext)),
        }
    }

    fn summary(self) -> String {
        match self {
            Con::Pk(pk) => format!("PRIMARY KEY {}", cols(&pk.columns)),
            Con::Fk(fk) => {
                let mut s = format!("FOREIGN KEY {} → {} {}", cols(&fk.columns), fk.referred_table, cols(&fk.referred_columns));
                if let Some(d) = &fk.ondelete {
                    s.push_str(&format!(" ON DELETE {d}"));
                }
                if let Some(u) = &fk.onupdate {
                    s.push_str(&format!(" ON UPDATE {u}"));
                }
                s
            }
            Con::Uq(uq) => format!("UNIQUE {}", cols(&uq.columns)),
            Con::Ck(ck) => format!("CHECK ({})", ck.sqltext),
        }
    }

    /// (field, value) pairs compared between the two sides.
    fn fields(self) -> Vec<(Field, String)> {
        match self {
            Con::Pk(pk) => vec![(Field::Columns, cols(&pk.columns)), (Field::Name, opt(name_of(&pk.name)))],
            Con::Fk(fk) => vec![
                (Field::Columns, cols(&fk.columns)),
                (Field::References, format!("{} {}", fk.referred_table, cols(&fk.referred_columns))),
                (Field::OnDelete, opt(fk.ondelete.clone())),
                (Field::OnUpdate, opt(fk.onupdate.clone())),
            ],
            Con::Uq(uq) => vec![(Field::Columns, cols(&uq.columns))],
            Con::Ck(ck) => vec![(Field::SqlText, ck.sqltext.clone())],
        }
    }
}

fn constraints(t: &Table) -> Vec<Con<'_>> {
    let mut v: Vec<Con<'_>> = Vec::new();
    v.extend(t.primary_key.iter().filter(|pk| !pk.columns.is_empty()).map(Con::Pk));
    v.extend(t.foreign_keys.iter().map(Con::Fk));
    v.extend(t.unique_constraints.iter().map(Con::Uq));
    v.extend(t.check_constraints.iter().map(Con::Ck));
    v
}

/// Pairs `after` items with `before` items by identity: after's order, then
/// the dropped ones in before's order.
fn pair<T: Copy>(
    before: &[T],
    after: &[T],
    id: impl Fn(T) -> String,
) -> Vec<(Option<T>, Option<T>)> {
    let mut out = Vec::new();
    let mut used = vec![false; before.len()];
    for &a in after {
        let ida = id(a);
        let found = before.iter().enumerate().find(|(i, b)| !used[*i] && id(**b) == ida).map(|(i, _)| i);
        match found {
            Some(i) => {
                used[i] = true;
                out.push((Some(before[i]), Some(a)));
            }
            None => out.push((None, Some(a))),
        }
    }
    for (i, &b) in before.iter().enumerate() {
        if !used[i] {
            out.push((Some(b), None));
        }
    }
    out
}

fn table_items(b: &Table, a: &Table) -> Vec<ItemDiff> {
    let mut items = Vec::new();
    let bc: Vec<&Column> = b.columns.iter().collect();
    let ac: Vec<&Column> = a.columns.iter().collect();
    for (x, y) in pair(&bc, &ac, |c| c.name.clone()) {
        match (x, y) {
            (None, Some(y)) => items.push(ItemDiff { item: Item::Column(y.name.clone()), change: Change::Added, summary: column_summary(y), fields: vec![] }),
            (Some(x), None) => items.push(ItemDiff { item: Item::Column(x.name.clone()), change: Change::Dropped, summary: column_summary(x), fields: vec![] }),
            (Some(x), Some(y)) => {
                let fields = column_fields(x, y);
                if !fields.is_empty() {
                    items.push(ItemDiff { item: Item::Column(y.name.clone()), change: Change::Changed, summary: column_summary(y), fields });
                }
            }
            (None, None) => {}
        }
    }
    let bi: Vec<&Index> = b.indexes.iter().collect();
    let ai: Vec<&Index> = a.indexes.iter().collect();
    for (x, y) in pair(&bi, &ai, index_id) {
        match (x, y) {
            (None, Some(y)) => items.push(ItemDiff { item: Item::Index(index_id(y)), change: Change::Added, summary: index_summary(y), fields: vec![] }),
            (Some(x), None) => items.push(ItemDiff { item: Item::Index(index_id(x)), change: Change::Dropped, summary: index_summary(x), fields: vec![] }),
            (Some(x), Some(y)) => {
                let fields = index_fields(x, y);
                if !fields.is_empty() {
                    items.push(ItemDiff { item: Item::Index(index_id(y)), change: Change::Changed, summary: index_summary(y), fields });
                }
            }
            (None, None) => {}
        }
    }
    let bk = constraints(b);
    let ak = constraints(a);
    // Kind is part of identity: an unnamed unique and an unnamed FK on the
    // same columns are different constraints.
    let id = |c: Con<'_>| format!("{}:{}", c.kind().as_str(), c.id());
    for (x, y) in pair(&bk, &ak, id) {
        let item = |c: Con<'_>| Item::Constraint { kind: c.kind(), id: c.id() };
        match (x, y) {
            (None, Some(y)) => items.push(ItemDiff { item: item(y), change: Change::Added, summary: y.summary(), fields: vec![] }),
            (Some(x), None) => items.push(ItemDiff { item: item(x), change: Change::Dropped, summary: x.summary(), fields: vec![] }),
            (Some(x), Some(y)) => {
                let fields: Vec<FieldChange> = x
                    .fields()
                    .into_iter()
                    .zip(y.fields())
                    .filter(|((_, bv), (_, av))| bv != av)
                    .map(|((field, before), (_, after))| FieldChange { field, before, after })
                    .collect();
                if !fields.is_empty() {
                    items.push(ItemDiff { item: item(y), change: Change::Changed, summary: y.summary(), fields });
                }
            }
            (None, None) => {}
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{IndexColumn, SqlType, TypeClass};

    fn col(name: &str, class: TypeClass) -> Column {
        Column::new(name, SqlType::new(class))
    }

    fn tag_table() -> Table {
        let mut t = Table::new("tag");
        let mut id = col("id", TypeClass::Integer);
        id.primary_key = true;
        id.nullable = false;
        t.columns.push(id);
        t.columns.push(Column::new("name", SqlType::new(TypeClass::String).with_length(Some(50))));
        t.primary_key = Some(PrimaryKeyConstraint { name: None, columns: vec!["id".into()] });
        t.indexes.push(Index { sqlite_where: None, unique_int: false,
            name: Some(Name::conv("ix_tag_name")),
            table: "tag".into(),
            columns: vec![IndexColumn::Column("name".into())],
            unique: false,
        });
        t
    }

    fn meta(tables: Vec<Table>) -> MetaData {
        let mut m = MetaData::default();
        for t in tables {
            m.add_table(t);
        }
        m
    }

    #[test]
    fn identical_schemas_have_no_diff() {
        let m = meta(vec![tag_table()]);
        assert!(diff(&m, &m).is_empty());
        assert_eq!(diff(&m, &m).counts(), (0, 0, 0));
    }

    #[test]
    fn added_and_dropped_tables_in_name_order() {
        let before = meta(vec![tag_table(), Table::new("zeta")]);
        let after = meta(vec![Table::new("alpha"), tag_table()]);
        let d = diff(&before, &after);
        let keys: Vec<(String, Change)> = d.entries().into_iter().map(|(o, c)| (o.key(), c)).collect();
        assert_eq!(keys, vec![("table:alpha".into(), Change::Added), ("table:zeta".into(), Change::Dropped)]);
        assert_eq!(d.column_change("alpha", "anything"), Some(Change::Added));
    }

    #[test]
    fn column_type_nullable_default_and_pk_changes() {
        let before = meta(vec![tag_table()]);
        let mut t = tag_table();
        let name = t.column_mut("name").unwrap();
        name.type_ = SqlType::new(TypeClass::String).with_length(Some(80));
        name.nullable = false;
        name.server_default = Some(ServerDefault::Literal("x".into()));
        t.columns.push(col("color", TypeClass::Text));
        let after = meta(vec![t]);
        let d = diff(&before, &after);
        assert_eq!(d.tables.len(), 1);
        let td = &d.tables[0];
        assert_eq!(td.change, Change::Changed);
        assert_eq!(td.items.len(), 2);
        assert_eq!(td.items[0].item, Item::Column("name".into()));
        let fields: Vec<(Field, &str, &str)> =
            td.items[0].fields.iter().map(|f| (f.field, f.before.as_str(), f.after.as_str())).collect();
        assert_eq!(
            fields,
            vec![
                (Field::Type, "VARCHAR(50)", "VARCHAR(80)"),
                (Field::Nullable, "true", "false"),
                (Field::Default, "∅", "'x'"),
            ]
        );
        assert_eq!(td.items[0].summary, "VARCHAR(80) NOT NULL DEFAULT 'x'");
        assert_eq!(ObjectRef::column("tag", "color").key(), "column:tag.color");
        assert_eq!(d.column_change("tag", "color"), Some(Change::Added));
        assert_eq!(d.column_change("tag", "id"), None);
    }

    #[test]
    fn model_and_reflected_spellings_of_a_type_are_equal() {
        let before = meta(vec![tag_table()]);
        let mut t = tag_table();
        t.column_mut("name").unwrap().type_ = SqlType::new(TypeClass::VarcharUpper).with_length(Some(50));
        t.column_mut("id").unwrap().type_ = SqlType::new(TypeClass::IntegerUpper);
        assert!(diff(&before, &meta(vec![t])).is_empty());
    }

    #[test]
    fn indexes_and_constraints_by_name_or_signature() {
        let mut b = tag_table();
        b.unique_constraints.push(UniqueConstraint { name: None, columns: vec!["name".into()] });
        b.check_constraints.push(CheckConstraint { name: Some(Name::plain("ck_len")), sqltext: "length(name) > 0".into() });
        let mut a = tag_table();
        a.indexes[0].unique = true;
        a.indexes.push(Index { sqlite_where: None, unique_int: false, name: None, table: "tag".into(), columns: vec![IndexColumn::Expression("lower(name)".into())], unique: false });
        a.check_constraints.push(CheckConstraint { name: Some(Name::plain("ck_len")), sqltext: "length(name) > 1".into() });
        a.foreign_keys.push(ForeignKeyConstraint {
            name: None,
            columns: vec!["owner_id".into()],
            referred_table: "user".into(),
            referred_columns: vec!["id".into()],
            ondelete: Some("CASCADE".into()),
            onupdate: None,
            deferrable: None,
            initially: None,
            use_alter: false,
        });
        let d = diff(&meta(vec![b]), &meta(vec![a]));
        let got: Vec<(String, Change)> = d.entries().into_iter().map(|(o, c)| (o.key(), c)).collect();
        assert_eq!(
            got,
            vec![
                ("table:tag".into(), Change::Changed),
                ("index:tag.ix_tag_name".into(), Change::Changed),
                ("index:tag.(lower(name))".into(), Change::Added),
                ("constraint:tag.foreignkey(owner_id)".into(), Change::Added),
                ("constraint:tag.ck_len".into(), Change::Changed),
                ("constraint:tag.unique(name)".into(), Change::Dropped),
            ]
        );
        let fk = &d.tables[0].items[2];
        assert_eq!(fk.summary, "FOREIGN KEY (owner_id) → user (id) ON DELETE CASCADE");
        assert_eq!(d.counts(), (2, 1, 3));
    }

    #[test]
    fn primary_key_change_is_one_changed_constraint() {
        let b = tag_table();
        let mut a = tag_table();
        a.primary_key = Some(PrimaryKeyConstraint { name: None, columns: vec!["id".into(), "name".into()] });
        a.column_mut("name").unwrap().primary_key = true;
        let d = diff(&meta(vec![b]), &meta(vec![a]));
        let got: Vec<String> = d.entries().into_iter().map(|(o, c)| format!("{} {}", o.key(), c.as_str())).collect();
        assert_eq!(got, vec!["table:tag changed", "column:tag.name changed", "constraint:tag.primary changed"]);
        assert_eq!(d.tables[0].items[1].fields[0].before, "(id)");
        assert_eq!(d.tables[0].items[1].fields[0].after, "(id, name)");
    }

    #[test]
    fn column_order_follows_after_then_dropped() {
        let mut b = tag_table();
        b.columns.push(col("old", TypeClass::Integer));
        let mut a = tag_table();
        a.columns.insert(1, col("new", TypeClass::Integer));
        let d = diff(&meta(vec![b]), &meta(vec![a]));
        let got: Vec<String> = d.entries().into_iter().map(|(o, c)| format!("{} {}", o.key(), c.as_str())).collect();
        assert_eq!(got, vec!["table:tag changed", "column:tag.new added", "column:tag.old dropped"]);
    }
}
