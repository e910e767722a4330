//! The walking-skeleton scenario through the native command layer, on a real
//! SQLite file: autogenerate a `tag` table, upgrade, insert rows, add a NOT
//! NULL column with a plain server default (rows survive and get the
//! default), downgrade to base, history. Expected texts are what real
//! Alembic 1.20.1 printed for the same steps.

use alembic_playground::platform::fs_host::FsHost;
use engine::command::{self, Host, Output};
use engine::db::Value;

const TAG_V1: &str = r#"from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tag"

    id = Column(Integer, primary_key=True, index=True)
    name = Column(String)
"#;

struct Project {
    _dir: tempfile::TempDir,
    host: FsHost,
}

impl Project {
    fn new(models: &str) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let models_path = dir.path().join("models.py");
        std::fs::write(&models_path, models).expect("write models");
        let host = FsHost::open(&models_path, &dir.path().join("versions"), &dir.path().join("app.db")).expect("open");
        Project { _dir: dir, host }
    }
    fn set_models(&self, models: &str) {
        std::fs::write(&self.host.models, models).expect("write models");
    }
    fn run(&mut self, line: &str) -> Output {
        let out = command::run_line(&mut self.host, line);
        assert_eq!(out.exit_code, 0, "`{line}` failed:\nstdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
        out
    }
    fn rows(&mut self, sql: &str) -> Vec<Vec<Value>> {
        self.host.database().query(sql).expect(sql).rows
    }
    fn version_file(&self, name: &str) -> String {
        std::fs::read_to_string(self.host.versions.join(name)).expect(name)
    }
}

#[test]
fn create_tag_add_color_downgrade_history() {
    let mut p = Project::new(TAG_V1);
    let out = p.run(r#"revision --autogenerate -m "create tag" --rev-id r0001"#);
    assert!(out.stdout.trim_end().ends_with("r0001_create_tag.py ...  done"), "{}", out.stdout);
    assert!(out.stderr.contains("INFO  [alembic.autogenerate.compare.tables] Detected added table 'tag'\n"), "{}", out.stderr);
    let script = p.version_file("r0001_create_tag.py");
    assert!(script.contains(
        "    op.create_table('tag',\n    sa.Column('id', sa.Integer(), nullable=False),\n    sa.Column('name', sa.String(), nullable=True),\n    sa.PrimaryKeyConstraint('id')\n    )\n    with op.batch_alter_table('tag', schema=None) as batch_op:\n        batch_op.create_index(batch_op.f('ix_tag_id'), ['id'], unique=False)\n"
    ), "{script}");

    let out = p.run("upgrade head");
    assert!(out.stderr.contains("INFO  [alembic.runtime.migration] Running upgrade  -> r0001, create tag\n"), "{}", out.stderr);
    assert_eq!(p.rows("SELECT version_num FROM alembic_version"), vec![vec![Value::Text("r0001".into())]]);
    p.host.database().execute("INSERT INTO tag (name) VALUES ('a'), ('b')").expect("insert");

    p.set_models(&TAG_V1.replace(
        "    name = Column(String)\n",
        "    name = Column(String)\n    color = Column(String(7), nullable=False, server_default=\"#cccccc\")\n",
    ));
    p.run(r#"revision --autogenerate -m "add color" --rev-id r0002"#);
    let script = p.version_file("r0002_add_color.py");
    assert!(script.contains(
        "    with op.batch_alter_table('tag', schema=None) as batch_op:\n        batch_op.add_column(sa.Column('color', sa.String(length=7), server_default='#cccccc', nullable=False))\n"
    ), "{script}");
    p.run("upgrade head");
    assert_eq!(
        p.rows("SELECT id, name, color FROM tag ORDER BY id"),
        vec![
            vec![Value::Integer(1), Value::Text("a".into()), Value::Text("#cccccc".into())],
            vec![Value::Integer(2), Value::Text("b".into()), Value::Text("#cccccc".into())],
        ]
    );
    // a plain string default is a plain ALTER TABLE ADD COLUMN: SQLite appends it to the CREATE text
    assert_eq!(
        p.rows("SELECT sql FROM sqlite_master WHERE name = 'tag'"),
        vec![vec![Value::Text(
            "CREATE TABLE tag (\n\tid INTEGER NOT NULL, \n\tname VARCHAR, color VARCHAR(7) DEFAULT '#cccccc' NOT NULL, \n\tPRIMARY KEY (id)\n)".into()
        )]]
    );

    let out = p.run("history");
    assert_eq!(out.stdout, "r0001 -> r0002 (head), add color\n<base> -> r0001, create tag\n");

    let out = p.run("downgrade base");
    assert!(out.stderr.contains("Running downgrade r0002 -> r0001, add color\n"), "{}", out.stderr);
    assert!(out.stderr.contains("Running downgrade r0001 -> , create tag\n"), "{}", out.stderr);
    assert!(p.rows("SELECT name FROM sqlite_master WHERE name = 'tag'").is_empty());
    assert!(p.rows("SELECT * FROM alembic_version").is_empty());

    let out = p.run("current");
    assert_eq!(out.stdout, "");
}

#[test]
fn autogenerate_refuses_when_not_at_head() {
    let mut p = Project::new(TAG_V1);
    p.run("revision --autogenerate -m one --rev-id r0001");
    let out = command::run_line(&mut p.host, "revision --autogenerate -m two --rev-id r0002");
    assert_eq!(out.exit_code, 255);
    assert_eq!(out.stdout, "FAILED: Target database is not up to date.\n");
}
