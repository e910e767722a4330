//! `itertools` over finite iterables.
//!
//! Invariants:
//! - Iteration in the evaluator is eager (an iterable is read into a
//!   `Vec`), so each function reads its inputs whole and returns an iterator
//!   over the finished result: the values and their order are CPython's
//!   (`Modules/itertoolsmodule.c`), and a result larger than the
//!   collection limit is a `MemoryError`, never a hang.
//! - The infinite iterators (`count`, `cycle`, `repeat` without `times`)
//!   are `NotImplementedError` at the call: an eager one could not end.

use std::rc::Rc;

use super::builtins::{iter_of, iterate, native_fn};
use super::eval::{Args, Interp, R};
use super::value::*;

fn arg(a: &Args, i: usize, name: &str) -> Option<Value> {
    a.pos.get(i).or_else(|| a.kwarg(name)).cloned()
}

fn required(it: &Interp, a: &Args, i: usize, name: &str, f: &str) -> R<Value> {
    arg(a, i, name).ok_or_else(|| it.type_error(format!("{f}() missing required argument '{name}' (pos {})", i + 1)))
}

fn index(it: &Interp, v: &Value, what: &str) -> R<Option<usize>> {
    match v {
        Value::None => Ok(None),
        Value::Int(n) if *n >= 0 => Ok(Some(*n as usize)),
        Value::Bool(b) => Ok(Some(*b as usize)),
        _ => Err(it.exc("ValueError", format!("{what} must be None or an integer: 0 <= x <= sys.maxsize."))),
    }
}

fn infinite(it: &Interp, name: &str) -> Box<super::eval::Exc> {
    it.exc("NotImplementedError", format!("itertools.{name}() is an infinite iterator; the playground's iteration reads iterables whole, so it is not supported"))
}

/// Each combination of `r` positions out of `n`, in lexicographic order
/// (`with_replacement`: positions may repeat).
fn index_combinations(n: usize, r: usize, with_replacement: bool) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(r);
    fn walk(start: usize, n: usize, r: usize, rep: bool, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == r {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            walk(if rep { i } else { i + 1 }, n, r, rep, cur, out);
            cur.pop();
        }
    }
    walk(0, n, r, with_replacement, &mut cur, &mut out);
    out
}

/// Each ordering of `r` distinct positions out of `n`, in CPython's order.
fn index_permutations(n: usize, r: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(r);
    let mut used = vec![false; n];
    fn walk(n: usize, r: usize, used: &mut Vec<bool>, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == r {
            out.push(cur.clone());
            return;
        }
        for i in 0..n {
            if !used[i] {
                used[i] = true;
                cur.push(i);
                walk(n, r, used, cur, out);
                cur.pop();
                used[i] = false;
            }
        }
    }
    walk(n, r, &mut used, &mut cur, &mut out);
    out
}

/// How many `r`-element selections the functions above would make, to
/// refuse one over the collection limit before building it.
fn count_bound(n: usize, r: usize, ordered: bool, rep: bool) -> usize {
    let mut total: usize = 1;
    for i in 0..r {
        let factor = match (ordered, rep) {
            (true, _) => n.saturating_sub(i),
            (false, false) => n.saturating_sub(i),
            (false, true) => n + i,
        };
        total = total.saturating_mul(factor.max(1));
    }
    total
}

pub fn module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("itertools");
    let tuples = |rows: Vec<Vec<usize>>, items: &[Value]| -> Value { iter_of(rows.into_iter().map(|r| Value::tuple(r.into_iter().map(|i| items[i].clone()).collect())).collect()) };

    let chain = super::builtins::new_plain_class(it, "chain", "itertools");
    chain.dict.borrow_mut().set_str("__call_native__", native_fn("chain", |it, a| {
        let mut out = Vec::new();
        for x in &a.pos {
            out.extend(iterate(it, x)?);
            it.check_size(out.len())?;
        }
        Ok(iter_of(out))
    }));
    chain.dict.borrow_mut().set_str("from_iterable", native_fn("from_iterable", |it, a| {
        let outer = required(it, &a, 0, "iterable", "from_iterable")?;
        let mut out = Vec::new();
        for x in iterate(it, &outer)? {
            out.extend(iterate(it, &x)?);
            it.check_size(out.len())?;
        }
        Ok(iter_of(out))
    }));
    m.globals.set("chain", Value::Class(chain));

    m.globals.set("islice", native_fn("islice", |it, a| {
        let items = iterate(it, &required(it, &a, 0, "iterable", "islice")?)?;
        let (start, stop, step) = match a.pos.len() {
            2 => (Some(0), index(it, &a.pos[1], "Stop argument for islice()")?, Some(1)),
            3 | 4 => (
                index(it, &a.pos[1], "Indices for islice()")?,
                index(it, &a.pos[2], "Stop argument for islice()")?,
                match a.pos.get(3) {
                    Some(v) => index(it, v, "Step for islice()")?,
                    None => Some(1),
                },
            ),
            n => return Err(it.type_error(format!("islice expected 2 to 4 arguments, got {n}"))),
        };
        let (start, stop, step) = (start.unwrap_or(0), stop.unwrap_or(items.len()).min(items.len()), step.unwrap_or(1));
        if step == 0 {
            return Err(it.exc("ValueError", "Step for islice() must be a positive integer or None."));
        }
        Ok(iter_of(items.into_iter().take(stop).skip(start).step_by(step).collect()))
    }));

    m.globals.set("groupby", native_fn("groupby", |it, a| {
        let items = iterate(it, &required(it, &a, 0, "iterable", "groupby")?)?;
        let key = arg(&a, 1, "key").filter(|k| !k.is_none());
        let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
        for x in items {
            let k = match &key {
                Some(f) => it.call(f, Args::new(vec![x.clone()]))?,
                None => x.clone(),
            };
            let same = match groups.last() {
                Some((last, _)) => {
                    let eq = it.compare(ruff_python_ast::CmpOp::Eq, last, &k)?;
                    it.truthy(&eq)?
                }
                None => false,
            };
            match groups.last_mut() {
                Some((_, g)) if same => g.push(x),
                _ => groups.push((k, vec![x])),
            }
        }
        Ok(iter_of(groups.into_iter().map(|(k, g)| Value::tuple(vec![k, iter_of(g)])).collect()))
    }));

    m.globals.set("product", native_fn("product", |it, a| {
        let repeat = match a.kwarg("repeat") {
            Some(Value::Int(n)) if *n >= 0 => *n as usize,
            Some(Value::Int(_)) => return Err(it.exc("ValueError", "repeat argument cannot be negative")),
            Some(_) => return Err(it.type_error("'repeat' must be an integer")),
            None => 1,
        };
        if let Some((k, _)) = a.kw.iter().find(|(k, _)| k != "repeat") {
            return Err(it.type_error(format!("product() got an unexpected keyword argument '{k}'")));
        }
        let mut pools = Vec::new();
        for x in &a.pos {
            pools.push(iterate(it, x)?);
        }
        let pools: Vec<Vec<Value>> = std::iter::repeat(pools).take(repeat).flatten().collect();
        let size = pools.iter().fold(1usize, |n, p| n.saturating_mul(p.len()));
        it.check_size(size)?;
        let mut out: Vec<Vec<Value>> = vec![Vec::new()];
        for pool in &pools {
            out = out.into_iter().flat_map(|prefix| pool.iter().map(move |x| [prefix.clone(), vec![x.clone()]].concat())).collect();
        }
        Ok(iter_of(out.into_iter().map(Value::tuple).collect()))
    }));

    m.globals.set("permutations", native_fn("permutations", move |it, a| {
        let items = iterate(it, &required(it, &a, 0, "iterable", "permutations")?)?;
        let r = match arg(&a, 1, "r") {
            None | Some(Value::None) => items.len(),
            Some(Value::Int(r)) if r >= 0 => r as usize,
            Some(Value::Int(_)) => return Err(it.exc("ValueError", "r must be non-negative")),
            Some(_) => return Err(it.type_error("Expected int as r")),
        };
        if r > items.len() {
            return Ok(iter_of(Vec::new()));
        }
        it.check_size(count_bound(items.len(), r, true, false))?;
        Ok(tuples(index_permutations(items.len(), r), &items))
    }));

    for (name, rep) in [("combinations", false), ("combinations_with_replacement", true)] {
        m.globals.set(name, native_fn(name, move |it, a| {
            let items = iterate(it, &required(it, &a, 0, "iterable", name)?)?;
            let r = match arg(&a, 1, "r") {
                Some(Value::Int(r)) if r >= 0 => r as usize,
                Some(Value::Int(_)) => return Err(it.exc("ValueError", "r must be non-negative")),
                _ => return Err(it.type_error(format!("{name}() missing required argument 'r' (pos 2)"))),
            };
            if (!rep && r > items.len()) || (rep && items.is_empty() && r > 0) {
                return Ok(iter_of(Vec::new()));
            }
            it.check_size(count_bound(items.len(), r, false, rep))?;
            Ok(tuples(index_combinations(items.len(), r, rep), &items))
        }));
    }

    m.globals.set("zip_longest", native_fn("zip_longest", |it, a| {
        let fill = a.kwarg("fillvalue").cloned().unwrap_or(Value::None);
        if let Some((k, _)) = a.kw.iter().find(|(k, _)| k != "fillvalue") {
            return Err(it.type_error(format!("zip_longest() got an unexpected keyword argument '{k}'")));
        }
        let mut cols = Vec::new();
        for x in &a.pos {
            cols.push(iterate(it, x)?);
        }
        let n = cols.iter().map(Vec::len).max().unwrap_or(0);
        Ok(iter_of((0..n).map(|i| Value::tuple(cols.iter().map(|c| c.get(i).cloned().unwrap_or_else(|| fill.clone())).collect())).collect()))
    }));

    m.globals.set("accumulate", native_fn("accumulate", |it, a| {
        let items = iterate(it, &required(it, &a, 0, "iterable", "accumulate")?)?;
        let func = arg(&a, 1, "func").filter(|f| !f.is_none());
        let mut acc = a.kwarg("initial").filter(|v| !v.is_none()).cloned();
        let mut out: Vec<Value> = acc.iter().cloned().collect();
        for x in items {
            let next = match (&acc, &func) {
                (None, _) => x,
                (Some(total), Some(f)) => it.call(f, Args::new(vec![total.clone(), x]))?,
                (Some(total), None) => it.binop(ruff_python_ast::Operator::Add, total.clone(), x)?,
            };
            out.push(next.clone());
            acc = Some(next);
        }
        Ok(iter_of(out))
    }));

    m.globals.set("starmap", native_fn("starmap", |it, a| {
        let f = required(it, &a, 0, "function", "starmap")?;
        let mut out = Vec::new();
        for args in iterate(it, &required(it, &a, 1, "iterable", "starmap")?)? {
            let args = iterate(it, &args)?;
            out.push(it.call(&f, Args::new(args))?);
        }
        Ok(iter_of(out))
    }));

    for (name, keep_while) in [("takewhile", true), ("dropwhile", false)] {
        m.globals.set(name, native_fn(name, move |it, a| {
            let pred = required(it, &a, 0, "predicate", name)?;
            let items = iterate(it, &required(it, &a, 1, "iterable", name)?)?;
            let mut cut = items.len();
            for (i, x) in items.iter().enumerate() {
                let r = it.call(&pred, Args::new(vec![x.clone()]))?;
                if !it.truthy(&r)? {
                    cut = i;
                    break;
                }
            }
            let (head, tail) = items.split_at(cut);
            Ok(iter_of(if keep_while { head.to_vec() } else { tail.to_vec() }))
        }));
    }

    m.globals.set("filterfalse", native_fn("filterfalse", |it, a| {
        let pred = required(it, &a, 0, "predicate", "filterfalse")?;
        let mut out = Vec::new();
        for x in iterate(it, &required(it, &a, 1, "iterable", "filterfalse")?)? {
            let r = if pred.is_none() { x.clone() } else { it.call(&pred, Args::new(vec![x.clone()]))? };
            if !it.truthy(&r)? {
                out.push(x);
            }
        }
        Ok(iter_of(out))
    }));

    m.globals.set("compress", native_fn("compress", |it, a| {
        let data = iterate(it, &required(it, &a, 0, "data", "compress")?)?;
        let selectors = iterate(it, &required(it, &a, 1, "selectors", "compress")?)?;
        let mut out = Vec::new();
        for (d, s) in data.into_iter().zip(selectors) {
            if it.truthy(&s)? {
                out.push(d);
            }
        }
        Ok(iter_of(out))
    }));

    m.globals.set("pairwise", native_fn("pairwise", |it, a| {
        let items = iterate(it, &required(it, &a, 0, "iterable", "pairwise")?)?;
        Ok(iter_of(items.windows(2).map(|w| Value::tuple(w.to_vec())).collect()))
    }));

    m.globals.set("tee", native_fn("tee", |it, a| {
        let items = iterate(it, &required(it, &a, 0, "iterable", "tee")?)?;
        let n = match arg(&a, 1, "n") {
            None => 2,
            Some(Value::Int(n)) if n >= 0 => n as usize,
            Some(_) => return Err(it.exc("ValueError", "n must be >= 0")),
        };
        Ok(Value::tuple((0..n).map(|_| iter_of(items.clone())).collect()))
    }));

    m.globals.set("repeat", native_fn("repeat", |it, a| {
        let obj = required(it, &a, 0, "object", "repeat")?;
        match arg(&a, 1, "times") {
            Some(Value::Int(n)) => {
                let n = n.max(0) as usize;
                it.check_size(n)?;
                Ok(iter_of(vec![obj; n]))
            }
            Some(_) => Err(it.type_error("'times' must be an integer")),
            None => Err(infinite(it, "repeat")),
        }
    }));
    for name in ["count", "cycle"] {
        m.globals.set(name, native_fn(name, move |it, _| Err(infinite(it, name))));
    }
    Ok(m)
}
