//! Where `import` finds the project's own modules: Python's path-based
//! finder (`importlib._bootstrap_external.PathFinder` / `FileFinder`) over
//! search roots, written once for every host. The CLI's roots are folders
//! on disk (`--path`); the page's one root is its project, a path → text
//! map ([`MemoryLoader`]).
//!
//! Invariants:
//! - `a.b` is looked for in each root in order: `a/b/__init__.py` (a
//!   regular package) before `a/b.py` (a module), as `FileFinder` checks the
//!   package directory first; the first root that has either wins. A
//!   folder `a/b` without `__init__.py` in any root makes a namespace
//!   package, but only when no root has the module or regular package.
//! - A submodule `a.b` is looked for only where `a` lives (its `__path__`):
//!   the folder of a regular package, every root's folder of a namespace
//!   package; under a module that is no package, nowhere.
//! - Paths inside a root are `/`-separated and relative.
//! - [`MemoryLoader`] remembers every name it was asked for (found or not),
//!   so a host that keeps loaded modules between commands can tell whether
//!   a change to its files reaches them ([`MemoryLoader::update`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::eval::{ModuleLoader, ModuleSource};
use crate::sort::map_of;

/// One entry of the module search path.
pub trait SearchRoot {
    /// The text of the file at `rel` under this root, with the name
    /// messages show it by; `None` when there is no such file.
    fn read_file(&self, rel: &str) -> Option<(String, String)>;
    /// Whether the file `rel` is there (a parent package's `__init__.py`,
    /// whose text is not needed to find its submodules).
    fn is_file(&self, rel: &str) -> bool {
        self.read_file(rel).is_some()
    }
    /// The name messages show the folder `rel` by, when it is a folder.
    fn folder(&self, rel: &str) -> Option<String>;
}

/// Finds the module `dotted` in `roots` by Python's rules (see the module
/// invariants); `None`: `ModuleNotFoundError`.
///
/// A submodule is looked for where its parent package lives, as in its
/// `__path__`: the one folder of a regular package, every root's folder of
/// a namespace package; under a module that is no package, nothing.
pub fn find_module<'a>(dotted: &str, roots: impl IntoIterator<Item = &'a dyn SearchRoot>) -> Option<ModuleSource> {
    if dotted.is_empty() || dotted.split('.').any(str::is_empty) {
        return None;
    }
    let roots: Vec<&dyn SearchRoot> = roots.into_iter().collect();
    // `__path__` of the package searched: indexes into `roots`
    let mut path: Vec<usize> = (0..roots.len()).collect();
    let mut parts = dotted.split('.').peekable();
    let mut rel = String::new();
    while let Some(part) = parts.next() {
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str(part);
        let last = parts.peek().is_none();
        let init = format!("{rel}/__init__.py");
        let module = format!("{rel}.py");
        let mut portions = Vec::new();
        let mut package = None;
        for &i in &path {
            let root = roots[i];
            if last {
                if let Some((file, source)) = root.read_file(&init) {
                    return Some(ModuleSource { file, source, is_package: true });
                }
                if let Some((file, source)) = root.read_file(&module) {
                    return Some(ModuleSource { file, source, is_package: false });
                }
            } else if root.is_file(&init) {
                package = Some(i);
                break;
            } else if root.is_file(&module) {
                return None;
            }
            if let Some(name) = root.folder(&rel) {
                portions.push((i, name));
            }
        }
        match (package, last) {
            (Some(i), _) => path = vec![i],
            (None, true) => {
                return portions.into_iter().next().map(|(_, file)| ModuleSource { file, source: String::new(), is_package: true })
            }
            (None, false) if portions.is_empty() => return None,
            (None, false) => path = portions.into_iter().map(|(i, _)| i).collect(),
        }
    }
    None
}

/// The project's files in memory, one search root: path → text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryRoot {
    pub files: BTreeMap<String, Rc<str>>,
}

impl SearchRoot for MemoryRoot {
    fn read_file(&self, rel: &str) -> Option<(String, String)> {
        self.files.get(rel).map(|text| (rel.to_string(), text.to_string()))
    }
    fn is_file(&self, rel: &str) -> bool {
        self.files.contains_key(rel)
    }
    fn folder(&self, rel: &str) -> Option<String> {
        let prefix = format!("{rel}/");
        let inside = self.files.range(prefix.clone()..).next().is_some_and(|(path, _)| path.starts_with(&prefix));
        inside.then(|| rel.to_string())
    }
}

/// Imports from a project held in memory (the page's files), by
/// [`find_module`]'s rules, remembering what was asked for.
#[derive(Debug, Default)]
pub struct MemoryLoader {
    root: RefCell<MemoryRoot>,
    asked: RefCell<BTreeSet<String>>,
    /// The host's clock, when it gives one.
    clock: Option<fn() -> super::ClockReading>,
    /// Whether anything read the clock through this loader.
    clock_read: std::cell::Cell<bool>,
}

impl MemoryLoader {
    /// The same loader, reading the host's clock with `clock`.
    pub fn with_clock(mut self, clock: fn() -> super::ClockReading) -> MemoryLoader {
        self.clock = Some(clock);
        self
    }

    /// Whether the clock was read through this loader (what was evaluated
    /// with it depends on the instant, not only on the files).
    pub fn clock_was_read(&self) -> bool {
        self.clock_read.get()
    }

    /// A loader over `files` (path → text).
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> MemoryLoader {
        let files = map_of(files.into_iter().map(|(p, t)| (p.to_string(), Rc::from(t))));
        MemoryLoader { root: RefCell::new(MemoryRoot { files }), asked: RefCell::default(), clock: None, clock_read: Default::default() }
    }

    /// Replaces the files with `files`; `true` when a module asked for
    /// since the last [`MemoryLoader::forget_asked`] would now be found
    /// elsewhere, with another text, or no longer (or found where it was
    /// not): whoever holds modules imported through this loader must load
    /// them again. Unchanged texts are not copied.
    pub fn update<'a>(&self, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
        let mut next = BTreeMap::new();
        let mut changed_paths = Vec::new();
        {
            let root = self.root.borrow();
            for (path, text) in files {
                let kept = match root.files.get(path) {
                    Some(old) if **old == *text => old.clone(),
                    _ => {
                        changed_paths.push(path.to_string());
                        Rc::from(text)
                    }
                };
                next.insert(path.to_string(), kept);
            }
            changed_paths.extend(root.files.keys().filter(|p| !next.contains_key(*p)).cloned());
        }
        if changed_paths.is_empty() {
            return false;
        }
        let next = MemoryRoot { files: next };
        let asked = self.asked.borrow();
        let reaches = asked.iter().any(|name| {
            let before = find_module(name, [&*self.root.borrow() as &dyn SearchRoot]);
            let after = find_module(name, [&next as &dyn SearchRoot]);
            before != after
        });
        *self.root.borrow_mut() = next;
        reaches
    }

    /// Starts remembering afresh (the modules imported so far were dropped).
    pub fn forget_asked(&self) {
        self.asked.borrow_mut().clear();
    }

    /// The names asked for since the last [`MemoryLoader::forget_asked`].
    pub fn asked(&self) -> Vec<String> {
        self.asked.borrow().iter().cloned().collect()
    }
}

impl ModuleLoader for MemoryLoader {
    fn load(&self, dotted: &str) -> Option<ModuleSource> {
        self.asked.borrow_mut().insert(dotted.to_string());
        find_module(dotted, [&*self.root.borrow() as &dyn SearchRoot])
    }
    fn clock(&self) -> Option<super::ClockReading> {
        self.clock_read.set(true);
        self.clock.map(|f| f())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loader(files: &[(&str, &str)]) -> MemoryLoader {
        MemoryLoader::new(files.iter().copied())
    }

    #[test]
    fn modules_packages_and_namespace_packages() {
        let l = loader(&[
            ("helpers.py", "X = 1"),
            ("myapp/__init__.py", "from .types import GUID"),
            ("myapp/types.py", "GUID = 2"),
            ("ns/inner/mod.py", "Y = 3"),
        ]);
        let m = l.load("helpers").unwrap();
        assert_eq!((m.file.as_str(), m.source.as_str(), m.is_package), ("helpers.py", "X = 1", false));
        let p = l.load("myapp").unwrap();
        assert_eq!((p.file.as_str(), p.is_package), ("myapp/__init__.py", true));
        assert_eq!(l.load("myapp.types").unwrap().source, "GUID = 2");
        let ns = l.load("ns").unwrap();
        assert_eq!((ns.file.as_str(), ns.source.as_str(), ns.is_package), ("ns", "", true));
        assert!(l.load("ns.inner").unwrap().is_package);
        assert_eq!(l.load("ns.inner.mod").unwrap().source, "Y = 3");
        assert!(l.load("nosuch").is_none());
        assert!(l.load("helpers.x").is_none());
        assert!(l.load("").is_none());
        assert!(l.load("a..b").is_none());
        // a file whose name only starts like the folder is not in it
        assert!(loader(&[("nsx.py", "")]).load("ns").is_none());
    }

    #[test]
    fn a_regular_package_wins_over_a_module_and_a_module_over_a_namespace() {
        let l = loader(&[("a.py", "module"), ("a/__init__.py", "package")]);
        assert_eq!(l.load("a").unwrap().source, "package");
        let l = loader(&[("a.py", "module"), ("a/b.py", "")]);
        assert_eq!(l.load("a").unwrap().source, "module");
    }

    #[test]
    fn roots_are_searched_in_order_and_a_namespace_comes_last() {
        let first = MemoryRoot { files: [("a/x.py".to_string(), Rc::from(""))].into() };
        let second = MemoryRoot { files: [("a.py".to_string(), Rc::from("second"))].into() };
        let roots: [&dyn SearchRoot; 2] = [&first, &second];
        assert_eq!(find_module("a", roots).unwrap().source, "second");
        let roots: [&dyn SearchRoot; 2] = [&second, &first];
        assert_eq!(find_module("a", roots).unwrap().source, "second");
        assert!(find_module("a.x", [&first as &dyn SearchRoot]).is_some());
    }

    #[test]
    fn a_submodule_is_looked_for_where_its_package_lives() {
        let root = |files: &[(&str, &str)]| MemoryRoot { files: files.iter().map(|(p, t)| (p.to_string(), Rc::from(*t))).collect() };
        let regular = root(&[("a/__init__.py", ""), ("ns/x.py", "first")]);
        let other = root(&[("a/b.py", "other"), ("ns/y.py", "second"), ("m.py", ""), ("m/sub.py", "")]);
        let roots = || -> [&dyn SearchRoot; 2] { [&regular, &other] };
        // a regular package's __path__ is its one folder
        assert!(find_module("a.b", roots()).is_none());
        // a namespace package spans the folders of every root
        assert_eq!(find_module("ns.x", roots()).unwrap().source, "first");
        assert_eq!(find_module("ns.y", roots()).unwrap().source, "second");
        // a module is no package, even with a folder of the same name after it
        assert!(find_module("m", roots()).is_some_and(|m| !m.is_package));
        assert!(find_module("m.sub", roots()).is_none());
    }

    #[test]
    fn an_update_reaches_only_modules_that_were_asked_for() {
        let l = loader(&[("helpers.py", "X = 1"), ("other.py", "Y = 1")]);
        assert!(!l.update([("helpers.py", "X = 1"), ("other.py", "Y = 2")]), "nothing asked yet");
        l.load("helpers");
        l.load("missing");
        assert_eq!(l.asked(), vec!["helpers".to_string(), "missing".to_string()]);
        assert!(!l.update([("helpers.py", "X = 1"), ("other.py", "Y = 3")]), "other was never imported");
        assert!(l.update([("helpers.py", "X = 2"), ("other.py", "Y = 3")]), "helpers' text changed");
        assert!(l.update([("helpers.py", "X = 2"), ("other.py", "Y = 3"), ("missing/__init__.py", "")]), "missing appears");
        assert!(l.update([("helpers.py", "X = 2"), ("other.py", "Y = 3"), ("missing/__init__.py", ""), ("helpers/__init__.py", "")]), "a package shadows helpers.py");
        assert!(!l.update([("helpers.py", "X = 2"), ("other.py", "Y = 3"), ("missing/__init__.py", ""), ("helpers/__init__.py", "")]));
        l.forget_asked();
        assert!(!l.update([("helpers.py", "X = 3")]));
        assert_eq!(l.load("helpers").unwrap().source, "X = 3");
    }
}

/// Python 3.11's standard library modules (`sys.stdlib_module_names`, the
/// public ones): a module of these that neither the evaluator nor the
/// project provides is one the playground does not implement, not one
/// that does not exist.
pub const STDLIB_MODULES: &[&str] = &[
    "abc", "aifc", "antigravity", "argparse", "array", "ast", "asynchat", "asyncio", "asyncore", "atexit",
    "audioop", "base64", "bdb", "binascii", "bisect", "builtins", "bz2", "cProfile", "calendar", "cgi", "cgitb",
    "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections", "colorsys", "compileall", "concurrent",
    "configparser", "contextlib", "contextvars", "copy", "copyreg", "crypt", "csv", "ctypes", "curses",
    "dataclasses", "datetime", "dbm", "decimal", "difflib", "dis", "distutils", "doctest", "email", "encodings",
    "ensurepip", "enum", "errno", "faulthandler", "fcntl", "filecmp", "fileinput", "fnmatch", "fractions",
    "ftplib", "functools", "gc", "genericpath", "getopt", "getpass", "gettext", "glob", "graphlib", "grp", "gzip",
    "hashlib", "heapq", "hmac", "html", "http", "idlelib", "imaplib", "imghdr", "imp", "importlib", "inspect",
    "io", "ipaddress", "itertools", "json", "keyword", "lib2to3", "linecache", "locale", "logging", "lzma",
    "mailbox", "mailcap", "marshal", "math", "mimetypes", "mmap", "modulefinder", "msilib", "msvcrt",
    "multiprocessing", "netrc", "nis", "nntplib", "nt", "ntpath", "nturl2path", "numbers", "opcode", "operator",
    "optparse", "os", "ossaudiodev", "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil", "platform",
    "plistlib", "poplib", "posix", "posixpath", "pprint", "profile", "pstats", "pty", "pwd", "py_compile",
    "pyclbr", "pydoc", "pydoc_data", "pyexpat", "queue", "quopri", "random", "re", "readline", "reprlib",
    "resource", "rlcompleter", "runpy", "sched", "secrets", "select", "selectors", "shelve", "shlex", "shutil",
    "signal", "site", "smtpd", "smtplib", "sndhdr", "socket", "socketserver", "spwd", "sqlite3", "sre_compile",
    "sre_constants", "sre_parse", "ssl", "stat", "statistics", "string", "stringprep", "struct", "subprocess",
    "sunau", "symtable", "sys", "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib", "tempfile", "termios",
    "textwrap", "this", "threading", "time", "timeit", "tkinter", "token", "tokenize", "tomllib", "trace",
    "traceback", "tracemalloc", "tty", "turtle", "turtledemo", "types", "typing", "unicodedata", "unittest",
    "urllib", "uu", "uuid", "venv", "warnings", "wave", "weakref", "webbrowser", "winreg", "winsound", "wsgiref",
    "xdrlib", "xml", "xmlrpc", "zipapp", "zipfile", "zipimport", "zlib", "zoneinfo"
];
