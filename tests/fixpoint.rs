//! The fixpoint property over every conformance scenario: after
//! `revision --autogenerate` + `upgrade head` for each models version,
//! autogenerate sees nothing left to do (`check` passes), and downgrading
//! all the way to base leaves no user table behind.
//!
//! Scenarios whose name says they fail (`*fails*`) fail on purpose in real
//! Alembic too (e.g. an unnamed constraint in batch mode): there the walk
//! stops at the first failing command.
//!
//! A scenario with a `NOT_A_FIXPOINT` file (saying why) is one where real
//! Alembic's autogenerate itself never settles; `check` is skipped there.
//!
//! Scenarios: `../shared/conformance/*` (beside the checkout; override with
//! `ALEMBIC_PLAYGROUND_CONFORMANCE`) and `tests/differential/scenarios/*`.

use std::path::{Path, PathBuf};

use alembic_playground::platform::fs_host::FsHost;
use engine::command::{self, Host};

fn scenario_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = std::env::var_os("ALEMBIC_PLAYGROUND_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/conformance"));
    let mut dirs = Vec::new();
    for base in [shared, root.join("tests/differential/scenarios")] {
        let Ok(entries) = std::fs::read_dir(&base) else { continue };
        for e in entries.flatten() {
            if e.path().join("models_1.py").is_file() {
                dirs.push(e.path());
            }
        }
    }
    dirs.sort();
    dirs
}

fn model_versions(dir: &Path) -> Vec<PathBuf> {
    (1..).map(|i| dir.join(format!("models_{i}.py"))).take_while(|p| p.is_file()).collect()
}

fn user_tables(host: &mut FsHost) -> Vec<String> {
    let r = host
        .database()
        .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name")
        .expect("sqlite_master");
    r.rows.iter().filter_map(|row| row.first().and_then(|v| v.as_str()).map(str::to_string)).collect()
}

#[test]
fn autogenerate_after_upgrade_is_empty_for_every_scenario() {
    let dirs = scenario_dirs();
    assert!(!dirs.is_empty(), "no conformance scenarios found (expected ../shared/conformance beside the checkout)");
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let work = tempfile::tempdir().expect("tempdir");
        let models = work.path().join("models.py");
        let mut host = FsHost::open(&models, &work.path().join("versions"), &work.path().join("app.db")).expect("open");
        let versions = model_versions(dir);
        let fails_on_purpose = name.contains("fails");
        // Alembic's own autogenerate is not a fixpoint for some models; the file says why.
        let not_a_fixpoint = dir.join("NOT_A_FIXPOINT").is_file();
        let mut stopped = false;
        for (i, version) in versions.iter().enumerate() {
            std::fs::copy(version, &models).expect("copy models");
            let step = i + 1;
            let lines = [
                format!("revision --autogenerate -m step_{step} --rev-id r{step:04}"),
                "upgrade head".to_string(),
                "check".to_string(),
            ];
            for line in &lines {
                if not_a_fixpoint && line == "check" {
                    continue;
                }
                let out = command::run_line(&mut host, line);
                if !out.ok() {
                    if !fails_on_purpose {
                        failures.push(format!("{name} step {step}: `{line}` exited {}\n{}{}", out.exit_code, out.stdout, out.stderr));
                    }
                    stopped = true;
                    break;
                }
            }
            if stopped {
                break;
            }
        }
        if stopped && fails_on_purpose {
            continue;
        }
        let out = command::run_line(&mut host, "downgrade base");
        if !out.ok() {
            failures.push(format!("{name}: `downgrade base` exited {}\n{}{}", out.exit_code, out.stdout, out.stderr));
        } else if !user_tables(&mut host).is_empty() {
            failures.push(format!("{name}: tables left after downgrade base: {:?}", user_tables(&mut host)));
        }
    }
    assert!(failures.is_empty(), "{} of {} scenarios failed:\n\n{}", failures.len(), dirs.len(), failures.join("\n\n"));
}
