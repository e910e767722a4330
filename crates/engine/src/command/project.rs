//! The project as the browser UI sees it: a structured façade over the same
//! pieces the verbs use (models → MetaData, scripts → RevisionMap, the live
//! schema, the autogenerate comparison), with no text to parse back.
//!
//! Invariants:
//! - Pure: the database comes in as an already reflected `MetaData` or
//!   through `Database`; nothing here writes.
//! - Never fails as a whole: a broken file becomes a [`FileProblem`] at
//!   line:column, and the rest of the project still loads.
//! - `preview` is what `revision --autogenerate` would write for the same
//!   models and database (the same `models::load_models` and
//!   `autogen::compare`), rendered as the body of `upgrade()`.

use crate::autogen;
use crate::db::{Database, DbError};
use crate::models;
use crate::python::{parse_module, Diagnostic, Severity};
use crate::reflect;
use crate::render;
use crate::revision::{Revision, RevisionMap};
use crate::schema::MetaData;
use crate::sort::map_of;
use crate::script::{self, Script, ScriptError};
pub use super::script_directory::ScriptCache;
pub use crate::autogen::ConnSchema;

use super::script_directory::{load_version_scripts, VersionLoadError};
use crate::python::{ModuleLoader, NoModules};
use std::convert::Infallible;
use std::rc::Rc;

/// A problem in one file, at a position (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// `models.py` or `versions/<file>`.
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub error: bool,
    pub message: String,
}

fn problem(path: &str, d: &Diagnostic) -> FileProblem {
    FileProblem {
        path: path.to_string(),
        line: d.line,
        column: d.column,
        error: d.severity == Severity::Error,
        message: d.message.clone(),
    }
}

/// `models.py`'s problems: syntax errors first (as Python reports only
/// the first), else the exception importing it raises (see `models::load_models`).
pub fn models_problems(source: &str) -> Vec<FileProblem> {
    models_problems_with(source, Rc::new(NoModules))
}

/// [`models_problems`] with the project's own modules importable through `loader`.
pub fn models_problems_with(source: &str, loader: Rc<dyn ModuleLoader>) -> Vec<FileProblem> {
    let parsed = parse_module(source);
    if let Some(d) = parsed.diagnostics.iter().find(|d| d.severity == Severity::Error) {
        return vec![problem("models.py", d)];
    }
    models::load_models_with(source, loader).diagnostics.iter().map(|d| problem("models.py", d)).collect()
}

/// A revision script's problems, loaded on its own (a process of its own,
/// no project modules): a file that does not load, or an `upgrade()` /
/// `downgrade()` body whose ops cannot be interpreted.
pub fn script_problems(file_name: &str, source: &str) -> Vec<FileProblem> {
    load_script(&mut ScriptCache::new(Rc::new(NoModules)), file_name, source).problems
}

/// One file of `versions/`, loaded once for both its problems and its place
/// in the chain (loading evaluates the script, the costly part of a chain):
/// the page caches these per file text and loads a large project in slices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedScript {
    /// The chain entry; `None` when the file does not load.
    pub revision: Option<Revision>,
    /// What [`script_problems`] reports.
    pub problems: Vec<FileProblem>,
}

/// Loads one file of `versions/` (see [`is_script_file`]) through `cache`,
/// as the verbs load it; its problems include the static views'.
pub fn load_script(cache: &mut ScriptCache, file_name: &str, source: &str) -> LoadedScript {
    let path = format!("versions/{file_name}");
    match cache.load(file_name, source) {
        Err(e) => LoadedScript { revision: None, problems: vec![problem(&path, &e.diagnostic)] },
        Ok(s) => {
            let mut problems = Vec::new();
            if let Err(d) = s.upgrade() {
                problems.push(problem(&path, d));
            }
            if let Err(d) = s.downgrade() {
                problems.push(problem(&path, d));
            }
            LoadedScript { revision: Some(s.revision_entry()), problems }
        }
    }
}

/// Whether the chain reads this file of `versions/` ([`load_chain`]'s filter).
pub fn is_script_file(file_name: &str) -> bool {
    super::script_directory::is_version_file_name(file_name)
}

/// The chain of already loaded scripts, in file-name order: what
/// [`load_chain`] gives for the same files.
pub fn chain_of<'a>(loaded: impl IntoIterator<Item = &'a LoadedScript>) -> Chain {
    let mut problems = Vec::new();
    let mut revisions = Vec::new();
    for script in loaded {
        match &script.revision {
            Some(r) => revisions.push(r.clone()),
            // a file that does not load: its load error (the first problem)
            None => problems.extend(script.problems.first().cloned()),
        }
    }
    chain_of_revisions(revisions, problems)
}

/// One revision of the chain, for drawing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionNode {
    pub revision: String,
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// The `-m` message (`Script.doc`).
    pub message: String,
    /// `versions/<file>`.
    pub path: String,
    pub is_head: bool,
    pub is_base: bool,
    pub is_merge_point: bool,
    pub is_branch_point: bool,
}

/// The revision chain of `versions/`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chain {
    /// In `alembic history` order: newest first (heads first), walking down.
    pub revisions: Vec<RevisionNode>,
    pub heads: Vec<String>,
    /// Files that do not load, and a map that does not build (cycles,
    /// missing down revisions) as a problem of the first file.
    pub problems: Vec<FileProblem>,
}

/// The revision scripts among `versions/`'s `(file name, text)` pairs,
/// loaded through `cache` by the verbs' loader ([`load_version_scripts`]).
fn version_scripts(versions: &[(String, String)], cache: &mut ScriptCache) -> Vec<(String, Result<Script, ScriptError>)> {
    let files = versions.iter().map(|(name, text)| (name.clone(), text.as_str())).collect();
    load_version_scripts(files, cache, |text: &str| Ok::<_, Infallible>(text.to_string()))
        .map(|(name, loaded)| {
            let loaded = loaded.map_err(|e| match e {
                VersionLoadError::Source(never) => match never {},
                VersionLoadError::Script(e) => e,
            });
            (name, loaded)
        })
        .collect()
}

/// Loads the revision chain from `(file name, text)` pairs of `versions/`.
/// Files that do not load are left out (and listed in `problems`).
pub fn load_chain(versions: &[(String, String)]) -> Chain {
    load_chain_with(versions, Rc::new(NoModules))
}

/// [`load_chain`] with the project's modules importable through `loader`.
pub fn load_chain_with(versions: &[(String, String)], loader: Rc<dyn ModuleLoader>) -> Chain {
    let mut problems = Vec::new();
    let mut revisions = Vec::new();
    for (name, loaded) in version_scripts(versions, &mut ScriptCache::new(loader)) {
        match loaded {
            Ok(s) => revisions.push(s.revision_entry()),
            Err(e) => problems.push(problem(&format!("versions/{name}"), &e.diagnostic)),
        }
    }
    chain_of_revisions(revisions, problems)
}

fn chain_of_revisions(revisions: Vec<Revision>, mut problems: Vec<FileProblem>) -> Chain {
    let map = match RevisionMap::new(revisions.clone()) {
        Ok(map) => map,
        Err(e) => {
            problems.push(FileProblem {
                path: revisions.first().map(|r| format!("versions/{}", r.file_name)).unwrap_or_default(),
                line: 1,
                column: 1,
                error: true,
                message: e.to_string(),
            });
            return Chain { revisions: Vec::new(), heads: Vec::new(), problems };
        }
    };
    let order = history_order(&revisions, &map);
    let nodes = order
        .into_iter()
        .map(|r| RevisionNode {
            is_head: map.is_head(&r.revision),
            is_base: map.is_base(&r.revision),
            is_merge_point: map.is_merge_point(&r.revision),
            is_branch_point: map.is_branch_point(&r.revision),
            revision: r.revision.clone(),
            down_revisions: r.down_revisions.clone(),
            branch_labels: r.branch_labels.clone(),
            depends_on: r.depends_on.clone(),
            message: r.doc.clone(),
            path: format!("versions/{}", r.file_name),
        })
        .collect();
    Chain { revisions: nodes, heads: map.heads(), problems }
}

/// `alembic history` order: from the heads down, each revision after every
/// revision that descends from it (a topological order, newest first; ties
/// by the heads' order, then by id).
fn history_order<'a>(revisions: &'a [Revision], map: &RevisionMap) -> Vec<&'a Revision> {
    use std::collections::{BTreeMap, BTreeSet};
    // id → index in `revisions`
    let by_id: BTreeMap<&str, usize> = map_of(revisions.iter().enumerate().map(|(i, r)| (r.revision.as_str(), i)));
    // children count: a revision is emitted once all its children are
    let mut pending: BTreeMap<&str, usize> = map_of(by_id.keys().map(|k| (*k, 0)));
    for r in revisions {
        for d in r.down_revisions.iter().chain(&r.depends_on) {
            if let Some(n) = pending.get_mut(d.as_str()) {
                *n += 1;
            }
        }
    }
    let mut ready: Vec<&str> = Vec::new();
    for h in map.heads().iter().rev() {
        if let Some((k, _)) = by_id.get_key_value(h.as_str()) {
            ready.push(k);
        }
    }
    // heads not reported (e.g. only reached via depends_on)
    for (k, n) in &pending {
        if *n == 0 && !ready.contains(k) {
            ready.insert(0, k);
        }
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    while let Some(id) = ready.pop() {
        if !seen.insert(id) {
            continue;
        }
        let r = &revisions[by_id[id]];
        out.push(r);
        let mut parents: Vec<&str> = r.down_revisions.iter().chain(&r.depends_on).map(String::as_str).collect();
        parents.reverse();
        for p in parents {
            if let Some(n) = pending.get_mut(p) {
                *n -= 1;
                if *n == 0 {
                    if let Some((k, _)) = by_id.get_key_value(p) {
                        ready.push(k);
                    }
                }
            }
        }
    }
    out
}

/// What autogenerate would write now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preview {
    /// The models' MetaData (what was understood of models.py).
    pub models: MetaData,
    /// `models.py`'s problems; with an error, `ops` is empty.
    pub problems: Vec<FileProblem>,
    /// The `upgrade()` body autogenerate would render (`pass` when empty).
    pub upgrade: String,
    /// The ops `upgrade` holds, for the `downgrade()` body on demand
    /// ([`Preview::downgrade`]): the page shows only the upgrade, so the
    /// preview that runs on each keystroke does not render it.
    pub upgrade_ops: crate::ops::UpgradeOps,
    /// How many top-level ops (0: models and database agree).
    pub op_count: usize,
    /// Alembic's `Detected ...` lines.
    pub detected: Vec<String>,
}

/// Compares `models.py` with the `reflected` live schema as
/// `revision --autogenerate` does.
pub fn preview(models_source: &str, reflected: &MetaData) -> Preview {
    preview_with(models_source, &ConnSchema::new(reflected), Rc::new(NoModules))
}

/// [`preview`] against a database side prepared once per database state
/// (`ConnSchema::new` of the live schema), for previews on every keystroke,
/// with the project's own modules importable through `loader`. An
/// exception raised inside one of them is also a problem of that file (at
/// the place it was raised); models.py's problem is at the statement it
/// left models.py by.
pub fn preview_with(models_source: &str, conn: &ConnSchema, loader: Rc<dyn ModuleLoader>) -> Preview {
    preview_deferred(models_source, conn, loader).0
}

/// [`preview_with`], handing back the teardown of models.py's evaluation
/// (see [`models::Teardown`]) so that the page frees those objects after
/// showing the preview rather than before.
pub fn preview_deferred(models_source: &str, conn: &ConnSchema, loader: Rc<dyn ModuleLoader>) -> (Preview, models::Teardown) {
    // One interpretation of models.py serves both the problems and the
    // comparison; a syntax error (found again only when there is an error,
    // as the parse costs as much as a fifth of the preview) is reported alone.
    let (loaded, teardown) = models::load_models_deferred(models_source, loader);
    let mut problems: Vec<FileProblem> = loaded.diagnostics.iter().map(|d| problem("models.py", d)).collect();
    for e in &loaded.exceptions {
        if let Some(raised) = e.traceback.last().filter(|l| l.file != "models.py") {
            problems.push(FileProblem {
                path: raised.file.clone(),
                line: raised.line,
                column: raised.column,
                error: true,
                message: e.to_string(),
            });
        }
    }
    if problems.iter().any(|p| p.error) {
        let parsed = parse_module(models_source);
        if let Some(d) = parsed.diagnostics.iter().find(|d| d.severity == Severity::Error) {
            return (Preview { problems: vec![problem("models.py", d)], ..Preview::default() }, teardown);
        }
        return (Preview { problems, ..Preview::default() }, teardown);
    }
    let comparison = autogen::compare_with(&loaded.metadata, conn);
    if let Some(e) = &comparison.error {
        // autogenerate would stop with this exception: no ops to preview
        let e = crate::runtime::RuntimeError::from(e.clone());
        let message = crate::python::repr::exception_line(e.python_exception(), &e.to_string());
        problems.push(FileProblem { path: "models.py".to_string(), line: 0, column: 0, error: true, message });
        return (Preview { problems, ..Preview::default() }, teardown);
    }
    let preview = Preview {
        op_count: comparison.upgrade.ops.len(),
        upgrade: render::render_body(&comparison.upgrade.ops),
        detected: comparison.log.into_iter().map(|(_, m)| m).collect(),
        upgrade_ops: comparison.upgrade,
        models: loaded.metadata,
        problems,
    };
    (preview, teardown)
}

impl Preview {
    /// The `downgrade()` body autogenerate would render.
    pub fn downgrade(&self) -> String {
        render::render_body(&self.upgrade_ops.reverse().ops)
    }
}

/// One migration step, planned for running an operation at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    pub revision: String,
    pub is_upgrade: bool,
    /// Alembic's `Running ...` text, e.g. `upgrade a1 -> b2, add color`.
    pub description: String,
    /// The body's top-level ops, with the models' naming convention applied
    /// (as `upgrade` runs them).
    pub ops: Vec<crate::ops::Op>,
    /// Each op as the script writes it (`op.add_column(...)`).
    pub labels: Vec<String>,
    /// The `alembic_version` bookkeeping that ends the step.
    pub version_updates: Vec<crate::revision::VersionUpdate>,
}

/// The next step of `upgrade +1` (or `downgrade -1`) from `current`: the
/// same plan, script body and naming convention `upgrade` uses.
pub fn next_step(
    models_source: &str,
    versions: &[(String, String)],
    current: &[String],
    upgrade: bool,
) -> Result<PlannedStep, String> {
    next_step_with(models_source, versions, current, upgrade, &mut ScriptCache::new(Rc::new(NoModules)))
}

/// [`next_step`] with the scripts loaded through `cache` (the host's, so
/// the step runs the modules its commands run).
pub fn next_step_with(
    models_source: &str,
    versions: &[(String, String)],
    current: &[String],
    upgrade: bool,
    cache: &mut ScriptCache,
) -> Result<PlannedStep, String> {
    let mut scripts = Vec::new();
    for (_, loaded) in version_scripts(versions, cache) {
        scripts.push(loaded.map_err(|e| format!("versions/{e}"))?);
    }
    let revisions = scripts
        .iter()
        .map(script::Script::revision_entry)
        .collect();
    let map = RevisionMap::new(revisions).map_err(|e| e.to_string())?;
    let steps = if upgrade { map.upgrade_steps(current, "+1") } else { map.downgrade_steps(current, "-1") }
        .map_err(|e| e.to_string())?;
    let step = steps.into_iter().next().ok_or_else(|| {
        if upgrade { "Nothing to upgrade: the database is at head." } else { "Nothing to downgrade: the database is at base." }
            .to_string()
    })?;
    let script = scripts.iter().find(|s| s.revision == step.revision).ok_or("the step's script is missing")?;
    let body = if upgrade { script.upgrade().clone().map(|u| u.ops) } else { script.downgrade().clone().map(|d| d.ops) };
    let mut ops = body.map_err(|d| format!("versions/{}:{}:{}: {}", script.file_name, d.line, d.column, d.message))?;
    let convention = models::load_models_with(models_source, cache.loader()).metadata.naming_convention;
    crate::runtime::apply_target_naming_convention(&mut ops, &convention).map_err(|e| format!("{}: {e}", e.python_exception()))?;
    let labels = ops.iter().map(|op| render::render_op(op).join("\n")).collect();
    Ok(PlannedStep {
        revision: step.revision.clone(),
        is_upgrade: upgrade,
        description: map.short_log(&step),
        ops,
        labels,
        version_updates: step.version_updates,
    })
}

/// The live schema as autogenerate reflects it.
pub fn live_schema(db: &mut dyn Database) -> Result<MetaData, DbError> {
    reflect::reflect(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODELS: &str = "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass Tag(Base):\n    __tablename__ = \"tag\"\n    id = Column(Integer, primary_key=True, index=True)\n    name = Column(String(50))\n";

    #[test]
    fn preview_of_a_new_table_against_an_empty_database() {
        let p = preview(MODELS, &MetaData::default());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert!(p.upgrade.contains("op.create_table('tag'"), "{}", p.upgrade);
        assert!(p.upgrade.contains("batch_op.create_index"), "{}", p.upgrade);
        assert!(p.downgrade().contains("op.drop_table('tag')"), "{}", p.downgrade());
        assert_eq!(p.detected, vec!["Detected added table 'tag'".to_string(), "Detected added index 'ix_tag_id' on '('id',)'".to_string()]);
    }

    #[test]
    fn a_syntax_error_is_a_problem_at_its_position() {
        let p = preview("class X(:\n", &MetaData::default());
        assert_eq!(p.op_count, 0);
        assert_eq!((p.problems[0].line, p.problems[0].error), (1, true));
    }

    fn script(rev: &str, down: Option<&str>) -> (String, String) {
        let down = down.map(|d| format!("'{d}'")).unwrap_or("None".into());
        (
            format!("{rev}_m.py"),
            format!("\"\"\"msg {rev}\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '{rev}'\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"),
        )
    }

    #[test]
    fn chain_in_history_order_with_branches() {
        let files = vec![script("a1", None), script("b2", Some("a1")), script("c3", Some("a1")), script("d4", Some("b2"))];
        let chain = load_chain(&files);
        assert!(chain.problems.is_empty(), "{:?}", chain.problems);
        let ids: Vec<&str> = chain.revisions.iter().map(|r| r.revision.as_str()).collect();
        assert_eq!(ids.len(), 4);
        assert_eq!(*ids.last().unwrap(), "a1");
        let pos = |id: &str| ids.iter().position(|x| *x == id).unwrap();
        assert!(pos("d4") < pos("b2"));
        assert!(chain.revisions[pos("a1")].is_branch_point);
        assert_eq!(chain.heads.len(), 2);
        assert_eq!(chain.revisions[0].message, format!("msg {}", ids[0]));
    }

    #[test]
    fn next_step_plans_one_revision_each_way() {
        let files = vec![script("a1", None), script("b2", Some("a1"))];
        let up = next_step(MODELS, &files, &["a1".to_string()], true).unwrap();
        assert_eq!((up.revision.as_str(), up.is_upgrade, up.ops.len()), ("b2", true, 0));
        assert!(up.description.contains("a1 -> b2"), "{}", up.description);
        let down = next_step(MODELS, &files, &["a1".to_string()], false).unwrap();
        assert_eq!(down.revision, "a1");
        assert!(next_step(MODELS, &files, &["b2".to_string()], true).is_err());
        assert!(next_step(MODELS, &files, &[], false).is_err());
    }

    #[test]
    fn a_broken_script_is_a_problem_not_a_failure() {
        let mut files = vec![script("a1", None)];
        files.push(("zz_bad.py".into(), "def (\n".into()));
        let chain = load_chain(&files);
        assert_eq!(chain.revisions.len(), 1);
        assert_eq!(chain.problems[0].path, "versions/zz_bad.py");
        assert!(!script_problems("zz_bad.py", "def (\n").is_empty());
    }

    /// Ground truth: Alembic 1.20.1 loads `_b2.py` as a revision, skips
    /// `__init__.py`, `.#c3.py` and `notes.txt`, and fails on a `.py` file
    /// without `revision` (session `version_file_names`).
    #[test]
    fn the_chain_loads_what_alembic_loads() {
        let mut files = vec![script("a1", None)];
        let (_, text) = script("b2", Some("a1"));
        files.push(("_b2.py".into(), text));
        files.push(("__init__.py".into(), "X = 1\n".into()));
        files.push((".#c3.py".into(), "X = 1\n".into()));
        files.push(("notes.txt".into(), "not python\n".into()));
        let chain = load_chain(&files);
        assert!(chain.problems.is_empty(), "{:?}", chain.problems);
        assert_eq!(chain.heads, vec!["b2".to_string()]);
        let up = next_step(MODELS, &files, &["a1".to_string()], true).unwrap();
        assert_eq!(up.revision, "b2");

        files.push(("_helper.py".into(), "HELPER = 1\n".into()));
        let chain = load_chain(&files);
        assert_eq!(chain.problems.len(), 1, "{:?}", chain.problems);
        assert_eq!(chain.problems[0].path, "versions/_helper.py");
        assert!(chain.problems[0].message.starts_with("Could not determine revision id from filename _helper.py"), "{}", chain.problems[0].message);
        assert!(next_step(MODELS, &files, &["a1".to_string()], true).is_err());
    }
}
