//! Alembic and SQLAlchemy as modules of the evaluator, for migration
//! scripts: `alembic.op`, batch operations, `op.get_bind()`,
//! `sa.inspect(bind)`, and SQLAlchemy constructs.
//!
//! Invariants:
//! - Each `op.*` / `batch_op.*` call becomes one [`Op`], read from the call
//!   expression by `crate::script`'s readers (Alembic's exact signatures),
//!   and goes to the [`OpSink`] at once: online it has run before the next
//!   statement of the script is evaluated, so a body that raises part-way
//!   leaves what ran, as in Alembic. A batch block's ops go to the sink as
//!   one `Op::BatchAlterTable` when the `with` block ends without an
//!   exception (Alembic flushes the batch only then).
//! - SQLAlchemy constructs (`sa.Column(...)`, `sa.text(...)`,
//!   `t.c.x == None`, ...) are opaque values that remember the call that
//!   made them and its argument values; only the op readers interpret them,
//!   matching each argument expression of an op call to its value by
//!   source range. An argument built elsewhere in the same file (a
//!   variable, a helper's return value, a `*spread`, `**kwargs`) is first
//!   restated as the call that made it; a range that read differently for
//!   two arguments of one op (a construct made in a loop) is refused, never
//!   guessed. A type value reaches the readers as SQLite's DDL compiler sees
//!   it (`TypeDecorator` → `load_dialect_impl` / `impl`). Asking one for its
//!   truth value raises `TypeError`, as SQLAlchemy's clauses do.
//! - Whatever the playground cannot honour raises `NotImplementedError`
//!   at the call, with the reader's message; nothing is skipped.
//! - A [`ScriptProcess`] is one interpreter with these modules installed,
//!   for a whole project load: a revision file is evaluated once into its
//!   module object, and its functions are called on that object with the
//!   sink of each run (the sink is set only for the duration of the call).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::builtins::{native_fn, new_plain_class};
use super::eval::{Args, CallSite, Env, Interp, ModuleCode, R};
use super::value::*;
use super::{PyError, SourceRef};
use crate::db::QueryResult;
use crate::ops::{Literal, Op};
use crate::runtime::RuntimeError;
use crate::script::{self, Imports, Scalar, TypeValue};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

/// A Column, constraint or Index given to an op (or in a list or tuple
/// given to it) that a call in another module made: refused by name. The op
/// readers read a schema item from its call in the migration script (the
/// call's text with the values its arguments had), and a call in another
/// module is text of another file, whose names the script's imports do not
/// resolve. (Types made elsewhere are read from their values and work.)
fn schema_item_from_elsewhere(it: &Interp, site: &CallSite, method: &str, args: &Args) -> Option<Box<super::eval::Exc>> {
    const ITEMS: &[&str] = &[".Column", ".PrimaryKeyConstraint", ".ForeignKeyConstraint", ".UniqueConstraint", ".CheckConstraint", ".Index"];
    let mut values: Vec<&Value> = args.pos.iter().chain(args.kw.iter().map(|(_, v)| v)).collect();
    let mut nested: Vec<Value> = Vec::new();
    for v in &values {
        match v {
            Value::List(l) => nested.extend(l.borrow().iter().cloned()),
            Value::Tuple(t) => nested.extend(t.iter().cloned()),
            _ => {}
        }
    }
    values.extend(nested.iter());
    for v in values {
        let Value::Instance(i) = v else { continue };
        let Some(k) = construct_of(i) else { continue };
        let Some(made) = k.site.as_ref().filter(|m| !Rc::ptr_eq(&m.code, &site.code)) else { continue };
        let Some(kind) = ITEMS.iter().find(|s| k.path.ends_with(**s)) else { continue };
        let at = made.code.loc(made.call().range());
        return Some(it.exc(
            "NotImplementedError",
            format!(
                "{method}() of a sa.{} made in another module ({}:{}) is not supported by the playground: an op reads its \
                 columns and constraints from their calls in the migration script; write the sa.{}(...) call in the script",
                &kind[1..],
                at.file,
                at.line,
                &kind[1..]
            ),
        ));
    }
    None
}

/// Expressions the op readers may have evaluated again without side
/// effects: names, attribute chains, f-strings, arithmetic and subscripts of
/// those, literals.
fn pure(e: &Expr) -> bool {
    match e {
        Expr::Name(_) | Expr::StringLiteral(_) | Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) => true,
        Expr::Attribute(a) => pure(&a.value),
        Expr::BinOp(b) => pure(&b.left) && pure(&b.right),
        Expr::UnaryOp(u) => pure(&u.operand),
        Expr::Subscript(s) => pure(&s.value) && pure(&s.slice),
        Expr::FString(f) => f.value.iter().all(|part| match part {
            ast::FStringPart::Literal(_) => true,
            ast::FStringPart::FString(fs) => fs.elements.iter().all(|el| match el {
                ast::InterpolatedStringElement::Literal(_) => true,
                ast::InterpolatedStringElement::Interpolation(i) => pure(&i.expression) && i.format_spec.is_none(),
            }),
        }),
        _ => false,
    }
}

/// Reads an op call, resolving pure argument expressions in the caller's
/// scope and types from the values `args` the call was made with.
fn read_op_at(it: &mut Interp, site: &CallSite, imports: &Imports, method: &str, batch_table: Option<&str>, args: &Args) -> R<Op> {
    let receiver = if batch_table.is_some() { "batch_op" } else { "op" };
    if let Some(e) = schema_item_from_elsewhere(it, site, &format!("{receiver}.{method}"), args) {
        return Err(e);
    }
    let restated = restate_call(it, site, args);
    let call = restated.as_ref().unwrap_or(site.call());
    let mut values = Vec::new();
    argument_values(call, args, &site.code, &mut values);
    let cell = RefCell::new(&mut *it);
    let scalar = |v: Value| match v {
        Value::Str(s) => Some(Scalar::Str(s.to_string())),
        Value::Int(i) => Some(Scalar::Int(i)),
        Value::Bool(b) => Some(Scalar::Bool(b)),
        _ => None,
    };
    let resolve = |e: &Expr| -> Option<Scalar> {
        // the value the call was made with, else (a name inside an argument
        // the evaluator did not hand over) the expression evaluated again
        match recorded(&values, e.range()) {
            Recorded::One(v) => return scalar(v.clone()),
            // never evaluated again: that would give the loop's last value
            Recorded::Several => return None,
            Recorded::None => {}
        }
        if !pure(e) {
            return None;
        }
        let mut it = cell.try_borrow_mut().ok()?;
        match it.eval(e, &site.env()?).ok()? {
            Value::Str(s) => Some(Scalar::Str(s.to_string())),
            Value::Int(i) => Some(Scalar::Int(i)),
            Value::Bool(b) => Some(Scalar::Bool(b)),
            _ => None,
        }
    };
    let sa_type = |e: &Expr| -> Option<Result<TypeValue, String>> {
        let v = match recorded(&values, e.range()) {
            Recorded::One(v) => v.clone(),
            Recorded::Several => return Some(Err(SEVERAL_VALUES.to_string())),
            Recorded::None => return None,
        };
        let mut it = cell.try_borrow_mut().ok()?;
        match type_value(&mut it, &v, 0) {
            // `sa.Enum(PyEnum)`: the members' names, as models.py reads it
            Ok(Some(t)) if t.path.ends_with(".Enum") => match crate::models::objects::python_enum_args(&mut it, &t.args) {
                Ok(Some(e)) => Some(Ok(TypeValue { path: t.path, args: e.args })),
                Ok(None) => Some(Ok(t)),
                Err(exc) => Some(Err(it.to_error(exc).exception_line())),
            },
            Ok(t) => t.map(Ok),
            Err(exc) => Some(Err(it.to_error(exc).exception_line())),
        }
    };
    let r = script::read_op(src(&site.code), imports, call, method, batch_table, &resolve, &sa_type);
    drop(cell);
    r.map_err(|d| not_supported(it, &site.code, d))
}

/// What was recorded for one source range of an op call.
enum Recorded<'v> {
    None,
    One(&'v Value),
    /// Values that read differently: the same expression evaluated more than
    /// once for this op (a construct made in a loop or a comprehension).
    Several,
}

const SEVERAL_VALUES: &str = "this expression made several of the op's arguments with different values (a loop or \
                              a comprehension), and the playground reads arguments by their place in the source: \
                              write them out one by one";

fn recorded(values: &[(TextRange, Value)], range: TextRange) -> Recorded<'_> {
    let mut found = values.iter().filter(|(r, _)| *r == range).map(|(_, v)| v);
    let Some(first) = found.next() else { return Recorded::None };
    if found.all(|v| same_reading(first, v, 0)) {
        Recorded::One(first)
    } else {
        Recorded::Several
    }
}

/// Would the readers read `a` and `b` alike: the same object, equal
/// scalars, or constructs made by the same constructor with such arguments
/// (`sa.String(5)` made twice by one call in a loop)?
fn same_reading(a: &Value, b: &Value, depth: u32) -> bool {
    let args_alike = |x: &Args, y: &Args| {
        x.pos.len() == y.pos.len()
            && x.kw.len() == y.kw.len()
            && x.pos.iter().zip(y.pos.iter()).all(|(p, q)| same_reading(p, q, depth + 1))
            && x.kw.iter().zip(y.kw.iter()).all(|((k, p), (l, q))| k == l && same_reading(p, q, depth + 1))
    };
    match (a, b) {
        (Value::Instance(x), Value::Instance(y)) => {
            Rc::ptr_eq(x, y)
                || (depth < 8
                    && Rc::ptr_eq(&x.class, &y.class)
                    && match (construct_of(x), construct_of(y)) {
                        (Some(k), Some(l)) => k.path == l.path && k.parent.is_none() && l.parent.is_none() && args_alike(&k.args, &l.args),
                        _ => false,
                    })
        }
        (Value::Class(x), Value::Class(y)) => Rc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        (Value::Tuple(x), Value::Tuple(y)) => Rc::ptr_eq(x, y),
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::None, Value::None) => true,
        _ => false,
    }
}

/// The op call restated so that the readers, which read structure from call
/// expressions, can read arguments built elsewhere in the same file: an
/// argument whose value is a SQLAlchemy construct made by a call written
/// elsewhere (`col`, `make_column('x')`, `*columns`) stands for that call,
/// and the items of a `*spread` and the entries of a `**mapping` become one
/// argument each (constructs as their calls; str, int, bool and None as
/// literals placed at the spread). What cannot be restated (a construct made
/// in another module, a float or a type class in a spread) stays as written,
/// for the readers to refuse at its position. `None`: nothing to restate.
fn restate_call(it: &mut Interp, site: &CallSite, args: &Args) -> Option<ast::ExprCall> {
    restate_call_at(&mut SpreadLengths { it }, site.call(), site.env(), args, &site.code, 0)
}

/// The lengths of `*spread` expressions that can be evaluated again without
/// side effects (`*columns`), so that several spreads in one call line up.
struct SpreadLengths<'a> {
    it: &'a mut Interp,
}

impl SpreadLengths<'_> {
    fn of(&mut self, e: &Expr, env: &Rc<Env>) -> Option<usize> {
        if !pure(e) {
            return None;
        }
        match self.it.eval(e, env).ok()? {
            Value::List(l) => Some(l.borrow().len()),
            Value::Tuple(t) => Some(t.len()),
            _ => None,
        }
    }
}

/// The construct `v` is, when a call in `code` made it.
fn construct_here(v: &Value, code: &Rc<ModuleCode>) -> Option<Rc<Construct>> {
    let Value::Instance(i) = v else { return None };
    let k = construct_of(i)?;
    k.site.as_ref().is_some_and(|site| Rc::ptr_eq(&site.code, code)).then_some(k)
}

/// A literal reads as itself, without a value recorded for its range.
fn is_literal(e: &Expr) -> bool {
    matches!(e, Expr::StringLiteral(_) | Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_))
}

fn restate_call_at(lens: &mut SpreadLengths, call: &ast::ExprCall, env: Option<Rc<Env>>, args: &Args, code: &Rc<ModuleCode>, depth: u32) -> Option<ast::ExprCall> {
    // constructs made from constructs: as deep as the source nests, bounded
    if depth > 32 {
        return None;
    }
    let written = &call.arguments.args;
    let literal_spread = |e: &Expr| match e {
        Expr::Starred(s) => match s.value.as_ref() {
            Expr::List(l) => Some(l.elts.len()),
            Expr::Tuple(t) => Some(t.elts.len()),
            _ => None,
        },
        _ => Some(1),
    };
    let opaque: Vec<usize> = (0..written.len()).filter(|&i| literal_spread(&written[i]).is_none()).collect();
    let fixed: usize = written.iter().filter_map(literal_spread).sum();
    let mut changed = false;
    let mut new_args: Vec<Expr> = Vec::with_capacity(args.pos.len());
    let mut pos = args.pos.iter();
    // each opaque spread's length: evaluated again where pure, and at most
    // one of them taking what is left
    let mut lengths: Vec<Option<usize>> = opaque
        .iter()
        .map(|&i| match &written[i] {
            Expr::Starred(s) => lens.of(&s.value, env.as_ref()?),
            _ => None,
        })
        .collect();
    let known: usize = lengths.iter().flatten().sum();
    let rest = args.pos.len().checked_sub(fixed + known);
    match (lengths.iter().filter(|l| l.is_none()).count(), rest) {
        (0, Some(0)) => {}
        (1, Some(n)) => {
            if let Some(l) = lengths.iter_mut().find(|l| l.is_none()) {
                *l = Some(n);
            }
        }
        _ => lengths.iter_mut().for_each(|l| *l = None),
    }
    for (i, e) in written.iter().enumerate() {
        match e {
            Expr::Starred(s) if opaque.contains(&i) => {
                let n = opaque.iter().position(|&j| j == i).and_then(|k| lengths[k]);
                let items: Option<Vec<Expr>> = match n {
                    Some(n) => pos.by_ref().take(n).map(|v| restate_value(lens, v, s.range, code, depth)).collect(),
                    None => None,
                };
                match items {
                    Some(items) => {
                        changed = true;
                        new_args.extend(items);
                    }
                    // cannot line up: the rest as written
                    None => {
                        new_args.extend(written[i..].iter().cloned());
                        break;
                    }
                }
            }
            Expr::Starred(s) => {
                let elts = match s.value.as_ref() {
                    Expr::List(l) => &l.elts,
                    Expr::Tuple(t) => &t.elts,
                    _ => unreachable!("literal spreads only"),
                };
                for el in elts.iter() {
                    match pos.next() {
                        Some(v) => new_args.push(restate_arg(lens, el, v, code, depth, &mut changed)),
                        None => new_args.push(el.clone()),
                    }
                }
                changed = true;
            }
            other => match pos.next() {
                Some(v) => new_args.push(restate_arg(lens, other, v, code, depth, &mut changed)),
                None => new_args.push(other.clone()),
            },
        }
    }
    let written_names: Vec<&str> = call.arguments.keywords.iter().filter_map(|k| k.arg.as_ref().map(|a| a.as_str())).collect();
    let mut keywords: Vec<ast::Keyword> = Vec::with_capacity(call.arguments.keywords.len());
    for kw in call.arguments.keywords.iter() {
        match &kw.arg {
            Some(name) => {
                let value = match args.kwarg(name.as_str()) {
                    Some(v) => restate_arg(lens, &kw.value, v, code, depth, &mut changed),
                    None => kw.value.clone(),
                };
                keywords.push(ast::Keyword { value, ..kw.clone() });
            }
            None => {
                let spread: Option<Vec<ast::Keyword>> = args
                    .kw
                    .iter()
                    .filter(|(name, _)| !written_names.contains(&name.as_str()))
                    .map(|(name, v)| {
                        Some(ast::Keyword {
                            range: kw.range,
                            node_index: Default::default(),
                            arg: Some(ast::Identifier::new(name.as_str(), kw.range)),
                            value: restate_value(lens, v, kw.range, code, depth)?,
                        })
                    })
                    .collect();
                match spread {
                    Some(spread) => {
                        changed = true;
                        keywords.extend(spread);
                    }
                    None => keywords.push(kw.clone()),
                }
            }
        }
    }
    changed.then(|| ast::ExprCall {
        arguments: ast::Arguments {
            args: new_args.into_boxed_slice(),
            keywords: keywords.into_iter().collect(),
            ..call.arguments.clone()
        },
        ..call.clone()
    })
}

/// An argument `e` of a call with value `v`. Inside a restated construct
/// (`depth` > 0) a str/int/bool/None argument other than a call becomes its literal: the same
/// call may have made several of the op's constructs (a loop, a
/// comprehension), and a literal needs no lookup by source range.
fn restate_arg(lens: &mut SpreadLengths, e: &Expr, v: &Value, code: &Rc<ModuleCode>, depth: u32, changed: &mut bool) -> Expr {
    // a call stays (the readers know `op.f(...)` by its text)
    if depth > 0 && !is_literal(e) && !matches!(e, Expr::Call(_)) && !matches!(v, Value::Instance(_)) {
        if let Some(lit) = restate_value(lens, v, e.range(), code, depth) {
            *changed = true;
            return lit;
        }
    }
    restate_expr(lens, e, v, code, depth, changed)
}

/// `e` as the readers can read it, given its value `v` (see [`restate_call`]).
fn restate_expr(lens: &mut SpreadLengths, e: &Expr, v: &Value, code: &Rc<ModuleCode>, depth: u32, changed: &mut bool) -> Expr {
    let Some(k) = construct_here(v, code) else { return e.clone() };
    let site = k.site.as_ref().expect("construct_here checked the site");
    let made_here = matches!(e, Expr::Call(c) if c.range() == site.call().range());
    if !made_here {
        *changed = true;
    }
    match restate_call_at(lens, site.call(), site.env(), &k.args, code, depth + 1) {
        Some(c) => {
            *changed = true;
            Expr::Call(c)
        }
        None if made_here => e.clone(),
        None => Expr::Call(site.call().clone()),
    }
}

/// One item of a `*spread` or `**mapping` as an argument expression placed at
/// the spread (`at`); `None` when the value has no expression the readers take.
fn restate_value(lens: &mut SpreadLengths, v: &Value, at: TextRange, code: &Rc<ModuleCode>, depth: u32) -> Option<Expr> {
    let node_index = Default::default;
    Some(match v {
        Value::Instance(_) => {
            let k = construct_here(v, code)?;
            let site = k.site.as_ref()?;
            Expr::Call(restate_call_at(lens, site.call(), site.env(), &k.args, code, depth + 1).unwrap_or_else(|| site.call().clone()))
        }
        Value::Str(s) => Expr::StringLiteral(ast::ExprStringLiteral {
            range: at,
            node_index: node_index(),
            value: ast::StringLiteralValue::single(ast::StringLiteral {
                range: at,
                node_index: node_index(),
                value: s.as_ref().into(),
                flags: ast::StringLiteralFlags::empty(),
            }),
        }),
        Value::Int(i) if *i >= 0 => {
            Expr::NumberLiteral(ast::ExprNumberLiteral { range: at, node_index: node_index(), value: ast::Number::Int(ast::Int::from(*i as u64)) })
        }
        Value::Bool(b) => Expr::BooleanLiteral(ast::ExprBooleanLiteral { range: at, node_index: node_index(), value: *b }),
        Value::None => Expr::NoneLiteral(ast::ExprNoneLiteral { range: at, node_index: node_index() }),
        _ => return None,
    })
}

/// The values the evaluator gave the argument expressions of `call`
/// (`args`), and, through the SQLAlchemy constructs made by calls written
/// inside it, of their arguments too: (source range, value) pairs.
fn argument_values(call: &ast::ExprCall, args: &Args, code: &Rc<ModuleCode>, out: &mut Vec<(TextRange, Value)>) {
    let mut positional: Vec<&Expr> = Vec::new();
    for arg in call.arguments.args.iter() {
        match arg {
            Expr::Starred(s) => match s.value.as_ref() {
                Expr::List(l) => positional.extend(l.elts.iter()),
                Expr::Tuple(t) => positional.extend(t.elts.iter()),
                // the values after an unknown-length spread do not line up
                _ => break,
            },
            other => positional.push(other),
        }
    }
    for (e, v) in positional.into_iter().zip(args.pos.iter()) {
        value_of_expr(e, v, code, out);
    }
    for kw in call.arguments.keywords.iter() {
        if let Some(name) = &kw.arg {
            if let Some(v) = args.kwarg(name.as_str()) {
                value_of_expr(&kw.value, v, code, out);
            }
        }
    }
}

fn value_of_expr(e: &Expr, v: &Value, code: &Rc<ModuleCode>, out: &mut Vec<(TextRange, Value)>) {
    // restated literals share their spread's range
    if is_literal(e) {
        return;
    }
    out.push((e.range(), v.clone()));
    match (e, v) {
        (Expr::Call(c), Value::Instance(i)) => {
            if let Some(k) = construct_of(i) {
                if let Some(site) = &k.site {
                    if Rc::ptr_eq(&site.code, code) && site.call().range() == c.range() {
                        argument_values(c, &k.args, code, out);
                    }
                }
            }
        }
        (Expr::List(l), Value::List(items)) => {
            let items = items.borrow().clone();
            for (e, v) in l.elts.iter().zip(items.iter()) {
                value_of_expr(e, v, code, out);
            }
        }
        (Expr::Tuple(t), Value::Tuple(items)) => {
            for (e, v) in t.elts.iter().zip(items.iter()) {
                value_of_expr(e, v, code, out);
            }
        }
        _ => {}
    }
}

/// Is `c` a project's subclass of SQLAlchemy's `TypeDecorator`?
pub(crate) fn is_type_decorator(c: &Rc<Class>) -> bool {
    !is_sa_class(c) && c.mro_all().any(|k| k.name == "TypeDecorator" && is_sa_class(k))
}

pub(crate) fn is_sa_class(c: &Class) -> bool {
    c.module == "sqlalchemy" || c.module.starts_with("sqlalchemy.") || c.module == "sqlmodel" || c.module.starts_with("sqlmodel.")
}

/// The type SQLite's DDL compiler sees for the value `v`, as SQLAlchemy's
/// `TypeDecorator.type_engine(dialect)` finds it: a class is instantiated
/// with no arguments (`to_instance`); a `TypeDecorator` gives its
/// `load_dialect_impl(dialect)` (with the SQLite dialect) when the project
/// overrides it, else its `impl`. `None` when `v` is not a type.
pub(super) fn type_value(it: &mut Interp, v: &Value, depth: u32) -> R<Option<TypeValue>> {
    if let Some(t) = plain_type_value(v) {
        return Ok(Some(t));
    }
    if depth > 16 {
        return Err(it.exc("RecursionError", "TypeDecorator impl chain too deep"));
    }
    match v {
        Value::Class(c) if is_type_decorator(c) => {
            let inst = it.call(v, Args::default())?;
            type_value(it, &inst, depth + 1)
        }
        Value::Class(c) if is_sa_class(c) => Ok(Some(TypeValue { path: format!("{}.{}", c.module, c.name), args: Args::default() })),
        Value::Instance(i) if is_type_decorator(&i.class) => {
            let next = decorator_dialect_impl(it, v, i)?;
            type_value(it, &next, depth + 1)
        }
        Value::Instance(i) => Ok(construct_of(i).filter(|_| is_sa_class(&i.class)).map(|k| TypeValue { path: k.path.clone(), args: k.args.clone() })),
        _ => Ok(None),
    }
}

/// A SQLAlchemy type class or instance (not a project's `TypeDecorator`):
/// its path and constructor arguments, read without evaluating anything.
pub(crate) fn plain_type_value(v: &Value) -> Option<TypeValue> {
    match v {
        Value::Class(c) if is_sa_class(c) => Some(TypeValue { path: format!("{}.{}", c.module, c.name), args: Args::default() }),
        Value::Instance(i) if is_sa_class(&i.class) => construct_of(i).map(|k| TypeValue { path: k.path.clone(), args: k.args.clone() }),
        _ => None,
    }
}

/// One step of `TypeDecorator.type_engine(dialect)` for the project's
/// decorator instance `v` (= `i`): its `load_dialect_impl(dialect)` with the
/// SQLite dialect when the project overrides it, else its impl instance.
pub(crate) fn decorator_dialect_impl(it: &mut Interp, v: &Value, i: &Rc<Instance>) -> R<Value> {
    let own = i.class.mro_all().take_while(|k| !is_sa_class(k)).any(|k| k.dict.borrow().get_str("load_dialect_impl").is_some());
    if own {
        let f = it.getattr(v, "load_dialect_impl")?;
        let dialect = sqlite_dialect(it);
        it.call(&f, Args::new(vec![dialect]))
    } else {
        decorator_impl_instance(it, v, i)
    }
}

/// `TypeDecorator.impl_instance`: `TypeDecorator.__init__` sets
/// `self.impl = to_instance(cls.impl, *args, **kwargs)`.
pub(crate) fn decorator_impl_instance(it: &mut Interp, v: &Value, i: &Rc<Instance>) -> R<Value> {
    if let Some(own) = i.get("impl") {
        return Ok(own);
    }
    let class_impl = it.getattr(v, "impl")?;
    match class_impl {
        Value::Class(_) => {
            let args = construct_of(i).map(|k| k.args.clone()).unwrap_or_default();
            it.call(&class_impl, args)
        }
        other => Ok(other),
    }
}

/// SQLAlchemy's SQLite dialect as scripts and `TypeDecorator`s see it:
/// `name`, `driver`, and `type_descriptor(t)` (SQLite adapts no type a
/// project names).
pub(super) fn sqlite_dialect(it: &mut Interp) -> Value {
    let cls = new_plain_class(it, "SQLiteDialect_pysqlite", "sqlalchemy.dialects.sqlite.pysqlite");
    cls.dict.borrow_mut().set_str("type_descriptor", native_fn("type_descriptor", |it, a| {
        a.pos.get(1).cloned().ok_or_else(|| it.type_error("type_descriptor() missing 1 required positional argument: 'typeobj'"))
    }));
    let dialect = Instance::new(cls);
    dialect.set("name", Value::str("sqlite"));
    dialect.set("driver", Value::str("pysqlite"));
    Value::Instance(Rc::new(dialect))
}

/// Where a running script's ops go.
pub trait OpSink {
    /// What the script's `print()` calls wrote before the op that follows
    /// (or before the function returned): stdout, in order with the SQL
    /// `--sql` prints.
    fn printed(&mut self, text: &str);
    /// What the script's log records wrote to stderr before the op that
    /// follows (or before the function returned), as the configured
    /// process writes them (the run's env.py configured logging).
    fn logged(&mut self, text: &str);
    /// Runs (online) or renders (offline) one op.
    fn op(&mut self, op: Op) -> Result<(), RuntimeError>;
    /// Runs a query online; `None` offline (there is no database).
    fn query(&mut self, sql: &str) -> Result<Option<QueryResult>, RuntimeError>;
    /// `MigrationContext.autocommit_block()` entered (`on`) or left.
    fn autocommit(&mut self, on: bool) -> Result<(), RuntimeError>;
    /// The command and env.py configuration the run is part of.
    fn environment(&self) -> &MigrationEnvironment;
}

/// The command whose `EnvironmentContext` a script runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnvironmentCommand {
    #[default]
    Upgrade,
    Downgrade,
    Stamp { purge: bool },
}

/// What `MigrationContext.opts` holds while a script runs: the command's
/// `EnvironmentContext(...)` arguments, then what the reference env.py's
/// `context.configure(...)` sets (`render_as_batch=True`, the rest
/// Alembic 1.20.1's defaults).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MigrationEnvironment {
    pub command: EnvironmentCommand,
    /// `--sql`
    pub as_sql: bool,
    /// `FROM` of an offline `FROM:TO` range.
    pub starting_rev: Option<String>,
    /// The target(s) as given on the command line (stamp takes several).
    pub destination: Vec<String>,
    /// `--tag`
    pub tag: Option<String>,
    /// `-x` values, in order.
    pub x_arguments: Vec<String>,
    /// env.py's `target_metadata.naming_convention` (models.py's MetaData).
    pub naming_convention: BTreeMap<String, String>,
}

/// Collects ops without running them (a script's static view).
#[derive(Default)]
pub struct RecordingSink {
    pub ops: Vec<Op>,
    pub environment: MigrationEnvironment,
}

impl OpSink for RecordingSink {
    fn environment(&self) -> &MigrationEnvironment {
        &self.environment
    }
    /// A static view shows ops; what the script prints is a run's output.
    fn printed(&mut self, _: &str) {}
    fn logged(&mut self, _: &str) {}
    fn op(&mut self, op: Op) -> Result<(), RuntimeError> {
        self.ops.push(op);
        Ok(())
    }
    fn query(&mut self, _: &str) -> Result<Option<QueryResult>, RuntimeError> {
        Ok(None)
    }
    fn autocommit(&mut self, _: bool) -> Result<(), RuntimeError> {
        Ok(())
    }
}

/// Why running a script function stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptRunError {
    /// An op failed in the database or the DDL layer.
    Runtime(RuntimeError),
    /// The script raised (or the playground refused a construct).
    Python(PyError),
}

/// State the native functions share while a script runs.
pub struct ScriptHost {
    /// The sink of the run in progress. Set only inside [`with_sink`] for
    /// the duration of the borrow it was made from, cleared on exit.
    sink: RefCell<Option<*mut (dyn OpSink + 'static)>>,
    /// The error an op raised as a Python exception, to hand back typed.
    pending: RefCell<Option<RuntimeError>>,
    /// Each module's imports, by the address of its code (kept alive here,
    /// so the address is not reused).
    imports: RefCell<rustc_hash::FxHashMap<usize, (Rc<ModuleCode>, Rc<Imports>)>>,
}

impl ScriptHost {
    pub fn new() -> Rc<ScriptHost> {
        Rc::new(ScriptHost { sink: RefCell::new(None), pending: RefCell::new(None), imports: RefCell::new(Default::default()) })
    }

    fn imports_of(&self, code: &Rc<ModuleCode>) -> Rc<Imports> {
        let key = Rc::as_ptr(code) as usize;
        if let Some((_, i)) = self.imports.borrow().get(&key) {
            return i.clone();
        }
        let i = Rc::new(script::module_imports(&code.module));
        self.imports.borrow_mut().insert(key, (code.clone(), i.clone()));
        i
    }

    pub(super) fn with_sink_do<T>(&self, it: &Interp, f: impl FnOnce(&mut dyn OpSink) -> Result<T, RuntimeError>) -> R<T> {
        let ptr = *self.sink.borrow();
        let Some(ptr) = ptr else {
            return Err(it.exc("RuntimeError", "alembic.op is only usable while a migration runs"));
        };
        // SAFETY: `ptr` is set by `with_sink` from a `&mut dyn OpSink` that
        // outlives the call, and cleared before that borrow ends; sinks do
        // not call back into the evaluator, so there is no aliasing.
        let sink = unsafe { &mut *ptr };
        match f(sink) {
            Ok(v) => Ok(v),
            Err(e) => {
                let qualified = e.python_exception().to_string();
                let class = qualified.rsplit('.').next().unwrap_or("Exception").to_string();
                let msg = e.to_string();
                *self.pending.borrow_mut() = Some(e);
                // Python's own exceptions (Alembic's NotImplementedError of an
                // ALTER SQLite lacks) are the builtin classes, so `except` catches them
                if !qualified.contains('.') && it.types.exceptions.contains_key(class.as_str()) {
                    return Err(it.exc(&class, msg));
                }
                Err(raise_named(it, &class, "sqlalchemy.exc", &msg))
            }
        }
    }

    fn apply(&self, it: &mut Interp, op: Op) -> R<()> {
        let printed = std::mem::take(&mut it.output);
        let logged = std::mem::take(&mut it.log).configured;
        self.with_sink_do(it, |s| {
            s.printed(&printed);
            s.logged(&logged);
            s.op(op)
        })
    }

    /// Whether the run in progress renders SQL (`--sql`) instead of running it.
    pub(super) fn offline(&self) -> bool {
        self.sink_environment().is_some_and(|e| e.as_sql)
    }

    /// The environment of the run in progress, if any.
    fn sink_environment(&self) -> Option<MigrationEnvironment> {
        let ptr = (*self.sink.borrow())?;
        // SAFETY: as in `with_sink_do`; only read for the duration of the call.
        let sink = unsafe { &*ptr };
        Some(sink.environment().clone())
    }
}

/// Runs `f` with `sink` as the destination of `host`'s ops.
pub fn with_sink<T>(host: &ScriptHost, sink: &mut dyn OpSink, f: impl FnOnce() -> T) -> T {
    // SAFETY: the lifetime is erased only for the duration of `f`; the slot
    // is cleared before `sink`'s borrow ends (also on unwind, by the guard).
    let ptr: *mut (dyn OpSink + '_) = sink;
    let ptr: *mut (dyn OpSink + 'static) = unsafe { std::mem::transmute(ptr) };
    struct Clear<'h>(&'h ScriptHost);
    impl Drop for Clear<'_> {
        fn drop(&mut self) {
            *self.0.sink.borrow_mut() = None;
        }
    }
    *host.sink.borrow_mut() = Some(ptr);
    let _guard = Clear(host);
    f()
}

impl ScriptHost {
    /// The typed error of an op that failed, when `e` is that failure.
    pub fn take_failure(&self, e: PyError) -> ScriptRunError {
        match self.pending.borrow_mut().take() {
            Some(r) if e.mro.iter().any(|c| r.python_exception().ends_with(c.as_str()) && c != "Exception") => ScriptRunError::Runtime(r),
            _ => ScriptRunError::Python(e),
        }
    }
}

/// A fresh exception class `module.name` (a subclass of `Exception`).
pub(crate) fn raise_named(it: &Interp, name: &str, module: &str, msg: &str) -> Box<super::eval::Exc> {
    if let Some(cls) = SA_EXCEPTIONS.iter().find(|e| e.0 == name).and_then(|_| shared_exception_class(it, name)) {
        let inst = Instance::new(cls);
        inst.set("args", Value::tuple(vec![Value::str(msg)]));
        return Box::new(super::eval::Exc { value: Value::Instance(Rc::new(inst)), loc: None, frames: Vec::new(), fatal: false });
    }
    let base = it.types.exceptions["Exception"].clone();
    let bases = vec![base];
    let cls = Class::new(name, module, bases, BuiltinType::Exception, None);
    let inst = Instance::new(cls);
    inst.set("args", Value::tuple(vec![Value::str(msg)]));
    Box::new(super::eval::Exc { value: Value::Instance(Rc::new(inst)), loc: None, frames: Vec::new(), fatal: false })
}

/// The reader refused the call: its exception (`TypeError` for arguments
/// the signature does not take, else `NotImplementedError`) at the
/// reader's position.
fn not_supported(it: &Interp, code: &ModuleCode, r: script::ReadError) -> Box<super::eval::Exc> {
    let d = r.diagnostic;
    let mut e = match SA_EXCEPTIONS.iter().any(|x| x.0 == r.exception) {
        true => raise_named(it, r.exception, "sqlalchemy.exc", &d.message),
        false => it.exc(r.exception, d.message),
    };
    e.loc = Some(super::eval::Loc { file: code.file.clone(), line: d.line, column: d.column });
    e
}

fn src(code: &ModuleCode) -> SourceRef<'_> {
    SourceRef { source: &code.source, index: &code.index }
}

/// Alembic's `Operations` methods (1.20): every name `op.<name>` has.
const OP_METHODS: &[&str] = &[
    "add_column", "alter_column", "batch_alter_table", "bulk_insert", "create_check_constraint", "create_exclude_constraint",
    "create_foreign_key", "create_index", "create_primary_key", "create_table", "create_table_comment", "create_unique_constraint",
    "drop_column", "drop_constraint", "drop_index", "drop_table", "drop_table_comment", "execute", "f", "get_bind", "get_context",
    "implementation_for", "inline_literal", "invoke", "register_operation", "rename_table", "run_async",
];

/// Registers `alembic`, `alembic.op` and the SQLAlchemy modules.
pub fn install(it: &mut Interp, host: Rc<ScriptHost>) {
    it.native_references.push(construct_references);
    it.native_references.push(super::orm::native_references);
    let h = host.clone();
    it.register_module("alembic", Rc::new(move |it: &mut Interp| {
        let m = it.new_native_module("alembic");
        m.globals.set("__version__", Value::str("1.20.1"));
        let op = op_module(it, h.clone());
        it.modules.insert("alembic.op".into(), op.clone());
        m.globals.set("op", Value::Module(op));
        let context = it.new_native_module("alembic.context");
        let h2 = h.clone();
        context.globals.set("get_bind", native_fn("get_bind", move |it, _| Ok(connection(it, h2.clone()))));
        let h3 = h.clone();
        context.globals.set("get_context", native_fn("get_context", move |it, _| migration_context(it, h3.clone())));
        let h4 = h.clone();
        context.globals.set("is_offline_mode", native_fn("is_offline_mode", move |it, _| match h4.sink_environment() {
            Some(env) => Ok(Value::Bool(env.as_sql)),
            None => Err(it.exc("NotImplementedError", "context.is_offline_mode() outside a migration is not supported by the playground")),
        }));
        let h5 = h.clone();
        context.globals.set("get_tag_argument", native_fn("get_tag_argument", move |it, _| match h5.sink_environment() {
            Some(env) => Ok(env.tag.as_deref().map(Value::str).unwrap_or(Value::None)),
            None => Err(it.exc("NotImplementedError", "context.get_tag_argument() outside a migration is not supported by the playground")),
        }));
        let h6 = h.clone();
        context.globals.set("get_x_argument", native_fn("get_x_argument", move |it, a| {
            let as_dictionary = match (a.pos.as_slice(), a.kw.as_slice()) {
                ([], []) => false,
                ([v], []) => it.truthy(v)?,
                ([], [(k, v)]) if k == "as_dictionary" => it.truthy(v)?,
                _ => return Err(it.type_error("get_x_argument() takes one argument, as_dictionary")),
            };
            let Some(env) = h6.sink_environment() else {
                return Err(it.exc("NotImplementedError", "context.get_x_argument() outside a migration is not supported by the playground"));
            };
            if !as_dictionary {
                return Ok(Value::list(env.x_arguments.iter().map(|x| Value::str(x)).collect()));
            }
            // `partition("=")`: a later value of a key replaces the earlier
            let mut d = Dict::new();
            for x in &env.x_arguments {
                let (key, value) = x.split_once('=').unwrap_or((x, ""));
                d.set_str(key, Value::str(value));
            }
            Ok(Value::dict(d))
        }));
        let cfg_value = alembic_config(it);
        context.globals.set("config", cfg_value);
        it.modules.insert("alembic.context".into(), context.clone());
        let config = it.new_native_module("alembic.config");
        let cfg = new_plain_class(it, "Config", "alembic.config");
        cfg.dict.borrow_mut().set_str("__init__", native_fn("__init__", |it, _| {
            Err(it.exc("NotImplementedError", "alembic.config.Config is not available to scripts in the playground"))
        }));
        config.globals.set("Config", Value::Class(cfg));
        it.modules.insert("alembic.config".into(), config.clone());
        m.globals.set("config", Value::Module(config));
        m.globals.set("context", Value::Module(context));
        Ok(m)
    }));
    let h = host.clone();
    it.register_module("alembic.op", Rc::new(move |it: &mut Interp| {
        it.import_module("alembic")?;
        match it.modules.get("alembic.op") {
            Some(m) => Ok(m.clone()),
            None => Ok(op_module(it, h.clone())),
        }
    }));
    for name in SA_MODULES {
        let h = host.clone();
        it.register_module(name, Rc::new(move |it: &mut Interp| Ok(sa_module(it, name, h.clone()))));
    }
}

fn op_module(it: &mut Interp, host: Rc<ScriptHost>) -> Rc<Module> {
    let m = it.new_native_module("alembic.op");
    for &name in OP_METHODS {
        let h = host.clone();
        let f = match name {
            "f" => native_fn("f", |it, a| {
                a.pos.first().cloned().or_else(|| a.kwarg("name").cloned()).ok_or_else(|| it.type_error("f() missing 1 required positional argument: 'name'"))
            }),
            "get_bind" => native_fn("get_bind", move |it, _| Ok(connection(it, h.clone()))),
            "inline_literal" => native_fn("inline_literal", inline_literal),
            "get_context" => native_fn("get_context", move |it, _| migration_context(it, h.clone())),
            "execute" => native_fn("execute", move |it, a| {
                let sql = statement_sql(it, &a, "execute", h.offline())?;
                h.apply(it, Op::Execute { sql })?;
                Ok(Value::None)
            }),
            "bulk_insert" => native_fn("bulk_insert", move |it, a| bulk_insert(it, &h, a)),
            "batch_alter_table" => native_fn("batch_alter_table", move |it, a| {
                let site = it.call_site().ok_or_else(|| it.exc("RuntimeError", "batch_alter_table called from no code"))?;
                let imports = h.imports_of(&site.code);
                // `copy_from=table` where `table = sa.Table(...)` was made before: read where it was made
                let made_elsewhere = match a.kwarg("copy_from") {
                    Some(Value::Instance(i)) => construct_of(i).filter(|c| c.path.ends_with(".Table") && c.parent.is_none()).and_then(|c| c.site.clone()),
                    _ => None,
                };
                let copy_from = match made_elsewhere {
                    Some(made) => {
                        let made_imports = h.imports_of(&made.code);
                        Some(script::read_copy_from(src(&made.code), &made_imports, made.call()).map_err(|d| not_supported(it, &made.code, d))?)
                    }
                    None => None,
                };
                let mut header = script::read_batch(src(&site.code), &imports, site.call(), copy_from).map_err(|d| not_supported(it, &site.code, d))?;
                header.naming_convention = naming_convention_arg(it, &a)?;
                Ok(batch_operations(it, h.clone(), header))
            }),
            _ => native_fn(name, move |it, a| {
                let site = it.call_site().ok_or_else(|| it.exc("RuntimeError", "op called from no code"))?;
                let imports = h.imports_of(&site.code);
                let op = read_op_at(it, &site, &imports, name, None, &a)?;
                h.apply(it, op)?;
                if name == "create_table" {
                    return Ok(created_table(it, &a));
                }
                Ok(Value::None)
            }),
        };
        m.globals.set(name, f);
    }
    m
}

/// The SQL of `op.execute(x)` / `bind.execute(x)`: a string or `sa.text(...)`.
fn statement_sql(it: &mut Interp, a: &Args, fname: &str, offline: bool) -> R<String> {
    let v = a.pos.first().cloned().or_else(|| a.kwarg("sqltext").cloned()).or_else(|| a.kwarg("statement").cloned());
    match v {
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(Value::Instance(i)) => match construct_of(&i) {
            Some(c) if let Some(sql) = super::orm::ddl_statement(it, &c)? => Ok(sql),
            Some(c) if super::orm::text_clause(it, &c)?.is_some() => {
                let clause = super::orm::text_clause(it, &c)?.unwrap_or_default();
                super::orm::render_text(it, &clause.sql, &clause.params)
            }
            Some(c) => match super::sql_compiler::compile(it, &Value::Instance(i.clone()), offline)? {
                Some(sql) => Ok(sql),
                None => Err(it.exc(
                    "NotImplementedError",
                    format!("{fname}() of a SQLAlchemy Core statement ({}) is not supported by the playground yet; use sa.text('...')", c.path),
                )),
            },
            None => Err(it.exc("NotImplementedError", format!("{fname}() of a {} is not supported by the playground", i.class.name))),
        },
        Some(other) => {
            let shown = it.repr(&other)?;
            Err(raise_named(it, "ObjectNotExecutableError", "sqlalchemy.exc", &format!("Not an executable object: {shown}")))
        }
        None => Err(it.type_error(format!("{fname}() missing 1 required positional argument"))),
    }
}

/// The `Table` that `op.create_table(name, *columns)` returns: its name
/// and the `Column` objects it was given (constraints are not columns).
fn created_table(it: &mut Interp, a: &Args) -> Value {
    let base = sa_base_class(it);
    let mut args = vec![a.pos.first().cloned().unwrap_or(Value::None), Value::None];
    args.extend(a.pos.iter().skip(1).filter(|v| matches!(v, Value::Instance(i) if construct_of(i).is_some_and(|c| c.path.ends_with(".Column")))).cloned());
    opaque_of(&base, Construct { path: "sqlalchemy.Table".into(), site: None, args: Args::new(args), parent: None })
}

fn bulk_insert(it: &mut Interp, h: &Rc<ScriptHost>, a: Args) -> R<Value> {
    let table = a.pos.first().cloned().or_else(|| a.kwarg("table").cloned()).ok_or_else(|| it.type_error("bulk_insert() missing 1 required positional argument: 'table'"))?;
    let rows = a.pos.get(1).cloned().or_else(|| a.kwarg("rows").cloned()).ok_or_else(|| it.type_error("bulk_insert() missing 1 required positional argument: 'rows'"))?;
    for (k, _) in &a.kw {
        if !matches!(k.as_str(), "table" | "rows" | "multiinsert") {
            return Err(it.type_error(format!("bulk_insert() got an unexpected keyword argument '{k}'")));
        }
    }
    let clause = match &table {
        Value::Instance(i) => construct_of(i).filter(|c| c.path.ends_with(".table")).and_then(|c| c.site.clone()),
        _ => None,
    };
    // the Table op.create_table returned: its columns' names and types
    let created = match &table {
        Value::Instance(i) => construct_of(i).filter(|c| c.site.is_none() && c.path == "sqlalchemy.Table").and_then(|c| super::sql_compiler::table_clause(&c)),
        _ => None,
    };
    // columns without a type (NullType): --sql has no literal for their values
    let mut untyped: Vec<String> = Vec::new();
    let (name, columns) = match (clause, created) {
        (Some(site), _) => {
            let imports = h.imports_of(&site.code);
            let (name, columns): (String, Vec<(String, Option<crate::schema::SqlType>)>) =
                script::read_table_clause(src(&site.code), &imports, site.call()).map_err(|d| not_supported(it, &site.code, d))?;
            untyped.extend(columns.iter().filter(|(_, t)| t.is_none()).map(|(c, _)| c.clone()));
            (name, columns)
        }
        // the Table op.create_table returned: its columns' types as SQLAlchemy's
        // bind processing sees them (a project's TypeDecorator stays untyped here)
        (None, Some(t)) => {
            let types = created_column_types(&table);
            (t.name.clone(), t.columns.into_iter().map(|c| {
                let ty = types.iter().find(|(n, _)| *n == c).and_then(|(_, ty)| ty.clone());
                (c, ty)
            }).collect())
        }
        (None, None) => return Err(it.exc("NotImplementedError", "bulk_insert needs a table made by sa.table('name', sa.column(...), ...) or op.create_table(...)")),
    };
    let offline = h.offline();
    let mut out = Vec::new();
    for row in it.iterate(&rows)? {
        let mut map = BTreeMap::new();
        let items = it.mapping_items(&row)?;
        for (k, v) in &items {
            let Value::Str(k) = k else {
                return Err(it.type_error("bulk_insert row keys must be column names"));
            };
            let column = columns.iter().position(|(c, _)| **c == **k);
            if offline && !v.is_none() && untyped.iter().any(|c| **c == **k) {
                return Err(super::sql_compiler::no_literal_renderer(it, v, "NULL")?);
            }
            // a JSON column binds through `json.dumps` (None is JSON null
            // unless `none_as_null=True`), whatever the value's kind
            let json = column.and_then(|i| columns[i].1.as_ref()).filter(|t| {
                t.decorated.is_none() && matches!(t.class, crate::schema::TypeClass::Json | crate::schema::TypeClass::JsonUpper | crate::schema::TypeClass::JsonbUpper)
            });
            let lit = match (json, v.clone()) {
                // --sql: JSON has no literal renderer (NULL needs none)
                (Some(_), Value::None) if offline => Literal::None,
                (Some(_), other) if offline => return Err(super::sql_compiler::no_literal_renderer(it, &other, "JSON")?),
                (Some(t), other) => match super::orm::json_bind(it, other, t.none_as_null)? {
                    Value::None => Literal::None,
                    Value::Str(s) => Literal::Str(s.to_string()),
                    _ => return Err(it.type_error("json.dumps() did not give a string")),
                },
                (None, v) => match v {
                    Value::None => Literal::None,
                    Value::Bool(b) => Literal::Bool(b),
                    Value::Int(i) => Literal::Int(i),
                    Value::Float(f) => Literal::Float(f),
                    Value::Str(s) => Literal::Str(s.to_string()),
                    // a datetime goes through the column type's bind processor
                    // (sqlite3's adapters when it has none); its place among
                    // the row's columns is the parameter sqlite3 would name
                    other if super::datetime::dt_of(&other).is_some() => {
                        let ty = column.and_then(|i| columns[i].1.as_ref());
                        let binding = temporal_binding(it, ty)?;
                        let position = 1 + items.iter().filter(|(o, _)| {
                            let p = o.as_str().and_then(|o| columns.iter().position(|(c, _)| c == o));
                            matches!((p, column), (Some(p), Some(c)) if p < c)
                        }).count();
                        match super::datetime::bound_string(it, &other, binding, position, offline) {
                            Some(s) => Literal::Str(s?),
                            None => Literal::None,
                        }
                    }
                    // Numeric / Float bind through `float()`; a Uuid binds its hex
                    other if bulk_numeric_or_uuid(column.and_then(|i| columns[i].1.as_ref()), &other) => match super::uuid::uuid_of(&other) {
                        Some(_) => Literal::Str(it.getattr(&other, "hex")?.as_str().unwrap_or_default().to_string()),
                        None => {
                            let float = it.builtins.get("float").unwrap_or(Value::None);
                            match it.call(&float, Args::new(vec![other]))? {
                                Value::Float(f) => Literal::Float(f),
                                _ => return Err(it.type_error("float() did not give a float")),
                            }
                        }
                    },
                    other => {
                        let t = it.type_name(&other);
                        return Err(it.exc("NotImplementedError", format!("bulk_insert values of type {t} are not supported by the playground")));
                    }
                },
            };
            map.insert(k.to_string(), lit);
        }
        out.push(map);
    }
    // Online, `multiinsert=True` (the default) runs one executemany whose
    // parameters are the first row's keys: a later row without one of them
    // fails as SQLAlchemy's construct_params does, and its other keys are
    // not used. (--sql and multiinsert=False insert each row by itself.)
    let multiinsert = match a.kwarg("multiinsert") {
        Some(v) => it.truthy(v)?,
        None => true,
    };
    if multiinsert && !offline {
        if let Some((first, rest)) = out.split_first_mut() {
            let keys: Vec<&String> = columns.iter().map(|(c, _)| c).filter(|c| first.contains_key(*c)).collect();
            for (group, row) in rest.iter_mut().enumerate() {
                if let Some(missing) = keys.iter().find(|k| !row.contains_key(**k)) {
                    let message = format!("(sqlalchemy.exc.InvalidRequestError) A value is required for bind parameter '{missing}', in parameter group {}", group + 1);
                    return Err(raise_named(it, "StatementError", "sqlalchemy.exc", &message));
                }
                row.retain(|k, _| first.contains_key(k));
            }
        }
    }
    h.apply(it, Op::BulkInsert { table: name, columns, rows: out })?;
    Ok(Value::None)
}

/// The types of the `Column`s of the `Table` construct `table`
/// (`op.create_table`'s result): the type argument (second positional or
/// `type_=`) of each, when it is one of SQLAlchemy's own types.
fn created_column_types(table: &Value) -> Vec<(String, Option<crate::schema::SqlType>)> {
    let Value::Instance(i) = table else { return Vec::new() };
    let Some(t) = construct_of(i) else { return Vec::new() };
    let mut out = Vec::new();
    for v in t.args.pos.iter().skip(2) {
        let Value::Instance(ci) = v else { continue };
        let Some(c) = construct_of(ci).filter(|c| c.path.ends_with(".Column")) else { continue };
        let Some(name) = c.args.pos.first().and_then(|n| n.as_str().map(str::to_string)) else { continue };
        let ty = c
            .args
            .pos
            .get(1)
            .or_else(|| c.args.kwarg("type_"))
            .and_then(plain_type_value)
            .and_then(|tv| script::type_from_value(&tv.path, &tv.args).ok());
        out.push((name, ty));
    }
    out
}

/// A `Decimal` bound to a Numeric / Float column (its bind processor is
/// `float()`), or a `UUID` to a `Uuid(as_uuid=True)` column (`value.hex`).
fn bulk_numeric_or_uuid(ty: Option<&crate::schema::SqlType>, v: &Value) -> bool {
    use crate::schema::TypeClass as T;
    let Some(ty) = ty.filter(|t| t.decorated.is_none()) else { return false };
    if super::decimal::dec_of(v).is_some() {
        return matches!(ty.class, T::Numeric | T::NumericUpper | T::DecimalUpper | T::Float | T::FloatUpper | T::RealUpper | T::Double | T::DoubleUpper | T::DoublePrecisionUpper);
    }
    super::uuid::uuid_of(v).is_some() && matches!(ty.class, T::Uuid | T::UuidUpper) && ty.as_uuid != Some(false)
}

/// How a column of type `ty` (`None`: untyped) binds a datetime value on
/// SQLite; a type whose processing of one the playground does not model
/// is refused.
fn temporal_binding(it: &Interp, ty: Option<&crate::schema::SqlType>) -> R<super::datetime::Binding> {
    use super::datetime::{Binding, TemporalType};
    use crate::schema::TypeClass as T;
    let Some(ty) = ty else { return Ok(Binding::Driver { datatype: "NULL" }) };
    // a project's TypeDecorator may convert the value first (with_variant's
    // fields are already SQLite's variant)
    if ty.decorated.is_some() {
        return Err(it.exc("NotImplementedError", "bulk_insert of a datetime value into a column of a TypeDecorator type is not supported by the playground"));
    }
    Ok(match ty.class {
        T::DateTime | T::DateTimeUpper | T::TimestampUpper => Binding::Processor(TemporalType::DateTime),
        T::Date | T::DateUpper => Binding::Processor(TemporalType::Date),
        T::Time | T::TimeUpper => Binding::Processor(TemporalType::Time),
        T::String | T::Unicode | T::AutoString | T::VarcharUpper | T::NVarcharUpper => Binding::Driver { datatype: "VARCHAR" },
        T::Text | T::UnicodeText | T::TextUpper | T::ClobUpper => Binding::Driver { datatype: "TEXT" },
        T::CharUpper | T::NCharUpper => Binding::Driver { datatype: "CHAR" },
        T::Null => Binding::Driver { datatype: "NULL" },
        other => {
            return Err(it.exc("NotImplementedError", format!("bulk_insert of a datetime value into a {other:?} column is not supported by the playground")));
        }
    })
}

/// `batch_alter_table(naming_convention=...)` (the tenth positional
/// parameter): a dict of `MetaData.naming_convention` templates by key
/// (`"fk"`, `"pk"`, ...); `None` or absent is none.
fn naming_convention_arg(it: &mut Interp, a: &Args) -> R<BTreeMap<String, String>> {
    let Some(v) = a.kwarg("naming_convention").or_else(|| a.pos.get(9)) else { return Ok(BTreeMap::new()) };
    if v.is_none() {
        return Ok(BTreeMap::new());
    }
    let v = v.clone();
    if !matches!(v, Value::Dict(_)) {
        let class = it.type_name(&v);
        return Err(it.exc("NotImplementedError", format!("batch_alter_table(naming_convention=...) must be a dict in the playground, not {class}")));
    }
    let mut out = BTreeMap::new();
    for (k, t) in it.mapping_items(&v)? {
        match (k.as_str(), t.as_str()) {
            (Some(k), Some(t)) => {
                out.insert(k.to_string(), t.to_string());
            }
            _ => {
                let shown = it.repr(&k)?;
                return Err(it.exc(
                    "NotImplementedError",
                    format!("batch_alter_table(naming_convention=...): the entry {shown} is not a string key with a string template; the playground supports only those"),
                ));
            }
        }
    }
    Ok(out)
}

/// `with op.batch_alter_table(...) as batch_op:`: collects the batch's ops
/// and hands them to the sink when the block ends without an exception.
fn batch_operations(it: &mut Interp, host: Rc<ScriptHost>, header: crate::ops::BatchAlterTable) -> Value {
    let cls = new_plain_class(it, "BatchOperations", "alembic.operations.base");
    let state = Rc::new(RefCell::new(Some(header)));
    let inst = Rc::new(Instance::new(cls.clone()));
    let me = Value::Instance(inst.clone());
    {
        let mut d = cls.dict.borrow_mut();
        // `self`, not a captured instance: the class (which the instance
        // holds) holding its instance would be a cycle nothing frees
        d.set_str("__enter__", native_fn("__enter__", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
        let (st, h) = (state.clone(), host.clone());
        d.set_str("__exit__", native_fn("__exit__", move |it, a| {
            let failed = a.pos.get(1).is_some_and(|v| !v.is_none());
            let batch = st.borrow_mut().take();
            if let (false, Some(b)) = (failed, batch) {
                h.apply(it, Op::BatchAlterTable(b))?;
            }
            Ok(Value::Bool(false))
        }));
    }
    // The op methods are made when looked up: a batch calls one or two of
    // them, and making all of them cost more than the op itself.
    let (st, h) = (state, host);
    cls.dict.borrow_mut().set_str("__getattr__", native_fn("__getattr__", move |it, a| {
        let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        match OP_METHODS.iter().find(|m| **m == name) {
            Some(&name) => Ok(batch_method(name, st.clone(), h.clone())),
            None => Err(it.attribute_error(a.pos.first().unwrap_or(&Value::None), &name)),
        }
    }));
    me
}

/// `op.inline_literal(value, type_=None)`: a bound literal rendered inline,
/// which is what `sa.literal(value, type_)` compiles to here.
fn inline_literal(it: &mut Interp, a: Args) -> R<Value> {
    let value = a.pos.first().or(a.kwarg("value")).cloned().ok_or_else(|| it.type_error("inline_literal() missing 1 required positional argument: 'value'"))?;
    for (k, _) in &a.kw {
        if k != "value" && k != "type_" {
            return Err(it.type_error(format!("inline_literal() got an unexpected keyword argument '{k}'")));
        }
    }
    if a.pos.len() > 2 {
        return Err(it.type_error(format!("inline_literal() takes from 1 to 2 positional arguments but {} were given", a.pos.len())));
    }
    let base = sa_base_class(it);
    let mut args = Args::new(vec![value]);
    if let Some(t) = a.pos.get(1).or_else(|| a.kwarg("type_")) {
        args.kw.push(("type_".into(), t.clone()));
    }
    Ok(opaque(&base, "sqlalchemy.literal".into(), it.call_site(), args))
}

/// `batch_op.NAME`, bound to its batch: the batch's ops are collected in `state`.
fn batch_method(name: &'static str, state: Rc<RefCell<Option<crate::ops::BatchAlterTable>>>, host: Rc<ScriptHost>) -> Value {
    match name {
        "f" => native_fn("f", |it, a| a.pos.first().cloned().ok_or_else(|| it.type_error("f() missing 1 required positional argument: 'name'"))),
        "get_bind" => native_fn("get_bind", move |it, _| Ok(connection(it, host.clone()))),
        "inline_literal" => native_fn("inline_literal", inline_literal),
        _ => native_fn(name, move |it, a| {
            let site = it.call_site().ok_or_else(|| it.exc("RuntimeError", "batch op called from no code"))?;
            let imports = host.imports_of(&site.code);
            let table = state.borrow().as_ref().map(|b| b.table.clone());
            let Some(table) = table else {
                return Err(it.exc("RuntimeError", "the batch_alter_table block has ended"));
            };
            let op = read_op_at(it, &site, &imports, name, Some(&table), &a)?;
            if let Some(b) = state.borrow_mut().as_mut() {
                b.ops.push(op);
            }
            Ok(Value::None)
        }),
    }
}

/// The URL of the playground's database as scripts see it: SQLite, with
/// no file name (in the browser there is none).
const DATABASE_URL: &str = "sqlite://";

/// The `Engine` of the migration's connection (and of
/// `engine_from_config` on the project's configuration: the same database).
fn engine(it: &mut Interp) -> Value {
    let engine = Instance::new(new_plain_class(it, "Engine", "sqlalchemy.engine.base"));
    engine.set("name", Value::str("sqlite"));
    engine.set("driver", Value::str("pysqlite"));
    engine.set("dialect", sqlite_dialect(it));
    engine.set("url", Value::str(DATABASE_URL));
    Value::Instance(Rc::new(engine))
}

/// `op.get_context()` / `context.get_context()`: Alembic's
/// `MigrationContext` with its `dialect`, `bind`, `config` and
/// `autocommit_block()`.
fn migration_context(it: &mut Interp, host: Rc<ScriptHost>) -> R<Value> {
    let cls = new_plain_class(it, "MigrationContext", "alembic.runtime.migration");
    let h = host.clone();
    cls.dict.borrow_mut().set_str("autocommit_block", native_fn("autocommit_block", move |it, _| {
        let cm = new_plain_class(it, "_GeneratorContextManager", "contextlib");
        let (h1, h2) = (h.clone(), h.clone());
        cm.dict.borrow_mut().set_str("__enter__", native_fn("__enter__", move |it, _| {
            h1.with_sink_do(it, |s| s.autocommit(true))?;
            Ok(Value::None)
        }));
        cm.dict.borrow_mut().set_str("__exit__", native_fn("__exit__", move |it, _| {
            h2.with_sink_do(it, |s| s.autocommit(false))?;
            Ok(Value::Bool(false))
        }));
        Ok(Value::Instance(Rc::new(Instance::new(cm))))
    }));
    let ctx = Instance::new(cls);
    ctx.set("dialect", sqlite_dialect(it));
    let environment = host.sink_environment();
    let bind = connection(it, host);
    ctx.set("bind", bind.clone());
    ctx.set("connection", bind);
    ctx.set("config", alembic_config(it));
    // outside a run (a module-level call while the file is imported) there
    // is no command yet: no `opts`, as before env.py configured the context
    if let Some(env) = environment {
        ctx.set("as_sql", Value::Bool(env.as_sql));
        let opts = migration_opts(it, &env)?;
        ctx.set("opts", opts);
    }
    Ok(Value::Instance(Rc::new(ctx)))
}

/// `MigrationContext.opts`, keys in Alembic's order. Values the playground
/// has no object for (`fn`, `script`, most of `target_metadata`) raise
/// `NotImplementedError` when used.
fn migration_opts(it: &mut Interp, env: &MigrationEnvironment) -> R<Value> {
    let opt_str = |s: &Option<String>| s.as_deref().map(Value::str).unwrap_or(Value::None);
    let (function, destination) = match env.command {
        EnvironmentCommand::Upgrade => ("upgrade", opt_str(&env.destination.first().cloned())),
        EnvironmentCommand::Downgrade => ("downgrade", opt_str(&env.destination.first().cloned())),
        EnvironmentCommand::Stamp { .. } => ("do_stamp", Value::tuple(env.destination.iter().map(|d| Value::str(d)).collect())),
    };
    let unavailable = move |what: &'static str| {
        native_fn(function, move |it, _| Err(it.exc("NotImplementedError", format!("{what} is not available to scripts in the playground"))))
    };
    let mut items: Vec<(&str, Value)> = vec![
        ("fn", unavailable("calling MigrationContext.opts['fn']")),
        ("as_sql", Value::Bool(env.as_sql)),
        ("starting_rev", opt_str(&env.starting_rev)),
        ("destination_rev", destination),
        ("tag", opt_str(&env.tag)),
    ];
    if let EnvironmentCommand::Stamp { purge } = env.command {
        items.push(("purge", Value::Bool(purge)));
    }
    let target_metadata = target_metadata_value(it, &env.naming_convention)?;
    let script_directory = unavailable_object(it, "ScriptDirectory", "alembic.script.base", "MigrationContext.opts['script']");
    items.extend([
        ("transaction_per_migration", Value::Bool(false)),
        ("target_metadata", target_metadata),
        ("include_name", Value::None),
        ("include_object", Value::None),
        ("include_schemas", Value::Bool(false)),
        ("render_as_batch", Value::Bool(true)),
        ("upgrade_token", Value::str("upgrades")),
        ("downgrade_token", Value::str("downgrades")),
        ("sqlalchemy_module_prefix", Value::str("sa.")),
        ("alembic_module_prefix", Value::str("op.")),
        ("user_module_prefix", Value::None),
        ("literal_binds", Value::Bool(env.as_sql)),
        ("process_revision_directives", Value::None),
        ("on_version_apply", Value::tuple(Vec::new())),
        ("compare_type", Value::Bool(true)),
        ("compare_server_default", Value::Bool(false)),
        ("script", script_directory),
    ]);
    let mut d = Dict::new();
    for (k, v) in items {
        let k = Value::str(k);
        let hk = it.hash_key(&k)?;
        d.insert(hk, k, v);
    }
    Ok(Value::dict(d))
}

/// An object of class `module.name` whose every attribute raises
/// `NotImplementedError` (`what` names it in the message).
fn unavailable_object(it: &mut Interp, name: &str, module: &str, what: &'static str) -> Value {
    let cls = new_plain_class(it, name, module);
    cls.dict.borrow_mut().set_str("__getattr__", native_fn("__getattr__", move |it, a| {
        let attr = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        Err(it.exc("NotImplementedError", format!("{what}.{attr} is not available to scripts in the playground")))
    }));
    Value::Instance(Rc::new(Instance::new(cls)))
}

/// env.py's `target_metadata` as a script reads it: models.py's MetaData,
/// of which scripts see `naming_convention` (SQLAlchemy's default
/// `{'ix': 'ix_%(column_0_label)s'}` when models.py gave none) and `schema`.
fn target_metadata_value(it: &mut Interp, naming_convention: &BTreeMap<String, String>) -> R<Value> {
    let md = unavailable_object(it, "MetaData", "sqlalchemy.sql.schema", "target_metadata");
    let mut d = Dict::new();
    let default = crate::sort::map_of([("ix".to_string(), "ix_%(column_0_label)s".to_string())]);
    let convention = if naming_convention.is_empty() { &default } else { naming_convention };
    for (k, v) in convention {
        let k = Value::str(k);
        let hk = it.hash_key(&k)?;
        d.insert(hk, k, Value::str(v));
    }
    if let Value::Instance(i) = &md {
        i.class.dict.borrow_mut().set_str("__repr__", native_fn("__repr__", |_, _| Ok(Value::str("MetaData()"))));
        i.set("naming_convention", Value::dict(d));
        i.set("schema", Value::None);
    }
    Ok(md)
}

/// The project's `alembic.Config` as a script reads it: the `[alembic]`
/// section holds the database URL.
fn alembic_config(it: &mut Interp) -> Value {
    let cls = new_plain_class(it, "Config", "alembic.config");
    fn section(it: &mut Interp, name: &str) -> Option<Value> {
        (name == "alembic").then(|| {
            let mut d = Dict::new();
            let k = Value::str("sqlalchemy.url");
            if let Ok(hk) = it.hash_key(&k) {
                d.insert(hk, k, Value::str(DATABASE_URL));
            }
            Value::dict(d)
        })
    }
    cls.dict.borrow_mut().set_str("get_section", native_fn("get_section", |it, a| {
        let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).ok_or_else(|| it.type_error("get_section() missing 1 required positional argument: 'name'"))?;
        let default = a.pos.get(2).cloned().or_else(|| a.kwarg("default").cloned()).unwrap_or(Value::None);
        Ok(section(it, &name).unwrap_or(default))
    }));
    cls.dict.borrow_mut().set_str("get_main_option", native_fn("get_main_option", |it, a| {
        let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).ok_or_else(|| it.type_error("get_main_option() missing 1 required positional argument: 'name'"))?;
        let default = a.pos.get(2).cloned().or_else(|| a.kwarg("default").cloned()).unwrap_or(Value::None);
        // the options `alembic init`'s alembic.ini sets; where the scripts
        // live is not a path the playground can give
        Ok(match name.as_str() {
            "sqlalchemy.url" => Value::str(DATABASE_URL),
            "prepend_sys_path" => Value::str("."),
            "path_separator" => Value::str("os"),
            "script_location" => return Err(it.exc("NotImplementedError", "config.get_main_option('script_location') is not supported by the playground (its scripts have no folder a script could read)")),
            _ => default,
        })
    }));
    let cfg = Instance::new(cls);
    cfg.set("config_ini_section", Value::str("alembic"));
    Value::Instance(Rc::new(cfg))
}

/// `sa.engine_from_config(configuration, prefix="sqlalchemy.")`: the
/// configuration must name the playground's database.
fn engine_from_config(it: &mut Interp, a: Args) -> R<Value> {
    let conf = a.pos.first().cloned().or_else(|| a.kwarg("configuration").cloned()).ok_or_else(|| it.type_error("engine_from_config() missing 1 required positional argument: 'configuration'"))?;
    let prefix = a.pos.get(1).cloned().or_else(|| a.kwarg("prefix").cloned()).unwrap_or(Value::str("sqlalchemy."));
    let key = format!("{}url", prefix.as_str().unwrap_or(""));
    let url = it.getitem(&conf, Value::str(&key))?;
    if url.as_str() != Some(DATABASE_URL) {
        let shown = it.repr(&url)?;
        return Err(it.exc("NotImplementedError", format!("engine_from_config: the playground can only connect to its own database, not {shown}")));
    }
    Ok(engine(it))
}

/// `op.get_bind()`: a connection whose dialect is SQLite.
fn connection(it: &mut Interp, host: Rc<ScriptHost>) -> Value {
    let dialect = sqlite_dialect(it);
    let cls = new_plain_class(it, "Connection", "sqlalchemy.engine.base");
    let conn = Rc::new(Instance::new(cls.clone()));
    conn.set("dialect", dialect);
    conn.set("engine", engine(it));
    let h = host.clone();
    cls.dict.borrow_mut().set_str("execute", native_fn("execute", move |it, a| {
        let stmt = a.pos.get(1).cloned().or_else(|| a.kwarg("statement").cloned());
        let Some(stmt) = stmt else { return Err(it.type_error("execute() missing 1 required positional argument: 'statement'")) };
        let params = a.pos.get(2).cloned().or_else(|| a.kwarg("parameters").cloned());
        if a.pos.len() > 3 {
            return Err(it.type_error(format!("execute() takes from 2 to 3 positional arguments but {} were given", a.pos.len())));
        }
        // SQLAlchemy 2 executes only statement objects: a plain SQL string
        // (1.x's `conn.execute("...")`) or any other value is refused
        if !matches!(stmt, Value::Instance(_)) {
            let shown = it.repr(&stmt)?;
            return Err(raise_named(it, "ObjectNotExecutableError", "sqlalchemy.exc", &format!("Not an executable object: {shown}")));
        }
        execute_statement(it, &h, &stmt, params)
    }));
    let h = host.clone();
    // the SQL string goes to sqlite3 as it is (no `:name` binds are read)
    cls.dict.borrow_mut().set_str("exec_driver_sql", native_fn("exec_driver_sql", move |it, a| {
        let Some(Value::Str(sql)) = a.pos.get(1).cloned().or_else(|| a.kwarg("statement").cloned()) else {
            return Err(it.type_error("exec_driver_sql() takes a SQL string"));
        };
        if a.pos.get(2).or_else(|| a.kwarg("parameters")).is_some_and(|p| !p.is_none()) {
            return Err(it.exc("NotImplementedError", "exec_driver_sql() with parameters is not supported by the playground yet"));
        }
        execute_sqls(it, &h, vec![sql.to_string()], None)
    }));
    Value::Instance(conn)
}

use super::orm::db_value;

/// `Connection.execute(statement, parameters)` (and `Session.execute` of a
/// statement that is not an ORM select): the SQL runs at once; a query gives
/// its rows, anything else the rows it changed (`rowcount`). A list of
/// parameter sets runs the statement once per set (`executemany`).
pub(super) fn execute_statement(it: &mut Interp, h: &Rc<ScriptHost>, stmt: &Value, params: Option<Value>) -> R<Value> {
    let text = match stmt {
        Value::Instance(i) => match construct_of(i) {
            Some(c) => super::orm::text_clause(it, &c)?,
            None => None,
        },
        _ => None,
    };
    let sqls: Vec<String> = match (text, params) {
        (Some(super::orm::TextClause { sql, params: bound, types }), params) => {
            let sets = match params {
                None | Some(Value::None) => vec![Vec::new()],
                Some(p @ (Value::List(_) | Value::Tuple(_))) => {
                    let mut sets = Vec::new();
                    for set in it.iterate(&p)? {
                        sets.push(string_items(it, &set)?);
                    }
                    sets
                }
                Some(p) => vec![string_items(it, &p)?],
            };
            let mut out = Vec::new();
            for mut set in sets {
                // a parameter `bindparam(key, type_=...)` typed goes through the type's bind processing
                for (k, v) in set.iter_mut() {
                    if let Some((_, t)) = types.iter().find(|(tk, _)| tk == k) {
                        *v = super::orm::bind_value(it, t, v)?;
                    }
                }
                let mut all = bound.clone();
                all.extend(driver_params(it, &sql, set)?);
                out.push(super::orm::render_text(it, &sql, &all)?);
            }
            out
        }
        (None, Some(p)) if !p.is_none() => {
            return Err(it.exc("NotImplementedError", "execute() of a statement with parameters is not supported by the playground yet"));
        }
        (None, _) => vec![statement_sql(it, &Args::new(vec![stmt.clone()]), "execute", h.offline())?],
    };
    let types = super::sql_compiler::select_types(it, stmt)?;
    execute_sqls(it, h, sqls, types)
}

/// Runs statements rendered to SQL in order: a query gives its rows (read
/// through `types`, the select's column types, when known), anything else
/// the rows it changed.
fn execute_sqls(it: &mut Interp, h: &Rc<ScriptHost>, sqls: Vec<String>, types: Option<Vec<Option<Value>>>) -> R<Value> {
    // with --sql the bind is a MockConnection: every statement, a SELECT
    // too, is written out, and `execute()` returns None
    if h.offline() {
        for sql in sqls {
            h.apply(it, Op::Execute { sql })?;
        }
        return Ok(Value::None);
    }
    let mut rowcount = 0;
    let mut last = None;
    for sql in sqls {
        let head = sql.trim_start().get(..6).unwrap_or("").to_ascii_uppercase();
        if head.starts_with("SELECT") || head.starts_with("PRAGMA") || head.starts_with("WITH") {
            let rows = h.with_sink_do(it, |s| s.query(&sql))?;
            match rows {
                Some(r) => last = Some(r),
                None => return Err(it.exc("NotImplementedError", "a query needs a database; it cannot run in --sql mode")),
            }
            rowcount = -1;
        } else {
            let n = run_dml(it, h, sql)?;
            rowcount = if rowcount < 0 || n < 0 { n } else { rowcount + n };
        }
    }
    match types {
        Some(types) => typed_result(it, last.unwrap_or_default(), rowcount, &types),
        None => Ok(result(it, last.unwrap_or_default(), rowcount)),
    }
}

/// A Core select's result, each column read back through its type's result
/// processing as SQLAlchemy's SQLite dialect does it.
fn typed_result(it: &mut Interp, r: QueryResult, rowcount: i64, types: &[Option<Value>]) -> R<Value> {
    let mut rows = Vec::with_capacity(r.rows.len());
    for row in &r.rows {
        let mut out = Vec::with_capacity(row.len());
        for (i, v) in row.iter().enumerate() {
            let v = db_value(v);
            out.push(match types.get(i).and_then(|t| t.as_ref()) {
                Some(t) => super::orm::result_value(it, t, v)?,
                None => v,
            });
        }
        rows.push(out);
    }
    Ok(super::result::result_of(it, r.columns.clone(), rows, rowcount))
}

/// Execution parameters of a `text()` reach sqlite3 untyped: a datetime
/// value is what the driver's adapters make of it (the parameter's place
/// is its first `:name` in the statement).
fn driver_params(it: &mut Interp, sql: &str, set: Vec<(String, Value)>) -> R<Vec<(String, Value)>> {
    let first = |k: &str| sql.find(&format!(":{k}")).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(set.len());
    for (k, v) in &set {
        let position = 1 + set.iter().filter(|(o, _)| first(o) < first(k)).count();
        let v = match super::datetime::bound_string(it, v, super::datetime::Binding::Driver { datatype: "NULL" }, position, false) {
            Some(s) => Value::str(&s?),
            None => v.clone(),
        };
        out.push((k.clone(), v));
    }
    Ok(out)
}

fn string_items(it: &mut Interp, v: &Value) -> R<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (k, v) in it.mapping_items(v)? {
        let Value::Str(k) = k else { return Err(it.type_error("parameter names must be strings")) };
        out.push((k.to_string(), v));
    }
    Ok(out)
}

/// Runs a statement that returns no rows; its `rowcount` as sqlite3's
/// cursor gives it (the rows a DML statement changed, -1 otherwise).
pub(super) fn run_dml(it: &mut Interp, h: &Rc<ScriptHost>, sql: String) -> R<i64> {
    let dml = crate::runtime::is_dml(&sql);
    h.apply(it, Op::Execute { sql })?;
    Ok(match dml {
        true => match h.with_sink_do(it, |s| s.query("SELECT changes()"))? {
            Some(r) => r.rows.first().and_then(|row| row.first()).and_then(|v| v.as_i64()).unwrap_or(-1),
            None => -1,
        },
        false => -1,
    })
}

/// SQLAlchemy's `Row`: a tuple whose items are also attributes named by the
/// result's columns (`row.id`, `row[0]`, `row._mapping["id"]`).
pub(super) fn row_class(it: &mut Interp, columns: Rc<Vec<String>>) -> Rc<Class> {
    let cls = new_plain_class(it, "Row", "sqlalchemy.engine.row");
    let tuple_of = |a: &Args| -> Value {
        match a.pos.first() {
            Some(Value::Instance(i)) => i.get("_t").unwrap_or(Value::None),
            _ => Value::None,
        }
    };
    let mut d = cls.dict.borrow_mut();
    let cols = columns.clone();
    d.set_str("__getattr__", native_fn("__getattr__", move |it, a| {
        let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        match name.as_str() {
            "_fields" => return Ok(Value::tuple(cols.iter().map(|c| Value::str(c)).collect())),
            "_mapping" => return row_mapping(it, &cols, &tuple_of(&a)),
            // `row._asdict()`: a new dict; `row._tuple()`: the plain tuple
            "_asdict" => {
                let (names, t) = (cols.clone(), tuple_of(&a));
                return Ok(native_fn("_asdict", move |it, _| row_mapping(it, &names, &t)));
            }
            "_tuple" => {
                let t = tuple_of(&a);
                return Ok(native_fn("_tuple", move |_, _| Ok(t.clone())));
            }
            "_t" => return Ok(tuple_of(&a)),
            _ => {}
        }
        match cols.iter().position(|c| *c == name) {
            Some(n) => it.getitem(&tuple_of(&a), Value::Int(n as i64)),
            None => Err(it.attribute_error(a.pos.first().unwrap_or(&Value::None), &name)),
        }
    }));
    d.set_str("__getitem__", native_fn("__getitem__", move |it, a| it.getitem(&tuple_of(&a), a.pos.get(1).cloned().unwrap_or(Value::None))));
    d.set_str("__iter__", native_fn("__iter__", move |it, a| Ok(Value::list(it.iterate(&tuple_of(&a))?))));
    d.set_str("__len__", native_fn("__len__", move |it, a| Ok(Value::Int(it.iterate(&tuple_of(&a))?.len() as i64))));
    d.set_str("__eq__", native_fn("__eq__", move |it, a| {
        let other = match a.pos.get(1) {
            Some(Value::Instance(i)) if i.get("_t").is_some() => i.get("_t").unwrap_or(Value::None),
            Some(v) => v.clone(),
            None => Value::None,
        };
        it.compare(ast::CmpOp::Eq, &tuple_of(&a), &other)
    }));
    d.set_str("__hash__", native_fn("__hash__", |_, a| Ok(Value::Int(a.pos.first().map(|v| v.identity() as i64).unwrap_or(0)))));
    d.set_str("__repr__", native_fn("__repr__", move |it, a| Ok(Value::str(&it.repr(&tuple_of(&a))?))));
    drop(d);
    cls
}

/// A row's values by column name, in a new dict.
fn row_mapping(it: &mut Interp, columns: &[String], row: &Value) -> R<Value> {
    let mut m = Dict::new();
    for (k, v) in columns.iter().zip(it.iterate(row)?) {
        m.set_str(k, v);
    }
    Ok(Value::dict(m))
}

/// A `CursorResult` over rows already fetched.
fn result(it: &mut Interp, r: QueryResult, rowcount: i64) -> Value {
    let rows = r.rows.iter().map(|row| row.iter().map(db_value).collect()).collect();
    super::result::result_of(it, r.columns.clone(), rows, rowcount)
}

/// `sa.inspect(bind)`: the inspector methods scripts use to test the schema.
fn inspector(it: &mut Interp, host: Rc<ScriptHost>) -> Value {
    let cls = new_plain_class(it, "Inspector", "sqlalchemy.engine.reflection");
    let h = host.clone();
    let names = move |it: &mut Interp| -> R<Vec<String>> {
        let r = h.with_sink_do(it, |s| s.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name"))?;
        match r {
            Some(r) => Ok(r.rows.iter().filter_map(|row| row.first().and_then(|v| v.as_str().map(str::to_string))).collect()),
            None => Err(it.exc("NotImplementedError", "inspecting the database needs a database; it cannot run in --sql mode")),
        }
    };
    let names = Rc::new(names);
    // SQLAlchemy's `@reflection.cache`: an inspector answers each question
    // once and then from its `info_cache`, even after the schema changed
    let cache: Rc<RefCell<BTreeMap<String, Value>>> = Rc::new(RefCell::new(BTreeMap::new()));
    let cached = move |key: String, it: &mut Interp, f: &dyn Fn(&mut Interp) -> R<Value>| -> R<Value> {
        if let Some(v) = cache.borrow().get(&key) {
            return Ok(v.clone());
        }
        let v = f(it)?;
        cache.borrow_mut().insert(key, v.clone());
        Ok(v)
    };
    let cached = Rc::new(cached);
    let mut d = cls.dict.borrow_mut();
    let (n1, c1) = (names.clone(), cached.clone());
    d.set_str("get_table_names", native_fn("get_table_names", move |it, _| {
        c1("get_table_names".into(), it, &|it| Ok(Value::list(n1(it)?.iter().map(|s| Value::str(s)).collect())))
    }));
    let (n2, c2) = (names.clone(), cached.clone());
    d.set_str("has_table", native_fn("has_table", move |it, a| {
        let t = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).ok_or_else(|| it.type_error("has_table() needs a table name"))?;
        c2(format!("has_table\0{t}"), it, &|it| Ok(Value::Bool(n2(it)?.contains(&t))))
    }));
    let (h, c3) = (host.clone(), cached.clone());
    d.set_str("get_columns", native_fn("get_columns", move |it, a| {
        let key = format!("get_columns\0{}", a.pos.get(1).or_else(|| a.kwarg("table_name")).and_then(|v| v.as_str()).unwrap_or(""));
        c3(key, it, &|it| get_columns(it, &h, a.clone()))
    }));
    for m in ["get_unique_constraints", "get_pk_constraint", "get_indexes", "get_foreign_keys", "get_check_constraints"] {
        let (h, c) = (host.clone(), cached.clone());
        d.set_str(m, native_fn(m, move |it, a| {
            let table = a.pos.get(1).or_else(|| a.kwarg("table_name")).and_then(|v| v.as_str().map(str::to_string));
            let Some(table) = table else { return Err(it.type_error(format!("{m}() missing 1 required positional argument: 'table_name'"))) };
            c(format!("{m}\0{table}"), it, &|it| reflected_constraints(it, &h, m, &table))
        }));
    }
    d.set_str("get_view_names", native_fn("get_view_names", |it, _| {
        Err(it.exc("NotImplementedError", "Inspector.get_view_names() is not supported by the playground yet"))
    }));
    drop(d);
    Value::Instance(Rc::new(Instance::new(cls)))
}

/// The database as `crate::reflect` reads it, through the running sink.
struct SinkDatabase<'a>(&'a mut dyn OpSink);

impl crate::db::Database for SinkDatabase<'_> {
    fn execute(&mut self, _: &str) -> Result<(), crate::db::DbError> {
        Err(crate::db::DbError::new("reflection does not write"))
    }
    fn query(&mut self, sql: &str) -> Result<QueryResult, crate::db::DbError> {
        match self.0.query(sql) {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(crate::db::DbError::new("no database in --sql mode")),
            Err(e) => Err(crate::db::DbError::new(e.to_string())),
        }
    }
}

/// Table `name` as SQLAlchemy reflects it at this point of the migration
/// (through the sink, so it sees what ran before); `NoSuchTableError`
/// when it is not there.
pub(super) fn reflect_now(it: &mut Interp, h: &Rc<ScriptHost>, name: &str) -> R<crate::schema::Table> {
    let mut warnings = Vec::new();
    let reflected = h.with_sink_do(it, |s| {
        crate::reflect::reflect_table(&mut SinkDatabase(s), name, &mut warnings)
            .map_err(|e| RuntimeError::Database { statement: String::new(), message: e.message, left_behind: Vec::new() })
    })?;
    reflected.ok_or_else(|| raise_named(it, "NoSuchTableError", "sqlalchemy.exc", name))
}

/// The constraint and index methods of `Inspector` as SQLAlchemy's SQLite
/// dialect answers them (`crate::reflect` reads the catalog the same way):
/// `get_unique_constraints` `[{"name", "column_names"}]`, `get_pk_constraint`
/// `{"constrained_columns", "name"}`, `get_indexes` `[{"name",
/// "column_names", "unique" (0 or 1), "dialect_options"}]` by name (a partial
/// index's `sqlite_where` a `text()`; an expression index is left out, as
/// SQLAlchemy leaves it out with a warning), `get_foreign_keys` `[{"name",
/// "constrained_columns", "referred_schema", "referred_table",
/// "referred_columns", "options"}]` and `get_check_constraints`
/// `[{"sqltext", "name"}]` by name, unnamed last.
fn reflected_constraints(it: &mut Interp, h: &Rc<ScriptHost>, method: &str, table: &str) -> R<Value> {
    let t = reflect_now(it, h, table)?;
    let dict = |it: &mut Interp, entries: Vec<(&str, Value)>| -> R<Value> {
        let mut d = Dict::new();
        for (k, v) in entries {
            let k = Value::str(k);
            let hk = it.hash_key(&k)?;
            d.insert(hk, k, v);
        }
        Ok(Value::dict(d))
    };
    let names = |cols: &[String]| Value::list(cols.iter().map(|c| Value::str(c)).collect());
    let name = |n: &Option<crate::schema::Name>| n.as_ref().map(|n| Value::str(&n.value)).unwrap_or(Value::None);
    if method == "get_pk_constraint" {
        let (cols, n) = match &t.primary_key {
            Some(pk) => (names(&pk.columns), name(&pk.name)),
            None => (Value::list(Vec::new()), Value::None),
        };
        return dict(it, vec![("constrained_columns", cols), ("name", n)]);
    }
    let mut out = Vec::new();
    match method {
        "get_indexes" => {
            for ix in &t.indexes {
                let mut cols = Vec::new();
                for c in &ix.columns {
                    match c {
                        crate::schema::IndexColumn::Column(c) => cols.push(c.clone()),
                        crate::schema::IndexColumn::Expression(_) => break,
                    }
                }
                if cols.len() < ix.columns.len() {
                    continue;
                }
                let mut options = Vec::new();
                if let Some(w) = &ix.sqlite_where {
                    let base = sa_base_class(it);
                    let clause = opaque(&base, "sqlalchemy.text".into(), None, Args::new(vec![Value::str(w)]));
                    options.push(("sqlite_where", clause));
                }
                let options = dict(it, options)?;
                out.push(dict(
                    it,
                    vec![
                        ("name", name(&ix.name)),
                        ("column_names", names(&cols)),
                        ("unique", Value::Int(i64::from(ix.unique))),
                        ("dialect_options", options),
                    ],
                )?);
            }
        }
        "get_foreign_keys" => {
            for fk in &t.foreign_keys {
                let opt = |v: &Option<String>| v.as_deref().map(Value::str);
                let options: Vec<(&str, Value)> = [
                    ("ondelete", opt(&fk.ondelete)),
                    ("onupdate", opt(&fk.onupdate)),
                    ("deferrable", fk.deferrable.map(Value::Bool)),
                    ("initially", opt(&fk.initially)),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect();
                let options = dict(it, options)?;
                out.push(dict(
                    it,
                    vec![
                        ("name", name(&fk.name)),
                        ("constrained_columns", names(&fk.columns)),
                        ("referred_schema", Value::None),
                        ("referred_table", Value::str(&fk.referred_table)),
                        ("referred_columns", names(&fk.referred_columns)),
                        ("options", options),
                    ],
                )?);
            }
        }
        "get_check_constraints" => {
            for ck in &t.check_constraints {
                out.push(dict(it, vec![("sqltext", Value::str(&ck.sqltext)), ("name", name(&ck.name))])?);
            }
        }
        _ => {
            for u in &t.unique_constraints {
                out.push(dict(it, vec![("name", name(&u.name)), ("column_names", names(&u.columns))])?);
            }
        }
    }
    Ok(Value::list(out))
}

/// `Inspector.get_columns(table_name)` as SQLAlchemy's SQLite dialect
/// answers it from `PRAGMA table_xinfo`: one dict per column with `name`,
/// `type` (the reflected type, an instance of its SQLAlchemy class),
/// `nullable`, `default` (the raw text) and `primary_key` (its position in
/// the key, 0 when not in it).
fn get_columns(it: &mut Interp, h: &Rc<ScriptHost>, a: Args) -> R<Value> {
    let table = a.pos.get(1).or_else(|| a.kwarg("table_name")).and_then(|v| v.as_str().map(str::to_string));
    let Some(table) = table else {
        return Err(it.type_error("get_columns() missing 1 required positional argument: 'table_name'"));
    };
    if a.kwarg("schema").is_some_and(|v| !v.is_none()) {
        return Err(it.exc("NotImplementedError", "Inspector.get_columns(schema=...) is not supported by the playground (SQLite has one schema, main)"));
    }
    let sql = format!("PRAGMA main.table_xinfo({})", crate::ddl::quote_identifier(&table));
    let rows = match h.with_sink_do(it, |s| s.query(&sql))? {
        Some(r) => r,
        None => return Err(it.exc("NotImplementedError", "inspecting the database needs a database; it cannot run in --sql mode")),
    };
    if rows.rows.is_empty() {
        return Err(raise_named(it, "NoSuchTableError", "sqlalchemy.exc", &table));
    }
    let mut out = Vec::new();
    for i in 0..rows.rows.len() {
        let hidden = rows.get(i, "hidden").as_i64().unwrap_or(0);
        if hidden == 1 {
            continue;
        }
        let name = rows.get(i, "name").as_str().unwrap_or("").to_string();
        if hidden != 0 {
            return Err(it.exc("NotImplementedError", format!("Inspector.get_columns() of the generated column '{name}' is not supported by the playground")));
        }
        let declared = rows.get(i, "type").as_str().unwrap_or("").to_uppercase();
        let (t, _) = crate::reflect::resolve_type_affinity(&declared);
        let type_value = type_instance(it, &t)?;
        let default = match rows.get(i, "dflt_value") {
            crate::db::Value::Null => Value::None,
            v => Value::str(&v.as_str().map(str::to_string).unwrap_or_else(|| format!("{}", v.as_i64().unwrap_or(0)))),
        };
        let entries = [
            ("name", Value::str(&name)),
            ("type", type_value),
            ("nullable", Value::Bool(rows.get(i, "notnull").as_i64().unwrap_or(0) == 0)),
            ("default", default),
            ("primary_key", Value::Int(rows.get(i, "pk").as_i64().unwrap_or(0))),
        ];
        let mut d = Dict::new();
        for (k, v) in entries {
            let k = Value::str(k);
            let hk = it.hash_key(&k)?;
            d.insert(hk, k, v);
        }
        out.push(Value::dict(d));
    }
    Ok(Value::list(out))
}

/// An instance of `t`'s SQLAlchemy class, made by evaluating the type as
/// Alembic renders it (`sa.VARCHAR(length=20)`): one spelling of each type.
pub(super) fn type_instance(it: &mut Interp, t: &crate::schema::SqlType) -> R<Value> {
    const MODULE: &str = "_playground_reflected_type";
    let source = format!(
        "import sqlalchemy as sa\nfrom sqlalchemy.dialects import sqlite\nvalue = {}\n",
        crate::render::render_type(t)
    );
    let r = it.run_module(MODULE, MODULE, &source);
    it.modules.shift_remove(MODULE);
    match r {
        Ok(m) => Ok(m.globals.get("value").unwrap_or(Value::None)),
        Err(e) => Err(it.exc("RuntimeError", format!("reflected type {}: {}", crate::render::render_type(t), e.exception_line()))),
    }
}

// ----- SQLAlchemy constructs ---------------------------------------------------------

/// The SQLAlchemy modules scripts import.
const SA_MODULES: &[&str] = &[
    "sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression", "sqlalchemy.sql.sqltypes", "sqlalchemy.sql.schema", "sqlalchemy.sql.elements",
    "sqlalchemy.sql.functions", "sqlalchemy.sql.naming", "sqlalchemy.types", "sqlalchemy.schema", "sqlalchemy.dialects", "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.mysql", "sqlalchemy.dialects.mssql", "sqlalchemy.dialects.oracle", "sqlalchemy.engine",
    "sqlalchemy.engine.reflection", "sqlalchemy.exc", "sqlalchemy.orm", "sqlalchemy.orm.exc", "sqlalchemy.ext", "sqlalchemy.ext.declarative", "sqlalchemy.ext.hybrid",
    "sqlalchemy.ext.associationproxy", "sqlmodel",
    "sqlmodel.sql", "sqlmodel.sql.sqltypes",
];

/// Rust-side state of an opaque SQLAlchemy construct.
pub struct Construct {
    /// Qualified name of what made it, e.g. `sqlalchemy.text`.
    pub path: String,
    /// The call expression that made it.
    pub site: Option<CallSite>,
    pub args: Args,
    /// The object it is an attribute of (`t.c` of `t`), or, for a method
    /// call, the object the method was taken from (`t.update()` of `t`).
    pub parent: Option<Value>,
}

/// What a [`Construct`] holds, for the interpreter's teardown.
fn construct_references(native: &Rc<dyn std::any::Any>, values: &mut Vec<Value>, envs: &mut Vec<Rc<Env>>) {
    let Some(k) = native.downcast_ref::<Construct>() else { return };
    values.extend(k.args.pos.iter().cloned());
    values.extend(k.args.kw.iter().map(|(_, v)| v.clone()));
    values.extend(k.parent.iter().cloned());
    envs.extend(k.site.as_ref().and_then(|s| s.env()));
}

pub fn construct_of(i: &Instance) -> Option<Rc<Construct>> {
    i.native.borrow().as_ref().and_then(|n| n.clone().downcast::<Construct>().ok())
}

fn sa_module(it: &mut Interp, name: &str, host: Rc<ScriptHost>) -> Rc<Module> {
    let m = it.new_native_module(name);
    let base = sa_base_class(it);
    let module_name = name.to_string();
    let globals = m.globals.clone();
    let h = host.clone();
    m.globals.set("__getattr__", native_fn("__getattr__", move |it, a| {
        let attr = a.pos.first().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        if attr.starts_with("__") {
            return Err(it.exc("AttributeError", format!("module '{module_name}' has no attribute '{attr}'")));
        }
        let sub = format!("{module_name}.{attr}");
        if SA_MODULES.contains(&sub.as_str()) {
            return it.import_module(&sub).map(Value::Module);
        }
        if let Some(v) = crate::models::objects::sa_attr(it, &module_name, &attr)? {
            globals.set(&attr, v.clone());
            return Ok(v);
        }
        let v = if let Some(v) = super::orm::sa_attr(it, &module_name, &attr, &h) {
            v
        } else if let Some(c) = sa_exception_class(it, &module_name, &attr) {
            Value::Class(c)
        } else if attr == "engine_from_config" {
            native_fn("engine_from_config", engine_from_config)
        } else if attr == "inspect" {
            let h = h.clone();
            native_fn("inspect", move |it, _| {
                if h.offline() {
                    return Err(no_inspection(it));
                }
                Ok(inspector(it, h.clone()))
            })
        } else if attr == "Table" {
            Value::Class(table_class(&base, &module_name, h.clone()))
        } else if let Some(c) = sa_type_class(it, &module_name, &attr) {
            Value::Class(c)
        } else if attr.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            let bases = vec![base.clone()];
            Value::Class(Class::new(attr.clone(), module_name.clone(), bases, BuiltinType::Object, None))
        } else {
            opaque(&base, format!("{module_name}.{attr}"), None, Args::default())
        };
        globals.set(&attr, v.clone());
        Ok(v)
    }));
    m
}

/// `inspect(op.get_bind())` with --sql, where the bind is a MockConnection.
fn no_inspection(it: &Interp) -> Box<super::eval::Exc> {
    raise_named(it, "NoInspectionAvailable", "sqlalchemy.exc", "No inspection system is available for object of type <class 'sqlalchemy.engine.mock.MockConnection'>")
}

/// `sa.Table`: a construct like the others, except that `autoload_with=`
/// reflects the table where the call is made, as SQLAlchemy does, and the
/// reflected columns (`include_columns=` keeps some) become the columns it
/// was declared with: `sa.Column(name, TYPE(), primary_key=, nullable=)` in
/// the table's order, so statements over it order and bind their values as
/// SQLAlchemy's do. A table that is not there is `NoSuchTableError` at the
/// call; with --sql the bind cannot be inspected.
fn table_class(base: &Rc<Class>, module: &str, h: Rc<ScriptHost>) -> Rc<Class> {
    let cls = Class::new("Table", module.to_string(), vec![base.clone()], BuiltinType::Object, None);
    let path = format!("{module}.Table");
    cls.dict.borrow_mut().set_str("__init__", native_fn("__init__", move |it, a| {
        let Args { mut pos, kw } = a;
        let Some(Value::Instance(me)) = (!pos.is_empty()).then(|| pos.remove(0)) else { return Ok(Value::None) };
        let site = it.call_site();
        let kwarg = |k: &str| kw.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.is_none());
        if kwarg("autoload_with").is_some() {
            if h.offline() {
                return Err(no_inspection(it));
            }
            let Some(Value::Str(name)) = pos.first().cloned() else {
                return Err(it.type_error("Table() takes a name and a MetaData"));
            };
            if pos.len() > 2 {
                return Err(it.exc("NotImplementedError", "Table(autoload_with=...) with columns given as well is not supported by the playground"));
            }
            let include = match kwarg("include_columns") {
                Some(v) => Some(it.iterate(&v)?.iter().map(|c| c.as_str().map(str::to_string).unwrap_or_default()).collect::<Vec<_>>()),
                None => None,
            };
            pos.extend(super::orm::reflected_columns(it, &h, &name, include.as_deref())?);
        }
        *me.native.borrow_mut() = Some(Rc::new(Construct { path: path.clone(), site, args: Args { pos, kw }, parent: None }));
        Ok(Value::None)
    }));
    cls
}

/// The class of the Core statement a construct's path builds
/// (`sqlalchemy.table.insert.values` is an `Insert`), if it builds one.
fn statement_class_name(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('.').collect();
    segments.iter().rev().find_map(|s| match *s {
        "insert" => Some("Insert"),
        "update" => Some("Update"),
        "delete" => Some("Delete"),
        "select" => Some("Select"),
        "text" => Some("TextClause"),
        _ => None,
    })
}

/// An attribute SQLAlchemy computes from a construct's arguments, where
/// they say it: a table's `name`; a `Column`'s `name`, `key`, `type`,
/// `primary_key` and `nullable`; the same of `t.c.x` when the table
/// declares `x`. `None`: the attribute stays an opaque construct.
fn known_attribute(me: &Value, name: &str) -> Option<Value> {
    let c = match me {
        Value::Instance(i) => construct_of(i)?,
        _ => return None,
    };
    if let Some(t) = super::sql_compiler::table_clause(&c) {
        return (name == "name").then(|| Value::str(&t.name));
    }
    if c.parent.is_none() && c.path.rsplit('.').next() == Some("Column") {
        let kw = |k: &str| c.args.kwarg(k).cloned().filter(|v| !v.is_none());
        let primary_key = || kw("primary_key").unwrap_or(Value::Bool(false));
        return match name {
            "name" | "key" => c.args.pos.first().filter(|n| n.as_str().is_some()).cloned(),
            "type" => kw("type_").or_else(|| c.args.pos.get(1).cloned()).filter(|t| matches!(t, Value::Instance(i) if construct_of(i).is_none())),
            "primary_key" => Some(primary_key()),
            "nullable" => kw("nullable").or_else(|| Some(Value::Bool(!matches!(primary_key(), Value::Bool(true))))),
            _ => None,
        };
    }
    let column = super::sql_compiler::declared_column(me)?;
    known_attribute(&column, name)
}

/// SQLAlchemy's type classes with their base, as `sqlalchemy.sql.sqltypes`
/// and `sqlalchemy.dialects.sqlite` define them (mixins such as
/// `HasExpressionLookup` left out): one class object per type, whichever
/// module names it, so `isinstance` / `issubclass` answer as in SQLAlchemy.
const SA_TYPE_CLASSES: &[SaTypeClass] = &[
    SaTypeClass::root("TypeEngine", "sqlalchemy.sql.type_api"),
    SaTypeClass::new("TypeDecorator", "sqlalchemy.sql.type_api", "TypeEngine"),
    SaTypeClass::new("UserDefinedType", "sqlalchemy.sql.type_api", "TypeEngine"),
    SaTypeClass::new("Variant", "sqlalchemy.sql.type_api", "TypeDecorator"),
    SaTypeClass::sqltype("Integer", "TypeEngine"),
    SaTypeClass::sqltype("SmallInteger", "Integer"),
    SaTypeClass::sqltype("BigInteger", "Integer"),
    SaTypeClass::sqltype("INTEGER", "Integer"),
    SaTypeClass::sqltype("INT", "Integer"),
    SaTypeClass::sqltype("SMALLINT", "SmallInteger"),
    SaTypeClass::sqltype("BIGINT", "BigInteger"),
    SaTypeClass::sqltype("String", "TypeEngine"),
    SaTypeClass::sqltype("Text", "String"),
    SaTypeClass::sqltype("Unicode", "String"),
    SaTypeClass::sqltype("UnicodeText", "Text"),
    SaTypeClass::sqltype("Enum", "String"),
    SaTypeClass::sqltype("VARCHAR", "String"),
    SaTypeClass::sqltype("CHAR", "String"),
    SaTypeClass::sqltype("NVARCHAR", "Unicode"),
    SaTypeClass::sqltype("NCHAR", "Unicode"),
    SaTypeClass::sqltype("TEXT", "Text"),
    SaTypeClass::sqltype("CLOB", "Text"),
    SaTypeClass::sqltype("Numeric", "TypeEngine"),
    SaTypeClass::sqltype("NUMERIC", "Numeric"),
    SaTypeClass::sqltype("DECIMAL", "Numeric"),
    SaTypeClass::sqltype("Float", "TypeEngine"),
    SaTypeClass::sqltype("Double", "Float"),
    SaTypeClass::sqltype("FLOAT", "Float"),
    SaTypeClass::sqltype("REAL", "Float"),
    SaTypeClass::sqltype("DOUBLE", "Double"),
    SaTypeClass::sqltype("DOUBLE_PRECISION", "Double"),
    SaTypeClass::sqltype("Boolean", "TypeEngine"),
    SaTypeClass::sqltype("BOOLEAN", "Boolean"),
    SaTypeClass::sqltype("MatchType", "Boolean"),
    SaTypeClass::sqltype("Date", "TypeEngine"),
    SaTypeClass::sqltype("DateTime", "TypeEngine"),
    SaTypeClass::sqltype("Time", "TypeEngine"),
    SaTypeClass::sqltype("DATE", "Date"),
    SaTypeClass::sqltype("DATETIME", "DateTime"),
    SaTypeClass::sqltype("TIMESTAMP", "DateTime"),
    SaTypeClass::sqltype("TIME", "Time"),
    SaTypeClass::sqltype("Interval", "TypeDecorator"),
    SaTypeClass::sqltype("PickleType", "TypeDecorator"),
    SaTypeClass::sqltype("_Binary", "TypeEngine"),
    SaTypeClass::sqltype("LargeBinary", "_Binary"),
    SaTypeClass::sqltype("BLOB", "LargeBinary"),
    SaTypeClass::sqltype("BINARY", "_Binary"),
    SaTypeClass::sqltype("VARBINARY", "_Binary"),
    SaTypeClass::sqltype("JSON", "TypeEngine"),
    SaTypeClass::sqltype("Uuid", "TypeEngine"),
    SaTypeClass::sqltype("UUID", "Uuid"),
    SaTypeClass::sqltype("ARRAY", "TypeEngine"),
    SaTypeClass::sqltype("TupleType", "TypeEngine"),
    SaTypeClass::sqltype("NullType", "TypeEngine"),
];

/// The SQLite dialect's own type classes (`sqlalchemy.dialects.sqlite.X`
/// that is not `sqlalchemy.X`): the storage-format date types and JSON.
const SQLITE_TYPE_CLASSES: &[SaTypeClass] = &[
    SaTypeClass::new("DATE", "sqlalchemy.dialects.sqlite.base", "Date"),
    SaTypeClass::new("DATETIME", "sqlalchemy.dialects.sqlite.base", "DateTime"),
    SaTypeClass::new("TIME", "sqlalchemy.dialects.sqlite.base", "Time"),
    SaTypeClass::new("JSON", "sqlalchemy.dialects.sqlite.json", "JSON"),
    SaTypeClass::new("JSONB", "sqlalchemy.dialects.sqlite.json", "JSON"),
];

/// The names under which the PostgreSQL and MySQL dialects export
/// SQLAlchemy's own type classes (`sqlalchemy.dialects.postgresql.UUID is
/// sqlalchemy.UUID`): the same class object, so it renders `sa.UUID()`.
/// The dialects' own classes (`postgresql.TIMESTAMP`, `mysql.INTEGER`) are
/// not in this list.
const DIALECT_REEXPORTS: &[(&str, &[&str])] = &[
    (
        "sqlalchemy.dialects.postgresql",
        &["BIGINT", "BOOLEAN", "CHAR", "DATE", "DOUBLE_PRECISION", "FLOAT", "INTEGER", "NUMERIC", "REAL", "SMALLINT", "TEXT", "UUID", "VARCHAR"],
    ),
    ("sqlalchemy.dialects.mysql", &["BINARY", "BLOB", "BOOLEAN", "DATE", "VARBINARY"]),
];

/// The modules through which the generic type classes are reached.
const SA_TYPE_MODULES: &[&str] =
    &["sqlalchemy", "sqlalchemy.types", "sqlalchemy.sql.sqltypes", "sqlalchemy.sql.type_api", "sqlalchemy.dialects.sqlite"];

struct SaTypeClass {
    name: &'static str,
    module: &'static str,
    /// The generic class it derives from (in [`SA_TYPE_CLASSES`]); `None`
    /// for `TypeEngine`, which derives from the SQLAlchemy construct base.
    base: Option<&'static str>,
}

impl SaTypeClass {
    const fn root(name: &'static str, module: &'static str) -> Self {
        SaTypeClass { name, module, base: None }
    }
    const fn new(name: &'static str, module: &'static str, base: &'static str) -> Self {
        SaTypeClass { name, module, base: Some(base) }
    }
    const fn sqltype(name: &'static str, base: &'static str) -> Self {
        SaTypeClass::new(name, "sqlalchemy.sql.sqltypes", base)
    }
}

/// `module.name` when it is one of SQLAlchemy's type classes: the one
/// class object for it in this interpreter, made on first use.
fn sa_type_class(it: &mut Interp, module: &str, name: &str) -> Option<Rc<Class>> {
    let reexport = DIALECT_REEXPORTS.iter().any(|(m, names)| *m == module && names.contains(&name));
    if !SA_TYPE_MODULES.contains(&module) && !reexport {
        // a dialect's own class: under its generic class, so `isinstance`
        // answers as in SQLAlchemy and models.py takes it as a type
        let base = crate::script::dialect_type_base(module, name)?;
        let key = format!("__sa_type__{module}.{name}");
        if let Some(Value::Class(c)) = it.builtins.get(&key) {
            return Some(c);
        }
        let spec = SA_TYPE_CLASSES.iter().find(|t| t.name == base)?;
        let bases = vec![sa_type_class_of(it, spec)];
        let c = Class::new(name, module, bases, BuiltinType::Object, None);
        it.builtins.set(&key, Value::Class(c.clone()));
        return Some(c);
    }
    let own = (module == "sqlalchemy.dialects.sqlite").then(|| SQLITE_TYPE_CLASSES.iter().find(|t| t.name == name)).flatten();
    let spec = own.or_else(|| SA_TYPE_CLASSES.iter().find(|t| t.name == name))?;
    Some(sa_type_class_of(it, spec))
}

fn sa_type_class_of(it: &mut Interp, spec: &SaTypeClass) -> Rc<Class> {
    let key = format!("__sa_type__{}.{}", spec.module, spec.name);
    if let Some(Value::Class(c)) = it.builtins.get(&key) {
        return c;
    }
    let base = match spec.base.and_then(|b| SA_TYPE_CLASSES.iter().find(|t| t.name == b)) {
        Some(b) => sa_type_class_of(it, b),
        None => sa_base_class(it),
    };
    let bases = vec![base];
    let c = Class::new(spec.name, spec.module, bases, BuiltinType::Object, None);
    it.builtins.set(&key, Value::Class(c.clone()));
    c
}

fn opaque(base: &Rc<Class>, path: String, site: Option<CallSite>, args: Args) -> Value {
    opaque_of(base, Construct { path, site, args, parent: None })
}

pub(super) fn opaque_of(base: &Rc<Class>, c: Construct) -> Value {
    let inst = Instance::new(base.clone());
    *inst.native.borrow_mut() = Some(Rc::new(c));
    Value::Instance(Rc::new(inst))
}

/// The base of every SQLAlchemy class the modules hand out (one per
/// interpreter, kept in the builtins under a private name).
pub(crate) fn sa_base_class(it: &mut Interp) -> Rc<Class> {
    if let Some(Value::Class(c)) = it.builtins.get("__sa_construct__") {
        return c;
    }
    let cls = new_plain_class(it, "ClauseElement", "sqlalchemy.sql.elements");
    let path_of = |v: &Value| -> String {
        match v {
            Value::Instance(i) => construct_of(i).map(|c| c.path.clone()).unwrap_or_else(|| format!("{}.{}", i.class.module, i.class.name)),
            _ => "?".into(),
        }
    };
    {
        let mut d = cls.dict.borrow_mut();
        d.set_str("__init__", native_fn("__init__", |it, a| {
            let Args { mut pos, kw } = a;
            if !matches!(pos.first(), Some(Value::Instance(_))) {
                return Ok(Value::None);
            }
            let Value::Instance(me) = pos.remove(0) else { return Ok(Value::None) };
            // Built by hand: `format!` cost more than the rest of a
            // type's construction.
            let mut path = String::with_capacity(me.class.module.len() + 1 + me.class.name.len());
            path.push_str(&me.class.module);
            path.push('.');
            path.push_str(&me.class.name);
            let args = Args { pos, kw };
            *me.native.borrow_mut() = Some(Rc::new(Construct { path, site: it.call_site(), args, parent: None }));
            Ok(Value::None)
        }));
        let base = Rc::downgrade(&cls);
        d.set_str("__getattr__", native_fn("__getattr__", move |it, a| {
            let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            if name.starts_with("__") {
                return Err(it.attribute_error(a.pos.first().unwrap_or(&Value::None), &name));
            }
            let base = base.upgrade().ok_or_else(|| it.exc("RuntimeError", "no SQLAlchemy base"))?;
            let me = a.pos.first().cloned().unwrap_or(Value::None);
            if let Some(v) = known_attribute(&me, &name) {
                return Ok(v);
            }
            // SQLAlchemy 1.x's implicit execution (`stmt.execute()`,
            // `select(...).scalar()`) is gone from 2.x: the attribute is not there
            if matches!(name.as_str(), "execute" | "scalar") {
                if let Some(kind) = statement_class_name(&path_of(&me)) {
                    let hint = if kind == "Select" && name == "scalar" { ". Did you mean: 'as_scalar'?" } else { "" };
                    return Err(it.exc("AttributeError", format!("'{kind}' object has no attribute '{name}'{hint}")));
                }
            }
            let path = format!("{}.{name}", path_of(&me));
            Ok(opaque_of(&base, Construct { path, site: None, args: Args::default(), parent: Some(me) }))
        }));
        let base = Rc::downgrade(&cls);
        d.set_str("__class_getattr__", native_fn("__class_getattr__", move |it, a| {
            let base = base.upgrade().ok_or_else(|| it.exc("RuntimeError", "no SQLAlchemy base"))?;
            let (Some(Value::Class(c)), Some(Value::Str(name))) = (a.pos.first(), a.pos.get(1)) else {
                return Err(it.type_error("__class_getattr__(cls, name)"));
            };
            Ok(opaque(&base, format!("{}.{}.{name}", c.module, c.name), None, Args::default()))
        }));
        let base = Rc::downgrade(&cls);
        d.set_str("__call__", native_fn("__call__", move |it, a| {
            let base = base.upgrade().ok_or_else(|| it.exc("RuntimeError", "no SQLAlchemy base"))?;
            let callee = a.pos.first().cloned().unwrap_or(Value::None);
            let path = path_of(&callee);
            let parent = match &callee {
                Value::Instance(i) => construct_of(i).and_then(|c| c.parent.clone()),
                _ => None,
            };
            // `t.create(bind)`, `metadata.create_all(bind)` and friends run
            // DDL: they are refused rather than left as a construct nobody runs
            let method = path.rsplit('.').next().unwrap_or("");
            if matches!(method, "create" | "drop" | "create_all" | "drop_all") {
                let receiver = parent.as_ref().map(path_of).unwrap_or_default();
                let kind = receiver.rsplit('.').next().unwrap_or("");
                if matches!(kind, "Table" | "table" | "MetaData" | "Index") {
                    return Err(it.exc(
                        "NotImplementedError",
                        format!("{kind}.{method}() is not supported by the playground yet: write op.create_table / op.drop_table / op.create_index / op.drop_index"),
                    ));
                }
            }
            let args = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
            Ok(opaque_of(&base, Construct { path, site: it.call_site(), args, parent }))
        }));
        for op in [
            "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
            "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__and__", "__rand__", "__or__", "__ror__", "__invert__", "__neg__", "__getitem__",
        ] {
            let base = Rc::downgrade(&cls);
            d.set_str(op, native_fn(op, move |it, a| {
                let base = base.upgrade().ok_or_else(|| it.exc("RuntimeError", "no SQLAlchemy base"))?;
                Ok(opaque(&base, format!("sqlalchemy.sql.expression.{op}"), it.call_site(), Args::new(a.pos.clone())))
            }));
        }
        // SQLAlchemy's `BinaryExpression.__bool__` on a column comparison:
        // `==` / `!=` compare their operands' identities (so `if t.c.x == 1:`
        // is False); any other column clause has no truth value. Any other
        // opaque object (a `session.query(...).count()`, say) stands for a
        // value the playground does not compute, so its truth is refused
        // rather than guessed.
        d.set_str("__bool__", native_fn("__bool__", move |it, a| {
            let c = match a.pos.first() {
                Some(Value::Instance(i)) => construct_of(i),
                _ => None,
            };
            let Some(c) = c else {
                return Err(it.type_error("Boolean value of this clause is not defined"));
            };
            let left = c.args.pos.first();
            if !left.is_some_and(super::sql_compiler::is_column_clause) {
                let what = left.map(path_of).unwrap_or_else(|| c.path.clone());
                return Err(it.exc(
                    "NotImplementedError",
                    format!("the truth value of an expression over {what} depends on a result the playground does not compute"),
                ));
            }
            match (c.path.as_str(), &c.args.pos[..]) {
                ("sqlalchemy.sql.expression.__eq__", [l, r]) => Ok(Value::Bool(l.is(r))),
                ("sqlalchemy.sql.expression.__ne__", [l, r]) => Ok(Value::Bool(!l.is(r))),
                _ => Err(it.type_error("Boolean value of this clause is not defined")),
            }
        }));
        // A table's column and constraint collections are iterable in
        // SQLAlchemy: the playground does not model them as collections, so
        // iterating one is refused as such, not as a TypeError the user's
        // code would not get.
        let base = Rc::downgrade(&cls);
        d.set_str("__iter__", native_fn("__iter__", move |it, a| {
            let me = a.pos.first().cloned().unwrap_or(Value::None);
            // a table's `c` / `columns`: its declared columns, each as `t.c.x`
            if let Some(names) = super::sql_compiler::collection_columns(&me) {
                let base = base.upgrade().ok_or_else(|| it.exc("RuntimeError", "no SQLAlchemy base"))?;
                let collection = path_of(&me);
                let columns = names.iter().map(|n| opaque_of(&base, Construct { path: format!("{collection}.{n}"), site: None, args: Args::default(), parent: Some(me.clone()) }));
                return Ok(Value::list(columns.collect()));
            }
            let path = a.pos.first().map(path_of).unwrap_or_default();
            let collection = ["c", "columns", "primary_key", "constraints", "indexes", "foreign_keys", "foreign_key_constraints"];
            if collection.contains(&path.rsplit('.').next().unwrap_or("")) {
                return Err(it.exc("NotImplementedError", format!("iterating `{path}` is not supported by the playground")));
            }
            Err(it.type_error("this SQLAlchemy construct is not iterable"))
        }));
        d.set_str("__hash__", native_fn("__hash__", |_, a| Ok(Value::Int(a.pos.first().map(|v| v.identity() as i64).unwrap_or(0)))));
        d.set_str("__repr__", native_fn("__repr__", move |_, a| Ok(Value::str(&format!("<{}>", path_of(a.pos.first().unwrap_or(&Value::None)))))));
    }
    it.builtins.set("__sa_construct__", Value::Class(cls.clone()));
    cls
}

/// One Python process for a project load, as one `alembic` command is one
/// Python process: a single interpreter, so `sys.modules` is shared (a
/// project module imported by two scripts is evaluated once and is the same
/// module object), the builtin, SQLAlchemy and Alembic modules are built
/// once, on first import, and each revision file is evaluated once into its
/// module object, whose `upgrade()` / `downgrade()` are then called as often
/// as the script is run.
pub struct ScriptProcess {
    it: RefCell<Interp>,
    host: Rc<ScriptHost>,
}

impl ScriptProcess {
    pub fn new(loader: Rc<dyn super::ModuleLoader>) -> Rc<ScriptProcess> {
        let host = ScriptHost::new();
        let mut it = Interp::new(loader);
        install(&mut it, host.clone());
        Rc::new(ScriptProcess { it: RefCell::new(it), host })
    }

    /// Evaluates a revision file as Alembic's `load_module_py` imports it
    /// (not put in `sys.modules`); `parsed` is `source` parsed without
    /// syntax errors.
    pub fn load_module(&self, module_id: &str, file: &str, source: &str, parsed: super::ParsedModule<'_>) -> Result<Rc<Module>, PyError> {
        let mut it = self.interp();
        it.begin_evaluation();
        it.run_file_module(module_id, file, source, parsed)
    }

    /// What `print()` wrote since the last evaluation began.
    pub fn take_output(&self) -> String {
        std::mem::take(&mut self.interp().output)
    }

    /// What log records wrote since the last evaluation began.
    pub fn take_log(&self) -> super::eval::LogOutput {
        std::mem::take(&mut self.interp().log)
    }

    /// The interpreter, to read a loaded module's values.
    pub fn interp(&self) -> std::cell::RefMut<'_, Interp> {
        self.it.borrow_mut()
    }

    /// The state the process's `alembic` / `sqlalchemy` modules share.
    pub fn host(&self) -> &Rc<ScriptHost> {
        &self.host
    }

    /// Calls `function` (`upgrade` / `downgrade`) of the loaded `module`,
    /// sending its ops to `sink` as they are called.
    pub fn run_function(&self, module: &Module, function: &str, sink: &mut dyn OpSink) -> Result<(), ScriptRunError> {
        let host = &self.host;
        let mut it = self.interp();
        it.begin_evaluation();
        // an op failure a previous run caught (`except`) is not this run's
        host.pending.borrow_mut().take();
        let f = module.globals.get(function).ok_or_else(|| {
            ScriptRunError::Python(PyError {
                class: "AttributeError".into(),
                module: "builtins".into(),
                mro: vec!["AttributeError".into(), "Exception".into(), "BaseException".into(), "object".into()],
                message: format!("module '{}' has no attribute '{function}'", module.name),
                loc: None,
                frames: Vec::new(),
            })
        })?;
        let result = with_sink(host, sink, || match it.call(&f, Args::default()) {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = it.to_error(e);
                Err(host.take_failure(e))
            }
        });
        // what it printed after its last op (also when it raised: Python printed it before)
        sink.printed(&std::mem::take(&mut it.output));
        sink.logged(&std::mem::take(&mut it.log).configured);
        result
    }
}

/// SQLAlchemy's exception classes (name, base, module), as `sqlalchemy.exc`
/// and `sqlalchemy.orm.exc` define them.
const SA_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("SQLAlchemyError", "Exception", "sqlalchemy.exc"),
    ("ArgumentError", "SQLAlchemyError", "sqlalchemy.exc"),
    ("ObjectNotExecutableError", "ArgumentError", "sqlalchemy.exc"),
    ("NoSuchModuleError", "ArgumentError", "sqlalchemy.exc"),
    ("CompileError", "SQLAlchemyError", "sqlalchemy.exc"),
    ("UnsupportedCompilationError", "CompileError", "sqlalchemy.exc"),
    ("InvalidRequestError", "SQLAlchemyError", "sqlalchemy.exc"),
    ("NoResultFound", "InvalidRequestError", "sqlalchemy.exc"),
    ("MultipleResultsFound", "InvalidRequestError", "sqlalchemy.exc"),
    ("NoSuchTableError", "InvalidRequestError", "sqlalchemy.exc"),
    ("NoInspectionAvailable", "InvalidRequestError", "sqlalchemy.exc"),
    ("NoReferenceError", "InvalidRequestError", "sqlalchemy.exc"),
    ("StatementError", "SQLAlchemyError", "sqlalchemy.exc"),
    ("DBAPIError", "StatementError", "sqlalchemy.exc"),
    ("InterfaceError", "DBAPIError", "sqlalchemy.exc"),
    ("DatabaseError", "DBAPIError", "sqlalchemy.exc"),
    ("OperationalError", "DatabaseError", "sqlalchemy.exc"),
    ("IntegrityError", "DatabaseError", "sqlalchemy.exc"),
    ("ProgrammingError", "DatabaseError", "sqlalchemy.exc"),
    ("DataError", "DatabaseError", "sqlalchemy.exc"),
    ("NotSupportedError", "DatabaseError", "sqlalchemy.exc"),
    ("InternalError", "DatabaseError", "sqlalchemy.exc"),
    ("UnmappedError", "InvalidRequestError", "sqlalchemy.orm.exc"),
    ("UnmappedInstanceError", "UnmappedError", "sqlalchemy.orm.exc"),
    ("UnmappedClassError", "UnmappedError", "sqlalchemy.orm.exc"),
    ("DetachedInstanceError", "SQLAlchemyError", "sqlalchemy.orm.exc"),
    ("ObjectDeletedError", "InvalidRequestError", "sqlalchemy.orm.exc"),
    ("StaleDataError", "SQLAlchemyError", "sqlalchemy.orm.exc"),
    ("MappedAnnotationError", "ArgumentError", "sqlalchemy.orm.exc"),
];

/// The one class object of SQLAlchemy's exception `name` in this interpreter.
fn shared_exception_class(it: &Interp, name: &str) -> Option<Rc<Class>> {
    let key = format!("__sa_exc__{name}");
    if let Some(Value::Class(c)) = it.builtins.get(&key) {
        return Some(c);
    }
    let &(_, base, module) = SA_EXCEPTIONS.iter().find(|e| e.0 == name)?;
    let base = match base {
        "Exception" => it.types.exceptions["Exception"].clone(),
        b => shared_exception_class(it, b)?,
    };
    let bases = vec![base];
    let cls = Class::new(name, module, bases, BuiltinType::Exception, None);
    it.builtins.set(&key, Value::Class(cls.clone()));
    Some(cls)
}

/// `sqlalchemy.exc.X` / `sqlalchemy.orm.exc.X` (the ORM module re-exports
/// `NoResultFound` and `MultipleResultsFound`).
fn sa_exception_class(it: &Interp, module: &str, name: &str) -> Option<Rc<Class>> {
    let &(_, _, home) = SA_EXCEPTIONS.iter().find(|e| e.0 == name)?;
    let reexported = module == "sqlalchemy.orm.exc" && matches!(name, "NoResultFound" | "MultipleResultsFound");
    (module == home || reexported).then(|| shared_exception_class(it, name)).flatten()
}
