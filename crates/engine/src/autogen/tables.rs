//! `alembic/autogenerate/compare/tables.py`: which tables are added, removed
//! or compared (`_compare_tables`), and per compared table its columns
//! (`_compare_columns`), with the column comparators run in Alembic's
//! dispatch order.
//!
//! Invariants:
//! - Added tables come in `MetaData.sorted_tables` order, removed tables in
//!   the reverse of that order over the reflected tables, existing tables by
//!   name; `alembic_version` and SQLite's `sqlite_*` tables are never compared.
//! - Per table: added columns, altered columns, indexes and uniques, foreign
//!   keys, dropped columns, gathered in one batch block.

use std::collections::{BTreeMap, BTreeSet};

use crate::sort::{map_of, set_of};

use super::constraints::{compare_foreign_keys, compare_indexes_and_uniques};
use super::server_defaults::is_autoincrement_column;
use super::types::{compare_type, compare_type_setup, type_repr};
use super::util::conn_table;
use super::{py_str, Cx, LOG_CONSTRAINTS, LOG_TABLES, LOG_TYPES};
use crate::ops::{AlterColumn, ColumnPosition, Op};
use crate::schema::{Autoincrement, Column, MetaData, Table};

/// Alembic's version table: never compared.
const VERSION_TABLE: &str = "alembic_version";

/// True for reflected tables that autogenerate looks at: not the version
/// table, not SQLite's internal `sqlite_*` tables
/// (<https://sqlite.org/fileformat2.html#internal_schema_objects>), which
/// SQLAlchemy's `get_table_names()` leaves out.
fn is_compared_conn_table(name: &str) -> bool {
    name != VERSION_TABLE && !name.starts_with("sqlite_")
}

/// The database side of a comparison as autogenerate sees it: the compared
/// tables of the reflected schema, through [`conn_table`]. It depends on the
/// database alone, so a caller comparing many models with one database
/// state (the page, on each keystroke) prepares it once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnSchema {
    /// By name, as `MetaData::tables`.
    tables: BTreeMap<String, Table>,
}

impl ConnSchema {
    pub fn new(reflected: &MetaData) -> ConnSchema {
        let tables = map_of(reflected.tables.iter().filter(|(n, _)| is_compared_conn_table(n)).map(|(n, t)| (n.clone(), conn_table(t))));
        ConnSchema { tables }
    }
}

/// `_compare_tables`: added, removed and existing tables, in that order.
pub(super) fn compare_tables(cx: &mut Cx, metadata: &MetaData, conn_schema: &ConnSchema) {
    let meta_tables: Vec<&Table> = sorted_tables(metadata).into_iter().filter(|t| t.name != VERSION_TABLE).collect();
    let conn_names: BTreeSet<&str> = set_of(conn_schema.tables.keys().map(String::as_str));
    let meta_names: BTreeSet<&str> = set_of(meta_tables.iter().map(|t| t.name.as_str()));

    // `for s, tname in metadata_table_names.difference(conn_table_names)`
    for table in meta_tables.iter().filter(|t| !conn_names.contains(t.name.as_str())) {
        cx.ops.push(Op::CreateTable { table: without_indexes(table), if_not_exists: None });
        cx.info(LOG_TABLES, format!("Detected added table {}", py_str(&table.name)));
        let mut modify = Vec::new();
        compare_indexes_and_uniques(cx, &mut modify, &table.name, None, Some(table));
        cx.push_batch(&table.name, modify);
    }

    // `for s, tname in conn_table_names.difference(metadata_table_names)`
    let removed: Vec<Table> =
        conn_schema.tables.values().filter(|t| !meta_names.contains(t.name.as_str())).cloned().collect();
    let mut removed_meta = MetaData::default();
    for t in removed {
        removed_meta.add_table(t);
    }
    let mut removed_order = sorted_tables(&removed_meta);
    removed_order.reverse();
    for table in removed_order {
        let mut modify = Vec::new();
        compare_indexes_and_uniques(cx, &mut modify, &table.name, Some(table), None);
        cx.push_batch(&table.name, modify);
        cx.ops.push(Op::DropTable { table: without_indexes(table), if_exists: None });
        cx.info(LOG_TABLES, format!("Detected removed table {}", py_str(&table.name)));
    }

    // `for s, tname in sorted(existing_tables)`
    let mut existing: Vec<&Table> =
        meta_tables.iter().copied().filter(|t| conn_names.contains(t.name.as_str())).collect();
    crate::sort::sort_by(&mut existing, |a, b| a.name.cmp(&b.name));
    for meta in existing {
        let Some(conn) = conn_schema.tables.get(&meta.name) else { continue };
        let mut modify = Vec::new();
        compare_columns(cx, &mut modify, conn, meta);
        cx.push_batch(&meta.name, modify);
    }
}

/// `MetaData.sorted_tables`: `sort_tables(sorted(tables, key=name))` — a
/// layered topological sort by FK dependency (each pass emits, in name order,
/// every table whose referred tables are already emitted). Self-references
/// and `use_alter=True` FKs are no dependencies; tables caught in a cycle lose
/// their FK dependencies, as SQLAlchemy does after warning.
pub fn sorted_tables(metadata: &MetaData) -> Vec<&Table> {
    let tables: Vec<&Table> = metadata.tables.values().collect(); // BTreeMap: by name
    let names: Vec<&str> = metadata.tables.keys().map(String::as_str).collect();
    let index_of = |name: &str| names.binary_search(&name).ok();
    // child -> parents (indexes into `tables`, sorted, distinct)
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for (c, t) in tables.iter().enumerate() {
        for fk in &t.foreign_keys {
            if fk.use_alter || fk.referred_table == t.name {
                continue;
            }
            if let Some(p) = index_of(&fk.referred_table) {
                parents[c].push(p);
            }
        }
        parents[c].sort_unstable();
        parents[c].dedup();
    }
    for child in nodes_in_cycles(&parents) {
        parents[child].clear();
    }
    // Layer by layer (Kahn): a table is ready once the last of its parents is
    // emitted; each layer in name order (`tables` is). Linear in tables + FKs.
    let mut waiting = vec![0usize; tables.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for (c, ps) in parents.iter().enumerate() {
        waiting[c] = ps.len();
        for &p in ps {
            children[p].push(c);
        }
    }
    let mut layer: Vec<usize> = (0..tables.len()).filter(|&i| waiting[i] == 0).collect();
    let mut out = Vec::with_capacity(tables.len());
    while !layer.is_empty() {
        let mut next = Vec::new();
        for &i in &layer {
            for &c in &children[i] {
                waiting[c] -= 1;
                if waiting[c] == 0 {
                    next.push(c);
                }
            }
        }
        out.extend(layer.iter().map(|&i| tables[i]));
        crate::sort::sort(&mut next);
        layer = next;
    }
    // Unreachable once cycles are cut; the rest in name order.
    if out.len() < tables.len() {
        out.extend((0..tables.len()).filter(|&i| waiting[i] > 0).map(|i| tables[i]));
    }
    out
}

/// Tables on a cycle of FK dependencies (a strongly connected component of
/// two or more tables; self-references are not edges), given each table's
/// parents. Kosaraju's two passes, iterative: linear in tables + FKs.
fn nodes_in_cycles(parents: &[Vec<usize>]) -> Vec<usize> {
    let n = parents.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, ps) in parents.iter().enumerate() {
        for &p in ps {
            children[p].push(c);
        }
    }
    // Pass 1: finishing order on the child -> parent edges.
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (node, next parent to visit)
    for start in 0..n {
        if seen[start] || (parents[start].is_empty() && children[start].is_empty()) {
            continue;
        }
        seen[start] = true;
        stack.push((start, 0));
        while let Some((node, next)) = stack.last_mut() {
            match parents[*node].get(*next) {
                Some(&p) => {
                    *next += 1;
                    if !seen[p] {
                        seen[p] = true;
                        stack.push((p, 0));
                    }
                }
                None => {
                    order.push(*node);
                    stack.pop();
                }
            }
        }
    }
    // Pass 2: components on the reversed edges, in reverse finishing order.
    let mut assigned = vec![false; n];
    let mut out = Vec::new();
    let mut component = Vec::new();
    let mut pending = Vec::new();
    for &root in order.iter().rev() {
        if assigned[root] {
            continue;
        }
        assigned[root] = true;
        component.clear();
        component.push(root);
        pending.push(root);
        while let Some(x) = pending.pop() {
            for &m in &children[x] {
                if !assigned[m] {
                    assigned[m] = true;
                    component.push(m);
                    pending.push(m);
                }
            }
        }
        if component.len() > 1 {
            out.extend_from_slice(&component);
        }
    }
    out
}

fn without_indexes(table: &Table) -> Table {
    let mut t = table.clone();
    t.indexes.clear();
    t
}

fn compare_columns(cx: &mut Cx, modify: &mut Vec<Op>, conn: &Table, meta: &Table) {
    let tname = &meta.name;
    for col in meta.columns.iter().filter(|c| conn.column(&c.name).is_none()) {
        modify.push(Op::AddColumn { table: tname.clone(), column: col.clone(), if_not_exists: None, position: ColumnPosition::default() });
        cx.info(LOG_TABLES, format!("Detected added column '{}.{}'", tname, col.name));
    }
    for meta_col in &meta.columns {
        let Some(conn_col) = conn.column(&meta_col.name) else { continue };
        if let Some(alter) = compare_column(cx, meta, conn_col, meta_col) {
            modify.push(Op::AlterColumn(alter));
        }
    }

    compare_indexes_and_uniques(cx, modify, tname, Some(conn), Some(meta));
    compare_foreign_keys(cx, modify, tname, conn, meta);

    for col in conn.columns.iter().filter(|c| meta.column(&c.name).is_none()) {
        modify.push(Op::DropColumn { table: tname.clone(), column: col.clone(), if_exists: None });
        cx.info(LOG_TABLES, format!("Detected removed column '{}.{}'", tname, col.name));
    }
}

/// The "column" comparators in Alembic's dispatch order: FIRST
/// `_user_compare_type` (setup only) and `_user_compare_server_default`
/// (fills `existing_server_default`, then STOPs the server_default group
/// because `compare_server_default=False`), MEDIUM `_compare_nullable` and
/// `_setup_autoincrement`, LAST `_dialect_impl_compare_type`. The op only
/// when the type or nullability changes (what autogenerate keeps); the
/// names and existing values are copied into it only then.
fn compare_column(cx: &mut Cx, meta_table: &Table, conn_col: &Column, meta_col: &Column) -> Option<AlterColumn> {
    let tname = &meta_table.name;
    let cname = &meta_col.name;
    let mut alter = AlterColumn::default();
    // _user_compare_type: setup only (logs when a type is unknown).
    compare_type_setup(cx, tname, cname, conn_col, meta_col);

    // _user_compare_server_default
    let conn_has_default = conn_col.server_default.is_some() || conn_col.computed.is_some();
    let meta_has_default = meta_col.server_default.is_some() || meta_col.computed.is_some();
    let server_default_stopped = conn_has_default || meta_has_default;

    // _compare_nullable
    alter.existing_nullable = Some(conn_col.nullable);
    if conn_col.nullable != meta_col.nullable {
        if meta_col.computed.is_some() || conn_col.computed.is_some() {
            // `_server_default_is_computed(...) and _nullability_might_be_unset(...)`
            cx.info(LOG_CONSTRAINTS, format!("Ignoring nullable change on identity column '{tname}.{cname}'"));
        } else {
            alter.modify_nullable = Some(meta_col.nullable);
            let what = if meta_col.nullable { "NULL" } else { "NOT NULL" };
            cx.info(LOG_CONSTRAINTS, format!("Detected {what} on column '{tname}.{cname}'"));
        }
    }

    // _setup_autoincrement (skipped once the server_default group stopped)
    if !server_default_stopped {
        if is_autoincrement_column(meta_table, meta_col) || meta_col.autoincrement == Autoincrement::True {
            alter.modify_autoincrement = Some(true);
        } else if meta_col.autoincrement == Autoincrement::False {
            alter.modify_autoincrement = Some(false);
        }
    }

    // _dialect_impl_compare_type: runs the setup (and its log line) again;
    // the model's type compiled by SQLite's type compiler may raise
    let setup = compare_type_setup(cx, tname, cname, conn_col, meta_col);
    if setup {
        if let Err(e) = crate::ddl::compile_type(&meta_col.type_) {
            cx.fail(e);
            return None;
        }
    }
    if setup && compare_type(&conn_col.type_, &meta_col.type_) {
        cx.info(
            LOG_TYPES,
            format!(
                "Detected type change from {} to {} on '{tname}.{cname}'",
                type_repr(&conn_col.type_),
                type_repr(&meta_col.type_)
            ),
        );
        alter.modify_type = Some(meta_col.type_.clone());
    }
    if alter.modify_type.is_none() && alter.modify_nullable.is_none() {
        return None;
    }
    alter.table = tname.clone();
    alter.column = cname.clone();
    alter.existing_type = Some(conn_col.type_.clone());
    if let Some(d) = &conn_col.server_default {
        alter.existing_server_default = Some(Some(d.clone()));
    }
    Some(alter)
}
