//! Python values as the evaluator holds them.
//!
//! Invariants:
//! - Mutable containers (list, dict, set, instance and class namespaces) are
//!   shared through `Rc<RefCell<..>>`, so aliasing behaves as in Python.
//!   Borrows are never held across a call back into the evaluator.
//! - Dicts and sets keep insertion order (`IndexMap` keyed by [`HashKey`]);
//!   equal keys across types (`1`, `1.0`, `True`) collide as in Python.
//! - `int` is an `i64`; an operation that would overflow raises
//!   `OverflowError` instead of wrapping, so a result is never wrong.
//! - Every class, builtin or not, is a [`Class`]; `type(x)` and
//!   `isinstance` walk one linearised MRO.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use indexmap::IndexMap;
use ruff_python_ast as ast;

use super::eval::{Args, Env, Interp, ModuleCode, R};

/// A Python value.
#[derive(Clone)]
pub enum Value {
    None,
    Ellipsis,
    NotImplemented,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<[Value]>),
    List(Rc<RefCell<Vec<Value>>>),
    Dict(Rc<RefCell<Dict>>),
    Set(Rc<RefCell<Dict>>),
    Range(i64, i64, i64),
    Slice(Rc<[Value; 3]>),
    Function(Rc<Function>),
    Builtin(Rc<Builtin>),
    BoundMethod(Rc<BoundMethod>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Module(Rc<Module>),
    Iterator(Rc<RefCell<IterState>>),
    /// `property`, `staticmethod`, `classmethod`.
    Descriptor(Rc<Descriptor>),
    /// `super()` bound to (the class it was called in, the object).
    Super(Rc<(Rc<Class>, Value)>),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::repr::repr_shallow(self))
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::from(items))
    }
    pub fn dict(d: Dict) -> Value {
        Value::Dict(Rc::new(RefCell::new(d)))
    }
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// Identity, as `is` compares (values without identity compare by value
    /// where Python interns them: None, bools, small ints, equal strings).
    pub fn is(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) | (Ellipsis, Ellipsis) | (NotImplemented, NotImplemented) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (Str(a), Str(b)) => Rc::ptr_eq(a, b) || a == b,
            (Bytes(a), Bytes(b)) => Rc::ptr_eq(a, b),
            (Tuple(a), Tuple(b)) => Rc::ptr_eq(a, b) || (a.is_empty() && b.is_empty()),
            (List(a), List(b)) => Rc::ptr_eq(a, b),
            (Dict(a), Dict(b)) | (Set(a), Set(b)) => Rc::ptr_eq(a, b),
            (Function(a), Function(b)) => Rc::ptr_eq(a, b),
            (Builtin(a), Builtin(b)) => Rc::ptr_eq(a, b),
            (Class(a), Class(b)) => Rc::ptr_eq(a, b),
            (Instance(a), Instance(b)) => Rc::ptr_eq(a, b),
            (Module(a), Module(b)) => Rc::ptr_eq(a, b),
            (Iterator(a), Iterator(b)) => Rc::ptr_eq(a, b),
            (Descriptor(a), Descriptor(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// A stable identity for `id()`-like uses and hashing by identity.
    pub fn identity(&self) -> usize {
        match self {
            Value::List(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Dict(r) | Value::Set(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Function(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Builtin(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::BoundMethod(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Class(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Instance(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Module(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Iterator(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Descriptor(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Super(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Tuple(r) => r.as_ptr() as usize,
            Value::Str(r) => r.as_ptr() as usize,
            Value::Bytes(r) => r.as_ptr() as usize,
            Value::Slice(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::None => 1,
            Value::Ellipsis => 2,
            Value::NotImplemented => 3,
            Value::Bool(b) => 4 + *b as usize,
            Value::Int(i) => *i as usize,
            Value::Float(f) => f.to_bits() as usize,
            Value::Range(a, b, c) => (*a as usize) ^ (*b as usize) ^ (*c as usize),
        }
    }
}

/// A dict key: the hash identity Python would use.
///
/// `Hash` is written by hand so that a borrowed [`StrKey`] hashes exactly as
/// the `HashKey::Str` it stands for: namespace lookups by name then need no
/// allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashKey {
    None,
    Ellipsis,
    Int(i64),
    Float(u64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Vec<HashKey>),
    Id(usize),
}

impl Hash for HashKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            HashKey::None => state.write_u8(0),
            HashKey::Ellipsis => state.write_u8(1),
            HashKey::Int(i) => {
                state.write_u8(2);
                i.hash(state)
            }
            HashKey::Float(f) => {
                state.write_u8(3);
                f.hash(state)
            }
            HashKey::Str(s) => StrKey(s).hash(state),
            HashKey::Bytes(b) => {
                state.write_u8(5);
                b.hash(state)
            }
            HashKey::Tuple(items) => {
                state.write_u8(6);
                items.hash(state)
            }
            HashKey::Id(id) => {
                state.write_u8(7);
                id.hash(state)
            }
        }
    }
}

/// A borrowed `HashKey::Str`, for lookups by name without an `Rc<str>`.
#[derive(Clone, Copy)]
pub struct StrKey<'a>(pub &'a str);

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u8(4);
        self.0.hash(state)
    }
}

impl indexmap::Equivalent<HashKey> for StrKey<'_> {
    fn equivalent(&self, key: &HashKey) -> bool {
        matches!(key, HashKey::Str(s) if **s == *self.0)
    }
}

/// An insertion-ordered dict (also a set, with `None` values).
#[derive(Clone, Default)]
pub struct Dict {
    /// Hashed with FxHash: the order is insertion order whatever the hasher,
    /// and SipHash's resistance to chosen keys buys nothing in a local
    /// evaluator while it cost a tenth of loading a migration chain.
    pub map: IndexMap<HashKey, (Value, Value), rustc_hash::FxBuildHasher>,
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }
    pub fn with_capacity(n: usize) -> Dict {
        Dict { map: IndexMap::with_capacity_and_hasher(n, Default::default()) }
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    pub fn get(&self, k: &HashKey) -> Option<&Value> {
        self.map.get(k).map(|(_, v)| v)
    }
    pub fn insert(&mut self, hk: HashKey, k: Value, v: Value) {
        match self.map.get_mut(&hk) {
            // Python keeps the first key object and replaces the value.
            Some(slot) => slot.1 = v,
            None => {
                self.map.insert(hk, (k, v));
            }
        }
    }
    pub fn remove(&mut self, k: &HashKey) -> Option<(Value, Value)> {
        self.map.shift_remove(k)
    }
    pub fn keys(&self) -> Vec<Value> {
        self.map.values().map(|(k, _)| k.clone()).collect()
    }
    pub fn values(&self) -> Vec<Value> {
        self.map.values().map(|(_, v)| v.clone()).collect()
    }
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.map.values().cloned().collect()
    }
    /// A str-keyed entry, for namespaces.
    pub fn get_str(&self, k: &str) -> Option<&Value> {
        self.map.get(&StrKey(k)).map(|(_, v)| v)
    }
    pub fn set_str(&mut self, k: &str, v: Value) {
        self.set_str_with(k, v, intern);
    }
    /// `set_str` with a name already shared as an `Rc<str>`.
    pub fn set_name(&mut self, k: Rc<str>, v: Value) {
        let name = k.clone();
        self.set_str_with(&k, v, move |_| name);
    }
    /// Sets `k`, hashing it once: a new entry takes its key from `key`.
    fn set_str_with(&mut self, k: &str, v: Value, key: impl FnOnce(&str) -> Rc<str>) {
        use indexmap::map::raw_entry_v1::RawEntryMut;
        use indexmap::map::RawEntryApiV1;
        use std::hash::BuildHasher;
        let hash = self.map.hasher().hash_one(StrKey(k));
        match self.map.raw_entry_mut_v1().from_key_hashed_nocheck(hash, &StrKey(k)) {
            RawEntryMut::Occupied(mut slot) => slot.get_mut().1 = v,
            RawEntryMut::Vacant(slot) => {
                let key = key(k);
                slot.insert_hashed_nocheck(hash, HashKey::Str(key.clone()), (Value::Str(key), v));
            }
        }
    }
    pub fn remove_str(&mut self, k: &str) -> Option<(Value, Value)> {
        self.map.shift_remove(&StrKey(k))
    }
}

/// How many distinct names [`intern`] keeps; past it, names are allocated
/// each time (a page open for hours sees every prefix of every name typed).
const MAX_INTERNED: usize = 8192;

thread_local! {
    static NAMES: RefCell<rustc_hash::FxHashSet<Rc<str>>> = RefCell::new(rustc_hash::FxHashSet::default());
}

/// One shared `Rc<str>` per attribute or variable name: namespaces are
/// filled with the same few names over and over (every `Column` gets
/// `name`, `key`, `type`...), and a shared string spares an allocation per
/// entry. Strings are immutable and compared by value, so sharing is
/// invisible to Python.
pub fn intern(s: &str) -> Rc<str> {
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(r) = names.get(s) {
            return r.clone();
        }
        let r: Rc<str> = Rc::from(s);
        if names.len() < MAX_INTERNED {
            names.insert(r.clone());
        }
        r
    })
}

/// A user-defined function or lambda: code plus its defining environment.
pub struct Function {
    pub name: String,
    pub qualname: String,
    pub code: FunctionCode,
    pub module: Rc<ModuleCode>,
    /// Evaluated defaults of positional (and positional-only) parameters,
    /// aligned to the end of the parameter list.
    pub defaults: Vec<Value>,
    /// Evaluated defaults of keyword-only parameters, by name.
    pub kw_defaults: Vec<(String, Value)>,
    /// The scope the function closes over (never a class body).
    pub closure: Rc<Env>,
    pub doc: Option<String>,
    pub attrs: RefCell<Dict>,
    /// The class whose body defined the function (`__class__`, for `super()`).
    pub class_cell: RefCell<Option<std::rc::Weak<Class>>>,
}

/// The syntax a [`Function`] runs. The pointers point into
/// `Function::module`'s syntax tree, which that `Rc` keeps alive and which
/// is never mutated after parsing.
#[derive(Clone, Copy)]
pub enum FunctionCode {
    Def(*const ast::StmtFunctionDef),
    Lambda(*const ast::ExprLambda),
}

impl Function {
    pub fn parameters(&self) -> Option<&ast::Parameters> {
        // SAFETY: see `FunctionCode`: the tree outlives `self` through `self.module`.
        match self.code {
            FunctionCode::Def(p) => Some(unsafe { &*p }.parameters.as_ref()),
            FunctionCode::Lambda(p) => unsafe { &*p }.parameters.as_deref(),
        }
    }
}

pub type NativeFn = dyn Fn(&mut Interp, Args) -> R<Value>;

/// A function implemented in Rust.
pub struct Builtin {
    pub name: String,
    pub func: Box<NativeFn>,
}

pub struct BoundMethod {
    pub receiver: Value,
    pub func: Value,
}

/// Kinds of classes whose instances the evaluator represents natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinType {
    Object,
    Type,
    NoneType,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    Tuple,
    List,
    Dict,
    Set,
    Range,
    Slice,
    Function,
    BuiltinFunction,
    Method,
    Module,
    Iterator,
    Property,
    StaticMethod,
    ClassMethod,
    Super,
    Ellipsis,
    NotImplementedType,
    /// `BaseException` and its builtin subclasses.
    Exception,
}

/// Called once a class statement made a subclass of a class carrying the
/// hook (the way `__init_subclass__` or a metaclass would act).
pub type SubclassHook = dyn Fn(&mut Interp, &Rc<Class>) -> R<()>;

pub struct Class {
    pub name: String,
    pub qualname: String,
    pub module: String,
    pub bases: Vec<Rc<Class>>,
    /// C3 linearisation, excluding the class itself.
    pub mro: Vec<Rc<Class>>,
    pub dict: RefCell<Dict>,
    /// The builtin type instances of this class are (the nearest builtin base).
    pub builtin: BuiltinType,
    pub subclass_hook: Option<Rc<SubclassHook>>,
    /// Room given to a new instance's namespace: the most attributes an
    /// instance of this class held after `__init__`, plus slack, so the
    /// namespaces of the many instances of one class (every `Column`) do
    /// not grow step by step. Invisible to Python.
    pub instance_capacity: std::cell::Cell<usize>,
    pub capacity_learned: std::cell::Cell<bool>,
}

/// [`Class::instance_capacity`] before any instance was made.
pub const INITIAL_INSTANCE_CAPACITY: usize = 4;
/// Attributes allowed for beyond what `__init__` set (a mapped column's `name`, `key` and `table`).
pub const INSTANCE_CAPACITY_SLACK: usize = 4;
/// The most room [`Class::instance_capacity`] asks for.
const MAX_INSTANCE_CAPACITY: usize = 32;

impl Class {
    /// A class made by the evaluator's own modules (no class statement):
    /// empty namespace, qualname = name, MRO by C3 from `bases`.
    pub fn new(
        name: impl Into<String>,
        module: impl Into<String>,
        bases: Vec<Rc<Class>>,
        builtin: BuiltinType,
        subclass_hook: Option<Rc<SubclassHook>>,
    ) -> Rc<Class> {
        let name = name.into();
        let mro = super::eval::c3_mro(&bases).unwrap_or_default();
        Rc::new(Class {
            qualname: name.clone(),
            name,
            module: module.into(),
            bases,
            mro,
            dict: RefCell::new(Dict::new()),
            builtin,
            subclass_hook,
            instance_capacity: std::cell::Cell::new(crate::python::value::INITIAL_INSTANCE_CAPACITY),
            capacity_learned: std::cell::Cell::new(false),
        })
    }

    /// The class itself followed by its MRO.
    pub fn mro_all(self: &Rc<Class>) -> impl Iterator<Item = &Rc<Class>> + '_ {
        std::iter::once(self).chain(self.mro.iter())
    }
    pub fn lookup(self: &Rc<Class>, name: &str) -> Option<Value> {
        for c in self.mro_all() {
            if let Some(v) = c.dict.borrow().get_str(name) {
                return Some(v.clone());
            }
        }
        None
    }
    /// Learns the namespace size of an instance just initialised.
    pub fn note_instance_len(&self, len: usize) {
        // An `__init__` that sets nothing (a SQLAlchemy type) asks for no room.
        let want = if len == 0 { 0 } else { (len + INSTANCE_CAPACITY_SLACK).min(MAX_INSTANCE_CAPACITY) };
        if !self.capacity_learned.get() || want > self.instance_capacity.get() {
            self.instance_capacity.set(want);
            self.capacity_learned.set(true);
        }
    }
    pub fn is_subclass(self: &Rc<Class>, other: &Rc<Class>) -> bool {
        self.mro_all().any(|c| Rc::ptr_eq(c, other))
    }
    pub fn is_subclass_named(self: &Rc<Class>, name: &str) -> bool {
        self.mro_all().any(|c| c.name == name)
    }
}

pub struct Instance {
    pub class: Rc<Class>,
    pub dict: RefCell<Dict>,
    /// Rust-side state of native classes (SQLAlchemy objects, iterators...).
    pub native: RefCell<Option<Rc<dyn Any>>>,
    /// The builtin value of an instance of a subclass of `str`/`int`
    /// (e.g. a `class Color(str, enum.Enum)` member).
    pub base_value: RefCell<Option<Value>>,
}

impl Instance {
    pub fn new(class: Rc<Class>) -> Instance {
        Instance::with_capacity(class, 0)
    }
    /// An instance whose namespace has room for `n` attributes.
    pub fn with_capacity(class: Rc<Class>, n: usize) -> Instance {
        Instance { class, dict: RefCell::new(Dict::with_capacity(n)), native: RefCell::new(None), base_value: RefCell::new(None) }
    }
    pub fn get(&self, name: &str) -> Option<Value> {
        self.dict.borrow().get_str(name).cloned()
    }
    pub fn set(&self, name: &str, v: Value) {
        self.dict.borrow_mut().set_str(name, v)
    }
}

pub struct Module {
    pub name: String,
    /// File the module came from, `None` for modules built into the evaluator.
    pub file: Option<String>,
    pub globals: Rc<Env>,
}

pub enum Descriptor {
    Property { fget: Value, fset: Option<Value> },
    StaticMethod(Value),
    ClassMethod(Value),
}

/// A materialised iterator: Python iterators over finite data.
pub struct IterState {
    pub items: Vec<Value>,
    pub pos: usize,
}
