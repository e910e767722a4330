//! Step-through helpers (`ui::views::steps_model`) against real SQLite: one
//! operation at a time, with the SQL it executed, batch move-and-copy
//! included, rows kept.

use alembic_playground::platform::native::NativeDatabase;
use alembic_playground::ui::views::steps_model::{pending_steps, run_one};
use engine::db::{Database, Value};
use engine::ops::{AlterColumn, BatchAlterTable, Op, Recreate};
use engine::schema::*;

fn tag() -> Table {
    let mut t = Table::new("tag");
    let mut id = Column::new("id", SqlType::new(TypeClass::Integer));
    id.primary_key = true;
    id.nullable = false;
    t.columns.push(id);
    let mut name = Column::new("name", SqlType::new(TypeClass::String).with_length(Some(50)));
    name.nullable = false;
    t.columns.push(name);
    t.primary_key = Some(PrimaryKeyConstraint { name: None, columns: vec!["id".into()] });
    t
}

#[test]
fn each_operation_shows_its_sql_and_batch_keeps_rows() {
    let mut db = NativeDatabase::open_in_memory().unwrap();
    let create = Op::CreateTable { table: tag(), if_not_exists: None };
    let batch = Op::BatchAlterTable(BatchAlterTable {
        table: "tag".into(),
        recreate: Recreate::Auto,
        copy_from: None, reflect_args: None, partial_reordering: Vec::new(),
        table_args: vec![],
        naming_convention: Default::default(),
        table_kwargs: Default::default(),
        ops: vec![Op::AlterColumn(AlterColumn {
            table: "tag".into(),
            column: "name".into(),
            modify_nullable: Some(true),
            existing_type: Some(SqlType::new(TypeClass::VarcharUpper).with_length(Some(50))),
            existing_nullable: Some(false),
            ..AlterColumn::default()
        })],
    });
    let ops = vec![create, batch];
    let pending = pending_steps(&ops);
    assert!(pending[0].label.starts_with("op.create_table('tag'"), "{}", pending[0].label);
    assert!(pending[1].label.contains("batch_op.alter_column('name'"), "{}", pending[1].label);
    assert!(pending.iter().all(|s| s.sql.is_empty()));

    let first = run_one(&mut db, &ops[0]);
    assert_eq!(first.error, None);
    assert_eq!(first.sql.len(), 1);
    assert!(first.sql[0].starts_with("CREATE TABLE tag ("), "{:?}", first.sql);
    db.execute("INSERT INTO tag (id, name) VALUES (1, 'kept')").unwrap();

    let second = run_one(&mut db, &ops[1]);
    assert_eq!(second.error, None);
    assert!(second.sql[0].starts_with("CREATE TABLE _alembic_tmp_tag"), "{:?}", second.sql);
    assert!(second.sql.iter().any(|s| s.starts_with("INSERT INTO _alembic_tmp_tag")));
    assert!(second.sql.iter().all(|s| s != "BEGIN" && s != "COMMIT"));
    let rows = db.query("SELECT name FROM tag").unwrap();
    assert_eq!(rows.rows, vec![vec![Value::Text("kept".into())]]);
}

#[test]
fn a_failing_operation_reports_its_error() {
    let mut db = NativeDatabase::open_in_memory().unwrap();
    let step = run_one(&mut db, &Op::DropTable { table: tag(), if_exists: None });
    assert!(step.error.as_deref().unwrap_or("").contains("no such table"), "{:?}", step.error);
    assert_eq!(step.sql, vec!["DROP TABLE tag".to_string()]);
}
