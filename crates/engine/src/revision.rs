//! The revision graph: Alembic's `alembic/script/revision.py` (`RevisionMap`)
//! plus the version-table bookkeeping of `alembic/runtime/migration.py`
//! (`MigrationStep`, `HeadMaintainer`, `StampStep`) and the text that
//! `alembic history / heads / branches / current / show` print
//! (`alembic/script/base.py`: `Script.log_entry`, `Script._head_only`).
//!
//! OWNER: revision helper. Contract (keep the signatures; add freely).
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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

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
            Arg::Many(v) => py_tuple_repr(v),
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

fn py_repr_str(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

fn py_tuple_repr(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| py_repr_str(s)).collect();
    if items.len() == 1 {
        format!("({},)", items[0])
    } else {
        format!("({})", items.join(", "))
    }
}

/// A value Alembic's traversal functions return: a `Revision`, the string
/// `"base"`, or `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Rev(usize),
    Base,
    Nil,
}

impl Val {
    /// `is_revision(rev)`: an `AssertionError` in Alembic when it is not one.
    fn node(self) -> R<usize> {
        match self {
            Val::Rev(i) => Ok(i),
            Val::Base => Err(internal("AssertionError: expected a revision, got 'base'")),
            Val::Nil => Err(internal("AssertionError: expected a revision, got None")),
        }
    }
}

/// A revision in the map, with what `RevisionMap._revision_map` computes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Node {
    /// Index into `RevisionMap::revisions`.
    src: usize,
    id: String,
    /// `_versioned_down_revisions`
    down: Vec<String>,
    /// `dependencies` as written (may name branch labels).
    deps: Vec<String>,
    /// `_resolved_dependencies`
    resolved_deps: Vec<String>,
    /// `_normalized_resolved_dependencies`
    normalized_deps: Vec<String>,
    /// `_orig_branch_labels`
    orig_labels: Vec<String>,
    /// `branch_labels`, including those inherited along the branch.
    labels: Vec<String>,
    /// `nextrev`: revisions whose `down_revision` names this one.
    nextrev: Vec<String>,
    /// `_all_nextrev`: the same including `depends_on`.
    all_nextrev: Vec<String>,
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

impl Node {
    /// `_all_down_revisions`
    fn all_down(&self) -> Vec<String> {
        let mut v = Vec::new();
        for s in self.down.iter().chain(self.resolved_deps.iter()) {
            push_unique(&mut v, s);
        }
        v
    }
    /// `_normalized_down_revisions`
    fn normalized_down(&self) -> Vec<String> {
        let mut v = Vec::new();
        for s in self.down.iter().chain(self.normalized_deps.iter()) {
            push_unique(&mut v, s);
        }
        v
    }
    fn is_head(&self) -> bool {
        self.nextrev.is_empty()
    }
    fn is_real_head(&self) -> bool {
        self.all_nextrev.is_empty()
    }
    fn is_branch_point(&self) -> bool {
        self.nextrev.len() > 1
    }
    fn is_real_branch_point(&self) -> bool {
        self.all_nextrev.len() > 1
    }
    fn is_merge_point(&self) -> bool {
        self.down.len() > 1
    }
    /// The labels as output shows them: Alembic prints a Python set (its
    /// order changes from run to run); sorted here.
    fn sorted_labels(&self) -> String {
        let mut v: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        v.sort_unstable();
        v.join(", ")
    }

    /// `Script._format_down_revision`
    fn format_down(&self) -> String {
        if self.down.is_empty() {
            "<base>".to_string()
        } else {
            self.down.join(", ")
        }
    }
}

/// Which edges `_iterate_related_revisions` follows.
#[derive(Clone, Copy)]
enum Edge {
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
    nodes: Vec<Node>,
    /// `_revision_map` keys in order: ids, then branch labels.
    keys: Vec<String>,
    lookup: BTreeMap<String, usize>,
    heads: Vec<usize>,
    real_heads: Vec<usize>,
    bases: Vec<usize>,
    real_bases: Vec<usize>,
    warnings: Vec<String>,
}

/// The first code point of every run of ten Unicode decimal digits (`Nd`,
/// Unicode 14 as Python 3.11 has it): what `int()` and a `str` pattern's
/// `\d` accept besides `0-9`.
const DECIMAL_ZEROS: &[u32] = &[
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
struct PyInt {
    negative: bool,
    /// The magnitude in ASCII digits without leading zeros (`"0"` for zero),
    /// as `%d` prints it, however large.
    magnitude: String,
}

impl PyInt {
    fn parse(s: &str) -> Option<PyInt> {
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
    fn saturating(&self) -> i64 {
        match self.magnitude.parse::<i64>() {
            Ok(n) if self.negative => -n,
            Ok(n) => n,
            Err(_) if self.negative => i64::MIN,
            Err(_) => i64::MAX,
        }
    }
}

/// Python's `int()` on a string, for the `-N` checks (clamped to `i64`).
fn py_int(s: &str) -> Option<i64> {
    PyInt::parse(s).map(|i| i.saturating())
}

/// `abs(int(s))` as `%d` prints it, for "didn't produce N migrations".
fn py_int_abs_text(s: &str) -> String {
    PyInt::parse(s).map(|i| i.magnitude).unwrap_or_else(|| "0".into())
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `_relative_destination.match(target)`:
/// `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, anchored at the start only.
fn relative_match(s: &str) -> Option<(Option<String>, Option<String>, String)> {
    fn rest(s: &str) -> Option<(Option<String>, String)> {
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
fn py_splitlines(s: &str) -> Vec<&str> {
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

    fn build(revisions: Vec<Revision>) -> R<Self> {
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
                    walked.sort();
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
    fn detect_cycles(&self, id_lookup: &BTreeMap<String, usize>) -> R<()> {
        if id_lookup.is_empty() {
            return Ok(());
        }
        let all_ids = || -> Vec<String> { self.keys.iter().filter(|k| id_lookup.contains_key(*k)).cloned().collect() };
        if self.heads.is_empty() || self.bases.is_empty() {
            return Err(rev_err(format!("Cycle is detected in revisions ({})", all_ids().join(", "))));
        }
        let space = |down: Edge, up: Edge, heads: &[usize], bases: &[usize]| -> R<Vec<String>> {
            let a: BTreeSet<String> =
                self.iterate_related(down, heads, false)?.into_iter().map(|i| self.nodes[i].id.clone()).collect();
            let b: BTreeSet<String> =
                self.iterate_related(up, bases, false)?.into_iter().map(|i| self.nodes[i].id.clone()).collect();
            let total: BTreeSet<&String> = a.intersection(&b).collect();
            Ok(id_lookup.keys().filter(|k| !total.contains(k)).cloned().collect())
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

    fn find(&self, id: &str) -> Option<&Node> {
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

    fn val_ids(&self, vals: &[Val]) -> R<Vec<String>> {
        vals.iter().map(|v| v.node().map(|i| self.nodes[i].id.clone())).collect()
    }

    fn node_by_key(&self, key: &str) -> R<usize> {
        self.lookup.get(key).copied().ok_or_else(|| internal(format!("KeyError: {}", py_repr_str(key))))
    }

    // ----- traversal --------------------------------------------------------

    /// `_iterate_related_revisions`: depth-first, yields each node once.
    fn iterate_related(&self, edge: Edge, targets: &[usize], check: bool) -> R<Vec<usize>> {
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
    fn ancestors(&self, targets: &[usize], include_dependencies: bool, check: bool) -> R<Vec<usize>> {
        let edge = if include_dependencies { Edge::NormalizedDown } else { Edge::Down };
        self.iterate_related(edge, targets, check)
    }

    /// `_get_descendant_nodes` (targets included).
    fn descendants(&self, targets: &[usize], include_dependencies: bool, check: bool) -> R<Vec<usize>> {
        let edge = if include_dependencies { Edge::AllNext } else { Edge::Next };
        self.iterate_related(edge, targets, check)
    }

    fn ids_of(&self, nodes: &[usize]) -> BTreeSet<String> {
        nodes.iter().map(|&i| self.nodes[i].id.clone()).collect()
    }

    // ----- resolution -------------------------------------------------------

    /// `get_current_head(branch_label)`
    fn current_head(&self, branch_label: Option<&str>) -> R<Option<String>> {
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
    fn resolve_number(&self, id: &Arg) -> R<(Vec<String>, Option<String>)> {
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
    fn get_revisions_arg(&self, id: &Arg) -> R<Vec<Val>> {
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
    fn get_revision_arg(&self, id: &Arg) -> R<Val> {
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
    fn resolve_branch(&self, label: &str) -> R<usize> {
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
    fn revision_for_ident(&self, resolved: Option<&str>, check_branch: Option<&str>) -> R<Option<usize>> {
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
    fn filter_ids_for_lineage(&self, targets: &[String], check_against: &Arg, incl: bool) -> R<Vec<String>> {
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
    fn filter_nodes_for_lineage(&self, targets: &[usize], check_against: &Arg, incl: bool) -> R<Vec<usize>> {
        let shares = self.lineage_shares(check_against)?;
        let mut out = Vec::new();
        for &t in targets {
            if self.shares_lineage(t, &shares, incl)? {
                out.push(t);
            }
        }
        Ok(out)
    }

    fn lineage_shares(&self, check_against: &Arg) -> R<Vec<String>> {
        let (ids, branch_label) = self.resolve_number(check_against)?;
        let mut shares = Vec::new();
        if let Some(l) = branch_label.filter(|l| !l.is_empty()) {
            shares.push(l);
        }
        shares.extend(ids);
        Ok(shares)
    }

    /// `_shares_lineage`
    fn shares_lineage(&self, target: usize, test_against: &[String], incl: bool) -> R<bool> {
        if test_against.is_empty() {
            return Ok(true);
        }
        let mut against = BTreeSet::new();
        for t in test_against {
            if let Some(i) = self.revision_for_ident(Some(t), None)? {
                against.insert(i);
            }
        }
        let related: BTreeSet<usize> = self
            .descendants(&[target], incl, false)?
            .into_iter()
            .chain(self.ancestors(&[target], incl, false)?)
            .collect();
        Ok(related.intersection(&against).next().is_some())
    }

    /// `_walk`
    fn walk(&self, start: Val, steps: i64, branch_label: Option<&str>, no_overwalk: bool) -> R<Val> {
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

    fn walk_from_str(&self, start: &str, steps: i64, label: Option<&str>, no_overwalk: bool) -> R<Val> {
        let v = self.get_revision_arg(&Arg::one(start))?;
        self.walk(v, steps, label, no_overwalk)
    }

    /// `_parse_downgrade_target` → (branch label, target).
    fn parse_downgrade_target(
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
    fn parse_upgrade_target(&self, current: &Arg, target: &Arg, assert_relative_length: bool) -> R<Vec<Val>> {
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
            enum Start {
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
                    let downs: BTreeSet<String> =
                        active.iter().flat_map(|&i| self.nodes[i].normalized_down()).collect();
                    start_revs = active
                        .iter()
                        .map(|&i| self.nodes[i].id.clone())
                        .collect::<BTreeSet<String>>()
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
    fn collect_upgrade(
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
        let mut required: BTreeSet<usize> = self.ancestors(&targets, true, true)?.into_iter().collect();
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
        let mut current_set: BTreeSet<usize> = self.ancestors(&current_nodes, true, true)?.into_iter().collect();
        current_set.extend(current_nodes.iter().copied());
        let mut needs: BTreeSet<usize> = required.difference(&current_set).copied().collect();
        if inclusive {
            for v in self.get_revisions_arg(&lower)? {
                needs.insert(v.node()?);
            }
        }
        if !current_nodes.is_empty() && !implicit_base {
            let lower_desc: BTreeSet<usize> = self.descendants(&current_nodes, false, true)?.into_iter().collect();
            needs.retain(|n| lower_desc.contains(n));
        }
        Ok((needs, targets))
    }

    /// `_collect_downgrade_revisions` → (revisions to undo, current heads).
    fn collect_downgrade(
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
        let mut downgrade: BTreeSet<usize> = self.descendants(&roots, true, false)?.into_iter().collect();
        let active: BTreeSet<usize> = self.ancestors(&heads, true, false)?.into_iter().collect();
        downgrade.retain(|n| active.contains(n));
        if implicit_base {
            let root_anc: BTreeSet<usize> = self.ancestors(&roots, true, false)?.into_iter().collect();
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
    fn topological_sort(&self, revisions: &BTreeSet<usize>, heads: &[usize]) -> R<Vec<usize>> {
        let mut todo: BTreeSet<String> = revisions.iter().map(|&i| self.nodes[i].id.clone()).collect();
        let position = |id: &str| self.keys.iter().position(|k| k == id).unwrap_or(usize::MAX);
        let mut current_heads: Vec<String> = heads
            .iter()
            .map(|&h| self.nodes[h].id.clone())
            .filter(|id| todo.contains(id))
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        current_heads.sort_by_key(|id| position(id));
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
    fn iterate_revisions(
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
    fn all_current(&self, ids: &[String]) -> R<Vec<usize>> {
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
    fn walk_revisions(&self, base: &Arg, head: &Arg) -> Result<Vec<usize>, RevisionError> {
        self.iterate_revisions(head, base, false, true, false, false).map_err(|f| {
            translate(f, &Catch { start: Some(base.py_str()), end: Some(head.py_str()), ..Catch::default() })
        })
    }
}

// ----- migration steps and the version table -----------------------------

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
        let unique: BTreeSet<&String> = current_heads.iter().collect();
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
            let desc: BTreeSet<usize> = self.descendants(&[d], true, false)?.into_iter().collect();
            let anc: BTreeSet<usize> = self.ancestors(&[d], true, false)?.into_iter().collect();
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

// ----- new revisions -----------------------------------------------------

/// `Revision.verify_rev_id`: `Character(s) '-' not allowed in revision identifier 'a-b'`.
pub fn verify_rev_id(revision: &str) -> Result<(), RevisionError> {
    let illegal: BTreeSet<char> = revision.chars().filter(|c| matches!(c, '@' | '-' | '+' | ':')).collect();
    if illegal.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = illegal.iter().map(|c| c.to_string()).collect();
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
            self.val_ids(&self.get_revisions_arg(&Arg::Many(current_heads.to_vec())).map_err(plain)?)
                .map_err(plain)?
                .into_iter()
                .collect();
        let heads: BTreeSet<String> =
            self.val_ids(&self.get_revisions_arg(&Arg::one("heads")).map_err(plain)?).map_err(plain)?.into_iter().collect();
        Ok(current == heads)
    }
}

// ----- command output ----------------------------------------------------

/// `history` options: `alembic history [-r START:END] [-v] [-i]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    pub rev_range: Option<String>,
    pub verbose: bool,
    pub indicate_current: bool,
    /// The rows of `alembic_version`; read only when
    /// [`history_needs_database`] says so.
    pub current_heads: Vec<String>,
    /// Directory the `Path:` lines show (`/abs/migrations/versions`).
    pub versions_dir: String,
}

/// `heads` options: `alembic heads [-v] [--resolve-dependencies]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadsOptions {
    pub verbose: bool,
    pub resolve_dependencies: bool,
    pub versions_dir: String,
}

/// `branches` options: `alembic branches [-v]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchesOptions {
    pub verbose: bool,
    pub versions_dir: String,
}

/// `current` options: `alembic current [-v] [--check-heads]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentOptions {
    pub verbose: bool,
    pub check_heads: bool,
    pub current_heads: Vec<String>,
    /// The URL `-v` prints: `Current revision(s) for sqlite:///app.db:`.
    pub url: String,
    pub versions_dir: String,
}

/// `show` options: `alembic show REV` (`current` needs the table's rows).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShowOptions {
    pub current_heads: Vec<String>,
    pub versions_dir: String,
}

/// How one revision line is formatted (`Script._head_only` arguments).
#[derive(Clone, Copy, Default)]
struct HeadOnly {
    include_branches: bool,
    include_doc: bool,
    include_parents: bool,
    tree_indicators: bool,
    current: bool,
}

/// Whether `history` with these options runs env.py, i.e. reads (and, when
/// missing, creates) `alembic_version`: `-i`, or `current` in the range.
pub fn history_needs_database(rev_range: Option<&str>, indicate_current: bool) -> bool {
    if indicate_current {
        return true;
    }
    match rev_range.and_then(|r| r.trim().split_once(':')) {
        Some((base, head)) => base == "current" || head == "current",
        None => false,
    }
}

impl RevisionMap {
    fn path_of(&self, node: &Node, versions_dir: &str) -> String {
        let file = self.revisions.get(node.src).map(|r| r.file_name.as_str()).unwrap_or("");
        if versions_dir.is_empty() {
            file.to_string()
        } else {
            format!("{}/{}", versions_dir.trim_end_matches('/'), file)
        }
    }

    fn doc_of(&self, node: &Node) -> &str {
        self.revisions.get(node.src).map(|r| r.doc.as_str()).unwrap_or("")
    }

    /// `Script.log_entry`
    fn log_entry(&self, node: &Node, current: bool, versions_dir: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Rev: {}{}{}{}{}",
            node.id,
            if node.is_head() { " (head)" } else { "" },
            if node.is_branch_point() { " (branchpoint)" } else { "" },
            if node.is_merge_point() { " (mergepoint)" } else { "" },
            if current { " (current)" } else { "" },
        );
        if node.is_merge_point() {
            let _ = writeln!(s, "Merges: {}", node.format_down());
        } else {
            let _ = writeln!(s, "Parent: {}", node.format_down());
        }
        if !node.deps.is_empty() {
            let _ = writeln!(s, "Also depends on: {}", node.deps.join(", "));
        }
        if node.is_branch_point() {
            let _ = writeln!(s, "Branches into: {}", node.nextrev.join(", "));
        }
        if !node.labels.is_empty() {
            let _ = writeln!(s, "Branch names: {}", node.sorted_labels());
        }
        let _ = writeln!(s, "Path: {}", self.path_of(node, versions_dir));
        let longdoc = self.revisions.get(node.src).map(|r| r.longdoc_text().trim()).unwrap_or("");
        let lines: Vec<String> = py_splitlines(longdoc).iter().map(|l| format!("    {l}")).collect();
        let _ = writeln!(s, "\n{}", lines.join("\n"));
        s
    }

    /// `Script._head_only`
    fn head_only(&self, node: &Node, f: HeadOnly) -> String {
        let mut text = node.id.clone();
        if f.include_parents {
            text = if !node.deps.is_empty() {
                format!("{} ({}) -> {}", node.format_down(), node.deps.join(", "), text)
            } else {
                format!("{} -> {}", node.format_down(), text)
            };
        }
        if f.include_branches && !node.labels.is_empty() {
            let _ = write!(text, " ({})", node.sorted_labels());
        }
        // head_indicators is always True in Alembic's callers.
        if node.is_real_head() {
            text.push_str(" (head)");
        }
        if node.is_head() && !node.is_real_head() {
            text.push_str(" (effective head)");
        }
        if f.current {
            text.push_str(" (current)");
        }
        if f.tree_indicators {
            if node.is_branch_point() {
                text.push_str(" (branchpoint)");
            }
            if node.is_merge_point() {
                text.push_str(" (mergepoint)");
            }
        }
        if f.include_doc {
            let _ = write!(text, ", {}", self.doc_of(node));
        }
        text
    }

    fn cmd_format(&self, node: &Node, verbose: bool, f: HeadOnly, versions_dir: &str) -> String {
        if verbose {
            self.log_entry(node, f.current, versions_dir)
        } else {
            self.head_only(node, f)
        }
    }
}

/// `alembic history`: stdout, newest first.
pub fn history(map: &RevisionMap, opts: &HistoryOptions) -> Result<String, RevisionError> {
    let (base, head) = match &opts.rev_range {
        Some(r) => {
            if !r.contains(':') {
                return Err(RevisionError::Message(
                    "History range requires [start]:[end], [start]:, or :[end]".into(),
                ));
            }
            let parts: Vec<&str> = r.trim().split(':').collect();
            if parts.len() != 2 {
                return Err(RevisionError::Message(format!(
                    "ValueError: too many values to unpack (expected 2, got {})",
                    parts.len()
                )));
            }
            (parts[0].to_string(), parts[1].to_string())
        }
        None => (String::new(), String::new()),
    };
    // `current` stands for the rows on the head side, else on the base side
    // (`current:current` keeps the literal base); no rows → the default.
    let given = |s: &str, default: &str| if s.is_empty() { Arg::one(default) } else { Arg::one(s) };
    let currents = |default: &str| {
        if opts.current_heads.is_empty() {
            Arg::one(default)
        } else {
            Arg::Many(opts.current_heads.clone())
        }
    };
    let (base_arg, head_arg) = if head == "current" {
        (given(&base, "base"), currents("heads"))
    } else if base == "current" {
        (currents("base"), given(&head, "heads"))
    } else {
        (given(&base, "base"), given(&head, "heads"))
    };
    let nodes = map.walk_revisions(&base_arg, &head_arg)?;
    let mut out = String::new();
    for i in nodes {
        let node = &map.nodes[i];
        let current = opts.indicate_current && opts.current_heads.contains(&node.id);
        let f = HeadOnly {
            include_branches: true,
            include_doc: true,
            include_parents: true,
            tree_indicators: true,
            current,
        };
        out.push_str(&map.cmd_format(node, opts.verbose, f, &opts.versions_dir));
        out.push('\n');
    }
    Ok(out)
}

/// `alembic heads`: stdout.
pub fn heads(map: &RevisionMap, opts: &HeadsOptions) -> Result<String, RevisionError> {
    let arg = if opts.resolve_dependencies { Arg::one("heads") } else { Arg::Many(map.heads()) };
    let vals = map.get_revisions_arg(&arg).map_err(plain)?;
    let mut out = String::new();
    for v in vals {
        let node = &map.nodes[v.node().map_err(plain)?];
        let f = HeadOnly { include_branches: true, ..HeadOnly::default() };
        out.push_str(&map.cmd_format(node, opts.verbose, f, &opts.versions_dir));
        out.push('\n');
    }
    Ok(out)
}

/// `alembic branches`: stdout.
pub fn branches(map: &RevisionMap, opts: &BranchesOptions) -> Result<String, RevisionError> {
    let nodes = map.walk_revisions(&Arg::one("base"), &Arg::one("heads"))?;
    let mut out = String::new();
    for i in nodes {
        let node = &map.nodes[i];
        if !node.is_branch_point() {
            continue;
        }
        let f = HeadOnly { include_branches: true, tree_indicators: true, ..HeadOnly::default() };
        let mut children = Vec::new();
        for c in &node.nextrev {
            let child = &map.nodes[map.node_by_key(c).map_err(plain)?];
            let cf = HeadOnly {
                include_branches: true,
                include_doc: opts.verbose,
                tree_indicators: true,
                ..HeadOnly::default()
            };
            children.push(format!("{} -> {}", " ".repeat(node.id.chars().count()), map.head_only(child, cf)));
        }
        out.push_str(&map.cmd_format(node, opts.verbose, f, &opts.versions_dir));
        out.push('\n');
        out.push_str(&children.join("\n"));
        out.push_str("\n\n");
    }
    Ok(out)
}

/// `alembic current`: stdout.
pub fn current(map: &RevisionMap, opts: &CurrentOptions) -> Result<String, RevisionError> {
    let mut out = String::new();
    if opts.verbose {
        let _ = writeln!(out, "Current revision(s) for {}:", opts.url);
    }
    if opts.check_heads {
        let a: BTreeSet<&String> = opts.current_heads.iter().collect();
        let heads = map.heads();
        let b: BTreeSet<&String> = heads.iter().collect();
        if a != b {
            return Err(RevisionError::Message("Database is not on all head revisions".into()));
        }
    }
    let nodes = map.all_current(&opts.current_heads).map_err(plain)?;
    for i in nodes {
        let f = HeadOnly { tree_indicators: true, ..HeadOnly::default() };
        out.push_str(&map.cmd_format(&map.nodes[i], opts.verbose, f, &opts.versions_dir));
        out.push('\n');
    }
    Ok(out)
}

/// `alembic show REV`: stdout. `REV` may be `current` (the table's rows).
pub fn show(map: &RevisionMap, rev: &str, opts: &ShowOptions) -> Result<String, RevisionError> {
    let arg = if rev == "current" { Arg::Many(opts.current_heads.clone()) } else { Arg::one(rev) };
    let vals = map.get_revisions_arg(&arg).map_err(plain)?;
    let mut out = String::new();
    for v in vals {
        let i = v.node().map_err(|_| {
            RevisionError::Message("AttributeError: 'NoneType' object has no attribute 'log_entry'".into())
        })?;
        out.push_str(&map.log_entry(&map.nodes[i], false, &opts.versions_dir));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
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
