//! No-panic sweeps: mutated models.py files, mutated revision scripts and
//! random command lines go through `load_models`, `parse_script` and
//! `command::run_line` on an in-memory project; none may panic, every
//! diagnostic carries a 1-based line:column, every failure says something.
//!
//! Deterministic (fixed seeds, no clock): a failure names the seed input and
//! the case number, and prints the input that panicked. For a longer hunt,
//! `NO_PANIC_SCALE=20 NO_PANIC_SEED=7 cargo test --test no_panic` multiplies
//! the cases and shifts the seeds; the defaults run in seconds.
//! `NO_PANIC_SHOW=1 ... -- --nocapture` prints each command line's outcome.

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use alembic_playground::platform::memory_host::MemoryHost;
use alembic_playground::platform::native::NativeDatabase;
use engine::command::{self, Output};
use engine::db::Database;
use engine::models::load_models;
use engine::python::Diagnostic;
use engine::script::parse_script;
use support::mutate::{mutate, mutate_semantic, Rng};

// ---------------------------------------------------------------------------
// seed inputs

/// How many times more cases than the default to run (`NO_PANIC_SCALE`, default 1).
fn scale() -> usize {
    std::env::var("NO_PANIC_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1)
}

/// A PRNG for one sweep; `NO_PANIC_SEED` shifts every sweep's seed.
fn rng(seed: u64) -> Rng {
    let shift: u64 = std::env::var("NO_PANIC_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    Rng::new(seed ^ shift.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn py_files(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            py_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "py") {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p.display().to_string(), text));
            }
        }
    }
}

/// Every `models_*.py` of the shared conformance scenarios (`../shared/conformance`
/// beside the repository), plus the committed model fixtures (always there).
fn model_seeds() -> Vec<(String, String)> {
    let root = repo_root();
    let mut seeds = Vec::new();
    for shared in [root.join("../shared/conformance"), root.join("../../shared/conformance")] {
        if shared.is_dir() {
            let mut all = Vec::new();
            py_files(&shared, &mut all);
            seeds.extend(all.into_iter().filter(|(p, _)| {
                Path::new(p).file_name().is_some_and(|n| n.to_string_lossy().starts_with("models_"))
            }));
            break;
        }
    }
    let fixtures = root.join("crates/engine/tests/fixtures");
    py_files(&fixtures.join("models"), &mut seeds);
    py_files(&fixtures.join("models_bad"), &mut seeds);
    py_files(&fixtures.join("alembic_models"), &mut seeds);
    py_files(&root.join("tests/fixtures/no_panic"), &mut seeds);
    assert!(seeds.len() >= 8, "model seeds not found under {}", root.display());
    seeds
}

/// The fixture revision scripts (real Alembic's and hand-written ones).
fn script_seeds() -> Vec<(String, String)> {
    let fixtures = repo_root().join("crates/engine/tests/fixtures");
    let mut seeds = Vec::new();
    for sub in ["alembic_scripts", "alembic_scripts_nobatch", "hand_scripts"] {
        py_files(&fixtures.join(sub), &mut seeds);
    }
    assert!(seeds.len() >= 20, "script seeds not found");
    seeds
}

/// The scenario directories of `alembic_scripts`: (scripts, the models they end at).
fn scenario_projects() -> Vec<(String, Vec<(String, String)>)> {
    let dir = repo_root().join("crates/engine/tests/fixtures/alembic_scripts");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return out };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    paths.sort();
    for p in paths {
        let mut files = Vec::new();
        py_files(&p, &mut files);
        let files = files
            .into_iter()
            .map(|(path, text)| (Path::new(&path).file_name().unwrap().to_string_lossy().into_owned(), text))
            .collect();
        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), files));
    }
    out
}

// ---------------------------------------------------------------------------
// checks

fn check_diagnostic(what: &str, d: &Diagnostic, source: &str) -> Result<(), String> {
    let lines = source.split('\n').count() as u32;
    if d.line < 1 || d.column < 1 || d.line > lines + 1 {
        return Err(format!("{what}: bad position {}:{} (source has {lines} lines): {d}", d.line, d.column));
    }
    if d.message.trim().is_empty() {
        return Err(format!("{what}: empty message at {}:{}", d.line, d.column));
    }
    Ok(())
}

/// Runs `f` and turns a panic into an error that shows the input.
fn no_panic<T>(label: &str, input: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{label} panicked: {msg}\n--- input ---\n{input}\n--- end ---")
    })
}

fn check_models(label: &str, source: &str) -> Result<(), String> {
    let result = no_panic(label, source, || load_models(source))?;
    no_panic(label, source, || engine::models::metadata_to_json(&result.metadata))?;
    for d in &result.diagnostics {
        check_diagnostic(label, d, source)?;
    }
    Ok(())
}

fn check_script(label: &str, source: &str) -> Result<(), String> {
    let result = no_panic(label, source, || parse_script("r0001_x.py", source))?;
    match result {
        Err(e) => check_diagnostic(label, &e.diagnostic, source),
        Ok(s) => {
            // what a re-render of the parsed script starts from
            let header = no_panic(label, source, || engine::script::script_header(&s, source))?;
            if let (Ok(up), Ok(down)) = (s.upgrade(), s.downgrade()) {
                no_panic(label, source, || engine::render::render_script(&header, up, down))?;
            }
            if let Err(d) = s.upgrade() {
                check_diagnostic(label, d, source)?;
            }
            if let Err(d) = s.downgrade() {
                check_diagnostic(label, d, source)?;
            }
            Ok(())
        }
    }
}

/// Exit status is one of Alembic's; a failure prints something; every
/// `file.py:LINE:COL` position in the output is 1-based.
fn check_output(label: &str, line: &str, out: &Output) -> Result<(), String> {
    if ![0, 1, 2, 255].contains(&out.exit_code) {
        return Err(format!("{label}: `{line}` exited {}", out.exit_code));
    }
    let said_something = out.stdout.lines().chain(out.stderr.lines()).any(|l| !l.trim().is_empty() && !l.starts_with("INFO  ["));
    if out.exit_code != 0 && !said_something {
        return Err(format!("{label}: `{line}` failed ({}) without a message", out.exit_code));
    }
    for text in [&out.stdout, &out.stderr] {
        for (i, _) in text.match_indices(".py:") {
            let rest = &text[i + 4..];
            let num: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if num.is_empty() {
                continue;
            }
            let after = &rest[num.len()..];
            let col: String = after.strip_prefix(':').unwrap_or("").chars().take_while(char::is_ascii_digit).collect();
            if num.parse::<u64>().unwrap_or(0) < 1 || (!col.is_empty() && col.parse::<u64>().unwrap_or(0) < 1) {
                return Err(format!("{label}: `{line}` printed a position below 1: {text}"));
            }
        }
    }
    Ok(())
}

fn report(failures: Vec<String>, cases: usize) {
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed; first ones:\n{}",
        failures.len(),
        failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

fn run(host: &mut MemoryHost<NativeDatabase>, label: &str, line: &str) -> Result<Output, String> {
    let out = no_panic(label, line, || command::run_line(host, line))?;
    if std::env::var_os("NO_PANIC_SHOW").is_some() {
        // what the sweeps reach: `NO_PANIC_SHOW=1 cargo test --test no_panic -- --nocapture`
        let first = out.stdout.lines().chain(out.stderr.lines()).find(|l| !l.starts_with("INFO")).unwrap_or("");
        eprintln!("SHOW {line} => {} {first}", out.exit_code);
    }
    check_output(label, line, &out)?;
    Ok(out)
}

// ---------------------------------------------------------------------------
// random command lines

const VERBS: &[&str] = &[
    "upgrade", "downgrade", "stamp", "revision", "merge", "current", "history", "heads", "branches", "show",
    "check", "ensure_version", "init", "edit", "list_templates", "frob", "", "UPGRADE", "upgrad",
];

const TARGETS: &[&str] = &[
    "head", "heads", "base", "+1", "-1", "+5", "-5", "+0", "-0", "+99999999999999999999", "-99999999999999999999",
    "head-1", "head+1", "head-99", "base+1", "base+2", "r0001", "r0002", "r0003", "r000", "r", "a1", "m1",
    "@head", "x@head", "branch_x@head", "branch_x@-1", "branch_x@base", "r0001@head", "r0001+1", "r0002-1",
    "r0001:r0003", "base:head", ":", "::", ":head", "head:", "r0001:", "current", "heads:base", "@", "@@", "+",
    "-", "1", "0", "-", "é", "💥", "x@head", "y@base", "x@-1", "y@+1", "a1@head", "a1+1", "b1-1", "x@a1", "a1:b2", "heads-1", "l1@head", "l2@base", "l0@-1", "l3@+2", "l1@a1", "a2", "b1", "b2", "c1", "c1@head", "ab", "a1+2", "b2-2", "base:a2", "a1:l2@head", "heads", "l1@heads",  "a b", "r0001,r0002", "ab12", "000000000001",
];

const OPTIONS: &[&str] = &[
    "--sql", "--autogenerate", "--auto", "-m", "-m msg", "--message", "--rev-id", "--rev-id r9", "--rev-id r0001",
    "--rev-id a-b", "--head", "--head base", "--head r0001", "--splice", "--branch-label x", "--depends-on r0001",
    "--depends-on", "--purge", "--tag t", "-v", "-vi", "-i", "-r", "-r r0001:", "-r :", "-r -1:", "-r base:head",
    "-c", "--check-heads", "--resolve-dependencies", "-q", "--", "-h", "--help", "--version", "--bogus", "-x a=b",
    "--raiseerr", "--version-path v", "--template t", "--package", "-", "--=", "--sql=1", "-m=", "\"-m\" \"a b\"",
];

/// Options each verb accepts, for command lines argparse lets through.
fn verb_options(verb: &str) -> &'static [&'static str] {
    match verb {
        "upgrade" | "downgrade" => &["--sql", "--tag t"],
        "stamp" => &["--sql", "--purge", "--tag t"],
        "revision" => &[
            "--autogenerate", "-m msg", "--rev-id r9", "--rev-id a1", "--head base", "--head a1", "--head x@head",
            "--head heads", "--splice", "--branch-label x", "--branch-label z", "--depends-on a1", "--depends-on x",
            "--depends-on nosuch", "--sql",
        ],
        "merge" => &["-m msg", "--rev-id r9", "--rev-id a1", "--splice", "--branch-label z"],
        "history" => &["-v", "-i", "-r a1:", "-r :a1", "-r -1:", "-r base:head", "-r x@base:x@head", "-r current:", "-r :current", "-r a1:b1"],
        "current" => &["-v", "--check-heads"],
        "heads" => &["-v", "--resolve-dependencies"],
        "branches" => &["-v"],
        _ => &[],
    }
}

fn random_command_line(rng: &mut Rng) -> String {
    if rng.chance(4) {
        return chaotic_command_line(rng);
    }
    // a verb argparse accepts, with its own options and a plausible target
    let verb = *rng.pick(&[
        "upgrade", "upgrade", "downgrade", "downgrade", "stamp", "revision", "merge", "current", "history", "heads",
        "branches", "show", "check",
    ]);
    let mut words = vec![verb.to_string()];
    let options = verb_options(verb);
    for _ in 0..rng.below(3) {
        if !options.is_empty() {
            words.push(rng.pick(options).to_string());
        }
    }
    match verb {
        "upgrade" | "downgrade" | "show" => words.push(format!("'{}'", rng.pick(TARGETS))),
        "stamp" | "merge" => {
            for _ in 0..1 + rng.below(2) {
                words.push(format!("'{}'", rng.pick(TARGETS)));
            }
        }
        _ => {}
    }
    words.join(" ")
}

fn chaotic_command_line(rng: &mut Rng) -> String {
    let mut words: Vec<String> = Vec::new();
    if rng.chance(10) {
        words.push("alembic".into());
    }
    if rng.chance(8) {
        words.push(rng.pick(&["-q", "--raiseerr", "-c alembic.ini", "-n x", "--version"]).to_string());
    }
    words.push(rng.pick(VERBS).to_string());
    for _ in 0..rng.below(5) {
        let w = if rng.chance(2) { rng.pick(TARGETS) } else { rng.pick(OPTIONS) };
        words.push(w.to_string());
    }
    let mut line = words.join(" ");
    if rng.chance(5) {
        line = support::mutate::mutate_once(rng, &line, "upgrade head");
    }
    line
}

/// The seed project for command sweeps: a three-step scenario plus a branch and a merge.
fn scenario(name: &str) -> (Option<String>, Vec<(String, String)>) {
    let projects = scenario_projects();
    let files = projects.into_iter().find(|(n, _)| n == name).map(|(_, f)| f).unwrap_or_default();
    let models = model_seeds().into_iter().find(|(p, _)| p.contains(name) && p.contains("models_3")).map(|(_, t)| t);
    (models, files)
}

// ---------------------------------------------------------------------------
// the sweeps

#[test]
fn load_models_never_panics_on_mutated_models() {
    let seeds = model_seeds();
    let mut rng = rng(0x6d6f_6465_6c73);
    let mut failures = Vec::new();
    let mut cases = 0;
    for (i, (path, text)) in seeds.iter().enumerate() {
        if let Err(e) = check_models(path, text) {
            failures.push(e);
        }
        for k in 0..60 * scale() {
            let other = &seeds[(i + 1 + k) % seeds.len()].1;
            let input = if k % 3 == 2 { mutate_semantic(&mut rng, text) } else { mutate(&mut rng, text, other) };
            cases += 1;
            if let Err(e) = check_models(&format!("{path} mutation {k}"), &input) {
                failures.push(e);
            }
        }
    }
    report(failures, cases);
}

#[test]
fn parse_script_never_panics_on_mutated_scripts() {
    let seeds = script_seeds();
    let mut rng = rng(0x7363_7269_7074);
    let mut failures = Vec::new();
    let mut cases = 0;
    for (i, (path, text)) in seeds.iter().enumerate() {
        if let Err(e) = check_script(path, text) {
            failures.push(e);
        }
        for k in 0..25 * scale() {
            let other = &seeds[(i + 7 + k) % seeds.len()].1;
            let input = if k % 3 == 2 { mutate_semantic(&mut rng, text) } else { mutate(&mut rng, text, other) };
            cases += 1;
            if let Err(e) = check_script(&format!("{path} mutation {k}"), &input) {
                failures.push(e);
            }
        }
    }
    report(failures, cases);
}

#[test]
fn run_line_never_panics_on_random_command_lines() {
    let mut rng = rng(0x636c_69);
    let mut failures = Vec::new();
    let mut cases = 0;
    for name in ["clinic_appointments", "x_headers"] {
        let (models, files) = scenario(name);
        for k in 0..150 * scale() {
            // a fresh project every few lines, sometimes migrated first
            let mut host = MemoryHost::in_memory(models.as_deref(), &files);
            if k % 3 == 0 {
                let _ = run(&mut host, name, "upgrade heads");
            }
            for j in 0..3 {
                let line = random_command_line(&mut rng);
                cases += 1;
                if let Err(e) = run(&mut host, &format!("{name} case {k}.{j}"), &line) {
                    failures.push(e);
                }
            }
        }
    }
    report(failures, cases);
}

#[test]
fn run_line_never_panics_on_projects_with_mutated_scripts() {
    const LINES: &[&str] = &[
        "upgrade head", "upgrade heads", "downgrade base", "downgrade -1", "upgrade +1", "upgrade head --sql",
        "downgrade head:base --sql", "history -v", "history -i", "heads -v", "branches", "current -v", "show head",
        "stamp head", "check", "revision --autogenerate -m next", "revision -m plain", "merge heads -m m",
    ];
    let mut rng = rng(0x7072_6f6a);
    let mut failures = Vec::new();
    let mut cases = 0;
    let projects = scenario_projects();
    let models = model_seeds();
    for (name, files) in &projects {
        let project_models = models.iter().find(|(p, _)| p.contains(name.as_str())).map(|(_, t)| t.clone());
        for k in 0..12 * scale() {
            let mut files = files.clone();
            let victim = rng.below(files.len());
            let other = files[(victim + 1) % files.len()].1.clone();
            files[victim].1 = if k % 2 == 0 {
                mutate(&mut rng, &files[victim].1, &other)
            } else {
                mutate_semantic(&mut rng, &files[victim].1)
            };
            let label = format!("{name} mutation {k} of {}", files[victim].0);
            let mut host = MemoryHost::in_memory(project_models.as_deref(), &files);
            for _ in 0..4 {
                let line = *rng.pick(LINES);
                cases += 1;
                if let Err(e) = run(&mut host, &label, line) {
                    failures.push(format!("{e}\n--- mutated {} ---\n{}", files[victim].0, files[victim].1));
                }
            }
        }
    }
    report(failures, cases);
}

#[test]
fn run_line_never_panics_on_mutated_models() {
    let seeds = model_seeds();
    let mut rng = rng(0x6175_746f);
    let mut failures = Vec::new();
    let mut cases = 0;
    for (i, (path, text)) in seeds.iter().enumerate() {
        for k in 0..4 * scale() {
            let input = if k % 2 == 0 {
                mutate(&mut rng, text, &seeds[(i + 3) % seeds.len()].1)
            } else {
                mutate_semantic(&mut rng, text)
            };
            let mut host = MemoryHost::in_memory(Some(&input), &[]);
            for line in ["revision --autogenerate -m one --rev-id r1", "upgrade head", "check"] {
                cases += 1;
                if let Err(e) = run(&mut host, &format!("{path} mutation {k}"), line) {
                    failures.push(format!("{e}\n--- models.py ---\n{input}"));
                }
            }
        }
    }
    report(failures, cases);
}

/// Inputs no mutation reaches by chance: deep nesting, huge literals, odd
/// encodings, degenerate files.
fn edge_inputs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let header = "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\n";
    for depth in [50, 150, 199, 200, 201, 490, 499, 1000, 20_000] {
        out.push((format!("parens {depth}"), format!("{header}x = {}1{}\n", "(".repeat(depth), ")".repeat(depth))));
        out.push((
            format!("column in parens {depth}"),
            format!(
                "{header}class T(Base):\n    __tablename__ = 't'\n    id = {}Column(Integer, primary_key=True){}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            ),
        ));
        out.push((format!("lists {depth}"), format!("{header}x = {}{}\n", "[".repeat(depth), "]".repeat(depth))));
        out.push((format!("unclosed {depth}"), format!("{header}x = {}\n", "(".repeat(depth))));
        out.push((format!("unary {depth}"), format!("{header}x = {}1\n", "-".repeat(depth))));
        out.push((format!("not {depth}"), format!("{header}x = {}1\n", "not ".repeat(depth))));
        out.push((format!("calls {depth}"), format!("{header}x = {}1{}\n", "String(".repeat(depth), ")".repeat(depth))));
        out.push((format!("attr chain {depth}"), format!("{header}x = a{}\n", ".b".repeat(depth))));
        out.push((format!("binop chain {depth}"), format!("{header}x = 1{}\n", " + 1".repeat(depth))));
        let mut nested = String::from(header);
        for d in 0..depth.min(120) {
            nested.push_str(&format!("{}if x:\n", "    ".repeat(d)));
        }
        nested.push_str(&format!("{}pass\n", "    ".repeat(depth.min(120))));
        out.push((format!("indent {depth}"), nested));
    }
    out.push(("empty".into(), String::new()));
    out.push(("only newline".into(), "\n".into()));
    out.push(("bom".into(), format!("\u{feff}{header}")));
    out.push(("nul".into(), format!("{header}\0\n")));
    out.push(("crlf".into(), header.replace('\n', "\r\n")));
    out.push(("cr only".into(), header.replace('\n', "\r")));
    out.push(("huge int".into(), format!("{header}class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n    s = Column(String({}))\n", "9".repeat(5000))));
    out.push(("huge negative".into(), format!("{header}class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n    s = Column(String(-{}))\n", "9".repeat(40))));
    out.push(("float length".into(), format!("{header}class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n    s = Column(String(1e400))\n")));
    out.push(("long line".into(), format!("{header}x = '{}'\n", "é".repeat(100_000))));
    out.push(("many lines".into(), format!("{header}{}", "\n".repeat(100_000))));
    out.push(("unicode names".into(), format!("{header}class Ünï(Base):\n    __tablename__ = '日本'\n    ид = Column(Integer, primary_key=True)\n    \u{1d4b3} = Column(String)\n")));
    out.push(("rtl".into(), format!("{header}class T(Base):\n    __tablename__ = 't\u{202e}x'\n    id = Column(Integer, primary_key=True)\n")));
    out
}

/// Runs in a thread with a 1 MiB stack, wasm32's default: nesting just under
/// the parser's limits must fit there even in a debug build.
#[test]
fn edge_inputs_never_panic() {
    let worker = std::thread::Builder::new().stack_size(1 << 20).spawn(edge_inputs_sweep).expect("thread");
    if let Err(e) = worker.join() {
        std::panic::resume_unwind(e);
    }
}

fn edge_inputs_sweep() {
    let mut failures = Vec::new();
    let cases = edge_inputs();
    for (label, source) in &cases {
        if std::env::var("EDGE_ONLY").is_ok_and(|only| !label.contains(&only)) {
            continue;
        }
        if let Err(e) = check_models(&format!("models: {label}"), source) {
            failures.push(e);
        }
        if let Err(e) = check_script(&format!("script: {label}"), source) {
            failures.push(e);
        }
        let script = format!("revision = 'r0001'\ndown_revision = None\n{source}\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n");
        if let Err(e) = check_script(&format!("script body: {label}"), &script) {
            failures.push(e);
        }
    }
    report(failures, cases.len());
}

/// A revision script with the given header and an empty body.
fn graph_script(revision: &str, down: &str, labels: &str, depends: &str) -> String {
    format!(
        "\"\"\"step {revision}\n\nRevision ID: {revision}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
         revision = {revision:?}\ndown_revision = {down}\nbranch_labels = {labels}\ndepends_on = {depends}\n\n\n\
         def upgrade():\n    op.execute(\"SELECT 1\")\n\n\ndef downgrade():\n    pass\n"
    )
}

/// Random revision graphs: parents among earlier, later, itself or missing
/// revisions (cycles, dangling references), duplicate ids and branch labels,
/// dependencies; then random command lines over them.
#[test]
fn run_line_never_panics_on_random_revision_graphs() {
    let mut rng = rng(0x6772_6170_68);
    let mut failures = Vec::new();
    let mut cases = 0;
    let ids = ["a1", "a2", "b1", "b2", "c1", "ab", "a", "r0001", "m"];
    for k in 0..150 * scale() {
        let n = 1 + rng.below(6);
        let mut files = Vec::new();
        for i in 0..n {
            let rev = if rng.chance(12) { ids[rng.below(ids.len())] } else { ids[i] };
            // mostly well-formed graphs (branches, merges), sometimes broken ones
            let parent = |rng: &mut Rng| -> String {
                match rng.below(40) {
                    0 => "'nosuch'".into(),
                    1 => format!("{:?}", rev),
                    2 | 3 => format!("{:?}", ids[rng.below(ids.len())]),
                    _ if i > 0 => format!("{:?}", ids[rng.below(i)]),
                    _ => "None".into(),
                }
            };
            let down = match rng.below(8) {
                0 => format!("({}, {})", parent(&mut rng), parent(&mut rng)),
                1 => "None".into(),
                _ => parent(&mut rng),
            };
            let labels = match rng.below(10) {
                0 => format!("'l{i}'"),
                1 => format!("('l{i}', 'x')"),
                2 => format!("{:?}", ids[rng.below(ids.len())]),
                _ => "None".to_string(),
            };
            let depends = if rng.chance(6) { parent(&mut rng) } else { "None".into() };
            files.push((format!("{rev}_{i}.py"), graph_script(rev, &down, &labels, &depends)));
        }
        let mut host = MemoryHost::in_memory(Some(MODELS_FOR_GRAPHS), &files);
        for j in 0..6 {
            let line = random_command_line(&mut rng);
            let line = line.replace("r0001", ids[rng.below(ids.len())]);
            cases += 1;
            if let Err(e) = run(&mut host, &format!("graph {k}.{j}"), &line) {
                let listing: Vec<String> = files.iter().map(|(f, t)| format!("# {f}\n{}", &t[t.find("revision =").unwrap_or(0)..t.find("\n\n\ndef").unwrap_or(t.len())])).collect();
                failures.push(format!("{e}\n--- versions ---\n{}", listing.join("\n")));
            }
        }
    }
    report(failures, cases);
}

const MODELS_FOR_GRAPHS: &str = "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n";

/// A random but valid declarative models.py: tables with columns of every
/// kind of type, arguments at their edges (zero and huge lengths, odd
/// defaults, odd names), foreign keys, constraints and indexes.
fn random_models(rng: &mut Rng, table_names: &[String]) -> String {
    let mut s = String::from(
        "import enum\nfrom typing import Optional\n\nimport sqlalchemy as sa\nfrom sqlalchemy import (\n    Boolean, CheckConstraint, Column, Date, DateTime, Enum, Float, ForeignKey, Index, Integer,\n    LargeBinary, Numeric, String, Text, UniqueConstraint, text,\n)\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Mood(enum.Enum):\n    happy = 'happy'\n    sad = 'sad'\n\n",
    );
    let n_tables = 1 + rng.below(table_names.len());
    let mut tables: Vec<String> = Vec::new();
    for t in 0..n_tables {
        let table = table_names[t].clone();
        s.push_str(&format!("\nclass T{t}(Base):\n    __tablename__ = {table:?}\n"));
        let mut args: Vec<String> = Vec::new();
        s.push_str("    id: Mapped[int] = mapped_column(primary_key=True)\n");
        let mut cols = vec!["id".to_string()];
        for c in 0..rng.below(6) {
            let col = format!("{}_{c}", rng.pick(&["c", "name", "select", "Mixed Case", "ü", "from"]));
            let ty = match rng.below(14) {
                0 => format!("String({})", rng.pick(&["", "0", "1", "255", "99999999999"])),
                1 => "Integer".to_string(),
                2 => format!("Numeric({}, {})", rng.below(40), rng.below(10)),
                3 => "Boolean".into(),
                4 => "Boolean(create_constraint=True)".into(),
                5 => "DateTime(timezone=True)".into(),
                6 => "Date".into(),
                7 => "Float".into(),
                8 => "Text".into(),
                9 => "LargeBinary".into(),
                10 => "Enum(Mood)".into(),
                11 => "Enum('a', 'b', name='ab', create_constraint=True)".into(),
                12 if !tables.is_empty() => format!("ForeignKey({:?})", format!("{}.id", rng.pick(&tables))),
                _ => "sa.BigInteger()".into(),
            };
            let mut kw: Vec<String> = Vec::new();
            if rng.chance(3) {
                kw.push(format!("nullable={}", rng.pick(&["True", "False"])));
            }
            if rng.chance(4) {
                kw.push(format!("server_default={}", rng.pick(&["'x'", "''", "'0'", "text('0')", "text(\"'it''s'\")", "sa.func.now()", "'é\\n'"])));
            }
            if rng.chance(5) {
                kw.push("unique=True".into());
            }
            if rng.chance(5) {
                kw.push("index=True".into());
            }
            let ctor = if ty.starts_with("ForeignKey") { format!("Column(Integer, {ty}") } else { format!("Column({ty}") };
            let extra = if kw.is_empty() { String::new() } else { format!(", {}", kw.join(", ")) };
            s.push_str(&format!("    c{c} = {ctor}{extra}, name={col:?})\n"));
            cols.push(col);
        }
        if cols.len() > 1 && rng.chance(2) {
            args.push(format!("UniqueConstraint({:?}, {:?})", cols[0], cols[cols.len() - 1]));
        }
        if rng.chance(3) {
            args.push(format!("CheckConstraint('id > {}', name='ck_{t}')", rng.below(100)));
        }
        if cols.len() > 1 && rng.chance(2) {
            args.push(format!("Index('ix_custom_{t}', {:?}, unique={})", cols[cols.len() - 1], rng.pick(&["True", "False"])));
        }
        if !args.is_empty() {
            s.push_str(&format!("    __table_args__ = ({},)\n", args.join(", ")));
        }
        tables.push(table);
    }
    s
}

/// Random valid models, one after another, through autogenerate, upgrade,
/// check, offline SQL and downgrade: nothing panics, whatever fails says so.
#[test]
fn run_line_never_panics_on_random_models_migrations() {
    let mut rng = rng(0x6d69_6772);
    let mut failures = Vec::new();
    let mut cases = 0;
    for k in 0..24 * scale() {
        let mut host = MemoryHost::in_memory(None, &[]);
        let mut history = Vec::new();
        // the same tables from step to step (so autogenerate alters them), named oddly at times
        let names = ["t", "user", "order", "select", "Weird Name", "é", "a_b", "x1", "group"];
        let table_names: Vec<String> = (0..3).map(|t| format!("{}{t}", rng.pick(&names))).collect();
        for step in 0..3 {
            let models = random_models(&mut rng, &table_names);
            host.models = Some(models.clone());
            history.push(models);
            for t in &table_names {
                // rows for the batch copies to carry (ignored when the table is absent)
                let _ = host.db.execute(&format!("INSERT INTO \"{t}\" (id) VALUES ({})", step + 1));
            }
            for line in [
                format!("revision --autogenerate -m step{step} --rev-id r{step}"),
                "upgrade head".to_string(),
                "check".to_string(),
            ] {
                cases += 1;
                if let Err(e) = run(&mut host, &format!("models {k} step {step}"), &line) {
                    failures.push(format!("{e}\n--- models.py versions ---\n{}", history.join("\n# ----\n")));
                }
            }
        }
        for line in ["upgrade base:head --sql", "downgrade head:base --sql", "downgrade base", "upgrade head"] {
            cases += 1;
            if let Err(e) = run(&mut host, &format!("models {k}"), line) {
                failures.push(format!("{e}\n--- models.py versions ---\n{}", history.join("\n# ----\n")));
            }
        }
    }
    report(failures, cases);
}
