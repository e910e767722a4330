//! SQLAlchemy's schema objects as values of the one evaluator
//! (`crate::python`): `MetaData`, `Table`, `Column`, `ForeignKey`, the
//! constraints, `Index`, `Computed`, `Identity`, and the declarative layer
//! on top (`DeclarativeBase`, `declarative_base()`, `registry`,
//! `as_declarative`, `declared_attr`, `mapped_column` with `Mapped[...]`
//! annotations and `type_annotation_map`), and SQLModel (`table=True`,
//! `Field`, `Relationship`).
//!
//! Invariants:
//! - The object model is active only in an interpreter that asked for it
//!   ([`enable`]); the `sqlalchemy` modules of `python::alembic` ask
//!   [`sa_attr`] first and fall back to their opaque constructs otherwise.
//! - Every object is an instance of a subclass of the SQLAlchemy construct
//!   base and keeps the `Construct` (call site + argument values) that made
//!   it, so the op readers of migration scripts read it as before.
//! - The state SQLAlchemy exposes is Python-visible attributes of the
//!   instance (`col.name`, `t.c.x`, `md.tables`); [`to_schema`] reads only
//!   those, so what a project's code changes is what the MetaData shows.
//! - A table attaches to its MetaData when `Table(...)` runs, and a mapped
//!   class builds its table when its class statement ends (the declarative
//!   scan, as SQLAlchemy's `__init_subclass__` does). Wrong arguments raise
//!   what SQLAlchemy raises (`TypeError`, `sqlalchemy.exc.ArgumentError`).
//! - Scripts do not enable it yet: their op readers read `sa.Column(...)`
//!   from the call text plus argument values.
//! - A Column keeps on the instance only what differs from its class's
//!   attributes (`COLUMN_DEFAULTS`); [`attr`] reads as Python does.

use std::rc::Rc;

use crate::python::alembic::{construct_of, decorator_dialect_impl, decorator_impl_instance, is_type_decorator, raise_named, sa_base_class, Construct};
use crate::python::builtins::native_fn;
use crate::python::eval::R;
use crate::python::value::*;
use crate::python::value::FunctionCode;
use crate::python::{Args, Interp};
use crate::schema::{
    Autoincrement, CheckConstraint, Column, Computed, ForeignKeyConstraint, Identity, IdentityOption, Index, IndexColumn, MetaData, Name,
    DecoratedType, PrimaryKeyConstraint, ServerDefault, SqlType, Table, TypeClass, UniqueConstraint,
};

/// The builtins key that switches the object model on.
const ENABLE_KEY: &str = "__sa_objects__";

/// Makes the `sqlalchemy` modules of `it` hand out the object model.
pub(crate) fn enable(it: &mut Interp) -> R<()> {
    it.builtins.set(ENABLE_KEY, Value::Bool(true));
    // Annotations keep what they say (`Optional[int]`, `int | None`,
    // `Mapped[...]`), since declarative reads them.
    it.builtins.set("__typing_union__", native_fn("__typing_union__", |it, a| Ok(alias(it, "Union", a.pos.clone()))));
    let typing = it.import_module("typing")?;
    for form in ["Optional", "Union", "Annotated", "ClassVar", "List", "Dict", "Set", "Tuple", "Sequence", "Literal", "Type", "Final"] {
        let f = form.to_string();
        let cls = crate::python::builtins::new_plain_class(it, "_SpecialForm", "typing");
        cls.dict.borrow_mut().set_str("__getitem__", native_fn("__getitem__", move |it, a| {
            let args = match a.pos.get(1) {
                Some(Value::Tuple(t)) => t.to_vec(),
                Some(v) => vec![v.clone()],
                None => Vec::new(),
            };
            Ok(alias(it, &f, args))
        }));
        let i = Instance::new(cls);
        i.set("_name", Value::str(form));
        typing.globals.set(form, Value::Instance(Rc::new(i)));
    }
    Ok(())
}

/// `typing.<origin>[args]` as an annotation value: `__origin__` (the form's
/// name, or a class for `Mapped[...]`) and `__args__`.
fn alias(it: &mut Interp, origin: &str, args: Vec<Value>) -> Value {
    let key = "__sa_obj___GenericAlias";
    let cls = match it.builtins.get(key) {
        Some(Value::Class(c)) => c,
        _ => {
            let c = crate::python::builtins::new_plain_class(it, "_GenericAlias", "typing");
            c.dict.borrow_mut().set_str("__or__", native_fn("__or__", |it, a| Ok(alias(it, "Union", a.pos.clone()))));
            c.dict.borrow_mut().set_str("__ror__", native_fn("__ror__", |it, a| Ok(alias(it, "Union", a.pos.iter().rev().cloned().collect()))));
            it.builtins.set(key, Value::Class(c.clone()));
            c
        }
    };
    let i = Instance::new(cls);
    i.set("__origin__", Value::str(origin));
    i.set("__args__", Value::tuple(args));
    Value::Instance(Rc::new(i))
}

/// An annotation read as declarative reads it: the type inside `Mapped[...]`
/// (and `Optional`/`Union` with None, `Annotated`), whether None is allowed,
/// and an `Annotated[..., mapped_column(...)]`.
struct Annotation {
    /// What `Mapped[...]` (or `Optional[...]`) holds, before `Annotated` is
    /// unwrapped: the type map's first key to try.
    raw: Option<Value>,
    mapped: bool,
    inner: Option<Value>,
    optional: bool,
    annotated_column: Option<Value>,
    class_var: bool,
}

fn read_annotation(v: &Value) -> Annotation {
    let mut a = Annotation { raw: None, mapped: false, inner: None, optional: false, annotated_column: None, class_var: false };
    walk_annotation(v, &mut a, 0);
    a
}

fn alias_parts(v: &Value) -> Option<(String, Vec<Value>)> {
    let i = inst(v).filter(|i| i.class.name == "_GenericAlias")?;
    let origin = str_attr(i, "__origin__")?;
    let args = match i.get("__args__") {
        Some(Value::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    };
    Some((origin, args))
}

fn walk_annotation(v: &Value, a: &mut Annotation, depth: u32) {
    if depth > 16 {
        return;
    }
    match alias_parts(v) {
        Some((origin, args)) => match origin.as_str() {
            "Mapped" => {
                a.mapped = true;
                if let Some(x) = args.first() {
                    walk_annotation(x, a, depth + 1);
                }
            }
            "Optional" => {
                a.optional = true;
                if let Some(x) = args.first() {
                    walk_annotation(x, a, depth + 1);
                }
            }
            "Union" => {
                let rest: Vec<&Value> = args.iter().filter(|x| !x.is_none() && !matches!(x, Value::Class(c) if c.name == "NoneType")).collect();
                if rest.len() != args.len() {
                    a.optional = true;
                }
                match rest.as_slice() {
                    [one] => walk_annotation(one, a, depth + 1),
                    _ => a.inner = Some(v.clone()),
                }
            }
            "Annotated" => {
                if a.raw.is_none() {
                    a.raw = Some(v.clone());
                }
                if let Some(col) = args[1..].iter().find(|x| is_obj(x, "MappedColumn")) {
                    a.annotated_column = Some(col.clone());
                }
                if let Some(x) = args.first() {
                    walk_annotation(x, a, depth + 1);
                }
            }
            "ClassVar" => a.class_var = true,
            _ => a.inner = Some(v.clone()),
        },
        None => a.inner = Some(v.clone()),
    }
}

/// The SQLAlchemy type for a Python type in an annotation: the base's
/// `type_annotation_map`, then SQLAlchemy's defaults.
fn type_for_annotation(it: &mut Interp, cls: &Rc<Class>, t: &Value) -> R<Option<Value>> {
    if let Some(Value::Dict(map)) = cls.lookup("type_annotation_map") {
        let items = map.borrow().items();
        // the annotation itself, else (a class) the nearest class of its MRO
        let mut found = items.iter().find(|(k, _)| k.is(t)).map(|(_, v)| v.clone());
        if let (None, Value::Class(c)) = (&found, t) {
            found = c.mro_all().find_map(|k| items.iter().find(|(key, _)| matches!(key, Value::Class(kc) if Rc::ptr_eq(kc, k))).map(|(_, v)| v.clone()));
        }
        if let Some(v) = found {
            let v = to_type_instance(it, v)?;
            // `sa.Enum(enum.Enum)` in the map: the annotated enum fills in.
            if let (Some(vi), Value::Class(ec)) = (inst(&v), t) {
                if vi.class.name == "Enum" && ec.dict.borrow().get_str("_member_names_").is_some() {
                    let kw = construct_of(vi).map(|k| k.args.kw.clone()).unwrap_or_default();
                    let e = it.import_module("sqlalchemy")?;
                    let enum_cls = it.getattr(&Value::Module(e), "Enum")?;
                    return it.call(&enum_cls, Args { pos: vec![t.clone()], kw }).map(Some);
                }
            }
            return Ok(Some(v));
        }
    }
    if let Some((origin, args)) = alias_parts(t) {
        // `Literal["a", "b"]`: a non-native Enum of the literal values.
        if origin == "Literal" && args.iter().all(|a| matches!(a, Value::Str(_))) {
            let m = it.import_module("sqlalchemy")?;
            let tc = it.getattr(&Value::Module(m), "Enum")?;
            return it.call(&tc, Args { pos: args, kw: vec![("native_enum".into(), Value::Bool(false))] }).map(Some);
        }
        return Ok(None);
    }
    let Value::Class(c) = t else { return Ok(None) };
    let name = match (c.module.as_str(), c.name.as_str()) {
        ("builtins", "int") => "Integer",
        ("builtins", "str") => "String",
        ("builtins", "bool") => "Boolean",
        ("builtins", "float") => "Double",
        ("builtins", "bytes") => "LargeBinary",
        ("datetime", "datetime") => "DateTime",
        ("datetime", "date") => "Date",
        ("datetime", "time") => "Time",
        ("datetime", "timedelta") => "Interval",
        ("decimal", "Decimal") => "Numeric",
        ("uuid", "UUID") => "Uuid",
        _ if c.dict.borrow().get_str("_member_names_").is_some() => "Enum",
        _ => return Ok(None),
    };
    let m = it.import_module("sqlalchemy")?;
    let tc = it.getattr(&Value::Module(m), name)?;
    let args = if name == "Enum" { Args::new(vec![t.clone()]) } else { Args::default() };
    it.call(&tc, args).map(Some)
}

fn enabled(it: &Interp) -> bool {
    it.builtins.get(ENABLE_KEY).is_some()
}

/// The schema classes and where SQLAlchemy defines them.
const SCHEMA_CLASSES: &[&str] = &[
    "MetaData", "Table", "Column", "ForeignKey", "ForeignKeyConstraint", "PrimaryKeyConstraint", "UniqueConstraint",
    "CheckConstraint", "Index", "Computed", "Identity",
];

/// `module.attr` of SQLAlchemy when the object model defines it.
pub(crate) fn sa_attr(it: &mut Interp, module: &str, attr: &str) -> R<Option<Value>> {
    if !enabled(it) {
        return Ok(None);
    }
    let core = matches!(module, "sqlalchemy" | "sqlalchemy.schema" | "sqlalchemy.sql.schema" | "sqlmodel");
    let expr = matches!(module, "sqlalchemy" | "sqlalchemy.sql" | "sqlalchemy.sql.expression" | "sqlmodel");
    let orm = matches!(module, "sqlalchemy.orm");
    if module == "sqlmodel" {
        if let Some(v) = sqlmodel_attr(it, attr)? {
            return Ok(Some(v));
        }
        let sa = it.import_module("sqlalchemy")?;
        return it.getattr(&Value::Module(sa), attr).map(Some);
    }
    if core && SCHEMA_CLASSES.contains(&attr) {
        return Ok(Some(Value::Class(schema_class(it, attr))));
    }
    if expr {
        match attr {
            "text" | "literal_column" => return Ok(Some(Value::Class(schema_class(it, "TextClause")))),
            "true" | "false" | "null" => {
                let name = attr.to_string();
                return Ok(Some(native_fn(attr, move |it, _| {
                    let sql = match name.as_str() {
                        "true" => "1",
                        "false" => "0",
                        _ => "NULL",
                    };
                    text_clause(it, sql, &format!("sqlalchemy.{name}"))
                })));
            }
            _ => {}
        }
    }
    if orm || module == "sqlalchemy.ext.declarative" {
        match attr {
            "DeclarativeBase" => return Ok(Some(Value::Class(declarative_base_class(it)))),
            "declarative_base" => return Ok(Some(native_fn("declarative_base", declarative_base))),
            "declared_attr" => return Ok(Some(Value::Class(declared_attr_class(it)))),
            "registry" => return Ok(Some(Value::Class(registry_class(it)))),
            "as_declarative" => {
                return Ok(Some(native_fn("as_declarative", |_, a| {
                    let kw = a.kw.clone();
                    Ok(native_fn("as_declarative", move |it, d| {
                        let Some(Value::Class(c)) = d.pos.first().cloned() else {
                            return Err(it.type_error("as_declarative() decorates a class"));
                        };
                        let base = declarative_base(it, Args { pos: vec![], kw: kw.clone() })?;
                        let Value::Class(b) = base else { return Ok(base) };
                        let mut dict = c.dict.borrow().clone();
                        for (k, v) in b.dict.borrow().items() {
                            if let Some(k) = k.as_str() {
                                dict.set_str(k, v);
                            }
                        }
                        Ok(Value::Class(Rc::new(Class {
                            name: c.name.clone(),
                            qualname: c.qualname.clone(),
                            module: c.module.clone(),
                            bases: c.bases.clone(),
                            mro: c.mro.clone(),
                            dict: std::cell::RefCell::new(dict),
                            builtin: c.builtin,
                            subclass_hook: Some(declarative_hook()),
                            instance_capacity: std::cell::Cell::new(crate::python::value::INITIAL_INSTANCE_CAPACITY),
                            capacity_learned: std::cell::Cell::new(false),
                        })))
                    }))
                })))
            }
            "Mapped" => {
                let key = "__sa_obj__Mapped";
                if let Some(v) = it.builtins.get(key) {
                    return Ok(Some(v));
                }
                let c = crate::python::builtins::new_plain_class(it, "Mapped", "sqlalchemy.orm.base");
                c.dict.borrow_mut().set_str("__class_getitem__", native_fn("__class_getitem__", |it, a| {
                    let args = match a.pos.first() {
                        Some(Value::Tuple(t)) => t.to_vec(),
                        Some(v) => vec![v.clone()],
                        None => Vec::new(),
                    };
                    Ok(alias(it, "Mapped", args))
                }));
                it.builtins.set(key, Value::Class(c.clone()));
                return Ok(Some(Value::Class(c)));
            }
            "mapped_column" => {
                return Ok(Some(native_fn("mapped_column", |it, a| {
                    let cls = schema_class(it, "MappedColumn");
                    it.call(&Value::Class(cls), a)
                })))
            }
            _ => {}
        }
    }
    Ok(None)
}

// ----- classes ---------------------------------------------------------------

fn module_of(name: &str) -> &'static str {
    match name {
        "TextClause" => "sqlalchemy.sql.elements",
        "MappedColumn" => "sqlalchemy.orm.properties",
        "ReadOnlyColumnCollection" => "sqlalchemy.sql.base",
        _ => "sqlalchemy.sql.schema",
    }
}

/// The one class object `name` of the object model in `it`.
fn schema_class(it: &mut Interp, name: &str) -> Rc<Class> {
    // The key is built on the stack: this runs for every object made.
    const PREFIX: &[u8] = b"__sa_obj__";
    let mut buf = [0u8; 64];
    let key: std::borrow::Cow<str> = match buf.get_mut(..PREFIX.len() + name.len()) {
        Some(slot) => {
            slot[..PREFIX.len()].copy_from_slice(PREFIX);
            slot[PREFIX.len()..].copy_from_slice(name.as_bytes());
            std::borrow::Cow::Borrowed(std::str::from_utf8(slot).unwrap_or_default())
        }
        None => std::borrow::Cow::Owned(format!("__sa_obj__{name}")),
    };
    if let Some(Value::Class(c)) = it.builtins.get(&key) {
        return c;
    }
    let base = sa_base_class(it);
    let bases = vec![base];
    let cls = Class::new(name, module_of(name), bases, BuiltinType::Object, None);
    {
        let mut d = cls.dict.borrow_mut();
        let n = name.to_string();
        let path = format!("{}.{}", module_of(name), name);
        d.set_str("__init__", native_fn("__init__", move |it, a| {
            // The arguments move into the construct, which `init` reads.
            let Args { mut pos, kw } = a;
            if !matches!(pos.first(), Some(Value::Instance(_))) {
                return Ok(Value::None);
            }
            let Value::Instance(me) = pos.remove(0) else { return Ok(Value::None) };
            let k = Rc::new(Construct { path: path.clone(), site: it.call_site(), args: Args { pos, kw }, parent: None });
            *me.native.borrow_mut() = Some(k.clone());
            init(it, &n, &me, &k.args)?;
            Ok(Value::None)
        }));
        if name == "Column" || name == "MappedColumn" {
            drop(d);
            column_defaults(&cls, name == "MappedColumn");
            d = cls.dict.borrow_mut();
        }
        if name == "ReadOnlyColumnCollection" {
            d.set_str("__getitem__", native_fn("__getitem__", |it, a| {
                let (Some(Value::Instance(me)), Some(k)) = (a.pos.first(), a.pos.get(1)) else { return Ok(Value::None) };
                let key = match k {
                    Value::Str(s) => s.to_string(),
                    Value::Int(i) => {
                        let cols = collection_values(me);
                        let idx = if *i < 0 { cols.len() as i64 + i } else { *i };
                        return cols.get(idx as usize).cloned().ok_or_else(|| it.exc("IndexError", "list index out of range"));
                    }
                    _ => return Err(it.type_error("column collection keys are strings")),
                };
                me.get(&key).ok_or_else(|| it.exc("KeyError", crate::python::repr::py_repr_str(&key)))
            }));
            d.set_str("__iter__", native_fn("__iter__", |_, a| {
                let Some(Value::Instance(me)) = a.pos.first() else { return Ok(Value::None) };
                Ok(crate::python::builtins::iter_of(collection_values(me)))
            }));
            d.set_str("__len__", native_fn("__len__", |_, a| {
                let Some(Value::Instance(me)) = a.pos.first() else { return Ok(Value::Int(0)) };
                Ok(Value::Int(me.dict.borrow().len() as i64))
            }));
            d.set_str("__contains__", native_fn("__contains__", |_, a| {
                let (Some(Value::Instance(me)), Some(k)) = (a.pos.first(), a.pos.get(1)) else { return Ok(Value::Bool(false)) };
                Ok(Value::Bool(match k {
                    Value::Str(s) => me.get(s).is_some(),
                    other => collection_values(me).iter().any(|c| c.is(other)),
                }))
            }));
            d.set_str("keys", native_fn("keys", |_, a| {
                let Some(Value::Instance(me)) = a.pos.first() else { return Ok(Value::list(vec![])) };
                Ok(Value::list(me.dict.borrow().keys()))
            }));
        }
    }
    it.builtins.set(&key, Value::Class(cls.clone()));
    cls
}

fn collection_values(me: &Instance) -> Vec<Value> {
    me.dict.borrow().values()
}

fn new_instance(it: &mut Interp, class: &str) -> Rc<Instance> {
    // Room for what `init` sets on the common objects, so their
    // namespaces do not grow step by step.
    Rc::new(Instance::with_capacity(schema_class(it, class), 8))
}

fn text_clause(it: &mut Interp, sql: &str, path: &str) -> R<Value> {
    let t = new_instance(it, "TextClause");
    *t.native.borrow_mut() = Some(Rc::new(Construct { path: path.to_string(), site: it.call_site(), args: Args::default(), parent: None }));
    t.set("text", Value::str(sql));
    Ok(Value::Instance(t))
}

/// Is `v` an instance of the object model's class `name` (or a subclass)?
fn is_obj(v: &Value, name: &str) -> bool {
    match v {
        Value::Instance(i) => i.class.mro_all().any(|c| c.name == name && c.module == module_of(name)),
        _ => false,
    }
}

fn inst(v: &Value) -> Option<&Rc<Instance>> {
    match v {
        Value::Instance(i) => Some(i),
        _ => None,
    }
}

/// An attribute as Python reads it: the instance's, else its class's.
fn attr(i: &Instance, name: &str) -> Value {
    i.get(name).or_else(|| i.class.dict.borrow().get_str(name).cloned()).unwrap_or(Value::None)
}

fn str_attr(i: &Instance, name: &str) -> Option<String> {
    attr(i, name).as_str().map(str::to_string)
}

/// `bool(i.name)` for the plain values SQLAlchemy tests as flags.
fn truthy_attr(i: &Instance, name: &str) -> bool {
    match attr(i, name) {
        Value::Bool(b) => b,
        Value::Int(n) => n != 0,
        _ => false,
    }
}

fn bool_attr(i: &Instance, name: &str) -> bool {
    matches!(attr(i, name), Value::Bool(true))
}

/// Binds keyword arguments to the names a signature accepts: `allowed`
/// names, and `<dialect>_<arg>` dialect options when `dialect_kw`. Anything
/// else raises SQLAlchemy's (or Python's) `TypeError`.
fn check_kw(it: &Interp, what: &str, a: &Args, allowed: &[&str], dialect_kw: bool) -> R<()> {
    for (k, _) in &a.kw {
        if allowed.contains(&k.as_str()) {
            continue;
        }
        if dialect_kw {
            if k.contains('_') {
                continue;
            }
            return Err(it.type_error(format!("Additional arguments should be named <dialectname>_<argument>, got '{k}'")));
        }
        return Err(it.type_error(format!("{what} got an unexpected keyword argument '{k}'")));
    }
    Ok(())
}

fn argument_error(it: &Interp, msg: impl AsRef<str>) -> Box<crate::python::eval::Exc> {
    raise_named(it, "ArgumentError", "sqlalchemy.exc", msg.as_ref())
}

/// The instance half of SQLAlchemy's `to_instance`: a type class is
/// instantiated with no arguments.
fn to_type_instance(it: &mut Interp, v: Value) -> R<Value> {
    match &v {
        Value::Class(_) => it.call(&v, Args::default()),
        _ => Ok(v),
    }
}

fn is_type(v: &Value) -> bool {
    let c = match v {
        Value::Class(c) => c.clone(),
        Value::Instance(i) => i.class.clone(),
        _ => return false,
    };
    if let Value::Instance(i) = v {
        if construct_of(i).is_some_and(|k| k.path.ends_with(".with_variant")) {
            return true;
        }
    }
    let r = c.mro_all().any(|k| k.name == "TypeEngine");
    r
}

fn init(it: &mut Interp, class: &str, me: &Rc<Instance>, a: &Args) -> R<()> {
    match class {
        "MetaData" => {
            check_kw(it, "MetaData.__init__()", &a, &["schema", "quote_schema", "naming_convention", "info"], false)?;
            let nc = a.kwarg("naming_convention").cloned().or_else(|| a.pos.get(1).cloned());
            if let Some(s) = a.kwarg("schema").or(a.pos.first()) {
                if !s.is_none() {
                    return Err(it.exc("NotImplementedError", "MetaData(schema=...) is not supported by the playground (SQLite has one schema, main)"));
                }
            }
            let nc = match nc {
                Some(Value::Dict(d)) => Value::Dict(d),
                Some(Value::None) | None => default_convention(),
                Some(_) => return Err(it.type_error("naming_convention must be a dict")),
            };
            me.set("naming_convention", nc);
            me.set("tables", Value::dict(Dict::new()));
            me.set("schema", Value::None);
        }
        "TextClause" => {
            check_kw(it, "text()", &a, &[], false)?;
            match a.pos.as_slice() {
                [Value::Str(s)] => me.set("text", Value::Str(s.clone())),
                _ => return Err(it.type_error("text() takes one string")),
            }
        }
        "Column" | "MappedColumn" => init_column(it, class, me, a)?,
        "Table" => init_table(it, me, a)?,
        "ForeignKey" => {
            check_kw(
                it,
                "ForeignKey.__init__()",
                &a,
                &["_constraint", "use_alter", "name", "onupdate", "ondelete", "deferrable", "initially", "link_to_name", "match", "info", "comment"],
                true,
            )?;
            let [target] = a.pos.as_slice() else {
                return Err(it.type_error(format!("ForeignKey.__init__() takes 2 positional arguments but {} were given", a.pos.len() + 1)));
            };
            me.set("_colspec", target.clone());
            for k in ["name", "onupdate", "ondelete", "deferrable", "initially", "use_alter"] {
                me.set(k, a.kwarg(k).cloned().unwrap_or(if k == "use_alter" { Value::Bool(false) } else { Value::None }));
            }
            me.set("parent", Value::None);
        }
        "ForeignKeyConstraint" => {
            check_kw(
                it,
                "ForeignKeyConstraint.__init__()",
                &a,
                &["columns", "refcolumns", "name", "onupdate", "ondelete", "deferrable", "initially", "use_alter", "link_to_name", "match", "table", "info", "comment"],
                true,
            )?;
            let cols = a.pos.first().or(a.kwarg("columns")).cloned().ok_or_else(|| it.type_error("ForeignKeyConstraint.__init__() missing 2 required positional arguments: 'columns' and 'refcolumns'"))?;
            let refs = a.pos.get(1).or(a.kwarg("refcolumns")).cloned().ok_or_else(|| it.type_error("ForeignKeyConstraint.__init__() missing 1 required positional argument: 'refcolumns'"))?;
            let cols = it.iterate(&cols)?;
            let refs = it.iterate(&refs)?;
            if cols.len() != refs.len() {
                return Err(argument_error(it, "ForeignKeyConstraint number of constrained columns must match the number of referenced columns."));
            }
            me.set("_columns", Value::list(cols));
            me.set("_refcolumns", Value::list(refs));
            for k in ["name", "onupdate", "ondelete", "deferrable", "initially", "use_alter"] {
                me.set(k, a.kwarg(k).cloned().unwrap_or(if k == "use_alter" { Value::Bool(false) } else { Value::None }));
            }
        }
        "PrimaryKeyConstraint" | "UniqueConstraint" => {
            check_kw(it, &format!("{class}.__init__()"), &a, &["name", "deferrable", "initially", "info", "_implicit_generated", "_column_flag"], true)?;
            me.set("_columns", Value::list(a.pos.clone()));
            me.set("name", a.kwarg("name").cloned().unwrap_or(Value::None));
        }
        "CheckConstraint" => {
            check_kw(it, "CheckConstraint.__init__()", &a, &["sqltext", "name", "deferrable", "initially", "table", "info", "_create_rule", "_autoattach", "_type_bound"], true)?;
            let sql = a.pos.first().or(a.kwarg("sqltext")).cloned().ok_or_else(|| it.type_error("CheckConstraint.__init__() missing 1 required positional argument: 'sqltext'"))?;
            me.set("sqltext", sql);
            me.set("name", a.pos.get(1).or(a.kwarg("name")).cloned().unwrap_or(Value::None));
        }
        "Index" => {
            check_kw(it, "Index.__init__()", &a, &["unique", "quote", "info", "_table", "_column_flag"], true)?;
            let Some(name) = a.pos.first() else {
                return Err(it.type_error("Index.__init__() missing 1 required positional argument: 'name'"));
            };
            me.set("name", name.clone());
            me.set("expressions", Value::list(a.pos[1..].to_vec()));
            me.set("unique", a.kwarg("unique").cloned().unwrap_or(Value::Bool(false)));
            me.set("sqlite_where", a.kwarg("sqlite_where").cloned().unwrap_or(Value::None));
            me.set("table", Value::None);
            // An index over columns of a table attaches to it at once.
            let table = a.pos[1..].iter().filter_map(inst).find_map(|c| c.get("table").filter(|t| !t.is_none()));
            if let Some(Value::Instance(t)) = table {
                attach_index(&t, me);
            }
        }
        "Computed" => {
            check_kw(it, "Computed.__init__()", &a, &["sqltext", "persisted"], false)?;
            let sql = a.pos.first().or(a.kwarg("sqltext")).cloned().ok_or_else(|| it.type_error("Computed.__init__() missing 1 required positional argument: 'sqltext'"))?;
            me.set("sqltext", sql);
            me.set("persisted", a.pos.get(1).or(a.kwarg("persisted")).cloned().unwrap_or(Value::None));
        }
        "Identity" => init_identity(it, me, &a)?,
        other => return Err(it.exc("SystemError", format!("no constructor for {other}"))),
    }
    Ok(())
}

/// `Identity.__init__`: `on_null` and `order` are Oracle's dialect keywords
/// (`oracle_on_null`, `oracle_order`) in SQLAlchemy 2.1, appended after the
/// ones given. `_options` keeps `_render_identity`'s order: `always`, the
/// non-None sequence options, then the dialect keywords.
fn init_identity(it: &mut Interp, me: &Rc<Instance>, a: &Args) -> R<()> {
    const PARAMS: &[&str] =
        &["always", "on_null", "start", "increment", "minvalue", "maxvalue", "nominvalue", "nomaxvalue", "cycle", "cache", "order"];
    const DIALECT: &[&str] = &["oracle_on_null", "oracle_order"];
    if a.pos.len() > 11 {
        return Err(it.type_error(format!("Identity.__init__() takes from 1 to 12 positional arguments but {} were given", a.pos.len() + 1)));
    }
    let mut given: Vec<(&str, Value)> = Vec::new();
    for (i, v) in a.pos.iter().enumerate() {
        given.push((PARAMS[i], v.clone()));
    }
    let mut dialect: Vec<(String, Value)> = Vec::new();
    for (k, v) in &a.kw {
        if let Some(p) = PARAMS.iter().find(|p| **p == k.as_str()) {
            if given.iter().any(|(g, _)| g == p) {
                return Err(it.type_error(format!("Identity.__init__() got multiple values for argument '{k}'")));
            }
            given.push((p, v.clone()));
        } else if DIALECT.contains(&k.as_str()) {
            dialect.push((k.to_string(), v.clone()));
        } else if k.contains('_') {
            return Err(argument_error(it, format!("Argument '{k}' is not accepted by the playground on behalf of Identity (only {})", DIALECT.join(", "))));
        } else {
            return Err(it.type_error(format!("Additional arguments should be named <dialectname>_<argument>, got '{k}'")));
        }
    }
    let get = |n: &str| given.iter().find(|(g, _)| *g == n).map(|(_, v)| v.clone()).unwrap_or(Value::None);
    for (param, key) in [("on_null", "oracle_on_null"), ("order", "oracle_order")] {
        let v = get(param);
        if v.is_none() {
            continue;
        }
        if dialect.iter().any(|(k, _)| k == key) {
            return Err(argument_error(it, format!("Cannot specify both '{param}' and '{key}'. Please use only '{key}'.")));
        }
        dialect.push((key.to_string(), v));
    }
    let always = given.iter().find(|(g, _)| *g == "always").map(|(_, v)| v.clone()).unwrap_or(Value::Bool(false));
    let mut options: Vec<(String, Value)> = vec![("always".to_string(), always.clone())];
    me.set("always", always);
    for p in ["start", "increment", "minvalue", "maxvalue", "nominvalue", "nomaxvalue", "cycle", "cache"] {
        let v = get(p);
        me.set(p, v.clone());
        if !v.is_none() {
            options.push((p.to_string(), v));
        }
    }
    options.extend(dialect);
    let mut rendered = Vec::new();
    for (k, v) in options {
        let text = it.str_of(&v)?;
        rendered.push(Value::tuple(vec![Value::str(&k), Value::str(&text)]));
    }
    me.set("_options", Value::list(rendered));
    Ok(())
}

fn default_convention() -> Value {
    let mut d = Dict::new();
    d.set_str("ix", Value::str("ix_%(column_0_label)s"));
    Value::dict(d)
}

/// SQLAlchemy 2.1's `Column.__init__` keywords (`mapped_column` adds its own).
const COLUMN_KW: &[&str] = &[
    "name", "type_", "autoincrement", "default", "insert_default", "doc", "key", "index", "unique", "info", "nullable", "onupdate",
    "primary_key", "server_default", "server_onupdate", "quote", "system", "comment", "insert_sentinel", "_omit_from_statements",
    "_copy_type",
];

const MAPPED_COLUMN_KW: &[&str] = &[
    "name", "type_", "autoincrement", "default", "insert_default", "doc", "key", "index", "unique", "info", "nullable", "onupdate",
    "primary_key", "server_default", "server_onupdate", "active_history", "quote", "system", "comment", "sort_order", "init", "repr",
    "default_factory", "compare", "kw_only", "hash", "dataclass_metadata", "use_existing_column", "deferred", "deferred_group",
    "deferred_raiseload",
];

fn init_column(it: &mut Interp, class: &str, me: &Rc<Instance>, a: &Args) -> R<()> {
    let mapped = class == "MappedColumn";
    if mapped {
        check_kw(it, "mapped_column()", &a, MAPPED_COLUMN_KW, true)?;
    } else {
        check_kw(it, "Column.__init__()", &a, COLUMN_KW, true)?;
    }
    let mut pos = a.pos.iter().cloned().peekable();
    let mut name = a.kwarg("name").cloned().unwrap_or(Value::None);
    if let Some(Value::Str(_)) = pos.peek() {
        name = pos.next().unwrap_or(Value::None);
    }
    let mut type_ = a.kwarg("type_").cloned().unwrap_or(Value::None);
    if pos.peek().is_some_and(is_type) {
        type_ = pos.next().unwrap_or(Value::None);
    }
    let type_ = to_type_instance(it, type_)?;
    let mut fks = Vec::new();
    let mut constraints = Vec::new();
    let mut computed = Value::None;
    let mut identity = Value::None;
    for item in pos {
        if is_obj(&item, "ForeignKey") {
            fks.push(item);
        } else if is_obj(&item, "Computed") {
            computed = item;
        } else if is_obj(&item, "Identity") {
            identity = item;
        } else if is_obj(&item, "CheckConstraint") || is_obj(&item, "UniqueConstraint") || is_obj(&item, "Index") {
            constraints.push(item);
        } else {
            let r = it.repr(&item)?;
            return Err(argument_error(it, format!("'SchemaItem' object, such as a 'Column' or a 'Constraint' expected, got {r}")));
        }
    }
    // Only what differs from the class's defaults (`COLUMN_DEFAULTS`) is
    // set on the instance: a model has thousands of columns.
    let _ = mapped;
    if !name.is_none() {
        me.set("name", name.clone());
    }
    match a.kwarg("key") {
        Some(k) => me.set("key", k.clone()),
        None if !name.is_none() => me.set("key", name),
        None => {}
    }
    if !type_.is_none() {
        me.set("type", type_);
    }
    if a.kwarg("nullable").is_some() {
        me.set("_explicit_nullable", Value::Bool(true));
    }
    let primary_key = a.kwarg("primary_key").map(|v| matches!(v, Value::Bool(true))).unwrap_or(false);
    if primary_key {
        me.set("primary_key", Value::Bool(true));
    }
    match a.kwarg("nullable") {
        Some(v) => me.set("nullable", v.clone()),
        None if primary_key || !identity.is_none() => me.set("nullable", Value::Bool(false)),
        None => {}
    }
    for k in ["server_default", "default", "insert_default", "comment", "unique", "index", "sort_order", "autoincrement"] {
        if let Some(v) = a.kwarg(k) {
            me.set(k, v.clone());
        }
    }
    // `Identity._set_parent`
    if !identity.is_none() && ["server_default", "server_onupdate"].iter().any(|k| a.kwarg(k).is_some_and(|v| !v.is_none())) {
        return Err(argument_error(it, "A column with an Identity object cannot specify a server_default or a server_onupdate argument"));
    }
    if !fks.is_empty() {
        me.set("foreign_keys", Value::list(fks.clone()));
        for fk in &fks {
            if let Some(f) = inst(fk) {
                f.set("parent", Value::Instance(me.clone()));
            }
        }
    }
    if !constraints.is_empty() {
        me.set("_extra_constraints", Value::list(constraints));
    }
    if !computed.is_none() {
        me.set("computed", computed);
    }
    if !identity.is_none() {
        me.set("identity", identity);
    }
    Ok(())
}

/// The attributes of a `Column` that has not set them.
const COLUMN_DEFAULTS: &[(&str, ColumnDefault)] = &[
    ("name", ColumnDefault::None),
    ("key", ColumnDefault::None),
    ("type", ColumnDefault::None),
    ("_explicit_nullable", ColumnDefault::False),
    ("primary_key", ColumnDefault::False),
    ("nullable", ColumnDefault::True),
    ("server_default", ColumnDefault::None),
    ("default", ColumnDefault::None),
    ("insert_default", ColumnDefault::None),
    ("comment", ColumnDefault::None),
    ("unique", ColumnDefault::None),
    ("index", ColumnDefault::None),
    ("sort_order", ColumnDefault::None),
    ("autoincrement", ColumnDefault::Auto),
    ("foreign_keys", ColumnDefault::Empty),
    ("_extra_constraints", ColumnDefault::Empty),
    ("computed", ColumnDefault::None),
    ("identity", ColumnDefault::None),
    ("table", ColumnDefault::None),
];

#[derive(Clone, Copy)]
enum ColumnDefault {
    None,
    False,
    True,
    Auto,
    Empty,
}

fn column_defaults(cls: &Class, mapped: bool) {
    let mut d = cls.dict.borrow_mut();
    for (k, v) in COLUMN_DEFAULTS {
        d.set_str(
            k,
            match v {
                ColumnDefault::None => Value::None,
                ColumnDefault::False => Value::Bool(false),
                ColumnDefault::True => Value::Bool(true),
                ColumnDefault::Auto => Value::str("auto"),
                ColumnDefault::Empty => Value::tuple(vec![]),
            },
        );
    }
    d.set_str("_mapped", Value::Bool(mapped));
}

const TABLE_KW: &[&str] = &[
    "schema", "quote", "quote_schema", "autoload_with", "autoload_replace", "keep_existing", "extend_existing", "resolve_fks",
    "include_columns", "implicit_returning", "comment", "info", "listeners", "prefixes", "must_exist", "_extend_on",
    "_no_init", "is_mapped",
];

fn init_table(it: &mut Interp, me: &Rc<Instance>, a: &Args) -> R<()> {
    check_kw(it, "Table.__init__()", &a, TABLE_KW, true)?;
    let (Some(Value::Str(name)), Some(md)) = (a.pos.first().cloned(), a.pos.get(1).cloned()) else {
        return Err(it.type_error("Table() takes a name and a MetaData"));
    };
    let Some(md_i) = inst(&md).filter(|_| is_obj(&md, "MetaData")).cloned() else {
        let r = it.repr(&md)?;
        return Err(argument_error(it, format!("expected MetaData, got {r}")));
    };
    if a.kwarg("schema").is_some_and(|v| !v.is_none()) {
        return Err(it.exc("NotImplementedError", "Table(schema=...) is not supported by the playground (SQLite has one schema, main)"));
    }
    if a.kwarg("autoload_with").is_some_and(|v| !v.is_none()) {
        return Err(it.exc("NotImplementedError", "Table(autoload_with=...) in models.py is not supported by the playground"));
    }
    if let Some(Value::Dict(tables)) = md_i.get("tables") {
        if tables.borrow().get_str(&name).is_some() && !a.kwarg("extend_existing").is_some_and(|v| matches!(v, Value::Bool(true))) {
            return Err(raise_named(
                it,
                "InvalidRequestError",
                "sqlalchemy.exc",
                &format!("Table '{name}' is already defined for this MetaData instance.  Specify 'extend_existing=True' to redefine options and columns on an existing Table object."),
            ));
        }
    }
    if let Some(site) = it.call_site() {
        let loc = site.code.loc(ruff_text_size::Ranged::range(site.call()));
        me.set("_loc", Value::tuple(vec![Value::str(&loc.file), Value::Int(loc.line as i64), Value::Int(loc.column as i64)]));
    }
    me.set("name", Value::Str(name.clone()));
    me.set("fullname", Value::Str(name.clone()));
    me.set("metadata", md.clone());
    let c = new_instance(it, "ReadOnlyColumnCollection");
    me.set("c", Value::Instance(c.clone()));
    me.set("columns", Value::Instance(c));
    me.set("constraints", Value::list(vec![]));
    me.set("indexes", Value::list(vec![]));
    me.set("_pk", Value::None);
    me.set("comment", a.kwarg("comment").cloned().unwrap_or(Value::None));
    let mut dialect_kwargs = Vec::new();
    for (k, v) in &a.kw {
        if TABLE_KW.contains(&k.as_str()) {
            continue;
        }
        if k.starts_with("sqlite_") {
            me.set(k, v.clone());
        }
        if !["sqlite_with_rowid", "sqlite_strict", "sqlite_autoincrement"].contains(&k.as_str()) {
            let r = it.repr(v)?;
            dialect_kwargs.push(Value::tuple(vec![Value::str(k), Value::str(&r)]));
        }
    }
    me.set("_dialect_kwargs_repr", Value::list(dialect_kwargs));
    if let Some(v) = a.kwarg("prefixes") {
        if !v.is_none() && !it.iterate(v)?.is_empty() {
            return Err(it.exc("NotImplementedError", "Table(prefixes=...) is not supported by the playground"));
        }
    }
    match a.kwarg("info") {
        Some(v) if it.truthy(v)? => {
            let r = it.repr(v)?;
            me.set("_info_repr", Value::str(&r));
        }
        _ => {}
    }
    for item in &a.pos[2..] {
        append_item(it, me, item.clone())?;
    }
    if let Some(Value::Dict(tables)) = md_i.get("tables") {
        tables.borrow_mut().set_str(&name, Value::Instance(me.clone()));
    }
    Ok(())
}

/// `Table.append_column` / `append_constraint` / an index: what a
/// positional argument of `Table(...)` does.
fn append_item(it: &mut Interp, t: &Rc<Instance>, item: Value) -> R<()> {
    let Some(i) = inst(&item).cloned() else {
        let r = it.repr(&item)?;
        return Err(argument_error(it, format!("'SchemaItem' object, such as a 'Column' or a 'Constraint' expected, got {r}")));
    };
    if is_obj(&item, "Column") || is_obj(&item, "MappedColumn") {
        let name = attr(&i, "name");
        let Value::Str(name) = name else {
            return Err(argument_error(it, "Column must be constructed with a non-blank name or assign a non-blank .name before adding to a Table."));
        };
        if !attr(&i, "table").is_none() {
            let tn = inst(&attr(&i, "table")).and_then(|t| str_attr(t, "name")).unwrap_or_default();
            return Err(argument_error(it, format!("Column object '{name}' already assigned to Table '{tn}'")));
        }
        let key = match attr(&i, "key") {
            Value::Str(k) => k,
            _ => name.clone(),
        };
        i.set("key", Value::Str(key.clone()));
        let Some(Value::Instance(c)) = t.get("c") else { return Ok(()) };
        if c.get(&key).is_some() {
            let tn = str_attr(t, "name").unwrap_or_default();
            return Err(raise_named(
                it,
                "DuplicateColumnError",
                "sqlalchemy.exc",
                &format!("A column with name '{name}' is already present in table '{tn}'."),
            ));
        }
        c.set(&key, item.clone());
        i.set("table", Value::Instance(t.clone()));
        // A column-level CHECK stays in `Column.constraints` (no table
        // constraint, as in SQLAlchemy); other items attach to the table.
        for extra in list_attr(&i, "_extra_constraints") {
            if !is_obj(&extra, "CheckConstraint") {
                append_item(it, t, extra)?;
            }
        }
        return Ok(());
    }
    if is_obj(&item, "Index") {
        attach_index(t, &i);
        return Ok(());
    }
    if is_obj(&item, "PrimaryKeyConstraint") {
        t.set("_pk", item.clone());
        return Ok(());
    }
    if ["UniqueConstraint", "CheckConstraint", "ForeignKeyConstraint"].iter().any(|k| is_obj(&item, k)) {
        if let Some(Value::List(l)) = t.get("constraints") {
            l.borrow_mut().push(item.clone());
        }
        return Ok(());
    }
    let r = it.repr(&item)?;
    Err(argument_error(it, format!("'SchemaItem' object, such as a 'Column' or a 'Constraint' expected, got {r}")))
}

fn attach_index(t: &Rc<Instance>, ix: &Rc<Instance>) {
    if !attr(ix, "table").is_none() {
        return;
    }
    ix.set("table", Value::Instance(t.clone()));
    if let Some(Value::List(l)) = t.get("indexes") {
        l.borrow_mut().push(Value::Instance(ix.clone()));
    }
}

fn list_attr(i: &Instance, name: &str) -> Vec<Value> {
    match attr(i, name) {
        Value::List(l) => l.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        _ => Vec::new(),
    }
}

// ----- declarative -------------------------------------------------------------

fn declarative_hook() -> Rc<SubclassHook> {
    Rc::new(|it: &mut Interp, cls: &Rc<Class>| declarative_scan(it, cls))
}

/// `sqlalchemy.orm.DeclarativeBase`: its direct subclass is the base (it
/// gets `metadata`); every further subclass is mapped.
fn declarative_base_class(it: &mut Interp) -> Rc<Class> {
    let key = "__sa_obj__DeclarativeBase";
    if let Some(Value::Class(c)) = it.builtins.get(key) {
        return c;
    }
    let bases = vec![it.types.object.clone()];
    let cls = Class::new("DeclarativeBase", "sqlalchemy.orm.decl_api", bases, BuiltinType::Object, Some(declarative_hook()));
    it.builtins.set(key, Value::Class(cls.clone()));
    cls
}

/// `declarative_base(metadata=None, ...)`: a fresh base class.
fn declarative_base(it: &mut Interp, a: Args) -> R<Value> {
    check_kw(it, "declarative_base()", &a, &["metadata", "mapper", "cls", "name", "class_registry", "type_annotation_map", "constructor", "metaclass"], false)?;
    let name = a.kwarg("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| "Base".into());
    let bases = match a.kwarg("cls") {
        Some(Value::Class(c)) => vec![c.clone()],
        _ => vec![it.types.object.clone()],
    };
    let cls = Class::new(name.clone(), "sqlalchemy.orm.decl_api", bases, BuiltinType::Object, Some(declarative_hook()));
    let md = match a.kwarg("metadata") {
        Some(v) if !v.is_none() => v.clone(),
        _ => {
            let m = schema_class(it, "MetaData");
            it.call(&Value::Class(m), Args::default())?
        },
    };
    let reg = new_registry(it, md.clone())?;
    if let Some(m @ Value::Dict(_)) = a.kwarg("type_annotation_map").cloned() {
        cls.dict.borrow_mut().set_str("type_annotation_map", m);
    }
    cls.dict.borrow_mut().set_str("metadata", md);
    cls.dict.borrow_mut().set_str("registry", reg);
    cls.dict.borrow_mut().set_str("__sa_root__", Value::Bool(true));
    Ok(Value::Class(cls))
}

/// `declared_attr(fget)` (also `.directive`, `.cascading`): the function
/// runs with the mapped class when declarative reads the attribute.
fn declared_attr_class(it: &mut Interp) -> Rc<Class> {
    let key = "__sa_obj__declared_attr";
    if let Some(Value::Class(c)) = it.builtins.get(key) {
        return c;
    }
    let c = crate::python::builtins::new_plain_class(it, "declared_attr", "sqlalchemy.orm.decl_api");
    c.dict.borrow_mut().set_str("__init__", native_fn("__init__", |it, a| {
        let (Some(Value::Instance(me)), Some(f)) = (a.pos.first(), a.pos.get(1)) else {
            return Err(it.type_error("declared_attr() takes a function"));
        };
        me.set("fget", f.clone());
        Ok(Value::None)
    }));
    c.dict.borrow_mut().set_str("directive", Value::Class(c.clone()));
    c.dict.borrow_mut().set_str("cascading", Value::Class(c.clone()));
    it.builtins.set(key, Value::Class(c.clone()));
    c
}

/// The value of a declarative attribute: a `declared_attr` runs with `cls`.
fn resolve_declared(it: &mut Interp, cls: &Rc<Class>, v: Value) -> R<Value> {
    match &v {
        Value::Instance(i) if i.class.name == "declared_attr" => {
            let f = attr(i, "fget");
            it.call(&f, Args::new(vec![Value::Class(cls.clone())]))
        }
        _ => Ok(v),
    }
}

/// The return annotation of a `declared_attr`'s function (`-> Mapped[int]`),
/// which declarative reads as the attribute's annotation.
fn declared_attr_return_annotation(it: &mut Interp, v: Option<&Value>) -> R<Option<Value>> {
    let Some(Value::Instance(i)) = v.filter(|v| matches!(v, Value::Instance(i) if i.class.name == "declared_attr")) else {
        return Ok(None);
    };
    let Value::Function(f) = attr(i, "fget") else { return Ok(None) };
    let FunctionCode::Def(p) = f.code else { return Ok(None) };
    // SAFETY: `FunctionCode` points into `f.module`, which `f` keeps alive.
    let def = unsafe { &*p };
    match &def.returns {
        Some(r) => {
            let module = f.module.clone();
            match module_globals(it, &module.name) {
                Some(env) => it.eval(r, &env).map(Some),
                None => Ok(None),
            }
        }
        None => Ok(None),
    }
}

fn module_globals(it: &Interp, name: &str) -> Option<Rc<crate::python::eval::Env>> {
    it.modules.get(name).map(|m| m.globals.clone())
}

/// `registry(metadata=None, type_annotation_map=None)`: `generate_base()`
/// and the `mapped` decorator share its MetaData.
fn registry_class(it: &mut Interp) -> Rc<Class> {
    let key = "__sa_obj__registry";
    if let Some(Value::Class(c)) = it.builtins.get(key) {
        return c;
    }
    let c = crate::python::builtins::new_plain_class(it, "registry", "sqlalchemy.orm.decl_api");
    c.dict.borrow_mut().set_str("__init__", native_fn("__init__", |it, a| {
        let Some(Value::Instance(me)) = a.pos.first().cloned() else { return Ok(Value::None) };
        check_kw(it, "registry.__init__()", &a, &["metadata", "class_registry", "type_annotation_map", "constructor"], false)?;
        let md = match a.kwarg("metadata") {
            Some(v) if !v.is_none() => v.clone(),
            _ => {
                let m = schema_class(it, "MetaData");
                it.call(&Value::Class(m), Args::default())?
            }
        };
        me.set("metadata", md);
        me.set("type_annotation_map", a.kwarg("type_annotation_map").cloned().unwrap_or(Value::None));
        Ok(Value::None)
    }));
    c.dict.borrow_mut().set_str("generate_base", native_fn("generate_base", |it, a| {
        let Some(Value::Instance(me)) = a.pos.first().cloned() else { return Ok(Value::None) };
        let base = declarative_base(it, Args { pos: vec![], kw: vec![("metadata".into(), attr(&me, "metadata"))] })?;
        if let Value::Class(b) = &base {
            b.dict.borrow_mut().set_str("registry", Value::Instance(me.clone()));
            if let Some(m @ Value::Dict(_)) = me.get("type_annotation_map") {
                b.dict.borrow_mut().set_str("type_annotation_map", m);
            }
        }
        Ok(base)
    }));
    c.dict.borrow_mut().set_str("mapped", native_fn("mapped", |it, a| {
        let (Some(Value::Instance(me)), Some(Value::Class(cls))) = (a.pos.first().cloned(), a.pos.get(1).cloned()) else {
            return Err(it.type_error("registry.mapped() decorates a class"));
        };
        cls.dict.borrow_mut().set_str("metadata", attr(&me, "metadata"));
        if let Some(m @ Value::Dict(_)) = me.get("type_annotation_map") {
            cls.dict.borrow_mut().set_str("type_annotation_map", m);
        }
        declarative_scan(it, &cls)?;
        Ok(Value::Class(cls))
    }));
    it.builtins.set(key, Value::Class(c.clone()));
    c
}

fn new_registry(it: &mut Interp, md: Value) -> R<Value> {
    let r = registry_class(it);
    it.call(&Value::Class(r), Args { pos: vec![], kw: vec![("metadata".into(), md)] })
}

/// `Table(name, metadata, *columns, *__table_args__)` for a mapped class:
/// unnamed columns take their attribute's name.
fn build_table<K: Clone + Into<Rc<str>>>(it: &mut Interp, name: &str, md: &Value, columns: &[(K, Value)], targs: Option<Value>) -> R<Value> {
    let mut args = Vec::with_capacity(columns.len() + 2);
    args.push(Value::str(name));
    args.push(md.clone());
    for (k, c) in columns {
        if let Some(ci) = inst(c) {
            if attr(ci, "name").is_none() {
                ci.set("name", Value::Str(k.clone().into()));
            }
            if attr(ci, "key").is_none() {
                ci.set("key", Value::Str(k.clone().into()));
            }
        }
        args.push(c.clone());
    }
    let mut kw = Vec::new();
    match targs {
        Some(Value::Tuple(t)) => {
            for (n, item) in t.iter().enumerate() {
                match item {
                    Value::Dict(d) if n + 1 == t.len() => {
                        for (k, v) in d.borrow().items() {
                            kw.push((k.as_str().unwrap_or_default().to_string(), v));
                        }
                    }
                    other => args.push(other.clone()),
                }
            }
        }
        Some(Value::Dict(d)) => {
            for (k, v) in d.borrow().items() {
                kw.push((k.as_str().unwrap_or_default().to_string(), v));
            }
        }
        Some(Value::None) | None => {}
        Some(other) => {
            let r = it.repr(&other)?;
            return Err(argument_error(it, format!("__table_args__ value must be a tuple, dict, or None, got {r}")));
        }
    }
    let tcls = schema_class(it, "Table");
    it.call(&Value::Class(tcls), Args { pos: args, kw })
}

/// The mapper's check: a mapped table needs a primary key.
fn check_primary_key(it: &mut Interp, cls: &Rc<Class>, table: &Value) -> R<()> {
    let Some(ti) = inst(table) else { return Ok(()) };
    let has_pk = table_columns(ti).iter().filter_map(inst).any(|c| bool_attr(c, "primary_key"))
        || inst(&attr(ti, "_pk")).is_some_and(|pk| !list_attr(pk, "_columns").is_empty());
    let mapper_pk = matches!(cls.lookup("__mapper_args__"), Some(Value::Dict(d)) if d.borrow().get_str("primary_key").is_some());
    if !has_pk && !mapper_pk {
        let tn = str_attr(ti, "name").unwrap_or_default();
        return Err(argument_error(
            it,
            format!("Mapper Mapper[{}({tn})] could not assemble any primary key columns for mapped table '{tn}'", cls.name),
        ));
    }
    Ok(())
}

// ----- SQLModel ------------------------------------------------------------------

const FIELD_KW: &[&str] = &[
    "default", "default_factory", "alias", "title", "description", "exclude", "include", "const", "gt", "ge", "lt", "le",
    "multiple_of", "max_digits", "decimal_places", "min_items", "max_items", "unique_items", "min_length", "max_length",
    "allow_mutation", "regex", "discriminator", "repr", "primary_key", "foreign_key", "unique", "nullable", "index", "sa_type",
    "sa_column", "sa_column_args", "sa_column_kwargs", "schema_extra", "ondelete", "validation_alias", "serialization_alias",
    "frozen", "validate_default", "pattern", "strict", "json_schema_extra", "union_mode", "coerce_numbers_to_str", "fail_fast",
    "init", "init_var", "kw_only", "min_length", "max_length",
];

/// `sqlmodel`'s own names: `SQLModel`, `Field`, `Relationship`; the rest
/// of the module re-exports SQLAlchemy's.
fn sqlmodel_attr(it: &mut Interp, attr_name: &str) -> R<Option<Value>> {
    match attr_name {
        "SQLModel" => Ok(Some(Value::Class(sqlmodel_class(it)?))),
        "Field" | "Relationship" => {
            let kind = attr_name.to_string();
            Ok(Some(native_fn(attr_name, move |it, a| {
                if kind == "Field" {
                    check_kw(it, "Field()", &a, FIELD_KW, false)?;
                    if a.pos.len() > 1 {
                        return Err(it.type_error(format!("Field() takes from 0 to 1 positional arguments but {} were given", a.pos.len())));
                    }
                }
                let c = crate::python::builtins::new_plain_class(it, if kind == "Field" { "FieldInfo" } else { "RelationshipInfo" }, "sqlmodel.main");
                let i = Instance::new(c);
                for (k, v) in &a.kw {
                    i.set(k, v.clone());
                }
                if let Some(d) = a.pos.first() {
                    i.set("default", d.clone());
                }
                Ok(Value::Instance(Rc::new(i)))
            })))
        }
        _ => Ok(None),
    }
}

fn sqlmodel_class(it: &mut Interp) -> R<Rc<Class>> {
    let key = "__sa_obj__SQLModel";
    if let Some(Value::Class(c)) = it.builtins.get(key) {
        return Ok(c);
    }
    let c = crate::python::builtins::new_plain_class(it, "SQLModel", "sqlmodel.main");
    let m = schema_class(it, "MetaData");
    let md = it.call(&Value::Class(m), Args::default())?;
    c.dict.borrow_mut().set_str("metadata", md);
    c.dict.borrow_mut().set_str("__init_subclass__", native_fn("__init_subclass__", |it, a| {
        let Some(Value::Class(cls)) = a.pos.first().cloned() else { return Ok(Value::None) };
        let mut table = false;
        for (k, v) in &a.kw {
            match k.as_str() {
                "table" => table = it.truthy(v)?,
                "registry" => {}
                other => return Err(it.type_error(format!("{}.__init_subclass__() got an unexpected keyword argument '{other}'", cls.name))),
            }
        }
        if table {
            sqlmodel_table(it, &cls)?;
        }
        Ok(Value::None)
    }));
    it.builtins.set(key, Value::Class(c.clone()));
    Ok(c)
}

/// `SQLModel.metadata` when the module used SQLModel.
pub(crate) fn sqlmodel_metadata(it: &Interp) -> Option<Value> {
    match it.builtins.get("__sa_obj__SQLModel") {
        Some(Value::Class(c)) => c.dict.borrow().get_str("metadata").cloned(),
        _ => None,
    }
}

/// What SQLModel's metaclass does for `class X(SQLModel, table=True)`:
/// one column per annotated field (bases first), then the table.
fn sqlmodel_table(it: &mut Interp, cls: &Rc<Class>) -> R<()> {
    let mut fields: Vec<(String, Value, Option<Value>)> = Vec::new();
    let chain: Vec<Rc<Class>> = cls.mro_all().cloned().collect();
    for k in chain.iter().rev() {
        if k.module.starts_with("sqlmodel") || k.module == "builtins" || k.module.starts_with("pydantic") {
            continue;
        }
        let anns = match k.dict.borrow().get_str("__annotations__") {
            Some(Value::Dict(d)) => d.borrow().items(),
            _ => Vec::new(),
        };
        for (n, ann) in anns {
            let Some(n) = n.as_str().map(str::to_string) else { continue };
            if n.starts_with("__") || n == "model_config" {
                continue;
            }
            let value = k.dict.borrow().get_str(&n).cloned();
            let item = (n.clone(), ann, value);
            match fields.iter_mut().find(|f| f.0 == n) {
                Some(slot) => *slot = item,
                None => fields.push(item),
            }
        }
    }
    let mut columns = Vec::new();
    for (name, ann, value) in fields {
        let ann = match ann {
            Value::Str(text) => eval_annotation_text(it, cls, &text)?,
            other => other,
        };
        let a = read_annotation(&ann);
        if a.class_var {
            continue;
        }
        let field = match &value {
            Some(Value::Instance(i)) if i.class.name == "RelationshipInfo" => continue,
            Some(Value::Instance(i)) if i.class.name == "FieldInfo" => Some(i.clone()),
            _ => None,
        };
        let fkw = |k: &str| field.as_ref().and_then(|f| f.get(k)).filter(|v| !v.is_none());
        if let Some(col) = fkw("sa_column") {
            columns.push((name, col));
            continue;
        }
        let type_ = match fkw("sa_type") {
            Some(t) => to_type_instance(it, t)?,
            None => sqlmodel_type(it, &name, &a, fkw("max_length"), fkw("max_digits"), fkw("decimal_places"))?,
        };
        let flag = |k: &str| matches!(fkw(k), Some(Value::Bool(true)));
        let primary_key = flag("primary_key");
        let nullable = match fkw("nullable") {
            Some(Value::Bool(b)) => b,
            _ => !primary_key && a.optional,
        };
        let mut pos = vec![Value::str(&name), type_];
        if let Some(fk) = fkw("foreign_key") {
            let fkc = schema_class(it, "ForeignKey");
            let mut kw = Vec::new();
            if let Some(od) = fkw("ondelete") {
                kw.push(("ondelete".to_string(), od));
            }
            pos.push(it.call(&Value::Class(fkc), Args { pos: vec![fk], kw })?);
        }
        if let Some(extra) = fkw("sa_column_args") {
            pos.extend(it.iterate(&extra)?);
        }
        let mut kw = vec![
            ("primary_key".to_string(), Value::Bool(primary_key)),
            ("nullable".to_string(), Value::Bool(nullable)),
            ("index".to_string(), Value::Bool(flag("index"))),
            ("unique".to_string(), Value::Bool(flag("unique"))),
        ];
        // SQLModel hands the field's default on to the Column.
        let default = match (&field, &value) {
            (Some(f), _) => f.get("default"),
            (None, v) => v.clone(),
        };
        if let Some(d) = default.filter(|d| matches!(d, Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_))) {
            kw.push(("default".to_string(), d));
        }
        if let Some(Value::Dict(d)) = fkw("sa_column_kwargs") {
            for (k, v) in d.borrow().items() {
                let k = k.as_str().unwrap_or_default().to_string();
                kw.retain(|(n, _)| *n != k);
                kw.push((k, v));
            }
        }
        let cc = schema_class(it, "Column");
        let col = it.call(&Value::Class(cc), Args { pos, kw })?;
        columns.push((name, col));
    }
    let tablename = match cls.lookup("__tablename__") {
        Some(v) => match resolve_declared(it, cls, v)? {
            Value::Str(s) => s.to_string(),
            _ => cls.name.to_lowercase(),
        },
        None => cls.name.to_lowercase(),
    };
    let md = cls.lookup("metadata").unwrap_or(Value::None);
    let targs = cls.lookup("__table_args__");
    let table = build_table(it, &tablename, &md, &columns, targs)?;
    if let Some(ti) = inst(&table) {
        ti.set("_class", Value::str(&cls.name));
    }
    check_primary_key(it, cls, &table)?;
    let mut d = cls.dict.borrow_mut();
    d.set_str("__table__", table);
    d.set_str("__sa_mapped__", Value::Bool(true));
    Ok(())
}

/// SQLModel's `get_sqlalchemy_type`: the column type of a field's Python type.
fn sqlmodel_type(it: &mut Interp, name: &str, a: &Annotation, max_length: Option<Value>, max_digits: Option<Value>, decimal_places: Option<Value>) -> R<Value> {
    let inner = a.inner.clone().unwrap_or(Value::None);
    let sa = it.import_module("sqlalchemy")?;
    let sa = Value::Module(sa);
    let simple = |it: &mut Interp, n: &str, args: Args| -> R<Value> {
        let c = it.getattr(&sa, n)?;
        it.call(&c, args)
    };
    let Value::Class(c) = &inner else {
        let r = it.repr(&inner)?;
        return Err(it.type_error(format!("ValueError: {r} has no matching SQLAlchemy type (field '{name}')")));
    };
    if c.dict.borrow().get_str("_member_names_").is_some() || c.mro.iter().any(|k| k.module == "enum" && k.name == "Enum") {
        return simple(it, "Enum", Args::new(vec![inner.clone()]));
    }
    match (c.module.as_str(), c.name.as_str()) {
        ("builtins", "str") | (_, "EmailStr") | ("pathlib", _) => {
            let length = max_length.filter(|v| matches!(v, Value::Int(n) if *n > 0)).unwrap_or(Value::None);
            Ok(sqlmodel_type_value(it, "AutoString", Args::new(vec![length])))
        }
        ("builtins", "float") => simple(it, "Float", Args::default()),
        ("builtins", "bool") => simple(it, "Boolean", Args::default()),
        ("builtins", "int") => simple(it, "Integer", Args::default()),
        ("builtins", "bytes") => simple(it, "LargeBinary", Args::default()),
        ("datetime", "datetime") => Ok(sqlmodel_type_value(it, "UTCDateTime", Args::default())),
        ("datetime", "date") => simple(it, "Date", Args::default()),
        ("datetime", "timedelta") => simple(it, "Interval", Args::default()),
        ("datetime", "time") => simple(it, "Time", Args::default()),
        ("decimal", "Decimal") => simple(it, "Numeric", Args::new(vec![max_digits.unwrap_or(Value::None), decimal_places.unwrap_or(Value::None)])),
        ("uuid", "UUID") => simple(it, "Uuid", Args::default()),
        _ => Err(it.type_error(format!("ValueError: {} has no matching SQLAlchemy type (field '{name}')", c.name))),
    }
}

/// An instance of SQLModel's own type `sqlmodel.sql.sqltypes.<name>`.
fn sqlmodel_type_value(it: &mut Interp, name: &str, args: Args) -> Value {
    let key = format!("__sa_obj__sqlmodel.{name}");
    let cls = match it.builtins.get(&key) {
        Some(Value::Class(c)) => c,
        _ => {
            let types = it.import_module("sqlalchemy.types").map(Value::Module);
            let engine = types.and_then(|m| it.getattr(&m, "TypeEngine")).ok();
            let base = match engine {
                Some(Value::Class(b)) => b,
                _ => sa_base_class(it),
            };
            let bases = vec![base];
            let c = Class::new(name, "sqlmodel.sql.sqltypes", bases, BuiltinType::Object, None);
            it.builtins.set(&key, Value::Class(c.clone()));
            c
        }
    };
    let i = Instance::new(cls);
    *i.native.borrow_mut() = Some(Rc::new(Construct { path: format!("sqlmodel.sql.sqltypes.{name}"), site: None, args, parent: None }));
    Value::Instance(Rc::new(i))
}

fn is_mapped(c: &Class) -> bool {
    c.dict.borrow().get_str("__sa_mapped__").is_some()
}

fn declarative_scan(it: &mut Interp, cls: &Rc<Class>) -> R<()> {
    if cls.bases.iter().any(|b| b.name == "DeclarativeBase" && b.module == "sqlalchemy.orm.decl_api") {
        // The base itself.
        let own_md = cls.dict.borrow().get_str("metadata").cloned();
        let md = match own_md {
            Some(m) => m,
            None => {
            let m = schema_class(it, "MetaData");
            it.call(&Value::Class(m), Args::default())?
        },
        };
        let reg = new_registry(it, md.clone())?;
        let mut d = cls.dict.borrow_mut();
        d.set_str("metadata", md);
        if d.get_str("registry").is_none() {
            d.set_str("registry", reg);
        }
        d.set_str("__sa_root__", Value::Bool(true));
        return Ok(());
    }
    if matches!(cls.dict.borrow().get_str("__abstract__"), Some(Value::Bool(true))) {
        return Ok(());
    }
    let md = cls.lookup("metadata").unwrap_or(Value::None);
    let parent = cls.mro.iter().find(|c| is_mapped(c)).cloned();
    // What declarative reads from the class and its unmapped bases.
    let sources: Vec<Rc<Class>> = std::iter::once(cls.clone())
        .chain(
            cls.mro
                .iter()
                .filter(|c| !is_mapped(c) && c.module != "builtins" && !c.module.starts_with("sqlalchemy"))
                // a mixin of a mapped superclass was read for that class
                .filter(|c| !parent.as_ref().is_some_and(|p| p.is_subclass(c)))
                .cloned(),
        )
        .collect();
    let own = |name: &str| sources.iter().find_map(|c| c.dict.borrow().get_str(name).cloned());
    let table_v = cls.dict.borrow().get_str("__table__").cloned();
    let mut columns: Vec<(Rc<str>, Value)> = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let items = src.dict.borrow().items();
        let anns: Vec<(Value, Value)> = match src.dict.borrow().get_str("__annotations__") {
            Some(Value::Dict(d)) => d.borrow().items(),
            _ => Vec::new(),
        };
        let str_key = |(k, _): &(Value, Value)| match k {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        };
        let var_names: Vec<Rc<str>> = items.iter().filter_map(str_key).collect();
        let ann_names: Vec<Rc<str>> = anns.iter().filter_map(str_key).collect();
        for k in merge_lists_w_ordering(&var_names, &ann_names) {
            if k.starts_with("__") || columns.iter().any(|(n, _)| *n == k) {
                continue;
            }
            let v = items.iter().find(|(n, _)| n.as_str() == Some(&*k)).map(|(_, v)| v.clone());
            let v = match v {
                Some(v) if matches!(&v, Value::Instance(i) if i.class.name == "declared_attr") => Some(resolve_declared(it, cls, v)?),
                other => other,
            };
            let mut ann = anns.iter().find(|(n, _)| n.as_str() == Some(&*k)).map(|(_, v)| v.clone());
            // A mixin's `declared_attr` is read with its return annotation
            // (on the mapped class itself it is not).
            if ann.is_none() && i > 0 {
                ann = declared_attr_return_annotation(it, items.iter().find(|(n, _)| n.as_str() == Some(&*k)).map(|(_, v)| v))?;
            }
            let ann_text = match &ann {
                Some(Value::Str(text)) => Some(text.to_string()),
                _ => None,
            };
            let ann = ann.map(|a| match a {
                Value::Str(text) => eval_annotation_text(it, cls, &text),
                other => Ok(other),
            });
            let ann = match ann {
                Some(a) => Some(read_annotation(&a?)),
                None => None,
            };
            // An annotation without a value leaves the attribute to a
            // mixin further on that gives it one.
            if v.is_none() && sources[i + 1..].iter().any(|m| m.dict.borrow().get_str(&k).is_some_and(|mv| is_obj(mv, "Column") || is_obj(mv, "MappedColumn") || matches!(mv, Value::Instance(d) if d.class.name == "declared_attr"))) {
                continue;
            }
            let col = match (v, &ann) {
                (Some(v), _) if is_obj(&v, "Column") => Some(v),
                (Some(v), _) if is_obj(&v, "MappedColumn") => Some(v),
                (None, Some(a)) if a.mapped && !a.class_var => match &a.annotated_column {
                    Some(c) => Some(copy_column(it, c)?),
                    None => {
                        let mc = schema_class(it, "MappedColumn");
                        Some(it.call(&Value::Class(mc), Args::default())?)
                    }
                },
                _ => None,
            };
            let Some(col) = col else { continue };
            let col = if i == 0 { col } else { copy_column(it, &col)? };
            if let (Some(ci), Some(a)) = (inst(&col), &ann) {
                if bool_attr(ci, "_mapped") {
                    if let Some(ac) = a.annotated_column.as_ref().and_then(inst) {
                        for key in ["primary_key", "nullable", "_explicit_nullable", "server_default", "comment", "unique", "index", "autoincrement"] {
                            let unset = match key {
                                "nullable" => !bool_attr(ci, "_explicit_nullable"),
                                "_explicit_nullable" | "primary_key" => !bool_attr(ci, key),
                                "autoincrement" => matches!(attr(ci, key), Value::Str(ref s) if &**s == "auto"),
                                _ => attr(ci, key).is_none(),
                            };
                            if unset {
                                ci.set(key, attr(ac, key));
                            }
                        }
                        if attr(ci, "type").is_none() {
                            ci.set("type", attr(ac, "type"));
                        }
                        if list_attr(ci, "foreign_keys").is_empty() {
                            ci.set("foreign_keys", Value::list(list_attr(ac, "foreign_keys")));
                        }
                    }
                    if !bool_attr(ci, "_explicit_nullable") && a.mapped {
                        ci.set("nullable", Value::Bool(a.optional));
                    }
                    if attr(ci, "type").is_none() && list_attr(ci, "foreign_keys").is_empty() {
                        let inner = a.inner.clone().unwrap_or(Value::None);
                        let by_raw = match &a.raw {
                            Some(raw) => type_for_annotation(it, cls, raw)?,
                            None => None,
                        };
                        let found = match by_raw {
                            Some(t) => Some(t),
                            None => type_for_annotation(it, cls, &inner)?,
                        };
                        match found {
                            Some(t) => ci.set("type", t),
                            // a forward reference nothing defines
                            None if matches!(inner, Value::Str(_)) => {
                                let shown = match &ann_text {
                                    Some(text) => text.clone(),
                                    None => format!("sqlalchemy.orm.base.Mapped[ForwardRef({})]", it.repr(&inner)?),
                                };
                                return Err(raise_named(
                                    it,
                                    "MappedAnnotationError",
                                    "sqlalchemy.orm.exc",
                                    &format!("Could not resolve all types within mapped annotation: \"{shown}\".  Ensure all types are written correctly and are imported within the module in use."),
                                ));
                            }
                            None => {
                                let r = it.repr(&inner)?;
                                return Err(argument_error(
                                    it,
                                    format!("Could not locate SQLAlchemy Core type when resolving for Python type indicated by '{r}' inside the Mapped[] annotation for the '{k}' attribute; the type object is not resolvable by the registry"),
                                ));
                            }
                        }
                    }
                }
            }
            columns.push((k, col));
        }
    }

    let table = match table_v {
        Some(t) => t,
        None => {
            let tn = match own("__tablename__") {
                Some(v) => Some(resolve_declared(it, cls, v)?),
                None => None,
            };
            let tablename = match tn {
                Some(Value::Str(s)) => Some(s.to_string()),
                Some(Value::None) | None => None,
                Some(f) => match it.call(&f, Args::new(vec![Value::Class(cls.clone())]))? {
                    Value::Str(s) => Some(s.to_string()),
                    _ => None,
                },
            };
            match tablename {
                Some(name) => {
                    let targs = match own("__table_args__") {
                        Some(v) => Some(resolve_declared(it, cls, v)?),
                        None => None,
                    };
                    // `sort_order=` orders the columns of a new table (stable).
                    let sort_order = |c: &Value| {
                        inst(c)
                            .and_then(|ci| match attr(ci, "sort_order") {
                                Value::Int(n) => Some(n),
                                _ => None,
                            })
                            .unwrap_or(0)
                    };
                    if columns.iter().any(|(_, c)| sort_order(c) != 0) {
                        let mut sorted = columns.clone();
                        crate::sort::sort_by_key(&mut sorted, |(_, c)| sort_order(c));
                        build_table(it, &name, &md, &sorted, targs)?
                    } else {
                        build_table(it, &name, &md, &columns, targs)?
                    }
                }
                None => match &parent {
                    Some(p) => {
                        let t = p.lookup("__table__").unwrap_or(Value::None);
                        if let Some(ti) = inst(&t) {
                            for (k, c) in &columns {
                                if let Some(ci) = inst(c) {
                                    if attr(ci, "name").is_none() {
                                        ci.set("name", Value::Str(k.clone()));
                                    }
                                    if attr(ci, "key").is_none() {
                                        ci.set("key", Value::Str(k.clone()));
                                    }
                                }
                                append_item(it, ti, c.clone())?;
                            }
                        }
                        t
                    }
                    None => {
                        return Err(raise_named(
                            it,
                            "InvalidRequestError",
                            "sqlalchemy.exc",
                            &format!("Class <class '{}.{}'> does not have a __table__ or __tablename__ specified and does not inherit from an existing table-mapped class.", cls.module, cls.name),
                        ))
                    }
                },
            }
        }
    };
    if parent.is_none() {
        check_primary_key(it, cls, &table)?;
    }
    if let Some(ti) = inst(&table) {
        if ti.get("_class").is_none() {
            ti.set("_class", Value::str(&cls.name));
        }
    }
    let mut d = cls.dict.borrow_mut();
    d.set_str("__table__", table);
    d.set_str("__sa_mapped__", Value::Bool(true));
    for (k, c) in columns {
        d.set_name(k, c);
    }
    Ok(())
}

/// A string annotation (`from __future__ import annotations`) evaluated in
/// the module of the class.
fn eval_annotation_text(it: &mut Interp, cls: &Rc<Class>, text: &str) -> R<Value> {
    let parsed = crate::python::parse_module(text);
    let Some(ruff_python_ast::Stmt::Expr(e)) = parsed.module.body.first() else {
        return Err(it.exc("SyntaxError", format!("annotation {text:?} is not an expression")));
    };
    let module = it.modules.get(&cls.module).cloned();
    let Some(module) = module else {
        return Err(it.exc("NameError", format!("module {} of an annotation is not loaded", cls.module)));
    };
    // a name the module does not define (yet) is a forward reference, as
    // SQLAlchemy reads `Mapped[list[Post]]` above `class Post`: it stands
    // for its name as a string, `Mapped[list["Post"]]`
    struct Names(Vec<String>);
    impl<'a> ruff_python_ast::visitor::Visitor<'a> for Names {
        fn visit_expr(&mut self, e: &'a ruff_python_ast::Expr) {
            if let ruff_python_ast::Expr::Name(n) = e {
                self.0.push(n.id.to_string());
            }
            ruff_python_ast::visitor::walk_expr(self, e);
        }
    }
    let mut names = Names(Vec::new());
    ruff_python_ast::visitor::Visitor::visit_expr(&mut names, &e.value);
    let env = crate::python::eval::Env::new(crate::python::eval::EnvKind::Function, Some(module.globals.clone()));
    for n in names.0 {
        if module.globals.get(&n).is_none() && it.builtins.get(&n).is_none() {
            env.set(&n, Value::str(&n));
        }
    }
    it.eval(&e.value, &env)
}

/// A mixin's column copied for one mapped class (`Column._copy()`).
fn copy_column(it: &mut Interp, v: &Value) -> R<Value> {
    let Some(src) = inst(v) else { return Ok(v.clone()) };
    let out = Rc::new(Instance::new(src.class.clone()));
    *out.native.borrow_mut() = src.native.borrow().clone();
    for (k, val) in src.dict.borrow().items() {
        if let Some(k) = k.as_str() {
            out.set(k, val);
        }
    }
    out.set("table", Value::None);
    let mut fks = Vec::new();
    for fk in list_attr(src, "foreign_keys") {
        if let Some(f) = inst(&fk) {
            let n = Rc::new(Instance::new(f.class.clone()));
            *n.native.borrow_mut() = f.native.borrow().clone();
            for (k, val) in f.dict.borrow().items() {
                if let Some(k) = k.as_str() {
                    n.set(k, val);
                }
            }
            n.set("parent", Value::Instance(out.clone()));
            fks.push(Value::Instance(n));
        }
    }
    out.set("foreign_keys", Value::list(fks));
    let _ = it;
    Ok(Value::Instance(out))
}

fn table_columns(t: &Instance) -> Vec<Value> {
    match t.get("c") {
        Some(Value::Instance(c)) => collection_values(&c),
        _ => Vec::new(),
    }
}

// ----- to crate::schema ------------------------------------------------------------

/// Where each table of `md` was declared: (table name, the class that
/// maps it, the `Table(...)` call's file/line/column).
pub(crate) fn table_origins(md: &Value) -> Vec<(String, Option<String>, Option<(String, u32, u32)>)> {
    let Some(mdi) = inst(md) else { return Vec::new() };
    let tables = match mdi.get("tables") {
        Some(Value::Dict(d)) => d.borrow().values(),
        _ => Vec::new(),
    };
    tables
        .iter()
        .filter_map(inst)
        .map(|t| {
            let loc = match t.get("_loc") {
                Some(Value::Tuple(l)) => match &l[..] {
                    [Value::Str(f), Value::Int(line), Value::Int(col)] => Some((f.to_string(), *line as u32, *col as u32)),
                    _ => None,
                },
                _ => None,
            };
            (str_attr(t, "name").unwrap_or_default(), str_attr(t, "_class"), loc)
        })
        .collect()
}

/// Why the objects could not be read as a schema (a construct the
/// playground does not model).
pub(crate) type SchemaError = String;

/// Why `to_schema` failed, and in which table (the loader places the error
/// at that table's class or `Table(...)` call).
pub(crate) struct SchemaFailure {
    pub table: Option<String>,
    pub message: SchemaError,
}

/// The `MetaData` value `md` as the engine's schema.
pub(crate) fn to_schema(it: &mut Interp, md: &Value) -> Result<MetaData, SchemaFailure> {
    let Some(mdi) = inst(md) else { return Err(SchemaFailure { table: None, message: "not a MetaData".into() }) };
    let mut out = MetaData::default();
    if let Some(Value::Dict(nc)) = mdi.get("naming_convention") {
        for (k, v) in nc.borrow().items() {
            if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                out.naming_convention.insert(k.to_string(), v.to_string());
            }
        }
    }
    let tables = match mdi.get("tables") {
        Some(Value::Dict(d)) => d.borrow().values(),
        _ => Vec::new(),
    };
    let mut keys: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    for t in tables {
        let Some(ti) = inst(&t) else { continue };
        if let Some(Value::Instance(c)) = ti.get("c") {
            // Only the columns whose key is not their name need a lookup.
            let pairs: Vec<(String, String)> = c
                .dict
                .borrow()
                .map
                .values()
                .filter_map(|(k, v)| {
                    let k = k.as_str()?;
                    let name = match attr(inst(v)?, "name") {
                        Value::Str(n) => n,
                        _ => return None,
                    };
                    (*name != *k).then(|| (k.to_string(), name.to_string()))
                })
                .collect();
            if !pairs.is_empty() {
                keys.insert(str_attr(ti, "name").unwrap_or_default(), pairs);
            }
        }
        let table = table_schema(it, ti).map_err(|message| SchemaFailure { table: str_attr(ti, "name"), message })?;
        out.add_table(table);
    }
    // `ForeignKey("t.key")` names the referred column by its key.
    for t in out.tables.values_mut() {
        for fk in t.foreign_keys.iter_mut() {
            if let Some(km) = keys.get(&fk.referred_table) {
                for rc in fk.referred_columns.iter_mut() {
                    if let Some((_, n)) = km.iter().find(|(k, _)| k == rc) {
                        *rc = n.clone();
                    }
                }
            }
        }
    }
    Ok(out)
}

fn col_name(v: &Value, table: &Instance) -> Result<String, SchemaError> {
    match v {
        Value::Str(s) => {
            // a key names the column with that key
            match table.get("c") {
                Some(Value::Instance(c)) => Ok(c.get(s).and_then(|col| inst(&col).and_then(|ci| str_attr(ci, "name"))).unwrap_or_else(|| s.to_string())),
                _ => Ok(s.to_string()),
            }
        }
        Value::Instance(i) => str_attr(i, "name").ok_or_else(|| "a column without a name".to_string()),
        _ => Err("a column reference that is neither a name nor a Column".into()),
    }
}

fn sql_text_of(v: &Value) -> Result<String, SchemaError> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        Value::Instance(i) if i.get("text").is_some() => Ok(str_attr(i, "text").unwrap_or_default()),
        Value::Instance(i) => match construct_of(i) {
            Some(k) if k.path.contains(".func.") => compile_func(&k),
            Some(k) => Err(format!("the SQL expression {} is not compiled by the playground", k.path)),
            None => Err(format!("a {} is not a SQL expression", i.class.name)),
        },
        _ => Err("a SQL expression the playground does not compile".into()),
    }
}

/// What SQLAlchemy's SQLite compiler makes of `func.<name>(...)`.
fn compile_func(k: &Construct) -> Result<String, SchemaError> {
    let name = k.path.rsplit_once(".func.").map(|(_, n)| n).unwrap_or_default();
    if !k.args.kw.is_empty() {
        return Err(format!("func.{name}() with keyword arguments is not compiled by the playground"));
    }
    if k.args.pos.is_empty() {
        let fixed = match name.to_lowercase().as_str() {
            "now" | "current_timestamp" => Some("CURRENT_TIMESTAMP"),
            "current_date" => Some("CURRENT_DATE"),
            "current_time" => Some("CURRENT_TIME"),
            "localtimestamp" => Some("DATETIME(CURRENT_TIMESTAMP, \"localtime\")"),
            "localtime" => Some("LOCALTIME"),
            "current_user" => Some("CURRENT_USER"),
            _ => None,
        };
        if let Some(f) = fixed {
            return Ok(f.to_string());
        }
    }
    let mut args = Vec::new();
    for a in &k.args.pos {
        args.push(match a {
            Value::Str(s) => format!("'{}'", s.replace('\'', "''")),
            Value::Int(i) => i.to_string(),
            Value::Instance(i) if (is_obj(a, "Column") || is_obj(a, "MappedColumn")) && str_attr(i, "name").is_some() => str_attr(i, "name").unwrap_or_default(),
            other => sql_text_of(other)?,
        });
    }
    Ok(format!("{name}({})", args.join(", ")))
}

fn name_of(v: &Value) -> Option<Name> {
    v.as_str().map(Name::plain)
}

fn table_schema(it: &mut Interp, ti: &Instance) -> Result<Table, SchemaError> {
    let name = str_attr(ti, "name").unwrap_or_default();
    let mut t = Table::new(name.clone());
    t.comment = str_attr(ti, "comment");
    if let Some(Value::Bool(b)) = ti.get("sqlite_with_rowid") {
        t.sqlite_with_rowid = Some(b);
    }
    if let Some(Value::Bool(b)) = ti.get("sqlite_strict") {
        t.sqlite_strict = Some(b);
    }
    if let Some(Value::Bool(b)) = ti.get("sqlite_autoincrement") {
        t.sqlite_autoincrement = Some(b);
    }
    if let Some(Value::List(l)) = ti.get("_dialect_kwargs_repr") {
        for kv in l.borrow().iter() {
            if let Value::Tuple(kv) = kv {
                if let (Some(k), Some(v)) = (kv[0].as_str(), kv[1].as_str()) {
                    t.other_dialect_kwargs.insert(k.to_string(), v.to_string());
                }
            }
        }
    }
    t.info = str_attr(ti, "_info_repr");
    let mut pk_cols = Vec::new();
    let mut classes = Vec::new();
    for c in table_columns(ti) {
        let Some(ci) = inst(&c) else { continue };
        let a = ColumnAttrs::of(ci, &mut classes);
        let col = column_schema(it, &a)?;
        if col.primary_key {
            pk_cols.push(col.name.clone());
        }
        let unique = matches!(a.unique, Value::Bool(true));
        let index = matches!(a.index, Value::Bool(true));
        if unique && !index {
            t.unique_constraints.push(UniqueConstraint { name: None, columns: vec![col.name.clone()] });
        }
        if index {
            t.indexes.push(Index {
                name: None,
                table: name.clone(),
                columns: vec![IndexColumn::Column(col.name.clone())],
                unique,
                sqlite_where: None,
                unique_int: false,
            });
        }
        let fks = match &a.foreign_keys {
            Value::List(l) => l.borrow().clone(),
            Value::Tuple(t) => t.to_vec(),
            _ => Vec::new(),
        };
        for fk in fks {
            let Some(f) = inst(&fk) else { continue };
            let (rt, rc) = fk_target(&attr(f, "_colspec"))?;
            t.foreign_keys.push(fk_schema(f, vec![col.name.clone()], rt, vec![rc]));
        }
        t.columns.push(col);
    }
    if let Some(pk) = inst(&attr(ti, "_pk")) {
        let cols: Vec<String> = list_attr(pk, "_columns").iter().map(|c| col_name(c, ti)).collect::<Result<_, _>>()?;
        let explicit: Vec<String> = table_columns(ti)
            .iter()
            .filter_map(inst)
            .filter(|c| bool_attr(c, "_explicit_nullable"))
            .filter_map(|c| str_attr(c, "name"))
            .collect();
        for col in t.columns.iter_mut() {
            if cols.contains(&col.name) {
                col.primary_key = true;
                if !explicit.contains(&col.name) {
                    col.nullable = false;
                }
            }
        }
        t.primary_key = Some(PrimaryKeyConstraint { name: name_of(&attr(pk, "name")), columns: cols });
    } else if !pk_cols.is_empty() {
        t.primary_key = Some(PrimaryKeyConstraint { name: None, columns: pk_cols });
    }
    for c in list_attr(ti, "constraints") {
        let Some(ci) = inst(&c) else { continue };
        if is_obj(&c, "UniqueConstraint") {
            let cols = list_attr(ci, "_columns").iter().map(|v| col_name(v, ti)).collect::<Result<_, _>>()?;
            t.unique_constraints.push(UniqueConstraint { name: name_of(&attr(ci, "name")), columns: cols });
        } else if is_obj(&c, "CheckConstraint") {
            t.check_constraints.push(CheckConstraint { name: name_of(&attr(ci, "name")), sqltext: sql_text_of(&attr(ci, "sqltext"))? });
        } else if is_obj(&c, "ForeignKeyConstraint") {
            let cols = list_attr(ci, "_columns").iter().map(|v| col_name(v, ti)).collect::<Result<Vec<_>, _>>()?;
            let mut rt = String::new();
            let mut rcs = Vec::new();
            for r in list_attr(ci, "_refcolumns") {
                let (t2, c2) = fk_target(&r)?;
                rt = t2;
                rcs.push(c2);
            }
            t.foreign_keys.push(fk_schema(ci, cols, rt, rcs));
        }
    }
    for ix in list_attr(ti, "indexes") {
        let Some(xi) = inst(&ix) else { continue };
        let mut cols = Vec::new();
        for e in list_attr(xi, "expressions") {
            if matches!(e, Value::Str(_)) || is_obj(&e, "Column") || is_obj(&e, "MappedColumn") {
                cols.push(IndexColumn::Column(col_name(&e, ti)?));
            } else {
                cols.push(IndexColumn::Expression(sql_text_of(&e)?));
            }
        }
        let sqlite_where = match attr(xi, "sqlite_where") {
            Value::None => None,
            w => Some(sql_text_of(&w)?),
        };
        t.indexes.push(Index { name: name_of(&attr(xi, "name")), table: name.clone(), columns: cols, unique: truthy_attr(xi, "unique"), unique_int: matches!(attr(xi, "unique"), Value::Int(_)), sqlite_where });
    }
    Ok(t)
}

fn fk_schema(f: &Instance, columns: Vec<String>, referred_table: String, referred_columns: Vec<String>) -> ForeignKeyConstraint {
    ForeignKeyConstraint {
        name: name_of(&attr(f, "name")),
        columns,
        referred_table,
        referred_columns,
        ondelete: str_attr(f, "ondelete"),
        onupdate: str_attr(f, "onupdate"),
        deferrable: match attr(f, "deferrable") {
            Value::Bool(b) => Some(b),
            _ => None,
        },
        initially: str_attr(f, "initially"),
        use_alter: bool_attr(f, "use_alter"),
    }
}

/// `"table.column"` or a Column of a table → (table, column).
fn fk_target(v: &Value) -> Result<(String, String), SchemaError> {
    match v {
        Value::Str(s) => {
            let (t, c) = s.rsplit_once('.').ok_or_else(|| format!("ForeignKey('{s}') does not name a table.column"))?;
            Ok((t.rsplit('.').next().unwrap_or(t).to_string(), c.to_string()))
        }
        Value::Instance(i) => {
            let t = inst(&attr(i, "table")).and_then(|t| str_attr(t, "name")).ok_or_else(|| "ForeignKey to a column of no table".to_string())?;
            Ok((t, str_attr(i, "name").unwrap_or_default()))
        }
        _ => Err("a ForeignKey target that is neither 'table.column' nor a Column".into()),
    }
}

/// The attributes of a Column that [`to_schema`] reads, fetched as [`attr`]
/// reads them (the instance's own, else its class's) in one pass over each
/// namespace, instead of two hash lookups per attribute.
#[derive(Clone)]
struct ColumnAttrs {
    name: Value,
    type_: Value,
    primary_key: Value,
    nullable: Value,
    comment: Value,
    default: Value,
    insert_default: Value,
    autoincrement: Value,
    server_default: Value,
    computed: Value,
    identity: Value,
    unique: Value,
    index: Value,
    foreign_keys: Value,
}

impl ColumnAttrs {
    fn new() -> ColumnAttrs {
        ColumnAttrs {
            name: Value::None,
            type_: Value::None,
            primary_key: Value::None,
            nullable: Value::None,
            comment: Value::None,
            default: Value::None,
            insert_default: Value::None,
            autoincrement: Value::None,
            server_default: Value::None,
            computed: Value::None,
            identity: Value::None,
            unique: Value::None,
            index: Value::None,
            foreign_keys: Value::None,
        }
    }
    fn slot(&mut self, name: &str) -> Option<&mut Value> {
        Some(match name {
            "name" => &mut self.name,
            "type" => &mut self.type_,
            "primary_key" => &mut self.primary_key,
            "nullable" => &mut self.nullable,
            "comment" => &mut self.comment,
            "default" => &mut self.default,
            "insert_default" => &mut self.insert_default,
            "autoincrement" => &mut self.autoincrement,
            "server_default" => &mut self.server_default,
            "computed" => &mut self.computed,
            "identity" => &mut self.identity,
            "unique" => &mut self.unique,
            "index" => &mut self.index,
            "foreign_keys" => &mut self.foreign_keys,
            // the attributes to_schema does not read
            _ => return None,
        })
    }
    /// Takes the attributes `d` sets over the ones already read.
    fn absorb(&mut self, d: &Dict) {
        for (k, v) in d.map.values() {
            if let Value::Str(k) = k {
                if let Some(slot) = self.slot(k) {
                    *slot = v.clone();
                }
            }
        }
    }
    /// `ci`'s attributes; `classes` keeps the class attributes already read.
    fn of(ci: &Instance, classes: &mut Vec<(Rc<Class>, ColumnAttrs)>) -> ColumnAttrs {
        let mut a = match classes.iter().find(|(c, _)| Rc::ptr_eq(c, &ci.class)) {
            Some((_, a)) => a.clone(),
            None => {
                let mut a = ColumnAttrs::new();
                a.absorb(&ci.class.dict.borrow());
                classes.push((ci.class.clone(), a.clone()));
                a
            }
        };
        a.absorb(&ci.dict.borrow());
        a
    }
}

fn column_schema(it: &mut Interp, a: &ColumnAttrs) -> Result<Column, SchemaError> {
    let name = a.name.as_str().map(str::to_string).unwrap_or_default();
    let type_ = type_schema(it, &a.type_)?;
    let mut col = Column::new(name, type_);
    col.primary_key = matches!(a.primary_key, Value::Bool(true));
    col.nullable = match a.nullable {
        Value::Bool(b) => b,
        _ => !col.primary_key,
    };
    col.comment = a.comment.as_str().map(str::to_string);
    col.client_default = match &a.default {
        Value::None => client_default_repr(&a.insert_default),
        v => client_default_repr(v),
    };
    col.autoincrement = match &a.autoincrement {
        Value::Bool(true) => Autoincrement::True,
        Value::Bool(false) => Autoincrement::False,
        Value::Str(s) if &**s == "ignore_fk" => Autoincrement::IgnoreFk,
        _ => Autoincrement::Auto,
    };
    col.server_default = match &a.server_default {
        Value::None => None,
        Value::Str(s) => Some(ServerDefault::Literal(s.to_string())),
        v => Some(ServerDefault::Text(alembic_sqlite_default_text(sql_text_of(v)?))),
    };
    if let Some(c) = inst(&a.computed) {
        col.computed = Some(Computed {
            sqltext: sql_text_of(&attr(c, "sqltext"))?,
            persisted: match attr(c, "persisted") {
                Value::Bool(b) => Some(b),
                _ => None,
            },
        });
    }
    if let Some(i) = inst(&a.identity) {
        let options = match i.get("_options") {
            Some(Value::List(l)) => l
                .borrow()
                .iter()
                .filter_map(|o| match o {
                    Value::Tuple(t) if t.len() == 2 => Some(IdentityOption {
                        name: t[0].as_str().unwrap_or_default().to_string(),
                        value: t[1].as_str().unwrap_or_default().to_string(),
                    }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        col.identity = Some(Identity { options });
    }
    Ok(col)
}

/// `repr(Column.default)` of a scalar client default (what `check` shows);
/// a callable's repr holds an address, so only scalars are kept.
fn client_default_repr(v: &Value) -> Option<String> {
    use crate::python::repr::{py_repr_float, py_repr_str};
    let arg = match v {
        Value::Str(s) => py_repr_str(s),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => py_repr_float(*f),
        _ => return None,
    };
    Some(format!("ScalarElementColumnDefault({arg})"))
}

fn type_schema(it: &mut Interp, v: &Value) -> Result<SqlType, SchemaError> {
    let Some(i) = inst(v) else {
        return Ok(SqlType::new(TypeClass::Null));
    };
    if is_type_decorator(&i.class) {
        return decorated_type_schema(it, v, i);
    }
    let Some(k) = construct_of(i) else {
        return Err(format!("{} is not a type the playground models", i.class.name));
    };
    if k.path.ends_with(".with_variant") {
        // `base.with_variant(variant, *dialect_names)`
        let base = k.parent.clone().ok_or_else(|| "with_variant() of no type".to_string())?;
        let mut base_t = type_schema(it, &base)?;
        let (base_t, mut variants) = match base_t.variant_of.take() {
            Some(v) => (v.base, v.variants),
            None => (base_t, Vec::new()),
        };
        let [variant, dialects @ ..] = k.args.pos.as_slice() else {
            return Err("with_variant() needs a type and a dialect name".into());
        };
        let variant = to_type_instance(it, variant.clone()).map_err(|_| "with_variant(): the variant type cannot be made".to_string())?;
        let vt = type_schema(it, &variant)?;
        for d in dialects {
            let name = d.as_str().ok_or_else(|| "a dialect name must be a string".to_string())?;
            variants.push((name.to_string(), vt.clone()));
        }
        return Ok(SqlType::with_variants(base_t, variants));
    }
    // Built by hand: `format!` cost as much as reading the type.
    let mut path = String::with_capacity(i.class.module.len() + 1 + i.class.name.len());
    path.push_str(&i.class.module);
    path.push('.');
    path.push_str(&i.class.name);
    if i.class.name == "Enum" {
        return enum_type(it, &path, &k.args);
    }
    let mut t = crate::script::type_from_value(&path, &k.args)?;
    if t.class == TypeClass::UtcDateTime {
        t.timezone = true;
    }
    Ok(t)
}

/// A project's `TypeDecorator` instance: the type SQLite sees (following
/// `load_dialect_impl` / `impl` to a SQLAlchemy type), carrying the class as
/// written and its impl instance for `repr`.
fn decorated_type_schema(it: &mut Interp, v: &Value, i: &Rc<Instance>) -> Result<SqlType, SchemaError> {
    let raised = |it: &mut Interp, e| it.to_error(e).exception_line();
    let mut effective = v.clone();
    for _ in 0..16 {
        let Some(j) = inst(&effective).filter(|j| is_type_decorator(&j.class)).cloned() else { break };
        effective = match decorator_dialect_impl(it, &effective, &j).and_then(|next| to_type_instance(it, next)) {
            Ok(next) => next,
            Err(e) => return Err(raised(it, e)),
        };
    }
    if inst(&effective).is_some_and(|j| is_type_decorator(&j.class)) {
        return Err(format!("{}: TypeDecorator impl chain too deep", i.class.name));
    }
    let mut t = type_schema(it, &effective)?;
    let impl_value = match decorator_impl_instance(it, v, i).and_then(|x| to_type_instance(it, x)) {
        Ok(x) => x,
        Err(e) => return Err(raised(it, e)),
    };
    let impl_type = type_schema(it, &impl_value)?;
    t.decorated = Some(Box::new(DecoratedType { module: i.class.module.clone(), class: i.class.name.clone(), impl_type }));
    Ok(t)
}

/// `Enum(*values)` or `Enum(PyEnumClass)`: a Python enum class gives its
/// member names, its name lowercased and `enum_class`.
fn enum_type(it: &mut Interp, path: &str, args: &Args) -> Result<SqlType, SchemaError> {
    let Some(e) = python_enum_args(it, args).map_err(|e| it.to_error(e).exception_line())? else {
        let mut a = args.clone();
        a.kw.retain(|(k, _)| k != "values_callable");
        return crate::script::type_from_value(path, &a);
    };
    let mut t = crate::script::type_from_value(path, &e.args)?;
    if let Some(spec) = t.enum_.as_mut() {
        spec.enum_class = Some(e.class.name.clone());
    }
    Ok(t)
}

/// `Enum(PyEnumClass, ...)` as SQLAlchemy reads it.
pub(crate) struct PyEnumArgs {
    /// The type's arguments with the class replaced by the strings stored
    /// (`Enum.enums`: the members' names, or what `values_callable` makes
    /// of the members) and `name=` the class's name lowercased unless given.
    pub args: Args,
    pub class: Rc<Class>,
    /// The members, in the order of the stored strings.
    pub members: Vec<Value>,
}

/// The one reading of `Enum(PyEnumClass, ...)`'s arguments (models.py's
/// columns, scripts' types, result processing). `None` when the first
/// argument is no Python enum class.
pub(crate) fn python_enum_args(it: &mut Interp, args: &Args) -> R<Option<PyEnumArgs>> {
    let class = match args.pos.first() {
        Some(Value::Class(c)) if c.dict.borrow().get_str("_member_names_").is_some() => c.clone(),
        _ => return Ok(None),
    };
    let names: Vec<Value> = match class.dict.borrow().get_str("_member_names_") {
        Some(Value::List(l)) => l.borrow().clone(),
        _ => Vec::new(),
    };
    let members: Vec<Value> = names.iter().filter_map(|n| n.as_str().and_then(|n| class.dict.borrow().get_str(n).cloned())).collect();
    let mut values = names.clone();
    if let Some(f) = args.kwarg("values_callable") {
        let r = it.call(f, Args::new(vec![Value::list(members.clone())]))?;
        values = it.iterate(&r)?;
    }
    let mut a = Args { pos: values, kw: args.kw.iter().filter(|(k, _)| k != "values_callable").cloned().collect() };
    if a.kwarg("name").is_none() {
        a.kw.push(("name".into(), Value::str(&class.name.to_lowercase())));
    }
    Ok(Some(PyEnumArgs { args: a, class, members }))
}

/// The text Alembic renders inside `sa.text(...)` for a model's SQL server
/// default on SQLite: `SQLiteImpl.render_ddl_sql_expr` parenthesizes what
/// `_guess_if_default_is_unparenthesized_sql_expr` takes for an expression,
/// i.e. anything but one digit or `.`, a quoted `'...'` or `(...)`.
/// (`func.now()` → `(CURRENT_TIMESTAMP)`, `sa.true()` → `1`.)
fn alembic_sqlite_default_text(text: String) -> String {
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
fn merge_lists_w_ordering<T: PartialEq + Clone>(a: &[T], b: &[T]) -> Vec<T> {
    // `set(a).intersection(b)`: a class's few attribute names, as a list.
    let mut overlap: Vec<&T> = Vec::new();
    for n in a.iter().filter(|n| b.contains(n)) {
        if !overlap.contains(&n) {
            overlap.push(n);
        }
    }
    let mut out: Vec<T> = Vec::with_capacity(a.len() + b.len());
    let (mut ia, mut ib) = (a.iter(), b.iter());
    let mut on_a = true;
    loop {
        let cur = if on_a { &mut ia } else { &mut ib };
        let mut switched = false;
        for el in cur.by_ref() {
            if let Some(i) = overlap.iter().position(|o| *o == el) {
                overlap.swap_remove(i);
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
