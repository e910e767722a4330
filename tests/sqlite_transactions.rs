//! `upgrade` runs pysqlite's transaction model inside one real SQLite
//! transaction (engine `runtime::Transactions`); what a failure leaves must
//! be what Alembic leaves. Ground truth: Alembic 1.20.1 + SQLAlchemy 2.1.9
//! (Python 3.11's sqlite3) running `upgrade head` on the same scripts; each
//! case states the exit and the tables with their rows that run left.
//! The conformance scenarios' failures at every statement are compared with
//! Alembic in tests/differential/faults.py; these are the transaction edges
//! those scenarios do not reach.

use alembic_playground::platform::memory_host::MemoryHost;
use engine::command;
use engine::db::{Database, Value};

const MODELS: &str = "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n";

/// A chain r1 → r2 → ... whose upgrade() bodies are `steps`.
fn chain(steps: &[&[&str]]) -> Vec<(String, String)> {
    steps
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let rev = format!("r{}", i + 1);
            let down = if i == 0 { "None".to_string() } else { format!("'r{i}'") };
            let body: String = body.iter().map(|line| format!("    {line}\n")).collect();
            let text = format!(
                "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '{rev}'\ndown_revision = {down}\n\
                 branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{body}\n\ndef downgrade():\n    pass\n"
            );
            (format!("{rev}.py"), text)
        })
        .collect()
}

/// Every table with its rows, sorted: `name: row; row`.
fn state(db: &mut dyn Database) -> Vec<String> {
    let names = db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1").unwrap();
    let mut out = Vec::new();
    for n in names.rows.iter().map(|r| r[0].as_str().unwrap().to_string()) {
        let r = db.query(&format!("SELECT * FROM \"{n}\"")).unwrap();
        let mut rows: Vec<String> = r
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| match v {
                        Value::Integer(i) => i.to_string(),
                        Value::Text(t) => t.clone(),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        rows.sort();
        out.push(format!("{n}: {}", rows.join("; ")));
    }
    out
}

/// Runs `upgrade head`; returns (exit code, last line of stderr's error, state).
fn upgrade(steps: &[&[&str]]) -> (i32, String, Vec<String>) {
    let mut host = MemoryHost::in_memory(Some(MODELS), &chain(steps));
    let out = command::run_line(&mut host, "upgrade head");
    let error = out
        .stderr
        .lines()
        .find(|l| l.starts_with('(') || l.contains("Error"))
        .unwrap_or("")
        .to_string();
    (out.exit_code, error, state(&mut host.db))
}

#[test]
fn sqlite_rolling_the_transaction_back_keeps_what_was_committed_before() {
    let (code, error, state) = upgrade(&[
        &["op.execute('CREATE TABLE t (x INTEGER UNIQUE ON CONFLICT ROLLBACK)')", "op.execute('INSERT INTO t VALUES (1)')"],
        &[
            "op.execute('CREATE TABLE u (y INTEGER)')",
            "op.execute('INSERT INTO u VALUES (7)')",
            "op.execute('INSERT INTO t VALUES (1)')",
        ],
    ]);
    assert_eq!(code, 1);
    assert!(error.contains("UNIQUE constraint failed: t.x"), "{error}");
    assert_eq!(state, ["alembic_version: r1", "t: 1", "u: "]);
}

#[test]
fn a_failing_step_leaves_earlier_steps_and_its_autocommitted_ddl() {
    let (code, error, state) = upgrade(&[
        &["op.create_table('a', sa.Column('id', sa.Integer(), primary_key=True))", "op.execute('INSERT INTO a VALUES (1)')"],
        &[
            "op.create_table('b', sa.Column('id', sa.Integer(), primary_key=True))",
            "op.execute('INSERT INTO a VALUES (2)')",
            "op.execute('INSERT INTO a VALUES (1)')",
        ],
    ]);
    assert_eq!(code, 1);
    assert!(error.contains("UNIQUE constraint failed: a.id"), "{error}");
    assert_eq!(state, ["a: 1", "alembic_version: r1", "b: "]);
}

#[test]
fn a_pragma_setting_takes_effect_as_in_autocommit() {
    let (code, error, state) = upgrade(&[
        &["op.execute('PRAGMA foreign_keys = ON')", "op.execute('CREATE TABLE p (id INTEGER PRIMARY KEY)')"],
        &[
            "op.execute('CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id))')",
            "op.execute('INSERT INTO c VALUES (1, 99)')",
        ],
    ]);
    assert_eq!(code, 1);
    assert!(error.contains("FOREIGN KEY constraint failed"), "{error}");
    assert_eq!(state, ["alembic_version: r1", "c: ", "p: "]);
}

#[test]
fn a_scripts_commit_commits_the_steps_transaction_so_far() {
    let (code, error, state) = upgrade(&[
        &["op.execute('CREATE TABLE t (x INTEGER NOT NULL)')"],
        &[
            "op.execute('INSERT INTO t VALUES (1)')",
            "op.execute('COMMIT')",
            "op.execute('INSERT INTO t VALUES (2)')",
            "op.execute('INSERT INTO t VALUES (NULL)')",
        ],
    ]);
    assert_eq!(code, 1);
    assert!(error.contains("NOT NULL constraint failed: t.x"), "{error}");
    assert_eq!(state, ["alembic_version: r1", "t: 1"]);
}

#[test]
fn a_scripts_rollback_undoes_the_steps_transaction_only() {
    let (code, _, state) = upgrade(&[
        &["op.execute('CREATE TABLE t (x INTEGER NOT NULL)')"],
        &[
            "op.execute('INSERT INTO t VALUES (1)')",
            "op.execute('CREATE TABLE undone (z INTEGER)')",
            "op.execute('ROLLBACK')",
            "op.execute('CREATE TABLE after (z INTEGER)')",
            "op.execute('INSERT INTO t VALUES (2)')",
        ],
    ]);
    assert_eq!(code, 0);
    assert_eq!(state, ["after: ", "alembic_version: r2", "t: 2"]);
}

/// `--sql` has no connection: the run that lays the model over one real
/// transaction must not open the database (Alembic writes no file either).
#[test]
fn offline_upgrade_makes_no_database_file() {
    use alembic_playground::platform::fs_host::FsHost;
    let dir = tempfile::tempdir().expect("tempdir");
    let models = dir.path().join("models.py");
    std::fs::write(&models, MODELS).expect("models.py");
    let versions = dir.path().join("versions");
    std::fs::create_dir(&versions).expect("versions/");
    for (name, text) in chain(&[&["op.execute('CREATE TABLE t (x INTEGER)')"]]) {
        std::fs::write(versions.join(name), text).expect("script");
    }
    let db = dir.path().join("app.db");
    let mut host = FsHost::open(&models, &versions, &db).expect("host");
    let out = command::run_line(&mut host, "upgrade head --sql");
    assert_eq!(out.exit_code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("CREATE TABLE t (x INTEGER);"), "{}", out.stdout);
    assert!(!db.exists(), "upgrade --sql made {}", db.display());
}

/// Records every statement the transaction layer runs, on a real SQLite.
struct Recorder {
    db: alembic_playground::platform::native::NativeDatabase,
    log: Vec<String>,
}

impl Database for Recorder {
    fn execute(&mut self, sql: &str) -> Result<(), engine::db::DbError> {
        self.log.push(sql.to_string());
        self.db.execute(sql)
    }
    fn query(&mut self, sql: &str) -> Result<engine::db::QueryResult, engine::db::DbError> {
        self.log.push(sql.to_string());
        self.db.query(sql)
    }
}

fn recorder(setup: &str) -> Recorder {
    let mut db = alembic_playground::platform::native::NativeDatabase::open_in_memory().unwrap();
    db.execute(setup).unwrap();
    Recorder { db, log: vec![] }
}

/// The version table's bookkeeping opens pysqlite's transaction without a
/// savepoint (the step commits right after it); DML in a step's body gets one.
#[test]
fn only_a_steps_own_dml_gets_a_savepoint() {
    use engine::runtime::Transactions;
    let mut db = recorder("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)");
    let mut tx = Transactions::batched();
    tx.execute(&mut db, "CREATE TABLE t (x INTEGER)", false).unwrap();
    tx.execute_alone(&mut db, "INSERT INTO alembic_version (version_num) VALUES ('r1')", false).unwrap();
    tx.commit(&mut db).unwrap();
    tx.execute(&mut db, "INSERT INTO t VALUES (1)", false).unwrap();
    tx.execute_alone(&mut db, "UPDATE alembic_version SET version_num='r2' WHERE alembic_version.version_num = 'r1'", false).unwrap();
    tx.commit(&mut db).unwrap();
    tx.finish(&mut db).unwrap();
    assert_eq!(
        db.log,
        [
            "BEGIN",
            "CREATE TABLE t (x INTEGER)",
            "INSERT INTO alembic_version (version_num) VALUES ('r1')",
            "SAVEPOINT alembic_playground_step",
            "INSERT INTO t VALUES (1)",
            "UPDATE alembic_version SET version_num='r2' WHERE alembic_version.version_num = 'r1'",
            "RELEASE alembic_playground_step",
            "COMMIT",
        ]
    );
}

/// Rolling back a transaction opened without a savepoint reruns what was
/// committed before it: the state is the one before the statement, in the
/// same real transaction, which later work and the final commit go on from.
#[test]
fn rolling_back_the_bookkeeping_reruns_what_was_committed() {
    use engine::runtime::Transactions;
    let mut db = recorder("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)");
    let mut tx = Transactions::batched();
    tx.execute(&mut db, "CREATE TABLE t (x INTEGER)", false).unwrap();
    tx.execute(&mut db, "INSERT INTO t VALUES (1)", false).unwrap();
    tx.commit(&mut db).unwrap();
    tx.execute_alone(&mut db, "INSERT INTO alembic_version (version_num) VALUES ('r1')", false).unwrap();
    assert!(tx.in_transaction());
    tx.rollback(&mut db);
    assert!(!tx.in_transaction());
    assert_eq!(state(&mut db.db), ["alembic_version: ", "t: 1"]);
    tx.execute(&mut db, "CREATE TABLE after (y INTEGER)", false).unwrap();
    tx.finish(&mut db).unwrap();
    assert_eq!(state(&mut db.db), ["after: ", "alembic_version: ", "t: 1"]);
    // A failed statement changed nothing: its rollback has nothing to rerun.
    let mut db = recorder("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)");
    let mut tx = Transactions::batched();
    tx.execute(&mut db, "CREATE TABLE t (x INTEGER)", false).unwrap();
    assert!(tx.execute_alone(&mut db, "INSERT INTO alembic_version (nosuch) VALUES ('r1')", false).is_err());
    tx.rollback(&mut db);
    tx.finish(&mut db).unwrap();
    assert!(!db.log.iter().any(|s| s.starts_with("ROLLBACK") || s.starts_with("SAVEPOINT")), "{:?}", db.log);
    assert_eq!(db.log.last().map(String::as_str), Some("COMMIT"));
    assert_eq!(state(&mut db.db), ["alembic_version: ", "t: "]);
}
