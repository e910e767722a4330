//! The `uuid` module's `UUID`, as SQLAlchemy's `Uuid` hands values to
//! Python on SQLite (32 hex digits stored, `uuid.UUID(value)` read back)
//! and as data migrations use them: `UUID(hex)`, `UUID(bytes=...)`,
//! `str`/`repr`, `.hex`, `.bytes`, `.version`, comparisons and hashing.
//!
//! Invariants:
//! - A value is an instance of the module's `UUID` class whose native state
//!   is its 128 bits ([`Uuid`]); it is immutable.
//! - What needs randomness, the clock or a hash function (`uuid1()`,
//!   `uuid4()`, `uuid3()`, `uuid5()`), and `.int` (wider than the
//!   playground's 64-bit int), raise `NotImplementedError`.

use std::rc::Rc;

use super::builtins::native_fn;
use super::eval::{Args, Interp, R};
use super::value::*;

/// A UUID's 128 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Uuid(pub u128);

impl Uuid {
    fn hex(self) -> String {
        format!("{:032x}", self.0)
    }
    fn text(self) -> String {
        let h = self.hex();
        format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
    }
}

/// The `UUID` value `v` holds, if it is one.
pub fn uuid_of(v: &Value) -> Option<Uuid> {
    let Value::Instance(i) = v else { return None };
    let n = i.native.borrow();
    n.as_ref()?.downcast_ref::<Uuid>().copied()
}

/// Equal UUIDs hash alike.
pub fn hash_key(v: &Value) -> Option<HashKey> {
    uuid_of(v).map(|u| HashKey::Bytes(Rc::from(u.0.to_be_bytes().to_vec())))
}

fn make(cls: &Rc<Class>, u: Uuid) -> Value {
    let i = Instance::new(cls.clone());
    *i.native.borrow_mut() = Some(Rc::new(u));
    Value::Instance(Rc::new(i))
}

fn not_supported(it: &Interp, what: &str) -> Box<super::eval::Exc> {
    it.exc("NotImplementedError", format!("{what} is not supported by the playground"))
}

/// `UUID(hex)`: CPython strips `urn:`, `uuid:`, braces and hyphens, then
/// needs 32 hex digits.
fn parse(it: &Interp, v: &Value) -> R<Uuid> {
    let Value::Str(s) = v else {
        return Err(it.exc("AttributeError", format!("'{}' object has no attribute 'replace'", it.type_name(v))));
    };
    let t = s.replace("urn:", "").replace("uuid:", "");
    let t = t.trim_matches(['{', '}']).replace('-', "");
    if t.len() != 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(it.exc("ValueError", "badly formed hexadecimal UUID string"));
    }
    Ok(Uuid(u128::from_str_radix(&t, 16).map_err(|_| it.exc("ValueError", "badly formed hexadecimal UUID string"))?))
}

pub fn module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("uuid");
    let cls = Class::new("UUID", "uuid", vec![it.types.object.clone()], BuiltinType::Object, None);
    let set = |name: &str, v: Value| cls.dict.borrow_mut().set_str(name, v);
    let method = |name: &str, f: Rc<dyn Fn(&mut Interp, Uuid, Args) -> R<Value>>| {
        let n = name.to_string();
        native_fn(name, move |it, a| {
            let me = a.pos.first().and_then(uuid_of).ok_or_else(|| it.type_error(format!("descriptor '{n}' needs a UUID object")))?;
            f(it, me, Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() })
        })
    };
    {
        let c = cls.clone();
        set("__call_native__", native_fn("UUID", move |it, a| {
            let given: Vec<(&str, &Value)> = a
                .pos
                .iter()
                .take(1)
                .map(|v| ("hex", v))
                .chain(a.kw.iter().map(|(k, v)| (k.as_str(), v)))
                .filter(|(_, v)| !v.is_none())
                .collect();
            let u = match given.as_slice() {
                [("hex", v)] => parse(it, v)?,
                [("bytes", Value::Bytes(b))] => match <[u8; 16]>::try_from(&b[..]) {
                    Ok(b) => Uuid(u128::from_be_bytes(b)),
                    Err(_) => return Err(it.exc("ValueError", "bytes is not a 16-char string")),
                },
                [("int", Value::Int(i))] if *i >= 0 => Uuid(*i as u128),
                [] => return Err(it.type_error("one of the hex, bytes, bytes_le, fields, or int arguments must be given")),
                _ => return Err(not_supported(it, "this form of uuid.UUID(...)")),
            };
            Ok(make(&c, u))
        }));
    }
    set("__init__", native_fn("__init__", |it, _| Err(not_supported(it, "a subclass of uuid.UUID"))));
    set("__repr__", method("__repr__", Rc::new(|_, me, _| Ok(Value::str(&format!("UUID('{}')", me.text()))))));
    set("__str__", method("__str__", Rc::new(|_, me, _| Ok(Value::str(&me.text())))));
    set("__hash__", native_fn("__hash__", |_, _| Ok(Value::None)));
    for (name, holds) in super::builtins::RICH_COMPARISONS {
        set(name, method(name, Rc::new(move |_, me, a| {
            let Some(o) = a.pos.first().and_then(uuid_of) else { return Ok(Value::NotImplemented) };
            Ok(Value::Bool(holds(me.cmp(&o))))
        })));
    }
    set("__getattr__", method("__getattr__", Rc::new(|it, me, a| {
        let name = a.pos.first().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        match name.as_str() {
            "hex" => Ok(Value::str(&me.hex())),
            "bytes" => Ok(Value::Bytes(Rc::from(me.0.to_be_bytes().to_vec()))),
            "urn" => Ok(Value::str(&format!("urn:uuid:{}", me.text()))),
            "version" => Ok(if (me.0 >> 62) & 0b11 == 0b10 { Value::Int(((me.0 >> 76) & 0xf) as i64) } else { Value::None }),
            "int" | "fields" | "time" | "node" | "bytes_le" | "variant" | "clock_seq" => Err(not_supported(it, &format!("UUID.{name}"))),
            _ => Err(it.exc("AttributeError", format!("'UUID' object has no attribute '{name}'"))),
        }
    })));
    m.globals.set("UUID", Value::Class(cls));
    for n in ["uuid1", "uuid4"] {
        m.globals.set(n, native_fn(n, move |it, _| Err(it.exc("NotImplementedError", format!("uuid.{n}() needs randomness or the clock, which code the playground evaluates cannot reach")))));
    }
    for n in ["uuid3", "uuid5"] {
        m.globals.set(n, native_fn(n, move |it, _| Err(not_supported(it, &format!("uuid.{n}()")))));
    }
    Ok(m)
}
