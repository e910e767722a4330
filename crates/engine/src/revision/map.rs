//! The revision graph: Alembic's `RevisionMap` (`alembic/script/revision.py`):
//! building it from the scripts' headers, resolving revision arguments
//! (ids, partial ids, branch labels, `heads`, `base`, relative `+n`/`-n`),
//! and the upgrade / downgrade traversals.
//!
//! Invariants:
//! - Keys keep Alembic's order: ids in load order, then branch labels; that
//!   order decides `heads`, partial-id matches and the topological sort.
//! - Pure: the database's current heads come in as arguments.
//! - Failures are `Fail`s (Alembic's exception classes), turned into the CLI's
//!   text only at the public methods.

use std::collections::{BTreeMap, BTreeSet};

use crate::sort::set_of;

use super::{
    internal, plain, py_repr_str, rev_err, translate, verify_rev_id, Arg, Catch, Fail, Revision, RevisionError, R,
};

/// A value Alembic's traversal functions return: a `Revision`, the string
/// `"base"`, or `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Val {
    Rev(usize),
    Base,
    Nil,
}

impl Val {
    /// `is_revision(rev)`: an `AssertionError` in Alembic when it is not one.
    pub(super) fn node(self) -> R<usize> {
        match self {
            Val::Rev(i) => Ok(i),
            Val::Base => Err(internal("AssertionError: expected a revision, got 'base'")),
            Val::Nil => Err(internal("AssertionError: expected a revision, got None")),
        }
    }
}

/// A revision in the map, with what `RevisionMap._revision_map` computes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Node {
    /// Index into `RevisionMap::revisions`.
    pub(super) src: usize,
    pub(super) id: String,
    /// `_versioned_down_revisions`
    pub(super) down: Vec<String>,
    /// `dependencies` as written (may name branch labels).
    pub(super) deps: Vec<String>,
    /// `_resolved_dependencies`
    pub(super) resolved_deps: Vec<String>,
    /// `_normalized_resolved_dependencies`
    pub(super) normalized_deps: Vec<String>,
    /// `_orig_branch_labels`
    pub(super) orig_labels: Vec<String>,
    /// `branch_labels`, including those inherited along the branch.
    pub(super) labels: Vec<String>,
    /// `nextrev`: revisions whose `down_revision` names this one.
    pub(super) nextrev: Vec<String>,
    /// `_all_nextrev`: the same including `depends_on`.
    pub(super) all_nextrev: Vec<String>,
}

pub(super) fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

impl Node {
    /// `_all_down_revisions`
    pub(super) fn all_down(&self) -> Vec<String> {
        let mut v = Vec::new();
        for s in self.down.iter().chain(self.resolved_deps.iter()) {
            push_unique(&mut v, s);
        }
        v
    }
    /// `_normalized_down_revisions`
    pub(super) fn normalized_down(&self) -> Vec<String> {
        let mut v = Vec::new();
        for s in self.down.iter().chain(self.normalized_deps.iter()) {
            push_unique(&mut v, s);
        }
        v
    }
    pub(super) fn is_head(&self) -> bool {
        self.nextrev.is_empty()
    }
    pub(super) fn is_real_head(&self) -> bool {
        self.all_nextrev.is_empty()
    }
    pub(super) fn is_branch_point(&self) -> bool {
        self.nextrev.len() > 1
    }
    pub(super) fn is_real_branch_point(&self) -> bool {
        self.all_nextrev.len() > 1
    }
    pub(super) fn is_merge_point(&self) -> bool {
        self.down.len() > 1
    }
    /// The labels as output shows them: Alembic prints a Python set (its
    /// order changes from run to run); sorted here.
    pub(super) fn sorted_labels(&self) -> String {
        let mut v: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        crate::sort::sort(&mut v);
        v.join(", ")
    }

    /// `Script._format_down_revision`
    pub(super) fn format_down(&self) -> String {
        if self.down.is_empty() {
            "<base>".to_string()
        } else {
            self.down.join(", ")
        }
    }
}

/// Which edges `_iterate_related_revisions` follows.
#[derive(Clone, Copy)]
pub(super) enum Edge {
    /// `_versioned_down_revisions`
    Down,
    /// `_normalized_down_revisions` (ancestors including dependencies)
    NormalizedDown,
    /// `_all_down_revisions`
    AllDown,
    /// `nextrev`
    Next,
    /// `_all_nextrev`
    AllNext,
}

/// The graph of revisions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RevisionMap {
    pub revisions: Vec<Revision>,
    pub(super) nodes: Vec<Node>,
    /// `_revision_map` keys in order: ids, then branch labels.
    pub(super) keys: Vec<String>,
    pub(super) lookup: BTreeMap<String, usize>,
    pub(super) heads: Vec<usize>,
    pub(super) real_heads: Vec<usize>,
    pub(super) bases: Vec<usize>,
    pub(super) real_bases: Vec<usize>,
    pub(super) warnings: Vec<String>,
}

/// The first code point of every run of ten Unicode decimal digits (`Nd`,
/// Unicode 14 as Python 3.11 has it): what `int()` and a `str` pattern's
/// `\d` accept besides `0-9`.
pub(super) const DECIMAL_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50,
    0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
    0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
    0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6,
    0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// `unicodedata.decimal(c)`: the value of a decimal digit of any script.
pub(crate) fn py_decimal(c: char) -> Option<u32> {
    let cp = c as u32;
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= cp).checked_sub(1)?;
    let v = cp - DECIMAL_ZEROS[i];
    (v < 10).then_some(v)
}

/// Python's `int()` on a string: sign, decimal digits of any script,
/// single underscores between digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PyInt {
    pub(super) negative: bool,
    /// The magnitude in ASCII digits without leading zeros (`"0"` for zero),
    /// as `%d` prints it, however large.
    pub(super) magnitude: String,
}

impl PyInt {
    pub(super) fn parse(s: &str) -> Option<PyInt> {
        let t = s.trim();
        let (negative, digits) = match t.chars().next() {
            Some('-') => (true, &t[1..]),
            Some('+') => (false, &t[1..]),
            _ => (false, t),
        };
        if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
            return None;
        }
        let mut magnitude = String::new();
        for c in digits.chars().filter(|&c| c != '_') {
            let d = py_decimal(c)?;
            if !(magnitude.is_empty() && d == 0) {
                magnitude.push(char::from_digit(d, 10)?);
            }
        }
        if magnitude.is_empty() {
            magnitude.push('0');
        }
        Some(PyInt { negative: negative && magnitude != "0", magnitude })
    }

    /// The value, clamped to `i64` (a walk of more steps than the map has
    /// revisions stops at its end either way).
    pub(super) fn saturating(&self) -> i64 {
        match self.magnitude.parse::<i64>() {
            Ok(n) if self.negative => -n,
            Ok(n) => n,
            Err(_) if self.negative => i64::MIN,
            Err(_) => i64::MAX,
        }
    }
}

/// Python's `int()` on a string, for the `-N` checks (clamped to `i64`).
pub(super) fn py_int(s: &str) -> Option<i64> {
    PyInt::parse(s).map(|i| i.saturating())
}

/// `abs(int(s))` as `%d` prints it, for "didn't produce N migrations".
pub(super) fn py_int_abs_text(s: &str) -> String {
    PyInt::parse(s).map(|i| i.magnitude).unwrap_or_else(|| "0".into())
}

pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `_relative_destination.match(target)`:
/// `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, anchored at the start only.
pub(super) fn relative_match(s: &str) -> Option<(Option<String>, Option<String>, String)> {
    pub(super) fn rest(s: &str) -> Option<(Option<String>, String)> {
        let word_end = s.char_indices().find(|(_, c)| !is_word(*c)).map(|(i, _)| i).unwrap_or(s.len());
        let (word, tail) = s.split_at(word_end);
        let mut chars = tail.chars();
        let sign = chars.next()?;
        if sign != '+' && sign != '-' {
            return None;
        }
        let after = &tail[1..];
        let digits_end =
            after.char_indices().find(|(_, c)| py_decimal(*c).is_none()).map(|(i, _)| i).unwrap_or(after.len());
        if digits_end == 0 {
            return None;
        }
        let symbol = if word.is_empty() { None } else { Some(word.to_string()) };
        Some((symbol, format!("{sign}{}", &after[..digits_end])))
    }
    let first_line = s.split('\n').next().unwrap_or("");
    for (i, c) in s.char_indices() {
        if c == '@' && i > 0 && i <= first_line.len() {
            if let Some((symbol, rel)) = rest(&s[i + 1..]) {
                return Some((Some(s[..i].to_string()), symbol, rel));
            }
        }
    }
    rest(s).map(|(symbol, rel)| (None, symbol, rel))
}

/// Python's `str.splitlines()`.
pub(super) fn py_splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let brk = matches!(
            c,
            '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
        );
        if brk {
            out.push(&s[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r' {
                if let Some((j, '\n')) = iter.peek().copied() {
                    iter.next();
                    next = j + 1;
                }
            }
            start = next;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

impl RevisionMap {
    /// `RevisionMap._revision_map`: builds heads, bases, `nextrev`, branch
    /// labels (inherited along the branch) and resolved `depends_on`.
    /// `revisions` come in load order (the versions directory sorted by name).
    pub fn new(revisions: Vec<Revision>) -> Result<Self, RevisionError> {
        Self::build(revisions).map_err(plain)
    }

    pub(super) fn build(revisions: Vec<Revision>) -> R<Self> {
        let mut map = RevisionMap { revisions, ..RevisionMap::default() };
        let mut has_branch_labels: Vec<usize> = Vec::new();
        let mut heads: Vec<usize> = Vec::new();
        let mut real_heads: Vec<usize> = Vec::new();
        for (src, rev) in map.revisions.iter().enumerate() {
            // Revision.__init__
            let id = rev.revision.clone();
            if rev.down_revisions.contains(&id) {
                return Err(rev_err(format!("Self-loop is detected in revisions ({id})")));
            }
            if rev.depends_on.contains(&id) {
                return Err(rev_err(format!("Dependency self-loop is detected in revisions ({id})")));
            }
            verify_rev_id(&id).map_err(|RevisionError::Message(m)| rev_err(m))?;
            let mut orig_labels = Vec::new();
            for l in &rev.branch_labels {
                orig_labels.push(l.clone());
            }
            let mut labels = Vec::new();
            for l in &orig_labels {
                push_unique(&mut labels, l);
            }
            let node = Node {
                src,
                id: id.clone(),
                down: rev.down_revisions.clone(),
                deps: rev.depends_on.clone(),
                orig_labels,
                labels,
                ..Node::default()
            };
            let idx = map.nodes.len();
            if map.lookup.contains_key(&id) {
                map.warnings.push(format!("Revision {id} is present more than once"));
            } else {
                map.keys.push(id.clone());
            }
            map.lookup.insert(id, idx);
            if !node.labels.is_empty() {
                has_branch_labels.push(idx);
            }
            heads.push(idx);
            real_heads.push(idx);
            if node.down.is_empty() {
                map.bases.push(idx);
                if node.deps.is_empty() {
                    map.real_bases.push(idx);
                }
            }
            map.nodes.push(node);
        }
        let id_lookup = map.lookup.clone();

        // _map_branch_labels
        for &idx in &has_branch_labels {
            for label in map.nodes[idx].orig_labels.clone() {
                if let Some(&other) = map.lookup.get(&label) {
                    return Err(rev_err(format!(
                        "Branch name '{}' in revision {} already used by revision {}",
                        label, map.nodes[idx].id, map.nodes[other].id
                    )));
                }
                map.lookup.insert(label.clone(), idx);
                map.keys.push(label);
            }
        }

        // _add_depends_on
        for idx in 0..map.nodes.len() {
            let mut resolved = Vec::new();
            for dep in map.nodes[idx].deps.clone() {
                match map.lookup.get(&dep) {
                    Some(&d) => resolved.push(map.nodes[d].id.clone()),
                    None => return Err(internal(format!("KeyError: {}", py_repr_str(&dep)))),
                }
            }
            map.nodes[idx].resolved_deps = resolved;
        }

        // nextrev / heads
        let value_order: Vec<usize> = map.keys.iter().filter_map(|k| map.lookup.get(k).copied()).collect();
        for &idx in &value_order {
            let all_down = map.nodes[idx].all_down();
            for downrev in all_down {
                let Some(&d) = map.lookup.get(&downrev) else {
                    // Alembic warns with `str(Script)` and then fails with a KeyError.
                    let n = &map.nodes[idx];
                    let doc = map.revisions.get(n.src).map(|r| r.doc.as_str()).unwrap_or("");
                    return Err(internal(format!(
                        "Revision {} referenced from {} -> {}{}{}{}, {} is not present",
                        downrev,
                        n.format_down(),
                        n.id,
                        if n.is_head() { " (head)" } else { "" },
                        if n.is_branch_point() { " (branchpoint)" } else { "" },
                        if n.is_merge_point() { " (mergepoint)" } else { "" },
                        doc
                    )));
                };
                let rev_id = map.nodes[idx].id.clone();
                let versioned = map.nodes[idx].down.contains(&downrev);
                let down_node = &mut map.nodes[d];
                push_unique(&mut down_node.all_nextrev, &rev_id);
                let down_id = down_node.id.clone();
                if map.nodes[idx].down.contains(&down_id) {
                    push_unique(&mut map.nodes[d].nextrev, &rev_id);
                }
                if versioned {
                    heads.retain(|&h| h != d);
                }
                real_heads.retain(|&h| h != d);
            }
        }

        // _normalize_depends_on
        for idx in 0..map.nodes.len() {
            if map.nodes[idx].resolved_deps.is_empty() {
                continue;
            }
            let mut normalized = map.nodes[idx].resolved_deps.clone();
            for anc in map.iterate_related(Edge::Down, &[idx], false)? {
                if anc == idx {
                    continue;
                }
                let theirs = map.nodes[anc].resolved_deps.clone();
                normalized.retain(|d| !theirs.contains(d));
            }
            map.nodes[idx].normalized_deps = normalized;
        }

        map.heads = heads;
        map.real_heads = real_heads;
        map.detect_cycles(&id_lookup)?;

        // _add_branches
        for &idx in &has_branch_labels {
            let labels = map.nodes[idx].labels.clone();
            let descendants = map.iterate_related(Edge::Next, &[idx], false)?;
            for &n in &descendants {
                for l in &labels {
                    push_unique(&mut map.nodes[n].labels, l);
                }
            }
            let mut parent = descendants.last().copied();
            let mut walked: Vec<String> = Vec::new();
            while let Some(p) = parent {
                // Alembic loops forever when duplicate revision ids hide a
                // cycle from _detect_cycles; stop and say so instead
                if walked.len() > map.nodes.len() {
                    crate::sort::sort(&mut walked);
                    walked.dedup();
                    return Err(rev_err(format!("Cycle is detected in revisions ({})", walked.join(", "))));
                }
                walked.push(map.nodes[p].id.clone());
                let node = &map.nodes[p];
                if node.is_real_branch_point() || node.is_merge_point() {
                    break;
                }
                for l in &labels {
                    push_unique(&mut map.nodes[p].labels, l);
                }
                let node = &map.nodes[p];
                match node.down.first() {
                    Some(d) => match map.lookup.get(d) {
                        Some(&next) => parent = Some(next),
                        None => return Err(internal(format!("KeyError: {}", py_repr_str(d)))),
                    },
                    None => break,
                }
            }
        }
        Ok(map)
    }

    /// `_detect_cycles`
    pub(super) fn detect_cycles(&self, id_lookup: &BTreeMap<String, usize>) -> R<()> {
        if id_lookup.is_empty() {
            return Ok(());
        }
        let all_ids = || -> Vec<String> { self.keys.iter().filter(|k| id_lookup.contains_key(*k)).cloned().collect() };
        if self.heads.is_empty() || self.bases.is_empty() {
            return Err(rev_err(format!("Cycle is detected in revisions ({})", all_ids().join(", "))));
        }
        // Ids borrowed, not copied: a chain of thousands builds these sets four times.
        let space = |down: Edge, up: Edge, heads: &[usize], bases: &[usize]| -> R<Vec<String>> {
            let a: BTreeSet<&str> = set_of(self.iterate_related(down, heads, false)?.into_iter().map(|i| self.nodes[i].id.as_str()));
            let b: BTreeSet<&str> = set_of(self.iterate_related(up, bases, false)?.into_iter().map(|i| self.nodes[i].id.as_str()));
            Ok(id_lookup.keys().filter(|k| !(a.contains(k.as_str()) && b.contains(k.as_str()))).cloned().collect())
        };
        let deleted = space(Edge::Down, Edge::Next, &self.heads, &self.bases)?;
        if !deleted.is_empty() {
            return Err(rev_err(format!("Cycle is detected in revisions ({})", deleted.join(", "))));
        }
        if self.real_heads.is_empty() || self.real_bases.is_empty() {
            return Err(rev_err(format!(
                "Dependency cycle is detected in revisions ({})",
                all_ids().join(", ")
            )));
        }
        let deleted = space(Edge::AllDown, Edge::AllNext, &self.real_heads, &self.real_bases)?;
        if !deleted.is_empty() {
            return Err(rev_err(format!(
                "Dependency cycle is detected in revisions ({})",
                deleted.join(", ")
            )));
        }
        Ok(())
    }

    // ----- simple accessors -------------------------------------------------

    pub(super) fn find(&self, id: &str) -> Option<&Node> {
        let &i = self.lookup.get(id)?;
        let n = self.nodes.get(i)?;
        (n.id == id).then_some(n)
    }

    /// `RevisionMap.heads`: revisions nothing names as `down_revision`, in load order.
    pub fn heads(&self) -> Vec<String> {
        self.heads.iter().map(|&i| self.nodes[i].id.clone()).collect()
    }

    /// `_real_heads`: heads that are no other revision's `depends_on` either
    /// (`heads --resolve-dependencies`, the `heads` target).
    pub fn real_heads(&self) -> Vec<String> {
        self.real_heads.iter().map(|&i| self.nodes[i].id.clone()).collect()
    }

    /// `RevisionMap.bases`: revisions with no `down_revision`.
    pub fn bases(&self) -> Vec<String> {
        self.bases.iter().map(|&i| self.nodes[i].id.clone()).collect()
    }

    /// Warnings Alembic prints while loading (`Revision x is present more than once`).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.find(id).and_then(|n| self.revisions.get(n.src))
    }

    pub fn is_head(&self, id: &str) -> bool {
        self.find(id).is_some_and(Node::is_head)
    }

    pub fn is_base(&self, id: &str) -> bool {
        self.find(id).is_some_and(|n| n.down.is_empty())
    }

    pub fn is_branch_point(&self, id: &str) -> bool {
        self.find(id).is_some_and(Node::is_branch_point)
    }

    pub fn is_merge_point(&self, id: &str) -> bool {
        self.find(id).is_some_and(Node::is_merge_point)
    }

    /// The revision's branch labels including those inherited along its branch.
    pub fn branch_labels(&self, id: &str) -> Vec<String> {
        self.find(id).map(|n| n.labels.clone()).unwrap_or_default()
    }

    /// `nextrev`: the revisions whose `down_revision` names `id`, in load order.
    pub fn nextrev(&self, id: &str) -> Vec<String> {
        self.find(id).map(|n| n.nextrev.clone()).unwrap_or_default()
    }

    /// `ScriptDirectory.get_current_head()`: the single head, `None` for an
    /// empty map, an error when there are several.
    pub fn get_current_head(&self) -> Result<Option<String>, RevisionError> {
        self.current_head(None).map_err(|f| {
            translate(
                f,
                &Catch {
                    multiple_heads: Some(
                        "The script directory has multiple heads (due to branching).\
                         Please use get_heads(), or merge the branches using alembic merge.",
                    ),
                    ..Catch::default()
                },
            )
        })
    }

    /// `ScriptDirectory.get_revisions(id)`: resolves a symbol (`head`,
    /// `heads`, `base`, `label@head`, a partial id, `-1`, ...) to revision ids.
    pub fn get_revisions(&self, id: &str) -> Result<Vec<String>, RevisionError> {
        let vals = self.get_revisions_arg(&Arg::one(id)).map_err(plain)?;
        self.val_ids(&vals).map_err(plain)
    }

    /// `ScriptDirectory.get_revision(id)`: one revision id, `None` for `base`.
    pub fn get_revision(&self, id: &str) -> Result<Option<String>, RevisionError> {
        match self.get_revision_arg(&Arg::one(id)).map_err(plain)? {
            Val::Rev(i) => Ok(Some(self.nodes[i].id.clone())),
            Val::Base | Val::Nil => Ok(None),
        }
    }

    /// What `alembic upgrade/downgrade/stamp START:END --sql` starts from:
    /// `MigrationContext.get_current_heads()` in offline mode resolves START
    /// with `get_revision` (`base` → no heads).
    pub fn sql_starting_heads(&self, start: &str) -> Result<Vec<String>, RevisionError> {
        if start == "base" {
            return Ok(Vec::new());
        }
        match self.get_revision_arg(&Arg::one(start)).map_err(plain)? {
            Val::Rev(i) => Ok(vec![self.nodes[i].id.clone()]),
            _ => Err(RevisionError::Message("AttributeError: 'NoneType' object has no attribute 'revision'".into())),
        }
    }

    pub(super) fn val_ids(&self, vals: &[Val]) -> R<Vec<String>> {
        vals.iter().map(|v| v.node().map(|i| self.nodes[i].id.clone())).collect()
    }

    pub(super) fn node_by_key(&self, key: &str) -> R<usize> {
        self.lookup.get(key).copied().ok_or_else(|| internal(format!("KeyError: {}", py_repr_str(key))))
    }

    // ----- traversal --------------------------------------------------------

    /// `_iterate_related_revisions`: depth-first, yields each node once.
    pub(super) fn iterate_related(&self, edge: Edge, targets: &[usize], check: bool) -> R<Vec<usize>> {
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut out = Vec::new();
        for &target in targets {
            let mut todo = vec![target];
            let mut per_target: BTreeSet<usize> = BTreeSet::new();
            while let Some(rev) = todo.pop() {
                if check {
                    per_target.insert(rev);
                }
                if !seen.insert(rev) {
                    continue;
                }
                let node = &self.nodes[rev];
                let next: Vec<String> = match edge {
                    Edge::Down => node.down.clone(),
                    Edge::NormalizedDown => node.normalized_down(),
                    Edge::AllDown => node.all_down(),
                    Edge::Next => node.nextrev.clone(),
                    Edge::AllNext => node.all_nextrev.clone(),
                };
                for rev_id in next {
                    let n = self.node_by_key(&rev_id)?;
                    if self.nodes[n].id != rev_id {
                        return Err(rev_err("Dependency resolution failed; broken map"));
                    }
                    todo.push(n);
                }
                out.push(rev);
            }
            if check {
                let overlaps: Vec<String> = per_target
                    .iter()
                    .filter(|&&r| r != target && targets.contains(&r))
                    .map(|&r| self.nodes[r].id.clone())
                    .collect();
                if !overlaps.is_empty() {
                    return Err(rev_err(format!(
                        "Requested revision {} overlaps with other requested revisions {}",
                        self.nodes[target].id,
                        overlaps.join(", ")
                    )));
                }
            }
        }
        Ok(out)
    }

    /// `_get_ancestor_nodes` (targets included).
    pub(super) fn ancestors(&self, targets: &[usize], include_dependencies: bool, check: bool) -> R<Vec<usize>> {
        let edge = if include_dependencies { Edge::NormalizedDown } else { Edge::Down };
        self.iterate_related(edge, targets, check)
    }

    /// `_get_descendant_nodes` (targets included).
    pub(super) fn descendants(&self, targets: &[usize], include_dependencies: bool, check: bool) -> R<Vec<usize>> {
        let edge = if include_dependencies { Edge::AllNext } else { Edge::Next };
        self.iterate_related(edge, targets, check)
    }

    pub(super) fn ids_of(&self, nodes: &[usize]) -> BTreeSet<String> {
        set_of(nodes.iter().map(|&i| self.nodes[i].id.clone()))
    }

    // ----- resolution -------------------------------------------------------

    /// `get_current_head(branch_label)`
    pub(super) fn current_head(&self, branch_label: Option<&str>) -> R<Option<String>> {
        let mut current: Vec<String> = self.heads();
        if let Some(label) = branch_label.filter(|l| !l.is_empty()) {
            current = self.filter_ids_for_lineage(&current, &Arg::one(label), false)?;
        }
        if current.len() > 1 {
            let argument = match branch_label.filter(|l| !l.is_empty()) {
                Some(l) => format!("{l}@head"),
                None => "head".to_string(),
            };
            return Err(Fail::MultipleHeads { heads: current, argument });
        }
        Ok(current.into_iter().next())
    }

    /// `_resolve_revision_number`
    pub(super) fn resolve_number(&self, id: &Arg) -> R<(Vec<String>, Option<String>)> {
        let (branch_label, id) = match id {
            Arg::One(s) if s.contains('@') => {
                let (l, rest) = s.split_once('@').unwrap_or((s, ""));
                (Some(l.to_string()), Arg::one(rest))
            }
            other => (None, other.clone()),
        };
        let label_truthy = branch_label.as_deref().filter(|l| !l.is_empty());
        match &id {
            Arg::One(s) if s == "heads" => {
                if let Some(l) = label_truthy {
                    Ok((self.filter_ids_for_lineage(&self.heads(), &Arg::one(l), false)?, branch_label))
                } else {
                    Ok((self.real_heads(), branch_label))
                }
            }
            Arg::One(s) if s == "head" => {
                let head = self.current_head(branch_label.as_deref())?;
                Ok((head.into_iter().collect(), branch_label))
            }
            Arg::One(s) if s == "base" => Ok((Vec::new(), branch_label)),
            Arg::Nil => Ok((Vec::new(), branch_label)),
            Arg::One(s) => Ok((vec![s.clone()], branch_label)),
            Arg::Many(v) => Ok((v.clone(), branch_label)),
        }
    }

    /// `get_revisions`
    pub(super) fn get_revisions_arg(&self, id: &Arg) -> R<Vec<Val>> {
        if let Arg::Many(v) = id {
            let mut out = Vec::new();
            for x in v {
                out.extend(self.get_revisions_arg(&Arg::One(x.clone()))?);
            }
            return Ok(out);
        }
        let (resolved, branch_label) = self.resolve_number(id)?;
        if resolved.len() == 1 {
            if let Some(rint) = py_int(&resolved[0]) {
                if rint < 0 {
                    let mut select = self.get_revisions_arg(&Arg::one("heads"))?;
                    if let Some(label) = &branch_label {
                        let mut kept = Vec::new();
                        for h in select {
                            if self.nodes[h.node()?].labels.contains(label) {
                                kept.push(h);
                            }
                        }
                        select = kept;
                    }
                    let mut out = Vec::new();
                    for h in select {
                        out.push(self.walk(h, rint, None, true)?);
                    }
                    return Ok(out);
                }
            }
        }
        let check = branch_label.as_deref().filter(|l| !l.is_empty());
        let mut out = Vec::new();
        for r in &resolved {
            out.push(match self.revision_for_ident(Some(r), check)? {
                Some(i) => Val::Rev(i),
                None => Val::Nil,
            });
        }
        Ok(out)
    }

    /// `get_revision`
    pub(super) fn get_revision_arg(&self, id: &Arg) -> R<Val> {
        let (resolved, branch_label) = self.resolve_number(id)?;
        if resolved.len() > 1 {
            return Err(Fail::MultipleHeads { heads: resolved, argument: id.py_str() });
        }
        let check = branch_label.as_deref().filter(|l| !l.is_empty());
        Ok(match self.revision_for_ident(resolved.first().map(String::as_str), check)? {
            Some(i) => Val::Rev(i),
            None => Val::Nil,
        })
    }

    /// `_resolve_branch`
    pub(super) fn resolve_branch(&self, label: &str) -> R<usize> {
        if let Some(&i) = self.lookup.get(label) {
            return Ok(i);
        }
        match self.revision_for_ident(Some(label), None) {
            Ok(Some(i)) => Ok(i),
            Ok(None) => Err(internal("AssertionError: no branch revision")),
            Err(Fail::Resolution { .. }) => Err(Fail::Resolution { argument: label.to_string() }),
            Err(e) => Err(e),
        }
    }

    /// `_revision_for_ident`: exact id or label, else a unique prefix of
    /// four or more characters.
    pub(super) fn revision_for_ident(&self, resolved: Option<&str>, check_branch: Option<&str>) -> R<Option<usize>> {
        let branch_rev = match check_branch {
            Some(b) => Some(self.resolve_branch(b)?),
            None => None,
        };
        let Some(ident) = resolved else {
            return Ok(None);
        };
        let revision = match self.lookup.get(ident) {
            Some(&i) => i,
            None => {
                if ident.is_empty() {
                    return Err(internal("AssertionError: empty revision identifier"));
                }
                let mut revs: Vec<String> = self
                    .keys
                    .iter()
                    .filter(|k| k.chars().count() > 3 && k.starts_with(ident))
                    .cloned()
                    .collect();
                if let (Some(_), Some(b)) = (branch_rev, check_branch) {
                    revs = self.filter_ids_for_lineage(&revs, &Arg::one(b), false)?;
                }
                match revs.len() {
                    0 => {
                        // The detailed "No such revision or branch" text is
                        // replaced by the CLI's "Can't locate revision ...".
                        return Err(Fail::Resolution { argument: ident.to_string() });
                    }
                    1 => self.node_by_key(&revs[0])?,
                    _ => return Err(Fail::Resolution { argument: ident.to_string() }),
                }
            }
        };
        if let (Some(b), Some(branch)) = (branch_rev, check_branch) {
            let rev_id = self.nodes[revision].id.clone();
            let b_id = self.nodes[b].id.clone();
            if !self.shares_lineage(revision, &[b_id], false)? {
                let _ = (rev_id, branch);
                return Err(Fail::Resolution { argument: ident.to_string() });
            }
        }
        Ok(Some(revision))
    }

    /// `filter_for_lineage` over revision ids.
    pub(super) fn filter_ids_for_lineage(&self, targets: &[String], check_against: &Arg, incl: bool) -> R<Vec<String>> {
        let shares = self.lineage_shares(check_against)?;
        let mut out = Vec::new();
        for t in targets {
            let node = match self.revision_for_ident(Some(t), None)? {
                Some(i) => i,
                None => return Err(internal("AssertionError: not_none")),
            };
            if self.shares_lineage(node, &shares, incl)? {
                out.push(t.clone());
            }
        }
        Ok(out)
    }

    /// `filter_for_lineage` over revisions.
    pub(super) fn filter_nodes_for_lineage(&self, targets: &[usize], check_against: &Arg, incl: bool) -> R<Vec<usize>> {
        let shares = self.lineage_shares(check_against)?;
        let mut out = Vec::new();
        for &t in targets {
            if self.shares_lineage(t, &shares, incl)? {
                out.push(t);
            }
        }
        Ok(out)
    }

    pub(super) fn lineage_shares(&self, check_against: &Arg) -> R<Vec<String>> {
        let (ids, branch_label) = self.resolve_number(check_against)?;
        let mut shares = Vec::new();
        if let Some(l) = branch_label.filter(|l| !l.is_empty()) {
            shares.push(l);
        }
        shares.extend(ids);
        Ok(shares)
    }

    /// `_shares_lineage`
    pub(super) fn shares_lineage(&self, target: usize, test_against: &[String], incl: bool) -> R<bool> {
        if test_against.is_empty() {
            return Ok(true);
        }
        let mut against = BTreeSet::new();
        for t in test_against {
            if let Some(i) = self.revision_for_ident(Some(t), None)? {
                against.insert(i);
            }
        }
        let related: BTreeSet<usize> =
            set_of(self.descendants(&[target], incl, false)?.into_iter().chain(self.ancestors(&[target], incl, false)?));
        Ok(related.intersection(&against).next().is_some())
    }

    /// `_walk`
    pub(super) fn walk(&self, start: Val, steps: i64, branch_label: Option<&str>, no_overwalk: bool) -> R<Val> {
        let mut initial = start;
        for _ in 0..steps.unsigned_abs() {
            let children: Vec<Val> = if steps > 0 {
                if initial == Val::Base {
                    return Err(internal("AssertionError: walk up from 'base'"));
                }
                let up_ids = match initial {
                    Val::Rev(i) => self.nodes[i].nextrev.clone(),
                    _ => self.bases(),
                };
                let mut walk_up = Vec::new();
                for v in self.get_revisions_arg(&Arg::Many(up_ids))? {
                    walk_up.push(v.node()?);
                }
                let kept = match branch_label.filter(|l| !l.is_empty()) {
                    Some(l) => self.filter_nodes_for_lineage(&walk_up, &Arg::one(l), false)?,
                    None => walk_up,
                };
                kept.into_iter().map(Val::Rev).collect()
            } else if initial == Val::Base {
                Vec::new()
            } else {
                let arg = match initial {
                    Val::Rev(i) => match self.nodes[i].down.as_slice() {
                        [] => Arg::Nil,
                        [one] => Arg::One(one.clone()),
                        many => Arg::Many(many.to_vec()),
                    },
                    _ => Arg::Many(self.heads()),
                };
                let c = self.get_revisions_arg(&arg)?;
                if c.is_empty() {
                    vec![Val::Base]
                } else {
                    c
                }
            };
            match children.as_slice() {
                [] => return Ok(if no_overwalk { Val::Nil } else { initial }),
                [one] => initial = *one,
                _ => return Err(rev_err("Ambiguous walk")),
            }
        }
        Ok(initial)
    }

    pub(super) fn walk_from_str(&self, start: &str, steps: i64, label: Option<&str>, no_overwalk: bool) -> R<Val> {
        let v = self.get_revision_arg(&Arg::one(start))?;
        self.walk(v, steps, label, no_overwalk)
    }

    /// `_parse_downgrade_target` → (branch label, target).
    pub(super) fn parse_downgrade_target(
        &self,
        current: &Arg,
        target: &Arg,
        assert_relative_length: bool,
    ) -> R<(Option<String>, Val)> {
        let target = match target {
            Arg::Nil => return Ok((None, Val::Nil)),
            Arg::One(t) => t.clone(),
            Arg::Many(_) => return Err(internal("AssertionError: Expected downgrade target in string form")),
        };
        if let Some((branch_label, symbol, relative)) = relative_match(&target) {
            let rel_int = py_int(&relative).unwrap_or(0);
            let didnt = || {
                rev_err(format!("Relative revision {relative} didn't produce {} migrations", py_int_abs_text(&relative)))
            };
            if rel_int >= 0 {
                let Some(symbol) = symbol else {
                    return Err(didnt());
                };
                let rev = self.walk_from_str(&symbol, rel_int, branch_label.as_deref(), assert_relative_length)?;
                if rev == Val::Nil {
                    return Err(rev_err("Walked too far"));
                }
                return Ok((branch_label, rev));
            }
            let relative_revision = symbol.is_none();
            let mut branch_label = branch_label;
            let symbol: String = match symbol {
                Some(s) => s,
                None => {
                    if let Some(label) = branch_label.clone().filter(|l| !l.is_empty()) {
                        let cr = current.to_tuple().unwrap_or_default();
                        let mut list = self.filter_ids_for_lineage(&cr, &Arg::one(&label), false)?;
                        if list.is_empty() {
                            let all_current = self.all_current(&cr)?;
                            let kept = self.filter_nodes_for_lineage(&all_current, &Arg::one(&label), false)?;
                            list = kept.iter().map(|&i| self.nodes[i].id.clone()).collect();
                        }
                        if list.len() != 1 {
                            return Err(internal("AssertionError: len(symbol_list) == 1"));
                        }
                        list.remove(0)
                    } else {
                        let cr = current.to_tuple().unwrap_or_default();
                        let Some(first) = cr.first().cloned() else {
                            return Err(didnt());
                        };
                        branch_label = Some(first.clone());
                        first
                    }
                }
            };
            let start = match &branch_label {
                None => self.get_revision_arg(&Arg::One(symbol.clone()))?,
                Some(l) => self.get_revision_arg(&Arg::One(format!("{l}@{symbol}")))?,
            };
            let rev = self.walk(start, rel_int, None, assert_relative_length)?;
            if rev == Val::Nil {
                return Err(if relative_revision { didnt() } else { rev_err("Walked too far") });
            }
            return Ok((branch_label, rev));
        }
        let (label, symbol) = match target.rfind('@') {
            Some(i) => (Some(target[..i].to_string()), target[i + 1..].to_string()),
            None => (None, target.clone()),
        };
        let label = label.filter(|l| !l.is_empty());
        Ok((label, self.get_revision_arg(&Arg::One(symbol))?))
    }

    /// `_parse_upgrade_target`
    pub(super) fn parse_upgrade_target(&self, current: &Arg, target: &Arg, assert_relative_length: bool) -> R<Vec<Val>> {
        let m = match target {
            Arg::One(t) => relative_match(t),
            _ => None,
        };
        let Some((branch_label, symbol, relative_str)) = m else {
            return self.get_revisions_arg(target);
        };
        let relative = py_int(&relative_str).unwrap_or(0);
        if relative > 0 {
            if let Some(symbol) = symbol {
                let start = self.get_revision_arg(&Arg::One(symbol))?;
                return Ok(vec![self.walk(start, relative, branch_label.as_deref(), assert_relative_length)?]);
            }
            // start_revs: ids (from the current heads), revisions, or None.
            #[derive(Clone)]
            pub(super) enum Start {
                Id(String),
                Node(usize),
                Nil,
            }
            let cur: Vec<Option<String>> = match current.to_tuple() {
                Some(v) if !v.is_empty() => v.into_iter().map(Some).collect(),
                _ => vec![None],
            };
            let cur_arg = Arg::Many(cur.iter().flatten().cloned().collect());
            let mut start_revs: Vec<Start> =
                cur.iter().map(|c| c.clone().map(Start::Id).unwrap_or(Start::Nil)).collect();
            if let Some(label) = branch_label.clone().filter(|l| !l.is_empty()) {
                let mut current_nodes = Vec::new();
                for v in self.get_revisions_arg(&cur_arg)? {
                    current_nodes.push(v.node()?);
                }
                let kept = self.filter_nodes_for_lineage(&current_nodes, &Arg::one(&label), false)?;
                start_revs = kept.into_iter().map(Start::Node).collect();
                if start_revs.is_empty() {
                    let anc = self.ancestors(&current_nodes, true, false)?;
                    let active = self.filter_nodes_for_lineage(&anc, &Arg::one(&label), false)?;
                    let downs: BTreeSet<String> = set_of(active.iter().flat_map(|&i| self.nodes[i].normalized_down()));
                    start_revs = set_of(active.iter().map(|&i| self.nodes[i].id.clone()))
                        .into_iter()
                        .filter(|id| !downs.contains(id))
                        .map(Start::Id)
                        .collect();
                    if start_revs.is_empty() {
                        start_revs = vec![Start::Nil];
                    }
                }
            }
            if start_revs.len() > 1 {
                return Err(rev_err("Ambiguous upgrade from multiple current revisions"));
            }
            let start = match start_revs.first().cloned().unwrap_or(Start::Nil) {
                Start::Id(s) => self.get_revision_arg(&Arg::One(s))?,
                Start::Node(i) => Val::Rev(i),
                Start::Nil => Val::Nil,
            };
            let rev = self.walk(start, relative, branch_label.as_deref(), assert_relative_length)?;
            if rev == Val::Nil {
                return Err(rev_err(format!(
                    "Relative revision {relative_str} didn't produce {} migrations",
                    py_int_abs_text(&relative_str)
                )));
            }
            return Ok(vec![rev]);
        }
        let Some(symbol) = symbol else {
            // `%s` of the int: no `+`, ASCII digits
            let shown = match PyInt::parse(&relative_str) {
                Some(PyInt { negative: true, magnitude }) => format!("-{magnitude}"),
                Some(PyInt { magnitude, .. }) => magnitude,
                None => "0".into(),
            };
            return Err(rev_err(format!(
                "Relative revision {shown} didn't produce {} migrations",
                py_int_abs_text(&relative_str)
            )));
        };
        let start = match &branch_label {
            None => self.get_revision_arg(&Arg::One(symbol))?,
            Some(l) => self.get_revision_arg(&Arg::One(format!("{l}@{symbol}")))?,
        };
        Ok(vec![self.walk(start, relative, None, assert_relative_length)?])
    }

    /// `_collect_upgrade_revisions` → (revisions to run, targets).
    pub(super) fn collect_upgrade(
        &self,
        upper: &Arg,
        lower: &Arg,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> R<(BTreeSet<usize>, Vec<usize>)> {
        let mut targets = Vec::new();
        for v in self.parse_upgrade_target(lower, upper, assert_relative_length)? {
            targets.push(v.node()?);
        }
        if let Arg::One(l) = lower {
            if let Some((branch, _)) = l.split_once('@') {
                let mut branch = branch.to_string();
                if let Val::Rev(b) = self.get_revision_arg(&Arg::One(branch.clone()))? {
                    if self.nodes[b].id == branch {
                        if self.nodes[b].labels.len() != 1 {
                            return Err(internal("AssertionError: len(branch_rev.branch_labels) == 1"));
                        }
                        branch = self.nodes[b].labels[0].clone();
                    }
                }
                targets.retain(|&t| self.nodes[t].labels.contains(&branch));
            }
        }
        let mut required: BTreeSet<usize> = set_of(self.ancestors(&targets, true, true)?);
        required.extend(targets.iter().copied());

        let mut current = self.get_revisions_arg(lower)?;
        let mut lower = lower.clone();
        if !implicit_base && current.iter().any(|r| *r != Val::Nil && !matches!(r, Val::Rev(i) if required.contains(i))) {
            return Err(Fail::RangeNotAncestor { lower: lower.py_str(), upper: upper.py_str() });
        }
        if current.first() == Some(&Val::Nil) {
            let (_, rev) = self.parse_downgrade_target(upper, &lower, assert_relative_length)?;
            match rev {
                Val::Nil => return Err(internal("AssertionError: rev")),
                Val::Base => {
                    current = Vec::new();
                    lower = Arg::Nil;
                }
                Val::Rev(i) => {
                    current = vec![Val::Rev(i)];
                    lower = Arg::One(self.nodes[i].id.clone());
                }
            }
        }
        let mut current_nodes = Vec::new();
        for v in &current {
            current_nodes.push(v.node()?);
        }
        let mut current_set: BTreeSet<usize> = set_of(self.ancestors(&current_nodes, true, true)?);
        current_set.extend(current_nodes.iter().copied());
        let mut needs: BTreeSet<usize> = set_of(required.difference(&current_set).copied());
        if inclusive {
            for v in self.get_revisions_arg(&lower)? {
                needs.insert(v.node()?);
            }
        }
        if !current_nodes.is_empty() && !implicit_base {
            let lower_desc: BTreeSet<usize> = set_of(self.descendants(&current_nodes, false, true)?);
            needs.retain(|n| lower_desc.contains(n));
        }
        Ok((needs, targets))
    }

    /// `_collect_downgrade_revisions` → (revisions to undo, current heads).
    pub(super) fn collect_downgrade(
        &self,
        upper: &Arg,
        lower: &Arg,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> R<(BTreeSet<usize>, Vec<usize>)> {
        let (branch_label, target) = self.parse_downgrade_target(upper, lower, assert_relative_length)?;
        let target = match target {
            Val::Base => Val::Nil,
            t => t,
        };
        let mut roots: Vec<usize> = match target {
            Val::Nil => {
                let value_order = self.keys.iter().filter_map(|k| self.lookup.get(k).copied());
                value_order.filter(|&i| self.nodes[i].down.is_empty()).collect()
            }
            Val::Rev(t) if inclusive => vec![t],
            Val::Rev(t) => {
                let mut v = Vec::new();
                for x in self.get_revisions_arg(&Arg::Many(self.nodes[t].nextrev.clone()))? {
                    v.push(x.node()?);
                }
                v
            }
            Val::Base => Vec::new(),
        };
        if let Some(label) = branch_label.as_deref().filter(|l| !l.is_empty()) {
            if roots.len() > 1 {
                let b = self.resolve_branch(label)?;
                let ancestors = self.ids_of(&self.ancestors(&[b], false, false)?);
                let root_ids = self.ids_of(&roots);
                let keep: Vec<String> = root_ids.intersection(&ancestors).cloned().collect();
                let mut v = Vec::new();
                for x in self.get_revisions_arg(&Arg::Many(keep))? {
                    v.push(x.node()?);
                }
                roots = v;
                if roots.is_empty() {
                    return Err(rev_err("Not a valid downgrade target from current heads"));
                }
            }
        }
        let heads_vals = self.get_revisions_arg(upper)?;
        let mut heads = Vec::new();
        for v in &heads_vals {
            heads.push(v.node()?);
        }
        let mut downgrade: BTreeSet<usize> = set_of(self.descendants(&roots, true, false)?);
        let active: BTreeSet<usize> = set_of(self.ancestors(&heads, true, false)?);
        downgrade.retain(|n| active.contains(n));
        if implicit_base {
            let root_anc: BTreeSet<usize> = set_of(self.ancestors(&roots, true, false)?);
            downgrade.extend(active.difference(&root_anc).copied());
        }
        if let Val::Rev(t) = target {
            if downgrade.is_empty() && !heads.contains(&t) {
                return Err(Fail::RangeNotAncestor { lower: "Nothing to drop".into(), upper: upper.py_str() });
            }
        }
        Ok((downgrade, heads))
    }

    /// `_topological_sort`: revisions come after their down revisions are
    /// emitted... in reverse: heads first, walking down.
    pub(super) fn topological_sort(&self, revisions: &BTreeSet<usize>, heads: &[usize]) -> R<Vec<usize>> {
        let mut todo: BTreeSet<String> = set_of(revisions.iter().map(|&i| self.nodes[i].id.clone()));
        let position = |id: &str| self.keys.iter().position(|k| k == id).unwrap_or(usize::MAX);
        let mut current_heads: Vec<String> =
            set_of(heads.iter().map(|&h| self.nodes[h].id.clone()).filter(|id| todo.contains(id))).into_iter().collect();
        crate::sort::sort_by_key(&mut current_heads, |id| position(id));
        let get_ancestors = |id: &str| -> R<BTreeSet<String>> {
            let n = self.node_by_key(id)?;
            Ok(self.ids_of(&self.ancestors(&[n], true, false)?))
        };
        let mut ancestors_by_idx: Vec<BTreeSet<String>> =
            current_heads.iter().map(|h| get_ancestors(h)).collect::<R<_>>()?;
        let mut output = Vec::new();
        let mut idx = 0usize;
        let mut budget: u64 = 10_000 + 100 * (self.nodes.len() as u64).pow(2);
        while !current_heads.is_empty() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return Err(internal("topological sort did not terminate"));
            }
            let candidate = current_heads[idx].clone();
            if let Some(other) =
                ancestors_by_idx.iter().enumerate().position(|(i, anc)| i != idx && anc.contains(&candidate))
            {
                idx = other;
                continue;
            }
            if todo.remove(&candidate) {
                output.push(self.node_by_key(&candidate)?);
            }
            let cand = &self.nodes[self.node_by_key(&candidate)?];
            let heads_to_add: Vec<String> = cand
                .normalized_down()
                .into_iter()
                .filter(|r| todo.contains(r) && !current_heads.contains(r))
                .collect();
            if heads_to_add.is_empty() {
                current_heads.remove(idx);
                ancestors_by_idx.remove(idx);
                idx = idx.saturating_sub(1);
            } else if cand.normalized_deps.is_empty() && cand.down.len() == 1 {
                current_heads[idx] = heads_to_add[0].clone();
                ancestors_by_idx[idx].remove(&candidate);
            } else {
                current_heads[idx] = heads_to_add[0].clone();
                ancestors_by_idx[idx] = get_ancestors(&heads_to_add[0])?;
                for h in &heads_to_add[1..] {
                    current_heads.push(h.clone());
                    ancestors_by_idx.push(get_ancestors(h)?);
                }
            }
        }
        if !todo.is_empty() {
            return Err(internal("AssertionError: not todo"));
        }
        Ok(output)
    }

    /// `iterate_revisions`
    #[allow(clippy::too_many_arguments)]
    pub(super) fn iterate_revisions(
        &self,
        upper: &Arg,
        lower: &Arg,
        implicit_base: bool,
        inclusive: bool,
        assert_relative_length: bool,
        select_for_downgrade: bool,
    ) -> R<Vec<usize>> {
        let (revisions, heads) = if select_for_downgrade {
            self.collect_downgrade(upper, lower, inclusive, implicit_base, assert_relative_length)?
        } else {
            self.collect_upgrade(upper, lower, inclusive, implicit_base, assert_relative_length)?
        };
        self.topological_sort(&revisions, &heads)
    }

    /// `_get_all_current`: the branch heads implied by the database's rows.
    pub(super) fn all_current(&self, ids: &[String]) -> R<Vec<usize>> {
        let mut top: BTreeSet<usize> = BTreeSet::new();
        for v in self.get_revisions_arg(&Arg::Many(ids.to_vec()))? {
            top.insert(v.node()?);
        }
        let list: Vec<usize> = top.iter().copied().collect();
        top.extend(self.ancestors(&list, true, false)?);
        let mut targets = top.clone();
        for &rev in &top {
            let desc = self.descendants(&[rev], false, false)?;
            if desc.iter().any(|d| *d != rev && targets.contains(d)) {
                targets.remove(&rev);
            }
        }
        Ok(targets.into_iter().collect())
    }

    /// `walk_revisions(base, head)`: newest first.
    pub(super) fn walk_revisions(&self, base: &Arg, head: &Arg) -> Result<Vec<usize>, RevisionError> {
        self.iterate_revisions(head, base, false, true, false, false).map_err(|f| {
            translate(f, &Catch { start: Some(base.py_str()), end: Some(head.py_str()), ..Catch::default() })
        })
    }
}
