//! A project held in memory, for tests and fuzzing: models.py,
//! `versions/` and the project's own modules as strings, any `Database` (an in-memory SQLite one natively,
//! or a wrapper such as the fault injector), a fixed clock and counting
//! revision ids.
//!
//! Invariants:
//! - Deterministic: [`CLOCK`] is the time of every command, and revision ids
//!   count up from `000000000001`, one per id asked for.
//! - `models: None` is a project without models.py (reading it fails as a
//!   missing file does); `versions` lists in file-name order, as the
//!   filesystem host does.
//! - No I/O besides the database it is given.
//! - Every `.py` file is importable by its path, as in the page: models.py,
//!   the modules and `versions/<file>` through the engine's `MemoryLoader`.

use std::collections::BTreeMap;

use engine::command::Host;
use engine::db::Database;

/// The time every command of a memory project runs at.
pub const CLOCK: &str = "2026-12-06 20:00:00.000000";

/// models.py and `versions/` in memory over `db`.
pub struct MemoryHost<D> {
    /// `None`: models.py does not exist.
    pub models: Option<String>,
    /// `versions/<file name>` → text, in file-name order.
    pub versions: BTreeMap<String, String>,
    /// The project's own modules: path (`myapp/types.py`) → text.
    pub modules: BTreeMap<String, String>,
    pub db: D,
    next_id: u32,
}

impl<D: Database> MemoryHost<D> {
    pub fn new(db: D, models: Option<&str>, versions: &[(String, String)]) -> Self {
        MemoryHost {
            models: models.map(str::to_string),
            versions: versions.iter().cloned().collect(),
            modules: BTreeMap::new(),
            db,
            next_id: 0,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl MemoryHost<super::native::NativeDatabase> {
    /// Over a fresh in-memory SQLite database.
    pub fn in_memory(models: Option<&str>, versions: &[(String, String)]) -> Self {
        let db = super::native::NativeDatabase::open_in_memory().expect("an in-memory SQLite database opens");
        MemoryHost::new(db, models, versions)
    }
}

impl<D> MemoryHost<D> {
    /// With these modules (path → text).
    pub fn with_modules(mut self, modules: &[(&str, &str)]) -> Self {
        self.modules = modules.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
        self
    }
}

impl<D: Database> Host for MemoryHost<D> {
    fn module_loader(&self) -> std::rc::Rc<dyn engine::python::ModuleLoader> {
        let versions: Vec<(String, &str)> = self.versions.iter().map(|(n, t)| (format!("versions/{n}"), t.as_str())).collect();
        let files = self
            .models
            .iter()
            .map(|m| ("models.py", m.as_str()))
            .chain(self.modules.iter().map(|(p, t)| (p.as_str(), t.as_str())))
            .chain(versions.iter().map(|(p, t)| (p.as_str(), *t)));
        std::rc::Rc::new(engine::python::MemoryLoader::new(files))
    }

    fn read_models(&self) -> Result<String, String> {
        self.models.clone().ok_or_else(|| "models.py does not exist".to_string())
    }
    fn list_versions(&self) -> Result<Vec<(String, String)>, String> {
        Ok(self.versions.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
    fn write_version(&mut self, file_name: &str, text: &str) -> Result<(), String> {
        self.versions.insert(file_name.to_string(), text.to_string());
        Ok(())
    }
    fn database(&mut self) -> &mut dyn Database {
        &mut self.db
    }
    fn now(&self) -> String {
        CLOCK.to_string()
    }
    fn new_rev_id(&mut self) -> String {
        self.next_id += 1;
        format!("{:012x}", self.next_id)
    }
}
