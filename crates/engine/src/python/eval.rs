//! The Python evaluator: a tree-walking interpreter over ruff's syntax tree,
//! for models.py, migration scripts and the project's own modules.
//!
//! Invariants:
//! - Every statement and expression kind is either evaluated as CPython
//!   evaluates it or raises a Python exception at its line:column naming the
//!   construct (`match` arms list every kind; there is no catch-all arm).
//! - Nothing touches files, network, processes, clock or randomness: modules
//!   come through [`ModuleLoader`], output of `print` goes to
//!   [`Interp::output`] (stdout) and what goes to stderr (log records,
//!   `sys.stderr`) to [`Interp::log`], and the std-lib pieces that would
//!   need the outside world raise.
//! - Resources are bounded ([`Limits`]): steps, call depth and collection
//!   sizes; exceeding one raises a fatal exception that `except` does not
//!   catch, so evaluation always ends.
//! - Errors leave the evaluator as [`PyError`], carrying the exception class
//!   and its MRO names, so callers `match` on classes, not on message text.
//! - One interpreter is one Python process: it may serve many evaluations
//!   (every revision file of a project load, each run of their functions),
//!   sharing `sys.modules`; [`Interp::begin_evaluation`] gives each its whole
//!   step budget. Native modules are built on their first import, once per
//!   interpreter.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use indexmap::IndexMap;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::value::*;
use super::{parse_module, LineIndex};

pub type R<T> = Result<T, Box<Exc>>;

/// A raised exception travelling up the evaluator.
pub struct Exc {
    /// The exception instance.
    pub value: Value,
    /// Where it was raised (the innermost node).
    pub loc: Option<Loc>,
    /// Where it passed from one file into another on its way out, innermost
    /// first: the traceback's frames at file boundaries (the import of a
    /// project module, a call of a function it defines).
    pub frames: Vec<Loc>,
    /// Resource-limit errors: not catchable by `except`.
    pub fatal: bool,
}

/// An exception an `except` block is handling, with where it was raised.
pub struct Handled {
    pub value: Value,
    pub loc: Option<Loc>,
    /// As [`Exc::frames`].
    pub frames: Vec<Loc>,
}

/// What went to stderr (the `logging` module's records, `sys.stderr`
/// writes, which read the same either way), in two renderings: as the
/// process env.py configured (`fileConfig` of alembic.ini: the console
/// handler and its format) writes it, and as a process without logging
/// configuration does (Python's last-resort handler: the message alone, for
/// WARNING and above): the commands that do not run env.py load the
/// scripts in such a process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOutput {
    pub configured: String,
    pub unconfigured: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// A Python exception as it leaves the evaluator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyError {
    /// The exception class name, e.g. `NameError`.
    pub class: String,
    /// The module defining the class (`builtins`, `sqlalchemy.exc`).
    pub module: String,
    /// The names of the class and its bases, nearest first.
    pub mro: Vec<String>,
    /// `str(exception)`.
    pub message: String,
    pub loc: Option<Loc>,
    /// [`Exc::frames`]: where it left each file, innermost first.
    pub frames: Vec<Loc>,
}

impl PyError {
    /// Where it was raised or passed through in `file` (the outermost
    /// place there): what a diagnostic of that file points at.
    pub fn loc_in(&self, file: &str) -> Option<&Loc> {
        self.frames.iter().rev().chain(self.loc.iter()).find(|l| l.file == file)
    }

    /// The traceback's places, outermost first (the innermost is `loc`).
    pub fn traceback(&self) -> Vec<Loc> {
        self.frames.iter().rev().chain(self.loc.iter()).cloned().collect()
    }

    /// [`PyError::exception_line`] for a diagnostic of `file`: when the
    /// exception was raised in another file (a module it imported), where.
    pub fn exception_line_in(&self, file: &str) -> String {
        match &self.loc {
            Some(l) if l.file != file => format!("{} (raised at {}:{}:{})", self.exception_line(), l.file, l.line, l.column),
            _ => self.exception_line(),
        }
    }

    /// Python's last traceback line: `NameError: name 'x' is not defined`;
    /// a class outside `builtins` is named with its module, as the
    /// traceback names it (`sqlalchemy.exc.NoSuchTableError: t`).
    pub fn exception_line(&self) -> String {
        let class = match self.module.as_str() {
            "" | "builtins" | "__main__" => self.class.clone(),
            module => format!("{module}.{}", self.class),
        };
        super::repr::exception_line(&class, &self.message)
    }
    /// Whether the exception is an instance of the class named `class`.
    pub fn is_a(&self, class: &str) -> bool {
        self.mro.iter().any(|c| c == class)
    }
}

impl std::fmt::Display for PyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.loc {
            Some(l) => write!(f, "{}:{}:{}: {}", l.file, l.line, l.column, self.exception_line()),
            None => f.write_str(&self.exception_line()),
        }
    }
}

impl std::error::Error for PyError {}

/// Positional and keyword arguments of a call.
#[derive(Default, Clone)]
pub struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(String, Value)>,
}

impl Args {
    pub fn new(pos: Vec<Value>) -> Args {
        Args { pos, kw: Vec::new() }
    }
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// What the evaluated Python process gets from its host: where imported
/// modules' source comes from, and the clock.
pub trait ModuleLoader {
    /// The source of the module or package `dotted`, if the project has it.
    /// A folder without `__init__.py` is a namespace package: `Some` with an
    /// empty source and `is_package`.
    fn load(&self, dotted: &str) -> Option<ModuleSource>;
    /// The host's clock (`datetime.now()`, `time.time()`); `None` when the
    /// host has none to give, and reading it is then an error.
    fn clock(&self) -> Option<ClockReading> {
        None
    }
}

/// One reading of the host's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockReading {
    /// Microseconds since 1970-01-01 00:00 UTC.
    pub unix_micros: i64,
    /// The local time zone's offset from UTC at that instant, in seconds east.
    pub utc_offset_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSource {
    /// The file name shown in messages.
    pub file: String,
    pub source: String,
    pub is_package: bool,
}

/// A loader that finds nothing: only built-in modules are importable.
pub struct NoModules;

impl ModuleLoader for NoModules {
    fn load(&self, _: &str) -> Option<ModuleSource> {
        None
    }
}

/// Resource bounds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Statements executed plus calls made.
    pub steps: u64,
    /// Nested Python calls.
    pub depth: u32,
    /// Elements in one list/str/dict built at once.
    pub collection: usize,
    /// Expressions nested inside one another (across calls).
    pub expr_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        // depth: wasm32 has a 1 MB stack; each Python call is a few frames
        // of this evaluator.
        Limits { steps: 20_000_000, depth: 80, collection: 10_000_000, expr_depth: 48 }
    }
}

/// A parsed module's code; functions point into `module`.
pub struct ModuleCode {
    pub name: String,
    pub file: String,
    pub source: String,
    pub index: LineIndex,
    pub module: ast::ModModule,
}

impl ModuleCode {
    pub fn loc(&self, range: TextRange) -> Loc {
        let (line, column) = self.index.line_col(&self.source, usize::from(range.start()));
        Loc { file: self.file.clone(), line, column }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EnvKind {
    Builtins,
    Module,
    Function,
    Class,
    Comprehension,
}

/// Which names a function body binds (Python decides scope statically).
#[derive(Default)]
pub struct ScopeInfo {
    pub locals: HashSet<String>,
    pub globals: HashSet<String>,
    pub nonlocals: HashSet<String>,
    /// The body holds a `yield` of its own: calling it makes a generator.
    pub generator: bool,
}

/// A scope: module globals, a function call's locals, a class body, a
/// comprehension. Shared by closures (cells are the whole scope).
pub struct Env {
    /// FxHash, as `Dict`: insertion order does not depend on the hasher.
    pub vars: RefCell<IndexMap<Rc<str>, Value, rustc_hash::FxBuildHasher>>,
    pub parent: Option<Rc<Env>>,
    pub kind: EnvKind,
    pub scope: Option<Rc<ScopeInfo>>,
}

impl Env {
    pub fn new(kind: EnvKind, parent: Option<Rc<Env>>) -> Rc<Env> {
        Env::with_capacity(kind, parent, 0)
    }
    /// An environment with room for `n` names (a class body's, sized by its
    /// statements, does not grow step by step).
    pub fn with_capacity(kind: EnvKind, parent: Option<Rc<Env>>, n: usize) -> Rc<Env> {
        Rc::new(Env { vars: RefCell::new(IndexMap::with_capacity_and_hasher(n, Default::default())), parent, kind, scope: None })
    }
    pub fn get(&self, name: &str) -> Option<Value> {
        self.vars.borrow().get(name).cloned()
    }
    pub fn set(&self, name: &str, v: Value) {
        let mut vars = self.vars.borrow_mut();
        match vars.get_mut(name) {
            Some(slot) => *slot = v,
            None => {
                vars.insert(intern(name), v);
            }
        }
    }
    pub(crate) fn module_env(self: &Rc<Env>) -> Rc<Env> {
        let mut e = self.clone();
        loop {
            if e.kind == EnvKind::Module || e.kind == EnvKind::Builtins {
                return e;
            }
            match e.parent.clone() {
                Some(p) => e = p,
                None => return e,
            }
        }
    }
}

enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

/// The builtin classes, by role.
pub struct Types {
    pub object: Rc<Class>,
    pub type_: Rc<Class>,
    pub none: Rc<Class>,
    pub bool_: Rc<Class>,
    pub int: Rc<Class>,
    pub float: Rc<Class>,
    pub str_: Rc<Class>,
    pub bytes: Rc<Class>,
    pub tuple: Rc<Class>,
    pub list: Rc<Class>,
    pub dict: Rc<Class>,
    pub set: Rc<Class>,
    pub range: Rc<Class>,
    pub slice: Rc<Class>,
    pub function: Rc<Class>,
    pub builtin_function: Rc<Class>,
    pub method: Rc<Class>,
    pub module: Rc<Class>,
    pub iterator: Rc<Class>,
    pub property: Rc<Class>,
    pub staticmethod: Rc<Class>,
    pub classmethod: Rc<Class>,
    pub super_: Rc<Class>,
    pub ellipsis: Rc<Class>,
    pub not_implemented: Rc<Class>,
    pub exceptions: HashMap<&'static str, Rc<Class>>,
}

pub type NativeModuleInit = Rc<dyn Fn(&mut Interp) -> R<Rc<Module>>>;

/// The interpreter: builtins, loaded modules, limits and captured output.
pub struct Interp {
    pub types: Types,
    pub builtins: Rc<Env>,
    /// `sys.modules`.
    pub modules: IndexMap<String, Rc<Module>>,
    /// Modules executed from a file without a place in `sys.modules`
    /// (Alembic's `load_module_py`: migration scripts) and modules whose
    /// import failed, kept here only so that dropping the interpreter
    /// reaches them.
    file_modules: Vec<Rc<Module>>,
    native_modules: HashMap<String, NativeModuleInit>,
    loader: Rc<dyn ModuleLoader>,
    pub limits: Limits,
    steps: u64,
    /// The AttributeError a `__getattr__` raised in the last
    /// [`Interp::getattr_opt`]: `obj.name` raises it as it is, with its message.
    getattr_error: Option<Box<Exc>>,
    depth: u32,
    /// What `print` wrote.
    pub output: String,
    /// What went to stderr: log records, and writes to `sys.stderr`.
    pub log: LogOutput,
    /// For each kind of native payload (`Instance::native`), what it holds:
    /// the teardown clears those values and environments too, or a cycle
    /// through a payload (a Column's construct holding the frame that made
    /// it) would outlive the interpreter.
    pub native_references: Vec<NativeReferences>,
    /// The code being run, innermost last, for locating errors.
    code: Vec<Rc<ModuleCode>>,
    /// Exceptions being handled, innermost last (`raise` without argument
    /// re-raises the last; `logging`'s `exc_info` formats it).
    handling: Vec<Handled>,
    /// Each function's scope, by the address of its syntax node (its code is
    /// kept alive here, so the address is not reused in this interpreter).
    scope_cache: HashMap<usize, (Rc<ModuleCode>, Rc<ScopeInfo>)>,
    /// Python functions being run, innermost last (for `super()`).
    functions: Vec<Rc<Function>>,
    /// Classes whose class statement raised after they were made (a
    /// declarative scan refusing them): nothing names them, and what they
    /// made may hold them, so only the teardown can free them.
    orphans: Vec<Value>,
    /// The call expressions being evaluated, innermost last.
    call_sites: Vec<CallSite>,
    /// `collections.defaultdict`s: dict identity → (the dict, kept alive so
    /// the identity is not reused, and its default factory).
    pub dict_defaults: HashMap<usize, (Value, Value)>,
    expr_depth: u32,
    /// The consumers of the generators being driven, innermost last (see
    /// [`Interp::drive_generator`]).
    yield_handlers: Vec<YieldHandler>,
    /// The class of generator objects and of `contextlib.contextmanager`'s
    /// context managers.
    pub generator_class: Rc<Class>,
    pub generator_cm_class: Rc<Class>,
}

/// What a driven generator's `yield` hands its value to: the consumer
/// gives back the value the `yield` evaluates to, or the exception raised
/// at the `yield` (a `GeneratorExit` closes the generator).
pub type YieldFn<'a> = dyn FnMut(&mut Interp, Value) -> R<Value> + 'a;

/// A consumer, and the interpreter's stacks as they were where it runs
/// (the caller of [`Interp::drive_generator`]): it runs with those, not with
/// the generator's frame on top.
struct YieldHandler {
    consumer: *mut YieldFn<'static>,
    functions: usize,
    code: usize,
    call_sites: usize,
    handling: usize,
    expr_depth: u32,
}

/// A generator object's frame: its function and the scope its arguments
/// were bound in, run once by [`Interp::drive_generator`].
pub struct Generator {
    pub func: Rc<Function>,
    pub env: Rc<Env>,
    pub state: RefCell<GeneratorState>,
}

pub enum GeneratorState {
    /// Not started.
    Fresh,
    /// Its body is running.
    Running,
    Done,
}

/// A call expression being evaluated: native functions may read the syntax
/// of their own call (the op readers do). `call` points into `code`'s tree,
/// which the `Rc` keeps alive. The scope is held weakly: a construct keeps
/// its call site, and the frame that made it often holds the construct
/// (a cycle no teardown would reach once the frame is gone).
#[derive(Clone)]
pub struct CallSite {
    pub code: Rc<ModuleCode>,
    call: *const ast::ExprCall,
    env: std::rc::Weak<Env>,
}

impl CallSite {
    /// The scope the call was evaluated in, while it lives (always, during
    /// the call).
    pub fn env(&self) -> Option<Rc<Env>> {
        self.env.upgrade()
    }

    pub fn call(&self) -> &ast::ExprCall {
        // SAFETY: `self.code` owns the tree `call` points into; it is never
        // mutated after parsing.
        unsafe { &*self.call }
    }
}

/// The builtin exception hierarchy: (name, base).
const EXCEPTIONS: &[(&str, &str)] = &[
    ("BaseException", ""),
    ("SystemExit", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("GeneratorExit", "BaseException"),
    ("Exception", "BaseException"),
    ("StopIteration", "Exception"),
    ("ArithmeticError", "Exception"),
    ("OverflowError", "ArithmeticError"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("BufferError", "Exception"),
    ("EOFError", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("MemoryError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("OSError", "Exception"),
    ("FileNotFoundError", "OSError"),
    ("PermissionError", "OSError"),
    ("TimeoutError", "OSError"),
    ("ReferenceError", "Exception"),
    ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"),
    ("SyntaxError", "Exception"),
    ("SystemError", "Exception"),
    ("TypeError", "Exception"),
    ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"),
    ("Warning", "Exception"),
    ("UserWarning", "Warning"),
    ("DeprecationWarning", "Warning"),
];

fn new_class(name: &str, module: &str, bases: Vec<Rc<Class>>, builtin: BuiltinType) -> Rc<Class> {
    Class::new(name, module, bases, builtin, None)
}

/// C3 linearisation of the bases (the new class itself excluded); `None`
/// when the bases admit no consistent order.
pub fn c3_mro(bases: &[Rc<Class>]) -> Option<Vec<Rc<Class>>> {
    // One base: the merge of its linearisation and `[base]` is its
    // linearisation (most classes, every builtin exception).
    if let [base] = bases {
        return Some(base.mro_all().cloned().collect());
    }
    let mut seqs: Vec<Vec<Rc<Class>>> = bases.iter().map(|b| b.mro_all().cloned().collect()).collect();
    seqs.push(bases.to_vec());
    let mut out: Vec<Rc<Class>> = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Some(out);
        }
        let mut pick = None;
        for s in &seqs {
            let cand = &s[0];
            if !seqs.iter().any(|t| t[1..].iter().any(|c| Rc::ptr_eq(c, cand))) {
                pick = Some(cand.clone());
                break;
            }
        }
        let c = pick?;
        for s in seqs.iter_mut() {
            if Rc::ptr_eq(&s[0], &c) {
                s.remove(0);
            }
        }
        out.push(c);
    }
}

impl Types {
    fn new() -> Types {
        let object = new_class("object", "builtins", vec![], BuiltinType::Object);
        let mk = |name: &str, t: BuiltinType| new_class(name, "builtins", vec![object.clone()], t);
        let int = mk("int", BuiltinType::Int);
        let bool_ = new_class("bool", "builtins", vec![int.clone()], BuiltinType::Bool);
        let mut exceptions: HashMap<&'static str, Rc<Class>> = HashMap::new();
        for (name, base) in EXCEPTIONS {
            let b = if base.is_empty() { object.clone() } else { exceptions[base].clone() };
            exceptions.insert(name, new_class(name, "builtins", vec![b], BuiltinType::Exception));
        }
        Types {
            type_: mk("type", BuiltinType::Type),
            none: mk("NoneType", BuiltinType::NoneType),
            bool_,
            int,
            float: mk("float", BuiltinType::Float),
            str_: mk("str", BuiltinType::Str),
            bytes: mk("bytes", BuiltinType::Bytes),
            tuple: mk("tuple", BuiltinType::Tuple),
            list: mk("list", BuiltinType::List),
            dict: mk("dict", BuiltinType::Dict),
            set: mk("set", BuiltinType::Set),
            range: mk("range", BuiltinType::Range),
            slice: mk("slice", BuiltinType::Slice),
            function: mk("function", BuiltinType::Function),
            builtin_function: mk("builtin_function_or_method", BuiltinType::BuiltinFunction),
            method: mk("method", BuiltinType::Method),
            module: mk("module", BuiltinType::Module),
            iterator: mk("iterator", BuiltinType::Iterator),
            property: mk("property", BuiltinType::Property),
            staticmethod: mk("staticmethod", BuiltinType::StaticMethod),
            classmethod: mk("classmethod", BuiltinType::ClassMethod),
            super_: mk("super", BuiltinType::Super),
            ellipsis: mk("ellipsis", BuiltinType::Ellipsis),
            not_implemented: mk("NotImplementedType", BuiltinType::NotImplementedType),
            exceptions,
            object,
        }
    }
}

/// Python objects form reference cycles that `Rc` cannot free: a module's
/// functions hold its globals, a method's class is in its module, an enum's
/// members hold their class. When the interpreter goes, everything reachable
/// from its roots is emptied so that those cycles fall apart; otherwise each
/// evaluation (every script load, every keystroke in the page) would leak its
/// whole object graph. No value outlives the interpreter that made it.
///
/// Mutable containers (lists, dicts, instances, iterators, scopes) are
/// emptied on their first visit, so a later visit finds nothing to follow
/// and needs no bookkeeping; only what cannot be emptied and may be reached
/// along many paths (tuples, functions' defaults, classes' bases) is
/// remembered in `seen`, which keeps the walk linear in the graph.
/// Hands what a native payload holds to the interpreter's teardown; a
/// function ignores payloads of types it does not know.
pub type NativeReferences = fn(&Rc<dyn std::any::Any>, &mut Vec<Value>, &mut Vec<Rc<Env>>);

impl Interp {
    /// `v`'s frame when it is a generator object.
    pub fn generator_object(&self, v: &Value) -> Option<Rc<Generator>> {
        match v {
            Value::Instance(i) if Rc::ptr_eq(&i.class, &self.generator_class) => generator_of(v),
            _ => None,
        }
    }
}

/// The frame of a generator object or of a `@contextmanager`'s context manager.
pub fn generator_of(v: &Value) -> Option<Rc<Generator>> {
    match v {
        Value::Instance(i) => i.native.borrow().as_ref().and_then(|n| n.clone().downcast::<Generator>().ok()),
        _ => None,
    }
}

impl Drop for Interp {
    fn drop(&mut self) {
        let native_references = std::mem::take(&mut self.native_references);
        let mut seen: rustc_hash::FxHashSet<usize> = rustc_hash::FxHashSet::with_capacity_and_hasher(1024, Default::default());
        let mut queued_classes = [0usize; 64];
        let mut envs: Vec<Rc<Env>> = vec![self.builtins.clone()];
        envs.extend(self.modules.values().map(|m| m.globals.clone()));
        envs.extend(self.file_modules.drain(..).map(|m| m.globals.clone()));
        let t = &self.types;
        let mut values: Vec<Value> = [
            &t.object, &t.type_, &t.none, &t.bool_, &t.int, &t.float, &t.str_, &t.bytes, &t.tuple, &t.list,
            &t.dict, &t.set, &t.range, &t.slice, &t.function, &t.builtin_function, &t.method, &t.module,
            &t.iterator, &t.property, &t.staticmethod, &t.classmethod, &t.super_, &t.ellipsis, &t.not_implemented,
        ]
        .into_iter()
        .map(|c| Value::Class(c.clone()))
        .collect();
        values.extend(t.exceptions.values().map(|c| Value::Class(c.clone())));
        values.extend(self.handling.drain(..).map(|h| h.value));
        values.extend(self.functions.drain(..).map(Value::Function));
        values.append(&mut self.orphans);
        for (_, (d, f)) in self.dict_defaults.drain() {
            values.push(d);
            values.push(f);
        }
        fn first_visit<T: ?Sized>(seen: &mut rustc_hash::FxHashSet<usize>, rc: &Rc<T>) -> bool {
            seen.insert(Rc::as_ptr(rc) as *const () as usize)
        }
        /// Queues what may hold references; values that cannot (strings,
        /// numbers, builtins) are freed here, sparing a push and a pop.
        fn queue(v: Value, into: &mut Vec<Value>) {
            match v {
                Value::None
                | Value::Ellipsis
                | Value::NotImplemented
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Str(_)
                | Value::Bytes(_)
                | Value::Range(..)
                | Value::Builtin(_) => {}
                Value::Tuple(_)
                | Value::Slice(_)
                | Value::List(_)
                | Value::Dict(_)
                | Value::Set(_)
                | Value::Function(_)
                | Value::BoundMethod(_)
                | Value::Class(_)
                | Value::Instance(_)
                | Value::Module(_)
                | Value::Iterator(_)
                | Value::Descriptor(_)
                | Value::Super(_) => into.push(v),
            }
        }
        fn dict_values(d: Dict, into: &mut Vec<Value>) {
            for (_, (k, v)) in d.map {
                queue(k, into);
                queue(v, into);
            }
        }
        loop {
            while let Some(env) = envs.pop() {
                let vars = std::mem::take(&mut *env.vars.borrow_mut());
                if vars.is_empty() && !first_visit(&mut seen, &env) {
                    continue;
                }
                for v in vars.into_values() {
                    queue(v, &mut values);
                }
                envs.extend(env.parent.clone());
            }
            let Some(v) = values.pop() else { break };
            match v {
                Value::None
                | Value::Ellipsis
                | Value::NotImplemented
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Str(_)
                | Value::Bytes(_)
                | Value::Range(..)
                | Value::Builtin(_) => {}
                Value::Tuple(items) => {
                    if first_visit(&mut seen, &items) {
                        values.extend(items.iter().cloned());
                    }
                }
                Value::Slice(items) => values.extend(items.iter().cloned()),
                Value::List(l) => values.append(&mut l.borrow_mut()),
                Value::Dict(d) | Value::Set(d) => dict_values(d.replace(Dict::new()), &mut values),
                Value::Function(f) => {
                    if first_visit(&mut seen, &f) {
                        envs.push(f.closure.clone());
                        values.extend(f.defaults.iter().cloned());
                        values.extend(f.kw_defaults.iter().map(|(_, v)| v.clone()));
                        dict_values(f.attrs.replace(Dict::new()), &mut values);
                    }
                }
                Value::BoundMethod(b) => {
                    values.push(b.receiver.clone());
                    values.push(b.func.clone());
                }
                Value::Class(c) => {
                    if first_visit(&mut seen, &c) {
                        dict_values(c.dict.replace(Dict::new()), &mut values);
                        values.extend(c.bases.iter().map(|b| Value::Class(b.clone())));
                    }
                }
                Value::Instance(i) => {
                    dict_values(i.dict.replace(Dict::new()), &mut values);
                    values.extend(i.base_value.replace(None));
                    if let Some(native) = i.native.replace(None) {
                        for hand_over in &native_references {
                            hand_over(&native, &mut values, &mut envs);
                        }
                    }
                    // Most instances share a few classes: a small cache of
                    // classes already queued spares a `seen` lookup each.
                    let ptr = Rc::as_ptr(&i.class) as usize;
                    let slot = (ptr >> 4) % queued_classes.len();
                    if queued_classes[slot] != ptr {
                        queued_classes[slot] = ptr;
                        values.push(Value::Class(i.class.clone()));
                    }
                }
                Value::Module(m) => envs.push(m.globals.clone()),
                Value::Iterator(state) => values.append(&mut state.borrow_mut().items),
                Value::Descriptor(d) => match &*d {
                    Descriptor::Property { fget, fset } => {
                        values.push(fget.clone());
                        values.extend(fset.clone());
                    }
                    Descriptor::StaticMethod(f) | Descriptor::ClassMethod(f) => values.push(f.clone()),
                },
                Value::Super(s) => {
                    values.push(Value::Class(s.0.clone()));
                    values.push(s.1.clone());
                }
            }
        }
    }
}

impl Interp {
    /// The host's clock, now.
    pub fn clock(&self) -> Option<ClockReading> {
        self.loader.clock()
    }

    pub fn new(loader: Rc<dyn ModuleLoader>) -> Interp {
        let types = Types::new();
        let object = types.object.clone();
        let builtins = Env::new(EnvKind::Builtins, None);
        let mut it = Interp {
            types,
            builtins,
            modules: IndexMap::new(),
            file_modules: Vec::new(),
            native_modules: HashMap::new(),
            loader,
            limits: Limits::default(),
            steps: 0,
            getattr_error: None,
            depth: 0,
            output: String::new(),
            log: LogOutput::default(),
            native_references: Vec::new(),
            code: Vec::new(),
            handling: Vec::new(),
            scope_cache: HashMap::new(),
            functions: Vec::new(),
            orphans: Vec::new(),
            call_sites: Vec::new(),
            dict_defaults: HashMap::new(),
            expr_depth: 0,
            yield_handlers: Vec::new(),
            generator_class: Class::new("generator", "builtins", vec![object.clone()], BuiltinType::Object, None),
            generator_cm_class: Class::new("_GeneratorContextManager", "contextlib", vec![object], BuiltinType::Object, None),
        };
        super::builtins::install(&mut it);
        super::generators::install(&mut it);
        it
    }

    /// The innermost call expression being evaluated (the call of the
    /// native function running now).
    pub fn call_site(&self) -> Option<CallSite> {
        self.call_sites.last().cloned()
    }

    /// Where the innermost call expression being evaluated is.
    pub fn call_loc(&self) -> Option<Loc> {
        self.call_sites.last().map(|c| c.code.loc(c.call().range()))
    }

    /// The exceptions being handled (`except` blocks running), innermost last.
    pub fn handling(&self) -> &[Handled] {
        &self.handling
    }

    /// Makes `name` importable as a module built by `init` on first import.
    pub fn register_module(&mut self, name: &str, init: NativeModuleInit) {
        self.native_modules.insert(name.to_string(), init);
    }

    // ----- errors ---------------------------------------------------------

    /// A new exception of the builtin class `class` with one message arg.
    pub fn exc(&self, class: &str, msg: impl Into<String>) -> Box<Exc> {
        let cls = self.types.exceptions.get(class).cloned().unwrap_or_else(|| self.types.exceptions["RuntimeError"].clone());
        let inst = Instance::new(cls);
        inst.set("args", Value::tuple(vec![Value::Str(Rc::from(msg.into().as_str()))]));
        Box::new(Exc { value: Value::Instance(Rc::new(inst)), loc: None, frames: Vec::new(), fatal: false })
    }

    pub fn type_error(&self, msg: impl Into<String>) -> Box<Exc> {
        self.exc("TypeError", msg)
    }

    fn fatal(&self, class: &str, msg: impl Into<String>) -> Box<Exc> {
        let mut e = self.exc(class, msg);
        e.fatal = true;
        e
    }

    /// Sets the location of `e` to `range` in the current code if unset.
    fn locate(&self, mut e: Box<Exc>, range: TextRange) -> Box<Exc> {
        if let Some(code) = self.code.last() {
            match &e.loc {
                None => e.loc = Some(code.loc(range)),
                Some(inner) => {
                    let last = e.frames.last().unwrap_or(inner);
                    if last.file != code.file {
                        e.frames.push(code.loc(range));
                    }
                }
            }
        }
        e
    }

    /// Converts a raised exception into the public error type.
    pub fn to_error(&mut self, e: Box<Exc>) -> PyError {
        let (class, module, mro) = match &e.value {
            Value::Instance(i) => {
                (i.class.qualname.clone(), i.class.module.clone(), i.class.mro_all().map(|c| c.name.clone()).collect())
            }
            _ => ("Exception".to_string(), "builtins".to_string(), vec!["Exception".to_string()]),
        };
        let message = self.str_of(&e.value).unwrap_or_default();
        PyError { class, module, mro, message, loc: e.loc, frames: e.frames }
    }

    // ----- modules --------------------------------------------------------

    /// Runs `source` as the module `name` (registered in `sys.modules`
    /// before it runs, as Python does) and returns it.
    pub fn run_module(&mut self, name: &str, file: &str, source: &str) -> Result<Rc<Module>, PyError> {
        self.exec_module_source(name, file, source.to_string(), false).map_err(|e| self.to_error(e))
    }

    /// Runs `source` as a module named `name` that is not put in
    /// `sys.modules`, as `importlib.util.module_from_spec` +
    /// `spec.loader.exec_module` do (Alembic loads revision files so): the
    /// modules it imports are shared with everything else this interpreter
    /// runs. `parsed` is the source already parsed without errors.
    pub fn run_file_module(&mut self, name: &str, file: &str, source: &str, parsed: super::ParsedModule<'_>) -> Result<Rc<Module>, PyError> {
        let code = Rc::new(ModuleCode { name: name.to_string(), file: file.to_string(), source: source.to_string(), index: parsed.index, module: parsed.module });
        let (module, globals) = self.new_module_for(&code, false);
        self.file_modules.push(module.clone());
        self.code.push(code.clone());
        let r = self.exec_block(&code.module.body, &globals);
        self.code.pop();
        match r {
            Ok(_) => Ok(module),
            Err(e) => Err(self.to_error(e)),
        }
    }

    /// Starts a new top-level evaluation in a long-lived interpreter (a
    /// script's import, one run of its `upgrade()`): the step budget
    /// ([`Limits::steps`]) and the captured output start again from zero.
    pub fn begin_evaluation(&mut self) {
        self.steps = 0;
        self.output.clear();
        self.log = LogOutput::default();
    }

    /// A module object for `code` with its globals set as the import system
    /// sets them.
    fn new_module_for(&self, code: &Rc<ModuleCode>, is_package: bool) -> (Rc<Module>, Rc<Env>) {
        let name = code.name.as_str();
        let globals = Env::new(EnvKind::Module, Some(self.builtins.clone()));
        globals.set("__name__", Value::str(name));
        globals.set("__file__", Value::str(&code.file));
        let package = if is_package { name.to_string() } else { name.rsplit_once('.').map(|(p, _)| p.to_string()).unwrap_or_default() };
        globals.set("__package__", Value::str(&package));
        globals.set("__doc__", docstring(&code.module.body).map(|d| Value::str(&d)).unwrap_or(Value::None));
        let module = Rc::new(Module { name: name.to_string(), file: Some(code.file.clone()), globals: globals.clone() });
        (module, globals)
    }

    fn exec_module_source(&mut self, name: &str, file: &str, source: String, is_package: bool) -> R<Rc<Module>> {
        let parsed = parse_module(&source);
        if let Some(d) = parsed.diagnostics.iter().find(|d| d.severity == super::Severity::Error) {
            let mut e = self.exc("SyntaxError", d.message.clone());
            e.loc = Some(Loc { file: file.to_string(), line: d.line, column: d.column });
            return Err(e);
        }
        let module_ast = parsed.module;
        let index = parsed.index;
        let code = Rc::new(ModuleCode { name: name.to_string(), file: file.to_string(), source, index, module: module_ast });
        let (module, globals) = self.new_module_for(&code, is_package);
        self.modules.insert(name.to_string(), module.clone());
        self.code.push(code.clone());
        let r = self.exec_block(&code.module.body, &globals);
        self.code.pop();
        match r {
            Ok(_) => Ok(module),
            Err(e) => {
                if let Some(failed) = self.modules.shift_remove(name) {
                    self.file_modules.push(failed);
                }
                Err(e)
            }
        }
    }

    /// `import dotted`: imports every parent package first; returns the
    /// module `dotted` itself.
    pub fn import_module(&mut self, dotted: &str) -> R<Rc<Module>> {
        if let Some(m) = self.modules.get(dotted) {
            return Ok(m.clone());
        }
        if let Some((parent, child)) = dotted.rsplit_once('.') {
            let p = self.import_module(parent)?;
            if let Some(m) = self.modules.get(dotted) {
                return Ok(m.clone());
            }
            // a module of the project that is no package has no submodules
            let is_package = p.globals.get("__package__").is_some_and(|v| v.as_str() == Some(parent));
            if p.file.is_some() && !is_package {
                let msg = format!("No module named {}; {} is not a package", super::repr::py_repr_str(dotted), super::repr::py_repr_str(parent));
                let e = self.exc("ModuleNotFoundError", msg);
                if let Value::Instance(i) = &e.value {
                    i.set("name", Value::str(dotted));
                }
                return Err(e);
            }
            let m = self.load_module(dotted)?;
            p.globals.set(child, Value::Module(m.clone()));
            return Ok(m);
        }
        self.load_module(dotted)
    }

    fn load_module(&mut self, dotted: &str) -> R<Rc<Module>> {
        if let Some(init) = self.native_modules.get(dotted).cloned() {
            let m = init(self)?;
            self.modules.insert(dotted.to_string(), m.clone());
            return Ok(m);
        }
        match self.loader.load(dotted) {
            Some(src) => self.exec_module_source(dotted, &src.file, src.source, src.is_package),
            None => {
                let top = dotted.split('.').next().unwrap_or(dotted);
                // (a missing submodule of one the evaluator implements stays ModuleNotFoundError)
                if super::loader::STDLIB_MODULES.contains(&top) && !self.native_modules.contains_key(top) {
                    return Err(self.exc("NotImplementedError", format!("the standard library module {} is not supported by the playground", super::repr::py_repr_str(dotted))));
                }
                let e = self.exc("ModuleNotFoundError", format!("No module named {}", super::repr::py_repr_str(dotted)));
                if let Value::Instance(i) = &e.value {
                    i.set("name", Value::str(dotted));
                }
                Err(e)
            }
        }
    }

    /// A module built in Rust: a fresh namespace to fill.
    pub fn new_native_module(&self, name: &str) -> Rc<Module> {
        let globals = Env::new(EnvKind::Module, Some(self.builtins.clone()));
        globals.set("__name__", Value::str(name));
        Rc::new(Module { name: name.to_string(), file: None, globals })
    }

    // ----- statements -----------------------------------------------------

    /// Steps left before the limit, for native loops that count their own work.
    pub fn steps_left(&self) -> u64 {
        self.limits.steps.saturating_sub(self.steps)
    }

    /// Charges `n` steps of native work: past the limit, the evaluation
    /// stops as it does for statements.
    pub fn charge_steps(&mut self, n: u64) -> R<()> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.limits.steps {
            return Err(self.fatal("RuntimeError", format!("evaluation stopped after {} steps (the playground's limit)", self.limits.steps)));
        }
        Ok(())
    }

    fn step(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > self.limits.steps {
            return Err(self.fatal("RuntimeError", format!("evaluation stopped after {} steps (the playground's limit)", self.limits.steps)));
        }
        Ok(())
    }

    fn exec_block(&mut self, body: &[Stmt], env: &Rc<Env>) -> R<Flow> {
        for s in body {
            match self.exec_stmt(s, env) {
                Ok(Flow::Normal) => {}
                Ok(f) => return Ok(f),
                Err(e) => return Err(self.locate(e, s.range())),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_stmt(&mut self, stmt: &Stmt, env: &Rc<Env>) -> R<Flow> {
        self.step()?;
        match stmt {
            Stmt::Expr(e) => {
                self.eval(&e.value, env)?;
            }
            Stmt::Pass(_) => {}
            Stmt::Assign(a) => {
                let v = self.eval(&a.value, env)?;
                for t in &a.targets {
                    self.assign(t, v.clone(), env)?;
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    let v = self.eval(value, env)?;
                    self.assign(&a.target, v, env)?;
                }
                // Annotations are evaluated at module and class level.
                if matches!(env.kind, EnvKind::Module | EnvKind::Class) {
                    if let Expr::Name(n) = a.target.as_ref() {
                        let ann = self.eval_annotation(&a.annotation, env)?;
                        let anns = match env.get("__annotations__") {
                            Some(d @ Value::Dict(_)) => d,
                            _ => {
                                let d = Value::dict(Dict::new());
                                env.set("__annotations__", d.clone());
                                d
                            }
                        };
                        if let Value::Dict(d) = anns {
                            d.borrow_mut().set_str(n.id.as_str(), ann);
                        }
                    }
                }
            }
            Stmt::AugAssign(a) => self.aug_assign(a, env)?,
            Stmt::If(i) => {
                if self.eval_truthy(&i.test, env)? {
                    return self.exec_block(&i.body, env);
                }
                for clause in &i.elif_else_clauses {
                    let take = match &clause.test {
                        Some(t) => self.eval_truthy(t, env)?,
                        None => true,
                    };
                    if take {
                        return self.exec_block(&clause.body, env);
                    }
                }
            }
            Stmt::For(f) => {
                if f.is_async {
                    return Err(self.exc("SyntaxError", "'async for' is not supported by the playground's evaluator"));
                }
                let it = self.eval(&f.iter, env)?;
                let mut broke = false;
                let run = |this: &mut Interp, item: Value| -> R<Option<Flow>> {
                    this.assign(&f.target, item, env)?;
                    match this.exec_block(&f.body, env)? {
                        Flow::Normal | Flow::Continue => Ok(None),
                        Flow::Break => Ok(Some(Flow::Break)),
                        r @ Flow::Return(_) => Ok(Some(r)),
                    }
                };
                if let Some(g) = self.generator_object(&it).filter(|g| matches!(*g.state.borrow(), GeneratorState::Fresh)) {
                    match self.drive_closing(&g, run)? {
                        Some(Flow::Break) => broke = true,
                        Some(flow) => return Ok(flow),
                        None => {}
                    }
                } else if let Value::Range(start, stop, step) = it {
                    let mut i = start;
                    while (step > 0 && i < stop) || (step < 0 && i > stop) {
                        match run(self, Value::Int(i))? {
                            None => {}
                            Some(Flow::Break) => {
                                broke = true;
                                break;
                            }
                            Some(r) => return Ok(r),
                        }
                        i += step;
                    }
                } else {
                    for item in self.iterate(&it)? {
                        match run(self, item)? {
                            None => {}
                            Some(Flow::Break) => {
                                broke = true;
                                break;
                            }
                            Some(r) => return Ok(r),
                        }
                    }
                }
                if !broke {
                    return self.exec_block(&f.orelse, env);
                }
            }
            Stmt::While(w) => {
                loop {
                    self.step()?;
                    if !self.eval_truthy(&w.test, env)? {
                        return self.exec_block(&w.orelse, env);
                    }
                    match self.exec_block(&w.body, env)? {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => break,
                        r @ Flow::Return(_) => return Ok(r),
                    }
                }
            }
            Stmt::Break(_) => return Ok(Flow::Break),
            Stmt::Continue(_) => return Ok(Flow::Continue),
            Stmt::Return(r) => {
                let v = match &r.value {
                    Some(e) => self.eval(e, env)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            Stmt::FunctionDef(f) => {
                if f.is_async {
                    return Err(self.exc("SyntaxError", "'async def' is not supported by the playground's evaluator"));
                }
                if f.type_params.is_some() {
                    return Err(self.exc("SyntaxError", "type parameters are not supported by the playground's evaluator"));
                }
                let func = self.make_function(FunctionCode::Def(f as *const _), f.name.as_str(), &f.parameters, docstring(&f.body), env)?;
                let mut v = Value::Function(Rc::new(func));
                for d in f.decorator_list.iter().rev() {
                    let dv = self.eval(&d.expression, env)?;
                    v = self.call(&dv, Args::new(vec![v])).map_err(|e| self.locate(e, d.range()))?;
                }
                self.store(env, f.name.as_str(), v)?;
            }
            Stmt::ClassDef(c) => {
                let v = self.class_def(c, env)?;
                self.store(env, c.name.as_str(), v)?;
            }
            Stmt::Raise(r) => {
                let e = match &r.exc {
                    None => match self.handling.last() {
                        Some(h) => Box::new(Exc { value: h.value.clone(), loc: None, frames: Vec::new(), fatal: false }),
                        None => self.exc("RuntimeError", "No active exception to reraise"),
                    },
                    Some(x) => {
                        let v = self.eval(x, env)?;
                        let inst = self.make_exception(v)?;
                        if let Some(c) = &r.cause {
                            let cv = self.eval(c, env)?;
                            if let Value::Instance(i) = &inst {
                                i.set("__cause__", cv);
                            }
                        }
                        Box::new(Exc { value: inst, loc: None, frames: Vec::new(), fatal: false })
                    }
                };
                return Err(self.locate(e, stmt.range()));
            }
            Stmt::Try(t) => return self.exec_try(t, env),
            Stmt::Assert(a) => {
                if !self.eval_truthy(&a.test, env)? {
                    let cls = self.types.exceptions["AssertionError"].clone();
                    let inst = Instance::new(cls);
                    let args = match &a.msg {
                        Some(m) => vec![self.eval(m, env)?],
                        None => vec![],
                    };
                    inst.set("args", Value::tuple(args));
                    return Err(Box::new(Exc { value: Value::Instance(Rc::new(inst)), loc: None, frames: Vec::new(), fatal: false }));
                }
            }
            Stmt::Delete(d) => {
                for t in &d.targets {
                    self.delete(t, env)?;
                }
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            Stmt::Import(i) => {
                for alias in &i.names {
                    let name = alias.name.as_str();
                    let m = self.import_module(name).map_err(|e| self.locate(e, alias.range()))?;
                    match &alias.asname {
                        Some(a) => self.store(env, a.as_str(), Value::Module(m))?,
                        None => {
                            let first = name.split('.').next().unwrap_or(name);
                            let top = self.modules.get(first).cloned().ok_or_else(|| self.exc("ImportError", format!("No module named '{first}'")))?;
                            self.store(env, first, Value::Module(top))?;
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => self.import_from(i, env)?,
            Stmt::With(w) => return self.exec_with(w, 0, env),
            Stmt::Match(m) => {
                let subject = self.eval(&m.subject, env)?;
                for case in &m.cases {
                    if !self.match_pattern(&case.pattern, &subject, env)? {
                        continue;
                    }
                    if let Some(g) = &case.guard {
                        if !self.eval_truthy(g, env)? {
                            continue;
                        }
                    }
                    return self.exec_block(&case.body, env);
                }
            }
            Stmt::TypeAlias(_) => return Err(self.exc("SyntaxError", "'type' aliases are not supported by the playground's evaluator")),
            Stmt::IpyEscapeCommand(_) => return Err(self.exc("SyntaxError", "IPython escape commands are not Python")),
        }
        Ok(Flow::Normal)
    }

    fn exec_try(&mut self, t: &ast::StmtTry, env: &Rc<Env>) -> R<Flow> {
        if t.is_star {
            return Err(self.exc("SyntaxError", "'except*' is not supported by the playground's evaluator"));
        }
        let mut result = self.exec_block(&t.body, env);
        match result {
            Ok(Flow::Normal) => result = self.exec_block(&t.orelse, env),
            Ok(_) => {}
            Err(e) if e.fatal => result = Err(e),
            Err(e) => {
                let mut handled = None;
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let matches = match &h.type_ {
                        None => true,
                        Some(te) => {
                            let tv = self.eval(te, env)?;
                            self.exception_matches(&e.value, &tv)?
                        }
                    };
                    if matches {
                        handled = Some(h);
                        break;
                    }
                }
                result = match handled {
                    None => Err(e),
                    Some(h) => {
                        if let Some(n) = &h.name {
                            self.store(env, n.as_str(), e.value.clone())?;
                        }
                        self.handling.push(Handled { value: e.value.clone(), loc: e.loc.clone(), frames: e.frames.clone() });
                        let r = self.exec_block(&h.body, env);
                        self.handling.pop();
                        // an exception leaving the handler was raised while
                        // this one was handled: its `__context__`
                        if let Err(out) = &r {
                            if let Value::Instance(i) = &out.value {
                                if !out.value.is(&e.value) && i.get("__context__").is_none_or(|c| c.is_none()) {
                                    i.set("__context__", e.value.clone());
                                }
                            }
                        }
                        if let Some(n) = &h.name {
                            env.vars.borrow_mut().shift_remove(n.as_str());
                        }
                        r
                    }
                };
            }
        }
        if t.finalbody.is_empty() {
            return result;
        }
        match self.exec_block(&t.finalbody, env)? {
            Flow::Normal => result,
            other => match result {
                Err(e) if e.fatal => Err(e),
                _ => Ok(other),
            },
        }
    }

    fn exec_with(&mut self, w: &ast::StmtWith, i: usize, env: &Rc<Env>) -> R<Flow> {
        if w.is_async {
            return Err(self.exc("SyntaxError", "'async with' is not supported by the playground's evaluator"));
        }
        let Some(item) = w.items.get(i) else {
            return self.exec_block(&w.body, env);
        };
        let mgr = self.eval(&item.context_expr, env)?;
        if let Value::Instance(inst) = &mgr {
            if Rc::ptr_eq(&inst.class, &self.generator_cm_class) {
                let g = generator_of(&mgr).ok_or_else(|| self.exc("RuntimeError", "a context manager without its generator"))?;
                return self.with_generator(&g, w, i, env);
            }
        }
        let enter = self.getattr(&mgr, "__enter__")?;
        let exit = self.getattr(&mgr, "__exit__")?;
        let entered = self.call(&enter, Args::default())?;
        if let Some(t) = &item.optional_vars {
            self.assign(t, entered, env)?;
        }
        match self.exec_with(w, i + 1, env) {
            Ok(flow) => {
                self.call(&exit, Args::new(vec![Value::None, Value::None, Value::None]))?;
                Ok(flow)
            }
            Err(e) if e.fatal => Err(e),
            Err(e) => {
                let cls = match &e.value {
                    Value::Instance(i) => Value::Class(i.class.clone()),
                    _ => Value::None,
                };
                let suppress = self.call(&exit, Args::new(vec![cls, e.value.clone(), Value::None]))?;
                if self.truthy(&suppress)? {
                    Ok(Flow::Normal)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Whether `v` matches the `case` pattern `p`, binding its capture names
    /// in `env` as it goes (as CPython does, a failed match may leave some).
    fn match_pattern(&mut self, p: &ast::Pattern, v: &Value, env: &Rc<Env>) -> R<bool> {
        use ast::Pattern as P;
        self.step()?;
        match p {
            P::MatchValue(m) => {
                let x = self.eval(&m.value, env)?;
                let eq = self.compare(ast::CmpOp::Eq, v, &x)?;
                self.truthy(&eq)
            }
            P::MatchSingleton(m) => Ok(match m.value {
                ast::Singleton::None => v.is_none(),
                ast::Singleton::True => matches!(v, Value::Bool(true)),
                ast::Singleton::False => matches!(v, Value::Bool(false)),
            }),
            P::MatchSequence(m) => {
                // str, bytes and mappings are not sequences to `case [...]`
                let sequence = match v {
                    Value::List(_) | Value::Tuple(_) | Value::Range(..) => true,
                    Value::Instance(i) => matches!(&*i.base_value.borrow(), Some(Value::Tuple(_))),
                    _ => false,
                };
                if !sequence {
                    return Ok(false);
                }
                let items = self.iterate(v)?;
                let star = m.patterns.iter().position(|p| matches!(p, P::MatchStar(_)));
                let n = m.patterns.len();
                match star {
                    None if items.len() != n => return Ok(false),
                    Some(_) if items.len() < n - 1 => return Ok(false),
                    _ => {}
                }
                let after = star.map(|s| n - s - 1).unwrap_or(0);
                for (k, sub) in m.patterns.iter().enumerate() {
                    let ok = match (star, sub) {
                        (Some(s), P::MatchStar(st)) if k == s => {
                            if let Some(name) = &st.name {
                                let middle = items[s..items.len() - after].to_vec();
                                env.set(name.as_str(), Value::list(middle));
                            }
                            true
                        }
                        (Some(s), _) if k > s => self.match_pattern(sub, &items[items.len() - (n - k)], env)?,
                        _ => self.match_pattern(sub, &items[k], env)?,
                    };
                    if !ok {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            P::MatchMapping(m) => {
                let Value::Dict(d) = v else { return Ok(false) };
                let mut used = Vec::new();
                for (key, sub) in m.keys.iter().zip(m.patterns.iter()) {
                    let k = self.eval(key, env)?;
                    let hk = self.hash_key(&k)?;
                    let found = d.borrow().get(&hk).cloned();
                    let Some(x) = found else { return Ok(false) };
                    if !self.match_pattern(sub, &x, env)? {
                        return Ok(false);
                    }
                    used.push(hk);
                }
                if let Some(rest) = &m.rest {
                    let mut left = Dict::new();
                    for (k, x) in d.borrow().items() {
                        let hk = self.hash_key(&k)?;
                        if !used.contains(&hk) {
                            left.insert(hk, k, x);
                        }
                    }
                    env.set(rest.as_str(), Value::dict(left));
                }
                Ok(true)
            }
            P::MatchClass(m) => {
                let cls = self.eval(&m.cls, env)?;
                let Value::Class(c) = &cls else {
                    return Err(self.type_error("called match pattern must be a class"));
                };
                if !self.class_of(v).is_subclass(c) {
                    return Ok(false);
                }
                let positional = &m.arguments.patterns;
                if !positional.is_empty() {
                    // `int(x)`, `str(s)`...: the subject itself
                    let self_matching = c.module == "builtins"
                        && matches!(c.name.as_str(), "bool" | "bytearray" | "bytes" | "dict" | "float" | "frozenset" | "int" | "list" | "set" | "str" | "tuple");
                    if self_matching {
                        if positional.len() > 1 {
                            return Err(self.type_error(format!("{}() accepts 1 positional sub-pattern ({} given)", c.name, positional.len())));
                        }
                        if !self.match_pattern(&positional[0], v, env)? {
                            return Ok(false);
                        }
                    } else {
                        let names = match c.lookup("__match_args__") {
                            Some(t @ Value::Tuple(_)) => self.iterate(&t)?,
                            Some(_) => return Err(self.type_error(format!("{}.__match_args__ must be a tuple", c.name))),
                            None => Vec::new(),
                        };
                        if positional.len() > names.len() {
                            return Err(self.type_error(format!("{}() accepts {} positional sub-pattern{} ({} given)", c.name, names.len(), if names.len() == 1 { "" } else { "s" }, positional.len())));
                        }
                        for (sub, name) in positional.iter().zip(names) {
                            let name = self.str_of(&name)?;
                            let Some(x) = self.getattr_opt(v, &name)? else { return Ok(false) };
                            if !self.match_pattern(sub, &x, env)? {
                                return Ok(false);
                            }
                        }
                    }
                }
                for kw in &m.arguments.keywords {
                    let Some(x) = self.getattr_opt(v, kw.attr.as_str())? else { return Ok(false) };
                    if !self.match_pattern(&kw.pattern, &x, env)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            P::MatchStar(_) => Err(self.exc("SyntaxError", "starred pattern outside a sequence pattern")),
            P::MatchAs(m) => {
                if let Some(sub) = &m.pattern {
                    if !self.match_pattern(sub, v, env)? {
                        return Ok(false);
                    }
                }
                if let Some(name) = &m.name {
                    env.set(name.as_str(), v.clone());
                }
                Ok(true)
            }
            P::MatchOr(m) => {
                for alt in &m.patterns {
                    if self.match_pattern(alt, v, env)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    /// `with cm():` where `cm` is a `@contextmanager` function: the body runs
    /// at the generator's `yield` (its value bound to the `as` target), an
    /// exception in the body is raised there, and the generator must then
    /// end; if it ends without raising, the exception is suppressed.
    fn with_generator(&mut self, g: &Rc<Generator>, w: &ast::StmtWith, i: usize, env: &Rc<Env>) -> R<Flow> {
        if !matches!(*g.state.borrow(), GeneratorState::Fresh) {
            return Err(self.exc("RuntimeError", "generator didn't yield"));
        }
        let mut yields = 0;
        let mut flow = None;
        let drove = self.drive_generator(g, &mut |this, entered| {
            yields += 1;
            if yields > 1 {
                return Err(this.exc("RuntimeError", "generator didn't stop"));
            }
            if let Some(t) = &w.items[i].optional_vars {
                this.assign(t, entered, env)?;
            }
            flow = Some(this.exec_with(w, i + 1, env)?);
            Ok(Value::None)
        });
        match (drove, flow) {
            (Err(e), _) => Err(e),
            (Ok(_), _) if yields == 0 => Err(self.exc("RuntimeError", "generator didn't yield")),
            (Ok(_), Some(flow)) => Ok(flow),
            // the body raised and the generator ended without raising again
            (Ok(_), None) => Ok(Flow::Normal),
        }
    }

    /// Drives fresh generator `g` for a loop: `each` runs at every `yield`.
    /// A flow (`break`, `return`) or an exception out of `each` closes the
    /// generator (`GeneratorExit` at the `yield`, so its `finally` blocks
    /// run) and is what this gives back; what closing raises is dropped, as
    /// CPython's "Exception ignored" when the loop lets go of the generator.
    fn drive_closing(&mut self, g: &Rc<Generator>, mut each: impl FnMut(&mut Interp, Value) -> R<Option<Flow>>) -> R<Option<Flow>> {
        let mut stop: Option<R<Flow>> = None;
        let drove = self.drive_generator(g, &mut |this, item| {
            if stop.is_some() {
                return Err(this.exc("RuntimeError", "generator ignored GeneratorExit"));
            }
            match each(this, item) {
                Ok(None) => Ok(Value::None),
                Ok(Some(flow)) => {
                    stop = Some(Ok(flow));
                    Err(this.exc("GeneratorExit", ""))
                }
                Err(e) => {
                    stop = Some(Err(e));
                    Err(this.exc("GeneratorExit", ""))
                }
            }
        });
        match stop {
            Some(r) => r.map(Some),
            None => drove.map(|_| None),
        }
    }

    /// Runs generator `g` (fresh) to its end, handing each value it yields
    /// to `consumer`: its return value, or the exception that ended it.
    pub fn drive_generator(&mut self, g: &Rc<Generator>, consumer: &mut YieldFn<'_>) -> R<Value> {
        {
            let mut state = g.state.borrow_mut();
            match *state {
                GeneratorState::Fresh => *state = GeneratorState::Running,
                GeneratorState::Running => return Err(self.exc("ValueError", "generator already executing")),
                GeneratorState::Done => return Err(self.exc("RuntimeError", "a generator runs once in the playground's evaluator")),
            }
        }
        let consumer: *mut YieldFn<'_> = consumer;
        // SAFETY: the lifetime is erased only while the body runs: the
        // handler is popped below, before `consumer`'s borrow ends; a
        // `yield` pops it while calling it, so it is never called re-entrantly.
        let consumer: *mut YieldFn<'static> = unsafe { std::mem::transmute(consumer) };
        self.yield_handlers.push(YieldHandler {
            consumer,
            functions: self.functions.len(),
            code: self.code.len(),
            call_sites: self.call_sites.len(),
            handling: self.handling.len(),
            expr_depth: self.expr_depth,
        });
        let r = if self.depth >= self.limits.depth {
            Err(self.fatal("RecursionError", "maximum recursion depth exceeded"))
        } else {
            self.run_frame(&g.func, g.env.clone())
        };
        self.yield_handlers.pop();
        *g.state.borrow_mut() = GeneratorState::Done;
        match r {
            // PEP 479: a StopIteration escaping the body
            Err(e) if !e.fatal && self.is_instance_of_name(&e.value, "StopIteration") => Err(self.exc("RuntimeError", "generator raised StopIteration")),
            r => r,
        }
    }

    /// `yield v` in the body of the generator being driven: `v` goes to its
    /// consumer, run with the stacks of the place that drives the generator.
    fn yield_value(&mut self, v: Value) -> R<Value> {
        let Some(h) = self.yield_handlers.pop() else {
            return Err(self.exc("SyntaxError", "'yield' outside function"));
        };
        let functions = self.functions.split_off(h.functions.min(self.functions.len()));
        let code = self.code.split_off(h.code.min(self.code.len()));
        let call_sites = self.call_sites.split_off(h.call_sites.min(self.call_sites.len()));
        let handling = self.handling.split_off(h.handling.min(self.handling.len()));
        let expr_depth = std::mem::replace(&mut self.expr_depth, h.expr_depth);
        // SAFETY: see `drive_generator`: the consumer outlives its handler,
        // and it was popped, so this is the only call in progress.
        let r = unsafe { &mut *h.consumer }(self, v);
        self.functions.extend(functions);
        self.code.extend(code);
        self.call_sites.extend(call_sites);
        self.handling.extend(handling);
        self.expr_depth = expr_depth;
        self.yield_handlers.push(h);
        r
    }

    fn import_from(&mut self, i: &ast::StmtImportFrom, env: &Rc<Env>) -> R<()> {
        let base = if i.level > 0 {
            let pkg = env.module_env().get("__package__").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let mut parts: Vec<&str> = if pkg.is_empty() { vec![] } else { pkg.split('.').collect() };
            for _ in 1..i.level {
                if parts.pop().is_none() {
                    return Err(self.exc("ImportError", "attempted relative import beyond top-level package"));
                }
            }
            if parts.is_empty() && i.module.is_none() {
                return Err(self.exc("ImportError", "attempted relative import with no known parent package"));
            }
            let mut s = parts.join(".");
            if let Some(m) = &i.module {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(m.as_str());
            }
            s
        } else {
            i.module.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default()
        };
        let m = self.import_module(&base)?;
        for alias in &i.names {
            let name = alias.name.as_str();
            if name == "*" {
                let all = m.globals.get("__all__");
                let names: Vec<String> = match all {
                    Some(a) => self.iterate(&a)?.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                    None => m.globals.vars.borrow().keys().filter(|k| !k.starts_with('_')).map(|k| k.to_string()).collect(),
                };
                for n in names {
                    if let Some(v) = m.globals.get(&n) {
                        self.store(env, &n, v)?;
                    }
                }
                continue;
            }
            let v = match self.getattr_opt(&Value::Module(m.clone()), name)? {
                Some(v) => v,
                None => {
                    let sub = format!("{base}.{name}");
                    match self.import_module(&sub) {
                        Ok(sm) => Value::Module(sm),
                        Err(e)
                            if self.is_instance_of_name(&e.value, "ModuleNotFoundError")
                                && matches!(&e.value, Value::Instance(i) if i.get("name").and_then(|n| n.as_str().map(|s| s == sub)).unwrap_or(false)) =>
                        {
                            let loc = m.file.clone().unwrap_or_else(|| "unknown location".to_string());
                            // a module still running its body (an import cycle) is named so
                            let msg = if self.code.iter().any(|c| c.name == base) {
                                format!("cannot import name '{name}' from partially initialized module '{base}' (most likely due to a circular import) ({loc})")
                            } else {
                                format!("cannot import name '{name}' from '{base}' ({loc})")
                            };
                            let e = self.exc("ImportError", msg);
                            return Err(self.locate(e, alias.range()));
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            let local = alias.asname.as_ref().map(|a| a.as_str()).unwrap_or(name);
            self.store(env, local, v)?;
        }
        Ok(())
    }

    fn class_def(&mut self, c: &ast::StmtClassDef, env: &Rc<Env>) -> R<Value> {
        if c.type_params.is_some() {
            return Err(self.exc("SyntaxError", "type parameters are not supported by the playground's evaluator"));
        }
        let mut bases = Vec::new();
        let mut kwargs = Vec::new();
        if let Some(args) = &c.arguments {
            for a in args.args.iter() {
                match self.eval(a, env)? {
                    Value::Class(cls) => bases.push(cls),
                    other => {
                        let t = self.type_name(&other);
                        return Err(self.locate(self.type_error(format!("bases must be types, not {t}")), a.range()));
                    }
                }
            }
            for k in args.keywords.iter() {
                let v = self.eval(&k.value, env)?;
                match &k.arg {
                    Some(n) => kwargs.push((n.as_str().to_string(), v)),
                    None => return Err(self.exc("TypeError", "**kwargs in a class statement are not supported by the playground's evaluator")),
                }
            }
        }
        if bases.is_empty() {
            bases.push(self.types.object.clone());
        }
        let module_name = env.module_env().get("__name__").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        // `__module__`, `__qualname__`, `__doc__`, then about a name per statement.
        let ns = Env::with_capacity(EnvKind::Class, Some(env.clone()), 3 + c.body.len());
        ns.set("__module__", Value::str(&module_name));
        ns.set("__qualname__", Value::str(&self.qualname_in(env, c.name.as_str())));
        if let Some(d) = docstring(&c.body) {
            ns.set("__doc__", Value::str(&d));
        }
        self.exec_block(&c.body, &ns)?;
        let cls = self.build_class(c.name.as_str(), &module_name, bases, &ns, kwargs)?;
        let mut v = Value::Class(cls);
        for d in c.decorator_list.iter().rev() {
            let dv = self.eval(&d.expression, env)?;
            v = self.call(&dv, Args::new(vec![v])).map_err(|e| self.locate(e, d.range()))?;
        }
        Ok(v)
    }

    /// `type(name, bases, ns)` plus the subclass hooks of the bases.
    pub fn build_class(&mut self, name: &str, module: &str, bases: Vec<Rc<Class>>, ns: &Rc<Env>, kwargs: Vec<(String, Value)>) -> R<Rc<Class>> {
        for (k, v) in &kwargs {
            if k == "metaclass" {
                if let Value::Class(m) = v {
                    if m.name == "ABCMeta" || Rc::ptr_eq(m, &self.types.type_) {
                        continue;
                    }
                }
                return Err(self.exc("TypeError", "custom metaclasses are not supported by the playground's evaluator"));
            }
        }
        let mro = c3_mro(&bases).ok_or_else(|| {
            let names: Vec<&str> = bases.iter().map(|b| b.name.as_str()).collect();
            self.type_error(format!("Cannot create a consistent method resolution order (MRO) for bases {}", names.join(", ")))
        })?;
        let builtin = mro.iter().map(|c| c.builtin).find(|b| *b != BuiltinType::Object).unwrap_or(BuiltinType::Object);
        let vars = ns.vars.borrow();
        // Room for what class hooks add (a mapped class's `__table__`...).
        let mut dict = Dict::with_capacity(vars.len() + 4);
        for (k, v) in vars.iter() {
            dict.set_name(k.clone(), v.clone());
        }
        drop(vars);
        let hook = mro.iter().find_map(|c| c.subclass_hook.clone());
        let methods: Vec<Value> = dict.values();
        let qualname = ns.get("__qualname__").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| name.to_string());
        let cls = Rc::new(Class {
            name: name.to_string(),
            qualname,
            module: module.to_string(),
            bases,
            mro,
            dict: RefCell::new(dict),
            builtin,
            subclass_hook: hook.clone(),
            instance_capacity: std::cell::Cell::new(crate::python::value::INITIAL_INSTANCE_CAPACITY),
            capacity_learned: std::cell::Cell::new(false),
        });
        for m in methods {
            let f = match &m {
                Value::Descriptor(d) => match d.as_ref() {
                    Descriptor::ClassMethod(f) | Descriptor::StaticMethod(f) | Descriptor::Property { fget: f, .. } => f.clone(),
                },
                _ => m.clone(),
            };
            if let Value::Function(f) = f {
                *f.class_cell.borrow_mut() = Some(Rc::downgrade(&cls));
            }
        }
        if let Err(e) = self.init_subclass(&cls, hook, kwargs) {
            self.orphans.push(Value::Class(cls.clone()));
            return Err(e);
        }
        Ok(cls)
    }

    /// A new class's subclass hook (the declarative scan), then
    /// `__init_subclass__` defined in Python on a base, with the class
    /// statement's keywords.
    fn init_subclass(&mut self, cls: &Rc<Class>, hook: Option<Rc<SubclassHook>>, kwargs: Vec<(String, Value)>) -> R<()> {
        if let Some(h) = hook {
            h(self, cls)?;
        }
        let user_kwargs: Vec<(String, Value)> = kwargs.into_iter().filter(|(k, _)| k != "metaclass").collect();
        if let Some(f) = cls.mro.iter().find_map(|c| c.dict.borrow().get_str("__init_subclass__").cloned()) {
            let f = match &f {
                Value::Descriptor(d) => match d.as_ref() {
                    Descriptor::ClassMethod(inner) => inner.clone(),
                    _ => f.clone(),
                },
                _ => f.clone(),
            };
            let mut args = Args::new(vec![Value::Class(cls.clone())]);
            args.kw = user_kwargs;
            self.call(&f, args)?;
        } else if !user_kwargs.is_empty() {
            return Err(self.type_error(format!("{}.__init_subclass__() takes no keyword arguments", cls.name)));
        }
        Ok(())
    }

    fn make_function(&mut self, code: FunctionCode, name: &str, params: &ast::Parameters, doc: Option<String>, env: &Rc<Env>) -> R<Function> {
        let mut defaults = Vec::new();
        for p in params.posonlyargs.iter().chain(params.args.iter()) {
            if let Some(d) = &p.default {
                defaults.push(self.eval(d, env)?);
            }
        }
        let mut kw_defaults = Vec::new();
        for p in params.kwonlyargs.iter() {
            if let Some(d) = &p.default {
                kw_defaults.push((p.parameter.name.as_str().to_string(), self.eval(d, env)?));
            }
        }
        let mut closure = env.clone();
        while closure.kind == EnvKind::Class {
            closure = closure.parent.clone().unwrap_or_else(|| self.builtins.clone());
        }
        let qualname = self.qualname_in(env, name);
        let module = self.code.last().cloned().ok_or_else(|| self.exc("SystemError", "no code running"))?;
        Ok(Function { name: name.to_string(), qualname, code, module, defaults, kw_defaults, closure, doc, attrs: RefCell::new(Dict::new()), class_cell: RefCell::new(None) })
    }

    // ----- names ------------------------------------------------------------

    fn scope_of(&mut self, f: &Function) -> Rc<ScopeInfo> {
        let key = match f.code {
            FunctionCode::Def(p) => p as usize,
            FunctionCode::Lambda(p) => p as usize,
        };
        if let Some((_, s)) = self.scope_cache.get(&key) {
            return s.clone();
        }
        let mut info = ScopeInfo::default();
        if let Some(params) = f.parameters() {
            for p in params.iter() {
                info.locals.insert(p.name().as_str().to_string());
            }
        }
        match f.code {
            FunctionCode::Def(p) => {
                // SAFETY: `FunctionCode` points into `f.module`, alive here.
                let def = unsafe { &*p };
                collect_bindings(&def.body, &mut info);
                info.generator = yields_in(def.body.iter().map(Yields::Stmt));
            }
            FunctionCode::Lambda(p) => {
                // SAFETY: as above.
                let l = unsafe { &*p };
                info.generator = yields_in(std::iter::once(Yields::Expr(&l.body)));
            }
        }
        for n in info.globals.iter().chain(info.nonlocals.iter()) {
            info.locals.remove(n);
        }
        let info = Rc::new(info);
        self.scope_cache.insert(key, (f.module.clone(), info.clone()));
        info
    }

    pub fn lookup(&self, env: &Rc<Env>, name: &str) -> R<Value> {
        let mut e = env.clone();
        loop {
            if let Some(v) = e.get(name) {
                return Ok(v);
            }
            if let Some(s) = &e.scope {
                if s.globals.contains(name) {
                    e = e.module_env();
                    continue;
                }
                if s.locals.contains(name) {
                    return Err(self.exc("UnboundLocalError", format!("cannot access local variable '{name}' where it is not associated with a value")));
                }
            }
            match e.parent.clone() {
                Some(p) => e = p,
                None => {
                    let ex = self.exc("NameError", super::suggestions::name_error_message(env, name));
                    if let Value::Instance(i) = &ex.value {
                        i.set("name", Value::str(name));
                    }
                    return Err(ex);
                }
            }
        }
    }

    pub fn store(&self, env: &Rc<Env>, name: &str, v: Value) -> R<()> {
        if let Some(s) = &env.scope {
            if s.globals.contains(name) {
                env.module_env().set(name, v);
                return Ok(());
            }
            if s.nonlocals.contains(name) {
                let mut e = env.parent.clone();
                while let Some(p) = e {
                    if p.kind == EnvKind::Function && p.vars.borrow().contains_key(name) {
                        p.set(name, v);
                        return Ok(());
                    }
                    e = p.parent.clone();
                }
                return Err(self.exc("SyntaxError", format!("no binding for nonlocal '{name}' found")));
            }
        }
        env.set(name, v);
        Ok(())
    }

    fn assign(&mut self, target: &Expr, v: Value, env: &Rc<Env>) -> R<()> {
        match target {
            Expr::Name(n) => self.store(env, n.id.as_str(), v),
            Expr::Attribute(a) => {
                let obj = self.eval(&a.value, env)?;
                self.setattr(&obj, a.attr.as_str(), v).map_err(|e| self.locate(e, a.range()))
            }
            Expr::Subscript(s) => {
                let obj = self.eval(&s.value, env)?;
                let key = self.eval(&s.slice, env)?;
                self.setitem(&obj, key, v).map_err(|e| self.locate(e, s.range()))
            }
            Expr::Tuple(t) => self.unpack(&t.elts, v, env),
            Expr::List(l) => self.unpack(&l.elts, v, env),
            Expr::Starred(_) => Err(self.exc("SyntaxError", "starred assignment target must be in a list or tuple")),
            other => Err(self.locate(self.exc("SyntaxError", "cannot assign to expression"), other.range())),
        }
    }

    fn unpack(&mut self, targets: &[Expr], v: Value, env: &Rc<Env>) -> R<()> {
        let items = self.iterate(&v)?;
        let star = targets.iter().position(|t| matches!(t, Expr::Starred(_)));
        match star {
            None => {
                if items.len() != targets.len() {
                    return Err(self.exc(
                        "ValueError",
                        if items.len() > targets.len() {
                            format!("too many values to unpack (expected {})", targets.len())
                        } else {
                            format!("not enough values to unpack (expected {}, got {})", targets.len(), items.len())
                        },
                    ));
                }
                for (t, item) in targets.iter().zip(items) {
                    self.assign(t, item, env)?;
                }
            }
            Some(si) => {
                let after = targets.len() - si - 1;
                if items.len() < targets.len() - 1 {
                    return Err(self.exc("ValueError", format!("not enough values to unpack (expected at least {}, got {})", targets.len() - 1, items.len())));
                }
                let mut items = items;
                let tail = items.split_off(items.len() - after);
                let middle = items.split_off(si);
                for (t, item) in targets[..si].iter().zip(items) {
                    self.assign(t, item, env)?;
                }
                if let Expr::Starred(s) = &targets[si] {
                    self.assign(&s.value, Value::list(middle), env)?;
                }
                for (t, item) in targets[si + 1..].iter().zip(tail) {
                    self.assign(t, item, env)?;
                }
            }
        }
        Ok(())
    }

    fn delete(&mut self, target: &Expr, env: &Rc<Env>) -> R<()> {
        match target {
            Expr::Name(n) => {
                let name = n.id.as_str();
                let e = match &env.scope {
                    Some(s) if s.globals.contains(name) => env.module_env(),
                    _ => env.clone(),
                };
                if e.vars.borrow_mut().shift_remove(name).is_none() {
                    return Err(self.exc("NameError", format!("name '{name}' is not defined")));
                }
                Ok(())
            }
            Expr::Attribute(a) => {
                let obj = self.eval(&a.value, env)?;
                let removed = match &obj {
                    Value::Instance(i) => i.dict.borrow_mut().remove_str(a.attr.as_str()).is_some(),
                    Value::Class(c) => c.dict.borrow_mut().remove_str(a.attr.as_str()).is_some(),
                    Value::Module(m) => m.globals.vars.borrow_mut().shift_remove(a.attr.as_str()).is_some(),
                    _ => false,
                };
                if removed {
                    Ok(())
                } else {
                    let t = self.type_name(&obj);
                    Err(self.exc("AttributeError", format!("'{t}' object has no attribute '{}'", a.attr.as_str())))
                }
            }
            Expr::Subscript(s) => {
                let obj = self.eval(&s.value, env)?;
                let key = self.eval(&s.slice, env)?;
                super::builtins::delitem(self, &obj, key)
            }
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.delete(e, env)?;
                }
                Ok(())
            }
            Expr::List(t) => {
                for e in &t.elts {
                    self.delete(e, env)?;
                }
                Ok(())
            }
            other => Err(self.locate(self.exc("SyntaxError", "cannot delete expression"), other.range())),
        }
    }

    fn aug_assign(&mut self, a: &ast::StmtAugAssign, env: &Rc<Env>) -> R<()> {
        let rhs = self.eval(&a.value, env)?;
        match a.target.as_ref() {
            Expr::Name(n) => {
                let cur = self.lookup(env, n.id.as_str())?;
                let v = self.inplace_op(a.op, cur, rhs)?;
                self.store(env, n.id.as_str(), v)
            }
            Expr::Attribute(at) => {
                let obj = self.eval(&at.value, env)?;
                let cur = self.getattr(&obj, at.attr.as_str())?;
                let v = self.inplace_op(a.op, cur, rhs)?;
                self.setattr(&obj, at.attr.as_str(), v)
            }
            Expr::Subscript(s) => {
                let obj = self.eval(&s.value, env)?;
                let key = self.eval(&s.slice, env)?;
                let cur = self.getitem(&obj, key.clone())?;
                let v = self.inplace_op(a.op, cur, rhs)?;
                self.setitem(&obj, key, v)
            }
            other => Err(self.locate(self.exc("SyntaxError", "'expression' is an illegal expression for augmented assignment"), other.range())),
        }
    }

    fn inplace_op(&mut self, op: ast::Operator, cur: Value, rhs: Value) -> R<Value> {
        // Lists extend in place (`+=`), which other aliases observe.
        if let (ast::Operator::Add, Value::List(l)) = (op, &cur) {
            let items = self.iterate(&rhs)?;
            l.borrow_mut().extend(items);
            return Ok(cur);
        }
        if let Value::Instance(_) = &cur {
            let name = format!("__i{}__", &binop_dunder(op)[2..binop_dunder(op).len() - 2]);
            if let Ok(m) = self.getattr(&cur, &name) {
                return self.call(&m, Args::new(vec![rhs]));
            }
        }
        self.binop(op, cur, rhs)
    }

    // ----- expressions ------------------------------------------------------

    fn eval_truthy(&mut self, e: &Expr, env: &Rc<Env>) -> R<bool> {
        let v = self.eval(e, env)?;
        self.truthy(&v).map_err(|x| self.locate(x, e.range()))
    }

    fn eval_annotation(&mut self, e: &Expr, env: &Rc<Env>) -> R<Value> {
        // `from __future__ import annotations` keeps annotations as text.
        if env.module_env().get("annotations").is_some_and(|v| matches!(v, Value::Instance(ref i) if i.class.name == "_Feature")) {
            let code = self.code.last().cloned();
            let text = code.as_ref().and_then(|c| c.source.get(usize::from(e.range().start())..usize::from(e.range().end())).map(str::to_string)).unwrap_or_default();
            return Ok(Value::str(&text));
        }
        self.eval(e, env)
    }

    pub fn eval(&mut self, e: &Expr, env: &Rc<Env>) -> R<Value> {
        // Nested expressions recurse on the native stack (1 MB on wasm32).
        if self.expr_depth >= self.limits.expr_depth {
            let x = self.fatal("RecursionError", "expression nested too deeply for the playground's evaluator");
            return Err(self.locate(x, e.range()));
        }
        self.expr_depth += 1;
        let r = self.eval_inner(e, env).map_err(|x| self.locate(x, e.range()));
        self.expr_depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expr, env: &Rc<Env>) -> R<Value> {
        Ok(match e {
            Expr::NoneLiteral(_) => Value::None,
            Expr::BooleanLiteral(b) => Value::Bool(b.value),
            Expr::EllipsisLiteral(_) => Value::Ellipsis,
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => match i.as_i64() {
                    Some(v) => Value::Int(v),
                    None => return Err(self.exc("OverflowError", format!("integer {i} does not fit in 64 bits (the playground's int)"))),
                },
                ast::Number::Float(f) => Value::Float(*f),
                ast::Number::Complex { .. } => return Err(self.exc("TypeError", "complex numbers are not supported by the playground's evaluator")),
            },
            Expr::StringLiteral(s) => Value::str(s.value.to_str()),
            Expr::BytesLiteral(b) => Value::Bytes(Rc::from(b.value.bytes().collect::<Vec<u8>>())),
            Expr::FString(f) => {
                let mut out = String::new();
                for part in f.value.iter() {
                    match part {
                        ast::FStringPart::Literal(l) => out.push_str(&l.value),
                        ast::FStringPart::FString(fs) => self.fstring_elements(&fs.elements, env, &mut out)?,
                    }
                }
                Value::str(&out)
            }
            Expr::TString(_) => return Err(self.exc("SyntaxError", "template strings are not supported by the playground's evaluator")),
            Expr::Name(n) => self.lookup(env, n.id.as_str())?,
            Expr::Attribute(a) => {
                let obj = self.eval(&a.value, env)?;
                self.getattr(&obj, a.attr.as_str())?
            }
            Expr::Subscript(s) => {
                let obj = self.eval(&s.value, env)?;
                let key = self.eval(&s.slice, env)?;
                self.getitem(&obj, key)?
            }
            Expr::Slice(s) => {
                let part = |x: &Option<Box<Expr>>, this: &mut Interp| -> R<Value> {
                    match x {
                        Some(x) => this.eval(x, env),
                        None => Ok(Value::None),
                    }
                };
                let a = part(&s.lower, self)?;
                let b = part(&s.upper, self)?;
                let c = part(&s.step, self)?;
                Value::Slice(Rc::new([a, b, c]))
            }
            Expr::Tuple(t) => Value::tuple(self.eval_elts(&t.elts, env)?),
            Expr::List(l) => Value::list(self.eval_elts(&l.elts, env)?),
            Expr::Set(s) => {
                let items = self.eval_elts(&s.elts, env)?;
                let mut d = Dict::new();
                for v in items {
                    let k = self.hash_key(&v)?;
                    d.insert(k, v, Value::None);
                }
                Value::Set(Rc::new(RefCell::new(d)))
            }
            Expr::Dict(d) => {
                let mut out = Dict::new();
                for item in &d.items {
                    match &item.key {
                        Some(k) => {
                            let kv = self.eval(k, env)?;
                            let vv = self.eval(&item.value, env)?;
                            let hk = self.hash_key(&kv)?;
                            out.insert(hk, kv, vv);
                        }
                        None => {
                            let m = self.eval(&item.value, env)?;
                            for (k, v) in self.mapping_items(&m)? {
                                let hk = self.hash_key(&k)?;
                                out.insert(hk, k, v);
                            }
                        }
                    }
                }
                Value::dict(out)
            }
            Expr::Starred(_) => return Err(self.exc("SyntaxError", "can't use starred expression here")),
            Expr::BoolOp(b) => {
                let mut last = Value::None;
                for (i, v) in b.values.iter().enumerate() {
                    last = self.eval(v, env)?;
                    let t = self.truthy(&last)?;
                    let stop = match b.op {
                        ast::BoolOp::And => !t,
                        ast::BoolOp::Or => t,
                    };
                    if stop || i + 1 == b.values.len() {
                        break;
                    }
                }
                last
            }
            Expr::Named(n) => {
                let v = self.eval(&n.value, env)?;
                let mut target_env = env.clone();
                while target_env.kind == EnvKind::Comprehension {
                    target_env = target_env.parent.clone().unwrap_or(target_env);
                }
                self.assign(&n.target, v.clone(), &target_env)?;
                v
            }
            Expr::BinOp(b) => {
                let l = self.eval(&b.left, env)?;
                let r = self.eval(&b.right, env)?;
                self.binop(b.op, l, r)?
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(&u.operand, env)?;
                self.unaryop(u.op, v)?
            }
            Expr::Compare(c) => {
                let mut left = self.eval(&c.left, env)?;
                let mut result = Value::Bool(true);
                let last = c.ops.len().saturating_sub(1);
                for (n, (op, right)) in c.ops.iter().zip(c.comparators.iter()).enumerate() {
                    let r = self.eval(right, env)?;
                    result = self.compare(*op, &left, &r)?;
                    // a chain asks each link but the last for its truth
                    // value; a single comparison returns its result as is
                    // (SQLAlchemy's `t.c.x == None` is a clause, not a bool)
                    if n < last && !self.truthy(&result)? {
                        return Ok(result);
                    }
                    left = r;
                }
                result
            }
            Expr::If(i) => {
                if self.eval_truthy(&i.test, env)? {
                    self.eval(&i.body, env)?
                } else {
                    self.eval(&i.orelse, env)?
                }
            }
            Expr::Lambda(l) => {
                let empty;
                let params = match &l.parameters {
                    Some(p) => p.as_ref(),
                    None => {
                        empty = ast::Parameters {
                            range: l.range,
                            node_index: Default::default(),
                            posonlyargs: Default::default(),
                            args: Default::default(),
                            vararg: None,
                            kwonlyargs: Default::default(),
                            kwarg: None,
                        };
                        &empty
                    }
                };
                Value::Function(Rc::new(self.make_function(FunctionCode::Lambda(l as *const _), "<lambda>", params, None, env)?))
            }
            Expr::Call(c) => {
                let f = self.eval(&c.func, env)?;
                if let (Value::Class(k), true) = (&f, c.arguments.args.is_empty() && c.arguments.keywords.is_empty()) {
                    if Rc::ptr_eq(k, &self.types.super_) {
                        return self.zero_arg_super(env);
                    }
                }
                let args = self.eval_args(&c.arguments, env)?;
                let code = self.code.last().cloned();
                match code {
                    Some(code) => {
                        self.call_sites.push(CallSite { code, call: c as *const _, env: Rc::downgrade(env) });
                        let r = self.call(&f, args);
                        self.call_sites.pop();
                        r?
                    }
                    None => self.call(&f, args)?,
                }
            }
            Expr::ListComp(c) => {
                let mut out = Vec::new();
                self.comprehension(&c.generators, 0, env, &mut |this, cenv| {
                    out.push(this.eval(&c.elt, cenv)?);
                    Ok(())
                })?;
                Value::list(out)
            }
            Expr::Generator(c) => {
                // Generators are evaluated eagerly into an iterator.
                let mut out = Vec::new();
                self.comprehension(&c.generators, 0, env, &mut |this, cenv| {
                    out.push(this.eval(&c.elt, cenv)?);
                    Ok(())
                })?;
                Value::Iterator(Rc::new(RefCell::new(IterState { items: out, pos: 0 })))
            }
            Expr::SetComp(c) => {
                let mut out = Dict::new();
                self.comprehension(&c.generators, 0, env, &mut |this, cenv| {
                    let v = this.eval(&c.elt, cenv)?;
                    let k = this.hash_key(&v)?;
                    out.insert(k, v, Value::None);
                    Ok(())
                })?;
                Value::Set(Rc::new(RefCell::new(out)))
            }
            Expr::DictComp(c) => {
                let mut out = Dict::new();
                let Some(key) = &c.key else {
                    return Err(self.exc("SyntaxError", "dict unpacking cannot be used in dict comprehension"));
                };
                self.comprehension(&c.generators, 0, env, &mut |this, cenv| {
                    let k = this.eval(key, cenv)?;
                    let v = this.eval(&c.value, cenv)?;
                    let hk = this.hash_key(&k)?;
                    out.insert(hk, k, v);
                    Ok(())
                })?;
                Value::dict(out)
            }
            Expr::Await(_) => return Err(self.exc("SyntaxError", "'await' is not supported by the playground's evaluator")),
            Expr::Yield(y) => {
                let v = match &y.value {
                    Some(e) => self.eval(e, env)?,
                    None => Value::None,
                };
                self.yield_value(v)?
            }
            Expr::YieldFrom(y) => {
                let sub = self.eval(&y.value, env)?;
                match self.generator_object(&sub) {
                    Some(g) if matches!(*g.state.borrow(), GeneratorState::Fresh) => self.drive_generator(&g, &mut |it, v| it.yield_value(v))?,
                    _ => {
                        for v in self.iterate(&sub)? {
                            self.yield_value(v)?;
                        }
                        Value::None
                    }
                }
            }
            Expr::IpyEscapeCommand(_) => return Err(self.exc("SyntaxError", "IPython escape commands are not Python")),
        })
    }

    fn fstring_elements(&mut self, elements: &[ast::InterpolatedStringElement], env: &Rc<Env>, out: &mut String) -> R<()> {
        for el in elements {
            match el {
                ast::InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                ast::InterpolatedStringElement::Interpolation(i) => {
                    let v = self.eval(&i.expression, env)?;
                    if let Some(d) = &i.debug_text {
                        out.push_str(d.leading());
                        out.push_str(d.expression());
                        out.push_str(d.trailing());
                    }
                    let conv = match i.conversion {
                        ast::ConversionFlag::None => {
                            if i.debug_text.is_some() && i.format_spec.is_none() {
                                Some(self.repr(&v)?)
                            } else {
                                None
                            }
                        }
                        ast::ConversionFlag::Str => Some(self.str_of(&v)?),
                        ast::ConversionFlag::Repr => Some(self.repr(&v)?),
                        ast::ConversionFlag::Ascii => Some(super::builtins::ascii_of(&self.repr(&v)?)),
                    };
                    let spec = match &i.format_spec {
                        Some(s) => {
                            let mut sp = String::new();
                            self.fstring_elements(&s.elements, env, &mut sp)?;
                            sp
                        }
                        None => String::new(),
                    };
                    let text = match conv {
                        Some(s) => super::format::format_value(self, &Value::str(&s), &spec)?,
                        None => super::format::format_value(self, &v, &spec)?,
                    };
                    out.push_str(&text);
                }
            }
        }
        Ok(())
    }

    fn comprehension(
        &mut self,
        gens: &[ast::Comprehension],
        i: usize,
        env: &Rc<Env>,
        body: &mut dyn FnMut(&mut Interp, &Rc<Env>) -> R<()>,
    ) -> R<()> {
        let Some(g) = gens.get(i) else {
            return body(self, env);
        };
        if g.is_async {
            return Err(self.exc("SyntaxError", "async comprehensions are not supported by the playground's evaluator"));
        }
        // The first iterable is evaluated in the enclosing scope.
        let iter = self.eval(&g.iter, env)?;
        let cenv = if i == 0 { Env::new(EnvKind::Comprehension, Some(env.clone())) } else { env.clone() };
        let mut each = |this: &mut Interp, item: Value| -> R<()> {
            this.step()?;
            this.assign(&g.target, item, &cenv)?;
            for cond in &g.ifs {
                if !this.eval_truthy(cond, &cenv)? {
                    return Ok(());
                }
            }
            this.comprehension(gens, i + 1, &cenv, body)
        };
        if let Some(gen) = self.generator_object(&iter).filter(|g| matches!(*g.state.borrow(), GeneratorState::Fresh)) {
            return self.drive_closing(&gen, |this, item| each(this, item).map(|()| None)).map(|_| ());
        }
        for item in self.iterate(&iter)? {
            each(self, item)?;
        }
        Ok(())
    }

    fn eval_elts(&mut self, elts: &[Expr], env: &Rc<Env>) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(elts.len());
        self.eval_elts_into(elts, env, &mut out)?;
        Ok(out)
    }

    fn eval_elts_into(&mut self, elts: &[Expr], env: &Rc<Env>, out: &mut Vec<Value>) -> R<()> {
        for e in elts {
            match e {
                Expr::Starred(s) => {
                    let v = self.eval(&s.value, env)?;
                    out.extend(self.iterate(&v)?);
                }
                e => out.push(self.eval(e, env)?),
            }
        }
        Ok(())
    }

    fn eval_args(&mut self, a: &ast::Arguments, env: &Rc<Env>) -> R<Args> {
        // One slot more than the arguments: a method call or a class
        // instantiation puts the receiver first without reallocating.
        let mut pos = Vec::with_capacity(a.args.len() + 1);
        self.eval_elts_into(&a.args, env, &mut pos)?;
        let mut kw: Vec<(String, Value)> = Vec::new();
        for k in a.keywords.iter() {
            let v = self.eval(&k.value, env)?;
            match &k.arg {
                Some(n) => kw.push((n.as_str().to_string(), v)),
                None => {
                    for (key, val) in self.mapping_items(&v)? {
                        match key {
                            Value::Str(s) => {
                                if kw.iter().any(|(k, _)| **k == *s) {
                                    return Err(self.type_error(format!("got multiple values for keyword argument '{s}'")));
                                }
                                kw.push((s.to_string(), val))
                            }
                            _ => return Err(self.type_error("keywords must be strings")),
                        }
                    }
                }
            }
        }
        Ok(Args { pos, kw })
    }

    // ----- calls ------------------------------------------------------------

    /// Calls any callable value.
    pub fn call(&mut self, f: &Value, args: Args) -> R<Value> {
        self.step()?;
        match f {
            Value::Function(func) => self.call_function(func, args),
            Value::Builtin(b) => {
                let b = b.clone();
                (b.func)(self, args)
            }
            Value::BoundMethod(m) => {
                let mut a = args;
                a.pos.insert(0, m.receiver.clone());
                self.call(&m.func, a)
            }
            Value::Class(c) => self.instantiate(c, args),
            Value::Instance(_) => {
                let m = self.getattr(f, "__call__").map_err(|_| {
                    let t = self.type_name(f);
                    self.type_error(format!("'{t}' object is not callable"))
                })?;
                self.call(&m, args)
            }
            Value::Descriptor(d) => match d.as_ref() {
                Descriptor::StaticMethod(f) => self.call(&f.clone(), args),
                _ => Err(self.type_error(format!("'{}' object is not callable", self.type_name(f)))),
            },
            other => {
                let t = self.type_name(other);
                Err(self.type_error(format!("'{t}' object is not callable")))
            }
        }
    }

    /// The `__qualname__` of `name` defined in `env`: `C.name` in a class
    /// body, `f.<locals>.name` in a function's.
    fn qualname_in(&self, env: &Env, name: &str) -> String {
        match env.kind {
            EnvKind::Class => format!("{}.{name}", env.get("__qualname__").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
            EnvKind::Function => match self.functions.last() {
                Some(f) => format!("{}.<locals>.{name}", f.qualname),
                None => name.to_string(),
            },
            EnvKind::Builtins | EnvKind::Module | EnvKind::Comprehension => name.to_string(),
        }
    }

    /// `super()` inside a method: the defining class and the first argument.
    fn zero_arg_super(&mut self, env: &Rc<Env>) -> R<Value> {
        let err = || self.exc("RuntimeError", "super(): no arguments");
        let func = self.functions.last().cloned().ok_or_else(err)?;
        let cls = func.class_cell.borrow().as_ref().and_then(|w| w.upgrade()).ok_or_else(|| self.exc("RuntimeError", "super(): __class__ cell not found"))?;
        let first = func.parameters().and_then(|p| p.posonlyargs.iter().chain(p.args.iter()).next().map(|a| a.parameter.name.as_str().to_string())).ok_or_else(err)?;
        let mut e = env.clone();
        while e.kind == EnvKind::Comprehension {
            e = e.parent.clone().ok_or_else(err)?;
        }
        let receiver = e.get(&first).ok_or_else(err)?;
        Ok(Value::Super(Rc::new((cls, receiver))))
    }

    fn call_function(&mut self, func: &Rc<Function>, args: Args) -> R<Value> {
        if self.depth >= self.limits.depth {
            return Err(self.fatal("RecursionError", "maximum recursion depth exceeded"));
        }
        let scope = self.scope_of(func);
        let generator = scope.generator;
        let env = Rc::new(Env { vars: RefCell::new(IndexMap::default()), parent: Some(func.closure.clone()), kind: EnvKind::Function, scope: Some(scope) });
        self.bind_args(func, args, &env)?;
        if generator {
            let g = Generator { func: func.clone(), env, state: RefCell::new(GeneratorState::Fresh) };
            let inst = Instance::new(self.generator_class.clone());
            *inst.native.borrow_mut() = Some(Rc::new(g));
            return Ok(Value::Instance(Rc::new(inst)));
        }
        self.run_frame(func, env)
    }

    /// Runs `func`'s body in `env` (its arguments bound): its return value.
    fn run_frame(&mut self, func: &Rc<Function>, env: Rc<Env>) -> R<Value> {
        self.depth += 1;
        // Expression nesting is counted per frame; the call depth bounds the rest.
        let saved_expr_depth = std::mem::replace(&mut self.expr_depth, 0);
        self.code.push(func.module.clone());
        self.functions.push(func.clone());
        let r = match func.code {
            // SAFETY: see `FunctionCode`: `func.module` keeps the tree alive.
            FunctionCode::Def(p) => {
                let def = unsafe { &*p };
                self.exec_block(&def.body, &env).map(|f| match f {
                    Flow::Return(v) => v,
                    _ => Value::None,
                })
            }
            FunctionCode::Lambda(p) => {
                let l = unsafe { &*p };
                self.eval(&l.body, &env)
            }
        };
        self.functions.pop();
        self.code.pop();
        self.expr_depth = saved_expr_depth;
        self.depth -= 1;
        r
    }

    fn bind_args(&mut self, func: &Function, args: Args, env: &Rc<Env>) -> R<()> {
        let name = &func.name;
        let Some(params) = func.parameters() else {
            if !args.pos.is_empty() || !args.kw.is_empty() {
                return Err(self.type_error(format!("{name}() takes 0 positional arguments but {} were given", args.pos.len())));
            }
            return Ok(());
        };
        let positional: Vec<&ast::ParameterWithDefault> = params.posonlyargs.iter().chain(params.args.iter()).collect();
        let n_posonly = params.posonlyargs.len();
        let mut vars = env.vars.borrow_mut();
        let mut pos = args.pos.into_iter();
        let mut extra = Vec::new();
        for (i, v) in pos.by_ref().enumerate() {
            if i < positional.len() {
                vars.insert(intern(positional[i].parameter.name.as_str()), v);
            } else {
                extra.push(v);
            }
        }
        let given = positional.len() + extra.len();
        if !extra.is_empty() {
            match &params.vararg {
                Some(va) => {
                    vars.insert(intern(va.name.as_str()), Value::tuple(extra));
                }
                None => {
                    drop(vars);
                    return Err(self.type_error(format!(
                        "{name}() takes {} positional argument{} but {given} were given",
                        positional.len(),
                        if positional.len() == 1 { "" } else { "s" }
                    )));
                }
            }
        } else if let Some(va) = &params.vararg {
            vars.insert(intern(va.name.as_str()), Value::tuple(vec![]));
        }
        let mut kwargs = Dict::new();
        for (k, v) in args.kw {
            let is_pos = positional.iter().position(|p| p.parameter.name.as_str() == k);
            let is_kwonly = params.kwonlyargs.iter().any(|p| p.parameter.name.as_str() == k);
            match is_pos {
                Some(i) if i >= n_posonly => {
                    if vars.contains_key(k.as_str()) {
                        drop(vars);
                        return Err(self.type_error(format!("{name}() got multiple values for argument '{k}'")));
                    }
                    vars.insert(intern(&k), v);
                }
                _ if is_kwonly => {
                    vars.insert(intern(&k), v);
                }
                _ => {
                    if params.kwarg.is_some() {
                        kwargs.set_str(&k, v);
                    } else {
                        drop(vars);
                        return Err(self.type_error(format!("{name}() got an unexpected keyword argument '{k}'")));
                    }
                }
            }
        }
        // defaults
        let n_defaults = func.defaults.len();
        let first_default = positional.len() - n_defaults;
        let mut missing = Vec::new();
        for (i, p) in positional.iter().enumerate() {
            let pname = p.parameter.name.as_str();
            if !vars.contains_key(pname) {
                if i >= first_default {
                    vars.insert(intern(pname), func.defaults[i - first_default].clone());
                } else {
                    missing.push(format!("'{pname}'"));
                }
            }
        }
        if !missing.is_empty() {
            drop(vars);
            return Err(self.type_error(format!(
                "{name}() missing {} required positional argument{}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                join_and(&missing)
            )));
        }
        for p in params.kwonlyargs.iter() {
            let pname = p.parameter.name.as_str();
            if !vars.contains_key(pname) {
                match func.kw_defaults.iter().find(|(k, _)| k == pname) {
                    Some((_, v)) => {
                        vars.insert(intern(pname), v.clone());
                    }
                    None => missing.push(format!("'{pname}'")),
                }
            }
        }
        if !missing.is_empty() {
            drop(vars);
            return Err(self.type_error(format!(
                "{name}() missing {} required keyword-only argument{}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                join_and(&missing)
            )));
        }
        if let Some(kw) = &params.kwarg {
            vars.insert(intern(kw.name.as_str()), Value::dict(kwargs));
        }
        Ok(())
    }

    fn instantiate(&mut self, cls: &Rc<Class>, args: Args) -> R<Value> {
        // A Python-level `__new__` is not modelled; builtin types construct natively.
        if let Some(v) = super::builtins::construct_builtin(self, cls, &args)? {
            return Ok(v);
        }
        let inst = Value::Instance(Rc::new(Instance::with_capacity(cls.clone(), cls.instance_capacity.get())));
        if cls.builtin == BuiltinType::Exception {
            if let Value::Instance(i) = &inst {
                i.set("args", Value::tuple(args.pos.clone()));
            }
        }
        match cls.lookup("__init__") {
            Some(init) => {
                let r = self.call(&init, {
                    let mut a = args;
                    a.pos.insert(0, inst.clone());
                    a
                })?;
                if !r.is_none() {
                    return Err(self.type_error("__init__() should return None"));
                }
                if let Value::Instance(i) = &inst {
                    cls.note_instance_len(i.dict.borrow().len());
                }
            }
            None => {
                if cls.builtin != BuiltinType::Exception && (!args.pos.is_empty() || !args.kw.is_empty()) {
                    return Err(self.type_error(format!("{}() takes no arguments", cls.name)));
                }
            }
        }
        Ok(inst)
    }

    fn make_exception(&mut self, v: Value) -> R<Value> {
        match &v {
            Value::Class(c) if c.builtin == BuiltinType::Exception => self.instantiate(&c.clone(), Args::default()),
            Value::Instance(i) if i.class.builtin == BuiltinType::Exception => Ok(v),
            _ => Err(self.type_error("exceptions must derive from BaseException")),
        }
    }

    fn exception_matches(&mut self, exc: &Value, spec: &Value) -> R<bool> {
        match spec {
            Value::Class(c) => Ok(match exc {
                Value::Instance(i) => i.class.is_subclass(c),
                _ => false,
            }),
            Value::Tuple(t) => {
                for s in t.iter() {
                    if self.exception_matches(exc, s)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(self.type_error("catching classes that do not inherit from BaseException is not allowed")),
        }
    }

    pub fn is_instance_of_name(&self, v: &Value, class: &str) -> bool {
        match v {
            Value::Instance(i) => i.class.is_subclass_named(class),
            _ => false,
        }
    }

    // ----- attributes -------------------------------------------------------

    pub fn class_of(&self, v: &Value) -> Rc<Class> {
        let t = &self.types;
        match v {
            Value::None => t.none.clone(),
            Value::Ellipsis => t.ellipsis.clone(),
            Value::NotImplemented => t.not_implemented.clone(),
            Value::Bool(_) => t.bool_.clone(),
            Value::Int(_) => t.int.clone(),
            Value::Float(_) => t.float.clone(),
            Value::Str(_) => t.str_.clone(),
            Value::Bytes(_) => t.bytes.clone(),
            Value::Tuple(_) => t.tuple.clone(),
            Value::List(_) => t.list.clone(),
            Value::Dict(_) => t.dict.clone(),
            Value::Set(_) => t.set.clone(),
            Value::Range(..) => t.range.clone(),
            Value::Slice(_) => t.slice.clone(),
            Value::Function(_) => t.function.clone(),
            Value::Builtin(_) => t.builtin_function.clone(),
            Value::BoundMethod(_) => t.method.clone(),
            Value::Class(_) => t.type_.clone(),
            Value::Instance(i) => i.class.clone(),
            Value::Module(_) => t.module.clone(),
            Value::Iterator(_) => t.iterator.clone(),
            Value::Descriptor(d) => match d.as_ref() {
                Descriptor::Property { .. } => t.property.clone(),
                Descriptor::StaticMethod(_) => t.staticmethod.clone(),
                Descriptor::ClassMethod(_) => t.classmethod.clone(),
            },
            Value::Super(_) => t.super_.clone(),
        }
    }

    /// The name error messages give a value's type: CPython qualifies
    /// the types its C modules define (`datetime.date`).
    pub fn type_name(&self, v: &Value) -> String {
        let c = self.class_of(v);
        match c.module.as_str() {
            super::datetime::MODULE => format!("{}.{}", c.module, c.name),
            _ => c.name.clone(),
        }
    }

    /// `getattr(obj, name)`.
    pub fn getattr(&mut self, obj: &Value, name: &str) -> R<Value> {
        self.getattr_error = None;
        match self.getattr_opt(obj, name)? {
            Some(v) => Ok(v),
            None => Err(self.getattr_error.take().unwrap_or_else(|| self.attribute_error(obj, name))),
        }
    }

    pub fn attribute_error(&self, obj: &Value, name: &str) -> Box<Exc> {
        let msg = match obj {
            Value::Module(m) => format!("module '{}' has no attribute '{name}'", m.name),
            Value::Class(c) => format!("type object '{}' has no attribute '{name}'", c.name),
            _ => format!("'{}' object has no attribute '{name}'", self.type_name(obj)),
        };
        let e = self.exc("AttributeError", msg);
        if let Value::Instance(i) = &e.value {
            i.set("name", Value::str(name));
            i.set("obj", obj.clone());
        }
        e
    }

    /// `getattr(obj, name, <missing>)`: `None` when the attribute is absent.
    pub fn getattr_opt(&mut self, obj: &Value, name: &str) -> R<Option<Value>> {
        match obj {
            Value::Instance(inst) => {
                let class_attr = inst.class.lookup(name);
                if let Some(Value::Descriptor(d)) = &class_attr {
                    if let Descriptor::Property { fget, .. } = d.as_ref() {
                        return self.call(&fget.clone(), Args::new(vec![obj.clone()])).map(Some);
                    }
                }
                if let Some(v) = inst.get(name) {
                    return Ok(Some(v));
                }
                if name == "__class__" {
                    return Ok(Some(Value::Class(inst.class.clone())));
                }
                if name == "__dict__" {
                    return Ok(Some(Value::dict(inst.dict.borrow().clone())));
                }
                if let Some(a) = class_attr {
                    return Ok(Some(self.bind_attr(a, obj, &inst.class)));
                }
                if let Some(v) = super::builtins::builtin_attr(self, obj, name)? {
                    return Ok(Some(v));
                }
                if let Some(ga) = inst.class.lookup("__getattr__") {
                    let f = self.bind_attr(ga, obj, &inst.class);
                    return match self.call(&f, Args::new(vec![Value::str(name)])) {
                        Ok(v) => Ok(Some(v)),
                        Err(e) if self.is_instance_of_name(&e.value, "AttributeError") => {
                            self.getattr_error = Some(e);
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    };
                }
                Ok(None)
            }
            Value::Class(c) => {
                match name {
                    "__name__" => return Ok(Some(Value::str(&c.name))),
                    "__qualname__" => return Ok(Some(Value::str(&c.qualname))),
                    "__mro__" => return Ok(Some(Value::tuple(c.mro_all().map(|k| Value::Class(k.clone())).collect()))),
                    "__bases__" => return Ok(Some(Value::tuple(c.bases.iter().map(|k| Value::Class(k.clone())).collect()))),
                    "__dict__" => return Ok(Some(Value::dict(c.dict.borrow().clone()))),
                    _ => {}
                }
                match c.lookup(name) {
                    Some(Value::Descriptor(d)) => Ok(Some(match d.as_ref() {
                        Descriptor::ClassMethod(f) => Value::BoundMethod(Rc::new(BoundMethod { receiver: obj.clone(), func: f.clone() })),
                        Descriptor::StaticMethod(f) => f.clone(),
                        Descriptor::Property { .. } => Value::Descriptor(d.clone()),
                    })),
                    Some(v) => Ok(Some(v)),
                    None => match super::builtins::builtin_attr(self, obj, name)? {
                        Some(v) => Ok(Some(v)),
                        // Classes defined in Rust may answer for unknown class
                        // attributes (what a metaclass `__getattr__` does).
                        None => match c.lookup("__class_getattr__") {
                            Some(f) if !name.starts_with("__") => self.call(&f, Args::new(vec![obj.clone(), Value::str(name)])).map(Some),
                            _ => Ok(None),
                        },
                    },
                }
            }
            Value::Module(m) => match m.globals.get(name) {
                Some(v) => Ok(Some(v)),
                // PEP 562: a module-level `__getattr__`.
                None => match m.globals.get("__getattr__") {
                    Some(f) if name != "__getattr__" => match self.call(&f, Args::new(vec![Value::str(name)])) {
                        Ok(v) => Ok(Some(v)),
                        Err(e) if self.is_instance_of_name(&e.value, "AttributeError") => Ok(None),
                        Err(e) => Err(e),
                    },
                    _ => Ok(None),
                },
            },
            Value::Super(s) => {
                let (cls, receiver) = (&s.0, &s.1);
                let start = match receiver {
                    Value::Class(rc) => rc.clone(),
                    other => self.class_of(other),
                };
                let mut after = false;
                for c in start.mro_all() {
                    if after {
                        if let Some(v) = c.dict.borrow().get_str(name).cloned() {
                            let v = match (&v, receiver) {
                                (Value::Function(_), Value::Class(_)) => v,
                                _ => self.bind_attr(v, receiver, c),
                            };
                            return Ok(Some(v));
                        }
                    }
                    if Rc::ptr_eq(c, cls) {
                        after = true;
                    }
                }
                if name == "__init__" {
                    // object.__init__
                    return Ok(Some(super::builtins::native_fn("__init__", |_, _| Ok(Value::None))));
                }
                Ok(None)
            }
            Value::Function(f) => Ok(match name {
                "__name__" => Some(Value::str(&f.name)),
                "__qualname__" => Some(Value::str(&f.qualname)),
                "__doc__" => Some(f.doc.as_deref().map(Value::str).unwrap_or(Value::None)),
                "__module__" => Some(Value::str(&f.module.name)),
                _ => f.attrs.borrow().get_str(name).cloned(),
            }),
            _ => super::builtins::builtin_attr(self, obj, name),
        }
    }

    /// A class attribute as seen through an instance (functions bind).
    fn bind_attr(&self, a: Value, obj: &Value, cls: &Rc<Class>) -> Value {
        match &a {
            Value::Function(_) | Value::Builtin(_) => Value::BoundMethod(Rc::new(BoundMethod { receiver: obj.clone(), func: a })),
            Value::Descriptor(d) => match d.as_ref() {
                Descriptor::ClassMethod(f) => Value::BoundMethod(Rc::new(BoundMethod { receiver: Value::Class(cls.clone()), func: f.clone() })),
                Descriptor::StaticMethod(f) => f.clone(),
                Descriptor::Property { .. } => a.clone(),
            },
            _ => a,
        }
    }

    pub fn setattr(&mut self, obj: &Value, name: &str, v: Value) -> R<()> {
        match obj {
            Value::Instance(inst) => {
                if let Some(Value::Descriptor(d)) = inst.class.lookup(name) {
                    if let Descriptor::Property { fset, .. } = d.as_ref() {
                        return match fset {
                            Some(f) => self.call(&f.clone(), Args::new(vec![obj.clone(), v])).map(|_| ()),
                            None => Err(self.exc("AttributeError", format!("property '{name}' of '{}' object has no setter", inst.class.name))),
                        };
                    }
                }
                if let Some(sa) = inst.class.lookup("__setattr__") {
                    let f = self.bind_attr(sa, obj, &inst.class);
                    return self.call(&f, Args::new(vec![Value::str(name), v])).map(|_| ());
                }
                inst.set(name, v);
                Ok(())
            }
            Value::Class(c) => {
                c.dict.borrow_mut().set_str(name, v);
                Ok(())
            }
            Value::Module(m) => {
                m.globals.set(name, v);
                Ok(())
            }
            Value::Function(f) => {
                f.attrs.borrow_mut().set_str(name, v);
                Ok(())
            }
            _ => Err(self.attribute_error(obj, name)),
        }
    }

    // ----- protocols (bodies in builtins.rs) --------------------------------

    pub fn truthy(&mut self, v: &Value) -> R<bool> {
        super::builtins::truthy(self, v)
    }
    pub fn iterate(&mut self, v: &Value) -> R<Vec<Value>> {
        super::builtins::iterate(self, v)
    }
    pub fn hash_key(&mut self, v: &Value) -> R<HashKey> {
        super::builtins::hash_key(self, v)
    }
    pub fn repr(&mut self, v: &Value) -> R<String> {
        super::builtins::repr(self, v)
    }
    pub fn str_of(&mut self, v: &Value) -> R<String> {
        super::builtins::str_of(self, v)
    }
    pub fn getitem(&mut self, obj: &Value, key: Value) -> R<Value> {
        super::builtins::getitem(self, obj, key)
    }
    pub fn setitem(&mut self, obj: &Value, key: Value, v: Value) -> R<()> {
        super::builtins::setitem(self, obj, key, v)
    }
    pub fn binop(&mut self, op: ast::Operator, l: Value, r: Value) -> R<Value> {
        super::builtins::binop(self, op, l, r)
    }
    pub fn unaryop(&mut self, op: ast::UnaryOp, v: Value) -> R<Value> {
        super::builtins::unaryop(self, op, v)
    }
    pub fn compare(&mut self, op: ast::CmpOp, l: &Value, r: &Value) -> R<Value> {
        super::builtins::compare(self, op, l, r)
    }
    pub fn mapping_items(&mut self, v: &Value) -> R<Vec<(Value, Value)>> {
        super::builtins::mapping_items(self, v)
    }
    pub fn check_size(&self, n: usize) -> R<()> {
        if n > self.limits.collection {
            return Err(self.fatal("MemoryError", format!("a collection of {n} items exceeds the playground's limit of {}", self.limits.collection)));
        }
        Ok(())
    }
}

pub fn binop_dunder(op: ast::Operator) -> &'static str {
    use ast::Operator::*;
    match op {
        Add => "__add__",
        Sub => "__sub__",
        Mult => "__mul__",
        MatMult => "__matmul__",
        Div => "__truediv__",
        Mod => "__mod__",
        Pow => "__pow__",
        LShift => "__lshift__",
        RShift => "__rshift__",
        BitOr => "__or__",
        BitXor => "__xor__",
        BitAnd => "__and__",
        FloorDiv => "__floordiv__",
    }
}

fn join_and(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        2 => format!("{} and {}", items[0], items[1]),
        n => format!("{}, and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn docstring(body: &[Stmt]) -> Option<String> {
    match body.first() {
        Some(Stmt::Expr(e)) => match e.value.as_ref() {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Where to look for a `yield`.
enum Yields<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

/// Whether a function body holds a `yield` or `yield from` of its own (not
/// one of a function, lambda or class nested in it).
fn yields_in<'a>(parts: impl Iterator<Item = Yields<'a>>) -> bool {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !self.0 && !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Yield(_) | Expr::YieldFrom(_) => self.0 = true,
                Expr::Lambda(_) => {}
                _ if !self.0 => walk_expr(self, expr),
                _ => {}
            }
        }
    }
    let mut f = Finder(false);
    for part in parts {
        match part {
            Yields::Stmt(s) => f.visit_stmt(s),
            Yields::Expr(e) => f.visit_expr(e),
        }
    }
    f.0
}

/// The names a `case` pattern captures.
fn pattern_bindings(p: &ast::Pattern, info: &mut ScopeInfo) {
    use ast::Pattern as P;
    let mut name = |n: &Option<ast::Identifier>| {
        if let Some(n) = n {
            info.locals.insert(n.as_str().to_string());
        }
    };
    match p {
        P::MatchValue(_) | P::MatchSingleton(_) => {}
        P::MatchStar(m) => name(&m.name),
        P::MatchAs(m) => {
            name(&m.name);
            if let Some(sub) = &m.pattern {
                pattern_bindings(sub, info);
            }
        }
        P::MatchMapping(m) => {
            name(&m.rest);
            m.patterns.iter().for_each(|sub| pattern_bindings(sub, info));
        }
        P::MatchSequence(m) => m.patterns.iter().for_each(|sub| pattern_bindings(sub, info)),
        P::MatchOr(m) => m.patterns.iter().for_each(|sub| pattern_bindings(sub, info)),
        P::MatchClass(m) => {
            m.arguments.patterns.iter().for_each(|sub| pattern_bindings(sub, info));
            m.arguments.keywords.iter().for_each(|k| pattern_bindings(&k.pattern, info));
        }
    }
}

/// Names a function body binds, for Python's static scoping.
fn collect_bindings(body: &[Stmt], info: &mut ScopeInfo) {
    fn target(e: &Expr, info: &mut ScopeInfo) {
        match e {
            Expr::Name(n) => {
                info.locals.insert(n.id.as_str().to_string());
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| target(e, info)),
            Expr::List(t) => t.elts.iter().for_each(|e| target(e, info)),
            Expr::Starred(s) => target(&s.value, info),
            _ => {}
        }
    }
    for s in body {
        match s {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| target(t, info)),
            Stmt::AnnAssign(a) => target(&a.target, info),
            Stmt::AugAssign(a) => target(&a.target, info),
            Stmt::For(f) => {
                target(&f.target, info);
                collect_bindings(&f.body, info);
                collect_bindings(&f.orelse, info);
            }
            Stmt::While(w) => {
                collect_bindings(&w.body, info);
                collect_bindings(&w.orelse, info);
            }
            Stmt::If(i) => {
                collect_bindings(&i.body, info);
                for c in &i.elif_else_clauses {
                    collect_bindings(&c.body, info);
                }
            }
            Stmt::With(w) => {
                for it in &w.items {
                    if let Some(v) = &it.optional_vars {
                        target(v, info);
                    }
                }
                collect_bindings(&w.body, info);
            }
            Stmt::Try(t) => {
                collect_bindings(&t.body, info);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(n) = &h.name {
                        info.locals.insert(n.as_str().to_string());
                    }
                    collect_bindings(&h.body, info);
                }
                collect_bindings(&t.orelse, info);
                collect_bindings(&t.finalbody, info);
            }
            Stmt::FunctionDef(f) => {
                info.locals.insert(f.name.as_str().to_string());
            }
            Stmt::ClassDef(c) => {
                info.locals.insert(c.name.as_str().to_string());
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    let n = match &a.asname {
                        Some(x) => x.as_str(),
                        None => a.name.as_str().split('.').next().unwrap_or(""),
                    };
                    info.locals.insert(n.to_string());
                }
            }
            Stmt::ImportFrom(i) => {
                for a in &i.names {
                    let n = a.asname.as_ref().map(|x| x.as_str()).unwrap_or(a.name.as_str());
                    info.locals.insert(n.to_string());
                }
            }
            Stmt::Delete(d) => d.targets.iter().for_each(|t| target(t, info)),
            Stmt::Global(g) => g.names.iter().for_each(|n| {
                info.globals.insert(n.as_str().to_string());
            }),
            Stmt::Nonlocal(g) => g.names.iter().for_each(|n| {
                info.nonlocals.insert(n.as_str().to_string());
            }),
            Stmt::Match(m) => {
                for case in &m.cases {
                    pattern_bindings(&case.pattern, info);
                    collect_bindings(&case.body, info);
                }
            }
            Stmt::Return(_)
            | Stmt::TypeAlias(_)
            | Stmt::Raise(_)
            | Stmt::Assert(_)
            | Stmt::Expr(_)
            | Stmt::Pass(_)
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::IpyEscapeCommand(_) => {}
        }
    }
}
