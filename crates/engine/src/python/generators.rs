//! Generator objects and `contextlib`.
//!
//! Invariants:
//! - A generator's body runs once, driven by its consumer
//!   ([`Interp::drive_generator`]): a `for` loop runs its body at each
//!   `yield` and closes the generator (`GeneratorExit` at the `yield`) on
//!   `break`, `return` or an exception; a `with` statement over a
//!   `@contextmanager` runs its body at the one `yield` and raises the
//!   body's exception there. Both keep CPython's order of side effects.
//! - Comprehensions drive it the same way. (An exception in a
//!   comprehension closes the generator at once; CPython closes it only
//!   when the exception's traceback is dropped, after the `except` block.) What else iterates (`list()`,
//!   unpacking, `sum()`...) reads the whole generator at once, as the
//!   evaluator reads every iterable.
//! - `next()`, `send()` and `throw()` need a frame suspended between two
//!   values, which the evaluator has not: they are `NotImplementedError`,
//!   never the body run ahead of its consumer.

use std::rc::Rc;

use super::builtins::native_fn;
use super::eval::{generator_of, Args, Generator, GeneratorState, Interp, R};
use super::value::*;

fn me(it: &Interp, a: &Args) -> R<Rc<Generator>> {
    a.pos.first().and_then(generator_of).ok_or_else(|| it.type_error("a generator method needs a generator"))
}

/// `next(g)`: only an exhausted generator answers (`StopIteration`).
fn next(it: &mut Interp, g: &Rc<Generator>) -> R<Value> {
    match *g.state.borrow() {
        GeneratorState::Done => Err(it.exc("StopIteration", "")),
        GeneratorState::Running => Err(it.exc("ValueError", "generator already executing")),
        GeneratorState::Fresh => Err(it.exc(
            "NotImplementedError",
            "next() of a generator is not supported by the playground's evaluator, which cannot suspend a generator between two values; iterate it with for, or list() it",
        )),
    }
}

fn references(native: &Rc<dyn std::any::Any>, values: &mut Vec<Value>, envs: &mut Vec<Rc<super::eval::Env>>) {
    let Some(g) = native.downcast_ref::<Generator>() else { return };
    envs.push(g.env.clone());
    values.push(Value::Function(g.func.clone()));
}

/// A class of `contextlib` whose instances hold `enter` (what `__enter__`
/// gives) and whose `__exit__` is `exit(it, args, exc_type)`.
fn context_class(it: &Interp, name: &str, exit: impl Fn(&mut Interp, &Value, &Value) -> R<Value> + 'static) -> Rc<Class> {
    let cls = super::builtins::new_plain_class(it, name, "contextlib");
    let mut d = cls.dict.borrow_mut();
    d.set_str("__enter__", native_fn("__enter__", |_, a| match a.pos.first() {
        Some(Value::Instance(i)) => Ok(i.get("_enter").unwrap_or(Value::None)),
        _ => Ok(Value::None),
    }));
    d.set_str("__exit__", native_fn("__exit__", move |it, a| {
        let me = a.pos.first().cloned().unwrap_or(Value::None);
        let exc_type = a.pos.get(1).cloned().unwrap_or(Value::None);
        exit(it, &me, &exc_type)
    }));
    drop(d);
    cls
}

pub fn install(it: &mut Interp) {
    it.native_references.push(references);
    let cls = it.generator_class.clone();
    let mut d = cls.dict.borrow_mut();
    d.set_str("__iter__", native_fn("__iter__", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
    d.set_str("__next__", native_fn("__next__", |it, a| {
        let g = me(it, &a)?;
        next(it, &g)
    }));
    d.set_str("send", native_fn("send", |it, a| {
        let g = me(it, &a)?;
        match a.pos.get(1) {
            Some(Value::None) => next(it, &g),
            Some(_) if matches!(*g.state.borrow(), GeneratorState::Fresh) => Err(it.type_error("can't send non-None value to a just-started generator")),
            _ => Err(it.exc("NotImplementedError", "generator.send() is not supported by the playground's evaluator, which cannot suspend a generator between two values")),
        }
    }));
    d.set_str("throw", native_fn("throw", |it, _| {
        Err(it.exc("NotImplementedError", "generator.throw() is not supported by the playground's evaluator, which cannot suspend a generator between two values"))
    }));
    d.set_str("close", native_fn("close", |it, a| {
        let g = me(it, &a)?;
        let mut state = g.state.borrow_mut();
        if !matches!(*state, GeneratorState::Running) {
            *state = GeneratorState::Done;
        }
        Ok(Value::None)
    }));
    d.set_str("__repr__", native_fn("__repr__", |it, a| {
        let g = me(it, &a)?;
        let id = a.pos.first().map(Value::identity).unwrap_or(0);
        Ok(Value::str(&format!("<generator object {} at 0x{id:x}>", g.func.qualname)))
    }));
    drop(d);

    let cm = it.generator_cm_class.clone();
    for name in ["__enter__", "__exit__"] {
        cm.dict.borrow_mut().set_str(name, native_fn(name, move |it, _| {
            Err(it.exc("NotImplementedError", format!("calling {name}() of a @contextmanager object is not supported by the playground's evaluator; use it in a with statement")))
        }));
    }

    it.register_module("contextlib", Rc::new(|it: &mut Interp| {
        let m = it.new_native_module("contextlib");
        m.globals.set("contextmanager", native_fn("contextmanager", |it, a| {
            let Some(func) = a.pos.first().cloned() else {
                return Err(it.type_error("contextmanager() missing 1 required positional argument: 'func'"));
            };
            Ok(native_fn("helper", move |it, a| {
                let made = it.call(&func, a)?;
                let Some(g) = it.generator_object(&made) else {
                    let shown = it.type_name(&made);
                    return Err(it.type_error(format!("'{shown}' object is not an iterator")));
                };
                let inst = Instance::new(it.generator_cm_class.clone());
                *inst.native.borrow_mut() = Some(g);
                Ok(Value::Instance(Rc::new(inst)))
            }))
        }));
        // suppress(*exceptions): an exception of one of those classes ends the body quietly
        let suppress = context_class(it, "suppress", |it, me, exc_type| {
            let Value::Class(raised) = exc_type else { return Ok(Value::Bool(false)) };
            let listed = match me {
                Value::Instance(i) => i.get("_exceptions").unwrap_or(Value::None),
                _ => Value::None,
            };
            for c in it.iterate(&listed)? {
                if let Value::Class(c) = c {
                    if raised.is_subclass(&c) {
                        return Ok(Value::Bool(true));
                    }
                }
            }
            Ok(Value::Bool(false))
        });
        let s = suppress.clone();
        m.globals.set("suppress", native_fn("suppress", move |_, a| {
            let inst = Instance::new(s.clone());
            inst.set("_exceptions", Value::tuple(a.pos.clone()));
            Ok(Value::Instance(Rc::new(inst)))
        }));
        let null = context_class(it, "nullcontext", |_, _, _| Ok(Value::None));
        m.globals.set("nullcontext", native_fn("nullcontext", move |_, a| {
            let inst = Instance::new(null.clone());
            inst.set("_enter", a.pos.first().cloned().or_else(|| a.kwarg("enter_result").cloned()).unwrap_or(Value::None));
            Ok(Value::Instance(Rc::new(inst)))
        }));
        let closing = context_class(it, "closing", |it, me, _| {
            let thing = match me {
                Value::Instance(i) => i.get("_enter").unwrap_or(Value::None),
                _ => Value::None,
            };
            let close = it.getattr(&thing, "close")?;
            it.call(&close, Args::default())?;
            Ok(Value::None)
        });
        m.globals.set("closing", native_fn("closing", move |it, a| {
            let Some(thing) = a.pos.first().cloned() else {
                return Err(it.type_error("closing() missing 1 required positional argument: 'thing'"));
            };
            let inst = Instance::new(closing.clone());
            inst.set("_enter", thing);
            Ok(Value::Instance(Rc::new(inst)))
        }));
        Ok(m)
    }));
}
