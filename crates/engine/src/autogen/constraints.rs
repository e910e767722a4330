//! `alembic/autogenerate/compare/constraints.py`: indexes and unique
//! constraints (`_compare_indexes_and_uniques`) and foreign keys
//! (`_compare_foreign_keys`).
//!
//! Invariants: objects are matched by name, then unnamed ones by signature;
//! removed / changed / added come in that order, each by name; foreign keys
//! are removed before they are added. An index an op carries is named by the
//! default naming convention when it has no name (`CreateIndexOp.to_index()`).

use std::collections::{BTreeMap, BTreeSet};

use crate::sort::{map_of, set_of};

use super::{py_bool, py_opt_str, py_str, py_tuple, Cx, LOG_CONSTRAINTS, PY_WARNINGS};
use crate::ops::Op;
use crate::schema::{Constraint, ConstraintKind, ForeignKeyConstraint, Index, IndexColumn, Name, Table, UniqueConstraint};

#[derive(Debug, Clone, Copy)]
enum SigObj<'a> {
    Index(&'a Index),
    Unique(&'a UniqueConstraint),
}

/// `_constraint_sig` over an `Index` or a `UniqueConstraint` (borrowed:
/// only what ends up in an op is copied).
#[derive(Debug)]
struct Sig<'a> {
    obj: SigObj<'a>,
    name: Option<&'a str>,
    /// `column_names`: the real columns, in order.
    column_names: Vec<&'a str>,
}

/// `unnamed`: sorted columns for a unique constraint, `(unique,) +
/// column_names_optional` for an index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Unnamed<'a> {
    Unique(Vec<&'a str>),
    Index(bool, Vec<Option<&'a str>>),
}

impl<'a> Sig<'a> {
    fn index(ix: &'a Index) -> Sig<'a> {
        Sig {
            name: ix.name.as_ref().map(|n| n.value.as_str()),
            column_names: ix
                .columns
                .iter()
                .filter_map(|c| match c {
                    IndexColumn::Column(n) => Some(n.as_str()),
                    IndexColumn::Expression(_) => None,
                })
                .collect(),
            obj: SigObj::Index(ix),
        }
    }
    fn unique(uq: &'a UniqueConstraint) -> Sig<'a> {
        Sig {
            name: uq.name.as_ref().map(|n| n.value.as_str()),
            column_names: uq.columns.iter().map(String::as_str).collect(),
            obj: SigObj::Unique(uq),
        }
    }
    fn is_index(&self) -> bool {
        matches!(self.obj, SigObj::Index(_))
    }
    fn unnamed(&self) -> Unnamed<'a> {
        match self.obj {
            SigObj::Unique(uq) => {
                let mut cols: Vec<&str> = uq.columns.iter().map(String::as_str).collect();
                crate::sort::sort(&mut cols);
                Unnamed::Unique(cols)
            }
            SigObj::Index(ix) => Unnamed::Index(
                ix.unique,
                ix.columns
                    .iter()
                    .map(|c| match c {
                        IndexColumn::Column(n) => Some(n.as_str()),
                        IndexColumn::Expression(_) => None,
                    })
                    .collect(),
            ),
        }
    }
}

pub(super) fn compare_indexes_and_uniques(
    cx: &mut Cx,
    modify: &mut Vec<Op>,
    tname: &str,
    conn_table: Option<&Table>,
    meta_table: Option<&Table>,
) {
    let is_create_table = conn_table.is_none();
    let is_drop_table = meta_table.is_none();

    let meta_uniques: Vec<&UniqueConstraint> =
        meta_table.map(|t| t.unique_constraints.iter().collect()).unwrap_or_default();
    let mut meta_indexes: Vec<&Index> = meta_table.map(|t| t.indexes.iter().collect()).unwrap_or_default();
    // For DROP TABLE uniques are inline, not needed.
    let conn_uniques: Vec<&UniqueConstraint> = match conn_table {
        Some(t) if !is_drop_table => t.unique_constraints.iter().collect(),
        _ => Vec::new(),
    };
    let conn_indexes: Vec<&Index> = conn_table.map(|t| t.indexes.iter().collect()).unwrap_or_default();

    // SQLiteImpl.correct_for_autogen_constraints → _skip_functional_indexes:
    // SQLite reflection skips expression indexes, so model ones are dropped
    // from the comparison (with a Python warning, not a log line).
    let conn_index_names: BTreeSet<&str> = set_of(conn_indexes.iter().filter_map(|i| i.name.as_ref()).map(|n| n.value.as_str()));
    let mut skipped = Vec::new();
    meta_indexes.retain(|ix| {
        let named_in_conn = ix.name.as_ref().is_some_and(|n| conn_index_names.contains(n.value.as_str()));
        let keep = named_in_conn || !ix.columns.iter().any(|c| matches!(c, IndexColumn::Expression(_)));
        if !keep {
            skipped.push(ix.name.as_ref().map(|n| py_str(&n.value)).unwrap_or_else(|| "None".into()));
        }
        keep
    });
    for name in skipped {
        cx.info(
            PY_WARNINGS,
            format!(
                "UserWarning: autogenerate skipping metadata-specified expression-based index {name}; dialect \
                 'sqlite' under SQLAlchemy 2.1.9 can't reflect these indexes so they can't be compared"
            ),
        );
    }

    let meta_uq_sigs: Vec<Sig> = meta_uniques.iter().map(|u| Sig::unique(u)).collect();
    let meta_ix_sigs: Vec<Sig> = meta_indexes.iter().map(|i| Sig::index(i)).collect();
    let conn_uq_sigs: Vec<Sig> = conn_uniques.iter().map(|u| Sig::unique(u)).collect();
    let conn_ix_sigs: Vec<Sig> = conn_indexes.iter().map(|i| Sig::index(i)).collect();

    // 5. index things by name
    let mut metadata_names: BTreeMap<Option<&str>, &Sig> = BTreeMap::new();
    for s in meta_uq_sigs.iter().filter(|s| s.name.is_some()).chain(meta_ix_sigs.iter()) {
        metadata_names.insert(s.name, s);
    }
    let conn_uniques_by_name: BTreeMap<&str, &Sig> = map_of(conn_uq_sigs.iter().filter_map(|s| s.name.map(|n| (n, s))));
    let conn_indexes_by_name: BTreeMap<&str, &Sig> = map_of(conn_ix_sigs.iter().filter_map(|s| s.name.map(|n| (n, s))));
    let mut conn_names: BTreeMap<Option<&str>, &Sig> = BTreeMap::new();
    for (n, s) in conn_uniques_by_name.iter().chain(conn_indexes_by_name.iter()) {
        conn_names.insert(Some(*n), *s);
    }
    // A name the database has both a unique constraint and an index under.
    let doubled = |n: &str| Some((*conn_uniques_by_name.get(n)?, *conn_indexes_by_name.get(n)?));

    // 6. index things by column signature (a table's few constraints: lists)
    let conn_uniques_by_sig: Vec<Unnamed> = conn_uq_sigs.iter().map(Sig::unnamed).collect();
    let metadata_uniques_by_sig: Vec<Unnamed> = meta_uq_sigs.iter().map(Sig::unnamed).collect();
    // Unnamed model uniques, first occurrence of each signature, model order.
    let mut unnamed_metadata_uniques: Vec<(Unnamed, &Sig)> = Vec::new();
    for s in meta_uq_sigs.iter().filter(|s| s.name.is_none()) {
        let key = s.unnamed();
        match unnamed_metadata_uniques.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = s,
            None => unnamed_metadata_uniques.push((key, s)),
        }
    }

    let obj_added = |cx: &mut Cx, modify: &mut Vec<Op>, s: &Sig| match s.obj {
        SigObj::Index(ix) => {
            modify.push(Op::CreateIndex { index: index_for_op(ix), if_not_exists: None });
            cx.info(
                LOG_CONSTRAINTS,
                format!("Detected added index {} on '{}'", py_opt_str(s.name), py_tuple(&s.column_names)),
            );
        }
        SigObj::Unique(uq) => {
            if is_create_table || is_drop_table {
                return;
            }
            modify.push(Op::CreateUniqueConstraint { table: tname.to_string(), constraint: uq.clone() });
            cx.info(
                LOG_CONSTRAINTS,
                format!(
                    "Detected added unique constraint {} on '{}'",
                    py_opt_str(s.name),
                    py_tuple(&s.column_names)
                ),
            );
        }
    };
    let obj_removed = |cx: &mut Cx, modify: &mut Vec<Op>, s: &Sig| match s.obj {
        SigObj::Index(ix) => {
            modify.push(Op::DropIndex { index: ix.clone(), if_exists: None });
            cx.info(
                LOG_CONSTRAINTS,
                format!("Detected removed index {} on {}", py_opt_str(s.name), py_str(tname)),
            );
        }
        SigObj::Unique(uq) => {
            if is_create_table || is_drop_table {
                return;
            }
            modify.push(drop_unique(tname, uq));
            cx.info(
                LOG_CONSTRAINTS,
                format!("Detected removed unique constraint {} on {}", py_opt_str(s.name), py_str(tname)),
            );
        }
    };

    // removed, by name
    for (removed_name, conn_obj) in conn_names.iter().filter(|(n, _)| !metadata_names.contains_key(*n)) {
        let doubled_pair = removed_name.and_then(doubled);
        if !conn_obj.is_index() && unnamed_metadata_uniques.iter().any(|(k, _)| *k == conn_obj.unnamed()) {
            continue;
        } else if let Some((conn_uq, conn_ix)) = doubled_pair {
            if meta_ix_sigs.iter().all(|m| conn_ix.unnamed() != m.unnamed())
                && !metadata_uniques_by_sig.contains(&conn_uq.unnamed())
            {
                obj_removed(cx, modify, conn_uq);
                obj_removed(cx, modify, conn_ix);
            }
        } else {
            obj_removed(cx, modify, conn_obj);
        }
    }

    // existing, by name
    for (existing_name, meta_obj) in metadata_names.iter().filter(|(n, _)| conn_names.contains_key(*n)) {
        let conn_obj = match existing_name.and_then(doubled) {
            Some((uq, ix)) => {
                if meta_obj.is_index() {
                    ix
                } else {
                    uq
                }
            }
            None => match conn_names.get(existing_name) {
                Some(c) => *c,
                None => continue,
            },
        };
        if conn_obj.is_index() != meta_obj.is_index() {
            obj_removed(cx, modify, conn_obj);
            obj_added(cx, modify, meta_obj);
            continue;
        }
        let msg = match (meta_obj.obj, conn_obj.obj) {
            (SigObj::Index(m), SigObj::Index(c)) => {
                let mut msg = Vec::new();
                if m.unique != c.unique {
                    msg.push(format!("unique={} to unique={}", py_bool(c.unique), py_bool(m.unique)));
                }
                if meta_obj.column_names != conn_obj.column_names {
                    msg.push(format!(
                        "expression {} to {}",
                        py_tuple(&conn_obj.column_names),
                        py_tuple(&meta_obj.column_names)
                    ));
                }
                msg
            }
            (SigObj::Unique(_), SigObj::Unique(_)) => match (conn_obj.unnamed(), meta_obj.unnamed()) {
                (Unnamed::Unique(c), Unnamed::Unique(m)) if c != m => {
                    vec![format!("expression {} to {}", py_tuple(&c), py_tuple(&m))]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if msg.is_empty() {
            continue;
        }
        let what = if meta_obj.is_index() { "index" } else { "unique constraint" };
        cx.info(
            LOG_CONSTRAINTS,
            format!(
                "Detected changed {what} {} on {}: {}",
                py_opt_str(conn_obj.name),
                py_str(tname),
                msg.join(", ")
            ),
        );
        match (conn_obj.obj, meta_obj.obj) {
            (SigObj::Index(c), SigObj::Index(m)) => {
                modify.push(Op::DropIndex { index: c.clone(), if_exists: None });
                modify.push(Op::CreateIndex { index: index_for_op(m), if_not_exists: None });
            }
            (SigObj::Unique(c), SigObj::Unique(m)) => {
                modify.push(drop_unique(tname, c));
                modify.push(Op::CreateUniqueConstraint { table: tname.to_string(), constraint: m.clone() });
            }
            _ => {}
        }
    }

    // added, by name
    for (_, meta_obj) in metadata_names.iter().filter(|(n, _)| !conn_names.contains_key(*n)) {
        obj_added(cx, modify, meta_obj);
    }

    // unnamed model uniques not in the database
    for (key, s) in &unnamed_metadata_uniques {
        if !conn_uniques_by_sig.contains(key) {
            obj_added(cx, modify, s);
        }
    }
}

fn drop_unique(tname: &str, uq: &UniqueConstraint) -> Op {
    Op::DropConstraint {
        table: tname.to_string(),
        name: uq.name.clone(),
        kind: Some(ConstraintKind::Unique),
        removed: Some(Constraint::Unique(uq.clone())),
    }
}

// ---------------------------------------------------------------------------
// foreign keys (`_compare_foreign_keys`)

/// `_fk_constraint_sig.unnamed`: columns, target, and the normalized options
/// (lower-cased, "no action" = none, deferrable/initially as one state). The
/// source table is the compared table's on both sides, so it is left out.
#[derive(Debug, PartialEq, Eq)]
struct FkSig<'a> {
    source_columns: &'a [String],
    target_table: &'a str,
    target_columns: &'a [String],
    options: Option<(Option<String>, Option<String>, &'static str)>,
}

fn fk_sig(fk: &ForeignKeyConstraint, with_options: bool) -> FkSig<'_> {
    let norm = |o: &Option<String>| o.as_ref().map(|s| s.to_lowercase()).filter(|s| s != "no action" && !s.is_empty());
    let deferral = if fk.initially.as_ref().is_some_and(|i| i.eq_ignore_ascii_case("deferred")) {
        "initially_deferrable"
    } else if fk.deferrable == Some(true) {
        "deferrable"
    } else {
        "not deferrable"
    };
    FkSig {
        source_columns: &fk.columns,
        target_table: &fk.referred_table,
        target_columns: &fk.referred_columns,
        options: with_options.then(|| (norm(&fk.onupdate), norm(&fk.ondelete), deferral)),
    }
}

pub(super) fn compare_foreign_keys(cx: &mut Cx, modify: &mut Vec<Op>, tname: &str, conn: &Table, meta: &Table) {
    // SQLite's inspector always returns "options": compare with them, unless
    // the table has no FK at all (then Alembic compares without options).
    let with_options = !conn.foreign_keys.is_empty();
    // By signature, the last of equal ones winning (a dict keyed by signature).
    fn keyed(t: &Table, with_options: bool) -> Vec<(FkSig<'_>, &ForeignKeyConstraint)> {
        let mut out: Vec<(FkSig<'_>, &ForeignKeyConstraint)> = Vec::with_capacity(t.foreign_keys.len());
        for fk in &t.foreign_keys {
            let sig = fk_sig(fk, with_options);
            match out.iter_mut().find(|(s, _)| *s == sig) {
                Some(slot) => slot.1 = fk,
                None => out.push((sig, fk)),
            }
        }
        out
    }
    let conn_fks = keyed(conn, with_options);
    let meta_fks = keyed(meta, with_options);
    let log_line = |verb: &str, fk: &ForeignKeyConstraint| {
        format!(
            "Detected {verb} foreign key ({})({}) on table {tname}",
            fk.columns.join(", "),
            fk.referred_columns.join(", ")
        )
    };
    for (sig, fk) in &conn_fks {
        if meta_fks.iter().any(|(m, _)| m == sig) {
            continue;
        }
        modify.push(Op::DropConstraint {
            table: tname.to_string(),
            name: fk.name.clone(),
            kind: Some(ConstraintKind::ForeignKey),
            removed: Some(Constraint::ForeignKey((*fk).clone())),
        });
        cx.info(LOG_CONSTRAINTS, log_line("removed", fk));
    }
    for (sig, fk) in &meta_fks {
        if conn_fks.iter().any(|(c, _)| c == sig) {
            continue;
        }
        modify.push(Op::CreateForeignKey { table: tname.to_string(), constraint: (*fk).clone() });
        cx.info(LOG_CONSTRAINTS, log_line("added", fk));
    }
}

/// The index a `CreateIndexOp` carries. `CreateIndexOp.to_index()` rebuilds
/// the index on a fresh `MetaData()`, whose default naming convention
/// (`ix_%(column_0_label)s`) names an unnamed one: a model whose own
/// convention has no `"ix"` key still gets `op.f('ix_<table>_<column>')`.
fn index_for_op(ix: &Index) -> Index {
    let mut ix = ix.clone();
    if ix.name.is_none() {
        if let Some(IndexColumn::Column(first)) = ix.columns.first() {
            ix.name = Some(Name::conv(format!("ix_{}_{}", ix.table, first)));
        }
    }
    ix
}
