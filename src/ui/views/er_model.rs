//! The ER diagram's model and layout: tables as boxes with marked columns,
//! foreign keys as arrows, placed in layers by FK dependency.
//!
//! Invariants:
//! - Pure and deterministic: the same `MetaData` gives the same picture.
//! - Boxes never overlap (tested on 40+ tables with a random FK graph).
//! - A referred (parent) table sits in a layer left of the tables that refer
//!   to it, except along a cycle, which is broken at the edge that closes it
//!   (depth-first in declaration order).
//! - A layer taller than the target height wraps into several columns, so 30+
//!   tables stay readable instead of forming one tall strip.
//! - Within a layer, tables are ordered by the barycenter of their neighbours
//!   (a few down and up sweeps), which removes most arrow crossings.
//! - An arrow between tables with other columns of boxes between them goes
//!   around those boxes: vertically in the gaps between columns, across a
//!   column only through a gap between its boxes; no arrow is drawn over a
//!   box it does not start or end at (tested).

use std::collections::BTreeMap;

use engine::schema::{Column, IndexColumn, MetaData, Table};
use engine::schema_diff::Item;
use engine::schema_diff::{type_text, Change, SchemaDiff};

/// Box metrics (px), shared with the component.
pub const HEADER_H: f64 = 26.0;
pub const ROW_H: f64 = 18.0;
pub const CHAR_W: f64 = 7.2;
pub const PAD_X: f64 = 8.0;
/// Width of the marks area at the right of a row (`PK FK UQ IX NN`).
pub const MARKS_W: f64 = 96.0;
pub const MIN_W: f64 = 170.0;
pub const MAX_W: f64 = 380.0;
pub const GAP_X: f64 = 90.0;
pub const GAP_Y: f64 = 28.0;
pub const MARGIN: f64 = 20.0;

/// The marks a column carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    pub pk: bool,
    pub fk: bool,
    /// In a unique constraint or unique index.
    pub unique: bool,
    /// In a (non-unique) index.
    pub indexed: bool,
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErColumn {
    pub name: String,
    /// Compiled SQLite type: `VARCHAR(50)`.
    pub type_text: String,
    pub marks: Marks,
    /// Set when a diff was given and this column was added / changed.
    pub change: Option<Change>,
}

/// A table's box.
#[derive(Debug, Clone, PartialEq)]
pub struct ErTable {
    pub name: String,
    pub columns: Vec<ErColumn>,
    pub change: Option<Change>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// FK dependency layer (0 = refers to nothing).
    pub layer: usize,
}

impl ErTable {
    /// The y of the middle of column row `i`.
    pub fn row_y(&self, i: usize) -> f64 {
        self.y + HEADER_H + ROW_H * i as f64 + ROW_H / 2.0
    }
}

/// A foreign key arrow from the referring column to the referred one, as a
/// cubic Bézier `from`, `c1`, `c2`, `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErEdge {
    pub from_table: String,
    pub to_table: String,
    /// The constraint's columns and referred columns, for the label/title.
    pub columns: Vec<String>,
    pub referred_columns: Vec<String>,
    pub from: (f64, f64),
    pub c1: (f64, f64),
    pub c2: (f64, f64),
    pub to: (f64, f64),
    /// When columns of boxes lie between the two tables: the arrow as an
    /// orthogonal path `from`, …, `to` that crosses each of them through a
    /// gap between its boxes (`c1` / `c2` are then its second and
    /// next-to-last points). Empty: the Bézier.
    pub route: Vec<(f64, f64)>,
}

/// Box positions of one candidate layout.
#[derive(Clone)]
struct Placement {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// x after the last column (including its gap).
    right: f64,
    bottom: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErDiagram {
    /// In declaration order.
    pub tables: Vec<ErTable>,
    pub edges: Vec<ErEdge>,
    pub width: f64,
    pub height: f64,
}

fn marks_of(t: &Table, column: &str) -> Marks {
    let single_unique = t.unique_constraints.iter().any(|u| u.columns.len() == 1 && u.columns[0] == column)
        || t.indexes.iter().any(|i| i.unique && i.columns.len() == 1 && i.columns[0] == IndexColumn::Column(column.into()));
    let multi_unique = t.unique_constraints.iter().any(|u| u.columns.iter().any(|c| c == column))
        || t.indexes.iter().any(|i| i.unique && i.columns.contains(&IndexColumn::Column(column.into())));
    let c = t.column(column);
    let pk = c.is_some_and(|c| c.primary_key) || t.primary_key_columns().iter().any(|p| p == column);
    Marks {
        pk,
        fk: t.foreign_keys.iter().any(|f| f.columns.iter().any(|c| c == column)),
        unique: single_unique || multi_unique,
        indexed: t.indexes.iter().any(|i| !i.unique && i.columns.contains(&IndexColumn::Column(column.into()))),
        not_null: c.is_some_and(|c| !c.nullable) && !pk,
    }
}

fn box_width<'a>(t: &'a Table, extra: impl Iterator<Item = &'a Column>) -> f64 {
    let name_w = t.name.chars().count() as f64 * (CHAR_W + 0.8) + 2.0 * PAD_X;
    let col_w = t
        .columns
        .iter()
        .chain(extra)
        .map(|c| (c.name.chars().count() + type_text(&c.type_).chars().count() + 2) as f64 * CHAR_W + 2.0 * PAD_X + MARKS_W)
        .fold(0.0, f64::max);
    name_w.max(col_w).clamp(MIN_W, MAX_W)
}

/// FK depth per table (index into `order`); cycles broken depth-first.
fn layers(order: &[&Table], index: &BTreeMap<&str, usize>) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        New,
        OnStack,
        Done,
    }
    fn visit(i: usize, order: &[&Table], index: &BTreeMap<&str, usize>, state: &mut [S], depth: &mut [usize]) {
        state[i] = S::OnStack;
        let mut d = 0;
        for fk in &order[i].foreign_keys {
            if let Some(&p) = index.get(fk.referred_table.as_str()) {
                if p == i {
                    continue;
                }
                if state[p] == S::New {
                    visit(p, order, index, state, depth);
                }
                if state[p] == S::Done {
                    d = d.max(depth[p] + 1);
                }
            }
        }
        depth[i] = d;
        state[i] = S::Done;
    }
    let mut state = vec![S::New; order.len()];
    let mut depth = vec![0; order.len()];
    for i in 0..order.len() {
        if state[i] == S::New {
            visit(i, order, index, &mut state, &mut depth);
        }
    }
    depth
}

/// Lays out `meta`'s tables; `diff` (from `before` to `meta`) marks added /
/// changed tables and columns. With `before` too, dropped tables and columns
/// are drawn as well (marked dropped; dropped columns after the live ones).
pub fn build(meta: &MetaData, diff: Option<&SchemaDiff>, before: Option<&MetaData>) -> ErDiagram {
    build_with(meta, diff, before, SWEEPS)
}

/// Barycenter sweeps (alternating down and up).
const SWEEPS: usize = 12;

fn build_with(meta: &MetaData, diff: Option<&SchemaDiff>, before: Option<&MetaData>, sweeps: usize) -> ErDiagram {
    let mut order: Vec<&Table> = meta.tables_in_order().collect();
    // Dropped tables (from `before`) after the live ones; dropped columns of
    // changed tables per live table.
    let mut dropped_cols: Vec<Vec<&Column>> = vec![Vec::new(); order.len()];
    if let (Some(d), Some(b)) = (diff, before) {
        for (i, t) in order.iter().enumerate() {
            let (Some(td), Some(bt)) = (d.table(&t.name), b.tables.get(&t.name)) else { continue };
            for it in td.items.iter().filter(|it| it.change == Change::Dropped) {
                if let Item::Column(c) = &it.item {
                    dropped_cols[i].extend(bt.column(c));
                }
            }
        }
        for t in b.tables_in_order() {
            if d.table(&t.name).is_some_and(|td| td.change == Change::Dropped) && !meta.tables.contains_key(&t.name) {
                order.push(t);
                dropped_cols.push(Vec::new());
            }
        }
    }
    let index: BTreeMap<&str, usize> = engine::sort::map_of(order.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)));
    let n = order.len();
    if n == 0 {
        return ErDiagram::default();
    }
    let depth = layers(&order, &index);
    let widths: Vec<f64> = order.iter().enumerate().map(|(i, t)| box_width(t, dropped_cols[i].iter().copied())).collect();
    let heights: Vec<f64> = order
        .iter()
        .enumerate()
        .map(|(i, t)| HEADER_H + ROW_H * (t.columns.len() + dropped_cols[i].len()).max(1) as f64 + 6.0)
        .collect();

    // Neighbours (undirected, FK both ways), for barycenters.
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in order.iter().enumerate() {
        for fk in &t.foreign_keys {
            if let Some(&p) = index.get(fk.referred_table.as_str()) {
                if p != i {
                    neighbours[i].push(p);
                    neighbours[p].push(i);
                }
            }
        }
    }
    let layer_count = depth.iter().max().copied().unwrap_or(0) + 1;
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for i in 0..n {
        by_layer[depth[i]].push(i);
    }
    // Crossing reduction: position = rank within layer / layer size.
    let mut pos = vec![0.0f64; n];
    let set_pos = |by_layer: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for layer in by_layer {
            for (k, &i) in layer.iter().enumerate() {
                pos[i] = (k as f64 + 0.5) / layer.len() as f64;
            }
        }
    };
    set_pos(&by_layer, &mut pos);
    for sweep in 0..sweeps {
        let layer_ids: Vec<usize> =
            if sweep % 2 == 0 { (0..layer_count).collect() } else { (0..layer_count).rev().collect() };
        for l in layer_ids {
            let mut keyed: Vec<(f64, usize, usize)> = by_layer[l]
                .iter()
                .enumerate()
                .map(|(k, &i)| {
                    let ns: Vec<f64> = neighbours[i]
                        .iter()
                        .filter(|&&j| if sweep % 2 == 0 { depth[j] < l } else { depth[j] > l })
                        .map(|&j| pos[j])
                        .collect();
                    let bary = if ns.is_empty() { pos[i] } else { ns.iter().sum::<f64>() / ns.len() as f64 };
                    (bary, k, i)
                })
                .collect();
            engine::sort::sort_by(&mut keyed, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            by_layer[l] = keyed.into_iter().map(|(_, _, i)| i).collect();
            set_pos(&by_layer, &mut pos);
        }
    }

    // Wrap tall layers into columns of at most `target_h`.
    let area: f64 = (0..n).map(|i| (widths[i] + GAP_X) * (heights[i] + GAP_Y)).sum();
    let tallest = heights.iter().copied().fold(0.0, f64::max);
    let target_h = (area.sqrt() * 0.7).max(tallest).max(400.0);
    let place = |by_layer: &Vec<Vec<usize>>| -> Placement {
        let mut p = Placement { xs: vec![0.0; n], ys: vec![0.0; n], right: MARGIN, bottom: 0.0 };
        let mut x = MARGIN;
        for layer in by_layer {
            let mut columns: Vec<Vec<usize>> = vec![Vec::new()];
            let mut h = 0.0;
            for &i in layer {
                let last = columns.last_mut().expect("one column");
                if !last.is_empty() && h + heights[i] > target_h {
                    columns.push(vec![i]);
                    h = heights[i] + GAP_Y;
                } else {
                    last.push(i);
                    h += heights[i] + GAP_Y;
                }
            }
            for col in columns.iter().filter(|c| !c.is_empty()) {
                let w = col.iter().map(|&i| widths[i]).fold(0.0, f64::max);
                let mut y = MARGIN;
                for &i in col {
                    p.xs[i] = x;
                    p.ys[i] = y;
                    y += heights[i] + GAP_Y;
                }
                p.bottom = p.bottom.max(y - GAP_Y);
                x += w + GAP_X;
            }
        }
        p.right = x;
        p
    };
    // Arrows as straight segments between the facing sides, for counting
    // crossings.
    let fk_pairs: Vec<(usize, usize)> = order
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            t.foreign_keys
                .iter()
                .filter_map(|fk| index.get(fk.referred_table.as_str()).copied())
                .filter(move |&p| p != i)
                .map(move |p| (i, p))
                .collect::<Vec<_>>()
        })
        .collect();
    let crossings = |p: &Placement| -> usize {
        let seg = |&(a, b): &(usize, usize)| {
            let ya = p.ys[a] + HEADER_H;
            let yb = p.ys[b] + HEADER_H;
            if p.xs[b] < p.xs[a] {
                ((p.xs[a], ya), (p.xs[b] + widths[b], yb))
            } else {
                ((p.xs[a] + widths[a], ya), (p.xs[b], yb))
            }
        };
        let segs: Vec<((f64, f64), (f64, f64))> = fk_pairs.iter().map(seg).collect();
        let orient = |a: (f64, f64), b: (f64, f64), c: (f64, f64)| (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0);
        let mut count = 0;
        for (k, &(a, b)) in segs.iter().enumerate() {
            for &(c, d) in &segs[k + 1..] {
                if orient(a, b, c) * orient(a, b, d) < 0.0 && orient(c, d, a) * orient(c, d, b) < 0.0 {
                    count += 1;
                }
            }
        }
        count
    };
    // Refine on the real geometry: order each layer by the mean y of its
    // neighbours as placed, keep the placement with the fewest crossings.
    let mut best = place(&by_layer);
    let mut best_crossings = crossings(&best);
    let mut current = best.clone();
    for _ in 0..sweeps {
        for layer in by_layer.iter_mut() {
            let mut keyed: Vec<(f64, usize, usize)> = layer
                .iter()
                .enumerate()
                .map(|(k, &i)| {
                    let ys: Vec<f64> = neighbours[i].iter().map(|&j| current.ys[j] + current.xs[j] * 1e-3).collect();
                    let own = current.ys[i] + current.xs[i] * 1e-3;
                    let bary = if ys.is_empty() { own } else { ys.iter().sum::<f64>() / ys.len() as f64 };
                    (bary, k, i)
                })
                .collect();
            engine::sort::sort_by(&mut keyed, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *layer = keyed.into_iter().map(|(_, _, i)| i).collect();
        }
        current = place(&by_layer);
        let c = crossings(&current);
        if c < best_crossings {
            best_crossings = c;
            best = current.clone();
        }
    }
    let Placement { xs, ys, right: x, bottom: max_y } = best;

    let tables: Vec<ErTable> = order
        .iter()
        .enumerate()
        .map(|(i, t)| ErTable {
            name: t.name.clone(),
            columns: t
                .columns
                .iter()
                .map(|c| ErColumn {
                    name: c.name.clone(),
                    type_text: type_text(&c.type_),
                    marks: marks_of(t, &c.name),
                    change: diff.and_then(|d| d.column_change(&t.name, &c.name)),
                })
                .chain(dropped_cols[i].iter().map(|c| ErColumn {
                    name: c.name.clone(),
                    type_text: type_text(&c.type_),
                    marks: before.and_then(|b| b.tables.get(&t.name)).map(|bt| marks_of(bt, &c.name)).unwrap_or_default(),
                    change: Some(Change::Dropped),
                }))
                .collect(),
            change: diff.and_then(|d| d.table(&t.name)).map(|td| td.change),
            x: xs[i],
            y: ys[i],
            w: widths[i],
            h: heights[i],
            layer: depth[i],
        })
        .collect();

    let strips = strips(&tables);
    let mut edges = Vec::new();
    for (i, t) in order.iter().enumerate() {
        for fk in &t.foreign_keys {
            let Some(&p) = index.get(fk.referred_table.as_str()) else { continue };
            let (a, b) = (&tables[i], &tables[p]);
            let row_a = fk.columns.first().and_then(|c| t.columns.iter().position(|x| &x.name == c)).unwrap_or(0);
            let row_b = fk
                .referred_columns
                .first()
                .and_then(|c| order[p].columns.iter().position(|x| &x.name == c))
                .unwrap_or(0);
            let (ya, yb) = (a.row_y(row_a), b.row_y(row_b));
            let bend = 40.0;
            let (from, c1, c2, to) = if p != i && b.x + b.w <= a.x {
                // parent to the left: leave on the left, enter on the right
                ((a.x, ya), (a.x - bend, ya), (b.x + b.w + bend, yb), (b.x + b.w, yb))
            } else if p != i && a.x + a.w <= b.x {
                ((a.x + a.w, ya), (a.x + a.w + bend, ya), (b.x - bend, yb), (b.x, yb))
            } else {
                // same column (or itself): loop out on the right side
                let r = a.x.max(b.x) + a.w.max(b.w);
                ((a.x + a.w, ya), (r + bend, ya), (r + bend, yb), (b.x + b.w, yb))
            };
            // Around the columns in between, if any (an offset per arrow
            // keeps the vertical runs of arrows sharing a gap apart).
            let lane = ((edges.len() % 7) as f64 - 3.0) * 5.0;
            let route = if p != i && b.x + b.w <= a.x {
                let mut points = route_between(&strips, (b.x + b.w, yb), (a.x, ya), lane);
                points.reverse();
                points
            } else if p != i && a.x + a.w <= b.x {
                route_between(&strips, (a.x + a.w, ya), (b.x, yb), lane)
            } else {
                Vec::new()
            };
            let (c1, c2) = match route.as_slice() {
                [_, second, .., before_last, _] => (*second, *before_last),
                _ => (c1, c2),
            };
            edges.push(ErEdge {
                from_table: t.name.clone(),
                to_table: fk.referred_table.clone(),
                columns: fk.columns.clone(),
                referred_columns: fk.referred_columns.clone(),
                from,
                c1,
                c2,
                to,
                route,
            });
        }
    }
    ErDiagram { tables, edges, width: x - GAP_X + MARGIN + 50.0, height: max_y + MARGIN }
}

/// A column of boxes as placed: its left edge, width, and boxes top to bottom as `(y, h)`.
struct Strip {
    x: f64,
    w: f64,
    boxes: Vec<(f64, f64)>,
}

/// The columns of boxes, left to right (boxes of a column share their `x`).
fn strips(tables: &[ErTable]) -> Vec<Strip> {
    let mut by_x: BTreeMap<u64, Strip> = BTreeMap::new();
    for t in tables {
        // x ≥ 0, so the order of the bits is the order of the values
        let s = by_x.entry(t.x.to_bits()).or_insert(Strip { x: t.x, w: 0.0, boxes: Vec::new() });
        s.w = s.w.max(t.w);
        s.boxes.push((t.y, t.h));
    }
    let mut out: Vec<Strip> = by_x.into_values().collect();
    for s in &mut out {
        engine::sort::sort_by(&mut s.boxes, |a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Clearance (px) kept between an arrow crossing a column and its boxes.
const CLEARANCE: f64 = 6.0;

/// The y nearest `y` at which a horizontal line crosses `strip` without
/// touching a box: `y` itself when it is free, else the middle of the
/// nearest gap (above the first box, between two, or below the last).
fn free_y(strip: &Strip, y: f64) -> f64 {
    let blocked = |y: f64| strip.boxes.iter().any(|&(top, h)| y > top - CLEARANCE && y < top + h + CLEARANCE);
    if !blocked(y) {
        return y;
    }
    let mut candidates = Vec::with_capacity(strip.boxes.len() + 1);
    if let Some(&(top, _)) = strip.boxes.first() {
        candidates.push(top - GAP_Y / 2.0);
    }
    for w in strip.boxes.windows(2) {
        candidates.push((w[0].0 + w[0].1 + w[1].0) / 2.0);
    }
    if let Some(&(top, h)) = strip.boxes.last() {
        candidates.push(top + h + GAP_Y / 2.0);
    }
    candidates
        .into_iter()
        .filter(|&c| !blocked(c))
        .min_by(|a, b| (a - y).abs().total_cmp(&(b - y).abs()).then(a.total_cmp(b)))
        .unwrap_or(y)
}

/// The orthogonal path from `start` (the right side of a box) to `end` (the
/// left side of a box further right) around the columns strictly between
/// them; empty when there are none (the Bézier is drawn then). Vertical runs
/// sit in the gaps between columns, `lane` px off their middle.
fn route_between(strips: &[Strip], start: (f64, f64), end: (f64, f64), lane: f64) -> Vec<(f64, f64)> {
    // The start box's column begins left of `start`, the end box's at `end`.
    let between: Vec<&Strip> = strips.iter().filter(|s| s.x > start.0 && s.x < end.0).collect();
    if between.is_empty() {
        return Vec::new();
    }
    let mut points = vec![start];
    let mut y = start.1;
    for s in between {
        let gap_x = s.x - GAP_X / 2.0 + lane;
        let next = free_y(s, y);
        points.push((gap_x, y));
        if next != y {
            points.push((gap_x, next));
        }
        y = next;
    }
    let gap_x = end.0 - GAP_X / 2.0 + lane;
    points.push((gap_x, y));
    if end.1 != y {
        points.push((gap_x, end.1));
    }
    points.push(end);
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::schema::{Column, ForeignKeyConstraint, PrimaryKeyConstraint, SqlType, TypeClass};

    fn fk(cols: &str, table: &str) -> ForeignKeyConstraint {
        ForeignKeyConstraint {
            name: None,
            columns: vec![cols.into()],
            referred_table: table.into(),
            referred_columns: vec!["id".into()],
            ondelete: None,
            onupdate: None,
            deferrable: None,
            initially: None,
            use_alter: false,
        }
    }

    fn table(name: &str, parents: &[&str], extra_cols: usize) -> Table {
        let mut t = Table::new(name);
        let mut id = Column::new("id", SqlType::new(TypeClass::Integer));
        id.primary_key = true;
        id.nullable = false;
        t.columns.push(id);
        t.primary_key = Some(PrimaryKeyConstraint { name: None, columns: vec!["id".into()] });
        for p in parents {
            let c = format!("{p}_id");
            t.columns.push(Column::new(c.clone(), SqlType::new(TypeClass::Integer)));
            t.foreign_keys.push(fk(&c, p));
        }
        for k in 0..extra_cols {
            t.columns.push(Column::new(format!("field_{k}"), SqlType::new(TypeClass::String).with_length(Some(40))));
        }
        t
    }

    fn meta(tables: Vec<Table>) -> MetaData {
        let mut m = MetaData::default();
        for t in tables {
            m.add_table(t);
        }
        m
    }

    /// A deterministic pseudo-random schema: `n` tables, each referring to up
    /// to 3 earlier ones, plus a cycle and a self reference.
    fn random_schema(n: usize, seed: u64) -> MetaData {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) as usize
        };
        let mut tables = Vec::new();
        for i in 0..n {
            let k = if i == 0 { 0 } else { next() % 4 };
            let mut parents: Vec<String> = (0..k).map(|_| format!("t{:02}", next() % i)).collect();
            engine::sort::sort(&mut parents);
            parents.dedup();
            let refs: Vec<&str> = parents.iter().map(|s| s.as_str()).collect();
            tables.push(table(&format!("t{i:02}"), &refs, next() % 9));
        }
        // a cycle t00 -> t05 -> ... and a self reference
        tables[0].foreign_keys.push(fk("id", "t05"));
        tables[3].foreign_keys.push(fk("id", "t03"));
        meta(tables)
    }

    fn overlaps(a: &ErTable, b: &ErTable) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn no_overlaps_and_deterministic_on_large_schemas() {
        for (n, seed) in [(12, 1), (35, 7), (60, 42)] {
            let m = random_schema(n, seed);
            let d = build(&m, None, None);
            assert_eq!(d.tables.len(), n);
            for (i, a) in d.tables.iter().enumerate() {
                for b in &d.tables[i + 1..] {
                    assert!(!overlaps(a, b), "{} overlaps {}", a.name, b.name);
                }
                assert!(a.x + a.w <= d.width && a.y + a.h <= d.height, "{} outside the bounds", a.name);
            }
            assert_eq!(build(&m, None, None), d, "deterministic");
            let fks: usize = m.tables.values().map(|t| t.foreign_keys.len()).sum();
            assert_eq!(d.edges.len(), fks);
            let ratio = d.width / d.height;
            eprintln!("n={n}: {:.0}x{:.0} px, {} layers, {} arrows", d.width, d.height, d.tables.iter().map(|t| t.layer).max().unwrap() + 1, d.edges.len());
            assert!((0.5..=6.0).contains(&ratio), "n={n}: {}x{} is not a readable shape", d.width, d.height);
        }
    }

    #[test]
    fn arrows_across_columns_go_around_the_boxes_between() {
        let mut routed = 0;
        for (n, seed) in [(12, 1), (35, 7), (60, 42)] {
            let d = build(&random_schema(n, seed), None, None);
            for e in &d.edges {
                if e.route.is_empty() {
                    continue;
                }
                routed += 1;
                assert_eq!((e.route[0], *e.route.last().unwrap()), (e.from, e.to));
                assert_eq!((e.c1, e.c2), (e.route[1], e.route[e.route.len() - 2]));
                for seg in e.route.windows(2) {
                    let ((x1, y1), (x2, y2)) = (seg[0], seg[1]);
                    assert!(x1 == x2 || y1 == y2, "{}→{}: not orthogonal", e.from_table, e.to_table);
                    for t in d.tables.iter().filter(|t| t.name != e.from_table && t.name != e.to_table) {
                        // the segment's box overlaps the table's interior?
                        let (lo_x, hi_x, lo_y, hi_y) = (x1.min(x2), x1.max(x2), y1.min(y2), y1.max(y2));
                        let crosses = lo_x < t.x + t.w && hi_x > t.x && lo_y < t.y + t.h && hi_y > t.y;
                        assert!(!crosses, "n={n}: {}→{} crosses {}", e.from_table, e.to_table, t.name);
                    }
                }
            }
        }
        assert!(routed > 10, "the random schemas have arrows that skip columns ({routed} routed)");
    }

    /// Proper intersections between arrows taken as straight segments.
    fn crossings(d: &ErDiagram) -> usize {
        fn orient(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
            (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
        }
        let mut n = 0;
        for (i, e) in d.edges.iter().enumerate() {
            for f in &d.edges[i + 1..] {
                let (a, b, c, dd) = (e.from, e.to, f.from, f.to);
                if orient(a, b, c) * orient(a, b, dd) < 0.0 && orient(c, dd, a) * orient(c, dd, b) < 0.0 {
                    n += 1;
                }
            }
        }
        n
    }

    #[test]
    fn barycenter_sweeps_reduce_crossings() {
        let mut before = 0;
        let mut after = 0;
        for seed in 1..=8 {
            let m = random_schema(35, seed);
            let (b, a) = (crossings(&build_with(&m, None, None, 0)), crossings(&build(&m, None, None)));
            before += b;
            after += a;
        }
        eprintln!("crossings over 8 schemas of 35 tables: {before} in declaration order, {after} after sweeps");
        assert!(after < before, "{after} >= {before}");
    }

    #[test]
    fn parents_sit_left_of_their_children() {
        let m = meta(vec![
            table("post", &["user"], 2),
            table("comment", &["post", "user"], 1),
            table("user", &[], 3),
            table("tag", &[], 1),
        ]);
        let d = build(&m, None, None);
        let t = |name: &str| d.tables.iter().find(|t| t.name == name).unwrap();
        assert_eq!((t("user").layer, t("post").layer, t("comment").layer, t("tag").layer), (0, 1, 2, 0));
        assert!(t("user").x + t("user").w < t("post").x);
        assert!(t("post").x + t("post").w < t("comment").x);
        // the arrow from comment.post_id enters post on its right side at the id row
        let e = d.edges.iter().find(|e| e.from_table == "comment" && e.to_table == "post").unwrap();
        assert_eq!(e.to, (t("post").x + t("post").w, t("post").row_y(0)));
        assert_eq!(e.from, (t("comment").x, t("comment").row_y(1)));
    }

    #[test]
    fn marks_and_diff_changes() {
        use engine::schema::{Index, Name, UniqueConstraint};
        let mut user = table("user", &[], 0);
        user.columns.push(Column::new("email", SqlType::new(TypeClass::String)));
        user.columns.last_mut().unwrap().nullable = false;
        user.unique_constraints.push(UniqueConstraint { name: None, columns: vec!["email".into()] });
        user.columns.push(Column::new("name", SqlType::new(TypeClass::String)));
        user.indexes.push(Index {
            sqlite_where: None,
            unique_int: false,
            name: Some(Name::plain("ix_user_name")),
            table: "user".into(),
            columns: vec![IndexColumn::Column("name".into())],
            unique: false,
        });
        let post = table("post", &["user"], 0);
        let before = meta(vec![table("user", &[], 0)]);
        let after = meta(vec![user, post]);
        let diff = engine::schema_diff::diff(&before, &after);
        let d = build(&after, Some(&diff), None);
        let u = &d.tables[0];
        assert_eq!(u.columns[0].marks, Marks { pk: true, ..Marks::default() });
        assert_eq!(u.columns[1].marks, Marks { unique: true, not_null: true, ..Marks::default() });
        assert_eq!(u.columns[2].marks, Marks { indexed: true, ..Marks::default() });
        assert_eq!(u.change, Some(Change::Changed));
        assert_eq!(u.columns[0].change, None);
        assert_eq!(u.columns[1].change, Some(Change::Added));
        assert_eq!(d.tables[1].change, Some(Change::Added));
        assert!(d.tables[1].columns[1].marks.fk);
        assert_eq!(d.tables[1].columns[1].type_text, "INTEGER");
    }

    #[test]
    fn dropped_tables_and_columns_are_drawn_with_before() {
        let mut old_user = table("user", &[], 1);
        old_user.columns.push(Column::new("nickname", SqlType::new(TypeClass::String)));
        let before = meta(vec![old_user, table("legacy", &["user"], 0)]);
        let after = meta(vec![table("user", &[], 1)]);
        let diff = engine::schema_diff::diff(&before, &after);
        let d = build(&after, Some(&diff), Some(&before));
        let names: Vec<(&str, Option<Change>)> = d.tables.iter().map(|t| (t.name.as_str(), t.change)).collect();
        assert_eq!(names, vec![("user", Some(Change::Changed)), ("legacy", Some(Change::Dropped))]);
        let last = d.tables[0].columns.last().unwrap();
        assert_eq!((last.name.as_str(), last.change), ("nickname", Some(Change::Dropped)));
        assert_eq!(d.tables[1].columns[1].change, Some(Change::Dropped));
        assert_eq!(d.edges.len(), 1, "the dropped table's FK is drawn");
        assert!(!overlaps(&d.tables[0], &d.tables[1]));
        // without `before` only the live schema is drawn
        assert_eq!(build(&after, Some(&diff), None).tables.len(), 1);
    }

    #[test]
    fn empty_schema_is_empty() {
        assert_eq!(build(&MetaData::default(), None, None), ErDiagram::default());
    }
}
