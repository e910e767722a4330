//! `cargo run -p alembic-engine --example revision_bench --release [N]`:
//! builds a linear chain of N revisions with a branch every 10 and merges,
//! then times `upgrade heads` from base, `history` and `downgrade base`.
use alembic_engine::revision::{self, HistoryOptions, Revision, RevisionMap};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mut revs = Vec::new();
    for i in 0..n {
        let id = format!("r{i:05}");
        let down: Vec<String> = match i {
            0 => vec![],
            _ if i % 10 == 5 && i > 10 => vec![format!("r{:05}", i - 1), format!("b{:05}", i - 5)],
            _ => vec![format!("r{:05}", i - 1)],
        };
        revs.push(Revision { revision: id.clone(), down_revisions: down, doc: format!("step {i}"), file_name: format!("{id}.py"), ..Revision::default() });
        if i % 10 == 0 && i + 5 < n {
            let b = format!("b{i:05}");
            revs.push(Revision { revision: b.clone(), down_revisions: vec![id.clone()], doc: "side".into(), file_name: format!("{b}.py"), ..Revision::default() });
        }
    }
    let t = Instant::now();
    let map = RevisionMap::new(revs).expect("map");
    println!("build {:?}", t.elapsed());
    let t = Instant::now();
    let steps = map.upgrade_steps(&[], "heads").expect("upgrade");
    println!("upgrade heads: {} steps {:?}", steps.len(), t.elapsed());
    let t = Instant::now();
    let h = revision::history(&map, &HistoryOptions::default()).expect("history");
    println!("history: {} lines {:?}", h.lines().count(), t.elapsed());
    let heads = map.heads();
    let t = Instant::now();
    let steps = map.downgrade_steps(&heads, "base").expect("downgrade");
    println!("downgrade base: {} steps {:?}", steps.len(), t.elapsed());
}
