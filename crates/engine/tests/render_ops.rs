//! Rendering of single ops, top level (`op.`) and inside a batch block
//! (`batch_op.`). Most of these texts are also checked against Alembic's own
//! renderer through the round-trip fixtures; `rename_table`, `bulk_insert`
//! and non-default `batch_alter_table` arguments have no Alembic renderer
//! and are rendered the way people write them.

use std::collections::BTreeMap;

use alembic_engine::ops::{AlterColumn, BatchAlterTable, Literal, Op, Recreate};
use alembic_engine::render::{render_batch_op, render_body, render_op, render_script, ScriptHeader};
use alembic_engine::schema::{
    Autoincrement, CheckConstraint, Column, Computed, Constraint, ConstraintKind, EnumInfo,
    ForeignKeyConstraint, Index, IndexColumn, Name, PrimaryKeyConstraint, ServerDefault, SqlType,
    Table, TypeClass, UniqueConstraint,
};

fn both(op: &Op) -> String {
    format!("{}\n--- in a batch block:\n{}", render_op(op).join("\n"), render_batch_op(op).join("\n"))
}

fn varchar(n: u32) -> SqlType {
    SqlType::new(TypeClass::VarcharUpper).with_length(Some(n))
}

fn fk() -> ForeignKeyConstraint {
    ForeignKeyConstraint {
        name: Some(Name::conv("fk_book_author_id_author")),
        columns: vec!["author_id".into()],
        referred_table: "author".into(),
        referred_columns: vec!["id".into()],
        ondelete: Some("CASCADE".into()),
        onupdate: None,
        deferrable: None,
        initially: None,
        use_alter: false,
    }
}

fn book() -> Table {
    let mut t = Table::new("book");
    let mut id = Column::new("id", SqlType::new(TypeClass::Integer));
    id.nullable = false;
    id.primary_key = true;
    let mut author_id = Column::new("author_id", SqlType::new(TypeClass::Integer));
    author_id.nullable = false;
    let mut title = Column::new("title", SqlType::new(TypeClass::String).with_length(Some(200)));
    title.server_default = Some(ServerDefault::Literal("untitled".into()));
    title.comment = Some("the book's title".into());
    let mut status = Column::new("status", SqlType::new(TypeClass::Enum));
    status.type_.enum_ = Some(EnumInfo {
        values: vec!["draft".into(), "published".into()],
        name: Some("book_status".into()),
        native_enum: false,
        create_constraint: true,
        ..Default::default()
    });
    let mut added = Column::new("added", SqlType::new(TypeClass::DateTime));
    added.type_.timezone = true;
    added.server_default = Some(ServerDefault::Text("(CURRENT_TIMESTAMP)".into()));
    let mut pages = Column::new("pages2", SqlType::new(TypeClass::Integer));
    pages.computed = Some(Computed { sqltext: "pages * 2".into(), persisted: None });
    let mut seq = Column::new("seq", SqlType::new(TypeClass::Integer));
    seq.autoincrement = Autoincrement::False;
    t.columns = vec![id, author_id, title, status, added, pages, seq];
    t.primary_key = Some(PrimaryKeyConstraint { name: Some(Name::conv("pk_book")), columns: vec!["id".into()] });
    t.foreign_keys = vec![fk()];
    t.unique_constraints = vec![UniqueConstraint { name: None, columns: vec!["author_id".into(), "title".into()] }];
    t.check_constraints = vec![CheckConstraint { name: Some(Name::plain("ck_book_seq")), sqltext: "seq >= 0".into() }];
    t.comment = Some("Books".into());
    t
}

#[test]
fn create_table() {
    insta::assert_snapshot!(render_op(&Op::CreateTable { table: book(), if_not_exists: None }).join("\n"));
}

#[test]
fn drop_table() {
    insta::assert_snapshot!(render_op(&Op::DropTable { table: book(), if_exists: None }).join("\n"));
}

#[test]
fn rename_table() {
    insta::assert_snapshot!(render_op(&Op::RenameTable { old_name: "book".into(), new_name: "volume".into() }).join("\n"));
}

#[test]
fn add_column() {
    let mut c = Column::new("isbn", SqlType::new(TypeClass::AutoString).with_length(Some(13)));
    c.nullable = false;
    c.server_default = Some(ServerDefault::Literal("'n/a'".into()));
    insta::assert_snapshot!(both(&Op::AddColumn { table: "book".into(), column: c, if_not_exists: None, position: Default::default() }));
}

#[test]
fn drop_column() {
    insta::assert_snapshot!(both(&Op::DropColumn { table: "book".into(), column: Column::new("isbn", varchar(13)), if_exists: None }));
}

#[test]
fn alter_column() {
    let a = AlterColumn {
        table: "book".into(),
        column: "title".into(),
        modify_type: Some(SqlType::new(TypeClass::Text)),
        modify_nullable: Some(false),
        modify_server_default: Some(None),
        existing_type: Some(varchar(200)),
        existing_nullable: Some(true),
        existing_server_default: Some(Some(ServerDefault::Text("'untitled'".into()))),
        ..Default::default()
    };
    insta::assert_snapshot!(both(&Op::AlterColumn(a)));
}

#[test]
fn alter_column_existing_only() {
    let a = AlterColumn {
        table: "book".into(),
        column: "title".into(),
        modify_name: Some("name".into()),
        existing_type: Some(varchar(200)),
        existing_nullable: Some(false),
        existing_server_default: Some(Some(ServerDefault::Text("'untitled'".into()))),
        existing_comment: Some(Some("old".into())),
        ..Default::default()
    };
    insta::assert_snapshot!(both(&Op::AlterColumn(a)));
}

#[test]
fn create_and_drop_index() {
    let index = Index {
        name: Some(Name::conv("ix_book_title")),
        table: "book".into(),
        columns: vec![IndexColumn::Column("title".into()), IndexColumn::Expression("lower(title)".into())],
        unique: true,
        sqlite_where: None,
        unique_int: false,
    };
    let text = format!("{}\n{}", both(&Op::CreateIndex { index: index.clone(), if_not_exists: None }), both(&Op::DropIndex { index, if_exists: None }));
    insta::assert_snapshot!(text);
}

#[test]
fn constraints() {
    let ops = [
        Op::CreateUniqueConstraint {
            table: "book".into(),
            constraint: UniqueConstraint { name: Some(Name::plain("uq_book_title")), columns: vec!["title".into()] },
        },
        Op::CreateForeignKey { table: "book".into(), constraint: fk() },
        Op::CreateCheckConstraint {
            table: "book".into(),
            constraint: CheckConstraint { name: None, sqltext: "pages > 0".into() },
        },
        Op::DropConstraint { table: "book".into(), name: None, kind: Some(ConstraintKind::ForeignKey), removed: None },
        Op::DropConstraint {
            table: "book".into(),
            name: Some(Name::conv("uq_book_title")),
            kind: Some(ConstraintKind::Unique),
            removed: None,
        },
    ];
    let text: Vec<String> = ops.iter().map(both).collect();
    insta::assert_snapshot!(text.join("\n\n"));
}

#[test]
fn execute() {
    insta::assert_snapshot!(render_op(&Op::Execute { sql: "UPDATE book SET title = 'it''s'\nWHERE id = 1".into() }).join("\n"));
}

#[test]
fn bulk_insert() {
    let mut r1 = BTreeMap::new();
    r1.insert("id".to_string(), Literal::Int(1));
    r1.insert("title".to_string(), Literal::Str("Mort".into()));
    r1.insert("price".to_string(), Literal::Float(9.5));
    let mut r2 = BTreeMap::new();
    r2.insert("id".to_string(), Literal::Int(-2));
    r2.insert("title".to_string(), Literal::None);
    r2.insert("price".to_string(), Literal::Bool(true));
    let op = Op::BulkInsert {
        table: "book".into(),
        columns: vec![
            ("id".into(), Some(SqlType::new(TypeClass::Integer))),
            ("title".into(), Some(SqlType::new(TypeClass::String))),
            ("price".into(), None),
        ],
        rows: vec![r1, r2],
    };
    insta::assert_snapshot!(render_op(&op).join("\n"));
}

#[test]
fn batch_block_with_options() {
    let mut copy = Table::new("book");
    copy.columns = vec![Column::new("id", SqlType::new(TypeClass::Integer))];
    let b = BatchAlterTable {
        table: "book".into(),
        recreate: Recreate::Always,
        copy_from: Some(copy), reflect_args: None, partial_reordering: Vec::new(),
        table_args: vec![Constraint::Unique(UniqueConstraint { name: Some(Name::plain("uq_x")), columns: vec!["id".into()] })],
        naming_convention: Default::default(),
        table_kwargs: Default::default(),
        ops: vec![Op::DropColumn { table: "book".into(), column: Column::new("isbn", varchar(13)), if_exists: None }],
    };
    let ops = vec![
        Op::BatchAlterTable(b),
        Op::BatchAlterTable(BatchAlterTable {
            table: "empty".into(),
            recreate: Recreate::Auto,
            copy_from: None, reflect_args: None, partial_reordering: Vec::new(),
            table_args: vec![],
            naming_convention: Default::default(),
            table_kwargs: Default::default(),
            ops: vec![],
        }),
        Op::DropTable { table: Table::new("other"), if_exists: None },
    ];
    insta::assert_snapshot!(render_body(&ops));
}

#[test]
fn script_with_merge_labels_and_dialect_import() {
    let header = ScriptHeader {
        revision: "c3".into(),
        down_revision: vec!["a1".into(), "b2".into()],
        branch_labels: vec!["feature".into()],
        depends_on: vec!["x9".into(), "y8".into()],
        message: Some("it's a \"merge\"".into()),
        create_date: "2026-11-22 03:03:40.760990".into(),
        extra_imports: vec!["import sqlmodel".into()],
        autogenerate: true,
    };
    let up = alembic_engine::ops::UpgradeOps {
        ops: vec![Op::AddColumn { table: "t".into(), column: Column::new("j", SqlType::new(TypeClass::JsonUpper)), if_not_exists: None, position: Default::default() }],
    };
    let down = up.reverse();
    insta::assert_snapshot!(render_script(&header, &up, &down));
}

#[test]
fn plain_revision_without_autogenerate() {
    let header = ScriptHeader {
        revision: "abc123".into(),
        create_date: "2026-11-22 03:03:40.760990".into(),
        ..Default::default()
    };
    insta::assert_snapshot!(render_script(&header, &Default::default(), &Default::default()));
}
