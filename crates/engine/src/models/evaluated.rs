//! `models.py` evaluated by the one evaluator (`crate::python`) over the
//! SQLAlchemy object model of [`super::objects`], then read as a
//! `MetaData`.
//!
//! Invariants:
//! - The module runs as Python runs it: every statement is evaluated or
//!   raises; an exception stops the import, and is the result's first
//!   error (Alembic's import of env.py dies the same way).
//! - The target metadata is found as `tests/differential/dump_metadata.py`
//!   finds it: `Base.metadata`, else the first `MetaData` among the
//!   module's globals.
//! - Names are finished once, after the module ran, with SQLAlchemy's
//!   `_constraint_name_for_table` rules (`naming::finish_metadata_names`).

use std::rc::Rc;

use super::objects;
use super::{ModelsResult, PyException};
use crate::python::alembic::{self, ScriptHost};
use crate::python::value::Value;
use crate::python::{Diagnostic, Interp, ModuleLoader, PyError, Severity};
use crate::schema::TypeClass;

/// Evaluates `source` as the module `models` and reads its target MetaData.
pub fn load_evaluated(source: &str, loader: Rc<dyn ModuleLoader>) -> ModelsResult {
    load_evaluated_deferred(source, loader).0
}

/// [`load_evaluated`], handing back the evaluation's objects instead of
/// freeing them: the caller drops the [`Teardown`] when it suits it (the
/// page, once the result is on screen).
pub fn load_evaluated_deferred(source: &str, loader: Rc<dyn ModuleLoader>) -> (ModelsResult, Teardown) {
    let mut it = Interp::new(loader);
    let result = evaluate(&mut it, source);
    (result, Teardown { _interp: it })
}

/// The objects of one evaluation of models.py (its interpreter). Dropping
/// it frees them, breaking their reference cycles: as much work as a fifth
/// of the evaluation, which a caller may run later, off a keystroke's path.
#[must_use = "dropping the teardown frees the evaluation's objects"]
pub struct Teardown {
    _interp: Interp,
}

fn evaluate(it: &mut Interp, source: &str) -> ModelsResult {
    let mut result = evaluate_module(it, source);
    result.printed = std::mem::take(&mut it.output);
    result.logged = std::mem::take(&mut it.log).configured;
    result
}

fn evaluate_module(it: &mut Interp, source: &str) -> ModelsResult {
    alembic::install(it, ScriptHost::new());
    let mut result = ModelsResult::default();
    if let Err(e) = objects::enable(it) {
        let e = it.to_error(e);
        raised(&mut result, &e);
        return result;
    }
    let module = match it.run_module("models", "models.py", source) {
        Ok(m) => m,
        Err(e) => {
            // A syntax error: every one the parser found, as editors show them.
            let parsed = crate::python::parse_module(source);
            if parsed.diagnostics.iter().any(|d| d.severity == Severity::Error) {
                result.diagnostics = parsed.diagnostics;
            } else {
                raised(&mut result, &e);
            }
            return result;
        }
    };
    result.uses_sqlmodel = it.modules.contains_key("sqlmodel");
    result.env_target = result.uses_sqlmodel || base_metadata(it, &module.globals).is_some();
    let Some(md_value) = target_metadata(it, &module.globals) else {
        return result;
    };
    // Where a table was declared: read once, and only when there is an error to place.
    let origins = std::cell::OnceCell::new();
    let at = |table: &str| -> (u32, u32) {
        let origins = origins.get_or_init(|| objects::table_origins(&md_value));
        let Some((_, class, loc)) = origins.iter().find(|(n, _, _)| n == table) else { return (1, 1) };
        if let Some(c) = class {
            if let Some(p) = class_position(source, c) {
                return p;
            }
        }
        match loc {
            Some((file, line, col)) if file == "models.py" => (*line, *col),
            _ => (1, 1),
        }
    };
    match objects::to_schema(it, &md_value) {
        Ok(mut md) => {
            fk_types(&mut md);
            for (table, message) in fk_target_errors(&md) {
                let (line, column) = at(&table);
                result.diagnostics.push(Diagnostic { severity: Severity::Error, line, column, message });
            }
            for e in super::naming::finish_metadata_names(&mut md) {
                result.diagnostics.push(Diagnostic { severity: Severity::Error, line: 1, column: 1, message: e });
            }
            result.metadata = md;
        }
        Err(e) => {
            let (line, column) = e.table.as_deref().map(at).unwrap_or((1, 1));
            result.diagnostics.push(Diagnostic { severity: Severity::Error, line, column, message: e.message });
        }
    }
    result
}

fn raised(result: &mut ModelsResult, e: &PyError) {
    let (line, column) = e.loc_in("models.py").map(|l| (l.line, l.column)).unwrap_or((1, 1));
    result.diagnostics.push(Diagnostic { severity: Severity::Error, line, column, message: e.exception_line_in("models.py") });
    let class = if e.module == "builtins" || e.module.is_empty() { e.class.clone() } else { format!("{}.{}", e.module, e.class) };
    result.exceptions.push(PyException { class, message: e.message.clone(), line, column, traceback: e.traceback() });
}

fn is_metadata(v: &Value) -> bool {
    matches!(v, Value::Instance(i) if i.class.name == "MetaData" && i.class.module == "sqlalchemy.sql.schema")
}

/// `models.Base.metadata`, what the reference env.py reads.
fn base_metadata(it: &mut Interp, globals: &crate::python::eval::Env) -> Option<Value> {
    let base = globals.get("Base")?;
    it.getattr_opt(&base, "metadata").ok().flatten().filter(is_metadata)
}

fn target_metadata(it: &mut Interp, globals: &crate::python::eval::Env) -> Option<Value> {
    if let Some(md) = base_metadata(it, globals) {
        return Some(md);
    }
    if it.modules.contains_key("sqlmodel") {
        if let Some(md) = objects::sqlmodel_metadata(it) {
            return Some(md);
        }
    }
    let vars = globals.vars.borrow();
    vars.iter().map(|(_, v)| v.clone()).find(is_metadata)
}

/// A column declared with a foreign key and no type takes the type of the
/// column it refers to (SQLAlchemy's `ForeignKey._set_target_column`).
fn fk_types(md: &mut crate::schema::MetaData) {
    for _round in 0..4 {
        let mut updates = Vec::new();
        for t in md.tables.values() {
            for (ci, c) in t.columns.iter().enumerate() {
                if c.type_.class != TypeClass::Null {
                    continue;
                }
                let Some(fk) = t.foreign_keys.iter().find(|f| f.columns.contains(&c.name)) else { continue };
                let pos = fk.columns.iter().position(|x| *x == c.name).unwrap_or(0);
                let target = md.tables.get(&fk.referred_table).and_then(|rt| fk.referred_columns.get(pos).and_then(|rc| rt.column(rc)));
                if let Some(rc) = target.filter(|rc| rc.type_.class != TypeClass::Null) {
                    updates.push((t.name.clone(), ci, rc.type_.clone()));
                }
            }
        }
        if updates.is_empty() {
            return;
        }
        for (tn, ci, ty) in updates {
            if let Some(col) = md.tables.get_mut(&tn).and_then(|t| t.columns.get_mut(ci)) {
                col.type_ = ty;
            }
        }
    }
}

/// The position of the name of the class statement `name` in `source`
/// (the first one, at any depth).
fn class_position(source: &str, name: &str) -> Option<(u32, u32)> {
    use ruff_python_ast::Stmt;
    fn walk<'a>(body: &'a [Stmt], name: &str) -> Option<&'a ruff_python_ast::StmtClassDef> {
        for st in body {
            let found = match st {
                Stmt::ClassDef(c) if c.name.as_str() == name => return Some(c),
                Stmt::ClassDef(c) => walk(&c.body, name),
                Stmt::If(i) => walk(&i.body, name).or_else(|| i.elif_else_clauses.iter().find_map(|c| walk(&c.body, name))),
                Stmt::Try(t) => walk(&t.body, name).or_else(|| walk(&t.orelse, name)).or_else(|| walk(&t.finalbody, name)),
                Stmt::With(w) => walk(&w.body, name),
                Stmt::For(f) => walk(&f.body, name),
                Stmt::While(w) => walk(&w.body, name),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    let parsed = crate::python::parse_module(source);
    let c = walk(&parsed.module.body, name)?;
    Some(parsed.index.line_col(source, usize::from(ruff_text_size::Ranged::range(&c.name).start())))
}

/// SQLAlchemy resolves every foreign key when Alembic sorts the tables: a
/// missing target table or column fails there.
fn fk_target_errors(md: &crate::schema::MetaData) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    for t in md.tables_in_order() {
        for fk in &t.foreign_keys {
            let Some(rt) = md.tables.get(&fk.referred_table) else {
                let col = fk.columns.first().cloned().unwrap_or_default();
                let rc = fk.referred_columns.first().cloned().unwrap_or_default();
                errors.push((
                    t.name.clone(),
                    format!(
                        "Foreign key associated with column '{}.{col}' could not find table '{}' with which to generate a foreign key to target column '{rc}'",
                        t.name, fk.referred_table
                    ),
                ));
                continue;
            };
            for rc in &fk.referred_columns {
                if rt.column(rc).is_none() {
                    errors.push((
                        t.name.clone(),
                        format!(
                            "Could not initialize target column for ForeignKey '{}.{rc}' on table '{}': table '{}' has no column named '{rc}'",
                            fk.referred_table, t.name, fk.referred_table
                        ),
                    ));
                }
            }
        }
    }
    errors
}
