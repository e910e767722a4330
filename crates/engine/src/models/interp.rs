//! The interpreter behind `load_models`: a symbolic evaluation of the module's
//! top-level statements (imports, class definitions, `Table()` / `MetaData()`
//! assignments) that mirrors what SQLAlchemy's declarative scan and SQLModel's
//! metaclass do at import time.
//!
//! Invariants:
//! - Statements run in source order; a table is attached when its class body
//!   (or `Table()` call) would have run in Python.
//! - Constraint names are finished at the end (`finish_names`), when every
//!   column of every table is known, with SQLAlchemy's
//!   `_constraint_name_for_table` rules.
//! - Nothing here panics on user input: every lookup is checked, and what is
//!   not understood becomes a diagnostic at the node's line:column.
//! - Never silent: every module-level and class-body statement is either
//!   evaluated as Python would (imports, assignments, classes, `Table()`,
//!   constant `if` conditions, `try: import ... except ImportError:`, simple
//!   helper functions called with their arguments substituted) or refused
//!   with an error naming the construct. Only what provably cannot reach the
//!   MetaData (docstrings, `pass`, a `def` nobody calls for a mapped
//!   attribute, `print(...)`) passes without a word.
//! - What Python itself raises at import (`NameError`, `ModuleNotFoundError`,
//!   SQLAlchemy's `ArgumentError` for a mapper without a primary key) is
//!   recorded as a typed `PyException` besides its diagnostic.
//! - `os.environ` reads as empty and `TYPE_CHECKING` is false, as in the
//!   reference run of Alembic.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use ruff_text_size::{Ranged, TextRange};

use super::modules::{BUILTINS, BUILTINS_ORDER, PACKAGES, STDLIB};
use super::{ModelsResult, PyException, PyExceptionClass};
use crate::python::ast::{self, Expr, Stmt};
use crate::python::{parse_module, ParsedModule, Severity};
use crate::schema::{
    Autoincrement, CheckConstraint, Column, Computed, EnumInfo, ForeignKeyConstraint, Index, IndexColumn, MetaData,
    Name, PrimaryKeyConstraint, ServerDefault, SqlType, Table, TypeClass, UniqueConstraint,
};

/// Which library a symbol came from. SQLModel re-exports SQLAlchemy's names,
/// so both are `Sa`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lib {
    Sa,
    /// `sqlalchemy.dialects.sqlite`: its types render as `sqlite.X()`.
    SaSqlite,
    Typing,
    Datetime,
    Decimal,
    Uuid,
    Enum,
    /// `os`: `os.environ` reads as empty, as in the reference run.
    Os,
    /// `sys`: `sys.version_info` is the reference interpreter's.
    Sys,
    Builtin,
    Other,
}

#[derive(Debug, Clone)]
enum Sym<'a> {
    Module(Lib),
    Ext(Lib, String),
    Class(usize),
    MetaData(usize),
    Table(usize, String),
    Value(&'a Expr),
    /// A module-level `def`: a helper whose `return` may be evaluated with
    /// the call's arguments substituted.
    Func(&'a ast::StmtFunctionDef),
    /// Bound by a statement whose value is not known (`x += 1`, a loop
    /// variable...): using it where the MetaData depends on it is an error.
    Opaque,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Enum,
    /// A `DeclarativeBase` subclass or `declarative_base()` result.
    DeclRoot,
    Plain,
}

struct ClassInfo<'a> {
    name: String,
    def: Option<&'a ast::StmtClassDef>,
    /// User classes in Python's MRO, starting with the class itself.
    mro: Vec<usize>,
    /// External bases anywhere in the hierarchy.
    ext_bases: Vec<(Lib, String)>,
    kind: Kind,
    /// For roots: the metadata and `type_annotation_map`.
    metadata: Option<usize>,
    type_map: Vec<(&'a Expr, &'a Expr)>,
    mapped: bool,
    table: Option<(usize, String)>,
    mapped_names: BTreeSet<String>,
    /// Enum members: (name, value text).
    members: Vec<(String, Option<String>)>,
}

#[derive(Default)]
struct MdInfo {
    md: MetaData,
    /// Per table: the column lists of its check constraints (parallel to
    /// `check_constraints`), for `%(column_0_name)s` in a `ck` convention.
    ck_columns: BTreeMap<String, Vec<Vec<String>>>,
    /// Per table: columns whose `nullable=` was given explicitly.
    explicit_nullable: BTreeMap<String, BTreeSet<String>>,
    /// Per table: `Column(key=...)` → column name, where they differ.
    /// Constraint arguments and `ForeignKey("t.key")` refer to keys.
    keys: BTreeMap<String, BTreeMap<String, String>>,
    /// Per table: where it was defined, for diagnostics found later.
    ranges: BTreeMap<String, TextRange>,
}

#[derive(Debug, Clone)]
struct FkSpec {
    target: Option<(String, String)>,
    name: Option<Name>,
    ondelete: Option<String>,
    onupdate: Option<String>,
    deferrable: Option<bool>,
    initially: Option<String>,
    use_alter: bool,
}

#[derive(Debug, Clone)]
struct ColSpec {
    key: String,
    name: Option<String>,
    type_: Option<SqlType>,
    nullable: Option<bool>,
    primary_key: bool,
    server_default: Option<ServerDefault>,
    autoincrement: Autoincrement,
    computed: Option<Computed>,
    comment: Option<String>,
    unique: bool,
    index: bool,
    fks: Vec<FkSpec>,
    checks: Vec<(Option<Name>, String)>,
    sort_order: i64,
    /// `key=` given explicitly.
    col_key: Option<String>,
    /// `repr(Column.default)` for a scalar client default.
    client_default: Option<String>,
    /// Set when the column cannot be built; the message (if not empty) is
    /// reported where the column is collected.
    skip: Option<String>,
}

impl ColSpec {
    fn new(key: &str) -> Self {
        ColSpec {
            key: key.to_string(),
            name: None,
            type_: None,
            nullable: None,
            primary_key: false,
            server_default: None,
            autoincrement: Autoincrement::Auto,
            computed: None,
            comment: None,
            unique: false,
            index: false,
            fks: Vec::new(),
            checks: Vec::new(),
            sort_order: 0,
            col_key: None,
            client_default: None,
            skip: None,
        }
    }
    fn col_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.key.clone())
    }
}

/// What a class's decorators make of it.
#[derive(Default, Clone, Copy)]
struct ClassDecor {
    /// `@reg.mapped`: mapped in this registry (a root's class id).
    registry: Option<usize>,
    /// `@as_declarative(...)`: a declarative base, with `metadata=` if given.
    as_declarative: Option<Option<usize>>,
}

/// A table-level item from `__table_args__` or `Table(...)`.
#[derive(Debug, Clone)]
enum TableItem {
    Index { name: Option<Name>, columns: Vec<IndexColumn>, unique: bool, sqlite_where: Option<String> },
    Unique { name: Option<Name>, columns: Vec<String> },
    Check { name: Option<Name>, sqltext: String },
    Fk { name: Option<Name>, columns: Vec<String>, targets: Vec<(String, String)>, fk: FkSpec },
    Pk { name: Option<Name>, columns: Vec<String> },
    /// `sqlite_with_rowid=` / `sqlite_strict=` (a `Table` dialect keyword).
    SqliteOption { key: SqliteTableKw, value: bool },
}

#[derive(Debug, Clone, Copy)]
enum SqliteTableKw {
    WithRowid,
    Strict,
}

/// One attribute of a class body, as `vars(cls)` + `__annotations__` see it.
#[derive(Clone)]
struct Attr<'a> {
    name: String,
    value: Option<AttrValue<'a>>,
    annotation: Option<&'a Expr>,
}

#[derive(Clone, Copy)]
enum AttrValue<'a> {
    Expr(&'a Expr),
    Func(&'a ast::StmtFunctionDef),
}

/// What an annotation says: `Mapped[Optional[X]]` etc.
#[derive(Default)]
struct AnnInfo<'a> {
    mapped: bool,
    optional: bool,
    inner: Option<&'a Expr>,
    extra: Vec<&'a ast::ExprCall>,
    alias_names: Vec<String>,
    literal: Option<Vec<String>>,
}

struct Interp<'a> {
    p: &'a ParsedModule<'a>,
    /// Expressions written by the interpreter: a helper's `return` value with
    /// the call's arguments substituted, a constant name replaced by its value.
    arena: &'a typed_arena::Arena<Expr>,
    env: BTreeMap<String, Sym<'a>>,
    /// Module globals in binding order (a dict's order), for `NameError`'s
    /// "Did you mean" suggestion.
    global_order: Vec<String>,
    classes: Vec<ClassInfo<'a>>,
    mds: Vec<MdInfo>,
    sqlmodel_md: Option<usize>,
    uses_sqlmodel: bool,
    /// `from __future__ import annotations`: annotations are not evaluated
    /// at import (SQLAlchemy reads `Mapped[...]` ones lazily).
    lazy_annotations: bool,
    diags: RefCell<Vec<crate::python::Diagnostic>>,
    exceptions: RefCell<Vec<PyException>>,
    /// The current frame's `co_varnames` (a helper's parameters while its
    /// body is checked), for "Did you mean".
    frame_vars: RefCell<Vec<String>>,
}

pub(super) fn load(source: &str) -> ModelsResult {
    let arena = typed_arena::Arena::new();
    let parsed = parse_module(source);
    let mut it = Interp {
        p: &parsed,
        arena: &arena,
        env: BTreeMap::new(),
        global_order: Vec::new(),
        classes: Vec::new(),
        mds: Vec::new(),
        sqlmodel_md: None,
        uses_sqlmodel: false,
        lazy_annotations: false,
        diags: RefCell::new(parsed.diagnostics.clone()),
        exceptions: RefCell::new(Vec::new()),
        frame_vars: RefCell::new(Vec::new()),
    };
    it.stmts(&parsed.module.body);
    let target = it.target_md();
    let mut metadata = MetaData::default();
    if let Some(i) = target {
        it.finish_fk_types(i);
        it.check_fk_targets(i);
        it.finish_names(i);
        if let Some(info) = it.mds.get(i) {
            metadata = info.md.clone();
        }
    }
    let mut diagnostics = it.diags.into_inner();
    diagnostics.sort_by_key(|d| (d.line, d.column));
    let mut exceptions = it.exceptions.into_inner();
    exceptions.sort_by_key(|e| (e.line, e.column));
    ModelsResult { metadata, diagnostics, uses_sqlmodel: it.uses_sqlmodel, exceptions }
}

fn default_convention() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    m.insert("ix".to_string(), "ix_%(column_0_label)s".to_string());
    m
}

/// A `declared_attr` `__tablename__` return value evaluated for one class:
/// string literals, `cls.__name__`, `.lower()` / `.upper()` on those, and
/// `+` between them (`cls.__name__.lower() + "s"`).
fn class_name_expr(e: &Expr, class_name: &str) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::Attribute(a) if a.attr.as_str() == "__name__" => {
            matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == "cls").then(|| class_name.to_string())
        }
        Expr::Call(c) if c.arguments.args.is_empty() && c.arguments.keywords.is_empty() => {
            let Expr::Attribute(m) = c.func.as_ref() else { return None };
            let inner = class_name_expr(&m.value, class_name)?;
            match m.attr.as_str() {
                "lower" => Some(inner.to_lowercase()),
                "upper" => Some(inner.to_uppercase()),
                _ => None,
            }
        }
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Add) => {
            Some(class_name_expr(&b.left, class_name)? + &class_name_expr(&b.right, class_name)?)
        }
        // f"{cls.__name__.lower()}s" (no conversions or format specs)
        Expr::FString(f) => {
            let mut out = String::new();
            for part in f.value.as_slice() {
                match part {
                    ast::FStringPart::Literal(l) => out.push_str(&l.value),
                    ast::FStringPart::FString(fs) => {
                        for el in fs.elements.iter() {
                            match el {
                                ast::InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                                ast::InterpolatedStringElement::Interpolation(i) => {
                                    if i.format_spec.is_some()
                                        || !matches!(i.conversion, ast::ConversionFlag::None)
                                    {
                                        return None;
                                    }
                                    out.push_str(&class_name_expr(&i.expression, class_name)?);
                                }
                            }
                        }
                    }
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// The reference interpreter's `sys.version_info[:3]`.
const PYTHON_VERSION: [i64; 3] = [3, 11, 7];

/// A constant value of a condition (see `Interp::const_eval`).
#[derive(Debug, Clone, PartialEq)]
enum Const {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    Tuple(Vec<Const>),
}

impl Const {
    fn truthy(&self) -> bool {
        match self {
            Const::None => false,
            Const::Bool(b) => *b,
            Const::Int(i) => *i != 0,
            Const::Str(s) => !s.is_empty(),
            Const::Tuple(t) => !t.is_empty(),
        }
    }

    /// Python's ordering where it is defined (ints, strs, tuples of them).
    fn cmp_py(&self, other: &Const) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Const::Int(a), Const::Int(b)) => Some(a.cmp(b)),
            (Const::Bool(a), Const::Bool(b)) => Some(a.cmp(b)),
            (Const::Str(a), Const::Str(b)) => Some(a.cmp(b)),
            (Const::Tuple(a), Const::Tuple(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.cmp_py(y)? {
                        std::cmp::Ordering::Equal => continue,
                        o => return Some(o),
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            _ => None,
        }
    }
}

/// `ModuleNotFoundError`'s dotted name for `import full`, if any part of
/// it is missing from the reference environment. Standard-library
/// submodules are not listed and pass.
fn missing_module(full: &str) -> Option<String> {
    let root = full.split('.').next().unwrap_or(full);
    if STDLIB.binary_search(&root).is_ok() {
        return None;
    }
    let mut prefix = String::new();
    for part in full.split('.') {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
        if PACKAGES.binary_search(&prefix.as_str()).is_err() {
            return Some(prefix);
        }
    }
    None
}

/// CPython 3.11's `calculate_suggestions` (Python/suggestions.c): the
/// closest name by a Levenshtein distance where a case change costs 1 and
/// any other edit 2, within a third of the characters involved.
fn suggest<'d>(dir: &[&'d str], name: &str) -> Option<&'d str> {
    const MOVE_COST: usize = 2;
    if dir.len() >= 750 {
        return None;
    }
    let mut best: Option<(&str, usize)> = None;
    for &item in dir {
        if item == name {
            continue;
        }
        let mut max_distance = (name.len() + item.len() + 3) * MOVE_COST / 6;
        if let Some((_, d)) = best {
            max_distance = max_distance.min(d.saturating_sub(1));
        }
        let distance = levenshtein(name.as_bytes(), item.as_bytes(), max_distance);
        if distance > max_distance {
            continue;
        }
        if best.map(|(_, d)| distance < d).unwrap_or(true) {
            best = Some((item, distance));
        }
    }
    best.map(|(s, _)| s)
}

fn levenshtein(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    const MOVE_COST: usize = 2;
    const CASE_COST: usize = 1;
    let substitution = |x: u8, y: u8| -> usize {
        if x & 31 != y & 31 {
            MOVE_COST
        } else if x == y {
            0
        } else if x.to_ascii_lowercase() == y.to_ascii_lowercase() {
            CASE_COST
        } else {
            MOVE_COST
        }
    };
    let (mut a, mut b) = (a, b);
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > 40 || b.len() > 40 {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut buffer: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (b_index, &code) in b.iter().enumerate() {
        let mut distance = b_index * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (index, &ac) in a.iter().enumerate() {
            let substitute = distance + substitution(code, ac);
            distance = buffer[index];
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            buffer[index] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

fn is_builtin(name: &str) -> bool {
    BUILTINS.binary_search(&name).is_ok()
        || matches!(name, "__name__" | "__file__" | "__doc__" | "__package__" | "__spec__" | "__loader__" | "__builtins__")
}

fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => true,
        Expr::UnaryOp(u) => matches!(u.op, ast::UnaryOp::USub) && matches!(u.operand.as_ref(), Expr::NumberLiteral(_)),
        _ => false,
    }
}

/// The names an expression reads (all of them, nested scopes included).
fn load_names(e: &Expr) -> Vec<&str> {
    use ruff_python_ast::visitor::{walk_expr, Visitor};
    struct V<'a>(Vec<&'a str>);
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a Expr) {
            if let Expr::Name(n) = e {
                if n.ctx.is_load() {
                    self.0.push(n.id.as_str());
                }
            }
            walk_expr(self, e);
        }
    }
    let mut v = V(Vec::new());
    v.visit_expr(e);
    v.0
}

fn load_names_call(c: &ast::ExprCall) -> Vec<&str> {
    let mut out = load_names(&c.func);
    for a in c.arguments.args.iter() {
        out.extend(load_names(a));
    }
    for k in c.arguments.keywords.iter() {
        out.extend(load_names(&k.value));
    }
    out
}

/// True when `e` holds a lambda or comprehension (their own scopes).
fn contains_scope(e: &Expr) -> bool {
    use ruff_python_ast::visitor::{walk_expr, Visitor};
    struct V(bool);
    impl<'a> Visitor<'a> for V {
        fn visit_expr(&mut self, e: &'a Expr) {
            if matches!(
                e,
                Expr::Lambda(_) | Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_)
            ) {
                self.0 = true;
                return;
            }
            walk_expr(self, e);
        }
    }
    let mut v = V(false);
    v.visit_expr(e);
    v.0
}

/// `repr(Column.default)` for a literal `default=`: SQLAlchemy wraps a
/// scalar in `ScalarElementColumnDefault`. `None` for `default=None` and
/// for callables and SQL expressions, whose repr holds a memory address.
fn client_default_repr(v: &Expr) -> Option<String> {
    let arg = match v {
        Expr::StringLiteral(s) => crate::render::py_repr_str(s.value.to_str()),
        Expr::BooleanLiteral(b) => if b.value { "True" } else { "False" }.to_string(),
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(_) => int_lit(v)?.to_string(),
            ast::Number::Float(f) => {
                let s = format!("{f:?}");
                if s.contains(['.', 'e', 'i', 'N']) { s } else { format!("{s}.0") }
            }
            ast::Number::Complex { .. } => return None,
        },
        Expr::UnaryOp(_) => int_lit(v)?.to_string(),
        _ => return None,
    };
    Some(format!("ScalarElementColumnDefault({arg})"))
}

fn str_lit(e: &Expr) -> Option<&str> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

fn int_lit(e: &Expr) -> Option<i64> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_i64(),
            _ => None,
        },
        Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::USub) => int_lit(&u.operand).map(|v| -v),
        _ => None,
    }
}

fn bool_lit(e: &Expr) -> Option<bool> {
    match e {
        Expr::BooleanLiteral(b) => Some(b.value),
        _ => None,
    }
}

fn is_none(e: &Expr) -> bool {
    matches!(e, Expr::NoneLiteral(_))
}

fn kw<'e>(call: &'e ast::ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments.keywords.iter().rev().find(|k| k.arg.as_ref().map(|a| a.as_str()) == Some(name)).map(|k| &k.value)
}

fn elts(e: &Expr) -> Option<&[Expr]> {
    match e {
        Expr::Tuple(t) => Some(&t.elts),
        Expr::List(l) => Some(&l.elts),
        _ => None,
    }
}

impl<'a> Interp<'a> {
    // ----- diagnostics -------------------------------------------------

    fn diag(&self, node: &impl Ranged, severity: Severity, msg: impl Into<String>) {
        self.diag_at(node.range(), severity, msg);
    }

    fn diag_at(&self, range: TextRange, severity: Severity, msg: impl Into<String>) {
        let d = self.p.diagnostic_at(range, severity, msg);
        let mut diags = self.diags.borrow_mut();
        if !diags.contains(&d) {
            diags.push(d);
        }
    }

    /// A Python exception the import raises here: an error diagnostic
    /// (`NameError: name 'x' is not defined`) and its typed record.
    fn raise(&self, range: TextRange, class: PyExceptionClass, message: impl Into<String>) {
        let message = message.into();
        let d = self.p.diagnostic_at(range, Severity::Error, String::new());
        let exc = PyException { class, message, line: d.line, column: d.column };
        let already = self.exceptions.borrow().iter().any(|e| e.line == exc.line && e.column == exc.column);
        if already {
            return;
        }
        self.diag_at(range, Severity::Error, exc.to_string());
        self.exceptions.borrow_mut().push(exc);
    }

    /// Binds a module-level name (a dict keeps its first position).
    fn bind(&mut self, name: String, sym: Sym<'a>) {
        if !self.env.contains_key(&name) {
            self.global_order.push(name.clone());
        }
        self.env.insert(name, sym);
    }

    /// `NameError: name 'x' is not defined[. Did you mean: 'y'?]`, with
    /// CPython 3.11's suggestion: the frame's variables (a function's
    /// parameters; a class body has none), then the module's globals in
    /// binding order, then the builtins.
    fn name_error(&self, range: TextRange, name: &str, varnames: &[String]) {
        let dunders = ["__name__", "__doc__", "__package__", "__loader__", "__spec__", "__file__", "__cached__", "__builtins__"];
        // a module with annotated assignments sets up `__annotations__` first
        let annotations = self
            .p
            .module
            .body
            .iter()
            .any(|st| matches!(st, Stmt::AnnAssign(a) if a.simple))
            .then_some("__annotations__");
        let globals: Vec<&str> = dunders
            .iter()
            .copied()
            .chain(annotations)
            .chain(self.global_order.iter().map(|s| s.as_str()))
            .collect();
        let vars: Vec<&str> = varnames.iter().map(|s| s.as_str()).collect();
        let suggestion = [vars.as_slice(), globals.as_slice(), BUILTINS_ORDER].into_iter().find_map(|dir| suggest(dir, name));
        let msg = match suggestion {
            Some(s) => format!("name '{name}' is not defined. Did you mean: '{s}'?"),
            None => format!("name '{name}' is not defined"),
        };
        self.raise(range, PyExceptionClass::NameError, msg);
    }

    /// An error naming a construct the interpreter does not evaluate.
    fn refuse(&self, node: &impl Ranged, what: impl std::fmt::Display) {
        self.diag(node, Severity::Error, format!("{what}: not evaluated by the playground (refused rather than skipped)"));
    }

    fn text(&self, node: &impl Ranged) -> String {
        self.p.text(node).to_string()
    }

    // ----- symbols -------------------------------------------------------

    fn lib_of(module: &str) -> Lib {
        if module.starts_with("sqlalchemy.dialects.sqlite") {
            return Lib::SaSqlite;
        }
        let root = module.split('.').next().unwrap_or("");
        match root {
            "sqlalchemy" | "sqlmodel" => Lib::Sa,
            "typing" | "typing_extensions" => Lib::Typing,
            "datetime" => Lib::Datetime,
            "decimal" => Lib::Decimal,
            "uuid" => Lib::Uuid,
            "enum" => Lib::Enum,
            "os" if !module.contains('.') => Lib::Os,
            "sys" => Lib::Sys,
            _ => Lib::Other,
        }
    }

    fn resolve(&self, e: &'a Expr) -> Sym<'a> {
        match e {
            Expr::Name(n) => match self.env.get(n.id.as_str()) {
                Some(s) => s.clone(),
                None => {
                    let id = n.id.as_str();
                    if matches!(
                        id,
                        "int" | "str" | "bool" | "float" | "bytes" | "list" | "dict" | "tuple" | "set" | "object"
                    ) {
                        Sym::Ext(Lib::Builtin, id.to_string())
                    } else {
                        Sym::Unknown
                    }
                }
            },
            Expr::Attribute(a) => {
                let attr = a.attr.as_str();
                match self.resolve(&a.value) {
                    Sym::Module(lib) => {
                        let submodules = [
                            "orm",
                            "types",
                            "schema",
                            "sql",
                            "dialects",
                            "sqlite",
                            "ext",
                            "declarative",
                            "sqltypes",
                            "expression",
                            "postgresql",
                            "mysql",
                            "functions",
                            "elements",
                        ];
                        if lib == Lib::Sa && attr == "sqlite" {
                            Sym::Module(Lib::SaSqlite)
                        } else if lib == Lib::Sa && submodules.contains(&attr) {
                            Sym::Module(lib)
                        } else {
                            Sym::Ext(lib, attr.to_string())
                        }
                    }
                    Sym::Ext(lib, name) => Sym::Ext(lib, format!("{name}.{attr}")),
                    Sym::Class(id) if attr == "metadata" => {
                        self.class_md_existing(id).map(Sym::MetaData).unwrap_or(Sym::Unknown)
                    }
                    Sym::Class(id) if attr == "__table__" => match self.classes.get(id).and_then(|c| c.table.clone()) {
                        Some((md, t)) => Sym::Table(md, t),
                        None => Sym::Unknown,
                    },
                    _ => Sym::Unknown,
                }
            }
            _ => Sym::Unknown,
        }
    }

    /// `Ext(Sa, name)` for SQLAlchemy / SQLModel symbols, the name only.
    fn sa_name(&self, e: &'a Expr) -> Option<String> {
        self.sa_name_at(e, 0)
    }

    fn sa_name_at(&self, e: &'a Expr, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        match self.resolve(e) {
            Sym::Ext(Lib::Sa, n) => Some(n),
            Sym::Ext(Lib::SaSqlite, n) => Some(format!("sqlite.{n}")),
            Sym::Value(v) if !std::ptr::eq(v, e) => match v {
                Expr::Name(_) | Expr::Attribute(_) => self.sa_name_at(v, depth + 1),
                _ => None,
            },
            _ => None,
        }
    }

    fn call_name(&self, call: &'a ast::ExprCall) -> Option<String> {
        self.sa_name(&call.func)
    }

    fn class_md(&mut self, id: usize) -> Option<usize> {
        let mro = self.classes.get(id)?.mro.clone();
        for c in mro {
            if let Some(md) = self.classes.get(c).and_then(|c| c.metadata) {
                return Some(md);
            }
        }
        if self.is_sqlmodel(id) {
            return Some(self.sqlmodel_md());
        }
        None
    }

    fn class_md_existing(&self, id: usize) -> Option<usize> {
        let c = self.classes.get(id)?;
        for &m in &c.mro {
            if let Some(md) = self.classes.get(m).and_then(|c| c.metadata) {
                return Some(md);
            }
        }
        if self.is_sqlmodel(id) {
            return self.sqlmodel_md;
        }
        None
    }

    fn new_md(&mut self) -> usize {
        self.mds.push(MdInfo {
            md: MetaData { naming_convention: default_convention(), ..Default::default() },
            ..Default::default()
        });
        self.mds.len() - 1
    }

    fn sqlmodel_md(&mut self) -> usize {
        match self.sqlmodel_md {
            Some(i) => i,
            None => {
                let i = self.new_md();
                self.sqlmodel_md = Some(i);
                i
            }
        }
    }

    fn target_md(&mut self) -> Option<usize> {
        if let Some(Sym::Class(id)) = self.env.get("Base").cloned() {
            if let Some(md) = self.class_md(id) {
                return Some(md);
            }
        }
        if let Some(Sym::MetaData(md)) = self.env.get("Base").cloned() {
            return Some(md);
        }
        if self.uses_sqlmodel {
            return Some(self.sqlmodel_md());
        }
        if let Some(c) = self.classes.iter().find(|c| c.kind == Kind::DeclRoot) {
            return c.metadata;
        }
        if self.mds.is_empty() {
            None
        } else {
            Some(0)
        }
    }

    // ----- statements ------------------------------------------------------

    fn stmts(&mut self, body: &'a [Stmt]) {
        for st in body {
            self.stmt(st);
        }
    }

    /// One module-level statement, evaluated or refused (never skipped).
    fn stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                if let Err((range, module)) = self.import(stmt, true) {
                    self.raise(range, PyExceptionClass::ModuleNotFoundError, format!("No module named '{module}'"));
                    // the import stops there: its names stay unknown, not undefined
                    self.bind_opaque(std::slice::from_ref(stmt));
                }
            }
            Stmt::ClassDef(cd) => {
                let mut decor = ClassDecor::default();
                for d in &cd.decorator_list {
                    self.check_names(&d.expression, &BTreeSet::new());
                    self.class_decorator(&d.expression, &mut decor);
                }
                if let Some(args) = &cd.arguments {
                    for a in args.args.iter() {
                        self.check_names(a, &BTreeSet::new());
                    }
                    for k in args.keywords.iter() {
                        self.check_names(&k.value, &BTreeSet::new());
                    }
                }
                self.class_def(cd, decor);
            }
            Stmt::FunctionDef(f) => {
                // Defaults and decorators run at `def` time; the body only
                // when called (a helper then is expanded at its call).
                for p in f.parameters.posonlyargs.iter().chain(&f.parameters.args).chain(&f.parameters.kwonlyargs) {
                    if let Some(d) = &p.default {
                        self.check_names(d, &BTreeSet::new());
                    }
                }
                for d in &f.decorator_list {
                    self.check_names(&d.expression, &BTreeSet::new());
                    if !self.harmless_decorator(&d.expression) {
                        self.refuse(d, format!("the function decorator `@{}`", self.text(&d.expression)));
                    }
                }
                self.bind(f.name.to_string(), Sym::Func(f));
            }
            Stmt::Assign(a) => {
                self.check_names(&a.value, &BTreeSet::new());
                if let [t @ (Expr::Name(_) | Expr::Subscript(_) | Expr::Attribute(_))] = a.targets.as_slice() {
                    self.assign(t, &a.value);
                } else if a.targets.iter().all(|t| matches!(t, Expr::Name(_))) {
                    // `a = b = declarative_base()`: one object, several names
                    let sym = match a.targets.first() {
                        Some(Expr::Name(n)) => self.assigned_value(n.id.as_str(), &a.value),
                        _ => Sym::Opaque,
                    };
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            self.bind(n.id.to_string(), sym.clone());
                        }
                    }
                } else if let ([Expr::Tuple(_) | Expr::List(_)], Some(values)) =
                    (a.targets.as_slice(), elts(&a.value))
                {
                    let targets = a.targets.first().and_then(elts).unwrap_or(&[]);
                    if targets.len() == values.len() && targets.iter().all(|t| matches!(t, Expr::Name(_))) {
                        for (t, v) in targets.iter().zip(values) {
                            self.assign(t, v);
                        }
                    } else {
                        self.refuse(stmt, "this unpacking assignment");
                        self.bind_opaque(std::slice::from_ref(stmt));
                    }
                } else {
                    self.refuse(stmt, "this assignment target");
                    self.bind_opaque(std::slice::from_ref(stmt));
                }
            }
            Stmt::AnnAssign(a) => {
                if !self.lazy_annotations {
                    self.check_names(&a.annotation, &BTreeSet::new());
                }
                if let Some(v) = &a.value {
                    self.check_names(v, &BTreeSet::new());
                    self.assign(&a.target, v);
                }
            }
            Stmt::AugAssign(a) => {
                self.check_names(&a.value, &BTreeSet::new());
                match a.target.as_ref() {
                    Expr::Name(n) => {
                        self.bind(n.id.to_string(), Sym::Opaque);
                    }
                    other => self.refuse(other, format!("the augmented assignment to `{}`", self.text(other))),
                }
            }
            Stmt::Delete(d) => {
                for t in &d.targets {
                    match t {
                        Expr::Name(n) => {
                            self.global_order.retain(|g| g != n.id.as_str());
                            if self.env.remove(n.id.as_str()).is_none() {
                                self.raise(n.range, PyExceptionClass::NameError, format!("name '{}' is not defined", n.id));
                            }
                        }
                        other => self.refuse(other, format!("`del {}`", self.text(other))),
                    }
                }
            }
            Stmt::Expr(e) => self.expr_stmt(e),
            Stmt::If(s) => self.if_stmt(s),
            Stmt::Try(t) => self.try_stmt(t),
            Stmt::Pass(_) => {}
            Stmt::Assert(a) => {
                self.check_names(&a.test, &BTreeSet::new());
                match self.const_eval(&a.test, 0).map(|c| c.truthy()) {
                    Some(true) => {}
                    Some(false) => {
                        let msg = a.msg.as_deref().and_then(str_lit).unwrap_or("").to_string();
                        self.raise(a.range, PyExceptionClass::AssertionError, msg);
                    }
                    None => self.refuse(a.test.as_ref(), format!("the assertion `{}`", self.text(a.test.as_ref()))),
                }
            }
            Stmt::For(_) => self.refuse_block(stmt, "a module-level `for` loop"),
            Stmt::While(_) => self.refuse_block(stmt, "a module-level `while` loop"),
            Stmt::With(_) => self.refuse_block(stmt, "a module-level `with` block"),
            Stmt::Match(_) => self.refuse_block(stmt, "a module-level `match` statement"),
            Stmt::Raise(_) => self.refuse(stmt, "a module-level `raise`"),
            Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => {
                self.refuse(stmt, format!("`{}` outside a function or loop", self.text(stmt)))
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => self.refuse(stmt, "a module-level `global`/`nonlocal`"),
            Stmt::TypeAlias(t) => {
                // `type X = ...` binds a lazily evaluated alias.
                if let Expr::Name(n) = t.name.as_ref() {
                    self.bind(n.id.to_string(), Sym::Opaque);
                }
            }
            Stmt::IpyEscapeCommand(_) => self.refuse(stmt, "an IPython escape command"),
        }
    }

    /// Refuses a compound statement; the names it would bind become opaque
    /// (so later uses are "not evaluated", not a false `NameError`).
    fn refuse_block(&mut self, stmt: &'a Stmt, what: &str) {
        self.refuse(stmt, what);
        self.bind_opaque(std::slice::from_ref(stmt));
    }

    fn bind_opaque(&mut self, body: &'a [Stmt]) {
        fn names<'x>(e: &'x Expr, out: &mut Vec<&'x str>) {
            match e {
                Expr::Name(n) => out.push(n.id.as_str()),
                Expr::Tuple(t) => t.elts.iter().for_each(|x| names(x, out)),
                Expr::List(l) => l.elts.iter().for_each(|x| names(x, out)),
                Expr::Starred(s) => names(&s.value, out),
                _ => {}
            }
        }
        for st in body {
            let mut bound: Vec<&str> = Vec::new();
            match st {
                Stmt::Assign(a) => a.targets.iter().for_each(|t| names(t, &mut bound)),
                Stmt::AnnAssign(a) => names(&a.target, &mut bound),
                Stmt::AugAssign(a) => names(&a.target, &mut bound),
                Stmt::ClassDef(c) => bound.push(c.name.as_str()),
                Stmt::FunctionDef(f) => bound.push(f.name.as_str()),
                Stmt::Import(i) => {
                    for a in &i.names {
                        bound.push(match &a.asname {
                            Some(x) => x.as_str(),
                            None => a.name.as_str().split('.').next().unwrap_or(""),
                        });
                    }
                }
                Stmt::ImportFrom(i) => {
                    for a in &i.names {
                        bound.push(a.asname.as_ref().map(|x| x.as_str()).unwrap_or(a.name.as_str()));
                    }
                }
                Stmt::For(f) => {
                    names(&f.target, &mut bound);
                    self.bind_opaque(&f.body);
                    self.bind_opaque(&f.orelse);
                }
                Stmt::While(w) => {
                    self.bind_opaque(&w.body);
                    self.bind_opaque(&w.orelse);
                }
                Stmt::If(i) => {
                    self.bind_opaque(&i.body);
                    for c in &i.elif_else_clauses {
                        self.bind_opaque(&c.body);
                    }
                }
                Stmt::With(w) => {
                    for item in &w.items {
                        if let Some(v) = &item.optional_vars {
                            names(v, &mut bound);
                        }
                    }
                    self.bind_opaque(&w.body);
                }
                Stmt::Try(t) => {
                    self.bind_opaque(&t.body);
                    for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                        self.bind_opaque(&h.body);
                    }
                    self.bind_opaque(&t.orelse);
                    self.bind_opaque(&t.finalbody);
                }
                Stmt::Match(m) => {
                    for c in &m.cases {
                        self.bind_opaque(&c.body);
                    }
                }
                _ => {}
            }
            for n in bound {
                if !n.is_empty() && n != "*" {
                    self.bind(n.to_string(), Sym::Opaque);
                }
            }
        }
    }

    /// `import x.y [as z]` / `from m import a [as b]`. With `check`, a
    /// module the reference environment does not have is `Err((where,
    /// dotted name))` (Python's `ModuleNotFoundError`), and nothing is bound.
    fn import(&mut self, stmt: &'a Stmt, check: bool) -> Result<(), (TextRange, String)> {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let full = alias.name.as_str();
                    if check {
                        if let Some(missing) = missing_module(full) {
                            return Err((alias.range, missing));
                        }
                    }
                    let lib = Self::lib_of(full);
                    if full.starts_with("sqlmodel") {
                        self.uses_sqlmodel = true;
                    }
                    match &alias.asname {
                        Some(as_) => {
                            self.bind(as_.to_string(), Sym::Module(lib));
                        }
                        None => {
                            let root = full.split('.').next().unwrap_or(full);
                            self.bind(root.to_string(), Sym::Module(Self::lib_of(root)));
                        }
                    }
                }
                Ok(())
            }
            Stmt::ImportFrom(imp) => {
                let module = imp.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                if check && imp.level > 0 {
                    // models.py is imported as the top-level module `models`
                    self.diag(
                        stmt,
                        Severity::Error,
                        "ImportError: attempted relative import with no known parent package",
                    );
                    return Ok(());
                }
                if check {
                    if let Some(missing) = missing_module(module) {
                        return Err((imp.module.as_ref().map(|m| m.range).unwrap_or(imp.range), missing));
                    }
                }
                if module == "__future__" && imp.names.iter().any(|a| a.name.as_str() == "annotations") {
                    self.lazy_annotations = true;
                }
                if module.starts_with("sqlmodel") {
                    self.uses_sqlmodel = true;
                }
                let lib = if imp.level > 0 { Lib::Other } else { Self::lib_of(module) };
                for alias in &imp.names {
                    let name = alias.name.as_str();
                    if name == "*" {
                        self.refuse(alias, format!("`from {module} import *`"));
                        continue;
                    }
                    let bound = alias.asname.as_ref().map(|a| a.as_str()).unwrap_or(name).to_string();
                    let sym = match (lib, name) {
                        (Lib::Sa, "sqlite") => Sym::Module(Lib::SaSqlite),
                        (Lib::Sa, "orm" | "types" | "schema" | "sql" | "dialects" | "sqltypes" | "ext") => {
                            Sym::Module(Lib::Sa)
                        }
                        _ => Sym::Ext(lib, name.to_string()),
                    };
                    self.bind(bound, sym);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A module-level expression statement.
    fn expr_stmt(&mut self, e: &'a ast::StmtExpr) {
        let value = e.value.as_ref();
        match value {
            // docstrings, `...`
            Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => {}
            Expr::Call(call) => {
                self.check_names(value, &BTreeSet::new());
                match self.call_name(call).as_deref() {
                    Some("Table") => {
                        let call = self.prepare_call(call, &BTreeSet::new());
                        self.table_call(call);
                    }
                    Some("Index") => {
                        let call = self.prepare_call(call, &BTreeSet::new());
                        self.module_index(call);
                    }
                    Some("orm.configure_mappers" | "configure_mappers") => {}
                    Some("event.listen") if self.harmless_event(call.arguments.args.get(1)) => {}
                    _ if self.harmless_call(&call.func) => {}
                    _ => self.refuse(call, format!("the module-level call `{}(...)`", self.text(call.func.as_ref()))),
                }
            }
            Expr::Name(_) | Expr::Attribute(_) => self.check_names(value, &BTreeSet::new()),
            other => self.refuse(other, "this module-level expression"),
        }
    }

    /// `print(...)`, `logging...(...)`, `warnings.warn(...)`, `logger.x(...)`:
    /// output only.
    fn harmless_call(&self, func: &'a Expr) -> bool {
        if let Expr::Name(n) = func {
            return n.id.as_str() == "print" && !self.env.contains_key("print");
        }
        let mut root = func;
        while let Expr::Attribute(a) = root {
            root = &a.value;
        }
        let Expr::Name(n) = root else { return false };
        match self.env.get(n.id.as_str()) {
            Some(Sym::Module(Lib::Other)) => matches!(n.id.as_str(), "logging" | "warnings"),
            Some(Sym::Value(Expr::Call(c))) => {
                let t = self.text(c.func.as_ref());
                t == "logging.getLogger" || t == "getLogger"
            }
            _ => false,
        }
    }

    /// Event hooks that cannot change the MetaData: DDL, ORM persistence,
    /// attribute and connection events.
    fn harmless_event(&self, name: Option<&'a Expr>) -> bool {
        matches!(
            name.and_then(str_lit),
            Some(
                "before_create"
                    | "after_create"
                    | "before_drop"
                    | "after_drop"
                    | "before_insert"
                    | "after_insert"
                    | "before_update"
                    | "after_update"
                    | "before_delete"
                    | "after_delete"
                    | "before_flush"
                    | "after_flush"
                    | "after_flush_postexec"
                    | "before_commit"
                    | "after_commit"
                    | "after_rollback"
                    | "load"
                    | "refresh"
                    | "init"
                    | "set"
                    | "append"
                    | "remove"
                    | "connect"
                    | "first_connect"
                    | "checkout"
                    | "checkin"
            )
        )
    }

    /// Function decorators that do not reach the MetaData.
    fn harmless_decorator(&self, d: &'a Expr) -> bool {
        if let Expr::Call(c) = d {
            if matches!(self.call_name(c).as_deref(), Some("event.listens_for" | "listens_for")) {
                return self.harmless_event(c.arguments.args.get(1));
            }
            return false;
        }
        let t = self.text(d);
        matches!(
            t.as_str(),
            "staticmethod"
                | "classmethod"
                | "property"
                | "functools.cache"
                | "functools.lru_cache"
                | "cache"
                | "lru_cache"
                | "contextmanager"
                | "contextlib.contextmanager"
        )
    }

    /// `if` / `elif` / `else` at module level: the branch Python takes when
    /// every condition up to it is a constant (or `os.environ` read, which
    /// is empty); otherwise refused.
    fn if_stmt(&mut self, s: &'a ast::StmtIf) {
        let mut branches: Vec<(Option<&'a Expr>, &'a [Stmt])> = vec![(Some(s.test.as_ref()), &s.body[..])];
        for c in &s.elif_else_clauses {
            branches.push((c.test.as_ref(), &c.body[..]));
        }
        let mut rest = branches.iter();
        for (test, body) in rest.by_ref() {
            let Some(test) = test else {
                self.stmts(body);
                return;
            };
            if self.is_type_checking(test) {
                // False at run time; its imports only name annotation types,
                // which SQLAlchemy may resolve lazily.
                for st in body.iter() {
                    if matches!(st, Stmt::Import(_) | Stmt::ImportFrom(_)) {
                        let _ = self.import(st, false);
                    }
                }
                continue;
            }
            self.check_names(test, &BTreeSet::new());
            match self.const_eval(test, 0).map(|c| c.truthy()) {
                Some(true) => {
                    self.stmts(body);
                    return;
                }
                Some(false) => {}
                None => {
                    self.refuse(test, format!("the module-level `if` condition `{}`", self.text(test)));
                    self.bind_opaque(body);
                    for (_, b) in rest {
                        self.bind_opaque(b);
                    }
                    return;
                }
            }
        }
    }

    fn is_type_checking(&self, e: &'a Expr) -> bool {
        matches!(self.resolve(e), Sym::Ext(Lib::Typing, ref n) if n == "TYPE_CHECKING")
    }

    /// `try: import x` / `except ImportError: fallback`: the imports run
    /// while the modules exist; the first missing one goes to the handler
    /// that catches `ImportError`. Any other `try` body is refused.
    fn try_stmt(&mut self, t: &'a ast::StmtTry) {
        let only_imports =
            t.body.iter().all(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Pass(_)));
        if !only_imports || t.is_star {
            self.refuse(t, "a module-level `try` whose body is not only imports");
            self.bind_opaque(&t.body);
            for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                self.bind_opaque(&h.body);
            }
            self.bind_opaque(&t.orelse);
            self.bind_opaque(&t.finalbody);
            return;
        }
        let mut failed = None;
        for st in &t.body {
            if let Err(e) = self.import(st, true) {
                failed = Some(e);
                break;
            }
        }
        match failed {
            None => self.stmts(&t.orelse),
            Some((range, module)) => {
                let handler = t.handlers.iter().find_map(|ast::ExceptHandler::ExceptHandler(h)| {
                    let catches = match h.type_.as_deref() {
                        None => true,
                        Some(ty) => {
                            let names: Vec<&'a Expr> = match elts(ty) {
                                Some(es) => es.iter().collect(),
                                None => vec![ty],
                            };
                            names.iter().any(|n| {
                                matches!(n, Expr::Name(x) if !self.env.contains_key(x.id.as_str())
                                    && matches!(x.id.as_str(), "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException"))
                            })
                        }
                    };
                    catches.then_some(h)
                });
                match handler {
                    Some(h) => {
                        if let Some(n) = &h.name {
                            self.bind(n.to_string(), Sym::Opaque);
                        }
                        self.stmts(&h.body);
                    }
                    None => {
                        self.raise(range, PyExceptionClass::ModuleNotFoundError, format!("No module named '{module}'"))
                    }
                }
            }
        }
        self.stmts(&t.finalbody);
    }

    // ----- constants, names, helpers -------------------------------------

    /// What Python's `bool()` / comparisons give for a condition made of
    /// literals, constant names, `os.environ` reads (empty), `TYPE_CHECKING`
    /// (false) and `sys.version_info`; `None` when it depends on anything else.
    fn const_eval(&self, e: &'a Expr, depth: usize) -> Option<Const> {
        if depth > 32 {
            return None;
        }
        match e {
            Expr::NoneLiteral(_) => Some(Const::None),
            Expr::BooleanLiteral(b) => Some(Const::Bool(b.value)),
            Expr::StringLiteral(s) => Some(Const::Str(s.value.to_str().to_string())),
            Expr::NumberLiteral(_) => int_lit(e).map(Const::Int),
            Expr::UnaryOp(u) => match u.op {
                ast::UnaryOp::Not => self.const_eval(&u.operand, depth + 1).map(|c| Const::Bool(!c.truthy())),
                ast::UnaryOp::USub => int_lit(e).map(Const::Int),
                _ => None,
            },
            Expr::Tuple(t) => {
                t.elts.iter().map(|x| self.const_eval(x, depth + 1)).collect::<Option<Vec<_>>>().map(Const::Tuple)
            }
            Expr::BoolOp(b) => {
                let and = matches!(b.op, ast::BoolOp::And);
                let mut last = None;
                for v in &b.values {
                    let c = self.const_eval(v, depth + 1)?;
                    let t = c.truthy();
                    last = Some(c);
                    if t != and {
                        break;
                    }
                }
                last
            }
            Expr::Compare(c) => {
                let mut left = self.const_eval(&c.left, depth + 1);
                for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
                    let ok = match op {
                        ast::CmpOp::In | ast::CmpOp::NotIn => {
                            let found = if self.is_os_environ(right) {
                                // os.environ reads as empty
                                left.as_ref()?;
                                false
                            } else {
                                match (left.as_ref()?, self.const_eval(right, depth + 1)?) {
                                    (l, Const::Tuple(items)) => items.contains(l),
                                    (Const::Str(l), Const::Str(r)) => r.contains(l.as_str()),
                                    _ => return None,
                                }
                            };
                            found == matches!(op, ast::CmpOp::In)
                        }
                        _ => {
                            let r = self.const_eval(right, depth + 1)?;
                            let l = left.as_ref()?;
                            match op {
                                ast::CmpOp::Eq => *l == r,
                                ast::CmpOp::NotEq => *l != r,
                                ast::CmpOp::Is | ast::CmpOp::IsNot => {
                                    // identity is only known for singletons
                                    let same = match (l, &r) {
                                        (Const::None, Const::None) => true,
                                        (Const::Bool(a), Const::Bool(b)) => a == b,
                                        (Const::None | Const::Bool(_), _) | (_, Const::None | Const::Bool(_)) => false,
                                        _ => return None,
                                    };
                                    same == matches!(op, ast::CmpOp::Is)
                                }
                                ast::CmpOp::Lt => l.cmp_py(&r)? == std::cmp::Ordering::Less,
                                ast::CmpOp::LtE => l.cmp_py(&r)? != std::cmp::Ordering::Greater,
                                ast::CmpOp::Gt => l.cmp_py(&r)? == std::cmp::Ordering::Greater,
                                ast::CmpOp::GtE => l.cmp_py(&r)? != std::cmp::Ordering::Less,
                                ast::CmpOp::In | ast::CmpOp::NotIn => return None,
                            }
                        }
                    };
                    if !ok {
                        return Some(Const::Bool(false));
                    }
                    left = self.const_eval(right, depth + 1);
                }
                Some(Const::Bool(true))
            }
            Expr::Call(call) => {
                // os.environ.get(k[, d]) / os.getenv(k[, d]): the default
                let is_get = match call.func.as_ref() {
                    Expr::Attribute(a) => a.attr.as_str() == "get" && self.is_os_environ(&a.value),
                    f => matches!(self.resolve(f), Sym::Ext(Lib::Os, ref n) if n == "getenv"),
                };
                if !is_get || !call.arguments.keywords.is_empty() {
                    return None;
                }
                match call.arguments.args.as_ref() {
                    [k] => {
                        self.const_eval(k, depth + 1)?;
                        Some(Const::None)
                    }
                    [k, d] => {
                        self.const_eval(k, depth + 1)?;
                        self.const_eval(d, depth + 1)
                    }
                    _ => None,
                }
            }
            Expr::Name(_) | Expr::Attribute(_) => match self.resolve(e) {
                Sym::Ext(Lib::Typing, n) if n == "TYPE_CHECKING" => Some(Const::Bool(false)),
                Sym::Ext(Lib::Sys, n) if n == "version_info" => {
                    Some(Const::Tuple(PYTHON_VERSION.iter().map(|v| Const::Int(*v)).collect()))
                }
                Sym::Value(v) if !std::ptr::eq(v, e) => self.const_eval(v, depth + 1),
                _ => None,
            },
            _ => None,
        }
    }

    /// `X.a.b` where `X` is a class, table or metadata of this file.
    fn rooted_in_model(&self, e: &'a Expr) -> bool {
        let mut root = e;
        while let Expr::Attribute(a) = root {
            root = &a.value;
        }
        !std::ptr::eq(root, e) && matches!(self.resolve(root), Sym::Class(_) | Sym::MetaData(_) | Sym::Table(..))
    }

    fn is_os_environ(&self, e: &'a Expr) -> bool {
        matches!(self.resolve(e), Sym::Ext(Lib::Os, ref n) if n == "environ")
    }

    /// `NameError` for every name `e` reads (when evaluated now) that is
    /// bound nowhere: not in `locals` (the class body so far), the module or
    /// builtins. Lambda bodies and comprehensions run later: not read.
    fn check_names(&self, e: &'a Expr, locals: &BTreeSet<String>) {
        use ruff_python_ast::visitor::{walk_expr, Visitor};
        struct V<'i, 'a> {
            it: &'i Interp<'a>,
            locals: &'i BTreeSet<String>,
            varnames: Vec<String>,
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_expr(&mut self, e: &'a Expr) {
                match e {
                    Expr::Name(n) if n.ctx.is_load() => {
                        let id = n.id.as_str();
                        if !self.locals.contains(id) && !self.it.env.contains_key(id) && !is_builtin(id) {
                            self.it.name_error(n.range, id, &self.varnames);
                        }
                    }
                    Expr::Lambda(_) | Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {}
                    // string annotations are not evaluated here
                    other => walk_expr(self, other),
                }
            }
        }
        V { it: self, locals, varnames: self.frame_vars.borrow().clone() }.visit_expr(e);
    }

    /// A constant the module bound to a literal (`LEN = 50`), to read
    /// through where a literal is expected.
    fn literal_binding(&self, name: &str) -> Option<&'a Expr> {
        match self.env.get(name) {
            Some(Sym::Value(v)) if is_literal(v) => Some(*v),
            _ => None,
        }
    }

    /// `e` with module constants bound to literals (not shadowed by a class
    /// body's own names) replaced by their values, so that `String(LEN)`
    /// reads as `String(50)`. `e` itself when there is nothing to replace.
    fn prepare(&self, e: &'a Expr, shadow: &BTreeSet<String>) -> &'a Expr {
        let mut map: BTreeMap<String, Expr> = BTreeMap::new();
        for n in load_names(e) {
            if !shadow.contains(n) {
                if let Some(v) = self.literal_binding(n) {
                    map.insert(n.to_string(), v.clone());
                }
            }
        }
        if map.is_empty() {
            return e;
        }
        self.substituted(e, &map)
    }

    fn substituted(&self, e: &'a Expr, map: &BTreeMap<String, Expr>) -> &'a Expr {
        use ruff_python_ast::visitor::transformer::{walk_expr, Transformer};
        struct T<'m>(&'m BTreeMap<String, Expr>);
        impl Transformer for T<'_> {
            fn visit_expr(&self, e: &mut Expr) {
                if let Expr::Name(n) = e {
                    if n.ctx.is_load() {
                        if let Some(v) = self.0.get(n.id.as_str()) {
                            *e = v.clone();
                        }
                    }
                    return;
                }
                if matches!(
                    e,
                    Expr::Lambda(_) | Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_)
                ) {
                    return;
                }
                walk_expr(self, e);
            }
        }
        let mut out = e.clone();
        T(map).visit_expr(&mut out);
        self.arena.alloc(out)
    }

    fn prepare_call(&self, call: &'a ast::ExprCall, shadow: &BTreeSet<String>) -> &'a ast::ExprCall {
        if load_names_call(call).iter().all(|n| shadow.contains(*n) || self.literal_binding(n).is_none()) {
            return call;
        }
        let whole: &'a Expr = self.arena.alloc(Expr::Call(call.clone()));
        match self.prepare(whole, shadow) {
            Expr::Call(c) => c,
            _ => call,
        }
    }

    /// A call of a module-level helper `def f(a, b=1): return <expr>`:
    /// `<expr>` with the arguments (and the defaults) substituted, evaluated
    /// in the module scope as Python would at the call. `Ok(None)` when the
    /// callee is not a helper of this file; `Err` when it cannot be done
    /// exactly (the message names why; empty when already reported).
    fn expand_helper(&self, call: &'a ast::ExprCall) -> Result<Option<&'a Expr>, String> {
        let Sym::Func(f) = self.resolve(&call.func) else {
            return Ok(None);
        };
        let name = f.name.as_str();
        let mut body: &[Stmt] = &f.body;
        if let [Stmt::Expr(d), rest @ ..] = body {
            if matches!(d.value.as_ref(), Expr::StringLiteral(_)) {
                body = rest;
            }
        }
        let ret = match body {
            [Stmt::Return(r)] => r.value.as_deref(),
            _ => None,
        };
        let Some(ret) = ret else {
            return Err(format!("the helper `{name}()` is not a single `return <expression>`"));
        };
        if !f.decorator_list.is_empty() || f.is_async {
            return Err(format!("the decorated or async helper `{name}()`"));
        }
        let ps = &f.parameters;
        if ps.vararg.is_some() || ps.kwarg.is_some() {
            return Err(format!("the helper `{name}()` with *args/**kwargs"));
        }
        let positional: Vec<&ast::ParameterWithDefault> = ps.posonlyargs.iter().chain(ps.args.iter()).collect();
        let mut bound: BTreeMap<String, Expr> = BTreeMap::new();
        for (i, a) in call.arguments.args.iter().enumerate() {
            if matches!(a, Expr::Starred(_)) {
                return Err(format!("a *argument in the call of `{name}()`"));
            }
            let Some(p) = positional.get(i) else {
                return Err(format!("TypeError: {name}() takes {} positional arguments", positional.len()));
            };
            bound.insert(p.parameter.name.to_string(), a.clone());
        }
        for k in call.arguments.keywords.iter() {
            let Some(arg) = &k.arg else {
                return Err(format!("a **argument in the call of `{name}()`"));
            };
            let known = ps.args.iter().chain(ps.kwonlyargs.iter()).any(|p| p.parameter.name.as_str() == arg.as_str());
            if !known || bound.contains_key(arg.as_str()) {
                return Err(format!("TypeError: {name}() got an unexpected or repeated keyword argument '{arg}'"));
            }
            bound.insert(arg.to_string(), k.value.clone());
        }
        for p in positional.iter().copied().chain(ps.kwonlyargs.iter()) {
            let pn = p.parameter.name.as_str();
            if !bound.contains_key(pn) {
                match &p.default {
                    Some(d) => {
                        bound.insert(pn.to_string(), d.as_ref().clone());
                    }
                    None => {
                        let missing: Vec<String> = positional
                            .iter()
                            .copied()
                            .chain(ps.kwonlyargs.iter())
                            .filter(|p| p.default.is_none() && !bound.contains_key(p.parameter.name.as_str()))
                            .map(|p| format!("'{}'", p.parameter.name))
                            .collect();
                        let kind = if ps.kwonlyargs.iter().any(|p| p.parameter.name.as_str() == pn) {
                            "keyword-only"
                        } else {
                            "positional"
                        };
                        let list = match missing.as_slice() {
                            [one] => one.clone(),
                            [init @ .., last] => format!("{} and {last}", init.join(", ")),
                            [] => String::new(),
                        };
                        let s = if missing.len() == 1 { "" } else { "s" };
                        self.raise(
                            call.range(),
                            PyExceptionClass::TypeError,
                            format!("{name}() missing {} required {kind} argument{s}: {list}", missing.len()),
                        );
                        return Err(String::new());
                    }
                }
            }
        }
        let mut reported = false;
        for n in load_names(ret) {
            if bound.contains_key(n) {
                continue;
            }
            if let Some(v) = self.literal_binding(n) {
                bound.insert(n.to_string(), v.clone());
            }
        }
        if contains_scope(ret) {
            return Err(format!("the helper `{name}()` returns a lambda or comprehension"));
        }
        // names the body reads from the module: NameError at the call's time
        {
            let params: BTreeSet<String> = bound.keys().cloned().collect();
            let before = self.exceptions.borrow().len();
            let varnames: Vec<String> = positional
                .iter()
                .copied()
                .chain(ps.kwonlyargs.iter())
                .map(|p| p.parameter.name.to_string())
                .collect();
            let outer = self.frame_vars.replace(varnames);
            self.check_names(ret, &params);
            self.frame_vars.replace(outer);
            reported |= self.exceptions.borrow().len() > before;
        }
        if reported {
            return Err(String::new());
        }
        Ok(Some(self.substituted(ret, &bound)))
    }

    /// `e` with helper calls expanded (repeatedly: a helper may return a
    /// helper's call). A helper that cannot be expanded is reported here
    /// and `e` comes back unchanged, which the caller then refuses.
    fn deref(&self, e: &'a Expr) -> &'a Expr {
        let mut cur = e;
        for _ in 0..16 {
            let Expr::Call(call) = cur else { return cur };
            match self.expand_helper(call) {
                Ok(Some(next)) => cur = next,
                Ok(None) => return cur,
                Err(msg) => {
                    if !msg.is_empty() {
                        self.refuse(call, msg);
                    }
                    return cur;
                }
            }
        }
        cur
    }

    /// `Base.metadata`-free check: a mapped class must have a primary key
    /// (SQLAlchemy's mapper raises `ArgumentError` at class creation),
    /// unless `__mapper_args__` names one. Not raised when the class body
    /// already had errors (Python would have stopped at those first).
    fn check_mapper_pk(&self, cd: &'a ast::StmtClassDef, md: usize, table: &str) {
        let has_pk = self
            .mds
            .get(md)
            .and_then(|i| i.md.tables.get(table))
            .map(|t| t.primary_key.as_ref().map(|p| !p.columns.is_empty()).unwrap_or(false))
            .unwrap_or(true);
        if has_pk || self.errors_within(cd.range) {
            return;
        }
        let mapper_args = cd.body.iter().rev().find_map(|st| match st {
            Stmt::Assign(a)
                if a.targets.iter().any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__mapper_args__")) =>
            {
                Some(a.value.as_ref())
            }
            _ => None,
        });
        match mapper_args {
            // `__mapper_args__ = {"primary_key": [...]}` supplies one
            Some(Expr::Dict(d)) if d.items.iter().any(|i| i.key.as_ref().and_then(str_lit) == Some("primary_key")) => {
                return
            }
            Some(Expr::Dict(d)) if d.items.iter().all(|i| i.key.as_ref().and_then(str_lit).is_some()) => {}
            Some(other) => {
                self.refuse(other, "this `__mapper_args__` (not a dict literal with string keys)");
                return;
            }
            None => {}
        }
        self.raise(
            cd.name.range,
            PyExceptionClass::ArgumentError,
            format!("Mapper Mapper[{}({table})] could not assemble any primary key columns for mapped table '{table}'", cd.name),
        );
    }

    fn errors_within(&self, range: TextRange) -> bool {
        let (l0, _) = self.p.index.line_col(self.p.source, usize::from(range.start()));
        let (l1, _) = self.p.index.line_col(self.p.source, usize::from(range.end()));
        self.diags.borrow().iter().any(|d| d.severity == Severity::Error && d.line >= l0 && d.line <= l1)
    }

    /// Every statement of a class body is one the declarative scan reads
    /// (assignments to names, annotations, methods with known decorators,
    /// docstrings, `pass`, nested plain classes) or is refused; names read
    /// by values (and, unless `from __future__ import annotations`, by
    /// annotations) must be bound.
    fn class_body_check(&mut self, cd: &'a ast::StmtClassDef) {
        let mut locals: BTreeSet<String> = ["__module__", "__qualname__"].iter().map(|s| s.to_string()).collect();
        for st in &cd.body {
            match st {
                Stmt::Assign(a) => {
                    self.check_names(&a.value, &locals);
                    for t in &a.targets {
                        match t {
                            Expr::Name(n) => {
                                locals.insert(n.id.to_string());
                            }
                            other => self.refuse(other, format!("the class-body assignment to `{}`", self.text(other))),
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let Some(text) = str_lit(&a.annotation) {
                        // SQLAlchemy evaluates a string annotation in the module's
                        // namespace; the playground does not parse it
                        if text.contains("Mapped") {
                            self.refuse(a.annotation.as_ref(), format!("the string annotation `{}` (write it unquoted)", self.text(a.annotation.as_ref())));
                        }
                    }
                    if !self.lazy_annotations {
                        self.check_names(&a.annotation, &locals);
                    }
                    if let Some(v) = &a.value {
                        self.check_names(v, &locals);
                    }
                    match a.target.as_ref() {
                        Expr::Name(n) => {
                            if a.value.is_some() {
                                locals.insert(n.id.to_string());
                            }
                        }
                        other => self.refuse(other, format!("the class-body assignment to `{}`", self.text(other))),
                    }
                }
                Stmt::FunctionDef(f) => {
                    for d in &f.decorator_list {
                        let before = self.exceptions.borrow().len();
                        self.check_names(&d.expression, &locals);
                        let raised = self.exceptions.borrow().len() > before;
                        if !raised && !self.known_method_decorator(&d.expression, &locals) {
                            self.refuse(d, format!("the method decorator `@{}`", self.text(&d.expression)));
                        }
                    }
                    locals.insert(f.name.to_string());
                }
                Stmt::ClassDef(inner) => {
                    if Self::declares_table(inner) {
                        self.refuse(&inner.name, format!("the nested mapped class `{}`", inner.name));
                    }
                    locals.insert(inner.name.to_string());
                }
                Stmt::Expr(e) => match e.value.as_ref() {
                    Expr::StringLiteral(_) | Expr::EllipsisLiteral(_) | Expr::NumberLiteral(_) => {}
                    other => self.refuse(other, "an expression statement in a class body"),
                },
                Stmt::Pass(_) => {}
                Stmt::If(_) => self.refuse(st, "an `if` in a class body"),
                Stmt::For(_) => self.refuse(st, "a `for` loop in a class body"),
                Stmt::While(_) => self.refuse(st, "a `while` loop in a class body"),
                Stmt::Try(_) => self.refuse(st, "a `try` in a class body"),
                Stmt::With(_) => self.refuse(st, "a `with` block in a class body"),
                Stmt::Match(_) => self.refuse(st, "a `match` in a class body"),
                Stmt::Import(_) | Stmt::ImportFrom(_) => self.refuse(st, "an import in a class body"),
                Stmt::Delete(_) => self.refuse(st, "`del` in a class body"),
                Stmt::AugAssign(_) => self.refuse(st, "an augmented assignment in a class body"),
                Stmt::Raise(_) | Stmt::Assert(_) => self.refuse(st, "`raise`/`assert` in a class body"),
                Stmt::Global(_) | Stmt::Nonlocal(_) => self.refuse(st, "`global`/`nonlocal` in a class body"),
                Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => {
                    self.refuse(st, format!("`{}` in a class body", self.text(st)))
                }
                Stmt::TypeAlias(_) | Stmt::IpyEscapeCommand(_) => self.refuse(st, "this statement in a class body"),
            }
        }
    }

    fn known_method_decorator(&self, d: &'a Expr, locals: &BTreeSet<String>) -> bool {
        let head = match d {
            Expr::Call(c) => c.func.as_ref(),
            e => e,
        };
        if let Some(n) = self.sa_name(head) {
            return matches!(
                n.as_str(),
                "declared_attr"
                    | "declared_attr.directive"
                    | "declared_attr.cascading"
                    | "orm.declared_attr"
                    | "declarative.declared_attr"
                    | "hybrid_property"
                    | "hybrid_method"
                    | "ext.hybrid.hybrid_property"
                    | "ext.hybrid.hybrid_method"
                    | "hybrid.hybrid_property"
                    | "hybrid.hybrid_method"
                    | "validates"
                    | "orm.validates"
                    | "reconstructor"
                    | "orm.reconstructor"
            );
        }
        if let Expr::Call(c) = d {
            if matches!(self.call_name(c).as_deref(), Some("event.listens_for" | "listens_for")) {
                return self.harmless_event(c.arguments.args.get(1));
            }
        }
        // `@name.setter`, `@name.expression`, `@name.inplace.setter`: a
        // property or hybrid of this class body
        let mut root = head;
        while let Expr::Attribute(a) = root {
            root = &a.value;
        }
        if !std::ptr::eq(root, head) {
            if let Expr::Name(n) = root {
                if locals.contains(n.id.as_str()) {
                    return true;
                }
            }
        }
        let t = self.text(head);
        matches!(
            t.as_str(),
            "property"
                | "staticmethod"
                | "classmethod"
                | "cached_property"
                | "functools.cached_property"
                | "abstractmethod"
                | "abc.abstractmethod"
                | "override"
                | "typing.override"
                | "field_validator"
                | "model_validator"
                | "validator"
                | "root_validator"
                | "computed_field"
                | "field_serializer"
                | "model_serializer"
        )
    }

    fn assign(&mut self, target: &'a Expr, value: &'a Expr) {
        match target {
            Expr::Name(n) => {
                let name = n.id.to_string();
                let sym = self.assigned_value(&name, value);
                self.bind(name, sym);
            }
            Expr::Subscript(sub) => {
                // `Base.metadata.naming_convention["fk"] = "..."`
                if let (Expr::Attribute(a), Some(key), Some(val)) =
                    (sub.value.as_ref(), str_lit(&sub.slice), str_lit(value))
                {
                    if a.attr.as_str() == "naming_convention" {
                        let md = match self.resolve(&a.value) {
                            Sym::MetaData(md) => Some(md),
                            Sym::Ext(Lib::Sa, n) if n == "SQLModel.metadata" => Some(self.sqlmodel_md()),
                            _ => None,
                        };
                        if let Some(m) = md.and_then(|md| self.mds.get_mut(md)) {
                            m.md.naming_convention.insert(key.to_string(), val.to_string());
                            return;
                        }
                    }
                }
                // any other item assignment may change a value read later
                self.refuse(target, format!("the item assignment `{} = ...`", self.text(target)));
            }
            Expr::Attribute(a) => {
                // `Base.metadata = MetaData(...)`, `X.metadata.naming_convention = {...}`
                let attr = a.attr.as_str();
                let done = if attr == "metadata" {
                    match (self.metadata_call(value), self.resolve(&a.value)) {
                        (Some(md), Sym::Class(id)) => {
                            let root = self.root_of(id).unwrap_or(id);
                            if let Some(c) = self.classes.get_mut(root) {
                                c.metadata = Some(md);
                            }
                            true
                        }
                        (Some(md), Sym::Ext(Lib::Sa, n)) if n == "SQLModel" => {
                            self.sqlmodel_md = Some(md);
                            true
                        }
                        _ => false,
                    }
                } else if attr == "naming_convention" {
                    let md = match self.resolve(&a.value) {
                        Sym::MetaData(md) => Some(md),
                        Sym::Ext(Lib::Sa, n) if n == "SQLModel.metadata" => Some(self.sqlmodel_md()),
                        _ => None,
                    };
                    match (md, self.naming_dict(value)) {
                        (Some(md), Some(nc)) => {
                            if let Some(m) = self.mds.get_mut(md) {
                                m.md.naming_convention = nc;
                            }
                            true
                        }
                        _ => false,
                    }
                } else {
                    false
                };
                if !done {
                    self.refuse(target, format!("the attribute assignment `{} = ...`", self.text(target)));
                }
            }
            other => self.refuse(other, format!("the assignment to `{}`", self.text(other))),
        }
    }

    fn assigned_value(&mut self, name: &str, value: &'a Expr) -> Sym<'a> {
        if let Expr::Call(call) = value {
            match self.resolve(&call.func) {
                // `col = helper(...)`: the helper's value
                Sym::Func(_) => {
                    let expanded = self.deref(value);
                    if std::ptr::eq(expanded, value) {
                        return Sym::Opaque;
                    }
                    return self.assigned_value(name, expanded);
                }
                // `reg.generate_base()`: a base class in that registry
                Sym::Unknown
                    if matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.as_str() == "generate_base"
                        && matches!(self.resolve(&a.value), Sym::Class(r) if self.root_of(r) == Some(r)))
                        && call.arguments.args.is_empty()
                        && call.arguments.keywords.is_empty() =>
                {
                    if let Expr::Attribute(a) = call.func.as_ref() {
                        return self.resolve(&a.value);
                    }
                }
                // a method of a class, table or metadata of this file
                // (`Base.metadata.tables.pop(...)`) may change the MetaData
                Sym::Unknown if self.rooted_in_model(&call.func) => {
                    self.refuse(call, format!("the call `{}(...)`", self.text(call.func.as_ref())));
                    return Sym::Opaque;
                }
                _ => {}
            }
        }
        if let Expr::Call(call) = value {
            match self.call_name(call).as_deref() {
                Some("declarative_base" | "orm.declarative_base" | "registry" | "orm.registry") => {
                    for k in call.arguments.keywords.iter() {
                        let is_registry = matches!(self.call_name(call).as_deref(), Some("registry" | "orm.registry"));
                        let known = if is_registry {
                            matches!(k.arg.as_ref().map(|a| a.as_str()), Some("metadata" | "type_annotation_map"))
                        } else {
                            matches!(k.arg.as_ref().map(|a| a.as_str()), Some("metadata" | "type_annotation_map" | "cls" | "name"))
                        };
                        if !known {
                            self.refuse(k, format!("the declarative_base argument `{}`", self.text(k)));
                        }
                    }
                    if let Some(Some(tm)) = kw(call, "type_annotation_map").map(|t| (!matches!(t, Expr::Dict(_))).then_some(t)) {
                        self.refuse(tm, "a type_annotation_map that is not a dict literal");
                    }
                    let md = match kw(call, "metadata") {
                        Some(m) => {
                            let r = self.metadata_ref(m);
                            if r.is_none() {
                                self.refuse(m, format!("the metadata `{}`", self.text(m)));
                            }
                            r
                        }
                        None => None,
                    };
                    let md = md.unwrap_or_else(|| self.new_md());
                    let type_map = match kw(call, "type_annotation_map") {
                        Some(Expr::Dict(d)) => {
                            d.items.iter().filter_map(|i| i.key.as_ref().map(|k| (k, &i.value))).collect()
                        }
                        _ => Vec::new(),
                    };
                    let id = self.classes.len();
                    // `declarative_base(cls=MyBase)`: MyBase's attributes
                    // (a declared_attr `__tablename__`, columns) are inherited.
                    let mut mro = vec![id];
                    if let Some(c) = kw(call, "cls") {
                        match self.resolve(c) {
                            Sym::Class(b) => mro.extend(self.classes.get(b).map(|c| c.mro.clone()).unwrap_or_default()),
                            _ => self.diag(
                                c,
                                Severity::Error,
                                "declarative_base(cls=...) is not a class of this file: ignored",
                            ),
                        }
                    }
                    self.classes.push(ClassInfo {
                        name: name.to_string(),
                        def: None,
                        mro,
                        ext_bases: Vec::new(),
                        kind: Kind::DeclRoot,
                        metadata: Some(md),
                        type_map,
                        mapped: false,
                        table: None,
                        mapped_names: BTreeSet::new(),
                        members: Vec::new(),
                    });
                    return Sym::Class(id);
                }
                Some("MetaData") => {
                    if let Some(md) = self.metadata_call(value) {
                        return Sym::MetaData(md);
                    }
                }
                Some("Table") => {
                    let call = self.prepare_call(call, &BTreeSet::new());
                    if let Some((md, t)) = self.table_call(call) {
                        return Sym::Table(md, t);
                    }
                    return Sym::Unknown;
                }
                _ => {}
            }
        }
        match self.resolve(value) {
            Sym::Unknown => Sym::Value(value),
            s => s,
        }
    }

    /// `MetaData(...)` → a new metadata index.
    fn metadata_call(&mut self, value: &'a Expr) -> Option<usize> {
        let Expr::Call(call) = value else {
            return self.metadata_ref(value);
        };
        if self.call_name(call).as_deref() != Some("MetaData") {
            return None;
        }
        let md = self.new_md();
        for k in call.arguments.keywords.iter() {
            if !matches!(k.arg.as_ref().map(|a| a.as_str()), Some("naming_convention" | "info")) {
                self.refuse(k, format!("the MetaData argument `{}`", self.text(k)));
            }
        }
        if let Some(a) = call.arguments.args.first() {
            self.refuse(a, "a positional MetaData argument (schema)");
        }
        if let Some(nc) = kw(call, "naming_convention") {
            match self.naming_dict(nc) {
                Some(d) => {
                    if let Some(m) = self.mds.get_mut(md) {
                        m.md.naming_convention = d;
                    }
                }
                None => self.diag(nc, Severity::Error, "naming_convention is not a dict of string templates: ignored"),
            }
        }
        Some(md)
    }

    /// A metadata expression: a `MetaData` variable, `Base.metadata`,
    /// `SQLModel.metadata` or an inline `MetaData(...)` call.
    fn metadata_ref(&mut self, e: &'a Expr) -> Option<usize> {
        if let Expr::Call(_) = e {
            return self.metadata_call(e);
        }
        match self.resolve(e) {
            Sym::MetaData(m) => Some(m),
            Sym::Ext(Lib::Sa, n) if n == "SQLModel.metadata" => Some(self.sqlmodel_md()),
            _ => None,
        }
    }

    fn naming_dict(&self, e: &'a Expr) -> Option<BTreeMap<String, String>> {
        let e = match e {
            Expr::Name(_) => match self.resolve(e) {
                Sym::Value(v) => v,
                _ => return None,
            },
            _ => e,
        };
        let Expr::Dict(d) = e else { return None };
        let mut out = BTreeMap::new();
        for item in &d.items {
            let key = item.key.as_ref()?;
            let k = match str_lit(key) {
                Some(s) => s.to_string(),
                None => match self.sa_name(key).as_deref() {
                    Some("Index") => "ix".into(),
                    Some("UniqueConstraint") => "uq".into(),
                    Some("CheckConstraint") => "ck".into(),
                    Some("ForeignKeyConstraint") => "fk".into(),
                    Some("PrimaryKeyConstraint") => "pk".into(),
                    _ => return None,
                },
            };
            out.insert(k, str_lit(&item.value)?.to_string());
        }
        Some(out)
    }

    // ----- classes -------------------------------------------------------

    fn root_of(&self, id: usize) -> Option<usize> {
        let c = self.classes.get(id)?;
        c.mro.iter().copied().find(|&m| self.classes.get(m).map(|c| c.kind == Kind::DeclRoot).unwrap_or(false))
    }

    fn is_sqlmodel(&self, id: usize) -> bool {
        self.classes.get(id).map(|c| c.ext_bases.iter().any(|(l, n)| *l == Lib::Sa && n == "SQLModel")).unwrap_or(false)
    }

    /// `@registry.mapped` / `@Base.registry.mapped[_as_dataclass]` map the
    /// class in that registry; `@as_declarative(metadata=...)` makes it a
    /// declarative base. Any other class decorator is refused.
    fn class_decorator(&mut self, d: &'a Expr, decor: &mut ClassDecor) {
        if let Expr::Attribute(a) = d {
            if matches!(a.attr.as_str(), "mapped" | "mapped_as_dataclass") {
                let reg = match self.resolve(&a.value) {
                    Sym::Class(id) => self.root_of(id),
                    _ => match a.value.as_ref() {
                        Expr::Attribute(inner) if inner.attr.as_str() == "registry" => match self.resolve(&inner.value) {
                            Sym::Class(id) => self.root_of(id),
                            _ => None,
                        },
                        _ => None,
                    },
                };
                if let Some(r) = reg {
                    decor.registry = Some(r);
                    return;
                }
            }
        }
        if let Expr::Call(c) = d {
            if matches!(
                self.call_name(c).as_deref(),
                Some("as_declarative" | "orm.as_declarative" | "ext.declarative.as_declarative" | "declarative.as_declarative")
            ) && c.arguments.args.is_empty()
            {
                let mut md = None;
                for k in c.arguments.keywords.iter() {
                    match k.arg.as_ref().map(|a| a.as_str()) {
                        Some("metadata") => {
                            md = self.metadata_ref(&k.value);
                            if md.is_none() {
                                self.refuse(&k.value, format!("the metadata `{}`", self.text(&k.value)));
                            }
                        }
                        _ => self.refuse(k, format!("the as_declarative argument `{}`", self.text(k))),
                    }
                }
                decor.as_declarative = Some(md);
                return;
            }
        }
        self.refuse(d, format!("the class decorator `@{}`", self.text(d)));
    }

    fn class_def(&mut self, cd: &'a ast::StmtClassDef, decor: ClassDecor) {
        self.class_body_check(cd);
        let id = self.classes.len();
        let mut user_bases = Vec::new();
        let mut ext_bases = Vec::new();
        let mut table_kw = false;
        if let Some(args) = &cd.arguments {
            for b in args.args.iter() {
                match self.resolve(b) {
                    Sym::Class(c) => user_bases.push(c),
                    Sym::Ext(lib, n) => ext_bases.push((lib, n)),
                    // an undefined name: NameError, reported with the class line
                    Sym::Unknown if matches!(b, Expr::Name(_)) => {}
                    // bound by a failed import or a refused statement: reported there
                    Sym::Opaque => {}
                    // `Generic[T]` and the like
                    Sym::Unknown
                        if matches!(b, Expr::Subscript(sub) if matches!(self.resolve(&sub.value), Sym::Ext(Lib::Typing, _))) => {}
                    _ => self.refuse(b, format!("the base class `{}`", self.text(b))),
                }
            }
            for k in args.keywords.iter() {
                match (k.arg.as_ref().map(|a| a.as_str()), bool_lit(&k.value)) {
                    (Some("table"), Some(v)) => table_kw = v,
                    _ => self.refuse(k, format!("the class keyword `{}`", self.text(k))),
                }
            }
        }
        let direct_ext = ext_bases.clone();
        if let Some(r) = decor.registry {
            user_bases.push(r);
        }
        for &b in &user_bases {
            if let Some(c) = self.classes.get(b) {
                ext_bases.extend(c.ext_bases.iter().cloned());
            }
        }
        let mro = self.c3(id, &user_bases);
        let is_enum = ext_bases
            .iter()
            .any(|(l, n)| *l == Lib::Enum && matches!(n.as_str(), "Enum" | "StrEnum" | "IntEnum" | "Flag" | "IntFlag"))
            || user_bases.iter().any(|&b| self.classes.get(b).map(|c| c.kind == Kind::Enum).unwrap_or(false));
        // A direct `DeclarativeBase` subclass starts a registry (mixins may
        // come first in its bases).
        let is_root = direct_ext
            .iter()
            .any(|(l, n)| *l == Lib::Sa && matches!(n.as_str(), "DeclarativeBase" | "DeclarativeBaseNoMeta"))
            && !user_bases.iter().any(|&b| self.root_of(b).is_some())
            || decor.as_declarative.is_some();
        let kind = if is_enum {
            Kind::Enum
        } else if is_root {
            Kind::DeclRoot
        } else {
            Kind::Plain
        };
        self.classes.push(ClassInfo {
            name: cd.name.to_string(),
            def: Some(cd),
            mro,
            ext_bases,
            kind,
            metadata: None,
            type_map: Vec::new(),
            mapped: false,
            table: None,
            mapped_names: BTreeSet::new(),
            members: Vec::new(),
        });
        self.bind(cd.name.to_string(), Sym::Class(id));
        match kind {
            Kind::Enum => self.enum_members(id, cd),
            Kind::DeclRoot => {
                self.root_body(id, cd);
                if let Some(Some(md)) = decor.as_declarative {
                    if let Some(c) = self.classes.get_mut(id) {
                        c.metadata = Some(md);
                    }
                }
            }
            Kind::Plain => {
                if self.is_sqlmodel(id) {
                    if table_kw {
                        self.sqlmodel_class(id, cd);
                    }
                } else if self.root_of(id).is_some() {
                    self.declarative_class(id, cd);
                } else if Self::declares_table(cd) {
                    let bases = cd
                        .arguments
                        .as_ref()
                        .map(|a| a.args.iter().map(|b| self.text(b)).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default();
                    self.diag(
                        &cd.name,
                        Severity::Error,
                        format!(
                            "class `{}` declares a table but its bases ({bases}) are not a declarative base defined or imported from SQLAlchemy in this file: class skipped",
                            cd.name
                        ),
                    );
                }
            }
        }
    }

    /// A body that says `__tablename__ = ...` / `__table__ = ...`.
    fn declares_table(cd: &ast::StmtClassDef) -> bool {
        cd.body.iter().any(|st| {
            let targets: Vec<&Expr> = match st {
                Stmt::Assign(a) => a.targets.iter().collect(),
                Stmt::AnnAssign(a) => vec![a.target.as_ref()],
                _ => Vec::new(),
            };
            targets.iter().any(|t| matches!(t, Expr::Name(n) if matches!(n.id.as_str(), "__tablename__" | "__table__")))
        })
    }

    /// C3 linearization over user classes (external bases are left out).
    fn c3(&self, id: usize, bases: &[usize]) -> Vec<usize> {
        let mut seqs: Vec<Vec<usize>> =
            bases.iter().filter_map(|b| self.classes.get(*b).map(|c| c.mro.clone())).collect();
        seqs.push(bases.to_vec());
        let mut out = vec![id];
        loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                return out;
            }
            let mut pick = None;
            for s in &seqs {
                let Some(&head) = s.first() else { continue };
                if !seqs.iter().any(|o| o.iter().skip(1).any(|&x| x == head)) {
                    pick = Some(head);
                    break;
                }
            }
            // An inconsistent hierarchy is a TypeError in Python; fall back to
            // the first head so the rest of the file still counts.
            let head = match pick.or_else(|| seqs.first().and_then(|s| s.first().copied())) {
                Some(h) => h,
                None => return out,
            };
            out.push(head);
            for s in seqs.iter_mut() {
                s.retain(|&x| x != head);
            }
        }
    }

    fn enum_members(&mut self, id: usize, cd: &'a ast::StmtClassDef) {
        let mut members = Vec::new();
        for st in &cd.body {
            let (target, value) = match st {
                Stmt::Assign(a) if a.targets.len() == 1 => (a.targets.first(), Some(a.value.as_ref())),
                Stmt::AnnAssign(a) => (Some(a.target.as_ref()), a.value.as_deref()),
                _ => continue,
            };
            let (Some(Expr::Name(n)), Some(v)) = (target, value) else {
                continue;
            };
            let name = n.id.to_string();
            if name.starts_with('_') {
                continue;
            }
            let val = str_lit(v).map(|s| s.to_string()).or_else(|| int_lit(v).map(|i| i.to_string()));
            if !members.iter().any(|(m, _): &(String, Option<String>)| *m == name) {
                members.push((name, val));
            }
        }
        if let Some(c) = self.classes.get_mut(id) {
            c.members = members;
        }
    }

    fn root_body(&mut self, id: usize, cd: &'a ast::StmtClassDef) {
        let mut md = None;
        let mut type_map = Vec::new();
        for st in &cd.body {
            let (target, value) = match st {
                Stmt::Assign(a) if a.targets.len() == 1 => (a.targets.first(), Some(a.value.as_ref())),
                Stmt::AnnAssign(a) => (Some(a.target.as_ref()), a.value.as_deref()),
                _ => continue,
            };
            let (Some(Expr::Name(n)), Some(v)) = (target, value) else {
                continue;
            };
            match n.id.as_str() {
                "metadata" => {
                    md = self.metadata_call(v);
                    if md.is_none() {
                        self.refuse(v, format!("the metadata `{}`", self.text(v)));
                    }
                }
                "registry" => self.refuse(v, "a `registry` attribute of a declarative base"),
                "type_annotation_map" => {
                    if let Expr::Dict(d) = v {
                        type_map = d.items.iter().filter_map(|i| i.key.as_ref().map(|k| (k, &i.value))).collect();
                    } else {
                        self.refuse(v, "a type_annotation_map that is not a dict literal");
                    }
                }
                _ => {}
            }
        }
        let md = md.unwrap_or_else(|| self.new_md());
        if let Some(c) = self.classes.get_mut(id) {
            c.metadata = Some(md);
            c.type_map = type_map;
        }
    }

    /// `vars(cls)` and `__annotations__` of a class body, each in first
    /// assignment order (a later assignment replaces the value in place).
    #[allow(clippy::type_complexity)]
    fn class_lists(cd: &'a ast::StmtClassDef) -> (Vec<(String, AttrValue<'a>)>, Vec<(String, &'a Expr)>) {
        let mut vars: Vec<(String, AttrValue<'a>)> = Vec::new();
        let mut annos: Vec<(String, &'a Expr)> = Vec::new();
        fn put<T>(list: &mut Vec<(String, T)>, name: String, v: T) {
            if let Some(slot) = list.iter_mut().find(|(n, _)| *n == name) {
                slot.1 = v;
            } else {
                list.push((name, v));
            }
        }
        for st in &cd.body {
            match st {
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            put(&mut vars, n.id.to_string(), AttrValue::Expr(&a.value));
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let Expr::Name(n) = a.target.as_ref() {
                        put(&mut annos, n.id.to_string(), a.annotation.as_ref());
                        if let Some(v) = &a.value {
                            put(&mut vars, n.id.to_string(), AttrValue::Expr(v));
                        }
                    }
                }
                Stmt::FunctionDef(f) => put(&mut vars, f.name.to_string(), AttrValue::Func(f)),
                _ => {}
            }
        }
        (vars, annos)
    }

    /// `vars(cls)` merged with `__annotations__` the way SQLAlchemy's
    /// `merge_lists_w_ordering` does.
    fn class_attrs(cd: &'a ast::StmtClassDef) -> Vec<Attr<'a>> {
        let (vars, annos) = Self::class_lists(cd);
        let a: Vec<String> = vars.iter().map(|(n, _)| n.clone()).collect();
        let b: Vec<String> = annos.iter().map(|(n, _)| n.clone()).collect();
        merge_lists_w_ordering(&a, &b)
            .into_iter()
            .map(|name| Attr {
                value: vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v),
                annotation: annos.iter().find(|(n, _)| *n == name).map(|(_, v)| *v),
                name,
            })
            .collect()
    }

    fn is_dunder(name: &str) -> bool {
        name.starts_with("__") && name.ends_with("__")
    }

    fn has_abstract(cd: &ast::StmtClassDef) -> bool {
        cd.body.iter().any(|st| match st {
            Stmt::Assign(a) => {
                a.targets.iter().any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__abstract__"))
                    && bool_lit(&a.value) == Some(true)
            }
            _ => false,
        })
    }

    /// True for `x: Mapped[...]` style annotations.
    fn is_mapped_annotation(&self, e: &'a Expr) -> bool {
        let e = match e {
            Expr::StringLiteral(_) => return false,
            _ => e,
        };
        if let Expr::Subscript(s) = e {
            return matches!(
                self.sa_name(&s.value).as_deref(),
                Some("Mapped" | "orm.Mapped" | "WriteOnlyMapped" | "DynamicMapped")
            );
        }
        false
    }

    fn declarative_class(&mut self, id: usize, cd: &'a ast::StmtClassDef) {
        if Self::has_abstract(cd) {
            return;
        }
        let mro = self.classes.get(id).map(|c| c.mro.clone()).unwrap_or_default();
        // A `__table__ = Table(...)` class maps an existing table.
        for st in &cd.body {
            if let Stmt::Assign(a) = st {
                if a.targets.iter().any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__table__")) {
                    let table = match a.value.as_ref() {
                        Expr::Call(call) if self.call_name(call).as_deref() == Some("Table") => self.table_call(call),
                        other => match self.resolve(other) {
                            Sym::Table(md, t) => Some((md, t)),
                            _ => None,
                        },
                    };
                    if table.is_none() {
                        self.diag(
                            a.value.as_ref(),
                            Severity::Error,
                            "__table__ is not a Table(...) this playground understands: class skipped",
                        );
                    }
                    if let Some((md, t)) = &table {
                        self.check_mapper_pk(cd, *md, t);
                    }
                    if let Some(c) = self.classes.get_mut(id) {
                        c.mapped = true;
                        c.table = table;
                    }
                    return;
                }
            }
        }
        let mapped_parent =
            mro.iter().skip(1).copied().find(|&m| self.classes.get(m).map(|c| c.mapped).unwrap_or(false));
        let mut inherited_names: BTreeSet<String> = BTreeSet::new();
        for &m in mro.iter().skip(1) {
            if let Some(c) = self.classes.get(m) {
                if c.mapped {
                    inherited_names.extend(c.mapped_names.iter().cloned());
                }
            }
        }
        let mut tablename: Option<String> = None;
        let mut tablename_failed = false;
        let mut table_args: Option<&'a Expr> = None;
        let mut inherited_table_args = false;
        for (pos, &b) in mro.iter().enumerate() {
            let Some(info) = self.classes.get(b) else {
                continue;
            };
            let class_mapped = pos > 0 && info.mapped;
            let Some(bdef) = info.def else { continue };
            for a in Self::class_attrs(bdef) {
                match a.name.as_str() {
                    "__tablename__" if tablename.is_none() && !class_mapped => {
                        tablename = self.tablename_value(a.value, &info_name(&self.classes, id));
                        tablename_failed = tablename.is_none();
                    }
                    "__table_args__" if table_args.is_none() && !class_mapped => {
                        table_args = match a.value {
                            Some(AttrValue::Expr(e)) => Some(e),
                            Some(AttrValue::Func(f)) => Self::func_return(f),
                            None => None,
                        };
                        inherited_table_args = table_args.is_some() && pos > 0;
                    }
                    _ => {}
                }
            }
        }
        // Pass 1, `_produce_column_copies`: mixin (and abstract base) columns
        // are copied onto the class in MRO order unless `getattr(cls, name)`
        // already finds something else: a value on the class, on an earlier
        // base, an earlier copy, or a mapped parent's attribute.
        let (own_vars, own_annos) = Self::class_lists(cd);
        let mut has_value: BTreeSet<String> = own_vars.iter().map(|(n, _)| n.clone()).collect();
        let mut copies: Vec<(String, usize, Option<AttrValue<'a>>, Option<&'a Expr>)> = Vec::new();
        let mut mixins: Vec<(usize, Vec<Attr<'a>>, BTreeSet<String>)> = Vec::new();
        for &b in mro.iter().skip(1) {
            let Some(info) = self.classes.get(b) else {
                continue;
            };
            let Some(bdef) = info.def else { continue };
            let attrs = Self::class_attrs(bdef);
            if info.mapped {
                has_value.extend(info.mapped_names.iter().cloned());
                has_value.extend(attrs.iter().filter(|a| a.value.is_some()).map(|a| a.name.clone()));
                continue;
            }
            let before = has_value.clone();
            for a in &attrs {
                if Self::is_dunder(&a.name) || has_value.contains(&a.name) {
                    continue;
                }
                let is_col = match a.value {
                    None => a.annotation.map(|an| self.is_mapped_annotation(an)).unwrap_or(false),
                    Some(AttrValue::Expr(Expr::Call(call))) => matches!(
                        self.call_name(call).as_deref(),
                        Some("Column" | "mapped_column" | "orm.mapped_column")
                    ),
                    _ => false,
                };
                if is_col {
                    copies.push((a.name.clone(), b, a.value, a.annotation));
                    has_value.insert(a.name.clone());
                }
            }
            has_value.extend(attrs.iter().filter(|a| a.value.is_some()).map(|a| a.name.clone()));
            mixins.push((b, attrs, before));
        }
        // Pass 2, in MRO order: the class's own attributes (`vars(cls)` merged
        // with `__annotations__`, listed before any copy was set on it; an
        // annotation-only name a mixin supplies takes the copy), then per
        // mixin its copies and its `@declared_attr` columns.
        let vars_names: Vec<String> = own_vars.iter().map(|(n, _)| n.clone()).collect();
        let anno_names: Vec<String> = own_annos.iter().map(|(n, _)| n.clone()).collect();
        type Item<'x> = (String, usize, Option<AttrValue<'x>>, Option<&'x Expr>);
        let mut collected: Vec<Item<'a>> = Vec::new();
        fn upsert<'x>(list: &mut Vec<Item<'x>>, item: Item<'x>) {
            if let Some(slot) = list.iter_mut().find(|s| s.0 == item.0) {
                *slot = item;
            } else {
                list.push(item);
            }
        }
        for name in merge_lists_w_ordering(&vars_names, &anno_names) {
            if Self::is_dunder(&name) {
                continue;
            }
            let own_anno = own_annos.iter().find(|(n, _)| *n == name).map(|(_, a)| *a);
            if let Some((_, v)) = own_vars.iter().find(|(n, _)| *n == name) {
                collected.push((name, id, Some(*v), own_anno));
            } else if let Some(c) = copies.iter().find(|c| c.0 == name) {
                collected.push(c.clone());
            } else if own_anno.map(|a| self.is_mapped_annotation(a)).unwrap_or(false) {
                collected.push((name, id, None, own_anno));
            }
        }
        for (b, attrs, before) in mixins {
            for c in copies.iter().filter(|c| c.1 == b) {
                if !collected.iter().any(|s| s.0 == c.0) {
                    collected.push(c.clone());
                }
            }
            for a in attrs {
                if let Some(AttrValue::Func(f)) = a.value {
                    let shadowed = before.contains(&a.name) || copies.iter().any(|c| c.0 == a.name);
                    if Self::is_declared_attr(f, self) && !shadowed {
                        upsert(&mut collected, (a.name.clone(), b, a.value, a.annotation));
                    }
                }
            }
        }
        if inherited_table_args && tablename.is_none() {
            table_args = None;
        }
        let root = self.root_of(id);
        let mut specs: Vec<ColSpec> = Vec::new();
        let mut names = inherited_names.clone();
        for (name, src, value, anno) in collected {
            if let Some(spec) = self.attr_column(&name, src == id, value, anno, root) {
                names.insert(name.clone());
                specs.push(spec);
            }
        }
        let md = root.and_then(|r| self.class_md(r));
        let cname = cd.name.to_string();
        let table = match (tablename, mapped_parent, md) {
            (Some(t), _, Some(md)) => {
                let items = match table_args {
                    Some(e) => self.table_args(e),
                    None => (Vec::new(), None),
                };
                // `sort_order` only orders a new table's columns; single-table
                // inheritance appends in declaration order.
                let mut specs = specs;
                specs.sort_by_key(|s| s.sort_order);
                self.build_table(md, &t, specs, items.0, items.1, cd.name.range());
                if mapped_parent.is_none() {
                    self.check_mapper_pk(cd, md, &t);
                }
                Some((md, t))
            }
            (None, Some(parent), _) => {
                let pt = self.classes.get(parent).and_then(|c| c.table.clone());
                if let Some((pmd, ptn)) = &pt {
                    self.add_columns(*pmd, ptn, specs);
                } else if !specs.is_empty() {
                    self.diag(
                        &cd.name,
                        Severity::Error,
                        format!("class `{cname}` inherits a class without a table: columns skipped"),
                    );
                }
                pt
            }
            (None, None, _) if !tablename_failed => {
                self.diag(
                    &cd.name,
                    Severity::Error,
                    format!("class `{cname}` has no __tablename__ and no mapped parent: SQLAlchemy cannot map it; class skipped"),
                );
                None
            }
            (None, None, _) | (Some(_), _, None) => None,
        };
        if let Some(c) = self.classes.get_mut(id) {
            c.mapped = table.is_some();
            c.table = table;
            c.mapped_names = names;
        }
    }

    fn is_declared_attr(f: &ast::StmtFunctionDef, it: &Self) -> bool {
        f.decorator_list.iter().any(|d| {
            let e = match &d.expression {
                Expr::Call(c) => c.func.as_ref(),
                e => e,
            };
            matches!(
                it.sa_name(e).as_deref(),
                Some(
                    "declared_attr"
                        | "declared_attr.directive"
                        | "declared_attr.cascading"
                        | "orm.declared_attr"
                        | "declarative.declared_attr"
                )
            )
        })
    }

    fn func_return(f: &'a ast::StmtFunctionDef) -> Option<&'a Expr> {
        f.body.iter().find_map(|s| match s {
            Stmt::Return(r) => r.value.as_deref(),
            _ => None,
        })
    }

    fn tablename_value(&mut self, v: Option<AttrValue<'a>>, class_name: &str) -> Option<String> {
        match v {
            Some(AttrValue::Expr(e)) => match str_lit(e) {
                Some(s) => Some(s.to_string()),
                None => {
                    self.diag(e, Severity::Error, "__tablename__ is not a string literal: class skipped");
                    None
                }
            },
            Some(AttrValue::Func(f)) => {
                let ret = Self::func_return(f);
                match ret.and_then(|r| class_name_expr(r, class_name)) {
                    Some(s) => Some(s),
                    None => {
                        self.diag(&f.name, Severity::Error, "declared_attr __tablename__ body is not understood (supported: string literals, f-strings, cls.__name__, .lower()/.upper(), +): class skipped");
                        None
                    }
                }
            }
            None => None,
        }
    }

    /// One collected declarative attribute → a column spec (or None for
    /// relationships and other non-column attributes).
    fn attr_column(
        &mut self,
        name: &str,
        own: bool,
        value: Option<AttrValue<'a>>,
        anno: Option<&'a Expr>,
        root: Option<usize>,
    ) -> Option<ColSpec> {
        let at: Option<TextRange> = match value {
            Some(AttrValue::Expr(e)) => Some(e.range()),
            Some(AttrValue::Func(f)) => Some(f.name.range()),
            None => anno.map(|a| a.range()),
        };
        let spec = self.attr_column_inner(name, own, value, anno, root)?;
        if let Some(msg) = &spec.skip {
            if !msg.is_empty() {
                self.diag_at(at.unwrap_or_default(), Severity::Error, msg.clone());
            }
            return None;
        }
        Some(spec)
    }

    fn attr_column_inner(
        &mut self,
        name: &str,
        own: bool,
        value: Option<AttrValue<'a>>,
        anno: Option<&'a Expr>,
        root: Option<usize>,
    ) -> Option<ColSpec> {
        let (value, anno) = match value {
            Some(AttrValue::Func(f)) => {
                if !Self::is_declared_attr(f, self) {
                    return None;
                }
                // SQLAlchemy reads the return annotation of a mixin's
                // declared_attr only; on the mapped class itself it looks at
                // `__annotations__`, where a method never is.
                (Self::func_return(f), if own { anno } else { f.returns.as_deref().or(anno) })
            }
            Some(AttrValue::Expr(e)) => (Some(e), anno),
            None => (None, anno),
        };
        if Self::is_dunder(name) {
            return None;
        }
        let value = match value {
            Some(e) => Some(self.attr_expr(e, name)?),
            None => None,
        };
        let ann = anno.map(|a| self.annotation(a)).unwrap_or_default();
        match value {
            None => {
                if !ann.mapped {
                    return None;
                }
                let mut spec = ColSpec::new(name);
                let calls = ann.extra.clone();
                for c in calls {
                    self.column_args(&mut spec, c, true);
                }
                self.finish_mapped(&mut spec, &ann, anno, root);
                Some(spec)
            }
            Some(Expr::Call(call)) => match self.call_name(call).as_deref() {
                Some("mapped_column" | "orm.mapped_column") => {
                    let mut spec = ColSpec::new(name);
                    for c in ann.extra.clone() {
                        self.column_args(&mut spec, c, true);
                    }
                    self.column_args(&mut spec, call, true);
                    self.finish_mapped(&mut spec, &ann, anno, root);
                    Some(spec)
                }
                Some("Column") => {
                    let mut spec = ColSpec::new(name);
                    self.column_args(&mut spec, call, false);
                    if spec.type_.is_none() {
                        spec.type_ = Some(SqlType::new(TypeClass::Null));
                    }
                    Some(spec)
                }
                Some(
                    "relationship" | "orm.relationship" | "backref" | "synonym" | "column_property" | "deferred"
                    | "composite" | "association_proxy" | "query_expression" | "dynamic_loader" | "Relationship",
                ) => None,
                _ => {
                    if ann.mapped {
                        let t = self.text(call.func.as_ref());
                        self.diag(
                            call,
                            Severity::Error,
                            format!("unsupported mapped attribute value `{t}(...)` for `{name}`: column skipped"),
                        );
                    }
                    None
                }
            },
            Some(other) => {
                if ann.mapped {
                    self.diag(
                        other,
                        Severity::Error,
                        format!("unsupported value for mapped attribute `{name}`: column skipped"),
                    );
                }
                None
            }
        }
    }

    /// A class attribute's value as the declarative scan sees it: helper
    /// calls expanded, a name bound to a module-level `Column(...)` read
    /// through, module constants substituted. `None` (after an error where
    /// it may hide a column) when it is not a column.
    fn attr_expr(&self, e: &'a Expr, name: &str) -> Option<&'a Expr> {
        let e = self.deref(self.prepare(e, &BTreeSet::new()));
        match e {
            Expr::Name(_) | Expr::Attribute(_) => match self.resolve(e) {
                Sym::Value(v @ Expr::Call(c))
                    if matches!(self.call_name(c).as_deref(), Some("Column" | "mapped_column" | "orm.mapped_column")) =>
                {
                    Some(self.deref(self.prepare(v, &BTreeSet::new())))
                }
                Sym::Opaque => {
                    self.refuse(e, format!("the value of class attribute `{name}` (`{}`)", self.text(e)));
                    None
                }
                _ => Some(e),
            },
            Expr::Call(call) => {
                if let Some(n) = self.call_name(call) {
                    let known = matches!(
                        n.as_str(),
                        "Column"
                            | "mapped_column"
                            | "orm.mapped_column"
                            | "relationship"
                            | "orm.relationship"
                            | "backref"
                            | "synonym"
                            | "orm.synonym"
                            | "column_property"
                            | "orm.column_property"
                            | "deferred"
                            | "orm.deferred"
                            | "composite"
                            | "orm.composite"
                            | "association_proxy"
                            | "ext.associationproxy.association_proxy"
                            | "query_expression"
                            | "orm.query_expression"
                            | "dynamic_loader"
                            | "Relationship"
                            | "Field"
                            | "PrivateAttr"
                            | "ConfigDict"
                    );
                    if !known && !Self::is_type_name(n.rsplit('.').next().unwrap_or(&n)) {
                        self.refuse(call, format!("the class attribute `{name} = {}(...)`", self.text(call.func.as_ref())));
                        return None;
                    }
                    return Some(e);
                }
                match self.resolve(&call.func) {
                    // a helper that could not be expanded: reported by deref
                    Sym::Func(_) => None,
                    Sym::Class(id) => {
                        let sa_based = self.classes.get(id).map(|c| c.ext_bases.iter().any(|(l, _)| *l == Lib::Sa)).unwrap_or(false);
                        if sa_based {
                            self.refuse(call, format!("the class attribute `{name} = {}(...)` (a SQLAlchemy subclass)", self.text(call.func.as_ref())));
                            None
                        } else {
                            Some(e)
                        }
                    }
                    Sym::Ext(Lib::Sa | Lib::SaSqlite | Lib::Other, _) | Sym::Value(_) | Sym::Opaque | Sym::Module(_) | Sym::MetaData(_) | Sym::Table(..) => {
                        self.refuse(call, format!("the class attribute `{name} = {}(...)`", self.text(call.func.as_ref())));
                        None
                    }
                    // builtins and the standard library's types: not columns
                    Sym::Ext(..) => Some(e),
                    Sym::Unknown => {
                        let pure_builtin = matches!(call.func.as_ref(), Expr::Name(n) if is_builtin(n.id.as_str())
                            && matches!(n.id.as_str(), "str" | "int" | "float" | "bool" | "len" | "sorted" | "list" | "tuple"
                                | "dict" | "set" | "frozenset" | "range" | "repr" | "format" | "abs" | "round" | "min" | "max"));
                        if pure_builtin {
                            return Some(e);
                        }
                        if !matches!(call.func.as_ref(), Expr::Name(n) if !is_builtin(n.id.as_str())) {
                            self.refuse(call, format!("the class attribute `{name} = {}(...)`", self.text(call.func.as_ref())));
                        }
                        // an unbound name: NameError, reported by the body check
                        None
                    }
                }
            }
            _ => Some(e),
        }
    }

    /// Type and nullability of a `mapped_column` from its `Mapped[...]`.
    fn finish_mapped(&mut self, spec: &mut ColSpec, ann: &AnnInfo<'a>, anno: Option<&'a Expr>, root: Option<usize>) {
        if spec.type_.is_none() {
            match ann.inner {
                Some(inner) if ann.mapped => match self.annotation_type(inner, ann, root) {
                    Ok(t) => spec.type_ = Some(t),
                    Err(msg) => {
                        self.diag(inner, Severity::Error, format!("{msg}: column `{}` skipped", spec.key));
                        spec.skip = Some(String::new());
                    }
                },
                _ => {
                    if spec.fks.is_empty() {
                        let at = anno.map(|a| a.range()).unwrap_or_default();
                        let _ = at;
                        spec.skip = Some(format!("column `{}` has no type (give mapped_column a type or a Mapped[...] annotation): column skipped", spec.key));
                    }
                    spec.type_ = Some(SqlType::new(TypeClass::Null));
                }
            }
        }
        // `Mapped[Optional[int]]` makes even a primary key column nullable
        // (SQLAlchemy 2.1 takes the annotation as the user's word).
        if spec.nullable.is_none() && ann.mapped {
            spec.nullable = Some(ann.optional);
        }
    }

    // ----- annotations -------------------------------------------------------

    fn annotation(&self, e: &'a Expr) -> AnnInfo<'a> {
        let mut info = AnnInfo::default();
        self.walk_annotation(e, &mut info, 0);
        info
    }

    fn walk_annotation(&self, e: &'a Expr, info: &mut AnnInfo<'a>, depth: usize) {
        if depth > 20 {
            return;
        }
        match e {
            Expr::Subscript(s) => {
                let head = self.resolve(&s.value);
                let head_name = match &head {
                    Sym::Ext(lib, n) => Some((*lib, n.as_str())),
                    _ => None,
                };
                match head_name {
                    Some((Lib::Sa, "Mapped" | "orm.Mapped" | "WriteOnlyMapped" | "DynamicMapped")) => {
                        info.mapped = true;
                        self.walk_annotation(&s.slice, info, depth + 1);
                    }
                    Some((Lib::Typing, "Optional")) => {
                        info.optional = true;
                        self.walk_annotation(&s.slice, info, depth + 1);
                    }
                    Some((Lib::Typing, "Union")) => {
                        let parts: Vec<&'a Expr> = match elts(&s.slice) {
                            Some(es) => es.iter().collect(),
                            None => vec![s.slice.as_ref()],
                        };
                        self.union(parts, info, depth);
                    }
                    Some((Lib::Typing, "Annotated")) => {
                        if let Some(es) = elts(&s.slice) {
                            for m in es.iter().skip(1) {
                                if let Expr::Call(c) = m {
                                    if matches!(
                                        self.call_name(c).as_deref(),
                                        Some("mapped_column" | "orm.mapped_column")
                                    ) {
                                        info.extra.push(c);
                                    }
                                }
                            }
                            if let Some(first) = es.first() {
                                self.walk_annotation(first, info, depth + 1);
                            }
                        }
                    }
                    Some((Lib::Typing, "Literal")) => {
                        let vals: Vec<String> = match elts(&s.slice) {
                            Some(es) => es.iter().filter_map(|x| str_lit(x).map(|s| s.to_string())).collect(),
                            None => str_lit(&s.slice).map(|s| vec![s.to_string()]).unwrap_or_default(),
                        };
                        info.literal = Some(vals);
                        info.inner = Some(e);
                    }
                    _ => info.inner = Some(e),
                }
            }
            Expr::BinOp(b) if matches!(b.op, ast::Operator::BitOr) => {
                let mut parts = Vec::new();
                fn flatten<'x>(e: &'x Expr, out: &mut Vec<&'x Expr>) {
                    match e {
                        Expr::BinOp(b) if matches!(b.op, ast::Operator::BitOr) => {
                            flatten(&b.left, out);
                            flatten(&b.right, out);
                        }
                        other => out.push(other),
                    }
                }
                flatten(e, &mut parts);
                self.union(parts, info, depth);
            }
            Expr::Name(n) => match self.env.get(n.id.as_str()) {
                Some(Sym::Value(v)) => {
                    info.alias_names.push(n.id.to_string());
                    let v = *v;
                    self.walk_annotation(v, info, depth + 1);
                }
                _ => info.inner = Some(e),
            },
            _ => info.inner = Some(e),
        }
    }

    fn union(&self, parts: Vec<&'a Expr>, info: &mut AnnInfo<'a>, depth: usize) {
        let mut rest = Vec::new();
        for p in parts {
            if is_none(p) {
                info.optional = true;
            } else {
                rest.push(p);
            }
        }
        if let [only] = rest.as_slice() {
            self.walk_annotation(only, info, depth + 1);
        } else if let Some(first) = rest.first() {
            info.inner = Some(first);
        }
    }

    /// A key for `type_annotation_map` matching.
    fn type_key(&self, e: &'a Expr) -> Option<String> {
        if let Expr::Subscript(_) = e {
            let t: String = self.text(e).chars().filter(|c| !c.is_whitespace()).collect();
            return Some(format!("expr:{t}"));
        }
        match self.resolve(e) {
            Sym::Ext(lib, n) => Some(format!("{lib:?}:{n}")),
            Sym::Class(id) => Some(format!("class:{id}")),
            Sym::Value(_) => match e {
                Expr::Name(n) => Some(format!("alias:{}", n.id)),
                _ => None,
            },
            _ => None,
        }
    }

    fn annotation_type(&mut self, inner: &'a Expr, ann: &AnnInfo<'a>, root: Option<usize>) -> Result<SqlType, String> {
        let type_map = root.and_then(|r| self.classes.get(r)).map(|c| c.type_map.clone()).unwrap_or_default();
        let inner_key = self.type_key(inner);
        let mut keys: Vec<String> = ann.alias_names.iter().map(|a| format!("alias:{a}")).collect();
        if let Some(k) = &inner_key {
            keys.push(k.clone());
        }
        if ann.literal.is_some() {
            keys.push("Typing:Literal".to_string());
        }
        for key in &keys {
            for (k, v) in &type_map {
                if self.type_key(k).as_deref() == Some(key.as_str()) {
                    let (k, v) = (*k, *v);
                    let _ = k;
                    return self.eval_type(v);
                }
            }
        }
        if let Some(vals) = &ann.literal {
            let mut t = SqlType::new(TypeClass::Enum);
            t.enum_ = Some(EnumInfo { values: vals.clone(), native_enum: false, ..Default::default() });
            return Ok(t);
        }
        if let Sym::Class(id) = self.resolve(inner) {
            if self.classes.get(id).map(|c| c.kind == Kind::Enum).unwrap_or(false) {
                // `type_annotation_map = {enum.Enum: Enum(native_enum=False)}`
                for (k, v) in &type_map {
                    if matches!(self.type_key(k).as_deref(), Some("Enum:Enum" | "Enum:enum.Enum")) {
                        let v = *v;
                        let mut t = self.eval_type(v)?;
                        let base = self.enum_from_class(id);
                        if let (Some(e), Some(b)) = (t.enum_.as_mut(), base.enum_) {
                            e.values = b.values;
                            e.enum_class = b.enum_class;
                            if e.name.is_none() {
                                e.name = b.name;
                            }
                        }
                        return Ok(t);
                    }
                }
                return Ok(self.enum_from_class(id));
            }
        }
        let class = match inner_key.as_deref() {
            Some("Builtin:int") => TypeClass::Integer,
            Some("Builtin:str") => TypeClass::String,
            Some("Builtin:bool") => TypeClass::Boolean,
            // SQLAlchemy 2.1 maps `float` to `Double`.
            Some("Builtin:float") => TypeClass::Double,
            Some("Builtin:bytes") => TypeClass::LargeBinary,
            Some("Datetime:datetime" | "Datetime:datetime.datetime") => TypeClass::DateTime,
            Some("Datetime:date" | "Datetime:datetime.date") => TypeClass::Date,
            Some("Datetime:time" | "Datetime:datetime.time") => TypeClass::Time,
            Some("Datetime:timedelta" | "Datetime:datetime.timedelta") => TypeClass::Interval,
            Some("Decimal:Decimal" | "Decimal:decimal.Decimal") => TypeClass::Numeric,
            Some("Uuid:UUID" | "Uuid:uuid.UUID") => TypeClass::Uuid,
            _ => {
                let t = self.text(inner);
                return Err(format!(
                    "no SQLAlchemy type for annotation `{t}` (add a type to mapped_column or type_annotation_map)"
                ));
            }
        };
        Ok(SqlType::new(class))
    }

    fn enum_from_class(&self, id: usize) -> SqlType {
        let mut t = SqlType::new(TypeClass::Enum);
        let (name, members) = self.classes.get(id).map(|c| (c.name.clone(), c.members.clone())).unwrap_or_default();
        t.enum_ = Some(EnumInfo {
            values: members.into_iter().map(|(n, _)| n).collect(),
            name: Some(name.to_lowercase()),
            native_enum: true,
            enum_class: Some(name),
            ..Default::default()
        });
        t
    }

    // ----- types -------------------------------------------------------------

    fn is_type_name(n: &str) -> bool {
        type_class(n).is_some() || n == "Enum" || n == "types.Enum"
    }

    fn eval_type(&mut self, e: &'a Expr) -> Result<SqlType, String> {
        self.eval_type_at(e, 0)
    }

    fn eval_type_at(&mut self, e: &'a Expr, depth: usize) -> Result<SqlType, String> {
        if depth > 16 {
            return Err(format!("type alias `{}` does not resolve", self.text(e)));
        }
        let e = self.deref(e);
        match e {
            Expr::Call(call) => {
                if let Expr::Attribute(a) = call.func.as_ref() {
                    if a.attr.as_str() == "with_variant" {
                        return self.with_variant(&a.value, call, depth);
                    }
                }
                let Some(n) = self.call_name(call) else {
                    return Err(format!("unsupported column type `{}`", self.text(call.func.as_ref())));
                };
                self.sqlite_dialect_note(e, &n);
                self.type_call(&n, Some(call))
            }
            Expr::Name(_) | Expr::Attribute(_) => match self.resolve(e) {
                Sym::Ext(Lib::Sa, n) => self.type_call(&n, None),
                Sym::Ext(Lib::SaSqlite, n) => {
                    let n = format!("sqlite.{n}");
                    self.sqlite_dialect_note(e, &n);
                    self.type_call(&n, None)
                }
                Sym::Value(v) => self.eval_type_at(v, depth + 1),
                _ => Err(format!("unsupported column type `{}`", self.text(e))),
            },
            _ => Err(format!("unsupported column type `{}`", self.text(e))),
        }
    }

    /// `base.with_variant(other, "sqlite", ...)`: SQLite sees `other`;
    /// Alembic renders the whole chain.
    fn with_variant(&mut self, base: &'a Expr, call: &'a ast::ExprCall, depth: usize) -> Result<SqlType, String> {
        let mut t = self.eval_type_at(base, depth + 1)?;
        let (base, mut variants) = match t.variant_of.take() {
            Some(v) => (v.base, v.variants),
            None => (t, Vec::new()),
        };
        if !call.arguments.keywords.is_empty() {
            return Err(format!("keyword arguments of `{}` are not evaluated", self.text(call)));
        }
        let mut args = call.arguments.args.iter();
        let Some(variant) = args.next() else {
            return Err(format!("`{}` names no type", self.text(call)));
        };
        let vt = self.eval_type_at(variant, depth + 1)?;
        let mut dialects = 0;
        for d in args {
            let Some(name) = str_lit(d) else {
                return Err(format!("dialect name `{}` of with_variant is not a string literal", self.text(d)));
            };
            if variants.iter().any(|(x, _)| x == name) {
                return Err(format!("Dialect '{name}' is already present in the mapping for this Variant"));
            }
            variants.push((name.to_string(), vt.clone()));
            dialects += 1;
        }
        if dialects == 0 {
            return Err(format!("`{}` names no dialect", self.text(call)));
        }
        Ok(SqlType::with_variants(base, variants))
    }

    /// `sqlalchemy.dialects.sqlite.DATETIME` / `DATE` / `TIME` are kept as the
    /// generic UPPERCASE types: same DDL and comparison, but Alembic renders
    /// them `sqlite.DATETIME()` where the playground renders `sa.DATETIME()`.
    fn sqlite_dialect_note(&mut self, e: &'a Expr, name: &str) {
        if let Some(short @ ("DATETIME" | "DATE" | "TIME")) = name.strip_prefix("sqlite.") {
            self.diag(
                e,
                Severity::Warning,
                format!("sqlite.{short} is treated as sa.{short} (same DDL; Alembic would render sqlite.{short}())"),
            );
        }
    }

    fn type_call(&mut self, name: &str, call: Option<&'a ast::ExprCall>) -> Result<SqlType, String> {
        let short = name.rsplit('.').next().unwrap_or(name);
        if name == "sqlite.JSON" {
            // the SQLite dialect's JSON, rendered `sqlite.JSON()`
            let mut t = SqlType::new(TypeClass::JsonUpper);
            t.none_as_null = call.and_then(|c| kw(c, "none_as_null")).and_then(bool_lit).unwrap_or(false);
            return Ok(t);
        }
        let pos = |i: usize| call.and_then(|c| c.arguments.args.get(i));
        let arg = |i: usize, k: &str| call.and_then(|c| kw(c, k)).or_else(|| pos(i));
        let u32_of = |e: Option<&Expr>| e.and_then(int_lit).and_then(|v| u32::try_from(v).ok());
        if short == "Enum" {
            return self.enum_type(call);
        }
        let Some(class) = type_class(short) else {
            return Err(format!("unsupported column type `{name}`"));
        };
        if let Some(c) = call {
            // every argument of a type is read as a literal, or the type is refused
            for a in c.arguments.args.iter().chain(c.arguments.keywords.iter().map(|k| &k.value)) {
                if !is_literal(a) {
                    return Err(format!("argument `{}` of `{}` is not a literal", self.text(a), self.text(c)));
                }
            }
            if let Some(k) = c.arguments.keywords.iter().find(|k| k.arg.is_none()) {
                return Err(format!("`**{}` in `{}` is not evaluated", self.text(&k.value), self.text(c)));
            }
        }
        let mut t = SqlType::new(class);
        use TypeClass::*;
        match class {
            String | Text | Unicode | UnicodeText | VarcharUpper | NVarcharUpper | CharUpper | NCharUpper
            | TextUpper | ClobUpper => {
                t.length = u32_of(arg(0, "length"));
                t.collation = arg(1, "collation").and_then(str_lit).map(|s| s.to_string());
            }
            AutoString | LargeBinary | BlobUpper | VarbinaryUpper | BinaryUpper => t.length = u32_of(arg(0, "length")),
            Numeric | NumericUpper | DecimalUpper => {
                t.precision = u32_of(arg(0, "precision"));
                t.scale = u32_of(arg(1, "scale"));
                t.asdecimal = arg(3, "asdecimal").and_then(bool_lit);
            }
            Float | Double | FloatUpper | RealUpper | DoubleUpper | DoublePrecisionUpper => {
                t.precision = u32_of(arg(0, "precision"));
                t.asdecimal = arg(1, "asdecimal").and_then(bool_lit);
            }
            DateTime | DateTimeUpper | TimestampUpper | Time | TimeUpper => {
                t.timezone = arg(0, "timezone").and_then(bool_lit).unwrap_or(false);
            }
            UtcDateTime => t.timezone = true,
            Boolean | BooleanUpper => {
                t.create_constraint = arg(0, "create_constraint").and_then(bool_lit).unwrap_or(false);
                t.constraint_name = arg(1, "name").and_then(str_lit).map(Name::plain);
            }
            Uuid | UuidUpper => {
                t.as_uuid = arg(0, "as_uuid").and_then(bool_lit);
                t.native_uuid = arg(1, "native_uuid").and_then(bool_lit);
            }
            Json | JsonUpper => t.none_as_null = arg(0, "none_as_null").and_then(bool_lit).unwrap_or(false),
            _ => {}
        }
        Ok(t)
    }

    fn enum_type(&mut self, call: Option<&'a ast::ExprCall>) -> Result<SqlType, String> {
        let mut t = SqlType::new(TypeClass::Enum);
        let mut info = EnumInfo { native_enum: true, ..Default::default() };
        if let Some(call) = call {
            let mut values = Vec::new();
            for a in call.arguments.args.iter() {
                if let Some(s) = str_lit(a) {
                    values.push(s.to_string());
                    continue;
                }
                if let Expr::Starred(st) = a {
                    if let Sym::Value(v) = self.resolve(&st.value) {
                        if let Some(es) = elts(v) {
                            values.extend(es.iter().filter_map(|x| str_lit(x).map(|s| s.to_string())));
                            continue;
                        }
                    }
                }
                match self.resolve(a) {
                    // `sa.Enum(enum.Enum, ...)` in a type_annotation_map: the
                    // annotated enum class fills in the values later.
                    Sym::Ext(Lib::Enum, _) => {}
                    Sym::Class(id) if self.classes.get(id).map(|c| c.kind == Kind::Enum).unwrap_or(false) => {
                        let base = self.enum_from_class(id);
                        if let Some(b) = base.enum_ {
                            values = b.values;
                            info.name = b.name;
                            info.enum_class = b.enum_class;
                        }
                        if let Some(vc) = kw(call, "values_callable") {
                            if self.text(vc).contains(".value") {
                                values = self
                                    .classes
                                    .get(id)
                                    .map(|c| {
                                        c.members.iter().map(|(n, v)| v.clone().unwrap_or_else(|| n.clone())).collect()
                                    })
                                    .unwrap_or_default();
                            } else {
                                self.diag(vc, Severity::Warning, "values_callable not understood: member names used");
                            }
                        }
                    }
                    _ => return Err(format!("unsupported Enum argument `{}`", self.text(a))),
                }
            }
            info.values = values;
            if let Some(n) = kw(call, "name") {
                info.name = str_lit(n).map(|s| s.to_string());
            }
            if let Some(v) = kw(call, "native_enum").and_then(bool_lit) {
                info.native_enum = v;
            }
            if let Some(v) = kw(call, "create_constraint").and_then(bool_lit) {
                info.create_constraint = v;
            }
            info.length = kw(call, "length").and_then(int_lit).and_then(|v| u32::try_from(v).ok());
            info.inherit_schema = kw(call, "inherit_schema").and_then(bool_lit).unwrap_or(false);
        }
        t.create_constraint = info.create_constraint;
        t.enum_ = Some(info);
        Ok(t)
    }

    // ----- columns -----------------------------------------------------------

    /// Applies `Column(...)` / `mapped_column(...)` arguments to `spec`.
    fn column_args(&mut self, spec: &mut ColSpec, call: &'a ast::ExprCall, mapped: bool) {
        for (i, a) in call.arguments.args.iter().enumerate() {
            if i == 0 {
                if let Some(s) = str_lit(a) {
                    spec.name = Some(s.to_string());
                    continue;
                }
            }
            self.column_positional(spec, a);
        }
        for k in call.arguments.keywords.iter() {
            let Some(arg) = &k.arg else {
                // `**{"nullable": False}`: a literal dict spreads its items
                if let Expr::Dict(d) = self.deref(&k.value) {
                    if d.items.iter().all(|i| i.key.as_ref().and_then(str_lit).is_some()) {
                        for i in &d.items {
                            if let Some(key) = i.key.as_ref().and_then(str_lit) {
                                self.column_kw(spec, key, &i.value, mapped);
                            }
                        }
                        continue;
                    }
                }
                self.diag(k, Severity::Error, format!("`**{}` in a column is not evaluated: column skipped", self.text(&k.value)));
                spec.skip = Some(String::new());
                continue;
            };
            self.column_kw(spec, arg.as_str(), &k.value, mapped);
        }
    }

    fn column_positional(&mut self, spec: &mut ColSpec, a: &'a Expr) {
        let a = self.deref(a);
        if matches!(a, Expr::Call(c) if matches!(c.func.as_ref(), Expr::Attribute(at) if at.attr.as_str() == "with_variant")) {
            match self.eval_type(a) {
                Ok(t) => spec.type_ = Some(t),
                Err(m) => {
                    self.diag(a, Severity::Error, format!("{m}: column `{}` skipped", spec.key));
                    spec.skip = Some(String::new());
                }
            }
            return;
        }
        let head = match a {
            Expr::Call(c) => self.call_name(c),
            other => self.sa_name(other),
        };
        match head.as_deref() {
            Some("ForeignKey") => {
                if let Expr::Call(c) = a {
                    let fk = self.foreign_key(c);
                    spec.fks.push(fk);
                }
            }
            Some("Computed") => {
                if let Expr::Call(c) = a {
                    let sqltext = c.arguments.args.first().map(|s| self.sql_text(s)).unwrap_or_default();
                    spec.computed = Some(Computed { sqltext, persisted: kw(c, "persisted").and_then(bool_lit) });
                }
            }
            Some("CheckConstraint") => {
                // A column-level CHECK lives in `Column.constraints`, which
                // Alembic's autogenerate neither renders nor compares.
                self.diag(a, Severity::Warning, format!("column-level CheckConstraint on `{}` is invisible to Alembic autogenerate: ignored (put it in __table_args__)", spec.key));
            }
            Some("Identity" | "Sequence") => {
                self.diag(a, Severity::Warning, "Identity/Sequence has no effect on SQLite: ignored");
            }
            Some(n) if Self::is_type_name(n.rsplit('.').next().unwrap_or(n)) => match self.eval_type(a) {
                Ok(t) => spec.type_ = Some(t),
                Err(m) => {
                    self.diag(a, Severity::Error, format!("{m}: column `{}` skipped", spec.key));
                    spec.skip = Some(String::new());
                }
            },
            _ => {
                let ty = match self.resolve(a) {
                    Sym::Value(v) if matches!(v, Expr::Call(_) | Expr::Name(_) | Expr::Attribute(_)) => {
                        self.eval_type(v)
                    }
                    _ => Err(format!("unsupported column type `{}`", self.text(a))),
                };
                match ty {
                    Ok(t) => spec.type_ = Some(t),
                    Err(m) => {
                        self.diag(a, Severity::Error, format!("{m}: column `{}` skipped", spec.key));
                        spec.skip = Some(String::new());
                    }
                }
            }
        }
    }

    fn column_kw(&mut self, spec: &mut ColSpec, name: &str, v: &'a Expr, mapped: bool) {
        let _ = mapped;
        match name {
            "type_" => match self.eval_type(v) {
                Ok(t) => spec.type_ = Some(t),
                Err(m) => {
                    self.diag(v, Severity::Error, format!("{m}: column `{}` skipped", spec.key));
                    spec.skip = Some(String::new());
                }
            },
            "name" => spec.name = self.lit_str(v, name, spec),
            "primary_key" => spec.primary_key = self.lit_bool(v, name, spec).unwrap_or(false),
            "nullable" => spec.nullable = self.lit_bool(v, name, spec),
            "unique" => spec.unique = self.lit_bool(v, name, spec).unwrap_or(false),
            "index" => spec.index = self.lit_bool(v, name, spec).unwrap_or(false),
            "comment" => spec.comment = self.lit_str(v, name, spec),
            "sort_order" => {
                spec.sort_order = match int_lit(v) {
                    Some(i) => i,
                    None if is_none(v) => 0,
                    None => {
                        self.not_literal(v, name, spec);
                        0
                    }
                }
            }
            "autoincrement" => {
                spec.autoincrement = match (bool_lit(v), str_lit(v)) {
                    (Some(true), _) => Autoincrement::True,
                    (Some(false), _) => Autoincrement::False,
                    (_, Some("ignore_fk")) => Autoincrement::IgnoreFk,
                    (_, Some("auto")) => Autoincrement::Auto,
                    _ => {
                        self.not_literal(v, name, spec);
                        Autoincrement::Auto
                    }
                }
            }
            "server_default" => spec.server_default = self.server_default(v),
            "key" => spec.col_key = str_lit(v).map(|s| s.to_string()),
            "default" | "insert_default" => spec.client_default = client_default_repr(v),
            "onupdate"
            | "doc"
            | "info"
            | "init"
            | "repr"
            | "kw_only"
            | "deferred"
            | "deferred_group"
            | "deferred_raiseload"
            | "quote"
            | "system"
            | "use_existing_column"
            | "active_history"
            | "compare"
            | "hash"
            | "default_factory"
            | "dataclass_metadata"
            | "server_onupdate" => {}
            other => {
                self.diag(v, Severity::Warning, format!("column argument `{other}` is not interpreted: ignored"));
            }
        }
    }

    /// A column argument that must be a literal and is not: the column is
    /// refused (its value would be a guess).
    fn not_literal(&self, v: &'a Expr, arg: &str, spec: &mut ColSpec) {
        self.diag(
            v,
            Severity::Error,
            format!("`{arg}={}` of column `{}` is not a literal the playground can read: column skipped", self.text(v), spec.key),
        );
        spec.skip = Some(String::new());
    }

    fn lit_bool(&self, v: &'a Expr, arg: &str, spec: &mut ColSpec) -> Option<bool> {
        if is_none(v) {
            return None;
        }
        let b = bool_lit(v);
        if b.is_none() {
            self.not_literal(v, arg, spec);
        }
        b
    }

    fn lit_str(&self, v: &'a Expr, arg: &str, spec: &mut ColSpec) -> Option<String> {
        if is_none(v) {
            return None;
        }
        let s = str_lit(v).map(|s| s.to_string());
        if s.is_none() {
            self.not_literal(v, arg, spec);
        }
        s
    }

    fn server_default(&mut self, v: &'a Expr) -> Option<ServerDefault> {
        self.server_default_raw(v).map(|d| match d {
            ServerDefault::Text(t) => ServerDefault::Text(alembic_sqlite_default_text(t)),
            lit => lit,
        })
    }

    fn server_default_raw(&mut self, v: &'a Expr) -> Option<ServerDefault> {
        if let Some(s) = str_lit(v) {
            return Some(ServerDefault::Literal(s.to_string()));
        }
        if is_none(v) {
            return None;
        }
        if let Expr::Call(c) = v {
            match self.call_name(c).as_deref() {
                Some("text" | "sql.text" | "literal_column" | "expression.text") => {
                    if let Some(s) = c.arguments.args.first().and_then(str_lit) {
                        return Some(ServerDefault::Text(s.to_string()));
                    }
                }
                Some("DefaultClause") => {
                    if let Some(a) = c.arguments.args.first() {
                        return self.server_default_raw(a);
                    }
                }
                Some("true" | "sql.true" | "expression.true") => return Some(ServerDefault::Text("1".into())),
                Some("false" | "sql.false" | "expression.false") => return Some(ServerDefault::Text("0".into())),
                Some("null") => return Some(ServerDefault::Text("NULL".into())),
                Some(n) if n.starts_with("func.") => {
                    if let Some(s) = self.compile_func(n.trim_start_matches("func."), c) {
                        return Some(ServerDefault::Text(s));
                    }
                }
                _ => {}
            }
        }
        let t = self.text(v);
        self.diag(v, Severity::Error, format!("unsupported server_default `{t}`: server default skipped"));
        None
    }

    /// What SQLAlchemy's SQLite compiler makes of `func.<name>(...)`.
    fn compile_func(&self, name: &str, c: &'a ast::ExprCall) -> Option<String> {
        let lname = name.to_lowercase();
        if c.arguments.args.is_empty() {
            match lname.as_str() {
                "now" | "current_timestamp" => return Some("CURRENT_TIMESTAMP".into()),
                "current_date" => return Some("CURRENT_DATE".into()),
                "current_time" => return Some("CURRENT_TIME".into()),
                "localtimestamp" => return Some("DATETIME(CURRENT_TIMESTAMP, \"localtime\")".into()),
                "localtime" => return Some("LOCALTIME".into()),
                "current_user" => return Some("CURRENT_USER".into()),
                _ => {}
            }
        }
        let mut args = Vec::new();
        for a in c.arguments.args.iter() {
            if let Some(s) = str_lit(a) {
                args.push(format!("'{}'", s.replace('\'', "''")));
            } else if let Some(i) = int_lit(a) {
                args.push(i.to_string());
            } else if let Expr::Name(n) = a {
                // a class-body column (`func.lower(name)` in __table_args__)
                args.push(n.id.to_string());
            } else if let Expr::Attribute(at) = a {
                // `Model.column` / `table.c.column`
                let on_class = matches!(self.resolve(&at.value), Sym::Class(_));
                let on_c = matches!(at.value.as_ref(), Expr::Attribute(i) if i.attr.as_str() == "c");
                if !on_class && !on_c {
                    return None;
                }
                args.push(at.attr.to_string());
            } else if let Expr::Call(inner) = a {
                match self.call_name(inner).as_deref() {
                    Some("text" | "literal_column") => {
                        args.push(inner.arguments.args.first().and_then(str_lit)?.to_string())
                    }
                    Some(n) if n.starts_with("func.") => {
                        args.push(self.compile_func(n.trim_start_matches("func."), inner)?)
                    }
                    _ => return None,
                }
            } else {
                return None;
            }
        }
        Some(format!("{}({})", name, args.join(", ")))
    }

    fn sql_text(&self, e: &'a Expr) -> String {
        if let Some(s) = str_lit(e) {
            return s.to_string();
        }
        if let Expr::Call(c) = e {
            if let Some(s) = c.arguments.args.first().and_then(str_lit) {
                return s.to_string();
            }
        }
        self.text(e)
    }

    fn name_arg(&self, e: &'a Expr) -> Option<Name> {
        if let Some(s) = str_lit(e) {
            return Some(Name::plain(s));
        }
        if let Expr::Call(c) = e {
            if matches!(self.call_name(c).as_deref(), Some("conv" | "schema.conv" | "naming.conv" | "elements.conv")) {
                return c.arguments.args.first().and_then(str_lit).map(Name::conv);
            }
        }
        None
    }

    fn fk_target(&mut self, e: &'a Expr) -> Option<(String, String)> {
        let e = self.deref(e);
        if let Some(s) = str_lit(e) {
            let (table, col) = s.rsplit_once('.')?;
            let table = table.rsplit('.').next().unwrap_or(table);
            return Some((table.to_string(), col.to_string()));
        }
        if let Expr::Attribute(a) = e {
            let attr = a.attr.to_string();
            // Model.attr
            if let Sym::Class(id) = self.resolve(&a.value) {
                let (_, t) = self.classes.get(id)?.table.clone()?;
                return Some((t, attr));
            }
            // table.c.col / Model.__table__.c.col
            if let Expr::Attribute(inner) = a.value.as_ref() {
                if inner.attr.as_str() == "c" {
                    if let Sym::Table(_, t) = self.resolve(&inner.value) {
                        return Some((t, attr));
                    }
                }
            }
        }
        None
    }

    fn foreign_key(&mut self, c: &'a ast::ExprCall) -> FkSpec {
        for k in c.arguments.keywords.iter() {
            if !is_literal(&k.value) && self.name_arg(&k.value).is_none() {
                self.diag(k, Severity::Error, format!("`{}` of a ForeignKey is not a literal", self.text(k)));
            }
        }
        let target = c.arguments.args.first().and_then(|t| self.fk_target(t));
        if target.is_none() {
            let t = self.text(c);
            self.diag(
                c,
                Severity::Error,
                format!("ForeignKey target not understood in `{t}` (use \"table.column\"): foreign key skipped"),
            );
        }
        FkSpec {
            target,
            name: kw(c, "name").and_then(|n| self.name_arg(n)),
            ondelete: kw(c, "ondelete").and_then(str_lit).map(|s| s.to_string()),
            onupdate: kw(c, "onupdate").and_then(str_lit).map(|s| s.to_string()),
            deferrable: kw(c, "deferrable").and_then(bool_lit),
            initially: kw(c, "initially").and_then(str_lit).map(|s| s.to_string()),
            use_alter: kw(c, "use_alter").and_then(bool_lit).unwrap_or(false),
        }
    }

    // ----- tables ------------------------------------------------------------

    fn table_args(&mut self, e: &'a Expr) -> (Vec<TableItem>, Option<String>) {
        let e = self.deref(e);
        let mut items = Vec::new();
        let mut comment = None;
        let mut options = Vec::new();
        let mut handle_dict = |it: &mut Self, d: &'a ast::ExprDict| {
            for item in &d.items {
                if let Some(k) = item.key.as_ref().and_then(str_lit) {
                    if k == "comment" {
                        comment = str_lit(&item.value).map(|s| s.to_string());
                    } else if k == "sqlite_with_rowid" || k == "sqlite_strict" {
                        options.extend(it.sqlite_table_option(k, &item.value));
                    } else if !matches!(
                        k,
                        "sqlite_autoincrement" | "extend_existing" | "keep_existing" | "info" | "schema"
                    ) {
                        it.diag(
                            &item.value,
                            Severity::Warning,
                            format!("table argument `{k}` is not interpreted: ignored"),
                        );
                    }
                }
            }
        };
        match e {
            Expr::Dict(d) => handle_dict(self, d),
            Expr::Tuple(_) | Expr::List(_) => {
                for x in elts(e).unwrap_or(&[]) {
                    match x {
                        Expr::Dict(d) => handle_dict(self, d),
                        other => {
                            if let Some(item) = self.table_item(other) {
                                items.push(item);
                            }
                        }
                    }
                }
            }
            Expr::NoneLiteral(_) => {}
            other => self.diag(other, Severity::Error, "__table_args__ must be a tuple or dict: ignored"),
        }
        items.extend(options);
        (items, comment)
    }

    /// `sqlite_with_rowid=False` / `sqlite_strict=True`: a bool literal
    /// (they change the CREATE TABLE text), anything else an error.
    fn sqlite_table_option(&mut self, key: &str, value: &'a Expr) -> Option<TableItem> {
        let key = match key {
            "sqlite_with_rowid" => SqliteTableKw::WithRowid,
            _ => SqliteTableKw::Strict,
        };
        match bool_lit(value) {
            Some(value) => Some(TableItem::SqliteOption { key, value }),
            None => {
                if !matches!(value, Expr::NoneLiteral(_)) {
                    let t = self.text(value);
                    self.diag(value, Severity::Error, format!("table option `{t}` must be True or False: ignored"));
                }
                None
            }
        }
    }

    fn col_ref(&self, e: &'a Expr) -> Option<String> {
        if let Some(s) = str_lit(e) {
            return Some(s.to_string());
        }
        match e {
            Expr::Name(n) => Some(n.id.to_string()),
            Expr::Attribute(a) => Some(a.attr.to_string()),
            _ => None,
        }
    }

    fn table_item(&mut self, e: &'a Expr) -> Option<TableItem> {
        let e = self.deref(e);
        let Expr::Call(c) = e else {
            self.diag(e, Severity::Error, format!("unsupported table argument `{}`: ignored", self.text(e)));
            return None;
        };
        let name = kw(c, "name").and_then(|n| self.name_arg(n));
        let allowed: &[&str] = match self.call_name(c).as_deref() {
            Some("Index") => &["unique", "name", "info", "quote", "sqlite_where"],
            Some("ForeignKeyConstraint") => &[
                "name",
                "ondelete",
                "onupdate",
                "deferrable",
                "initially",
                "use_alter",
                "match",
                "info",
                "link_to_name",
            ],
            _ => &["name", "deferrable", "initially", "info"],
        };
        for k in c.arguments.keywords.iter() {
            // dialect options (`sqlite_where=`, `postgresql_using=`) are judged below
            let dialect_kw = k.arg.as_ref().map(|a| a.as_str().contains('_')).unwrap_or(false);
            if !dialect_kw && !is_literal(&k.value) && self.name_arg(&k.value).is_none() {
                let msg = format!("`{}` of `{}` is not a literal: ignored", self.text(k), self.text(c.func.as_ref()));
                self.diag(k, Severity::Error, msg);
                return None;
            }
            if let Some(a) = &k.arg {
                if !allowed.contains(&a.as_str()) {
                    let msg = format!(
                        "argument `{}` of `{}` is not interpreted: ignored",
                        a.as_str(),
                        self.text(c.func.as_ref())
                    );
                    self.diag(k, Severity::Warning, msg);
                }
            }
        }
        let cols = |it: &Self, skip: usize| -> Vec<String> {
            c.arguments
                .args
                .iter()
                .skip(skip)
                .filter_map(|a| {
                    let r = it.col_ref(a);
                    if r.is_none() {
                        it.refuse(a, format!("the constraint column `{}`", it.text(a)));
                    }
                    r
                })
                .collect()
        };
        match self.call_name(c).as_deref() {
            Some("Index") => {
                let name = c.arguments.args.first().and_then(|n| self.name_arg(n)).or(name);
                let mut columns = Vec::new();
                for a in c.arguments.args.iter().skip(1) {
                    if let Some(s) = str_lit(a) {
                        columns.push(IndexColumn::Column(s.to_string()));
                    } else if let Expr::Call(inner) = a {
                        let t = match self.call_name(inner).as_deref() {
                            Some("text" | "literal_column") => {
                                inner.arguments.args.first().and_then(str_lit).map(|s| s.to_string())
                            }
                            Some(n) if n.starts_with("func.") => {
                                self.compile_func(n.trim_start_matches("func."), inner)
                            }
                            _ => None,
                        };
                        match t {
                            Some(t) => columns.push(IndexColumn::Expression(t)),
                            None => {
                                let t = self.text(a);
                                self.diag(
                                    a,
                                    Severity::Error,
                                    format!("unsupported index expression `{t}`: index skipped"),
                                );
                                return None;
                            }
                        }
                    } else if let Some(cn) = self.col_ref(a) {
                        columns.push(IndexColumn::Column(cn));
                    }
                }
                let sqlite_where = self.index_sqlite_where(c)?;
                Some(TableItem::Index {
                    name,
                    columns,
                    unique: kw(c, "unique").and_then(bool_lit).unwrap_or(false),
                    sqlite_where,
                })
            }
            Some("UniqueConstraint") => Some(TableItem::Unique { name, columns: cols(self, 0) }),
            Some("PrimaryKeyConstraint") => Some(TableItem::Pk { name, columns: cols(self, 0) }),
            Some("CheckConstraint") => {
                let sqltext = c.arguments.args.first().map(|s| self.sql_text(s)).unwrap_or_default();
                Some(TableItem::Check { name, sqltext })
            }
            Some("ForeignKeyConstraint") => {
                let columns: Vec<String> = c
                    .arguments
                    .args
                    .first()
                    .and_then(elts)
                    .map(|es| es.iter().filter_map(|x| self.col_ref(x)).collect())
                    .unwrap_or_default();
                let mut targets = Vec::new();
                if let Some(es) = c.arguments.args.get(1).and_then(elts) {
                    for t in es {
                        match self.fk_target(t) {
                            Some(x) => targets.push(x),
                            None => {
                                self.diag(
                                    t,
                                    Severity::Error,
                                    "ForeignKeyConstraint target not understood: constraint skipped",
                                );
                                return None;
                            }
                        }
                    }
                }
                let fk = FkSpec {
                    target: None,
                    name: name.clone(),
                    ondelete: kw(c, "ondelete").and_then(str_lit).map(|s| s.to_string()),
                    onupdate: kw(c, "onupdate").and_then(str_lit).map(|s| s.to_string()),
                    deferrable: kw(c, "deferrable").and_then(bool_lit),
                    initially: kw(c, "initially").and_then(str_lit).map(|s| s.to_string()),
                    use_alter: kw(c, "use_alter").and_then(bool_lit).unwrap_or(false),
                };
                Some(TableItem::Fk { name, columns, targets, fk })
            }
            _ => {
                let t = self.text(c.func.as_ref());
                self.diag(c, Severity::Error, format!("unsupported table argument `{t}(...)`: ignored"));
                None
            }
        }
    }

    /// `Table("name", metadata, Column(...), ..., **kw)`.
    fn table_call(&mut self, call: &'a ast::ExprCall) -> Option<(usize, String)> {
        let args = &call.arguments.args;
        let Some(name) = args.first().and_then(str_lit) else {
            self.diag(call, Severity::Error, "Table() needs the table name as a string literal: table skipped");
            return None;
        };
        let md = match args.get(1) {
            Some(m) => self.metadata_ref(m),
            None => None,
        };
        let Some(md) = md else {
            self.diag(
                call,
                Severity::Error,
                format!("Table `{name}`: metadata argument not understood: table skipped"),
            );
            return None;
        };
        let mut specs = Vec::new();
        let mut items = Vec::new();
        for a in args.iter().skip(2) {
            let a = self.deref(a);
            if let Expr::Call(c) = a {
                if self.call_name(c).as_deref() == Some("Column") {
                    let mut spec = ColSpec::new("");
                    self.column_args(&mut spec, c, false);
                    if spec.name.is_none() {
                        self.diag(c, Severity::Error, "Column in Table() without a name: skipped");
                        continue;
                    }
                    spec.key = spec.col_name();
                    if spec.type_.is_none() {
                        spec.type_ = Some(SqlType::new(TypeClass::Null));
                    }
                    specs.push(spec);
                    continue;
                }
            }
            if let Some(item) = self.table_item(a) {
                items.push(item);
            }
        }
        for k in ["sqlite_with_rowid", "sqlite_strict"] {
            if let Some(v) = kw(call, k) {
                items.extend(self.sqlite_table_option(k, v));
            }
        }
        let comment = kw(call, "comment").and_then(str_lit).map(|s| s.to_string());
        self.build_table(md, name, specs, items, comment, call.range());
        Some((md, name.to_string()))
    }

    fn module_index(&mut self, call: &'a ast::ExprCall) {
        // Index("name", Model.col, ...) after the class: attaches to Model's table.
        let table = call.arguments.args.iter().skip(1).find_map(|a| match a {
            Expr::Attribute(at) => match self.resolve(&at.value) {
                Sym::Class(id) => self.classes.get(id).and_then(|c| c.table.clone()),
                _ => match at.value.as_ref() {
                    Expr::Attribute(inner) if inner.attr.as_str() == "c" => match self.resolve(&inner.value) {
                        Sym::Table(md, t) => Some((md, t)),
                        _ => None,
                    },
                    _ => None,
                },
            },
            _ => None,
        });
        let Some((md, t)) = table else {
            self.diag(call, Severity::Error, "Index() outside a table: its columns are not understood: skipped");
            return;
        };
        if let Some(item) = self.table_item_index(call) {
            self.attach_items(md, &t, vec![item]);
        }
    }

    fn table_item_index(&mut self, call: &'a ast::ExprCall) -> Option<TableItem> {
        // reuse table_item through a synthetic path
        let name = call.arguments.args.first().and_then(|n| self.name_arg(n));
        let columns = call
            .arguments
            .args
            .iter()
            .skip(1)
            .filter_map(|a| {
                let r = self.col_ref(a);
                if r.is_none() {
                    self.refuse(a, format!("the index column `{}`", self.text(a)));
                }
                r
            })
            .map(IndexColumn::Column)
            .collect();
        let sqlite_where = self.index_sqlite_where(call)?;
        Some(TableItem::Index {
            name,
            columns,
            unique: kw(call, "unique").and_then(bool_lit).unwrap_or(false),
            sqlite_where,
        })
    }

    /// `Index(..., sqlite_where=sa.text("..."))`: the partial index's
    /// predicate as SQL text. Anything else is an error and the index is
    /// skipped (`Err`), never built as a full index.
    fn index_sqlite_where(&mut self, call: &'a ast::ExprCall) -> Option<Option<String>> {
        let Some(w) = kw(call, "sqlite_where") else { return Some(None) };
        if let Expr::NoneLiteral(_) = w {
            return Some(None);
        }
        if let Expr::Call(inner) = w {
            if self.call_name(inner).as_deref() == Some("text") {
                if let Some(s) = inner.arguments.args.first().and_then(str_lit) {
                    return Some(Some(s.to_string()));
                }
            }
        }
        let t = self.text(w);
        self.diag(w, Severity::Error, format!("unsupported sqlite_where `{t}` (use sa.text(\"...\")): index skipped"));
        None
    }

    fn build_table(
        &mut self,
        md: usize,
        name: &str,
        specs: Vec<ColSpec>,
        items: Vec<TableItem>,
        comment: Option<String>,
        range: TextRange,
    ) {
        let Some(info) = self.mds.get_mut(md) else {
            return;
        };
        if info.md.tables.contains_key(name) {
            self.diag_at(
                range,
                Severity::Error,
                format!("Table '{name}' is already defined for this MetaData: skipped"),
            );
            return;
        }
        let mut t = Table::new(name);
        t.comment = comment;
        info.md.add_table(t);
        info.ranges.insert(name.to_string(), range);
        self.add_columns(md, name, specs);
        self.attach_items(md, name, items);
    }

    fn add_columns(&mut self, md: usize, table: &str, specs: Vec<ColSpec>) {
        let Some(info) = self.mds.get_mut(md) else {
            return;
        };
        let Some(t) = info.md.tables.get_mut(table) else {
            return;
        };
        let mut duplicates = Vec::new();
        let range = info.ranges.get(table).copied().unwrap_or_default();
        let explicit = info.explicit_nullable.entry(table.to_string()).or_default();
        let ck_cols = info.ck_columns.entry(table.to_string()).or_default();
        let keys = info.keys.entry(table.to_string()).or_default();
        for spec in specs {
            if spec.skip.is_some() {
                continue;
            }
            let cname = spec.col_name();
            if let Some(k) = &spec.col_key {
                if *k != cname {
                    keys.insert(k.clone(), cname.clone());
                }
            }
            if t.column(&cname).is_some() {
                // SQLAlchemy raises (DuplicateColumnError, or a conflict with an
                // inherited column); the first column is kept.
                duplicates.push(format!(
                    "A column with name '{cname}' is already present in table '{table}': second one skipped"
                ));
                continue;
            }
            let mut col =
                Column::new(cname.clone(), spec.type_.clone().unwrap_or_else(|| SqlType::new(TypeClass::Null)));
            col.primary_key = spec.primary_key;
            col.nullable = spec.nullable.unwrap_or(!spec.primary_key);
            if spec.nullable.is_some() {
                explicit.insert(cname.clone());
            }
            col.server_default = spec.server_default.clone();
            col.autoincrement = spec.autoincrement;
            col.computed = spec.computed.clone();
            col.comment = spec.comment.clone();
            col.client_default = spec.client_default.clone();
            t.columns.push(col);
            if spec.primary_key {
                let pk = t.primary_key.get_or_insert(PrimaryKeyConstraint { name: None, columns: Vec::new() });
                pk.columns.push(cname.clone());
            }
            if spec.index {
                t.indexes.push(Index {
                    name: None,
                    table: table.to_string(),
                    columns: vec![IndexColumn::Column(cname.clone())],
                    unique: spec.unique,
                    sqlite_where: None,
                });
            } else if spec.unique {
                t.unique_constraints.push(UniqueConstraint { name: None, columns: vec![cname.clone()] });
            }
            for fk in &spec.fks {
                if let Some((rt, rc)) = &fk.target {
                    t.foreign_keys.push(ForeignKeyConstraint {
                        name: fk.name.clone(),
                        columns: vec![cname.clone()],
                        referred_table: rt.clone(),
                        referred_columns: vec![rc.clone()],
                        ondelete: fk.ondelete.clone(),
                        onupdate: fk.onupdate.clone(),
                        deferrable: fk.deferrable,
                        initially: fk.initially.clone(),
                        use_alter: fk.use_alter,
                    });
                }
            }
            for (n, sql) in &spec.checks {
                t.check_constraints.push(CheckConstraint { name: n.clone(), sqltext: sql.clone() });
                ck_cols.push(vec![cname.clone()]);
            }
        }
        for d in duplicates {
            self.diag_at(range, Severity::Error, d);
        }
    }

    fn attach_items(&mut self, md: usize, table: &str, items: Vec<TableItem>) {
        let mut problems = Vec::new();
        {
            let Some(info) = self.mds.get_mut(md) else {
                return;
            };
            let Some(t) = info.md.tables.get_mut(table) else {
                return;
            };
            let explicit = info.explicit_nullable.entry(table.to_string()).or_default();
            let ck_cols = info.ck_columns.entry(table.to_string()).or_default();
            let keys = info.keys.get(table).cloned().unwrap_or_default();
            let by_key = |cols: Vec<String>| -> Vec<String> {
                cols.into_iter().map(|c| keys.get(&c).cloned().unwrap_or(c)).collect()
            };
            for item in items {
                let item = match item {
                    TableItem::Index { name, columns, unique, sqlite_where } => TableItem::Index {
                        name,
                        columns: columns
                            .into_iter()
                            .map(|c| match c {
                                IndexColumn::Column(n) => IndexColumn::Column(keys.get(&n).cloned().unwrap_or(n)),
                                e => e,
                            })
                            .collect(),
                        unique,
                        sqlite_where,
                    },
                    TableItem::Unique { name, columns } => TableItem::Unique { name, columns: by_key(columns) },
                    TableItem::Pk { name, columns } => TableItem::Pk { name, columns: by_key(columns) },
                    TableItem::Fk { name, columns, targets, fk } => {
                        TableItem::Fk { name, columns: by_key(columns), targets, fk }
                    }
                    other => other,
                };
                match item {
                    TableItem::Index { name, columns, unique, sqlite_where } => {
                        for c in &columns {
                            if let IndexColumn::Column(n) = c {
                                if t.column(n).is_none() {
                                    problems.push(format!("Index on table `{table}` names unknown column `{n}`"));
                                }
                            }
                        }
                        t.indexes.push(Index { name, table: table.to_string(), columns, unique, sqlite_where });
                    }
                    TableItem::Unique { name, columns } => {
                        t.unique_constraints.push(UniqueConstraint { name, columns })
                    }
                    TableItem::Check { name, sqltext } => {
                        t.check_constraints.push(CheckConstraint { name, sqltext });
                        ck_cols.push(Vec::new());
                    }
                    TableItem::Fk { name, columns, targets, fk } => {
                        let referred_table = targets.first().map(|(t, _)| t.clone()).unwrap_or_default();
                        t.foreign_keys.push(ForeignKeyConstraint {
                            name,
                            columns,
                            referred_table,
                            referred_columns: targets.into_iter().map(|(_, c)| c).collect(),
                            ondelete: fk.ondelete,
                            onupdate: fk.onupdate,
                            deferrable: fk.deferrable,
                            initially: fk.initially,
                            use_alter: fk.use_alter,
                        });
                    }
                    TableItem::Pk { name, columns } => {
                        for col in t.columns.iter_mut() {
                            if columns.contains(&col.name) {
                                col.primary_key = true;
                                if !explicit.contains(&col.name) {
                                    col.nullable = false;
                                }
                            }
                        }
                        t.primary_key = Some(PrimaryKeyConstraint { name, columns });
                    }
                    TableItem::SqliteOption { key: SqliteTableKw::WithRowid, value } => {
                        t.sqlite_with_rowid = Some(value)
                    }
                    TableItem::SqliteOption { key: SqliteTableKw::Strict, value } => t.sqlite_strict = Some(value),
                }
            }
        }
        let range = self.mds.get(md).and_then(|i| i.ranges.get(table).copied()).unwrap_or_default();
        for p in problems {
            self.diag_at(range, Severity::Error, p);
        }
    }

    // ----- SQLModel ----------------------------------------------------------

    fn sqlmodel_class(&mut self, id: usize, cd: &'a ast::StmtClassDef) {
        let mro = self.classes.get(id).map(|c| c.mro.clone()).unwrap_or_default();
        let mut fields: Vec<(String, &'a Expr, Option<&'a Expr>)> = Vec::new();
        let mut tablename = None;
        let mut table_args = None;
        for &b in mro.iter().rev() {
            let Some(bdef) = self.classes.get(b).and_then(|c| c.def) else {
                continue;
            };
            for st in &bdef.body {
                match st {
                    Stmt::AnnAssign(a) => {
                        let Expr::Name(n) = a.target.as_ref() else {
                            continue;
                        };
                        let name = n.id.to_string();
                        if Self::is_dunder(&name) || name == "model_config" {
                            if name == "__tablename__" {
                                tablename = a.value.as_deref().and_then(str_lit).map(|s| s.to_string());
                            }
                            continue;
                        }
                        if let Expr::Subscript(s) = a.annotation.as_ref() {
                            if matches!(self.resolve(&s.value), Sym::Ext(Lib::Typing, ref n) if n == "ClassVar") {
                                continue;
                            }
                        }
                        let item = (name.clone(), a.annotation.as_ref(), a.value.as_deref());
                        if let Some(slot) = fields.iter_mut().find(|f| f.0 == name) {
                            *slot = item;
                        } else {
                            fields.push(item);
                        }
                    }
                    Stmt::Assign(a) => {
                        for t in &a.targets {
                            if let Expr::Name(n) = t {
                                match n.id.as_str() {
                                    "__tablename__" => tablename = str_lit(&a.value).map(|s| s.to_string()),
                                    "__table_args__" => table_args = Some(a.value.as_ref()),
                                    _ => {}
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let tablename = tablename.unwrap_or_else(|| cd.name.to_lowercase());
        let mut specs = Vec::new();
        for (name, anno, value) in fields {
            if let Some(spec) = self.sqlmodel_field(&name, anno, value) {
                specs.push(spec);
            }
        }
        let md = self.sqlmodel_md();
        let (items, comment) = match table_args {
            Some(e) => self.table_args(e),
            None => (Vec::new(), None),
        };
        self.build_table(md, &tablename, specs, items, comment, cd.name.range());
        self.check_mapper_pk(cd, md, &tablename);
        if let Some(c) = self.classes.get_mut(id) {
            c.mapped = true;
            c.table = Some((md, tablename));
        }
    }

    fn sqlmodel_field(&mut self, name: &str, anno: &'a Expr, value: Option<&'a Expr>) -> Option<ColSpec> {
        let field = match value {
            Some(Expr::Call(c)) => match self.call_name(c).as_deref() {
                Some("Field") => Some(c),
                Some("Relationship") => return None,
                _ => None,
            },
            _ => None,
        };
        let ann = self.annotation(anno);
        if let Some(f) = field {
            if let Some(sa_col) = kw(f, "sa_column") {
                if let Expr::Call(cc) = sa_col {
                    if self.call_name(cc).as_deref() == Some("Column") {
                        let mut spec = ColSpec::new(name);
                        self.column_args(&mut spec, cc, false);
                        if spec.type_.is_none() {
                            spec.type_ = Some(SqlType::new(TypeClass::Null));
                        }
                        return Some(spec);
                    }
                }
                self.diag(
                    sa_col,
                    Severity::Error,
                    format!("sa_column of `{name}` is not a Column(...): field skipped"),
                );
                return None;
            }
        }
        let mut spec = ColSpec::new(name);
        let fkw = |k: &str| field.and_then(|f| kw(f, k));
        // SQLModel passes the field's default (its first argument, `default=`,
        // or the plain value) on as the Column's
        spec.client_default = match (field, value) {
            (Some(f), _) => f.arguments.args.first().or_else(|| kw(f, "default")).and_then(client_default_repr),
            (None, Some(v)) => client_default_repr(v),
            (None, None) => None,
        };
        // the type
        let type_ = if let Some(st) = fkw("sa_type") {
            self.eval_type(st)
        } else {
            self.sqlmodel_type(&ann, fkw("max_length"), fkw("max_digits"), fkw("decimal_places"))
        };
        match type_ {
            Ok(t) => spec.type_ = Some(t),
            Err(m) => {
                self.diag(anno, Severity::Error, format!("{m}: field `{name}` skipped"));
                return None;
            }
        }
        for k in ["primary_key", "index", "unique", "nullable"] {
            if let Some(v) = fkw(k) {
                if bool_lit(v).is_none() && !is_none(v) {
                    self.diag(v, Severity::Error, format!("`{k}={}` of field `{name}` is not a literal: field skipped", self.text(v)));
                    return None;
                }
            }
        }
        spec.primary_key = fkw("primary_key").and_then(bool_lit).unwrap_or(false);
        spec.index = fkw("index").and_then(bool_lit).unwrap_or(false);
        spec.unique = fkw("unique").and_then(bool_lit).unwrap_or(false);
        let mut nullable = !spec.primary_key && ann.optional;
        if let Some(n) = fkw("nullable").and_then(bool_lit) {
            nullable = n;
        }
        spec.nullable = Some(nullable);
        if let Some(fk) = fkw("foreign_key") {
            match self.fk_target(fk) {
                Some(target) => spec.fks.push(FkSpec {
                    target: Some(target),
                    name: None,
                    ondelete: fkw("ondelete").and_then(str_lit).map(|s| s.to_string()),
                    onupdate: None,
                    deferrable: None,
                    initially: None,
                    use_alter: false,
                }),
                None => self.diag(fk, Severity::Error, "foreign_key must be \"table.column\": foreign key skipped"),
            }
        }
        if let Some(Expr::Dict(d)) = fkw("sa_column_kwargs") {
            for item in &d.items {
                if let Some(k) = item.key.as_ref().and_then(str_lit) {
                    self.column_kw(&mut spec, k, &item.value, false);
                }
            }
        }
        if let Some(es) = fkw("sa_column_args").and_then(elts) {
            for a in es {
                self.column_positional(&mut spec, a);
            }
        }
        Some(spec)
    }

    fn sqlmodel_type(
        &mut self,
        ann: &AnnInfo<'a>,
        max_length: Option<&'a Expr>,
        max_digits: Option<&'a Expr>,
        decimal_places: Option<&'a Expr>,
    ) -> Result<SqlType, String> {
        let Some(inner) = ann.inner else {
            return Err("field has no type".into());
        };
        if let Sym::Class(id) = self.resolve(inner) {
            if self.classes.get(id).map(|c| c.kind == Kind::Enum).unwrap_or(false) {
                return Ok(self.enum_from_class(id));
            }
        }
        let key = self.type_key(inner);
        let u32_of = |e: Option<&Expr>| e.and_then(int_lit).and_then(|v| u32::try_from(v).ok());
        let class = match key.as_deref() {
            Some("Builtin:str" | "Other:EmailStr" | "Other:Path") => {
                let mut t = SqlType::new(TypeClass::AutoString);
                t.length = u32_of(max_length).filter(|l| *l > 0);
                return Ok(t);
            }
            Some("Builtin:float") => TypeClass::Float,
            Some("Builtin:bool") => TypeClass::Boolean,
            Some("Builtin:int") => TypeClass::Integer,
            Some("Datetime:datetime" | "Datetime:datetime.datetime") => TypeClass::UtcDateTime,
            Some("Datetime:date" | "Datetime:datetime.date") => TypeClass::Date,
            Some("Datetime:timedelta" | "Datetime:datetime.timedelta") => TypeClass::Interval,
            Some("Datetime:time" | "Datetime:datetime.time") => TypeClass::Time,
            Some("Builtin:bytes") => TypeClass::LargeBinary,
            Some("Decimal:Decimal" | "Decimal:decimal.Decimal") => {
                let mut t = SqlType::new(TypeClass::Numeric);
                t.precision = u32_of(max_digits);
                t.scale = u32_of(decimal_places);
                return Ok(t);
            }
            Some("Uuid:UUID" | "Uuid:uuid.UUID") => TypeClass::Uuid,
            _ => return Err(format!("no SQLModel column type for annotation `{}`", self.text(inner))),
        };
        let mut t = SqlType::new(class);
        if class == TypeClass::UtcDateTime {
            t.timezone = true;
        }
        Ok(t)
    }

    // ----- naming conventions ------------------------------------------------

    /// A column declared without a type but with a `ForeignKey` takes the
    /// referred column's type (SQLAlchemy resolves it when the FK resolves).
    fn finish_fk_types(&mut self, md: usize) {
        let Some(info) = self.mds.get_mut(md) else {
            return;
        };
        // `ForeignKey("t.key")` names the referred column by key.
        let keys = info.keys.clone();
        for t in info.md.tables.values_mut() {
            for fk in t.foreign_keys.iter_mut() {
                if let Some(km) = keys.get(&fk.referred_table) {
                    for rc in fk.referred_columns.iter_mut() {
                        if let Some(n) = km.get(rc) {
                            *rc = n.clone();
                        }
                    }
                }
            }
        }
        for _round in 0..4 {
            let mut updates = Vec::new();
            for t in info.md.tables.values() {
                for (ci, c) in t.columns.iter().enumerate() {
                    if c.type_.class != TypeClass::Null {
                        continue;
                    }
                    let fk = t
                        .foreign_keys
                        .iter()
                        .find(|f| f.columns.len() == f.referred_columns.len() && f.columns.contains(&c.name));
                    if let Some(fk) = fk {
                        let pos = fk.columns.iter().position(|x| *x == c.name).unwrap_or(0);
                        let target = info
                            .md
                            .tables
                            .get(&fk.referred_table)
                            .and_then(|rt| fk.referred_columns.get(pos).and_then(|rc| rt.column(rc)))
                            .map(|rc| rc.type_.clone());
                        if let Some(ty) = target {
                            if ty.class != TypeClass::Null {
                                updates.push((t.name.clone(), ci, ty));
                            }
                        }
                    }
                }
            }
            if updates.is_empty() {
                break;
            }
            for (tn, ci, ty) in updates {
                if let Some(col) = info.md.tables.get_mut(&tn).and_then(|t| t.columns.get_mut(ci)) {
                    col.type_ = ty;
                }
            }
        }
    }

    /// SQLAlchemy resolves every foreign key when Alembic sorts the tables;
    /// a missing target table or column fails the import.
    fn check_fk_targets(&mut self, md: usize) {
        let Some(info) = self.mds.get(md) else { return };
        let mut errors = Vec::new();
        for t in info.md.tables_in_order() {
            let range = info.ranges.get(&t.name).copied().unwrap_or_default();
            for fk in &t.foreign_keys {
                let Some(rt) = info.md.tables.get(&fk.referred_table) else {
                    let col = fk.columns.first().cloned().unwrap_or_default();
                    let rc = fk.referred_columns.first().cloned().unwrap_or_default();
                    errors.push((range, format!(
                        "Foreign key associated with column '{}.{col}' could not find table '{}' with which to generate a foreign key to target column '{rc}'",
                        t.name, fk.referred_table
                    )));
                    continue;
                };
                for rc in &fk.referred_columns {
                    if rt.column(rc).is_none() {
                        errors.push((range, format!(
                            "Could not initialize target column for ForeignKey '{}.{rc}' on table '{}': table '{}' has no column named '{rc}'",
                            fk.referred_table, t.name, fk.referred_table
                        )));
                    }
                }
            }
        }
        for (r, e) in errors {
            self.diag_at(r, Severity::Error, e);
        }
    }

    fn finish_names(&mut self, md: usize) {
        let mut errors: Vec<(TextRange, String)> = Vec::new();
        let Some(info) = self.mds.get_mut(md) else {
            return;
        };
        let nc = info.md.naming_convention.clone();
        let names: Vec<String> = info.md.table_order.clone();
        for tname in names {
            let range = info.ranges.get(&tname).copied().unwrap_or_default();
            let mut errs = Vec::new();
            let errors_before = errors.len();
            let _ = errors_before;
            let ck_cols = info.ck_columns.get(&tname).cloned().unwrap_or_default();
            let Some(t) = info.md.tables.get_mut(&tname) else {
                continue;
            };
            let snapshot = t.clone();
            let col_names = |cols: &[String]| cols.to_vec();
            if let Some(pk) = t.primary_key.as_mut() {
                let cols = col_names(&pk.columns);
                pk.name = final_name(&nc, "pk", pk.name.take(), &snapshot, &cols, None, &mut errs);
            }
            for fk in t.foreign_keys.iter_mut() {
                let cols = fk.columns.clone();
                let refd = Some((fk.referred_table.clone(), fk.referred_columns.clone()));
                fk.name = final_name(&nc, "fk", fk.name.take(), &snapshot, &cols, refd, &mut errs);
            }
            for uq in t.unique_constraints.iter_mut() {
                let cols = uq.columns.clone();
                uq.name = final_name(&nc, "uq", uq.name.take(), &snapshot, &cols, None, &mut errs);
            }
            for (i, ck) in t.check_constraints.iter_mut().enumerate() {
                let cols = ck_cols.get(i).cloned().unwrap_or_default();
                ck.name = final_name(&nc, "ck", ck.name.take(), &snapshot, &cols, None, &mut errs);
            }
            for ix in t.indexes.iter_mut() {
                let cols: Vec<String> = ix.columns.iter().map(|c| c.as_str().to_string()).collect();
                ix.name = final_name(&nc, "ix", ix.name.take(), &snapshot, &cols, None, &mut errs);
            }
            errors.extend(errs.into_iter().map(|e| (range, e)));
        }
        for (r, e) in errors {
            self.diag_at(r, Severity::Error, e);
        }
    }
}

/// The text Alembic renders inside `sa.text(...)` for a model's SQL server
/// default on SQLite: `SQLiteImpl.render_ddl_sql_expr` parenthesizes what
/// `_guess_if_default_is_unparenthesized_sql_expr` takes for an expression,
/// i.e. anything but one digit or `.`, a quoted `'...'` or `(...)`.
/// (`func.now()` → `(CURRENT_TIMESTAMP)`, `sa.true()` → `1`.)
pub(super) fn alembic_sqlite_default_text(text: String) -> String {
    let one_digit = text.chars().count() == 1 && text.chars().all(|c| c.is_ascii_digit() || c == '.');
    let wrapped = |open: char, close: char| {
        text.len() >= 3 && text.starts_with(open) && text.ends_with(close) && !text.contains('\n')
    };
    if text.is_empty() || one_digit || wrapped('\'', '\'') || wrapped('(', ')') {
        text
    } else {
        format!("({text})")
    }
}

/// SQLAlchemy's `util.merge_lists_w_ordering`: walk one list until an item
/// both lists share, then switch to the other list; the rest of the list
/// that ran out last is appended.
pub(super) fn merge_lists_w_ordering(a: &[String], b: &[String]) -> Vec<String> {
    let mut overlap: BTreeSet<&String> = a.iter().filter(|n| b.contains(n)).collect();
    let mut out: Vec<String> = Vec::new();
    let (mut ia, mut ib) = (a.iter(), b.iter());
    let mut on_a = true;
    loop {
        let cur = if on_a { &mut ia } else { &mut ib };
        let mut switched = false;
        for el in cur.by_ref() {
            if overlap.remove(el) {
                switched = true;
                break;
            }
            out.push(el.clone());
        }
        if switched {
            on_a = !on_a;
        } else {
            let other = if on_a { &mut ib } else { &mut ia };
            out.extend(other.cloned());
            return out;
        }
    }
}

fn info_name(classes: &[ClassInfo<'_>], id: usize) -> String {
    classes.get(id).map(|c| c.name.clone()).unwrap_or_default()
}

/// Finishes every constraint and index name of `md` with its naming
/// convention (see `final_name`); the errors of conventions that do not
/// apply. Check constraints count no columns.
pub(super) fn finish_metadata_names(md: &mut MetaData) -> Vec<String> {
    let nc = md.naming_convention.clone();
    let mut errs = Vec::new();
    for t in md.tables.values_mut() {
        let snapshot = t.clone();
        if let Some(pk) = t.primary_key.as_mut() {
            let cols = pk.columns.clone();
            pk.name = final_name(&nc, "pk", pk.name.take(), &snapshot, &cols, None, &mut errs);
        }
        for fk in t.foreign_keys.iter_mut() {
            let cols = fk.columns.clone();
            let refd = Some((fk.referred_table.clone(), fk.referred_columns.clone()));
            fk.name = final_name(&nc, "fk", fk.name.take(), &snapshot, &cols, refd, &mut errs);
        }
        for uq in t.unique_constraints.iter_mut() {
            let cols = uq.columns.clone();
            uq.name = final_name(&nc, "uq", uq.name.take(), &snapshot, &cols, None, &mut errs);
        }
        for ck in t.check_constraints.iter_mut() {
            ck.name = final_name(&nc, "ck", ck.name.take(), &snapshot, &[], None, &mut errs);
        }
        for ix in t.indexes.iter_mut() {
            let cols: Vec<String> = ix.columns.iter().map(|c| c.as_str().to_string()).collect();
            ix.name = final_name(&nc, "ix", ix.name.take(), &snapshot, &cols, None, &mut errs);
        }
    }
    errs
}

/// SQLAlchemy's `_constraint_name_for_table`.
fn final_name(
    nc: &BTreeMap<String, String>,
    kind: &str,
    raw: Option<Name>,
    table: &Table,
    cols: &[String],
    referred: Option<(String, Vec<String>)>,
    errors: &mut Vec<String>,
) -> Option<Name> {
    if let Some(n) = &raw {
        if n.conv {
            return raw;
        }
    }
    let Some(tpl) = nc.get(kind) else { return raw };
    if raw.is_some() && !tpl.contains("%(constraint_name)s") {
        return raw;
    }
    match format_convention(tpl, table, cols, referred.as_ref(), raw.as_ref().map(|n| n.value.as_str())) {
        Ok(s) => Some(Name::conv(s)),
        Err(e) => {
            errors.push(format!("naming convention for `{kind}` on table `{}`: {e}", table.name));
            raw
        }
    }
}

pub(crate) fn format_convention(
    tpl: &str,
    table: &Table,
    cols: &[String],
    referred: Option<&(String, Vec<String>)>,
    constraint_name: Option<&str>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = tpl;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(stripped) = after.strip_prefix('%') {
            out.push('%');
            rest = stripped;
            continue;
        }
        let Some(inner) = after.strip_prefix('(') else {
            return Err(format!("unsupported template `{tpl}`"));
        };
        let Some(close) = inner.find(")s") else {
            return Err(format!("unsupported template `{tpl}`"));
        };
        let token = &inner[..close];
        out.push_str(&token_value(token, table, cols, referred, constraint_name)?);
        rest = &inner[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn token_value(
    token: &str,
    table: &Table,
    cols: &[String],
    referred: Option<&(String, Vec<String>)>,
    constraint_name: Option<&str>,
) -> Result<String, String> {
    match token {
        "table_name" => return Ok(table.name.clone()),
        "constraint_name" => {
            return constraint_name.map(|s| s.to_string()).ok_or_else(|| {
                "the %(constraint_name)s token requires that the constraint is explicitly named".to_string()
            })
        }
        "referred_table_name" => return Ok(referred.map(|r| r.0.clone()).unwrap_or_default()),
        _ => {}
    }
    // [referred_]column_<idx>[N|_N]_<attr>
    let (is_ref, body) = match token.strip_prefix("referred_") {
        Some(b) => (true, b),
        None => (false, token),
    };
    let Some(body) = body.strip_prefix("column_0") else {
        return Err(format!("unknown token `{token}`"));
    };
    let (multi, sep, attr) = if let Some(a) = body.strip_prefix("_N_") {
        (true, "_", a)
    } else if let Some(a) = body.strip_prefix("N_") {
        (true, "", a)
    } else if let Some(a) = body.strip_prefix('_') {
        (false, "", a)
    } else {
        return Err(format!("unknown token `{token}`"));
    };
    let list: Vec<String> = if is_ref { referred.map(|r| r.1.clone()).unwrap_or_default() } else { cols.to_vec() };
    let render = |c: &String| -> Result<String, String> {
        match attr {
            "name" | "key" => Ok(c.clone()),
            "label" if !is_ref => Ok(format!("{}_{}", table.name, c)),
            _ => Err(format!("unknown token `{token}`")),
        }
    };
    if multi {
        let parts: Result<Vec<String>, String> = list.iter().map(render).collect();
        Ok(parts?.join(sep))
    } else {
        match list.first() {
            Some(c) => render(c),
            None => Ok(String::new()),
        }
    }
}

/// SQLAlchemy type class names → `TypeClass`.
fn type_class(n: &str) -> Option<TypeClass> {
    use TypeClass::*;
    Some(match n {
        "Integer" => Integer,
        "BigInteger" => BigInteger,
        "SmallInteger" => SmallInteger,
        "String" => String,
        "Text" => Text,
        "Unicode" => Unicode,
        "UnicodeText" => UnicodeText,
        "Boolean" => Boolean,
        "Numeric" => Numeric,
        "Float" => Float,
        "Double" => Double,
        "Date" => Date,
        "DateTime" => DateTime,
        "Time" => Time,
        "Interval" => Interval,
        "JSON" => Json,
        "LargeBinary" => LargeBinary,
        "Uuid" => Uuid,
        "AutoString" => AutoString,
        "UTCDateTime" => UtcDateTime,
        "INTEGER" | "INT" => IntegerUpper,
        "BIGINT" => BigIntUpper,
        "SMALLINT" => SmallIntUpper,
        "VARCHAR" => VarcharUpper,
        "NVARCHAR" => NVarcharUpper,
        "CHAR" => CharUpper,
        "NCHAR" => NCharUpper,
        "TEXT" => TextUpper,
        "CLOB" => ClobUpper,
        "BOOLEAN" => BooleanUpper,
        "NUMERIC" => NumericUpper,
        "DECIMAL" => DecimalUpper,
        "FLOAT" => FloatUpper,
        "REAL" => RealUpper,
        "DOUBLE" => DoubleUpper,
        "DOUBLE_PRECISION" => DoublePrecisionUpper,
        "DATE" => DateUpper,
        "DATETIME" => DateTimeUpper,
        "TIMESTAMP" => TimestampUpper,
        "TIME" => TimeUpper,
        "BLOB" => BlobUpper,
        "VARBINARY" => VarbinaryUpper,
        "BINARY" => BinaryUpper,
        "UUID" => UuidUpper,
        _ => return None,
    })
}
