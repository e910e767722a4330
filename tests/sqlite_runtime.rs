//! The SQLite layer against real SQLite (rusqlite): exact statements through
//! a recording `Database`, and batch round trips that keep rows.
//!
//! Ground truth: the same ops run by Alembic 1.20.1 / SQLAlchemy 2.1.9 through
//! `MigrationContext.configure(conn)` + `Operations(ctx)` (online, statements
//! captured with `before_cursor_execute`) and `as_sql=True` (offline), and
//! `alembic upgrade` on reference projects made by `scripts/mkref.sh`.
//! The expected strings below are copied from that output, with the
//! surrounding `\n` SQLAlchemy adds around DDL trimmed (SQLite stores the text
//! from the first keyword).

use std::collections::BTreeMap;

use alembic_playground::platform::native::NativeDatabase;
use engine::db::{Database, DbError, QueryResult, Value};
use engine::ops::{AlterColumn, BatchAlterTable, Literal, Op, Recreate};
use engine::reflect;
use engine::revision::VersionUpdate;
use engine::runtime::{self, RuntimeError};
use engine::schema::*;

/// Records every statement `execute` runs, answering from a real SQLite.
struct Recorder {
    db: NativeDatabase,
    log: Vec<String>,
}

impl Recorder {
    fn new(setup: &[&str]) -> Self {
        let mut db = NativeDatabase::open_in_memory().unwrap();
        for s in setup {
            db.execute(s).unwrap();
        }
        Recorder { db, log: vec![] }
    }
    /// Statements without the transaction control the runtime adds.
    fn statements(&self) -> Vec<&str> {
        self.log
            .iter()
            .map(String::as_str)
            .filter(|s| !["BEGIN", "COMMIT", "ROLLBACK"].contains(s))
            .collect()
    }
    fn schema(&mut self) -> Vec<String> {
        let r = self
            .db
            .query("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
            .unwrap();
        r.rows
            .iter()
            .map(|row| row[0].as_str().unwrap().to_string())
            .collect()
    }
    fn rows(&mut self, sql: &str) -> Vec<Vec<Value>> {
        self.db.query(sql).unwrap().rows
    }
}

impl Database for Recorder {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.log.push(sql.to_string());
        self.db.execute(sql)
    }
    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        self.db.query(sql)
    }
}

/// The Python warnings among what a step wrote to stderr.
fn step_warnings(report: &runtime::StepReport) -> Vec<String> {
    report
        .stderr
        .iter()
        .filter_map(|s| match s {
            runtime::StepStderr::Warning(w) => Some(w.clone()),
            runtime::StepStderr::Logged(_) => None,
        })
        .collect()
}

// ------------------------------------------------------------------ builders

fn ty(class: TypeClass) -> SqlType {
    SqlType::new(class)
}
fn varchar(n: u32) -> SqlType {
    ty(TypeClass::VarcharUpper).with_length(Some(n))
}
fn string(n: u32) -> SqlType {
    ty(TypeClass::String).with_length(Some(n))
}
fn col(name: &str, t: SqlType, nullable: bool) -> Column {
    let mut c = Column::new(name, t);
    c.nullable = nullable;
    c
}
fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> Index {
    Index {
        name: Some(Name::conv(name)),
        table: table.into(),
        columns: cols
            .iter()
            .map(|c| IndexColumn::Column(c.to_string()))
            .collect(),
        unique,
        sqlite_where: None,
        unique_int: false,
    }
}
fn batch(table: &str, ops: Vec<Op>) -> Op {
    Op::BatchAlterTable(BatchAlterTable {
        table: table.into(),
        recreate: Recreate::Auto,
        copy_from: None, reflect_args: None, partial_reordering: Vec::new(),
        table_args: vec![],
        naming_convention: Default::default(),
        table_kwargs: Default::default(),
        ops,
    })
}
fn alter(table: &str, column: &str) -> AlterColumn {
    AlterColumn {
        table: table.into(),
        column: column.into(),
        ..Default::default()
    }
}
fn fk(name: Option<&str>, cols: &[&str], table: &str, rcols: &[&str]) -> ForeignKeyConstraint {
    ForeignKeyConstraint {
        name: name.map(Name::plain),
        columns: cols.iter().map(|s| s.to_string()).collect(),
        referred_table: table.into(),
        referred_columns: rcols.iter().map(|s| s.to_string()).collect(),
        ondelete: None,
        onupdate: None,
        deferrable: None,
        initially: None,
        use_alter: false,
    }
}

const TOOL: &[&str] = &[
    "CREATE TABLE tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40), \n\tPRIMARY KEY (id)\n)",
    "CREATE INDEX ix_tool_name ON tool (name)",
    "INSERT INTO tool (id, name, serial_no) VALUES (1, 'saw', 'S1'), (2, 'drill', NULL)",
];

const TOOL_TABLE: &str = "CREATE TABLE tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40), \n\tPRIMARY KEY (id)\n)";

// ------------------------------------------------------------------ plain ops

#[test]
fn plain_ops_emit_alembics_alters() {
    let mut db = Recorder::new(TOOL);
    let mut price_t = ty(TypeClass::Numeric);
    price_t.precision = Some(5);
    price_t.scale = Some(2);
    let mut kind = col("kind", string(10), false);
    kind.server_default = Some(ServerDefault::Literal("hand".into()));
    let price = col("price", price_t, true);
    let mut rename = alter("tool", "serial_no");
    rename.modify_name = Some("serial".into());
    let mut row1 = BTreeMap::new();
    row1.insert("id".to_string(), Literal::Int(5));
    row1.insert("name".to_string(), Literal::Str("o'k".into()));
    row1.insert("kind".to_string(), Literal::Str("x".into()));
    let ops = vec![
        Op::AddColumn {
            table: "tool".into(),
            column: price.clone(),
            if_not_exists: None, position: Default::default(),
        },
        Op::AddColumn {
            table: "tool".into(),
            column: kind,
            if_not_exists: None, position: Default::default(),
        },
        Op::DropIndex {
            index: index("ix_tool_name", "tool", &["name"], false),
            if_exists: None,
        },
        Op::CreateIndex {
            index: index("ix_tool_serial", "tool", &["serial_no"], true),
            if_not_exists: None,
        },
        Op::AlterColumn(rename),
        Op::DropColumn {
            table: "tool".into(),
            column: price,
            if_exists: None,
        },
        Op::RenameTable {
            old_name: "tool".into(),
            new_name: "tools".into(),
        },
        Op::Execute {
            sql: "UPDATE tools SET kind = 'x'".into(),
        },
        Op::BulkInsert {
            table: "tools".into(),
            columns: vec![
                ("id".into(), None),
                ("name".into(), None),
                ("kind".into(), None),
            ],
            rows: vec![row1],
        },
    ];
    runtime::run_ops(&mut db, &ops).unwrap();
    assert_eq!(
        db.statements(),
        [
            "ALTER TABLE tool ADD COLUMN price NUMERIC(5, 2)",
            "ALTER TABLE tool ADD COLUMN kind VARCHAR(10) DEFAULT 'hand' NOT NULL",
            "DROP INDEX ix_tool_name",
            "CREATE UNIQUE INDEX ix_tool_serial ON tool (serial_no)",
            "ALTER TABLE tool RENAME COLUMN serial_no TO serial",
            "ALTER TABLE tool DROP COLUMN price",
            "ALTER TABLE tool RENAME TO tools",
            "UPDATE tools SET kind = 'x'",
            "INSERT INTO tools (id, name, kind) VALUES (5, 'o''k', 'x')",
        ]
    );
    // The DML opened a transaction, committed at the end of the step.
    assert_eq!(db.log.iter().filter(|s| *s == "BEGIN").count(), 1);
    assert_eq!(db.log.last().map(String::as_str), Some("COMMIT"));
    assert_eq!(
        db.schema(),
        [
            "CREATE TABLE \"tools\" (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial VARCHAR(40), kind VARCHAR(10) DEFAULT 'hand' NOT NULL, \n\tPRIMARY KEY (id)\n)",
            "CREATE UNIQUE INDEX ix_tool_serial ON \"tools\" (serial)",
        ]
    );
    let off = runtime::offline_sql(&ops).unwrap();
    assert_eq!(
        off,
        "ALTER TABLE tool ADD COLUMN price NUMERIC(5, 2);\n\nALTER TABLE tool ADD COLUMN kind VARCHAR(10) DEFAULT 'hand' NOT NULL;\n\nDROP INDEX ix_tool_name;\n\nCREATE UNIQUE INDEX ix_tool_serial ON tool (serial_no);\n\nALTER TABLE tool RENAME COLUMN serial_no TO serial;\n\nALTER TABLE tool DROP COLUMN price;\n\nALTER TABLE tool RENAME TO tools;\n\nUPDATE tools SET kind = 'x';\n\nINSERT INTO tools (id, name, kind) VALUES (5, 'o''k', 'x');\n\n"
    );
}

#[test]
fn constraint_ops_outside_batch_raise_not_implemented() {
    let mut db = Recorder::new(TOOL);
    let op = Op::CreateUniqueConstraint {
        table: "tool".into(),
        constraint: UniqueConstraint {
            name: Some(Name::plain("uq_x")),
            columns: vec!["name".into()],
        },
    };
    let want = "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode feature which allows for SQLite migrations using a copy-and-move strategy.";
    let err = runtime::run_ops(&mut db, std::slice::from_ref(&op)).unwrap_err();
    assert_eq!(err, RuntimeError::NotImplemented(want.into()));
    assert_eq!(runtime::offline_sql(&[op]).unwrap_err().to_string(), want);
    assert!(db.statements().is_empty());
}

#[test]
fn alter_column_outside_batch_reaches_sqlite_and_fails_there() {
    let mut db = Recorder::new(TOOL);
    let mut a = alter("tool", "serial_no");
    a.existing_type = Some(varchar(40));
    a.modify_nullable = Some(false);
    let err = runtime::run_ops(&mut db, &[Op::AlterColumn(a.clone())]).unwrap_err();
    match &err {
        RuntimeError::Database {
            statement, message, ..
        } => {
            assert_eq!(
                statement,
                "ALTER TABLE tool ALTER COLUMN serial_no SET NOT NULL"
            );
            assert_eq!(message, "near \"ALTER\": syntax error");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.python_exception(), "sqlalchemy.exc.OperationalError");
    assert_eq!(
        runtime::offline_sql(&[Op::AlterColumn(a)]).unwrap(),
        "ALTER TABLE tool ALTER COLUMN serial_no SET NOT NULL;\n\n"
    );
    let mut t = alter("tool", "serial_no");
    t.existing_type = Some(varchar(40));
    t.modify_type = Some(string(50));
    assert_eq!(
        runtime::offline_sql(&[Op::AlterColumn(t)]).unwrap(),
        "ALTER TABLE tool ALTER COLUMN serial_no TYPE VARCHAR(50);\n\n"
    );
}

// ------------------------------------------------------------------ batch

#[test]
fn tighten_to_not_null_fails_and_leaves_alembic_tmp() {
    // tool_rental_tighten_fails: real Alembic leaves _alembic_tmp_tool (0 rows)
    // and alembic_version at r0001.
    let mut setup: Vec<&str> = TOOL.to_vec();
    let vt = runtime::version_table_create_sql();
    setup.push(&vt);
    setup.push("INSERT INTO alembic_version (version_num) VALUES ('r0001')");
    let mut db = Recorder::new(&setup);
    let mut a = alter("tool", "serial_no");
    a.existing_type = Some(varchar(40));
    a.modify_nullable = Some(false);
    let ops = [batch("tool", vec![Op::AlterColumn(a)])];
    let updates = [VersionUpdate::Update {
        from: "r0001".into(),
        to: "r0002".into(),
    }];
    let err = runtime::run_step(&mut db, &ops, &updates).unwrap_err();
    assert_eq!(
        db.statements(),
        [
            "CREATE TABLE _alembic_tmp_tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40) NOT NULL, \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_tool (id, name, serial_no) SELECT tool.id, tool.name, tool.serial_no \nFROM tool",
            "DROP TABLE _alembic_tmp_tool",
        ]
    );
    let RuntimeError::Database {
        message,
        left_behind,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "NOT NULL constraint failed: _alembic_tmp_tool.serial_no"
    );
    assert_eq!(
        left_behind,
        &[
            "Not rolled back (ran in autocommit before the failure): CREATE TABLE _alembic_tmp_tool (".to_string(),
            "The table _alembic_tmp_tool was left in the database (SQLite DDL is not transactional); drop it before trying again, or the next attempt fails with \"table _alembic_tmp_tool already exists\".".to_string(),
        ]
    );
    assert!(err.to_string().starts_with("(sqlite3.IntegrityError) NOT NULL constraint failed: _alembic_tmp_tool.serial_no\n[SQL: INSERT INTO _alembic_tmp_tool"), "{err}");
    assert_eq!(err.python_exception(), "sqlalchemy.exc.IntegrityError");
    assert_eq!(
        db.schema(),
        [
            TOOL_TABLE,
            "CREATE INDEX ix_tool_name ON tool (name)",
            "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)",
            "CREATE TABLE _alembic_tmp_tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40) NOT NULL, \n\tPRIMARY KEY (id)\n)",
        ]
    );
    assert_eq!(runtime::read_heads(&mut db).unwrap(), ["r0001"]);
    assert_eq!(
        db.rows("SELECT count(*) FROM _alembic_tmp_tool"),
        [[Value::Integer(0)]]
    );
    // The next attempt fails on the leftover.
    let err = runtime::run_step(&mut db, &ops, &updates).unwrap_err();
    let RuntimeError::Database { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(message, "table _alembic_tmp_tool already exists");
    // Offline: Alembic's CommandError.
    let off = runtime::offline_sql(&ops).unwrap_err();
    assert_eq!(
        off,
        RuntimeError::Command("This operation cannot proceed in --sql mode; batch mode with dialect sqlite requires a live database connection with which to reflect the table \"tool\". To generate a batch SQL migration script using table \"move and copy\", a complete Table object should be passed to the \"copy_from\" argument of the batch_alter_table() method so that table reflection can be skipped.".into())
    );
}

#[test]
fn batch_type_change_same_affinity_copies_without_cast() {
    let mut db = Recorder::new(TOOL);
    let mut a = alter("tool", "serial_no");
    a.existing_type = Some(varchar(40));
    a.modify_type = Some(ty(TypeClass::Text));
    a.existing_nullable = Some(true);
    let mut b = alter("tool", "id");
    b.existing_type = Some(ty(TypeClass::IntegerUpper));
    b.modify_type = Some(ty(TypeClass::BigInteger));
    runtime::run_ops(
        &mut db,
        &[batch("tool", vec![Op::AlterColumn(a), Op::AlterColumn(b)])],
    )
    .unwrap();
    assert_eq!(
        db.statements(),
        [
            "CREATE TABLE _alembic_tmp_tool (\n\tid BIGINT NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no TEXT, \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_tool (id, name, serial_no) SELECT tool.id, tool.name, tool.serial_no \nFROM tool",
            "DROP TABLE tool",
            "ALTER TABLE _alembic_tmp_tool RENAME TO tool",
            "CREATE INDEX ix_tool_name ON tool (name)",
        ]
    );
    assert_eq!(
        db.schema()[0],
        "CREATE TABLE \"tool\" (\n\tid BIGINT NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no TEXT, \n\tPRIMARY KEY (id)\n)"
    );
    assert_eq!(
        db.rows("SELECT id, name, serial_no FROM tool ORDER BY id"),
        [
            vec![
                Value::Integer(1),
                Value::Text("saw".into()),
                Value::Text("S1".into())
            ],
            vec![Value::Integer(2), Value::Text("drill".into()), Value::Null],
        ]
    );
}

#[test]
fn batch_drop_column_with_index_ops() {
    let mut db = Recorder::new(TOOL);
    let ops = vec![
        Op::DropIndex {
            index: index("ix_tool_name", "tool", &["name"], false),
            if_exists: None,
        },
        Op::DropColumn {
            table: "tool".into(),
            column: col("serial_no", varchar(40), true),
            if_exists: None,
        },
        Op::CreateIndex {
            index: index("ix_tool_id", "tool", &["id"], false),
            if_not_exists: None,
        },
    ];
    runtime::run_ops(&mut db, &[batch("tool", ops)]).unwrap();
    assert_eq!(
        db.statements(),
        [
            "CREATE TABLE _alembic_tmp_tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_tool (id, name) SELECT tool.id, tool.name \nFROM tool",
            "DROP TABLE tool",
            "ALTER TABLE _alembic_tmp_tool RENAME TO tool",
            "CREATE INDEX ix_tool_id ON tool (id)",
        ]
    );
    assert_eq!(db.rows("SELECT count(*) FROM tool"), [[Value::Integer(2)]]);
}

#[test]
fn batch_add_column_with_sql_default_recreates() {
    for (default, nullable, want_col) in [
        (
            "(CURRENT_TIMESTAMP)",
            true,
            "created DATETIME DEFAULT (CURRENT_TIMESTAMP)",
        ),
        // func.now() compiles to CURRENT_TIMESTAMP on SQLite
        (
            "CURRENT_TIMESTAMP",
            false,
            "created DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL",
        ),
    ] {
        let mut db = Recorder::new(TOOL);
        let mut c = col("created", ty(TypeClass::DateTime), nullable);
        c.server_default = Some(ServerDefault::Text(default.into()));
        runtime::run_ops(
            &mut db,
            &[batch(
                "tool",
                vec![Op::AddColumn {
                    table: "tool".into(),
                    column: c,
                    if_not_exists: None, position: Default::default(),
                }],
            )],
        )
        .unwrap();
        assert_eq!(
            db.statements(),
            [
                format!("CREATE TABLE _alembic_tmp_tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40), \n\t{want_col}, \n\tPRIMARY KEY (id)\n)").as_str(),
                "INSERT INTO _alembic_tmp_tool (id, name, serial_no) SELECT tool.id, tool.name, tool.serial_no \nFROM tool",
                "DROP TABLE tool",
                "ALTER TABLE _alembic_tmp_tool RENAME TO tool",
                "CREATE INDEX ix_tool_name ON tool (name)",
            ]
        );
    }
}

#[test]
fn batch_plain_add_column_uses_alter_and_not_null_without_default_fails_on_rows() {
    let mut db = Recorder::new(TOOL);
    let mut kind = col("kind", string(10), false);
    kind.server_default = Some(ServerDefault::Literal("hand".into()));
    let ops = vec![
        Op::AddColumn {
            table: "tool".into(),
            column: kind,
            if_not_exists: None, position: Default::default(),
        },
        Op::AddColumn {
            table: "tool".into(),
            column: col("n", ty(TypeClass::Integer), false),
            if_not_exists: None, position: Default::default(),
        },
        Op::CreateIndex {
            index: index("ix_tool_kind", "tool", &["kind"], false),
            if_not_exists: None,
        },
    ];
    let b = [batch("tool", ops)];
    let err = runtime::run_ops(&mut db, &b).unwrap_err();
    assert_eq!(
        db.statements(),
        [
            "ALTER TABLE tool ADD COLUMN kind VARCHAR(10) DEFAULT 'hand' NOT NULL",
            "ALTER TABLE tool ADD COLUMN n INTEGER NOT NULL"
        ]
    );
    let RuntimeError::Database { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "Cannot add a NOT NULL column with default value NULL"
    );
    assert_eq!(
        runtime::offline_sql(&b).unwrap(),
        "ALTER TABLE tool ADD COLUMN kind VARCHAR(10) DEFAULT 'hand' NOT NULL;\n\nALTER TABLE tool ADD COLUMN n INTEGER NOT NULL;\n\nCREATE INDEX ix_tool_kind ON tool (kind);\n\n"
    );
    // On an empty table the NOT NULL column is accepted.
    let mut empty = Recorder::new(&TOOL[..2]);
    runtime::run_ops(&mut empty, &b).unwrap();
}

#[test]
fn unnamed_constraints_in_batch_need_a_name() {
    for op in [
        Op::CreateForeignKey {
            table: "tool".into(),
            constraint: fk(None, &["id"], "tool", &["id"]),
        },
        Op::DropConstraint {
            table: "tool".into(),
            name: None,
            kind: Some(ConstraintKind::Unique),
            removed: None,
        },
    ] {
        let mut db = Recorder::new(TOOL);
        let err = runtime::run_ops(&mut db, &[batch("tool", vec![op])]).unwrap_err();
        assert_eq!(
            err,
            RuntimeError::Value("Constraint must have a name".into())
        );
        assert!(db.statements().is_empty());
    }
}

#[test]
fn batch_named_unique_and_check() {
    let mut db = Recorder::new(TOOL);
    let ops = vec![
        Op::CreateUniqueConstraint {
            table: "tool".into(),
            constraint: UniqueConstraint {
                name: Some(Name::plain("uq_tool_name")),
                columns: vec!["name".into()],
            },
        },
        Op::CreateCheckConstraint {
            table: "tool".into(),
            constraint: CheckConstraint {
                name: Some(Name::plain("ck_len")),
                sqltext: "length(name) > 1".into(),
            },
        },
    ];
    runtime::run_ops(&mut db, &[batch("tool", ops)]).unwrap();
    assert_eq!(
        db.statements()[0],
        "CREATE TABLE _alembic_tmp_tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40), \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_tool_name UNIQUE (name), \n\tCONSTRAINT ck_len CHECK (length(name) > 1)\n)"
    );
}

#[test]
fn recreate_always_and_never() {
    let mut db = Recorder::new(TOOL);
    let mut kind = col("kind", string(10), false);
    kind.server_default = Some(ServerDefault::Literal("hand".into()));
    let mut b = BatchAlterTable {
        table: "tool".into(),
        recreate: Recreate::Always,
        copy_from: None, reflect_args: None, partial_reordering: Vec::new(),
        table_args: vec![],
        naming_convention: Default::default(),
        table_kwargs: Default::default(),
        ops: vec![Op::AddColumn {
            table: "tool".into(),
            column: kind,
            if_not_exists: None, position: Default::default(),
        }],
    };
    runtime::run_ops(&mut db, &[Op::BatchAlterTable(b.clone())]).unwrap();
    assert_eq!(
        db.statements(),
        [
            "CREATE TABLE _alembic_tmp_tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40), \n\tkind VARCHAR(10) DEFAULT 'hand' NOT NULL, \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_tool (id, name, serial_no) SELECT tool.id, tool.name, tool.serial_no \nFROM tool",
            "DROP TABLE tool",
            "ALTER TABLE _alembic_tmp_tool RENAME TO tool",
            "CREATE INDEX ix_tool_name ON tool (name)",
        ]
    );
    let mut db = Recorder::new(TOOL);
    b.recreate = Recreate::Never;
    b.ops = vec![Op::DropColumn {
        table: "tool".into(),
        column: col("serial_no", varchar(40), true),
        if_exists: None,
    }];
    runtime::run_ops(&mut db, &[Op::BatchAlterTable(b.clone())]).unwrap();
    assert_eq!(db.statements(), ["ALTER TABLE tool DROP COLUMN serial_no"]);
    assert_eq!(
        runtime::offline_sql(&[Op::BatchAlterTable(b)]).unwrap(),
        "ALTER TABLE tool DROP COLUMN serial_no;\n\n"
    );
}

const ORDER: &[&str] = &[
    "CREATE TABLE parent (\n\tid INTEGER NOT NULL, \n\tPRIMARY KEY (id)\n)",
    "CREATE TABLE \"order\" (\n\tid INTEGER NOT NULL, \n\t\"select\" VARCHAR(20), \n\tqty INTEGER DEFAULT 10, \n\tnote TEXT DEFAULT 'hi', \n\tts DATETIME DEFAULT CURRENT_TIMESTAMP, \n\tprice NUMERIC(5, 1), \n\tparent_id INTEGER, \n\tcode VARCHAR(5), \n\tflag BOOLEAN, \n\tCONSTRAINT pk_order PRIMARY KEY (id), \n\tCONSTRAINT fk_parent FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE, \n\tFOREIGN KEY(id) REFERENCES parent (id), \n\tUNIQUE (code), \n\tCONSTRAINT uq_sel UNIQUE (\"select\", qty), \n\tCONSTRAINT ck_qty CHECK (qty > 0), \n\tCHECK (price < 100)\n)",
    "CREATE INDEX ix_order_price ON \"order\" (price)",
    "CREATE UNIQUE INDEX ix_order_sel ON \"order\" (\"select\", code)",
    "INSERT INTO parent (id) VALUES (1)",
    "INSERT INTO \"order\" (id, \"select\", price, parent_id, code) VALUES (1, 'a', 2.5, 1, 'c1')",
];

/// Alembic orders the recreated constraints and indexes by Python set
/// iteration (not deterministic); compare the CREATE TABLE's lines as a set.
fn lines_sorted(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(", \n\t")
        .map(|l| l.trim_end_matches("\n)").to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn batch_reflects_names_defaults_and_drops_unnamed_checks() {
    let mut db = Recorder::new(ORDER);
    let mut warnings = Vec::new();
    let b = BatchAlterTable {
        table: "order".into(),
        recreate: Recreate::Always,
        copy_from: None, reflect_args: None, partial_reordering: Vec::new(),
        table_args: vec![],
        naming_convention: Default::default(),
        table_kwargs: Default::default(),
        ops: vec![],
    };
    let report = runtime::run_step(&mut db, &[Op::BatchAlterTable(b)], &[]).unwrap();
    warnings.extend(step_warnings(&report));
    assert_eq!(
        warnings,
        ["UserWarning: Unnamed CHECK constraint on reflected table 'order' is being omitted from the table recreate; pass the constraint explicitly using batch_alter_table.table_args.  Naming CHECK constraints avoids this going forward."]
    );
    let st = db.statements();
    assert_eq!(
        lines_sorted(st[0]),
        lines_sorted("CREATE TABLE _alembic_tmp_order (\n\tid INTEGER NOT NULL, \n\t\"select\" VARCHAR(20), \n\tqty INTEGER DEFAULT (10), \n\tnote TEXT DEFAULT 'hi', \n\tts DATETIME DEFAULT (CURRENT_TIMESTAMP), \n\tprice NUMERIC(5, 1), \n\tparent_id INTEGER, \n\tcode VARCHAR(5), \n\tflag BOOLEAN, \n\tCONSTRAINT pk_order PRIMARY KEY (id), \n\tCONSTRAINT fk_parent FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE, \n\tCONSTRAINT ck_qty CHECK (qty > 0), \n\tCONSTRAINT uq_sel UNIQUE (\"select\", qty), \n\tFOREIGN KEY(id) REFERENCES parent (id), \n\tUNIQUE (code)\n)")
    );
    assert!(
        st[0].contains("flag BOOLEAN, \n\tCONSTRAINT pk_order PRIMARY KEY (id), "),
        "PK first: {}",
        st[0]
    );
    assert_eq!(
        st[1],
        "INSERT INTO _alembic_tmp_order (id, \"select\", qty, note, ts, price, parent_id, code, flag) SELECT \"order\".id, \"order\".\"select\", \"order\".qty, \"order\".note, \"order\".ts, \"order\".price, \"order\".parent_id, \"order\".code, \"order\".flag \nFROM \"order\""
    );
    assert_eq!(st[2], "DROP TABLE \"order\"");
    assert_eq!(st[3], "ALTER TABLE _alembic_tmp_order RENAME TO \"order\"");
    let mut idx: Vec<&str> = st[4..].to_vec();
    idx.sort();
    assert_eq!(
        idx,
        [
            "CREATE INDEX ix_order_price ON \"order\" (price)",
            "CREATE UNIQUE INDEX ix_order_sel ON \"order\" (\"select\", code)"
        ]
    );
    assert_eq!(
        db.rows("SELECT id, code, qty FROM \"order\""),
        [[
            Value::Integer(1),
            Value::Text("c1".into()),
            Value::Integer(10)
        ]]
    );
}

#[test]
fn batch_rename_and_cast_on_affinity_change() {
    let mut db = Recorder::new(ORDER);
    let mut sel = alter("order", "select");
    sel.modify_name = Some("sel".into());
    sel.existing_type = Some(varchar(20));
    let mut price = alter("order", "price");
    let mut n51 = ty(TypeClass::NumericUpper);
    n51.precision = Some(5);
    n51.scale = Some(1);
    price.existing_type = Some(n51);
    price.modify_type = Some(ty(TypeClass::Integer));
    let mut code = alter("order", "code");
    code.existing_type = Some(varchar(5));
    code.modify_type = Some(ty(TypeClass::Float));
    let mut qty = alter("order", "qty");
    qty.modify_server_default = Some(None);
    let mut note = alter("order", "note");
    note.modify_server_default = Some(Some(ServerDefault::Literal("bye".into())));
    note.modify_nullable = Some(false);
    let ops = [sel, price, code, qty, note]
        .into_iter()
        .map(Op::AlterColumn)
        .collect();
    runtime::run_ops(&mut db, &[batch("order", ops)]).unwrap();
    let st = db.statements();
    assert_eq!(
        lines_sorted(st[0]),
        lines_sorted("CREATE TABLE _alembic_tmp_order (\n\tid INTEGER NOT NULL, \n\tsel VARCHAR(20), \n\tqty INTEGER, \n\tnote TEXT DEFAULT 'bye' NOT NULL, \n\tts DATETIME DEFAULT (CURRENT_TIMESTAMP), \n\tprice INTEGER, \n\tparent_id INTEGER, \n\tcode FLOAT, \n\tflag BOOLEAN, \n\tCONSTRAINT pk_order PRIMARY KEY (id), \n\tCONSTRAINT uq_sel UNIQUE (sel, qty), \n\tCONSTRAINT ck_qty CHECK (qty > 0), \n\tCONSTRAINT fk_parent FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE, \n\tFOREIGN KEY(id) REFERENCES parent (id), \n\tUNIQUE (code)\n)")
    );
    assert_eq!(
        st[1],
        "INSERT INTO _alembic_tmp_order (id, sel, qty, note, ts, price, parent_id, code, flag) SELECT \"order\".id, \"order\".\"select\", \"order\".qty, \"order\".note, \"order\".ts, CAST(\"order\".price AS INTEGER) AS price, \"order\".parent_id, CAST(\"order\".code AS FLOAT) AS code, \"order\".flag \nFROM \"order\""
    );
    let mut idx: Vec<&str> = st[4..].to_vec();
    idx.sort();
    assert_eq!(
        idx,
        [
            "CREATE INDEX ix_order_price ON \"order\" (price)",
            "CREATE UNIQUE INDEX ix_order_sel ON \"order\" (sel, code)"
        ]
    );
    assert_eq!(
        db.rows("SELECT sel, price FROM \"order\""),
        [[Value::Text("a".into()), Value::Integer(2)]]
    );
}

#[test]
fn batch_errors_before_any_sql() {
    let mut db = Recorder::new(ORDER);
    let drop = Op::DropConstraint {
        table: "order".into(),
        name: Some(Name::plain("nope")),
        kind: Some(ConstraintKind::Unique),
        removed: None,
    };
    assert_eq!(
        runtime::run_ops(&mut db, &[batch("order", vec![drop])]).unwrap_err(),
        RuntimeError::Value("No such constraint: 'nope'".into())
    );
    let ops = vec![
        Op::DropColumn {
            table: "order".into(),
            column: col("qty", ty(TypeClass::Integer), true),
            if_exists: None,
        },
        Op::DropIndex {
            index: index("nope", "order", &["x"], false),
            if_exists: None,
        },
    ];
    assert_eq!(
        runtime::run_ops(&mut db, &[batch("order", ops)]).unwrap_err(),
        RuntimeError::Value("No such index: 'nope'".into())
    );
    assert!(db.statements().is_empty());
}

/// Alembic 1.20.1: `op.drop_table('category')` then a batch on `thread`, whose
/// FK still refers to `category`, fails reflecting the referred table
/// (`sqlalchemy.exc.NoSuchTableError: category`) before the batch's own
/// ops (here an unnamed `drop_constraint`) are looked at.
#[test]
fn batch_reflection_needs_every_referred_table() {
    let mut db = Recorder::new(&[
        "CREATE TABLE category (id INTEGER NOT NULL, PRIMARY KEY (id))",
        "CREATE TABLE thread (id INTEGER NOT NULL, category_id INTEGER, body TEXT, PRIMARY KEY (id), \
         FOREIGN KEY(category_id) REFERENCES category (id))",
    ]);
    let ops = vec![
        Op::DropTable {
            table: engine::schema::Table::new("category"),
            if_exists: None,
        },
        batch(
            "thread",
            vec![
                Op::DropConstraint {
                    table: "thread".into(),
                    name: None,
                    kind: Some(ConstraintKind::ForeignKey),
                    removed: None,
                },
                Op::DropColumn {
                    table: "thread".into(),
                    column: col("category_id", ty(TypeClass::Integer), true),
                    if_exists: None,
                },
            ],
        ),
    ];
    assert_eq!(
        runtime::run_ops(&mut db, &ops).unwrap_err(),
        RuntimeError::NoSuchTable("category".into())
    );
    assert_eq!(db.statements(), vec!["DROP TABLE category"]);
}

#[test]
fn second_batch_failing_rolls_back_the_first_but_not_its_create() {
    // Python's sqlite3 opens a transaction at the first INSERT of the step:
    // the first batch's CREATE TABLE _alembic_tmp_parent was autocommitted,
    // everything after it rolls back when the second batch fails.
    let mut db = Recorder::new(ORDER);
    db.db
        .execute("INSERT INTO \"order\" (id, qty) VALUES (2, 5)")
        .unwrap(); // price NULL
    let mut x = col("x", ty(TypeClass::Integer), true);
    x.server_default = Some(ServerDefault::Text("1".into()));
    let mut price = alter("order", "price");
    price.modify_nullable = Some(false);
    let ops = [
        batch(
            "parent",
            vec![Op::AddColumn {
                table: "parent".into(),
                column: x,
                if_not_exists: None, position: Default::default(),
            }],
        ),
        batch("order", vec![Op::AlterColumn(price)]),
    ];
    let err = runtime::run_step(&mut db, &ops, &[]).unwrap_err();
    assert!(matches!(err, RuntimeError::Database { .. }));
    let tables = reflect::get_table_names(&mut db).unwrap();
    assert_eq!(tables, ["_alembic_tmp_parent", "order", "parent"]);
    assert_eq!(
        db.rows("SELECT count(*) FROM _alembic_tmp_parent"),
        [[Value::Integer(0)]]
    );
}

// ------------------------------------------------------------------ create table / version table

#[test]
fn create_table_online_and_offline() {
    let mut db = Recorder::new(&[]);
    let mut t = Table::new("item");
    t.columns = vec![
        col("id", ty(TypeClass::Integer), false),
        col("order", ty(TypeClass::Integer), true),
        col("Weird Name", ty(TypeClass::Text), true),
    ];
    t.primary_key = Some(PrimaryKeyConstraint {
        name: None,
        columns: vec!["id".into()],
    });
    t.check_constraints.push(CheckConstraint {
        name: Some(Name::conv("ck_n")),
        sqltext: "\"order\" > 0".into(),
    });
    t.indexes
        .push(index("ix_u", "item", &["order", "id"], true));
    let ops = [Op::CreateTable { table: t.clone(), if_not_exists: None }];
    runtime::run_ops(&mut db, &ops).unwrap();
    let create = "CREATE TABLE item (\n\tid INTEGER NOT NULL, \n\t\"order\" INTEGER, \n\t\"Weird Name\" TEXT, \n\tPRIMARY KEY (id), \n\tCONSTRAINT ck_n CHECK (\"order\" > 0)\n)";
    assert_eq!(
        db.statements(),
        [create, "CREATE UNIQUE INDEX ix_u ON item (\"order\", id)"]
    );
    assert_eq!(
        runtime::offline_sql(&ops).unwrap(),
        "CREATE TABLE item (\n    id INTEGER NOT NULL, \n    \"order\" INTEGER, \n    \"Weird Name\" TEXT, \n    PRIMARY KEY (id), \n    CONSTRAINT ck_n CHECK (\"order\" > 0)\n);\n\nCREATE UNIQUE INDEX ix_u ON item (\"order\", id);\n\n"
    );
    // reflection reads it back as SQLAlchemy does
    let md = reflect::reflect(&mut db).unwrap();
    let item = &md.tables["item"];
    assert_eq!(
        item.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["id", "order", "Weird Name"]
    );
    assert_eq!(item.columns[0].type_.class, TypeClass::IntegerUpper);
    assert!(!item.columns[0].nullable);
    assert_eq!(item.primary_key_columns(), ["id"]);
    assert_eq!(
        item.check_constraints,
        [CheckConstraint {
            name: Some(Name::plain("ck_n")),
            sqltext: "\"order\" > 0".into()
        }]
    );
    assert_eq!(
        item.indexes[0].columns,
        [
            IndexColumn::Column("order".into()),
            IndexColumn::Column("id".into())
        ]
    );
}

#[test]
fn version_table_online_and_offline() {
    let mut db = Recorder::new(&[]);
    assert!(runtime::read_heads(&mut db).unwrap().is_empty());
    runtime::ensure_version_table(&mut db).unwrap();
    runtime::ensure_version_table(&mut db).unwrap();
    runtime::run_version_updates(&mut db, &[VersionUpdate::Insert("r0001".into())]).unwrap();
    runtime::run_version_updates(
        &mut db,
        &[VersionUpdate::Update {
            from: "r0001".into(),
            to: "r0002".into(),
        }],
    )
    .unwrap();
    assert_eq!(runtime::read_heads(&mut db).unwrap(), ["r0002"]);
    runtime::run_version_updates(&mut db, &[VersionUpdate::Delete("r0002".into())]).unwrap();
    assert!(runtime::read_heads(&mut db).unwrap().is_empty());
    assert_eq!(
        db.statements(),
        [
            "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)",
            "INSERT INTO alembic_version (version_num) VALUES ('r0001')",
            "UPDATE alembic_version SET version_num='r0002' WHERE alembic_version.version_num = 'r0001'",
            "DELETE FROM alembic_version WHERE alembic_version.version_num = 'r0002'",
        ]
    );
    // `alembic upgrade head --sql` / `downgrade r0002:base --sql`
    assert_eq!(
        runtime::offline_version_table(),
        "CREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);\n\n"
    );
    assert_eq!(
        runtime::offline_version_updates(&[
            VersionUpdate::Insert("r0001".into()),
            VersionUpdate::Update { from: "r0001".into(), to: "r0002".into() },
            VersionUpdate::Delete("r0001".into()),
        ]),
        "INSERT INTO alembic_version (version_num) VALUES ('r0001') RETURNING version_num;\n\nUPDATE alembic_version SET version_num='r0002' WHERE alembic_version.version_num = 'r0001';\n\nDELETE FROM alembic_version WHERE alembic_version.version_num = 'r0001';\n\n"
    );
}

const TOOL2: &[&str] = &[
    "CREATE TABLE tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tserial_no VARCHAR(40), \n\tPRIMARY KEY (id)\n)",
    "CREATE INDEX ix_tool_name ON tool (name)",
    "CREATE INDEX ix_tool_serial ON tool (serial_no, name)",
    "INSERT INTO tool (id, name, serial_no) VALUES (1, 'saw', 'S1'), (2, 'drill', NULL)",
];

#[test]
fn dropping_an_indexed_column_fails_after_the_swap_and_rolls_back() {
    // Alembic recreates ix_tool_serial with the dropped column: SQLite says
    // `no such column`; the transaction opened by the copy rolls back, the
    // autocommitted CREATE of _alembic_tmp_tool stays.
    let mut db = Recorder::new(TOOL2);
    let mut ops = vec![
        Op::Execute {
            sql: "UPDATE tool SET name = 'x'".into(),
        },
        Op::DropColumn {
            table: "tool".into(),
            column: col("serial_no", varchar(40), true),
            if_exists: None,
        },
    ];
    ops.swap(0, 1); // execute written after drop_column still runs first
    let err = runtime::run_ops(&mut db, &[batch("tool", ops)]).unwrap_err();
    assert_eq!(
        db.statements(),
        [
            "UPDATE tool SET name = 'x'",
            "CREATE TABLE _alembic_tmp_tool (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80) NOT NULL, \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_tool (id, name) SELECT tool.id, tool.name \nFROM tool",
            "DROP TABLE tool",
            "ALTER TABLE _alembic_tmp_tool RENAME TO tool",
            "CREATE INDEX ix_tool_name ON tool (name)",
            "CREATE INDEX ix_tool_serial ON tool (serial_no, name)",
        ]
    );
    let RuntimeError::Database { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(message, "no such column: serial_no");
    // the UPDATE opened the transaction before the CREATE: all of it rolled back
    assert_eq!(db.schema(), TOOL2[..3].to_vec());
}

#[test]
fn batch_rename_carries_indexes_and_copy_from_works_offline() {
    let mut db = Recorder::new(TOOL2);
    let mut a = alter("tool", "name");
    a.modify_name = Some("title".into());
    a.existing_type = Some(string(80));
    let ops = vec![
        Op::AlterColumn(a),
        Op::CreateIndex {
            index: index("ix_new", "tool", &["id"], false),
            if_not_exists: None,
        },
    ];
    runtime::run_ops(&mut db, &[batch("tool", ops)]).unwrap();
    let st = db.statements();
    assert_eq!(st[1], "INSERT INTO _alembic_tmp_tool (id, title, serial_no) SELECT tool.id, tool.name, tool.serial_no \nFROM tool");
    let mut idx = st[4..6].to_vec();
    idx.sort();
    assert_eq!(
        idx,
        [
            "CREATE INDEX ix_tool_name ON tool (title)",
            "CREATE INDEX ix_tool_serial ON tool (serial_no, title)"
        ]
    );
    assert_eq!(st[6], "CREATE INDEX ix_new ON tool (id)");

    // copy_from: no reflection, so --sql can write the move and copy
    let mut t = Table::new("tool");
    let mut id = col("id", ty(TypeClass::Integer), false);
    id.primary_key = true;
    t.columns = vec![
        id,
        col("name", string(80), false),
        col("serial_no", string(40), true),
    ];
    t.primary_key = Some(PrimaryKeyConstraint {
        name: None,
        columns: vec!["id".into()],
    });
    t.indexes = vec![Index {
        name: Some(Name::plain("ix_tool_name")),
        ..index("ix_tool_name", "tool", &["name"], false)
    }];
    let mut a = alter("tool", "serial_no");
    a.modify_nullable = Some(false);
    a.existing_type = Some(string(40));
    let b = Op::BatchAlterTable(BatchAlterTable {
        table: "tool".into(),
        recreate: Recreate::Auto,
        copy_from: Some(t), reflect_args: None, partial_reordering: Vec::new(),
        table_args: vec![],
        naming_convention: Default::default(),
        table_kwargs: Default::default(),
        ops: vec![Op::AlterColumn(a)],
    });
    assert_eq!(
        runtime::offline_sql(&[b]).unwrap(),
        "CREATE TABLE _alembic_tmp_tool (\n    id INTEGER NOT NULL, \n    name VARCHAR(80) NOT NULL, \n    serial_no VARCHAR(40) NOT NULL, \n    PRIMARY KEY (id)\n);\n\nINSERT INTO _alembic_tmp_tool (id, name, serial_no) SELECT tool.id, tool.name, tool.serial_no \nFROM tool;\n\nDROP TABLE tool;\n\nALTER TABLE _alembic_tmp_tool RENAME TO tool;\n\nCREATE INDEX ix_tool_name ON tool (name);\n\n"
    );
}

#[test]
fn untyped_reflected_column_cannot_be_recreated_and_affinity_types_survive() {
    let recreate = |table: &str| {
        Op::BatchAlterTable(BatchAlterTable {
            table: table.into(),
            recreate: Recreate::Always,
            copy_from: None, reflect_args: None, partial_reordering: Vec::new(),
            table_args: vec![],
            naming_convention: Default::default(),
            table_kwargs: Default::default(),
            ops: vec![],
        })
    };
    let mut db =
        Recorder::new(&["CREATE TABLE t (id INTEGER PRIMARY KEY, x, m MONEY, v VARCHAR (10))"]);
    assert_eq!(
        runtime::run_ops(&mut db, &[recreate("t")]).unwrap_err(),
        RuntimeError::Compile("(in table '_alembic_tmp_t', column 'x'): Can't generate DDL for NullType(); did you forget to specify a type on this Column?".into())
    );
    let mut db = Recorder::new(&[
        "CREATE TABLE t (id INTEGER PRIMARY KEY, m MONEY, v VARCHAR (10))",
        "INSERT INTO t VALUES (1, 3, 'a')",
    ]);
    runtime::run_ops(&mut db, &[recreate("t")]).unwrap();
    assert_eq!(
        db.statements()[..2],
        [
            "CREATE TABLE _alembic_tmp_t (\n\tid INTEGER, \n\tm NUMERIC, \n\tv TEXT(10), \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_t (id, m, v) SELECT t.id, t.m, t.v \nFROM t",
        ]
    );
}

#[test]
fn bulk_insert_offline_renders_literals_in_table_column_order() {
    let mut r1 = BTreeMap::new();
    r1.insert("v".to_string(), Literal::Bool(true));
    r1.insert("id".to_string(), Literal::Int(7));
    r1.insert("m".to_string(), Literal::Float(1e-5));
    let mut r2 = BTreeMap::new();
    r2.insert("id".to_string(), Literal::Int(8));
    r2.insert("m".to_string(), Literal::Float(2.5e20));
    r2.insert("v".to_string(), Literal::Bool(false));
    let op = Op::BulkInsert {
        table: "t".into(),
        columns: vec![
            ("id".into(), Some(ty(TypeClass::Integer))),
            ("m".into(), Some(ty(TypeClass::Float))),
            ("v".into(), Some(ty(TypeClass::Boolean))),
        ],
        rows: vec![r1, r2],
    };
    assert_eq!(
        runtime::offline_sql(&[op]).unwrap(),
        "INSERT INTO t (id, m, v) VALUES (7, 1e-05, 1);\n\nINSERT INTO t (id, m, v) VALUES (8, 2.5e+20, 0);\n\n"
    );
}

#[test]
fn version_update_must_match_one_row() {
    let mut db = Recorder::new(&[]);
    runtime::ensure_version_table(&mut db).unwrap();
    let err = runtime::run_version_updates(
        &mut db,
        &[VersionUpdate::Update {
            from: "r0001".into(),
            to: "r0002".into(),
        }],
    )
    .unwrap_err();
    assert_eq!(
        err,
        RuntimeError::Command(
            "Online migration expected to match one row when updating 'r0001' to 'r0002' in 'alembic_version'; 0 found"
                .into()
        )
    );
    let err = runtime::run_version_updates(&mut db, &[VersionUpdate::Delete("r0001".into())])
        .unwrap_err();
    assert_eq!(
        err,
        RuntimeError::Command(
            "Online migration expected to match one row when deleting 'r0001' in 'alembic_version'; 0 found".into()
        )
    );
}

#[test]
fn boolean_check_constraints_in_batch() {
    // Alembic 1.20.1: the type's CHECK arrives as add_constraint; unnamed is fine.
    let mut db = Recorder::new(&["CREATE TABLE t (id INTEGER NOT NULL, PRIMARY KEY (id))"]);
    let flag = col(
        "flag",
        SqlType {
            create_constraint: true,
            ..ty(TypeClass::Boolean)
        },
        true,
    );
    runtime::run_ops(
        &mut db,
        &[batch(
            "t",
            vec![Op::AddColumn {
                table: "t".into(),
                column: flag.clone(),
                if_not_exists: None, position: Default::default(),
            }],
        )],
    )
    .unwrap();
    assert_eq!(
        db.statements()[..2],
        [
            "CREATE TABLE _alembic_tmp_t (\n\tid INTEGER NOT NULL, \n\tflag BOOLEAN, \n\tPRIMARY KEY (id), \n\tCHECK (flag IN (0, 1))\n)",
            "INSERT INTO _alembic_tmp_t (id) SELECT t.id \nFROM t",
        ]
    );
    // outside batch: plain ALTER plus Alembic's warning
    let mut db = Recorder::new(&["CREATE TABLE t (id INTEGER NOT NULL, PRIMARY KEY (id))"]);
    let report = runtime::run_step(
        &mut db,
        &[Op::AddColumn {
            table: "t".into(),
            column: flag,
            if_not_exists: None, position: Default::default(),
        }],
        &[],
    )
    .unwrap();
    assert_eq!(db.statements(), ["ALTER TABLE t ADD COLUMN flag BOOLEAN"]);
    assert_eq!(step_warnings(&report), ["UserWarning: Skipping unsupported ALTER for creation of implicit constraint. Please refer to the batch mode feature which allows for SQLite migrations using a copy-and-move strategy."]);

    // Boolean → Integer: the reflected unnamed CHECK is omitted (warning), CAST on copy
    let base = ["CREATE TABLE t (id INTEGER NOT NULL, flag BOOLEAN, PRIMARY KEY (id), CHECK (flag IN (0, 1)))"];
    let mut db = Recorder::new(&base);
    let mut a = alter("t", "flag");
    a.existing_type = Some(SqlType {
        create_constraint: true,
        ..ty(TypeClass::Boolean)
    });
    a.modify_type = Some(ty(TypeClass::Integer));
    runtime::run_ops(&mut db, &[batch("t", vec![Op::AlterColumn(a)])]).unwrap();
    assert_eq!(
        db.statements()[..2],
        [
            "CREATE TABLE _alembic_tmp_t (\n\tid INTEGER NOT NULL, \n\tflag INTEGER, \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_t (id, flag) SELECT t.id, CAST(t.flag AS INTEGER) AS flag \nFROM t",
        ]
    );
    // Integer → Boolean(create_constraint=True) on a reflected BOOLEAN: same affinity, no CAST
    let mut db = Recorder::new(&base);
    let mut a = alter("t", "flag");
    a.existing_type = Some(ty(TypeClass::Integer));
    a.modify_type = Some(SqlType {
        create_constraint: true,
        ..ty(TypeClass::Boolean)
    });
    runtime::run_ops(&mut db, &[batch("t", vec![Op::AlterColumn(a)])]).unwrap();
    assert_eq!(
        db.statements()[..2],
        [
            "CREATE TABLE _alembic_tmp_t (\n\tid INTEGER NOT NULL, \n\tflag BOOLEAN, \n\tPRIMARY KEY (id), \n\tCHECK (flag IN (0, 1))\n)",
            "INSERT INTO _alembic_tmp_t (id, flag) SELECT t.id, t.flag \nFROM t",
        ]
    );
}

/// Issue 8, point 1. Ground truth: Alembic 1.20.1 `batch_alter_table` on a
/// table with a partial unique index and on a `WITHOUT ROWID, STRICT` table
/// (statements captured with `before_cursor_execute`): the WHERE and both
/// table options are kept, so the rows that only the partial index allows
/// survive the copy.
#[test]
fn batch_keeps_partial_index_where_strict_and_without_rowid() {
    let mut db = Recorder::new(&[
        "CREATE TABLE user (id INTEGER NOT NULL, name VARCHAR(50), deleted INTEGER, PRIMARY KEY (id))",
        "CREATE UNIQUE INDEX uq_live_name ON user (name) WHERE deleted = 0",
        "INSERT INTO user (name, deleted) VALUES ('bob', 1), ('bob', 0)",
        "CREATE TABLE kv (k TEXT NOT NULL, v INTEGER, PRIMARY KEY (k)) WITHOUT ROWID, STRICT",
        "INSERT INTO kv VALUES ('a', 1)",
    ]);
    let mut widen = alter("user", "name");
    widen.existing_type = Some(string(50));
    widen.modify_type = Some(string(80));
    let mut tighten = alter("kv", "v");
    tighten.existing_type = Some(ty(TypeClass::Integer));
    tighten.modify_nullable = Some(false);
    runtime::run_ops(
        &mut db,
        &[
            batch("user", vec![Op::AlterColumn(widen)]),
            batch("kv", vec![Op::AlterColumn(tighten)]),
        ],
    )
    .unwrap();
    assert_eq!(
        db.statements(),
        [
            "CREATE TABLE _alembic_tmp_user (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(80), \n\tdeleted INTEGER, \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_user (id, name, deleted) SELECT user.id, user.name, user.deleted \nFROM user",
            "DROP TABLE user",
            "ALTER TABLE _alembic_tmp_user RENAME TO user",
            "CREATE UNIQUE INDEX uq_live_name ON user (name) WHERE deleted = 0",
            "CREATE TABLE _alembic_tmp_kv (\n\tk TEXT NOT NULL, \n\tv INTEGER NOT NULL, \n\tPRIMARY KEY (k)\n)\n WITHOUT ROWID,\n STRICT\n\n",
            "INSERT INTO _alembic_tmp_kv (k, v) SELECT kv.k, kv.v \nFROM kv",
            "DROP TABLE kv",
            "ALTER TABLE _alembic_tmp_kv RENAME TO kv",
        ]
    );
    assert_eq!(db.rows("SELECT count(*) FROM user"), [vec![Value::Integer(2)]]);
    // and reflection reads them back as SQLAlchemy's dialect options
    let md = reflect::reflect(&mut db).unwrap();
    let user = &md.tables["user"];
    assert_eq!(user.indexes[0].sqlite_where.as_deref(), Some("deleted = 0"));
    assert_eq!((user.sqlite_with_rowid, user.sqlite_strict), (None, None));
    let kv = &md.tables["kv"];
    assert_eq!((kv.sqlite_with_rowid, kv.sqlite_strict), (Some(false), Some(true)));
}

/// Issue 8, point 2. Ground truth: Alembic 1.20.1 runs
/// `op.execute("CREATE TRIGGER ... BEGIN ...; END")` (Python's `sqlite3`
/// prepares it as one statement) and refuses a second statement after `END;`.
#[test]
fn execute_runs_a_trigger_with_a_body() {
    let mut db = Recorder::new(&["CREATE TABLE log (id INTEGER PRIMARY KEY, msg VARCHAR(50))"]);
    let trigger = "CREATE TRIGGER tr AFTER INSERT ON log BEGIN UPDATE log SET msg = upper(msg) WHERE id = new.id; END";
    runtime::run_ops(
        &mut db,
        &[
            Op::Execute { sql: trigger.into() },
            Op::Execute { sql: "INSERT INTO log (msg) VALUES ('hello')".into() },
        ],
    )
    .unwrap();
    assert_eq!(db.rows("SELECT msg FROM log"), [vec![Value::Text("HELLO".into())]]);
    let two = format!("{}; SELECT 2", trigger.replace(" tr ", " tr2 "));
    match runtime::run_ops(&mut db, &[Op::Execute { sql: two }]) {
        Err(RuntimeError::Database { message, .. }) => {
            assert_eq!(message, "You can only execute one statement at a time.")
        }
        other => panic!("{other:?}"),
    }
}

/// Ground truth: Alembic 1.20.1 batch on a table with a generated column
/// recreates it as `GENERATED ALWAYS AS (a * 2)` and names it in the copy's
/// INSERT, which SQLite refuses while compiling it ("cannot INSERT into
/// generated column"). Python's `sqlite3` had not begun a transaction yet,
/// so Alembic's `DROP TABLE _alembic_tmp_metric` sticks: nothing is left.
#[test]
fn a_copy_that_does_not_compile_leaves_no_alembic_tmp() {
    let mut db = Recorder::new(&[
        "CREATE TABLE metric (\n\tid INTEGER NOT NULL, \n\ta INTEGER, \n\tdoubled INTEGER GENERATED ALWAYS AS (a * 2), \n\tPRIMARY KEY (id)\n)",
        "INSERT INTO metric (a) VALUES (5)",
    ]);
    let mut note = Column::new("note", string(20));
    note.server_default = Some(ServerDefault::Text("'x'".into()));
    let err = runtime::run_ops(&mut db, &[batch("metric", vec![Op::AddColumn { table: "metric".into(), column: note, if_not_exists: None, position: Default::default() }])])
        .unwrap_err();
    assert!(err.to_string().contains("cannot INSERT into generated column \"doubled\""), "{err}");
    assert_eq!(
        db.statements().last().copied(),
        Some("DROP TABLE _alembic_tmp_metric")
    );
    assert_eq!(
        db.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
        [vec![Value::Text("metric".into())]]
    );
}

/// Ground truth: Alembic 1.20.1 `batch_alter_table("t", recreate="always")`
/// dropping `x` from a table whose default SQLite reflects as `(1)\n+ (2)`:
/// `_guess_if_default_is_unparenthesized_sql_expr` does not see it as
/// parenthesized (`.` stops at the newline), so the copy wraps it again and
/// the rows survive.
#[test]
fn batch_copy_wraps_a_multiline_reflected_default_as_alembic_does() {
    let mut db = Recorder::new(&[
        "CREATE TABLE t (id INTEGER NOT NULL, n INTEGER DEFAULT ((1)\n+ (2)), x INTEGER, PRIMARY KEY (id))",
        "INSERT INTO t (id, x) VALUES (1, 7)",
    ]);
    let b = BatchAlterTable {
        table: "t".into(),
        recreate: Recreate::Always,
        copy_from: None, reflect_args: None, partial_reordering: Vec::new(),
        table_args: vec![],
        naming_convention: Default::default(),
        table_kwargs: Default::default(),
        ops: vec![Op::DropColumn { table: "t".into(), column: col("x", ty(TypeClass::Integer), true), if_exists: None }],
    };
    runtime::run_ops(&mut db, &[Op::BatchAlterTable(b)]).unwrap();
    assert_eq!(
        db.statements(),
        [
            "CREATE TABLE _alembic_tmp_t (\n\tid INTEGER NOT NULL, \n\tn INTEGER DEFAULT ((1)\n+ (2)), \n\tPRIMARY KEY (id)\n)",
            "INSERT INTO _alembic_tmp_t (id, n) SELECT t.id, t.n \nFROM t",
            "DROP TABLE t",
            "ALTER TABLE _alembic_tmp_t RENAME TO t",
        ]
    );
    assert_eq!(db.rows("SELECT id, n FROM t"), [vec![Value::Integer(1), Value::Integer(3)]]);
}
