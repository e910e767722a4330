//! Scripts as people write them (`tests/fixtures/hand_scripts/`): plain
//! `op.*` calls, `Column`/`Integer` imported directly, `sa.func.now()`,
//! `bulk_insert`, `execute`, batch blocks with `recreate=`/`table_args=`,
//! branch labels and a merge. The chain h001..h005 runs under real Alembic
//! 1.20.1 (`alembic upgrade heads`, then `downgrade base`). Each snapshot
//! shows what the playground reads: the header and the ops rendered back
//! as Alembic would render them.

use std::fmt::Write as _;
use std::path::Path;

use alembic_engine::ops::Op;
use alembic_engine::render::render_body;
use alembic_engine::script::parse_script;

fn check(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hand_scripts").join(file);
    let source = std::fs::read_to_string(path).expect("read");
    let script = parse_script(file, &source).expect("parse");
    let mut out = String::new();
    writeln!(out, "revision: {:?}", script.revision).ok();
    writeln!(out, "down_revision: {:?}", script.down_revision).ok();
    writeln!(out, "branch_labels: {:?}", script.branch_labels).ok();
    writeln!(out, "depends_on: {:?}", script.depends_on).ok();
    writeln!(out, "doc: {:?}", script.doc).ok();
    if let Ok(ops) = script.upgrade() {
        // Column(index=True) inside create_table: created with the table, not rendered
        for op in &ops.ops {
            if let Op::CreateTable { table, .. } = op {
                for ix in &table.indexes {
                    writeln!(out, "index created with {}: {:?}", table.name, ix).ok();
                }
            }
        }
    }
    match script.upgrade() {
        Ok(ops) => writeln!(out, "--- upgrade\n{}", render_body(&ops.ops)),
        Err(d) => writeln!(out, "--- upgrade: error {d}"),
    }
    .ok();
    match script.downgrade() {
        Ok(ops) => writeln!(out, "--- downgrade\n{}", render_body(&ops.ops)),
        Err(d) => writeln!(out, "--- downgrade: error {d}"),
    }
    .ok();
    out
}

/// Every script of `tests/fixtures/hand_scripts/`, sorted by name, against
/// its snapshot (`snapshots/script_hand_written__<stem>.snap`).
#[test]
fn hand_written_scripts_match_their_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hand_scripts");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("hand_scripts")
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scripts in {}", dir.display());
    let mut failed = Vec::new();
    for file in &files {
        let stem = file.trim_end_matches(".py");
        if std::panic::catch_unwind(|| insta::assert_snapshot!(stem, check(file))).is_err() {
            failed.push(file.clone());
        }
    }
    assert!(failed.is_empty(), "snapshots differ for: {}", failed.join(", "));
}
