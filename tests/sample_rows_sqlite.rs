//! `engine::sample_rows` against real SQLite: the generated INSERTs run with
//! `PRAGMA foreign_keys = ON`, leave `foreign_key_check` empty and keep every
//! unique constraint, on a schema reflected from the database (what the
//! playground's data grid sees) and on a second fill over existing rows.

use std::collections::BTreeMap;

use alembic_playground::platform::native::NativeDatabase;
use engine::db::{Database, QueryResult};
use engine::reflect;
use engine::sample_rows::{sample_rows, SampleError, SampleOptions};
use engine::schema::MetaData;

/// DDL as SQLAlchemy 2.1 emits it for these models (enum non-native, a
/// Boolean with its CHECK, a one-to-one FK, a composite PK of two FKs, a
/// self reference, a unique index, a short VARCHAR that is unique).
const SCHEMA: &[&str] = &[
    "CREATE TABLE user (\n\tid INTEGER NOT NULL, \n\temail VARCHAR(120) NOT NULL, \n\tname VARCHAR(50), \n\tactive BOOLEAN NOT NULL, \n\tPRIMARY KEY (id), \n\tUNIQUE (email), \n\tCHECK (active IN (0, 1))\n)",
    "CREATE TABLE profile (\n\tid INTEGER NOT NULL, \n\tuser_id INTEGER NOT NULL, \n\tbio TEXT, \n\tPRIMARY KEY (id), \n\tUNIQUE (user_id), \n\tFOREIGN KEY(user_id) REFERENCES user (id)\n)",
    "CREATE TABLE post (\n\tid INTEGER NOT NULL, \n\tuser_id INTEGER NOT NULL, \n\ttitle VARCHAR(200) NOT NULL, \n\tstatus VARCHAR(9) NOT NULL, \n\tscore NUMERIC(5, 2), \n\tcreated_at DATETIME NOT NULL, \n\tday DATE, \n\tPRIMARY KEY (id), \n\tCONSTRAINT status CHECK (status IN ('draft', 'published')), \n\tFOREIGN KEY(user_id) REFERENCES user (id)\n)",
    "CREATE INDEX ix_post_title ON post (title)",
    "CREATE TABLE tag (\n\tid INTEGER NOT NULL, \n\tcode VARCHAR(3) NOT NULL, \n\tPRIMARY KEY (id)\n)",
    "CREATE UNIQUE INDEX ix_tag_code ON tag (code)",
    "CREATE TABLE post_tag (\n\tpost_id INTEGER NOT NULL, \n\ttag_id INTEGER NOT NULL, \n\tPRIMARY KEY (post_id, tag_id), \n\tFOREIGN KEY(post_id) REFERENCES post (id) ON DELETE CASCADE, \n\tFOREIGN KEY(tag_id) REFERENCES tag (id)\n)",
    "CREATE TABLE node (\n\tid INTEGER NOT NULL, \n\tparent_id INTEGER, \n\tuid CHAR(32) NOT NULL, \n\tdata JSON, \n\tblob BLOB, \n\tPRIMARY KEY (id), \n\tUNIQUE (uid), \n\tFOREIGN KEY(parent_id) REFERENCES node (id)\n)",
];

fn open() -> (NativeDatabase, MetaData) {
    let mut db = NativeDatabase::open_in_memory().unwrap();
    db.execute("PRAGMA foreign_keys = ON").unwrap();
    for s in SCHEMA {
        db.execute(s).unwrap();
    }
    let meta = reflect::reflect(&mut db).unwrap();
    (db, meta)
}

fn existing(db: &mut NativeDatabase, meta: &MetaData) -> BTreeMap<String, QueryResult> {
    meta.tables
        .keys()
        .map(|t| (t.clone(), db.query(&format!("SELECT * FROM {}", engine::ddl::quote(t))).unwrap()))
        .collect()
}

fn count(db: &mut NativeDatabase, table: &str) -> i64 {
    db.query(&format!("SELECT count(*) FROM {table}")).unwrap().rows[0][0].as_i64().unwrap()
}

fn run(db: &mut NativeDatabase, statements: &[String]) {
    for s in statements {
        db.execute(s).unwrap_or_else(|e| panic!("{s}\n{e}"));
    }
    let broken = db.query("PRAGMA foreign_key_check").unwrap();
    assert!(broken.rows.is_empty(), "{broken:?}");
}

#[test]
fn filling_a_child_fills_its_parents_first_and_sqlite_accepts_every_row() {
    let (mut db, meta) = open();
    let plan = sample_rows(&meta, &["post_tag".into()], &BTreeMap::new(), SampleOptions { rows: 6, seed: 9 }).unwrap();
    let order: Vec<&str> = plan.tables.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(order, vec!["user", "post", "tag", "post_tag"]);
    run(&mut db, &plan.statements);
    for t in ["user", "post", "tag", "post_tag"] {
        assert_eq!(count(&mut db, t), 6, "{t}");
    }
    assert_eq!(count(&mut db, "profile"), 0);
    let statuses = db.query("SELECT DISTINCT status FROM post ORDER BY 1").unwrap();
    assert_eq!(statuses.rows.len(), 2, "both enum members used");
}

#[test]
fn a_second_fill_respects_existing_rows_and_uniques() {
    let (mut db, meta) = open();
    db.execute("INSERT INTO user (id, email, name, active) VALUES (7, 'email 2', 'x', 1)").unwrap();
    db.execute("INSERT INTO tag (id, code) VALUES (1, '2')").unwrap();
    let all: Vec<String> = meta.table_order.clone();
    for seed in [1, 2] {
        let ex = existing(&mut db, &meta);
        let plan = sample_rows(&meta, &all, &ex, SampleOptions { rows: 8, seed }).unwrap();
        run(&mut db, &plan.statements);
    }
    assert_eq!(count(&mut db, "user"), 17);
    assert_eq!(count(&mut db, "tag"), 17);
    assert_eq!(count(&mut db, "profile"), 16);
    assert_eq!(count(&mut db, "node"), 16);
    // the first node of an empty table points at itself or is NULL, later ones at earlier nodes
    let orphans = db.query("SELECT count(*) FROM node WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT id FROM node)").unwrap();
    assert_eq!(orphans.rows[0][0].as_i64(), Some(0));
}

#[test]
fn a_one_to_one_child_cannot_outgrow_its_parents() {
    let (mut db, meta) = open();
    let plan = sample_rows(&meta, &["user".into()], &BTreeMap::new(), SampleOptions { rows: 2, seed: 1 }).unwrap();
    run(&mut db, &plan.statements);
    let ex = existing(&mut db, &meta);
    let err = sample_rows(&meta, &["profile".into()], &ex, SampleOptions { rows: 3, seed: 1 }).unwrap_err();
    assert!(matches!(&err, SampleError::Unsatisfiable { table, .. } if table == "profile"), "{err}");
    // two fit
    let plan = sample_rows(&meta, &["profile".into()], &ex, SampleOptions { rows: 2, seed: 1 }).unwrap();
    run(&mut db, &plan.statements);
}
