//! SQLAlchemy's ORM as data migrations use it: declarative classes mapped
//! to tables (`declarative_base()`, `DeclarativeBase`), and a `Session`
//! over the migration's connection (`query`/`execute`/`add`/`delete`/
//! `merge`/`flush`/`commit`, the bulk methods), plus `MetaData.reflect`.
//!
//! Invariants:
//! - A mapped class's columns leave its namespace when the class statement
//!   ends (as SQLAlchemy's instrumentation replaces them): `Model.x` is the
//!   column of the mapped table (a `t.c.x` construct the Core compiler
//!   reads), `obj.x` the instance's value, loaded from the database when
//!   the object is persistent and the column is not loaded or expired.
//! - A `Session` keeps an identity map, pending objects and deletions, and
//!   flushes them (inserts, then updates of changed loaded columns, then
//!   deletes) before each query and at `flush()`/`commit()`; `commit()`
//!   expires every loaded object. It never commits the migration's
//!   transaction (SQLAlchemy's "conservative_savepoint" on a connection
//!   already in one); `rollback()` would roll it back, which is refused.
//! - Values cross to SQL as SQLAlchemy's type processing makes them: a
//!   project `TypeDecorator`'s `process_bind_param` / `process_result_value`,
//!   JSON through `json.dumps` / `json.loads`, Boolean as 1/0 (read back
//!   as `bool()`), Float and Numeric bound through `float()` (Float read as
//!   stored, Numeric as `Decimal("%.<scale>f" % value)`), Uuid as its hex
//!   digits read back as `uuid.UUID`, Enum by its stored string (a member
//!   name or what `values_callable` made), SQLite's DateTime/Date/Time as
//!   ISO text read back with `fromisoformat`, Interval as a DateTime from
//!   the epoch. The same processing reads Core select rows. A value the
//!   playground does not convert as SQLAlchemy would (a PickleType...) is
//!   refused with `NotImplementedError` naming the type, never stored or
//!   read as something else.
//! - What the ORM here does not model (relationships, inheritance, mixin
//!   columns, joins, loader options other than `load_only`) raises
//!   `NotImplementedError` at the call.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use super::alembic::{construct_of, opaque_of, raise_named, sa_base_class, Construct, ScriptHost};
use super::builtins::{native_fn, new_plain_class};
use super::datetime::{Binding, TemporalType};
use super::eval::{Args, Interp, R};
use super::value::*;
use crate::db::QueryResult;

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn not_supported(it: &Interp, what: impl Into<String>) -> Box<super::eval::Exc> {
    it.exc("NotImplementedError", format!("{} is not supported by the playground yet", what.into()))
}

// ----- mapping ---------------------------------------------------------------------

/// A mapped class: its table and columns in declaration order.
pub struct Mapping {
    pub class_name: String,
    pub table: String,
    /// The `Table` construct (`Model.__table__`).
    pub table_value: Value,
    pub columns: Vec<MappedColumn>,
    /// Properties the playground's ORM does not model (`relationship()`...),
    /// (attribute, kind): the class is mapped without them, and reading or
    /// writing one is refused.
    pub unsupported: Vec<(String, String)>,
}

pub struct MappedColumn {
    /// The attribute name on the class.
    pub attr: String,
    /// The column name in the table.
    pub name: String,
    pub type_: Value,
    pub primary_key: bool,
    /// `default=`: a scalar or a callable, applied at INSERT when no value is set.
    pub default: Option<Value>,
    /// `Model.attr`: the table's column as the Core compiler reads it.
    pub expr: Value,
}

impl Mapping {
    fn refuse_property(&self, it: &Interp, attr: &str) -> R<()> {
        match self.unsupported.iter().find(|(a, _)| a == attr) {
            Some((a, kind)) => Err(not_supported(it, format!("{kind}() ({}.{a})", self.class_name))),
            None => Ok(()),
        }
    }
    /// Refuses an object that has a value set for an unsupported property.
    fn usable(&self, it: &Interp, inst: &Instance) -> R<()> {
        for (a, _) in &self.unsupported {
            if inst.get(a).is_some() {
                self.refuse_property(it, a)?;
            }
        }
        Ok(())
    }
    fn column(&self, attr: &str) -> Option<(usize, &MappedColumn)> {
        self.columns.iter().enumerate().find(|(_, c)| c.attr == attr)
    }
    fn pk(&self) -> Vec<usize> {
        self.columns.iter().enumerate().filter(|(_, c)| c.primary_key).map(|(i, _)| i).collect()
    }
}

/// The mapping of a class mapped by a declarative base (its own, not an ancestor's).
pub fn mapping_of(c: &Rc<Class>) -> Option<Rc<Mapping>> {
    let m = c.dict.borrow().get_str("__mapper__").cloned()?;
    let Value::Instance(i) = m else { return None };
    let native = i.native.borrow().clone()?;
    native.downcast::<Mapping>().ok()
}

/// The table construct of a mapped class.
pub fn mapped_table(c: &Rc<Class>) -> Option<Rc<Construct>> {
    let m = mapping_of(c)?;
    match &m.table_value {
        Value::Instance(i) => construct_of(i),
        _ => None,
    }
}

fn is_type(v: &Value) -> bool {
    match v {
        Value::Class(c) => c.is_subclass_named("TypeEngine"),
        Value::Instance(i) => i.class.is_subclass_named("TypeEngine"),
        _ => false,
    }
}

/// A declarative base class: subclasses with `__tablename__` are mapped
/// when their class statement ends.
fn declarative_base_class(it: &mut Interp, name: &str, module: &str) -> Rc<Class> {
    let bases = vec![it.types.object.clone()];
    let hook: Rc<SubclassHook> = Rc::new(|it: &mut Interp, cls: &Rc<Class>| map_class(it, cls));
    let cls = Class::new(name, module, bases, BuiltinType::Object, Some(hook));
    // `Base.metadata`: the MetaData of the base's tables
    let sa_base = sa_base_class(it);
    let metadata = opaque_of(&sa_base, Construct { path: "sqlalchemy.MetaData".into(), site: None, args: Args::default(), parent: None });
    let mut d = cls.dict.borrow_mut();
    d.set_str("metadata", metadata);
    // SQLAlchemy's default constructor: keyword arguments set attributes the class has
    d.set_str("__init__", native_fn("__init__", |it, a| {
        let me = a.pos.first().cloned().unwrap_or(Value::None);
        let Value::Instance(inst) = &me else { return Ok(Value::None) };
        if a.pos.len() > 1 {
            return Err(it.type_error(format!("__init__() takes 1 positional argument but {} were given", a.pos.len())));
        }
        let mapping = mapping_of(&inst.class);
        for (k, v) in &a.kw {
            let known = mapping.as_ref().is_some_and(|m| m.column(k).is_some()) || inst.class.lookup(k).is_some();
            if !known {
                return Err(it.type_error(format!("'{k}' is an invalid keyword argument for {}", inst.class.name)));
            }
            inst.set(k, v.clone());
        }
        Ok(Value::None)
    }));
    d.set_str("__class_getattr__", native_fn("__class_getattr__", |it, a| {
        let (Some(Value::Class(c)), Some(Value::Str(name))) = (a.pos.first(), a.pos.get(1)) else {
            return Err(it.type_error("__class_getattr__(cls, name)"));
        };
        for k in c.mro_all() {
            if let Some(m) = mapping_of(k) {
                if let Some((_, col)) = m.column(name) {
                    return Ok(col.expr.clone());
                }
                m.refuse_property(it, name)?;
            }
        }
        Err(it.attribute_error(&Value::Class(c.clone()), name))
    }));
    d.set_str("__getattr__", native_fn("__getattr__", |it, a| {
        let me = a.pos.first().cloned().unwrap_or(Value::None);
        let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let Value::Instance(inst) = &me else { return Err(it.attribute_error(&me, &name)) };
        let Some(m) = mapping_of(&inst.class) else { return Err(it.attribute_error(&me, &name)) };
        m.refuse_property(it, &name)?;
        let Some((i, _)) = m.column(&name) else { return Err(it.attribute_error(&me, &name)) };
        match obj_state(inst) {
            Some(st) if st.committed.borrow().is_some() => {
                load_columns(it, &me, &m, &st)?;
                Ok(inst.get(&m.columns[i].attr).unwrap_or(Value::None))
            }
            // a transient or pending object's unset column reads None
            _ => Ok(Value::None),
        }
    }));
    drop(d);
    cls
}

/// Maps `cls` when it names a table (`__tablename__`).
fn map_class(it: &mut Interp, cls: &Rc<Class>) -> R<()> {
    let tablename = cls.dict.borrow().get_str("__tablename__").cloned();
    let Some(tablename) = tablename else { return Ok(()) };
    if cls.dict.borrow().get_str("__abstract__").is_some_and(|v| matches!(v, Value::Bool(true))) {
        return Ok(());
    }
    let Value::Str(table) = tablename else {
        return Err(not_supported(it, format!("a __tablename__ that is not a str on {}", cls.name)));
    };
    if cls.mro.iter().any(|k| mapping_of(k).is_some()) {
        return Err(not_supported(it, format!("mapped class inheritance ({})", cls.name)));
    }
    for k in cls.mro.iter().filter(|k| k.subclass_hook.is_none()) {
        if k.dict.borrow().values().iter().any(|v| column_construct(v).is_some()) {
            return Err(not_supported(it, format!("columns declared on the mixin {} of {}", k.name, cls.name)));
        }
    }
    let base = sa_base_class(it);
    let items = cls.dict.borrow().items();
    let mut declared = Vec::new();
    let mut unsupported = Vec::new();
    for (k, v) in items {
        let Value::Str(attr) = k else { continue };
        let Some(c) = column_construct(&v) else {
            if let Value::Instance(i) = &v {
                if let Some(c) = construct_of(i).filter(|c| c.path.starts_with("sqlalchemy")) {
                    if matches!(last_segment(&c.path), "relationship" | "column_property" | "synonym" | "composite" | "deferred" | "backref") {
                        unsupported.push((attr.to_string(), last_segment(&c.path).to_string()));
                    }
                }
            }
            continue;
        };
        let name = match (c.args.pos.first(), c.args.kwarg("name")) {
            (Some(Value::Str(n)), _) | (_, Some(Value::Str(n))) => n.to_string(),
            _ => attr.to_string(),
        };
        let type_ = c.args.kwarg("type_").cloned().or_else(|| c.args.pos.iter().find(|v| is_type(v)).cloned());
        let Some(type_) = type_ else {
            return Err(not_supported(it, format!("a mapped column without a type ({}.{attr}: a type from the annotation)", cls.name)));
        };
        let primary_key = matches!(c.args.kwarg("primary_key"), Some(Value::Bool(true)));
        let default = c.args.kwarg("default").cloned().filter(|v| !v.is_none());
        declared.push((attr.to_string(), name, type_, primary_key, default));
    }
    // the Table construct and its columns, as `sa.Table(name, metadata, sa.Column(name, type), ...)`
    let mut targs = vec![Value::Str(table.clone()), Value::None];
    for (_, name, type_, _, _) in &declared {
        targs.push(opaque_of(&base, Construct { path: "sqlalchemy.Column".into(), site: None, args: Args::new(vec![Value::str(name), type_.clone()]), parent: None }));
    }
    let table_value = opaque_of(&base, Construct { path: "sqlalchemy.Table".into(), site: None, args: Args::new(targs), parent: None });
    let c_value = opaque_of(&base, Construct { path: "sqlalchemy.Table.c".into(), site: None, args: Args::default(), parent: Some(table_value.clone()) });
    let mut columns = Vec::new();
    for (attr, name, type_, primary_key, default) in declared {
        let expr = opaque_of(&base, Construct {
            path: format!("sqlalchemy.Table.c.{name}"),
            site: None,
            args: Args { pos: Vec::new(), kw: vec![("type_".into(), type_.clone())] },
            parent: Some(c_value.clone()),
        });
        cls.dict.borrow_mut().remove(&HashKey::Str(Rc::from(attr.as_str())));
        columns.push(MappedColumn { attr, name, type_, primary_key, default, expr });
    }
    if !columns.iter().any(|c| c.primary_key) {
        return Err(raise_named(
            it,
            "ArgumentError",
            "sqlalchemy.exc",
            &format!("Mapper Mapper[{}({table})] could not assemble any primary key columns for mapped table '{table}'", cls.name),
        ));
    }
    for (attr, _) in &unsupported {
        cls.dict.borrow_mut().remove(&HashKey::Str(Rc::from(attr.as_str())));
    }
    let mapping = Mapping { class_name: cls.name.clone(), table: table.to_string(), table_value: table_value.clone(), columns, unsupported };
    let mapper = Instance::new(new_plain_class(it, "Mapper", "sqlalchemy.orm.mapper"));
    *mapper.native.borrow_mut() = Some(Rc::new(mapping));
    let mut d = cls.dict.borrow_mut();
    d.set_str("__table__", table_value);
    d.set_str("__mapper__", Value::Instance(Rc::new(mapper)));
    Ok(())
}

fn column_construct(v: &Value) -> Option<Rc<Construct>> {
    let Value::Instance(i) = v else { return None };
    construct_of(i).filter(|c| c.path.starts_with("sqlalchemy") && matches!(last_segment(&c.path), "Column" | "mapped_column"))
}

// ----- object state ----------------------------------------------------------------

/// The ORM state of a mapped instance that a session has seen.
struct ObjState {
    session: RefCell<Weak<SessionState>>,
    /// Persistent: the value of each column as last loaded or flushed
    /// (`None`: not loaded, or expired). Transient / pending: `None`.
    committed: RefCell<Option<Vec<Option<Value>>>>,
}

fn obj_state(i: &Instance) -> Option<Rc<ObjState>> {
    let n = i.native.borrow().clone()?;
    n.downcast::<ObjState>().ok()
}

fn state_of(i: &Instance) -> Rc<ObjState> {
    if let Some(s) = obj_state(i) {
        return s;
    }
    let s = Rc::new(ObjState { session: RefCell::new(Weak::new()), committed: RefCell::new(None) });
    *i.native.borrow_mut() = Some(s.clone());
    s
}

fn pk_values(it: &Interp, m: &Mapping, inst: &Instance, st: &ObjState) -> R<Vec<Value>> {
    let committed = st.committed.borrow();
    let mut out = Vec::new();
    for i in m.pk() {
        let v = committed.as_ref().and_then(|c| c[i].clone()).or_else(|| inst.get(&m.columns[i].attr));
        match v {
            Some(v) if !v.is_none() => out.push(v),
            _ => return Err(raise_named(it, "InvalidRequestError", "sqlalchemy.exc", &format!("Instance <{}> has a NULL identity key", m.class_name))),
        }
    }
    Ok(out)
}

/// Loads the persistent object's columns that are not loaded (or expired).
fn load_columns(it: &mut Interp, obj: &Value, m: &Mapping, st: &Rc<ObjState>) -> R<()> {
    let Value::Instance(inst) = obj else { return Ok(()) };
    let missing: Vec<usize> = match st.committed.borrow().as_ref() {
        Some(c) => (0..m.columns.len()).filter(|i| c[*i].is_none() && inst.get(&m.columns[*i].attr).is_none()).collect(),
        None => return Ok(()),
    };
    if missing.is_empty() {
        return Ok(());
    }
    let Some(session) = st.session.borrow().upgrade() else {
        return Err(raise_named(
            it,
            "DetachedInstanceError",
            "sqlalchemy.orm.exc",
            &format!("Instance <{} at 0x...> is not bound to a Session; attribute refresh operation cannot proceed", m.class_name),
        ));
    };
    let pk = pk_values(it, m, inst, st)?;
    let cols: Vec<String> = missing.iter().map(|i| format!("{}.{}", m.table, m.columns[*i].name)).collect();
    let sql = format!("SELECT {} \nFROM {} \nWHERE {}", cols.join(", "), m.table, pk_where(it, m, &pk)?);
    let r = session.query(it, &sql)?;
    let Some(row) = r.rows.first() else {
        return Err(raise_named(it, "ObjectDeletedError", "sqlalchemy.orm.exc", &format!("Instance '<{}>' has been deleted, or its row is otherwise not present.", m.class_name)));
    };
    for (k, i) in missing.iter().enumerate() {
        let v = result_value(it, &m.columns[*i].type_, db_value(&row[k]))?;
        inst.set(&m.columns[*i].attr, v.clone());
        if let Some(c) = st.committed.borrow_mut().as_mut() {
            c[*i] = Some(v);
        }
    }
    Ok(())
}

fn pk_where(it: &mut Interp, m: &Mapping, pk: &[Value]) -> R<String> {
    let mut parts = Vec::new();
    for (i, v) in m.pk().into_iter().zip(pk) {
        let lit = bind_literal(it, &m.columns[i].type_, v)?;
        parts.push(format!("{}.{} = {lit}", m.table, m.columns[i].name));
    }
    Ok(parts.join(" AND "))
}

// ----- type processing -------------------------------------------------------------

/// What SQLAlchemy's SQLite dialect does to a value of a type on its way in and out.
enum Processing {
    Identity,
    /// Serialized with `json.dumps` (so `None` is JSON `null`, unless
    /// `none_as_null=True` makes it SQL NULL), read back with `json.loads`.
    Json { none_as_null: bool },
    /// Read back as `bool()` of what is stored.
    Boolean,
    /// `Float` and its kin (`asdecimal=False`), `Numeric(asdecimal=False)`:
    /// SQLite has no native decimal, so values go in through `float()` and
    /// come out as stored.
    Float,
    /// `Numeric` and `Float(asdecimal=True)`: in through `float()`, out as
    /// `Decimal("%.<scale>f" % value)` (`processors.to_decimal_processor_factory`).
    Decimal { scale: i64 },
    /// `Uuid` / `UUID` on SQLite: 32 hex digits stored; `as_uuid=True` (the
    /// default) reads `uuid.UUID(value)` and binds `value.hex`, else the
    /// string form.
    Uuid { as_uuid: bool },
    /// `sa.Enum("a", "b")` / `sa.Enum(PyEnum)`: a member is stored by its
    /// name; a name read back that is not a member is `LookupError`.
    Enum(EnumSpec),
    /// SQLite's `DateTime`/`Date`/`Time`: stored as ISO text, read back
    /// with `fromisoformat`.
    Temporal(TemporalType),
    /// `Interval` on SQLite: a `DateTime` counted from the epoch
    /// (1970-01-01 00:00:00).
    Interval,
    /// A type whose values SQLAlchemy converts in a way the playground does not.
    Unsupported(String),
}

struct EnumSpec {
    /// The strings SQLAlchemy stores (`Enum.enums`): the arguments, a
    /// Python enum's member names, or what `values_callable` made of them.
    stored: Vec<String>,
    /// `sa.Enum(PyEnum)`'s members, one per stored string.
    members: Option<Vec<Value>>,
    /// `Enum.name`: `name=`, else a Python enum's class name lowercased.
    name: Option<String>,
}

fn processing(it: &mut Interp, t: &Value) -> R<Processing> {
    let tv = super::alembic::type_value(it, t, 0)?;
    let Some(tv) = tv else { return Ok(Processing::Identity) };
    Ok(match last_segment(&tv.path) {
        "JSON" | "JSONB" => {
            let none_as_null = match tv.args.kwarg("none_as_null") {
                Some(v) => it.truthy(&v)?,
                None => false,
            };
            Processing::Json { none_as_null }
        }
        "Boolean" | "BOOLEAN" => Processing::Boolean,
        "Enum" => Processing::Enum(enum_spec(it, &tv.args)?),
        "DateTime" | "DATETIME" | "TIMESTAMP" => Processing::Temporal(TemporalType::DateTime),
        "Date" | "DATE" => Processing::Temporal(TemporalType::Date),
        "Time" | "TIME" => Processing::Temporal(TemporalType::Time),
        "Interval" => Processing::Interval,
        // Numeric(precision, scale, decimal_return_scale, asdecimal=True);
        // Float(precision, asdecimal=False, decimal_return_scale)
        name @ ("Float" | "Double" | "FLOAT" | "REAL" | "DOUBLE" | "DOUBLE_PRECISION" | "Numeric" | "NUMERIC" | "DECIMAL") => {
            let float = !matches!(name, "Numeric" | "NUMERIC" | "DECIMAL");
            let arg = |k: &str, at: usize| tv.args.kwarg(k).or_else(|| tv.args.pos.get(at)).filter(|v| !v.is_none()).cloned();
            let asdecimal = match arg("asdecimal", if float { 1 } else { 3 }) {
                Some(v) => it.truthy(&v)?,
                None => !float,
            };
            let scale = if float { None } else { arg("scale", 1) };
            let scale = match arg("decimal_return_scale", 2).or(scale) {
                Some(Value::Int(n)) => n,
                Some(other) => return Err(it.type_error(format!("decimal_return_scale / scale must be an int, not {}", it.type_name(&other)))),
                None => 10,
            };
            if asdecimal { Processing::Decimal { scale } } else { Processing::Float }
        }
        "Uuid" | "UUID" => Processing::Uuid {
            as_uuid: match tv.args.kwarg("as_uuid").or_else(|| tv.args.pos.first()) {
                Some(v) => it.truthy(v)?,
                None => true,
            },
        },
        "Integer" | "SmallInteger" | "BigInteger" | "INTEGER" | "INT" | "SMALLINT" | "BIGINT" | "String" | "Text" | "Unicode" | "UnicodeText"
        | "VARCHAR" | "CHAR" | "NVARCHAR" | "NCHAR" | "TEXT" | "CLOB" | "LargeBinary" | "BLOB" | "BINARY" | "VARBINARY" | "NullType" => {
            Processing::Identity
        }
        other => Processing::Unsupported(other.to_string()),
    })
}

/// `t` is SQLAlchemy's `Interval` (on SQLite, a DateTime from the epoch).
pub fn is_interval(it: &mut Interp, t: &Value) -> R<bool> {
    Ok(matches!(processing(it, t)?, Processing::Interval))
}

fn is_py_enum(k: &Rc<Class>) -> bool {
    k.mro_all().any(|b| b.name == "Enum" && b.module == "enum")
}

/// The Enum type's arguments through the one reader of `Enum(PyEnum, ...)`
/// (`models::objects::python_enum_args`).
fn enum_spec(it: &mut Interp, args: &Args) -> R<EnumSpec> {
    let (args, members) = match crate::models::objects::python_enum_args(it, args)? {
        Some(e) => (e.args, Some(e.members)),
        None => (args.clone(), None),
    };
    let mut stored = Vec::new();
    for v in &args.pos {
        stored.push(it.str_of(v)?);
    }
    let name = args.kwarg("name").and_then(|v| v.as_str().map(str::to_string));
    Ok(EnumSpec { stored, members, name })
}

/// SQLAlchemy's `Enum._object_value_for_elem`: the member (or string) a
/// stored name stands for.
fn enum_result(it: &mut Interp, spec: &EnumSpec, v: Value) -> R<Value> {
    let key = match &v {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    };
    if let Some(i) = key.and_then(|k| spec.stored.iter().position(|s| *s == k)) {
        return Ok(match &spec.members {
            Some(members) => members.get(i).cloned().unwrap_or(Value::None),
            None => v,
        });
    }
    // `langhelpers.repr_tuple_names`: up to four names, each cut at 11 characters
    let cut = |n: &String| if n.chars().count() > 11 { format!("{}..", n.chars().take(11).collect::<String>()) } else { n.clone() };
    let shown: Vec<String> = spec.stored.iter().map(cut).collect();
    let possible = match shown.len() {
        0 => "None".to_string(),
        1..=4 => shown.join(", "),
        n => format!("{}, ..., {}", shown[..3].join(", "), shown[n - 1]),
    };
    let elem = it.str_of(&v)?;
    let name = spec.name.clone().unwrap_or_else(|| "None".to_string());
    Err(it.exc("LookupError", format!("'{elem}' is not among the defined enum values. Enum name: {name}. Possible values: {possible}")))
}

/// `datetime.datetime(1970, 1, 1)`: where SQLite's `Interval` counts from.
fn interval_epoch(it: &mut Interp) -> R<Value> {
    let m = it.import_module("datetime")?;
    let cls = it.getattr(&Value::Module(m), "datetime")?;
    it.call(&cls, Args::new(vec![Value::Int(1970), Value::Int(1), Value::Int(1)]))
}

/// A project `TypeDecorator` instance (made from the class when given one)
/// when it defines `method` itself.
fn decorator_with(it: &mut Interp, t: &Value, method: &str) -> R<Option<Value>> {
    let cls = match t {
        Value::Class(c) => c.clone(),
        Value::Instance(i) => i.class.clone(),
        _ => return Ok(None),
    };
    if !super::alembic::is_type_decorator(&cls) {
        return Ok(None);
    }
    let own = cls.mro_all().take_while(|k| !super::alembic::is_sa_class(k)).any(|k| k.dict.borrow().get_str(method).is_some());
    if !own {
        return Ok(None);
    }
    let inst = match t {
        Value::Class(_) => it.call(t, Args::default())?,
        other => other.clone(),
    };
    Ok(Some(inst))
}

fn json_call(it: &mut Interp, f: &str, v: Value) -> R<Value> {
    let m = it.import_module("json")?;
    let f = it.getattr(&Value::Module(m), f)?;
    it.call(&f, Args::new(vec![v]))
}

/// JSON's bind processing: `json.dumps`, `None` as JSON `null` (SQL NULL
/// with `none_as_null=True`).
pub fn json_bind(it: &mut Interp, v: Value, none_as_null: bool) -> R<Value> {
    match (v.is_none(), none_as_null) {
        (true, true) => Ok(v),
        (true, false) => Ok(Value::str("null")),
        (false, _) => json_call(it, "dumps", v),
    }
}

/// Whether binding `None` to a column of type `t` gives a value rather than
/// NULL: JSON's `null` (unless `none_as_null=True`).
pub fn binds_none(it: &mut Interp, t: &Value) -> R<bool> {
    Ok(matches!(processing(it, t)?, Processing::Json { none_as_null: false }))
}

/// A Python value bound to a column of type `t`, as the value the database gets.
pub fn bind_value(it: &mut Interp, t: &Value, v: &Value) -> R<Value> {
    let mut v = v.clone();
    if let Some(d) = decorator_with(it, t, "process_bind_param")? {
        let f = it.getattr(&d, "process_bind_param")?;
        let dialect = super::alembic::sqlite_dialect(it);
        v = it.call(&f, Args::new(vec![v, dialect]))?;
    }
    Ok(match processing(it, t)? {
        Processing::Json { none_as_null } => json_bind(it, v, none_as_null)?,
        Processing::Boolean | Processing::Identity => v,
        Processing::Float | Processing::Decimal { .. } if v.is_none() => v,
        // `processors.to_float`
        Processing::Float | Processing::Decimal { .. } => {
            let float = it.builtins.get("float").unwrap_or(Value::None);
            it.call(&float, Args::new(vec![v]))?
        }
        Processing::Uuid { .. } if v.is_none() => v,
        Processing::Uuid { as_uuid: true } => match super::uuid::uuid_of(&v) {
            Some(_) => it.getattr(&v, "hex")?,
            None => return Err(statement_error(it, "AttributeError", &format!("'{}' object has no attribute 'hex'", it.type_name(&v)))),
        },
        Processing::Uuid { as_uuid: false } => match &v {
            Value::Str(s) => Value::str(&s.replace('-', "")),
            _ => return Err(statement_error(it, "AttributeError", &format!("'{}' object has no attribute 'replace'", it.type_name(&v)))),
        },
        // `Enum._db_value_for_elem`: a member is stored as its string
        Processing::Enum(spec) => match (&v, &spec.members) {
            (Value::Instance(i), Some(members)) if is_py_enum(&i.class) => match members.iter().position(|m| m.identity() == v.identity()) {
                Some(k) => Value::str(&spec.stored[k]),
                None => v,
            },
            (Value::Instance(i), None) if is_py_enum(&i.class) => i.get("name").unwrap_or(Value::None),
            _ => v,
        },
        Processing::Temporal(_) | Processing::Interval if v.is_none() => v,
        Processing::Temporal(t) => match super::datetime::bound_string(it, &v, Binding::Processor(t), 0, false) {
            Some(s) => Value::str(&s?),
            None => return Err(raise_named(it, "StatementError", "sqlalchemy.exc", &format!("(builtins.TypeError) {}", super::datetime::processor_refusal(t)))),
        },
        Processing::Interval => {
            let epoch = interval_epoch(it)?;
            let at = it.binop(ruff_python_ast::Operator::Add, epoch, v)?;
            match super::datetime::bound_string(it, &at, Binding::Processor(TemporalType::DateTime), 0, false) {
                Some(s) => Value::str(&s?),
                None => {
                    let msg = super::datetime::processor_refusal(TemporalType::DateTime);
                    return Err(raise_named(it, "StatementError", "sqlalchemy.exc", &format!("(builtins.TypeError) {msg}")));
                }
            }
        }
        Processing::Unsupported(_) if v.is_none() => v,
        Processing::Unsupported(name) => return Err(not_supported(it, format!("binding a value to a {name} column"))),
    })
}

/// A bind processor's exception as SQLAlchemy wraps it: `StatementError:
/// (builtins.<class>) <message>`.
fn statement_error(it: &Interp, class: &str, message: &str) -> Box<super::eval::Exc> {
    raise_named(it, "StatementError", "sqlalchemy.exc", &format!("(builtins.{class}) {message}"))
}

/// SQLite's `DateTime`/`Date`/`Time` result processors: the ISO text read back.
fn temporal_value(it: &mut Interp, t: TemporalType, v: Value) -> R<Value> {
    let class = match t {
        TemporalType::DateTime => "datetime",
        TemporalType::Date => "date",
        TemporalType::Time => "time",
    };
    let m = it.import_module("datetime")?;
    let cls = it.getattr(&Value::Module(m), class)?;
    let f = it.getattr(&cls, "fromisoformat")?;
    it.call(&f, Args::new(vec![v]))
}

/// A database value of a column of type `t`, as SQLAlchemy hands it to Python
/// (the ORM's loads and Core's result rows alike).
pub fn result_value(it: &mut Interp, t: &Value, v: Value) -> R<Value> {
    let v = match processing(it, t)? {
        Processing::Json { .. } => match &v {
            Value::Str(_) => json_call(it, "loads", v)?,
            _ => v,
        },
        Processing::Boolean if v.is_none() => v,
        Processing::Boolean => Value::Bool(it.truthy(&v)?),
        Processing::Identity => v,
        Processing::Float => v,
        Processing::Decimal { .. } | Processing::Uuid { .. } if v.is_none() => v,
        Processing::Decimal { scale } => {
            let text = match &v {
                Value::Int(i) => format!("{:.*}", scale.max(0) as usize, *i as f64),
                Value::Float(f) => format!("{:.*}", scale.max(0) as usize, f),
                other => return Err(it.type_error(format!("must be real number, not {}", it.type_name(other)))),
            };
            super::decimal::new_decimal(it, &text)?
        }
        Processing::Uuid { as_uuid } => {
            let m = it.import_module("uuid")?;
            let cls = it.getattr(&Value::Module(m), "UUID")?;
            let u = it.call(&cls, Args::new(vec![v]))?;
            if as_uuid { u } else { Value::str(&it.str_of(&u)?) }
        }
        Processing::Enum(_) if v.is_none() => v,
        Processing::Enum(spec) => enum_result(it, &spec, v)?,
        Processing::Temporal(_) | Processing::Interval if v.is_none() => v,
        Processing::Temporal(t) => temporal_value(it, t, v)?,
        Processing::Interval => {
            let at = temporal_value(it, TemporalType::DateTime, v)?;
            let epoch = interval_epoch(it)?;
            it.binop(ruff_python_ast::Operator::Sub, at, epoch)?
        }
        Processing::Unsupported(_) if v.is_none() => v,
        Processing::Unsupported(name) => return Err(not_supported(it, format!("reading a {name} value (SQLAlchemy's result processing of that type)"))),
    };
    match decorator_with(it, t, "process_result_value")? {
        Some(d) => {
            let f = it.getattr(&d, "process_result_value")?;
            let dialect = super::alembic::sqlite_dialect(it);
            it.call(&f, Args::new(vec![v, dialect]))
        }
        None => Ok(v),
    }
}

fn bind_literal(it: &mut Interp, t: &Value, v: &Value) -> R<String> {
    let b = bind_value(it, t, v)?;
    // a datetime no type converted reaches sqlite3 as its adapters make it
    match super::datetime::bound_string(it, &b, Binding::Driver { datatype: "NULL" }, 0, false) {
        Some(s) => literal(it, &Value::str(&s?)),
        None => literal(it, &b),
    }
}

/// A value written into SQL as SQLAlchemy's literal rendering writes it.
pub fn literal(it: &mut Interp, v: &Value) -> R<String> {
    match super::sql_compiler::literal_primitive(it, v)? {
        Some(s) => Ok(s),
        None => {
            let t = it.type_name(v);
            Err(raise_named(
                it,
                "ProgrammingError",
                "sqlalchemy.exc",
                &format!("(sqlite3.ProgrammingError) Error binding parameter: type '{t}' is not supported"),
            ))
        }
    }
}

pub fn db_value(v: &crate::db::Value) -> Value {
    match v {
        crate::db::Value::Null => Value::None,
        crate::db::Value::Integer(i) => Value::Int(*i),
        crate::db::Value::Real(f) => Value::Float(*f),
        crate::db::Value::Text(s) => Value::str(s),
        crate::db::Value::Blob(b) => Value::Bytes(Rc::from(b.clone())),
    }
}

// ----- text() with bound parameters --------------------------------------------------

/// `text(sql)` with its `:name` parameters replaced by the literals of
/// `params`, as SQLAlchemy's `TextClause` finds them
/// (`(?<![:\w\\]):(\w+)(?!:)`; `\:` is a literal colon).
pub fn render_text(it: &mut Interp, sql: &str, params: &[(String, Value)]) -> R<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1) == Some(&':') {
            out.push(':');
            i += 2;
            continue;
        }
        let prev_ok = i == 0 || !(chars[i - 1] == ':' || chars[i - 1] == '\\' || chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == ':' && prev_ok {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j > i + 1 && chars.get(j) != Some(&':') {
                let name: String = chars[i + 1..j].iter().collect();
                let Some((_, v)) = params.iter().rev().find(|(k, _)| *k == name) else {
                    return Err(raise_named(
                        it,
                        "StatementError",
                        "sqlalchemy.exc",
                        &format!("(sqlalchemy.exc.InvalidRequestError) A value is required for bind parameter '{name}'"),
                    ));
                };
                let v = v.clone();
                out.push_str(&literal(it, &v)?);
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

/// A `text(...)` clause: its SQL, the values `bindparams(...)` gave, and
/// the types `bindparam(key, type_=...)` gave parameters whose values come
/// at execution.
#[derive(Default)]
pub struct TextClause {
    pub sql: String,
    pub params: Vec<(String, Value)>,
    pub types: Vec<(String, Value)>,
}

/// The SQL of `DDL(statement, context=None)` executed on its own (no
/// target table): `DDLCompiler.visit_ddl` gives `statement % context`, and
/// SQLite's paramstyle doubles no `%`.
pub fn ddl_statement(it: &mut Interp, c: &Construct) -> R<Option<String>> {
    if last_segment(&c.path) != "DDL" || c.parent.is_some() {
        return Ok(None);
    }
    let statement = match c.args.pos.first().or_else(|| c.args.kwarg("statement")) {
        Some(Value::Str(s)) => s.to_string(),
        Some(other) => {
            let shown = it.repr(other)?;
            return Err(raise_named(it, "ArgumentError", "sqlalchemy.exc", &format!("Expected a string or unicode SQL statement, got '{shown}'")));
        }
        None => return Err(it.type_error("DDL.__init__() missing 1 required positional argument: 'statement'")),
    };
    let context = match c.args.pos.get(1).or_else(|| c.args.kwarg("context")) {
        Some(v) if !v.is_none() => v.clone(),
        _ => Value::dict(super::value::Dict::default()),
    };
    super::format::percent_format(it, &statement, &context).map(Some)
}

/// The SQL text and parameters of `text(...)` / `text(...).bindparams(...)`.
pub fn text_clause(it: &mut Interp, c: &Construct) -> R<Option<TextClause>> {
    match last_segment(&c.path) {
        "text" if c.parent.is_none() || c.site.is_some() => match c.args.pos.first().or_else(|| c.args.kwarg("text")) {
            Some(Value::Str(s)) => Ok(Some(TextClause { sql: s.to_string(), ..TextClause::default() })),
            _ => Err(it.type_error("text() argument must be a str")),
        },
        "bindparams" => {
            let Some(Value::Instance(p)) = &c.parent else { return Ok(None) };
            let Some(pc) = construct_of(p) else { return Ok(None) };
            let Some(mut clause) = text_clause(it, &pc)? else { return Ok(None) };
            for b in &c.args.pos {
                let Some(bc) = construct_of_value(b).filter(|bc| last_segment(&bc.path) == "bindparam") else {
                    return Err(it.type_error("bindparams() takes bindparam() objects and keyword values"));
                };
                let arg = |i: usize, k: &str| bc.args.pos.get(i).or_else(|| bc.args.kwarg(k)).cloned();
                let Some(Value::Str(key)) = arg(0, "key") else {
                    return Err(not_supported(it, "a bindparam() without a string key"));
                };
                for k in ["expanding", "callable_", "literal_execute"] {
                    if bc.args.kwarg(k).is_some_and(|v| !v.is_none() && !matches!(v, Value::Bool(false))) {
                        return Err(not_supported(it, format!("bindparam({k}=...)")));
                    }
                }
                let ty = arg(2, "type_").filter(|t| !t.is_none());
                match (arg(1, "value"), ty) {
                    (Some(v), Some(t)) => {
                        let bound = bind_value(it, &t, &v)?;
                        clause.params.push((key.to_string(), bound));
                    }
                    (Some(v), None) => {
                        let v = resolved_bind(it, &v)?;
                        clause.params.push((key.to_string(), v));
                    }
                    (None, Some(t)) => clause.types.push((key.to_string(), t)),
                    (None, None) => {}
                }
            }
            for (k, v) in &c.args.kw {
                let v = resolved_bind(it, v)?;
                clause.params.push((k.clone(), v));
            }
            Ok(Some(clause))
        }
        _ => Ok(None),
    }
}

/// A value given without a type gets the type SQLAlchemy resolves from it.
fn resolved_bind(it: &mut Interp, v: &Value) -> R<Value> {
    Ok(match super::datetime::resolved_type(it, v) {
        Some(t) => {
            let binding = super::datetime::Binding::Processor(t?);
            match super::datetime::bound_string(it, v, binding, 0, false) {
                Some(s) => Value::str(&s?),
                None => v.clone(),
            }
        }
        None => v.clone(),
    })
}

fn construct_of_value(v: &Value) -> Option<Rc<Construct>> {
    match v {
        Value::Instance(i) => construct_of(i),
        _ => None,
    }
}

// ----- session -----------------------------------------------------------------------

pub struct SessionState {
    host: Rc<ScriptHost>,
    identity: RefCell<Vec<Value>>,
    new: RefCell<Vec<Value>>,
    deleted: RefCell<Vec<Value>>,
}

impl SessionState {
    fn query(&self, it: &mut Interp, sql: &str) -> R<QueryResult> {
        self.online(it)?;
        match self.host.with_sink_do(it, |s| s.query(sql))? {
            Some(r) => Ok(r),
            None => Err(mock_connection(it)),
        }
    }
    fn dml(&self, it: &mut Interp, sql: String) -> R<i64> {
        self.online(it)?;
        super::alembic::run_dml(it, &self.host, sql)
    }
    /// With --sql the bind is a MockConnection: the Session fails at its
    /// first statement, before writing anything out.
    fn online(&self, it: &Interp) -> R<()> {
        if self.host.offline() {
            return Err(mock_connection(it));
        }
        Ok(())
    }
}

/// What SQLAlchemy's Session raises on a MockConnection.
fn mock_connection(it: &Interp) -> Box<super::eval::Exc> {
    it.exc("AttributeError", "'MockConnection' object has no attribute 'close'")
}

fn session_of(it: &Interp, v: &Value) -> R<Rc<SessionState>> {
    if let Value::Instance(i) = v {
        if let Some(n) = i.native.borrow().clone() {
            if let Ok(s) = n.downcast::<SessionState>() {
                return Ok(s);
            }
        }
    }
    Err(it.type_error("a Session method needs a Session"))
}

fn mapped_instance(it: &Interp, v: &Value) -> R<(Rc<Instance>, Rc<Mapping>)> {
    if let Value::Instance(i) = v {
        if let Some(m) = mapping_of(&i.class) {
            return Ok((i.clone(), m));
        }
    }
    let t = it.type_name(v);
    Err(raise_named(it, "UnmappedInstanceError", "sqlalchemy.orm.exc", &format!("Class '{t}' is not mapped")))
}

fn mapped_class(it: &Interp, v: &Value) -> R<(Rc<Class>, Rc<Mapping>)> {
    if let Value::Class(c) = v {
        if let Some(m) = mapping_of(c) {
            return Ok((c.clone(), m));
        }
    }
    Err(raise_named(it, "ArgumentError", "sqlalchemy.exc", "expected a mapped class"))
}

/// Writes pending objects, changes of persistent ones and deletions.
fn flush(it: &mut Interp, s: &Rc<SessionState>) -> R<()> {
    let new: Vec<Value> = s.new.borrow_mut().drain(..).collect();
    for obj in new {
        insert_object(it, s, &obj, true)?;
    }
    let persistent = s.identity.borrow().clone();
    for obj in persistent {
        update_object(it, s, &obj)?;
    }
    let deleted: Vec<Value> = s.deleted.borrow_mut().drain(..).collect();
    for obj in deleted {
        let (inst, m) = mapped_instance(it, &obj)?;
        let st = state_of(&inst);
        let pk = pk_values(it, &m, &inst, &st)?;
        let sql = format!("DELETE FROM {} WHERE {}", m.table, pk_where(it, &m, &pk)?);
        s.dml(it, sql)?;
        s.identity.borrow_mut().retain(|o| !o.is(&obj));
        *st.committed.borrow_mut() = None;
        *st.session.borrow_mut() = Weak::new();
    }
    Ok(())
}

/// INSERTs a transient/pending object; `attach` makes it persistent in the session.
fn insert_object(it: &mut Interp, s: &Rc<SessionState>, obj: &Value, attach: bool) -> R<()> {
    let (inst, m) = mapped_instance(it, obj)?;
    m.usable(it, &inst)?;
    let mut names = Vec::new();
    let mut lits = Vec::new();
    let mut committed: Vec<Option<Value>> = vec![None; m.columns.len()];
    for (i, col) in m.columns.iter().enumerate() {
        let v = match inst.get(&col.attr) {
            Some(v) => Some(v),
            None => match &col.default {
                Some(d) if matches!(d, Value::Function(_) | Value::Builtin(_) | Value::BoundMethod(_) | Value::Class(_)) => Some(it.call(d, Args::default())?),
                Some(d) => Some(d.clone()),
                None => None,
            },
        };
        if let Some(v) = v {
            names.push(col.name.clone());
            lits.push(bind_literal(it, &col.type_, &v)?);
            inst.set(&col.attr, v.clone());
            committed[i] = Some(v);
        }
    }
    let sql = if names.is_empty() {
        format!("INSERT INTO {} DEFAULT VALUES", m.table)
    } else {
        format!("INSERT INTO {} ({}) VALUES ({})", m.table, names.join(", "), lits.join(", "))
    };
    s.dml(it, sql)?;
    // an integer primary key the database assigned
    let pk = m.pk();
    if let [k] = pk[..] {
        if committed[k].is_none() {
            let r = s.query(it, "SELECT last_insert_rowid()")?;
            let id = r.rows.first().and_then(|row| row.first()).map(db_value).unwrap_or(Value::None);
            inst.set(&m.columns[k].attr, id.clone());
            committed[k] = Some(id);
        }
    }
    if attach {
        // columns the database filled (server defaults) are expired
        for (i, col) in m.columns.iter().enumerate() {
            if committed[i].is_none() {
                inst.dict.borrow_mut().remove(&HashKey::Str(Rc::from(col.attr.as_str())));
            }
        }
        let st = state_of(&inst);
        *st.committed.borrow_mut() = Some(committed);
        *st.session.borrow_mut() = Rc::downgrade(s);
        if !s.identity.borrow().iter().any(|o| o.is(obj)) {
            s.identity.borrow_mut().push(obj.clone());
        }
    }
    Ok(())
}

/// UPDATEs the columns of a persistent object whose value changed since loaded.
fn update_object(it: &mut Interp, s: &Rc<SessionState>, obj: &Value) -> R<()> {
    let (inst, m) = mapped_instance(it, obj)?;
    m.usable(it, &inst)?;
    let st = state_of(&inst);
    let committed = st.committed.borrow().clone();
    let Some(committed) = committed else { return Ok(()) };
    let mut sets = Vec::new();
    let mut changed = Vec::new();
    for (i, col) in m.columns.iter().enumerate() {
        let Some(now) = inst.get(&col.attr) else { continue };
        let same = match &committed[i] {
            Some(old) => {
                let eq = it.compare(ruff_python_ast::CmpOp::Eq, old, &now)?;
                it.truthy(&eq)?
            }
            None => false,
        };
        if !same {
            if col.primary_key {
                return Err(not_supported(it, format!("changing the primary key {}.{} through the ORM", m.class_name, col.attr)));
            }
            sets.push(format!("{}={}", col.name, bind_literal(it, &col.type_, &now)?));
            changed.push((i, now));
        }
    }
    if sets.is_empty() {
        return Ok(());
    }
    let pk = pk_values(it, &m, &inst, &st)?;
    let sql = format!("UPDATE {} SET {} WHERE {}", m.table, sets.join(", "), pk_where(it, &m, &pk)?);
    s.dml(it, sql)?;
    if let Some(c) = st.committed.borrow_mut().as_mut() {
        for (i, v) in changed {
            c[i] = Some(v);
        }
    }
    Ok(())
}

/// Expires every persistent object (after `commit()`).
fn expire_all(s: &Rc<SessionState>, it: &Interp) -> R<()> {
    for obj in s.identity.borrow().iter() {
        let (inst, m) = mapped_instance(it, obj)?;
        let st = state_of(&inst);
        let mut committed = st.committed.borrow_mut();
        if let Some(c) = committed.as_mut() {
            for (i, col) in m.columns.iter().enumerate() {
                // the identity (primary key) stays known
                if !col.primary_key {
                    c[i] = None;
                    inst.dict.borrow_mut().remove(&HashKey::Str(Rc::from(col.attr.as_str())));
                }
            }
        }
    }
    Ok(())
}

fn detach_all(s: &Rc<SessionState>) {
    for obj in s.identity.borrow_mut().drain(..) {
        if let Value::Instance(i) = &obj {
            if let Some(st) = obj_state(i) {
                *st.session.borrow_mut() = Weak::new();
            }
        }
    }
    s.new.borrow_mut().clear();
    s.deleted.borrow_mut().clear();
}

/// Objects of class `cls` for the rows `r` (whose first columns are `cols`
/// of the mapping), through the identity map.
fn load_rows(it: &mut Interp, s: &Rc<SessionState>, cls: &Rc<Class>, m: &Mapping, cols: &[usize], r: &QueryResult) -> R<Vec<Value>> {
    let pk = m.pk();
    let mut out = Vec::new();
    for row in &r.rows {
        let mut values = Vec::new();
        for (k, i) in cols.iter().enumerate() {
            values.push(result_value(it, &m.columns[*i].type_, db_value(&row[k]))?);
        }
        let key: Vec<Value> = pk.iter().map(|p| cols.iter().position(|c| c == p).map(|k| values[k].clone()).unwrap_or(Value::None)).collect();
        let mut existing = None;
        for o in s.identity.borrow().iter() {
            let Value::Instance(oi) = o else { continue };
            if !Rc::ptr_eq(&oi.class, cls) {
                continue;
            }
            let st = state_of(oi);
            let ok = st.committed.borrow().as_ref().is_some_and(|c| pk.iter().zip(&key).all(|(p, k)| c[*p].as_ref().is_some_and(|v| v.is(k) || values_equal(v, k))));
            if ok {
                existing = Some(o.clone());
                break;
            }
        }
        let obj = match existing {
            Some(o) => o,
            None => {
                let inst = Rc::new(Instance::new(cls.clone()));
                let st = state_of(&inst);
                *st.committed.borrow_mut() = Some(vec![None; m.columns.len()]);
                *st.session.borrow_mut() = Rc::downgrade(s);
                let o = Value::Instance(inst);
                s.identity.borrow_mut().push(o.clone());
                o
            }
        };
        let Value::Instance(inst) = &obj else { continue };
        let st = state_of(inst);
        for (k, i) in cols.iter().enumerate() {
            let loaded = st.committed.borrow().as_ref().is_some_and(|c| c[*i].is_some());
            if !loaded {
                inst.set(&m.columns[*i].attr, values[k].clone());
                if let Some(c) = st.committed.borrow_mut().as_mut() {
                    c[*i] = Some(values[k].clone());
                }
            }
        }
        out.push(obj);
    }
    Ok(out)
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        _ => false,
    }
}

/// A query over one mapped class (or column expressions of mapped classes).
#[derive(Clone)]
struct QueryState {
    session: Rc<SessionState>,
    entities: Vec<Value>,
    wheres: Vec<Value>,
    order_by: Vec<Value>,
    limit: Option<Value>,
    offset: Option<Value>,
    /// `load_only(...)`: the attributes to load (the primary key always is).
    only: Option<Vec<String>>,
    /// `join(Target, onclause)`: inner joins.
    joins: Vec<(Rc<Mapping>, Value)>,
}

fn query_of(it: &Interp, v: &Value) -> R<Rc<QueryState>> {
    if let Value::Instance(i) = v {
        if let Some(n) = i.native.borrow().clone() {
            if let Ok(q) = n.downcast::<QueryState>() {
                return Ok(q);
            }
        }
    }
    Err(it.type_error("a Query method needs a Query"))
}

fn query_value(it: &mut Interp, q: QueryState) -> Value {
    let cls = query_class(it);
    let inst = Instance::new(cls);
    *inst.native.borrow_mut() = Some(Rc::new(q));
    Value::Instance(Rc::new(inst))
}

/// The attribute name of a mapped class's column expression `v` (`Model.x`).
fn attr_of(m: &Mapping, v: &Value) -> Option<String> {
    m.columns.iter().find(|c| c.expr.is(v)).map(|c| c.attr.clone())
}

fn render_where(it: &mut Interp, wheres: &[Value]) -> R<String> {
    let mut parts = Vec::new();
    for w in wheres {
        parts.push(super::sql_compiler::render_clause(it, w, wheres.len() > 1)?);
    }
    Ok(parts.join(" AND "))
}

/// The rows a query selects: (the mapping, the loaded column indexes, the result).
fn run_entity_query(it: &mut Interp, q: &QueryState, limit_one: bool) -> R<(Rc<Class>, Rc<Mapping>, Vec<usize>, QueryResult)> {
    let [entity] = &q.entities[..] else {
        return Err(not_supported(it, "a query of more than one entity"));
    };
    let (cls, m) = mapped_class(it, entity)?;
    flush(it, &q.session)?;
    let cols: Vec<usize> = match &q.only {
        Some(only) => (0..m.columns.len()).filter(|i| m.columns[*i].primary_key || only.contains(&m.columns[*i].attr)).collect(),
        None => (0..m.columns.len()).collect(),
    };
    let names: Vec<String> = cols.iter().map(|i| format!("{}.{}", m.table, m.columns[*i].name)).collect();
    let mut sql = format!("SELECT {} \nFROM {}", names.join(", "), m.table);
    sql.push_str(&query_tail(it, q, limit_one)?);
    let r = q.session.query(it, &sql)?;
    Ok((cls, m, cols, r))
}

fn query_tail(it: &mut Interp, q: &QueryState, limit_one: bool) -> R<String> {
    let mut sql = String::new();
    for (m, on) in &q.joins {
        sql.push_str(&format!(" JOIN {} ON {}", m.table, super::sql_compiler::render_clause(it, on, false)?));
    }
    if !q.wheres.is_empty() {
        sql.push_str(&format!(" \nWHERE {}", render_where(it, &q.wheres)?));
    }
    if !q.order_by.is_empty() {
        let mut parts = Vec::new();
        for v in &q.order_by {
            parts.push(super::sql_compiler::render_clause(it, v, false)?);
        }
        sql.push_str(&format!(" ORDER BY {}", parts.join(", ")));
    }
    let limit = if limit_one { Some(Value::Int(1)) } else { q.limit.clone() };
    if limit.is_some() || q.offset.is_some() {
        let l = match &limit {
            Some(v) => literal(it, v)?,
            None => "-1".into(),
        };
        let o = match &q.offset {
            Some(v) => literal(it, v)?,
            None => "0".into(),
        };
        sql.push_str(&format!("\n LIMIT {l} OFFSET {o}"));
    }
    Ok(sql)
}

fn query_all(it: &mut Interp, q: &QueryState, limit_one: bool) -> R<Vec<Value>> {
    if !q.entities.is_empty() && q.entities.iter().all(|e| column_entity(e).is_some()) {
        return query_columns(it, q, limit_one);
    }
    let (cls, m, cols, r) = run_entity_query(it, q, limit_one)?;
    load_rows(it, &q.session, &cls, &m, &cols, &r)
}

/// `Model.x` as a query entity: its table, column name and type.
fn column_entity(v: &Value) -> Option<(String, String, Value)> {
    let Value::Instance(i) = v else { return None };
    let c = construct_of(i)?;
    let t = c.args.kwarg("type_")?.clone();
    let Value::Instance(ci) = c.parent.as_ref()? else { return None };
    let cc = construct_of(ci)?;
    let Value::Instance(ti) = cc.parent.as_ref()? else { return None };
    let tc = construct_of(ti)?;
    let table = super::sql_compiler::table_clause(&tc)?.name;
    Some((table, last_segment(&c.path).to_string(), t))
}

/// `session.query(Model.a, Model.b)`: rows of those columns.
fn query_columns(it: &mut Interp, q: &QueryState, limit_one: bool) -> R<Vec<Value>> {
    flush(it, &q.session)?;
    let cols: Vec<(String, String, Value)> = q.entities.iter().filter_map(column_entity).collect();
    let names: Vec<String> = cols.iter().map(|(t, c, _)| format!("{t}.{c}")).collect();
    let mut sql = format!("SELECT {} \nFROM {}", names.join(", "), cols[0].0);
    sql.push_str(&query_tail(it, q, limit_one)?);
    let r = q.session.query(it, &sql)?;
    let mut rows = Vec::new();
    for row in &r.rows {
        let mut values = Vec::new();
        for (k, (_, _, t)) in cols.iter().enumerate() {
            values.push(result_value(it, t, db_value(&row[k]))?);
        }
        rows.push(values);
    }
    let result = super::result::result_of(it, cols.iter().map(|(_, c, _)| c.clone()).collect(), rows, -1);
    let all = it.getattr(&result, "all")?;
    let rows = it.call(&all, Args::default())?;
    it.iterate(&rows)
}

fn no_result(it: &Interp) -> Box<super::eval::Exc> {
    raise_named(it, "NoResultFound", "sqlalchemy.exc", "No row was found when one was required")
}

fn multiple_results(it: &Interp) -> Box<super::eval::Exc> {
    raise_named(it, "MultipleResultsFound", "sqlalchemy.exc", "Multiple rows were found when exactly one was required")
}

fn query_class(it: &mut Interp) -> Rc<Class> {
    if let Some(Value::Class(c)) = it.builtins.get("__sa_orm_query__") {
        return c;
    }
    let cls = new_plain_class(it, "Query", "sqlalchemy.orm.query");
    {
        let mut d = cls.dict.borrow_mut();
        let gen = |name: &'static str, f: fn(&mut Interp, &mut QueryState, &Args) -> R<()>| {
            native_fn(name, move |it, a| {
                let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
                let mut q = (*q).clone();
                let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
                f(it, &mut q, &rest)?;
                Ok(query_value(it, q))
            })
        };
        for name in ["filter", "where"] {
            d.set_str(name, gen(name, |_, q, a| {
                q.wheres.extend(a.pos.iter().cloned());
                Ok(())
            }));
        }
        d.set_str("filter_by", gen("filter_by", |it, q, a| {
            let (_, m) = mapped_class(it, q.entities.first().unwrap_or(&Value::None))?;
            for (k, v) in &a.kw {
                let Some((_, col)) = m.column(k) else {
                    return Err(raise_named(it, "InvalidRequestError", "sqlalchemy.exc", &format!("Entity namespace for \"{}\" has no property \"{k}\"", m.table)));
                };
                let eq = it.compare(ruff_python_ast::CmpOp::Eq, &col.expr.clone(), v)?;
                q.wheres.push(eq);
            }
            Ok(())
        }));
        d.set_str("order_by", gen("order_by", |_, q, a| {
            q.order_by.extend(a.pos.iter().cloned());
            Ok(())
        }));
        d.set_str("limit", gen("limit", |_, q, a| {
            q.limit = a.pos.first().cloned();
            Ok(())
        }));
        d.set_str("offset", gen("offset", |_, q, a| {
            q.offset = a.pos.first().cloned();
            Ok(())
        }));
        d.set_str("options", gen("options", |it, q, a| {
            let (_, m) = mapped_class(it, q.entities.first().unwrap_or(&Value::None))?;
            for o in &a.pos {
                let c = match o {
                    Value::Instance(i) => construct_of(i),
                    _ => None,
                };
                match c {
                    Some(c) if last_segment(&c.path) == "load_only" => {
                        let mut only = Vec::new();
                        for v in &c.args.pos {
                            match attr_of(&m, v) {
                                Some(a) => only.push(a),
                                None => return Err(not_supported(it, "load_only() of something other than a column of the queried class")),
                            }
                        }
                        q.only = Some(only);
                    }
                    Some(c) => return Err(not_supported(it, format!("the loader option {}()", last_segment(&c.path)))),
                    None => return Err(not_supported(it, "a loader option that is not load_only()")),
                }
            }
            Ok(())
        }));
        d.set_str("yield_per", gen("yield_per", |_, _, _| Ok(())));
        d.set_str("join", gen("join", |it, q, a| {
            let (_, m) = mapped_class(it, a.pos.first().unwrap_or(&Value::None))?;
            let Some(on) = a.pos.get(1).cloned() else { return Err(not_supported(it, "Query.join() without an ON clause")) };
            if a.pos.len() > 2 || !a.kw.is_empty() {
                return Err(not_supported(it, "Query.join() with more than a target and an ON clause"));
            }
            q.joins.push((m, on));
            Ok(())
        }));
        for name in ["outerjoin", "group_by", "having", "distinct", "with_entities", "select_from", "populate_existing"] {
            d.set_str(name, native_fn(name, move |it, _| Err(not_supported(it, format!("Query.{name}()")))));
        }
        d.set_str("all", native_fn("all", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            Ok(Value::list(query_all(it, &q, false)?))
        }));
        d.set_str("__iter__", native_fn("__iter__", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            Ok(Value::list(query_all(it, &q, false)?))
        }));
        d.set_str("first", native_fn("first", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            Ok(query_all(it, &q, true)?.into_iter().next().unwrap_or(Value::None))
        }));
        d.set_str("one", native_fn("one", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            let rows = query_all(it, &q, false)?;
            match rows.len() {
                0 => Err(no_result(it)),
                1 => Ok(rows[0].clone()),
                _ => Err(multiple_results(it)),
            }
        }));
        d.set_str("one_or_none", native_fn("one_or_none", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            let rows = query_all(it, &q, false)?;
            match rows.len() {
                0 => Ok(Value::None),
                1 => Ok(rows[0].clone()),
                _ => Err(multiple_results(it)),
            }
        }));
        d.set_str("count", native_fn("count", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            let [entity] = &q.entities[..] else { return Err(not_supported(it, "count() of a query of more than one entity")) };
            let (_, m) = mapped_class(it, entity)?;
            flush(it, &q.session)?;
            let names: Vec<String> = m.columns.iter().map(|c| format!("{}.{} AS {}_{}", m.table, c.name, m.table, c.name)).collect();
            let inner = format!("SELECT {} \nFROM {}{}", names.join(", "), m.table, query_tail(it, &q, false)?);
            let sql = format!("SELECT count(*) AS count_1 \nFROM ({inner}) AS anon_1");
            let r = q.session.query(it, &sql)?;
            Ok(r.rows.first().and_then(|row| row.first()).map(db_value).unwrap_or(Value::Int(0)))
        }));
        d.set_str("get", native_fn("get", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            let ident = a.pos.get(1).cloned().unwrap_or(Value::None);
            let entity = q.entities.first().cloned().unwrap_or(Value::None);
            session_get(it, &q.session, &entity, &ident)
        }));
        d.set_str("delete", native_fn("delete", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            let (_, m) = mapped_class(it, q.entities.first().unwrap_or(&Value::None))?;
            flush(it, &q.session)?;
            let w = if q.wheres.is_empty() { String::new() } else { format!(" WHERE {}", render_where(it, &q.wheres)?) };
            let n = q.session.dml(it, format!("DELETE FROM {}{w}", m.table))?;
            Ok(Value::Int(n))
        }));
        d.set_str("update", native_fn("update", |it, a| {
            let q = query_of(it, a.pos.first().unwrap_or(&Value::None))?;
            let (_, m) = mapped_class(it, q.entities.first().unwrap_or(&Value::None))?;
            let values = a.pos.get(1).cloned().unwrap_or(Value::None);
            flush(it, &q.session)?;
            let mut sets = Vec::new();
            for (k, v) in it.mapping_items(&values)? {
                let col = match &k {
                    Value::Str(s) => m.column(s).map(|(_, c)| c),
                    other => m.columns.iter().find(|c| c.expr.is(other)),
                };
                let Some(col) = col else { return Err(not_supported(it, "Query.update() of something other than a column of the queried class")) };
                let (name, t) = (col.name.clone(), col.type_.clone());
                sets.push(format!("{name}={}", bind_literal(it, &t, &v)?));
            }
            let w = if q.wheres.is_empty() { String::new() } else { format!(" WHERE {}", render_where(it, &q.wheres)?) };
            let n = q.session.dml(it, format!("UPDATE {} SET {}{w}", m.table, sets.join(", ")))?;
            Ok(Value::Int(n))
        }));
    }
    it.builtins.set("__sa_orm_query__", Value::Class(cls.clone()));
    cls
}

fn session_get(it: &mut Interp, s: &Rc<SessionState>, entity: &Value, ident: &Value) -> R<Value> {
    let (cls, m) = mapped_class(it, entity)?;
    let key = match ident {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let pk = m.pk();
    if key.len() != pk.len() {
        return Err(raise_named(it, "InvalidRequestError", "sqlalchemy.exc", "Incorrect number of values in identifier formed from argument"));
    }
    let mut wheres = Vec::new();
    for (i, v) in pk.iter().zip(&key) {
        let eq = it.compare(ruff_python_ast::CmpOp::Eq, &m.columns[*i].expr.clone(), v)?;
        wheres.push(eq);
    }
    let q = QueryState { session: s.clone(), entities: vec![Value::Class(cls)], wheres, order_by: Vec::new(), limit: None, offset: None, only: None, joins: Vec::new() };
    Ok(query_all(it, &q, false)?.into_iter().next().unwrap_or(Value::None))
}

fn session_class(it: &mut Interp) -> Rc<Class> {
    if let Some(Value::Class(c)) = it.builtins.get("__sa_orm_session__") {
        return c;
    }
    let cls = new_plain_class(it, "Session", "sqlalchemy.orm.session");
    {
        let mut d = cls.dict.borrow_mut();
        let method = |name: &'static str, f: fn(&mut Interp, &Rc<SessionState>, &Args) -> R<Value>| {
            native_fn(name, move |it, a| {
                let s = session_of(it, a.pos.first().unwrap_or(&Value::None))?;
                let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
                f(it, &s, &rest)
            })
        };
        d.set_str("__enter__", native_fn("__enter__", |_, a| Ok(a.pos.first().cloned().unwrap_or(Value::None))));
        d.set_str("__exit__", method("__exit__", |_, s, _| {
            detach_all(s);
            Ok(Value::Bool(false))
        }));
        d.set_str("close", method("close", |_, s, _| {
            detach_all(s);
            Ok(Value::None)
        }));
        d.set_str("flush", method("flush", |it, s, _| {
            flush(it, s)?;
            Ok(Value::None)
        }));
        d.set_str("commit", method("commit", |it, s, _| {
            flush(it, s)?;
            expire_all(s, it)?;
            Ok(Value::None)
        }));
        d.set_str("rollback", method("rollback", |it, _, _| {
            Err(not_supported(it, "Session.rollback() (it would roll back the migration's own transaction)"))
        }));
        d.set_str("expire_all", method("expire_all", |it, s, _| {
            expire_all(s, it)?;
            Ok(Value::None)
        }));
        d.set_str("add", method("add", |it, s, a| {
            add(it, s, a.pos.first().unwrap_or(&Value::None))?;
            Ok(Value::None)
        }));
        d.set_str("add_all", method("add_all", |it, s, a| {
            for o in it.iterate(a.pos.first().unwrap_or(&Value::None))? {
                add(it, s, &o)?;
            }
            Ok(Value::None)
        }));
        d.set_str("delete", method("delete", |it, s, a| {
            let obj = a.pos.first().cloned().unwrap_or(Value::None);
            let (inst, m) = mapped_instance(it, &obj)?;
            if s.new.borrow().iter().any(|o| o.is(&obj)) {
                s.new.borrow_mut().retain(|o| !o.is(&obj));
                return Ok(Value::None);
            }
            if state_of(&inst).committed.borrow().is_none() {
                return Err(raise_named(it, "InvalidRequestError", "sqlalchemy.exc", &format!("Instance '<{} at 0x...>' is not persisted", m.class_name)));
            }
            if !s.deleted.borrow().iter().any(|o| o.is(&obj)) {
                s.deleted.borrow_mut().push(obj);
            }
            Ok(Value::None)
        }));
        d.set_str("merge", method("merge", |it, s, a| {
            let obj = a.pos.first().cloned().unwrap_or(Value::None);
            let (inst, m) = mapped_instance(it, &obj)?;
            let pk: Vec<Value> = m.pk().iter().map(|i| inst.get(&m.columns[*i].attr).unwrap_or(Value::None)).collect();
            let existing = if pk.iter().any(|v| v.is_none()) {
                Value::None
            } else {
                let ident = if pk.len() == 1 { pk[0].clone() } else { Value::tuple(pk) };
                session_get(it, s, &Value::Class(inst.class.clone()), &ident)?
            };
            let target = match existing {
                Value::None => {
                    let t = Value::Instance(Rc::new(Instance::new(inst.class.clone())));
                    add(it, s, &t)?;
                    t
                }
                e => e,
            };
            let Value::Instance(ti) = &target else { return Ok(target) };
            for col in &m.columns {
                if let Some(v) = inst.get(&col.attr) {
                    ti.set(&col.attr, v);
                }
            }
            Ok(target)
        }));
        d.set_str("get", method("get", |it, s, a| {
            let entity = a.pos.first().cloned().unwrap_or(Value::None);
            let ident = a.pos.get(1).cloned().unwrap_or(Value::None);
            session_get(it, s, &entity, &ident)
        }));
        d.set_str("query", method("query", |it, s, a| {
            let columns = !a.pos.is_empty() && a.pos.iter().all(|e| column_entity(e).is_some());
            if !columns {
                for e in &a.pos {
                    if !matches!(e, Value::Class(c) if mapping_of(c).is_some()) {
                        return Err(not_supported(it, "Session.query() of something other than one mapped class or its columns"));
                    }
                }
                if a.pos.len() != 1 {
                    return Err(not_supported(it, "Session.query() of more than one entity"));
                }
            }
            let q = QueryState { session: s.clone(), entities: a.pos.clone(), wheres: Vec::new(), order_by: Vec::new(), limit: None, offset: None, only: None, joins: Vec::new() };
            Ok(query_value(it, q))
        }));
        d.set_str("execute", method("execute", |it, s, a| session_execute(it, s, a)));
        d.set_str("scalars", method("scalars", |it, s, a| {
            let r = session_execute(it, s, a)?;
            let f = it.getattr(&r, "scalars")?;
            it.call(&f, Args::default())
        }));
        d.set_str("scalar", method("scalar", |it, s, a| {
            let r = session_execute(it, s, a)?;
            let f = it.getattr(&r, "scalar")?;
            it.call(&f, Args::default())
        }));
        d.set_str("bulk_save_objects", method("bulk_save_objects", |it, s, a| {
            for o in it.iterate(a.pos.first().unwrap_or(&Value::None))? {
                let (inst, _) = mapped_instance(it, &o)?;
                match state_of(&inst).committed.borrow().is_some() {
                    true => update_object(it, s, &o)?,
                    false => insert_object(it, s, &o, false)?,
                }
            }
            Ok(Value::None)
        }));
        d.set_str("bulk_insert_mappings", method("bulk_insert_mappings", |it, s, a| {
            let (cls, _) = mapped_class(it, a.pos.first().unwrap_or(&Value::None))?;
            for row in it.iterate(a.pos.get(1).unwrap_or(&Value::None))? {
                let obj = Value::Instance(Rc::new(Instance::new(cls.clone())));
                let Value::Instance(inst) = &obj else { continue };
                for (k, v) in it.mapping_items(&row)? {
                    if let Value::Str(k) = k {
                        inst.set(&k, v);
                    }
                }
                insert_object(it, s, &obj, false)?;
            }
            Ok(Value::None)
        }));
        d.set_str("bulk_update_mappings", method("bulk_update_mappings", |it, s, a| {
            let (_, m) = mapped_class(it, a.pos.first().unwrap_or(&Value::None))?;
            for row in it.iterate(a.pos.get(1).unwrap_or(&Value::None))? {
                let mut sets = Vec::new();
                let mut pk = Vec::new();
                for (k, v) in it.mapping_items(&row)? {
                    let Value::Str(k) = k else { continue };
                    let Some((_, col)) = m.column(&k) else { continue };
                    let (name, t, is_pk) = (col.name.clone(), col.type_.clone(), col.primary_key);
                    let lit = bind_literal(it, &t, &v)?;
                    match is_pk {
                        true => pk.push(format!("{}.{name} = {lit}", m.table)),
                        false => sets.push(format!("{name}={lit}")),
                    }
                }
                if pk.len() != m.pk().len() {
                    return Err(not_supported(it, "bulk_update_mappings() rows without the full primary key"));
                }
                if !sets.is_empty() {
                    s.dml(it, format!("UPDATE {} SET {} WHERE {}", m.table, sets.join(", "), pk.join(" AND ")))?;
                }
            }
            Ok(Value::None)
        }));
    }
    it.builtins.set("__sa_orm_session__", Value::Class(cls.clone()));
    cls
}

fn add(it: &mut Interp, s: &Rc<SessionState>, obj: &Value) -> R<()> {
    let (inst, m) = mapped_instance(it, obj)?;
    m.usable(it, &inst)?;
    let st = state_of(&inst);
    if st.committed.borrow().is_some() {
        if let Some(other) = st.session.borrow().upgrade() {
            if !Rc::ptr_eq(&other, s) {
                return Err(raise_named(it, "InvalidRequestError", "sqlalchemy.exc", "Object is already attached to another session"));
            }
            return Ok(());
        }
        *st.session.borrow_mut() = Rc::downgrade(s);
        s.identity.borrow_mut().push(obj.clone());
        return Ok(());
    }
    if !s.new.borrow().iter().any(|o| o.is(obj)) {
        s.new.borrow_mut().push(obj.clone());
    }
    Ok(())
}

/// `Session.execute(statement, params=None)`: after an autoflush, a
/// `text()` with its parameters, a Core statement, or an ORM `select(Model)`.
fn session_execute(it: &mut Interp, s: &Rc<SessionState>, a: &Args) -> R<Value> {
    let stmt = a.pos.first().cloned().or_else(|| a.kwarg("statement").cloned()).unwrap_or(Value::None);
    let params = a.pos.get(1).cloned().or_else(|| a.kwarg("params").cloned());
    flush(it, s)?;
    if let Value::Str(sql) = &stmt {
        return Err(raise_named(
            it,
            "ArgumentError",
            "sqlalchemy.exc",
            &format!("Textual SQL expression '{sql}' should be explicitly declared as text('{sql}')"),
        ));
    }
    // select(Model)...: objects
    if let Some(q) = orm_select(it, s, &stmt)? {
        let objs = query_all(it, &q, false)?;
        let rows = objs.into_iter().map(|o| vec![o]).collect();
        let m = mapped_class(it, &q.entities[0])?.1;
        return Ok(super::result::result_of(it, vec![m.class_name.clone()], rows, -1));
    }
    super::alembic::execute_statement(it, &s.host, &stmt, params)
}

/// `select(Model).where(...).options(...)...` as a query, when `v` is one.
fn orm_select(it: &mut Interp, s: &Rc<SessionState>, v: &Value) -> R<Option<QueryState>> {
    let Value::Instance(i) = v else { return Ok(None) };
    let Some(c) = construct_of(i) else { return Ok(None) };
    let method = last_segment(&c.path);
    if c.parent.is_none() || (method == "select" && c.path.starts_with("sqlalchemy")) {
        if method != "select" || !c.path.starts_with("sqlalchemy") {
            return Ok(None);
        }
        let mapped = c.args.pos.iter().any(|e| matches!(e, Value::Class(k) if mapping_of(k).is_some()));
        if !mapped {
            return Ok(None);
        }
        if c.args.pos.len() != 1 {
            return Err(not_supported(it, "select() of a mapped class with other columns"));
        }
        return Ok(Some(QueryState { session: s.clone(), entities: c.args.pos.clone(), wheres: Vec::new(), order_by: Vec::new(), limit: None, offset: None, only: None, joins: Vec::new() }));
    }
    let Some(parent) = c.parent.clone() else { return Ok(None) };
    let Some(mut q) = orm_select(it, s, &parent)? else { return Ok(None) };
    let (_, m) = mapped_class(it, &q.entities[0])?;
    match method {
        "where" | "filter" => q.wheres.extend(c.args.pos.iter().cloned()),
        "filter_by" => {
            for (k, v) in &c.args.kw {
                let Some((_, col)) = m.column(k) else { return Err(not_supported(it, format!("filter_by() of {k}"))) };
                let eq = it.compare(ruff_python_ast::CmpOp::Eq, &col.expr.clone(), v)?;
                q.wheres.push(eq);
            }
        }
        "order_by" => q.order_by.extend(c.args.pos.iter().cloned()),
        "limit" => q.limit = c.args.pos.first().cloned(),
        "offset" => q.offset = c.args.pos.first().cloned(),
        "execution_options" => {}
        "options" => {
            for o in &c.args.pos {
                let oc = match o {
                    Value::Instance(i) => construct_of(i),
                    _ => None,
                };
                match oc {
                    Some(oc) if last_segment(&oc.path) == "load_only" => {
                        let mut only = Vec::new();
                        for v in &oc.args.pos {
                            match attr_of(&m, v) {
                                Some(a) => only.push(a),
                                None => return Err(not_supported(it, "load_only() of something other than a column of the selected class")),
                            }
                        }
                        q.only = Some(only);
                    }
                    _ => return Err(not_supported(it, "a loader option that is not load_only()")),
                }
            }
        }
        other => return Err(not_supported(it, format!("select(Model).{other}()"))),
    }
    Ok(Some(q))
}

/// `orm.Session(bind=...)` / `Session(bind)`.
fn new_session(it: &mut Interp, host: &Rc<ScriptHost>, a: &Args) -> R<Value> {
    let bind = a.pos.first().cloned().or_else(|| a.kwarg("bind").cloned());
    if !matches!(bind, Some(Value::Instance(ref i)) if matches!(i.class.name.as_str(), "Connection" | "Engine")) {
        return Err(not_supported(it, "a Session that is not bound to the migration's connection (Session(bind=op.get_bind()))"));
    }
    let cls = session_class(it);
    let inst = Instance::new(cls);
    let state = Rc::new(SessionState { host: host.clone(), identity: RefCell::new(Vec::new()), new: RefCell::new(Vec::new()), deleted: RefCell::new(Vec::new()) });
    *inst.native.borrow_mut() = Some(state);
    Ok(Value::Instance(Rc::new(inst)))
}

// ----- reflection --------------------------------------------------------------------

/// The `Table` SQLAlchemy reflects for `name` from the database: its name
/// and its reflected columns ([`reflected_columns`]).
fn reflected_table(it: &mut Interp, host: &Rc<ScriptHost>, name: &str, metadata: Value) -> R<Value> {
    if host.offline() {
        return Err(it.exc("NotImplementedError", "reflecting a table needs a database; it cannot run in --sql mode"));
    }
    let mut args = vec![Value::str(name), metadata];
    args.extend(reflected_columns(it, host, name, None)?);
    let base = sa_base_class(it);
    Ok(opaque_of(&base, Construct { path: "sqlalchemy.Table".into(), site: None, args: Args::new(args), parent: None }))
}

/// The columns SQLAlchemy reflects for table `name` (those `include` names,
/// when given), in the table's order, each a `Column(name, TYPE(),
/// primary_key=, nullable=)`: the columns a `Table` reflected at run time is
/// declared with. A table that is not there is `NoSuchTableError`.
pub(super) fn reflected_columns(it: &mut Interp, host: &Rc<ScriptHost>, name: &str, include: Option<&[String]>) -> R<Vec<Value>> {
    let table = super::alembic::reflect_now(it, host, name)?;
    let base = sa_base_class(it);
    let mut out = Vec::new();
    for col in table.columns.iter().filter(|c| include.is_none_or(|i| i.contains(&c.name))) {
        let type_value = super::alembic::type_instance(it, &col.type_)?;
        let kw = vec![("primary_key".to_string(), Value::Bool(col.primary_key)), ("nullable".to_string(), Value::Bool(col.nullable))];
        let args = Args { pos: vec![Value::str(&col.name), type_value], kw };
        out.push(opaque_of(&base, Construct { path: "sqlalchemy.sql.schema.Column".into(), site: None, args, parent: None }));
    }
    Ok(out)
}

/// `sa.MetaData()` with `reflect(bind, only=None)` filling `tables`.
fn metadata_class(it: &mut Interp, module: &str, host: &Rc<ScriptHost>) -> Rc<Class> {
    let base = sa_base_class(it);
    let bases = vec![base.clone()];
    let cls = Class::new("MetaData", module, bases, BuiltinType::Object, None);
    let init = base.dict.borrow().get_str("__init__").cloned().unwrap_or(Value::None);
    let mut d = cls.dict.borrow_mut();
    d.set_str("__init__", native_fn("__init__", move |it, a| {
        // SQLAlchemy 2's signature: `bind=` (1.x) is gone
        for (k, _) in &a.kw {
            if !matches!(k.as_str(), "schema" | "quote_schema" | "naming_convention" | "info") {
                return Err(it.type_error(format!("MetaData.__init__() got an unexpected keyword argument '{k}'")));
            }
        }
        if a.pos.len() > 2 {
            return Err(it.type_error(format!("MetaData.__init__() takes from 1 to 2 positional arguments but {} were given", a.pos.len())));
        }
        it.call(&init, a.clone())?;
        if let Some(Value::Instance(me)) = a.pos.first() {
            me.set("tables", Value::dict(Dict::new()));
        }
        Ok(Value::None)
    }));
    let h = host.clone();
    d.set_str("reflect", native_fn("reflect", move |it, a| {
        let me = a.pos.first().cloned().unwrap_or(Value::None);
        let bind = a.pos.get(1).cloned().or_else(|| a.kwarg("bind").cloned());
        if !matches!(bind, Some(Value::Instance(ref i)) if matches!(i.class.name.as_str(), "Connection" | "Engine")) {
            return Err(not_supported(it, "MetaData.reflect() of something other than the migration's connection"));
        }
        for (k, v) in &a.kw {
            if k != "bind" && !(k == "only" && v.is_none()) && !(k == "views" && matches!(v, Value::Bool(false))) {
                return Err(not_supported(it, format!("MetaData.reflect({k}=...)")));
            }
        }
        let r = h.with_sink_do(it, |s| s.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name"))?;
        let Some(r) = r else { return Err(it.exc("NotImplementedError", "reflecting tables needs a database; it cannot run in --sql mode")) };
        let names: Vec<String> = r.rows.iter().filter_map(|row| row.first().and_then(|v| v.as_str().map(str::to_string))).collect();
        let tables = it.getattr(&me, "tables")?;
        for name in names {
            let t = reflected_table(it, &h, &name, me.clone())?;
            let key = Value::str(&name);
            let hk = it.hash_key(&key)?;
            if let Value::Dict(d) = &tables {
                d.borrow_mut().insert(hk, key, t);
            }
        }
        Ok(Value::None)
    }));
    drop(d);
    cls
}

/// The ORM names of the SQLAlchemy modules, when `attr` is one.
pub(super) fn sa_attr(it: &mut Interp, module: &str, attr: &str, host: &Rc<ScriptHost>) -> Option<Value> {
    let orm = module == "sqlalchemy.orm" || module == "sqlalchemy.orm.session" || module.starts_with("sqlalchemy.ext.declarative");
    match attr {
        "declarative_base" if orm || module == "sqlalchemy.orm.decl_api" => {
            let module = module.to_string();
            Some(native_fn("declarative_base", move |it, a| {
                if !a.pos.is_empty() || a.kw.iter().any(|(k, _)| k != "name") {
                    return Err(not_supported(it, "declarative_base() with arguments"));
                }
                Ok(Value::Class(declarative_base_class(it, "Base", &module)))
            }))
        }
        "DeclarativeBase" if orm => {
            let key = "__sa_orm_declarative_base__";
            if let Some(v) = it.builtins.get(key) {
                return Some(v);
            }
            let v = Value::Class(declarative_base_class(it, "DeclarativeBase", "sqlalchemy.orm.decl_api"));
            it.builtins.set(key, v.clone());
            Some(v)
        }
        "MetaData" if matches!(module, "sqlalchemy" | "sqlalchemy.schema" | "sqlalchemy.sql.schema") => {
            let key = format!("__sa_metadata__{module}");
            if let Some(v) = it.builtins.get(&key) {
                return Some(v);
            }
            let v = Value::Class(metadata_class(it, module, host));
            it.builtins.set(&key, v.clone());
            Some(v)
        }
        "Session" if orm => {
            let h = host.clone();
            Some(native_fn("Session", move |it, a| new_session(it, &h, &a)))
        }
        "sessionmaker" if orm => {
            let h = host.clone();
            Some(native_fn("sessionmaker", move |it, a| {
                let outer = a.clone();
                let h = h.clone();
                let _ = it;
                Ok(native_fn("sessionmaker", move |it, a| {
                    let mut merged = outer.clone();
                    merged.pos.extend(a.pos.iter().cloned());
                    merged.kw.extend(a.kw.iter().cloned());
                    new_session(it, &h, &merged)
                }))
            }))
        }
        _ => None,
    }
}

/// What the ORM's native payloads hold (mappings, sessions, queries, object
/// states), for the interpreter's teardown.
pub(crate) fn native_references(native: &Rc<dyn std::any::Any>, values: &mut Vec<Value>, _envs: &mut Vec<Rc<super::eval::Env>>) {
    if let Some(m) = native.downcast_ref::<Mapping>() {
        values.push(m.table_value.clone());
        for c in &m.columns {
            values.push(c.type_.clone());
            values.push(c.expr.clone());
            values.extend(c.default.iter().cloned());
        }
    } else if let Some(s) = native.downcast_ref::<SessionState>() {
        for list in [&s.identity, &s.new, &s.deleted] {
            values.append(&mut list.borrow_mut());
        }
    } else if let Some(q) = native.downcast_ref::<QueryState>() {
        values.extend(q.entities.iter().chain(&q.wheres).chain(&q.order_by).cloned());
        values.extend(q.limit.iter().chain(q.offset.iter()).cloned());
        if let Ok(mut list) = q.session.identity.try_borrow_mut() {
            values.append(&mut list);
        }
    } else if let Some(o) = native.downcast_ref::<ObjState>() {
        if let Some(committed) = o.committed.borrow_mut().take() {
            values.extend(committed.into_iter().flatten());
        }
    }
}
