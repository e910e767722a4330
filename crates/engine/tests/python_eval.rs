//! The evaluator against CPython: every `tests/python_eval/*.py` runs in
//! our evaluator and its output (what it prints, then the exception line of
//! an uncaught exception) must equal the `.out` file beside it; a second
//! test checks each `.out` against `python3` itself when it is installed.
//! `UPDATE_PYTHON_EVAL=1` rewrites the `.out` files from CPython.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use alembic_engine::python::{Interp, MemoryLoader};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python_eval")
}

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    v.sort();
    assert!(!v.is_empty());
    if let Ok(only) = std::env::var("PYTHON_EVAL_ONLY") {
        v.retain(|p| p.file_stem().is_some_and(|s| s == only.as_str()));
    }
    v
}

/// The fixtures' folder as the project an import searches, through the
/// engine's own loader (the page's): every `.py` file by its relative path.
fn fixture_loader() -> MemoryLoader {
    fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else if path.extension().is_some_and(|e| e == "py") {
                let rel = path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/");
                files.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(&dir(), &dir(), &mut files);
    MemoryLoader::new(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
}

fn ours(path: &Path) -> String {
    let source = std::fs::read_to_string(path).unwrap();
    let mut it = Interp::new(Rc::new(fixture_loader()));
    let r = it.run_module("__main__", path.file_name().unwrap().to_str().unwrap(), &source);
    let mut out = it.output.clone();
    if let Err(e) = r {
        out.push_str(&format!("!! {}\n", e.exception_line()));
    }
    out
}

fn cpython(path: &Path) -> Option<String> {
    let o = Command::new("python3").arg(path.file_name()?).current_dir(dir()).env_clear().env("PYTHONDONTWRITEBYTECODE", "1").output().ok()?;
    let mut out = String::from_utf8_lossy(&o.stdout).to_string();
    if !o.status.success() {
        let err = String::from_utf8_lossy(&o.stderr);
        out.push_str(&format!("!! {}\n", err.lines().last().unwrap_or("")));
    }
    Some(out)
}

#[test]
fn evaluator_matches_recorded_cpython_output() {
    let update = std::env::var("UPDATE_PYTHON_EVAL").is_ok();
    let mut failures = Vec::new();
    for p in fixtures() {
        let exp_path = p.with_extension("out");
        if update {
            if let Some(o) = cpython(&p) {
                std::fs::write(&exp_path, o).unwrap();
            }
        }
        let expected = std::fs::read_to_string(&exp_path).unwrap_or_default();
        let got = ours(&p);
        if got != expected {
            failures.push(format!("{}:\n--- expected (CPython)\n{expected}--- got\n{got}", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn recorded_output_is_cpythons() {
    for p in fixtures() {
        let Some(o) = cpython(&p) else { return };
        let expected = std::fs::read_to_string(p.with_extension("out")).unwrap_or_default();
        assert_eq!(o, expected, "{} differs from python3's output", p.display());
    }
}

fn run(src: &str) -> Result<String, alembic_engine::python::PyError> {
    let mut it = Interp::new(Rc::new(alembic_engine::python::NoModules));
    it.run_module("__main__", "t.py", src).map(|_| it.output.clone())
}

/// Deeply nested expressions stop with an error, not a stack overflow,
/// inside wasm32's 1 MiB stack even in a debug build.
#[test]
fn deep_nesting_fits_a_one_mib_stack() {
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let e = run(&format!("x = {}1{}\n", "(1 + ".repeat(150), ")".repeat(150))).unwrap_err();
            assert_eq!(e.class, "RecursionError");
        })
        .unwrap();
    worker.join().unwrap();
}

#[test]
fn limits_stop_evaluation_with_a_clear_error() {
    let e = run("def d(n):\n    return d(n + 1)\ntry:\n    d(0)\nexcept RecursionError:\n    print('caught')\n").unwrap_err();
    assert_eq!(e.class, "RecursionError");
    let e = run("while True:\n    try:\n        pass\n    except Exception:\n        pass\n").unwrap_err();
    assert!(e.message.contains("steps"), "{e}");
    let e = run("x = 'a' * 100000000").unwrap_err();
    assert_eq!(e.class, "MemoryError");
    let e = run("x = list(range(10**9))").unwrap_err();
    assert_eq!(e.class, "MemoryError");
    let e = run("x = 2 ** 70").unwrap_err();
    assert_eq!(e.class, "OverflowError");
}

#[test]
fn unsupported_constructs_are_errors_at_their_position() {
    let e = run("x = 1\nmatch x:\n    case int(1, 2):\n        pass\n").unwrap_err();
    assert_eq!((e.class.as_str(), e.loc.as_ref().unwrap().line), ("TypeError", 2));
    // a generator cannot be suspended between two values: next() is refused where it is called
    let e = run("def g():\n    yield 1\n    yield 2\nx = g()\nprint(next(x))\n").unwrap_err();
    assert_eq!((e.class.as_str(), e.loc.as_ref().unwrap().line), ("NotImplementedError", 5));
    let e = run("def g():\n    yield 1\ng().send(None)\n").unwrap_err();
    assert_eq!(e.class, "NotImplementedError");
    let e = run("import itertools\nfor i in itertools.count():\n    break\n").unwrap_err();
    assert_eq!((e.class.as_str(), e.loc.as_ref().unwrap().line), ("NotImplementedError", 2));
    let e = run("open('x')").unwrap_err();
    assert_eq!(e.class, "OSError");
    // Python has it: not a missing module, but one the playground does not implement
    let e = run("import socket").unwrap_err();
    assert_eq!(e.exception_line(), "NotImplementedError: the standard library module 'socket' is not supported by the playground");
    let e = run("import no_such_module_here").unwrap_err();
    assert_eq!(e.exception_line(), "ModuleNotFoundError: No module named 'no_such_module_here'");
    let e = run("x = 1\ny = Strin(50)\n").unwrap_err();
    assert_eq!(e.exception_line(), "NameError: name 'Strin' is not defined");
    let l = e.loc.unwrap();
    assert_eq!((l.line, l.column), (2, 5));
}

/// Reference cycles (a function and its module's globals, an enum and its
/// members, a closure that calls itself, an instance that holds itself) are
/// broken when the interpreter is dropped: nothing it made stays alive.
#[test]
fn dropping_the_interpreter_frees_its_cycles() {
    let src = r#"
import enum
class Color(enum.Enum):
    RED = 1
class Node:
    def __init__(self):
        self.me = self
        self.items = [self, {"k": self}]
def outer():
    def again(n):
        return again(n - 1) if n else 0
    return again
keep = outer()
node = Node()
"#;
    let mut it = Interp::new(Rc::new(alembic_engine::python::NoModules));
    let module = it.run_module("__main__", "t.py", src).expect("runs");
    let globals = Rc::downgrade(&module.globals);
    let (node, keep, color) = {
        use alembic_engine::python::value::Value;
        let get = |name: &str| module.globals.get(name).expect(name);
        let (Value::Instance(node), Value::Function(keep), Value::Class(color)) = (get("node"), get("keep"), get("Color")) else {
            panic!("unexpected kinds")
        };
        (Rc::downgrade(&node), Rc::downgrade(&keep), Rc::downgrade(&color))
    };
    drop(module);
    drop(it);
    assert!(globals.upgrade().is_none(), "module globals leaked");
    assert!(node.upgrade().is_none(), "self-referencing instance leaked");
    assert!(keep.upgrade().is_none(), "self-calling closure leaked");
    assert!(color.upgrade().is_none(), "enum class leaked");
}

/// A host that gives a fixed clock: 2021-03-04 05:06:07.000008 UTC, two
/// hours east of UTC locally.
struct FixedClock;

impl alembic_engine::python::ModuleLoader for FixedClock {
    fn load(&self, _: &str) -> Option<alembic_engine::python::ModuleSource> {
        None
    }
    fn clock(&self) -> Option<alembic_engine::python::ClockReading> {
        Some(alembic_engine::python::ClockReading { unix_micros: 1_614_834_367_000_008, utc_offset_seconds: 7200 })
    }
}

/// The clock is the host's: local and UTC readings, aware ones, dates and
/// `time.time()` all come from its one reading.
#[test]
fn clock_reads_come_from_the_host() {
    let mut it = Interp::new(Rc::new(FixedClock));
    let src = "import datetime, time\nfrom datetime import date, timezone, timedelta\n\
               print(repr(datetime.datetime.now()))\nprint(repr(datetime.datetime.utcnow()))\n\
               print(datetime.datetime.now(timezone.utc).isoformat())\nprint(datetime.datetime.now(tz=timezone(timedelta(hours=-5))).isoformat())\n\
               print(repr(date.today()), repr(datetime.datetime.today()))\nprint(time.time(), time.time_ns())\n";
    it.run_module("__main__", "t.py", src).unwrap();
    assert_eq!(
        it.output,
        "datetime.datetime(2021, 3, 4, 7, 6, 7, 8)\ndatetime.datetime(2021, 3, 4, 5, 6, 7, 8)\n\
         2021-03-04T05:06:07.000008+00:00\n2021-03-04T00:06:07.000008-05:00\n\
         datetime.date(2021, 3, 4) datetime.datetime(2021, 3, 4, 7, 6, 7, 8)\n1614834367.000008 1614834367000008000\n"
    );
}

/// What `datetime` cannot do without the clock, the local time zone or a
/// directive the playground does not implement is an error naming it.
#[test]
fn datetime_refuses_what_it_cannot_reach() {
    for (src, class, needle) in [
        ("import datetime\ndatetime.datetime.now()", "NotImplementedError", "datetime.datetime.now() reads the clock"),
        ("import time\ntime.time()", "NotImplementedError", "time.time() reads the clock"),
        ("from datetime import date\ndate.today()", "NotImplementedError", "datetime.date.today() reads the clock"),
        ("from datetime import datetime\ndatetime.utcnow()", "NotImplementedError", "datetime.datetime.utcnow() reads the clock"),
        ("from datetime import datetime\ndatetime(2020, 1, 1).strftime('%c')", "NotImplementedError", "'%c'"),
        ("from datetime import datetime\ndatetime.strptime('1', '%w')", "NotImplementedError", "'%w'"),
        ("from datetime import datetime\ndatetime(2020, 1, 1).timestamp()", "NotImplementedError", "local time zone"),
        ("from datetime import date\nclass D(date):\n    pass\nD(2020, 1, 1)", "NotImplementedError", "subclasses of datetime.date"),
        ("from datetime import date\ndate(2020, 1, 1).isocalendar()", "NotImplementedError", "datetime.date.isocalendar()"),
    ] {
        let e = run(src).unwrap_err();
        assert_eq!(e.class, class, "{src}: {e}");
        assert!(e.message.contains(needle), "{src}: {e}");
    }
}
