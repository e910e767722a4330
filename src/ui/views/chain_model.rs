//! The revision chain as the chain view draws it: plain revision records in
//! `alembic history` order, a lane layout, and the intents the view emits.
//!
//! Invariants:
//! - Pure: no web types; tested natively.
//! - Rows are the input order (the caller passes `alembic history` order,
//!   newest first; [`from_map`] produces it from a `RevisionMap`).
//! - Lanes: every `down_revision` edge is carried in one lane from its child's
//!   row down to its parent's row, and no other node sits in that lane in
//!   between; a lane is reused only after its edge has ended. `depends_on`
//!   edges do not take lanes (they are drawn dashed, straight).
//! - Deterministic: the same input gives the same layout.
//! - Linear in the number of revisions (ids are looked up through one
//!   index), so a chain of thousands lays out in about a millisecond.

use std::collections::BTreeMap;
use std::rc::Rc;

use engine::revision::{HistoryOptions, RevisionMap};

use crate::ui::cmdline::quote;

/// One revision as the chain view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainRevision {
    pub id: String,
    /// Empty for a base, 2+ for a merge point.
    pub down_revisions: Vec<String>,
    pub depends_on: Vec<String>,
    /// The `-m` message (`Script.doc`).
    pub message: String,
    pub branch_labels: Vec<String>,
    /// The script's file name in `versions/` (for "open script").
    pub file_name: String,
    pub is_head: bool,
    /// In `alembic_version`.
    pub is_current: bool,
}

/// The revisions of `map` in `alembic history` order (newest first), with
/// head and current (`current_heads` = the rows of `alembic_version`) marks.
///
/// The order is the engine's own `history` walk (read back from its
/// `Rev: <id>` header lines, which start every verbose entry at column 0 while
/// docstring lines are indented). Should the walk fail (a broken map), the
/// load order reversed is used, so the view still draws.
pub fn from_map(map: &RevisionMap, current_heads: &[String]) -> Vec<ChainRevision> {
    let opts = HistoryOptions { verbose: true, ..HistoryOptions::default() };
    let mut order: Vec<String> = match engine::revision::history(map, &opts) {
        Ok(text) => text
            .lines()
            .filter_map(|l| l.strip_prefix("Rev: "))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect(),
        Err(_) => Vec::new(),
    };
    if order.len() != map.revisions.len() {
        order = map.revisions.iter().rev().map(|r| r.revision.clone()).collect();
    }
    order
        .iter()
        .filter_map(|id| map.get(id))
        .map(|r| ChainRevision {
            id: r.revision.clone(),
            down_revisions: r.down_revisions.clone(),
            depends_on: r.depends_on.clone(),
            message: r.doc.clone(),
            branch_labels: r.branch_labels.clone(),
            file_name: r.file_name.clone(),
            is_head: map.is_head(&r.revision),
            is_current: current_heads.iter().any(|c| c == &r.revision),
        })
        .collect()
}

/// Which revisions are applied: the current ones and everything they
/// descend from (`down_revisions` and `depends_on`), by row.
pub fn applied(revs: &[ChainRevision]) -> Vec<bool> {
    let row_of = rows_by_id(revs);
    let mut on: Vec<bool> = revs.iter().map(|r| r.is_current).collect();
    let mut stack: Vec<usize> = (0..revs.len()).filter(|&i| on[i]).collect();
    while let Some(i) = stack.pop() {
        for p in revs[i].down_revisions.iter().chain(&revs[i].depends_on) {
            if let Some(&j) = row_of.get(p.as_str()) {
                if !on[j] {
                    on[j] = true;
                    stack.push(j);
                }
            }
        }
    }
    on
}

/// One position of the timeline / a side of the diff pickers: `None` is
/// base (the empty schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineStop {
    pub id: Option<String>,
    /// `base`, or `ae1027a6acf · create tag` (message clipped).
    pub label: String,
}

/// Base, then the revisions oldest first (history order reversed), so a
/// slider moves from base to the newest head.
pub fn timeline_stops(revs: &[ChainRevision]) -> Vec<TimelineStop> {
    std::iter::once(TimelineStop { id: None, label: "base".into() })
        .chain(revs.iter().rev().map(|r| TimelineStop {
            id: Some(r.id.clone()),
            label: if r.message.is_empty() {
                r.id.clone()
            } else {
                format!("{} · {}", r.id, crate::ui::views::util::clip(&r.message, 40))
            },
        }))
        .collect()
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// `down_revision`: solid.
    Down,
    /// `depends_on`: dashed.
    DependsOn,
}

/// An edge from a child (upper row) to its parent (lower row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainEdge {
    pub kind: EdgeKind,
    pub child_row: usize,
    pub child_lane: usize,
    pub parent_row: usize,
    pub parent_lane: usize,
    /// The lane the edge runs down in between the two rows.
    pub via_lane: usize,
}

/// Row `i` of the input sits in `lanes[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainLayout {
    pub lanes: Vec<usize>,
    pub edges: Vec<ChainEdge>,
    /// Number of lanes used (at least 1 when there are revisions).
    pub width: usize,
}

/// Row of each id (the first, should an id repeat).
fn rows_by_id(revs: &[ChainRevision]) -> BTreeMap<&str, usize> {
    let mut rows = BTreeMap::new();
    for (row, r) in revs.iter().enumerate() {
        rows.entry(r.id.as_str()).or_insert(row);
    }
    rows
}

/// Assigns lanes to revisions given in history order (children before parents).
pub fn layout(revs: &[ChainRevision]) -> ChainLayout {
    let index = rows_by_id(revs);
    let row_of = |id: &str| index.get(id).copied();
    // `awaiting[lane]` = the row the lane's edge is heading to.
    let mut awaiting: Vec<Option<usize>> = Vec::new();
    let mut lanes = Vec::with_capacity(revs.len());
    // (child_row, parent_row, via_lane) for down edges, in creation order.
    let mut pending: Vec<(usize, usize, usize)> = Vec::new();
    let free_lane = |awaiting: &mut Vec<Option<usize>>| -> usize {
        match awaiting.iter().position(Option::is_none) {
            Some(l) => l,
            None => {
                awaiting.push(None);
                awaiting.len() - 1
            }
        }
    };
    for (row, rev) in revs.iter().enumerate() {
        let waiting: Vec<usize> = (0..awaiting.len()).filter(|&l| awaiting[l] == Some(row)).collect();
        let lane = match waiting.first() {
            Some(&l) => l,
            None => free_lane(&mut awaiting),
        };
        for l in waiting {
            awaiting[l] = None;
        }
        lanes.push(lane);
        // Parents that are drawn below this row (others are not in the list,
        // or would point upwards in a malformed order: not drawn).
        let parents: Vec<usize> =
            rev.down_revisions.iter().filter_map(|p| row_of(p)).filter(|&p| p > row).collect();
        for (i, &p) in parents.iter().enumerate() {
            let via = if i == 0 {
                lane
            } else {
                free_lane(&mut awaiting)
            };
            awaiting[via] = Some(p);
            pending.push((row, p, via));
        }
    }
    let mut edges: Vec<ChainEdge> = pending
        .into_iter()
        .map(|(c, p, via)| ChainEdge {
            kind: EdgeKind::Down,
            child_row: c,
            child_lane: lanes[c],
            parent_row: p,
            parent_lane: lanes[p],
            via_lane: via,
        })
        .collect();
    for (row, rev) in revs.iter().enumerate() {
        for d in &rev.depends_on {
            if let Some(p) = row_of(d).filter(|&p| p > row) {
                edges.push(ChainEdge {
                    kind: EdgeKind::DependsOn,
                    child_row: row,
                    child_lane: lanes[row],
                    parent_row: p,
                    parent_lane: lanes[p],
                    via_lane: lanes[row],
                });
            }
        }
    }
    let width = lanes.iter().map(|l| l + 1).max().unwrap_or(0);
    ChainLayout { lanes, edges, width }
}

/// Rows per block: the view draws the chain, and re-renders it, a block at
/// a time (each block's new text is shaped, laid out and painted in the
/// frame after it, so a block must stay well under a long task).
pub const BLOCK_ROWS: usize = 25;

/// One row as a block draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRow {
    pub rev: ChainRevision,
    pub lane: usize,
    pub applied: bool,
}

/// [`BLOCK_ROWS`] consecutive rows and the edges that leave them (by child row).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainBlock {
    pub first_row: usize,
    pub rows: Vec<BlockRow>,
    pub edges: Vec<ChainEdge>,
}

/// The whole chain ready to draw: computed once per chain change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainDrawing {
    /// Lanes used ([`ChainLayout::width`]).
    pub width: usize,
    pub rows: usize,
    pub blocks: Vec<Rc<ChainBlock>>,
}

/// Lays the chain out ([`layout`], [`applied`]) and cuts it into blocks. A
/// block that did not change compares equal to its previous self, so the
/// view re-renders only the blocks a change touched.
pub fn drawing(revs: &[ChainRevision]) -> ChainDrawing {
    let lay = layout(revs);
    let on = applied(revs);
    let mut blocks: Vec<ChainBlock> = revs
        .chunks(BLOCK_ROWS)
        .enumerate()
        .map(|(b, chunk)| {
            let first_row = b * BLOCK_ROWS;
            let rows = chunk
                .iter()
                .enumerate()
                .map(|(i, rev)| BlockRow { rev: rev.clone(), lane: lay.lanes[first_row + i], applied: on[first_row + i] })
                .collect();
            ChainBlock { first_row, rows, edges: Vec::new() }
        })
        .collect();
    for e in lay.edges {
        blocks[e.child_row / BLOCK_ROWS].edges.push(e);
    }
    ChainDrawing { width: lay.width, rows: revs.len(), blocks: blocks.into_iter().map(Rc::new).collect() }
}

/// Where an upgrade / downgrade goes (the CLI's revision argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `+N` / `-N`.
    Relative(i32),
    /// `head` (upgrade) — `heads` is a different target in Alembic.
    Head,
    /// `base` (downgrade).
    Base,
    /// A revision id: "to here".
    Revision(String),
}

impl Target {
    pub fn arg(&self) -> String {
        match self {
            Target::Relative(n) if *n >= 0 => format!("+{n}"),
            Target::Relative(n) => n.to_string(),
            Target::Head => "head".into(),
            Target::Base => "base".into(),
            Target::Revision(id) => id.clone(),
        }
    }
}

/// What the chain view asks the store to do. The view never runs anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainIntent {
    /// Click on a node: open its script in the editor.
    Open { id: String, file_name: String },
    Upgrade(Target),
    Downgrade(Target),
    /// `stamp <id>`.
    Stamp(String),
    /// `revision -m MSG [--autogenerate]`.
    NewRevision { message: String, autogenerate: bool },
    /// `merge heads -m MSG`.
    MergeHeads { message: String },
    /// Squash a linear run (ids newest first, as [`squash_run`] returns it):
    /// downgrade to the oldest one's parent, delete their scripts,
    /// autogenerate one revision with `message`, upgrade to it.
    Squash { ids: Vec<String>, message: String },
}

impl ChainIntent {
    /// The alembic command line that performs the intent (without the word
    /// `alembic`), for the terminal and the CLI parser; `None` for intents
    /// that are not one command (open, squash).
    pub fn command_line(&self) -> Option<String> {
        match self {
            ChainIntent::Open { .. } | ChainIntent::Squash { .. } => None,
            ChainIntent::Upgrade(t) => Some(format!("upgrade {}", quote(&t.arg()))),
            ChainIntent::Downgrade(t) => Some(format!("downgrade {}", quote(&t.arg()))),
            ChainIntent::Stamp(id) => Some(format!("stamp {}", quote(id))),
            ChainIntent::NewRevision { message, autogenerate } => Some(format!(
                "revision {}-m {}",
                if *autogenerate { "--autogenerate " } else { "" },
                quote(message)
            )),
            ChainIntent::MergeHeads { message } => Some(format!("merge heads -m {}", quote(message))),
        }
    }
}

/// The linear run between two revisions (either order), newest first, if it
/// can be squashed: each revision's only parent is the next one, no
/// `depends_on`, and no revision outside the run builds on one inside it (so
/// the newest is a head: the squash a team does before merging a branch).
pub fn squash_run(revs: &[ChainRevision], a: &str, b: &str) -> Result<Vec<String>, String> {
    let get = |id: &str| revs.iter().find(|r| r.id == id);
    let (ra, rb) = match (get(a), get(b)) {
        (Some(x), Some(y)) => (x, y),
        _ => return Err("pick two revisions of the chain".into()),
    };
    // Walk down from each to see which one is the ancestor.
    let walk = |from: &ChainRevision, to: &str| -> Option<Vec<String>> {
        let mut out = vec![from.id.clone()];
        let mut cur = from;
        while cur.id != to {
            if cur.down_revisions.len() != 1 {
                return None;
            }
            cur = get(&cur.down_revisions[0])?;
            out.push(cur.id.clone());
        }
        Some(out)
    };
    let run = walk(ra, b).or_else(|| walk(rb, a)).ok_or_else(|| {
        format!("{a} and {b} are not on one straight line of the chain (a merge or branch lies between them)")
    })?;
    if run.len() < 2 {
        return Err("pick at least two revisions to squash".into());
    }
    for id in &run {
        let r = get(id).expect("walked ids exist");
        if !r.depends_on.is_empty() {
            return Err(format!("{id} has depends_on; squash it by hand"));
        }
    }
    for (i, id) in run.iter().enumerate() {
        let builds_on = |r: &&ChainRevision| r.down_revisions.iter().any(|d| d == id) || r.depends_on.iter().any(|d| d == id);
        if let Some(c) = revs.iter().filter(builds_on).find(|c| !run.contains(&c.id)) {
            return Err(if i == 0 {
                format!("{} builds on {id}: squash a run that ends at a head", c.id)
            } else {
                format!("{id} is a branch point: {} builds on it", c.id)
            });
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::revision::Revision;

    fn rev(id: &str, down: &[&str]) -> ChainRevision {
        ChainRevision {
            id: id.into(),
            down_revisions: down.iter().map(|s| s.to_string()).collect(),
            message: format!("msg {id}"),
            ..ChainRevision::default()
        }
    }

    /// The lane invariants of the module header.
    fn check(revs: &[ChainRevision], l: &ChainLayout) {
        assert_eq!(l.lanes.len(), revs.len());
        for e in l.edges.iter().filter(|e| e.kind == EdgeKind::Down) {
            assert!(e.child_row < e.parent_row);
            for row in e.child_row + 1..e.parent_row {
                assert_ne!(l.lanes[row], e.via_lane, "node in row {row} sits on edge {e:?}");
            }
            for f in l.edges.iter().filter(|f| f.kind == EdgeKind::Down && *f != e && f.via_lane == e.via_lane) {
                let overlap = f.child_row.max(e.child_row) < f.parent_row.min(e.parent_row);
                assert!(!overlap || f.parent_row == e.parent_row, "edges {e:?} and {f:?} share a lane");
            }
        }
        assert!(l.lanes.iter().all(|&x| x < l.width));
    }

    #[test]
    fn straight_chain_is_one_lane() {
        let revs = vec![rev("c", &["b"]), rev("b", &["a"]), rev("a", &[])];
        let l = layout(&revs);
        check(&revs, &l);
        assert_eq!(l.lanes, vec![0, 0, 0]);
        assert_eq!(l.width, 1);
        assert_eq!(l.edges.len(), 2);
        assert!(l.edges.iter().all(|e| e.via_lane == 0));
    }

    #[test]
    fn two_branches_take_two_lanes_until_the_branch_point() {
        // history order: heads first
        let revs = vec![rev("x2", &["x1"]), rev("y1", &["a"]), rev("x1", &["a"]), rev("a", &[])];
        let l = layout(&revs);
        check(&revs, &l);
        assert_eq!(l.lanes, vec![0, 1, 0, 0]);
        assert_eq!(l.width, 2);
        let y = l.edges.iter().find(|e| e.child_row == 1).unwrap();
        assert_eq!((y.via_lane, y.parent_row, y.parent_lane), (1, 3, 0));
    }

    #[test]
    fn a_merge_opens_a_lane_for_its_second_parent() {
        let revs = vec![rev("m", &["x", "y"]), rev("y", &["a"]), rev("x", &["a"]), rev("a", &[])];
        let l = layout(&revs);
        check(&revs, &l);
        assert_eq!(l.lanes, vec![0, 1, 0, 0]);
        let m_edges: Vec<(usize, usize)> =
            l.edges.iter().filter(|e| e.child_row == 0).map(|e| (e.parent_row, e.via_lane)).collect();
        assert_eq!(m_edges, vec![(2, 0), (1, 1)]);
    }

    #[test]
    fn depends_on_is_dashed_and_takes_no_lane() {
        let mut b2 = rev("b2", &["b1"]);
        b2.depends_on = vec!["a1".into()];
        let revs = vec![b2, rev("b1", &[]), rev("a1", &[])];
        let l = layout(&revs);
        check(&revs, &l);
        assert_eq!(l.lanes, vec![0, 0, 0]);
        let dep: Vec<&ChainEdge> = l.edges.iter().filter(|e| e.kind == EdgeKind::DependsOn).collect();
        assert_eq!(dep.len(), 1);
        assert_eq!((dep[0].child_row, dep[0].parent_row), (0, 2));
    }

    #[test]
    fn lanes_are_reused_after_their_edge_ends() {
        // two independent branches one after the other
        let revs = vec![rev("p2", &["p1"]), rev("q1", &["base"]), rev("p1", &["base"]), rev("base", &[]), rev("z", &[])];
        let l = layout(&revs);
        check(&revs, &l);
        assert_eq!(l.lanes[4], 0);
        assert_eq!(layout(&revs), l, "deterministic");
    }

    #[test]
    fn a_long_chain_lays_out_in_blocks() {
        let n = 2 * BLOCK_ROWS + 7;
        let ids: Vec<String> = (0..n).map(|i| format!("r{i:04}")).collect();
        // newest first; every 10th revision also depends on the base
        let revs: Vec<ChainRevision> = (0..n)
            .rev()
            .map(|i| {
                let down: Vec<&str> = if i == 0 { vec![] } else { vec![ids[i - 1].as_str()] };
                let mut r = rev(&ids[i], &down);
                if i > 0 && i % 10 == 0 {
                    r.depends_on = vec![ids[0].clone()];
                }
                r.is_current = i == 5;
                r
            })
            .collect();
        let l = layout(&revs);
        check(&revs, &l);
        let d = drawing(&revs);
        assert_eq!((d.rows, d.width, d.blocks.len()), (n, l.width, 3));
        let rows: Vec<&BlockRow> = d.blocks.iter().flat_map(|b| &b.rows).collect();
        assert_eq!(rows.iter().map(|r| r.rev.id.as_str()).collect::<Vec<_>>(), revs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>());
        assert_eq!(rows.iter().map(|r| r.lane).collect::<Vec<_>>(), l.lanes);
        assert_eq!(rows.iter().map(|r| r.applied).collect::<Vec<_>>(), applied(&revs));
        assert_eq!(rows.iter().filter(|r| r.applied).count(), 6);
        for (b, block) in d.blocks.iter().enumerate() {
            assert_eq!(block.first_row, b * BLOCK_ROWS);
            assert!(block.edges.iter().all(|e| e.child_row / BLOCK_ROWS == b));
        }
        let mut edges: Vec<ChainEdge> = d.blocks.iter().flat_map(|b| b.edges.iter().copied()).collect();
        let mut all = l.edges.clone();
        let key = |e: &ChainEdge| (e.child_row, e.parent_row, e.via_lane, e.kind == EdgeKind::Down);
        engine::sort::sort_by_key(&mut edges, key);
        engine::sort::sort_by_key(&mut all, key);
        assert_eq!(edges, all);
        // A change to one revision changes only its block.
        let mut changed = revs.clone();
        changed[BLOCK_ROWS + 3].message = "edited".into();
        let d2 = drawing(&changed);
        let same: Vec<bool> = d.blocks.iter().zip(&d2.blocks).map(|(a, b)| a == b).collect();
        assert_eq!(same, vec![true, false, true]);
    }

    #[test]
    fn from_map_gives_history_order_with_marks() {
        let mut m = Revision::new("m1", &["x1", "y1"], "m1.py");
        m.doc = "merge\nRev: fake".into();
        let map = RevisionMap::new(vec![
            Revision::new("a1", &[], "a1.py"),
            Revision::new("x1", &["a1"], "x1.py"),
            Revision::new("y1", &["a1"], "y1.py"),
            m,
        ])
        .unwrap();
        let chain = from_map(&map, &["x1".to_string()]);
        let ids: Vec<&str> = chain.iter().map(|r| r.id.as_str()).collect();
        let text = engine::revision::history(&map, &HistoryOptions::default()).unwrap();
        let expected: Vec<&str> =
            text.lines().filter(|l| l.contains(" -> ")).map(|l| l.split(" -> ").nth(1).unwrap().split([' ', ',']).next().unwrap()).collect();
        assert_eq!(ids, expected);
        assert_eq!(ids[0], "m1");
        assert!(chain[0].is_head && !chain[0].is_current);
        assert!(chain.iter().find(|r| r.id == "x1").unwrap().is_current);
        check(&chain, &layout(&chain));
    }

    #[test]
    fn applied_is_current_and_its_ancestors() {
        let mut revs = vec![rev("m", &["x", "y"]), rev("y", &["a"]), rev("x", &["a"]), rev("a", &[])];
        revs[2].is_current = true;
        assert_eq!(applied(&revs), vec![false, false, true, true]);
        revs[0].is_current = true;
        assert_eq!(applied(&revs), vec![true; 4]);
    }

    #[test]
    fn timeline_runs_from_base_to_the_newest() {
        let revs = vec![rev("c", &["b"]), rev("b", &["a"]), rev("a", &[])];
        let stops = timeline_stops(&revs);
        let ids: Vec<Option<&str>> = stops.iter().map(|s| s.id.as_deref()).collect();
        assert_eq!(ids, vec![None, Some("a"), Some("b"), Some("c")]);
        assert_eq!(stops[0].label, "base");
        assert_eq!(stops[1].label, "a · msg a");
    }

    #[test]
    fn command_lines_quote_messages() {
        assert_eq!(ChainIntent::Upgrade(Target::Relative(1)).command_line().unwrap(), "upgrade +1");
        assert_eq!(ChainIntent::Downgrade(Target::Relative(-1)).command_line().unwrap(), "downgrade -1");
        assert_eq!(ChainIntent::Downgrade(Target::Base).command_line().unwrap(), "downgrade base");
        assert_eq!(ChainIntent::Upgrade(Target::Revision("ae1027a6acf".into())).command_line().unwrap(), "upgrade ae1027a6acf");
        assert_eq!(
            ChainIntent::NewRevision { message: "add user".into(), autogenerate: true }.command_line().unwrap(),
            "revision --autogenerate -m 'add user'"
        );
        assert_eq!(ChainIntent::MergeHeads { message: "merge".into() }.command_line().unwrap(), "merge heads -m merge");
        assert_eq!(ChainIntent::Squash { ids: vec![], message: String::new() }.command_line(), None);
    }

    #[test]
    fn squash_takes_a_straight_run_only() {
        let revs = vec![rev("d", &["c"]), rev("y", &["b"]), rev("c", &["b"]), rev("b", &["a"]), rev("a", &[])];
        assert_eq!(squash_run(&revs, "c", "d"), Ok(vec!["d".to_string(), "c".to_string()]));
        assert_eq!(squash_run(&revs, "d", "c"), Ok(vec!["d".to_string(), "c".to_string()]));
        assert!(squash_run(&revs, "d", "b").unwrap_err().contains("branch point"));
        assert!(squash_run(&revs, "d", "y").unwrap_err().contains("straight line"));
        assert!(squash_run(&revs, "d", "d").is_err());
        assert!(squash_run(&revs, "b", "a").unwrap_err().contains("builds on b"));
    }
}
