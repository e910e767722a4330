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

use super::constraints::{compare_foreign_keys, compare_indexes_and_uniques};
use super::server_defaults::is_autoincrement_column;
use super::types::{compare_type, compare_type_setup, type_repr};
use super::util::conn_table;
use super::{py_str, Cx, LOG_CONSTRAINTS, LOG_TABLES, LOG_TYPES};
use crate::ops::{AlterColumn, Op};
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

/// `_compare_tables`: added, removed and existing tables, in that order.
pub(super) fn compare_tables(cx: &mut Cx, metadata: &MetaData, reflected: &MetaData) {

    let meta_tables: Vec<&Table> = sorted_tables(metadata).into_iter().filter(|t| t.name != VERSION_TABLE).collect();
    let conn_names: BTreeSet<&str> =
        reflected.tables.keys().map(String::as_str).filter(|n| is_compared_conn_table(n)).collect();
    let meta_names: BTreeSet<&str> = meta_tables.iter().map(|t| t.name.as_str()).collect();

    // `for s, tname in metadata_table_names.difference(conn_table_names)`
    for table in meta_tables.iter().filter(|t| !conn_names.contains(t.name.as_str())) {
        cx.ops.push(Op::CreateTable { table: without_indexes(table) });
        cx.info(LOG_TABLES, format!("Detected added table {}", py_str(&table.name)));
        let mut modify = Vec::new();
        compare_indexes_and_uniques(cx, &mut modify, &table.name, None, Some(table));
        cx.push_batch(&table.name, modify);
    }

    // `for s, tname in conn_table_names.difference(metadata_table_names)`
    let removed: Vec<Table> = reflected
        .tables
        .values()
        .filter(|t| is_compared_conn_table(&t.name) && !meta_names.contains(t.name.as_str()))
        .map(conn_table)
        .collect();
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
        cx.ops.push(Op::DropTable { table: without_indexes(table) });
        cx.info(LOG_TABLES, format!("Detected removed table {}", py_str(&table.name)));
    }

    // `for s, tname in sorted(existing_tables)`
    let mut existing: Vec<&Table> =
        meta_tables.iter().copied().filter(|t| conn_names.contains(t.name.as_str())).collect();
    crate::sort::sort_by(&mut existing, |a, b| a.name.cmp(&b.name));
    for meta in existing {
        let Some(raw) = reflected.tables.get(&meta.name) else { continue };
        let conn = conn_table(raw);
        let mut modify = Vec::new();
        compare_columns(cx, &mut modify, &conn, meta);
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
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    // child -> parents
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for t in &tables {
        for fk in &t.foreign_keys {
            if fk.use_alter || fk.referred_table == t.name || !names.contains(fk.referred_table.as_str()) {
                continue;
            }
            edges.entry(t.name.as_str()).or_default().insert(fk.referred_table.as_str());
        }
    }
    let cyclic = nodes_in_cycles(&edges);
    for child in &cyclic {
        edges.remove(child);
    }
    // Layer by layer (Kahn): a table is ready once the last of its parents is
    // emitted; each layer in name order (`tables` is). Linear in tables + FKs.
    let index: BTreeMap<&str, usize> = tables.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let mut waiting = vec![0usize; tables.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for (child, parents) in &edges {
        let c = index[child];
        waiting[c] = parents.len();
        for p in parents {
            children[index[p]].push(c);
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
/// two or more tables; self-references are not edges). Kosaraju's two
/// passes, iterative: linear in tables + FKs.
fn nodes_in_cycles<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> BTreeSet<&'a str> {
    let mut nodes: BTreeSet<&str> = edges.keys().copied().collect();
    nodes.extend(edges.values().flatten().copied());
    let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (child, parents) in edges {
        for p in parents {
            reverse.entry(p).or_default().push(child);
        }
    }
    // Pass 1: finishing order on the edges.
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for &start in &nodes {
        if !seen.insert(start) {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, edges.get(start).map(|s| s.iter().copied().collect()).unwrap_or_default())];
        while let Some((node, pending)) = stack.last_mut() {
            match pending.pop() {
                Some(next) => {
                    if seen.insert(next) {
                        let more = edges.get(next).map(|s| s.iter().copied().collect()).unwrap_or_default();
                        stack.push((next, more));
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
    let mut assigned = BTreeSet::new();
    let mut out = BTreeSet::new();
    for &root in order.iter().rev() {
        if !assigned.insert(root) {
            continue;
        }
        let mut component = vec![root];
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            for &m in reverse.get(n).map(Vec::as_slice).unwrap_or_default() {
                if assigned.insert(m) {
                    component.push(m);
                    stack.push(m);
                }
            }
        }
        if component.len() > 1 {
            out.extend(component);
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
        modify.push(Op::AddColumn { table: tname.clone(), column: col.clone() });
        cx.info(LOG_TABLES, format!("Detected added column '{}.{}'", tname, col.name));
    }
    for meta_col in &meta.columns {
        let Some(conn_col) = conn.column(&meta_col.name) else { continue };
        let alter = compare_column(cx, meta, conn_col, meta_col);
        if alter.modify_type.is_some() || alter.modify_nullable.is_some() {
            modify.push(Op::AlterColumn(alter));
        }
    }

    compare_indexes_and_uniques(cx, modify, tname, Some(conn), Some(meta));
    compare_foreign_keys(cx, modify, tname, conn, meta);

    for col in conn.columns.iter().filter(|c| meta.column(&c.name).is_none()) {
        modify.push(Op::DropColumn { table: tname.clone(), column: col.clone() });
        cx.info(LOG_TABLES, format!("Detected removed column '{}.{}'", tname, col.name));
    }
}

/// The "column" comparators in Alembic's dispatch order: FIRST
/// `_user_compare_type` (setup only) and `_user_compare_server_default`
/// (fills `existing_server_default`, then STOPs the server_default group
/// because `compare_server_default=False`), MEDIUM `_compare_nullable` and
/// `_setup_autoincrement`, LAST `_dialect_impl_compare_type`.
fn compare_column(cx: &mut Cx, meta_table: &Table, conn_col: &Column, meta_col: &Column) -> AlterColumn {
    let tname = &meta_table.name;
    let cname = &meta_col.name;
    let mut alter = AlterColumn {
        table: tname.clone(),
        column: cname.clone(),
        existing_type: Some(conn_col.type_.clone()),
        ..AlterColumn::default()
    };
    // _user_compare_type: setup only (logs when a type is unknown).
    compare_type_setup(cx, tname, cname, conn_col, meta_col);

    // _user_compare_server_default
    let conn_has_default = conn_col.server_default.is_some() || conn_col.computed.is_some();
    let meta_has_default = meta_col.server_default.is_some() || meta_col.computed.is_some();
    let server_default_stopped = conn_has_default || meta_has_default;
    if let Some(d) = &conn_col.server_default {
        alter.existing_server_default = Some(Some(d.clone()));
    }

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

    // _dialect_impl_compare_type: runs the setup (and its log line) again.
    if compare_type_setup(cx, tname, cname, conn_col, meta_col) && compare_type(&conn_col.type_, &meta_col.type_) {
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
    alter
}
