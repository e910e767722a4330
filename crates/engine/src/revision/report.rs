//! The text of `alembic history / heads / branches / current / show`
//! (`alembic/script/base.py`: `Script.log_entry`, `Script._head_only`,
//! `cmd_format`), over the map.
//!
//! Invariants: output is a pure function of the map, the options and the
//! current heads passed in; order is the map's (newest first for history).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::map::{py_splitlines, Node};
use super::{plain, Arg, RevisionError, RevisionMap};
use crate::sort::set_of;

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
        let a: BTreeSet<&str> = set_of(opts.current_heads.iter().map(String::as_str));
        let heads = map.heads();
        let b: BTreeSet<&str> = set_of(heads.iter().map(String::as_str));
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
