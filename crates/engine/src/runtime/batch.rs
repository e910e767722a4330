//! Batch mode on SQLite: "move and copy" (`alembic/operations/batch.py`'s
//! `ApplyBatchImpl`), or the block's ops one by one when no recreate is
//! needed (`SQLiteImpl.requires_recreate_in_batch`).
//!
//! Invariants:
//! - `batch_op.execute()` runs at once; the other ops are queued and applied
//!   to a copy of the table (reflected, or `copy_from`), then flushed as
//!   `CREATE TABLE _alembic_tmp_<table>`, `INSERT ... SELECT`, `DROP TABLE`,
//!   `ALTER TABLE ... RENAME`, indexes, in Alembic's order.
//! - Columns keep Alembic's order: added columns follow its topological sort.
//! - A reflected FK whose referred table is missing fails before any op is
//!   applied (`NoSuchTableError`), as `Table(..., autoload_with=conn)` does.
//! - `naming_convention=` names the reflected table's unnamed constraints
//!   before any op is applied; names from the database stay as they are.

use crate::db::Database;
use crate::ddl::{self, CopyColumn};
use crate::ops::{AlterColumn, BatchAlterTable, ColumnPosition, Op, Recreate};
use crate::reflect;
use crate::schema::{
    CheckConstraint, Column, Constraint, ConstraintKind, Index, IndexColumn, Name, PrimaryKeyConstraint,
    ServerDefault, Table,
};

use super::sink::{db_err, Sink};
use super::{run_op, user_warning, RuntimeError};

/// `SQLiteImpl.requires_recreate_in_batch` over the block's ops.
pub fn batch_requires_recreate(ops: &[Op]) -> bool {
    ops.iter().any(|op| match op {
        Op::AddColumn { column, .. } => {
            column.server_default.as_ref().is_some_and(ServerDefault::is_expression)
                || column.computed.as_ref().is_some_and(|c| c.persisted == Some(true))
                // a Boolean/Enum CHECK arrives as add_constraint
                || !ddl::type_bound_checks(column).is_empty()
        }
        Op::CreateIndex { .. } | Op::DropIndex { .. } => false,
        Op::BatchAlterTable(b) => batch_requires_recreate(&b.ops),
        Op::CreateTable { .. }
        | Op::DropTable { .. }
        | Op::RenameTable { .. }
        | Op::DropColumn { .. }
        | Op::AlterColumn(_)
        | Op::CreateUniqueConstraint { .. }
        | Op::CreateForeignKey { .. }
        | Op::CreatePrimaryKey { .. }
        | Op::CreateCheckConstraint { .. }
        | Op::DropConstraint { .. }
        | Op::Execute { .. }
        | Op::BulkInsert { .. } => true,
    })
}

pub(super) fn run_batch(
    sink: &mut Sink<'_>,
    b: &BatchAlterTable,
    warnings: &mut Vec<String>,
) -> Result<(), RuntimeError> {
    // `batch_op.execute()` is not queued: it runs on the connection at once,
    // before the block's queued ops are flushed at its end.
    for op in &b.ops {
        if let Op::Execute { .. } = op {
            run_op(sink, op, warnings)?;
        }
    }
    let queued: Vec<Op> = b
        .ops
        .iter()
        .filter(|op| !matches!(op, Op::Execute { .. }))
        .cloned()
        .collect();
    let b = &BatchAlterTable {
        ops: queued,
        ..b.clone()
    };
    let recreate = match b.recreate {
        Recreate::Auto => batch_requires_recreate(&b.ops),
        Recreate::Always => true,
        Recreate::Never => false,
    };
    if !recreate {
        for op in &b.ops {
            match op {
                Op::CreateTable { .. } => {
                    return Err(RuntimeError::NotImplemented(
                        "Can't create table in batch mode".into(),
                    ))
                }
                Op::DropTable { .. } => {
                    return Err(RuntimeError::NotImplemented(
                        "Can't drop table in batch mode".into(),
                    ))
                }
                Op::AddColumn { position, .. } if position.insert_before.is_some() || position.insert_after.is_some() => {
                    return Err(RuntimeError::Command(
                        "Can't specify insert_before or insert_after when using ALTER; please specify recreate='always'".into(),
                    ))
                }
                Op::RenameTable { .. }
                | Op::AddColumn { .. }
                | Op::DropColumn { .. }
                | Op::AlterColumn(_)
                | Op::CreateIndex { .. }
                | Op::DropIndex { .. }
                | Op::CreateUniqueConstraint { .. }
                | Op::CreateForeignKey { .. }
                | Op::CreatePrimaryKey { .. }
                | Op::CreateCheckConstraint { .. }
                | Op::DropConstraint { .. }
                | Op::Execute { .. }
                | Op::BulkInsert { .. }
                | Op::BatchAlterTable(_) => run_op(sink, op, warnings)?,
            }
        }
        return Ok(());
    }
    let (existing, reflected) = match &b.copy_from {
        Some(t) => (t.clone(), false),
        None => {
            let Some(db) = sink.db() else {
                return Err(RuntimeError::Command(format!(
                    "This operation cannot proceed in --sql mode; batch mode with dialect sqlite requires a live \
                     database connection with which to reflect the table \"{}\". To generate a batch SQL migration \
                     script using table \"move and copy\", a complete Table object should be passed to the \
                     \"copy_from\" argument of the batch_alter_table() method so that table reflection can be skipped.",
                    b.table
                )));
            };
            let mut reflection_warnings = Vec::new();
            let t = reflect::reflect_table(db, &b.table, &mut reflection_warnings);
            warnings.extend(reflection_warnings.into_iter().map(|w| format!("SAWarning: {w}")));
            let t = t
                .map_err(|e| db_err("PRAGMA main.table_xinfo", e))?
                .ok_or_else(|| RuntimeError::NoSuchTable(b.table.clone()))?;
            check_referred_tables(db, &t)?;
            let mut t = t;
            if let Some(given) = &b.reflect_args {
                apply_reflect_args(&mut t, given)?;
            }
            if !b.naming_convention.is_empty() {
                crate::models::name_reflected_constraints(&mut t, &b.naming_convention).map_err(super::naming_error)?;
            }
            (t, true)
        }
    };
    let mut existing = existing;
    let kw = b.table_kwargs;
    existing.sqlite_with_rowid = kw.with_rowid.or(existing.sqlite_with_rowid);
    existing.sqlite_strict = kw.strict.or(existing.sqlite_strict);
    existing.sqlite_autoincrement = kw.autoincrement.or(existing.sqlite_autoincrement);
    let mut batch = ApplyBatch::new(existing, reflected, &b.table_args, &b.partial_reordering, warnings);
    for op in &b.ops {
        batch.apply(op)?;
    }
    batch.create(sink)
}

/// `Table(name, *reflect_args, autoload_with=conn)`: each given column
/// replaces the reflected one of its name (`Column._set_parent` with
/// replacements allowed: the old column's foreign keys go, the new one's
/// come), or is added; the given table-level constraints are added.
fn apply_reflect_args(t: &mut Table, given: &Table) -> Result<(), RuntimeError> {
    for col in &given.columns {
        match t.columns.iter().position(|c| c.name == col.name) {
            Some(i) => {
                if t.columns[i].primary_key && !col.primary_key {
                    return Err(RuntimeError::NotImplemented(format!(
                        "reflect_args redefining the primary-key column '{}' of '{}' as a non-primary-key column (SQLAlchemy's ArgumentError) is not supported by the playground",
                        col.name, t.name
                    )));
                }
                t.columns[i] = col.clone();
                t.foreign_keys.retain(|fk| !fk.columns.contains(&col.name));
            }
            None => t.columns.push(col.clone()),
        }
    }
    t.foreign_keys.extend(given.foreign_keys.iter().cloned());
    t.unique_constraints.extend(given.unique_constraints.iter().cloned());
    t.check_constraints.extend(given.check_constraints.iter().cloned());
    Ok(())
}

/// `Table(name, autoload_with=conn)` resolves foreign keys: every table a
/// reflected FK refers to is reflected too, recursively
/// (`Inspector._reflect_fk`), and a missing one raises
/// `NoSuchTableError: <referred table>` before any batch op is applied —
/// e.g. a batch on `thread` after `op.drop_table('category')` that
/// `thread.category_id` still points at.
fn check_referred_tables(db: &mut dyn Database, table: &Table) -> Result<(), RuntimeError> {
    let mut seen = vec![table.name.clone()];
    let mut pending: Vec<String> = table
        .foreign_keys
        .iter()
        .map(|fk| fk.referred_table.clone())
        .collect();
    while let Some(name) = pending.pop() {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let mut ignored = Vec::new();
        let referred = reflect::reflect_table(db, &name, &mut ignored)
            .map_err(|e| db_err("PRAGMA main.table_xinfo", e))?
            .ok_or_else(|| RuntimeError::NoSuchTable(name.clone()))?;
        pending.extend(referred.foreign_keys.iter().map(|fk| fk.referred_table.clone()));
    }
    Ok(())
}

/// One column of the table being rebuilt: `key` is its name in the old
/// table (SQLAlchemy keeps `.key` through a rename), `source` the old
/// column to copy from (`None` for an added column).
#[derive(Debug, Clone)]
struct BatchColumn {
    key: String,
    column: Column,
    source: Option<String>,
    cast_to: Option<crate::schema::SqlType>,
}

/// `alembic.operations.batch.ApplyBatchImpl`.
struct ApplyBatch {
    table: Table,
    temp_name: String,
    columns: Vec<BatchColumn>,
    primary_key: Option<PrimaryKeyConstraint>,
    /// name → constraint, in insertion order (a Python dict).
    named: Vec<(String, Constraint)>,
    unnamed: Vec<Constraint>,
    indexes: Vec<Index>,
    new_indexes: Vec<Index>,
    /// `ApplyBatchImpl.existing_ordering`: the keys of the table's own
    /// columns, minus the dropped ones.
    existing_ordering: Vec<String>,
    /// `ApplyBatchImpl.add_col_ordering`: (before, after) pairs; an added
    /// column follows the *then* last existing column.
    add_col_ordering: Vec<(String, String)>,
    /// `ApplyBatchImpl.partial_reordering`: chains of column names that
    /// replace `existing_ordering` as the order's source.
    partial_reordering: Vec<Vec<String>>,
}

/// `sqlalchemy.util.topological.sort(tuples, allitems, deterministic_order=True)`:
/// repeatedly emit, in `allitems` order, every item none of whose parents is
/// still pending. A parent that is not among `allitems` never holds a child
/// back. On a cycle the remaining items keep their order.
fn topological_sort(pairs: &[(String, String)], allitems: &[String]) -> Vec<String> {
    let mut todo: Vec<&String> = allitems.iter().collect();
    let mut out = Vec::with_capacity(allitems.len());
    while !todo.is_empty() {
        let ready: Vec<&String> = todo
            .iter()
            .copied()
            .filter(|node| {
                !pairs
                    .iter()
                    .any(|(parent, child)| child == *node && parent != child && todo.contains(&parent))
            })
            .collect();
        if ready.is_empty() {
            out.extend(todo.iter().map(|s| (*s).clone()));
            break;
        }
        todo.retain(|t| !ready.contains(t));
        out.extend(ready.into_iter().cloned());
    }
    out
}

fn constraint_columns(c: &Constraint) -> Vec<String> {
    match c {
        Constraint::PrimaryKey(p) => p.columns.clone(),
        Constraint::ForeignKey(f) => f.columns.clone(),
        Constraint::Unique(u) => u.columns.clone(),
        // sqltext is text: SQLAlchemy sees no columns in it.
        Constraint::Check(_) => vec![],
    }
}

impl ApplyBatch {
    fn new(
        table: Table,
        reflected: bool,
        table_args: &[Constraint],
        partial_reordering: &[Vec<String>],
        warnings: &mut Vec<String>,
    ) -> Self {
        let columns = table
            .columns
            .iter()
            .map(|c| {
                let mut col = c.clone();
                if reflected {
                    col.server_default = col.server_default.take().map(ddl::parenthesize_reflected_default);
                }
                BatchColumn {
                    key: c.name.clone(),
                    column: col,
                    source: Some(c.name.clone()),
                    cast_to: None,
                }
            })
            .collect();
        let check_in_args = table_args.iter().any(|c| matches!(c, Constraint::Check(_)));
        let mut named = Vec::new();
        let mut unnamed = Vec::new();
        let push = |c: Constraint,
                    named: &mut Vec<(String, Constraint)>,
                    unnamed: &mut Vec<Constraint>| match c.name() {
            Some(n) => named.push((n.value.clone(), c)),
            None => unnamed.push(c),
        };
        for fk in &table.foreign_keys {
            push(Constraint::ForeignKey(fk.clone()), &mut named, &mut unnamed);
        }
        for uq in &table.unique_constraints {
            push(Constraint::Unique(uq.clone()), &mut named, &mut unnamed);
        }
        for ck in &table.check_constraints {
            if reflected && ck.name.is_none() {
                if !check_in_args {
                    warnings.push(user_warning(format_args!(
                        "Unnamed CHECK constraint on reflected table '{}' is being omitted from the table recreate; \
                         pass the constraint explicitly using batch_alter_table.table_args.  Naming CHECK \
                         constraints avoids this going forward.",
                        table.name
                    )));
                }
                continue;
            }
            push(Constraint::Check(ck.clone()), &mut named, &mut unnamed);
        }
        if !reflected {
            for c in &table.columns {
                for ck in ddl::type_bound_checks(c) {
                    push(Constraint::Check(ck), &mut named, &mut unnamed);
                }
            }
        }
        for c in table_args {
            push(c.clone(), &mut named, &mut unnamed);
        }
        ApplyBatch {
            temp_name: format!("_alembic_tmp_{}", table.name)
                .chars()
                .take(50)
                .collect(),
            primary_key: table.primary_key.clone(),
            indexes: table.indexes.clone(),
            new_indexes: vec![],
            existing_ordering: table.columns.iter().map(|c| c.name.clone()).collect(),
            add_col_ordering: vec![],
            partial_reordering: partial_reordering.to_vec(),
            columns,
            named,
            unnamed,
            table,
        }
    }

    fn column_mut(&mut self, key: &str) -> Result<&mut BatchColumn, RuntimeError> {
        self.columns
            .iter_mut()
            .find(|c| c.key == key)
            .ok_or_else(|| RuntimeError::Key(key.to_string()))
    }

    fn add_constraint(&mut self, c: Constraint) -> Result<(), RuntimeError> {
        let Some(name) = c.name().map(|n| n.value.clone()) else {
            return Err(RuntimeError::Value("Constraint must have a name".into()));
        };
        match self.named.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = c,
            None => self.named.push((name, c)),
        }
        Ok(())
    }

    /// A Boolean/Enum CHECK arriving through `add_constraint`: unlike an
    /// explicit constraint it may be unnamed (SQLAlchemy's `_NONE_NAME`).
    fn add_type_bound(&mut self, ck: CheckConstraint) {
        match &ck.name {
            Some(n) => {
                let name = n.value.clone();
                match self.named.iter_mut().find(|(k, _)| *k == name) {
                    Some(slot) => slot.1 = Constraint::Check(ck),
                    None => self.named.push((name, Constraint::Check(ck))),
                }
            }
            None => self.unnamed.push(Constraint::Check(ck)),
        }
    }

    fn drop_constraint(
        &mut self,
        name: Option<&Name>,
        kind: Option<ConstraintKind>,
    ) -> Result<(), RuntimeError> {
        let Some(name) = name else {
            return Err(RuntimeError::Value("Constraint must have a name".into()));
        };
        if let Some(p) = self.named.iter().position(|(n, _)| *n == name.value) {
            self.named.remove(p);
            return Ok(());
        }
        // a named primary key is kept apart from `named` here
        let _ = kind;
        if self.primary_key_named(&name.value) {
            self.drop_primary_key();
            return Ok(());
        }
        Err(RuntimeError::Value(format!(
            "No such constraint: '{}'",
            name.value
        )))
    }

    /// `ApplyBatchImpl.add_constraint` of a `PrimaryKeyConstraint`: it
    /// replaces the table's primary key (SQLAlchemy's
    /// `PrimaryKeyConstraint._set_parent`), its columns become the key.
    fn add_primary_key(&mut self, pk: &PrimaryKeyConstraint) -> Result<(), RuntimeError> {
        if pk.name.is_none() {
            return Err(RuntimeError::Value("Constraint must have a name".into()));
        }
        // A key naming a column the table does not have is skipped when the
        // new table is made (`_create` copies only constraints whose columns
        // it transfers); the columns' own `primary_key` flags keep the old
        // key, which loses its name when the new key took that name.
        if pk.columns.iter().any(|k| !self.columns.iter().any(|c| c.key == *k)) {
            if pk.name.as_ref().is_some_and(|n| self.primary_key_named(&n.value)) {
                if let Some(old) = self.primary_key.as_mut() {
                    old.name = None;
                }
            }
            return Ok(());
        }
        self.drop_primary_key();
        for c in &mut self.columns {
            if pk.columns.contains(&c.key) {
                c.column.primary_key = true;
            }
        }
        self.primary_key = Some(pk.clone());
        Ok(())
    }

    fn primary_key_named(&self, name: &str) -> bool {
        self.primary_key
            .as_ref()
            .and_then(|p| p.name.as_ref())
            .is_some_and(|n| n.value == name)
    }

    fn drop_primary_key(&mut self) {
        if let Some(pk) = self.primary_key.take() {
            for c in &mut self.columns {
                if pk.columns.contains(&c.key) {
                    c.column.primary_key = false;
                }
            }
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), RuntimeError> {
        match op {
            Op::AddColumn { column, position, .. } => {
                let mut col = column.clone();
                // the type's own CHECK is not created on the new table
                col.type_.create_constraint = false;
                if let Some(e) = col.type_.enum_.as_mut() {
                    e.create_constraint = false;
                }
                self.setup_dependencies_for_add_column(&column.name, position)?;
                self.columns.push(BatchColumn {
                    key: column.name.clone(),
                    column: col,
                    source: None,
                    cast_to: None,
                });
                for ck in ddl::type_bound_checks(column) {
                    self.add_type_bound(ck);
                }
                Ok(())
            }
            Op::DropColumn { column, .. } => {
                let Some(p) = self.columns.iter().position(|c| c.key == column.name) else {
                    return Err(RuntimeError::Key(column.name.clone()));
                };
                self.columns.remove(p);
                self.existing_ordering.retain(|k| *k != column.name);
                if let Some(pk) = self.primary_key.as_mut() {
                    pk.columns.retain(|c| *c != column.name);
                }
                if let Some(n) = column.type_.enum_.as_ref().and_then(|e| e.name.clone()) {
                    self.named.retain(|(k, _)| *k != n);
                }
                Ok(())
            }
            Op::AlterColumn(a) => self.alter_column(a),
            // `ApplyBatchImpl.create_index(index)` / `drop_index(index)` take
            // no existence check: Alembic passes one on when it is not `None`
            Op::CreateIndex { if_not_exists: Some(_), .. } => {
                Err(RuntimeError::Type("ApplyBatchImpl.create_index() got an unexpected keyword argument 'if_not_exists'".into()))
            }
            Op::DropIndex { if_exists: Some(_), .. } => {
                Err(RuntimeError::Type("ApplyBatchImpl.drop_index() got an unexpected keyword argument 'if_exists'".into()))
            }
            Op::CreateIndex { index, if_not_exists: None } => {
                let name = index
                    .name
                    .as_ref()
                    .map(|n| n.value.clone())
                    .unwrap_or_default();
                self.new_indexes
                    .retain(|i| i.name.as_ref().map(|n| n.value.as_str()) != Some(name.as_str()));
                self.new_indexes.push(index.clone());
                Ok(())
            }
            Op::DropIndex { index, if_exists: None } => {
                let name = index
                    .name
                    .as_ref()
                    .map(|n| n.value.clone())
                    .unwrap_or_default();
                match self
                    .indexes
                    .iter()
                    .position(|i| i.name.as_ref().map(|n| n.value.as_str()) == Some(name.as_str()))
                {
                    Some(p) => {
                        self.indexes.remove(p);
                        Ok(())
                    }
                    None => Err(RuntimeError::Value(format!("No such index: '{name}'"))),
                }
            }
            Op::CreateUniqueConstraint { constraint, .. } => {
                self.add_constraint(Constraint::Unique(constraint.clone()))
            }
            Op::CreateForeignKey { constraint, .. } => {
                self.add_constraint(Constraint::ForeignKey(constraint.clone()))
            }
            Op::CreateCheckConstraint { constraint, .. } => {
                self.add_constraint(Constraint::Check(constraint.clone()))
            }
            Op::CreatePrimaryKey { constraint, .. } => self.add_primary_key(constraint),
            Op::DropConstraint { name, kind, .. } => self.drop_constraint(name.as_ref(), *kind),
            Op::RenameTable { .. } => Err(RuntimeError::NotImplemented("TODO".into())),
            Op::CreateTable { .. } => Err(RuntimeError::NotImplemented(
                "Can't create table in batch mode".into(),
            )),
            Op::DropTable { .. } => Err(RuntimeError::NotImplemented(
                "Can't drop table in batch mode".into(),
            )),
            // `execute` ran before the flush (see `run_batch`); `bulk_insert`
            // and nested batches have no `batch_op` form.
            Op::Execute { .. } | Op::BulkInsert { .. } | Op::BatchAlterTable(_) => Ok(()),
        }
    }

    /// `toimpl.alter_column` + `ApplyBatchImpl.alter_column`.
    fn alter_column(&mut self, a: &AlterColumn) -> Result<(), RuntimeError> {
        // drop_constraint for the old type's CHECK (Boolean/Enum)
        if let (Some(et), Some(_)) = (&a.existing_type, &a.modify_type) {
            // (a type-bound CHECK never fails here: unnamed ones are skipped)
            for ck in ddl::type_bound_checks(&Column::new(a.column.clone(), et.clone())) {
                if let Some(n) = ck.name {
                    self.named.retain(|(k, _)| *k != n.value);
                }
            }
        }
        let bc = self.column_mut(&a.column)?;
        if let Some(new) = &a.modify_name {
            bc.column.name = new.clone();
        }
        if let Some(t) = &a.modify_type {
            let old = ddl::type_affinity(bc.column.type_.class);
            let new = ddl::type_affinity(t.class);
            if old != new && new != ddl::Affinity::Json && bc.source.is_some() {
                bc.cast_to = Some(t.clone());
            }
            let mut t = t.clone();
            t.create_constraint = false;
            if let Some(e) = t.enum_.as_mut() {
                e.create_constraint = false;
            }
            bc.column.type_ = t;
        }
        if let Some(n) = a.modify_nullable {
            bc.column.nullable = n;
        }
        if let Some(d) = &a.modify_server_default {
            bc.column.server_default = d.clone();
        }
        if let Some(c) = &a.modify_comment {
            bc.column.comment = c.clone();
        }
        if let Some(t) = &a.modify_type {
            for ck in ddl::type_bound_checks(&Column::new(a.column.clone(), t.clone())) {
                self.add_type_bound(ck);
            }
        }
        Ok(())
    }

    fn key_to_name(&self, key: &str) -> Option<String> {
        self.columns
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.column.name.clone())
    }

    fn remap(&self, cols: &[String]) -> Vec<String> {
        cols.iter()
            .map(|k| self.key_to_name(k).unwrap_or_else(|| k.clone()))
            .collect()
    }

    /// `_setup_dependencies_for_add_column`: the (before, after) pairs that
    /// place an added column: next to the column it is inserted before or
    /// after (completed with that column's neighbour in the existing order,
    /// or with the added column it was placed against), else after the last
    /// existing column; with partial_reordering, only what is given.
    fn setup_dependencies_for_add_column(&mut self, name: &str, position: &ColumnPosition) -> Result<(), RuntimeError> {
        let (mut before, mut after) = (position.insert_before.clone(), position.insert_after.clone());
        let index_cols = &self.existing_ordering;
        if self.partial_reordering.is_empty() {
            if let (Some(a), None) = (&after, &before) {
                match index_cols.iter().position(|c| c == a) {
                    Some(i) => before = index_cols.get(i + 1).cloned(),
                    // `dict(self.add_col_ordering)[insert_after]`: the last pair wins
                    None => match self.add_col_ordering.iter().rev().find(|(x, _)| x == a) {
                        Some((_, y)) => before = Some(y.clone()),
                        None => return Err(RuntimeError::Key(a.clone())),
                    },
                }
            }
            if let (Some(b), None) = (&before, &after) {
                match index_cols.iter().position(|c| c == b) {
                    Some(i) => after = i.checked_sub(1).map(|j| index_cols[j].clone()),
                    None => match self.add_col_ordering.iter().rev().find(|(_, y)| y == b) {
                        Some((x, _)) => after = Some(x.clone()),
                        None => return Err(RuntimeError::Key(b.clone())),
                    },
                }
            }
        }
        if let Some(b) = &before {
            self.add_col_ordering.push((name.to_string(), b.clone()));
        }
        if let Some(a) = &after {
            self.add_col_ordering.push((a.clone(), name.to_string()));
        }
        if self.partial_reordering.is_empty() && before.is_none() && after.is_none() {
            if let Some(last) = self.existing_ordering.last() {
                self.add_col_ordering.push((last.clone(), name.to_string()));
            }
        }
        Ok(())
    }

    /// `_adjust_self_columns_for_partial_reordering` (no partial_reordering):
    /// pairs chain `existing_ordering[i]` to the column at position `i - 1`
    /// of the *current* columns, plus `add_col_ordering`. When the column the
    /// additions were anchored to is dropped later in the same batch, the
    /// added columns have no live parent and sort right after the first
    /// column, as in Alembic (`id, new, …rest`).
    fn reorder_columns(&mut self) {
        if self.add_col_ordering.is_empty() && self.partial_reordering.is_empty() {
            return;
        }
        let col_by_idx: Vec<String> = self.columns.iter().map(|c| c.key.clone()).collect();
        let mut pairs: Vec<(String, String)> = if self.partial_reordering.is_empty() {
            self.existing_ordering
                .iter()
                .enumerate()
                .skip(1)
                .filter_map(|(i, elem)| col_by_idx.get(i - 1).map(|prev| (prev.clone(), elem.clone())))
                .collect()
        } else {
            let mut pairs = Vec::new();
            for chain in &self.partial_reordering {
                for w in chain.windows(2) {
                    let pair = (w[0].clone(), w[1].clone());
                    if !pairs.contains(&pair) {
                        pairs.push(pair);
                    }
                }
            }
            pairs
        };
        pairs.extend(self.add_col_ordering.iter().cloned());
        pairs.retain(|(a, b)| a != b);
        let sorted = topological_sort(&pairs, &col_by_idx);
        let mut columns = std::mem::take(&mut self.columns);
        for key in &sorted {
            if let Some(p) = columns.iter().position(|c| c.key == *key) {
                self.columns.push(columns.remove(p));
            }
        }
        self.columns.extend(columns);
    }

    /// `_transfer_elements_to_new_table` + `_create`.
    fn create(mut self, sink: &mut Sink<'_>) -> Result<(), RuntimeError> {
        self.reorder_columns();
        let keys: Vec<&str> = self.columns.iter().map(|c| c.key.as_str()).collect();
        let mut constraints = Vec::new();
        for c in self.named.iter().map(|(_, c)| c).chain(self.unnamed.iter()) {
            if !constraint_columns(c)
                .iter()
                .all(|k| keys.contains(&k.as_str()))
            {
                continue;
            }
            constraints.push(match c {
                Constraint::ForeignKey(f) => {
                    let mut f = f.clone();
                    f.columns = self.remap(&f.columns);
                    // A self-referential FK still names the original table's
                    // columns: a rename does not reach `referred_columns`.
                    Constraint::ForeignKey(f)
                }
                Constraint::Unique(u) => {
                    let mut u = u.clone();
                    u.columns = self.remap(&u.columns);
                    Constraint::Unique(u)
                }
                Constraint::PrimaryKey(p) => {
                    let mut p = p.clone();
                    p.columns = self.remap(&p.columns);
                    Constraint::PrimaryKey(p)
                }
                Constraint::Check(c) => Constraint::Check(CheckConstraint {
                    name: c.name.clone(),
                    sqltext: c.sqltext.clone(),
                }),
            });
        }
        let pk = self.primary_key.as_ref().map(|p| PrimaryKeyConstraint {
            name: p.name.clone(),
            columns: self.remap(&p.columns),
        });
        let columns: Vec<Column> = self.columns.iter().map(|c| c.column.clone()).collect();
        // `table_kwargs.setdefault(k, table.kwargs[k])`: WITHOUT ROWID and
        // STRICT carry over to the new table.
        let create = ddl::create_table_with(
            &self.temp_name,
            &columns,
            pk.as_ref(),
            &constraints,
            ddl::TableOptions::of(&self.table),
        )?;
        let copy: Vec<CopyColumn> = self
            .columns
            .iter()
            .filter_map(|c| {
                c.source.as_ref().map(|s| CopyColumn {
                    target: c.column.name.clone(),
                    source: s.clone(),
                    cast_to: c.cast_to.clone(),
                })
            })
            .collect();
        let insert = ddl::insert_from_select(&self.temp_name, &self.table.name, &copy)?;

        // indexes, resolved against the new table before anything runs
        let mut indexes = Vec::new();
        // An index on a dropped column keeps the old name and fails in
        // SQLite (`no such column: x`) after the table was swapped, as in Alembic.
        for idx in &self.indexes {
            let columns = idx
                .columns
                .iter()
                .map(|c| match c {
                    IndexColumn::Column(k) => {
                        IndexColumn::Column(self.key_to_name(k).unwrap_or_else(|| k.clone()))
                    }
                    IndexColumn::Expression(e) => IndexColumn::Expression(e.clone()),
                })
                .collect();
            indexes.push(Index {
                name: idx.name.clone(),
                table: self.table.name.clone(),
                columns,
                unique: idx.unique,
                unique_int: idx.unique_int,
                // `**idx_existing.kwargs`: a partial index stays partial
                sqlite_where: idx.sqlite_where.clone(),
            });
        }
        // `self.new_table.c[col]`: a new index names columns by their key
        // (a renamed column keeps its old key); an unknown key is KeyError,
        // raised after the table was swapped, before any index is created.
        let mut unknown_key = None;
        for idx in &self.new_indexes {
            let mut i = idx.clone();
            i.table = self.table.name.clone();
            for c in i.columns.iter_mut() {
                if let IndexColumn::Column(k) = c {
                    match self.key_to_name(k) {
                        Some(n) => *k = n,
                        None => {
                            unknown_key.get_or_insert_with(|| k.clone());
                        }
                    }
                }
            }
            indexes.push(i);
        }

        sink.exec(&create)?;
        let copied = sink
            .exec(&insert)
            .and_then(|_| sink.exec(&ddl::drop_table(&self.table.name)));
        if let Err(e) = copied {
            // `except: op_impl.drop_table(self.new_table); raise`: when that
            // DROP fails too, its error is the one Python raises.
            sink.exec(&ddl::drop_table(&self.temp_name))?;
            return Err(e);
        }
        sink.exec(&ddl::rename_table(&self.temp_name, &self.table.name))?;
        if let Some(k) = unknown_key {
            return Err(RuntimeError::Key(k));
        }
        for idx in &indexes {
            sink.exec(&ddl::create_index(idx, ddl::Existence::default())?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ground truth: Alembic 1.20.1 batch on `vehicle(id, kind, plate, payload_kg, seats)`
    /// with add `axles`, add `cargo_m3`, drop `seats` creates
    /// `_alembic_tmp_vehicle(id, axles, cargo_m3, kind, plate, payload_kg)`.
    #[test]
    fn batch_added_columns_follow_alembic_topological_order() {
        use crate::schema::{Column, SqlType, Table, TypeClass};
        let int = || SqlType::new(TypeClass::Integer);
        let mut table = Table::new("vehicle");
        table.columns = ["id", "kind", "plate", "payload_kg", "seats"]
            .iter()
            .map(|n| Column::new(*n, int()))
            .collect();
        let order = |ops: &[Op]| {
            let mut b = ApplyBatch::new(table.clone(), true, &[], &[], &mut vec![]);
            for op in ops {
                b.apply(op).expect("op applies");
            }
            b.reorder_columns();
            b.columns.iter().map(|c| c.key.clone()).collect::<Vec<_>>().join(",")
        };
        let add = |n: &str| Op::AddColumn { table: "vehicle".into(), column: Column::new(n, int()), if_not_exists: None, position: ColumnPosition::default() };
        let drop = |n: &str| Op::DropColumn { table: "vehicle".into(), column: Column::new(n, int()), if_exists: None };
        assert_eq!(
            order(&[add("axles"), add("cargo_m3"), drop("seats")]),
            "id,axles,cargo_m3,kind,plate,payload_kg"
        );
        // dropping first re-anchors the additions on the new last column
        assert_eq!(
            order(&[drop("seats"), add("axles")]),
            "id,kind,plate,payload_kg,axles"
        );
        // dropping a middle column keeps the plain order
        assert_eq!(
            order(&[add("axles"), drop("kind")]),
            "id,plate,payload_kg,seats,axles"
        );
    }

}
