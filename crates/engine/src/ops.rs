//! Migration operations as data: Alembic's `alembic/operations/ops.py`.
//!
//! Invariants:
//! - Every op is reversible: drop / alter ops carry what they remove
//!   (the dropped `Table`, `Column`, `Index`, constraint, the `existing_*`
//!   attributes), so `reverse()` is exact, as `MigrateOperation.reverse()` is.
//! - Ops inside a `BatchAlterTable` carry the batch's table name too, so an op
//!   never needs its context to be understood.
//! - `UpgradeOps` / `DowngradeOps` are ordered lists; order is Alembic's.

use std::collections::BTreeMap;

use crate::schema::{
    CheckConstraint, Column, Constraint, ConstraintKind, ForeignKeyConstraint, Index, Name, PrimaryKeyConstraint,
    ServerDefault, SqlType, Table, UniqueConstraint,
};

/// The body of `upgrade()`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpgradeOps {
    pub ops: Vec<Op>,
}

/// The body of `downgrade()`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DowngradeOps {
    pub ops: Vec<Op>,
}

impl UpgradeOps {
    pub fn is_empty(&self) -> bool {
        self.ops.iter().all(Op::is_empty)
    }
    /// The downgrade that undoes this upgrade: each op reversed, in reverse order.
    pub fn reverse(&self) -> DowngradeOps {
        DowngradeOps { ops: reverse_ops(&self.ops) }
    }
}

impl DowngradeOps {
    pub fn is_empty(&self) -> bool {
        self.ops.iter().all(Op::is_empty)
    }
    pub fn reverse(&self) -> UpgradeOps {
        UpgradeOps { ops: reverse_ops(&self.ops) }
    }
}

/// Reverses a list of ops: reversed order, each op reversed.
pub fn reverse_ops(ops: &[Op]) -> Vec<Op> {
    ops.iter().rev().map(Op::reverse).collect()
}

/// `recreate=` of `batch_alter_table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Recreate {
    /// `recreate="auto"` (the default): copy only when an op needs it.
    #[default]
    Auto,
    /// `recreate="always"`
    Always,
    /// `recreate="never"`
    Never,
}

/// One migration directive.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `op.create_table('name', sa.Column(...), ..., sa.PrimaryKeyConstraint(...))`;
    /// `if_not_exists=True` gives `CREATE TABLE IF NOT EXISTS` (the indexes
    /// of `index=True` columns stay plain `CREATE INDEX`). `None` when not
    /// given, as Alembic passes it on only when it is not `None`.
    CreateTable { table: Table, if_not_exists: Option<bool> },
    /// `op.drop_table('name')` — carries the whole table so it can be
    /// recreated; `if_exists=True` gives `DROP TABLE IF EXISTS`.
    DropTable { table: Table, if_exists: Option<bool> },
    /// `op.rename_table('old', 'new')`
    RenameTable { old_name: String, new_name: String },
    /// `op.add_column('t', sa.Column(...))` / `batch_op.add_column(sa.Column(...))`;
    /// `if_not_exists=True` gives `ADD COLUMN IF NOT EXISTS` (which SQLite
    /// does not parse; a batch that recreates the table ignores it).
    AddColumn { table: String, column: Column, if_not_exists: Option<bool>, position: ColumnPosition },
    /// `op.drop_column('t', 'c')` — carries the dropped column;
    /// `if_exists=True` gives `DROP COLUMN IF EXISTS`.
    DropColumn { table: String, column: Column, if_exists: Option<bool> },
    /// `op.alter_column('t', 'c', type_=..., nullable=..., existing_type=..., ...)`
    AlterColumn(AlterColumn),
    /// `op.create_index(op.f('ix_t_c'), 't', ['c'], unique=False)`;
    /// `if_not_exists=True` gives `CREATE INDEX IF NOT EXISTS`. `None` when
    /// not given: Alembic passes the argument on only when it is not `None`.
    CreateIndex { index: Index, if_not_exists: Option<bool> },
    /// `op.drop_index(op.f('ix_t_c'), table_name='t')` — carries the dropped index;
    /// `if_exists=True` gives `DROP INDEX IF EXISTS`.
    DropIndex { index: Index, if_exists: Option<bool> },
    /// `op.create_primary_key('pk_t', 't', ['id'])` (on SQLite only through
    /// batch mode, which recreates the table)
    CreatePrimaryKey { table: String, constraint: PrimaryKeyConstraint },
    /// `op.create_unique_constraint('uq_t_c', 't', ['c'])`
    CreateUniqueConstraint { table: String, constraint: UniqueConstraint },
    /// `op.create_foreign_key('fk', 'src', 'referent', ['a'], ['b'], ondelete=...)`
    CreateForeignKey { table: String, constraint: ForeignKeyConstraint },
    /// `op.create_check_constraint('ck', 't', 'x > 0')`
    CreateCheckConstraint { table: String, constraint: CheckConstraint },
    /// `op.drop_constraint('name', 't', type_='unique')` — `removed` carries the
    /// constraint when known (autogenerate always knows it) so reverse is exact.
    DropConstraint {
        table: String,
        name: Option<Name>,
        kind: Option<ConstraintKind>,
        removed: Option<Constraint>,
    },
    /// `op.execute("SQL")` / `op.execute(sa.text("SQL"))`. Not reversible by
    /// itself: its reverse is a no-op comment in the playground's UI.
    Execute { sql: String },
    /// `op.bulk_insert(sa.table('t', sa.column('a', sa.String)), [{...}])`
    BulkInsert { table: String, columns: Vec<(String, Option<SqlType>)>, rows: Vec<BTreeMap<String, Literal>> },
    /// `with op.batch_alter_table('t', schema=None, recreate=...) as batch_op:`
    BatchAlterTable(BatchAlterTable),
}

/// `batch_op.add_column(..., insert_before=, insert_after=)`: where a
/// recreated table puts the column (neither: after the last one).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColumnPosition {
    pub insert_before: Option<String>,
    pub insert_after: Option<String>,
}

/// `with op.batch_alter_table(...) as batch_op:` and the ops in its body.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAlterTable {
    pub table: String,
    pub recreate: Recreate,
    /// `copy_from=sa.Table(...)`: the table definition to use instead of reflecting.
    pub copy_from: Option<Table>,
    /// `reflect_args=[sa.Column(...), ...]`: columns that replace the
    /// reflected ones of the same name (with their foreign keys), as
    /// `Table(name, *reflect_args, autoload_with=conn)` does.
    pub reflect_args: Option<Table>,
    /// `partial_reordering=[('a', 'b'), ...]`: the order of the recreated
    /// table's columns, each tuple a chain of names (instead of the existing order).
    pub partial_reordering: Vec<Vec<String>>,
    /// `table_args=(...)`: extra constraints for the recreated table.
    pub table_args: Vec<Constraint>,
    /// `naming_convention={...}`: names the reflected table's unnamed
    /// constraints on a recreate (`_conv_constraint_names` + `to_metadata`).
    pub naming_convention: BTreeMap<String, String>,
    /// `table_kwargs={...}`: the recreated table's SQLite options, over
    /// what reflection gives (`table_kwargs.setdefault(k, table.kwargs[k])`).
    pub table_kwargs: SqliteTableKwargs,
    pub ops: Vec<Op>,
}

/// The `sqlite_*` keywords of a `Table` that change its DDL (`None`: not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SqliteTableKwargs {
    pub with_rowid: Option<bool>,
    pub strict: Option<bool>,
    pub autoincrement: Option<bool>,
}

/// `alter_column`: `modify_*` is what changes, `existing_*` what the column
/// was (needed by SQLite's batch recreate and by `reverse()`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlterColumn {
    pub table: String,
    pub column: String,
    /// `type_=`
    pub modify_type: Option<SqlType>,
    /// `nullable=`
    pub modify_nullable: Option<bool>,
    /// `server_default=`: `Some(None)` drops the default.
    pub modify_server_default: Option<Option<ServerDefault>>,
    /// `new_column_name=`
    pub modify_name: Option<String>,
    /// `comment=`: `Some(None)` drops the comment.
    pub modify_comment: Option<Option<String>>,
    /// `autoincrement=`
    pub modify_autoincrement: Option<bool>,
    pub existing_type: Option<SqlType>,
    pub existing_nullable: Option<bool>,
    /// `existing_server_default=`: `Some(None)` when given as `None` (Alembic
    /// renders it only when it is a default, never as `=None`).
    pub existing_server_default: Option<Option<ServerDefault>>,
    pub existing_comment: Option<Option<String>>,
    pub existing_autoincrement: Option<bool>,
}

/// A Python literal in `bulk_insert` rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Op {
    /// True when the op does nothing (an empty batch block).
    pub fn is_empty(&self) -> bool {
        match self {
            Op::BatchAlterTable(b) => b.ops.iter().all(Op::is_empty),
            _ => false,
        }
    }

    /// The exact inverse of this op (Alembic's `MigrateOperation.reverse()`).
    pub fn reverse(&self) -> Op {
        match self {
            // `CreateTableOp.reverse()` / `DropTableOp.reverse()` do not carry the IF [NOT] EXISTS
            Op::CreateTable { table, .. } => Op::DropTable { table: table.clone(), if_exists: None },
            Op::DropTable { table, .. } => Op::CreateTable { table: table.clone(), if_not_exists: None },
            Op::RenameTable { old_name, new_name } => {
                Op::RenameTable { old_name: new_name.clone(), new_name: old_name.clone() }
            }
            // `AddColumnOp.reverse()` / `DropColumnOp.reverse()` carry the IF [NOT] EXISTS over
            Op::AddColumn { table, column, if_not_exists, .. } => Op::DropColumn { table: table.clone(), column: column.clone(), if_exists: *if_not_exists },
            Op::DropColumn { table, column, if_exists } => {
                Op::AddColumn { table: table.clone(), column: column.clone(), if_not_exists: *if_exists, position: ColumnPosition::default() }
            }
            Op::AlterColumn(a) => Op::AlterColumn(a.reverse()),
            // as Alembic's `CreateIndexOp.reverse()`: the existence checks are not carried over
            Op::CreateIndex { index, .. } => Op::DropIndex { index: index.clone(), if_exists: None },
            Op::DropIndex { index, .. } => Op::CreateIndex { index: index.clone(), if_not_exists: None },
            Op::CreateUniqueConstraint { table, constraint } => Op::DropConstraint {
                table: table.clone(),
                name: constraint.name.clone(),
                kind: Some(ConstraintKind::Unique),
                removed: Some(Constraint::Unique(constraint.clone())),
            },
            Op::CreateForeignKey { table, constraint } => Op::DropConstraint {
                table: table.clone(),
                name: constraint.name.clone(),
                kind: Some(ConstraintKind::ForeignKey),
                removed: Some(Constraint::ForeignKey(constraint.clone())),
            },
            Op::CreatePrimaryKey { table, constraint } => Op::DropConstraint {
                table: table.clone(),
                name: constraint.name.clone(),
                kind: Some(ConstraintKind::Primary),
                removed: Some(Constraint::PrimaryKey(constraint.clone())),
            },
            Op::CreateCheckConstraint { table, constraint } => Op::DropConstraint {
                table: table.clone(),
                name: constraint.name.clone(),
                kind: Some(ConstraintKind::Check),
                removed: Some(Constraint::Check(constraint.clone())),
            },
            Op::DropConstraint { table, name, kind, removed } => match removed {
                Some(Constraint::Unique(c)) => {
                    Op::CreateUniqueConstraint { table: table.clone(), constraint: c.clone() }
                }
                Some(Constraint::ForeignKey(c)) => {
                    Op::CreateForeignKey { table: table.clone(), constraint: c.clone() }
                }
                Some(Constraint::Check(c)) => {
                    Op::CreateCheckConstraint { table: table.clone(), constraint: c.clone() }
                }
                Some(Constraint::PrimaryKey(c)) => {
                    Op::CreatePrimaryKey { table: table.clone(), constraint: c.clone() }
                }
                // An unknown constraint cannot be recreated from its name
                // alone; Alembic raises here. Keep the op as-is.
                None => Op::DropConstraint {
                    table: table.clone(),
                    name: name.clone(),
                    kind: *kind,
                    removed: removed.clone(),
                },
            },
            Op::Execute { sql } => Op::Execute { sql: sql.clone() },
            Op::BulkInsert { table, columns, rows } => {
                Op::BulkInsert { table: table.clone(), columns: columns.clone(), rows: rows.clone() }
            }
            Op::BatchAlterTable(b) => Op::BatchAlterTable(BatchAlterTable {
                table: b.table.clone(),
                recreate: b.recreate,
                copy_from: b.copy_from.clone(),
                reflect_args: b.reflect_args.clone(),
                partial_reordering: b.partial_reordering.clone(),
                table_args: b.table_args.clone(),
                naming_convention: b.naming_convention.clone(),
                table_kwargs: b.table_kwargs,
                ops: reverse_ops(&b.ops),
            }),
        }
    }
}

impl AlterColumn {
    /// Swaps `modify_*` and `existing_*`, as `AlterColumnOp.reverse()` does.
    pub fn reverse(&self) -> AlterColumn {
        let mut r = self.clone();
        if let Some(new_type) = &self.modify_type {
            r.modify_type = self.existing_type.clone();
            r.existing_type = Some(new_type.clone());
        }
        if let Some(new_nullable) = self.modify_nullable {
            r.modify_nullable = self.existing_nullable;
            r.existing_nullable = Some(new_nullable);
        }
        if let Some(new_default) = &self.modify_server_default {
            r.modify_server_default = Some(self.existing_server_default.clone().flatten());
            r.existing_server_default = Some(new_default.clone());
        }
        if let Some(new_comment) = &self.modify_comment {
            r.modify_comment = Some(self.existing_comment.clone().flatten());
            r.existing_comment = Some(new_comment.clone());
        }
        // `autoincrement=` is a plain keyword of `AlterColumnOp.kw`, not a
        // `modify_*` attribute: Alembic's reverse() keeps it as it is (the
        // downgrade of an autogenerated PK type change says
        // `autoincrement=True` too), and `existing_autoincrement` has no
        // `modify_` partner to swap with.
        if let Some(new_name) = &self.modify_name {
            r.column = new_name.clone();
            r.modify_name = Some(self.column.clone());
        }
        r
    }
}
