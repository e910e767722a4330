//! Every input a fuzz target ever crashed on, replayed natively (stable
//! toolchain, no libFuzzer) through the same check the fuzzer runs: the
//! target functions of `fuzz/src/lib.rs`, included here as a module.
//!
//! The inputs live in `tests/fixtures/fuzz_regressions/<target>/`, one file
//! each, with hand-made hostile inputs beside the fuzzer's finds. A failure
//! names the file and shows the panic.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz_regressions").join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

fn replay(target: &str) {
    let (_, check) = fuzz_targets::TARGETS.iter().find(|(name, _)| *name == target).expect("a fuzz target");
    let cases = inputs(target);
    assert!(!cases.is_empty(), "no inputs for the {target} target");
    let mut failures = Vec::new();
    for (path, data) in &cases {
        // 1 MiB of stack, as on wasm32: what passes here passes in the page
        let data = data.clone();
        let check = *check;
        let worker = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || catch_unwind(AssertUnwindSafe(|| check(&data))))
            .expect("thread");
        match worker.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) | Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: {msg}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} {target} inputs failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn models_inputs() {
    replay("models");
}

#[test]
fn script_inputs() {
    replay("script");
}

#[test]
fn args_inputs() {
    replay("args");
}

#[test]
fn revspec_inputs() {
    replay("revspec");
}

#[test]
fn session_inputs() {
    replay("session");
}

#[test]
fn every_target_has_a_regression_folder() {
    for (name, _) in fuzz_targets::TARGETS {
        assert!(!inputs(name).is_empty(), "tests/fixtures/fuzz_regressions/{name}/ is empty");
    }
}
