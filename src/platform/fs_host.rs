//! The native CLI's `Host`: `models.py` and the versions directory on disk,
//! a SQLite file through [`NativeDatabase`], the local clock and OS randomness.
//!
//! Invariants: paths are shown as given on the command line (joined), so
//! messages match what the user typed; the versions directory is created on
//! first write; the SQLite file is opened (and so created) on the first use of
//! the database, as SQLAlchemy connects only when env.py runs: `revision`
//! without `--autogenerate`, `heads`, `history` leave no database file behind.

use std::path::{Path, PathBuf};

use engine::command::Host;
use engine::db::{Database, DbError, QueryResult};

use super::fault::{FailingDatabase, FaultPlan};
use super::native::NativeDatabase;

/// Files and database of one playground project on disk.
pub struct FsHost {
    pub models: PathBuf,
    pub versions: PathBuf,
    pub db_path: PathBuf,
    /// Where the project's own modules are imported from (`--path`).
    pub paths: Vec<PathBuf>,
    db: Option<Connection>,
    /// Test-only fault injection (see `super::fault`); `None` in normal use.
    fault: Option<FaultPlan>,
}

/// The database once opened, or why it could not be.
enum Connection {
    Open(NativeDatabase),
    /// Opened under a fault plan.
    Faulty(FailingDatabase<NativeDatabase>),
    /// Every statement fails with this message.
    Failed(String),
}

impl Database for Connection {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Connection::Open(db) => db.execute(sql),
            Connection::Faulty(db) => db.execute(sql),
            Connection::Failed(message) => Err(DbError::new(message.clone())),
        }
    }
    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        match self {
            Connection::Open(db) => db.query(sql),
            Connection::Faulty(db) => db.query(sql),
            Connection::Failed(message) => Err(DbError::new(message.clone())),
        }
    }
    fn changes(&mut self) -> Result<i64, DbError> {
        match self {
            Connection::Open(db) => db.changes(),
            Connection::Faulty(db) => db.changes(),
            Connection::Failed(message) => Err(DbError::new(message.clone())),
        }
    }
}

impl FsHost {
    /// A project on disk; the SQLite file is opened (created if needed, as
    /// SQLAlchemy's engine does on connect) when a command first uses it.
    pub fn open(models: &Path, versions: &Path, db_path: &Path) -> Result<Self, String> {
        Ok(FsHost { models: models.to_path_buf(), versions: versions.to_path_buf(), db_path: db_path.to_path_buf(), paths: Vec::new(), db: None, fault: None })
    }

    /// The `.py` files directly in the versions folder, sorted by name, each
    /// read by `read`; an absent folder is an empty one.
    fn read_version_files<T: Ord>(&self, read: impl Fn(&Path) -> std::io::Result<T>) -> Result<Vec<(String, T)>, String> {
        let entries = match std::fs::read_dir(&self.versions) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("cannot read {}: {e}", self.versions.display())),
        };
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".py") {
                continue;
            }
            let path = entry.path();
            // the directory entry's type (no stat on most file systems); a
            // symbolic link counts as what it points to
            let is_file = match entry.file_type() {
                Ok(t) if t.is_file() => true,
                Ok(t) if !t.is_symlink() => false,
                _ => path.is_file(),
            };
            if !is_file {
                continue;
            }
            let contents = read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files.push((name, contents));
        }
        files.sort();
        Ok(files)
    }

    /// Sets the folders modules are imported from.
    pub fn with_paths(mut self, paths: Vec<PathBuf>) -> Self {
        self.paths = paths;
        self
    }

    /// Fails (or logs) statements as `plan` says, for the fault-injection tests.
    pub fn with_fault_plan(mut self, plan: Option<FaultPlan>) -> Self {
        self.fault = plan;
        self
    }
}

/// Imports from folders on disk, in order, by the engine's one set of
/// rules (`engine::python::find_module`): `a.b` is `a/b/__init__.py` or
/// `a/b.py`; a folder without `__init__.py` is a namespace package.
pub struct DirLoader {
    pub paths: Vec<PathBuf>,
}

/// One `--path` folder as a search root; files are named as the folder
/// joined with their relative path, as the command line gave it.
struct DirRoot<'a>(&'a Path);

impl engine::python::SearchRoot for DirRoot<'_> {
    fn read_file(&self, rel: &str) -> Option<(String, String)> {
        let file = self.0.join(rel);
        let source = std::fs::read_to_string(&file).ok()?;
        Some((file.display().to_string(), source))
    }
    fn is_file(&self, rel: &str) -> bool {
        self.0.join(rel).is_file()
    }
    fn folder(&self, rel: &str) -> Option<String> {
        let dir = self.0.join(rel);
        dir.is_dir().then(|| dir.display().to_string())
    }
}

impl engine::python::ModuleLoader for DirLoader {
    fn load(&self, dotted: &str) -> Option<engine::python::ModuleSource> {
        let roots: Vec<DirRoot<'_>> = self.paths.iter().map(|p| DirRoot(p)).collect();
        engine::python::find_module(dotted, roots.iter().map(|r| r as &dyn engine::python::SearchRoot))
    }
    fn clock(&self) -> Option<engine::python::ClockReading> {
        let now = chrono::Local::now();
        Some(engine::python::ClockReading { unix_micros: now.timestamp_micros(), utc_offset_seconds: now.offset().local_minus_utc() as i64 })
    }
}

impl Host for FsHost {
    fn module_loader(&self) -> std::rc::Rc<dyn engine::python::ModuleLoader> {
        std::rc::Rc::new(DirLoader { paths: self.paths.clone() })
    }

    fn read_models(&self) -> Result<String, String> {
        std::fs::read_to_string(&self.models).map_err(|e| {
            format!("cannot read the models file {}: {e} (give its path with --models FILE)", self.models.display())
        })
    }

    fn list_versions(&self) -> Result<Vec<(String, String)>, String> {
        self.read_version_files(|p| std::fs::read_to_string(p))
    }

    fn list_version_bytes(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        self.read_version_files(|p| std::fs::read(p))
    }

    fn ensure_version_subdir(&mut self, dir: &str) -> Result<bool, String> {
        let path = self.versions.join(dir);
        if path.is_dir() {
            return Ok(false);
        }
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(true)
    }

    fn write_version(&mut self, file_name: &str, text: &str) -> Result<(), String> {
        std::fs::create_dir_all(&self.versions)
            .map_err(|e| format!("cannot create {}: {e}", self.versions.display()))?;
        let path = self.versions.join(file_name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    fn database(&mut self) -> &mut dyn Database {
        let db_path = &self.db_path;
        let fault = &self.fault;
        self.db.get_or_insert_with(|| match NativeDatabase::open(db_path) {
            Ok(db) => match fault {
                Some(plan) => Connection::Faulty(FailingDatabase::new(db, plan.clone())),
                None => Connection::Open(db),
            },
            // rusqlite appends the path to SQLite's message; Python's sqlite3 does not
            Err(e) => Connection::Failed(
                e.message.strip_suffix(&format!(": {}", db_path.display())).unwrap_or(&e.message).to_string(),
            ),
        })
    }

    fn now(&self) -> String {
        chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }

    fn new_rev_id(&mut self) -> String {
        let mut bytes = [0u8; 6];
        if getrandom::fill(&mut bytes).is_err() {
            // fall back on the clock: still unique enough for a local project
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            bytes.copy_from_slice(&nanos.to_le_bytes()[..6]);
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn versions_dir(&self) -> String {
        std::path::absolute(&self.versions).unwrap_or_else(|_| self.versions.clone()).display().to_string()
    }

    fn database_url(&self) -> String {
        format!("sqlite:///{}", self.db_path.display())
    }
}
