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
//!   every file is evaluated once in it, sharing `sys.modules`. A host that
//!   stays open (the page) keeps a [`ScriptCache`]: its commands and its
//!   analysis then read the same module objects, each file evaluated once
//!   per text.

use std::collections::BTreeMap;
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
/// loaded as a script through `cache` (one new process with the project's
/// modules importable when the host keeps none), in the order given. Other
/// files are passed over.
pub fn load_version_scripts<'a, C: 'a, E: 'a>(
    files: Vec<(String, C)>,
    cache: &'a mut ScriptCache,
    mut source: impl FnMut(C) -> Result<String, E> + 'a,
) -> impl Iterator<Item = (String, Result<Script, VersionLoadError<E>>)> + 'a {
    cache.renew_if_worn();
    files.into_iter().filter(|(name, _)| is_version_file_name(name)).map(move |(name, content)| {
        let loaded = match source(content) {
            Err(e) => Err(VersionLoadError::Source(e)),
            Ok(text) => cache.load(&name, &text).map_err(VersionLoadError::Script),
        };
        (name, loaded)
    })
}

/// Loaded revision files by name, each with the text it was loaded from,
/// all in one [`ScriptProcess`]: a file is evaluated again only when its
/// text changed. A replaced module stays in the process (something may
/// still hold it), so after many replacements the cache starts a fresh
/// process and loads every file again as it is asked for.
pub struct ScriptCache {
    loader: Rc<dyn ModuleLoader>,
    process: Rc<ScriptProcess>,
    loaded: BTreeMap<String, (String, Result<Script, ScriptError>)>,
    /// Files evaluated in `process`, replaced ones included.
    loads: usize,
}

impl ScriptCache {
    /// An empty cache whose process imports the project's modules through `loader`.
    pub fn new(loader: Rc<dyn ModuleLoader>) -> ScriptCache {
        ScriptCache { process: ScriptProcess::new(loader.clone()), loader, loaded: BTreeMap::new(), loads: 0 }
    }

    /// Where its process imports the project's modules from.
    pub fn loader(&self) -> Rc<dyn ModuleLoader> {
        self.loader.clone()
    }

    /// The script of `file_name` with the content `text`: loaded now, or as
    /// loaded before from the same text.
    pub fn load(&mut self, file_name: &str, text: &str) -> Result<Script, ScriptError> {
        if let Some((loaded_text, script)) = self.loaded.get(file_name) {
            if loaded_text == text {
                return script.clone();
            }
        }
        self.loads += 1;
        let script = script::parse_script_with(file_name, text, &self.process);
        self.loaded.insert(file_name.to_string(), (text.to_string(), script.clone()));
        script
    }

    /// Starts a fresh process when replaced modules outnumber the loaded
    /// ones: called before loading a whole directory, so that one load
    /// never spans two processes.
    pub fn renew_if_worn(&mut self) {
        if self.loads > 2 * self.loaded.len() + 32 {
            self.renew();
        }
    }

    /// Forgets every loaded file and starts a fresh process: what a change
    /// to a module the scripts may import needs.
    pub fn renew(&mut self) {
        self.process = ScriptProcess::new(self.loader.clone());
        self.loaded.clear();
        self.loads = 0;
    }

    /// Forgets the files `keep` refuses (files no longer in `versions/`).
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.loaded.retain(|name, _| keep(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Op;
    use crate::python::alembic::RecordingSink;
    use crate::python::ModuleSource;

    /// A project with one module of its own, `helpers`, that records its
    /// own import.
    struct Helpers;

    impl ModuleLoader for Helpers {
        fn load(&self, dotted: &str) -> Option<ModuleSource> {
            (dotted == "helpers").then(|| ModuleSource {
                file: "helpers.py".into(),
                source: "EVENTS = ['imported']\n".into(),
                is_package: false,
            })
        }
    }

    fn script(rev: &str, down: &str) -> String {
        format!(
            "from alembic import op\nimport helpers\nhelpers.EVENTS.append('{rev} loaded')\n\nrevision = '{rev}'\ndown_revision = {down}\n\n\
             def upgrade():\n    helpers.EVENTS.append('{rev} up')\n    op.execute('-- ' + ', '.join(helpers.EVENTS))\n\n\
             def downgrade():\n    pass\n"
        )
    }

    fn executed(ops: &[Op]) -> Vec<String> {
        ops.iter()
            .map(|op| match op {
                Op::Execute { sql } => sql.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    /// As in one Python process: the project module is evaluated once and
    /// shared by both scripts, each script is evaluated once, and running a
    /// script calls its function again on the same module (no re-import).
    #[test]
    fn one_process_per_load_each_file_evaluated_once() {
        let files = vec![("a_.py".to_string(), script("a", "None")), ("b_.py".to_string(), script("b", "'a'"))];
        let mut cache = ScriptCache::new(Rc::new(Helpers));
        let loaded: Vec<Script> = load_version_scripts(files, &mut cache, Ok::<String, std::convert::Infallible>)
            .map(|(_, s)| s.map_err(|e| format!("{e:?}")).expect("loads"))
            .collect();
        let run = |s: &Script| {
            let mut sink = RecordingSink::default();
            script::run_script(s, true, &mut sink).expect("runs");
            executed(&sink.ops)
        };
        assert_eq!(run(&loaded[0]), vec!["-- imported, a loaded, b loaded, a up"]);
        assert_eq!(run(&loaded[1]), vec!["-- imported, a loaded, b loaded, a up, b up"]);
        assert_eq!(run(&loaded[0]), vec!["-- imported, a loaded, b loaded, a up, b up, a up"]);
        // the static view is recorded on first use, from the same module object
        assert_eq!(executed(&loaded[1].upgrade().as_ref().expect("ops").ops), vec!["-- imported, a loaded, b loaded, a up, b up, a up, b up"]);
        assert_eq!(executed(&loaded[1].upgrade().as_ref().expect("ops").ops), vec!["-- imported, a loaded, b loaded, a up, b up, a up, b up"]);
    }

    #[test]
    fn the_cache_evaluates_a_file_again_only_when_its_text_changed() {
        let mut cache = ScriptCache::new(Rc::new(Helpers));
        let first = cache.load("a_.py", &script("a", "None")).expect("loads");
        let again = cache.load("a_.py", &script("a", "None")).expect("loads");
        assert_eq!(first.module, again.module);
        let changed = cache.load("a_.py", &script("a", "'z'")).expect("loads");
        assert_ne!(first.module, changed.module);
        assert_eq!(changed.down_revision, vec!["z".to_string()]);
        // the project module was imported once, into the one process
        let mut sink = RecordingSink::default();
        script::run_script(&changed, true, &mut sink).expect("runs");
        assert_eq!(executed(&sink.ops), vec!["-- imported, a loaded, a loaded, a up"]);
    }

    /// Each evaluation in a long-lived process has the whole step budget.
    #[test]
    fn the_step_budget_is_per_evaluation() {
        let mut cache = ScriptCache::new(Rc::new(Helpers));
        let body = "revision = '{r}'\ndown_revision = None\nfor i in range(300):\n    pass\n\ndef upgrade():\n    for i in range(300):\n        pass\n\ndef downgrade():\n    pass\n";
        cache.process.interp().limits.steps = 1_000;
        for r in ["a", "b", "c", "d"] {
            let s = cache.load(&format!("{r}_.py"), &body.replace("{r}", r)).expect("loads within the budget");
            let mut sink = RecordingSink::default();
            script::run_script(&s, true, &mut sink).expect("runs within the budget");
        }
        let over = body.replace("{r}", "e").replace("range(300)", "range(2000)");
        let e = cache.load("e_.py", &over).expect_err("over the budget");
        assert!(e.diagnostic.message.contains("steps"), "{}", e.diagnostic);
    }
}
