//! CPython 3.11's "Did you mean" suggestion for a `NameError`
//! (`Python/suggestions.c`), which the interpreter's exception hook adds to
//! the traceback's last line: `NameError: name 'Strng' is not defined. Did
//! you mean: 'String'?`.
//!
//! Invariants:
//! - Candidates are walked as CPython walks them: the function's local
//!   names (not a class body's), then the module's globals in their dict's
//!   order, then the builtins in `builtins.__dict__` order; the first
//!   list with a close name gives it.
//! - Close means CPython's Levenshtein distance (a case change costs 1, any
//!   other edit 2) within a third of the characters involved; a list of
//!   750 names or more gives none.

use std::rc::Rc;

use super::eval::{Env, EnvKind};

/// The message of the `NameError` for `name` looked up from `env`.
pub(crate) fn name_error_message(env: &Rc<Env>, name: &str) -> String {
    match suggestion(env, name) {
        Some(s) => format!("name '{name}' is not defined. Did you mean: '{s}'?"),
        None => format!("name '{name}' is not defined"),
    }
}

fn suggestion(env: &Rc<Env>, name: &str) -> Option<String> {
    let locals: Vec<String> = match env.kind {
        EnvKind::Function => env.vars.borrow().keys().map(|k| k.to_string()).collect(),
        EnvKind::Builtins | EnvKind::Module | EnvKind::Class | EnvKind::Comprehension => Vec::new(),
    };
    let module = env.module_env();
    const DUNDERS: [&str; 8] = ["__name__", "__doc__", "__package__", "__loader__", "__spec__", "__file__", "__cached__", "__builtins__"];
    let mut globals: Vec<String> = DUNDERS.iter().map(|s| s.to_string()).collect();
    let vars = module.vars.borrow();
    if vars.contains_key("__annotations__") {
        globals.insert(5, "__annotations__".to_string());
    }
    globals.extend(vars.keys().filter(|k| !globals.iter().any(|g| **g == ***k)).map(|k| k.to_string()).collect::<Vec<_>>());
    drop(vars);
    let builtins: Vec<String> = BUILTINS_ORDER.iter().map(|s| s.to_string()).collect();
    [locals, globals, builtins].iter().find_map(|dir| suggest(dir, name).map(str::to_string))
}

fn suggest<'d>(dir: &'d [String], name: &str) -> Option<&'d str> {
    const MOVE_COST: usize = 2;
    if dir.len() >= 750 {
        return None;
    }
    let mut best: Option<(&str, usize)> = None;
    for item in dir {
        if item == name {
            continue;
        }
        let mut max_distance = (name.len() + item.len() + 3) * MOVE_COST / 6;
        if let Some((_, d)) = best {
            max_distance = max_distance.min(d.saturating_sub(1));
        }
        let distance = levenshtein(name.as_bytes(), item.as_bytes(), max_distance);
        if distance > max_distance {
            continue;
        }
        if best.map(|(_, d)| distance < d).unwrap_or(true) {
            best = Some((item, distance));
        }
    }
    best.map(|(s, _)| s)
}

fn levenshtein(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    const MOVE_COST: usize = 2;
    const CASE_COST: usize = 1;
    let substitution = |x: u8, y: u8| -> usize {
        if x & 31 != y & 31 {
            MOVE_COST
        } else if x == y {
            0
        } else if x.to_ascii_lowercase() == y.to_ascii_lowercase() {
            CASE_COST
        } else {
            MOVE_COST
        }
    };
    let (mut a, mut b) = (a, b);
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > 40 || b.len() > 40 {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut buffer: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (b_index, &code) in b.iter().enumerate() {
        let mut distance = b_index * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (index, &ac) in a.iter().enumerate() {
            let substitute = distance + substitution(code, ac);
            distance = buffer[index];
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            buffer[index] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}


/// The builtins module's names in its dict's order (`list(builtins.__dict__)`),
/// the order Python's "Did you mean" suggestion walks them in.
const BUILTINS_ORDER: &[&str] = &[
    "__name__",
    "__doc__",
    "__package__",
    "__loader__",
    "__spec__",
    "__build_class__",
    "__import__",
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "breakpoint",
    "callable",
    "chr",
    "compile",
    "delattr",
    "dir",
    "divmod",
    "eval",
    "exec",
    "format",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "isinstance",
    "issubclass",
    "iter",
    "aiter",
    "len",
    "locals",
    "max",
    "min",
    "next",
    "anext",
    "oct",
    "ord",
    "pow",
    "print",
    "repr",
    "round",
    "setattr",
    "sorted",
    "sum",
    "vars",
    "None",
    "Ellipsis",
    "NotImplemented",
    "False",
    "True",
    "bool",
    "memoryview",
    "bytearray",
    "bytes",
    "classmethod",
    "complex",
    "dict",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "property",
    "int",
    "list",
    "map",
    "object",
    "range",
    "reversed",
    "set",
    "slice",
    "staticmethod",
    "str",
    "super",
    "tuple",
    "type",
    "zip",
    "__debug__",
    "BaseException",
    "BaseExceptionGroup",
    "Exception",
    "GeneratorExit",
    "KeyboardInterrupt",
    "SystemExit",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BufferError",
    "EOFError",
    "ImportError",
    "LookupError",
    "MemoryError",
    "NameError",
    "OSError",
    "ReferenceError",
    "RuntimeError",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SystemError",
    "TypeError",
    "ValueError",
    "Warning",
    "FloatingPointError",
    "OverflowError",
    "ZeroDivisionError",
    "BytesWarning",
    "DeprecationWarning",
    "EncodingWarning",
    "FutureWarning",
    "ImportWarning",
    "PendingDeprecationWarning",
    "ResourceWarning",
    "RuntimeWarning",
    "SyntaxWarning",
    "UnicodeWarning",
    "UserWarning",
    "BlockingIOError",
    "ChildProcessError",
    "ConnectionError",
    "FileExistsError",
    "FileNotFoundError",
    "InterruptedError",
    "IsADirectoryError",
    "NotADirectoryError",
    "PermissionError",
    "ProcessLookupError",
    "TimeoutError",
    "IndentationError",
    "IndexError",
    "KeyError",
    "ModuleNotFoundError",
    "NotImplementedError",
    "RecursionError",
    "UnboundLocalError",
    "UnicodeError",
    "BrokenPipeError",
    "ConnectionAbortedError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "TabError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeTranslateError",
    "ExceptionGroup",
    "EnvironmentError",
    "IOError",
    "open",
    "quit",
    "exit",
    "copyright",
    "credits",
    "license",
    "help",
];
