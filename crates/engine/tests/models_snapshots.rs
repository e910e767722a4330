//! Snapshot tests for `load_models`: one snapshot per fixture file, the fixtures found by listing their folders. The MetaData
//! is printed as canonical JSON (`metadata_to_json`) followed by the
//! diagnostics. Fixtures under `fixtures/models/` import with real
//! SQLAlchemy and are also checked value for value by the root package's
//! `tests/models_vs_sqlalchemy.rs`; fixtures under `fixtures/models_bad/`
//! hold input the playground must reject or skip with a diagnostic.

use std::path::{Path, PathBuf};

use alembic_engine::models::{load_models, metadata_to_json};

fn render(source: &str) -> String {
    let result = load_models(source);
    let mut out = metadata_to_json(&result.metadata);
    out.push_str(&format!("\n\nuses_sqlmodel: {}\ndiagnostics:\n", result.uses_sqlmodel));
    for d in &result.diagnostics {
        out.push_str(&format!("  {d}\n"));
    }
    out
}

/// The `.py` files of `tests/fixtures/<dir>/`, sorted by name: every
/// fixture dropped there is tested, none is listed by hand.
fn fixtures(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", root.display());
    paths
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().expect("file name").to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(&p).expect("read fixture"))
        })
        .collect()
}

/// One snapshot per fixture, named after its file (`snapshots/models_snapshots__<stem>.snap`);
/// every fixture is checked, and the test fails naming each one that differs.
fn check_snapshots(dir: &str) {
    let mut failed = Vec::new();
    for (name, source) in fixtures(dir) {
        let checked = std::panic::catch_unwind(|| insta::assert_snapshot!(name.as_str(), render(&source)));
        if checked.is_err() {
            failed.push(format!("{dir}/{name}.py"));
        }
    }
    assert!(failed.is_empty(), "snapshots differ for: {}", failed.join(", "));
}

#[test]
fn models_fixtures_match_their_snapshots() {
    check_snapshots("models");
}

#[test]
fn bad_models_fixtures_match_their_snapshots() {
    check_snapshots("models_bad");
}

/// Every line-prefix of every fixture (mostly broken Python) loads without
/// panicking, and syntax errors always come back as diagnostics.
#[test]
fn every_prefix_of_every_fixture_loads() {
    for (_, source) in fixtures("models") {
        let mut end = 0;
        for line in source.split_inclusive('\n') {
            end += line.len();
            let prefix = &source[..end];
            let result = load_models(prefix);
            let parsed = alembic_engine::python::parse_module(prefix);
            for d in &parsed.diagnostics {
                assert!(result.diagnostics.contains(d), "syntax diagnostic {d} kept");
            }
        }
    }
}

/// A module that is not there stops the import, as in Python: no table.
#[test]
fn missing_module_stops_the_import() {
    let src = "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\nfrom geo import Geometry\nBase = declarative_base()\n\nclass P(Base):\n    __tablename__ = \"p\"\n    id = Column(Integer, primary_key=True)\n    shape = Column(Geometry)\n";
    let result = load_models(src);
    assert!(result.metadata.tables.is_empty());
    let messages: Vec<String> = result.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(messages, ["3:1: error: ModuleNotFoundError: No module named 'geo'"]);
    let raised = result.first_exception().expect("the import raises");
    assert_eq!(raised.to_string(), "ModuleNotFoundError: No module named 'geo'");
}

/// `NameError` as CPython 3.11 prints it, with its "Did you mean"
/// suggestion: module globals in binding order, then builtins; a class body's
/// own names are not candidates, a helper's parameters are.
#[test]
fn name_error_suggestions_follow_cpython() {
    let cases = [
        ("from sqlalchemy import Column, String\nx = Column(Strng(50))\n", "NameError: name 'Strng' is not defined. Did you mean: 'String'?"),
        ("from sqlalchemy import Column\nx = Column(Strin(50))\n", "NameError: name 'Strin' is not defined"),
        ("abs_ = 1\nx = ab\n", "NameError: name 'ab' is not defined. Did you mean: 'abs'?"),
        ("class T:\n    myname = 1\n    x = mynme\n", "NameError: name 'mynme' is not defined"),
        ("import sqlalchemy as sa\ndef col(length):\n    return sa.Column(sa.String(lenght))\nx = col(5)\n", "NameError: name 'lenght' is not defined. Did you mean: 'length'?"),
    ];
    for (src, want) in cases {
        let result = load_models(src);
        let got = result.first_exception().map(|e| e.to_string());
        assert_eq!(got.as_deref(), Some(want), "{src}");
    }
}

#[test]
fn sqlmodel_is_flagged() {
    let src = "from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\nclass Pet(SQLModel, table=True):\n    id: Optional[int] = Field(default=None, primary_key=True)\n    name: str\n";
    let result = load_models(src);
    assert!(result.uses_sqlmodel);
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
    let pet = result.metadata.tables.get("pet").expect("table pet");
    assert_eq!(pet.primary_key_columns(), ["id"]);
}

#[test]
fn cyclic_aliases_do_not_hang() {
    let src = "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\na = b\nb = c\nc = a\nmd = a.MetaData()\nBase = declarative_base(metadata=md)\nT = U\nU = T\n\nclass X(Base):\n    __tablename__ = \"x\"\n    id = sa.Column(sa.Integer, primary_key=True)\n    y = sa.Column(T)\n    z = sa.Column(c)\n";
    let result = load_models(src);
    // Python stops at `a = b`: NameError, nothing mapped
    assert!(result.metadata.tables.is_empty());
    let raised = result.first_exception().expect("NameError");
    assert_eq!((raised.line, raised.to_string().as_str()), (3, "NameError: name 'b' is not defined"));
}

#[test]
fn foreign_key_to_a_missing_table_or_column_is_an_error() {
    let src = "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\n\nclass A(Base):\n    __tablename__ = \"a\"\n    id = sa.Column(sa.Integer, primary_key=True)\n    x = sa.Column(sa.Integer, sa.ForeignKey(\"nope.id\"))\n    y = sa.Column(sa.Integer, sa.ForeignKey(\"a.nope\"))\n";
    let result = load_models(src);
    let messages: Vec<String> = result.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        [
            "5:7: error: Foreign key associated with column 'a.x' could not find table 'nope' with which to generate a foreign key to target column 'id'",
            "5:7: error: Could not initialize target column for ForeignKey 'a.nope' on table 'a': table 'a' has no column named 'nope'",
        ]
    );
}

/// SQLAlchemy 2 raises `DuplicateColumnError` for a second column of one
/// name: the import stops there.
#[test]
fn duplicate_column_is_an_error() {
    let src = "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\n\nt = sa.Table(\n    \"t\",\n    Base.metadata,\n    sa.Column(\"id\", sa.Integer, primary_key=True),\n    sa.Column(\"id\", sa.String(3)),\n)\n";
    let result = load_models(src);
    assert!(result.metadata.tables.is_empty());
    let raised = result.first_exception().expect("DuplicateColumnError");
    assert_eq!(
        (raised.line, raised.column, raised.to_string().as_str()),
        (5, 5, "sqlalchemy.exc.DuplicateColumnError: A column with name 'id' is already present in table 't'.")
    );
}
