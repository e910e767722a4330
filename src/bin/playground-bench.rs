//! In-process measurements for `scripts/bench` (no process start counted).
//!
//! `playground-bench upgrade --models FILE --versions DIR --workdir DIR [--repeat N]`
//!   runs `upgrade head` through the engine on a fresh database file, recording
//!   every statement it executes, then runs the recorded statements (without the
//!   engine's own BEGIN/COMMIT) on another fresh database file in one
//!   transaction: the floor, SQLite alone doing the same work. Both databases
//!   are opened as the CLI opens them (`NativeDatabase::open`).
//! `playground-bench autogenerate --tables 10,100,500 [--repeat N]`
//!   times models.py → reflected schema → ops → script text, in memory, for
//!   models of N tables, against an empty database and against a database at
//!   head with one column changed (the as-you-type case). `--case empty|head`
//!   runs one of the two (e.g. under callgrind).
//!
//! Invariants: prints one `key=value` line per figure (seconds), which
//! scripts/bench.py reads; asserts no speed; exits 1 only when a command the
//! measurement needs fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use alembic_playground::platform::fs_host::FsHost;
use alembic_playground::platform::memory_host::MemoryHost;
use alembic_playground::platform::native::NativeDatabase;
use engine::command::Host;
use engine::db::{Database, DbError, QueryResult};

/// mimalloc (src/platform/allocator.rs): the engine makes many small, short-lived allocations (AST nodes,
/// Python values); with glibc's allocator they cost about a fifth of `upgrade
/// head`'s wall time in the benchmark, with mimalloc about half of that.
#[global_allocator]
static GLOBAL: alembic_playground::platform::allocator::Mimalloc = alembic_playground::platform::allocator::Mimalloc;

/// A database that remembers the statements it was asked to execute.
struct Recording {
    inner: NativeDatabase,
    executed: Vec<String>,
    queries: usize,
}

impl Database for Recording {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.executed.push(sql.to_string());
        self.inner.execute(sql)
    }
    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        self.queries += 1;
        self.inner.query(sql)
    }
    fn changes(&mut self) -> Result<i64, DbError> {
        self.inner.changes()
    }
}

/// The CLI's host with a recording database.
struct BenchHost {
    fs: FsHost,
    db: Recording,
}

impl Host for BenchHost {
    fn read_models(&self) -> Result<String, String> {
        self.fs.read_models()
    }
    fn list_versions(&self) -> Result<Vec<(String, String)>, String> {
        self.fs.list_versions()
    }
    fn list_version_bytes(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        self.fs.list_version_bytes()
    }
    fn ensure_version_subdir(&mut self, dir: &str) -> Result<bool, String> {
        self.fs.ensure_version_subdir(dir)
    }
    fn write_version(&mut self, file_name: &str, text: &str) -> Result<(), String> {
        self.fs.write_version(file_name, text)
    }
    fn database(&mut self) -> &mut dyn Database {
        &mut self.db
    }
    fn now(&self) -> String {
        self.fs.now()
    }
    fn new_rev_id(&mut self) -> String {
        self.fs.new_rev_id()
    }
    fn versions_dir(&self) -> String {
        self.fs.versions_dir()
    }
    fn database_url(&self) -> String {
        self.fs.database_url()
    }
    fn module_loader(&self) -> std::rc::Rc<dyn engine::python::ModuleLoader> {
        self.fs.module_loader()
    }
}

fn is_transaction_control(sql: &str) -> bool {
    let word = sql.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    ["BEGIN", "COMMIT", "ROLLBACK", "END", "SAVEPOINT", "RELEASE"].iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn fresh(path: &Path) -> Result<NativeDatabase, String> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    NativeDatabase::open(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn upgrade(models: &Path, versions: &Path, workdir: &Path, repeat: usize) -> Result<(), String> {
    std::fs::create_dir_all(workdir).map_err(|e| e.to_string())?;
    let (mut best_engine, mut best_floor) = (f64::INFINITY, f64::INFINITY);
    let (mut statements, mut queries) = (0, 0);
    for _ in 0..repeat {
        let db_path = workdir.join("playground.db");
        let db = Recording { inner: fresh(&db_path)?, executed: Vec::new(), queries: 0 };
        let fs = FsHost::open(models, versions, &db_path)?.with_paths(vec![models.parent().unwrap_or(Path::new(".")).to_path_buf()]);
        let mut host = BenchHost { fs, db };
        let command = ["upgrade".to_string(), "head".to_string()];
        let start = Instant::now();
        let out = engine::command::run(&mut host, &command);
        let engine_time = start.elapsed().as_secs_f64();
        if out.exit_code != 0 {
            return Err(format!("upgrade head failed (exit {}):\n{}{}", out.exit_code, out.stdout, out.stderr));
        }
        let recorded: Vec<String> = host.db.executed.into_iter().filter(|s| !is_transaction_control(s)).collect();
        statements = recorded.len();
        queries = host.db.queries;

        let mut floor = fresh(&workdir.join("floor.db"))?;
        let start = Instant::now();
        floor.execute("BEGIN").map_err(|e| e.to_string())?;
        for sql in &recorded {
            floor.execute(sql).map_err(|e| format!("the floor failed on {sql}: {e}"))?;
        }
        floor.execute("COMMIT").map_err(|e| e.to_string())?;
        let floor_time = start.elapsed().as_secs_f64();
        best_engine = best_engine.min(engine_time);
        best_floor = best_floor.min(floor_time);
    }
    println!("upgrade_engine={best_engine:.6}");
    println!("upgrade_floor={best_floor:.6}");
    println!("statements={statements}");
    println!("queries={queries}");
    Ok(())
}

/// Models of `n` tables of about seven columns (a foreign key to the previous
/// table, an index, NOT NULL), as www/bench-page.mjs writes them; `extra`
/// adds a column to the last table.
fn tables(n: usize, extra: bool) -> String {
    let mut out = vec![
        "import sqlalchemy as sa".to_string(),
        "from sqlalchemy.orm import declarative_base".into(),
        String::new(),
        "Base = declarative_base()".into(),
        String::new(),
    ];
    for t in 0..n {
        out.push(String::new());
        out.push(format!("class T{t}(Base):"));
        out.push(format!("    __tablename__ = 't{t}'"));
        out.push("    id = sa.Column(sa.Integer, primary_key=True)".into());
        out.push("    name = sa.Column(sa.String(80), nullable=False)".into());
        out.push("    c2 = sa.Column(sa.Integer, index=True)".into());
        out.push("    c3 = sa.Column(sa.Text)".into());
        out.push("    c4 = sa.Column(sa.DateTime)".into());
        if t > 0 {
            out.push(format!("    t{}_id = sa.Column(sa.Integer, sa.ForeignKey('t{}.id'))", t - 1, t - 1));
        }
        if t == n - 1 && extra {
            out.push("    added = sa.Column(sa.Boolean)".into());
        }
    }
    out.push("    zz = sa.Column(sa.Integer)".into());
    out.join("\n")
}

struct Timing {
    total: f64,
    models: f64,
    reflect: f64,
    compare_render: f64,
    ops: usize,
}

/// One live autogenerate: the database → MetaData → the comparison's
/// database side (`reflect`: the page does it once per database change),
/// then project::preview_with (models.py → MetaData, compare, render: what
/// the page does on each keystroke). `models` is models.py's interpretation
/// alone, timed apart (preview's share of it).
fn autogenerate_once(models: &str, db: &mut dyn Database) -> Result<Timing, String> {
    let start = Instant::now();
    let _ = engine::models::load_models(models);
    let t_models = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let reflected = engine::command::project::live_schema(db).map_err(|e| e.to_string())?;
    let conn = engine::command::project::ConnSchema::new(&reflected);
    let t_reflect = start.elapsed().as_secs_f64();
    let preview = engine::command::project::preview_with(models, &conn, std::rc::Rc::new(engine::python::NoModules));
    let total = start.elapsed().as_secs_f64();
    if preview.problems.iter().any(|p| p.error) {
        return Err(format!("models.py has problems: {:?}", preview.problems));
    }
    Ok(Timing { total, models: t_models, reflect: t_reflect, compare_render: (total - t_reflect - t_models).max(0.0), ops: preview.op_count })
}

fn best(runs: &[Timing]) -> &Timing {
    runs.iter().min_by(|a, b| a.total.total_cmp(&b.total)).expect("at least one run")
}

/// Which autogenerate cases to run.
#[derive(Clone, Copy)]
struct Cases {
    empty: bool,
    head: bool,
}

fn autogenerate(sizes: &[usize], repeat: usize, cases: Cases) -> Result<(), String> {
    for &n in sizes {
        let models = tables(n, false);
        if cases.empty {
            autogenerate_empty(n, &models, repeat)?;
        }
        if cases.head {
            autogenerate_head(n, &models, repeat)?;
        }
    }
    Ok(())
}

fn autogenerate_empty(n: usize, models: &str, repeat: usize) -> Result<(), String> {
    let mut empty = MemoryHost::in_memory(Some(models), &[]);
    let runs = (0..repeat).map(|_| autogenerate_once(models, &mut empty.db)).collect::<Result<Vec<_>, _>>()?;
    let b = best(&runs);
    println!(
        "autogenerate_empty_{n}={:.6} models={:.6} reflect={:.6} compare_render={:.6} ops={}",
        b.total, b.models, b.reflect, b.compare_render, b.ops
    );
    Ok(())
}

fn autogenerate_head(n: usize, models: &str, repeat: usize) -> Result<(), String> {
    // The database at head of models with one more column; the models then lose it.
    let mut host = MemoryHost::in_memory(Some(&tables(n, true)), &[]);
    for command in [&["revision", "--autogenerate", "-m", "all"][..], &["upgrade", "head"][..]] {
        let argv: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        let out = engine::command::run(&mut host, &argv);
        if out.exit_code != 0 {
            return Err(format!("{} failed:\n{}{}", argv.join(" "), out.stdout, out.stderr));
        }
    }
    let runs = (0..repeat).map(|_| autogenerate_once(models, &mut host.db)).collect::<Result<Vec<_>, _>>()?;
    let b = best(&runs);
    println!(
        "autogenerate_head_{n}={:.6} models={:.6} reflect={:.6} compare_render={:.6} ops={}",
        b.total, b.models, b.reflect, b.compare_render, b.ops
    );
    Ok(())
}

fn value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repeat = value(&args, "--repeat").and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let result = match args.first().map(String::as_str) {
        Some("upgrade") => match (value(&args, "--models"), value(&args, "--versions"), value(&args, "--workdir")) {
            (Some(m), Some(v), Some(w)) => upgrade(Path::new(m), Path::new(v), Path::new(w), repeat),
            _ => Err("upgrade needs --models FILE --versions DIR --workdir DIR".into()),
        },
        Some("autogenerate") => {
            let sizes: Result<Vec<usize>, _> = value(&args, "--tables").unwrap_or("10,100,500").split(',').map(str::parse).collect();
            let cases = match value(&args, "--case") {
                None => Ok(Cases { empty: true, head: true }),
                Some("empty") => Ok(Cases { empty: true, head: false }),
                Some("head") => Ok(Cases { empty: false, head: true }),
                Some(other) => Err(format!("--case: expected empty or head, got {other}")),
            };
            match (sizes, cases) {
                (Ok(sizes), Ok(cases)) => autogenerate(&sizes, repeat, cases),
                (_, Err(e)) => Err(e),
                (Err(e), _) => Err(format!("--tables: {e}")),
            }
        }
        _ => Err("usage: playground-bench upgrade --models FILE --versions DIR --workdir DIR [--repeat N]\n       playground-bench autogenerate [--tables 10,100,500] [--repeat N] [--case empty|head]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("playground-bench: {message}");
            ExitCode::from(1)
        }
    }
}
