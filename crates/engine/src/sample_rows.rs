//! "Fill with sample rows": INSERT statements that a SQLite database with
//! `PRAGMA foreign_keys = ON` accepts, for tables described by a `MetaData`.
//!
//! Invariants:
//! - Pure and deterministic: randomness comes from `SampleOptions::seed`
//!   through a fixed generator; the same inputs give the same statements.
//! - Types: every value has the storage SQLAlchemy's SQLite dialect uses for
//!   the column's type (integers, 0/1 booleans, `YYYY-MM-DD HH:MM:SS.ffffff`
//!   datetimes, enum member names, 32-hex-digit UUIDs, JSON text, blobs), and
//!   strings fit `length=` when the uniqueness of the value allows.
//! - NOT NULL: every non-computed column gets a value; a nullable foreign key
//!   without any parent row is NULL.
//! - Foreign keys: values are picked among the parent's existing rows and the
//!   rows generated before; a parent that a NOT NULL foreign key needs and that
//!   has no rows is filled too, parents first (FK order). A self reference
//!   may point at the row itself.
//! - Uniqueness: primary keys, unique constraints and unique indexes hold
//!   against the existing rows (`existing`) and the generated ones. An
//!   integer primary key gets explicit values above the largest existing one.
//! - What cannot be satisfied is an error naming the table and the reason,
//!   never a silently wrong row. CHECK constraints: a `col IN (...)` list
//!   (a reflected Enum or Boolean) gives the column its members; other CHECKs
//!   are not read, and SQLite's error is the answer there.

use std::collections::{BTreeMap, BTreeSet};

use crate::sort::{map_of, set_of};

use crate::db::{QueryResult, Value};
use crate::ddl::{self, type_affinity, Affinity};
use crate::schema::{Column, IndexColumn, MetaData, Table, TypeClass};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleOptions {
    /// Rows to add to each table that is filled.
    pub rows: usize,
    pub seed: u64,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions { rows: 5, seed: 1 }
    }
}

/// The statements to run, in order, and how many rows each table receives.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SamplePlan {
    /// Parents first.
    pub tables: Vec<(String, usize)>,
    pub statements: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("no table named {0}")]
    UnknownTable(String),
    #[error("cannot fill {table}: {reason}")]
    Unsatisfiable { table: String, reason: String },
}

/// splitmix64: small, fixed, good enough to pick parents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A comparable form of a value, for uniqueness sets (REAL by bits).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Null,
    Int(i64),
    Real(u64),
    Text(String),
    Blob(Vec<u8>),
}

fn key(v: &Value) -> Key {
    match v {
        Value::Null => Key::Null,
        Value::Integer(i) => Key::Int(*i),
        // SQLite compares 2.0 and 2 equal: keep integral reals as integers.
        Value::Real(f) if f.fract() == 0.0 && f.abs() < 9e15 => Key::Int(*f as i64),
        Value::Real(f) => Key::Real(f.to_bits()),
        Value::Text(s) => Key::Text(s.clone()),
        Value::Blob(b) => Key::Blob(b.clone()),
    }
}

/// A value as a SQL literal.
pub fn value_sql(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => crate::python::repr::py_repr_float(*f),
        Value::Text(s) => ddl::string_literal(s),
        Value::Blob(b) => format!("X'{}'", b.iter().map(|x| format!("{x:02X}")).collect::<String>()),
    }
}

/// Rows of one table: existing (from `existing`) plus generated.
#[derive(Default)]
struct Rows {
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

impl Rows {
    fn from(q: Option<&QueryResult>) -> Self {
        match q {
            Some(q) => Rows { columns: q.columns.clone(), rows: q.rows.clone() },
            None => Rows::default(),
        }
    }
    fn tuples(&self, cols: &[String]) -> Vec<Vec<Value>> {
        let idx: Vec<Option<usize>> = cols.iter().map(|c| self.columns.iter().position(|x| x == c)).collect();
        self.rows
            .iter()
            .map(|r| idx.iter().map(|i| i.and_then(|i| r.get(i).cloned()).unwrap_or(Value::Null)).collect())
            .collect()
    }
    fn push(&mut self, row: &BTreeMap<String, Value>) {
        for c in row.keys() {
            if !self.columns.contains(c) {
                self.columns.push(c.clone());
                for r in &mut self.rows {
                    r.push(Value::Null);
                }
            }
        }
        self.rows.push(self.columns.iter().map(|c| row.get(c).cloned().unwrap_or(Value::Null)).collect());
    }
}

/// The column sets that must be unique in `t`.
fn unique_sets(t: &Table) -> Vec<Vec<String>> {
    let mut sets: Vec<Vec<String>> = Vec::new();
    if !t.primary_key_columns().is_empty() {
        sets.push(t.primary_key_columns().to_vec());
    }
    sets.extend(t.unique_constraints.iter().filter(|u| !u.columns.is_empty()).map(|u| u.columns.clone()));
    for i in t.indexes.iter().filter(|i| i.unique) {
        let cols: Option<Vec<String>> = i
            .columns
            .iter()
            .map(|c| match c {
                IndexColumn::Column(n) => Some(n.clone()),
                IndexColumn::Expression(_) => None,
            })
            .collect();
        if let Some(cols) = cols {
            sets.push(cols);
        }
    }
    sets
}

/// The single INTEGER primary key column (a rowid alias), if any.
fn integer_pk(t: &Table) -> Option<&Column> {
    match t.primary_key_columns() {
        [one] => t.column(one).filter(|c| type_affinity(c.type_.class) == Affinity::Integer),
        _ => None,
    }
}

fn base36(mut n: u64) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    loop {
        s.push(digits[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// A value of `c`'s type, distinct for distinct `n`.
fn value_for(c: &Column, n: u64) -> Value {
    let two = |x: u64| format!("{:02}", x);
    let date = || format!("{}-{}-{}", 2024 + n / 336, two(1 + (n / 28) % 12), two(1 + n % 28));
    let time = || format!("{}:{}:{}.000000", two(n % 24), two((n / 24) % 60), two((n / 1440) % 60));
    match type_affinity(c.type_.class) {
        Affinity::Integer => Value::Integer(n as i64),
        Affinity::Boolean => Value::Integer((n % 2) as i64),
        Affinity::Numeric => Value::Real(n as f64 + 0.25),
        Affinity::Float => Value::Real(n as f64 * 1.5),
        Affinity::Date => Value::Text(date()),
        Affinity::DateTime => Value::Text(format!("{} {}", date(), time())),
        Affinity::Time => Value::Text(time()),
        Affinity::Interval => Value::Text(format!("1970-01-01 {}", time())),
        Affinity::Json => Value::Text(format!("{{\"n\": {n}}}")),
        Affinity::Binary => Value::Blob(n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect()),
        Affinity::Uuid => {
            let mut r = Rng(n);
            Value::Text(format!("{:016x}{:016x}", r.next(), r.next()))
        }
        Affinity::String if c.type_.class == TypeClass::Enum => {
            let values = c.type_.enum_.as_ref().map(|e| e.values.clone()).unwrap_or_default();
            if values.is_empty() {
                Value::Text(format!("{} {n}", c.name))
            } else {
                Value::Text(values[(n as usize) % values.len()].clone())
            }
        }
        Affinity::String | Affinity::Null => {
            let full = format!("{} {n}", c.name);
            let s = match c.type_.length.map(|l| l as usize) {
                Some(l) if full.chars().count() > l => {
                    let digits = n.to_string();
                    if digits.len() <= l {
                        digits
                    } else {
                        base36(n)
                    }
                }
                _ => full,
            };
            Value::Text(s)
        }
    }
}

/// The members of a `col IN ('a', 'b')` CHECK on column `c` (how a
/// non-native Enum and a Boolean look when reflected), as values.
fn check_members(t: &Table, c: &Column) -> Option<Vec<Value>> {
    for ck in &t.check_constraints {
        let text = ck.sqltext.trim();
        let upper = text.to_uppercase();
        let Some(at) = upper.find(" IN ") else { continue };
        let left = text[..at].trim().trim_matches(|ch| ch == '"' || ch == '`' || ch == '[' || ch == ']');
        if left != c.name {
            continue;
        }
        let right = text[at + 4..].trim();
        let Some(inner) = right.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else { continue };
        let mut values = Vec::new();
        let mut rest = inner.trim();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('\'') {
                // a quoted string with '' escapes
                let mut s = String::new();
                let mut chars = after.char_indices().peekable();
                let mut end = None;
                while let Some((i, ch)) = chars.next() {
                    if ch == '\'' {
                        if let Some((_, '\'')) = chars.peek() {
                            s.push('\'');
                            chars.next();
                        } else {
                            end = Some(i + 1);
                            break;
                        }
                    } else {
                        s.push(ch);
                    }
                }
                let end = end?;
                values.push(Value::Text(s));
                rest = after[end..].trim_start();
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                values.push(Value::Integer(rest[..end].trim().parse().ok()?));
                rest = &rest[end..];
            }
            rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        }
        if !values.is_empty() {
            return Some(values);
        }
    }
    None
}

/// Tables to fill: the targets plus every parent a NOT NULL foreign key
/// needs that has no rows, in FK order (parents first).
fn fill_order(meta: &MetaData, targets: &[String], existing: &BTreeMap<String, QueryResult>) -> Vec<String> {
    let has_rows = |t: &str| existing.get(t).is_some_and(|q| !q.rows.is_empty());
    let mut set: BTreeSet<String> = set_of(targets.iter().cloned());
    loop {
        let mut added = false;
        for name in set.clone() {
            let Some(t) = meta.tables.get(&name) else { continue };
            for fk in &t.foreign_keys {
                let required = fk.columns.iter().any(|c| t.column(c).is_some_and(|c| !c.nullable));
                let p = &fk.referred_table;
                if required && p != &name && meta.tables.contains_key(p) && !has_rows(p) && set.insert(p.clone()) {
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    // Depth-first post-order over FKs, in declaration order: parents first;
    // a cycle is cut where it closes.
    fn visit(name: &str, meta: &MetaData, set: &BTreeSet<String>, seen: &mut BTreeSet<String>, out: &mut Vec<String>) {
        if !seen.insert(name.to_string()) {
            return;
        }
        if let Some(t) = meta.tables.get(name) {
            for fk in &t.foreign_keys {
                if set.contains(&fk.referred_table) {
                    visit(&fk.referred_table, meta, set, seen, out);
                }
            }
        }
        out.push(name.to_string());
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for name in meta.table_order.iter().filter(|n| set.contains(*n)) {
        visit(name, meta, &set, &mut seen, &mut out);
    }
    out
}

/// INSERT statements adding `opts.rows` rows to each of `targets` (and to
/// the parents they need). `existing` holds the current rows of the tables
/// (`SELECT * FROM t`); pass at least the targets and every table they refer
/// to. A table missing there is taken as empty.
pub fn sample_rows(
    meta: &MetaData,
    targets: &[String],
    existing: &BTreeMap<String, QueryResult>,
    opts: SampleOptions,
) -> Result<SamplePlan, SampleError> {
    for t in targets {
        if !meta.tables.contains_key(t) {
            return Err(SampleError::UnknownTable(t.clone()));
        }
    }
    let order = fill_order(meta, targets, existing);
    let mut rows: BTreeMap<String, Rows> = map_of(meta.tables.keys().map(|n| (n.clone(), Rows::from(existing.get(n)))));
    let mut rng = Rng(opts.seed ^ 0xA1E3_B1C0);
    let mut plan = SamplePlan::default();
    for name in order {
        let t = &meta.tables[&name];
        let unsatisfiable = |reason: String| SampleError::Unsatisfiable { table: name.clone(), reason };
        let sets = unique_sets(t);
        let mut taken: Vec<BTreeSet<Vec<Key>>> = sets
            .iter()
            .map(|s| set_of(rows[&name].tuples(s).iter().map(|tu| tu.iter().map(key).collect())))
            .collect();
        let int_pk = integer_pk(t).map(|c| c.name.clone());
        let mut next_id: i64 = match &int_pk {
            Some(pk) => rows[&name]
                .tuples(std::slice::from_ref(pk))
                .iter()
                .filter_map(|r| match r[0] {
                    Value::Integer(i) => Some(i),
                    _ => None,
                })
                .max()
                .unwrap_or(0)
                .saturating_add(1),
            None => 1,
        };
        let base = rows[&name].rows.len() as u64 + 1;
        let insert_cols: Vec<&Column> = t.columns.iter().filter(|c| c.computed.is_none()).collect();
        for k in 0..opts.rows {
            let mut made = None;
            for attempt in 0..40u64 {
                let n = base + k as u64 + attempt * (opts.rows as u64 + 7919);
                let mut row: BTreeMap<String, Value> = BTreeMap::new();
                if let Some(pk) = &int_pk {
                    row.insert(pk.clone(), Value::Integer(next_id));
                }
                // Foreign keys: one parent tuple per constraint.
                for fk in &t.foreign_keys {
                    if fk.columns.iter().any(|c| row.contains_key(c)) {
                        continue; // a column shared with an earlier FK or the PK: keep it
                    }
                    let mut pool = rows.get(&fk.referred_table).map(|r| r.tuples(&fk.referred_columns)).unwrap_or_default();
                    pool.retain(|tu| tu.iter().all(|v| *v != Value::Null));
                    if fk.referred_table == name && pool.is_empty() {
                        // Self reference in an empty table: the row points at itself.
                        if let Some(pk) = &int_pk {
                            if fk.referred_columns.as_slice() == std::slice::from_ref(pk) {
                                pool.push(vec![Value::Integer(next_id)]);
                            }
                        }
                    }
                    if pool.is_empty() {
                        let required = fk.columns.iter().any(|c| t.column(c).is_some_and(|c| !c.nullable));
                        if required {
                            return Err(unsatisfiable(format!(
                                "{} ({}) needs a row in {}, which has none",
                                name,
                                fk.columns.join(", "),
                                fk.referred_table
                            )));
                        }
                        for c in &fk.columns {
                            row.insert(c.clone(), Value::Null);
                        }
                    } else {
                        let pick = &pool[rng.below(pool.len())];
                        for (c, v) in fk.columns.iter().zip(pick) {
                            row.insert(c.clone(), v.clone());
                        }
                    }
                }
                for c in &insert_cols {
                    if !row.contains_key(&c.name) {
                        let v = match check_members(t, c) {
                            Some(members) => members[(n as usize) % members.len()].clone(),
                            None => value_for(c, n),
                        };
                        row.insert(c.name.clone(), v);
                    }
                }
                let tuples: Vec<Vec<Key>> = sets
                    .iter()
                    .map(|s| s.iter().map(|c| key(row.get(c).unwrap_or(&Value::Null))).collect())
                    .collect();
                // NULLs are distinct in SQLite's unique checks.
                let clash = tuples
                    .iter()
                    .zip(&taken)
                    .any(|(tu, seen)| !tu.contains(&Key::Null) && seen.contains(tu));
                if !clash {
                    for (tu, seen) in tuples.into_iter().zip(taken.iter_mut()) {
                        seen.insert(tu);
                    }
                    made = Some(row);
                    break;
                }
            }
            let Some(row) = made else {
                return Err(unsatisfiable(
                    "no unique combination left (a unique foreign key needs more parent rows)".into(),
                ));
            };
            next_id = next_id.saturating_add(1);
            let cols: Vec<&Column> = insert_cols.iter().copied().filter(|c| row.contains_key(&c.name)).collect();
            plan.statements.push(format!(
                "INSERT INTO {} ({}) VALUES ({})",
                ddl::quote(&name),
                cols.iter().map(|c| ddl::quote(&c.name)).collect::<Vec<_>>().join(", "),
                cols.iter().map(|c| value_sql(&row[&c.name])).collect::<Vec<_>>().join(", ")
            ));
            rows.get_mut(&name).expect("every table has rows").push(&row);
        }
        plan.tables.push((name.clone(), opts.rows));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ForeignKeyConstraint, PrimaryKeyConstraint, SqlType};

    fn fk(cols: &[&str], table: &str, refs: &[&str]) -> ForeignKeyConstraint {
        ForeignKeyConstraint {
            name: None,
            columns: cols.iter().map(|s| s.to_string()).collect(),
            referred_table: table.into(),
            referred_columns: refs.iter().map(|s| s.to_string()).collect(),
            ondelete: None,
            onupdate: None,
            deferrable: None,
            initially: None,
            use_alter: false,
        }
    }

    fn with_id(name: &str) -> Table {
        let mut t = Table::new(name);
        let mut id = Column::new("id", SqlType::new(TypeClass::Integer));
        id.primary_key = true;
        id.nullable = false;
        t.columns.push(id);
        t.primary_key = Some(PrimaryKeyConstraint { name: None, columns: vec!["id".into()] });
        t
    }

    fn not_null(name: &str, class: TypeClass) -> Column {
        let mut c = Column::new(name, SqlType::new(class));
        c.nullable = false;
        c
    }

    #[test]
    fn parents_first_and_deterministic() {
        let mut m = MetaData::default();
        let mut post = with_id("post");
        post.columns.push(not_null("user_id", TypeClass::Integer));
        post.foreign_keys.push(fk(&["user_id"], "user", &["id"]));
        m.add_table(post);
        let mut user = with_id("user");
        user.columns.push(not_null("name", TypeClass::String));
        m.add_table(user);
        let opts = SampleOptions { rows: 2, seed: 3 };
        let plan = sample_rows(&m, &["post".into()], &BTreeMap::new(), opts).unwrap();
        assert_eq!(plan.tables, vec![("user".to_string(), 2), ("post".to_string(), 2)]);
        assert_eq!(plan.statements[0], "INSERT INTO user (id, name) VALUES (1, 'name 1')");
        assert!(plan.statements[2].starts_with("INSERT INTO post (id, user_id) VALUES (1, "));
        assert_eq!(sample_rows(&m, &["post".into()], &BTreeMap::new(), opts).unwrap(), plan);
    }

    #[test]
    fn values_follow_types_and_lengths() {
        let mut short = Column::new("code", SqlType::new(TypeClass::String).with_length(Some(3)));
        short.nullable = false;
        assert_eq!(value_for(&short, 12), Value::Text("12".into()));
        assert_eq!(value_for(&short, 123456), Value::Text("2n9c".into()));
        assert_eq!(value_for(&not_null("at", TypeClass::DateTime), 30), Value::Text("2024-02-03 06:01:00.000000".into()));
        assert_eq!(value_for(&not_null("d", TypeClass::Date), 1), Value::Text("2024-01-02".into()));
        assert_eq!(value_for(&not_null("b", TypeClass::Boolean), 3), Value::Integer(1));
        match value_for(&not_null("u", TypeClass::Uuid), 3) {
            Value::Text(s) => assert_eq!(s.len(), 32),
            other => panic!("{other:?}"),
        }
        assert_eq!(value_sql(&Value::Blob(vec![0, 255])), "X'00FF'");
        assert_eq!(value_sql(&Value::Text("o'k".into())), "'o''k'");
    }

    #[test]
    fn in_list_checks_give_the_members() {
        use crate::schema::CheckConstraint;
        let mut t = with_id("t");
        t.columns.push(not_null("status", TypeClass::VarcharUpper));
        t.check_constraints.push(CheckConstraint { name: None, sqltext: "status IN ('new', 'it''s done')".into() });
        t.check_constraints.push(CheckConstraint { name: None, sqltext: "flag IN (0, 1)".into() });
        let c = t.column("status").unwrap().clone();
        assert_eq!(check_members(&t, &c), Some(vec![Value::Text("new".into()), Value::Text("it's done".into())]));
        let flag = not_null("flag", TypeClass::Integer);
        assert_eq!(check_members(&t, &flag), Some(vec![Value::Integer(0), Value::Integer(1)]));
        assert_eq!(check_members(&t, &not_null("other", TypeClass::Integer)), None);
    }

    #[test]
    fn a_required_cycle_is_an_error() {
        let mut m = MetaData::default();
        let mut a = with_id("a");
        a.columns.push(not_null("b_id", TypeClass::Integer));
        a.foreign_keys.push(fk(&["b_id"], "b", &["id"]));
        let mut b = with_id("b");
        b.columns.push(not_null("a_id", TypeClass::Integer));
        b.foreign_keys.push(fk(&["a_id"], "a", &["id"]));
        m.add_table(a);
        m.add_table(b);
        let err = sample_rows(&m, &["a".into()], &BTreeMap::new(), SampleOptions::default()).unwrap_err();
        assert!(matches!(err, SampleError::Unsatisfiable { .. }), "{err}");
        assert_eq!(
            sample_rows(&m, &["nope".into()], &BTreeMap::new(), SampleOptions::default()),
            Err(SampleError::UnknownTable("nope".into()))
        );
    }
}
