//! The revision graph: Alembic's `alembic/script/revision.py` (`RevisionMap`)
//! plus the version-table bookkeeping of `alembic/runtime/migration.py`
//! (`MigrationStep`, `HeadMaintainer`, `StampStep`) and the text that
//! `alembic history / heads / branches / current / show` print
//! (`alembic/script/base.py`: `Script.log_entry`, `Script._head_only`).
//!
//! Invariants:
//! - Pure: the current heads of the database come in as arguments; nothing
//!   here reads files or the database.
//! - The map keeps Alembic's key order: revision ids in the order the scripts
//!   were loaded (file name order), then branch labels. That order decides
//!   the order of `heads`, partial-id matches and the topological sort.
//! - Where Alembic iterates a Python `set` (its order changes from run to run
//!   with the string hash seed: `nextrev`, `branch_labels`, the rows a merge
//!   deletes or an unmerge inserts, the order `current` prints multiple heads
//!   in), this module uses the load order instead. The resulting
//!   `alembic_version` rows are the same set either way.
//! - Errors carry the text Alembic's CLI prints after `FAILED: ` (what
//!   `ScriptDirectory._catch_revision_errors` turns a `RevisionError` into).
//!   Where Alembic crashes with a Python traceback instead, the message says
//!   what the traceback's last line says.
//!
//! For the command layer (observed with Alembic 1.20.1, see
//! `tests/fixtures/revision/*.alembic`):
//! - A failure prints `FAILED: <message>` on stdout, `ERROR
//!   [alembic.util.messaging] <message>` on stderr, exit status 255.
//! - Each step logs `INFO  [alembic.runtime.migration] Running <description>`
//!   on stderr before its version-table update; `--sql` also logs
//!   `Generating static SQL` first and writes `-- Running <short_log>` (no
//!   docstring; [`RevisionMap::short_log`]). Offline, `CREATE TABLE
//!   alembic_version` comes before a step whenever no head is left, and
//!   SQLite's INSERT is `INSERT INTO alembic_version (version_num) VALUES
//!   ('x') RETURNING version_num;`.
//! - `upgrade`, `downgrade`, `stamp`, `history -i` and `show current` create
//!   `alembic_version` when missing *before* anything is resolved (so it exists
//!   even when the command fails); `current` never creates it.
//! - `upgrade a:b` without `--sql`: `Range revision not allowed`; `downgrade`
//!   with `--sql` needs `a:b` (`downgrade with --sql requires
//!   <fromrev>:<torev>`); the start of a range goes through
//!   [`RevisionMap::sql_starting_heads`].
//!
//! Split as Alembic splits it: [`map`] is the graph (`RevisionMap`,
//! `alembic/script/revision.py`); [`steps`] is what each migration step does
//! to `alembic_version` (`MigrationStep`, `StampStep`, `HeadMaintainer` of
//! `alembic/runtime/migration.py`); [`report`] is the text of `history`,
//! `heads`, `branches`, `current` and `show`. This module holds the
//! revision record, the error texts and new-revision checks.

mod map;
mod report;
mod steps;

use std::collections::BTreeSet;

use crate::python::repr::{py_repr_str, py_repr_str_tuple};
use crate::sort::set_of;

pub(crate) use map::py_decimal;
pub use map::RevisionMap;
pub use report::{
    branches, current, heads, history, history_needs_database, show, BranchesOptions, CurrentOptions, HeadsOptions,
    HistoryOptions, ShowOptions,
};
pub use steps::{apply_version_updates, MigrationPlan, MigrationStep, StampPlan, StampStep, VersionUpdate};

use map::Val;

/// One revision as the map knows it (from a script's header).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Revision {
    pub revision: String,
    /// `down_revision`: empty for a base, 2+ for a merge point.
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// Alembic's `Script.doc`: the docstring's first paragraph
    /// (`re.split("\n\n", longdoc)[0]`), which is the `-m` message.
    pub doc: String,
    /// `r0001_step_1.py`
    pub file_name: String,
    /// Alembic's `Script.longdoc`: the whole module docstring, stripped
    /// (`history -v` and `show` print it). Empty: `doc` is used instead.
    pub longdoc: String,
}

impl Revision {
    /// A revision with no labels, dependencies or docstring.
    pub fn new(revision: &str, down_revisions: &[&str], file_name: &str) -> Self {
        Revision {
            revision: revision.to_string(),
            down_revisions: down_revisions.iter().map(|s| s.to_string()).collect(),
            file_name: file_name.to_string(),
            ..Revision::default()
        }
    }

    fn longdoc_text(&self) -> &str {
        if self.longdoc.is_empty() {
            &self.doc
        } else {
            &self.longdoc
        }
    }
}

/// Errors with Alembic's wording, e.g. `Can't locate revision identified by 'x'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    #[error("{0}")]
    Message(String),
}

/// Alembic's exceptions inside `revision.py`, before
/// `ScriptDirectory._catch_revision_errors` turns them into the CLI's text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fail {
    /// `RangeNotAncestorError(lower, upper)` (values as Python's `str()`).
    RangeNotAncestor { lower: String, upper: String },
    /// `MultipleHeads(heads, argument)`
    MultipleHeads { heads: Vec<String>, argument: String },
    /// `ResolutionError(message, argument)`
    Resolution { argument: String },
    /// `RevisionError(message)` and its cycle subclasses.
    Revision(String),
    /// An `AssertionError` / `KeyError` traceback in Alembic.
    Internal(String),
}

type R<T> = Result<T, Fail>;

fn rev_err(msg: impl Into<String>) -> Fail {
    Fail::Revision(msg.into())
}

fn internal(msg: impl Into<String>) -> Fail {
    Fail::Internal(msg.into())
}

/// The arguments of `ScriptDirectory._catch_revision_errors`.
#[derive(Default)]
struct Catch<'a> {
    ancestor: Option<&'a str>,
    multiple_heads: Option<&'a str>,
    start: Option<String>,
    end: Option<String>,
}

fn translate(fail: Fail, catch: &Catch<'_>) -> RevisionError {
    let text = match fail {
        Fail::RangeNotAncestor { lower, upper } => {
            let start = catch.start.clone().unwrap_or(lower);
            let end = catch.end.clone().unwrap_or(upper);
            catch
                .ancestor
                .unwrap_or(
                    "Requested range %(start)s:%(end)s does not refer to \
                     ancestor/descendant revisions along the same branch",
                )
                .replace("%(start)s", &start)
                .replace("%(end)s", &end)
        }
        Fail::MultipleHeads { heads, argument } => {
            let head_arg = match &catch.end {
                Some(end) if !end.is_empty() => end.clone(),
                _ => argument,
            };
            catch
                .multiple_heads
                .unwrap_or(
                    "Multiple head revisions are present for given argument \
                     '%(head_arg)s'; please specify a specific target revision, \
                     '<branchname>@%(head_arg)s' to narrow to a specific head, \
                     or 'heads' for all heads",
                )
                .replace("%(head_arg)s", &head_arg)
                .replace("%(heads)s", &heads.join(", "))
        }
        Fail::Resolution { argument } => {
            format!("Can't locate revision identified by '{argument}'")
        }
        Fail::Revision(msg) | Fail::Internal(msg) => msg,
    };
    RevisionError::Message(text)
}

fn plain(fail: Fail) -> RevisionError {
    translate(fail, &Catch::default())
}

/// A revision argument as Alembic passes it around: `str | tuple | None`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    Nil,
    One(String),
    Many(Vec<String>),
}

impl Arg {
    fn one(s: &str) -> Arg {
        Arg::One(s.to_string())
    }

    /// Python's `str()` of the value (what `%s` shows in a message).
    fn py_str(&self) -> String {
        match self {
            Arg::Nil => "None".to_string(),
            Arg::One(s) => s.clone(),
            Arg::Many(v) => py_repr_str_tuple(v),
        }
    }

    /// `util.to_tuple(x)` (None stays None).
    fn to_tuple(&self) -> Option<Vec<String>> {
        match self {
            Arg::Nil => None,
            Arg::One(s) => Some(vec![s.clone()]),
            Arg::Many(v) => Some(v.clone()),
        }
    }
}

/// `Revision.verify_rev_id`: `Character(s) '-' not allowed in revision identifier 'a-b'`.
pub fn verify_rev_id(revision: &str) -> Result<(), RevisionError> {
    // `sorted(set(revision) & _revision_illegal_chars)`: in code point order.
    let list: Vec<&str> = ["+", "-", ":", "@"].into_iter().filter(|c| revision.contains(c)).collect();
    if list.is_empty() {
        return Ok(());
    }
    Err(RevisionError::Message(format!(
        "Character(s) '{}' not allowed in revision identifier '{}'",
        list.join(", "),
        revision
    )))
}

/// What a new script's header says about its parents
/// (`ScriptDirectory.generate_revision`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewRevisionParents {
    /// `down_revision`: the resolved `--head` (or the merged revisions).
    pub down_revisions: Vec<String>,
    /// `depends_on`: each `--depends-on` resolved to a full id, except that
    /// a branch label stays a label.
    pub depends_on: Vec<String>,
}

impl RevisionMap {
    /// The parents of a new revision: `alembic revision [--head H] [--splice]
    /// [--depends-on D]` (`heads` empty means `head`) and `alembic merge
    /// REV...` (`heads` = the revisions to merge).
    pub fn new_revision_parents(
        &self,
        heads: &[String],
        splice: bool,
        depends_on: &[String],
    ) -> Result<NewRevisionParents, RevisionError> {
        let arg = match heads {
            [] => Arg::one("head"),
            [one] => Arg::One(one.clone()),
            many => Arg::Many(many.to_vec()),
        };
        let catch = Catch {
            multiple_heads: Some(
                "Multiple heads are present; please specify the head revision on which the new \
                 revision should be based, or perform a merge.",
            ),
            ..Catch::default()
        };
        let vals = self.get_revisions_arg(&arg).map_err(|f| translate(f, &catch))?;
        let mut nodes = Vec::new();
        for v in &vals {
            match v {
                Val::Rev(i) => {
                    if nodes.contains(i) {
                        return Err(RevisionError::Message("Duplicate head revisions specified".into()));
                    }
                    nodes.push(*i);
                }
                Val::Base => return Err(RevisionError::Message("AssertionError: h != 'base'".into())),
                Val::Nil => {}
            }
        }
        if !splice {
            if let Some(&i) = nodes.iter().find(|&&i| !self.nodes[i].is_head()) {
                return Err(RevisionError::Message(format!(
                    "Revision {} is not a head revision; please specify --splice to create a new branch from this revision",
                    self.nodes[i].id
                )));
            }
        }
        let mut resolved = Vec::new();
        for dep in depends_on {
            let i = match self.get_revision_arg(&Arg::One(dep.clone())).map_err(plain)? {
                Val::Rev(i) => i,
                _ => return Err(RevisionError::Message("AssertionError: not_none".into())),
            };
            let node = &self.nodes[i];
            resolved.push(if node.labels.contains(dep) { dep.clone() } else { node.id.clone() });
        }
        Ok(NewRevisionParents {
            down_revisions: nodes.iter().map(|&i| self.nodes[i].id.clone()).collect(),
            depends_on: resolved,
        })
    }

    /// `revision --autogenerate` and `check` refuse to run unless the
    /// database's rows name exactly the `heads` revisions
    /// (`Target database is not up to date.`).
    pub fn is_up_to_date(&self, current_heads: &[String]) -> Result<bool, RevisionError> {
        let current: BTreeSet<String> =
            set_of(self.val_ids(&self.get_revisions_arg(&Arg::Many(current_heads.to_vec())).map_err(plain)?).map_err(plain)?);
        let heads: BTreeSet<String> =
            set_of(self.val_ids(&self.get_revisions_arg(&Arg::one("heads")).map_err(plain)?).map_err(plain)?);
        Ok(current == heads)
    }
}

#[cfg(test)]
mod tests {
    use super::map::{py_int, py_int_abs_text, py_splitlines, relative_match};
    use super::*;

    fn rev(id: &str, down: &[&str]) -> Revision {
        Revision { doc: format!("doc {id}"), ..Revision::new(id, down, &format!("{id}_x.py")) }
    }

    fn msg<T: std::fmt::Debug>(r: Result<T, RevisionError>) -> String {
        match r {
            Err(RevisionError::Message(m)) => m,
            Ok(v) => panic!("expected an error, got {v:?}"),
        }
    }

    /// Ground truth: Python's `str(('a1', 'b\nc'))` and friends, as Alembic's
    /// messages print a tuple of revision ids.
    #[test]
    fn tuple_arguments_print_as_python_does() {
        let many = |v: &[&str]| Arg::Many(v.iter().map(|s| s.to_string()).collect()).py_str();
        assert_eq!(many(&["a1", "b\nc"]), "('a1', 'b\\nc')");
        assert_eq!(many(&["it's"]), "(\"it's\",)");
        assert_eq!(many(&["x\u{1}"]), "('x\\x01',)");
    }

    #[test]
    fn graph_shape() {
        let mut b = rev("b", &["a"]);
        b.branch_labels = vec!["feat".into()];
        let map = RevisionMap::new(vec![rev("a", &[]), b, rev("c", &["a"]), rev("m", &["b", "c"])]).unwrap();
        assert_eq!(map.heads(), vec!["m"]);
        assert_eq!(map.bases(), vec!["a"]);
        assert!(map.is_branch_point("a") && !map.is_branch_point("b"));
        assert!(map.is_merge_point("m") && map.is_head("m") && map.is_base("a"));
        assert_eq!(map.nextrev("a"), vec!["b", "c"]);
        // a label stops at the branch point below it and is inherited upwards
        assert_eq!(map.branch_labels("b"), vec!["feat"]);
        assert_eq!(map.branch_labels("m"), vec!["feat"]);
        assert!(map.branch_labels("a").is_empty());
        assert_eq!(map.get_revisions("feat@head").unwrap(), vec!["m"]);
        assert_eq!(map.get_revision("base").unwrap(), None);
    }

    #[test]
    fn version_table_updates_for_a_merge() {
        let map = RevisionMap::new(vec![rev("a", &[]), rev("b", &["a"]), rev("c", &["a"]), rev("m", &["b", "c"])])
            .unwrap();
        let steps = map.upgrade_steps(&[], "heads").unwrap();
        let got: Vec<(&str, &[VersionUpdate])> =
            steps.iter().map(|s| (s.description.as_str(), s.version_updates.as_slice())).collect();
        let up = |f: &str, t: &str| VersionUpdate::Update { from: f.into(), to: t.into() };
        assert_eq!(
            got,
            vec![
                ("upgrade  -> a, doc a", &[VersionUpdate::Insert("a".into())][..]),
                ("upgrade a -> c, doc c", &[up("a", "c")][..]),
                ("upgrade a -> b, doc b", &[VersionUpdate::Insert("b".into())][..]),
                ("upgrade b, c -> m, doc m", &[VersionUpdate::Delete("b".into()), up("c", "m")][..]),
            ]
        );
        let down = map.downgrade_steps(&["m".into()], "base").unwrap();
        let mut rows = vec!["m".to_string()];
        for s in &down {
            apply_version_updates(&mut rows, &s.version_updates);
        }
        assert!(rows.is_empty());
        assert_eq!(down[0].description, "downgrade m -> b, c, doc m");
    }

    #[test]
    fn alembic_error_texts() {
        let map = RevisionMap::new(vec![rev("a", &[]), rev("b", &["a"]), rev("c", &["a"])]).unwrap();
        assert_eq!(
            msg(map.upgrade_steps(&[], "head")),
            "Multiple head revisions are present for given argument 'head'; please specify a specific \
             target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads"
        );
        assert_eq!(msg(map.upgrade_steps(&[], "zz")), "Can't locate revision identified by 'zz'");
        assert_eq!(msg(map.downgrade_steps(&[], "-1")), "Relative revision -1 didn't produce 1 migrations");
        assert_eq!(
            msg(map.stamp_steps(&[], &["head".into()], false)),
            "Multiple heads are present; please specify a single target revision"
        );
        assert_eq!(
            msg(RevisionMap::new(vec![rev("x", &["y"]), rev("y", &["x"])])),
            "Cycle is detected in revisions (x, y)"
        );
        assert_eq!(
            msg(RevisionMap::new(vec![rev("x:1", &[])])),
            "Character(s) ':' not allowed in revision identifier 'x:1'"
        );
    }

    #[test]
    fn stamp_purge_inserts_from_nothing() {
        let map = RevisionMap::new(vec![rev("a", &[]), rev("b", &["a"])]).unwrap();
        let steps = map.stamp_steps(&["a".into(), "zz".into()], &["b".into()], true).unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].description, "stamp_revision  -> b");
        assert_eq!(steps[0].version_updates, vec![VersionUpdate::Insert("b".into())]);
    }

    #[test]
    fn relative_destination_regex() {
        assert_eq!(relative_match("-1"), Some((None, None, "-1".into())));
        assert_eq!(relative_match("+2"), Some((None, None, "+2".into())));
        assert_eq!(relative_match("ae10+2"), Some((None, Some("ae10".into()), "+2".into())));
        assert_eq!(relative_match("br@-1"), Some((Some("br".into()), None, "-1".into())));
        assert_eq!(relative_match("br@head-1"), Some((Some("br".into()), Some("head".into()), "-1".into())));
        assert_eq!(relative_match("r0001"), None);
        assert_eq!(relative_match("head"), None);
        assert_eq!(relative_match("a@b@+1"), Some((Some("a@b".into()), None, "+1".into())));
    }

    #[test]
    fn python_int() {
        assert_eq!(py_int("-1"), Some(-1));
        assert_eq!(py_int("+3"), Some(3));
        assert_eq!(py_int("0001"), Some(1));
        assert_eq!(py_int("r0001"), None);
        assert_eq!(py_int("1_0"), Some(10));
        // Python: int('+٣') == 3; int('-9223372036854775809') is exact, clamped here
        assert_eq!(py_int("+٣"), Some(3));
        assert_eq!(py_int("-9223372036854775809"), Some(i64::MIN));
        assert_eq!(py_int("+18446744073709551617"), Some(i64::MAX));
        assert_eq!(py_int_abs_text("-9223372036854775809"), "9223372036854775809");
        assert_eq!(py_int_abs_text("+٠٢"), "2");
        assert_eq!(py_int("²"), None);
        assert_eq!(relative_match("+٣"), Some((None, None, "+٣".into())));
    }

    #[test]
    fn splitlines_like_python() {
        assert_eq!(py_splitlines("a\n\nb\r\nc"), vec!["a", "", "b", "c"]);
        assert_eq!(py_splitlines(""), Vec::<&str>::new());
        assert_eq!(py_splitlines("a\n"), vec!["a"]);
    }
}
