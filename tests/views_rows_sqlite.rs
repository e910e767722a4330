//! The data grid's intents (`ui::views::rows_model`) against real SQLite:
//! the SQL each intent produces runs, hits exactly the row it names (by
//! primary key, or by rowid for a table without one), and quotes names and
//! text so that user input stays data.

use alembic_playground::platform::native::NativeDatabase;
use alembic_playground::ui::views::rows_model::{parse_cell, row_key, rows_query, RowIntent};
use engine::db::{Database, Value};
use engine::reflect;

fn db(setup: &[&str]) -> NativeDatabase {
    let mut db = NativeDatabase::open_in_memory().unwrap();
    for s in setup {
        db.execute(s).unwrap();
    }
    db
}

#[test]
fn edit_add_and_delete_rows_by_primary_key() {
    let mut db = db(&[
        "CREATE TABLE \"order\" (id INTEGER NOT NULL, \"select\" VARCHAR(20), qty INTEGER, PRIMARY KEY (id))",
        "INSERT INTO \"order\" VALUES (1, 'a', 1), (2, 'b', 2)",
    ]);
    let meta = reflect::reflect(&mut db).unwrap();
    let t = &meta.tables["order"];
    let rows = db.query(&rows_query(t, 100)).unwrap();
    let key = row_key(t, &rows, 1);
    let qty = t.column("qty").unwrap();
    let text = t.column("select").unwrap();
    let up = RowIntent::Update { table: "order".into(), key: key.clone(), column: "qty".into(), value: parse_cell("42", qty) };
    db.execute(&up.sql().unwrap()).unwrap();
    let evil = "x'); DROP TABLE \"order\"; --";
    let up = RowIntent::Update { table: "order".into(), key: key.clone(), column: "select".into(), value: parse_cell(evil, text) };
    db.execute(&up.sql().unwrap()).unwrap();
    let ins = RowIntent::Insert { table: "order".into(), values: vec![("select".into(), Value::Text("c".into()))] };
    db.execute(&ins.sql().unwrap()).unwrap();
    let del = RowIntent::Delete { table: "order".into(), key: row_key(t, &rows, 0) };
    db.execute(&del.sql().unwrap()).unwrap();
    let after = db.query(&rows_query(t, 100)).unwrap();
    assert_eq!(
        after.rows,
        vec![
            vec![Value::Integer(2), Value::Text(evil.into()), Value::Integer(42)],
            vec![Value::Integer(3), Value::Text("c".into()), Value::Null],
        ]
    );
}

#[test]
fn a_table_without_primary_key_is_edited_by_rowid() {
    let mut db = db(&["CREATE TABLE log (msg TEXT, n INTEGER)", "INSERT INTO log VALUES ('same', NULL), ('same', NULL)"]);
    let meta = reflect::reflect(&mut db).unwrap();
    let t = &meta.tables["log"];
    let rows = db.query(&rows_query(t, 100)).unwrap();
    assert_eq!(rows.columns[0], "rowid");
    let del = RowIntent::Delete { table: "log".into(), key: row_key(t, &rows, 1) };
    db.execute(&del.sql().unwrap()).unwrap();
    let left = db.query("SELECT count(*) FROM log").unwrap();
    assert_eq!(left.rows[0][0], Value::Integer(1), "only the second of two identical rows is gone");
    let ins = RowIntent::Insert { table: "log".into(), values: vec![] };
    db.execute(&ins.sql().unwrap()).unwrap();
}
