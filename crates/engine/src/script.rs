//! Revision files: loaded by evaluating them as Alembic imports them, run by
//! evaluating `upgrade()` / `downgrade()` statement by statement.
//!
//! Invariants:
//! - A file is evaluated by the one Python evaluator (`crate::python`) with
//!   `alembic`, `sqlalchemy` and the project's modules (through a
//!   `ModuleLoader`) importable. A syntax error, an exception while
//!   importing, a missing `revision` (with no legacy file name) or a missing
//!   `down_revision` (`AttributeError`, as Alembic) is a [`ScriptError`]:
//!   Alembic refuses the whole directory then.
//! - Each file is evaluated once, into its module object, in the
//!   [`ScriptProcess`] of the project load (one interpreter, `sys.modules`
//!   shared, as one Alembic command is one Python process). Migrations call
//!   the module's `upgrade()` / `downgrade()` through [`run_script`], each op
//!   reaching the sink when the script calls it; running a script again
//!   calls the function again, it does not re-import.
//! - [`Script::upgrade`] / [`Script::downgrade`] (the static view: the ops
//!   the function calls with a recording sink) are computed on first use
//!   only, from the same module object; the verbs never need them.
//! - Each `op.*` call is read from its own call expression by the readers
//!   below, binding arguments to Alembic's signatures; the source text gives
//!   the structure (columns, constraints, defaults), and the leaves come from
//!   the values the evaluator made the call with: scalars ([`Resolve`]) and
//!   types the text does not name ([`TypeResolve`]: a project's
//!   `TypeDecorator`, a type in a variable). Names resolve through the
//!   module's imports. What the readers cannot honour is an error at its
//!   line:column carrying its Python exception class ([`ReadError`]:
//!   `TypeError` for arguments a signature does not take), never dropped.

use std::collections::BTreeMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::ops::{AlterColumn, BatchAlterTable, ColumnPosition, DowngradeOps, Literal, Op, Recreate, SqliteTableKwargs, UpgradeOps};
use std::rc::Rc;

use crate::python::alembic::{OpSink, RecordingSink, ScriptRunError};
pub use crate::python::alembic::ScriptProcess;
use crate::python::eval::LogOutput;
use crate::python::value::{Module, Value};
use crate::python::{parse_module, Diagnostic, NoModules, PyError, Severity, SourceRef};
use crate::render::ScriptHeader;
use crate::schema::{
    Autoincrement, CheckConstraint, Column, Computed, Constraint, ConstraintKind, EnumInfo,
    ForeignKeyConstraint, Index, IndexColumn, Name, PrimaryKeyConstraint, ServerDefault, SqlType,
    Table, TypeClass, UniqueConstraint, UnrenderableType, Dialect, DialectTypeRepr,
};

/// A loaded revision file.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// File name, e.g. `r0001_step_1.py`.
    pub file_name: String,
    pub revision: String,
    pub down_revision: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// First paragraph of the stripped module docstring (Alembic's `Script.doc`).
    pub doc: String,
    /// The whole module docstring, stripped (Alembic's `Script.longdoc`).
    pub longdoc: String,
    /// The file's text.
    pub source: String,
    /// The module object the file was evaluated into.
    pub module: ScriptModule,
    /// What its `print()` calls wrote while it was imported (a command that
    /// loads the versions directory prints it, each time, as each `alembic`
    /// process imports the files again).
    pub printed: String,
    /// What its log records wrote to stderr while it was imported.
    pub logged: LogOutput,
    /// The static views, made on first use.
    upgrade: std::cell::OnceCell<Result<UpgradeOps, Diagnostic>>,
    downgrade: std::cell::OnceCell<Result<DowngradeOps, Diagnostic>>,
}

/// A revision file's module object and the process it lives in.
#[derive(Clone)]
pub struct ScriptModule {
    pub process: Rc<ScriptProcess>,
    pub module: Rc<Module>,
}

impl std::fmt::Debug for ScriptModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<module '{}'>", self.module.name)
    }
}

/// Module objects are equal when they are the same object.
impl PartialEq for ScriptModule {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.module, &other.module)
    }
}

impl Script {
    /// The ops `upgrade()` calls (its static view, recorded without a
    /// database on first use), or why they cannot be interpreted.
    pub fn upgrade(&self) -> &Result<UpgradeOps, Diagnostic> {
        self.upgrade.get_or_init(|| self.record("upgrade").map(|ops| UpgradeOps { ops }))
    }

    /// The ops `downgrade()` calls, as [`Script::upgrade`].
    pub fn downgrade(&self) -> &Result<DowngradeOps, Diagnostic> {
        self.downgrade.get_or_init(|| self.record("downgrade").map(|ops| DowngradeOps { ops }))
    }

    fn record(&self, function: &str) -> Result<Vec<Op>, Diagnostic> {
        if self.module.module.globals.get(function).is_none() {
            return Err(Diagnostic {
                severity: Severity::Error,
                line: 1,
                column: 1,
                message: format!("the script has no {function}() function; Alembic cannot run it"),
            });
        }
        let mut sink = RecordingSink::default();
        match self.module.process.run_function(&self.module.module, function, &mut sink) {
            Ok(()) => Ok(sink.ops),
            Err(ScriptRunError::Python(e)) => Err(py_diagnostic(&e, &self.file_name)),
            Err(ScriptRunError::Runtime(e)) => Err(Diagnostic { severity: Severity::Error, line: 1, column: 1, message: e.to_string() }),
        }
    }

    /// The script's entry in the [`crate::revision::RevisionMap`].
    pub fn revision_entry(&self) -> crate::revision::Revision {
        crate::revision::Revision {
            revision: self.revision.clone(),
            down_revisions: self.down_revision.clone(),
            branch_labels: self.branch_labels.clone(),
            depends_on: self.depends_on.clone(),
            doc: self.doc.clone(),
            file_name: self.file_name.clone(),
            longdoc: self.longdoc.clone(),
        }
    }
}

/// Why a file is not a usable revision script at all (no `revision =`,
/// syntax error, ...). Alembic fails to load the whole script directory then.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file_name}:{diagnostic}")]
pub struct ScriptError {
    pub file_name: String,
    pub diagnostic: Diagnostic,
    /// What the module's `print()` calls wrote before it failed: Python
    /// has written it by the time the traceback shows.
    pub printed: String,
    /// What its log records wrote to stderr before it failed.
    pub logged: LogOutput,
    /// The module raised a Python exception while it ran (Python prints a
    /// traceback), rather than not parsing or lacking its header variables.
    pub raised: bool,
}

/// Loads a revision file on its own (a process of its own, no project
/// modules importable): header variables, docstring, and the module whose
/// functions give the ops.
pub fn parse_script(file_name: &str, source: &str) -> Result<Script, ScriptError> {
    parse_script_with(file_name, source, &ScriptProcess::new(Rc::new(NoModules)))
}

/// The module name Alembic's `load_python_file` gives a revision file.
pub fn module_id(file_name: &str) -> String {
    file_name.chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// `e` as a diagnostic of `file`: where it was raised there, or where it
/// left the file (the import of the module that raised it).
fn py_diagnostic(e: &PyError, file: &str) -> Diagnostic {
    let (line, column) = e.loc_in(file).map(|l| (l.line, l.column)).unwrap_or((1, 1));
    Diagnostic { severity: Severity::Error, line, column, message: e.exception_line_in(file) }
}

/// Loads a revision file into `process` (the project load's one Python
/// process, whose loader makes the project's modules importable): the
/// module is evaluated once, as Alembic imports it, and the header is read
/// from its globals.
pub fn parse_script_with(file_name: &str, source: &str, process: &Rc<ScriptProcess>) -> Result<Script, ScriptError> {
    let parsed = parse_module(source);
    let fail_printed = |diagnostic: Diagnostic, printed: String, logged: LogOutput| ScriptError { file_name: file_name.to_string(), diagnostic, printed, logged, raised: false };
    if let Some(d) = parsed.diagnostics.iter().find(|d| d.severity == Severity::Error) {
        return Err(fail_printed(d.clone(), String::new(), LogOutput::default()));
    }
    let longdoc = module_docstring(&parsed.module).map(|d| d.trim().to_string()).unwrap_or_default();
    let id = module_id(file_name);
    let loaded = process.load_module(&id, file_name, source, parsed);
    let printed = process.take_output();
    let logged = process.take_log();
    let module = loaded.map_err(|e| ScriptError { raised: true, ..fail_printed(py_diagnostic(&e, file_name), printed.clone(), logged.clone()) })?;
    let fail = |diagnostic: Diagnostic| fail_printed(diagnostic, printed.clone(), logged.clone());
    let mut it = process.interp();
    let at = |name: &str| -> Diagnostic {
        // The assignment of `name`, for messages about its value (a
        // failure only: the text is parsed again for it).
        let parsed = parse_module(source);
        let mut d = Diagnostic { severity: Severity::Error, line: 1, column: 1, message: String::new() };
        for stmt in &parsed.module.body {
            let target = match stmt {
                Stmt::Assign(a) => a.targets.first(),
                Stmt::AnnAssign(a) => Some(a.target.as_ref()),
                _ => None,
            };
            if let Some(Expr::Name(n)) = target {
                if n.id.as_str() == name {
                    let (line, column) = parsed.index.line_col(source, usize::from(stmt.range().start()));
                    d.line = line;
                    d.column = column;
                }
            }
        }
        d
    };
    let revision = match module.globals.get("revision") {
        Some(Value::Str(r)) => r.to_string(),
        Some(other) => {
            let shown = it.repr(&other).unwrap_or_default();
            return Err(fail(Diagnostic { message: format!("revision must be a string, not {shown}"), ..at("revision") }));
        }
        None => match legacy_revision(file_name) {
            Some(r) => r,
            None => {
                return Err(fail(Diagnostic {
                    severity: Severity::Error,
                    line: 1,
                    column: 1,
                    message: format!(
                        "Could not determine revision id from filename {file_name}. Be sure the 'revision' \
                         variable is declared inside the script."
                    ),
                }))
            }
        },
    };
    let mut ids = |name: &str, required: bool| -> Result<Vec<String>, ScriptError> {
        match module.globals.get(name) {
            None if required => Err(fail(Diagnostic {
                severity: Severity::Error,
                line: 1,
                column: 1,
                message: format!("AttributeError: module '{id}' has no attribute '{name}'"),
            })),
            None | Some(Value::None) => Ok(Vec::new()),
            Some(Value::Str(s)) => Ok(vec![s.to_string()]),
            Some(v @ (Value::Tuple(_) | Value::List(_))) => {
                let items = it.iterate(&v).unwrap_or_default();
                items
                    .into_iter()
                    .map(|x| match x {
                        Value::Str(s) => Ok(s.to_string()),
                        _ => Err(fail(Diagnostic { message: format!("{name} must be None, a string, or a tuple or list of strings"), ..at(name) })),
                    })
                    .collect()
            }
            Some(_) => Err(fail(Diagnostic { message: format!("{name} must be None, a string, or a tuple or list of strings"), ..at(name) })),
        }
    };
    let down_revision = ids("down_revision", true)?;
    let branch_labels = ids("branch_labels", false)?;
    let depends_on = ids("depends_on", false)?;

    let doc = first_paragraph(&longdoc);
    drop(it);

    Ok(Script {
        file_name: file_name.to_string(),
        revision,
        down_revision,
        branch_labels,
        depends_on,
        doc,
        longdoc,
        source: source.to_string(),
        module: ScriptModule { process: process.clone(), module },
        printed,
        logged,
        upgrade: std::cell::OnceCell::new(),
        downgrade: std::cell::OnceCell::new(),
    })
}

/// Runs `upgrade()` (or `downgrade()`) of `script`'s module statement by
/// statement, each op going to `sink` as it is called.
pub fn run_script(script: &Script, upgrade: bool, sink: &mut dyn OpSink) -> Result<(), ScriptRunError> {
    let function = if upgrade { "upgrade" } else { "downgrade" };
    script.module.process.run_function(&script.module.module, function, sink)
}

/// The header a script was rendered with, as far as the text tells:
/// the docstring's first line as message, its `Create Date:`, the template's
/// extra imports (anything beyond the generic template's three imports and
/// autogenerate's `from sqlalchemy.dialects import ...`) and whether the
/// bodies carry autogenerate's markers. Used to re-render a parsed script.
pub fn script_header(script: &Script, source: &str) -> ScriptHeader {
    let parsed = parse_module(source);
    let docstring = module_docstring(&parsed.module).unwrap_or_default();
    let message = docstring.split('\n').next().map(str::to_string);
    let create_date = docstring
        .lines()
        .find_map(|l| l.strip_prefix("Create Date: "))
        .map(str::to_string)
        .unwrap_or_default();
    let standard = ["from typing import Sequence, Union", "from alembic import op", "import sqlalchemy as sa"];
    let mut extra_imports = Vec::new();
    for stmt in &parsed.module.body {
        if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
            let text = parsed.text(stmt);
            if !standard.contains(&text) && !text.starts_with("from sqlalchemy.dialects import ") {
                extra_imports.push(text.to_string());
            }
        }
    }
    ScriptHeader {
        revision: script.revision.clone(),
        down_revision: script.down_revision.clone(),
        branch_labels: script.branch_labels.clone(),
        depends_on: script.depends_on.clone(),
        message,
        create_date,
        extra_imports,
        autogenerate: source.contains(crate::render::BEGIN_MARKER),
    }
}

/// `_legacy_rev`: `([a-f0-9]+)\.py$` matched at the start of the file name.
fn legacy_revision(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".py")?;
    if !stem.is_empty() && stem.chars().all(|c| matches!(c, 'a'..='f' | '0'..='9')) {
        Some(stem.to_string())
    } else {
        None
    }
}

fn module_docstring(module: &ast::ModModule) -> Option<String> {
    match module.body.first() {
        Some(Stmt::Expr(e)) => match e.value.as_ref() {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// `Script.doc`: `re.split("\n\n", docstring.strip())[0]`.
fn first_paragraph(doc: &str) -> String {
    let doc = doc.trim();
    doc.split("\n\n").next().unwrap_or("").to_string()
}

// ----- entry points for the evaluator ----------------------------------------
//
// While a script runs in the evaluator, each `op.*` / `batch_op.*` call is
// read from its own call expression by the readers below, with names
// resolved through the imports of the module the call is written in.

/// Local names → qualified names from every import statement of a module
/// (module level and inside functions).
pub(crate) struct Imports(Env);

pub(crate) fn module_imports(module: &ast::ModModule) -> Imports {
    fn walk(body: &[Stmt], env: &mut Env) {
        for s in body {
            match s {
                Stmt::Import(_) | Stmt::ImportFrom(_) => env.import(s),
                Stmt::FunctionDef(f) => walk(&f.body, env),
                Stmt::ClassDef(c) => walk(&c.body, env),
                Stmt::If(i) => {
                    walk(&i.body, env);
                    for c in &i.elif_else_clauses {
                        walk(&c.body, env);
                    }
                }
                Stmt::With(w) => walk(&w.body, env),
                Stmt::For(f) => {
                    walk(&f.body, env);
                    walk(&f.orelse, env);
                }
                Stmt::While(w) => {
                    walk(&w.body, env);
                    walk(&w.orelse, env);
                }
                Stmt::Try(t) => {
                    walk(&t.body, env);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        walk(&h.body, env);
                    }
                    walk(&t.orelse, env);
                    walk(&t.finalbody, env);
                }
                _ => {}
            }
        }
    }
    let mut env = Env::default();
    walk(&module.body, &mut env);
    Imports(env)
}

/// Reads `op.<method>(...)` (or `batch_op.<method>(...)` on the batch of
/// `batch_table`) from its call expression.
pub(crate) fn read_op(src: SourceRef<'_>, imports: &Imports, call: &ast::ExprCall, method: &str, batch_table: Option<&str>, resolve: Resolve<'_>, sa_type: TypeResolve<'_>) -> Result<Op, ReadError> {
    let cx = Cx { m: src, resolve: Some(resolve), sa_type: Some(sa_type) };
    // Inside a batch, `<receiver>.f('name')` names things too.
    let receiver = match call.func.as_ref() {
        Expr::Attribute(a) => match a.value.as_ref() {
            Expr::Name(n) => n.id.as_str().to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let scope = Scope { batch: batch_table.map(|t| (receiver, t.to_string())) };
    cx.op_method(call, method, batch_table.is_some(), &scope, batch_table, &imports.0)
}

/// Reads `op.batch_alter_table(...)`'s arguments; `copy_from` is the table
/// its `copy_from=` names when that is not written in the call itself.
pub(crate) fn read_batch(src: SourceRef<'_>, imports: &Imports, call: &ast::ExprCall, copy_from: Option<Table>) -> Result<BatchAlterTable, ReadError> {
    let cx = Cx { m: src, resolve: None, sa_type: None };
    cx.batch_header(call, &imports.0, copy_from)
}

/// Reads the `sa.Table('t', sa.MetaData(), sa.Column(...), ...)` call that
/// made a batch's `copy_from=` table.
pub(crate) fn read_copy_from(src: SourceRef<'_>, imports: &Imports, call: &ast::ExprCall) -> Result<Table, ReadError> {
    let cx = Cx { m: src, resolve: None, sa_type: None };
    cx.sa_table(&Expr::Call(call.clone()), &imports.0)
}

/// Reads `sa.table('t', sa.column('a', type), ...)`.
pub(crate) fn read_table_clause(src: SourceRef<'_>, imports: &Imports, call: &ast::ExprCall) -> Result<(String, Vec<(String, Option<SqlType>)>), ReadError> {
    let cx = Cx { m: src, resolve: None, sa_type: None };
    cx.table_clause(call, &imports.0)
}

/// `sa.table('t', sa.column('a', type), ...)`: the table name and its columns.
type TableClause = (String, Vec<(String, Option<SqlType>)>);

/// Local names → qualified Python names, from the module's imports.
#[derive(Debug, Clone, Default)]
struct Env {
    names: BTreeMap<String, String>,
    /// `my_table = sa.table(...)` inside a function, for `bulk_insert`.
    tables: BTreeMap<String, TableClause>,
}

impl Env {
    fn import(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(i) => {
                for alias in &i.names {
                    let full = alias.name.as_str().to_string();
                    match &alias.asname {
                        Some(a) => {
                            self.names.insert(a.as_str().to_string(), full);
                        }
                        None => {
                            // `import a.b` binds `a`
                            let first = full.split('.').next().unwrap_or(&full).to_string();
                            self.names.insert(first.clone(), first);
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                if i.level != 0 {
                    return;
                }
                let module = i.module.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default();
                for alias in &i.names {
                    let name = alias.name.as_str();
                    let local = alias.asname.as_ref().map(|a| a.as_str()).unwrap_or(name);
                    self.names.insert(local.to_string(), format!("{module}.{name}"));
                }
            }
            _ => {}
        }
    }
}

/// The receiver of an op call: `op` at the top of a function, the `as` name
/// of the enclosing `batch_alter_table` block inside it.
#[derive(Debug, Clone)]
struct Scope {
    /// `Some((batch_op name, table))` inside a batch block.
    batch: Option<(String, String)>,
}

/// A scalar an argument expression evaluated to (see [`Resolve`]).
pub(crate) enum Scalar {
    Str(String),
    Int(i64),
    Bool(bool),
}

/// The value of a side-effect-free argument expression (a variable, an
/// f-string, `a + b`...), from the evaluator running the script.
pub(crate) type Resolve<'a> = &'a dyn Fn(&Expr) -> Option<Scalar>;

/// A SQLAlchemy type as the evaluator holds it, reduced to what SQLite's
/// DDL compiler sees: the qualified name of the type class and the
/// arguments it was constructed with (a `TypeDecorator` is already
/// replaced by its `load_dialect_impl(dialect)` or `impl`).
pub(crate) struct TypeValue {
    pub path: String,
    pub args: crate::python::Args,
}

/// The type value of an argument expression of the op call, from the
/// evaluator (`None` when the expression has no recorded value);
/// `Err` carries the exception line of a failing `load_dialect_impl`.
pub(crate) type TypeResolve<'a> = &'a dyn Fn(&Expr) -> Option<Result<TypeValue, String>>;

/// Parse context: the module's text, for diagnostics, and the evaluator's
/// values of names.
struct Cx<'a, 'src> {
    m: SourceRef<'src>,
    resolve: Option<Resolve<'a>>,
    sa_type: Option<TypeResolve<'a>>,
}

type R<T> = Result<T, ReadError>;

/// Why a reader refused an op call: where, and the Python exception class
/// Alembic (or Python's argument binding) raises there: `TypeError` for
/// arguments a signature does not take, `NotImplementedError` for what
/// the playground does not model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadError {
    pub diagnostic: Diagnostic,
    pub exception: &'static str,
}

impl From<ReadError> for Diagnostic {
    fn from(e: ReadError) -> Diagnostic {
        e.diagnostic
    }
}

/// Values bound to a signature's parameters by name: a signature's few
/// names, so a list rather than a map type of its own per value type.
struct Named<V>(Vec<(&'static str, V)>);

impl<V> Named<V> {
    fn new() -> Self {
        Named(Vec::new())
    }

    /// Binds `param`; `false` (and nothing bound) when it already was.
    fn bind(&mut self, param: &'static str, value: V) -> bool {
        if self.contains(param) {
            return false;
        }
        self.0.push((param, value));
        true
    }

    fn contains(&self, param: &str) -> bool {
        self.0.iter().any(|(p, _)| *p == param)
    }

    fn get(&self, param: &str) -> Option<&V> {
        self.0.iter().find(|(p, _)| *p == param).map(|(_, v)| v)
    }
}

/// A call's arguments bound to a signature, as Python binds them.
struct Bound<'e> {
    named: Named<&'e Expr>,
    varargs: Vec<&'e Expr>,
    /// `**kw` collected when the signature lists [`KWARGS`].
    kwargs: Vec<(String, &'e Expr)>,
}

/// Listed in `Sig::kwonly`, it makes the signature take `**kw`: keywords
/// it does not name land in `Bound::kwargs` instead of raising TypeError.
const KWARGS: &str = "**kw";

impl<'e> Bound<'e> {
    fn get(&self, k: &str) -> Option<&'e Expr> {
        self.named.get(k).copied()
    }
}


/// A Python signature: positional-or-keyword parameters (the first
/// `required` of them required), an optional `*args`, keyword-only names.
struct Sig {
    params: &'static [&'static str],
    required: usize,
    varargs: bool,
    kwonly: &'static [&'static str],
}

const fn sig(params: &'static [&'static str], required: usize, kwonly: &'static [&'static str]) -> Sig {
    Sig { params, required, varargs: false, kwonly }
}

impl<'a, 'src> Cx<'a, 'src> {
    fn err(&self, node: &impl Ranged, message: impl Into<String>) -> ReadError {
        ReadError { diagnostic: self.m.diagnostic(node, Severity::Error, message), exception: "NotImplementedError" }
    }

    /// Python's `TypeError` for arguments a signature does not take.
    fn type_err(&self, node: &impl Ranged, message: impl Into<String>) -> ReadError {
        ReadError { exception: "TypeError", ..self.err(node, message) }
    }

    fn text(&self, node: &impl Ranged) -> &'src str {
        self.m.text(node)
    }

    /// Short source text of a node for messages.
    fn quote(&self, node: &impl Ranged) -> String {
        let t = self.text(node);
        let first = t.lines().next().unwrap_or("");
        if first.chars().count() > 60 || t.contains('\n') {
            format!("{}...", first.chars().take(60).collect::<String>())
        } else {
            first.to_string()
        }
    }

    // ----- header ---------------------------------------------------------

    // ----- functions and statements ----------------------------------------

    /// `op.batch_alter_table(...)`'s arguments: the batch without its ops.
    fn batch_header(&self, call: &ast::ExprCall, env: &Env, given_copy_from: Option<Table>) -> R<BatchAlterTable> {
        const SIG: Sig = sig(
            &["table_name", "schema", "recreate", "partial_reordering", "copy_from", "table_args", "table_kwargs", "reflect_args", "reflect_kwargs", "naming_convention"],
            1,
            &[],
        );
        let b = self.bind(call, &SIG, "op.batch_alter_table")?;
        let table = self.str_arg(&b, "table_name", call)?;
        self.expect_none(&b, "schema")?;
        let recreate = match b.get("recreate") {
            None => Recreate::Auto,
            Some(e) => match self.str_lit(e)?.as_str() {
                "auto" => Recreate::Auto,
                "always" => Recreate::Always,
                "never" => Recreate::Never,
                other => return Err(self.err(e, format!("recreate must be 'auto', 'always' or 'never', not {other:?}"))),
            },
        };
        let reflect_args = match b.get("reflect_args") {
            None | Some(Expr::NoneLiteral(_)) => None,
            Some(Expr::List(l)) => Some(self.table_items(&table, l.elts.iter(), env)?),
            Some(Expr::Tuple(t)) => Some(self.table_items(&table, t.elts.iter(), env)?),
            Some(e) => return Err(self.err(e, "batch_alter_table(reflect_args=...) must be a list of sa.Column(...) in the playground")),
        };
        let partial_reordering = match b.get("partial_reordering") {
            None | Some(Expr::NoneLiteral(_)) => Vec::new(),
            Some(Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. })) => {
                let mut chains = Vec::new();
                for chain in elts {
                    match chain {
                        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                            chains.push(elts.iter().map(|e| self.str_lit(e)).collect::<R<Vec<_>>>()?);
                        }
                        e => return Err(self.err(e, "partial_reordering must be a list of tuples of column names")),
                    }
                }
                chains
            }
            Some(e) => return Err(self.err(e, "partial_reordering must be a list of tuples of column names")),
        };
        let copy_from = match (b.get("copy_from"), given_copy_from) {
            (_, Some(t)) => Some(t),
            (None | Some(Expr::NoneLiteral(_)), None) => None,
            (Some(e), None) => Some(self.sa_table(e, env)?),
        };
        let table_args = match b.get("table_args") {
            None => Vec::new(),
            Some(Expr::Tuple(t)) => t.elts.iter().map(|e| self.constraint(e, env, None)).collect::<R<Vec<_>>>()?,
            Some(Expr::List(l)) => l.elts.iter().map(|e| self.constraint(e, env, None)).collect::<R<Vec<_>>>()?,
            Some(e) => return Err(self.err(e, "table_args must be a tuple of constraints")),
        };
        let table_kwargs = match b.get("table_kwargs") {
            None | Some(Expr::NoneLiteral(_)) => SqliteTableKwargs::default(),
            Some(Expr::Dict(d)) => {
                let mut kwargs: Vec<(String, &Expr)> = Vec::new();
                for item in &d.items {
                    let Some(k) = &item.key else { return Err(self.err(&item.value, "batch_alter_table(table_kwargs={**...}) is not supported by the playground")) };
                    let key = self.str_lit(k)?;
                    // Python-side only, or a comment SQLite's DDL does not show
                    if matches!(key.as_str(), "info" | "comment") {
                        continue;
                    }
                    kwargs.push((key, &item.value));
                }
                self.table_dialect_kwargs(&kwargs, "batch_alter_table(table_kwargs=...)")?
            }
            Some(e) => return Err(self.err(e, "batch_alter_table(table_kwargs=...) must be a dict literal in the playground")),
        };
        // `naming_convention` is read from its value by the caller (`python::alembic`)
        for k in ["reflect_kwargs"] {
            if let Some(e) = b.get(k) {
                if !matches!(e, Expr::NoneLiteral(_)) {
                    return Err(self.err(e, format!("batch_alter_table({k}=...) is not supported by the playground")));
                }
            }
        }
        Ok(BatchAlterTable { table, recreate, copy_from, reflect_args, partial_reordering, table_args, naming_convention: Default::default(), table_kwargs, ops: Vec::new() })
    }

    // ----- op calls ---------------------------------------------------------

    /// `op.<method>(...)` or, with `in_batch`, `batch_op.<method>(...)` on the
    /// batch of `batch_table`: the call's arguments bound to Alembic's
    /// signature and read into an [`Op`].
    fn op_method(&self, call: &ast::ExprCall, method: &str, in_batch: bool, scope: &Scope, batch_table: Option<&str>, env: &Env) -> R<Op> {
        let p = if in_batch { "batch_op" } else { "op" };
        let name = format!("{p}.{method}");
        let cx = OpCx { scope, env, batch_table };
        match (method, in_batch) {
            ("create_table", false) => self.op_create_table(call, &cx),
            ("drop_table", false) => {
                const SIG: Sig = sig(&["table_name"], 1, &["schema", "if_exists", KWARGS]);
                let b = self.bind(call, &SIG, &name)?;
                self.expect_none(&b, "schema")?;
                let if_exists = self.opt_bool(b.get("if_exists"))?;
                // `**kw` go to the `Table` Alembic builds to drop: SQLAlchemy checks them
                self.table_dialect_kwargs(&b.kwargs, &name)?;
                Ok(Op::DropTable { table: Table::new(self.str_arg(&b, "table_name", call)?), if_exists })
            }
            ("rename_table", false) => {
                const SIG: Sig = sig(&["old_table_name", "new_table_name"], 2, &["schema"]);
                let b = self.bind(call, &SIG, &name)?;
                self.expect_none(&b, "schema")?;
                Ok(Op::RenameTable {
                    old_name: self.str_arg(&b, "old_table_name", call)?,
                    new_name: self.str_arg(&b, "new_table_name", call)?,
                })
            }
            ("add_column", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["column"], 1, &["insert_before", "insert_after", "if_not_exists"]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["table_name", "column"], 2, &["schema", "if_not_exists", "inline_references", "inline_primary_key"]);
                    let b = self.bind(call, &SIG, &name)?;
                    self.expect_none(&b, "schema")?;
                    self.unsupported_kw(&b, &["inline_references", "inline_primary_key"], &name)?;
                    (self.str_arg(&b, "table_name", call)?, b)
                };
                let if_not_exists = self.opt_bool(b.get("if_not_exists"))?;
                let col_expr = b.get("column").ok_or_else(|| self.err(call, format!("{name}() needs a column")))?;
                let col = self.column(col_expr, env)?;
                if let Some(fk) = col.foreign_key {
                    return Err(self.err(
                        fk,
                        "sa.ForeignKey inside add_column is not supported by the playground; add the column, then \
                         create_foreign_key(...)",
                    ));
                }
                if col.unique || col.index {
                    return Err(self.err(
                        col_expr,
                        "unique=/index= inside add_column is not supported by the playground; use \
                         create_unique_constraint / create_index",
                    ));
                }
                let position = ColumnPosition {
                    insert_before: b.get("insert_before").filter(|e| !matches!(e, Expr::NoneLiteral(_))).map(|e| self.str_lit(e)).transpose()?,
                    insert_after: b.get("insert_after").filter(|e| !matches!(e, Expr::NoneLiteral(_))).map(|e| self.str_lit(e)).transpose()?,
                };
                Ok(Op::AddColumn { table, column: col.column, if_not_exists, position })
            }
            ("drop_column", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["column_name"], 1, &["if_exists"]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["table_name", "column_name"], 2, &["schema", "if_exists"]);
                    let b = self.bind(call, &SIG, &name)?;
                    self.expect_none(&b, "schema")?;
                    (self.str_arg(&b, "table_name", call)?, b)
                };
                let if_exists = self.opt_bool(b.get("if_exists"))?;
                let col = self.str_arg(&b, "column_name", call)?;
                Ok(Op::DropColumn { table, column: Column::new(col, SqlType::new(TypeClass::Null)), if_exists })
            }
            ("alter_column", _) => self.op_alter_column(call, &cx, &name),
            ("create_index", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["index_name", "columns"], 2, &["unique", "if_not_exists", "schema", KWARGS]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["index_name", "table_name", "columns"], 3, &["schema", "unique", "if_not_exists", KWARGS]);
                    let b = self.bind(call, &SIG, &name)?;
                    (self.str_arg(&b, "table_name", call)?, b)
                };
                self.expect_none(&b, "schema")?;
                let if_not_exists = self.opt_bool(b.get("if_not_exists"))?;
                let idx_name = self.name_arg(b.get("index_name"), &cx)?;
                let columns = match b.get("columns") {
                    Some(Expr::List(l)) => l.elts.iter().map(|e| self.index_column(e, env)).collect::<R<Vec<_>>>()?,
                    Some(Expr::Tuple(t)) => t.elts.iter().map(|e| self.index_column(e, env)).collect::<R<Vec<_>>>()?,
                    Some(e @ Expr::StringLiteral(_)) => vec![self.index_column(e, env)?],
                    Some(e) => return Err(self.err(e, "columns must be a list of column names")),
                    None => return Err(self.err(call, format!("{name}() needs columns"))),
                };
                // reflected indexes render `unique=1` (SQLite's PRAGMA integer): Python truthiness
                let (unique, unique_int) = match b.get("unique") {
                    Some(e @ Expr::NumberLiteral(_)) => (self.int_lit(e)? != 0, true),
                    other => (self.opt_bool(other)?.unwrap_or(false), false),
                };
                let sqlite_where = self.index_dialect_kwargs(&b.kwargs, env, &name)?;
                Ok(Op::CreateIndex { index: Index { name: idx_name, table, columns, unique, unique_int, sqlite_where }, if_not_exists })
            }
            ("drop_index", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["index_name"], 1, &["if_exists", "schema", KWARGS]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["index_name", "table_name"], 1, &["schema", "if_exists", KWARGS]);
                    let b = self.bind(call, &SIG, &name)?;
                    let t = match b.get("table_name") {
                        None | Some(Expr::NoneLiteral(_)) => String::new(),
                        Some(e) => self.str_lit(e)?,
                    };
                    (t, b)
                };
                self.expect_none(&b, "schema")?;
                let if_exists = self.opt_bool(b.get("if_exists"))?;
                let idx_name = self.name_arg(b.get("index_name"), &cx)?;
                // `drop_index(..., sqlite_where=...)` (as Alembic renders a
                // reflected partial index) does not change `DROP INDEX`
                let sqlite_where = self.index_dialect_kwargs(&b.kwargs, env, &name)?;
                Ok(Op::DropIndex { index: Index { name: idx_name, table, columns: Vec::new(), unique: false, unique_int: false, sqlite_where }, if_exists })
            }
            ("create_unique_constraint", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["constraint_name", "columns"], 2, &["deferrable", "initially"]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["constraint_name", "table_name", "columns"], 3, &["schema", "deferrable", "initially"]);
                    let b = self.bind(call, &SIG, &name)?;
                    self.expect_none(&b, "schema")?;
                    (self.str_arg(&b, "table_name", call)?, b)
                };
                self.unsupported_kw(&b, &["deferrable", "initially"], &name)?;
                let cname = self.name_arg(b.get("constraint_name"), &cx)?;
                let columns = self.str_list(b.get("columns").ok_or_else(|| self.err(call, "columns are required"))?)?;
                Ok(Op::CreateUniqueConstraint { table, constraint: UniqueConstraint { name: cname, columns } })
            }
            ("create_primary_key", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["constraint_name", "columns"], 2, &[]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["constraint_name", "table_name", "columns"], 3, &["schema"]);
                    let b = self.bind(call, &SIG, &name)?;
                    self.expect_none(&b, "schema")?;
                    (self.str_arg(&b, "table_name", call)?, b)
                };
                let cname = self.name_arg(b.get("constraint_name"), &cx)?;
                let columns = self.str_list(b.get("columns").ok_or_else(|| self.err(call, "columns are required"))?)?;
                Ok(Op::CreatePrimaryKey { table, constraint: PrimaryKeyConstraint { name: cname, columns } })
            }
            ("create_foreign_key", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(
                        &["constraint_name", "referent_table", "local_cols", "remote_cols"],
                        4,
                        &["referent_schema", "onupdate", "ondelete", "deferrable", "initially", "match", "use_alter"],
                    );
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(
                        &["constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"],
                        5,
                        &["onupdate", "ondelete", "deferrable", "initially", "match", "source_schema", "referent_schema", "use_alter"],
                    );
                    let b = self.bind(call, &SIG, &name)?;
                    self.expect_none(&b, "source_schema")?;
                    (self.str_arg(&b, "source_table", call)?, b)
                };
                self.expect_none(&b, "referent_schema")?;
                self.unsupported_kw(&b, &["match"], &name)?;
                let constraint = ForeignKeyConstraint {
                    name: self.name_arg(b.get("constraint_name"), &cx)?,
                    columns: self.str_list(b.get("local_cols").ok_or_else(|| self.err(call, "local_cols are required"))?)?,
                    referred_table: self.str_arg(&b, "referent_table", call)?,
                    referred_columns: self
                        .str_list(b.get("remote_cols").ok_or_else(|| self.err(call, "remote_cols are required"))?)?,
                    ondelete: self.opt_str(b.get("ondelete"))?,
                    onupdate: self.opt_str(b.get("onupdate"))?,
                    deferrable: self.opt_bool(b.get("deferrable"))?,
                    initially: self.opt_str(b.get("initially"))?,
                    use_alter: self.opt_bool(b.get("use_alter"))?.unwrap_or(false),
                };
                Ok(Op::CreateForeignKey { table, constraint })
            }
            ("create_check_constraint", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["constraint_name", "condition"], 2, &[]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["constraint_name", "table_name", "condition"], 3, &["schema"]);
                    let b = self.bind(call, &SIG, &name)?;
                    self.expect_none(&b, "schema")?;
                    (self.str_arg(&b, "table_name", call)?, b)
                };
                let cname = self.name_arg(b.get("constraint_name"), &cx)?;
                let cond = b.get("condition").ok_or_else(|| self.err(call, "condition is required"))?;
                let sqltext = self.sql_text(cond, env)?;
                Ok(Op::CreateCheckConstraint { table, constraint: CheckConstraint { name: cname, sqltext } })
            }
            ("drop_constraint", _) => {
                let (table, b) = if in_batch {
                    const SIG: Sig = sig(&["constraint_name", "type_"], 1, &["if_exists"]);
                    let b = self.bind(call, &SIG, &name)?;
                    (cx.batch_table.unwrap_or_default().to_string(), b)
                } else {
                    const SIG: Sig = sig(&["constraint_name", "table_name", "type_"], 2, &["schema", "if_exists"]);
                    let b = self.bind(call, &SIG, &name)?;
                    self.expect_none(&b, "schema")?;
                    (self.str_arg(&b, "table_name", call)?, b)
                };
                self.unsupported_kw(&b, &["if_exists"], &name)?;
                let cname = self.name_arg(b.get("constraint_name"), &cx)?;
                let kind = match b.get("type_") {
                    None | Some(Expr::NoneLiteral(_)) => None,
                    Some(e) => Some(match self.str_lit(e)?.as_str() {
                        "foreignkey" => ConstraintKind::ForeignKey,
                        "unique" => ConstraintKind::Unique,
                        "check" => ConstraintKind::Check,
                        "primary" => ConstraintKind::Primary,
                        other => {
                            return Err(self.err(
                                e,
                                format!("type_ must be 'foreignkey', 'unique', 'check' or 'primary', not {other:?}"),
                            ))
                        }
                    }),
                };
                Ok(Op::DropConstraint { table, name: cname, kind, removed: None })
            }
            ("execute", _) => {
                const SIG: Sig = sig(&["sqltext"], 1, &["execution_options"]);
                let b = self.bind(call, &SIG, &name)?;
                self.expect_none(&b, "execution_options")?;
                let e = b.get("sqltext").ok_or_else(|| self.err(call, "execute() needs SQL text"))?;
                Ok(Op::Execute { sql: self.sql_text(e, env)? })
            }
            ("bulk_insert", false) => {
                const SIG: Sig = sig(&["table", "rows"], 2, &["multiinsert"]);
                let b = self.bind(call, &SIG, &name)?;
                if let Some(e) = b.get("multiinsert") {
                    self.bool_lit(e)?;
                }
                let t = b.get("table").ok_or_else(|| self.err(call, "bulk_insert() needs a table"))?;
                let (table, columns) = match t {
                    Expr::Name(n) if env.tables.contains_key(n.id.as_str()) => {
                        env.tables.get(n.id.as_str()).cloned().unwrap_or_default()
                    }
                    Expr::Call(c) if self.is_table_clause(c, env) => self.table_clause(c, env)?,
                    other => {
                        return Err(self.err(
                            other,
                            format!("cannot interpret the bulk_insert table `{}`: use sa.table('name', sa.column(...), ...)", self.quote(other)),
                        ))
                    }
                };
                let rows_expr = b.get("rows").ok_or_else(|| self.err(call, "bulk_insert() needs rows"))?;
                let rows = self.rows(rows_expr)?;
                Ok(Op::BulkInsert { table, columns, rows })
            }
            ("f", _) => Err(self.err(call, format!("`{}` has no effect as a statement", self.quote(call)))),
            _ => Err(self.err(call, format!("{name} is not supported by the playground"))),
        }
    }

    fn op_create_table(&self, call: &ast::ExprCall, cx: &OpCx) -> R<Op> {
        const SIG: Sig = Sig { params: &["table_name"], required: 1, varargs: true, kwonly: &["schema", "comment", "if_not_exists", "info", "prefixes", KWARGS] };
        let b = self.bind(call, &SIG, "op.create_table")?;
        self.expect_none(&b, "schema")?;
        // `info={...}` is Python-side only: it never reaches the DDL.
        let if_not_exists = self.opt_bool(b.get("if_not_exists"))?;
        let sqlite = self.table_dialect_kwargs(&b.kwargs, "op.create_table")?;
        let name = self.str_arg(&b, "table_name", call)?;
        let mut table = Table::new(name.clone());
        table.prefixes = match b.get("prefixes") {
            None | Some(Expr::NoneLiteral(_)) => Vec::new(),
            Some(e) => self.str_list(e)?,
        };
        table.sqlite_with_rowid = sqlite.with_rowid;
        table.sqlite_strict = sqlite.strict;
        table.sqlite_autoincrement = sqlite.autoincrement;
        table.comment = self.opt_str(b.get("comment"))?;
        let mut explicit_pk: Option<PrimaryKeyConstraint> = None;
        for item in &b.varargs {
            if self.is_column(item, cx.env) {
                let col = self.column(item, cx.env)?;
                if let Some(fk_expr) = col.foreign_key {
                    let fk = self.column_foreign_key(fk_expr, &col.column.name, cx.env)?;
                    table.foreign_keys.push(fk);
                }
                if col.unique {
                    table.unique_constraints.push(UniqueConstraint { name: None, columns: vec![col.column.name.clone()] });
                }
                if col.index {
                    // unnamed: the target's `ix` template names it when the op
                    // runs (`runtime::apply_target_naming_convention`)
                    table.indexes.push(Index {
                        name: None,
                        table: name.clone(),
                        columns: vec![IndexColumn::Column(col.column.name.clone())],
                        unique: false,
                        sqlite_where: None,
                        unique_int: false,
                    });
                }
                table.columns.push(col.column);
            } else {
                match self.constraint(item, cx.env, Some(cx))? {
                    Constraint::PrimaryKey(pk) => explicit_pk = Some(pk),
                    Constraint::ForeignKey(fk) => table.foreign_keys.push(fk),
                    Constraint::Unique(uq) => table.unique_constraints.push(uq),
                    Constraint::Check(ck) => table.check_constraints.push(ck),
                }
            }
        }
        match explicit_pk {
            Some(pk) => {
                for c in &pk.columns {
                    match table.column_mut(c) {
                        Some(col) => {
                            col.primary_key = true;
                            // a PK column is NOT NULL unless said otherwise
                        }
                        None => {
                            return Err(self.err(call, format!("PrimaryKeyConstraint names column {c:?}, which the table does not have")))
                        }
                    }
                }
                table.primary_key = Some(pk);
            }
            None => {
                let cols: Vec<String> = table.columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
                if !cols.is_empty() {
                    table.primary_key = Some(PrimaryKeyConstraint { name: None, columns: cols });
                }
            }
        }
        Ok(Op::CreateTable { table, if_not_exists })
    }

    fn op_alter_column(&self, call: &ast::ExprCall, cx: &OpCx, name: &str) -> R<Op> {
        const KW: &[&str] = &[
            "nullable", "comment", "server_default", "new_column_name", "type_", "existing_type",
            "existing_server_default", "existing_nullable", "existing_comment", "schema", "autoincrement",
            "existing_autoincrement", "insert_before", "insert_after", KWARGS,
        ];
        let (table, b) = if cx.batch_table.is_some() {
            const SIG: Sig = sig(&["column_name"], 1, KW);
            let b = self.bind(call, &SIG, name)?;
            (cx.batch_table.unwrap_or_default().to_string(), b)
        } else {
            const SIG: Sig = sig(&["table_name", "column_name"], 2, KW);
            let b = self.bind(call, &SIG, name)?;
            (self.str_arg(&b, "table_name", call)?, b)
        };
        self.expect_none(&b, "schema")?;
        self.unsupported_kw(&b, &["insert_before", "insert_after"], name)?;
        let env = cx.env;
        let mut a = AlterColumn { table, column: self.str_arg(&b, "column_name", call)?, ..Default::default() };
        a.modify_nullable = self.opt_bool(b.get("nullable"))?;
        a.existing_nullable = self.opt_bool(b.get("existing_nullable"))?;
        a.modify_type = b.get("type_").filter(|e| !matches!(e, Expr::NoneLiteral(_))).map(|e| self.sql_type(e, env)).transpose()?;
        a.existing_type =
            b.get("existing_type").filter(|e| !matches!(e, Expr::NoneLiteral(_))).map(|e| self.sql_type(e, env)).transpose()?;
        a.modify_name = self.opt_str(b.get("new_column_name"))?;
        // server_default=False (the default) means "unchanged"; None drops it
        a.modify_server_default = self.false_or(b.get("server_default"), |e| self.server_default(e, env))?;
        a.existing_server_default = self.false_or(b.get("existing_server_default"), |e| self.server_default(e, env))?;
        a.modify_comment = self.false_or(b.get("comment"), |e| self.str_lit(e))?;
        a.existing_comment = match b.get("existing_comment") {
            None => None,
            Some(Expr::NoneLiteral(_)) => None,
            Some(e) => Some(Some(self.str_lit(e)?)),
        };
        a.modify_autoincrement = self.opt_bool(b.get("autoincrement"))?;
        a.existing_autoincrement = self.opt_bool(b.get("existing_autoincrement"))?;
        Ok(Op::AlterColumn(a))
    }

    /// `False` / absent → `None`; `None` → `Some(None)`; else `Some(Some(f(e)))`.
    fn false_or<T>(&self, e: Option<&Expr>, f: impl Fn(&Expr) -> R<T>) -> R<Option<Option<T>>> {
        match e {
            None | Some(Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: false, .. })) => Ok(None),
            Some(Expr::NoneLiteral(_)) => Ok(Some(None)),
            Some(e) => Ok(Some(Some(f(e)?))),
        }
    }

    // ----- argument binding ---------------------------------------------

    fn bind<'e>(&self, call: &'e ast::ExprCall, sig: &Sig, name: &str) -> R<Bound<'e>> {
        let mut named = Named::new();
        let mut varargs = Vec::new();
        let mut kwargs = Vec::new();
        // `*[a, b]` (Alembic renders wide create_table calls so) spreads a literal list
        let mut positional: Vec<&'e Expr> = Vec::new();
        for arg in call.arguments.args.iter() {
            match arg {
                Expr::Starred(s) => match s.value.as_ref() {
                    Expr::List(l) => positional.extend(l.elts.iter()),
                    Expr::Tuple(t) => positional.extend(t.elts.iter()),
                    _ => return Err(self.err(s, format!("cannot interpret *arguments in {name}()"))),
                },
                other => positional.push(other),
            }
        }
        for (i, arg) in positional.into_iter().enumerate() {
            match sig.params.get(i) {
                Some(p) => {
                    named.bind(p, arg);
                }
                None if sig.varargs => varargs.push(arg),
                None => return Err(self.type_err(arg, too_many_positional(name, sig, call_positional_count(call)))),
            }
        }
        for kw in call.arguments.keywords.iter() {
            let Some(arg) = &kw.arg else {
                return Err(self.err(kw, format!("cannot interpret **arguments in {name}()")));
            };
            let key = arg.as_str();
            let Some(p) = sig.params.iter().chain(sig.kwonly.iter()).find(|p| **p == key && **p != KWARGS) else {
                if sig.kwonly.contains(&KWARGS) {
                    kwargs.push((key.to_string(), &kw.value));
                    continue;
                }
                return Err(self.type_err(kw, format!("{}() got an unexpected keyword argument '{key}'", python_name(name).0)));
            };
            if !named.bind(p, &kw.value) {
                return Err(self.type_err(kw, format!("{}() got multiple values for argument '{key}'", python_name(name).0)));
            }
        }
        let missing: Vec<&str> = sig.params.iter().take(sig.required).filter(|p| !named.contains(p)).copied().collect();
        if !missing.is_empty() {
            return Err(self.type_err(call, missing_positional(name, &missing)));
        }
        Ok(Bound { named, varargs, kwargs })
    }

    fn expect_none(&self, b: &Bound, key: &str) -> R<()> {
        match b.get(key) {
            None | Some(Expr::NoneLiteral(_)) => Ok(()),
            Some(e) => Err(self.err(e, format!("{key}= is not supported by the playground (SQLite has one schema, main)"))),
        }
    }

    /// Keyword arguments that change behaviour the playground does not model:
    /// accepted only as `None`.
    /// `Table(..., **kw)` dialect keywords, as Alembic renders them from
    /// `table.kwargs` (`sqlite_autoincrement=False`, `mysql_engine='InnoDB'`).
    /// Another dialect's keywords do not change SQLite's DDL; a keyword
    /// without a dialect prefix is SQLAlchemy's TypeError.
    /// Returns `sqlite_with_rowid=` / `sqlite_strict=` when given as literals.
    fn table_dialect_kwargs(&self, kwargs: &[(String, &Expr)], name: &str) -> R<SqliteTableKwargs> {
        let (mut with_rowid, mut strict, mut autoincrement) = (None, None, None);
        for (key, value) in kwargs {
            let Some((dialect, _)) = key.split_once('_') else {
                return Err(self.type_err(
                    *value,
                    format!("Additional arguments should be named <dialectname>_<argument>, got '{key}'"),
                ));
            };
            if dialect != "sqlite" {
                continue;
            }
            let understood = match (key.as_str(), value) {
                ("sqlite_autoincrement", Expr::BooleanLiteral(l)) => {
                    autoincrement = Some(l.value);
                    true
                }
                ("sqlite_strict", Expr::BooleanLiteral(l)) => {
                    strict = Some(l.value);
                    true
                }
                ("sqlite_with_rowid", Expr::BooleanLiteral(l)) => {
                    with_rowid = Some(l.value);
                    true
                }
                ("sqlite_autoincrement" | "sqlite_strict" | "sqlite_with_rowid", Expr::NoneLiteral(_)) => true,
                _ => false,
            };
            if !understood {
                return Err(self.err(*value, format!("{name}({key}=...) is not supported by the playground")));
            }
        }
        Ok(SqliteTableKwargs { with_rowid, strict, autoincrement })
    }

    /// `Index` dialect keywords: `sqlite_where=sa.text('...')` (the partial
    /// index's predicate); another dialect's keywords leave SQLite's DDL as it is.
    fn index_dialect_kwargs(&self, kwargs: &[(String, &Expr)], env: &Env, name: &str) -> R<Option<String>> {
        let mut sqlite_where = None;
        for (key, value) in kwargs {
            let Some((dialect, _)) = key.split_once('_') else {
                return Err(self.type_err(
                    *value,
                    format!("Additional arguments should be named <dialectname>_<argument>, got '{key}'"),
                ));
            };
            match (dialect, key.as_str(), value) {
                ("sqlite", "sqlite_where", Expr::NoneLiteral(_)) => {}
                ("sqlite", "sqlite_where", Expr::Call(c)) if self.is_sa(&c.func, env, "text") => {
                    sqlite_where = Some(self.sql_text(value, env)?);
                }
                ("sqlite", ..) => {
                    return Err(self.err(*value, format!("{name}({key}=...) is not supported by the playground")))
                }
                _ => {}
            }
        }
        Ok(sqlite_where)
    }

    fn unsupported_kw(&self, b: &Bound, keys: &[&str], name: &str) -> R<()> {
        for k in keys {
            if let Some(e) = b.get(k) {
                if !matches!(e, Expr::NoneLiteral(_)) {
                    return Err(self.err(e, format!("{name}({k}=...) is not supported by the playground")));
                }
            }
        }
        Ok(())
    }

    // ----- literals -----------------------------------------------------

    fn resolved(&self, e: &Expr) -> Option<Scalar> {
        match e {
            Expr::StringLiteral(_) | Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) => None,
            _ => self.resolve.and_then(|r| r(e)),
        }
    }

    fn str_lit(&self, e: &Expr) -> R<String> {
        if let Some(Scalar::Str(s)) = self.resolved(e) {
            return Ok(s);
        }
        match e {
            Expr::StringLiteral(s) => Ok(s.value.to_str().to_string()),
            _ => Err(self.err(e, format!("expected a string literal, found `{}`", self.quote(e)))),
        }
    }

    fn str_arg(&self, b: &Bound, key: &str, call: &ast::ExprCall) -> R<String> {
        match b.get(key) {
            Some(e) => self.str_lit(e),
            None => Err(self.type_err(call, format!("missing required argument: '{key}'"))),
        }
    }

    fn opt_str(&self, e: Option<&Expr>) -> R<Option<String>> {
        match e {
            None | Some(Expr::NoneLiteral(_)) => Ok(None),
            Some(e) => self.str_lit(e).map(Some),
        }
    }

    fn bool_lit(&self, e: &Expr) -> R<bool> {
        if let Some(Scalar::Bool(b)) = self.resolved(e) {
            return Ok(b);
        }
        match e {
            Expr::BooleanLiteral(b) => Ok(b.value),
            _ => Err(self.err(e, format!("expected True or False, found `{}`", self.quote(e)))),
        }
    }

    fn opt_bool(&self, e: Option<&Expr>) -> R<Option<bool>> {
        match e {
            None | Some(Expr::NoneLiteral(_)) => Ok(None),
            Some(e) => self.bool_lit(e).map(Some),
        }
    }

    fn int_lit(&self, e: &Expr) -> R<i64> {
        if let Some(Scalar::Int(i)) = self.resolved(e) {
            return Ok(i);
        }
        match e {
            Expr::NumberLiteral(ast::ExprNumberLiteral { value: ast::Number::Int(i), .. }) => {
                i.as_i64().ok_or_else(|| self.err(e, "integer out of range"))
            }
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => {
                self.int_lit(&u.operand)?.checked_neg().ok_or_else(|| self.err(e, "integer out of range"))
            }
            _ => Err(self.err(e, format!("expected an integer, found `{}`", self.quote(e)))),
        }
    }

    fn opt_u32(&self, e: Option<&Expr>) -> R<Option<u32>> {
        match e {
            None | Some(Expr::NoneLiteral(_)) => Ok(None),
            Some(e) => {
                let i = self.int_lit(e)?;
                u32::try_from(i).map(Some).map_err(|_| self.err(e, "expected a non-negative integer"))
            }
        }
    }

    fn str_list(&self, e: &Expr) -> R<Vec<String>> {
        match e {
            Expr::List(l) => l.elts.iter().map(|x| self.str_lit(x)).collect(),
            Expr::Tuple(t) => t.elts.iter().map(|x| self.str_lit(x)).collect(),
            _ => Err(self.err(e, format!("expected a list of names, found `{}`", self.quote(e)))),
        }
    }

    /// A constraint / index name: `None`, `'name'`, `op.f('name')` / `batch_op.f('name')`.
    fn name_arg(&self, e: Option<&Expr>, cx: &OpCx) -> R<Option<Name>> {
        match e {
            None | Some(Expr::NoneLiteral(_)) => Ok(None),
            Some(Expr::StringLiteral(s)) => Ok(Some(Name::plain(s.value.to_str()))),
            Some(Expr::Call(c)) if self.is_f_call(c, cx) => {
                const SIG: Sig = sig(&["name"], 1, &[]);
                let b = self.bind(c, &SIG, "f")?;
                Ok(Some(Name::conv(self.str_arg(&b, "name", c)?)))
            }
            Some(e) => Err(self.err(e, format!("expected a name (a string, None or op.f('...')), found `{}`", self.quote(e)))),
        }
    }

    /// `op.f(...)`, `batch_op.f(...)` (inside its block) or `sa.schema.conv(...)`.
    fn is_f_call(&self, c: &ast::ExprCall, cx: &OpCx) -> bool {
        if let Expr::Attribute(a) = c.func.as_ref() {
            if a.attr.as_str() == "f" {
                if let (Some((var, _)), Expr::Name(n)) = (&cx.scope.batch, a.value.as_ref()) {
                    if n.id.as_str() == var {
                        return true;
                    }
                }
                return self.qualname(&a.value, cx.env).as_deref() == Some("alembic.op");
            }
        }
        matches!(
            self.qualname(&c.func, cx.env).as_deref(),
            Some("sqlalchemy.schema.conv" | "sqlalchemy.sql.elements.conv" | "sqlalchemy.sql.naming.conv")
        )
    }

    /// Constraint names inside `sa.*Constraint(...)` outside any op context.
    fn cname(&self, e: Option<&Expr>, env: &Env, cx: Option<&OpCx>) -> R<Option<Name>> {
        let empty_scope = Scope { batch: None };
        let fallback = OpCx { scope: &empty_scope, env, batch_table: None };
        self.name_arg(e, cx.unwrap_or(&fallback))
    }

    /// SQL text: `'...'` or `sa.text('...')`.
    fn sql_text(&self, e: &Expr, env: &Env) -> R<String> {
        match e {
            Expr::StringLiteral(s) => Ok(s.value.to_str().to_string()),
            Expr::Call(c) if self.is_sa(&c.func, env, "text") => {
                const SIG: Sig = sig(&["text"], 1, &[]);
                let b = self.bind(c, &SIG, "sa.text")?;
                self.str_arg(&b, "text", c)
            }
            _ => Err(self.err(
                e,
                format!("cannot interpret `{}` as SQL: use a string or sa.text('...')", self.quote(e)),
            )),
        }
    }

    /// Qualified Python name of `a.b.c`, through the imports.
    fn qualname(&self, e: &Expr, env: &Env) -> Option<String> {
        match e {
            Expr::Name(n) => env.names.get(n.id.as_str()).cloned(),
            Expr::Attribute(a) => self.qualname(&a.value, env).map(|q| format!("{q}.{}", a.attr.as_str())),
            _ => None,
        }
    }

    /// Is `e` SQLAlchemy's `name` (`sa.name`, `sa.sql.name`, `sa.schema.name`, ...)?
    /// As `sa_member(qualname(e)) == Some(name)`, without building the
    /// qualified name: an attribute is `name` of one of SA_MODULES.
    fn is_sa(&self, e: &Expr, env: &Env, name: &str) -> bool {
        match e {
            Expr::Name(n) => env.names.get(n.id.as_str()).is_some_and(|q| sa_member(q) == Some(name)),
            Expr::Attribute(a) => {
                a.attr.as_str() == name
                    && match a.value.as_ref() {
                        Expr::Name(n) => env.names.get(n.id.as_str()).is_some_and(|q| SA_MODULES.contains(&q.as_str())),
                        other => self.qualname(other, env).is_some_and(|q| SA_MODULES.contains(&q.as_str())),
                    }
            }
            _ => false,
        }
    }

    // ----- schema items -------------------------------------------------

    fn is_column(&self, e: &Expr, env: &Env) -> bool {
        matches!(e, Expr::Call(c) if self.is_sa(&c.func, env, "Column"))
    }

    /// `sa.Column('name', type, *args, **kw)`.
    fn column<'e>(&self, e: &'e Expr, env: &Env) -> R<ParsedColumn<'e>> {
        let call = match e {
            Expr::Call(c) if self.is_sa(&c.func, env, "Column") => c,
            _ => return Err(self.err(e, format!("expected sa.Column(...), found `{}`", self.quote(e)))),
        };
        const SIG: Sig = Sig {
            params: &[],
            required: 0,
            varargs: true,
            kwonly: &[
                "name", "type_", "nullable", "server_default", "autoincrement", "primary_key", "comment", "unique",
                "index", "default", "key", "doc", "system", "quote", "info", "onupdate", "server_onupdate",
            ],
        };
        let b = self.bind(call, &SIG, "sa.Column")?;
        let mut positional = b.varargs.iter().copied().peekable();
        let name = match b.get("name") {
            Some(e) => self.str_lit(e)?,
            None => match positional.next() {
                Some(e) => self.str_lit(e)?,
                None => return Err(self.err(call, "sa.Column() needs a name")),
            },
        };
        let mut type_ = match b.get("type_") {
            Some(e) => Some(self.sql_type(e, env)?),
            None => None,
        };
        let mut computed = None;
        let mut foreign_key = None;
        let mut identity = false;
        for arg in positional {
            if let Expr::Call(c) = arg {
                if self.is_sa(&c.func, env, "ForeignKey") {
                    foreign_key = Some(arg);
                    continue;
                }
                if self.is_sa(&c.func, env, "Identity") {
                    // SQLite has no identity columns: the DDL leaves it out, but
                    // the column is NOT NULL unless `nullable=` says otherwise
                    const ISIG: Sig = sig(
                        &["always", "on_null", "start", "increment", "minvalue", "maxvalue", "nominvalue", "nomaxvalue", "cycle", "cache", "order"],
                        0,
                        &["oracle_on_null", "oracle_order"],
                    );
                    self.bind(c, &ISIG, "sa.Identity")?;
                    identity = true;
                    continue;
                }
                if self.is_sa(&c.func, env, "Sequence") {
                    // SQLite has no sequences: SQLAlchemy's DDL leaves it out
                    const SSIG: Sig = sig(
                        &["name", "start", "increment", "minvalue", "maxvalue", "nominvalue", "nomaxvalue", "cycle", "schema", "cache", "order", "data_type", "optional", "quote", "metadata", "quote_schema", "for_update"],
                        1,
                        &[],
                    );
                    self.bind(c, &SSIG, "sa.Sequence")?;
                    continue;
                }
                if self.is_sa(&c.func, env, "Computed") {
                    const CSIG: Sig = sig(&["sqltext", "persisted"], 1, &[]);
                    let cb = self.bind(c, &CSIG, "sa.Computed")?;
                    let sqltext = self.sql_text(cb.get("sqltext").unwrap_or(arg), env)?;
                    computed = Some(Computed { sqltext, persisted: self.opt_bool(cb.get("persisted"))? });
                    continue;
                }
            }
            if type_.is_none() {
                type_ = Some(self.sql_type(arg, env)?);
            } else {
                return Err(self.err(arg, format!("cannot interpret the sa.Column argument `{}`", self.quote(arg))));
            }
        }
        // `default=` / `onupdate=` are client-side (Python) defaults: DDL
        // never renders them, so an op's column ignores them as Alembic does
        for k in ["server_onupdate", "key", "system", "quote"] {
            if let Some(e) = b.get(k) {
                if !matches!(e, Expr::NoneLiteral(_)) {
                    return Err(self.err(e, format!("sa.Column({k}=...) is not supported in a migration by the playground")));
                }
            }
        }
        let primary_key = self.opt_bool(b.get("primary_key"))?.unwrap_or(false);
        let mut column = Column::new(name, type_.unwrap_or_else(|| SqlType::new(TypeClass::Null)));
        column.primary_key = primary_key;
        column.nullable = self.opt_bool(b.get("nullable"))?.unwrap_or(!primary_key && !identity);
        if identity {
            for k in ["server_default", "server_onupdate"] {
                if let Some(e) = b.get(k).filter(|e| !matches!(e, Expr::NoneLiteral(_))) {
                    return Err(ReadError {
                        exception: "ArgumentError",
                        ..self.err(e, "A column with an Identity object cannot specify a server_default or a server_onupdate argument")
                    });
                }
            }
        }
        column.server_default = match b.get("server_default") {
            None | Some(Expr::NoneLiteral(_)) => None,
            Some(e) => Some(self.server_default(e, env)?),
        };
        column.autoincrement = match b.get("autoincrement") {
            None => Autoincrement::Auto,
            Some(Expr::BooleanLiteral(v)) => {
                if v.value {
                    Autoincrement::True
                } else {
                    Autoincrement::False
                }
            }
            Some(e) => match self.str_lit(e)?.as_str() {
                "auto" => Autoincrement::Auto,
                "ignore_fk" => Autoincrement::IgnoreFk,
                other => return Err(self.err(e, format!("autoincrement must be True, False, 'auto' or 'ignore_fk', not {other:?}"))),
            },
        };
        column.computed = computed;
        column.comment = self.opt_str(b.get("comment"))?;
        let unique = self.opt_bool(b.get("unique"))?.unwrap_or(false);
        let index = self.opt_bool(b.get("index"))?.unwrap_or(false);
        Ok(ParsedColumn { column, foreign_key, unique, index })
    }

    /// `sa.ForeignKey('table.col', ondelete=..., ...)` inside a Column.
    fn column_foreign_key(&self, e: &Expr, column: &str, env: &Env) -> R<ForeignKeyConstraint> {
        let Expr::Call(c) = e else { return Err(self.err(e, "expected sa.ForeignKey(...)")) };
        const SIG: Sig = sig(&["column"], 1, &["name", "ondelete", "onupdate", "deferrable", "initially", "use_alter", "match"]);
        let b = self.bind(c, &SIG, "sa.ForeignKey")?;
        self.unsupported_kw(&b, &["match"], "sa.ForeignKey")?;
        let target = self.str_arg(&b, "column", c)?;
        let (table, col) = target
            .rsplit_once('.')
            .ok_or_else(|| self.err(c, format!("ForeignKey target {target:?} must be 'table.column'")))?;
        Ok(ForeignKeyConstraint {
            name: self.cname(b.get("name"), env, None)?,
            columns: vec![column.to_string()],
            referred_table: table.to_string(),
            referred_columns: vec![col.to_string()],
            ondelete: self.opt_str(b.get("ondelete"))?,
            onupdate: self.opt_str(b.get("onupdate"))?,
            deferrable: self.opt_bool(b.get("deferrable"))?,
            initially: self.opt_str(b.get("initially"))?,
            use_alter: self.opt_bool(b.get("use_alter"))?.unwrap_or(false),
        })
    }

    /// `sa.PrimaryKeyConstraint` / `sa.ForeignKeyConstraint` / `sa.UniqueConstraint` / `sa.CheckConstraint`.
    fn constraint(&self, e: &Expr, env: &Env, cx: Option<&OpCx>) -> R<Constraint> {
        let Expr::Call(c) = e else {
            return Err(self.err(e, format!("cannot interpret `{}` as a column or constraint", self.quote(e))));
        };
        let kind = self.qualname(&c.func, env).and_then(|q| sa_member(&q).map(str::to_string));
        match kind.as_deref() {
            Some("PrimaryKeyConstraint") => {
                const SIG: Sig = Sig { params: &[], required: 0, varargs: true, kwonly: &["name", "deferrable", "initially"] };
                let b = self.bind(c, &SIG, "sa.PrimaryKeyConstraint")?;
                self.unsupported_kw(&b, &["deferrable", "initially"], "sa.PrimaryKeyConstraint")?;
                let columns = b.varargs.iter().map(|x| self.str_lit(x)).collect::<R<Vec<_>>>()?;
                Ok(Constraint::PrimaryKey(PrimaryKeyConstraint { name: self.cname(b.get("name"), env, cx)?, columns }))
            }
            Some("UniqueConstraint") => {
                const SIG: Sig = Sig { params: &[], required: 0, varargs: true, kwonly: &["name", "deferrable", "initially"] };
                let b = self.bind(c, &SIG, "sa.UniqueConstraint")?;
                self.unsupported_kw(&b, &["deferrable", "initially"], "sa.UniqueConstraint")?;
                let columns = b.varargs.iter().map(|x| self.str_lit(x)).collect::<R<Vec<_>>>()?;
                Ok(Constraint::Unique(UniqueConstraint { name: self.cname(b.get("name"), env, cx)?, columns }))
            }
            Some("CheckConstraint") => {
                const SIG: Sig = sig(&["sqltext", "name"], 1, &["deferrable", "initially"]);
                let b = self.bind(c, &SIG, "sa.CheckConstraint")?;
                self.unsupported_kw(&b, &["deferrable", "initially"], "sa.CheckConstraint")?;
                let sqltext = self.sql_text(b.get("sqltext").unwrap_or(e), env)?;
                Ok(Constraint::Check(CheckConstraint { name: self.cname(b.get("name"), env, cx)?, sqltext }))
            }
            Some("ForeignKeyConstraint") => {
                const SIG: Sig = sig(
                    &["columns", "refcolumns", "name", "onupdate", "ondelete", "deferrable", "initially", "use_alter", "link_to_name", "match"],
                    2,
                    &[],
                );
                let b = self.bind(c, &SIG, "sa.ForeignKeyConstraint")?;
                self.unsupported_kw(&b, &["link_to_name", "match"], "sa.ForeignKeyConstraint")?;
                let columns = self.str_list(b.get("columns").unwrap_or(e))?;
                let refs = self.str_list(b.get("refcolumns").unwrap_or(e))?;
                let mut referred_table: Option<String> = None;
                let mut referred_columns = Vec::new();
                for r in &refs {
                    let (t, col) = r
                        .rsplit_once('.')
                        .ok_or_else(|| self.err(c, format!("ForeignKeyConstraint target {r:?} must be 'table.column'")))?;
                    if referred_table.as_deref().is_some_and(|rt| rt != t) {
                        return Err(self.err(c, "all ForeignKeyConstraint targets must be in one table"));
                    }
                    referred_table = Some(t.to_string());
                    referred_columns.push(col.to_string());
                }
                if columns.len() != referred_columns.len() {
                    return Err(self.err(c, "ForeignKeyConstraint needs as many referred columns as columns"));
                }
                Ok(Constraint::ForeignKey(ForeignKeyConstraint {
                    name: self.cname(b.get("name"), env, cx)?,
                    columns,
                    referred_table: referred_table.unwrap_or_default(),
                    referred_columns,
                    ondelete: self.opt_str(b.get("ondelete"))?,
                    onupdate: self.opt_str(b.get("onupdate"))?,
                    deferrable: self.opt_bool(b.get("deferrable"))?,
                    initially: self.opt_str(b.get("initially"))?,
                    use_alter: self.opt_bool(b.get("use_alter"))?.unwrap_or(false),
                }))
            }
            _ => Err(self.err(e, format!("cannot interpret `{}` as a column or constraint", self.quote(e)))),
        }
    }

    /// `copy_from=sa.Table('t', sa.MetaData(), sa.Column(...), ...)`.
    fn sa_table(&self, e: &Expr, env: &Env) -> R<Table> {
        let call = match e {
            Expr::Call(c) if self.is_sa(&c.func, env, "Table") => c,
            _ => return Err(self.err(e, format!("copy_from must be sa.Table(...), found `{}`", self.quote(e)))),
        };
        let mut args = call.arguments.args.iter();
        let name = match args.next() {
            Some(e) => self.str_lit(e)?,
            None => return Err(self.err(call, "sa.Table() needs a name")),
        };
        let _metadata = args.next();
        if let Some(kw) = call.arguments.keywords.first() {
            return Err(self.err(kw, "keyword arguments of sa.Table are not supported in copy_from"));
        }
        self.table_items(&name, args, env)
    }

    /// A table named `name` of the columns and constraints `items`
    /// (`sa.Table`'s arguments after the metadata, or `reflect_args`).
    fn table_items<'e>(&self, name: &str, items: impl Iterator<Item = &'e Expr>, env: &Env) -> R<Table> {
        let mut table = Table::new(name.to_string());
        for item in items {
            if self.is_column(item, env) {
                let col = self.column(item, env)?;
                if let Some(fk) = col.foreign_key {
                    table.foreign_keys.push(self.column_foreign_key(fk, &col.column.name, env)?);
                }
                if col.unique {
                    table.unique_constraints.push(UniqueConstraint { name: None, columns: vec![col.column.name.clone()] });
                }
                table.columns.push(col.column);
            } else {
                match self.constraint(item, env, None)? {
                    Constraint::PrimaryKey(pk) => table.primary_key = Some(pk),
                    Constraint::ForeignKey(fk) => table.foreign_keys.push(fk),
                    Constraint::Unique(uq) => table.unique_constraints.push(uq),
                    Constraint::Check(ck) => table.check_constraints.push(ck),
                }
            }
        }
        if table.primary_key.is_none() {
            let cols: Vec<String> = table.columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
            if !cols.is_empty() {
                table.primary_key = Some(PrimaryKeyConstraint { name: None, columns: cols });
            }
        } else if let Some(pk) = &table.primary_key {
            let pk_cols = pk.columns.clone();
            for c in pk_cols {
                if let Some(col) = table.column_mut(&c) {
                    col.primary_key = true;
                }
            }
        }
        Ok(table)
    }

    fn index_column(&self, e: &Expr, env: &Env) -> R<IndexColumn> {
        match e {
            Expr::StringLiteral(s) => Ok(IndexColumn::Column(s.value.to_str().to_string())),
            Expr::Call(c) if self.is_sa(&c.func, env, "text") || self.is_sa(&c.func, env, "literal_column") => {
                const SIG: Sig = sig(&["text"], 1, &[]);
                let b = self.bind(c, &SIG, "sa.text")?;
                Ok(IndexColumn::Expression(self.str_arg(&b, "text", c)?))
            }
            _ => Err(self.err(e, format!("cannot interpret the index element `{}`", self.quote(e)))),
        }
    }

    /// `server_default=`: `'literal'`, `sa.text('sql')`, `sa.false()` /
    /// `sa.true()` (any spelling SQLAlchemy exports), or `sa.func.now()`
    /// (compiled by SQLite's dialect as `CURRENT_TIMESTAMP`, which the DDL
    /// emits as `DEFAULT CURRENT_TIMESTAMP`, checked against Alembic).
    fn server_default(&self, e: &Expr, env: &Env) -> R<ServerDefault> {
        match e {
            Expr::StringLiteral(s) => Ok(ServerDefault::Literal(s.value.to_str().to_string())),
            Expr::Call(c) if self.is_sa(&c.func, env, "text") => {
                const SIG: Sig = sig(&["text"], 1, &[]);
                let b = self.bind(c, &SIG, "sa.text")?;
                Ok(ServerDefault::Text(self.str_arg(&b, "text", c)?))
            }
            // compiled as its text, like sa.text()
            Expr::Call(c) if self.is_sa(&c.func, env, "literal_column") => {
                const SIG: Sig = sig(&["text", "type_"], 1, &[]);
                let b = self.bind(c, &SIG, "sa.literal_column")?;
                Ok(ServerDefault::Text(self.str_arg(&b, "text", c)?))
            }
            Expr::Call(c) if c.arguments.args.is_empty() && c.arguments.keywords.is_empty() => {
                let q = self.qualname(&c.func, env).unwrap_or_default();
                // SQLite has no native boolean: SQLAlchemy compiles false() / true() as 0 / 1
                match sa_member(&q) {
                    Some("false") => return Ok(ServerDefault::Text("0".into())),
                    Some("true") => return Ok(ServerDefault::Text("1".into())),
                    _ => {}
                }
                let f = q.rsplit_once(".func.").map(|(_, f)| f.to_ascii_lowercase());
                match (sa_member(&q).is_some() || q.starts_with("sqlalchemy."), f.as_deref()) {
                    (true, Some("now" | "current_timestamp")) => Ok(ServerDefault::Text("CURRENT_TIMESTAMP".into())),
                    (true, Some("current_date")) => Ok(ServerDefault::Text("CURRENT_DATE".into())),
                    (true, Some("current_time")) => Ok(ServerDefault::Text("CURRENT_TIME".into())),
                    _ => Err(self.err(e, format!("cannot interpret server_default `{}`: use a string or sa.text('...')", self.quote(e)))),
                }
            }
            _ => Err(self.err(e, format!("cannot interpret server_default `{}`: use a string or sa.text('...')", self.quote(e)))),
        }
    }

    // ----- types --------------------------------------------------------

    /// A SQLAlchemy type: `sa.String(length=40)`, `sa.Integer`, `sa.types.Text()`,
    /// `sqlite.JSON()`, `sqlmodel.sql.sqltypes.AutoString()`, ...
    fn sql_type(&self, e: &Expr, env: &Env) -> R<SqlType> {
        // `sa.BigInteger().with_variant(sa.Integer(), 'sqlite')`, as Alembic renders a Variant
        if let Expr::Call(c) = e {
            if let Expr::Attribute(a) = c.func.as_ref() {
                if a.attr.as_str() == "with_variant" {
                    let mut base = self.sql_type(&a.value, env)?;
                    let (base, mut variants) = match base.variant_of.take() {
                        Some(v) => (v.base, v.variants),
                        None => (base, Vec::new()),
                    };
                    let [variant, dialects @ ..] = &c.arguments.args[..] else {
                        return Err(self.err(c, "with_variant() needs a type and a dialect name"));
                    };
                    if dialects.is_empty() || !c.arguments.keywords.is_empty() {
                        return Err(self.err(c, "with_variant() needs a type and dialect names, positionally"));
                    }
                    let vt = self.sql_type(variant, env)?;
                    for d in dialects {
                        let name = self.opt_str(Some(d))?.ok_or_else(|| self.err(d, "a dialect name must be a string"))?;
                        variants.push((name, vt.clone()));
                    }
                    return Ok(SqlType::with_variants(base, variants));
                }
            }
        }
        let (func, call) = match e {
            Expr::Call(c) => (c.func.as_ref(), Some(c)),
            Expr::Attribute(_) | Expr::Name(_) => (e, None),
            _ => return self.valued_type(e, || format!("cannot interpret `{}` as a SQLAlchemy type", self.quote(e))),
        };
        let Some(q) = self.qualname(func, env) else {
            return self.valued_type(e, || format!("cannot interpret `{}` as a type: name is not imported", self.quote(func)));
        };
        let dialect = dialect_own_type(&q);
        let Some(class) = dialect.map(|d| d.sqlite).or_else(|| type_class(&q)) else {
            return self.valued_type(e, || format!("the type `{}` is not supported by the playground", self.quote(func)));
        };
        // `sa.Enum(PyEnum)`: the members are the evaluator's to read
        if class == TypeClass::Enum && call.is_some_and(|c| c.arguments.args.iter().any(|a| !matches!(a, Expr::StringLiteral(_)))) {
            return self.valued_type(e, || format!("cannot interpret the arguments of `{}`", self.quote(e)));
        }
        // Python names the constructor in its `TypeError`s: `String.__init__()`
        let what = format!("{}.__init__", q.rsplit('.').next().unwrap_or(&q));
        match call {
            None => Ok(SqlType::new(class)),
            Some(call) => self.typed(class, dialect, &what, &|sig: &Sig| {
                Ok(Box::new(ExprArgs { cx: self, b: self.bind(call, sig, &what)?, env }) as Box<dyn TypeArgs + '_>)
            }),
        }
    }

    /// A type the source text does not name: the evaluator's value of `e`
    /// (a project's `TypeDecorator`, a type held in a variable...), else
    /// the error `message` at `e`.
    fn valued_type(&self, e: &Expr, message: impl FnOnce() -> String) -> R<SqlType> {
        let resolved = self.sa_type.and_then(|f| f(e));
        let v = match resolved {
            None => return Err(self.err(e, message())),
            Some(Err(m)) => return Err(self.err(e, m)),
            Some(Ok(v)) => v,
        };
        let dialect = dialect_own_type(&v.path);
        let Some(class) = dialect.map(|d| d.sqlite).or_else(|| type_class(&v.path)) else {
            return Err(self.err(e, message()));
        };
        let what = format!("{}.__init__", v.path.rsplit('.').next().unwrap_or(&v.path));
        self.typed(class, dialect, &what, &|sig: &Sig| Ok(Box::new(ValueArgs::bind(self, e, &v.args, sig, &what)?) as Box<dyn TypeArgs + '_>))
    }

    /// A type of `class` built with the arguments `bind` binds to its
    /// constructor's signature (SQLAlchemy 2.1's): the generic class's, or
    /// that of the `dialect` class SQLite renders as `class`.
    fn typed<'b>(
        &self,
        class: TypeClass,
        dialect: Option<&DialectOwnType>,
        what: &str,
        bind: &dyn Fn(&Sig) -> R<Box<dyn TypeArgs + 'b>>,
    ) -> R<SqlType> {
        if let Some(d) = dialect {
            // the dialect's signature binds the arguments; the SQLite class's
            // arm below reads the ones its DDL shows, `repr` all it shows
            let b = bind(&d.sig)?;
            let args = d.repr.args(&*b, d.name)?;
            let item_type = match d.repr {
                DialectRepr::SaArray => b.item_type("item_type")?.map(Box::new),
                _ => None,
            };
            let mut t = self.typed(class, None, what, &|_: &Sig| bind(&d.sig))?;
            t.dialect = Some(Box::new(DialectTypeRepr { dialect: d.dialect, class: d.name, args, item_type }));
            return Ok(t);
        }
        let mut t = SqlType::new(class);
        use TypeClass as C;
        match class {
            C::String | C::Text | C::Unicode | C::UnicodeText | C::AutoString | C::VarcharUpper | C::NVarcharUpper
            | C::CharUpper | C::NCharUpper | C::TextUpper | C::ClobUpper => {
                const SIG: Sig = sig(&["length", "collation"], 0, &[]);
                let b = bind(&SIG)?;
                t.length = b.u32("length")?;
                t.collation = b.str("collation")?;
            }
            C::LargeBinary | C::BlobUpper | C::VarbinaryUpper | C::BinaryUpper => {
                const SIG: Sig = sig(&["length"], 0, &[]);
                let b = bind(&SIG)?;
                t.length = b.u32("length")?;
            }
            C::Numeric | C::NumericUpper | C::DecimalUpper => {
                const SIG: Sig = sig(&["precision", "scale", "decimal_return_scale", "asdecimal"], 0, &[]);
                let b = bind(&SIG)?;
                t.precision = b.u32("precision")?;
                t.scale = b.u32("scale")?;
                b.refuse(&["decimal_return_scale"], what)?;
                t.asdecimal = match b.bool("asdecimal")? {
                    Some(false) => Some(false),
                    _ => None,
                };
            }
            C::Float | C::FloatUpper | C::RealUpper | C::Double | C::DoubleUpper | C::DoublePrecisionUpper => {
                const SIG: Sig = sig(&["precision", "asdecimal", "decimal_return_scale"], 0, &[]);
                let b = bind(&SIG)?;
                t.precision = b.u32("precision")?;
                b.refuse(&["decimal_return_scale"], what)?;
                t.asdecimal = match b.bool("asdecimal")? {
                    Some(true) => Some(true),
                    _ => None,
                };
            }
            C::DateTime | C::Time | C::DateTimeUpper | C::TimestampUpper | C::TimeUpper => {
                const SIG: Sig = sig(&["timezone"], 0, &[]);
                let b = bind(&SIG)?;
                t.timezone = b.bool("timezone")?.unwrap_or(false);
            }
            C::Boolean | C::BooleanUpper => {
                const SIG: Sig = sig(&["create_constraint", "name"], 0, &[]);
                let b = bind(&SIG)?;
                t.create_constraint = b.bool("create_constraint")?.unwrap_or(false);
                t.constraint_name = b.name("name")?;
            }
            C::Enum => {
                const SIG: Sig = Sig {
                    params: &[],
                    required: 0,
                    varargs: true,
                    kwonly: &["name", "native_enum", "create_constraint", "length", "inherit_schema", "schema", "validate_strings"],
                };
                let b = bind(&SIG)?;
                b.expect_none("schema")?;
                let values = b.enum_values()?;
                let create_constraint = b.bool("create_constraint")?.unwrap_or(false);
                let length = b.u32("length")?;
                t.enum_ = Some(EnumInfo {
                    values,
                    name: b.str("name")?,
                    native_enum: b.bool("native_enum")?.unwrap_or(true),
                    create_constraint,
                    length,
                    enum_class: None,
                    inherit_schema: b.bool("inherit_schema")?.unwrap_or(false),
                });
                t.create_constraint = create_constraint;
                b.bool("validate_strings")?;
            }
            C::Json | C::JsonUpper | C::JsonbUpper => {
                const SIG: Sig = sig(&["none_as_null"], 0, &[]);
                let b = bind(&SIG)?;
                t.none_as_null = b.bool("none_as_null")?.unwrap_or(false);
            }
            C::Uuid => {
                const SIG: Sig = sig(&["as_uuid", "native_uuid"], 0, &[]);
                let b = bind(&SIG)?;
                t.as_uuid = b.bool("as_uuid")?.filter(|v| !v);
                t.native_uuid = b.bool("native_uuid")?.filter(|v| !v);
            }
            C::UuidUpper => {
                const SIG: Sig = sig(&["as_uuid"], 0, &[]);
                let b = bind(&SIG)?;
                t.as_uuid = b.bool("as_uuid")?.filter(|v| !v);
            }
            C::PickleType => {
                // `protocol=` changes only what pickling writes, not the DDL or the repr
                const SIG: Sig = sig(&["protocol", "pickler", "comparator", "impl"], 0, &[]);
                let b = bind(&SIG)?;
                b.u32("protocol")?;
                b.refuse(&["pickler", "comparator", "impl"], what)?;
            }
            C::Interval => {
                const SIG: Sig = sig(&["native", "second_precision", "day_precision"], 0, &[]);
                let b = bind(&SIG)?;
                b.refuse(&["native", "second_precision", "day_precision"], what)?;
            }
            C::Integer | C::BigInteger | C::SmallInteger | C::Date | C::UtcDateTime | C::IntegerUpper | C::BigIntUpper
            | C::SmallIntUpper | C::DateUpper | C::Null => {
                const SIG: Sig = sig(&[], 0, &[]);
                bind(&SIG)?;
            }
            // bound to the dialect class's signature; SQLite's DDL fails
            C::Unrenderable(_) => {
                bind(&NO_ARGS)?;
            }
        }
        Ok(t)
    }

    // ----- bulk_insert --------------------------------------------------

    fn is_table_clause(&self, c: &ast::ExprCall, env: &Env) -> bool {
        self.is_sa(&c.func, env, "table")
    }

    /// `sa.table('t', sa.column('a', sa.Integer), ...)`.
    fn table_clause(&self, c: &ast::ExprCall, env: &Env) -> R<TableClause> {
        const SIG: Sig = Sig { params: &["name"], required: 1, varargs: true, kwonly: &["schema"] };
        let b = self.bind(c, &SIG, "sa.table")?;
        self.expect_none(&b, "schema")?;
        let name = self.str_arg(&b, "name", c)?;
        let mut columns = Vec::new();
        for col in &b.varargs {
            match col {
                Expr::Call(cc) if self.is_sa(&cc.func, env, "column") => {
                    const CSIG: Sig = sig(&["text", "type_"], 1, &[]);
                    let cb = self.bind(cc, &CSIG, "sa.column")?;
                    let cname = self.str_arg(&cb, "text", cc)?;
                    let ty = match cb.get("type_") {
                        None | Some(Expr::NoneLiteral(_)) => None,
                        Some(t) => Some(self.sql_type(t, env)?),
                    };
                    columns.push((cname, ty));
                }
                other => {
                    return Err(self.err(other, format!("cannot interpret `{}`: use sa.column('name', type)", self.quote(*other))))
                }
            }
        }
        Ok((name, columns))
    }

    fn rows(&self, e: &Expr) -> R<Vec<BTreeMap<String, Literal>>> {
        let elts = match e {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            _ => return Err(self.err(e, "bulk_insert rows must be a list of dicts")),
        };
        let mut rows = Vec::new();
        for row in elts {
            let Expr::Dict(d) = row else {
                return Err(self.err(row, "bulk_insert rows must be dict literals"));
            };
            let mut map = BTreeMap::new();
            for item in &d.items {
                let Some(key) = &item.key else {
                    return Err(self.err(&item.value, "cannot interpret ** in a bulk_insert row"));
                };
                map.insert(self.str_lit(key)?, self.literal(&item.value)?);
            }
            rows.push(map);
        }
        Ok(rows)
    }

    fn literal(&self, e: &Expr) -> R<Literal> {
        match e {
            Expr::NoneLiteral(_) => Ok(Literal::None),
            Expr::BooleanLiteral(b) => Ok(Literal::Bool(b.value)),
            Expr::StringLiteral(s) => Ok(Literal::Str(s.value.to_str().to_string())),
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i.as_i64().map(Literal::Int).ok_or_else(|| self.err(e, "integer out of range")),
                ast::Number::Float(f) => Ok(Literal::Float(*f)),
                ast::Number::Complex { .. } => Err(self.err(e, "complex numbers cannot be inserted")),
            },
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => match self.literal(&u.operand)? {
                Literal::Int(i) => i.checked_neg().map(Literal::Int).ok_or_else(|| self.err(e, "integer out of range")),
                Literal::Float(f) => Ok(Literal::Float(-f)),
                _ => Err(self.err(e, format!("cannot interpret the value `{}`", self.quote(e)))),
            },
            _ => Err(self.err(
                e,
                format!("cannot interpret the value `{}`: bulk_insert rows take None, bool, int, float or str literals", self.quote(e)),
            )),
        }
    }
}

/// The arguments of a type's constructor bound to its signature, read
/// from the call expression or from the evaluator's values: one reader of
/// each type's arguments ([`Cx::typed`]) for both.
trait TypeArgs {
    fn u32(&self, key: &str) -> R<Option<u32>>;
    fn bool(&self, key: &str) -> R<Option<bool>>;
    fn str(&self, key: &str) -> R<Option<String>>;
    fn name(&self, key: &str) -> R<Option<Name>>;
    /// `sa.Enum('a', 'b', ...)`'s members.
    fn enum_values(&self) -> R<Vec<String>>;
    /// Arguments the playground does not model: accepted only as `None`.
    fn refuse(&self, keys: &[&str], what: &str) -> R<()>;
    /// `schema=`: SQLite has one schema.
    fn expect_none(&self, key: &str) -> R<()>;
    /// `repr()` of the type argument `key` (`astext_type=sa.Text()` → `Text()`), if given.
    /// The type given as `key` (an ARRAY's item type).
    fn item_type(&self, key: &str) -> R<Option<SqlType>>;
}

struct ExprArgs<'c, 'a, 'src, 'e> {
    cx: &'c Cx<'a, 'src>,
    b: Bound<'e>,
    env: &'c Env,
}

impl TypeArgs for ExprArgs<'_, '_, '_, '_> {
    fn u32(&self, key: &str) -> R<Option<u32>> {
        self.cx.opt_u32(self.b.get(key))
    }
    fn bool(&self, key: &str) -> R<Option<bool>> {
        self.cx.opt_bool(self.b.get(key))
    }
    fn str(&self, key: &str) -> R<Option<String>> {
        self.cx.opt_str(self.b.get(key))
    }
    fn name(&self, key: &str) -> R<Option<Name>> {
        self.cx.cname(self.b.get(key), self.env, None)
    }
    fn enum_values(&self) -> R<Vec<String>> {
        self.b
            .varargs
            .iter()
            .map(|v| match v {
                Expr::StringLiteral(s) => Ok(s.value.to_str().to_string()),
                other => Err(self.cx.err(
                    *other,
                    format!(
                        "cannot interpret the sa.Enum member `{}`: write the values as strings, e.g. \
                         sa.Enum('a', 'b', name='kind')",
                        self.cx.quote(*other)
                    ),
                )),
            })
            .collect()
    }
    fn refuse(&self, keys: &[&str], what: &str) -> R<()> {
        self.cx.unsupported_kw(&self.b, keys, what)
    }
    fn expect_none(&self, key: &str) -> R<()> {
        self.cx.expect_none(&self.b, key)
    }
    fn item_type(&self, key: &str) -> R<Option<SqlType>> {
        match self.b.get(key) {
            None | Some(Expr::NoneLiteral(_)) => Ok(None),
            Some(e) => Ok(Some(self.cx.sql_type(e, self.env)?)),
        }
    }
}

/// The name Python's `TypeError`s give a reader's callable and how many
/// positional parameters it has before the reader's (`self` of Alembic's
/// `Operations` / `BatchOperations` methods): `op.drop_column` is
/// `drop_column()` taking `self` first.
fn python_name(name: &str) -> (&str, usize) {
    match name.strip_prefix("op.").or_else(|| name.strip_prefix("batch_op.")) {
        Some(method) => (method, 1),
        None => (name, 0),
    }
}

/// The positional arguments of a call as Python counts them (`*[a, b]` spread).
fn call_positional_count(call: &ast::ExprCall) -> usize {
    call.arguments
        .args
        .iter()
        .map(|a| match a {
            Expr::Starred(s) => match s.value.as_ref() {
                Expr::List(l) => l.elts.len(),
                Expr::Tuple(t) => t.elts.len(),
                _ => 1,
            },
            _ => 1,
        })
        .sum()
}

/// CPython's `f() takes 2 positional arguments but 3 were given`
/// (`takes from 2 to 4 ...` with defaults), `self` counted.
fn too_many_positional(name: &str, sig: &Sig, given: usize) -> String {
    let (shown, implicit) = python_name(name);
    let (min, max) = (sig.required + implicit, sig.params.len() + implicit);
    let takes = if min == max {
        format!("{max} positional argument{}", if max == 1 { "" } else { "s" })
    } else {
        format!("from {min} to {max} positional arguments")
    };
    let given = given + implicit;
    format!("{shown}() takes {takes} but {given} {} given", if given == 1 { "was" } else { "were" })
}

/// CPython's `f() missing 2 required positional arguments: 'a' and 'b'`.
fn missing_positional(name: &str, missing: &[&str]) -> String {
    let (shown, _) = python_name(name);
    let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
    let list = match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
        [] => String::new(),
    };
    let n = missing.len();
    format!("{shown}() missing {n} required positional argument{}: {list}", if n == 1 { "" } else { "s" })
}

/// A type's constructor arguments as evaluated values, bound as Python
/// binds them; errors point at the expression that gave the type.
struct ValueArgs<'c, 'a, 'src, 'e> {
    cx: &'c Cx<'a, 'src>,
    at: &'e Expr,
    named: Named<Value>,
    varargs: Vec<Value>,
}

impl<'c, 'a, 'src, 'e> ValueArgs<'c, 'a, 'src, 'e> {
    fn bind(cx: &'c Cx<'a, 'src>, at: &'e Expr, args: &crate::python::Args, sig: &Sig, what: &str) -> R<Self> {
        let mut named = Named::new();
        let mut varargs = Vec::new();
        for (i, v) in args.pos.iter().enumerate() {
            match sig.params.get(i) {
                Some(p) => {
                    named.bind(p, v.clone());
                }
                None if sig.varargs => varargs.push(v.clone()),
                None => return Err(cx.type_err(at, format!("{what} takes at most {} positional arguments", sig.params.len()))),
            }
        }
        for (k, v) in &args.kw {
            let Some(p) = sig.params.iter().chain(sig.kwonly.iter()).find(|p| **p == k && **p != KWARGS) else {
                return Err(cx.type_err(at, format!("{what} got an unexpected keyword argument '{k}'")));
            };
            if !named.bind(p, v.clone()) {
                return Err(cx.type_err(at, format!("{what} got multiple values for argument '{k}'")));
            }
        }
        Ok(ValueArgs { cx, at, named, varargs })
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.named.get(key).filter(|v| !v.is_none())
    }

    fn wrong(&self, key: &str, expected: &str) -> ReadError {
        self.cx.err(self.at, format!("{key}= must be {expected}"))
    }
}

impl TypeArgs for ValueArgs<'_, '_, '_, '_> {
    fn u32(&self, key: &str) -> R<Option<u32>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Int(i)) => u32::try_from(*i).map(Some).map_err(|_| self.wrong(key, "a non-negative integer")),
            Some(_) => Err(self.wrong(key, "an integer")),
        }
    }
    fn bool(&self, key: &str) -> R<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong(key, "True or False")),
        }
    }
    fn str(&self, key: &str) -> R<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.to_string())),
            Some(_) => Err(self.wrong(key, "a string")),
        }
    }
    fn name(&self, key: &str) -> R<Option<Name>> {
        Ok(self.str(key)?.map(Name::plain))
    }
    fn enum_values(&self) -> R<Vec<String>> {
        self.varargs
            .iter()
            .map(|v| match v {
                Value::Str(s) => Ok(s.to_string()),
                _ => Err(self.cx.err(self.at, "cannot interpret an sa.Enum member that is not a string")),
            })
            .collect()
    }
    fn refuse(&self, keys: &[&str], what: &str) -> R<()> {
        match keys.iter().find(|k| self.get(k).is_some()) {
            Some(k) => Err(self.cx.err(self.at, format!("{what}({k}=...) is not supported by the playground"))),
            None => Ok(()),
        }
    }
    fn expect_none(&self, key: &str) -> R<()> {
        match self.get(key) {
            None => Ok(()),
            Some(_) => Err(self.cx.err(self.at, format!("{key}= is not supported by the playground (SQLite has one schema, main)"))),
        }
    }
    fn item_type(&self, key: &str) -> R<Option<SqlType>> {
        match self.get(key) {
            None | Some(Value::None) => Ok(None),
            Some(v) => match crate::python::alembic::plain_type_value(v) {
                Some(tv) => {
                    let t = type_from_value(&tv.path, &tv.args).map_err(|m| self.cx.err(self.at, m))?;
                    Ok(Some(t))
                }
                None => Err(self.cx.err(self.at, format!("a type given as {key}= here is not supported by the playground yet"))),
            },
        }
    }
}

/// A parsed `sa.Column(...)` plus what SQLAlchemy turns into table items.
struct ParsedColumn<'e> {
    column: Column,
    /// `sa.ForeignKey(...)` among the positional arguments.
    foreign_key: Option<&'e Expr>,
    unique: bool,
    index: bool,
}

/// What an op call needs to know about where it is.
struct OpCx<'s> {
    scope: &'s Scope,
    env: &'s Env,
    batch_table: Option<&'s str>,
}

/// `sqlalchemy.X`, `sqlalchemy.types.X`, `sqlalchemy.schema.X`,
/// `sqlalchemy.sql.X`, `sqlalchemy.sql.expression.X`, ... → `X`.
fn sa_member(q: &str) -> Option<&str> {
    SA_MODULES
        .iter()
        .find_map(|m| q.strip_prefix(m).and_then(|rest| rest.strip_prefix('.')))
        .filter(|rest| !rest.contains('.'))
}

/// The modules whose members `sa_member` names, most specific first (none
/// is a prefix of one before it, so the first that `q` starts with is the
/// module `q`'s member is directly in, when there is one).
const SA_MODULES: [&str; 8] = [
    "sqlalchemy.sql.sqltypes",
    "sqlalchemy.sql.expression",
    "sqlalchemy.sql.schema",
    "sqlalchemy.sql.elements",
    "sqlalchemy.types",
    "sqlalchemy.schema",
    "sqlalchemy.sql",
    "sqlalchemy",
];

/// Qualified type name → the playground's type class.
fn type_class(q: &str) -> Option<TypeClass> {
    use TypeClass as C;
    if let Some(rest) = q.strip_prefix("sqlmodel.") {
        return match rest {
            "sql.sqltypes.AutoString" | "AutoString" => Some(C::AutoString),
            "sql.sqltypes.UTCDateTime" => Some(C::UtcDateTime),
            _ => None,
        };
    }
    if let Some(rest) = q.strip_prefix("sqlalchemy.dialects.sqlite.") {
        let rest = rest.strip_prefix("base.").or_else(|| rest.strip_prefix("json.")).unwrap_or(rest);
        return match rest {
            "JSON" => Some(C::JsonUpper),
            "JSONB" => Some(C::JsonbUpper),
            // sqlite.DATETIME / DATE / TIME are storage-format variants of the standard types
            "DATETIME" => Some(C::DateTimeUpper),
            "DATE" => Some(C::DateUpper),
            "TIME" => Some(C::TimeUpper),
            other => upper_type(other),
        };
    }
    let name = sa_member(q)?;
    let class = match name {
        "Integer" => C::Integer,
        "BigInteger" => C::BigInteger,
        "SmallInteger" => C::SmallInteger,
        "String" => C::String,
        "Text" => C::Text,
        "Unicode" => C::Unicode,
        "UnicodeText" => C::UnicodeText,
        "Boolean" => C::Boolean,
        "Enum" => C::Enum,
        "Numeric" => C::Numeric,
        "Float" => C::Float,
        "Double" => C::Double,
        "Date" => C::Date,
        "DateTime" => C::DateTime,
        "Time" => C::Time,
        "Interval" => C::Interval,
        "PickleType" => C::PickleType,
        "JSON" => C::Json,
        "LargeBinary" => C::LargeBinary,
        "Uuid" => C::Uuid,
        "NullType" => C::Null,
        other => return upper_type(other),
    };
    Some(class)
}

/// A class of the PostgreSQL or MySQL dialect (not one SQLAlchemy's own
/// types re-exported: those are `sqlalchemy.X`) whose visit name SQLite's
/// type compiler knows: SQLite gets the DDL of the generic class of that
/// name; its constructor takes the dialect's arguments, the ones SQLite's
/// DDL does not show (`display_width=`, `fsp=`, `astext_type=`...) accepted.
struct DialectOwnType {
    /// The class is `sqlalchemy.dialects.<dialect>.<name>`.
    dialect: Dialect,
    name: &'static str,
    /// The class SQLite renders it as, or [`TypeClass::Unrenderable`].
    sqlite: TypeClass,
    sig: Sig,
    repr: DialectRepr,
}

/// How `generic_repr` shows a dialect class's arguments (its `__init__`
/// and the MRO's, in that order, those that differ from their defaults).
#[derive(Debug, Clone, Copy)]
enum DialectRepr {
    /// postgresql TIMESTAMP / TIME: `timezone=`, `precision=`.
    PgDateTime,
    /// postgresql JSON / JSONB: `none_as_null=`, then `astext_type=`, which
    /// `__init__` sets to `Text()` when not given.
    PgJson,
    /// postgresql ENUM: the members, `name=`, `create_type=False`, `length=`.
    PgEnum,
    /// mysql integer types: `display_width=`, `unsigned=`, `zerofill=`.
    MysqlInt,
    /// mysql string types: `_StringType`'s keywords, then `length=`;
    /// `national=True` always for NCHAR / NVARCHAR.
    MysqlString { national: bool },
    /// mysql DATETIME / TIMESTAMP / TIME: `timezone=`, `fsp=`.
    MysqlDateTime,
    /// mysql DECIMAL / NUMERIC: `unsigned=`, `zerofill=`, `precision=`,
    /// `scale=`, `asdecimal=False`.
    MysqlNumeric,
    /// mysql FLOAT (`asdecimal` default False) / DOUBLE, REAL (default
    /// True): `precision=`, `scale=`, `asdecimal=True` when it is,
    /// `unsigned=`, `zerofill=`.
    MysqlFloat { asdecimal_default: bool },
    /// mysql JSON: `none_as_null=`.
    MysqlJson,
    /// postgresql ARRAY: the item type's repr, `as_tuple=`, `dimensions=`,
    /// `zero_indexes=`.
    PgArray,
    /// `sa.ARRAY`: as postgresql's; Alembic renders the item type as a
    /// type of its own (`DialectTypeRepr::item_type`).
    SaArray,
    /// a class SQLite cannot render, without arguments: `postgresql.INET()`.
    Unrenderable,
}

impl DialectRepr {
    fn args(self, b: &dyn TypeArgs, class: &str) -> R<Vec<String>> {
        let mut out = Vec::new();
        let int = |out: &mut Vec<String>, k: &str| -> R<()> {
            if let Some(v) = b.u32(k)? {
                out.push(format!("{k}={v}"));
            }
            Ok(())
        };
        let flag = |out: &mut Vec<String>, k: &str| -> R<()> {
            if b.bool(k)? == Some(true) {
                out.push(format!("{k}=True"));
            }
            Ok(())
        };
        let string = |out: &mut Vec<String>, k: &str| -> R<()> {
            if let Some(v) = b.str(k)? {
                out.push(format!("{k}={}", crate::autogen::py_str(&v)));
            }
            Ok(())
        };
        match self {
            DialectRepr::PgDateTime => {
                flag(&mut out, "timezone")?;
                int(&mut out, "precision")?;
            }
            DialectRepr::PgJson => {
                flag(&mut out, "none_as_null")?;
                let text = b.item_type("astext_type")?.map(|t| crate::autogen::type_repr(&t)).unwrap_or_else(|| "Text()".into());
                out.push(format!("astext_type={text}"));
            }
            DialectRepr::PgEnum => {
                out.extend(b.enum_values()?.iter().map(|v| crate::autogen::py_str(v)));
                string(&mut out, "name")?;
                if b.bool("create_type")? == Some(false) {
                    out.push("create_type=False".into());
                }
                int(&mut out, "length")?;
                b.refuse(&["native_enum", "create_constraint", "inherit_schema", "validate_strings"], &format!("{class}()"))?;
            }
            DialectRepr::MysqlInt => {
                int(&mut out, "display_width")?;
                flag(&mut out, "unsigned")?;
                flag(&mut out, "zerofill")?;
            }
            DialectRepr::MysqlString { national } => {
                string(&mut out, "charset")?;
                string(&mut out, "collation")?;
                flag(&mut out, "ascii")?;
                flag(&mut out, "binary")?;
                flag(&mut out, "unicode")?;
                if national {
                    out.push("national=True".into());
                } else {
                    flag(&mut out, "national")?;
                }
                int(&mut out, "length")?;
            }
            DialectRepr::MysqlDateTime => {
                flag(&mut out, "timezone")?;
                int(&mut out, "fsp")?;
            }
            DialectRepr::MysqlNumeric => {
                flag(&mut out, "unsigned")?;
                flag(&mut out, "zerofill")?;
                int(&mut out, "precision")?;
                int(&mut out, "scale")?;
                if b.bool("asdecimal")? == Some(false) {
                    out.push("asdecimal=False".into());
                }
            }
            DialectRepr::MysqlFloat { asdecimal_default } => {
                int(&mut out, "precision")?;
                int(&mut out, "scale")?;
                if b.bool("asdecimal")?.unwrap_or(asdecimal_default) {
                    out.push("asdecimal=True".into());
                }
                flag(&mut out, "unsigned")?;
                flag(&mut out, "zerofill")?;
            }
            DialectRepr::MysqlJson => flag(&mut out, "none_as_null")?,
            DialectRepr::PgArray | DialectRepr::SaArray => {
                // `ARRAY(item_type, as_tuple=False, dimensions=None, zero_indexes=False)`
                if let Some(item) = b.item_type("item_type")? {
                    out.push(crate::autogen::type_repr(&item));
                }
                flag(&mut out, "as_tuple")?;
                int(&mut out, "dimensions")?;
                flag(&mut out, "zero_indexes")?;
            }
            DialectRepr::Unrenderable => {}
        }
        Ok(out)
    }
}

const PG: Dialect = Dialect::Postgresql;
const MYSQL: Dialect = Dialect::Mysql;
/// A class without an `__init__` of its own (`TypeEngine`'s: no arguments).
const NO_ARGS: Sig = sig(&[], 0, &[]);
/// `mysql.ENUM(*enums, **kw)` / `SET(*values, **kw)`: `_StringType`'s and
/// `sa.Enum`'s keywords.
const MYSQL_ENUM_SIG: Sig = Sig {
    params: &[],
    required: 0,
    varargs: true,
    kwonly: &["charset", "collation", "ascii", "binary", "unicode", "national", "name", "native_enum", "create_constraint", "length", "validate_strings", "retrieve_as_bitwise"],
};
/// `ENUM(*enums, name=, create_type=, **kw)`, `**kw` going to `sa.Enum`.
const PG_ENUM_SIG: Sig = Sig {
    params: &[],
    required: 0,
    varargs: true,
    kwonly: &["name", "create_type", "native_enum", "create_constraint", "length", "inherit_schema", "schema", "validate_strings"],
};
/// `_IntegerType(display_width=None, unsigned=False, zerofill=False)`.
const MYSQL_INT_SIG: Sig = sig(&["display_width"], 0, &["unsigned", "zerofill"]);
/// `_StringType(length, charset=, collation=, ascii=, binary=, unicode=, national=)`.
const MYSQL_STRING_SIG: Sig = sig(&["length"], 0, &["charset", "collation", "ascii", "binary", "unicode", "national"]);
/// `_NumericType(precision, scale, asdecimal, unsigned=, zerofill=)`.
const MYSQL_NUMERIC_SIG: Sig = sig(&["precision", "scale", "asdecimal"], 0, &["unsigned", "zerofill"]);
const MYSQL_DATETIME_SIG: Sig = sig(&["timezone", "fsp"], 0, &[]);

const DIALECT_OWN_TYPES: &[DialectOwnType] = {
    use TypeClass as C;
    use DialectRepr as R;
    const fn t(dialect: Dialect, name: &'static str, sqlite: TypeClass, sig: Sig, repr: DialectRepr) -> DialectOwnType {
        DialectOwnType { dialect, name, sqlite, sig, repr }
    }
    const fn u(dialect: Dialect, name: &'static str, sig: Sig) -> DialectOwnType {
        DialectOwnType { dialect, name, sqlite: C::Unrenderable(UnrenderableType { dialect, name }), sig, repr: DialectRepr::Unrenderable }
    }
    &[
        t(PG, "TIMESTAMP", C::TimestampUpper, sig(&["timezone", "precision"], 0, &[]), R::PgDateTime),
        t(PG, "TIME", C::TimeUpper, sig(&["timezone", "precision"], 0, &[]), R::PgDateTime),
        t(PG, "JSON", C::JsonUpper, sig(&["none_as_null", "astext_type"], 0, &[]), R::PgJson),
        t(PG, "JSONB", C::JsonbUpper, sig(&["none_as_null", "astext_type"], 0, &[]), R::PgJson),
        t(PG, "ENUM", C::Enum, PG_ENUM_SIG, R::PgEnum),
        t(MYSQL, "INTEGER", C::IntegerUpper, MYSQL_INT_SIG, R::MysqlInt),
        t(MYSQL, "BIGINT", C::BigIntUpper, MYSQL_INT_SIG, R::MysqlInt),
        t(MYSQL, "SMALLINT", C::SmallIntUpper, MYSQL_INT_SIG, R::MysqlInt),
        t(MYSQL, "VARCHAR", C::VarcharUpper, MYSQL_STRING_SIG, R::MysqlString { national: false }),
        t(MYSQL, "CHAR", C::CharUpper, MYSQL_STRING_SIG, R::MysqlString { national: false }),
        t(MYSQL, "NVARCHAR", C::NVarcharUpper, MYSQL_STRING_SIG, R::MysqlString { national: true }),
        t(MYSQL, "NCHAR", C::NCharUpper, MYSQL_STRING_SIG, R::MysqlString { national: true }),
        t(MYSQL, "TEXT", C::TextUpper, MYSQL_STRING_SIG, R::MysqlString { national: false }),
        t(MYSQL, "DATETIME", C::DateTimeUpper, MYSQL_DATETIME_SIG, R::MysqlDateTime),
        t(MYSQL, "TIMESTAMP", C::TimestampUpper, MYSQL_DATETIME_SIG, R::MysqlDateTime),
        t(MYSQL, "TIME", C::TimeUpper, MYSQL_DATETIME_SIG, R::MysqlDateTime),
        t(MYSQL, "DECIMAL", C::DecimalUpper, MYSQL_NUMERIC_SIG, R::MysqlNumeric),
        t(MYSQL, "NUMERIC", C::NumericUpper, MYSQL_NUMERIC_SIG, R::MysqlNumeric),
        t(MYSQL, "FLOAT", C::FloatUpper, MYSQL_NUMERIC_SIG, R::MysqlFloat { asdecimal_default: false }),
        t(MYSQL, "DOUBLE", C::DoubleUpper, MYSQL_NUMERIC_SIG, R::MysqlFloat { asdecimal_default: true }),
        t(MYSQL, "REAL", C::RealUpper, MYSQL_NUMERIC_SIG, R::MysqlFloat { asdecimal_default: true }),
        t(MYSQL, "JSON", C::JsonUpper, sig(&["none_as_null"], 0, &[]), R::MysqlJson),
        DialectOwnType {
            dialect: PG,
            name: "ARRAY",
            sqlite: C::Unrenderable(UnrenderableType { dialect: PG, name: "ARRAY" }),
            sig: sig(&["item_type", "as_tuple", "dimensions", "zero_indexes"], 1, &[]),
            repr: R::PgArray,
        },
        DialectOwnType {
            dialect: Dialect::Generic,
            name: "ARRAY",
            sqlite: C::Unrenderable(UnrenderableType { dialect: Dialect::Generic, name: "ARRAY" }),
            sig: sig(&["item_type", "as_tuple", "dimensions", "zero_indexes"], 1, &[]),
            repr: R::SaArray,
        },
        u(PG, "BIT", sig(&["length", "varying"], 0, &[])),
        u(PG, "BYTEA", sig(&["length"], 0, &[])),
        u(PG, "CIDR", NO_ARGS),
        u(PG, "CITEXT", sig(&["length", "collation", "collation_schema"], 0, &[])),
        u(PG, "DOMAIN", Sig {
            params: &["name", "data_type"],
            required: 2,
            varargs: false,
            kwonly: &["collation", "collation_schema", "default", "constraint_name", "not_null", "check", "create_type", "schema"],
        }),
        u(PG, "HSTORE", sig(&["text_type"], 0, &[])),
        u(PG, "INET", NO_ARGS),
        u(PG, "INTERVAL", sig(&["precision", "fields"], 0, &[])),
        u(PG, "JSONPATH", NO_ARGS),
        u(PG, "MACADDR", NO_ARGS),
        u(PG, "MACADDR8", NO_ARGS),
        u(PG, "MONEY", NO_ARGS),
        u(PG, "OID", NO_ARGS),
        u(PG, "REGCLASS", NO_ARGS),
        u(PG, "REGCONFIG", NO_ARGS),
        u(PG, "TSQUERY", NO_ARGS),
        u(PG, "TSVECTOR", NO_ARGS),
        u(PG, "INT4RANGE", NO_ARGS),
        u(PG, "INT8RANGE", NO_ARGS),
        u(PG, "NUMRANGE", NO_ARGS),
        u(PG, "DATERANGE", NO_ARGS),
        u(PG, "TSRANGE", NO_ARGS),
        u(PG, "TSTZRANGE", NO_ARGS),
        u(PG, "INT4MULTIRANGE", NO_ARGS),
        u(PG, "INT8MULTIRANGE", NO_ARGS),
        u(PG, "NUMMULTIRANGE", NO_ARGS),
        u(PG, "DATEMULTIRANGE", NO_ARGS),
        u(PG, "TSMULTIRANGE", NO_ARGS),
        u(PG, "TSTZMULTIRANGE", NO_ARGS),
        u(MYSQL, "TINYINT", MYSQL_INT_SIG),
        u(MYSQL, "MEDIUMINT", MYSQL_INT_SIG),
        u(MYSQL, "YEAR", sig(&["display_width"], 0, &[])),
        u(MYSQL, "BIT", sig(&["length"], 0, &[])),
        u(MYSQL, "TINYTEXT", sig(&[], 0, &["charset", "collation", "ascii", "binary", "unicode", "national", "length"])),
        u(MYSQL, "MEDIUMTEXT", sig(&[], 0, &["charset", "collation", "ascii", "binary", "unicode", "national", "length"])),
        u(MYSQL, "LONGTEXT", sig(&[], 0, &["charset", "collation", "ascii", "binary", "unicode", "national", "length"])),
        u(MYSQL, "TINYBLOB", sig(&["length"], 0, &[])),
        u(MYSQL, "MEDIUMBLOB", sig(&["length"], 0, &[])),
        u(MYSQL, "LONGBLOB", sig(&["length"], 0, &[])),
        u(MYSQL, "ENUM", MYSQL_ENUM_SIG),
        u(MYSQL, "SET", MYSQL_ENUM_SIG),
        u(MYSQL, "INET4", NO_ARGS),
        u(MYSQL, "INET6", NO_ARGS),
    ]
};

/// The SQLAlchemy class a dialect's own type class derives from
/// (`postgresql.TIMESTAMP` → `TIMESTAMP`, `postgresql.ARRAY` → `TypeEngine`),
/// for the evaluator's class objects.
pub(crate) fn dialect_type_base(module: &str, name: &str) -> Option<&'static str> {
    let d = dialect_own_type(&format!("{module}.{name}"))?;
    Some(match d.sqlite {
        TypeClass::Unrenderable(_) => "TypeEngine",
        TypeClass::JsonbUpper => "JSON",
        other => crate::autogen::type_class_name(other),
    })
}

/// `sqlalchemy.dialects.postgresql.TIMESTAMP` → its entry in [`DIALECT_OWN_TYPES`].
fn dialect_own_type(q: &str) -> Option<&'static DialectOwnType> {
    let generic = ["sqlalchemy.", "sqlalchemy.types.", "sqlalchemy.sql.sqltypes."].iter().filter_map(|p| q.strip_prefix(p)).find(|n| !n.contains('.'));
    if let Some(name) = generic {
        return DIALECT_OWN_TYPES.iter().find(|d| d.name == name && d.dialect == Dialect::Generic);
    }
    let (dialect, name) = q.strip_prefix("sqlalchemy.dialects.")?.split_once('.')?;
    DIALECT_OWN_TYPES.iter().find(|d| d.name == name && d.dialect.name() == dialect)
}

fn upper_type(name: &str) -> Option<TypeClass> {
    use TypeClass as C;
    Some(match name {
        "INTEGER" | "INT" => C::IntegerUpper,
        "BIGINT" => C::BigIntUpper,
        "SMALLINT" => C::SmallIntUpper,
        "VARCHAR" => C::VarcharUpper,
        "NVARCHAR" => C::NVarcharUpper,
        "CHAR" => C::CharUpper,
        "NCHAR" => C::NCharUpper,
        "TEXT" => C::TextUpper,
        "CLOB" => C::ClobUpper,
        "BOOLEAN" => C::BooleanUpper,
        "NUMERIC" => C::NumericUpper,
        "DECIMAL" => C::DecimalUpper,
        "FLOAT" => C::FloatUpper,
        "REAL" => C::RealUpper,
        "DOUBLE" => C::DoubleUpper,
        "DOUBLE_PRECISION" => C::DoublePrecisionUpper,
        "DATE" => C::DateUpper,
        "DATETIME" => C::DateTimeUpper,
        "TIMESTAMP" => C::TimestampUpper,
        "TIME" => C::TimeUpper,
        "BLOB" => C::BlobUpper,
        "VARBINARY" => C::VarbinaryUpper,
        "BINARY" => C::BinaryUpper,
        "UUID" => C::UuidUpper,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops_of(body: &str) -> Vec<Op> {
        let source = format!(
            "import sqlalchemy\nimport sqlalchemy as sa\nfrom alembic import op\nfrom sqlalchemy.dialects import sqlite, postgresql, mysql\n\
             from sqlalchemy import types, Integer as Int\nimport sqlmodel\n\nrevision = 'x1'\ndown_revision = None\n\n\
             def upgrade():\n{body}\n\ndef downgrade():\n    pass\n"
        );
        let script = parse_script("x1_t.py", &source).expect("script");
        match script.upgrade() {
            Ok(u) => u.ops.clone(),
            Err(d) => panic!("{d}"),
        }
    }

    fn added_type(body: &str) -> SqlType {
        match ops_of(body).pop() {
            Some(Op::AddColumn { column, .. }) => column.type_,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn type_spellings() {
        let t = added_type("    op.add_column('t', sa.Column('c', sa.types.String(40)))");
        assert_eq!((t.class, t.length), (TypeClass::String, Some(40)));
        let t = added_type("    op.add_column('t', sa.Column('c', sa.Integer))");
        assert_eq!(t.class, TypeClass::Integer);
        let t = added_type("    op.add_column('t', sa.Column('c', sqlalchemy.Numeric(10, 2, asdecimal=False)))");
        assert_eq!((t.class, t.precision, t.scale, t.asdecimal), (TypeClass::Numeric, Some(10), Some(2), Some(false)));
        let t = added_type("    op.add_column('t', sa.Column('c', sqlite.JSON()))");
        assert_eq!(t.class, TypeClass::JsonUpper);
        let t = added_type("    op.add_column('t', sa.Column('c', types.DateTime(timezone=True)))");
        assert_eq!((t.class, t.timezone), (TypeClass::DateTime, true));
        let t = added_type("    op.add_column('t', sa.Column('c', Int()))");
        assert_eq!(t.class, TypeClass::Integer);
        let t = added_type("    op.add_column('t', sa.Column('c', sqlmodel.sql.sqltypes.AutoString()))");
        assert_eq!(t.class, TypeClass::AutoString);
        let t = added_type("    op.add_column('t', sa.Column('c', sa.VARCHAR(length=5, collation='NOCASE')))");
        assert_eq!((t.class, t.length, t.collation.as_deref()), (TypeClass::VarcharUpper, Some(5), Some("NOCASE")));
    }

    #[test]
    fn dialect_type_spellings() {
        // a name the dialect re-exports is SQLAlchemy's class
        let t = added_type("    op.add_column('t', sa.Column('c', postgresql.UUID(as_uuid=True)))");
        assert_eq!((t.class, t.dialect), (TypeClass::UuidUpper, None));
        // the dialect's own classes: SQLite's class, rendered with the dialect
        let t = added_type("    op.add_column('t', sa.Column('c', postgresql.TIMESTAMP(True, precision=3)))");
        assert_eq!((t.class, t.timezone), (TypeClass::TimestampUpper, true));
        let d = t.dialect.expect("dialect");
        assert_eq!((d.dialect, d.class, d.args.join(", ")), (Dialect::Postgresql, "TIMESTAMP", "timezone=True, precision=3".to_string()));
        let t = added_type("    op.add_column('t', sa.Column('c', mysql.VARCHAR(40, charset='utf8mb4', binary=True)))");
        assert_eq!((t.class, t.length), (TypeClass::VarcharUpper, Some(40)));
        assert_eq!(t.dialect.expect("dialect").args, ["charset='utf8mb4'", "binary=True", "length=40"]);
        let t = added_type("    op.add_column('t', sa.Column('c', mysql.DOUBLE()))");
        assert_eq!(t.dialect.expect("dialect").args, ["asdecimal=True"]);
        let t = added_type("    op.add_column('t', sa.Column('c', postgresql.JSONB(astext_type=sa.String(5))))");
        assert_eq!(t.class, TypeClass::JsonbUpper);
        assert_eq!(t.dialect.expect("dialect").args, ["astext_type=String(length=5)"]);
        // a class SQLite cannot render: its DDL fails
        let t = added_type("    op.add_column('t', sa.Column('c', mysql.TINYINT(1, unsigned=True)))");
        assert_eq!(t.class, TypeClass::Unrenderable(UnrenderableType { dialect: Dialect::Mysql, name: "TINYINT" }));
    }

    #[test]
    fn dialect_type_arguments_bind_like_python() {
        let source = |body: &str| {
            format!(
                "import sqlalchemy as sa\nfrom alembic import op\nfrom sqlalchemy.dialects import postgresql, mysql\n\n\
                 revision = 'x1'\ndown_revision = None\n\ndef upgrade():\n{body}\n\ndef downgrade():\n    pass\n"
            )
        };
        for body in [
            "    op.add_column('t', sa.Column('c', mysql.INTEGER(width=3)))",
            "    op.add_column('t', sa.Column('c', postgresql.INET(4)))",
            "    op.add_column('t', sa.Column('c', postgresql.ARRAY()))",
        ] {
            let script = parse_script("x1_t.py", &source(body)).expect("script");
            let Err(d) = script.upgrade() else { panic!("{body}: accepted") };
            assert!(d.to_string().contains("TypeError: ") && d.to_string().contains(".__init__() "), "{body}: {d}");
        }
    }

    #[test]
    fn positional_and_keyword_arguments_bind_like_python() {
        let ops = ops_of(
            "    op.drop_constraint('uq_t_a', 't', 'unique')\n    op.drop_constraint(constraint_name='fk', table_name='t', type_='foreignkey')\n    op.create_index(index_name='ix', table_name='t', columns=['a'], unique=True)\n    op.create_foreign_key(None, 't', 'u', ['u_id'], ['id'], onupdate='CASCADE')",
        );
        assert!(matches!(&ops[0], Op::DropConstraint { kind: Some(ConstraintKind::Unique), name: Some(n), .. } if n.value == "uq_t_a"));
        assert!(matches!(&ops[1], Op::DropConstraint { kind: Some(ConstraintKind::ForeignKey), .. }));
        assert!(matches!(&ops[2], Op::CreateIndex { index, .. } if index.unique && index.table == "t"));
        assert!(matches!(&ops[3], Op::CreateForeignKey { constraint, .. } if constraint.name.is_none() && constraint.onupdate.as_deref() == Some("CASCADE")));
    }

    #[test]
    fn batch_ops_carry_the_table_and_any_receiver_name() {
        let ops = ops_of(
            "    with op.batch_alter_table('t', schema=None, recreate='never') as b:\n        b.drop_column('c')\n        b.create_index(b.f('ix_t_d'), ['d'], unique=False)",
        );
        let Some(Op::BatchAlterTable(batch)) = ops.first() else { panic!("{ops:?}") };
        assert_eq!(batch.recreate, Recreate::Never);
        assert!(matches!(&batch.ops[0], Op::DropColumn { table, column, .. } if table == "t" && column.name == "c"));
        assert!(matches!(&batch.ops[1], Op::CreateIndex { index, .. } if index.table == "t" && index.name == Some(Name::conv("ix_t_d"))));
    }

    #[test]
    fn alter_column_server_default_false_none_and_value() {
        let ops = ops_of(
            "    op.alter_column('t', 'a', server_default=False, existing_server_default=None)\n    op.alter_column('t', 'b', server_default=None, comment=False)\n    op.alter_column('t', 'c', server_default=sa.text('1'), nullable=True)",
        );
        let get = |i: usize| match &ops[i] {
            Op::AlterColumn(a) => a.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(get(0).modify_server_default, None);
        assert_eq!(get(0).existing_server_default, Some(None));
        assert_eq!(get(1).modify_server_default, Some(None));
        assert_eq!(get(1).modify_comment, None);
        assert_eq!(get(2).modify_server_default, Some(Some(ServerDefault::Text("1".into()))));
        assert_eq!(get(2).modify_nullable, Some(true));
    }

    #[test]
    fn starred_list_of_columns() {
        let ops = ops_of("    op.create_table('w',\n    *[sa.Column('a', sa.Integer(), nullable=True),\n    sa.Column('b', sa.Integer(), nullable=True)]\n    )");
        assert!(matches!(&ops[0], Op::CreateTable { table, .. } if table.columns.len() == 2));
    }

    #[test]
    fn header_forms() {
        let src = "from typing import Sequence, Union\nrevision: str = 'b2'\ndown_revision: Union[str, Sequence[str], None] = ['a1', 'a2']\nbranch_labels = 'lbl'\ndepends_on = ('x',)\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n";
        let s = parse_script("b2_.py", src).expect("script");
        assert_eq!(s.down_revision, vec!["a1", "a2"]);
        assert_eq!(s.branch_labels, vec!["lbl"]);
        assert_eq!(s.depends_on, vec!["x"]);
        assert_eq!(s.doc, "");
    }

    #[test]
    fn legacy_file_name_gives_the_revision() {
        let s = parse_script("ae10f.py", "down_revision = None\ndef upgrade():\n    pass\n").expect("legacy");
        assert_eq!(s.revision, "ae10f");
    }

    #[test]
    fn doc_is_the_first_paragraph() {
        let s = parse_script("a_.py", "\"\"\"\n  first line\nsecond line\n\nRevision ID: a\n\"\"\"\nrevision = 'a'\ndown_revision = None\n").expect("s");
        assert_eq!(s.doc, "first line\nsecond line");
    }
}

/// A type from its evaluated class (`module.Class`, as `TypeValue::path`)
/// and constructor arguments, through the one table of constructor
/// signatures above ([`Cx::typed`]); for the models' object model, which
/// holds values and no call text. An error is the message of the
/// `TypeError` / unsupported argument.
pub(crate) fn type_from_value(path: &str, args: &crate::python::Args) -> Result<SqlType, String> {
    thread_local! {
        // The index of no source (every type of a model is read through here).
        static NO_SOURCE: crate::python::LineIndex = crate::python::LineIndex::new("");
    }
    NO_SOURCE.with(|index| type_from_value_in(index, path, args))
}

fn type_from_value_in(index: &crate::python::LineIndex, path: &str, args: &crate::python::Args) -> Result<SqlType, String> {
    let cx = Cx { m: SourceRef { source: "", index }, resolve: None, sa_type: None };
    let dialect = dialect_own_type(path);
    let Some(class) = dialect.map(|d| d.sqlite).or_else(|| type_class(path)) else {
        return Err(format!("the type `{}` is not supported by the playground", path.rsplit('.').next().unwrap_or(path)));
    };
    let at = Expr::NoneLiteral(ast::ExprNoneLiteral::default());
    let short = path.rsplit('.').next().unwrap_or(path);
    let mut what = String::with_capacity(short.len() + 9);
    what.push_str(short);
    what.push_str(".__init__");
    cx.typed(class, dialect, &what, &|sig: &Sig| Ok(Box::new(ValueArgs::bind(&cx, &at, args, sig, &what)?) as Box<dyn TypeArgs + '_>))
        .map_err(|e| e.diagnostic.message)
}
