//! Fault injection through the `Database` seam (src/platform/fault.rs), natively.
//!
//! The comparison with real Alembic failing at the same statement is
//! tests/differential/faults.py (`scripts/dev faults`; a sample runs in the
//! differential suite). Here, without Python, every statement of every
//! migration of the recorded Alembic scenarios
//! (crates/engine/tests/fixtures/alembic_scripts) fails in turn, upgrade and
//! downgrade, and what holds in Alembic whatever the statement must hold:
//! the command fails with exit status 1 naming the injected error, nothing
//! panics, `alembic_version` still names the start, the same migration run
//! again without the fault counts the same statements, and one statement past
//! the last fails nothing. Plus one regression test per difference the
//! differential run found.

use std::path::PathBuf;

use alembic_playground::platform::fault::{FailingDatabase, FaultPlan};
use alembic_playground::platform::memory_host::MemoryHost;
use alembic_playground::platform::native::NativeDatabase;
use engine::command::{self, Output};
use engine::db::{Database, Value};

/// models.py and versions/ in memory, an in-memory SQLite database behind the fault wrapper.
type FaultHost = MemoryHost<FailingDatabase<NativeDatabase>>;

fn fault_host(models: &str, versions: &[(String, String)]) -> FaultHost {
    let db = FailingDatabase::new(NativeDatabase::open_in_memory().unwrap(), FaultPlan::default());
    MemoryHost::new(db, Some(models), versions)
}

/// What the sweep does with a project: run, run with a fault, look at the result.
trait FaultRun {
    fn run(&mut self, line: &str) -> Output;
    /// Runs `line` with the k-th counted statement failing (`None`: counting only).
    fn run_with_fault(&mut self, line: &str, k: Option<u64>) -> (Output, u64);
    /// The rows of `alembic_version`; none when the table does not exist.
    fn version(&mut self) -> Vec<String>;
    fn tables(&mut self) -> Vec<String>;
}

impl FaultRun for FaultHost {
    fn run(&mut self, line: &str) -> Output {
        command::run_line(self, line)
    }

    fn run_with_fault(&mut self, line: &str, k: Option<u64>) -> (Output, u64) {
        self.db.rearm(FaultPlan { fail_at: k, log: None });
        let out = self.run(line);
        let counted = self.db.counted();
        self.db.rearm(FaultPlan::default());
        (out, counted)
    }

    fn version(&mut self) -> Vec<String> {
        let Ok(r) = self.db.inner().query("SELECT version_num FROM alembic_version ORDER BY 1") else {
            assert!(!self.tables().contains(&"alembic_version".to_string()));
            return Vec::new();
        };
        r.rows.iter().map(|row| row[0].as_str().unwrap_or_default().to_string()).collect()
    }

    fn tables(&mut self) -> Vec<String> {
        let r = self.db.inner().query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1").unwrap();
        r.rows.iter().map(|row| row[0].as_str().unwrap_or_default().to_string()).collect()
    }
}

const EMPTY_MODELS: &str = "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (scenario, its last models.py, its recorded Alembic scripts sorted by name).
fn scenarios() -> Vec<(String, String, Vec<(String, String)>)> {
    let dir = root().join("crates/engine/tests/fixtures/alembic_scripts");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join(&name))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "py"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        // the naming convention upgrade reads comes from the scenario's last models.py
        let shared = root().join("../shared/conformance").join(&name);
        let last = (1..=9).rev().map(|i| shared.join(format!("models_{i}.py"))).find(|p| p.is_file());
        let models = last.map(|p| std::fs::read_to_string(p).unwrap()).unwrap_or_else(|| EMPTY_MODELS.to_string());
        out.push((name, models, files));
    }
    assert!(out.len() >= 8, "recorded Alembic scenarios not found in {}", dir.display());
    out
}

/// A fresh project upgraded to `target` (empty when `None`).
fn project_at(models: &str, files: &[(String, String)], target: Option<&str>) -> FaultHost {
    let mut host = fault_host(models, files);
    if let Some(t) = target {
        let out = host.run(&format!("upgrade {t}"));
        assert!(out.ok(), "upgrade {t}: {}{}", out.stdout, out.stderr);
    }
    host
}

/// Every statement of one migration fails in turn; the Alembic-wide invariants hold.
fn sweep(label: &str, models: &str, files: &[(String, String)], start: Option<&str>, line: &str) -> u64 {
    let mut clean = project_at(models, files, start);
    let (out, n) = clean.run_with_fault(line, None);
    assert!(out.ok(), "{label}: `{line}` without a fault failed: {}{}", out.stdout, out.stderr);
    assert!(n >= 1, "{label}: `{line}` ran no statement that changes the database");
    for k in 1..=n + 1 {
        let mut host = project_at(models, files, start);
        let before = host.version();
        let (out, counted) = host.run_with_fault(line, Some(k));
        if k == n + 1 {
            assert!(out.ok(), "{label}: `{line}` failed with no statement failing: {}{}", out.stdout, out.stderr);
            assert_eq!(counted, n, "{label}: `{line}` counted {counted} statements, then {n}");
            continue;
        }
        let said = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(out.exit_code, 1, "{label}: `{line}` with statement {k} failing: exit {}:\n{said}", out.exit_code);
        assert!(
            said.contains(&format!("injected fault at statement {k}")),
            "{label}: `{line}` with statement {k} failing does not say so:\n{said}"
        );
        assert_eq!(host.version(), before, "{label}: `{line}` moved alembic_version although statement {k} failed");
    }
    n
}

#[test]
fn every_statement_of_every_recorded_migration_fails_cleanly() {
    let mut statements = 0;
    let mut migrations = 0;
    for (name, models, files) in scenarios() {
        for (file_name, text) in &files {
            let script = engine::script::parse_script(file_name, text).expect("a recorded script loads");
            // one step each way: from its parent (upgrading there runs only its
            // ancestors) and back; a merge point has no single parent to start from
            let parent = match script.down_revision.as_slice() {
                [] => None,
                [one] => Some(one.as_str()),
                _ => continue,
            };
            let rev = script.revision.as_str();
            let label = format!("{name} {rev}");
            // a migration that fails by itself on an empty database has no clean run to count
            let mut probe = project_at(&models, &files, parent);
            if !probe.run(&format!("upgrade {rev}")).ok() {
                continue;
            }
            statements += sweep(&format!("{label} upgrade"), &models, &files, parent, &format!("upgrade {rev}"));
            statements += sweep(&format!("{label} downgrade"), &models, &files, Some(rev), "downgrade -1");
            migrations += 2;
        }
    }
    eprintln!("fault injection: {migrations} migrations, {statements} statements failed in turn");
    assert!(migrations >= 30 && statements >= 100, "only {migrations} migrations and {statements} statements swept");
}

/// Alembic's batch copy drops `_alembic_tmp_x` when `INSERT ... SELECT`
/// fails (`except: drop_table(new_table); raise`); when that DROP fails too,
/// Python raises the DROP's error, not the first one. Found by
/// tests/differential/faults.py in tool_rental_tighten_fails (r0002 upgrade,
/// statement 3).
#[test]
fn a_failing_cleanup_drop_is_the_error_reported() {
    let (_, models, files) = scenarios().into_iter().find(|(n, _, _)| n == "tool_rental_tighten_fails").unwrap();
    let mut host = project_at(&models, &files, Some("r0001"));
    host.db.inner().execute("INSERT INTO tool (id, name, serial_no) VALUES (1, 'drill', NULL)").unwrap();
    // 1 CREATE TABLE _alembic_tmp_tool, 2 INSERT ... SELECT (NOT NULL fails), 3 DROP TABLE _alembic_tmp_tool
    let (out, counted) = host.run_with_fault("upgrade r0002", Some(3));
    let said = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(counted, 3, "{said}");
    assert_eq!(out.exit_code, 1, "{said}");
    assert!(said.contains("injected fault at statement 3"), "{said}");
    assert!(!said.contains("NOT NULL constraint failed"), "the first error is not the one raised:\n{said}");
    // the DROP ran in the transaction the INSERT opened: the rollback keeps the table
    assert_eq!(host.tables(), ["_alembic_tmp_tool", "alembic_version", "rental", "tool"]);
    assert_eq!(host.version(), ["r0001"]);
    let rows = host.db.inner().query("SELECT count(*) FROM tool").unwrap();
    assert_eq!(rows.rows, [[Value::Integer(1)]]);
}
