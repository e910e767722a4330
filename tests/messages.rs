//! Common mistakes and the messages they get, through the native command
//! layer (`FsHost` on a temporary directory) and the CLI binary. Exit
//! statuses are real Alembic 1.20.1's for the same mistake (checked with
//! scripts/mkref.sh projects); texts are Alembic's where Alembic has one
//! (`FAILED: ...`, argparse's usage errors) and the playground's own where
//! Alembic only dies with a traceback (then the text names file:line:column
//! and says what to do).

use std::path::Path;
use std::process::Command;

use alembic_playground::platform::fs_host::FsHost;
use engine::command::{self, Output};

const MODELS: &str = "from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = \"tag\"

    id = Column(Integer, primary_key=True)
    name = Column(String(50))
";

struct Project {
    dir: tempfile::TempDir,
    host: FsHost,
}

impl Project {
    fn new(models: Option<&str>) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        if let Some(m) = models {
            std::fs::write(dir.path().join("models.py"), m).expect("models.py");
        }
        let host = FsHost::open(&dir.path().join("models.py"), &dir.path().join("versions"), &dir.path().join("app.db"))
            .expect("open");
        Project { dir, host }
    }

    fn run(&mut self, line: &str) -> Output {
        let mut out = command::run_line(&mut self.host, line);
        let root = self.dir.path().display().to_string();
        out.stdout = out.stdout.replace(&root, "<dir>");
        out.stderr = out.stderr.replace(&root, "<dir>");
        out
    }

    fn ok(&mut self, line: &str) {
        let out = self.run(line);
        assert_eq!(out.exit_code, 0, "`{line}`:\n{}{}", out.stdout, out.stderr);
    }

    fn version(&self, file_name: &str) -> std::path::PathBuf {
        self.dir.path().join("versions").join(file_name)
    }
}

/// stderr without the `INFO  [...]` log lines.
fn errors(out: &Output) -> String {
    out.stderr.lines().filter(|l| !l.starts_with("INFO  [")).map(|l| format!("{l}\n")).collect()
}

fn failed(out: &Output, message: &str) {
    assert_eq!(out.exit_code, 255, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, format!("FAILED: {message}\n"));
    assert_eq!(errors(out), format!("ERROR [alembic.util.messaging] {message}\n"));
}

// ---------------------------------------------------------------------------
// models.py

#[test]
fn models_syntax_error_names_line_and_column() {
    // Alembic: env.py's `import models` raises SyntaxError (exit 1)
    let mut p = Project::new(Some(&MODELS.replace("class Tag(Base):", "class Tag(Base:")));
    let out = p.run("revision --autogenerate -m x");
    assert_eq!(out.exit_code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        errors(&out),
        "models.py:7:15: invalid syntax: Expected `,`, found `:`\nmodels.py is not valid Python: fix it and run again.\n"
    );
    assert!(!p.dir.path().join("versions").exists(), "no revision file is written");
}

#[test]
fn models_too_deeply_nested_is_a_syntax_error() {
    let deep = format!("{MODELS}x = {}{}\n", "[".repeat(300), "]".repeat(300));
    let mut p = Project::new(Some(&deep));
    let out = p.run("revision --autogenerate -m x");
    assert_eq!(out.exit_code, 1);
    assert_eq!(errors(&out), "models.py:12:205: too many nested parentheses\nmodels.py is not valid Python: fix it and run again.\n");
}

#[test]
fn unsupported_column_type_is_named_with_its_position() {
    // Alembic: an exception importing models.py (here ImportError: geoalchemy2
    // is not installed; NameError for a misspelt type), exit 1
    let models = MODELS.replace(
        "    name = Column(String(50))\n",
        "    name = Column(String(50))\n    shape = Column(Geometry(\"POINT\"))\n",
    );
    let mut p = Project::new(Some(&models));
    let out = p.run("revision --autogenerate -m x");
    assert_eq!((out.exit_code, out.stdout.as_str()), (1, ""));
    // Geometry is not imported: Python's NameError, as a traceback ends
    assert_eq!(
        errors(&out),
        "Traceback (most recent call last):\n  File \"models.py\", line 12, column 20\n\
         NameError: name 'Geometry' is not defined\n"
    );
}

#[test]
fn module_level_loop_of_classes_is_evaluated() {
    // Python runs the loop: each class it defines maps a table, as in Alembic
    let models = format!(
        "{MODELS}\nfor n in (\"a\", \"b\"):\n    class T(Base):\n        __tablename__ = f\"t_{{n}}\"\n        id = Column(Integer, primary_key=True)\n"
    );
    let mut p = Project::new(Some(&models));
    let out = p.run("revision --autogenerate -m x");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    for t in ["tag", "t_a", "t_b"] {
        let line = format!("INFO  [alembic.autogenerate.compare.tables] Detected added table '{t}'\n");
        assert!(out.stderr.contains(&line), "{}", out.stderr);
    }
}

#[test]
fn what_the_playground_cannot_do_is_an_error_with_its_position() {
    // files are out of reach: the exception ends the import as a traceback would
    let models = format!("{MODELS}\nwith open(\"x\") as f:\n    pass\n");
    let mut p = Project::new(Some(&models));
    let out = p.run("revision --autogenerate -m x");
    assert_eq!((out.exit_code, out.stdout.as_str()), (1, ""));
    assert_eq!(
        errors(&out),
        "Traceback (most recent call last):\n  File \"models.py\", line 13, column 6\n\
         OSError: files cannot be opened by code the playground evaluates\n"
    );
}

#[test]
fn unmapped_class_is_reported_with_its_position() {
    // Alembic: sqlalchemy.exc.InvalidRequestError: Class <class 'models.T'> does
    // not have a __table__ or __tablename__ specified ... (exit 1)
    let mut p = Project::new(Some(&MODELS.replace("    __tablename__ = \"tag\"\n", "")));
    let out = p.run("revision --autogenerate -m x");
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        errors(&out),
        "Traceback (most recent call last):\n  File \"models.py\", line 7, column 1\n\
         sqlalchemy.exc.InvalidRequestError: Class <class 'models.Tag'> does not have a __table__ or __tablename__ specified \
         and does not inherit from an existing table-mapped class.\n"
    );
}

#[test]
fn missing_models_file_says_how_to_give_it() {
    // Alembic: ModuleNotFoundError: No module named 'models' (exit 1)
    let mut p = Project::new(None);
    let out = p.run("revision --autogenerate -m x");
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        errors(&out),
        "cannot read the models file <dir>/models.py: No such file or directory (os error 2) (give its path with --models FILE)\n"
    );
}

const NO_BASE: &str = "models.py defines no `Base`, which env.py reads: declare one, for example \
     `class Base(DeclarativeBase): pass`, and your tables as its subclasses.\n\
     Traceback (most recent call last):\n  File \"env.py\"\n\
     AttributeError: module 'models' has no attribute 'Base'\n";

#[test]
fn empty_models_file_has_no_base() {
    // Alembic: AttributeError: module 'models' has no attribute 'Base' (exit 1)
    let mut p = Project::new(Some(""));
    let out = p.run("revision --autogenerate -m x");
    assert_eq!(out.exit_code, 1);
    assert_eq!(errors(&out), NO_BASE);
}

#[test]
fn models_without_base_has_no_base() {
    let mut p = Project::new(Some("from sqlalchemy import MetaData\n\nmetadata = MetaData()\n"));
    let out = p.run("check");
    assert_eq!(out.exit_code, 1);
    assert_eq!(errors(&out), NO_BASE);
    // the verbs that only run scripts take models.py's MetaData, or none
    for verb in ["upgrade head", "current", "stamp head", "downgrade base", "ensure_version", "history"] {
        p.ok(verb);
    }
}

#[test]
fn base_without_tables_is_fine() {
    let mut p = Project::new(Some(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
    ));
    p.ok("revision --autogenerate -m empty --rev-id r1");
    p.ok("upgrade head");
    p.ok("check");
}

// ---------------------------------------------------------------------------
// revision scripts

/// `upgrade head` of r1 with `lines` inserted at the top of its upgrade().
fn upgrade_with_lines_before_create_table(lines: &str) -> Output {
    let mut p = project_at_r1();
    let path = p.version("r1_create_tag.py");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("    op.create_table(", &format!("{lines}    op.create_table("), 1)).unwrap();
    p.run("upgrade head")
}

fn project_at_r1() -> Project {
    let mut p = Project::new(Some(MODELS));
    p.ok("revision --autogenerate -m create_tag --rev-id r1");
    p
}

#[test]
fn script_syntax_error_names_file_line_and_column() {
    // Alembic: SyntaxError while loading the script directory (exit 1), for
    // every command that reads it
    let p0 = project_at_r1();
    let path = p0.version("r1_create_tag.py");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("def upgrade() -> None:", "def upgrade( -> None:")).unwrap();
    let mut p = p0;
    for line in ["upgrade head", "history", "heads", "revision -m next"] {
        let out = p.run(line);
        assert_eq!(out.exit_code, 1, "{line}");
        assert_eq!(
            errors(&out),
            "<dir>/versions/r1_create_tag.py:21:14: invalid syntax: Expected `)`, found `->`\n\
             Could not load revision file <dir>/versions/r1_create_tag.py: no command can run until it is fixed.\n",
            "{line}"
        );
    }
}

#[test]
fn script_without_revision_is_alembics_command_error() {
    let p0 = project_at_r1();
    let path = p0.version("r1_create_tag.py");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("revision: str = 'r1'", "")).unwrap();
    let mut p = p0;
    // `history` runs no env.py, so logging is not configured: Alembic prints
    // only the FAILED line (checked against Alembic 1.20.1).
    let out = p.run("history");
    assert_eq!(out.exit_code, 255, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout,
        "FAILED: Could not determine revision id from filename r1_create_tag.py. Be sure the 'revision' variable is \
         declared inside the script (please see 'Upgrading from Alembic 0.1 to 0.2' in the documentation).\n"
    );
    assert_eq!(errors(&out), "");
}

#[test]
fn unsupported_construct_in_upgrade_names_its_position() {
    // A loop runs as Python runs it; the op the playground cannot do stops
    // the migration at its position, after what ran before it.
    let out = upgrade_with_lines_before_create_table(
        "    for name in ['a', 'b']:\n        op.execute(f'CREATE TABLE {name} (x INTEGER)')\n    op.create_table_comment('a', 'rows of a')\n",
    );
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        errors(&out),
        "Traceback (most recent call last):\n  File \"<dir>/versions/r1_create_tag.py\", line 26, column 5\n\
         NotImplementedError: op.create_table_comment is not supported by the playground\n\
         The migration stopped in upgrade() of r1; alembic_version still says nothing (base).\n"
    );
}

#[test]
fn truth_of_an_uncomputed_result_is_refused_not_guessed() {
    // `session.query(...).count() != 0` is a number in Python; a query the
    // playground's ORM does not compute (here of a free column) must stop
    // there, not let the `if` take a branch.
    let out = upgrade_with_lines_before_create_table(
        "    from sqlalchemy import orm\n    session = orm.Session(bind=op.get_bind())\n    if session.query(sa.column('x')).count() != 0:\n        raise ValueError('rows')\n",
    );
    assert_eq!(out.exit_code, 1, "{}{}", out.stdout, out.stderr);
    let errors = errors(&out);
    assert!(errors.contains("NotImplementedError: Session.query() of something other than one mapped class"), "{errors}");
    assert!(!errors.contains("ValueError"), "{errors}");
}

// ---------------------------------------------------------------------------
// revision targets: Alembic's own CommandErrors

#[test]
fn unknown_revision_target() {
    let mut p = project_at_r1();
    failed(&p.run("upgrade nosuch"), "Can't locate revision identified by 'nosuch'");
    failed(&p.run("downgrade nosuch"), "Can't locate revision identified by 'nosuch'");
}

#[test]
fn downgrade_with_nothing_to_downgrade() {
    let mut p = project_at_r1();
    failed(&p.run("downgrade -1"), "Relative revision -1 didn't produce 1 migrations");
    // `downgrade base` at base is a no-op in Alembic too
    p.ok("downgrade base");
}

#[test]
fn upgrade_beyond_head() {
    let mut p = project_at_r1();
    failed(&p.run("upgrade +5"), "Relative revision +5 didn't produce 5 migrations");
    p.ok("upgrade head");
    failed(&p.run("upgrade +1"), "Relative revision +1 didn't produce 1 migrations");
}

// ---------------------------------------------------------------------------
// command lines: argparse's errors, exit 2

#[test]
fn odd_command_lines_are_argparse_errors() {
    let mut p = project_at_r1();
    let top = "usage: alembic [-h] [--version] [-c CONFIG] [-n NAME] [-x X] [--raiseerr] [-q]\n               {branches,check,current,downgrade,edit,ensure_version,heads,history,init,list_templates,merge,revision,show,stamp,upgrade}\n               ...\n";
    let cases: Vec<(&str, String)> = vec![
        (
            "revision -m",
            "usage: alembic revision [-h] [-m MESSAGE] [--autogenerate] [--sql]\n                        [--head HEAD] [--splice] [--branch-label BRANCH_LABEL]\n                        [--version-path VERSION_PATH] [--rev-id REV_ID]\n                        [--depends-on DEPENDS_ON]\nalembic revision: error: argument -m/--message: expected one argument\n".into(),
        ),
        ("upgrade head extra", format!("{top}alembic: error: unrecognized arguments: extra\n")),
        (
            "frob",
            format!("{top}alembic: error: argument {{branches,check,current,downgrade,edit,ensure_version,heads,history,init,list_templates,merge,revision,show,stamp,upgrade}}: invalid choice: 'frob' (choose from 'branches', 'check', 'current', 'downgrade', 'edit', 'ensure_version', 'heads', 'history', 'init', 'list_templates', 'merge', 'revision', 'show', 'stamp', 'upgrade')\n"),
        ),
        ("", format!("{top}alembic: error: too few arguments\n")),
        (
            "upgrade",
            "usage: alembic upgrade [-h] [--sql] [--tag TAG] revision\nalembic upgrade: error: the following arguments are required: revision\n".into(),
        ),
    ];
    for (line, stderr) in cases {
        let out = p.run(line);
        assert_eq!((out.exit_code, out.stdout.as_str(), out.stderr.as_str()), (2, "", stderr.as_str()), "`{line}`");
    }
    let out = p.run("revision -m \"unterminated");
    assert_eq!((out.exit_code, out.stderr.as_str()), (2, "alembic: error: unterminated double quote\n"));
}

// ---------------------------------------------------------------------------
// the CLI's own arguments

fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_alembic-playground")).current_dir(dir).args(args).output().expect("run the CLI");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_without_command_or_option_value() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = cli(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.ends_with("alembic-playground: error: no alembic command given (for example: upgrade head)\n"), "{stderr}");
    let (code, _, stderr) = cli(dir.path(), &["--models"]);
    assert_eq!(code, 2);
    assert!(stderr.ends_with("alembic-playground: error: --models needs a value\n"), "{stderr}");
}

#[test]
fn cli_without_models_looks_for_models_py_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // commands that do not need models.py work without it
    let (code, stdout, _) = cli(dir.path(), &["history"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (code, _, stderr) = cli(dir.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(code, 1);
    assert!(
        stderr.ends_with("cannot read the models file models.py: No such file or directory (os error 2) (give its path with --models FILE)\n"),
        "{stderr}"
    );
}

#[test]
fn cli_with_nonexistent_versions_dir_is_an_empty_history() {
    // Alembic: an absent versions directory is an empty one (exit 0)
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("models.py"), MODELS).unwrap();
    let (code, stdout, _) = cli(dir.path(), &["--versions", "no/such/dir", "history"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (code, _, _) = cli(dir.path(), &["--versions", "no/such/dir", "upgrade", "head"]);
    assert_eq!(code, 0);
    let (code, stdout, _) = cli(dir.path(), &["--versions", "no/such/dir", "revision", "-m", "first", "--rev-id", "r1"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("no/such/dir/r1_first.py ...  done"), "{stdout}");
}

#[test]
fn cli_with_database_in_nonexistent_directory() {
    // Alembic: commands that connect die with sqlite3's OperationalError
    // (exit 1); the others still run
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("models.py"), MODELS).unwrap();
    let db = ["--db", "no/such/dir/app.db"];
    let (code, stdout, _) = cli(dir.path(), &[db[0], db[1], "revision", "-m", "first", "--rev-id", "r1"]);
    assert_eq!(code, 0, "{stdout}");
    let (code, stdout, _) = cli(dir.path(), &[db[0], db[1], "history"]);
    assert_eq!((code, stdout.as_str()), (0, "<base> -> r1 (head), first\n"));
    for verb in [&["upgrade", "head"][..], &["current"][..]] {
        let args: Vec<&str> = db.iter().chain(verb.iter()).copied().collect();
        let (code, _, stderr) = cli(dir.path(), &args);
        assert_eq!(code, 1, "{verb:?}");
        assert!(
            stderr.contains("sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) unable to open database file\n"),
            "{verb:?}: {stderr}"
        );
    }
    assert!(!dir.path().join("no").exists());
}

// ---------------------------------------------------------------------------
// where Alembic logs a CommandError, and where it dies instead

#[test]
fn command_error_is_logged_only_once_env_py_has_run() {
    // logging is configured by env.py's fileConfig: `show` and `history`
    // never run env.py, so Alembic prints only `FAILED: ...` for them
    let mut p = project_at_r1();
    for line in ["show nosuch", "history -r nosuch:", "revision --head nosuch -m z", "upgrade r1:r1"] {
        let out = p.run(line);
        assert_eq!(out.exit_code, 255, "{line}");
        assert_eq!(errors(&out), "", "{line}");
        assert!(out.stdout.starts_with("FAILED: "), "{line}: {}", out.stdout);
    }
    // once the migration context is up, the ERROR line comes too
    failed(&p.run("stamp nosuch"), "Can't locate revision identified by 'nosuch'");
}

#[test]
fn assertion_errors_in_alembic_are_exceptions() {
    // `upgrade head-5` with one revision: Alembic's revision.py asserts (exit 1)
    let mut p = project_at_r1();
    let out = p.run("upgrade head-5");
    assert_eq!((out.exit_code, out.stdout.as_str()), (1, ""));
    // Alembic's assert is bare: its traceback ends in a plain `AssertionError` line
    assert_eq!(
        errors(&out),
        "AssertionError\n(Alembic 1.20.1 fails an internal assertion here: expected a revision, got None)\n"
    );
}

#[test]
fn revision_id_characters() {
    let mut p = project_at_r1();
    let out = p.run("revision -m q --rev-id a-b@c:d-e");
    assert_eq!(out.exit_code, 255);
    assert_eq!(out.stdout, "FAILED: Character(s) '-, :, @' not allowed in revision identifier 'a-b@c:d-e'\n");
    // an empty --rev-id is `rev_id or util.rev_id()`: a new one
    let out = p.run("revision -m q --rev-id ''");
    assert_eq!(out.exit_code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn duplicate_revision_ids_hiding_a_cycle_fail_instead_of_hanging() {
    // Found by the no_panic graph sweep. Real Alembic 1.20.1 warns
    // "Revision a1 is present more than once" and then loops forever in
    // RevisionMap._add_branches; the playground stops with the cycle.
    let mut p = Project::new(Some(MODELS));
    let versions = p.dir.path().join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    let script = |rev: &str, down: &str, labels: &str| {
        format!("revision = '{rev}'\ndown_revision = {down}\nbranch_labels = {labels}\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n")
    };
    std::fs::write(versions.join("a1_0.py"), script("a1", "None", "None")).unwrap();
    std::fs::write(versions.join("b1_1.py"), script("b1", "None", "None")).unwrap();
    std::fs::write(versions.join("b1_2.py"), script("b1", "'a1'", "'l2'")).unwrap();
    std::fs::write(versions.join("a1_3.py"), script("a1", "'b1'", "'l3'")).unwrap();
    // `heads` does not catch revision-map errors: like Alembic's LoopDetected
    // there, the cycle is an uncaught exception (exit 1)
    let out = p.run("heads");
    assert_eq!((out.exit_code, out.stdout.as_str()), (1, ""));
    assert_eq!(errors(&out), "alembic.script.revision.CycleDetected: Cycle is detected in revisions (a1, b1)\n");
}

#[test]
fn column_made_in_another_module_is_refused_by_name() {
    // Alembic runs `op.add_column('tag', cols.flag_col('active'))`; the op
    // readers read a column from its call in the script, which this one is
    // not: refused with where the column was made, never guessed.
    let mut p = project_at_r1();
    let d = p.dir.path().to_path_buf();
    p.host = FsHost::open(&d.join("models.py"), &d.join("versions"), &d.join("app.db")).expect("open").with_paths(vec![d.clone()]);
    std::fs::write(
        p.dir.path().join("cols.py"),
        "import sqlalchemy as sa\n\n\ndef flag_col(name):\n    return sa.Column(name, sa.Boolean(), nullable=True)\n",
    )
    .unwrap();
    let path = p.version("r1_create_tag.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen("import sqlalchemy as sa\n", "import sqlalchemy as sa\n\nimport cols\n", 1);
    let text = text.replacen("    op.create_table(", "    op.create_table('flags', sa.Column('id', sa.Integer(), primary_key=True))\n    op.add_column('flags', cols.flag_col('active'))\n    op.create_table(", 1);
    std::fs::write(&path, text).unwrap();
    let out = p.run("upgrade head");
    assert_eq!(out.exit_code, 1, "{}{}", out.stdout, out.stderr);
    let errors = errors(&out);
    assert!(
        errors.contains(
            "NotImplementedError: op.add_column() of a sa.Column made in another module (<dir>/cols.py:5) is not supported by the playground"
        ),
        "{errors}"
    );
}
