//! The `logging` module as code inside `alembic` sees it once env.py has run
//! `fileConfig(alembic.ini)` of the generic template: migration scripts,
//! models.py and the project's modules log through it, and their records
//! reach the command's stderr where Alembic's own `INFO  [...]` lines go.
//!
//! Invariants:
//! - One logger object per name, in Python's dotted hierarchy (`parent` is
//!   the nearest existing ancestor, fixed up as loggers are made); a
//!   logger's effective level is its own, else its nearest ancestor's.
//! - The configuration is the template's: the root logger at WARNING with
//!   the console handler (stderr, `%(levelname)-5.5s [%(name)s] %(message)s`),
//!   `sqlalchemy.engine` at WARNING, `alembic` at INFO. The loggers that
//!   existed when `fileConfig` ran and are not under those (`sqlalchemy`,
//!   `asyncio`, ...) are disabled, as `disable_existing_loggers` leaves them.
//! - A record is formatted with the evaluator's one `%` implementation and
//!   goes where Python's handler chain sends it (handlers up the `parent`
//!   chain while `propagate`, each with its level; the last-resort handler
//!   when none was found). It is written to [`Interp::log`] in both
//!   renderings of [`super::eval::LogOutput`].
//! - What cannot be reproduced is `NotImplementedError` at its call, never
//!   dropped: handlers other than `NullHandler` and the console handler,
//!   formatters, filters, `logging.config`, `logging.handlers`,
//!   `stack_info`, chained exception tracebacks; and changes that would
//!   alter Alembic's own lines (which the command layer writes as the
//!   template configures them: the level, flags or handlers of Alembic's
//!   loggers, `logging.disable` from INFO up, the root's console handler)
//!   or make SQLAlchemy log what it runs (its loggers below WARNING).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use indexmap::IndexMap;

use super::builtins::native_fn;
use super::eval::{Args, Exc, Interp, R};
use super::value::*;

pub const NOTSET: i64 = 0;
pub const DEBUG: i64 = 10;
pub const INFO: i64 = 20;
pub const WARNING: i64 = 30;
pub const ERROR: i64 = 40;
pub const CRITICAL: i64 = 50;

/// Loggers that exist when env.py's `fileConfig` runs (imported by Alembic
/// and SQLAlchemy) and that it therefore disables.
const DISABLED_AT_CONFIG: &[&str] = &["asyncio", "concurrent.futures", "sqlalchemy", "sqlalchemy.dialects.postgresql"];

/// The loggers alembic.ini configures (name, level).
const CONFIGURED: &[(&str, i64)] = &[("sqlalchemy.engine", WARNING), ("alembic", INFO)];

/// The loggers Alembic's own modules write through (its `INFO  [...]`
/// lines, which the playground's command layer writes).
const ALEMBIC_LOGGERS: &[&str] = &[
    "alembic", "alembic.autogenerate.api", "alembic.autogenerate.compare", "alembic.autogenerate.compare.comments",
    "alembic.autogenerate.compare.constraints", "alembic.autogenerate.compare.schema",
    "alembic.autogenerate.compare.server_defaults", "alembic.autogenerate.compare.tables", "alembic.autogenerate.compare.types",
    "alembic.config", "alembic.ddl.impl", "alembic.ddl.postgresql", "alembic.ext.checkconstraint_byname",
    "alembic.runtime.migration", "alembic.runtime.plugins", "alembic.util.messaging",
];

/// Whether the logger `name` is one of Alembic's or an ancestor of one:
/// its level, flags and handlers decide how Alembic's own lines show.
fn carries_alembic_lines(name: &str) -> bool {
    ALEMBIC_LOGGERS.iter().any(|a| *a == name || a.strip_prefix(name).is_some_and(|rest| rest.starts_with('.')))
}

/// Refuses a change to logger `name` (`what`) that would change what
/// Alembic or SQLAlchemy themselves log: the command layer writes Alembic's
/// lines as the template configures them, and SQLAlchemy's own INFO/DEBUG
/// records (the SQL it runs) are not made in the playground.
fn guard_change(it: &Interp, name: &str, what: &str, level: Option<i64>) -> R<()> {
    if carries_alembic_lines(name) {
        return Err(not_supported(it, &format!("changing {what} of the logger '{name}', which Alembic's own log lines go through")));
    }
    let sqlalchemy = name == "sqlalchemy" || name.starts_with("sqlalchemy.");
    if let (true, Some(level)) = (sqlalchemy, level) {
        if level != NOTSET && level < WARNING {
            return Err(not_supported(it, &format!("setting the logger '{name}' below WARNING (SQLAlchemy's own INFO and DEBUG records, such as the SQL it runs)")));
        }
    }
    Ok(())
}

fn name_of(l: &Instance) -> String {
    l.get("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The attributes a `LogRecord` has, which `extra` may not overwrite.
const RECORD_ATTRIBUTES: &[&str] = &[
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info", "exc_text", "stack_info",
    "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName", "processName", "process",
    "message", "asctime",
];

/// What a handler object is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HandlerKind {
    /// env.py's console handler (stderr, the template's format).
    Console,
    /// `logging.NullHandler()`: takes records and writes nothing.
    Null,
}

/// The logging module's state: the manager's loggers and level names.
struct State {
    root: Rc<Instance>,
    /// Loggers by name (the root is not among them).
    loggers: RefCell<IndexMap<String, Rc<Instance>>>,
    logger_class: Rc<Class>,
    /// `logging.disable(level)`.
    disable: Cell<i64>,
    level_names: RefCell<BTreeMap<i64, String>>,
    name_levels: RefCell<BTreeMap<String, i64>>,
}

/// The teardown's view of the state (held by the root logger's payload).
fn native_references(native: &Rc<dyn std::any::Any>, values: &mut Vec<Value>, _: &mut Vec<Rc<super::eval::Env>>) {
    if let Some(st) = native.downcast_ref::<State>() {
        values.extend(st.loggers.borrow_mut().drain(..).map(|(_, l)| Value::Instance(l)));
    }
}

fn not_supported(it: &Interp, what: &str) -> Box<Exc> {
    it.exc("NotImplementedError", format!("{what} is not supported by the playground (its log records go to stderr as alembic.ini's console handler writes them)"))
}

fn state(it: &Interp, w: &Weak<State>) -> R<Rc<State>> {
    w.upgrade().ok_or_else(|| it.exc("RuntimeError", "the logging module is gone"))
}

fn int_attr(i: &Instance, name: &str) -> i64 {
    match i.get(name) {
        Some(Value::Int(n)) => n,
        Some(Value::Bool(b)) => b as i64,
        _ => 0,
    }
}

fn logger_of(it: &Interp, v: Option<&Value>, method: &str) -> R<Rc<Instance>> {
    match v {
        Some(Value::Instance(i)) if i.class.is_subclass_named("Logger") => Ok(i.clone()),
        _ => Err(it.type_error(format!("descriptor '{method}' requires a 'Logger' object"))),
    }
}

fn parent_of(l: &Instance) -> Option<Rc<Instance>> {
    match l.get("parent") {
        Some(Value::Instance(p)) => Some(p),
        _ => None,
    }
}

impl State {
    fn level_name(&self, level: i64) -> String {
        self.level_names.borrow().get(&level).cloned().unwrap_or_else(|| format!("Level {level}"))
    }

    /// `logging._checkLevel`.
    fn check_level(&self, it: &mut Interp, v: &Value) -> R<i64> {
        match v {
            Value::Int(n) => Ok(*n),
            Value::Bool(b) => Ok(*b as i64),
            Value::Str(s) => self.name_levels.borrow().get(&**s).copied().ok_or_else(|| it.exc("ValueError", format!("Unknown level: {}", super::repr::py_repr_str(s)))),
            other => {
                let r = it.repr(other)?;
                Err(it.type_error(format!("Level not an integer or a valid string: {r}")))
            }
        }
    }

    fn new_logger(&self, name: &str, level: i64) -> Rc<Instance> {
        let l = Instance::new(self.logger_class.clone());
        l.set("name", Value::str(name));
        l.set("level", Value::Int(level));
        l.set("parent", Value::None);
        l.set("propagate", Value::Bool(true));
        l.set("disabled", Value::Bool(false));
        l.set("handlers", Value::list(vec![]));
        l.set("filters", Value::list(vec![]));
        Rc::new(l)
    }

    /// `logging.getLogger(name)`: the one logger of `name`, made with its
    /// place in the hierarchy (`Manager._fixupParents` / `_fixupChildren`).
    fn get_logger(&self, name: &str) -> Rc<Instance> {
        if name.is_empty() || name == "root" {
            return self.root.clone();
        }
        if let Some(l) = self.loggers.borrow().get(name) {
            return l.clone();
        }
        let l = self.new_logger(name, NOTSET);
        let mut parent = self.root.clone();
        let mut prefix = name;
        while let Some((p, _)) = prefix.rsplit_once('.') {
            if let Some(found) = self.loggers.borrow().get(p) {
                parent = found.clone();
                break;
            }
            prefix = p;
        }
        l.set("parent", Value::Instance(parent));
        let under = format!("{name}.");
        for (n, child) in self.loggers.borrow().iter() {
            if !n.starts_with(&under) {
                continue;
            }
            let reparent = match parent_of(child) {
                Some(p) => {
                    let pn = p.get("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    Rc::ptr_eq(&p, &self.root) || !(pn == name || pn.starts_with(&under))
                }
                None => true,
            };
            if reparent {
                child.set("parent", Value::Instance(l.clone()));
            }
        }
        self.loggers.borrow_mut().insert(name.to_string(), l.clone());
        l
    }

    fn effective_level(&self, l: &Rc<Instance>) -> i64 {
        let mut c = Some(l.clone());
        while let Some(x) = c {
            let level = int_attr(&x, "level");
            if level != NOTSET {
                return level;
            }
            c = parent_of(&x);
        }
        NOTSET
    }

    fn is_enabled_for(&self, it: &mut Interp, l: &Rc<Instance>, level: i64) -> R<bool> {
        if it.truthy(&l.get("disabled").unwrap_or(Value::Bool(false)))? {
            return Ok(false);
        }
        Ok(self.disable.get() < level && level >= self.effective_level(l))
    }
}

/// A record on its way to the handlers.
struct Record {
    levelno: i64,
    name: String,
    msg: Value,
    /// The arguments as `LogRecord.args` holds them: the tuple, or the one
    /// mapping given alone.
    args: Value,
    /// The formatted exception (`exc_info`), if any.
    exc_text: Option<String>,
}

/// `Formatter.formatException` of the exception being handled, as the
/// playground writes a traceback (each place it passed, then Python's last
/// line); with none, Python's `NoneType: None`.
fn exception_text(it: &mut Interp, which: Option<&Value>) -> R<String> {
    let handled = match which {
        None => it.handling().last().map(|h| (h.value.clone(), h.loc.clone(), h.frames.clone())),
        Some(v) => match it.handling().iter().rev().find(|h| h.value.is(v)) {
            Some(h) => Some((h.value.clone(), h.loc.clone(), h.frames.clone())),
            None => return Err(not_supported(it, "exc_info= naming an exception that is not being handled")),
        },
    };
    let Some((value, loc, frames)) = handled else {
        return Ok("NoneType: None".to_string());
    };
    if let Value::Instance(i) = &value {
        let chained = i.get("__cause__").is_some_and(|c| !c.is_none())
            || (i.get("__cause__").is_none() && i.get("__context__").is_some_and(|c| !c.is_none()));
        if chained {
            return Err(not_supported(it, "the traceback of a chained exception (raised while handling another) in a log record"));
        }
    }
    let e = it.to_error(Box::new(Exc { value, loc, frames, fatal: false }));
    let mut out = String::from("Traceback (most recent call last):\n");
    for l in e.traceback() {
        out.push_str(&format!("  File \"{}\", line {}, column {}\n", l.file, l.line, l.column));
    }
    out.push_str(&e.exception_line());
    Ok(out)
}

/// `LogRecord.getMessage()`: `str(msg) % args` when there are args.
fn message(it: &mut Interp, r: &Record) -> R<String> {
    let text = it.str_of(&r.msg)?;
    let has_args = match &r.args {
        Value::Tuple(t) => !t.is_empty(),
        other => it.truthy(other)?,
    };
    if has_args {
        super::format::percent_format(it, &text, &r.args)
    } else {
        Ok(text)
    }
}

/// What `Handler.handleError` prints when formatting the record raised.
fn logging_error(it: &mut Interp, r: &Record, e: Box<Exc>) -> R<String> {
    if e.fatal {
        return Err(e);
    }
    let error = it.to_error(e);
    let at = it.call_loc().map(|l| format!("  File \"{}\", line {}, column {}\n", l.file, l.line, l.column)).unwrap_or_default();
    let msg = it.repr(&r.msg)?;
    let args = it.repr(&r.args)?;
    Ok(format!(
        "--- Logging error ---\nTraceback (most recent call last):\n{at}{}\nCall stack:\n{at}Message: {msg}\nArguments: {args}\n",
        error.exception_line()
    ))
}

/// `Handler.handle` through the chain from `logger`: the record in both
/// renderings, written to the interpreter's log output.
fn call_handlers(it: &mut Interp, st: &State, logger: &Rc<Instance>, r: &Record) -> R<()> {
    let formatted = match message(it, r) {
        Ok(m) => Ok(m),
        Err(e) => Err(logging_error(it, r, e)?),
    };
    let with_exc = |s: String| match &r.exc_text {
        Some(x) if s.ends_with('\n') => format!("{s}{x}"),
        Some(x) => format!("{s}\n{x}"),
        None => s,
    };
    let generic = |m: &str| {
        let level: String = st.level_name(r.levelno).chars().take(5).collect();
        with_exc(format!("{level:<5} [{}] {m}", r.name)) + "\n"
    };
    let bare = |m: &str| with_exc(m.to_string()) + "\n";
    let mut found = 0;
    let mut null_found = false;
    let mut configured = String::new();
    let mut c = Some(logger.clone());
    while let Some(l) = c {
        let handlers = match l.get("handlers") {
            Some(Value::List(h)) => h.borrow().clone(),
            _ => vec![],
        };
        for h in handlers {
            found += 1;
            let Value::Instance(hi) = &h else {
                return Err(not_supported(it, "a handler that is not a logging.Handler"));
            };
            let kind = hi.native.borrow().as_ref().and_then(|n| n.downcast_ref::<HandlerKind>().copied());
            let Some(kind) = kind else {
                return Err(not_supported(it, &format!("a log handler of class {}", hi.class.name)));
            };
            if r.levelno < int_attr(hi, "level") {
                continue;
            }
            match kind {
                HandlerKind::Console => match &formatted {
                    Ok(m) => configured.push_str(&generic(m)),
                    Err(block) => configured.push_str(block),
                },
                HandlerKind::Null => null_found = true,
            }
        }
        if !it.truthy(&l.get("propagate").unwrap_or(Value::Bool(true)))? {
            break;
        }
        c = parent_of(&l);
    }
    let last_resort = |out: &mut String| {
        if r.levelno >= WARNING {
            match &formatted {
                Ok(m) => out.push_str(&bare(m)),
                Err(block) => out.push_str(block),
            }
        }
    };
    if found == 0 {
        last_resort(&mut configured);
    }
    it.log.configured.push_str(&configured);
    if !null_found {
        let mut unconfigured = String::new();
        last_resort(&mut unconfigured);
        it.log.unconfigured.push_str(&unconfigured);
    }
    Ok(())
}

/// `Logger._log` after the level check: the record made (`exc_info`,
/// `extra`, `stack_info`, `stacklevel` read as Python reads them) and handled.
fn log_record(it: &mut Interp, st: &State, logger: &Rc<Instance>, level: i64, msg: Value, args: Vec<Value>, kw: &[(String, Value)]) -> R<()> {
    let mut exc_text = None;
    for (k, v) in kw {
        match k.as_str() {
            "exc_info" => {
                if it.truthy(v)? {
                    exc_text = Some(match v {
                        Value::Instance(i) if i.class.is_subclass_named("BaseException") => exception_text(it, Some(v))?,
                        Value::Tuple(_) => return Err(not_supported(it, "exc_info= given as a tuple")),
                        _ => exception_text(it, None)?,
                    });
                }
            }
            "extra" => {
                if !v.is_none() {
                    let keys = match v {
                        Value::Dict(d) => d.borrow().keys(),
                        _ => return Err(not_supported(it, "extra= that is not a dict")),
                    };
                    for key in keys {
                        if let Some(k) = key.as_str() {
                            if RECORD_ATTRIBUTES.contains(&k) {
                                return Err(it.exc("KeyError", format!("Attempt to overwrite {} in LogRecord", super::repr::py_repr_str(k))));
                            }
                        }
                    }
                }
            }
            "stack_info" => {
                if it.truthy(v)? {
                    return Err(not_supported(it, "stack_info=True (the stack Python would print)"));
                }
            }
            "stacklevel" => {}
            other => return Err(it.type_error(format!("Logger._log() got an unexpected keyword argument '{other}'"))),
        }
    }
    let args = match args.as_slice() {
        [Value::Dict(d)] if !d.borrow().is_empty() => args[0].clone(),
        _ => Value::tuple(args),
    };
    let name = logger.get("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let record = Record { levelno: level, name, msg, args, exc_text };
    if it.truthy(&logger.get("disabled").unwrap_or(Value::Bool(false)))? {
        return Ok(());
    }
    let filters = matches!(logger.get("filters"), Some(Value::List(f)) if !f.borrow().is_empty());
    if filters {
        return Err(not_supported(it, "a logger with filters"));
    }
    call_handlers(it, st, logger, &record)
}

/// `logger.<method>(msg, *args, **kwargs)` at a fixed level, or `log(level, msg, ...)`.
fn log_call(it: &mut Interp, st: &State, logger: &Rc<Instance>, level: Option<i64>, method: &str, a: Args, exception: bool) -> R<Value> {
    let skip = 1 + level.is_none() as usize;
    let level = match level {
        Some(l) => l,
        None => match a.pos.get(1) {
            Some(Value::Int(n)) => *n,
            Some(Value::Bool(b)) => *b as i64,
            Some(_) => return Err(it.type_error("level must be an integer")),
            None => return Err(it.type_error(format!("Logger.{method}() missing 2 required positional arguments: 'level' and 'msg'"))),
        },
    };
    let Some(msg) = a.pos.get(skip).cloned() else {
        return Err(it.type_error(format!("Logger.{method}() missing 1 required positional argument: 'msg'")));
    };
    let mut kw = a.kw.clone();
    if exception && !kw.iter().any(|(k, _)| k == "exc_info") {
        kw.push(("exc_info".into(), Value::Bool(true)));
    }
    if st.is_enabled_for(it, logger, level)? {
        log_record(it, st, logger, level, msg, a.pos[skip + 1..].to_vec(), &kw)?;
    }
    Ok(Value::None)
}

/// The level methods: (name, level; `None` for `log`, exception?).
const LEVEL_METHODS: &[(&str, Option<i64>, bool)] = &[
    ("debug", Some(DEBUG), false),
    ("info", Some(INFO), false),
    ("warning", Some(WARNING), false),
    ("warn", Some(WARNING), false),
    ("error", Some(ERROR), false),
    ("exception", Some(ERROR), true),
    ("critical", Some(CRITICAL), false),
    ("fatal", Some(CRITICAL), false),
    ("log", None, false),
];

fn handler_class(it: &Interp, name: &str, base: Option<&Rc<Class>>) -> Rc<Class> {
    let bases = vec![base.cloned().unwrap_or_else(|| it.types.object.clone())];
    Class::new(name, "logging", bases, BuiltinType::Object, None)
}

fn make_handler(cls: &Rc<Class>, kind: HandlerKind) -> Rc<Instance> {
    let h = Instance::new(cls.clone());
    h.set("level", Value::Int(NOTSET));
    h.set("name", Value::None);
    h.set("filters", Value::list(vec![]));
    *h.native.borrow_mut() = Some(Rc::new(kind));
    Rc::new(h)
}

pub fn module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("logging");
    it.native_references.push(native_references);
    let object = it.types.object.clone();
    let logger_class = Class::new("Logger", "logging", vec![object], BuiltinType::Object, None);
    let root_class = Class::new("RootLogger", "logging", vec![logger_class.clone()], BuiltinType::Object, None);

    // handlers: env.py's console handler on the root, `NullHandler`; the
    // others cannot write anywhere the playground shows
    let handler = handler_class(it, "Handler", None);
    let stream_handler = handler_class(it, "StreamHandler", Some(&handler));
    let null_handler = handler_class(it, "NullHandler", Some(&handler));
    let file_handler = handler_class(it, "FileHandler", Some(&stream_handler));
    for (cls, what) in [(&handler, "logging.Handler"), (&stream_handler, "logging.StreamHandler"), (&file_handler, "logging.FileHandler")] {
        let what = what.to_string();
        cls.dict.borrow_mut().set_str("__init__", native_fn("__init__", move |it, _| Err(not_supported(it, &format!("a {what}")))));
    }
    {
        let nh = null_handler.clone();
        null_handler.dict.borrow_mut().set_str("__call_native__", native_fn("NullHandler", move |it, a| {
            if !a.pos.is_empty() || !a.kw.is_empty() {
                return Err(not_supported(it, "NullHandler(...) with arguments"));
            }
            Ok(Value::Instance(make_handler(&nh, HandlerKind::Null)))
        }));
    }
    handler.dict.borrow_mut().set_str("setLevel", native_fn("setLevel", |it, a| {
        let Some(Value::Instance(h)) = a.pos.first() else { return Err(it.type_error("setLevel() needs a handler")) };
        let level = match a.pos.get(1) {
            Some(Value::Int(n)) => *n,
            _ => return Err(not_supported(it, "Handler.setLevel() with a level name")),
        };
        let console = h.native.borrow().as_ref().and_then(|n| n.downcast_ref::<HandlerKind>().copied()) == Some(HandlerKind::Console);
        if console && level > INFO {
            return Err(not_supported(it, "raising the console handler's level above INFO (Alembic's own INFO lines would go)"));
        }
        h.set("level", Value::Int(level));
        Ok(Value::None)
    }));
    for n in ["setFormatter", "addFilter", "removeFilter", "emit", "format", "handle"] {
        handler.dict.borrow_mut().set_str(n, native_fn(n, move |it, _| Err(not_supported(it, &format!("Handler.{n}()")))));
    }
    for n in ["flush", "close"] {
        handler.dict.borrow_mut().set_str(n, native_fn(n, |_, _| Ok(Value::None)));
    }

    let root = {
        let r = Instance::new(root_class.clone());
        r.set("name", Value::str("root"));
        r.set("level", Value::Int(WARNING));
        r.set("parent", Value::None);
        r.set("propagate", Value::Bool(true));
        r.set("disabled", Value::Bool(false));
        r.set("handlers", Value::list(vec![Value::Instance(make_handler(&stream_handler, HandlerKind::Console))]));
        r.set("filters", Value::list(vec![]));
        Rc::new(r)
    };
    let mut level_names = BTreeMap::new();
    let mut name_levels = BTreeMap::new();
    for (n, v) in [("CRITICAL", CRITICAL), ("ERROR", ERROR), ("WARNING", WARNING), ("INFO", INFO), ("DEBUG", DEBUG), ("NOTSET", NOTSET)] {
        level_names.insert(v, n.to_string());
        name_levels.insert(n.to_string(), v);
    }
    name_levels.insert("FATAL".into(), CRITICAL);
    name_levels.insert("WARN".into(), WARNING);
    let st = Rc::new(State {
        root: root.clone(),
        loggers: RefCell::new(IndexMap::new()),
        logger_class: logger_class.clone(),
        disable: Cell::new(NOTSET),
        level_names: RefCell::new(level_names),
        name_levels: RefCell::new(name_levels),
    });
    for (name, level) in CONFIGURED {
        let l = st.get_logger(name);
        l.set("level", Value::Int(*level));
        // fileConfig writes `disabled = 0` on the loggers it configures
        l.set("disabled", Value::Int(0));
    }
    for name in DISABLED_AT_CONFIG {
        let l = st.get_logger(name);
        l.set("disabled", Value::Bool(true));
        if *name == "sqlalchemy" {
            // SQLAlchemy sets its root logger to WARN when imported
            l.set("level", Value::Int(WARNING));
        }
    }
    // the root logger holds the state (the teardown frees it from there);
    // the functions reach it weakly
    *root.native.borrow_mut() = Some(st.clone() as Rc<dyn std::any::Any>);
    let w = Rc::downgrade(&st);
    drop(st);
    {
        let w = w.clone();
        handler.dict.borrow_mut().set_str("__repr__", native_fn("__repr__", move |it, a| {
            let st = state(it, &w)?;
            let Some(Value::Instance(h)) = a.pos.first() else { return Err(it.type_error("__repr__ needs a handler")) };
            let level = st.level_name(int_attr(h, "level"));
            let console = h.native.borrow().as_ref().and_then(|n| n.downcast_ref::<HandlerKind>().copied()) == Some(HandlerKind::Console);
            Ok(Value::str(&if console { format!("<{} <stderr> ({level})>", h.class.name) } else { format!("<{} ({level})>", h.class.name) }))
        }));
    }

    // Logger methods
    let method = |name: &'static str, f: Rc<dyn Fn(&mut Interp, &State, Rc<Instance>, Args) -> R<Value>>| {
        let w = w.clone();
        native_fn(name, move |it, a| {
            let st = state(it, &w)?;
            let me = logger_of(it, a.pos.first(), name)?;
            f(it, &st, me, a)
        })
    };
    {
        let mut d = logger_class.dict.borrow_mut();
        for &(name, level, exception) in LEVEL_METHODS {
            d.set_str(name, method(name, Rc::new(move |it, st, me, a| log_call(it, st, &me, level, name, a, exception))));
        }
        d.set_str("setLevel", method("setLevel", Rc::new(|it, st, me, a| {
            let Some(v) = a.pos.get(1) else { return Err(it.type_error("Logger.setLevel() missing 1 required positional argument: 'level'")) };
            let level = st.check_level(it, v)?;
            if !Rc::ptr_eq(&me, &st.root) {
                guard_change(it, &name_of(&me), "the level", Some(level))?;
            }
            me.set("level", Value::Int(level));
            Ok(Value::None)
        })));
        d.set_str("__setattr__", method("__setattr__", Rc::new(|it, st, me, a| {
            let (Some(Value::Str(attr)), Some(v)) = (a.pos.get(1), a.pos.get(2)) else {
                return Err(it.type_error("__setattr__ expected 2 arguments"));
            };
            let is_root = Rc::ptr_eq(&me, &st.root);
            match &**attr {
                "parent" => return Err(not_supported(it, "assigning a logger's parent")),
                "handlers" if is_root => return Err(not_supported(it, "replacing the root logger's handlers (env.py's console handler)")),
                "level" if !is_root => {
                    let level = match v {
                        Value::Int(n) => Some(*n),
                        _ => None,
                    };
                    guard_change(it, &name_of(&me), "the level", level)?;
                }
                "disabled" | "propagate" | "handlers" if !is_root => guard_change(it, &name_of(&me), attr, None)?,
                _ => {}
            }
            me.set(attr, v.clone());
            Ok(Value::None)
        })));
        d.set_str("isEnabledFor", method("isEnabledFor", Rc::new(|it, st, me, a| {
            let level = match a.pos.get(1) {
                Some(Value::Int(n)) => *n,
                Some(Value::Bool(b)) => *b as i64,
                _ => return Err(not_supported(it, "Logger.isEnabledFor() with a level that is not an int")),
            };
            Ok(Value::Bool(st.is_enabled_for(it, &me, level)?))
        })));
        d.set_str("getEffectiveLevel", method("getEffectiveLevel", Rc::new(|_, st, me, _| Ok(Value::Int(st.effective_level(&me))))));
        d.set_str("getChild", method("getChild", Rc::new(|it, st, me, a| {
            let Some(Value::Str(suffix)) = a.pos.get(1) else { return Err(it.type_error("getChild() needs a str suffix")) };
            let name = if Rc::ptr_eq(&me, &st.root) {
                suffix.to_string()
            } else {
                format!("{}.{suffix}", me.get("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
            };
            Ok(Value::Instance(st.get_logger(&name)))
        })));
        d.set_str("hasHandlers", method("hasHandlers", Rc::new(|it, _, me, _| {
            let mut c = Some(me);
            while let Some(l) = c {
                if matches!(l.get("handlers"), Some(Value::List(h)) if !h.borrow().is_empty()) {
                    return Ok(Value::Bool(true));
                }
                if !it.truthy(&l.get("propagate").unwrap_or(Value::Bool(true)))? {
                    break;
                }
                c = parent_of(&l);
            }
            Ok(Value::Bool(false))
        })));
        d.set_str("addHandler", method("addHandler", Rc::new(|it, _, me, a| {
            let h = a.pos.get(1).cloned().unwrap_or(Value::None);
            let known = matches!(&h, Value::Instance(i) if i.native.borrow().as_ref().is_some_and(|n| n.is::<HandlerKind>()));
            if !known {
                let what = match &h {
                    Value::Instance(i) => format!("Logger.addHandler() of a {}", i.class.name),
                    _ => "Logger.addHandler() of something that is no handler".to_string(),
                };
                return Err(not_supported(it, &what));
            }
            let console = matches!(&h, Value::Instance(i) if i.native.borrow().as_ref().and_then(|n| n.downcast_ref::<HandlerKind>().copied()) == Some(HandlerKind::Console));
            if console {
                guard_change(it, &name_of(&me), "the handlers", None)?;
            }
            if let Some(Value::List(l)) = me.get("handlers") {
                if !l.borrow().iter().any(|x| x.is(&h)) {
                    l.borrow_mut().push(h);
                }
            }
            Ok(Value::None)
        })));
        d.set_str("removeHandler", method("removeHandler", Rc::new(|it, st, me, a| {
            let h = a.pos.get(1).cloned().unwrap_or(Value::None);
            let console = matches!(&h, Value::Instance(i) if i.native.borrow().as_ref().and_then(|n| n.downcast_ref::<HandlerKind>().copied()) == Some(HandlerKind::Console));
            if console && Rc::ptr_eq(&me, &st.root) {
                return Err(not_supported(it, "removing env.py's console handler from the root logger"));
            }
            if let Some(Value::List(l)) = me.get("handlers") {
                l.borrow_mut().retain(|x| !x.is(&h));
            }
            Ok(Value::None)
        })));
        for n in ["addFilter", "removeFilter", "filter", "handle", "makeRecord", "findCaller", "callHandlers"] {
            d.set_str(n, native_fn(n, move |it, _| Err(not_supported(it, &format!("Logger.{n}()")))));
        }
        d.set_str("__repr__", method("__repr__", Rc::new(|_, st, me, _| {
            let level = st.level_name(st.effective_level(&me));
            let class = me.class.name.clone();
            let name = me.get("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            Ok(Value::str(&format!("<{class} {name} ({level})>")))
        })));
        d.set_str("__call_native__", native_fn("Logger", |it, _| Err(not_supported(it, "a logging.Logger made directly (not through logging.getLogger)"))));
    }

    let g = &m.globals;
    for (n, v) in [("CRITICAL", CRITICAL), ("FATAL", CRITICAL), ("ERROR", ERROR), ("WARNING", WARNING), ("WARN", WARNING), ("INFO", INFO), ("DEBUG", DEBUG), ("NOTSET", NOTSET)] {
        g.set(n, Value::Int(v));
    }
    g.set("raiseExceptions", Value::Bool(true));
    g.set("root", Value::Instance(root));
    g.set("Logger", Value::Class(logger_class));
    g.set("RootLogger", Value::Class(root_class));
    g.set("Handler", Value::Class(handler));
    g.set("StreamHandler", Value::Class(stream_handler));
    g.set("NullHandler", Value::Class(null_handler));
    g.set("FileHandler", Value::Class(file_handler));
    {
        let w = w.clone();
        g.set("getLogger", native_fn("getLogger", move |it, a| {
            let st = state(it, &w)?;
            if a.pos.len() > 1 || a.kw.iter().any(|(k, _)| k != "name") {
                return Err(it.type_error("getLogger() takes from 0 to 1 positional arguments"));
            }
            match a.pos.first().or_else(|| a.kwarg("name")) {
                None | Some(Value::None) => Ok(Value::Instance(st.root.clone())),
                Some(Value::Str(s)) => Ok(Value::Instance(st.get_logger(s))),
                Some(_) => Err(it.type_error("A logger name must be a string")),
            }
        }));
    }
    // module-level functions log through the root logger (which has its
    // handler, so `basicConfig()` is not called first)
    for &(name, level, exception) in LEVEL_METHODS {
        let w = w.clone();
        g.set(name, native_fn(name, move |it, a| {
            let st = state(it, &w)?;
            root_has_handlers(it, &st, name)?;
            let root = st.root.clone();
            let mut pos = vec![Value::Instance(root.clone())];
            pos.extend(a.pos);
            log_call(it, &st, &root, level, name, Args { pos, kw: a.kw }, exception)
        }));
    }
    {
        let w = w.clone();
        g.set("basicConfig", native_fn("basicConfig", move |it, a| {
            let st = state(it, &w)?;
            if !a.pos.is_empty() {
                return Err(it.type_error(format!("basicConfig() takes 0 positional arguments but {} were given", a.pos.len())));
            }
            if let Some(force) = a.kwarg("force") {
                if it.truthy(force)? {
                    return Err(not_supported(it, "logging.basicConfig(force=True) (replacing env.py's console handler)"));
                }
            }
            // after env.py's fileConfig the root logger has its handler:
            // basicConfig does nothing, whatever it is given
            root_has_handlers(it, &st, "basicConfig")?;
            Ok(Value::None)
        }));
    }
    {
        let w = w.clone();
        g.set("disable", native_fn("disable", move |it, a| {
            let st = state(it, &w)?;
            let level = match a.pos.first().or_else(|| a.kwarg("level")) {
                None => CRITICAL,
                Some(v) => st.check_level(it, &v.clone())?,
            };
            if level >= INFO {
                return Err(not_supported(it, "logging.disable() of INFO or above (Alembic's own INFO lines would go too)"));
            }
            st.disable.set(level);
            Ok(Value::None)
        }));
    }
    {
        let w = w.clone();
        g.set("getLevelName", native_fn("getLevelName", move |it, a| {
            let st = state(it, &w)?;
            let Some(v) = a.pos.first() else { return Err(it.type_error("getLevelName() missing 1 required positional argument: 'level'")) };
            if let Value::Int(n) = v {
                if let Some(name) = st.level_names.borrow().get(n) {
                    return Ok(Value::str(name));
                }
            }
            if let Value::Str(s) = v {
                if let Some(level) = st.name_levels.borrow().get(&**s) {
                    return Ok(Value::Int(*level));
                }
            }
            let s = it.str_of(v)?;
            Ok(Value::str(&format!("Level {s}")))
        }));
    }
    {
        let w = w.clone();
        g.set("addLevelName", native_fn("addLevelName", move |it, a| {
            let st = state(it, &w)?;
            let (Some(Value::Int(level)), Some(Value::Str(name))) = (a.pos.first(), a.pos.get(1)) else {
                return Err(not_supported(it, "addLevelName() with a level that is not an int or a name that is not a str"));
            };
            st.level_names.borrow_mut().insert(*level, name.to_string());
            st.name_levels.borrow_mut().insert(name.to_string(), *level);
            Ok(Value::None)
        }));
    }
    {
        let lc = st_logger_class(&w);
        g.set("getLoggerClass", native_fn("getLoggerClass", move |_, _| Ok(lc.clone())));
    }
    g.set("shutdown", native_fn("shutdown", |_, _| Ok(Value::None)));
    let adapter = logger_adapter(it)?;
    if let Some(v) = adapter.globals.get("LoggerAdapter") {
        g.set("LoggerAdapter", v);
    }
    adapter.globals.set("getLevelName", g.get("getLevelName").unwrap_or(Value::None));
    // classes a project may subclass at import: made, they are refused
    for n in ["Formatter", "Filter", "LogRecord"] {
        g.set(n, Value::Class(refused_class(it, n, "logging", None)));
    }
    for n in ["setLoggerClass", "captureWarnings", "makeLogRecord", "setLogRecordFactory"] {
        g.set(n, native_fn(n, move |it, _| Err(not_supported(it, &format!("logging.{n}")))));
    }
    Ok(m)
}

/// `logging.LoggerAdapter` as CPython 3.11 writes it: Python over the
/// logger's own methods, so a subclass's `process()` is honoured.
const LOGGER_ADAPTER: &str = r#"
class LoggerAdapter:
    def __init__(self, logger, extra=None):
        self.logger = logger
        self.extra = extra

    def process(self, msg, kwargs):
        kwargs["extra"] = self.extra
        return msg, kwargs

    def debug(self, msg, *args, **kwargs):
        self.log(10, msg, *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        self.log(20, msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        self.log(30, msg, *args, **kwargs)

    def warn(self, msg, *args, **kwargs):
        self.log(30, msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        self.log(40, msg, *args, **kwargs)

    def exception(self, msg, *args, exc_info=True, **kwargs):
        self.log(40, msg, *args, exc_info=exc_info, **kwargs)

    def critical(self, msg, *args, **kwargs):
        self.log(50, msg, *args, **kwargs)

    def log(self, level, msg, *args, **kwargs):
        if self.isEnabledFor(level):
            msg, kwargs = self.process(msg, kwargs)
            self.logger.log(level, msg, *args, **kwargs)

    def isEnabledFor(self, level):
        return self.logger.isEnabledFor(level)

    def setLevel(self, level):
        self.logger.setLevel(level)

    def getEffectiveLevel(self):
        return self.logger.getEffectiveLevel()

    def hasHandlers(self):
        return self.logger.hasHandlers()

    @property
    def name(self):
        return self.logger.name

    def __repr__(self):
        logger = self.logger
        level = getLevelName(logger.getEffectiveLevel())
        return '<%s %s (%s)>' % (self.__class__.__name__, logger.name, level)
"#;

/// The module [`LOGGER_ADAPTER`] runs in (its class's `__module__` is
/// `logging`); taken out of `sys.modules` again.
fn logger_adapter(it: &mut Interp) -> R<Rc<Module>> {
    let r = it.run_module("logging", "logging/__init__.py", LOGGER_ADAPTER);
    it.modules.shift_remove("logging");
    r.map_err(|e| it.exc("RuntimeError", format!("logging.LoggerAdapter: {}", e.exception_line())))
}

fn st_logger_class(w: &Weak<State>) -> Value {
    w.upgrade().map(|s| Value::Class(s.logger_class.clone())).unwrap_or(Value::None)
}

/// Module-level logging with the root's handler removed would call
/// `basicConfig()`, which adds one the playground cannot write through.
fn root_has_handlers(it: &Interp, st: &State, what: &str) -> R<()> {
    match st.root.get("handlers") {
        Some(Value::List(h)) if !h.borrow().is_empty() => Ok(()),
        _ => Err(not_supported(it, &format!("logging.{what}() once the root logger has no handler (basicConfig would configure it)"))),
    }
}

/// `logging.config` and `logging.handlers`: configuring logging anew or
/// writing to files, sockets and queues is nothing the playground can show.
pub fn config_module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("logging.config");
    for n in ["fileConfig", "dictConfig", "listen", "stopListening"] {
        m.globals.set(n, native_fn(n, move |it, _| Err(not_supported(it, &format!("logging.config.{n}()")))));
    }
    Ok(m)
}

pub fn handlers_module(it: &mut Interp) -> R<Rc<Module>> {
    let logging = it.import_module("logging")?;
    let handler = match logging.globals.get("Handler") {
        Some(Value::Class(c)) => Some(c),
        _ => None,
    };
    let m = it.new_native_module("logging.handlers");
    for n in [
        "RotatingFileHandler", "TimedRotatingFileHandler", "WatchedFileHandler", "SocketHandler", "DatagramHandler",
        "SysLogHandler", "SMTPHandler", "NTEventLogHandler", "MemoryHandler", "HTTPHandler", "QueueHandler", "BufferingHandler",
    ] {
        m.globals.set(n, Value::Class(refused_class(it, n, "logging.handlers", handler.as_ref())));
    }
    m.globals.set("QueueListener", Value::Class(refused_class(it, "QueueListener", "logging.handlers", None)));
    Ok(m)
}

/// A class of `module` that can be named and subclassed, but whose
/// instances are refused (`__init__` raises) at the call that makes one.
fn refused_class(it: &Interp, name: &str, module: &str, base: Option<&Rc<Class>>) -> Rc<Class> {
    let bases = vec![base.cloned().unwrap_or_else(|| it.types.object.clone())];
    let cls = Class::new(name, module, bases, BuiltinType::Object, None);
    let what = format!("{module}.{name}");
    cls.dict.borrow_mut().set_str("__init__", native_fn("__init__", move |it, _| Err(not_supported(it, &format!("a {what}")))));
    cls
}

#[cfg(test)]
mod tests {
    use super::super::eval::LogOutput;
    use super::super::NoModules;
    use super::*;

    fn run(src: &str) -> (LogOutput, Result<(), String>) {
        let mut it = Interp::new(Rc::new(NoModules));
        let r = it.run_module("m", "m.py", src);
        (it.log.clone(), r.map(|_| ()).map_err(|e| e.to_string()))
    }

    #[test]
    fn records_in_both_renderings() {
        let (log, r) = run(
            "import logging\nlog = logging.getLogger('app')\nlog.warning('%s rows', 3)\nlog.info('dropped')\n\
             logging.getLogger('alembic.x').info('kept')\nlog.error('%(a)s', {'a': 1})\n",
        );
        r.unwrap();
        assert_eq!(log.configured, "WARNI [app] 3 rows\nINFO  [alembic.x] kept\nERROR [app] 1\n");
        // without env.py's configuration: the last-resort handler, WARNING and up
        assert_eq!(log.unconfigured, "3 rows\n1\n");
    }

    #[test]
    fn what_cannot_be_reproduced_is_refused_at_its_call() {
        let cases: &[(&str, &str)] = &[
            ("import logging\nlogging.getLogger().addHandler(logging.StreamHandler())\n", "m.py:2:32: NotImplementedError: a logging.StreamHandler is not supported"),
            ("import logging.config\nlogging.config.dictConfig({})\n", "m.py:2:1: NotImplementedError: logging.config.dictConfig() is not supported"),
            ("import logging\nf = logging.Formatter('%(message)s')\n", "m.py:2:5: NotImplementedError: a logging.Formatter is not supported"),
            (
                "import logging\nclass F(logging.Formatter):\n    pass\nf = F('%(message)s')\n",
                "m.py:4:5: NotImplementedError: a logging.Formatter is not supported",
            ),
            (
                "import logging.handlers\nclass H(logging.handlers.RotatingFileHandler):\n    pass\nprint(issubclass(H, logging.Handler))\nH('x.log')\n",
                "m.py:5:1: NotImplementedError: a logging.handlers.RotatingFileHandler is not supported",
            ),
            ("import logging\nlogging.getLogger('a').warning('x', stack_info=True)\n", "m.py:2:1: NotImplementedError: stack_info=True (the stack Python would print) is not supported"),
            ("import logging\nlogging.basicConfig(force=True)\n", "m.py:2:1: NotImplementedError: logging.basicConfig(force=True)"),
            (
                "import logging\nclass H(logging.Handler):\n    def __init__(self):\n        pass\n    def emit(self, record):\n        pass\nlogging.getLogger('a').addHandler(H())\n",
                "m.py:7:1: NotImplementedError: Logger.addHandler() of a H is not supported",
            ),
            (
                "import logging\ntry:\n    try:\n        1/0\n    except ZeroDivisionError:\n        raise ValueError('v')\nexcept ValueError:\n    logging.getLogger('a').exception('x')\n",
                "m.py:8:5: NotImplementedError: the traceback of a chained exception",
            ),
        ];
        for (src, expected) in cases {
            let (_, r) = run(src);
            let e = r.expect_err(src);
            assert!(e.starts_with(expected), "{src}\n{e}");
        }
    }

    /// Alembic's own lines are written by the command layer as the template
    /// configures them, and SQLAlchemy's own records are not made: a change
    /// that would alter either is refused, one that would not is not.
    #[test]
    fn changes_to_what_alembic_and_sqlalchemy_log_are_refused() {
        let refused: &[(&str, &str)] = &[
            ("logging.getLogger('alembic').setLevel(logging.WARNING)", "m.py:2:1: NotImplementedError: changing the level of the logger 'alembic'"),
            ("logging.getLogger('alembic.runtime').level = 30", "m.py:2:1: NotImplementedError: changing the level of the logger 'alembic.runtime'"),
            ("logging.getLogger('alembic.runtime.migration').propagate = False", "m.py:2:1: NotImplementedError: changing propagate of the logger"),
            ("logging.getLogger('sqlalchemy.engine').setLevel(logging.INFO)", "m.py:2:1: NotImplementedError: setting the logger 'sqlalchemy.engine' below WARNING"),
            ("logging.disable(logging.INFO)", "m.py:2:1: NotImplementedError: logging.disable() of INFO or above"),
            ("logging.root.removeHandler(logging.root.handlers[0])", "m.py:2:1: NotImplementedError: removing env.py's console handler"),
            ("logging.root.handlers[0].setLevel(logging.ERROR)", "m.py:2:1: NotImplementedError: raising the console handler's level above INFO"),
        ];
        for (line, expected) in refused {
            let src = format!("import logging\n{line}\n");
            let e = run(&src).1.expect_err(&src);
            assert!(e.starts_with(expected), "{src}\n{e}");
        }
        let (log, r) = run(
            "import logging\nlogging.getLogger('alembic.custom').setLevel(logging.DEBUG)\nlogging.getLogger('alembic.custom').debug('d')\n\
             logging.getLogger('sqlalchemy.engine').setLevel(logging.ERROR)\nlogging.getLogger().setLevel(logging.INFO)\nlogging.getLogger('x').info('i')\n",
        );
        r.unwrap();
        assert_eq!(log.configured, "DEBUG [alembic.custom] d\nINFO  [x] i\n");
    }

    #[test]
    fn a_chained_exception_raised_from_none_is_not_chained() {
        let (log, r) = run(
            "import logging\ntry:\n    try:\n        1/0\n    except ZeroDivisionError:\n        raise ValueError('v') from None\nexcept ValueError:\n    logging.getLogger('a').exception('x')\n",
        );
        r.unwrap();
        assert_eq!(log.configured, "ERROR [a] x\nTraceback (most recent call last):\n  File \"m.py\", line 6, column 9\nValueError: v\n");
    }
}
