//! SQLAlchemy's `Result` (a `CursorResult` of Core, the result of an ORM
//! `Session.execute`), `ScalarResult` and `MappingResult`, over rows
//! already fetched.
//!
//! Invariants:
//! - A result is consumed as SQLAlchemy's is: `fetchone`/`fetchall`/
//!   iteration advance one cursor; `first()`, `one()`, `scalar()` and their
//!   kin consume (close) the result and read from where the cursor is.
//! - `one()` / `scalar_one()` raise SQLAlchemy's `NoResultFound` /
//!   `MultipleResultsFound` with SQLAlchemy's messages.

use std::cell::RefCell;
use std::rc::Rc;

use super::alembic::{raise_named, row_class};
use super::builtins::{native_fn, new_plain_class};
use super::eval::{Interp, R};
use super::value::*;

struct Cursor {
    rows: Vec<Value>,
    pos: usize,
}

impl Cursor {
    fn rest(&mut self) -> Vec<Value> {
        let out = self.rows[self.pos..].to_vec();
        self.pos = self.rows.len();
        out
    }
}

fn no_result(it: &Interp) -> Box<super::eval::Exc> {
    raise_named(it, "NoResultFound", "sqlalchemy.exc", "No row was found when one was required")
}

fn multiple(it: &Interp) -> Box<super::eval::Exc> {
    raise_named(it, "MultipleResultsFound", "sqlalchemy.exc", "Multiple rows were found when exactly one was required")
}

/// The result of a statement: `columns` name the rows' items.
pub fn result_of(it: &mut Interp, columns: Vec<String>, rows: Vec<Vec<Value>>, rowcount: i64) -> Value {
    let row_class = row_class(it, Rc::new(columns.clone()));
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            let inst = Instance::new(row_class.clone());
            inst.set("_t", Value::tuple(row));
            Value::Instance(Rc::new(inst))
        })
        .collect();
    let cursor = Rc::new(RefCell::new(Cursor { rows, pos: 0 }));
    let cls = new_plain_class(it, "CursorResult", "sqlalchemy.engine.cursor");
    {
        let mut d = cls.dict.borrow_mut();
        fetchers(&mut d, cursor.clone(), |_, row| Ok(row.clone()));
        let c = cursor.clone();
        d.set_str("scalars", native_fn("scalars", move |it, _| Ok(scalar_result(it, c.clone()))));
        let c = cursor.clone();
        d.set_str("mappings", native_fn("mappings", move |it, _| Ok(mapping_result(it, c.clone()))));
        let c = cursor.clone();
        d.set_str("scalar", native_fn("scalar", move |it, _| {
            let rows = c.borrow_mut().rest();
            match rows.first() {
                Some(row) => it.getitem(row, Value::Int(0)),
                None => Ok(Value::None),
            }
        }));
        let c = cursor.clone();
        d.set_str("scalar_one", native_fn("scalar_one", move |it, _| {
            let rows = c.borrow_mut().rest();
            match rows.len() {
                0 => Err(no_result(it)),
                1 => it.getitem(&rows[0], Value::Int(0)),
                _ => Err(multiple(it)),
            }
        }));
        let c = cursor.clone();
        d.set_str("scalar_one_or_none", native_fn("scalar_one_or_none", move |it, _| {
            let rows = c.borrow_mut().rest();
            match rows.len() {
                0 => Ok(Value::None),
                1 => it.getitem(&rows[0], Value::Int(0)),
                _ => Err(multiple(it)),
            }
        }));
        let cols = columns.clone();
        d.set_str("keys", native_fn("keys", move |_, _| Ok(Value::list(cols.iter().map(|c| Value::str(c)).collect()))));
    }
    let inst = Instance::new(cls);
    inst.set("rowcount", Value::Int(rowcount));
    Value::Instance(Rc::new(inst))
}

/// `ScalarResult`: the first item of each row.
fn scalar_result(it: &mut Interp, cursor: Rc<RefCell<Cursor>>) -> Value {
    let cls = new_plain_class(it, "ScalarResult", "sqlalchemy.engine.result");
    {
        let mut d = cls.dict.borrow_mut();
        fetchers(&mut d, cursor, |it, row| it.getitem(row, Value::Int(0)));
    }
    Value::Instance(Rc::new(Instance::new(cls)))
}

/// `MappingResult`: each row as its `row._mapping`.
fn mapping_result(it: &mut Interp, cursor: Rc<RefCell<Cursor>>) -> Value {
    let cls = new_plain_class(it, "MappingResult", "sqlalchemy.engine.result");
    {
        let mut d = cls.dict.borrow_mut();
        fetchers(&mut d, cursor, |it, row| it.getattr(row, "_mapping"));
    }
    Value::Instance(Rc::new(Instance::new(cls)))
}

type Item = fn(&mut Interp, &Value) -> R<Value>;

/// The methods a result and a scalar result share, each row seen through `item`.
fn fetchers(d: &mut Dict, cursor: Rc<RefCell<Cursor>>, item: Item) {
    let map = move |it: &mut Interp, rows: Vec<Value>| -> R<Vec<Value>> { rows.iter().map(|r| item(it, r)).collect() };
    for name in ["all", "fetchall", "__iter__"] {
        let c = cursor.clone();
        d.set_str(name, native_fn(name, move |it, _| {
            let rows = c.borrow_mut().rest();
            Ok(Value::list(map(it, rows)?))
        }));
    }
    let c = cursor.clone();
    d.set_str("fetchone", native_fn("fetchone", move |it, _| {
        let row = {
            let mut st = c.borrow_mut();
            let v = st.rows.get(st.pos).cloned();
            st.pos = (st.pos + 1).min(st.rows.len());
            v
        };
        match row {
            Some(r) => item(it, &r),
            None => Ok(Value::None),
        }
    }));
    let c = cursor.clone();
    d.set_str("first", native_fn("first", move |it, _| {
        let rows = c.borrow_mut().rest();
        match rows.first() {
            Some(r) => item(it, r),
            None => Ok(Value::None),
        }
    }));
    let c = cursor.clone();
    d.set_str("one", native_fn("one", move |it, _| {
        let rows = c.borrow_mut().rest();
        match rows.len() {
            0 => Err(no_result(it)),
            1 => item(it, &rows[0]),
            _ => Err(multiple(it)),
        }
    }));
    let c = cursor;
    d.set_str("one_or_none", native_fn("one_or_none", move |it, _| {
        let rows = c.borrow_mut().rest();
        match rows.len() {
            0 => Ok(Value::None),
            1 => item(it, &rows[0]),
            _ => Err(multiple(it)),
        }
    }));
}
