//! Issue 8 ("Hardening"), the command-line points, on real files through
//! `FsHost`. Expected texts and exit statuses are what real Alembic 1.20.1
//! did with the same input (the same steps are differential sessions:
//! tests/differential/sessions/hardening_*.txt).

use alembic_playground::platform::fs_host::FsHost;
use engine::command::{self, Output};

const EMPTY_MODELS: &str = "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n";

struct Project {
    dir: tempfile::TempDir,
    host: FsHost,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let models = dir.path().join("models.py");
        std::fs::write(&models, EMPTY_MODELS).expect("write models");
        let host = FsHost::open(&models, &dir.path().join("versions"), &dir.path().join("app.db")).expect("open");
        Project { dir, host }
    }
    fn run(&mut self, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        command::run(&mut self.host, &args)
    }
    fn ok(&mut self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(out.exit_code, 0, "{args:?}:\n{}\n{}", out.stdout, out.stderr);
        out
    }
    fn versions(&self) -> std::path::PathBuf {
        self.dir.path().join("versions")
    }
}

/// Point 4: the file is written, then importing it fails (exit 1).
#[test]
fn a_message_that_breaks_the_docstring_is_written_then_fails_to_load() {
    let mut p = Project::new();
    let out = p.run(&["revision", "-m", "\"\"\"x\"\"\"", "--rev-id", "b2"]);
    assert_eq!(out.exit_code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.ends_with("b2_x.py ...  done\n"), "{}", out.stdout);
    assert!(out.stderr.contains("\nSyntaxError: invalid syntax\n"), "{}", out.stderr);
    assert!(p.versions().join("b2_x.py").is_file());
}

/// Point 5: the number is repeated as given, however large.
#[test]
fn relative_steps_beyond_64_bits_are_repeated_as_given() {
    let mut p = Project::new();
    p.ok(&["revision", "-m", "one", "--rev-id", "a1"]);
    let out = p.run(&["upgrade", "+9223372036854775809"]);
    assert_eq!(out.exit_code, 255);
    assert_eq!(
        out.stdout,
        "FAILED: Relative revision +9223372036854775809 didn't produce 9223372036854775809 migrations\n"
    );
    let out = p.run(&["downgrade", "-18446744073709551617"]);
    assert_eq!(out.exit_code, 255);
    assert!(out.stdout.contains("didn't produce 18446744073709551617 migrations"), "{}", out.stdout);
}

/// Point 7: `\d` and `int()` take any Unicode decimal digit, in argparse too.
#[test]
fn non_ascii_digits_count_as_digits() {
    let mut p = Project::new();
    for (id, m) in [("a1", "one"), ("b2", "two"), ("c3", "three")] {
        p.ok(&["revision", "-m", m, "--rev-id", id]);
    }
    p.ok(&["upgrade", "+٢"]);
    assert_eq!(p.ok(&["current"]).stdout, "b2\n");
    p.ok(&["downgrade", "-١"]);
    assert_eq!(p.ok(&["current"]).stdout, "a1\n");
    let out = p.run(&["upgrade", "+٣"]);
    assert_eq!(out.stdout, "FAILED: Relative revision +٣ didn't produce 3 migrations\n");
}

/// Point 6: `--rev-id a/b` creates `versions/a/`, which Alembic then does not read.
#[test]
fn a_rev_id_with_a_slash_creates_a_subfolder() {
    let mut p = Project::new();
    p.ok(&["revision", "-m", "one", "--rev-id", "c3"]);
    let out = p.ok(&["revision", "-m", "two", "--rev-id", "a/b"]);
    let versions = p.versions();
    let shown = std::path::absolute(&versions).unwrap().display().to_string();
    assert_eq!(
        out.stdout,
        format!("Creating directory {shown}/a ...  done\nGenerating {shown}/a/b_two.py ...  done\n")
    );
    assert!(versions.join("a").join("b_two.py").is_file());
    // a second file in the same folder does not create it again
    let out = p.ok(&["revision", "-m", "three", "--rev-id", "a/c"]);
    assert_eq!(out.stdout, format!("Generating {shown}/a/c_three.py ...  done\n"));
    assert_eq!(p.ok(&["heads"]).stdout, "c3 (head)\n");
}

/// Point 7: invalid UTF-8 in a string literal is CPython's SyntaxError (exit 1);
/// in a comment it is not read at all.
#[test]
fn invalid_utf8_is_a_syntax_error_where_python_decodes_it() {
    let mut p = Project::new();
    p.ok(&["revision", "-m", "one", "--rev-id", "a1"]);
    let script = |doc: &[u8], id: &str| {
        let mut s = doc.to_vec();
        s.extend_from_slice(
            format!("\nrevision = '{id}'\ndown_revision = 'a1'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n")
                .as_bytes(),
        );
        s
    };
    std::fs::write(p.versions().join("b2_comment.py"), script(b"# caf\xe9", "b2")).unwrap();
    assert_eq!(p.ok(&["heads"]).stdout, "b2 (head)\n");
    std::fs::write(p.versions().join("c3_doc.py"), script(b"\"\"\"caf\xe9\"\"\"", "c3")).unwrap();
    let out = p.run(&["heads"]);
    assert_eq!(out.exit_code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "\nSyntaxError: (unicode error) 'utf-8' codec can't decode byte 0xe9 in position 3: unexpected end of data\n"
        ),
        "{}",
        out.stderr
    );
}

/// Point 7: Alembic's file pattern `(.*\.py)$` does not match a name with a newline.
#[test]
fn a_file_name_with_a_newline_is_not_a_revision_file() {
    let mut p = Project::new();
    p.ok(&["revision", "-m", "one", "--rev-id", "a1"]);
    let text = "revision = 'b\\nc'\ndown_revision = 'a1'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";
    std::fs::write(p.versions().join("b\nc_two.py"), text).unwrap();
    assert_eq!(p.ok(&["heads"]).stdout, "a1 (head)\n");
}

/// A database that lets "another process" win the race: right before this
/// command's first `CREATE TABLE t`, the winner creates `t` and moves
/// `alembic_version` to `b2`.
struct RacingDb {
    db: alembic_playground::platform::native::NativeDatabase,
    raced: bool,
}

impl engine::db::Database for RacingDb {
    fn execute(&mut self, sql: &str) -> Result<(), engine::db::DbError> {
        if !self.raced && sql.starts_with("CREATE TABLE t ") {
            self.raced = true;
            self.db.execute(sql)?;
            self.db.execute("UPDATE alembic_version SET version_num = 'b2'")?;
        }
        self.db.execute(sql)
    }
    fn query(&mut self, sql: &str) -> Result<engine::db::QueryResult, engine::db::DbError> {
        self.db.query(sql)
    }
}

struct RacingHost {
    files: FsHost,
    db: RacingDb,
}

impl engine::command::Host for RacingHost {
    fn read_models(&self) -> Result<String, String> {
        self.files.read_models()
    }
    fn list_versions(&self) -> Result<Vec<(String, String)>, String> {
        self.files.list_versions()
    }
    fn write_version(&mut self, file_name: &str, text: &str) -> Result<(), String> {
        self.files.write_version(file_name, text)
    }
    fn database(&mut self) -> &mut dyn engine::db::Database {
        &mut self.db
    }
    fn now(&self) -> String {
        self.files.now()
    }
    fn new_rev_id(&mut self) -> String {
        self.files.new_rev_id()
    }
}

/// Point 7: the loser of two racing `upgrade head` runs fails on the table
/// the winner made, and says what `alembic_version` holds now (`b2`, the
/// winner's), not what it read when it started (`a1`).
#[test]
fn the_loser_of_a_race_names_the_version_it_found() {
    let mut p = Project::new();
    p.ok(&["revision", "-m", "one", "--rev-id", "a1"]);
    std::fs::write(
        p.versions().join("b2_t.py"),
        "revision = 'b2'\ndown_revision = 'a1'\nbranch_labels = None\ndepends_on = None\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer(), nullable=False), sa.PrimaryKeyConstraint('id'))\n\n\ndef downgrade():\n    op.drop_table('t')\n",
    )
    .unwrap();
    p.ok(&["upgrade", "a1"]);
    let db_path = p.dir.path().join("app.db");
    let files = FsHost::open(&p.host.models, &p.versions(), &db_path).unwrap();
    let db = alembic_playground::platform::native::NativeDatabase::open(&db_path).unwrap();
    let mut host = RacingHost { files, db: RacingDb { db, raced: false } };
    let out = command::run(&mut host, &["upgrade".to_string(), "head".to_string()]);
    assert_eq!(out.exit_code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("table t already exists"), "{}", out.stderr);
    assert!(
        out.stderr.contains("The migration stopped in upgrade() of b2; alembic_version still says b2."),
        "{}",
        out.stderr
    );
}

/// Unusual objects: Alembic cannot compare a model's expression index on
/// SQLite and says so with a UserWarning on every autogenerate.
#[test]
fn autogenerate_warns_that_it_skips_an_expression_index() {
    let mut p = Project::new();
    std::fs::write(
        &p.host.models,
        "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Doc(Base):\n    __tablename__ = \"doc\"\n    __table_args__ = (sa.Index(\"ix_doc_lower_title\", sa.func.lower(sa.text(\"title\"))),)\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n    title: Mapped[str] = mapped_column(sa.String(80))\n",
    )
    .unwrap();
    let out = p.ok(&["revision", "--autogenerate", "-m", "one", "--rev-id", "a1"]);
    assert!(
        out.stderr.ends_with(
            "INFO  [alembic.autogenerate.compare.tables] Detected added table 'doc'\n\
             UserWarning: autogenerate skipping metadata-specified expression-based index 'ix_doc_lower_title'; \
             dialect 'sqlite' under SQLAlchemy 2.1.9 can't reflect these indexes so they can't be compared\n"
        ),
        "{}",
        out.stderr
    );
}

/// `ScriptDirectory._load_revisions` loads every `.py` file but `__init__*`
/// and `.#*`: real Alembic 1.20.1 fails on `_helper.py` with this message and
/// exit status 255, and takes `_b2.py` as a revision (session
/// `version_file_names`).
#[test]
fn a_file_starting_with_an_underscore_is_a_revision_file() {
    let mut p = Project::new();
    p.ok(&["revision", "-m", "one", "--rev-id", "a1"]);
    std::fs::write(
        p.versions().join("_b2.py"),
        "revision = \"b2\"\ndown_revision = \"a1\"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
    )
    .unwrap();
    std::fs::write(p.versions().join("__init__.py"), "X = 1\n").unwrap();
    let out = p.ok(&["heads"]);
    assert_eq!(out.stdout, "b2 (head)\n");
    std::fs::write(p.versions().join("_helper.py"), "HELPER = 1\n").unwrap();
    let out = p.run(&["heads"]);
    assert_eq!(out.exit_code, 255, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout,
        "FAILED: Could not determine revision id from filename _helper.py. Be sure the 'revision' variable is \
         declared inside the script (please see 'Upgrading from Alembic 0.1 to 0.2' in the documentation).\n"
    );
}
