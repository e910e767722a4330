//! SQLAlchemy Core statements (`insert`/`update`/`delete`/`select` over
//! `sa.table(...)`/`sa.Table(...)`) compiled to SQLite SQL as SQLAlchemy
//! 2.1's SQLite compiler writes them with `literal_binds` (the form Alembic's
//! `--sql` mode prints; online the same text runs, with the values inline
//! instead of bound, which leaves the same rows).
//!
//! Invariants:
//! - The input is the tree of opaque constructs the evaluator built
//!   ([`Construct`]: the path of what made it, its arguments, the object a
//!   method or attribute was taken from); nothing is read from source text.
//! - Whatever part of a statement this compiler does not know is
//!   `NotImplementedError` naming it, never dropped from the SQL.
//! - Precedence as SQLAlchemy's: `AND` binds tighter than `OR`, so an `OR`
//!   inside an `AND` is parenthesised and nothing else is.

use std::rc::Rc;

use super::alembic::{construct_of, raise_named, Construct};
use super::eval::{Interp, R};
use super::value::*;

/// A table clause: its name and the columns it was declared with (in order).
pub struct TableClause {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Insert,
    Update,
    Delete,
    Select,
}

struct Stmt {
    kind: Kind,
    table: Option<Rc<Construct>>,
    /// `select(...)`'s columns clause: column expressions or whole tables.
    columns: Vec<Value>,
    wheres: Vec<Value>,
    values: Vec<(String, Value)>,
    /// `insert().values([{...}, {...}])`: the rows of a multi-VALUES INSERT.
    rows: Vec<Vec<(String, Value)>>,
    order_by: Vec<Value>,
    group_by: Vec<Value>,
    having: Vec<Value>,
    distinct: bool,
    /// `insert().from_select(names, select)`.
    from_select: Option<(Vec<String>, Value)>,
    limit: Option<Value>,
    offset: Option<Value>,
}

/// Binding strength of a rendered expression.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Or,
    And,
    Atom,
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn unsupported(it: &Interp, what: impl Into<String>) -> Box<super::eval::Exc> {
    it.exc("NotImplementedError", format!("{} in a SQLAlchemy Core statement is not supported by the playground yet", what.into()))
}

/// The construct `v` is; a mapped ORM class stands for its table.
fn construct(v: &Value) -> Option<Rc<Construct>> {
    match v {
        Value::Instance(i) => construct_of(i),
        Value::Class(c) => super::orm::mapped_table(c),
        _ => None,
    }
}

/// `sa.table(name, sa.column(...), ...)` / `sa.Table(name, metadata, sa.Column(...), ...)`.
pub fn table_clause(c: &Construct) -> Option<TableClause> {
    let skip = match last_segment(&c.path) {
        "table" => 1,
        "Table" => 2,
        _ => return None,
    };
    let name = c.args.pos.first()?.as_str()?.to_string();
    let columns = c
        .args
        .pos
        .iter()
        .skip(skip)
        .filter_map(|v| construct(v))
        .filter(|cc| matches!(last_segment(&cc.path), "column" | "Column"))
        .filter_map(|cc| cc.args.pos.first().and_then(|n| n.as_str().map(str::to_string)))
        .collect();
    Some(TableClause { name, columns })
}

fn is_table(v: &Value) -> bool {
    construct(v).is_some_and(|c| table_clause(&c).is_some())
}

/// The statement a construct stands for, if it is one.
fn statement(it: &mut Interp, c: &Rc<Construct>) -> R<Option<Stmt>> {
    let method = last_segment(&c.path);
    let receiver = c.parent.clone();
    let new = |kind: Kind, table: Option<Rc<Construct>>| Stmt {
        kind,
        table,
        columns: Vec::new(),
        wheres: Vec::new(),
        values: Vec::new(),
        rows: Vec::new(),
        order_by: Vec::new(),
        group_by: Vec::new(),
        having: Vec::new(),
        distinct: false,
        from_select: None,
        limit: None,
        offset: None,
    };
    let kind_of = |m: &str| match m {
        "insert" => Some(Kind::Insert),
        "update" => Some(Kind::Update),
        "delete" => Some(Kind::Delete),
        "select" => Some(Kind::Select),
        _ => None,
    };
    // `t.update()` and friends: a method of a table
    if let Some(recv) = receiver.as_ref().filter(|r| is_table(r)) {
        if let Some(kind) = kind_of(method) {
            let mut s = new(kind, construct(recv));
            if kind == Kind::Select {
                s.columns.push(recv.clone());
            }
            return Ok(Some(s));
        }
        return Ok(None);
    }
    // a generative method of a statement
    if let Some(inner) = receiver.as_ref().and_then(construct) {
        let Some(mut s) = statement(it, &inner)? else { return Ok(None) };
        let args = &c.args;
        match method {
            "where" | "filter" => s.wheres.extend(args.pos.iter().cloned()),
            // a list of dicts: one row each (a multi-VALUES INSERT)
            "values" if matches!(args.pos.as_slice(), [Value::List(_)]) && args.kw.is_empty() => {
                for row in it.iterate(&args.pos[0])? {
                    if !matches!(row, Value::Dict(_)) {
                        return Err(unsupported(it, "values() rows other than dicts"));
                    }
                    let mut items = Vec::new();
                    for (k, v) in it.mapping_items(&row)? {
                        let Value::Str(k) = k else { return Err(unsupported(it, "a values() key that is not a column name")) };
                        items.push((k.to_string(), v));
                    }
                    s.rows.push(items);
                }
            }
            "values" => {
                for v in &args.pos {
                    for (k, v) in it.mapping_items(v)? {
                        let Value::Str(k) = k else { return Err(unsupported(it, "a values() key that is not a column name")) };
                        s.values.push((k.to_string(), v));
                    }
                }
                s.values.extend(args.kw.iter().cloned());
            }
            "order_by" => s.order_by.extend(args.pos.iter().cloned()),
            "from_select" if s.kind == Kind::Insert => {
                let names = args.pos.first().or_else(|| args.kwarg("names")).cloned().unwrap_or(Value::None);
                let select = args.pos.get(1).or_else(|| args.kwarg("select")).cloned().unwrap_or(Value::None);
                let mut out = Vec::new();
                for n in it.iterate(&names)? {
                    match (&n, column_of(&n)) {
                        (Value::Str(k), _) => out.push(k.to_string()),
                        (_, Some((_, k))) => out.push(k),
                        _ => return Err(unsupported(it, "a from_select() name that is not a column name")),
                    }
                }
                s.from_select = Some((out, select));
            }
            "group_by" if s.kind == Kind::Select => s.group_by.extend(args.pos.iter().cloned()),
            "having" if s.kind == Kind::Select => s.having.extend(args.pos.iter().cloned()),
            "distinct" if s.kind == Kind::Select && args.pos.is_empty() && args.kw.is_empty() => s.distinct = true,
            "limit" => s.limit = args.pos.first().cloned(),
            "offset" => s.offset = args.pos.first().cloned(),
            "select_from" => s.table = args.pos.first().and_then(construct),
            // options of execution only (`synchronize_session`, ...): no SQL
            "execution_options" => {}
            other => return Err(unsupported(it, format!(".{other}()"))),
        }
        return Ok(Some(s));
    }
    // `sa.update(t)`, `sa.select(t.c.x, ...)`: functions of the sqlalchemy modules
    if receiver.is_none() && c.path.starts_with("sqlalchemy") && c.site.is_some() {
        if let Some(kind) = kind_of(method) {
            let mut s = new(kind, None);
            if kind == Kind::Select {
                if let Some(Value::List(_)) = c.args.pos.first() {
                    return Err(raise_named(
                        it,
                        "ArgumentError",
                        "sqlalchemy.exc",
                        "Column expression, FROM clause, or other columns clause element expected, got a list: \
                         select() takes its columns as positional arguments (select(t.c.x, t.c.y)) since SQLAlchemy 2.0",
                    ));
                }
                s.columns = c.args.pos.clone();
                s.table = c.args.pos.iter().find_map(from_table);
            } else {
                s.table = c.args.pos.first().and_then(construct);
            }
            return Ok(Some(s));
        }
    }
    Ok(None)
}

/// The table a `t.c.name` column belongs to.
/// A column of a `sa.table`/`sa.Table` (`t.c.x`) or a free `sa.column(...)`:
/// the clauses whose comparisons have SQLAlchemy's identity truth value.
pub fn is_column_clause(v: &Value) -> bool {
    column_table(v).is_some() || construct(v).is_some_and(|c| matches!(last_segment(&c.path), "column" | "Column"))
}

fn column_table(v: &Value) -> Option<Rc<Construct>> {
    column_of(v).map(|(t, _)| t)
}

/// `t.c.name` / `t.c["name"]`: the table and the column's name.
fn column_of(v: &Value) -> Option<(Rc<Construct>, String)> {
    let c = construct(v)?;
    let (cols, name) = match (last_segment(&c.path), &c.args.pos[..]) {
        ("__getitem__", [cols, Value::Str(name)]) if c.parent.is_none() => (construct(cols)?, name.to_string()),
        _ => (construct(c.parent.as_ref()?)?, last_segment(&c.path).to_string()),
    };
    if !matches!(last_segment(&cols.path), "c" | "columns") {
        return None;
    }
    let t = construct(cols.parent.as_ref()?).filter(|t| table_clause(t).is_some())?;
    Some((t, name))
}

/// The `Column` construct a table declared for `t.c.x`, if it declared one.
pub(super) fn declared_column(v: &Value) -> Option<Value> {
    let (t, name) = column_of(v)?;
    t.args.pos.iter().find(|v| construct(v).is_some_and(|cc| matches!(last_segment(&cc.path), "column" | "Column") && cc.args.pos.first().and_then(|n| n.as_str()) == Some(name.as_str()))).cloned()
}

/// The column names of a table's `c` / `columns` collection, in order.
pub(super) fn collection_columns(v: &Value) -> Option<Vec<String>> {
    let c = construct(v)?;
    if !matches!(last_segment(&c.path), "c" | "columns") {
        return None;
    }
    let t = construct(c.parent.as_ref()?)?;
    Some(table_clause(&t)?.columns)
}

/// The table a select's column expression implies in its FROM: the table
/// itself, a column's table, or the first one inside a function's arguments.
fn from_table(v: &Value) -> Option<Rc<Construct>> {
    if let Some((inner, _)) = labelled(v) {
        return from_table(&inner);
    }
    if let Some(t) = column_table(v) {
        return Some(t);
    }
    let c = construct(v)?;
    if table_clause(&c).is_some() {
        return Some(c);
    }
    if is_func_call(&c) || (c.parent.is_none() && (arith_op(v).is_some() || matches!(last_segment(&c.path), "cast" | "case" | "__neg__"))) {
        // the operands, and a case()'s (condition, value) pairs
        return c.args.pos.iter().find_map(|a| match a {
            Value::Tuple(items) => items.iter().find_map(from_table),
            other => from_table(other),
        });
    }
    None
}

/// The name SQLAlchemy gives a selected expression that has no label of
/// its own: a column's name, a function's name numbered (`max_1`), or a
/// numbered `anon` (an operator, a case()); a cast() takes its operand's.
enum AnonLabel {
    Name(String),
    Numbered(String),
}

fn anon_label(v: &Value) -> Option<AnonLabel> {
    if let Some((_, name)) = column_of(v) {
        return Some(AnonLabel::Name(name));
    }
    let c = construct(v)?;
    if is_func_call(&c) {
        return Some(AnonLabel::Numbered(last_segment(&c.path).to_string()));
    }
    if arith_op(v).is_some() {
        return Some(AnonLabel::Numbered("anon".into()));
    }
    match (last_segment(&c.path), &c.parent) {
        ("cast", None) => c.args.pos.first().and_then(anon_label),
        ("case" | "__neg__", None) => Some(AnonLabel::Numbered("anon".into())),
        _ => None,
    }
}

/// The first table a where clause names.
fn where_table(v: &Value) -> Option<Rc<Construct>> {
    if let Some(t) = from_table(v) {
        return Some(t);
    }
    let c = construct(v)?;
    c.args.pos.iter().chain(c.parent.iter()).find_map(where_table)
}

/// `sa.func.<name>(...)`: a SQL function call.
fn is_func_call(c: &Construct) -> bool {
    c.site.is_some() && c.parent.as_ref().and_then(construct).is_some_and(|f| last_segment(&f.path) == "func")
}

/// The SQL of `v` when it is a Core statement; `None` when it is not one.
/// `offline`: rendered for `--sql`, where a value no type renders is an error.
pub fn compile(it: &mut Interp, v: &Value, offline: bool) -> R<Option<String>> {
    let Some(c) = construct(v) else { return Ok(None) };
    let Some(s) = statement(it, &c)? else { return Ok(None) };
    let table = match s.table.clone().or_else(|| s.wheres.iter().find_map(where_table)) {
        Some(t) => table_clause(&t).ok_or_else(|| unsupported(it, format!("a FROM of {}", t.path)))?,
        // `select(func.now())`: a SELECT without a FROM clause
        None if s.kind == Kind::Select && s.wheres.is_empty() && s.order_by.is_empty() => TableClause { name: String::new(), columns: Vec::new() },
        None => return Err(unsupported(it, "a statement without a table")),
    };
    let where_clause = |it: &mut Interp| -> R<String> {
        if s.wheres.is_empty() {
            return Ok(String::new());
        }
        Ok(format!(" WHERE {}", junction(it, &s.wheres, Prec::And)?.0))
    };
    // one table object per statement: two (a self-join of `sa.table("t")`
    // built twice, a second table in a WHERE) would each be a FROM element
    // in SQLAlchemy's SQL, which this compiler does not render
    let mut tables: Vec<Rc<Construct>> = s.table.iter().cloned().collect();
    for v in s.columns.iter().chain(&s.wheres).chain(&s.order_by).chain(&s.group_by).chain(&s.having).chain(s.values.iter().map(|(_, v)| v)) {
        tables_in(v, &mut tables, 0);
    }
    if tables.len() > 1 {
        let names: Vec<String> = tables.iter().map(|t| table_clause(t).map(|t| t.name).unwrap_or_else(|| t.path.clone())).collect();
        return Err(unsupported(it, format!("a statement over more than one table object ({}; SQLAlchemy makes each a FROM element)", names.join(", "))));
    }
    // SET / VALUES in the table's column order, as SQLAlchemy's crud scan
    // does: a table reflected at run time (`autoload_with`) has no declared
    // order here, so more than one value, or all its columns, is refused
    if table.columns.is_empty() && (s.values.len() > 1 || s.columns.iter().any(is_table)) {
        return Err(unsupported(it, format!("table {} without declared columns (autoload_with)", table.name)));
    }
    let mut values = s.values.clone();
    crate::sort::sort_by_key(&mut values, |(k, _)| table.columns.iter().position(|c| c == k).unwrap_or(usize::MAX));
    for (k, _) in &values {
        if !table.columns.is_empty() && !table.columns.contains(k) {
            return Err(compile_error(it, &format!("Unconsumed column names: {k}")));
        }
    }
    let sql = match s.kind {
        Kind::Insert if s.from_select.is_some() => {
            let (names, select) = s.from_select.clone().unwrap_or((Vec::new(), Value::None));
            let inner = construct(&select).map(|k| statement(it, &k)).transpose()?.flatten();
            if !s.values.is_empty() || !s.rows.is_empty() || !inner.is_some_and(|st| st.kind == Kind::Select) {
                return Err(unsupported(it, "from_select() of something other than a select(), or with values()"));
            }
            match compile(it, &select, offline)? {
                Some(sql) => format!("INSERT INTO {} ({}) {sql}", table.name, names.join(", ")),
                None => return Err(unsupported(it, "this from_select()")),
            }
        }
        Kind::Insert if !s.rows.is_empty() => {
            if !s.values.is_empty() || s.rows.iter().any(|r| r.len() != s.rows[0].len() || r.iter().any(|(k, _)| !s.rows[0].iter().any(|(f, _)| f == k))) {
                return Err(unsupported(it, "values() rows with different keys, or rows mixed with single values"));
            }
            let mut names: Vec<String> = s.rows[0].iter().map(|(k, _)| k.clone()).collect();
            crate::sort::sort_by_key(&mut names, |k| table.columns.iter().position(|c| c == k).unwrap_or(usize::MAX));
            for k in &names {
                if !table.columns.is_empty() && !table.columns.contains(k) {
                    return Err(compile_error(it, &format!("Unconsumed column names: {k}")));
                }
            }
            let mut groups = Vec::new();
            let mut position = 0;
            for row in &s.rows {
                let mut rendered = Vec::new();
                for k in &names {
                    let v = row.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or(Value::None);
                    position += 1;
                    rendered.push(value_sql(it, &s, k, &v, position, offline)?);
                }
                groups.push(format!("({})", rendered.join(", ")));
            }
            format!("INSERT INTO {} ({}) VALUES {}", table.name, names.join(", "), groups.join(", "))
        }
        Kind::Insert => {
            let mut rendered = Vec::new();
            for (i, (k, v)) in values.iter().enumerate() {
                rendered.push(value_sql(it, &s, k, v, i + 1, offline)?);
            }
            let names: Vec<&str> = values.iter().map(|(k, _)| k.as_str()).collect();
            format!("INSERT INTO {} ({}) VALUES ({})", table.name, names.join(", "), rendered.join(", "))
        }
        Kind::Update => {
            let mut sets = Vec::new();
            for (i, (k, v)) in values.iter().enumerate() {
                sets.push(format!("{k}={}", value_sql(it, &s, k, v, i + 1, offline)?));
            }
            format!("UPDATE {} SET {}{}", table.name, sets.join(", "), where_clause(it)?)
        }
        Kind::Delete => format!("DELETE FROM {}{}", table.name, where_clause(it)?),
        Kind::Select => {
            let mut cols = Vec::new();
            // SQLAlchemy's anonymous labels: `count(*) AS count_1`, numbered per name
            let mut labels: Vec<(String, usize)> = Vec::new();
            for v in &s.columns {
                // `expr.label(name)`: `expr AS name`
                if let Some((inner, name)) = labelled(v) {
                    cols.push(format!("{} AS {name}", expr(it, &inner)?.0));
                    continue;
                }
                match construct(v).and_then(|c| table_clause(&c)) {
                    Some(t) => cols.extend(t.columns.iter().map(|c| format!("{}.{c}", t.name))),
                    None => {
                        let rendered = expr(it, v)?.0;
                        match anon_label(v) {
                            // a column is selected under its own name
                            _ if column_of(v).is_some() => cols.push(rendered),
                            Some(AnonLabel::Name(name)) => cols.push(format!("{rendered} AS {name}")),
                            Some(AnonLabel::Numbered(name)) => {
                                let n = match labels.iter_mut().find(|(k, _)| *k == name) {
                                    Some((_, n)) => {
                                        *n += 1;
                                        *n
                                    }
                                    None => {
                                        labels.push((name.clone(), 1));
                                        1
                                    }
                                };
                                cols.push(format!("{rendered} AS {name}_{n}"));
                            }
                            None => cols.push(rendered),
                        }
                    }
                }
            }
            let select = if s.distinct { "SELECT DISTINCT" } else { "SELECT" };
            let mut sql = match table.name.is_empty() {
                true => format!("{select} {}", cols.join(", ")),
                false => format!("{select} {} \nFROM {}", cols.join(", "), table.name),
            };
            if !s.wheres.is_empty() {
                sql.push_str(&format!(" \nWHERE {}", junction(it, &s.wheres, Prec::And)?.0));
            }
            if !s.group_by.is_empty() {
                let mut parts = Vec::new();
                for v in &s.group_by {
                    parts.push(expr(it, v)?.0);
                }
                sql.push_str(&format!(" GROUP BY {}", parts.join(", ")));
            }
            if !s.having.is_empty() {
                sql.push_str(&format!(" \nHAVING {}", junction(it, &s.having, Prec::And)?.0));
            }
            if !s.order_by.is_empty() {
                let mut parts = Vec::new();
                for v in &s.order_by {
                    parts.push(expr(it, v)?.0);
                }
                sql.push_str(&format!(" ORDER BY {}", parts.join(", ")));
            }
            if s.limit.is_some() || s.offset.is_some() {
                let limit = match &s.limit {
                    Some(v) => expr(it, v)?.0,
                    None => "-1".to_string(),
                };
                let offset = match &s.offset {
                    Some(v) => expr(it, v)?.0,
                    None => "0".to_string(),
                };
                sql.push_str(&format!("\n LIMIT {limit} OFFSET {offset}"));
            }
            sql
        }
    };
    Ok(Some(sql))
}

/// The distinct table objects (by identity, in order of appearance) an
/// expression reads from.
fn tables_in(v: &Value, out: &mut Vec<Rc<Construct>>, depth: u32) {
    let Some(c) = construct(v) else {
        let items: Vec<Value> = match v {
            Value::List(l) => l.borrow().clone(),
            Value::Tuple(t) => t.to_vec(),
            _ => Vec::new(),
        };
        for item in &items {
            tables_in(item, out, depth + 1);
        }
        return;
    };
    // a scalar subquery, and a select() given to in_(), has its own FROM
    if is_scalar_subquery(&c) || is_select(&c) {
        return;
    }
    let found = match column_table(v) {
        Some(t) => Some(t),
        None => table_clause(&c).is_some().then(|| c.clone()),
    };
    if let Some(t) = found {
        if !out.iter().any(|o| Rc::ptr_eq(o, &t)) {
            out.push(t);
        }
        return;
    }
    if depth > 64 {
        return;
    }
    for a in c.args.pos.iter().chain(c.args.kw.iter().map(|(_, v)| v)).chain(c.parent.iter()) {
        tables_in(a, out, depth + 1);
    }
}

/// `a AND b` / `a OR b`, children of weaker binding parenthesised.
fn junction(it: &mut Interp, items: &[Value], prec: Prec) -> R<(String, Prec)> {
    if let [one] = items {
        return expr(it, one);
    }
    let mut parts = Vec::new();
    for v in items {
        let (s, p) = expr(it, v)?;
        parts.push(if p < prec { format!("({s})") } else { s });
    }
    let sep = match prec {
        Prec::And => " AND ",
        Prec::Or | Prec::Atom => " OR ",
    };
    Ok((parts.join(sep), if parts.len() == 1 { Prec::Atom } else { prec }))
}

/// `expr.label("name")`: the expression and the name.
fn labelled(v: &Value) -> Option<(Value, String)> {
    let c = construct(v)?;
    if last_segment(&c.path) != "label" {
        return None;
    }
    let inner = c.parent.clone()?;
    let name = c.args.pos.first().or_else(|| c.args.kwarg("name"))?.as_str()?.to_string();
    Some((inner, name))
}

/// The declared types of a select's result columns (`None` for an untyped
/// column or an expression), for SQLAlchemy's result processing; `None`
/// when `v` is no select.
pub fn select_types(it: &mut Interp, v: &Value) -> R<Option<Vec<Option<Value>>>> {
    let Some(c) = construct(v) else { return Ok(None) };
    let Some(s) = statement(it, &c)? else { return Ok(None) };
    if s.kind != Kind::Select {
        return Ok(None);
    }
    let mut out = Vec::new();
    for col in &s.columns {
        match construct(col).and_then(|c| table_clause(&c).map(|t| (c, t))) {
            Some((c, t)) => out.extend(t.columns.iter().map(|n| column_type(&c, n))),
            None => out.push(expr_type(it, col)?),
        }
    }
    Ok(Some(out))
}

/// The type SQLAlchemy gives a column expression this compiler renders
/// (`None`: `NullType`, whose results are not processed): a column's
/// declared type, Boolean for comparisons, a literal's type from its
/// value, a generic function's own type or its first typed argument's.
fn expr_type(it: &mut Interp, v: &Value) -> R<Option<Value>> {
    let Some(c) = construct(v) else { return Ok(None) };
    if let Some((inner, _)) = labelled(v) {
        return expr_type(it, &inner);
    }
    if let Some((t, name)) = column_of(v) {
        return Ok(column_type(&t, &name));
    }
    let sa = |it: &mut Interp, name: &str| -> R<Option<Value>> {
        let m = it.import_module("sqlalchemy")?;
        Ok(Some(it.getattr(&Value::Module(m), name)?))
    };
    if is_func_call(&c) {
        // sqlalchemy.sql.functions' registry (looked up case-insensitively)
        let name = last_segment(&c.path).to_ascii_lowercase();
        return match name.as_str() {
            "count" | "char_length" | "rank" | "dense_rank" | "next_value" => sa(it, "Integer"),
            "now" | "current_timestamp" | "localtime" | "localtimestamp" | "sysdate" => sa(it, "DateTime"),
            "current_date" => sa(it, "Date"),
            "current_time" => sa(it, "Time"),
            "concat" | "aggregate_strings" | "current_user" | "session_user" | "user" => sa(it, "String"),
            "cume_dist" | "percent_rank" => sa(it, "Numeric"),
            // `ReturnTypeFromArgs`: the first argument whose type is not NullType
            "coalesce" | "max" | "min" | "sum" | "pow" => {
                for a in &c.args.pos {
                    if let Some(t) = expr_type(it, a)? {
                        return Ok(Some(t));
                    }
                }
                Ok(None)
            }
            "array_agg" | "mode" | "percentile_cont" | "percentile_disc" | "cube" | "rollup" | "grouping_sets" => {
                Err(unsupported(it, format!("func.{name}() as a selected column")))
            }
            _ => Ok(None),
        };
    }
    let arg = |i: usize| c.args.pos.get(i).cloned().unwrap_or(Value::None);
    match (last_segment(&c.path), &c.parent) {
        ("__eq__" | "__ne__" | "__lt__" | "__le__" | "__gt__" | "__ge__" | "__and__" | "and_" | "__or__" | "or_" | "true" | "false", None) => {
            sa(it, "Boolean")
        }
        ("column" | "Column", None) => {
            let t = c.args.kwarg("type_").cloned().or_else(|| c.args.pos.get(1).cloned());
            Ok(t.filter(|t| !t.is_none()))
        }
        ("null", None) => Ok(None),
        ("literal", None) => {
            if let Some(t) = c.args.pos.get(1).or_else(|| c.args.kwarg("type_")).filter(|t| !t.is_none()) {
                return Ok(Some(t.clone()));
            }
            // `type_api._resolve_value_to_type`
            let v = arg(0);
            match &v {
                Value::None => Ok(None),
                Value::Bool(_) => sa(it, "Boolean"),
                Value::Int(_) => sa(it, "Integer"),
                Value::Float(_) => sa(it, "Float"),
                Value::Str(_) => sa(it, "String"),
                _ => match super::datetime::dt_of(&v) {
                    Some(super::datetime::Dt::DateTime(..)) => sa(it, "DateTime"),
                    Some(super::datetime::Dt::Date(_)) => sa(it, "Date"),
                    Some(super::datetime::Dt::Time(_)) => sa(it, "Time"),
                    Some(super::datetime::Dt::Delta(_)) => sa(it, "Interval"),
                    _ => {
                        let t = it.type_name(&v);
                        Err(unsupported(it, format!("a literal() of type {t} as a selected column")))
                    }
                },
            }
        }
        ("is_" | "is_not" | "isnot" | "in_" | "not_in" | "notin_" | "like", Some(_)) => sa(it, "Boolean"),
        ("desc" | "asc", Some(recv)) => expr_type(it, recv),
        (other, _) => Err(unsupported(it, format!("the type of {other}() as a selected column"))),
    }
}

/// SQLAlchemy's `CompileError` with `message`.
fn compile_error(it: &Interp, message: &str) -> Box<super::eval::Exc> {
    raise_named(it, "CompileError", "sqlalchemy.exc", message)
}

/// `literal_binds` of a value bound to an untyped (NullType) column:
/// SQLAlchemy's `CompileError`, NullType having no literal renderer.
pub(super) fn no_literal_renderer(it: &mut Interp, v: &Value, datatype: &str) -> R<Box<super::eval::Exc>> {
    let shown = repr_single_value(it, v)?;
    Ok(compile_error(it, &format!("No literal value renderer is available for literal value \"{shown}\" with datatype {datatype}")))
}

/// The SQL of a value given to `values(...)` for column `k`: a datetime goes
/// through the column type's bind processing (a project TypeDecorator's
/// `process_bind_param`, SQLite's DateTime/Date/Time), else through
/// sqlite3's adapters (`position`: its parameter's place).
fn value_sql(it: &mut Interp, s: &Stmt, k: &str, v: &Value, position: usize, offline: bool) -> R<String> {
    let ty = s.table.as_ref().and_then(|t| column_type(t, k));
    if offline && construct(v).is_none() && !v.is_none() && is_null_type(it, ty.as_ref())? {
        // `literal_binds`: the bound value takes the column's type, and
        // NullType has no literal renderer
        return Err(no_literal_renderer(it, v, "NULL")?);
    }
    if super::datetime::dt_of(v).is_none() {
        // a value no literal renders as it is (a Python enum's member, a
        // dict for JSON) goes through the column type's bind processing
        if let (Some(t), None) = (&ty, construct(v)) {
            // online, JSON binds None as its `null` (a literal NULL offline)
            if literal_primitive(it, v)?.is_none() || (v.is_none() && !offline && super::orm::binds_none(it, t)?) {
                let bound = super::orm::bind_value(it, t, v)?;
                return literal(it, &bound);
            }
        }
        // an operator expression as a value is grouped, as SQLAlchemy's
        // crud groups it: `SET n=(t.n + 1)`
        let (sql, _) = expr(it, v)?;
        let operator = arith_op(v).is_some() || construct(v).is_some_and(|c| c.parent.is_none() && last_segment(&c.path) == "__neg__");
        return Ok(if operator { format!("({sql})") } else { sql });
    }
    // `Interval`'s literal processor is DateTime's, which takes no timedelta
    if offline && matches!(super::datetime::dt_of(v), Some(super::datetime::Dt::Delta(_))) {
        if let Some(t) = &ty {
            if super::orm::is_interval(it, t)? {
                let shown = repr_single_value(it, v)?;
                return Err(compile_error(
                    it,
                    &format!("Could not render literal value \"{shown}\" with datatype DATETIME; see parent stack trace for more detail."),
                ));
            }
        }
    }
    let bound = match &ty {
        Some(t) => super::orm::bind_value(it, t, v)?,
        None => v.clone(),
    };
    let datatype = match &ty {
        Some(t) => ddl_name(it, t)?,
        None => "NULL",
    };
    match super::datetime::bound_string(it, &bound, super::datetime::Binding::Driver { datatype }, position, offline) {
        Some(s) => literal(it, &Value::str(&s?)),
        None => literal(it, &bound),
    }
}

/// No type, or `NullType`.
fn is_null_type(it: &mut Interp, t: Option<&Value>) -> R<bool> {
    Ok(match t {
        None => true,
        Some(t) => super::alembic::type_value(it, t, 0)?.is_none_or(|tv| last_segment(&tv.path) == "NullType"),
    })
}

/// `sql_util._repr_single_value`: the repr, its middle cut out past 300 characters.
pub(super) fn repr_single_value(it: &mut Interp, v: &Value) -> R<String> {
    let rep = it.repr(v)?;
    let chars: Vec<char> = rep.chars().collect();
    const MAX: usize = 300;
    if chars.len() <= MAX {
        return Ok(rep);
    }
    let half = MAX / 2;
    let head: String = chars[..half].iter().collect();
    let tail: String = chars[chars.len() - half..].iter().collect();
    Ok(format!("{head} ... ({} characters truncated) ... {tail}", chars.len() - MAX))
}

/// The type a table clause declared for column `name` (`sa.column(name, type)`,
/// `sa.Column(name, type)` or `type_=`).
fn column_type(t: &Construct, name: &str) -> Option<Value> {
    t.args.pos.iter().filter_map(construct).find_map(|cc| {
        if !matches!(last_segment(&cc.path), "column" | "Column") || cc.args.pos.first().and_then(|n| n.as_str()) != Some(name) {
            return None;
        }
        cc.args.kwarg("type_").cloned().or_else(|| cc.args.pos.get(1).cloned()).filter(|t| !t.is_none() && construct(t).is_none_or(|c| !matches!(last_segment(&c.path), "ForeignKey")))
    })
}

/// The DDL name SQLAlchemy's "could not render" error gives a column type.
fn ddl_name(it: &mut Interp, t: &Value) -> R<&'static str> {
    let Some(tv) = super::alembic::type_value(it, t, 0)? else { return Ok("NULL") };
    Ok(match last_segment(&tv.path) {
        "NullType" => "NULL",
        "String" | "Unicode" | "VARCHAR" | "NVARCHAR" | "AutoString" => "VARCHAR",
        "Text" | "UnicodeText" | "TEXT" | "CLOB" => "TEXT",
        "CHAR" | "NCHAR" => "CHAR",
        "Integer" | "INTEGER" | "INT" => "INTEGER",
        "BigInteger" | "BIGINT" => "BIGINT",
        "SmallInteger" | "SMALLINT" => "SMALLINT",
        "Float" | "FLOAT" => "FLOAT",
        "REAL" => "REAL",
        "Double" | "DOUBLE" => "DOUBLE",
        "DOUBLE_PRECISION" => "DOUBLE PRECISION",
        "LargeBinary" | "BLOB" => "BLOB",
        "BINARY" => "BINARY",
        "VARBINARY" => "VARBINARY",
        _ => "NULL",
    })
}

/// A literal as SQLAlchemy renders it with `literal_binds` on SQLite.
fn literal(it: &mut Interp, v: &Value) -> R<String> {
    match literal_primitive(it, v)? {
        Some(s) => Ok(s),
        None => {
            let t = it.type_name(v);
            Err(unsupported(it, format!("a literal of type {t}")))
        }
    }
}

/// The SQL literal of None, a bool, an int, a float or a str; `None` for
/// any other value.
pub(super) fn literal_primitive(it: &mut Interp, v: &Value) -> R<Option<String>> {
    Ok(Some(match v {
        Value::None => "NULL".to_string(),
        Value::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(_) => it.repr(v)?,
        Value::Str(s) => format!("'{}'", s.replace('\'', "''")),
        _ => return Ok(None),
    }))
}

/// A where or order-by clause; inside an AND, an OR is parenthesised.
pub(super) fn render_clause(it: &mut Interp, v: &Value, in_and: bool) -> R<String> {
    let (s, p) = expr(it, v)?;
    Ok(if in_and && p < Prec::And { format!("({s})") } else { s })
}

/// `select(...)`, with any of its methods chained (`.where(...)`...).
fn is_select(c: &Rc<Construct>) -> bool {
    let mut c = c.clone();
    for _ in 0..64 {
        match c.parent.as_ref().and_then(construct) {
            Some(p) => c = p,
            None => return last_segment(&c.path) == "select",
        }
    }
    false
}

/// `select(...).scalar_subquery()`.
fn is_scalar_subquery(c: &Construct) -> bool {
    last_segment(&c.path) == "scalar_subquery" && c.parent.as_ref().and_then(construct).is_some()
}

/// An arithmetic operator of SQLAlchemy's: its SQL, its precedence
/// (`operators._PRECEDENCE`) and whether it groups with itself without
/// parentheses (`is_natural_self_precedent`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Sub,
    Mul,
    TrueDiv,
    FloorDiv,
    Mod,
    Concat,
}

impl Arith {
    fn precedence(self) -> u8 {
        match self {
            Arith::Mul | Arith::TrueDiv | Arith::FloorDiv | Arith::Mod => 8,
            Arith::Add | Arith::Sub => 7,
            Arith::Concat => 6,
        }
    }
    fn self_associative(self) -> bool {
        matches!(self, Arith::Add | Arith::Mul | Arith::Concat)
    }
}

/// `a + b` and friends: the operator and its (left, right) operands, the
/// reflected forms (`1 + t.c.n` is `__radd__(t.c.n, 1)`) put back in order.
fn arith_op(v: &Value) -> Option<(Arith, Value, Value)> {
    let c = construct(v)?;
    if c.parent.is_some() {
        return None;
    }
    let (op, reflected) = match last_segment(&c.path) {
        "__add__" => (Arith::Add, false),
        "__radd__" => (Arith::Add, true),
        "__sub__" => (Arith::Sub, false),
        "__rsub__" => (Arith::Sub, true),
        "__mul__" => (Arith::Mul, false),
        "__rmul__" => (Arith::Mul, true),
        "__truediv__" => (Arith::TrueDiv, false),
        "__rtruediv__" => (Arith::TrueDiv, true),
        "__floordiv__" => (Arith::FloorDiv, false),
        "__rfloordiv__" => (Arith::FloorDiv, true),
        "__mod__" => (Arith::Mod, false),
        "__rmod__" => (Arith::Mod, true),
        _ => return None,
    };
    let (a, b) = (c.args.pos.first()?.clone(), c.args.pos.get(1)?.clone());
    Some(if reflected { (op, b, a) } else { (op, a, b) })
}

/// What an operand's type is, as far as `+` and `//` care.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OperandKind {
    Str,
    Int,
    /// No type (`NullType`): the other operand decides.
    Untyped,
    Other,
}

fn operand_kind(it: &mut Interp, v: &Value) -> R<OperandKind> {
    if construct(v).is_none() {
        return Ok(match v {
            Value::Str(_) => OperandKind::Str,
            Value::Int(_) | Value::Bool(_) => OperandKind::Int,
            _ => OperandKind::Other,
        });
    }
    if let Some((op, l, r)) = arith_op(v) {
        let (lk, rk) = (operand_kind(it, &l)?, operand_kind(it, &r)?);
        return Ok(match resolved_arith(op, lk, rk) {
            Arith::Concat => OperandKind::Str,
            Arith::Add | Arith::Sub | Arith::Mul | Arith::Mod | Arith::FloorDiv if lk == OperandKind::Int && rk == OperandKind::Int => OperandKind::Int,
            _ => OperandKind::Other,
        });
    }
    let t = match construct(v) {
        // (not selectable columns here: their result keys would need labels)
        Some(c) if c.parent.is_none() && last_segment(&c.path) == "cast" => c.args.pos.get(1).or_else(|| c.args.kwarg("type_")).cloned(),
        Some(c) if c.parent.is_none() && last_segment(&c.path) == "case" => return Ok(OperandKind::Other),
        _ => expr_type(it, v)?,
    };
    let Some(t) = t else { return Ok(OperandKind::Untyped) };
    let Some(tv) = super::alembic::type_value(it, &t, 0)? else { return Ok(OperandKind::Untyped) };
    Ok(match last_segment(&tv.path) {
        "String" | "Text" | "Unicode" | "UnicodeText" | "VARCHAR" | "NVARCHAR" | "CHAR" | "NCHAR" | "TEXT" | "CLOB" => OperandKind::Str,
        "Integer" | "SmallInteger" | "BigInteger" | "INTEGER" | "INT" | "SMALLINT" | "BIGINT" => OperandKind::Int,
        "NullType" => OperandKind::Untyped,
        _ => OperandKind::Other,
    })
}

/// `+` is string concatenation when the left operand is a string, or has
/// no type and the right one is a string.
fn resolved_arith(op: Arith, l: OperandKind, r: OperandKind) -> Arith {
    match (op, l, r) {
        (Arith::Add, OperandKind::Str, _) | (Arith::Add, OperandKind::Untyped, OperandKind::Str) => Arith::Concat,
        _ => op,
    }
}

/// An arithmetic expression as SQLAlchemy's SQLite compiler renders it:
/// an operand of lower or equal precedence is grouped (not an operator
/// with itself where it is associative); `/` is true division, `(r + 0.0)`;
/// `//` of two integers is SQLite's `/`, otherwise `FLOOR(l / r)`.
fn arith_sql(it: &mut Interp, op: Arith, l: &Value, r: &Value) -> R<String> {
    let (lk, rk) = (operand_kind(it, l)?, operand_kind(it, r)?);
    let op = resolved_arith(op, lk, rk);
    let operand = |it: &mut Interp, v: &Value| -> R<String> {
        let sql = expr(it, v)?.0;
        let Some((child, cl, cr)) = arith_op(v) else { return Ok(sql) };
        let (ck, crk) = (operand_kind(it, &cl)?, operand_kind(it, &cr)?);
        let child = resolved_arith(child, ck, crk);
        let grouped = !(child == op && op.self_associative()) && child.precedence() <= op.precedence();
        Ok(if grouped { format!("({sql})") } else { sql })
    };
    let (left, right) = (operand(it, l)?, operand(it, r)?);
    Ok(match op {
        Arith::Add => format!("{left} + {right}"),
        Arith::Sub => format!("{left} - {right}"),
        Arith::Mul => format!("{left} * {right}"),
        Arith::Mod => format!("{left} % {right}"),
        Arith::Concat => format!("{left} || {right}"),
        Arith::TrueDiv => format!("{left} / ({right} + 0.0)"),
        Arith::FloorDiv if lk == OperandKind::Int && rk == OperandKind::Int => format!("{left} / {right}"),
        Arith::FloorDiv => format!("FLOOR({left} / {right})"),
    })
}

fn expr(it: &mut Interp, v: &Value) -> R<(String, Prec)> {
    if let Some((op, l, r)) = arith_op(v) {
        return Ok((arith_sql(it, op, &l, &r)?, Prec::Atom));
    }
    let Some(c) = construct(v) else { return Ok((literal(it, v)?, Prec::Atom)) };
    if is_scalar_subquery(&c) {
        let inner = c.parent.clone().unwrap_or(Value::None);
        let is_select = construct(&inner).map(|k| statement(it, &k)).transpose()?.flatten().is_some_and(|st| st.kind == Kind::Select);
        if !is_select {
            return Err(unsupported(it, "scalar_subquery() of something other than a select()"));
        }
        // its values are inlined as the outer statement's are
        return match compile(it, &inner, false)? {
            Some(sql) => Ok((format!("({sql})"), Prec::Atom)),
            None => Err(unsupported(it, "this scalar_subquery()")),
        };
    }
    if let Some((t, name)) = column_of(v) {
        let table = table_clause(&t).map(|t| t.name).unwrap_or_default();
        return Ok((format!("{table}.{name}"), Prec::Atom));
    }
    if is_func_call(&c) {
        let name = last_segment(&c.path);
        if !c.args.kw.is_empty() {
            return Err(unsupported(it, format!("func.{name}() with keyword arguments")));
        }
        let mut parts = Vec::new();
        for a in &c.args.pos {
            parts.push(expr(it, a)?.0);
        }
        // SQLite's compiler: `now()` is CURRENT_TIMESTAMP, `count()` counts
        // rows, the ANSI functions are keywords without parentheses
        return Ok((
            match (name.to_ascii_lowercase().as_str(), parts.is_empty()) {
                ("now" | "current_timestamp", true) => "CURRENT_TIMESTAMP".to_string(),
                ("current_date", true) => "CURRENT_DATE".to_string(),
                ("current_time", true) => "CURRENT_TIME".to_string(),
                ("localtime", true) => "LOCALTIME".to_string(),
                ("localtimestamp", true) => "DATETIME(CURRENT_TIMESTAMP, 'localtime')".to_string(),
                ("current_user", true) => "CURRENT_USER".to_string(),
                ("session_user", true) => "SESSION_USER".to_string(),
                ("user", true) => "USER".to_string(),
                ("sysdate", true) => "sysdate".to_string(),
                ("count", true) => "count(*)".to_string(),
                _ => format!("{name}({})", parts.join(", ")),
            },
            Prec::Atom,
        ));
    }
    let name = last_segment(&c.path);
    let arg = |i: usize| c.args.pos.get(i).cloned().unwrap_or(Value::None);
    // operators: args are (self, other)
    let compare = |it: &mut Interp, op: &str| -> R<(String, Prec)> {
        let (l, r) = (arg(0), arg(1));
        let left = expr(it, &l)?.0;
        // a datetime compared with a column gets the type SQLAlchemy resolves
        // from the value (the column's own type loses to a different affinity);
        // any other value compared with a mapped column goes through its type's
        // bind processing
        let r = match (construct(&l).and_then(|c| c.args.kwarg("type_").cloned()), construct(&r)) {
            // a timedelta resolves to `Interval`
            (_, None) if matches!(super::datetime::dt_of(&r), Some(super::datetime::Dt::Delta(_))) => {
                let m = it.import_module("sqlalchemy")?;
                let interval = it.getattr(&Value::Module(m), "Interval")?;
                super::orm::bind_value(it, &interval, &r)?
            }
            (_, None) if super::datetime::dt_of(&r).is_some() => match super::datetime::resolved_type(it, &r) {
                Some(t) => match super::datetime::bound_string(it, &r, super::datetime::Binding::Processor(t?), 0, false) {
                    Some(s) => Value::str(&s?),
                    None => r,
                },
                None => r,
            },
            (Some(t), None) => super::orm::bind_value(it, &t, &r)?,
            _ => r,
        };
        let is_null = matches!(r, Value::None) || construct(&r).is_some_and(|c| c.parent.is_none() && last_segment(&c.path) == "null");
        match (is_null, op) {
            (true, "=") => Ok((format!("{left} IS NULL"), Prec::Atom)),
            (true, "!=") => Ok((format!("{left} IS NOT NULL"), Prec::Atom)),
            _ => Ok((format!("{left} {op} {}", expr(it, &r)?.0), Prec::Atom)),
        }
    };
    match (name, &c.parent) {
        ("__eq__", None) => compare(it, "="),
        ("__ne__", None) => compare(it, "!="),
        ("__lt__", None) => compare(it, "<"),
        ("__le__", None) => compare(it, "<="),
        ("__gt__", None) => compare(it, ">"),
        ("__ge__", None) => compare(it, ">="),
        ("__and__" | "and_", None) => junction(it, &c.args.pos, Prec::And),
        ("__or__" | "or_", None) => junction(it, &c.args.pos, Prec::Or),
        ("column", None) => Ok((arg(0).as_str().map(str::to_string).unwrap_or_default(), Prec::Atom)),
        // `sa.literal(v)` / `op.inline_literal(v)`: typed from the value
        ("literal", None) => {
            let v = arg(0);
            let typed = c.args.pos.get(1).or_else(|| c.args.kwarg("type_")).is_some_and(|t| !t.is_none());
            if typed && super::datetime::dt_of(&v).is_some() {
                return Err(unsupported(it, "a literal() of a datetime value with an explicit type_"));
            }
            let v = match super::datetime::resolved_type(it, &v) {
                Some(t) => match super::datetime::bound_string(it, &v, super::datetime::Binding::Processor(t?), 0, false) {
                    Some(s) => Value::str(&s?),
                    None => v,
                },
                None => v,
            };
            Ok((literal(it, &v)?, Prec::Atom))
        }
        // SQLite has no native boolean: `true()` / `false()` compile to 1 / 0
        ("true", None) => Ok(("1".to_string(), Prec::Atom)),
        ("false", None) => Ok(("0".to_string(), Prec::Atom)),
        ("null", None) => Ok(("NULL".to_string(), Prec::Atom)),
        // `sa.cast(expr, type)`: the type as SQLite's DDL names it
        ("cast", None) => {
            let inner = expr(it, &arg(0))?.0;
            let ty = c.args.pos.get(1).or_else(|| c.args.kwarg("type_")).cloned().unwrap_or(Value::None);
            let sql_type = super::alembic::type_value(it, &ty, 0)?.and_then(|tv| crate::script::type_from_value(&tv.path, &tv.args).ok());
            let ddl = sql_type.as_ref().and_then(|t| crate::ddl::compile_type(t).ok());
            match ddl {
                Some(ddl) => Ok((format!("CAST({inner} AS {ddl})"), Prec::Atom)),
                None => Err(unsupported(it, "a cast() to this type")),
            }
        }
        // `sa.case((cond, value), ..., else_=...)` / `sa.case({k: v}, value=expr)`
        ("case", None) => {
            let mut sql = String::from("CASE");
            let whens: Vec<(Value, Value)> = match c.args.pos.first() {
                Some(Value::List(_)) => {
                    return Err(raise_named(
                        it,
                        "ArgumentError",
                        "sqlalchemy.exc",
                        "The \"whens\" argument to case(), when referring to a sequence of items, is now passed as a series of positional elements, rather than as a list. ",
                    ))
                }
                Some(d @ Value::Dict(_)) => {
                    let Some(value) = c.args.kwarg("value").cloned() else {
                        return Err(unsupported(it, "case() of a dict without value="));
                    };
                    sql.push(' ');
                    sql.push_str(&expr(it, &value)?.0);
                    super::builtins::mapping_items(it, d)?
                }
                _ => {
                    let mut out = Vec::new();
                    for w in &c.args.pos {
                        match it.iterate(w)?.as_slice() {
                            [cond, value] => out.push((cond.clone(), value.clone())),
                            _ => return Err(unsupported(it, "a case() when that is not a (condition, value) pair")),
                        }
                    }
                    out
                }
            };
            let by_value = c.args.kwarg("value").is_some();
            for (cond, value) in &whens {
                let cond = expr(it, cond)?.0;
                let value = expr(it, value)?.0;
                if by_value {
                    sql.push_str(&format!(" WHEN {cond} THEN {value}"));
                } else {
                    sql.push_str(&format!(" WHEN ({cond}) THEN {value}"));
                }
            }
            if let Some(e) = c.args.kwarg("else_").filter(|e| !e.is_none()) {
                sql.push_str(&format!(" ELSE {}", expr(it, e)?.0));
            }
            sql.push_str(" END");
            Ok((sql, Prec::Atom))
        }
        ("__neg__", None) => {
            let operand = arg(0);
            let sql = expr(it, &operand)?.0;
            Ok((if arith_op(&operand).is_some() { format!("-({sql})") } else { format!("-{sql}") }, Prec::Atom))
        }
        (method, Some(recv)) => {
            let left = expr(it, recv)?.0;
            match method {
                "is_" => Ok((format!("{left} IS {}", literal(it, &arg(0))?), Prec::Atom)),
                "is_not" | "isnot" => Ok((format!("{left} IS NOT {}", literal(it, &arg(0))?), Prec::Atom)),
                "in_" | "not_in" | "notin_" => {
                    let not = if method == "in_" { "" } else { "NOT " };
                    // `x.in_(select(...))`: a subquery with its own FROM
                    if let Some(sub) = construct(&arg(0)).filter(|k| is_select(k)) {
                        let sql = match compile(it, &arg(0), false)? {
                            Some(sql) => sql,
                            None => return Err(unsupported(it, format!("this {}.{method}(select(...))", sub.path))),
                        };
                        return Ok(match method {
                            "in_" => (format!("{left} IN ({sql})"), Prec::Atom),
                            _ => (format!("({left} NOT IN ({sql}))"), Prec::Atom),
                        });
                    }
                    let items = it.iterate(&arg(0))?;
                    if items.is_empty() {
                        // SQLAlchemy's empty IN: a subquery with no rows
                        const EMPTY: &str = "(SELECT 1 FROM (SELECT 1) WHERE 1!=1)";
                        return Ok(match method {
                            "in_" => (format!("{left} IN {EMPTY}"), Prec::Atom),
                            _ => (format!("({left} NOT IN {EMPTY})"), Prec::Atom),
                        });
                    }
                    let mut parts = Vec::new();
                    for i in &items {
                        parts.push(expr(it, i)?.0);
                    }
                    // SQLAlchemy groups a negated IN: `(x NOT IN (1, 2))`
                    Ok(match method {
                        "in_" => (format!("{left} IN ({})", parts.join(", ")), Prec::Atom),
                        _ => (format!("({left} {not}IN ({}))", parts.join(", ")), Prec::Atom),
                    })
                }
                "like" => Ok((format!("{left} LIKE {}", expr(it, &arg(0))?.0), Prec::Atom)),
                "desc" => Ok((format!("{left} DESC"), Prec::Atom)),
                "asc" => Ok((format!("{left} ASC"), Prec::Atom)),
                other => Err(unsupported(it, format!(".{other}()"))),
            }
        }
        (_, None) => Err(unsupported(it, c.path.clone())),
    }
}
