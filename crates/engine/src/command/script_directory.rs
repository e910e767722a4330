//! Loading `versions/`: Alembic's `ScriptDirectory._load_revisions` and
//! `Script._from_path` (`alembic/script/base.py`). The one loader of the verbs
//! and of the project façade.
//!
//! Invariants:
//! - A file is a revision script when `_only_source_rev_file` matches its
//!   name (`.py`, not starting with `.#` or `__init__`); every such file is
//!   loaded, `_helper.py` included. A file without `revision` is then
//!   Alembic's `CommandError` (see `script::parse_script_with`), not skipped.
//! - Files are loaded in the order given (the host lists them by name, as
//!   `_list_py_dir` sorts them), lazily: a caller stops at the first failure
//!   as Alembic's generator does, or collects every failure.
//! - One load of the directory is one Python process ([`ScriptProcess`]):
//!   every file is evaluated once in it, sharing `sys.modules`.

use std::rc::Rc;

use crate::python::ModuleLoader;
use crate::script::{self, Script, ScriptError, ScriptProcess};

/// `_only_source_rev_file.match(filename)`: `(?!\.\#|__init__)(.*\.py)$`,
/// where `.` stops at a newline (so a name with one is not a revision file)
/// and `$` also matches before a final newline.
pub fn is_version_file_name(name: &str) -> bool {
    let stem = name.strip_suffix('\n').unwrap_or(name);
    !name.starts_with(".#") && !name.starts_with("__init__") && stem.ends_with(".py") && !stem.contains('\n')
}

/// Why one revision file did not load.
#[derive(Debug, Clone)]
pub enum VersionLoadError<E> {
    /// Its content is not Python source text (what `source` refused).
    Source(E),
    /// It does not evaluate as a revision script.
    Script(ScriptError),
}

/// The revision files among `files`, each turned into text by `source` and
/// loaded as a script in one new process with the project's modules
/// importable through `loader`, in the order given. Other files are passed
/// over.
pub fn load_version_scripts<'a, C: 'a, E: 'a>(
    files: Vec<(String, C)>,
    loader: Rc<dyn ModuleLoader>,
    mut source: impl FnMut(C) -> Result<String, E> + 'a,
) -> impl Iterator<Item = (String, Result<Script, VersionLoadError<E>>)> + 'a {
    let process = ScriptProcess::new(loader);
    files.into_iter().filter(|(name, _)| is_version_file_name(name)).map(move |(name, content)| {
        let loaded = match source(content) {
            Err(e) => Err(VersionLoadError::Source(e)),
            Ok(text) => load_version_script(&process, &name, &text).map_err(VersionLoadError::Script),
        };
        (name, loaded)
    })
}

/// One revision file loaded into `process` (the loader of the directory
/// and of a page that loads its files one at a time).
pub fn load_version_script(process: &Rc<ScriptProcess>, file_name: &str, text: &str) -> Result<Script, ScriptError> {
    script::parse_script_with(file_name, text, process)
}
