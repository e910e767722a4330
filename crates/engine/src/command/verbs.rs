//! The alembic verbs over a `Host`: `alembic/command.py` plus the parts of
//! `EnvironmentContext` / `MigrationContext.run_migrations` they go through.
//!
//! Invariants:
//! - A verb that touches the database logs `Context impl SQLiteImpl.` and
//!   `Will assume non-transactional DDL.` first, as Alembic's env.py run does.
//! - Every verb that runs env.py in Alembic (`script.run_env()`: upgrade,
//!   downgrade, stamp, current, ensure_version, check, `revision
//!   --autogenerate`, `history` with `-i` or a `current` bound, `show
//!   current`) imports models.py first, once per command: an exception there
//!   fails the verb as env.py's `import models` does, and its MetaData is the
//!   scripts' `target_metadata` (`op.get_context().opts`).
//! - Online migrations run step by step; each step's ops run, then its
//!   version-table update. A failure stops there: what ran stays (SQLite DDL
//!   is not transactional) and the message says what was left behind.

use super::args::{Invocation, Verb};
use super::diffs;
use super::script_directory::{load_version_scripts, ScriptCache, VersionLoadError};
use super::{Host, Output};
use crate::autogen;
use crate::models;
use crate::ops::{DowngradeOps, UpgradeOps};
use crate::reflect;
use crate::schema::MetaData;
use crate::render::{self, ScriptHeader};
use crate::revision::{
    self as rev, BranchesOptions, CurrentOptions, HeadsOptions, HistoryOptions, MigrationStep, Revision, RevisionMap,
    ShowOptions, StampStep, VersionUpdate,
};
use crate::runtime::{self, RuntimeError};
use crate::python::alembic::{EnvironmentCommand, MigrationEnvironment, OpSink, ScriptRunError};
use crate::script::{self, Script};

/// Exit status of a `CommandError` (`sys.exit(-1)`).
const EXIT_COMMAND_ERROR: i32 = 255;
/// Exit status of an unhandled Python exception (a database error).
const EXIT_EXCEPTION: i32 = 1;

/// Collects what a verb prints.
struct Out {
    /// `-q`: silences what Alembic prints through `msg` / `print_stdout`
    /// (command results, `Generating ...`, `FAILED: ...`); log lines and
    /// `--sql` output still appear.
    quiet: bool,
    /// Set once env.py "ran" (logging configured): only then does a
    /// `CommandError` also log `ERROR [alembic.util.messaging] ...`.
    env_py: bool,
    stdout: String,
    stderr: String,
}

impl Out {
    fn info(&mut self, logger: &str, message: &str) {
        self.stderr.push_str(&format!("INFO  [{logger}] {message}\n"));
    }
    fn warning(&mut self, logger: &str, message: &str) {
        self.stderr.push_str(&format!("WARNI [{logger}] {message}\n"));
    }
    /// `util.msg` / `Config.print_stdout`: one line, unless `-q`.
    fn print(&mut self, text: &str) {
        if !self.quiet {
            self.stdout.push_str(text);
            self.stdout.push('\n');
        }
    }
    /// `Config.print_stdout` of a command's report (already line-terminated), unless `-q`.
    fn print_block(&mut self, text: &str) {
        if !self.quiet {
            self.stdout.push_str(text);
        }
    }
    /// What log records of code run in the command wrote: as the console
    /// handler of env.py's `fileConfig` writes them once env.py ran, else as
    /// Python's last-resort handler does.
    fn logged(&mut self, logged: &crate::python::eval::LogOutput) {
        self.stderr.push_str(if self.env_py { &logged.configured } else { &logged.unconfigured });
    }
    fn migration_context(&mut self, offline: bool) {
        self.env_py = true;
        self.info("alembic.runtime.migration", "Context impl SQLiteImpl.");
        if offline {
            self.info("alembic.runtime.migration", "Generating static SQL");
        }
        self.info("alembic.runtime.migration", "Will assume non-transactional DDL.");
    }
}

/// Why a verb stopped.
enum Failure {
    /// Alembic's `CommandError`: `FAILED: <message>` on stdout, exit 255.
    Command(String),
    /// An exception Alembic does not catch (database errors): the message on
    /// stderr, exit 1.
    Exception(String),
}

type VerbResult = Result<(), Failure>;

fn command_error(message: impl Into<String>) -> Failure {
    Failure::Command(message.into())
}

pub(super) fn dispatch(host: &mut dyn Host, inv: &Invocation) -> Output {
    let mut out = Out { quiet: inv.quiet, env_py: false, stdout: String::new(), stderr: String::new() };
    let Some(verb) = inv.verb else {
        return Output { exit_code: 2, stdout: String::new(), stderr: "alembic: error: too few arguments\n".into() };
    };
    let result = match verb {
        Verb::Revision => revision(host, inv, &mut out),
        Verb::Merge => merge(host, inv, &mut out),
        Verb::Upgrade => migrate(host, inv, &mut out, true),
        Verb::Downgrade => migrate(host, inv, &mut out, false),
        Verb::Stamp => stamp(host, inv, &mut out),
        Verb::Current => current(host, inv, &mut out),
        Verb::History => history(host, inv, &mut out),
        Verb::Heads => heads(host, inv, &mut out),
        Verb::Branches => branches(host, inv, &mut out),
        Verb::Show => show(host, inv, &mut out),
        Verb::Check => check(host, &mut out),
        Verb::EnsureVersion => ensure_version(host, inv, &mut out),
        Verb::Init | Verb::Edit | Verb::ListTemplates => Err(command_error(format!(
            "'{}' is not available in the playground: the project layout is fixed (models.py, versions/, one SQLite database)",
            verb.name()
        ))),
    };
    let exit_code = match result {
        Ok(()) => 0,
        Err(Failure::Command(message)) if inv.raiseerr => {
            out.stderr.push_str(&format!("alembic.util.exc.CommandError: {message}\n"));
            EXIT_EXCEPTION
        }
        Err(Failure::Command(message)) => {
            if out.env_py {
                out.stderr.push_str(&format!("ERROR [alembic.util.messaging] {message}\n"));
            }
            out.print(&format!("FAILED: {message}"));
            EXIT_COMMAND_ERROR
        }
        Err(Failure::Exception(message)) => {
            out.stderr.push_str(&message);
            if !message.ends_with('\n') {
                out.stderr.push('\n');
            }
            EXIT_EXCEPTION
        }
    };
    Output { exit_code, stdout: out.stdout, stderr: out.stderr }
}

// ---------------------------------------------------------------------------
// the script directory

/// The versions directory, parsed: scripts by revision id plus the map.
struct ScriptDirectory {
    scripts: Vec<Script>,
    /// The index in `scripts` of the first script of each revision id.
    by_revision: std::collections::BTreeMap<String, usize>,
    map: RevisionMap,
}

impl ScriptDirectory {
    fn new(scripts: Vec<Script>, map: RevisionMap) -> ScriptDirectory {
        let mut by_revision = std::collections::BTreeMap::new();
        for (i, s) in scripts.iter().enumerate() {
            by_revision.entry(s.revision.clone()).or_insert(i);
        }
        ScriptDirectory { scripts, by_revision, map }
    }

    fn script(&self, revision: &str) -> Option<&Script> {
        self.by_revision.get(revision).map(|&i| &self.scripts[i])
    }
}

fn load_scripts(host: &mut dyn Host, out: &mut Out) -> Result<ScriptDirectory, Failure> {
    let files = host.list_version_bytes().map_err(command_error)?;
    let loader = host.module_loader();
    let mut own = None;
    let cache = match host.script_cache() {
        Some(cache) => cache,
        None => own.insert(ScriptCache::new(loader)),
    };
    let loaded: Vec<_> = load_version_scripts(files, cache, python_source_text).collect();
    let mut scripts = Vec::new();
    for (name, loaded) in loaded {
        match loaded {
            Ok(s) => {
                // each file's print() output and log records at import, in
                // the order Alembic imports them
                out.stdout.push_str(&s.printed);
                out.logged(&s.logged);
                scripts.push(s)
            }
            Err(VersionLoadError::Source(e)) => return Err(unicode_load_failure(host, &name, &e)),
            Err(VersionLoadError::Script(e)) => {
                out.stdout.push_str(&e.printed);
                out.logged(&e.logged);
                return Err(script_load_failure(host, &e));
            }
        }
    }
    let revisions: Vec<Revision> = scripts
        .iter()
        .map(Script::revision_entry)
        .collect();
    let map = RevisionMap::new(revisions).map_err(map_error)?;
    Ok(ScriptDirectory::new(scripts, map))
}

/// Where CPython's import of a file that is not valid UTF-8 fails.
struct UnicodeSourceError {
    /// 1-based line and column of the offending byte.
    line: u32,
    column: u32,
    /// `(unicode error) 'utf-8' codec can't decode byte 0xe9 in position 3: unexpected end of data`
    message: String,
}

/// The text of a Python source file as CPython 3.11 reads it (UTF-8, no
/// coding cookie). Invalid bytes inside a comment are skipped over by the
/// tokenizer (they become U+FFFD here, which nothing reads); inside a string
/// literal or a name they are a `SyntaxError` whose position counts from
/// the start of the literal's body (after the opening quotes) or of the name.
fn python_source_text(bytes: Vec<u8>) -> Result<String, UnicodeSourceError> {
    let bytes = match String::from_utf8(bytes) {
        Ok(s) => return Ok(s),
        Err(e) => e.into_bytes(),
    };
    let b = bytes.as_slice();
    let decode_error = |token: &[u8], line_start: usize, at: usize| -> Option<UnicodeSourceError> {
        let e = std::str::from_utf8(token).err()?;
        let pos = e.valid_up_to();
        let byte = token[pos];
        let reason = match e.error_len() {
            None => "unexpected end of data",
            Some(_) if (0xC2..=0xF4).contains(&byte) => "invalid continuation byte",
            Some(_) => "invalid start byte",
        };
        let line = b[..at].iter().filter(|&&c| c == b'\n').count() as u32 + 1;
        let column = String::from_utf8_lossy(&b[line_start..at + pos]).chars().count() as u32 + 1;
        Some(UnicodeSourceError {
            line,
            column,
            message: format!("(unicode error) 'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}"),
        })
    };
    let mut i = 0;
    let mut line_start = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line_start = i + 1;
            i += 1;
        } else if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'\'' || c == b'"' {
            let triple = b.get(i..i + 3).is_some_and(|t| t == [c, c, c]);
            let open = if triple { 3 } else { 1 };
            let body = i + open;
            let mut j = body;
            while j < b.len() {
                if b[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if triple && b.get(j..j + 3).is_some_and(|t| t == [c, c, c]) {
                    break;
                }
                if !triple && (b[j] == c || b[j] == b'\n') {
                    break;
                }
                j += 1;
            }
            let end = j.min(b.len());
            if let Some(e) = decode_error(&b[body..end], line_start, body) {
                return Err(e);
            }
            for (k, &x) in b[i..end].iter().enumerate() {
                if x == b'\n' {
                    line_start = i + k + 1;
                }
            }
            i = (end + open).min(b.len());
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            if let Some(e) = decode_error(&b[start..i], line_start, start) {
                return Err(e);
            }
        } else {
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(b).into_owned())
}

fn unicode_load_failure(host: &dyn Host, file_name: &str, e: &UnicodeSourceError) -> Failure {
    let path = host.version_path(file_name);
    Failure::Exception(format!(
        "{path}:{}:{}: not valid UTF-8\nSyntaxError: {}\nCould not load revision file {path}: no command can run until it is fixed.",
        e.line, e.column, e.message
    ))
}

/// A revision file Alembic cannot load. A missing `revision` variable is
/// Alembic's `CommandError` (`FAILED:`, exit 255); anything else (a syntax
/// error) is an exception while importing the file (exit 1). The message
/// starts with `path:line:column` so editors and people find the spot.
fn script_load_failure(host: &dyn Host, e: &script::ScriptError) -> Failure {
    script_load_failure_at(host, &e.file_name, e)
}

/// [`script_load_failure`] for the file at `versions/<file_name>`.
fn script_load_failure_at(host: &dyn Host, file_name: &str, e: &script::ScriptError) -> Failure {
    let path = host.version_path(file_name);
    let d = &e.diagnostic;
    if d.message.starts_with("Could not determine revision id") {
        return command_error(format!(
            "Could not determine revision id from filename {}. Be sure the 'revision' variable is declared \
             inside the script (please see 'Upgrading from Alembic 0.1 to 0.2' in the documentation).",
            e.file_name
        ));
    }
    // CPython's own line where its wording is known: two statements on a
    // line (e.g. a docstring closed early by a `-m '"""x"""'` message)
    let syntax_error = d
        .message
        .starts_with("invalid syntax: Simple statements must be separated by newlines or semicolons")
        .then(|| "SyntaxError: invalid syntax\n".to_string());
    if e.raised {
        // a traceback as Python ends it, the exception line last
        return Failure::Exception(format!(
            "{}\nCould not load revision file {path}: no command can run until it is fixed.",
            python_traceback(&path, d.line, d.column, &d.message)
        ));
    }
    Failure::Exception(format!(
        "{path}:{}:{}: {}\n{}Could not load revision file {path}: no command can run until it is fixed.",
        d.line,
        d.column,
        d.message,
        syntax_error.unwrap_or_default()
    ))
}

/// A revision map that cannot be built. A parent that is missing is
/// Alembic's `util.warn(...)` followed by the `KeyError` of the lookup
/// (exit 1); the rest are `RevisionError`s (`FAILED: ...`).
fn map_error(e: rev::RevisionError) -> Failure {
    let message = e.to_string();
    let missing = message
        .strip_prefix("Revision ")
        .and_then(|rest| rest.split_once(" referenced from "))
        .filter(|_| message.ends_with(" is not present"))
        .map(|(id, _)| id.to_string());
    match missing {
        Some(id) => Failure::Exception(format!("UserWarning: {message}\nKeyError: {}", render::py_repr_str(&id))),
        None => revision_error(e),
    }
}

fn db_error(context: &str, e: impl std::fmt::Display) -> Failure {
    Failure::Exception(format!("sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) {e}\n{context}"))
}

/// A Python exception as Alembic's command line ends its traceback: the
/// position it was raised at (line and column; a position Python does not
/// know is left out), then Python's last line `Class: message`.
fn python_traceback(file: &str, line: u32, column: u32, exception_line: &str) -> String {
    match (line, column) {
        (0, _) => format!("Traceback (most recent call last):\n  File \"{file}\"\n{exception_line}"),
        (line, 0) => format!("Traceback (most recent call last):\n  File \"{file}\", line {line}\n{exception_line}"),
        (line, column) => {
            format!("Traceback (most recent call last):\n  File \"{file}\", line {line}, column {column}\n{exception_line}")
        }
    }
}

/// A runtime failure as Alembic's command line shows it: `CommandError` is
/// `FAILED: ...`; anything else is a Python exception (exit 1).
fn runtime_failure(e: RuntimeError) -> Failure {
    match e {
        RuntimeError::Command(message) => Failure::Command(message),
        other => Failure::Exception(crate::python::repr::exception_line(other.python_exception(), &other.to_string())),
    }
}

fn current_heads(host: &mut dyn Host) -> Result<Vec<String>, Failure> {
    runtime::read_heads(host.database()).map_err(runtime_failure)
}

/// `MigrationContext.run_migrations` online: the heads, after creating the
/// version table when there are none (autogenerate and `check` go through it too).
fn heads_ensuring_version_table(host: &mut dyn Host) -> Result<Vec<String>, Failure> {
    let heads = current_heads(host)?;
    if heads.is_empty() {
        runtime::ensure_version_table(host.database()).map_err(runtime_failure)?;
    }
    Ok(heads)
}

fn revision_error(e: rev::RevisionError) -> Failure {
    let message = e.to_string();
    match uncaught_exception(&message) {
        Some(text) => Failure::Exception(text),
        None => command_error(message),
    }
}

/// Python's own exceptions that `revision` reports by name (`AssertionError:
/// ...`, `KeyError: 'x'`): Alembic does not catch them, so the command dies with
/// a traceback (exit 1) whose last line is the exception. Alembic's asserts are
/// bare but one, so the line is plain `AssertionError`; what failed follows.
fn uncaught_exception(message: &str) -> Option<String> {
    const WITH_MESSAGE: &[&str] = &["Expected downgrade target in string form", "current_revisions should be a tuple"];
    for class in ["AssertionError", "KeyError", "AttributeError", "TypeError", "ValueError"] {
        let Some(rest) = message.strip_prefix(class) else { continue };
        if rest.is_empty() {
            return Some(message.to_string());
        }
        let Some(detail) = rest.strip_prefix(": ") else { continue };
        if class == "AssertionError" && !WITH_MESSAGE.contains(&detail) {
            return Some(format!("AssertionError\n(Alembic 1.20.1 fails an internal assertion here: {detail})"));
        }
        return Some(message.to_string());
    }
    None
}

/// A revision map that cannot be built, where Alembic builds it outside
/// `_catch_revision_errors` (`heads` without `--resolve-dependencies`): the
/// exception escapes with its class name.
fn map_load_exception(failure: Failure) -> Failure {
    match failure {
        Failure::Command(message) => {
            let class = if message.starts_with("Self-loop is detected") {
                "LoopDetected"
            } else if message.starts_with("Cycle is detected") {
                "CycleDetected"
            } else if message.starts_with("Dependency self-loop is detected") {
                "DependencyLoopDetected"
            } else if message.starts_with("Dependency cycle is detected") {
                "DependencyCycleDetected"
            } else {
                return Failure::Command(message);
            };
            Failure::Exception(format!("alembic.script.revision.{class}: {message}"))
        }
        other => other,
    }
}

// ---------------------------------------------------------------------------
// revision / merge

/// `_slug_re = re.compile(r"\w+")`, joined by `_`, lower-cased, truncated at 40.
pub(crate) fn slug(message: Option<&str>) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in message.unwrap_or("").chars() {
        if c.is_alphanumeric() || c == '_' {
            cur.push(c);
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let slug = words.join("_").to_lowercase();
    const TRUNCATE: usize = 40;
    if slug.chars().count() > TRUNCATE {
        let cut: String = slug.chars().take(TRUNCATE).collect();
        match cut.rsplit_once('_') {
            Some((head, _)) => format!("{head}_"),
            None => format!("{cut}_"),
        }
    } else {
        slug
    }
}

fn write_revision(
    host: &mut dyn Host,
    out: &mut Out,
    header: &ScriptHeader,
    upgrade: &UpgradeOps,
    downgrade: &DowngradeOps,
) -> VerbResult {
    let text = render::render_script(header, upgrade, downgrade);
    let file_name = format!("{}_{}.py", header.revision, slug(header.message.as_deref()));
    // `_ensure_directory(path.parent)`: a `/` in the revision id names a subfolder
    if let Some((dir, _)) = file_name.rsplit_once('/') {
        let shown = host.version_path(dir);
        if host.ensure_version_subdir(dir).map_err(command_error)? {
            out.print(&format!("Creating directory {shown} ...  done"));
        }
    }
    let path = host.version_path(&file_name);
    host.write_version(&file_name, &text).map_err(|e| {
        out.print(&format!("Generating {path} ...  FAILED"));
        command_error(e)
    })?;
    out.print(&format!("Generating {path} ...  done"));
    // `Script._from_path(self, path)`: the new file is imported right away, so
    // a message that breaks its docstring fails here (the file stays written)
    let base_name = file_name.rsplit('/').next().unwrap_or(&file_name);
    let process = script::ScriptProcess::new(host.module_loader());
    if let Err(e) = script::parse_script_with(base_name, &text, &process) {
        return Err(script_load_failure_at(host, &file_name, &e));
    }
    Ok(())
}

fn revision(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    if inv.autogenerate && inv.sql {
        return Err(command_error("Using --sql with --autogenerate does not make any sense"));
    }
    if inv.sql {
        return Err(command_error(
            "Using --sql with the revision command when revision_environment is not configured does not make any sense",
        ));
    }
    let rev_id = match &inv.rev_id {
        Some(r) if !r.is_empty() => r.clone(),
        _ => host.new_rev_id(),
    };
    if !inv.autogenerate {
        // `generate_revision` checks the id before it loads the revision map
        rev::verify_rev_id(&rev_id).map_err(revision_error)?;
    }
    let mut upgrade = UpgradeOps::default();
    let mut extra_imports = Vec::new();
    let dir = if inv.autogenerate {
        let (dir, generated) = autogenerate_at_head(host, out)?;
        upgrade = generated.upgrade;
        if generated.uses_sqlmodel {
            extra_imports.push("import sqlmodel".to_string());
        }
        dir
    } else {
        load_scripts(host, out)?
    };
    rev::verify_rev_id(&rev_id).map_err(revision_error)?;
    let heads: Vec<String> = inv.head.iter().cloned().collect();
    let parents = dir.map.new_revision_parents(&heads, inv.splice, &inv.depends_on).map_err(revision_error)?;
    let header = ScriptHeader {
        revision: rev_id,
        down_revision: parents.down_revisions,
        branch_labels: inv.branch_label.iter().cloned().collect(),
        depends_on: parents.depends_on,
        message: inv.message.clone(),
        create_date: host.now(),
        extra_imports,
        autogenerate: inv.autogenerate,
    };
    let downgrade = upgrade.reverse();
    for w in unnamed_drop_constraint_warnings(&upgrade.ops, &downgrade.ops) {
        out.stderr.push_str(&format!("UserWarning: {w}\n"));
    }
    write_revision(host, out, &header, &upgrade, &downgrade)?;
    self_loop(&header)
}

/// What `render._drop_constraint` warns (`util.warn`, a `UserWarning`) for each
/// `drop_constraint(None, ...)` it renders, upgrade first; Python shows a
/// warning once per message.
fn unnamed_drop_constraint_warnings(upgrade: &[crate::ops::Op], downgrade: &[crate::ops::Op]) -> Vec<String> {
    use crate::ops::Op;
    fn walk(ops: &[Op], out: &mut Vec<String>) {
        for op in ops {
            match op {
                Op::DropConstraint { table, name: None, .. } => {
                    let w = format!(
                        "Autogenerate rendered a drop_constraint() directive for an unnamed constraint on table {}; \
                         the migration will fail unless a constraint name is added to the directive.  Consider using \
                         a naming convention so that constraint names are known ahead of time.",
                        render::py_repr_str(table)
                    );
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
                Op::BatchAlterTable(b) => walk(&b.ops, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(upgrade, &mut out);
    walk(downgrade, &mut out);
    out
}

/// `Script._from_path` on the file just written: a revision that names itself
/// as its parent (a `--rev-id` that is already the head) raises `LoopDetected`,
/// after the file was written.
fn self_loop(header: &ScriptHeader) -> VerbResult {
    let id = &header.revision;
    if header.down_revision.contains(id) {
        return Err(command_error(format!("Self-loop is detected in revisions ({id})")));
    }
    if header.depends_on.contains(id) {
        // DependencyLoopDetected(revision) joins the characters of the id
        let chars: Vec<String> = id.chars().map(String::from).collect();
        return Err(command_error(format!("Dependency self-loop is detected in revisions ({})", chars.join(", "))));
    }
    Ok(())
}

/// What autogenerate compared and found.
struct Autogenerated {
    upgrade: UpgradeOps,
    uses_sqlmodel: bool,
    models: MetaData,
    reflected: MetaData,
}

/// env.py's `import models`, which every verb that runs env.py
/// (`script.run_env()`) reaches before it configures the context: models.py
/// loaded once for the command, or the exception that import raises.
fn run_env(host: &mut dyn Host, out: &mut Out) -> Result<models::ModelsResult, Failure> {
    import_models(host, out).map(|(_, loaded)| loaded)
}

/// [`run_env`], with the source it loaded.
fn import_models(host: &mut dyn Host, out: &mut Out) -> Result<(String, models::ModelsResult), Failure> {
    // Alembic's env.py imports models.py: a missing file or a syntax error
    // is a Python exception there (exit 1), reported at its first error as
    // Python does, without the follow-on errors of the half-parsed file.
    let source = host.read_models().map_err(Failure::Exception)?;
    let loaded = host.import_models(&source);
    // its print() output and log records, as Python writes them while
    // env.py imports it (after env.py's fileConfig)
    out.stdout.push_str(&loaded.printed);
    out.stderr.push_str(&loaded.logged);
    // A file that does not parse runs nothing and comes back with errors:
    // only then is it parsed again, for its first syntax error, so a valid
    // models.py is parsed once per command.
    if loaded.diagnostics.iter().any(|d| d.severity == crate::python::Severity::Error) {
        if let Some(d) = crate::python::parse_module(&source).diagnostics.first() {
            return Err(Failure::Exception(format!(
                "models.py:{}:{}: {}\nmodels.py is not valid Python: fix it and run again.",
                d.line, d.column, d.message
            )));
        }
    }
    // An exception Python raises importing models.py ends Alembic's
    // traceback: that exception, where it was raised, nothing after it.
    if let Some(e) = loaded.first_exception() {
        return Err(Failure::Exception(match e.traceback.as_slice() {
            [_, ..] if e.traceback.iter().any(|l| l.file != "models.py") => {
                let frames: String = e.traceback.iter().map(|l| format!("  File \"{}\", line {}, column {}\n", l.file, l.line, l.column)).collect();
                format!("Traceback (most recent call last):\n{frames}{e}")
            }
            _ => python_traceback("models.py", e.line, e.column, &e.to_string()),
        }));
    }
    let mut has_errors = false;
    for d in &loaded.diagnostics {
        match d.severity {
            crate::python::Severity::Error => has_errors = true,
            crate::python::Severity::Warning => out.warning("alembic.playground.models", &format!("models.py:{d}")),
        }
    }
    if has_errors {
        // what Alembic meets here is an exception importing models.py
        // (NameError, InvalidRequestError, ArgumentError ...), or a construct
        // the playground refuses rather than guess: exit 1
        return Err(Failure::Exception(model_errors(&loaded)));
    }
    Ok((source, loaded))
}

/// [`run_env`] for autogenerate. The playground's env.py takes as
/// `target_metadata` models.py's `Base.metadata`, else SQLModel's, else a
/// module-level `MetaData` (as a project's own env.py may: the verbs that
/// only run scripts need none). Comparing against a models.py with no
/// `Base` and no table would write a migration dropping every table: that
/// is the `AttributeError` the reference env.py (`models.Base.metadata`)
/// raises instead.
fn load_target_metadata(host: &mut dyn Host, out: &mut Out) -> Result<models::ModelsResult, Failure> {
    let (_, loaded) = import_models(host, out)?;
    if !loaded.env_target && loaded.metadata.tables.is_empty() {
        return Err(Failure::Exception(format!(
            "models.py defines no `Base`, which env.py reads: declare one, for example \
             `class Base(DeclarativeBase): pass`, and your tables as its subclasses.\n{}",
            python_traceback("env.py", 0, 0, "AttributeError: module 'models' has no attribute 'Base'")
        )));
    }
    Ok(loaded)
}

/// The error diagnostics of models.py, one a line.
fn model_errors(loaded: &models::ModelsResult) -> String {
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::python::Severity::Error)
        .map(|d| format!("models.py:{d}"))
        .collect();
    format!("models.py could not be interpreted; fix these and run again:\n{}", errors.join("\n"))
}

/// Reflects the database and compares it with the models.
fn autogenerate(host: &mut dyn Host, out: &mut Out, loaded: models::ModelsResult) -> Result<Autogenerated, Failure> {
    for plugin in ["schemas", "tables", "types", "constraints", "defaults", "comments"] {
        out.info("alembic.runtime.plugins", &format!("setting up autogenerate plugin alembic.autogenerate.{plugin}"));
    }
    let reflected = reflect::reflect(host.database()).map_err(|e| db_error("while reflecting the database", e))?;
    let comparison = autogen::compare(&loaded.metadata, &reflected);
    for (logger, message) in &comparison.log {
        if logger == autogen::PY_WARNINGS {
            out.stderr.push_str(&format!("{message}\n"));
        } else {
            out.info(logger, message);
        }
    }
    if let Some(e) = comparison.error {
        return Err(runtime_failure(RuntimeError::from(e)));
    }
    Ok(Autogenerated {
        upgrade: comparison.upgrade,
        uses_sqlmodel: loaded.uses_sqlmodel,
        models: loaded.metadata,
        reflected,
    })
}

fn merge(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    let rev_id = match &inv.rev_id {
        Some(r) if !r.is_empty() => r.clone(),
        _ => host.new_rev_id(),
    };
    rev::verify_rev_id(&rev_id).map_err(revision_error)?;
    let dir = load_scripts(host, out)?;
    let parents = dir.map.new_revision_parents(&inv.positionals, inv.splice, &[]).map_err(revision_error)?;
    let header = ScriptHeader {
        revision: rev_id,
        down_revision: parents.down_revisions,
        branch_labels: inv.branch_label.iter().cloned().collect(),
        depends_on: Vec::new(),
        message: inv.message.clone(),
        create_date: host.now(),
        extra_imports: Vec::new(),
        autogenerate: false,
    };
    write_revision(host, out, &header, &UpgradeOps::default(), &DowngradeOps::default())?;
    self_loop(&header)
}

/// `RevisionContext.run_autogenerate` as env.py reaches it: models.py is
/// imported before the context is configured, the version table exists,
/// the database must be at head, then the comparison.
fn autogenerate_at_head(host: &mut dyn Host, out: &mut Out) -> Result<(ScriptDirectory, Autogenerated), Failure> {
    let target = load_target_metadata(host, out)?;
    out.migration_context(false);
    let dir = load_scripts(host, out)?;
    let db_heads = heads_ensuring_version_table(host)?;
    if !dir.map.is_up_to_date(&db_heads).map_err(revision_error)? {
        return Err(command_error("Target database is not up to date."));
    }
    let generated = autogenerate(host, out, target)?;
    Ok((dir, generated))
}

fn check(host: &mut dyn Host, out: &mut Out) -> VerbResult {
    let (_, generated) = autogenerate_at_head(host, out)?;
    if generated.upgrade.is_empty() {
        out.print("No new upgrade operations detected.");
        Ok(())
    } else {
        let sides = diffs::Sides { models: &generated.models, database: &generated.reflected };
        Err(command_error(format!("New upgrade operations detected: {}", diffs::as_diffs(&generated.upgrade, &sides))))
    }
}

// ---------------------------------------------------------------------------
// upgrade / downgrade / stamp

fn migrate(host: &mut dyn Host, inv: &Invocation, out: &mut Out, upgrade: bool) -> VerbResult {
    let target_arg = inv.positionals.first().cloned().unwrap_or_default();
    let (starting, target) = match target_arg.split_once(':') {
        Some((start, end)) => {
            if !inv.sql {
                return Err(command_error("Range revision not allowed"));
            }
            (Some(start.to_string()), end.to_string())
        }
        None => {
            if inv.sql && !upgrade {
                return Err(command_error("downgrade with --sql requires <fromrev>:<torev>"));
            }
            (None, target_arg.clone())
        }
    };
    let models = run_env(host, out)?;
    let environment = MigrationEnvironment {
        command: if upgrade { EnvironmentCommand::Upgrade } else { EnvironmentCommand::Downgrade },
        as_sql: inv.sql,
        starting_rev: starting.clone(),
        destination: vec![target.clone()],
        tag: inv.tag.clone(),
        x_arguments: inv.x.clone(),
        naming_convention: models.metadata.naming_convention,
    };
    out.migration_context(inv.sql);
    // run_migrations: the version table exists before any target is resolved;
    // the revision map loads after that, when the target is
    let db_heads = if inv.sql { Vec::new() } else { heads_ensuring_version_table(host)? };
    let dir = load_scripts(host, out)?;
    let heads = match &starting {
        Some(s) if inv.sql && !s.is_empty() => dir.map.sql_starting_heads(s).map_err(revision_error)?,
        _ => db_heads,
    };
    if !upgrade {
        for w in dir.map.downgrade_warnings(&heads, &target) {
            out.stderr.push_str(&format!("UserWarning: {w}\n"));
        }
    }
    let plan = if upgrade { dir.map.upgrade_plan(&heads, &target) } else { dir.map.downgrade_plan(&heads, &target) }
        .map_err(revision_error)?;
    let steps: Vec<Step> = plan.steps.into_iter().map(Step::Migration).collect();
    run_steps(host, out, &dir, &heads, &steps, &environment)?;
    match plan.error {
        Some(e) => Err(revision_error(e)),
        None => Ok(()),
    }
}

/// A step of `run_migrations`: a revision's script, or a stamp.
enum Step {
    Migration(MigrationStep),
    Stamp(StampStep),
}

impl Step {
    fn description(&self) -> &str {
        match self {
            Step::Migration(m) => &m.description,
            Step::Stamp(s) => &s.description,
        }
    }
    fn version_updates(&self) -> &[VersionUpdate] {
        match self {
            Step::Migration(m) => &m.version_updates,
            Step::Stamp(s) => &s.version_updates,
        }
    }
}

/// A step's ops as the script calls them: the target metadata's naming
/// convention applied, then run (or rendered) at once.
struct StepSink<'r, 'a> {
    run: &'r mut runtime::StepRun<'a>,
    environment: &'r MigrationEnvironment,
}

impl OpSink for StepSink<'_, '_> {
    fn printed(&mut self, text: &str) {
        self.run.printed(text);
    }
    fn logged(&mut self, text: &str) {
        self.run.logged(text);
    }
    fn op(&mut self, op: crate::ops::Op) -> Result<(), RuntimeError> {
        let mut ops = [op];
        runtime::apply_target_naming_convention(&mut ops, &self.environment.naming_convention)?;
        self.run.apply(&ops[0])
    }
    fn environment(&self) -> &MigrationEnvironment {
        self.environment
    }
    fn query(&mut self, sql: &str) -> Result<Option<crate::db::QueryResult>, RuntimeError> {
        self.run.query(sql)
    }
    fn autocommit(&mut self, on: bool) -> Result<(), RuntimeError> {
        self.run.autocommit(on)
    }
}

/// `MigrationContext.run_migrations`: each step's ops, then its version update.
/// Online, pysqlite's transactions are laid over one real transaction for
/// the whole run (`runtime::Transactions`), committed when the run ends,
/// also when it fails.
fn run_steps(
    host: &mut dyn Host,
    out: &mut Out,
    dir: &ScriptDirectory,
    start_heads: &[String],
    steps: &[Step],
    environment: &MigrationEnvironment,
) -> VerbResult {
    let offline = environment.as_sql;
    let mut tx = runtime::Transactions::batched();
    let result = run_steps_in(host, out, dir, start_heads, steps, environment, &mut tx);
    if offline {
        // --sql: no connection, nothing to commit (and no database file made)
        return result;
    }
    let finished = tx.finish(host.database()).map_err(runtime_failure);
    result.and(finished)
}

/// A step's stderr in order: its log records, and its warnings as Python's
/// default filter shows them, the first time each is given in the process
/// (Alembic's `util.warn` warns from one place per message).
fn print_step_stderr(out: &mut Out, warned: &mut std::collections::BTreeSet<String>, stderr: Vec<runtime::StepStderr>) {
    for s in stderr {
        match s {
            runtime::StepStderr::Warning(w) => {
                if warned.insert(w.clone()) {
                    out.stderr.push_str(&format!("{w}\n"));
                }
            }
            runtime::StepStderr::Logged(text) => out.stderr.push_str(&text),
        }
    }
}

fn run_steps_in(
    host: &mut dyn Host,
    out: &mut Out,
    dir: &ScriptDirectory,
    start_heads: &[String],
    steps: &[Step],
    environment: &MigrationEnvironment,
    tx: &mut runtime::Transactions,
) -> VerbResult {
    let offline = environment.as_sql;
    if !offline && start_heads.is_empty() {
        runtime::ensure_version_table(host.database()).map_err(runtime_failure)?;
    }
    let mut heads: Vec<String> = start_heads.to_vec();
    let mut warned = std::collections::BTreeSet::new();
    for step in steps {
        if offline && heads.is_empty() {
            out.stdout.push_str(&runtime::offline_version_table());
        }
        out.info("alembic.runtime.migration", &format!("Running {}", step.description()));
        let script = match step {
            Step::Stamp(_) => None,
            Step::Migration(m) => Some((
                dir.script(&m.revision)
                    .ok_or_else(|| command_error(format!("Can't locate revision identified by '{}'", m.revision)))?,
                m.is_upgrade,
            )),
        };
        // The script's function, evaluated statement by statement; each op
        // runs (or is rendered) when the script calls it.
        let body = |run: &mut runtime::StepRun<'_>| -> Result<(), ScriptRunError> {
            match script {
                None => Ok(()),
                Some((s, is_upgrade)) => {
                    let mut sink = StepSink { run, environment };
                    script::run_script(s, is_upgrade, &mut sink)
                }
            }
        };
        let stopped_in = |failure: Failure, now: &[String]| match (failure, step) {
            (Failure::Exception(message), Step::Migration(m)) => Failure::Exception(format!(
                "{message}\nThe migration stopped in {} of {}; alembic_version still says {}.",
                if m.is_upgrade { "upgrade()" } else { "downgrade()" },
                m.revision,
                if now.is_empty() { "nothing (base)".to_string() } else { now.join(", ") }
            )),
            (failure, _) => failure,
        };
        // the script's path is asked of the host only for a failure (the
        // native host resolves the working directory for it)
        let script_failure = |e: ScriptRunError, host: &dyn Host| match e {
            ScriptRunError::Runtime(e) => runtime_failure(e),
            ScriptRunError::Python(e) => {
                let file = &script.map(|(s, _)| host.version_path(&s.file_name)).unwrap_or_default();
                Failure::Exception(match &e.loc {
                    Some(l) if l.file.ends_with(".py") && !l.file.contains('/') && script.is_some_and(|(s, _)| s.file_name == l.file) => {
                        python_traceback(file, l.line, l.column, &e.exception_line())
                    }
                    Some(l) => python_traceback(&l.file, l.line, l.column, &e.exception_line()),
                    None => python_traceback(file, 0, 0, &e.exception_line()),
                })
            }
        };
        if offline {
            let comment = match step {
                Step::Migration(m) => dir.map.short_log(m),
                Step::Stamp(s) => s.description.clone(),
            };
            out.stdout.push_str(&format!("-- Running {comment}\n\n"));
            let mut text = String::new();
            let mut report = runtime::StepReport::default();
            let result = runtime::offline_streaming(&mut text, body, &mut report);
            out.stdout.push_str(&text);
            print_step_stderr(out, &mut warned, report.stderr);
            result.map_err(|e| script_failure(e, &*host))?;
            out.stdout.push_str(&runtime::offline_version_updates(step.version_updates()));
        } else {
            let mut report = runtime::StepReport::default();
            let result = runtime::run_step_streaming(
                host.database(),
                tx,
                step.version_updates(),
                body,
                ScriptRunError::Runtime,
                |e: &mut ScriptRunError| match e {
                    ScriptRunError::Runtime(r) => Some(r),
                    ScriptRunError::Python(_) => None,
                },
                &mut report,
            );
            // prints and warnings show even when the step fails, as Python writes them when they happen
            out.stdout.push_str(&report.printed);
            print_step_stderr(out, &mut warned, report.stderr);
            if let Err(e) = result {
                // what the version table says now: another process (a second
                // `upgrade head` racing this one) may have moved it since this
                // command read it
                let now = runtime::read_heads(host.database()).unwrap_or_else(|_| heads.clone());
                return Err(stopped_in(script_failure(e, &*host), &now));
            }
        }
        rev::apply_version_updates(&mut heads, step.version_updates());
    }
    Ok(())
}

fn stamp(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    let mut starting: Option<String> = None;
    let mut destinations = Vec::new();
    for r in &inv.positionals {
        match r.split_once(':') {
            Some((s, d)) if inv.sql => {
                if let Some(prev) = &starting {
                    if prev != s {
                        return Err(command_error(
                            "Stamp operation with --sql only supports a single starting revision at a time",
                        ));
                    }
                }
                starting = Some(s.to_string());
                destinations.push(d.to_string());
            }
            _ => destinations.push(r.clone()),
        }
    }
    let models = run_env(host, out)?;
    out.migration_context(inv.sql);
    let dir = load_scripts(host, out)?;
    if inv.purge && inv.sql {
        return Err(command_error("Can't use --purge with --sql mode"));
    }
    let heads = if inv.sql {
        match &starting {
            Some(s) => dir.map.sql_starting_heads(s).map_err(revision_error)?,
            None => Vec::new(),
        }
    } else if inv.purge {
        runtime::ensure_version_table(host.database()).map_err(runtime_failure)?;
        runtime::run_step(host.database(), &[], &[])
            .and_then(|_| {
                host.database().execute("DELETE FROM alembic_version").map_err(|e| RuntimeError::Database {
                    statement: "DELETE FROM alembic_version".into(),
                    message: e.message,
                    left_behind: Vec::new(),
                })
            })
            .map_err(runtime_failure)?;
        Vec::new()
    } else {
        let heads = current_heads(host)?;
        if heads.is_empty() {
            runtime::ensure_version_table(host.database()).map_err(runtime_failure)?;
        }
        heads
    };
    let plan = dir.map.stamp_plan(&heads, &destinations, inv.purge).map_err(revision_error)?;
    let steps: Vec<Step> = plan.steps.into_iter().map(Step::Stamp).collect();
    let environment = MigrationEnvironment {
        command: EnvironmentCommand::Stamp { purge: inv.purge },
        as_sql: inv.sql,
        starting_rev: starting.filter(|_| inv.sql),
        destination: destinations,
        tag: inv.tag.clone(),
        x_arguments: inv.x.clone(),
        naming_convention: models.metadata.naming_convention,
    };
    run_steps(host, out, &dir, &heads, &steps, &environment)?;
    match plan.error {
        Some(e) => Err(revision_error(e)),
        None => Ok(()),
    }
}

fn ensure_version(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    run_env(host, out)?;
    out.migration_context(inv.sql);
    if inv.sql {
        out.stdout.push_str(&runtime::offline_version_table());
        return Ok(());
    }
    runtime::ensure_version_table(host.database()).map_err(runtime_failure)
}

// ---------------------------------------------------------------------------
// read-only verbs

fn current(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    run_env(host, out)?;
    out.migration_context(false);
    let current_heads = current_heads(host)?;
    let dir = load_scripts(host, out)?;
    let opts = CurrentOptions {
        verbose: inv.verbose,
        check_heads: inv.check_heads,
        current_heads,
        url: host.database_url(),
        versions_dir: host.versions_dir(),
    };
    match rev::current(&dir.map, &opts) {
        Ok(text) => {
            out.print_block(&text);
            Ok(())
        }
        Err(e) => {
            // `current -v` prints its header before it looks at the heads
            if opts.verbose {
                out.print(&format!("Current revision(s) for {}:", opts.url));
            }
            Err(revision_error(e))
        }
    }
}

fn history(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    let needs_database = rev::history_needs_database(inv.rev_range.as_deref(), inv.indicate_current);
    if needs_database {
        run_env(host, out)?;
        out.migration_context(false);
    }
    let dir = load_scripts(host, out)?;
    let current_heads = if needs_database {
        runtime::ensure_version_table(host.database()).map_err(runtime_failure)?;
        current_heads(host)?
    } else {
        Vec::new()
    };
    let opts = HistoryOptions {
        rev_range: inv.rev_range.clone(),
        verbose: inv.verbose,
        indicate_current: inv.indicate_current,
        current_heads,
        versions_dir: host.versions_dir(),
    };
    out.print_block(&rev::history(&dir.map, &opts).map_err(revision_error)?);
    Ok(())
}

fn heads(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    let dir = load_scripts(host, out).map_err(|f| if inv.resolve_dependencies { f } else { map_load_exception(f) })?;
    let opts = HeadsOptions {
        verbose: inv.verbose,
        resolve_dependencies: inv.resolve_dependencies,
        versions_dir: host.versions_dir(),
    };
    out.print_block(&rev::heads(&dir.map, &opts).map_err(revision_error)?);
    Ok(())
}

fn branches(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    let dir = load_scripts(host, out)?;
    let opts = BranchesOptions { verbose: inv.verbose, versions_dir: host.versions_dir() };
    out.print_block(&rev::branches(&dir.map, &opts).map_err(revision_error)?);
    Ok(())
}

fn show(host: &mut dyn Host, inv: &Invocation, out: &mut Out) -> VerbResult {
    let target = inv.positionals.first().cloned().unwrap_or_default();
    if target == "current" {
        run_env(host, out)?;
        out.migration_context(false);
    }
    let dir = load_scripts(host, out)?;
    let current_heads = if target == "current" {
        runtime::ensure_version_table(host.database()).map_err(runtime_failure)?;
        current_heads(host)?
    } else {
        Vec::new()
    };
    let opts = ShowOptions { current_heads, versions_dir: host.versions_dir() };
    out.print_block(&rev::show(&dir.map, &target, &opts).map_err(revision_error)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{rev, revision_error, slug, Failure};

    #[test]
    fn rev_id_characters_are_alembics() {
        assert!(rev::verify_rev_id("ae1027a6acf").is_ok());
        assert!(rev::verify_rev_id("with space").is_ok());
        match rev::verify_rev_id("a-b@c:d-e").map_err(revision_error) {
            Err(Failure::Command(m)) => {
                assert_eq!(m, "Character(s) '-, :, @' not allowed in revision identifier 'a-b@c:d-e'")
            }
            _ => panic!("expected a CommandError"),
        }
    }

    #[test]
    fn slug_is_alembics() {
        assert_eq!(slug(Some("create tag")), "create_tag");
        assert_eq!(slug(Some("Add Color, to TAG!")), "add_color_to_tag");
        assert_eq!(slug(None), "");
        assert_eq!(
            slug(Some("a very long message that goes on and on beyond forty characters")),
            "a_very_long_message_that_goes_on_and_on_"
        );
    }
}
