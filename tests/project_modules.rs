//! The project's own modules, natively: the page's loader (the engine's
//! `MemoryLoader`, through `MemoryHost` as `BrowserHost` uses it) and the
//! CLI's (`DirLoader` over `--path` folders) find the same modules by the
//! same rules, and a project whose models.py and scripts import its modules
//! runs as real Alembic 1.20.1 runs it (outputs quoted from a run of it).

use alembic_playground::platform::fs_host::DirLoader;
use alembic_playground::platform::memory_host::MemoryHost;
use alembic_playground::platform::native::NativeDatabase;
use engine::command::{self, Output};
use engine::db::Database;
use engine::python::{MemoryLoader, ModuleLoader};

const GUID: &str = r#"import uuid
from sqlalchemy.types import TypeDecorator, CHAR


class GUID(TypeDecorator):
    impl = CHAR(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else uuid.UUID(str(value)).hex
"#;

const HELPERS: &str = r#"from sqlalchemy import Column, String


def name_col(n):
    return Column(String(n), nullable=False)
"#;

const MODELS: &str = r#"from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

import helpers
from myapp.types import GUID

Base = declarative_base()


class Item(Base):
    __tablename__ = "item"
    id = Column(Integer, primary_key=True)
    uid = Column(GUID(), nullable=False)
    name = helpers.name_col(80)
"#;

fn project(models: &str, modules: &[(&str, &str)]) -> MemoryHost<NativeDatabase> {
    MemoryHost::in_memory(Some(models), &[]).with_modules(modules)
}

fn run(host: &mut MemoryHost<NativeDatabase>, line: &str) -> Output {
    command::run_line(host, line)
}

fn columns(host: &mut MemoryHost<NativeDatabase>, table: &str) -> Vec<String> {
    let r = host.db.query(&format!("SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid")).unwrap();
    r.rows.iter().map(|row| format!("{} {}", row[0].as_str().unwrap_or_default(), row[1].as_str().unwrap_or_default())).collect()
}

#[test]
fn disk_and_memory_find_the_same_modules() {
    let files: &[(&str, &str)] = &[
        ("helpers.py", "X = 1\n"),
        ("myapp/__init__.py", "from .types import GUID\n"),
        ("myapp/types.py", "GUID = 1\n"),
        ("ns/inner/mod.py", "Y = 2\n"),
        ("both.py", "module\n"),
        ("both/__init__.py", "package\n"),
        ("shadow.py", "module\n"),
        ("shadow/x.py", "\n"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let disk = DirLoader { paths: vec![dir.path().to_path_buf()] };
    let memory = MemoryLoader::new(files.iter().copied());
    let names = [
        "helpers", "myapp", "myapp.types", "ns", "ns.inner", "ns.inner.mod", "both", "shadow", "shadow.x", "nosuch",
        "myapp.nosuch", "helpers.x",
    ];
    for name in names {
        let (d, m) = (disk.load(name), memory.load(name));
        let shape = |s: &Option<engine::python::ModuleSource>| s.as_ref().map(|s| (s.source.clone(), s.is_package));
        assert_eq!(shape(&d), shape(&m), "{name}");
        if let (Some(d), Some(m)) = (d, m) {
            // the disk loader names files as the folder joined with the path
            assert_eq!(d.file, dir.path().join(&m.file).display().to_string(), "{name}");
        }
    }
    assert_eq!(memory.load("both").unwrap().source, "package\n", "a package before a module, as FileFinder");
    assert_eq!(memory.load("shadow").unwrap().source, "module\n", "a module before a namespace package");
}

#[test]
fn models_and_scripts_import_the_projects_modules() {
    let mut host = project(MODELS, &[("helpers.py", HELPERS), ("myapp/__init__.py", ""), ("myapp/types.py", GUID)]);
    let out = run(&mut host, "revision --autogenerate -m init --rev-id a1");
    assert_eq!(out.exit_code, 0, "{out:?}");
    let script = host.versions["a1_init.py"].clone();
    // Alembic renders a type of the project by its module, without importing it
    assert!(script.contains("sa.Column('uid', myapp.types.GUID(length=32), nullable=False),"), "{script}");
    assert!(script.contains("sa.Column('name', sa.String(length=80), nullable=False),"), "{script}");
    // ... so its upgrade fails as Alembic's does: NameError: name 'myapp' is not defined
    let out = run(&mut host, "upgrade head");
    assert_eq!(out.exit_code, 1, "{out:?}");
    assert!(out.stderr.contains("NameError: name 'myapp' is not defined"), "{}", out.stderr);
    // the script imports it: the upgrade runs, with the module's type
    let fixed = script.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport myapp.types\n");
    host.versions.insert("a1_init.py".into(), fixed);
    let out = run(&mut host, "upgrade head");
    assert_eq!(out.exit_code, 0, "{out:?}");
    assert_eq!(columns(&mut host, "item"), ["id INTEGER", "uid CHAR(32)", "name VARCHAR(80)"]);
    // models and database agree
    let out = run(&mut host, "check");
    assert_eq!(out.exit_code, 0, "{out:?}");
}

#[test]
fn a_missing_module_is_module_not_found_error() {
    // Alembic 1.20.1: the traceback ends `ModuleNotFoundError: No module named 'helpers'`, exit 1
    let mut host = project(MODELS, &[("myapp/__init__.py", ""), ("myapp/types.py", GUID)]);
    let out = run(&mut host, "revision --autogenerate -m init");
    assert_eq!(out.exit_code, 1, "{out:?}");
    assert!(
        out.stderr.ends_with("  File \"models.py\", line 4, column 8\nModuleNotFoundError: No module named 'helpers'\n"),
        "{}",
        out.stderr
    );
    assert!(host.versions.is_empty());
    // a name the package does not have: `No module named 'myapp.typez'`
    let models = MODELS.replace("from myapp.types import GUID", "from myapp.typez import GUID");
    let mut host = project(&models, &[("helpers.py", HELPERS), ("myapp/__init__.py", ""), ("myapp/types.py", GUID)]);
    let out = run(&mut host, "revision --autogenerate -m init");
    assert_eq!(out.exit_code, 1, "{out:?}");
    assert!(out.stderr.ends_with("ModuleNotFoundError: No module named 'myapp.typez'\n"), "{}", out.stderr);
}

#[test]
fn an_exception_inside_a_module_names_both_files() {
    let helpers = HELPERS.replace("return Column(String(n), nullable=False)", "return Column(Strin(n), nullable=False)");
    let mut host = project(MODELS, &[("helpers.py", &helpers), ("myapp/__init__.py", ""), ("myapp/types.py", GUID)]);
    let out = run(&mut host, "revision --autogenerate -m init");
    assert_eq!(out.exit_code, 1, "{out:?}");
    assert!(
        out.stderr.ends_with(
            "Traceback (most recent call last):\n  File \"models.py\", line 14, column 12\n  File \"helpers.py\", line 5, column 19\nNameError: name 'Strin' is not defined. Did you mean: 'String'?\n"
        ),
        "{}",
        out.stderr
    );
    // the live autogenerate's view: models.py's problem at the call, helpers.py's where it was raised
    let preview = command::project::preview_with(&host.models.clone().unwrap(), &command::project::ConnSchema::new(&Default::default()), host_loader(&host));
    let at: Vec<(String, u32, u32)> = preview.problems.iter().map(|p| (p.path.clone(), p.line, p.column)).collect();
    assert_eq!(at, [("models.py".to_string(), 14, 12), ("helpers.py".to_string(), 5, 19)]);
    assert_eq!(preview.problems[0].message, "NameError: name 'Strin' is not defined. Did you mean: 'String'? (raised at helpers.py:5:19)");
    assert_eq!(preview.problems[1].message, "NameError: name 'Strin' is not defined. Did you mean: 'String'?");
}

fn host_loader(host: &MemoryHost<NativeDatabase>) -> std::rc::Rc<dyn ModuleLoader> {
    engine::command::Host::module_loader(host)
}

#[test]
fn a_module_that_imports_models_back_gets_the_module_being_imported() {
    // models.py defines Base, then imports a module whose classes import
    // Base back from models: Python hands out the partly run `models`
    // (in sys.modules), so the classes join the same metadata.
    let models = "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\nimport tables  # noqa: E402\n";
    let tables = "from sqlalchemy import Column, Integer\nfrom models import Base\n\n\nclass Tag(Base):\n    __tablename__ = \"tag\"\n    id = Column(Integer, primary_key=True)\n";
    let mut host = project(models, &[("tables.py", tables)]);
    let out = run(&mut host, "revision --autogenerate -m tags --rev-id t1");
    assert_eq!(out.exit_code, 0, "{out:?}");
    assert!(host.versions["t1_tags.py"].contains("op.create_table('tag',"), "{}", host.versions["t1_tags.py"]);
    // a name models.py defines after the import is not there yet: ImportError, as in Python
    let late = "from sqlalchemy.orm import declarative_base\n\nimport tables  # noqa: E402\n\nBase = declarative_base()\n";
    let mut host = project(late, &[("tables.py", tables)]);
    let out = run(&mut host, "revision --autogenerate -m tags");
    assert_eq!(out.exit_code, 1, "{out:?}");
    assert!(out.stderr.contains("ImportError: cannot import name 'Base' from partially initialized module 'models'"), "{}", out.stderr);
}
