//! Migration steps and the version table: Alembic's `MigrationStep`,
//! `StampStep` and `HeadMaintainer` (`alembic/runtime/migration.py`).
//!
//! Invariants:
//! - A plan lists each step with the `alembic_version` updates it makes;
//!   the runtime turns them into SQL, nothing here touches a database.
//! - Where Alembic iterates a Python `set` (rows a merge deletes or an
//!   unmerge inserts), load order is used; the resulting rows are the same.

use std::collections::BTreeSet;

use crate::sort::set_of;

use super::map::{py_int, relative_match, Node, Val};
use super::{internal, plain, py_repr_str, translate, Arg, Catch, RevisionError, RevisionMap, R};

/// What one migration step does to `alembic_version` (Alembic's `HeadMaintainer`).
/// The runtime turns these into SQL (online and `--sql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionUpdate {
    /// `INSERT INTO alembic_version (version_num) VALUES ('to')`
    Insert(String),
    /// `UPDATE alembic_version SET version_num='to' WHERE alembic_version.version_num = 'from'`
    Update { from: String, to: String },
    /// `DELETE FROM alembic_version WHERE alembic_version.version_num = 'from'`
    Delete(String),
}

/// One step of an upgrade or downgrade: run one revision's `upgrade()` or
/// `downgrade()`, then apply `version_updates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStep {
    pub revision: String,
    pub is_upgrade: bool,
    pub version_updates: Vec<VersionUpdate>,
    /// The text after `Running ` in Alembic's log, e.g. `upgrade  -> r0001, step_1`
    /// or `downgrade r0002 -> r0001, step_2`.
    pub description: String,
}

/// One step of `alembic stamp` (Alembic's `StampStep`): no script runs; the
/// log says `Running stamp_revision r0001 -> r0002`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampStep {
    pub from_revisions: Vec<String>,
    pub to_revisions: Vec<String>,
    pub is_upgrade: bool,
    pub branch_move: bool,
    pub version_updates: Vec<VersionUpdate>,
    /// `stamp_revision r0002 -> r0003` (also the `--sql` comment: `-- Running ...`).
    pub description: String,
}

/// Applies version updates to the rows of `alembic_version` (in rowid order),
/// as the database does: INSERT appends, UPDATE rewrites in place.
pub fn apply_version_updates(rows: &mut Vec<String>, updates: &[VersionUpdate]) {
    for u in updates {
        match u {
            VersionUpdate::Insert(v) => rows.push(v.clone()),
            VersionUpdate::Update { from, to } => {
                for r in rows.iter_mut().filter(|r| *r == from) {
                    *r = to.clone();
                }
            }
            VersionUpdate::Delete(v) => rows.retain(|r| r != v),
        }
    }
}

/// `HeadMaintainer`: the set of heads while steps run.
struct HeadMaintainer {
    heads: Vec<String>,
}

impl HeadMaintainer {
    fn has(&self, v: &str) -> bool {
        self.heads.iter().any(|h| h == v)
    }
    fn insert(&mut self, v: &str, out: &mut Vec<VersionUpdate>) -> R<()> {
        if self.has(v) {
            return Err(internal(format!("AssertionError: version {v} is already in the version table")));
        }
        self.heads.push(v.to_string());
        out.push(VersionUpdate::Insert(v.to_string()));
        Ok(())
    }
    fn delete(&mut self, v: &str, out: &mut Vec<VersionUpdate>) -> R<()> {
        if !self.has(v) {
            return Err(internal(format!("KeyError: {}", py_repr_str(v))));
        }
        self.heads.retain(|h| h != v);
        out.push(VersionUpdate::Delete(v.to_string()));
        Ok(())
    }
    fn update(&mut self, from: &str, to: &str, out: &mut Vec<VersionUpdate>) -> R<()> {
        if self.has(to) {
            return Err(internal(format!("AssertionError: version {to} is already in the version table")));
        }
        if !self.has(from) {
            return Err(internal(format!("KeyError: {}", py_repr_str(from))));
        }
        for h in self.heads.iter_mut().filter(|h| *h == from) {
            *h = to.to_string();
        }
        out.push(VersionUpdate::Update { from: from.to_string(), to: to.to_string() });
        Ok(())
    }
}

/// The steps of an upgrade or downgrade. Alembic computes all steps first,
/// then runs them one by one; when `error` is set, the last step's script
/// has run (its `Running ...` line is logged) and then updating
/// `alembic_version` failed with `error` after the updates listed in that
/// step (Alembic's `HeadMaintainer` hits a `KeyError`/assertion in graphs
/// whose `depends_on` it cannot follow). Earlier steps stay applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationPlan {
    pub steps: Vec<MigrationStep>,
    pub error: Option<RevisionError>,
}

impl MigrationPlan {
    fn into_result(self) -> Result<Vec<MigrationStep>, RevisionError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.steps),
        }
    }
}

/// The steps of `alembic stamp`; `error` as in [`MigrationPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampPlan {
    pub steps: Vec<StampStep>,
    pub error: Option<RevisionError>,
}

/// `HeadMaintainer.update_to_step(StampStep)`
fn stamp_step_updates(
    from: &[String],
    to: &[String],
    is_upgrade: bool,
    branch_move: bool,
    hm: &mut HeadMaintainer,
    out: &mut Vec<VersionUpdate>,
) -> R<()> {
    let first = |v: &[String]| -> R<String> {
        match v {
            [one] => Ok(one.clone()),
            _ => Err(internal("AssertionError: len == 1")),
        }
    };
    let from_not_in = from.iter().any(|f| !hm.has(f));
    let to_not_in = to.iter().any(|t| !hm.has(t));
    if !is_upgrade && branch_move {
        hm.delete(&first(from)?, out)?;
    } else if is_upgrade && (branch_move || from_not_in) && to_not_in {
        hm.insert(&first(to)?, out)?;
    } else if from.len() > 1 {
        let (last, rest) = from.split_last().ok_or_else(|| internal("IndexError"))?;
        for d in rest {
            hm.delete(d, out)?;
        }
        let to0 = to.first().ok_or_else(|| internal("IndexError: tuple index out of range"))?;
        hm.update(last, to0, out)?;
    } else if to.len() > 1 {
        let (last, rest) = to.split_last().ok_or_else(|| internal("IndexError"))?;
        for i in rest {
            hm.insert(i, out)?;
        }
        let from0 = from.first().ok_or_else(|| internal("IndexError: tuple index out of range"))?;
        hm.update(from0, last, out)?;
    } else {
        hm.update(&first(from)?, &first(to)?, out)?;
    }
    Ok(())
}

impl RevisionMap {
    fn ancestor_ids_of_heads(&self, heads: &[String]) -> R<BTreeSet<String>> {
        let mut nodes = Vec::new();
        for v in self.get_revisions_arg(&Arg::Many(heads.to_vec()))? {
            nodes.push(v.node()?);
        }
        Ok(self.ids_of(&self.ancestors(&nodes, true, false)?))
    }

    /// `RevisionStep._unmerge_to_revisions`
    fn unmerge_to_revisions(&self, node: &Node, heads: &[String]) -> R<Vec<String>> {
        let to = node.normalized_down();
        let other: Vec<String> = heads.iter().filter(|h| **h != node.id).cloned().collect();
        if !other.is_empty() {
            let anc = self.ancestor_ids_of_heads(&other)?;
            Ok(to.into_iter().filter(|t| !anc.contains(t)).collect())
        } else {
            let mut anc = BTreeSet::new();
            for t in &to {
                for a in self.ancestor_ids_of_heads(std::slice::from_ref(t))? {
                    if a != *t {
                        anc.insert(a);
                    }
                }
            }
            Ok(to.into_iter().filter(|t| !anc.contains(t)).collect())
        }
    }

    /// `HeadMaintainer.update_to_step(RevisionStep)`
    fn revision_step_updates(
        &self,
        node: &Node,
        is_upgrade: bool,
        hm: &mut HeadMaintainer,
        out: &mut Vec<VersionUpdate>,
    ) -> R<()> {
        let downrevs = node.normalized_down();
        let in_heads = hm.has(&node.id);
        let intersect: Vec<String> = downrevs.iter().filter(|d| hm.has(d)).cloned().collect();
        // should_delete_branch
        if !is_upgrade && in_heads && (downrevs.is_empty() || self.unmerge_to_revisions(node, &hm.heads)?.is_empty())
        {
            hm.delete(&node.id, out)?;
        } else if is_upgrade && (downrevs.is_empty() || intersect.is_empty()) {
            // should_create_branch
            hm.insert(&node.id, out)?;
        } else if is_upgrade && downrevs.len() > 1 && intersect.len() > 1 {
            // should_merge_branches / merge_branch_idents
            let other: Vec<String> = hm.heads.iter().filter(|h| !downrevs.contains(h)).cloned().collect();
            let from: Vec<String> = if !other.is_empty() {
                let anc = self.ancestor_ids_of_heads(&other)?;
                downrevs.iter().filter(|d| !anc.contains(*d)).cloned().collect()
            } else {
                downrevs.clone()
            };
            let Some((last, rest)) = from.split_last() else {
                return Err(internal("IndexError: list index out of range"));
            };
            for d in rest {
                hm.delete(d, out)?;
            }
            hm.update(last, &node.id, out)?;
        } else if !is_upgrade && in_heads && downrevs.len() > 1 {
            // should_unmerge_branches / unmerge_branch_idents
            let to = self.unmerge_to_revisions(node, &hm.heads)?;
            let Some((last, rest)) = to.split_last() else {
                return Err(internal("IndexError: tuple index out of range"));
            };
            for i in rest {
                hm.insert(i, out)?;
            }
            hm.update(&node.id, last, out)?;
        } else {
            // update_version_num
            let down = if downrevs.len() != 1 {
                if intersect.len() != 1 {
                    return Err(internal(
                        "AssertionError: Can't do an UPDATE because downrevision is ambiguous",
                    ));
                }
                intersect[0].clone()
            } else {
                downrevs[0].clone()
            };
            if is_upgrade {
                hm.update(&down, &node.id, out)?;
            } else {
                hm.update(&node.id, &down, out)?;
            }
        }
        Ok(())
    }

    fn revision_steps(&self, nodes: &[usize], is_upgrade: bool, current_heads: &[String]) -> MigrationPlan {
        let mut hm = HeadMaintainer { heads: Vec::new() };
        for h in current_heads {
            if !hm.has(h) {
                hm.heads.push(h.clone());
            }
        }
        let mut steps = Vec::new();
        for &i in nodes {
            let node = &self.nodes[i];
            let mut version_updates = Vec::new();
            let result = self.revision_step_updates(node, is_upgrade, &mut hm, &mut version_updates);
            let (name, from, to) = if is_upgrade {
                ("upgrade", node.down.join(", "), node.id.clone())
            } else {
                ("downgrade", node.id.clone(), node.down.join(", "))
            };
            let doc = self.revisions.get(node.src).map(|r| r.doc.as_str()).unwrap_or("");
            let description = if doc.is_empty() {
                format!("{name} {from} -> {to}")
            } else {
                format!("{name} {from} -> {to}, {doc}")
            };
            steps.push(MigrationStep { revision: node.id.clone(), is_upgrade, version_updates, description });
            if let Err(f) = result {
                return MigrationPlan { steps, error: Some(plain(f)) };
            }
        }
        MigrationPlan { steps, error: None }
    }

    /// `ScriptDirectory._upgrade_revs(destination, current_heads)` plus what
    /// `HeadMaintainer` does to `alembic_version` after each step, starting
    /// from `current_heads` (the table's rows, or the `--sql` start).
    /// `Err`: nothing runs. See [`MigrationPlan`] for a failure mid-way.
    pub fn upgrade_plan(&self, current_heads: &[String], destination: &str) -> Result<MigrationPlan, RevisionError> {
        let catch = Catch {
            ancestor: Some("Destination %(end)s is not a valid upgrade target from current head(s)"),
            end: Some(destination.to_string()),
            ..Catch::default()
        };
        let mut order = self
            .iterate_revisions(&Arg::one(destination), &Arg::Many(current_heads.to_vec()), true, false, true, false)
            .map_err(|f| translate(f, &catch))?;
        order.reverse();
        Ok(self.revision_steps(&order, true, current_heads))
    }

    /// `ScriptDirectory._downgrade_revs(destination, current_heads)` plus the
    /// version-table updates.
    pub fn downgrade_plan(&self, current_heads: &[String], destination: &str) -> Result<MigrationPlan, RevisionError> {
        let catch = Catch {
            ancestor: Some("Destination %(end)s is not a valid downgrade target from current head(s)"),
            end: Some(destination.to_string()),
            ..Catch::default()
        };
        let order = self
            .iterate_revisions(&Arg::Many(current_heads.to_vec()), &Arg::one(destination), false, false, true, true)
            .map_err(|f| translate(f, &catch))?;
        Ok(self.revision_steps(&order, false, current_heads))
    }

    /// The Python `UserWarning` Alembic prints (to stderr, before anything
    /// else happens, whether or not the downgrade then fails) for `downgrade
    /// -N` from several heads: `downgrade -1 from multiple heads is
    /// ambiguous; this usage will be disallowed in a future release.`
    pub fn downgrade_warnings(&self, current_heads: &[String], destination: &str) -> Vec<String> {
        let unique: BTreeSet<&str> = set_of(current_heads.iter().map(String::as_str));
        match relative_match(destination) {
            Some((None, None, relative)) if py_int(&relative).is_some_and(|r| r < 0) && unique.len() > 1 => {
                vec!["downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release."
                    .to_string()]
            }
            _ => Vec::new(),
        }
    }

    /// [`Self::upgrade_plan`], failing as a whole when any step would fail.
    pub fn upgrade_steps(&self, current_heads: &[String], destination: &str) -> Result<Vec<MigrationStep>, RevisionError> {
        self.upgrade_plan(current_heads, destination)?.into_result()
    }

    /// [`Self::downgrade_plan`], failing as a whole when any step would fail.
    pub fn downgrade_steps(
        &self,
        current_heads: &[String],
        destination: &str,
    ) -> Result<Vec<MigrationStep>, RevisionError> {
        self.downgrade_plan(current_heads, destination)?.into_result()
    }

    /// `alembic stamp DEST...`: `ScriptDirectory._stamp_revs` plus the
    /// version-table updates. With `purge`, Alembic first empties the table
    /// (`DELETE FROM alembic_version`, done by the caller) and stamps from no heads.
    pub fn stamp_plan(
        &self,
        current_heads: &[String],
        destinations: &[String],
        purge: bool,
    ) -> Result<StampPlan, RevisionError> {
        let catch = Catch {
            multiple_heads: Some("Multiple heads are present; please specify a single target revision"),
            ..Catch::default()
        };
        let heads: Vec<String> = if purge { Vec::new() } else { current_heads.to_vec() };
        self.stamp_inner(&heads, destinations).map_err(|f| translate(f, &catch))
    }

    /// [`Self::stamp_plan`], failing as a whole when any step would fail.
    pub fn stamp_steps(
        &self,
        current_heads: &[String],
        destinations: &[String],
        purge: bool,
    ) -> Result<Vec<StampStep>, RevisionError> {
        let plan = self.stamp_plan(current_heads, destinations, purge)?;
        match plan.error {
            Some(e) => Err(e),
            None => Ok(plan.steps),
        }
    }

    fn stamp_inner(&self, heads: &[String], destinations: &[String]) -> R<StampPlan> {
        let mut heads_revs = Vec::new();
        for v in self.get_revisions_arg(&Arg::Many(heads.to_vec()))? {
            heads_revs.push(v.node()?);
        }
        let destinations: Vec<String> = if destinations.is_empty() { vec!["base".to_string()] } else { destinations.to_vec() };
        let mut filtered: Vec<usize> = Vec::new();
        for rev in &destinations {
            if rev.is_empty() {
                continue;
            }
            for h in self.filter_nodes_for_lineage(&heads_revs, &Arg::One(rev.clone()), true)? {
                if !filtered.contains(&h) {
                    filtered.push(h);
                }
            }
        }
        let mut dests = self.get_revisions_arg(&Arg::Many(destinations.clone()))?;
        if dests.is_empty() {
            dests = vec![Val::Nil];
        }
        let mut raw: Vec<(Vec<String>, Vec<String>, bool, bool)> = Vec::new();
        for dest in dests {
            let d = match dest {
                Val::Nil => {
                    for &h in &filtered {
                        raw.push((vec![self.nodes[h].id.clone()], Vec::new(), false, true));
                    }
                    continue;
                }
                Val::Base => return Err(internal("AttributeError: 'str' object has no attribute 'revision'")),
                Val::Rev(d) => d,
            };
            if filtered.contains(&d) {
                continue;
            }
            let desc: BTreeSet<usize> = set_of(self.descendants(&[d], true, false)?);
            let anc: BTreeSet<usize> = set_of(self.ancestors(&[d], true, false)?);
            let todo_heads: Vec<String> = filtered.iter().map(|&h| self.nodes[h].id.clone()).collect();
            let dest_id = self.nodes[d].id.clone();
            if filtered.iter().any(|h| desc.contains(h)) {
                raw.push((todo_heads, vec![dest_id], false, false));
            } else if filtered.iter().any(|h| anc.contains(h)) {
                raw.push((todo_heads, vec![dest_id], true, false));
            } else {
                raw.push((Vec::new(), vec![dest_id], true, true));
            }
        }
        let mut hm = HeadMaintainer { heads: Vec::new() };
        for h in heads {
            if !hm.has(h) {
                hm.heads.push(h.clone());
            }
        }
        let mut steps = Vec::new();
        for (from, to, is_upgrade, branch_move) in raw {
            let mut out = Vec::new();
            let result = stamp_step_updates(&from, &to, is_upgrade, branch_move, &mut hm, &mut out);
            let description = format!("stamp_revision {} -> {}", from.join(", "), to.join(", "));
            steps.push(StampStep {
                from_revisions: from,
                to_revisions: to,
                is_upgrade,
                branch_move,
                version_updates: out,
                description,
            });
            if let Err(f) = result {
                return Ok(StampPlan { steps, error: Some(plain(f)) });
            }
        }
        Ok(StampPlan { steps, error: None })
    }

    /// `MigrationStep.short_log` (the `-- Running upgrade  -> r0001` comment
    /// of `--sql`): the description without the docstring.
    pub fn short_log(&self, step: &MigrationStep) -> String {
        let down = self.find(&step.revision).map(|n| n.down.join(", ")).unwrap_or_default();
        if step.is_upgrade {
            format!("upgrade {} -> {}", down, step.revision)
        } else {
            format!("downgrade {} -> {}", step.revision, down)
        }
    }
}
