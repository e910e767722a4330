//! The fuzz targets' bodies, one function per target: each takes the raw
//! input bytes and panics when the engine breaks one of its promises (a
//! panic inside the engine, a diagnostic without a 1-based position, an exit
//! status Alembic never uses, a failure that says nothing).
//!
//! Invariants:
//! - Compiled twice: by cargo-fuzz (nightly, `fuzz_targets/*.rs` call these
//!   functions) and by the native test `tests/fuzz_regressions.rs` (stable,
//!   `#[path]`-included), which replays every crash the fuzzer ever found
//!   (`tests/fixtures/fuzz_regressions/<target>/`) plus the seed corpora.
//!   So this file uses only the engine and the platform's `MemoryHost`, never libFuzzer.
//! - Deterministic: a fixed clock and counting revision ids, a fresh
//!   in-memory SQLite database per input.
//! - Inputs that are not UTF-8 are skipped where the platform could not hand
//!   them to the engine either (files are read as UTF-8 text).

use alembic_playground::platform::memory_host::MemoryHost;
use engine::command::{self, Output};
use engine::db::Database;
use engine::python::Diagnostic;
use engine::revision::{Revision, RevisionMap};

/// The targets by name, as cargo-fuzz and the regression test know them.
pub const TARGETS: &[(&str, fn(&[u8]))] =
    &[("models", models), ("script", script), ("args", args), ("revspec", revspec), ("session", session)];

fn check_diagnostic(what: &str, d: &Diagnostic, source: &str) {
    let lines = source.split('\n').count() as u32;
    assert!(
        d.line >= 1 && d.column >= 1 && d.line <= lines + 1,
        "{what}: diagnostic at {}:{} outside a {lines}-line source: {d}",
        d.line,
        d.column
    );
    assert!(!d.message.trim().is_empty(), "{what}: diagnostic without a message at {}:{}", d.line, d.column);
}

/// An exit status Alembic uses; a failure prints something (unless `-q`:
/// Alembic's `util.err` then prints no `FAILED:` line, and a CommandError
/// raised before env.py configured logging leaves no log line either, e.g.
/// `-q upgrade a:b`); `file.py:L:C` positions are 1-based.
pub fn check_output(line: &str, out: &Output) {
    assert!([0, 1, 2, 255].contains(&out.exit_code), "`{line}` exited {}", out.exit_code);
    let said_something = out
        .stdout
        .lines()
        .chain(out.stderr.lines())
        .any(|l| !l.trim().is_empty() && !l.starts_with("INFO  ["));
    let quiet = command::split_command_line(line)
        .map(|words| words.iter().any(|w| w == "-q" || (w.len() >= 3 && "--quiet".starts_with(w.as_str()))))
        .unwrap_or(false);
    assert!(
        out.exit_code == 0 || said_something || (quiet && out.exit_code == 255),
        "`{line}` failed ({}) without a message",
        out.exit_code
    );
    for text in [&out.stdout, &out.stderr] {
        for (i, _) in text.match_indices(".py:") {
            let rest = &text[i + 4..];
            let num: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if num.is_empty() {
                continue;
            }
            let after = &rest[num.len()..];
            let col: String = after.strip_prefix(':').unwrap_or("").chars().take_while(char::is_ascii_digit).collect();
            let below_one = num.parse::<u64>().map_or(false, |n| n < 1)
                || (!col.is_empty() && col.parse::<u64>().map_or(false, |n| n < 1));
            assert!(!below_one, "`{line}` printed a position below 1: {text}");
        }
    }
}

// ---------------------------------------------------------------------------
// models.py → MetaData

/// `models::load_models`, then the MetaData's JSON and an autogenerate
/// comparison against an empty database.
pub fn models(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let result = engine::models::load_models(source);
    for d in &result.diagnostics {
        check_diagnostic("models.py", d, source);
    }
    let _ = engine::models::metadata_to_json(&result.metadata);
    let _ = engine::autogen::compare(&result.metadata, &engine::schema::MetaData::default());
}

// ---------------------------------------------------------------------------
// script text → header and ops

/// `script::parse_script`, the public entry point for revision files.
pub fn script(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else { return };
    match engine::script::parse_script("r0001_x.py", source) {
        Err(e) => check_diagnostic("script", &e.diagnostic, source),
        Ok(s) => {
            if let Err(d) = s.upgrade() {
                check_diagnostic("upgrade()", d, source);
            }
            if let Err(d) = s.downgrade() {
                check_diagnostic("downgrade()", d, source);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// the command line

/// The command-line parser, two ways: the input as one shell line
/// (`split_command_line`, then `parse_args`), and the input as argv words
/// separated by NUL bytes (what a shell hands over, quotes already gone).
pub fn args(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(words) = command::split_command_line(text) {
        args_outcome(text, &words);
    }
    let words: Vec<String> = text.split('\0').map(str::to_string).collect();
    args_outcome(text, &words);
}

fn args_outcome(text: &str, words: &[String]) {
    match command::parse_args(words) {
        Ok(_) => {}
        Err(e) => {
            let code = e.exit_code();
            assert!(code == 0 || code == 2, "{text:?}: argparse exit status {code}");
            if code == 2 {
                assert!(!e.stderr().trim().is_empty(), "{text:?}: usage error without a message");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// revision specs over a generated map

/// The input is text: line 1 a revision spec (`+2`, `head-1`, `abc@head`,
/// `base`, `a:b`, ...), line 2 the current heads (space-separated), then one
/// revision a line: `ID DOWN[,DOWN] [LABEL[,LABEL]] [DEP[,DEP]]`, `-` for none.
/// The spec is resolved every way the commands resolve one.
pub fn revspec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let spec = lines.next().unwrap_or("");
    let current: Vec<String> = lines.next().unwrap_or("").split_whitespace().map(str::to_string).collect();
    let mut revisions = Vec::new();
    for (i, line) in lines.enumerate().take(64) {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(id) = fields.first().filter(|s| !s.is_empty()) else { continue };
        let list = |k: usize| -> Vec<String> {
            match fields.get(k) {
                None | Some(&"-") | Some(&"") => Vec::new(),
                Some(s) => s.split(',').map(str::to_string).collect(),
            }
        };
        let mut rev = Revision::new(id, &[], &format!("{id}_{i}.py"));
        rev.down_revisions = list(1);
        rev.branch_labels = list(2);
        rev.depends_on = list(3);
        rev.doc = format!("step {i}");
        revisions.push(rev);
    }
    let Ok(map) = RevisionMap::new(revisions) else { return };
    let _ = map.heads();
    let _ = map.get_current_head();
    let _ = map.get_revisions(spec);
    let _ = map.get_revision(spec);
    let _ = map.sql_starting_heads(spec);
    let _ = map.upgrade_plan(&current, spec);
    let _ = map.downgrade_plan(&current, spec);
    let _ = map.downgrade_warnings(&current, spec);
    let _ = map.stamp_plan(&current, &[spec.to_string()], false);
    let _ = map.stamp_plan(&current, &[spec.to_string(), "heads".to_string()], true);
    let _ = map.is_up_to_date(&current);
    let history = engine::revision::HistoryOptions {
        rev_range: Some(spec.to_string()),
        verbose: true,
        indicate_current: true,
        current_heads: current.clone(),
        versions_dir: "versions".into(),
    };
    let _ = engine::revision::history(&map, &history);
    let show = engine::revision::ShowOptions { current_heads: current.clone(), versions_dir: "versions".into() };
    let _ = engine::revision::show(&map, spec, &show);
    if let Some((start, _)) = spec.split_once(':') {
        let _ = map.sql_starting_heads(start);
    }
}

// ---------------------------------------------------------------------------
// a whole command sequence on a scratch database

/// What a session project starts with (as in tests/differential/sessions.py).
const EMPTY_MODELS: &str = "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n";

/// The input is a command session in the format of
/// `tests/differential/sessions/*.txt`: `write models.py <<EOF` ... `EOF`,
/// `write versions/NAME.py <<EOF` ... `EOF`, `write helpers.py <<EOF` (a
/// module of the project) ... `EOF`, `sql STATEMENT`, and alembic
/// command lines, run in order on one in-memory project. At most 12
/// commands run, so that one input stays fast.
pub fn session(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut host = MemoryHost::in_memory(Some(EMPTY_MODELS), &[]);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut i = 0;
    let mut commands = 0;
    while i < lines.len() && commands < 12 {
        let line = lines[i].trim();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("write ") {
            let Some(path) = rest.strip_suffix("<<EOF").or_else(|| rest.strip_suffix("<< EOF")) else { continue };
            let path = path.trim();
            let mut body = String::new();
            while i < lines.len() && lines[i] != "EOF" {
                body.push_str(lines[i]);
                body.push('\n');
                i += 1;
            }
            i += 1;
            if path == "models.py" {
                host.models = Some(body);
            } else if let Some(name) = path.strip_prefix("versions/") {
                host.versions.insert(name.to_string(), body);
            } else {
                host.modules.insert(path.to_string(), body);
            }
        } else if let Some(sql) = line.strip_prefix("sql ") {
            let _ = host.db.execute(sql);
        } else {
            commands += 1;
            let out = command::run_line(&mut host, line);
            check_output(line, &out);
        }
    }
}
