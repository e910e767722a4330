//! Differential test: `alembic_engine::models::load_models` against real
//! SQLAlchemy / SQLModel, through `tests/differential/dump_metadata.py`.
//!
//! Every `../shared/conformance/*/models_*.py` (beside the checkout) (when that directory exists),
//! every `crates/engine/tests/fixtures/models/*.py` and the autogen layer's
//! ground-truth model files are imported by the
//! reference Python and loaded by the engine; both canonical JSON dumps must
//! be equal. The Python is `$ALEMBIC_PLAYGROUND_PYTHON`, else
//! `<repo>/.venv/bin/python` (made by `scripts/setup.sh python`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> PathBuf {
    match std::env::var_os("ALEMBIC_PLAYGROUND_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"),
    }
}

fn model_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let conformance = std::env::var_os("ALEMBIC_PLAYGROUND_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"));
    if let Ok(dirs) = std::fs::read_dir(conformance) {
        for d in dirs.flatten() {
            if let Ok(entries) = std::fs::read_dir(d.path()) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().to_string();
                    if name.starts_with("models_") && name.ends_with(".py") {
                        files.push(e.path());
                    }
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("crates/engine/tests/fixtures/models");
    let entries = std::fs::read_dir(&fixtures).expect("crates/engine/tests/fixtures/models exists");
    for e in entries.flatten() {
        if e.path().extension().map(|x| x == "py").unwrap_or(false) {
            files.push(e.path());
        }
    }
    // Model files other layers keep as ground truth (autogen fixtures).
    let mut more = vec![root.join("crates/engine/tests/autogen_ground_truth")];
    if let Ok(dirs) = std::fs::read_dir(root.join("crates/engine/tests/fixtures/alembic_models")) {
        more.extend(dirs.flatten().map(|d| d.path()));
    }
    for dir in more {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.contains("models") && name.ends_with(".py") {
                    files.push(e.path());
                }
            }
        }
    }
    files.sort();
    files
}

fn reference_json(py: &Path, file: &Path) -> Result<serde_json::Value, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/dump_metadata.py");
    let out =
        Command::new(py).arg(&script).arg(file).output().map_err(|e| format!("cannot run {}: {e}", py.display()))?;
    if !out.status.success() {
        return Err(format!("reference failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("reference JSON: {e}"))
}

#[test]
fn models_match_sqlalchemy() {
    let py = python();
    assert!(py.exists(), "{} not found: run scripts/setup.sh python (or set ALEMBIC_PLAYGROUND_PYTHON)", py.display());
    let files = model_files();
    assert!(!files.is_empty(), "no model files found");
    // The reference imports take ~2 s each: run them on two threads.
    let (even, odd): (Vec<_>, Vec<_>) = files.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let mut references: Vec<(PathBuf, Result<serde_json::Value, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = [even, odd]
            .into_iter()
            .map(|half| {
                let py = &py;
                s.spawn(move || half.into_iter().map(|(_, f)| (f.clone(), reference_json(py, f))).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("reference thread")).collect()
    });
    references.sort_by(|a, b| a.0.cmp(&b.0));
    let mut failures = Vec::new();
    let mut evaluated_differ = Vec::new();
    let mut matched = 0;
    for (file, reference) in &references {
        let expected = match reference {
            Ok(v) => v.clone(),
            Err(e) => {
                failures.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let source = std::fs::read_to_string(file).expect("readable model file");
        let evaluated = engine::models::load_evaluated(&source, std::rc::Rc::new(engine::python::NoModules));
        let evaluated_json: serde_json::Value =
            serde_json::from_str(&engine::models::metadata_to_json(&evaluated.metadata)).expect("engine JSON parses");
        if evaluated_json != expected || !evaluated.diagnostics.is_empty() {
            let first = evaluated.diagnostics.first().map(|d| d.to_string()).unwrap_or_else(|| "MetaData differs".into());
            evaluated_differ.push(format!("{}: {first}", file.display()));
        }
        let result = engine::models::load_models(&source);
        let ours_text = engine::models::metadata_to_json(&result.metadata);
        let ours: serde_json::Value = serde_json::from_str(&ours_text).expect("engine JSON parses");
        if ours == expected {
            matched += 1;
        } else {
            let exp = serde_json::to_string_pretty(&expected).unwrap_or_default();
            let got = serde_json::to_string_pretty(&ours).unwrap_or_default();
            let diff: Vec<String> = exp
                .lines()
                .zip(got.lines())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .take(6)
                .map(|(i, (a, b))| {
                    format!("  line {}: expected {}\n  line {}:      got {}", i + 1, a.trim(), i + 1, b.trim())
                })
                .collect();
            let diags: Vec<String> = result.diagnostics.iter().map(|d| d.to_string()).collect();
            failures.push(format!("{}:\n{}\n  diagnostics: {:?}", file.display(), diff.join("\n"), diags));
        }
    }
    eprintln!("models vs SQLAlchemy: {matched}/{} files match exactly", files.len());
    eprintln!(
        "models evaluated by the one evaluator vs SQLAlchemy: {}/{} files match; differing:\n{}",
        files.len() - evaluated_differ.len(),
        files.len(),
        evaluated_differ.join("\n")
    );
    // `load_evaluated` (the evaluator's object model) is not yet what
    // `load_models` runs: this bound only falls, to 0 when it does.
    const EVALUATED_DIFFER_AT_MOST: usize = 0;
    assert!(
        evaluated_differ.len() <= EVALUATED_DIFFER_AT_MOST,
        "load_evaluated: {} files differ from SQLAlchemy (at most {EVALUATED_DIFFER_AT_MOST} did):\n{}",
        evaluated_differ.len(),
        evaluated_differ.join("\n")
    );
    assert!(failures.is_empty(), "{} of {} files differ:\n{}", failures.len(), files.len(), failures.join("\n\n"));
}
