//! Builtin functions, the methods of builtin types, the value protocols
//! (truth, iteration, hashing, repr, operators, comparison, items) and the
//! standard-library modules the evaluator provides.
//!
//! Invariants:
//! - Each operation follows CPython's result and error message for the
//!   types it handles; anything else raises `TypeError` as CPython does.
//! - Standard-library pieces that would need the outside world (files,
//!   clock, randomness, processes) are absent or raise; `os.environ` reads
//!   as empty.

use std::cell::RefCell;
use std::rc::Rc;

use ruff_python_ast as ast;

use super::eval::{binop_dunder, Args, Env, EnvKind, Interp, R};
use super::repr::{py_repr_float, py_repr_str, write_json_str};
use super::value::*;

/// `sys.stdout` / `sys.stderr`: what the command prints on each.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StdStream {
    Stdout,
    Stderr,
}

/// The standard stream `v` is, if it is one.
fn std_stream(v: &Value) -> Option<StdStream> {
    let Value::Instance(i) = v else { return None };
    let n = i.native.borrow();
    n.as_ref()?.downcast_ref::<StdStream>().copied()
}

/// Text written to a standard stream: stdout is `print()`'s output;
/// stderr goes where log records go, in order with them (alike with or
/// without env.py's logging configuration).
fn write_std(it: &mut Interp, stream: StdStream, text: &str) {
    match stream {
        StdStream::Stdout => it.output.push_str(text),
        StdStream::Stderr => {
            it.log.configured.push_str(text);
            it.log.unconfigured.push_str(text);
        }
    }
}

pub fn native_fn(name: &str, f: impl Fn(&mut Interp, Args) -> R<Value> + 'static) -> Value {
    boxed_native_fn(name, Box::new(f))
}

/// What `native_fn` does past boxing the closure, compiled once rather than
/// per closure (some two hundred of them).
#[inline(never)]
fn boxed_native_fn(name: &str, func: Box<NativeFn>) -> Value {
    Value::Builtin(Rc::new(Builtin { name: name.to_string(), func }))
}

fn nargs(it: &Interp, name: &str, a: &Args, min: usize, max: usize) -> R<()> {
    if !a.kw.is_empty() {
        return Err(it.type_error(format!("{name}() takes no keyword arguments")));
    }
    let n = a.pos.len();
    if n < min || n > max {
        return Err(it.type_error(if min == max {
            format!("{name}() takes exactly {min} argument{} ({n} given)", if min == 1 { "" } else { "s" })
        } else if n < min {
            format!("{name} expected at least {min} argument{}, got {n}", if min == 1 { "" } else { "s" })
        } else {
            format!("{name} expected at most {max} argument{}, got {n}", if max == 1 { "" } else { "s" })
        }));
    }
    Ok(())
}

fn int_arg(it: &Interp, v: &Value) -> R<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        other => Err(it.type_error(format!("'{}' object cannot be interpreted as an integer", it.type_name(other)))),
    }
}

pub fn install(it: &mut Interp) {
    let b = it.builtins.clone();
    let t = &it.types;
    for c in [&t.object, &t.type_, &t.bool_, &t.int, &t.float, &t.str_, &t.bytes, &t.tuple, &t.list, &t.dict, &t.set, &t.range, &t.slice, &t.property, &t.staticmethod, &t.classmethod, &t.super_] {
        b.set(&c.name, Value::Class(c.clone()));
    }
    for (name, c) in &t.exceptions {
        b.set(name, Value::Class(c.clone()));
    }
    b.set("frozenset", Value::Class(t.set.clone()));
    t.exceptions["BaseException"].dict.borrow_mut().set_str("__init__", native_fn("__init__", |_, a| {
        if let Some(Value::Instance(me)) = a.pos.first() {
            me.set("args", Value::tuple(a.pos[1..].to_vec()));
        }
        Ok(Value::None)
    }));
    b.set("None", Value::None);
    b.set("Ellipsis", Value::Ellipsis);
    b.set("NotImplemented", Value::NotImplemented);
    b.set("__name__", Value::str("builtins"));

    let f = |n: &str, func: fn(&mut Interp, Args) -> R<Value>| (n.to_string(), native_fn(n, func));
    let fns = [
        f("len", |it, a| {
            nargs(it, "len", &a, 1, 1)?;
            len(it, &a.pos[0]).map(|n| Value::Int(n as i64))
        }),
        f("repr", |it, a| {
            nargs(it, "repr", &a, 1, 1)?;
            it.repr(&a.pos[0]).map(|s| Value::str(&s))
        }),
        f("ascii", |it, a| {
            nargs(it, "ascii", &a, 1, 1)?;
            it.repr(&a.pos[0]).map(|s| Value::str(&ascii_of(&s)))
        }),
        f("print", |it, a| {
            let sep = match a.kwarg("sep") {
                Some(Value::Str(s)) => s.to_string(),
                _ => " ".to_string(),
            };
            let end = match a.kwarg("end") {
                Some(Value::Str(s)) => s.to_string(),
                _ => "\n".to_string(),
            };
            let stream = match a.kwarg("file") {
                None | Some(Value::None) => StdStream::Stdout,
                Some(f) => match std_stream(f) {
                    Some(s) => s,
                    None => return Err(it.exc("OSError", "print(file=...) is not available in the playground (only sys.stdout and sys.stderr)")),
                },
            };
            let mut parts = Vec::new();
            for v in &a.pos {
                parts.push(it.str_of(v)?);
            }
            let line = parts.join(&sep);
            write_std(it, stream, &line);
            write_std(it, stream, &end);
            Ok(Value::None)
        }),
        f("isinstance", |it, a| {
            nargs(it, "isinstance", &a, 2, 2)?;
            let cls = it.class_of(&a.pos[0]);
            class_matches(it, &cls, &a.pos[1], "isinstance").map(Value::Bool)
        }),
        f("issubclass", |it, a| {
            nargs(it, "issubclass", &a, 2, 2)?;
            match &a.pos[0] {
                Value::Class(c) => class_matches(it, c, &a.pos[1], "issubclass").map(Value::Bool),
                _ => Err(it.type_error("issubclass() arg 1 must be a class")),
            }
        }),
        f("getattr", |it, a| {
            nargs(it, "getattr", &a, 2, 3)?;
            let name = a.pos[1].as_str().ok_or_else(|| it.type_error("attribute name must be string"))?.to_string();
            match it.getattr_opt(&a.pos[0], &name)? {
                Some(v) => Ok(v),
                None => match a.pos.get(2) {
                    Some(d) => Ok(d.clone()),
                    None => Err(it.attribute_error(&a.pos[0], &name)),
                },
            }
        }),
        f("hasattr", |it, a| {
            nargs(it, "hasattr", &a, 2, 2)?;
            let name = a.pos[1].as_str().ok_or_else(|| it.type_error("attribute name must be string"))?.to_string();
            match it.getattr_opt(&a.pos[0], &name) {
                Ok(v) => Ok(Value::Bool(v.is_some())),
                Err(e) if it.is_instance_of_name(&e.value, "AttributeError") => Ok(Value::Bool(false)),
                Err(e) => Err(e),
            }
        }),
        f("setattr", |it, a| {
            nargs(it, "setattr", &a, 3, 3)?;
            let name = a.pos[1].as_str().ok_or_else(|| it.type_error("attribute name must be string"))?.to_string();
            it.setattr(&a.pos[0], &name, a.pos[2].clone())?;
            Ok(Value::None)
        }),
        f("callable", |it, a| {
            nargs(it, "callable", &a, 1, 1)?;
            Ok(Value::Bool(match &a.pos[0] {
                Value::Function(_) | Value::Builtin(_) | Value::BoundMethod(_) | Value::Class(_) => true,
                v @ Value::Instance(_) => it.getattr_opt(v, "__call__")?.is_some(),
                _ => false,
            }))
        }),
        f("id", |it, a| {
            nargs(it, "id", &a, 1, 1)?;
            Ok(Value::Int(a.pos[0].identity() as i64 & i64::MAX))
        }),
        f("hash", |it, a| {
            nargs(it, "hash", &a, 1, 1)?;
            match &a.pos[0] {
                Value::Int(i) => Ok(Value::Int(*i)),
                Value::Bool(b) => Ok(Value::Int(*b as i64)),
                v => {
                    it.hash_key(v)?;
                    Err(it.exc("NotImplementedError", "hash() of this value is not modelled by the playground"))
                }
            }
        }),
        f("abs", |it, a| {
            nargs(it, "abs", &a, 1, 1)?;
            match &a.pos[0] {
                Value::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(|| it.exc("OverflowError", "integer overflow")),
                Value::Bool(b) => Ok(Value::Int(*b as i64)),
                Value::Float(f) => Ok(Value::Float(f.abs())),
                v @ Value::Instance(_) => match it.getattr_opt(v, "__abs__")? {
                    Some(f) => it.call(&f, Args::default()),
                    None => Err(it.type_error(format!("bad operand type for abs(): '{}'", it.type_name(v)))),
                },
                v => Err(it.type_error(format!("bad operand type for abs(): '{}'", it.type_name(v)))),
            }
        }),
        f("round", |it, a| {
            nargs(it, "round", &a, 1, 2)?;
            let nd = match a.pos.get(1) {
                Some(Value::None) | None => None,
                Some(v) => Some(int_arg(it, v)?),
            };
            match (&a.pos[0], nd) {
                (Value::Int(i), _) => Ok(Value::Int(*i)),
                (Value::Float(f), None) => {
                    let r = round_half_even(*f);
                    if !r.is_finite() || r.abs() > 9.2e18 {
                        return Err(it.exc("OverflowError", "cannot convert float to integer"));
                    }
                    Ok(Value::Int(r as i64))
                }
                (Value::Float(f), Some(n)) => {
                    let s = format!("{:.*}", n.clamp(0, 300) as usize, f);
                    Ok(Value::Float(s.parse().unwrap_or(*f)))
                }
                (v, _) => Err(it.type_error(format!("type {} doesn't define __round__ method", it.type_name(v)))),
            }
        }),
        f("divmod", |it, a| {
            nargs(it, "divmod", &a, 2, 2)?;
            let q = it.binop(ast::Operator::FloorDiv, a.pos[0].clone(), a.pos[1].clone())?;
            let r = it.binop(ast::Operator::Mod, a.pos[0].clone(), a.pos[1].clone())?;
            Ok(Value::tuple(vec![q, r]))
        }),
        f("pow", |it, a| {
            nargs(it, "pow", &a, 2, 2)?;
            it.binop(ast::Operator::Pow, a.pos[0].clone(), a.pos[1].clone())
        }),
        f("min", |it, a| min_max(it, a, true)),
        f("max", |it, a| min_max(it, a, false)),
        f("sum", |it, a| {
            if a.pos.is_empty() || a.pos.len() > 2 {
                return Err(it.type_error("sum() takes at least 1 positional argument"));
            }
            let mut acc = a.pos.get(1).cloned().or_else(|| a.kwarg("start").cloned()).unwrap_or(Value::Int(0));
            for v in it.iterate(&a.pos[0])? {
                acc = it.binop(ast::Operator::Add, acc, v)?;
            }
            Ok(acc)
        }),
        f("any", |it, a| {
            nargs(it, "any", &a, 1, 1)?;
            for v in it.iterate(&a.pos[0])? {
                if it.truthy(&v)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }),
        f("all", |it, a| {
            nargs(it, "all", &a, 1, 1)?;
            for v in it.iterate(&a.pos[0])? {
                if !it.truthy(&v)? {
                    return Ok(Value::Bool(false));
                }
            }
            Ok(Value::Bool(true))
        }),
        f("sorted", |it, a| {
            if a.pos.len() != 1 {
                return Err(it.type_error(format!("sorted expected 1 argument, got {}", a.pos.len())));
            }
            let mut items = it.iterate(&a.pos[0])?;
            sort_values(it, &mut items, a.kwarg("key").cloned(), a.kwarg("reverse").cloned())?;
            Ok(Value::list(items))
        }),
        f("reversed", |it, a| {
            nargs(it, "reversed", &a, 1, 1)?;
            let mut items = it.iterate(&a.pos[0])?;
            items.reverse();
            Ok(iter_of(items))
        }),
        f("enumerate", |it, a| {
            if a.pos.is_empty() {
                return Err(it.type_error("enumerate() missing required argument 'iterable'"));
            }
            let start = match a.pos.get(1).or(a.kwarg("start")) {
                Some(v) => int_arg(it, v)?,
                None => 0,
            };
            let items = it.iterate(&a.pos[0])?;
            Ok(iter_of(items.into_iter().enumerate().map(|(i, v)| Value::tuple(vec![Value::Int(start + i as i64), v])).collect()))
        }),
        f("zip", |it, a| {
            let mut cols = Vec::new();
            for v in &a.pos {
                cols.push(it.iterate(v)?);
            }
            let strict = match a.kwarg("strict") {
                Some(v) => it.truthy(&v.clone())?,
                None => false,
            };
            let n = cols.iter().map(Vec::len).min().unwrap_or(0);
            if strict && cols.iter().any(|c| c.len() != n) {
                return Err(it.exc("ValueError", "zip() arguments have different lengths"));
            }
            Ok(iter_of((0..n).map(|i| Value::tuple(cols.iter().map(|c| c[i].clone()).collect())).collect()))
        }),
        f("map", |it, a| {
            if a.pos.len() < 2 {
                return Err(it.type_error("map() must have at least two arguments."));
            }
            let mut cols = Vec::new();
            for v in &a.pos[1..] {
                cols.push(it.iterate(v)?);
            }
            let n = cols.iter().map(Vec::len).min().unwrap_or(0);
            let mut out = Vec::new();
            for i in 0..n {
                out.push(it.call(&a.pos[0], Args::new(cols.iter().map(|c| c[i].clone()).collect()))?);
            }
            Ok(iter_of(out))
        }),
        f("filter", |it, a| {
            nargs(it, "filter", &a, 2, 2)?;
            let mut out = Vec::new();
            for v in it.iterate(&a.pos[1])? {
                let keep = if a.pos[0].is_none() { it.truthy(&v)? } else {
                    let r = it.call(&a.pos[0], Args::new(vec![v.clone()]))?;
                    it.truthy(&r)?
                };
                if keep {
                    out.push(v);
                }
            }
            Ok(iter_of(out))
        }),
        f("iter", |it, a| {
            nargs(it, "iter", &a, 1, 1)?;
            if let Value::Iterator(_) = &a.pos[0] {
                return Ok(a.pos[0].clone());
            }
            // a generator is its own iterator
            if it.generator_object(&a.pos[0]).is_some() {
                return Ok(a.pos[0].clone());
            }
            let items = it.iterate(&a.pos[0])?;
            Ok(iter_of(items))
        }),
        f("next", |it, a| {
            nargs(it, "next", &a, 1, 2)?;
            match &a.pos[0] {
                Value::Iterator(s) => {
                    let mut s = s.borrow_mut();
                    if s.pos < s.items.len() {
                        s.pos += 1;
                        Ok(s.items[s.pos - 1].clone())
                    } else {
                        drop(s);
                        match a.pos.get(1) {
                            Some(d) => Ok(d.clone()),
                            None => Err(it.exc("StopIteration", "")),
                        }
                    }
                }
                v @ Value::Instance(_) => match it.getattr_opt(v, "__next__")? {
                    Some(f) => match it.call(&f, Args::default()) {
                        Err(e) if a.pos.len() > 1 && !e.fatal && it.is_instance_of_name(&e.value, "StopIteration") => Ok(a.pos[1].clone()),
                        r => r,
                    },
                    None => Err(it.type_error(format!("'{}' object is not an iterator", it.type_name(v)))),
                },
                v => Err(it.type_error(format!("'{}' object is not an iterator", it.type_name(v)))),
            }
        }),
        f("chr", |it, a| {
            nargs(it, "chr", &a, 1, 1)?;
            let n = int_arg(it, &a.pos[0])?;
            char::from_u32(n as u32).filter(|_| (0..=0x10ffff).contains(&n)).map(|c| Value::str(&c.to_string())).ok_or_else(|| it.exc("ValueError", "chr() arg not in range(0x110000)"))
        }),
        f("ord", |it, a| {
            nargs(it, "ord", &a, 1, 1)?;
            match &a.pos[0] {
                Value::Str(s) if s.chars().count() == 1 => Ok(Value::Int(s.chars().next().map(|c| c as i64).unwrap_or(0))),
                Value::Str(s) => Err(it.type_error(format!("ord() expected a character, but string of length {} found", s.chars().count()))),
                v => Err(it.type_error(format!("ord() expected string of length 1, but {} found", it.type_name(v)))),
            }
        }),
        f("hex", |it, a| {
            nargs(it, "hex", &a, 1, 1)?;
            let n = int_arg(it, &a.pos[0])?;
            Ok(Value::str(&if n < 0 { format!("-0x{:x}", n.unsigned_abs()) } else { format!("0x{n:x}") }))
        }),
        f("vars", |it, a| {
            nargs(it, "vars", &a, 1, 1)?;
            it.getattr(&a.pos[0], "__dict__")
        }),
        f("open", |it, _| Err(it.exc("OSError", "files cannot be opened by code the playground evaluates"))),
        f("input", |it, _| Err(it.exc("OSError", "input() is not available in the playground"))),
        f("exec", |it, _| Err(it.exc("NotImplementedError", "exec() is not supported by the playground's evaluator"))),
        f("eval", |it, _| Err(it.exc("NotImplementedError", "eval() is not supported by the playground's evaluator"))),
        f("compile", |it, _| Err(it.exc("NotImplementedError", "compile() is not supported by the playground's evaluator"))),
        f("__import__", |it, a| {
            nargs(it, "__import__", &a, 1, 1)?;
            let n = a.pos[0].as_str().ok_or_else(|| it.type_error("__import__() argument 1 must be str"))?.to_string();
            it.import_module(&n).map(Value::Module)
        }),
        f("globals", |it, _| Err(it.exc("NotImplementedError", "globals() is not supported by the playground's evaluator"))),
        f("locals", |it, _| Err(it.exc("NotImplementedError", "locals() is not supported by the playground's evaluator"))),
    ];
    for (n, v) in fns {
        b.set(&n, v);
    }
    // `int | None` in annotations: kept as its first member (annotations are
    // not interpreted by scripts).
    b.set("__typing_union__", native_fn("__typing_union__", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
    install_stdlib(it);
}

fn round_half_even(f: f64) -> f64 {
    let r = f.round();
    if (f - f.trunc()).abs() == 0.5 {
        2.0 * (f / 2.0).round()
    } else {
        r
    }
}

pub fn iter_of(items: Vec<Value>) -> Value {
    Value::Iterator(Rc::new(RefCell::new(IterState { items, pos: 0 })))
}

fn class_matches(it: &mut Interp, cls: &Rc<Class>, spec: &Value, fname: &str) -> R<bool> {
    match spec {
        Value::Class(c) => Ok(cls.is_subclass(c) || (Rc::ptr_eq(c, &it.types.set) && cls.builtin == BuiltinType::Set)),
        Value::Tuple(t) => {
            for s in t.iter() {
                if class_matches(it, cls, s, fname)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Instance(i) if i.class.name == "_SpecialForm" => Ok(false),
        _ => Err(it.type_error(format!("{fname}() arg 2 must be a type, a tuple of types, or a union"))),
    }
}

fn min_max(it: &mut Interp, a: Args, is_min: bool) -> R<Value> {
    let name = if is_min { "min" } else { "max" };
    let items = if a.pos.len() == 1 { it.iterate(&a.pos[0])? } else { a.pos.clone() };
    let key = a.kwarg("key").cloned();
    if items.is_empty() {
        return match a.kwarg("default") {
            Some(d) => Ok(d.clone()),
            None => Err(it.exc("ValueError", format!("{name}() iterable argument is empty"))),
        };
    }
    let mut best = items[0].clone();
    let mut best_k = match &key {
        Some(k) => it.call(k, Args::new(vec![best.clone()]))?,
        None => best.clone(),
    };
    for v in items.into_iter().skip(1) {
        let k = match &key {
            Some(kf) => it.call(kf, Args::new(vec![v.clone()]))?,
            None => v.clone(),
        };
        let op = if is_min { ast::CmpOp::Lt } else { ast::CmpOp::Gt };
        let better = it.compare(op, &k, &best_k)?;
        if it.truthy(&better)? {
            best = v;
            best_k = k;
        }
    }
    Ok(best)
}

fn sort_values(it: &mut Interp, items: &mut Vec<Value>, key: Option<Value>, reverse: Option<Value>) -> R<()> {
    let reverse = match reverse {
        Some(r) => it.truthy(&r)?,
        None => false,
    };
    let mut keyed = Vec::with_capacity(items.len());
    for v in items.drain(..) {
        let k = match &key {
            Some(kf) if !kf.is_none() => it.call(kf, Args::new(vec![v.clone()]))?,
            _ => v.clone(),
        };
        keyed.push((k, v));
    }
    // Stable merge sort with a fallible comparison.
    let mut err = None;
    crate::sort::sort_by(&mut keyed, |a, b| {
        if err.is_some() {
            return std::cmp::Ordering::Equal;
        }
        let (x, y) = if reverse { (&b.0, &a.0) } else { (&a.0, &b.0) };
        match it.compare(ast::CmpOp::Lt, x, y).and_then(|v| it.truthy(&v)) {
            Ok(true) => std::cmp::Ordering::Less,
            Ok(false) => match it.compare(ast::CmpOp::Lt, y, x).and_then(|v| it.truthy(&v)) {
                Ok(true) => std::cmp::Ordering::Greater,
                Ok(false) => std::cmp::Ordering::Equal,
                Err(e) => {
                    err = Some(e);
                    std::cmp::Ordering::Equal
                }
            },
            Err(e) => {
                err = Some(e);
                std::cmp::Ordering::Equal
            }
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    items.extend(keyed.into_iter().map(|(_, v)| v));
    Ok(())
}

// ----- protocols ---------------------------------------------------------------

pub fn len(it: &mut Interp, v: &Value) -> R<usize> {
    Ok(match v {
        Value::Str(s) => s.chars().count(),
        Value::Bytes(b) => b.len(),
        Value::Tuple(t) => t.len(),
        Value::List(l) => l.borrow().len(),
        Value::Dict(d) | Value::Set(d) => d.borrow().len(),
        Value::Range(a, b, s) => range_len(*a, *b, *s),
        Value::Instance(_) => match it.getattr_opt(v, "__len__")? {
            Some(f) => {
                let r = it.call(&f, Args::default())?;
                int_arg(it, &r)? as usize
            }
            None => return Err(it.type_error(format!("object of type '{}' has no len()", it.type_name(v)))),
        },
        Value::Class(c) if c.dict.borrow().get_str("_member_names_").is_some() => enum_members(it, c)?.len(),
        other => return Err(it.type_error(format!("object of type '{}' has no len()", it.type_name(other)))),
    })
}

fn range_len(a: i64, b: i64, s: i64) -> usize {
    if s > 0 && b > a {
        ((b - a - 1) / s + 1) as usize
    } else if s < 0 && a > b {
        ((a - b - 1) / (-s) + 1) as usize
    } else {
        0
    }
}

/// The six rich comparisons of a totally ordered value class (`Decimal`,
/// `UUID`): each method's name and whether an ordering satisfies it.
pub const RICH_COMPARISONS: [(&str, fn(std::cmp::Ordering) -> bool); 6] = [
    ("__eq__", std::cmp::Ordering::is_eq),
    ("__ne__", std::cmp::Ordering::is_ne),
    ("__lt__", std::cmp::Ordering::is_lt),
    ("__le__", std::cmp::Ordering::is_le),
    ("__gt__", std::cmp::Ordering::is_gt),
    ("__ge__", std::cmp::Ordering::is_ge),
];

pub fn truthy(it: &mut Interp, v: &Value) -> R<bool> {
    Ok(match v {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::Bytes(b) => !b.is_empty(),
        Value::Tuple(t) => !t.is_empty(),
        Value::List(l) => !l.borrow().is_empty(),
        Value::Dict(d) | Value::Set(d) => !d.borrow().is_empty(),
        Value::Range(a, b, s) => range_len(*a, *b, *s) > 0,
        Value::Instance(i) => {
            if let Some(b) = i.base_value.borrow().clone() {
                return truthy(it, &b);
            }
            if let Some(f) = it.getattr_opt(v, "__bool__")? {
                let r = it.call(&f, Args::default())?;
                return match r {
                    Value::Bool(b) => Ok(b),
                    _ => Err(it.type_error(format!("__bool__ should return bool, returned {}", it.type_name(&r)))),
                };
            }
            if i.class.lookup("__len__").is_some() {
                return Ok(len(it, v)? > 0);
            }
            true
        }
        _ => true,
    })
}

pub fn iterate(it: &mut Interp, v: &Value) -> R<Vec<Value>> {
    Ok(match v {
        Value::Str(s) => s.chars().map(|c| Value::str(&c.to_string())).collect(),
        Value::Bytes(b) => b.iter().map(|x| Value::Int(*x as i64)).collect(),
        Value::Tuple(t) => t.to_vec(),
        Value::List(l) => l.borrow().clone(),
        Value::Dict(d) | Value::Set(d) => d.borrow().keys(),
        Value::Range(a, b, s) => {
            let n = range_len(*a, *b, *s);
            it.check_size(n)?;
            (0..n as i64).map(|i| Value::Int(a + i * s)).collect()
        }
        Value::Iterator(st) => {
            let mut st = st.borrow_mut();
            let rest = st.items[st.pos..].to_vec();
            st.pos = st.items.len();
            rest
        }
        Value::Instance(i) => {
            if let Some(g) = it.generator_object(v) {
                // read whole: each value as the body yields it
                if matches!(*g.state.borrow(), super::eval::GeneratorState::Done) {
                    return Ok(Vec::new());
                }
                let mut items = Vec::new();
                it.drive_generator(&g, &mut |it, x| {
                    items.push(x);
                    it.check_size(items.len())?;
                    Ok(Value::None)
                })?;
                return Ok(items);
            }
            if let Some(b) = i.base_value.borrow().clone() {
                if i.class.lookup("__iter__").is_none() {
                    return iterate(it, &b);
                }
            }
            match it.getattr_opt(v, "__iter__")? {
                Some(f) => {
                    let r = it.call(&f, Args::default())?;
                    if let Value::Instance(_) = &r {
                        // An iterator object: call __next__ until StopIteration.
                        let next = it.getattr(&r, "__next__")?;
                        let mut out = Vec::new();
                        loop {
                            match it.call(&next, Args::default()) {
                                Ok(x) => {
                                    out.push(x);
                                    it.check_size(out.len())?;
                                }
                                Err(e) if it.is_instance_of_name(&e.value, "StopIteration") => break,
                                Err(e) => return Err(e),
                            }
                        }
                        out
                    } else {
                        iterate(it, &r)?
                    }
                }
                None => return Err(it.type_error(format!("'{}' object is not iterable", it.type_name(v)))),
            }
        }
        Value::Class(c) if c.dict.borrow().get_str("_member_names_").is_some() => enum_members(it, c)?,
        other => return Err(it.type_error(format!("'{}' object is not iterable", it.type_name(other)))),
    })
}

/// `Color(value)`: `EnumType.__call__` looks the member up by value (a
/// member given is itself).
fn enum_by_value(it: &mut Interp, cls: &Rc<Class>, a: &Args) -> R<Value> {
    let [value] = a.pos.as_slice() else {
        return Err(it.type_error(format!("{}() takes exactly one argument (the value of a member)", cls.name)));
    };
    if !a.kw.is_empty() {
        return Err(it.type_error(format!("{}() takes no keyword arguments", cls.name)));
    }
    for member in enum_members(it, cls)? {
        if member.is(value) {
            return Ok(member);
        }
        let Value::Instance(m) = &member else { continue };
        let v = m.get("_value_").unwrap_or(Value::None);
        if values_eq(it, &v, value)? {
            return Ok(member);
        }
    }
    let shown = repr(it, value)?;
    Err(it.exc("ValueError", format!("{shown} is not a valid {}", cls.qualname)))
}

fn enum_members(it: &mut Interp, c: &Rc<Class>) -> R<Vec<Value>> {
    let names = c.dict.borrow().get_str("_member_names_").cloned().unwrap_or(Value::None);
    let mut out = Vec::new();
    for n in iterate(it, &names)? {
        if let Value::Str(s) = n {
            if let Some(m) = c.dict.borrow().get_str(&s) {
                out.push(m.clone());
            }
        }
    }
    Ok(out)
}

pub fn mapping_items(it: &mut Interp, v: &Value) -> R<Vec<(Value, Value)>> {
    match v {
        Value::Dict(d) => Ok(d.borrow().items()),
        Value::Instance(_) => {
            let keys = it.getattr(v, "keys")?;
            let ks = it.call(&keys, Args::default())?;
            let mut out = Vec::new();
            for k in it.iterate(&ks)? {
                let val = it.getitem(v, k.clone())?;
                out.push((k, val));
            }
            Ok(out)
        }
        other => Err(it.type_error(format!("'{}' object is not a mapping", it.type_name(other)))),
    }
}

pub fn hash_key(it: &mut Interp, v: &Value) -> R<HashKey> {
    Ok(match v {
        Value::None => HashKey::None,
        Value::Ellipsis => HashKey::Ellipsis,
        Value::Bool(b) => HashKey::Int(*b as i64),
        Value::Int(i) => HashKey::Int(*i),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                HashKey::Int(*f as i64)
            } else {
                HashKey::Float(f.to_bits())
            }
        }
        Value::Str(s) => HashKey::Str(s.clone()),
        Value::Bytes(b) => HashKey::Bytes(b.clone()),
        Value::Tuple(t) => {
            let mut ks = Vec::with_capacity(t.len());
            for x in t.iter() {
                ks.push(hash_key(it, x)?);
            }
            HashKey::Tuple(ks)
        }
        Value::Range(a, b, c) => HashKey::Tuple(vec![HashKey::Int(*a), HashKey::Int(*b), HashKey::Int(*c)]),
        Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::Slice(_) => {
            return Err(it.type_error(format!("unhashable type: '{}'", it.type_name(v))))
        }
        Value::Instance(i) => {
            if let Some(b) = i.base_value.borrow().clone() {
                return hash_key(it, &b);
            }
            if let Some(k) = super::datetime::hash_key(v) {
                return Ok(k);
            }
            if let Some(k) = super::decimal::hash_key(v).or_else(|| super::uuid::hash_key(v)) {
                return Ok(k);
            }
            if i.class.lookup("__eq__").is_some() && i.class.lookup("__hash__").is_none() && !is_native_class(&i.class) {
                return Err(it.type_error(format!("unhashable type: '{}'", i.class.name)));
            }
            HashKey::Id(v.identity())
        }
        _ => HashKey::Id(v.identity()),
    })
}

/// Classes defined in Rust (their module is not a Python file).
fn is_native_class(c: &Rc<Class>) -> bool {
    c.mro_all().all(|k| k.dict.borrow().get_str("__eq__").map(|f| matches!(f, Value::Builtin(_))).unwrap_or(true))
}

pub fn repr(it: &mut Interp, v: &Value) -> R<String> {
    Ok(match v {
        Value::None => "None".into(),
        Value::Ellipsis => "Ellipsis".into(),
        Value::NotImplemented => "NotImplemented".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => py_repr_float(*f),
        Value::Str(s) => py_repr_str(s),
        Value::Bytes(b) => repr_bytes(b),
        Value::Tuple(t) => {
            let mut parts = Vec::new();
            for x in t.iter() {
                parts.push(repr(it, x)?);
            }
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Value::List(l) => {
            let items = l.borrow().clone();
            let mut parts = Vec::new();
            for x in &items {
                parts.push(repr(it, x)?);
            }
            format!("[{}]", parts.join(", "))
        }
        Value::Dict(d) => {
            let items = d.borrow().items();
            let mut parts = Vec::new();
            for (k, x) in &items {
                parts.push(format!("{}: {}", repr(it, k)?, repr(it, x)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Set(d) => {
            let items = d.borrow().keys();
            if items.is_empty() {
                return Ok("set()".into());
            }
            let mut parts = Vec::new();
            for x in &items {
                parts.push(repr(it, x)?);
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Range(a, b, s) => {
            if *s == 1 {
                format!("range({a}, {b})")
            } else {
                format!("range({a}, {b}, {s})")
            }
        }
        Value::Slice(s) => {
            let (a, b, c) = (repr(it, &s[0])?, repr(it, &s[1])?, repr(it, &s[2])?);
            format!("slice({a}, {b}, {c})")
        }
        Value::Function(f) => format!("<function {}>", f.qualname),
        Value::Builtin(b) => format!("<built-in function {}>", b.name),
        Value::BoundMethod(m) => {
            let fname = match &m.func {
                Value::Function(f) => f.qualname.clone(),
                Value::Builtin(b) => b.name.clone(),
                _ => "?".into(),
            };
            format!("<bound method {fname}>")
        }
        Value::Class(c) => {
            if c.module == "builtins" {
                format!("<class '{}'>", c.qualname)
            } else {
                format!("<class '{}.{}'>", c.module, c.qualname)
            }
        }
        Value::Module(m) => match &m.file {
            Some(f) => format!("<module '{}' from '{}'>", m.name, f),
            None => format!("<module '{}' (built-in)>", m.name),
        },
        Value::Iterator(_) => "<iterator>".into(),
        Value::Descriptor(_) => format!("<{} object>", it.type_name(v)),
        Value::Super(_) => "<super object>".into(),
        Value::Instance(i) => {
            if let Some(f) = i.class.lookup("__repr__") {
                let bound = Value::BoundMethod(Rc::new(BoundMethod { receiver: v.clone(), func: f }));
                let r = it.call(&bound, Args::default())?;
                return match r {
                    Value::Str(s) => Ok(s.to_string()),
                    other => Err(it.type_error(format!("__repr__ returned non-string (type {})", it.type_name(&other)))),
                };
            }
            if i.class.builtin == BuiltinType::Exception {
                let args = i.get("args").unwrap_or(Value::tuple(vec![]));
                let inner = match &args {
                    Value::Tuple(t) if t.len() == 1 => format!("({})", repr(it, &t[0])?),
                    other => repr(it, other)?,
                };
                return Ok(format!("{}{}", i.class.name, inner));
            }
            if let Some(b) = i.base_value.borrow().clone() {
                return repr(it, &b);
            }
            let module = if i.class.module == "builtins" { String::new() } else { format!("{}.", i.class.module) };
            format!("<{module}{} object>", i.class.qualname)
        }
    })
}

fn repr_bytes(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { '"' } else { '\'' };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

pub fn ascii_of(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let n = c as u32;
        if n < 128 {
            out.push(c);
        } else if n <= 0xff {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n <= 0xffff {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

pub fn str_of(it: &mut Interp, v: &Value) -> R<String> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        Value::Instance(i) => {
            if let Some(f) = i.class.lookup("__str__") {
                let bound = Value::BoundMethod(Rc::new(BoundMethod { receiver: v.clone(), func: f }));
                let r = it.call(&bound, Args::default())?;
                return match r {
                    Value::Str(s) => Ok(s.to_string()),
                    other => Err(it.type_error(format!("__str__ returned non-string (type {})", it.type_name(&other)))),
                };
            }
            if i.class.builtin == BuiltinType::Exception {
                let args = i.get("args").unwrap_or(Value::tuple(vec![]));
                return match &args {
                    Value::Tuple(t) if t.is_empty() => Ok(String::new()),
                    Value::Tuple(t) if t.len() == 1 => {
                        if i.class.is_subclass_named("KeyError") {
                            repr(it, &t[0])
                        } else {
                            str_of(it, &t[0])
                        }
                    }
                    other => repr(it, other),
                };
            }
            repr(it, v)
        }
        other => repr(it, other),
    }
}

// ----- items -------------------------------------------------------------------

fn norm_index(it: &Interp, i: i64, n: usize, what: &str) -> R<usize> {
    let j = if i < 0 { i + n as i64 } else { i };
    if j < 0 || j >= n as i64 {
        return Err(it.exc("IndexError", format!("{what} index out of range")));
    }
    Ok(j as usize)
}

fn slice_indices(it: &mut Interp, s: &[Value; 3], n: usize) -> R<Vec<usize>> {
    let step = match &s[2] {
        Value::None => 1,
        v => int_arg(it, v)?,
    };
    if step == 0 {
        return Err(it.exc("ValueError", "slice step cannot be zero"));
    }
    let n = n as i64;
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let conv = |v: &Value, it: &mut Interp, default: i64| -> R<i64> {
        match v {
            Value::None => Ok(default),
            v => {
                let i = int_arg(it, v)?;
                Ok(if i < 0 { i + n } else { i })
            }
        }
    };
    let mut out = Vec::new();
    if step > 0 {
        let a = clamp(conv(&s[0], it, 0)?, 0, n);
        let b = clamp(conv(&s[1], it, n)?, 0, n);
        let mut i = a;
        while i < b {
            out.push(i as usize);
            i += step;
        }
    } else {
        let a = clamp(conv(&s[0], it, n - 1)?, -1, n - 1);
        let b = clamp(conv(&s[1], it, -1)?, -1, n - 1);
        let mut i = a;
        while i > b {
            out.push(i as usize);
            i += step;
        }
    }
    Ok(out)
}

pub fn getitem(it: &mut Interp, obj: &Value, key: Value) -> R<Value> {
    match (obj, &key) {
        (Value::List(l), Value::Slice(s)) => {
            let items = l.borrow().clone();
            let idx = slice_indices(it, s, items.len())?;
            Ok(Value::list(idx.into_iter().map(|i| items[i].clone()).collect()))
        }
        (Value::Tuple(t), Value::Slice(s)) => {
            let idx = slice_indices(it, s, t.len())?;
            Ok(Value::tuple(idx.into_iter().map(|i| t[i].clone()).collect()))
        }
        (Value::Str(st), Value::Slice(s)) => {
            let chars: Vec<char> = st.chars().collect();
            let idx = slice_indices(it, s, chars.len())?;
            Ok(Value::str(&idx.into_iter().map(|i| chars[i]).collect::<String>()))
        }
        (Value::List(l), k) => {
            let i = int_arg(it, k).map_err(|_| it.type_error(format!("list indices must be integers or slices, not {}", it.type_name(k))))?;
            let l = l.borrow();
            let j = norm_index(it, i, l.len(), "list")?;
            Ok(l[j].clone())
        }
        (Value::Tuple(t), k) => {
            let i = int_arg(it, k).map_err(|_| it.type_error(format!("tuple indices must be integers or slices, not {}", it.type_name(k))))?;
            let j = norm_index(it, i, t.len(), "tuple")?;
            Ok(t[j].clone())
        }
        (Value::Str(s), k) => {
            let i = int_arg(it, k).map_err(|_| it.type_error(format!("string indices must be integers, not '{}'", it.type_name(k))))?;
            let chars: Vec<char> = s.chars().collect();
            let j = norm_index(it, i, chars.len(), "string")?;
            Ok(Value::str(&chars[j].to_string()))
        }
        (Value::Bytes(b), k) => {
            let i = int_arg(it, k)?;
            let j = norm_index(it, i, b.len(), "index")?;
            Ok(Value::Int(b[j] as i64))
        }
        (Value::Range(a, _, s), k) => {
            let i = int_arg(it, k)?;
            let n = len(it, obj)?;
            let j = norm_index(it, i, n, "range object")?;
            Ok(Value::Int(a + j as i64 * s))
        }
        (Value::Dict(d), k) => {
            let hk = hash_key(it, k)?;
            let found = d.borrow().get(&hk).cloned();
            match found {
                Some(v) => Ok(v),
                None if it.dict_defaults.contains_key(&obj.identity()) => {
                    let factory = it.dict_defaults[&obj.identity()].1.clone();
                    let v = it.call(&factory, Args::default())?;
                    d.borrow_mut().insert(hk, key.clone(), v.clone());
                    Ok(v)
                }
                None => {
                    let r = repr(it, k)?;
                    let e = it.exc("KeyError", r);
                    if let Value::Instance(i) = &e.value {
                        i.set("args", Value::tuple(vec![key.clone()]));
                    }
                    Err(e)
                }
            }
        }
        (Value::Instance(_), _) => match it.getattr_opt(obj, "__getitem__")? {
            Some(f) => it.call(&f, Args::new(vec![key])),
            None => Err(it.type_error(format!("'{}' object is not subscriptable", it.type_name(obj)))),
        },
        (Value::Class(c), _) => {
            if let Some(f) = c.lookup("__class_getitem__") {
                let f = match f {
                    Value::Descriptor(d) => match d.as_ref() {
                        Descriptor::ClassMethod(f) => Value::BoundMethod(Rc::new(BoundMethod { receiver: obj.clone(), func: f.clone() })),
                        _ => return Err(it.type_error("bad __class_getitem__")),
                    },
                    f => f,
                };
                return it.call(&f, Args::new(vec![key]));
            }
            if c.dict.borrow().get_str("_member_names_").is_some() {
                if let Value::Str(s) = &key {
                    if let Some(m) = c.dict.borrow().get_str(s) {
                        return Ok(m.clone());
                    }
                }
                let r = repr(it, &key)?;
                return Err(it.exc("KeyError", r));
            }
            // `list[int]`, `dict[str, int]`: generic aliases, kept as the class.
            if matches!(c.module.as_str(), "builtins" | "collections" | "typing") || c.module.starts_with("sqlalchemy") || c.module.starts_with("sqlmodel") {
                return Ok(obj.clone());
            }
            Err(it.type_error(format!("type '{}' is not subscriptable", c.name)))
        }
        _ => Err(it.type_error(format!("'{}' object is not subscriptable", it.type_name(obj)))),
    }
}

pub fn setitem(it: &mut Interp, obj: &Value, key: Value, v: Value) -> R<()> {
    match obj {
        Value::List(l) => {
            if let Value::Slice(s) = &key {
                let n = l.borrow().len();
                let new = it.iterate(&v)?;
                if matches!(s[2], Value::None) {
                    let idx = slice_indices(it, s, n)?;
                    let (a, b) = match (idx.first(), idx.last()) {
                        (Some(a), Some(b)) => (*a, *b + 1),
                        _ => {
                            let a = match &s[0] {
                                Value::None => 0,
                                x => {
                                    let i = int_arg(it, x)?;
                                    (if i < 0 { i + n as i64 } else { i }).clamp(0, n as i64) as usize
                                }
                            };
                            (a, a)
                        }
                    };
                    l.borrow_mut().splice(a..b, new);
                    return Ok(());
                }
                return Err(it.exc("NotImplementedError", "extended slice assignment is not supported by the playground's evaluator"));
            }
            let i = int_arg(it, &key)?;
            let n = l.borrow().len();
            let j = norm_index(it, i, n, "list assignment")?;
            l.borrow_mut()[j] = v;
            Ok(())
        }
        Value::Dict(d) => {
            let hk = hash_key(it, &key)?;
            d.borrow_mut().insert(hk, key, v);
            Ok(())
        }
        Value::Instance(_) => match it.getattr_opt(obj, "__setitem__")? {
            Some(f) => it.call(&f, Args::new(vec![key, v])).map(|_| ()),
            None => Err(it.type_error(format!("'{}' object does not support item assignment", it.type_name(obj)))),
        },
        _ => Err(it.type_error(format!("'{}' object does not support item assignment", it.type_name(obj)))),
    }
}

pub fn delitem(it: &mut Interp, obj: &Value, key: Value) -> R<()> {
    match obj {
        Value::List(l) => {
            let i = int_arg(it, &key)?;
            let n = l.borrow().len();
            let j = norm_index(it, i, n, "list assignment")?;
            l.borrow_mut().remove(j);
            Ok(())
        }
        Value::Dict(d) => {
            let hk = hash_key(it, &key)?;
            let removed = d.borrow_mut().remove(&hk);
            match removed {
                Some(_) => Ok(()),
                None => {
                    let r = repr(it, &key)?;
                    Err(it.exc("KeyError", r))
                }
            }
        }
        Value::Instance(_) => match it.getattr_opt(obj, "__delitem__")? {
            Some(f) => it.call(&f, Args::new(vec![key])).map(|_| ()),
            None => Err(it.type_error(format!("'{}' object does not support item deletion", it.type_name(obj)))),
        },
        _ => Err(it.type_error(format!("'{}' object does not support item deletion", it.type_name(obj)))),
    }
}

// ----- operators ---------------------------------------------------------------

fn reflected(op: ast::Operator) -> String {
    let d = binop_dunder(op);
    format!("__r{}", &d[2..])
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(*b as i64 as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn unsupported(it: &Interp, op: ast::Operator, l: &Value, r: &Value) -> Box<super::eval::Exc> {
    it.type_error(format!("unsupported operand type(s) for {}: '{}' and '{}'", op.as_str(), it.type_name(l), it.type_name(r)))
}

pub fn binop(it: &mut Interp, op: ast::Operator, l: Value, r: Value) -> R<Value> {
    use ast::Operator::*;
    // User-defined and native operator methods first.
    let l_inst = matches!(l, Value::Instance(_)) || matches!(l, Value::Class(_));
    let r_inst = matches!(r, Value::Instance(_));
    if l_inst {
        if let Some(f) = it.getattr_opt(&l, binop_dunder(op))? {
            let v = it.call(&f, Args::new(vec![r.clone()]))?;
            if !matches!(v, Value::NotImplemented) {
                return Ok(v);
            }
        }
    }
    if r_inst {
        if let Some(f) = it.getattr_opt(&r, &reflected(op))? {
            let v = it.call(&f, Args::new(vec![l.clone()]))?;
            if !matches!(v, Value::NotImplemented) {
                return Ok(v);
            }
        }
    }
    let lb = base_of(&l);
    let rb = base_of(&r);
    let (l, r) = (lb.unwrap_or(l), rb.unwrap_or(r));
    if let (Some(a), Some(b)) = (int_of(&l), int_of(&r)) {
        let ovf = || it.exc("OverflowError", "integer result does not fit in 64 bits (the playground's int)");
        return Ok(match op {
            Add => Value::Int(a.checked_add(b).ok_or_else(ovf)?),
            Sub => Value::Int(a.checked_sub(b).ok_or_else(ovf)?),
            Mult => Value::Int(a.checked_mul(b).ok_or_else(ovf)?),
            Div => {
                if b == 0 {
                    return Err(it.exc("ZeroDivisionError", "division by zero"));
                }
                Value::Float(a as f64 / b as f64)
            }
            FloorDiv => {
                if b == 0 {
                    return Err(it.exc("ZeroDivisionError", "integer division or modulo by zero"));
                }
                let q = a.checked_div(b).ok_or_else(ovf)?;
                Value::Int(if (a % b != 0) && ((a < 0) != (b < 0)) { q - 1 } else { q })
            }
            Mod => {
                if b == 0 {
                    return Err(it.exc("ZeroDivisionError", "integer modulo by zero"));
                }
                let m = a.checked_rem(b).ok_or_else(ovf)?;
                Value::Int(if m != 0 && ((m < 0) != (b < 0)) { m + b } else { m })
            }
            Pow => {
                if b < 0 {
                    Value::Float((a as f64).powf(b as f64))
                } else {
                    let e = u32::try_from(b).map_err(|_| ovf())?;
                    Value::Int(a.checked_pow(e).ok_or_else(ovf)?)
                }
            }
            LShift => {
                if b < 0 {
                    return Err(it.exc("ValueError", "negative shift count"));
                }
                let r = if b >= 63 { None } else { a.checked_mul(1i64 << b) };
                Value::Int(r.ok_or_else(ovf)?)
            }
            RShift => {
                if b < 0 {
                    return Err(it.exc("ValueError", "negative shift count"));
                }
                Value::Int(a >> b.min(63))
            }
            BitOr => {
                if let (Value::Bool(x), Value::Bool(y)) = (&l, &r) {
                    Value::Bool(*x | *y)
                } else {
                    Value::Int(a | b)
                }
            }
            BitAnd => {
                if let (Value::Bool(x), Value::Bool(y)) = (&l, &r) {
                    Value::Bool(*x & *y)
                } else {
                    Value::Int(a & b)
                }
            }
            BitXor => {
                if let (Value::Bool(x), Value::Bool(y)) = (&l, &r) {
                    Value::Bool(*x ^ *y)
                } else {
                    Value::Int(a ^ b)
                }
            }
            MatMult => return Err(unsupported(it, op, &l, &r)),
        });
    }
    if let (Some(a), Some(b)) = (num(&l), num(&r)) {
        return Ok(Value::Float(match op {
            Add => a + b,
            Sub => a - b,
            Mult => a * b,
            Div => {
                if b == 0.0 {
                    return Err(it.exc("ZeroDivisionError", "float division by zero"));
                }
                a / b
            }
            FloorDiv => {
                if b == 0.0 {
                    return Err(it.exc("ZeroDivisionError", "float floor division by zero"));
                }
                (a / b).floor()
            }
            Mod => {
                if b == 0.0 {
                    return Err(it.exc("ZeroDivisionError", "float modulo by zero"));
                }
                let m = a % b;
                if m != 0.0 && ((m < 0.0) != (b < 0.0)) {
                    m + b
                } else {
                    m
                }
            }
            Pow => a.powf(b),
            _ => return Err(unsupported(it, op, &l, &r)),
        }));
    }
    match (op, &l, &r) {
        (Add, Value::Str(a), Value::Str(b)) => {
            it.check_size(a.len() + b.len())?;
            Ok(Value::str(&format!("{a}{b}")))
        }
        (Add, Value::Bytes(a), Value::Bytes(b)) => Ok(Value::Bytes(Rc::from([&a[..], &b[..]].concat()))),
        (Add, Value::List(a), Value::List(b)) => {
            let mut v = a.borrow().clone();
            v.extend(b.borrow().iter().cloned());
            Ok(Value::list(v))
        }
        (Add, Value::Tuple(a), Value::Tuple(b)) => {
            let mut v = a.to_vec();
            v.extend(b.iter().cloned());
            Ok(Value::tuple(v))
        }
        (Mult, Value::Str(_) | Value::List(_) | Value::Tuple(_), Value::Int(_) | Value::Bool(_)) => repeat(it, &l, int_of(&r).unwrap_or(0)),
        (Mult, Value::Int(_) | Value::Bool(_), Value::Str(_) | Value::List(_) | Value::Tuple(_)) => repeat(it, &r, int_of(&l).unwrap_or(0)),
        (Mod, Value::Str(fmt), _) => super::format::percent_format(it, fmt, &r).map(|s| Value::str(&s)),
        (BitOr, Value::Dict(a), Value::Dict(b)) => {
            let mut d = a.borrow().clone();
            for (hk, (k, v)) in b.borrow().map.iter() {
                d.insert(hk.clone(), k.clone(), v.clone());
            }
            Ok(Value::dict(d))
        }
        (BitOr | BitAnd | Sub | BitXor, Value::Set(a), Value::Set(b)) => {
            let (a, b) = (a.borrow(), b.borrow());
            let mut d = Dict::new();
            match op {
                BitOr => {
                    for (hk, e) in a.map.iter().chain(b.map.iter()) {
                        d.insert(hk.clone(), e.0.clone(), Value::None);
                    }
                }
                BitAnd => {
                    for (hk, e) in a.map.iter().filter(|(k, _)| b.map.contains_key(*k)) {
                        d.insert(hk.clone(), e.0.clone(), Value::None);
                    }
                }
                Sub => {
                    for (hk, e) in a.map.iter().filter(|(k, _)| !b.map.contains_key(*k)) {
                        d.insert(hk.clone(), e.0.clone(), Value::None);
                    }
                }
                _ => {
                    for (hk, e) in a.map.iter().filter(|(k, _)| !b.map.contains_key(*k)).chain(b.map.iter().filter(|(k, _)| !a.map.contains_key(*k))) {
                        d.insert(hk.clone(), e.0.clone(), Value::None);
                    }
                }
            }
            Ok(Value::Set(Rc::new(RefCell::new(d))))
        }
        // `Optional[int] | None`, `int | None`: typing unions kept as a marker.
        (BitOr, Value::Class(_) | Value::None | Value::Instance(_), Value::Class(_) | Value::None | Value::Instance(_)) => {
            let u = it.builtins.get("__typing_union__");
            match u {
                Some(f) => it.call(&f, Args::new(vec![l.clone(), r.clone()])),
                None => Err(unsupported(it, op, &l, &r)),
            }
        }
        _ => Err(unsupported(it, op, &l, &r)),
    }
}

fn base_of(v: &Value) -> Option<Value> {
    match v {
        Value::Instance(i) => i.base_value.borrow().clone(),
        _ => None,
    }
}

fn repeat(it: &mut Interp, v: &Value, n: i64) -> R<Value> {
    let n = n.max(0) as usize;
    Ok(match v {
        Value::Str(s) => {
            it.check_size(s.len().saturating_mul(n))?;
            Value::str(&s.repeat(n))
        }
        Value::List(l) => {
            let items = l.borrow().clone();
            it.check_size(items.len().saturating_mul(n))?;
            Value::list(items.iter().cloned().cycle().take(items.len() * n).collect())
        }
        Value::Tuple(t) => {
            it.check_size(t.len().saturating_mul(n))?;
            Value::tuple(t.iter().cloned().cycle().take(t.len() * n).collect())
        }
        _ => Value::None,
    })
}

pub fn unaryop(it: &mut Interp, op: ast::UnaryOp, v: Value) -> R<Value> {
    use ast::UnaryOp::*;
    match (op, &v) {
        (Not, _) => Ok(Value::Bool(!truthy(it, &v)?)),
        (USub, Value::Int(i)) => i.checked_neg().map(Value::Int).ok_or_else(|| it.exc("OverflowError", "integer overflow")),
        (USub, Value::Bool(b)) => Ok(Value::Int(-(*b as i64))),
        (USub, Value::Float(f)) => Ok(Value::Float(-f)),
        (UAdd, Value::Int(_) | Value::Float(_)) => Ok(v.clone()),
        (UAdd, Value::Bool(b)) => Ok(Value::Int(*b as i64)),
        (Invert, Value::Int(i)) => Ok(Value::Int(!i)),
        (Invert, Value::Bool(b)) => Ok(Value::Int(!(*b as i64))),
        (_, Value::Instance(_)) => {
            let name = match op {
                USub => "__neg__",
                UAdd => "__pos__",
                Invert => "__invert__",
                Not => unreachable_not(),
            };
            match it.getattr_opt(&v, name)? {
                Some(f) => it.call(&f, Args::default()),
                None => Err(it.type_error(format!("bad operand type for unary {}: '{}'", op.as_str(), it.type_name(&v)))),
            }
        }
        _ => Err(it.type_error(format!("bad operand type for unary {}: '{}'", op.as_str(), it.type_name(&v)))),
    }
}

/// `not` is handled before the instance arm; this keeps the match total
/// without a panic path.
fn unreachable_not() -> &'static str {
    "__bool__"
}

pub fn values_eq(it: &mut Interp, l: &Value, r: &Value) -> R<bool> {
    let v = compare(it, ast::CmpOp::Eq, l, r)?;
    truthy(it, &v)
}

fn seq_cmp(it: &mut Interp, a: &[Value], b: &[Value], op: ast::CmpOp) -> R<bool> {
    for (x, y) in a.iter().zip(b.iter()) {
        if !values_eq(it, x, y)? {
            if matches!(op, ast::CmpOp::Eq) {
                return Ok(false);
            }
            if matches!(op, ast::CmpOp::NotEq) {
                return Ok(true);
            }
            let v = compare(it, op, x, y)?;
            return truthy(it, &v);
        }
    }
    let (n, m) = (a.len(), b.len());
    Ok(match op {
        ast::CmpOp::Eq => n == m,
        ast::CmpOp::NotEq => n != m,
        ast::CmpOp::Lt => n < m,
        ast::CmpOp::LtE => n <= m,
        ast::CmpOp::Gt => n > m,
        ast::CmpOp::GtE => n >= m,
        _ => false,
    })
}

pub fn contains(it: &mut Interp, container: &Value, item: &Value) -> R<bool> {
    match container {
        Value::Str(s) => match item {
            Value::Str(x) => Ok(s.contains(&**x)),
            other => Err(it.type_error(format!("'in <string>' requires string as left operand, not {}", it.type_name(other)))),
        },
        Value::Dict(d) | Value::Set(d) => {
            let k = hash_key(it, item)?;
            Ok(d.borrow().map.contains_key(&k))
        }
        Value::Range(a, b, s) => Ok(match int_of(item) {
            Some(i) => {
                let n = range_len(*a, *b, *s);
                n > 0 && (i - a) % s == 0 && ((*s > 0 && i >= *a && i < *b) || (*s < 0 && i <= *a && i > *b))
            }
            None => false,
        }),
        Value::Instance(i) if i.class.lookup("__contains__").is_some() => {
            let f = it.getattr(container, "__contains__")?;
            let r = it.call(&f, Args::new(vec![item.clone()]))?;
            truthy(it, &r)
        }
        _ => {
            for x in iterate(it, container)? {
                if x.is(item) || values_eq(it, &x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

pub fn compare(it: &mut Interp, op: ast::CmpOp, l: &Value, r: &Value) -> R<Value> {
    use ast::CmpOp::*;
    match op {
        Is => return Ok(Value::Bool(l.is(r))),
        IsNot => return Ok(Value::Bool(!l.is(r))),
        In => return contains(it, r, l).map(Value::Bool),
        NotIn => return contains(it, r, l).map(|b| Value::Bool(!b)),
        _ => {}
    }
    let (name, refl) = match op {
        Eq => ("__eq__", "__eq__"),
        NotEq => ("__ne__", "__ne__"),
        Lt => ("__lt__", "__gt__"),
        LtE => ("__le__", "__ge__"),
        Gt => ("__gt__", "__lt__"),
        GtE => ("__ge__", "__le__"),
        _ => ("", ""),
    };
    if let Value::Instance(i) = l {
        if i.class.lookup(name).is_some() {
            let f = it.getattr(l, name)?;
            let v = it.call(&f, Args::new(vec![r.clone()]))?;
            if !matches!(v, Value::NotImplemented) {
                return Ok(v);
            }
        } else if op == NotEq && i.class.lookup("__eq__").is_some() {
            let f = it.getattr(l, "__eq__")?;
            let v = it.call(&f, Args::new(vec![r.clone()]))?;
            if !matches!(v, Value::NotImplemented) {
                return Ok(Value::Bool(!truthy(it, &v)?));
            }
        }
    }
    if let Value::Instance(i) = r {
        if i.class.lookup(refl).is_some() {
            let f = it.getattr(r, refl)?;
            let v = it.call(&f, Args::new(vec![l.clone()]))?;
            if !matches!(v, Value::NotImplemented) {
                return Ok(v);
            }
        }
    }
    let (l, r) = (base_of(l).unwrap_or_else(|| l.clone()), base_of(r).unwrap_or_else(|| r.clone()));
    let ord = |o: std::cmp::Ordering| -> bool {
        match op {
            Eq => o.is_eq(),
            NotEq => o.is_ne(),
            Lt => o.is_lt(),
            LtE => o.is_le(),
            Gt => o.is_gt(),
            GtE => o.is_ge(),
            _ => false,
        }
    };
    if let (Some(a), Some(b)) = (int_of(&l), int_of(&r)) {
        return Ok(Value::Bool(ord(a.cmp(&b))));
    }
    if let (Some(a), Some(b)) = (num(&l), num(&r)) {
        return Ok(Value::Bool(match a.partial_cmp(&b) {
            Some(o) => ord(o),
            None => op == NotEq,
        }));
    }
    let res = match (&l, &r) {
        (Value::Str(a), Value::Str(b)) => Some(ord(a.cmp(b))),
        (Value::Bytes(a), Value::Bytes(b)) => Some(ord(a.cmp(b))),
        (Value::Tuple(a), Value::Tuple(b)) => Some(seq_cmp(it, &a.clone(), &b.clone(), op)?),
        (Value::List(a), Value::List(b)) => {
            let (a, b) = (a.borrow().clone(), b.borrow().clone());
            Some(seq_cmp(it, &a, &b, op)?)
        }
        (Value::Dict(a), Value::Dict(b)) if matches!(op, Eq | NotEq) => {
            let (a, b) = (a.borrow().clone(), b.borrow().clone());
            let mut eq = a.len() == b.len();
            if eq {
                for (hk, (_, v)) in a.map.iter() {
                    match b.map.get(hk) {
                        Some((_, w)) if values_eq(it, v, w)? => {}
                        _ => {
                            eq = false;
                            break;
                        }
                    }
                }
            }
            Some(if op == Eq { eq } else { !eq })
        }
        (Value::Set(a), Value::Set(b)) => {
            let (a, b) = (a.borrow(), b.borrow());
            let sub = a.map.keys().all(|k| b.map.contains_key(k));
            let sup = b.map.keys().all(|k| a.map.contains_key(k));
            Some(match op {
                Eq => sub && sup,
                NotEq => !(sub && sup),
                LtE => sub,
                Lt => sub && !sup,
                GtE => sup,
                Gt => sup && !sub,
                _ => false,
            })
        }
        (Value::Range(..), Value::Range(..)) if matches!(op, Eq | NotEq) => {
            let (a, b) = (iterate(it, &l)?, iterate(it, &r)?);
            Some(seq_cmp(it, &a, &b, op)?)
        }
        _ => None,
    };
    if let Some(b) = res {
        return Ok(Value::Bool(b));
    }
    match op {
        Eq => Ok(Value::Bool(l.is(&r))),
        NotEq => Ok(Value::Bool(!l.is(&r))),
        _ => Err(it.type_error(format!("'{}' not supported between instances of '{}' and '{}'", op.as_str(), it.type_name(&l), it.type_name(&r)))),
    }
}

// ----- constructors of builtin types -------------------------------------------

/// `int(...)`, `str(...)`, ... : the value, or `None` when `cls` is not a
/// builtin value type (then the caller builds an instance).
pub fn construct_builtin(it: &mut Interp, cls: &Rc<Class>, a: &Args) -> R<Option<Value>> {
    if cls.dict.borrow().get_str("_member_names_").is_some() {
        return enum_by_value(it, cls, a).map(Some);
    }
    let t = &it.types;
    let is = |c: &Rc<Class>| Rc::ptr_eq(cls, c);
    let v = if is(&t.object) {
        Value::Instance(Rc::new(Instance::new(cls.clone())))
    } else if is(&t.int) {
        match a.pos.first() {
            None => Value::Int(0),
            Some(v) => to_int(it, v, a.pos.get(1))?,
        }
    } else if is(&t.float) {
        match a.pos.first() {
            None => Value::Float(0.0),
            Some(Value::Int(i)) => Value::Float(*i as f64),
            Some(Value::Bool(b)) => Value::Float(*b as i64 as f64),
            Some(Value::Float(f)) => Value::Float(*f),
            Some(Value::Str(s)) => {
                let st = s.trim().to_lowercase().replace('_', "");
                let f = match st.as_str() {
                    "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
                    "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                    "nan" | "+nan" | "-nan" => Some(f64::NAN),
                    _ => st.parse::<f64>().ok(),
                };
                match f {
                    Some(f) => Value::Float(f),
                    None => return Err(it.exc("ValueError", format!("could not convert string to float: {}", py_repr_str(s)))),
                }
            }
            Some(v @ Value::Instance(i)) if i.class.lookup("__float__").is_some() => {
                let f = it.getattr(v, "__float__")?;
                match it.call(&f, Args::default())? {
                    r @ Value::Float(_) => r,
                    r => return Err(it.type_error(format!("{}.__float__ returned non-float (type {})", i.class.name, it.type_name(&r)))),
                }
            }
            Some(v) => return Err(it.type_error(format!("float() argument must be a string or a real number, not '{}'", it.type_name(v)))),
        }
    } else if is(&t.bool_) {
        match a.pos.first() {
            None => Value::Bool(false),
            Some(v) => Value::Bool(truthy(it, &v.clone())?),
        }
    } else if is(&t.str_) {
        match a.pos.first() {
            None => Value::str(""),
            Some(v) => Value::str(&str_of(it, &v.clone())?),
        }
    } else if is(&t.bytes) {
        match a.pos.first() {
            None => Value::Bytes(Rc::from(Vec::new())),
            Some(Value::Str(s)) if a.pos.len() > 1 => Value::Bytes(Rc::from(s.as_bytes().to_vec())),
            Some(v) => {
                let items = iterate(it, &v.clone())?;
                let mut out = Vec::new();
                for x in items {
                    let n = int_arg(it, &x)?;
                    out.push(u8::try_from(n).map_err(|_| it.exc("ValueError", "bytes must be in range(0, 256)"))?);
                }
                Value::Bytes(Rc::from(out))
            }
        }
    } else if is(&t.tuple) {
        match a.pos.first() {
            None => Value::tuple(vec![]),
            Some(v) => Value::tuple(iterate(it, &v.clone())?),
        }
    } else if is(&t.list) {
        match a.pos.first() {
            None => Value::list(vec![]),
            Some(v) => Value::list(iterate(it, &v.clone())?),
        }
    } else if is(&t.set) {
        let mut d = Dict::new();
        if let Some(v) = a.pos.first() {
            for x in iterate(it, &v.clone())? {
                let k = hash_key(it, &x)?;
                d.insert(k, x, Value::None);
            }
        }
        Value::Set(Rc::new(RefCell::new(d)))
    } else if is(&t.dict) {
        let mut d = Dict::new();
        if let Some(v) = a.pos.first() {
            let pairs = match v {
                Value::Dict(_) | Value::Instance(_) => mapping_items(it, &v.clone())?,
                other => {
                    let mut out = Vec::new();
                    for p in iterate(it, &other.clone())? {
                        let kv = iterate(it, &p)?;
                        if kv.len() != 2 {
                            return Err(it.exc("ValueError", format!("dictionary update sequence element has length {}; 2 is required", kv.len())));
                        }
                        out.push((kv[0].clone(), kv[1].clone()));
                    }
                    out
                }
            };
            for (k, v) in pairs {
                let hk = hash_key(it, &k)?;
                d.insert(hk, k, v);
            }
        }
        for (k, v) in &a.kw {
            d.set_str(k, v.clone());
        }
        Value::dict(d)
    } else if is(&t.range) {
        let mut ns = Vec::new();
        for v in &a.pos {
            ns.push(int_arg(it, v)?);
        }
        match ns.as_slice() {
            [b] => Value::Range(0, *b, 1),
            [x, b] => Value::Range(*x, *b, 1),
            [x, b, s] => {
                if *s == 0 {
                    return Err(it.exc("ValueError", "range() arg 3 must not be zero"));
                }
                Value::Range(*x, *b, *s)
            }
            _ => return Err(it.type_error(format!("range expected at most 3 arguments, got {}", ns.len()))),
        }
    } else if is(&t.slice) {
        let g = |i: usize| a.pos.get(i).cloned().unwrap_or(Value::None);
        if a.pos.len() == 1 {
            Value::Slice(Rc::new([Value::None, g(0), Value::None]))
        } else {
            Value::Slice(Rc::new([g(0), g(1), g(2)]))
        }
    } else if is(&t.type_) {
        match a.pos.len() {
            1 => Value::Class(it.class_of(&a.pos[0])),
            3 => {
                let name = a.pos[0].as_str().unwrap_or("").to_string();
                let mut bases = Vec::new();
                for b in iterate(it, &a.pos[1])? {
                    if let Value::Class(c) = b {
                        bases.push(c);
                    }
                }
                if bases.is_empty() {
                    bases.push(it.types.object.clone());
                }
                let ns = Env::new(EnvKind::Class, None);
                for (k, v) in mapping_items(it, &a.pos[2])? {
                    if let Value::Str(s) = k {
                        ns.set(&s, v);
                    }
                }
                Value::Class(it.build_class(&name, "builtins", bases, &ns, vec![])?)
            }
            _ => return Err(it.type_error("type() takes 1 or 3 arguments")),
        }
    } else if is(&t.property) {
        let fget = a.pos.first().cloned().or_else(|| a.kwarg("fget").cloned()).unwrap_or(Value::None);
        let fset = a.pos.get(1).cloned().or_else(|| a.kwarg("fset").cloned()).filter(|v| !v.is_none());
        Value::Descriptor(Rc::new(Descriptor::Property { fget, fset }))
    } else if is(&t.staticmethod) {
        nargs(it, "staticmethod", a, 1, 1)?;
        Value::Descriptor(Rc::new(Descriptor::StaticMethod(a.pos[0].clone())))
    } else if is(&t.classmethod) {
        nargs(it, "classmethod", a, 1, 1)?;
        Value::Descriptor(Rc::new(Descriptor::ClassMethod(a.pos[0].clone())))
    } else if is(&t.super_) {
        if a.pos.len() != 2 {
            return Err(it.exc("RuntimeError", "super(): zero-argument form is resolved by the evaluator only inside methods"));
        }
        match &a.pos[0] {
            Value::Class(c) => Value::Super(Rc::new((c.clone(), a.pos[1].clone()))),
            _ => return Err(it.type_error("super() argument 1 must be a type")),
        }
    } else if let Some(ctor) = cls.dict.borrow().get_str("__call_native__").cloned() {
        return it.call(&ctor, a.clone()).map(Some);
    } else {
        return Ok(None);
    };
    Ok(Some(v))
}

fn to_int(it: &mut Interp, v: &Value, base: Option<&Value>) -> R<Value> {
    Ok(match v {
        Value::Int(i) => Value::Int(*i),
        Value::Bool(b) => Value::Int(*b as i64),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(it.exc(if f.is_nan() { "ValueError" } else { "OverflowError" }, "cannot convert float to integer"));
            }
            if f.abs() >= 9.2e18 {
                return Err(it.exc("OverflowError", "integer does not fit in 64 bits (the playground's int)"));
            }
            Value::Int(f.trunc() as i64)
        }
        Value::Str(s) => {
            let radix = match base {
                Some(b) => int_arg(it, b)? as u32,
                None => 10,
            };
            let t = s.trim().replace('_', "");
            match i64::from_str_radix(&t, radix.clamp(2, 36)) {
                Ok(i) => Value::Int(i),
                Err(_) => return Err(it.exc("ValueError", format!("invalid literal for int() with base {radix}: {}", py_repr_str(s)))),
            }
        }
        Value::Instance(i) if i.base_value.borrow().is_none() && i.class.lookup("__int__").is_some() => {
            let f = it.getattr(v, "__int__")?;
            return it.call(&f, Args::default());
        }
        Value::Instance(i) => match i.base_value.borrow().clone() {
            Some(b) => return to_int(it, &b, base),
            None => return Err(it.type_error(format!("int() argument must be a string, a bytes-like object or a real number, not '{}'", i.class.name))),
        },
        other => return Err(it.type_error(format!("int() argument must be a string, a bytes-like object or a real number, not '{}'", it.type_name(other)))),
    })
}

// ----- methods and attributes of builtin types -----------------------------------

/// An attribute of a builtin value (`"a".upper`, `[].append`, `d.items`),
/// or of an object whose class is builtin-derived.
pub fn builtin_attr(it: &mut Interp, obj: &Value, name: &str) -> R<Option<Value>> {
    let method: Option<fn(&mut Interp, &Value, Args) -> R<Value>> = match obj {
        Value::Str(_) => str_method(name),
        Value::List(_) => list_method(name),
        Value::Dict(_) => dict_method(name),
        Value::Set(_) => set_method(name),
        Value::Tuple(_) => match name {
            "index" | "count" => list_method(name),
            _ => None,
        },
        Value::Bytes(_) => match name {
            "decode" => Some(|it, s, _| match s {
                Value::Bytes(b) => match std::str::from_utf8(b) {
                    Ok(t) => Ok(Value::str(t)),
                    Err(_) => Err(it.exc("UnicodeError", "'utf-8' codec can't decode bytes")),
                },
                _ => Ok(Value::None),
            }),
            _ => None,
        },
        Value::Int(_) | Value::Bool(_) => match name {
            "real" | "numerator" => return Ok(Some(Value::Int(int_of(obj).unwrap_or(0)))),
            "denominator" => return Ok(Some(Value::Int(1))),
            "bit_length" => Some(|_, s, _| Ok(Value::Int(64 - int_of(s).unwrap_or(0).unsigned_abs().leading_zeros() as i64))),
            _ => None,
        },
        Value::Float(f) => match name {
            "is_integer" => Some(|_, s, _| Ok(Value::Bool(matches!(s, Value::Float(f) if f.fract() == 0.0)))),
            "real" => return Ok(Some(Value::Float(*f))),
            _ => None,
        },
        Value::Class(c) => {
            if name == "__module__" {
                return Ok(Some(Value::str(&c.module)));
            }
            if name == "__doc__" {
                return Ok(Some(Value::None));
            }
            if Rc::ptr_eq(c, &it.types.dict) && name == "fromkeys" {
                return Ok(Some(native_fn("fromkeys", |it, a| {
                    let mut d = Dict::new();
                    let v = a.pos.get(1).cloned().unwrap_or(Value::None);
                    for k in iterate(it, a.pos.first().unwrap_or(&Value::None))? {
                        let hk = hash_key(it, &k)?;
                        d.insert(hk, k, v.clone());
                    }
                    Ok(Value::dict(d))
                })));
            }
            // `str.join`, `str.lower`: unbound builtin methods.
            let unbound: Option<fn(&mut Interp, &Value, Args) -> R<Value>> = match c.builtin {
                BuiltinType::Str => str_method(name),
                BuiltinType::List => list_method(name),
                BuiltinType::Dict => dict_method(name),
                _ => None,
            };
            return Ok(unbound.map(|m| {
                native_fn(name, move |it, mut a| {
                    if a.pos.is_empty() {
                        return Err(it.type_error("unbound method needs an argument"));
                    }
                    let s = a.pos.remove(0);
                    m(it, &s, a)
                })
            }));
        }
        Value::Instance(i) => {
            if i.class.builtin == BuiltinType::Exception && name == "args" {
                return Ok(Some(Value::tuple(vec![])));
            }
            if let Some(b) = i.base_value.borrow().clone() {
                return builtin_attr(it, &b, name);
            }
            None
        }
        Value::BoundMethod(m) => match name {
            "__self__" => return Ok(Some(m.receiver.clone())),
            "__func__" => return Ok(Some(m.func.clone())),
            "__name__" => return it.getattr_opt(&m.func.clone(), "__name__"),
            _ => None,
        },
        Value::Builtin(b) => match name {
            "__name__" => return Ok(Some(Value::str(&b.name))),
            _ => None,
        },
        Value::Descriptor(d) => match (d.as_ref(), name) {
            (Descriptor::Property { fget, .. }, "setter") => {
                let fget = fget.clone();
                return Ok(Some(native_fn("setter", move |it, a| {
                    nargs(it, "setter", &a, 1, 1)?;
                    Ok(Value::Descriptor(Rc::new(Descriptor::Property { fget: fget.clone(), fset: Some(a.pos[0].clone()) })))
                })));
            }
            (Descriptor::Property { fget, .. }, "fget") => return Ok(Some(fget.clone())),
            (Descriptor::ClassMethod(f) | Descriptor::StaticMethod(f), "__func__") => return Ok(Some(f.clone())),
            _ => None,
        },
        _ => None,
    };
    Ok(method.map(|m| {
        let recv = obj.clone();
        native_fn(name, move |it, a| m(it, &recv, a))
    }))
}

type Method = fn(&mut Interp, &Value, Args) -> R<Value>;

fn s_of(v: &Value) -> &str {
    match v {
        Value::Str(s) => s,
        _ => "",
    }
}

fn str_arg<'a>(it: &Interp, a: &'a Args, i: usize, fname: &str) -> R<Option<&'a str>> {
    match a.pos.get(i) {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(v) => Err(it.type_error(format!("{fname} arg must be None or str, not {}", it.type_name(v)))),
    }
}

fn str_method(name: &str) -> Option<Method> {
    Some(match name {
        "upper" => |_, s, _| Ok(Value::str(&s_of(s).to_uppercase())),
        "lower" => |_, s, _| Ok(Value::str(&s_of(s).to_lowercase())),
        "title" => |_, s, _| {
            let mut out = String::new();
            let mut prev_alpha = false;
            for c in s_of(s).chars() {
                if c.is_alphabetic() {
                    if prev_alpha {
                        out.extend(c.to_lowercase());
                    } else {
                        out.extend(c.to_uppercase());
                    }
                    prev_alpha = true;
                } else {
                    out.push(c);
                    prev_alpha = false;
                }
            }
            Ok(Value::str(&out))
        },
        "capitalize" => |_, s, _| {
            let mut cs = s_of(s).chars();
            Ok(Value::str(&match cs.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase(),
                None => String::new(),
            }))
        },
        "strip" | "lstrip" | "rstrip" => return Some(strip_method(name)),
        "startswith" => |it, s, a| prefix_suffix(it, s, a, true),
        "endswith" => |it, s, a| prefix_suffix(it, s, a, false),
        "join" => |it, s, a| {
            nargs(it, "join", &a, 1, 1)?;
            let mut parts = Vec::new();
            for (i, v) in iterate(it, &a.pos[0])?.into_iter().enumerate() {
                match v {
                    Value::Str(x) => parts.push(x.to_string()),
                    other => return Err(it.type_error(format!("sequence item {i}: expected str instance, {} found", it.type_name(&other)))),
                }
            }
            Ok(Value::str(&parts.join(s_of(s))))
        },
        "split" => |it, s, a| {
            let sep = str_arg(it, &a, 0, "split")?.or(a.kwarg("sep").and_then(|v| v.as_str()));
            let max = match a.pos.get(1).or(a.kwarg("maxsplit")) {
                Some(v) => int_arg(it, v)?,
                None => -1,
            };
            let st = s_of(s);
            let parts: Vec<Value> = match sep {
                Some("") => return Err(it.exc("ValueError", "empty separator")),
                Some(sep) => {
                    if max < 0 {
                        st.split(sep).map(Value::str).collect()
                    } else {
                        st.splitn(max as usize + 1, sep).map(Value::str).collect()
                    }
                }
                None => {
                    let mut out: Vec<Value> = Vec::new();
                    let mut rest = st.trim_start();
                    while !rest.is_empty() {
                        if max >= 0 && out.len() as i64 == max {
                            out.push(Value::str(rest.trim_end()));
                            break;
                        }
                        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                        out.push(Value::str(&rest[..end]));
                        rest = rest[end..].trim_start();
                    }
                    out
                }
            };
            Ok(Value::list(parts))
        },
        "rsplit" => |it, s, a| {
            let sep = str_arg(it, &a, 0, "rsplit")?;
            let max = match a.pos.get(1).or(a.kwarg("maxsplit")) {
                Some(v) => int_arg(it, v)?,
                None => -1,
            };
            let st = s_of(s);
            match sep {
                Some(sep) if !sep.is_empty() => {
                    let mut parts: Vec<Value> = if max < 0 { st.rsplit(sep).map(Value::str).collect() } else { st.rsplitn(max as usize + 1, sep).map(Value::str).collect() };
                    parts.reverse();
                    Ok(Value::list(parts))
                }
                Some(_) => Err(it.exc("ValueError", "empty separator")),
                None => {
                    if max >= 0 {
                        return Err(it.exc("NotImplementedError", "rsplit(None, maxsplit) is not supported by the playground's evaluator"));
                    }
                    Ok(Value::list(st.split_whitespace().map(Value::str).collect()))
                }
            }
        },
        "splitlines" => |_, s, _| Ok(Value::list(s_of(s).lines().map(Value::str).collect())),
        "replace" => |it, s, a| {
            if a.pos.len() < 2 {
                return Err(it.type_error("replace expected at least 2 arguments"));
            }
            let (Some(old), Some(new)) = (a.pos[0].as_str(), a.pos[1].as_str()) else {
                return Err(it.type_error("replace() arguments must be str"));
            };
            let out = match a.pos.get(2) {
                Some(n) => {
                    let n = int_arg(it, n)?;
                    if n < 0 { s_of(s).replace(old, new) } else { s_of(s).replacen(old, new, n as usize) }
                }
                None => s_of(s).replace(old, new),
            };
            it.check_size(out.len())?;
            Ok(Value::str(&out))
        },
        "find" | "index" | "rfind" | "count" => return Some(find_method(name)),
        "format" => |it, s, a| super::format::str_format(it, s_of(s), &a).map(|x| Value::str(&x)),
        "isdigit" | "isdecimal" | "isnumeric" => |_, s, _| Ok(Value::Bool(!s_of(s).is_empty() && s_of(s).chars().all(|c| c.is_ascii_digit()))),
        "isalpha" => |_, s, _| Ok(Value::Bool(!s_of(s).is_empty() && s_of(s).chars().all(char::is_alphabetic))),
        "isalnum" => |_, s, _| Ok(Value::Bool(!s_of(s).is_empty() && s_of(s).chars().all(char::is_alphanumeric))),
        "isspace" => |_, s, _| Ok(Value::Bool(!s_of(s).is_empty() && s_of(s).chars().all(char::is_whitespace))),
        "isupper" => |_, s, _| Ok(Value::Bool(s_of(s).chars().any(char::is_uppercase) && !s_of(s).chars().any(char::is_lowercase))),
        "islower" => |_, s, _| Ok(Value::Bool(s_of(s).chars().any(char::is_lowercase) && !s_of(s).chars().any(char::is_uppercase))),
        "isidentifier" => |_, s, _| {
            let st = s_of(s);
            Ok(Value::Bool(st.chars().next().is_some_and(|c| c == '_' || c.is_alphabetic()) && st.chars().all(|c| c == '_' || c.is_alphanumeric())))
        },
        "encode" => |_, s, _| Ok(Value::Bytes(Rc::from(s_of(s).as_bytes().to_vec()))),
        "zfill" => |it, s, a| {
            nargs(it, "zfill", &a, 1, 1)?;
            let w = int_arg(it, &a.pos[0])?.max(0) as usize;
            let st = s_of(s);
            let n = st.chars().count();
            if n >= w {
                return Ok(s.clone());
            }
            let (sign, rest) = if st.starts_with(['+', '-']) { st.split_at(1) } else { ("", st) };
            Ok(Value::str(&format!("{sign}{}{rest}", "0".repeat(w - n))))
        },
        "ljust" | "rjust" | "center" => return Some(justify_method(name)),
        "partition" => |it, s, a| {
            nargs(it, "partition", &a, 1, 1)?;
            let sep = a.pos[0].as_str().unwrap_or("").to_string();
            let st = s_of(s);
            Ok(match st.find(&sep) {
                Some(i) => Value::tuple(vec![Value::str(&st[..i]), Value::str(&sep), Value::str(&st[i + sep.len()..])]),
                None => Value::tuple(vec![Value::str(st), Value::str(""), Value::str("")]),
            })
        },
        "rpartition" => |it, s, a| {
            nargs(it, "rpartition", &a, 1, 1)?;
            let sep = a.pos[0].as_str().unwrap_or("").to_string();
            let st = s_of(s);
            Ok(match st.rfind(&sep) {
                Some(i) => Value::tuple(vec![Value::str(&st[..i]), Value::str(&sep), Value::str(&st[i + sep.len()..])]),
                None => Value::tuple(vec![Value::str(""), Value::str(""), Value::str(st)]),
            })
        },
        "removeprefix" => |_, s, a| Ok(Value::str(s_of(s).strip_prefix(a.pos.first().and_then(|v| v.as_str()).unwrap_or("")).unwrap_or(s_of(s)))),
        "removesuffix" => |_, s, a| Ok(Value::str(s_of(s).strip_suffix(a.pos.first().and_then(|v| v.as_str()).unwrap_or("")).unwrap_or(s_of(s)))),
        "swapcase" => |_, s, _| Ok(Value::str(&s_of(s).chars().map(|c| if c.is_uppercase() { c.to_lowercase().collect::<String>() } else { c.to_uppercase().collect() }).collect::<String>())),
        "casefold" => |_, s, _| Ok(Value::str(&s_of(s).to_lowercase())),
        _ => return None,
    })
}

fn strip_method(name: &str) -> Method {
    match name {
        "strip" => |it, s, a| {
            let chars = str_arg(it, &a, 0, "strip")?;
            Ok(Value::str(match chars {
                Some(cs) => s_of(s).trim_matches(|c| cs.contains(c)),
                None => s_of(s).trim(),
            }))
        },
        "lstrip" => |it, s, a| {
            let chars = str_arg(it, &a, 0, "lstrip")?;
            Ok(Value::str(match chars {
                Some(cs) => s_of(s).trim_start_matches(|c| cs.contains(c)),
                None => s_of(s).trim_start(),
            }))
        },
        _ => |it, s, a| {
            let chars = str_arg(it, &a, 0, "rstrip")?;
            Ok(Value::str(match chars {
                Some(cs) => s_of(s).trim_end_matches(|c| cs.contains(c)),
                None => s_of(s).trim_end(),
            }))
        },
    }
}

fn find_method(name: &str) -> Method {
    match name {
        "find" => |it, s, a| {
            let sub = a.pos.first().and_then(|v| v.as_str()).ok_or_else(|| it.type_error("must be str"))?;
            Ok(Value::Int(s_of(s).find(sub).map(|i| s_of(s)[..i].chars().count() as i64).unwrap_or(-1)))
        },
        "rfind" => |it, s, a| {
            let sub = a.pos.first().and_then(|v| v.as_str()).ok_or_else(|| it.type_error("must be str"))?;
            Ok(Value::Int(s_of(s).rfind(sub).map(|i| s_of(s)[..i].chars().count() as i64).unwrap_or(-1)))
        },
        "index" => |it, s, a| {
            let sub = a.pos.first().and_then(|v| v.as_str()).ok_or_else(|| it.type_error("must be str"))?;
            match s_of(s).find(sub) {
                Some(i) => Ok(Value::Int(s_of(s)[..i].chars().count() as i64)),
                None => Err(it.exc("ValueError", "substring not found")),
            }
        },
        _ => |it, s, a| {
            let sub = a.pos.first().and_then(|v| v.as_str()).ok_or_else(|| it.type_error("must be str"))?;
            Ok(Value::Int(if sub.is_empty() { s_of(s).chars().count() as i64 + 1 } else { s_of(s).matches(sub).count() as i64 }))
        },
    }
}

fn justify_method(name: &str) -> Method {
    fn just(it: &mut Interp, s: &Value, a: &Args, how: char) -> R<Value> {
        let w = int_arg(it, a.pos.first().unwrap_or(&Value::Int(0)))?.max(0) as usize;
        let fill = a.pos.get(1).and_then(|v| v.as_str()).and_then(|f| f.chars().next()).unwrap_or(' ');
        let st = s_of(s);
        let n = st.chars().count();
        if n >= w {
            return Ok(s.clone());
        }
        it.check_size(w)?;
        let pad = w - n;
        let f = |k: usize| fill.to_string().repeat(k);
        Ok(Value::str(&match how {
            '<' => format!("{st}{}", f(pad)),
            '>' => format!("{}{st}", f(pad)),
            _ => {
                let left = pad / 2 + (pad & w & 1);
                format!("{}{st}{}", f(left), f(pad - left))
            }
        }))
    }
    match name {
        "ljust" => |it, s, a| just(it, s, &a, '<'),
        "rjust" => |it, s, a| just(it, s, &a, '>'),
        _ => |it, s, a| just(it, s, &a, '^'),
    }
}

fn prefix_suffix(it: &mut Interp, s: &Value, a: Args, prefix: bool) -> R<Value> {
    let st = s_of(s);
    let cands: Vec<Value> = match a.pos.first() {
        Some(Value::Tuple(t)) => t.to_vec(),
        Some(v @ Value::Str(_)) => vec![v.clone()],
        Some(v) => return Err(it.type_error(format!("{} first arg must be str or a tuple of str, not {}", if prefix { "startswith" } else { "endswith" }, it.type_name(v)))),
        None => return Err(it.type_error("startswith/endswith takes at least 1 argument")),
    };
    for c in cands {
        if let Value::Str(c) = c {
            if (prefix && st.starts_with(&*c)) || (!prefix && st.ends_with(&*c)) {
                return Ok(Value::Bool(true));
            }
        }
    }
    Ok(Value::Bool(false))
}

fn list_of(v: &Value) -> Rc<RefCell<Vec<Value>>> {
    match v {
        Value::List(l) => l.clone(),
        Value::Tuple(t) => Rc::new(RefCell::new(t.to_vec())),
        _ => Rc::new(RefCell::new(Vec::new())),
    }
}

fn list_method(name: &str) -> Option<Method> {
    Some(match name {
        "append" => |it, s, a| {
            nargs(it, "append", &a, 1, 1)?;
            let l = list_of(s);
            let n = l.borrow().len();
            it.check_size(n + 1)?;
            l.borrow_mut().push(a.pos[0].clone());
            Ok(Value::None)
        },
        "extend" => |it, s, a| {
            nargs(it, "extend", &a, 1, 1)?;
            let items = iterate(it, &a.pos[0])?;
            list_of(s).borrow_mut().extend(items);
            Ok(Value::None)
        },
        "insert" => |it, s, a| {
            nargs(it, "insert", &a, 2, 2)?;
            let l = list_of(s);
            let n = l.borrow().len() as i64;
            let i = int_arg(it, &a.pos[0])?;
            let i = if i < 0 { (i + n).max(0) } else { i.min(n) };
            l.borrow_mut().insert(i as usize, a.pos[1].clone());
            Ok(Value::None)
        },
        "pop" => |it, s, a| {
            let l = list_of(s);
            let n = l.borrow().len();
            if n == 0 {
                return Err(it.exc("IndexError", "pop from empty list"));
            }
            let i = match a.pos.first() {
                Some(v) => norm_index(it, int_arg(it, v)?, n, "pop")?,
                None => n - 1,
            };
            let v = l.borrow_mut().remove(i);
            Ok(v)
        },
        "remove" => |it, s, a| {
            nargs(it, "remove", &a, 1, 1)?;
            let l = list_of(s);
            let items = l.borrow().clone();
            for (i, x) in items.iter().enumerate() {
                if values_eq(it, x, &a.pos[0])? {
                    l.borrow_mut().remove(i);
                    return Ok(Value::None);
                }
            }
            Err(it.exc("ValueError", "list.remove(x): x not in list"))
        },
        "index" => |it, s, a| {
            let items = list_of(s).borrow().clone();
            let target = a.pos.first().cloned().unwrap_or(Value::None);
            for (i, x) in items.iter().enumerate() {
                if values_eq(it, x, &target)? {
                    return Ok(Value::Int(i as i64));
                }
            }
            let r = repr(it, &target)?;
            Err(it.exc("ValueError", format!("{r} is not in list")))
        },
        "count" => |it, s, a| {
            let items = list_of(s).borrow().clone();
            let target = a.pos.first().cloned().unwrap_or(Value::None);
            let mut n = 0;
            for x in &items {
                if values_eq(it, x, &target)? {
                    n += 1;
                }
            }
            Ok(Value::Int(n))
        },
        "sort" => |it, s, a| {
            let l = list_of(s);
            let mut items = l.borrow().clone();
            sort_values(it, &mut items, a.kwarg("key").cloned(), a.kwarg("reverse").cloned())?;
            *l.borrow_mut() = items;
            Ok(Value::None)
        },
        "reverse" => |_, s, _| {
            list_of(s).borrow_mut().reverse();
            Ok(Value::None)
        },
        "copy" => |_, s, _| Ok(Value::list(list_of(s).borrow().clone())),
        "clear" => |_, s, _| {
            list_of(s).borrow_mut().clear();
            Ok(Value::None)
        },
        _ => return None,
    })
}

fn dict_of(v: &Value) -> Rc<RefCell<Dict>> {
    match v {
        Value::Dict(d) | Value::Set(d) => d.clone(),
        _ => Rc::new(RefCell::new(Dict::new())),
    }
}

fn dict_method(name: &str) -> Option<Method> {
    Some(match name {
        "get" => |it, s, a| {
            nargs(it, "get", &a, 1, 2)?;
            let k = hash_key(it, &a.pos[0])?;
            Ok(dict_of(s).borrow().get(&k).cloned().unwrap_or_else(|| a.pos.get(1).cloned().unwrap_or(Value::None)))
        },
        "keys" => |_, s, _| Ok(Value::list(dict_of(s).borrow().keys())),
        "values" => |_, s, _| Ok(Value::list(dict_of(s).borrow().values())),
        "items" => |_, s, _| Ok(Value::list(dict_of(s).borrow().items().into_iter().map(|(k, v)| Value::tuple(vec![k, v])).collect())),
        "pop" => |it, s, a| {
            nargs(it, "pop", &a, 1, 2)?;
            let k = hash_key(it, &a.pos[0])?;
            let removed = dict_of(s).borrow_mut().remove(&k);
            match removed {
                Some((_, v)) => Ok(v),
                None => match a.pos.get(1) {
                    Some(d) => Ok(d.clone()),
                    None => {
                        let r = repr(it, &a.pos[0])?;
                        Err(it.exc("KeyError", r))
                    }
                },
            }
        },
        "popitem" => |it, s, _| {
            let d = dict_of(s);
            let last = d.borrow_mut().map.pop();
            match last {
                Some((_, (k, v))) => Ok(Value::tuple(vec![k, v])),
                None => Err(it.exc("KeyError", "'popitem(): dictionary is empty'")),
            }
        },
        "setdefault" => |it, s, a| {
            nargs(it, "setdefault", &a, 1, 2)?;
            let k = hash_key(it, &a.pos[0])?;
            let d = dict_of(s);
            let existing = d.borrow().get(&k).cloned();
            match existing {
                Some(v) => Ok(v),
                None => {
                    let v = a.pos.get(1).cloned().unwrap_or(Value::None);
                    d.borrow_mut().insert(k, a.pos[0].clone(), v.clone());
                    Ok(v)
                }
            }
        },
        "update" => |it, s, a| {
            let d = dict_of(s);
            if let Some(other) = a.pos.first() {
                let pairs = match other {
                    Value::Dict(_) | Value::Instance(_) => mapping_items(it, other)?,
                    o => {
                        let mut out = Vec::new();
                        for p in iterate(it, o)? {
                            let kv = iterate(it, &p)?;
                            if kv.len() == 2 {
                                out.push((kv[0].clone(), kv[1].clone()));
                            }
                        }
                        out
                    }
                };
                for (k, v) in pairs {
                    let hk = hash_key(it, &k)?;
                    d.borrow_mut().insert(hk, k, v);
                }
            }
            for (k, v) in a.kw {
                d.borrow_mut().set_str(&k, v);
            }
            Ok(Value::None)
        },
        "copy" => |_, s, _| Ok(Value::dict(dict_of(s).borrow().clone())),
        "clear" => |_, s, _| {
            dict_of(s).borrow_mut().map.clear();
            Ok(Value::None)
        },
        _ => return None,
    })
}

fn set_method(name: &str) -> Option<Method> {
    Some(match name {
        "add" => |it, s, a| {
            nargs(it, "add", &a, 1, 1)?;
            let k = hash_key(it, &a.pos[0])?;
            dict_of(s).borrow_mut().insert(k, a.pos[0].clone(), Value::None);
            Ok(Value::None)
        },
        "discard" => |it, s, a| {
            nargs(it, "discard", &a, 1, 1)?;
            let k = hash_key(it, &a.pos[0])?;
            dict_of(s).borrow_mut().remove(&k);
            Ok(Value::None)
        },
        "remove" => |it, s, a| {
            nargs(it, "remove", &a, 1, 1)?;
            let k = hash_key(it, &a.pos[0])?;
            let removed = dict_of(s).borrow_mut().remove(&k);
            match removed {
                Some(_) => Ok(Value::None),
                None => {
                    let r = repr(it, &a.pos[0])?;
                    Err(it.exc("KeyError", r))
                }
            }
        },
        "update" => |it, s, a| {
            for other in &a.pos {
                for x in iterate(it, other)? {
                    let k = hash_key(it, &x)?;
                    dict_of(s).borrow_mut().insert(k, x, Value::None);
                }
            }
            Ok(Value::None)
        },
        "union" | "intersection" | "difference" | "symmetric_difference" => return Some(set_algebra(name)),
        "issubset" => |it, s, a| {
            let o = to_set(it, a.pos.first().unwrap_or(&Value::None))?;
            compare(it, ast::CmpOp::LtE, s, &o)
        },
        "issuperset" => |it, s, a| {
            let o = to_set(it, a.pos.first().unwrap_or(&Value::None))?;
            compare(it, ast::CmpOp::GtE, s, &o)
        },
        "copy" => |_, s, _| Ok(Value::Set(Rc::new(RefCell::new(dict_of(s).borrow().clone())))),
        "pop" => |it, s, _| {
            let d = dict_of(s);
            let first = d.borrow_mut().map.shift_remove_index(0);
            match first {
                Some((_, (k, _))) => Ok(k),
                None => Err(it.exc("KeyError", "'pop from an empty set'")),
            }
        },
        "clear" => |_, s, _| {
            dict_of(s).borrow_mut().map.clear();
            Ok(Value::None)
        },
        _ => return None,
    })
}

fn to_set(it: &mut Interp, v: &Value) -> R<Value> {
    let mut d = Dict::new();
    for x in iterate(it, v)? {
        let k = hash_key(it, &x)?;
        d.insert(k, x, Value::None);
    }
    Ok(Value::Set(Rc::new(RefCell::new(d))))
}

fn set_algebra(name: &str) -> Method {
    match name {
        "union" => |it, s, a| {
            let mut acc = s.clone();
            for o in &a.pos {
                let o = to_set(it, o)?;
                acc = binop(it, ast::Operator::BitOr, acc, o)?;
            }
            if a.pos.is_empty() {
                acc = to_set(it, s)?;
            }
            Ok(acc)
        },
        "intersection" => |it, s, a| {
            let mut acc = to_set(it, s)?;
            for o in &a.pos {
                let o = to_set(it, o)?;
                acc = binop(it, ast::Operator::BitAnd, acc, o)?;
            }
            Ok(acc)
        },
        "difference" => |it, s, a| {
            let mut acc = to_set(it, s)?;
            for o in &a.pos {
                let o = to_set(it, o)?;
                acc = binop(it, ast::Operator::Sub, acc, o)?;
            }
            Ok(acc)
        },
        _ => |it, s, a| {
            let o = to_set(it, a.pos.first().unwrap_or(&Value::None))?;
            binop(it, ast::Operator::BitXor, s.clone(), o)
        },
    }
}

// ----- standard library ------------------------------------------------------------

fn install_stdlib(it: &mut Interp) {
    it.register_module("__future__", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("__future__");
        let feature = new_plain_class(it, "_Feature", "__future__");
        for n in ["annotations", "division", "absolute_import", "print_function", "unicode_literals", "generator_stop", "with_statement", "nested_scopes", "generators"] {
            m.globals.set(n, Value::Instance(Rc::new(Instance::new(feature.clone()))));
        }
        Ok(m)
    }));
    it.register_module("typing", Rc::new(typing_module));
    it.register_module("typing_extensions", Rc::new(typing_module));
    it.register_module("enum", Rc::new(enum_module));
    it.register_module("os", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("os");
        m.globals.set("environ", Value::dict(Dict::new()));
        m.globals.set("sep", Value::str("/"));
        m.globals.set("getenv", native_fn("getenv", |it, a| {
            nargs(it, "getenv", &a, 1, 2)?;
            Ok(a.pos.get(1).cloned().unwrap_or(Value::None))
        }));
        // `os` binds `os.path` itself (no import of the parent from the child).
        let path = os_path_module(it);
        it.modules.insert("os.path".to_string(), path.clone());
        m.globals.set("path", Value::Module(path));
        Ok(m)
    }));
    it.register_module("os.path", Rc::new(|it: &mut Interp| Ok(os_path_module(it))));
    fn os_path_module(it: &mut Interp) -> Rc<Module> {
        let m = it.new_native_module("os.path");
        m.globals.set("join", native_fn("join", |it, a| {
            let mut out = String::new();
            for p in &a.pos {
                let p = p.as_str().ok_or_else(|| it.type_error("join() arguments must be str"))?;
                if p.starts_with('/') {
                    out = p.to_string();
                } else {
                    if !out.is_empty() && !out.ends_with('/') {
                        out.push('/');
                    }
                    out.push_str(p);
                }
            }
            Ok(Value::str(&out))
        }));
        m.globals.set("dirname", native_fn("dirname", |_, a| {
            let p = a.pos.first().and_then(|v| v.as_str()).unwrap_or("");
            Ok(Value::str(match p.rfind('/') {
                Some(0) => "/",
                Some(i) => &p[..i],
                None => "",
            }))
        }));
        m.globals.set("basename", native_fn("basename", |_, a| {
            let p = a.pos.first().and_then(|v| v.as_str()).unwrap_or("");
            Ok(Value::str(p.rsplit('/').next().unwrap_or("")))
        }));
        for n in ["exists", "isfile", "isdir", "abspath", "realpath", "getcwd", "expanduser"] {
            m.globals.set(n, native_fn(n, move |it, _| Err(it.exc("OSError", format!("os.path.{n}() needs the file system, which code the playground evaluates cannot reach")))));
        }
        m
    }
    it.register_module("sys", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("sys");
        // Appending to sys.path has no effect: imports resolve through --path.
        m.globals.set("path", Value::list(vec![]));
        m.globals.set("version_info", Value::tuple(vec![Value::Int(3), Value::Int(12), Value::Int(0)]));
        m.globals.set("platform", Value::str("linux"));
        m.globals.set("modules", Value::dict(Dict::new()));
        let io = Class::new("TextIOWrapper", "_io", vec![it.types.object.clone()], BuiltinType::Object, None);
        fn stream_of(it: &Interp, a: &Args) -> R<StdStream> {
            a.pos.first().and_then(std_stream).ok_or_else(|| it.type_error("descriptor needs a TextIOWrapper object"))
        }
        io.dict.borrow_mut().set_str("write", native_fn("write", |it, a| {
            let stream = stream_of(it, &a)?;
            match a.pos.get(1) {
                Some(Value::Str(s)) => {
                    write_std(it, stream, s);
                    Ok(Value::Int(s.chars().count() as i64))
                }
                Some(other) => Err(it.type_error(format!("write() argument must be str, not {}", it.type_name(other)))),
                None => Err(it.type_error("TextIOWrapper.write() takes exactly one argument (0 given)")),
            }
        }));
        io.dict.borrow_mut().set_str("flush", native_fn("flush", |it, a| stream_of(it, &a).map(|_| Value::None)));
        io.dict.borrow_mut().set_str("isatty", native_fn("isatty", |it, a| stream_of(it, &a).map(|_| Value::Bool(false))));
        for (name, stream) in [("stdout", StdStream::Stdout), ("stderr", StdStream::Stderr)] {
            let i = Instance::new(io.clone());
            i.set("name", Value::str(&format!("<{name}>")));
            i.set("encoding", Value::str("utf-8"));
            *i.native.borrow_mut() = Some(Rc::new(stream));
            m.globals.set(name, Value::Instance(Rc::new(i)));
        }
        Ok(m)
    }));
    it.register_module("json", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("json");
        m.globals.set("dumps", native_fn("dumps", |it, a| {
            nargs(it, "dumps", &Args::new(a.pos.clone()), 1, 1)?;
            let mut opts = JsonDumps { sort_keys: false, item_sep: ", ".into(), key_sep: ": ".into(), indent: None, default: None };
            let mut separators = false;
            for (k, v) in &a.kw {
                match (k.as_str(), v) {
                    ("sort_keys", v) => opts.sort_keys = it.truthy(v)?,
                    ("ensure_ascii", Value::Bool(true)) | ("indent", Value::None) | ("separators", Value::None) | ("default", Value::None) => {}
                    ("indent", Value::Int(n)) => opts.indent = Some(" ".repeat((*n).max(0) as usize)),
                    ("indent", Value::Str(s)) => opts.indent = Some(s.to_string()),
                    ("default", f) => opts.default = Some(f.clone()),
                    ("separators", v) => {
                        let parts = iterate(it, v)?;
                        match &parts[..] {
                            [Value::Str(i), Value::Str(k)] => {
                                (opts.item_sep, opts.key_sep) = (i.to_string(), k.to_string());
                                separators = true;
                            }
                            _ => return Err(it.type_error("separators must be a (item_separator, key_separator) pair of strings")),
                        }
                    }
                    (k, _) => return Err(it.exc("NotImplementedError", format!("json.dumps({k}=...) is not supported by the playground"))),
                }
            }
            // with an indent the item separator loses its space (json.dumps's default)
            if opts.indent.is_some() && !separators {
                opts.item_sep = ",".into();
            }
            json_dumps(it, &a.pos[0], &opts, 0).map(|s| Value::str(&s))
        }));
        m.globals.set("loads", native_fn("loads", |it, a| {
            nargs(it, "loads", &Args::new(a.pos.clone()), 1, 1)?;
            if let Some((k, _)) = a.kw.first() {
                return Err(it.exc("NotImplementedError", format!("json.loads({k}=...) is not supported by the playground")));
            }
            let text = match &a.pos[0] {
                Value::Str(s) => s.to_string(),
                other => return Err(it.type_error(format!("the JSON object must be str, bytes or bytearray, not {}", it.type_name(other)))),
            };
            let mut p = JsonParser { s: text.as_bytes(), text: &text, i: 0 };
            p.ws();
            let v = p.value().map_err(|e| p.error(it, e))?;
            p.ws();
            if p.i < p.s.len() {
                return Err(p.error(it, "Extra data"));
            }
            Ok(v)
        }));
        Ok(m)
    }));
    it.register_module("datetime", Rc::new(super::datetime::module));
    it.register_module("decimal", Rc::new(super::decimal::module));
    // the clock through the host (`time.time()`); sleeping and the process
    // clocks are not there
    it.register_module("time", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("time");
        m.globals.set("time", native_fn("time", |it, a| {
            nargs(it, "time", &a, 0, 0)?;
            Ok(Value::Float(super::datetime::unix_seconds(it, "time")?))
        }));
        m.globals.set("time_ns", native_fn("time_ns", |it, a| {
            nargs(it, "time_ns", &a, 0, 0)?;
            match it.clock() {
                Some(r) => Ok(Value::Int(r.unix_micros * 1000)),
                None => Err(it.exc("NotImplementedError", "time.time_ns() reads the clock, which this host does not give the playground")),
            }
        }));
        for n in ["sleep", "monotonic", "perf_counter", "process_time", "localtime", "gmtime", "strftime", "mktime"] {
            m.globals.set(n, native_fn(n, move |it, _| Err(it.exc("NotImplementedError", format!("time.{n}() is not supported by the playground")))));
        }
        Ok(m)
    }));
    it.register_module("uuid", Rc::new(super::uuid::module));
    it.register_module("re", Rc::new(super::re::module));
    it.register_module("abc", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("abc");
        let abc = new_plain_class(it, "ABC", "abc");
        m.globals.set("ABC", Value::Class(abc));
        let meta = Class::new("ABCMeta", "abc", vec![it.types.type_.clone()], BuiltinType::Type, None);
        m.globals.set("ABCMeta", Value::Class(meta));
        m.globals.set("abstractmethod", native_fn("abstractmethod", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
        Ok(m)
    }));
    it.register_module("logging", Rc::new(super::logging::module));
    it.register_module("logging.config", Rc::new(super::logging::config_module));
    it.register_module("logging.handlers", Rc::new(super::logging::handlers_module));
    it.register_module("math", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("math");
        m.globals.set("pi", Value::Float(std::f64::consts::PI));
        m.globals.set("e", Value::Float(std::f64::consts::E));
        m.globals.set("inf", Value::Float(f64::INFINITY));
        m.globals.set("nan", Value::Float(f64::NAN));
        fn num_arg(it: &Interp, a: &Args) -> R<f64> {
            match a.pos.first() {
                Some(Value::Int(i)) => Ok(*i as f64),
                Some(Value::Bool(b)) => Ok(*b as i64 as f64),
                Some(Value::Float(f)) => Ok(*f),
                _ => Err(it.type_error("must be real number")),
            }
        }
        m.globals.set("isnan", native_fn("isnan", |it, a| Ok(Value::Bool(num_arg(it, &a)?.is_nan()))));
        m.globals.set("isinf", native_fn("isinf", |it, a| Ok(Value::Bool(num_arg(it, &a)?.is_infinite()))));
        m.globals.set("isfinite", native_fn("isfinite", |it, a| Ok(Value::Bool(num_arg(it, &a)?.is_finite()))));
        m.globals.set("sqrt", native_fn("sqrt", |it, a| {
            let x = num_arg(it, &a)?;
            if x < 0.0 {
                return Err(it.exc("ValueError", "math domain error"));
            }
            Ok(Value::Float(x.sqrt()))
        }));
        for (n, f) in [("floor", f64::floor as fn(f64) -> f64), ("ceil", f64::ceil)] {
            m.globals.set(n, native_fn(n, move |it, a| {
                let x = f(num_arg(it, &a)?);
                if !x.is_finite() || x.abs() > 9.2e18 {
                    return Err(it.exc("OverflowError", "cannot convert float to integer"));
                }
                Ok(Value::Int(x as i64))
            }));
        }
        Ok(m)
    }));
    it.register_module("collections", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("collections");
        let dd = new_plain_class(it, "defaultdict", "collections");
        m.globals.set("defaultdict", Value::Class(dd.clone()));
        // `defaultdict(factory)` is a dict whose missing keys the factory fills.
        dd.dict.borrow_mut().set_str("__new__", Value::None);
        let ctor = native_fn("defaultdict", |it, a| {
            let factory = a.pos.first().cloned().unwrap_or(Value::None);
            let d = Value::dict(Dict::new());
            if !factory.is_none() {
                it.dict_defaults.insert(d.identity(), (d.clone(), factory));
            }
            Ok(d)
        });
        dd.dict.borrow_mut().set_str("__call_native__", ctor);
        m.globals.set("OrderedDict", Value::Class(it.types.dict.clone()));
        m.globals.set("namedtuple", native_fn("namedtuple", namedtuple));
        Ok(m)
    }));
    it.register_module("dataclasses", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("dataclasses");
        m.globals.set("dataclass", native_fn("dataclass", |it, a| match a.pos.first() {
            Some(Value::Class(c)) => {
                make_dataclass(it, c)?;
                Ok(Value::Class(c.clone()))
            }
            None => Ok(native_fn("dataclass", |it, a| match a.pos.first() {
                Some(Value::Class(c)) => {
                    make_dataclass(it, c)?;
                    Ok(Value::Class(c.clone()))
                }
                _ => Err(it.type_error("dataclass() should be applied to a class")),
            })),
            _ => Err(it.type_error("dataclass() should be applied to a class")),
        }));
        Ok(m)
    }));
    // pydantic ships with SQLModel, so Alembic environments import it;
    // scripts use its names in annotations. Its classes are empty here:
    // validating with them raises.
    it.register_module("pydantic", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("pydantic");
        let globals = m.globals.clone();
        m.globals.set("__getattr__", native_fn("__getattr__", move |it, a| {
            let name = a.pos.first().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            if !name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                return Err(it.exc("AttributeError", format!("module 'pydantic' has no attribute '{name}' in the playground")));
            }
            let c = new_plain_class(it, &name, "pydantic");
            let n2 = name.clone();
            c.dict.borrow_mut().set_str("__init__", native_fn("__init__", move |it, _| {
                Err(it.exc("NotImplementedError", format!("pydantic.{n2} is not available in the playground")))
            }));
            let v = Value::Class(c);
            globals.set(&name, v.clone());
            Ok(v)
        }));
        Ok(m)
    }));
    it.register_module("textwrap", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("textwrap");
        m.globals.set("dedent", native_fn("dedent", |it, a| {
            let text = a.pos.first().and_then(|v| v.as_str()).ok_or_else(|| it.type_error("dedent() argument must be str"))?;
            let margin = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
                .fold(None::<&str>, |acc, ind| match acc {
                    None => Some(ind),
                    Some(a) => Some(&a[..a.chars().zip(ind.chars()).take_while(|(x, y)| x == y).count()]),
                })
                .unwrap_or("");
            let out: Vec<String> = text
                .split('\n')
                .map(|l| if l.trim().is_empty() { String::new() } else { l.strip_prefix(margin).unwrap_or(l).to_string() })
                .collect();
            Ok(Value::str(&out.join("\n")))
        }));
        Ok(m)
    }));
    it.register_module("itertools", Rc::new(super::itertools::module));
    it.register_module("functools", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("functools");
        m.globals.set("wraps", native_fn("wraps", |_, _| Ok(native_fn("decorator", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))))));
        m.globals.set("reduce", native_fn("reduce", |it, a| {
            nargs(it, "reduce", &Args::new(a.pos.clone()), 2, 3)?;
            let mut items = iterate(it, &a.pos[1])?.into_iter();
            let mut acc = match a.pos.get(2).cloned().or_else(|| items.next()) {
                Some(v) => v,
                None => return Err(it.type_error("reduce() of empty iterable with no initial value")),
            };
            for x in items {
                acc = it.call(&a.pos[0], Args::new(vec![acc, x]))?;
            }
            Ok(acc)
        }));
        // `@cache`, `@lru_cache`, `@lru_cache(maxsize=N)`: results kept by
        // the arguments' hash keys, least recently used dropped past maxsize
        m.globals.set("cache", native_fn("cache", |it, a| match a.pos.first() {
            Some(f) => Ok(memoized(f.clone(), None)),
            None => Err(it.type_error("cache() missing 1 required positional argument: 'user_function'")),
        }));
        m.globals.set("lru_cache", native_fn("lru_cache", |it, a| {
            let maxsize = match a.pos.first().or_else(|| a.kwarg("maxsize")) {
                Some(f @ (Value::Function(_) | Value::Builtin(_))) => return Ok(memoized(f.clone(), Some(128))),
                Some(Value::None) => None,
                Some(Value::Int(n)) => Some((*n).max(0) as usize),
                None => Some(128),
                Some(_) => return Err(it.type_error("Expected first argument to be an integer, a callable, or None")),
            };
            Ok(native_fn("decorating_function", move |it, a| match a.pos.first() {
                Some(f) => Ok(memoized(f.clone(), maxsize)),
                None => Err(it.type_error("lru_cache decorator needs a function")),
            }))
        }));
        m.globals.set("partial", native_fn("partial", |it, a| {
            if a.pos.is_empty() {
                return Err(it.type_error("partial() needs a callable"));
            }
            let f = a.pos[0].clone();
            let pre = a.pos[1..].to_vec();
            let prekw = a.kw.clone();
            Ok(native_fn("partial", move |it, b| {
                let mut pos = pre.clone();
                pos.extend(b.pos);
                let mut kw = prekw.clone();
                kw.extend(b.kw);
                it.call(&f, Args { pos, kw })
            }))
        }));
        Ok(m)
    }));
}

/// `f` wrapped by `functools.lru_cache(maxsize)` (`None`: unbounded).
fn memoized(f: Value, maxsize: Option<usize>) -> Value {
    let kept: Rc<RefCell<Vec<(HashKey, Value)>>> = Rc::new(RefCell::new(Vec::new()));
    native_fn("lru_cache_wrapper", move |it, a| {
        let mut parts = Vec::with_capacity(a.pos.len() + 2 * a.kw.len());
        for v in &a.pos {
            parts.push(hash_key(it, v)?);
        }
        for (k, v) in &a.kw {
            parts.push(HashKey::Str(Rc::from(k.as_str())));
            parts.push(hash_key(it, v)?);
        }
        let key = HashKey::Tuple(parts);
        let hit = kept.borrow().iter().position(|(k, _)| *k == key);
        if let Some(i) = hit {
            let entry = kept.borrow_mut().remove(i);
            let v = entry.1.clone();
            kept.borrow_mut().push(entry);
            return Ok(v);
        }
        let v = it.call(&f, a)?;
        if maxsize != Some(0) {
            let mut kept = kept.borrow_mut();
            kept.push((key, v.clone()));
            if maxsize.is_some_and(|m| kept.len() > m) {
                kept.remove(0);
            }
        }
        Ok(v)
    })
}

/// `@dataclass`: an `__init__` taking the annotated fields in order (class
/// attributes are their defaults), a field-wise `__repr__` and `__eq__`.
fn make_dataclass(it: &mut Interp, c: &Rc<Class>) -> R<()> {
    let anns = c.dict.borrow().get_str("__annotations__").cloned();
    let mut fields: Vec<(String, Option<Value>)> = Vec::new();
    if let Some(Value::Dict(d)) = anns {
        for k in d.borrow().keys() {
            if let Value::Str(k) = k {
                let default = c.dict.borrow().get_str(&k).cloned();
                fields.push((k.to_string(), default));
            }
        }
    }
    let _ = it;
    c.dict.borrow_mut().set_str("__match_args__", Value::tuple(fields.iter().map(|(n, _)| Value::str(n)).collect()));
    let fields = Rc::new(fields);
    let f1 = fields.clone();
    let cname = c.name.clone();
    c.dict.borrow_mut().set_str("__init__", native_fn("__init__", move |it, a| {
        let Some(Value::Instance(me)) = a.pos.first() else { return Err(it.type_error("__init__ needs self")) };
        let pos = &a.pos[1..];
        if pos.len() > f1.len() {
            return Err(it.type_error(format!("{cname}.__init__() takes {} positional arguments but {} were given", f1.len() + 1, pos.len() + 1)));
        }
        for (i, (name, default)) in f1.iter().enumerate() {
            let v = pos.get(i).cloned().or_else(|| a.kwarg(name).cloned()).or_else(|| default.clone());
            match v {
                Some(v) => me.set(name, v),
                None => return Err(it.type_error(format!("{cname}.__init__() missing 1 required positional argument: '{name}'"))),
            }
        }
        for (k, _) in &a.kw {
            if !f1.iter().any(|(n, _)| n == k) {
                return Err(it.type_error(format!("{cname}.__init__() got an unexpected keyword argument '{k}'")));
            }
        }
        Ok(Value::None)
    }));
    let f2 = fields.clone();
    c.dict.borrow_mut().set_str("__repr__", native_fn("__repr__", move |it, a| {
        let Some(Value::Instance(me)) = a.pos.first() else { return Ok(Value::str("")) };
        let mut parts = Vec::new();
        for (n, _) in f2.iter() {
            let v = me.get(n).unwrap_or(Value::None);
            parts.push(format!("{n}={}", repr(it, &v)?));
        }
        Ok(Value::str(&format!("{}({})", me.class.qualname, parts.join(", "))))
    }));
    let f3 = fields;
    c.dict.borrow_mut().set_str("__eq__", native_fn("__eq__", move |it, a| {
        let (Some(Value::Instance(x)), Some(Value::Instance(y))) = (a.pos.first(), a.pos.get(1)) else { return Ok(Value::NotImplemented) };
        if !Rc::ptr_eq(&x.class, &y.class) {
            return Ok(Value::NotImplemented);
        }
        for (n, _) in f3.iter() {
            if !values_eq(it, &x.get(n).unwrap_or(Value::None), &y.get(n).unwrap_or(Value::None))? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    }));
    Ok(())
}

/// `collections.namedtuple(typename, field_names, *, rename=False,
/// defaults=None, module=None)`: a class whose instances are tuples (their
/// `base_value`) with the fields as attributes.
fn namedtuple(it: &mut Interp, a: Args) -> R<Value> {
    let typename = match a.pos.first().or_else(|| a.kwarg("typename")) {
        Some(Value::Str(s)) => s.to_string(),
        _ => return Err(it.type_error("namedtuple() missing required argument 'typename' (a str)")),
    };
    let fields: Vec<String> = match a.pos.get(1).or_else(|| a.kwarg("field_names")) {
        Some(Value::Str(s)) => s.replace(',', " ").split_whitespace().map(str::to_string).collect(),
        Some(v) => {
            let mut out = Vec::new();
            for f in iterate(it, v)? {
                out.push(str_of(it, &f)?);
            }
            out
        }
        None => return Err(it.type_error("namedtuple() missing 1 required positional argument: 'field_names'")),
    };
    if a.pos.len() > 2 {
        return Err(it.type_error(format!("namedtuple() takes 2 positional arguments but {} were given", a.pos.len())));
    }
    let mut defaults = Vec::new();
    for (k, v) in &a.kw {
        match k.as_str() {
            "typename" | "field_names" | "module" => {}
            "rename" if !it.truthy(v)? => {}
            "defaults" if v.is_none() => {}
            "defaults" => defaults = iterate(it, v)?,
            "rename" => return Err(it.exc("NotImplementedError", "namedtuple(rename=True) is not supported by the playground")),
            other => return Err(it.type_error(format!("namedtuple() got an unexpected keyword argument '{other}'"))),
        }
    }
    for name in std::iter::once(&typename).chain(&fields) {
        let ok = name.chars().next().is_some_and(|c| c == '_' || c.is_alphabetic()) && name.chars().all(|c| c == '_' || c.is_alphanumeric());
        if !ok {
            return Err(it.exc("ValueError", format!("Type names and field names must be valid identifiers: {}", py_repr_str(name))));
        }
        if super::is_keyword(name) {
            return Err(it.exc("ValueError", format!("Type names and field names cannot be a keyword: {}", py_repr_str(name))));
        }
    }
    for (i, f) in fields.iter().enumerate() {
        if f.starts_with('_') {
            return Err(it.exc("ValueError", format!("Field names cannot start with an underscore: {}", py_repr_str(f))));
        }
        if fields[..i].contains(f) {
            return Err(it.exc("ValueError", format!("Encountered duplicate field name: {}", py_repr_str(f))));
        }
    }
    if defaults.len() > fields.len() {
        return Err(it.type_error("Got more default values than field names"));
    }
    let fields = Rc::new(fields);
    let defaults = Rc::new(defaults);
    let cls = new_plain_class(it, &typename, "collections");
    let the_tuple = |a: &Args| -> Value {
        match a.pos.first() {
            Some(Value::Instance(i)) => i.base_value.borrow().clone().unwrap_or(Value::None),
            _ => Value::None,
        }
    };
    let mut d = cls.dict.borrow_mut();
    d.set_str("_fields", Value::tuple(fields.iter().map(|f| Value::str(f)).collect()));
    d.set_str("__match_args__", Value::tuple(fields.iter().map(|f| Value::str(f)).collect()));
    let mut field_defaults = Dict::new();
    for (f, v) in fields[fields.len() - defaults.len()..].iter().zip(defaults.iter()) {
        field_defaults.set_str(f, v.clone());
    }
    d.set_str("_field_defaults", Value::dict(field_defaults));
    let (fs, ds, tn) = (fields.clone(), defaults.clone(), typename.clone());
    d.set_str("__init__", native_fn("__init__", move |it, a| {
        let Some(Value::Instance(me)) = a.pos.first() else { return Err(it.type_error("__init__ needs an instance")) };
        let given = &a.pos[1..];
        if given.len() > fs.len() {
            return Err(it.type_error(format!("{tn}.__new__() takes {} positional arguments but {} were given", fs.len() + 1, given.len() + 1)));
        }
        let mut values: Vec<Option<Value>> = given.iter().cloned().map(Some).chain(std::iter::repeat(None)).take(fs.len()).collect();
        for (k, v) in &a.kw {
            match fs.iter().position(|f| f == k) {
                Some(i) if values[i].is_some() => return Err(it.type_error(format!("{tn}.__new__() got multiple values for argument '{k}'"))),
                Some(i) => values[i] = Some(v.clone()),
                None => return Err(it.type_error(format!("{tn}.__new__() got an unexpected keyword argument '{k}'"))),
            }
        }
        let first_default = fs.len() - ds.len();
        let mut missing = Vec::new();
        for (i, v) in values.iter_mut().enumerate() {
            if v.is_none() {
                match i.checked_sub(first_default) {
                    Some(j) => *v = Some(ds[j].clone()),
                    None => missing.push(py_repr_str(&fs[i])),
                }
            }
        }
        if !missing.is_empty() {
            let listed = match missing.as_slice() {
                [one] => one.clone(),
                [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                [] => String::new(),
            };
            let s = if missing.len() == 1 { "" } else { "s" };
            return Err(it.type_error(format!("{tn}.__new__() missing {} required positional argument{s}: {listed}", missing.len())));
        }
        let values: Vec<Value> = values.into_iter().flatten().collect();
        for (f, v) in fs.iter().zip(&values) {
            me.set(f, v.clone());
        }
        *me.base_value.borrow_mut() = Some(Value::tuple(values));
        Ok(Value::None)
    }));
    d.set_str("__getitem__", native_fn("__getitem__", move |it, a| it.getitem(&the_tuple(&a), a.pos.get(1).cloned().unwrap_or(Value::None))));
    d.set_str("__iter__", native_fn("__iter__", move |it, a| Ok(Value::list(iterate(it, &the_tuple(&a))?))));
    d.set_str("__len__", native_fn("__len__", move |it, a| Ok(Value::Int(iterate(it, &the_tuple(&a))?.len() as i64))));
    d.set_str("__eq__", native_fn("__eq__", move |it, a| {
        let other = match a.pos.get(1) {
            Some(Value::Instance(i)) => i.base_value.borrow().clone().unwrap_or(Value::None),
            Some(v) => v.clone(),
            None => Value::None,
        };
        it.compare(ast::CmpOp::Eq, &the_tuple(&a), &other)
    }));
    let fs = fields.clone();
    d.set_str("__repr__", native_fn("__repr__", move |it, a| {
        let Some(Value::Instance(me)) = a.pos.first() else { return Ok(Value::str("")) };
        let mut parts = Vec::new();
        for (f, v) in fs.iter().zip(iterate(it, &the_tuple(&a))?) {
            parts.push(format!("{f}={}", repr(it, &v)?));
        }
        Ok(Value::str(&format!("{}({})", me.class.name, parts.join(", "))))
    }));
    let fs = fields.clone();
    d.set_str("_asdict", native_fn("_asdict", move |it, a| {
        let mut m = Dict::new();
        for (f, v) in fs.iter().zip(iterate(it, &the_tuple(&a))?) {
            m.set_str(f, v);
        }
        Ok(Value::dict(m))
    }));
    let fs = fields.clone();
    d.set_str("_replace", native_fn("_replace", move |it, a| {
        let Some(Value::Instance(me)) = a.pos.first() else { return Err(it.type_error("_replace() needs an instance")) };
        let mut values = iterate(it, &the_tuple(&a))?;
        for (k, v) in &a.kw {
            match fs.iter().position(|f| f == k) {
                Some(i) => values[i] = v.clone(),
                None => return Err(it.exc("ValueError", format!("Got unexpected field names: [{}]", py_repr_str(k)))),
            }
        }
        it.call(&Value::Class(me.class.clone()), Args::new(values))
    }));
    let made = cls.clone();
    d.set_str("_make", native_fn("_make", move |it, a| {
        // `P._make(iterable)` on the class, or through an instance
        let iterable = match a.pos.as_slice() {
            [Value::Instance(_), x] | [x] => x.clone(),
            _ => return Err(it.type_error("_make() takes one iterable")),
        };
        let items = iterate(it, &iterable)?;
        it.call(&Value::Class(made.clone()), Args::new(items))
    }));
    drop(d);
    Ok(Value::Class(cls))
}

pub fn new_plain_class(it: &Interp, name: &str, module: &str) -> Rc<Class> {
    let bases = vec![it.types.object.clone()];
    Class::new(name, module, bases, BuiltinType::Object, None)
}

/// `json.dumps` keywords the playground honours.
struct JsonDumps {
    sort_keys: bool,
    item_sep: String,
    key_sep: String,
    /// `indent=`: one level's indentation; `None` keeps everything on one line.
    indent: Option<String>,
    /// `default=`: called for what JSON has no form for.
    default: Option<Value>,
}

/// `json.loads` over the JSON grammar (and Python's `NaN`/`Infinity`).
struct JsonParser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    /// `json.JSONDecodeError` is a `ValueError`: `msg: line L column C (char N)`.
    fn error(&self, it: &Interp, msg: &str) -> Box<super::eval::Exc> {
        let before = self.text.get(..self.i).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let col = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
        let pos = before.chars().count();
        it.exc("ValueError", format!("{msg}: line {line} column {col} (char {pos})"))
    }

    fn value(&mut self) -> Result<Value, &'static str> {
        let Some(&c) = self.s.get(self.i) else { return Err("Expecting value") };
        match c {
            b'{' => {
                self.i += 1;
                let mut d = Dict::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::dict(d));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err("Expecting property name enclosed in double quotes");
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err("Expecting ':' delimiter");
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value()?;
                    d.set_str(&k, v);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::dict(d));
                        }
                        _ => return Err("Expecting ',' delimiter"),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::list(items));
                }
                loop {
                    self.ws();
                    items.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::list(items));
                        }
                        _ => return Err("Expecting ',' delimiter"),
                    }
                }
            }
            b'"' => Ok(Value::str(&self.string()?)),
            _ => {
                for (word, v) in [
                    ("null", Value::None),
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("NaN", Value::Float(f64::NAN)),
                    ("Infinity", Value::Float(f64::INFINITY)),
                    ("-Infinity", Value::Float(f64::NEG_INFINITY)),
                ] {
                    if self.s[self.i..].starts_with(word.as_bytes()) {
                        self.i += word.len();
                        return Ok(v);
                    }
                }
                self.number()
            }
        }
    }

    fn number(&mut self) -> Result<Value, &'static str> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.s.len() && p.s[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s
        };
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        if self.s.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else if !digits(self) {
            self.i = start;
            return Err("Expecting value");
        }
        let mut float = false;
        if self.s.get(self.i) == Some(&b'.') && self.s.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
            digits(self);
            float = true;
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) {
                float = true;
            } else {
                self.i = save;
            }
        }
        let t = &self.text[start..self.i];
        if float {
            t.parse::<f64>().map(Value::Float).map_err(|_| "Expecting value")
        } else {
            t.parse::<i64>().map(Value::Int).map_err(|_| "integers beyond 64 bits are not supported by the playground")
        }
    }

    fn string(&mut self) -> Result<String, &'static str> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.i..];
            let Some(c) = rest.chars().next() else { return Err("Unterminated string starting at") };
            self.i += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.text[self.i..].chars().next() else { return Err("Unterminated string starting at") };
                    self.i += 1;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let hex = |p: &mut Self| -> Result<u32, &'static str> {
                                let h = p.text.get(p.i..p.i + 4).ok_or("Invalid \\uXXXX escape")?;
                                let v = u32::from_str_radix(h, 16).map_err(|_| "Invalid \\uXXXX escape")?;
                                p.i += 4;
                                Ok(v)
                            };
                            let mut u = hex(self)?;
                            if (0xd800..0xdc00).contains(&u) && self.text[self.i..].starts_with("\\u") {
                                let save = self.i;
                                self.i += 2;
                                let lo = hex(self)?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                                } else {
                                    self.i = save;
                                }
                            }
                            out.push(char::from_u32(u).ok_or("lone surrogates are not supported by the playground")?);
                        }
                        _ => return Err("Invalid \\escape"),
                    }
                }
                c if (c as u32) < 0x20 => return Err("Invalid control character at"),
                c => out.push(c),
            }
        }
    }
}

/// One JSON text as `json.dumps` writes it, `level` containers deep.
fn json_dumps(it: &mut Interp, v: &Value, opts: &JsonDumps, level: usize) -> R<String> {
    // a container holding itself, or a `default=` giving back what it got
    if level > 500 {
        return Err(it.exc("ValueError", "Circular reference detected"));
    }
    // `[a, b]` or, with an indent, one item per line one level deeper
    let join = |parts: Vec<String>, open: &str, close: &str| -> String {
        match &opts.indent {
            _ if parts.is_empty() => format!("{open}{close}"),
            None => format!("{open}{}{close}", parts.join(&opts.item_sep)),
            Some(ind) => {
                let inner = format!("\n{}", ind.repeat(level + 1));
                format!("{open}{inner}{}\n{}{close}", parts.join(&format!("{}{inner}", opts.item_sep)), ind.repeat(level))
            }
        }
    };
    Ok(match v {
        Value::None => "null".into(),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => py_repr_float(*f),
        Value::Str(s) => {
            let mut out = String::new();
            write_json_str(&mut out, s);
            out
        }
        Value::List(_) | Value::Tuple(_) => {
            let mut parts = Vec::new();
            for x in iterate(it, v)? {
                parts.push(json_dumps(it, &x, opts, level + 1)?);
            }
            join(parts, "[", "]")
        }
        Value::Dict(d) => {
            let mut items = d.borrow().items();
            if opts.sort_keys {
                let mut keyed = Vec::new();
                for (k, x) in items {
                    match &k {
                        Value::Str(s) => keyed.push((s.to_string(), (k.clone(), x))),
                        other => return Err(it.exc("NotImplementedError", format!("json.dumps(sort_keys=True) with a {} key is not supported by the playground", it.type_name(other)))),
                    }
                }
                crate::sort::sort_by(&mut keyed, |a, b| a.0.cmp(&b.0));
                items = keyed.into_iter().map(|(_, kv)| kv).collect();
            }
            let mut parts = Vec::new();
            for (k, x) in items {
                let ks = match &k {
                    Value::Str(s) => s.to_string(),
                    Value::Int(i) => i.to_string(),
                    Value::Bool(b) => if *b { "true" } else { "false" }.into(),
                    Value::None => "null".into(),
                    other => return Err(it.type_error(format!("keys must be str, int, float, bool or None, not {}", it.type_name(other)))),
                };
                parts.push(format!("{}{}{}", json_dumps(it, &Value::str(&ks), opts, level + 1)?, opts.key_sep, json_dumps(it, &x, opts, level + 1)?));
            }
            join(parts, "{", "}")
        }
        other => match &opts.default {
            Some(f) => {
                let replaced = it.call(f, Args::new(vec![other.clone()]))?;
                json_dumps(it, &replaced, opts, level)?
            }
            None => return Err(it.type_error(format!("Object of type {} is not JSON serializable", it.class_of(other).name))),
        },
    })
}

fn typing_module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("typing");
    let special = new_plain_class(it, "_SpecialForm", "typing");
    // `Optional[X]`, `List[int]`...: subscripting gives the form back.
    special.dict.borrow_mut().set_str("__getitem__", native_fn("__getitem__", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
    special.dict.borrow_mut().set_str("__call__", native_fn("__call__", |it, _| Err(it.type_error("Cannot instantiate typing special form"))));
    special.dict.borrow_mut().set_str("__or__", native_fn("__or__", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
    special.dict.borrow_mut().set_str("__ror__", native_fn("__ror__", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
    special.dict.borrow_mut().set_str("__repr__", native_fn("__repr__", |it, a| {
        let name = match a.pos.first() {
            Some(Value::Instance(i)) => i.get("_name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            _ => String::new(),
        };
        let _ = it;
        Ok(Value::str(&format!("typing.{name}")))
    }));
    for n in [
        "Optional", "Union", "List", "Dict", "Set", "FrozenSet", "Tuple", "Sequence", "Mapping", "MutableMapping", "Iterable", "Iterator", "Callable", "Any",
        "Type", "ClassVar", "Final", "Literal", "Annotated", "Generic", "Protocol", "TypeVar", "NoReturn", "Awaitable", "Coroutine", "DefaultDict", "Text",
    ] {
        let i = Instance::new(special.clone());
        i.set("_name", Value::str(n));
        m.globals.set(n, Value::Instance(Rc::new(i)));
    }
    m.globals.set("TYPE_CHECKING", Value::Bool(false));
    m.globals.set("cast", native_fn("cast", |_, a| Ok(a.pos.get(1).cloned().unwrap_or(Value::None))));
    m.globals.set("overload", native_fn("overload", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
    m.globals.set("NamedTuple", Value::Class(new_plain_class(it, "NamedTuple", "typing")));
    m.globals.set("TypedDict", Value::Class(new_plain_class(it, "TypedDict", "typing")));
    Ok(m)
}

/// `enum`: `Enum`, `IntEnum`, `StrEnum`, `auto`. Members are built when the
/// class statement ends (what `EnumMeta` does): every non-dunder,
/// non-descriptor, non-function attribute becomes a member instance with
/// `name` and `value`.
fn enum_module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("enum");
    let hook: Rc<SubclassHook> = Rc::new(|it: &mut Interp, cls: &Rc<Class>| {
        let entries: Vec<(String, Value)> = cls
            .dict
            .borrow()
            .items()
            .into_iter()
            .filter_map(|(k, v)| k.as_str().map(|s| (s.to_string(), v)))
            .filter(|(k, v)| !k.starts_with('_') && !matches!(v, Value::Function(_) | Value::Descriptor(_) | Value::Builtin(_)))
            .collect();
        let base_builtin = cls.mro.iter().find(|c| matches!(c.builtin, BuiltinType::Str | BuiltinType::Int)).map(|c| c.builtin);
        let mut names = Vec::new();
        let mut auto_n = 0i64;
        let mut by_value: Vec<(Value, Value)> = Vec::new();
        for (k, v) in entries {
            let v = match &v {
                Value::Instance(i) if i.class.name == "auto" => {
                    auto_n += 1;
                    if base_builtin == Some(BuiltinType::Str) {
                        Value::str(&k.to_lowercase())
                    } else {
                        Value::Int(auto_n)
                    }
                }
                other => {
                    if let Value::Int(i) = other {
                        auto_n = *i;
                    }
                    other.clone()
                }
            };
            // An alias: a second name for an existing value.
            let mut alias = None;
            for (val, member) in &by_value {
                if values_eq(it, val, &v)? {
                    alias = Some(member.clone());
                    break;
                }
            }
            if let Some(a) = alias {
                cls.dict.borrow_mut().set_str(&k, a);
                continue;
            }
            let inst = Instance::new(cls.clone());
            inst.set("name", Value::str(&k));
            inst.set("_name_", Value::str(&k));
            inst.set("value", v.clone());
            inst.set("_value_", v.clone());
            if base_builtin.is_some() {
                *inst.base_value.borrow_mut() = Some(v.clone());
            }
            let member = Value::Instance(Rc::new(inst));
            by_value.push((v, member.clone()));
            cls.dict.borrow_mut().set_str(&k, member);
            names.push(Value::str(&k));
        }
        cls.dict.borrow_mut().set_str("_member_names_", Value::list(names));
        Ok(())
    });
    let mk = |it: &Interp, name: &str, extra: Option<Rc<Class>>| -> Rc<Class> {
        let mut bases = Vec::new();
        if let Some(e) = extra {
            bases.push(e);
        }
        bases.push(it.types.object.clone());
        let mro = super::eval::c3_mro(&bases).unwrap_or_default();
        let builtin = mro.iter().map(|c| c.builtin).find(|b| *b != BuiltinType::Object).unwrap_or(BuiltinType::Object);
        Rc::new(Class {
            name: name.into(),
            qualname: name.into(),
            module: "enum".into(),
            bases,
            mro,
            dict: RefCell::new(Dict::new()),
            builtin,
            subclass_hook: Some(hook.clone()),
            instance_capacity: std::cell::Cell::new(crate::python::value::INITIAL_INSTANCE_CAPACITY),
            capacity_learned: std::cell::Cell::new(false),
        })
    };
    let enum_cls = mk(it, "Enum", None);
    {
        let mut d = enum_cls.dict.borrow_mut();
        d.set_str("__repr__", native_fn("__repr__", |it, a| {
            let me = a.pos.first().cloned().unwrap_or(Value::None);
            let Value::Instance(i) = &me else { return Ok(Value::str("")) };
            let v = i.get("value").unwrap_or(Value::None);
            let r = repr(it, &v)?;
            Ok(Value::str(&format!("<{}.{}: {}>", i.class.name, i.get("name").and_then(|n| n.as_str().map(str::to_string)).unwrap_or_default(), r)))
        }));
        d.set_str("__str__", native_fn("__str__", |it, a| {
            let Some(Value::Instance(i)) = a.pos.first() else { return Ok(Value::str("")) };
            // 3.11's `ReprEnum`s (IntEnum, StrEnum) print as their value
            if i.class.mro.iter().any(|c| c.module == "enum" && matches!(c.name.as_str(), "StrEnum" | "IntEnum")) {
                let v = i.get("value").unwrap_or(Value::str(""));
                return Ok(Value::str(&str_of(it, &v)?));
            }
            Ok(Value::str(&format!("{}.{}", i.class.name, i.get("name").and_then(|n| n.as_str().map(str::to_string)).unwrap_or_default())))
        }));
        d.set_str("__hash__", native_fn("__hash__", |_, a| Ok(Value::Int(a.pos.first().map(|v| v.identity() as i64).unwrap_or(0)))));
    }
    let enum_v = Value::Class(enum_cls.clone());
    m.globals.set("Enum", enum_v.clone());
    let int_enum = Class::new("IntEnum", "enum", vec![it.types.int.clone(), enum_cls.clone()], BuiltinType::Int, Some(hook.clone()));
    let str_enum = Class::new("StrEnum", "enum", vec![it.types.str_.clone(), enum_cls.clone()], BuiltinType::Str, Some(hook));
    m.globals.set("IntEnum", Value::Class(int_enum));
    m.globals.set("StrEnum", Value::Class(str_enum));
    m.globals.set("auto", Value::Class(new_plain_class(it, "auto", "enum")));
    m.globals.set("unique", native_fn("unique", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
    Ok(m)
}
