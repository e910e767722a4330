//! Autogenerate: compare(metadata, reflected) → upgrade ops, as Alembic's
//! `alembic/autogenerate/compare/*` does with `compare_type=True`,
//! `compare_server_default=False`, `render_as_batch=True`, on SQLite.
//!
//! Invariants:
//! - `metadata` is the model side (types as written, `Name::conv` for names
//!   that came from a naming convention); `reflected` is what SQLAlchemy's
//!   SQLite inspector returns (plain names, UPPERCASE types, reflected default
//!   text). Neither is modified.
//! - Reflected objects that end up in ops are first adjusted the way Alembic's
//!   reflection does it: constraint and index names become `conv` (Alembic's
//!   `_InspectorConv`, so they render as `batch_op.f('name')`), and an
//!   unparenthesized SQL default gets parentheses
//!   (`SQLiteImpl.autogen_column_reflect`: `CURRENT_TIMESTAMP` →
//!   `(CURRENT_TIMESTAMP)`).
//! - `CreateTable` / `DropTable` carry their table without indexes: Alembic
//!   renders indexes as separate `create_index` / `drop_index` ops in a
//!   `batch_alter_table` block right after / before the table op.
//! - Order is Alembic's where Alembic's is deterministic: added tables in
//!   `MetaData.sorted_tables` order (FK dependency, ties by name), existing
//!   tables by name; per table: added columns, altered columns, indexes and
//!   unique constraints (removed / changed / added, each by name, then unnamed
//!   uniques), foreign keys (removed, then added), dropped columns. Where
//!   Alembic iterates a Python `set` (removed tables, dropped columns, FKs,
//!   unnamed uniques) its order is not stable between runs; we use reflected
//!   order (removed tables: children before parents) and model order.
//! - Server defaults and comments are not compared (SQLite has no comments;
//!   `compare_server_default` is off), CHECK constraints and primary keys are
//!   not compared either, as in Alembic.

use std::collections::{BTreeMap, BTreeSet};

use crate::ops::{AlterColumn, BatchAlterTable, Op, Recreate, UpgradeOps};
use crate::schema::{
    Autoincrement, Column, Constraint, ConstraintKind, ForeignKeyConstraint, Index, IndexColumn, MetaData, Name,
    ServerDefault, SqlType, Table, TypeClass, UniqueConstraint,
};

/// Logger of table / column add and remove lines.
pub const LOG_TABLES: &str = "alembic.autogenerate.compare.tables";
/// Logger of type change lines.
pub const LOG_TYPES: &str = "alembic.autogenerate.compare.types";
/// Logger of index, unique constraint, foreign key and nullable lines.
pub const LOG_CONSTRAINTS: &str = "alembic.autogenerate.compare.constraints";

/// Alembic's version table: never compared.
const VERSION_TABLE: &str = "alembic_version";

/// True for reflected tables that autogenerate looks at: not the version
/// table, not SQLite's internal `sqlite_*` tables
/// (<https://sqlite.org/fileformat2.html#internal_schema_objects>), which
/// SQLAlchemy's `get_table_names()` leaves out.
fn is_compared_conn_table(name: &str) -> bool {
    name != VERSION_TABLE && !name.starts_with("sqlite_")
}

/// The ops plus Alembic's "Detected ..." log lines, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    pub upgrade: UpgradeOps,
    /// e.g. `Detected added table 'athlete'` (logged by
    /// `alembic.autogenerate.compare.tables`): `(logger, message)`. Python
    /// warnings come in order among them under [`PY_WARNINGS`], the message
    /// being the whole line (`UserWarning: ...`).
    pub log: Vec<(String, String)>,
}

/// The logger name Python gives warnings (`logging.captureWarnings`); Alembic
/// does not capture them, so they are printed as they are.
pub const PY_WARNINGS: &str = "py.warnings";

/// Compares model metadata with the reflected database schema. Tables named
/// `alembic_version` are skipped. Ops on existing tables come grouped in
/// `Op::BatchAlterTable` blocks (render_as_batch=True).
pub fn compare(metadata: &MetaData, reflected: &MetaData) -> Comparison {
    let mut cx = Cx::default();

    let meta_tables: Vec<&Table> = sorted_tables(metadata).into_iter().filter(|t| t.name != VERSION_TABLE).collect();
    let conn_names: BTreeSet<&str> =
        reflected.tables.keys().map(String::as_str).filter(|n| is_compared_conn_table(n)).collect();
    let meta_names: BTreeSet<&str> = meta_tables.iter().map(|t| t.name.as_str()).collect();

    // `for s, tname in metadata_table_names.difference(conn_table_names)`
    for table in meta_tables.iter().filter(|t| !conn_names.contains(t.name.as_str())) {
        cx.ops.push(Op::CreateTable { table: without_indexes(table) });
        cx.info(LOG_TABLES, format!("Detected added table {}", py_str(&table.name)));
        let mut modify = Vec::new();
        compare_indexes_and_uniques(&mut cx, &mut modify, &table.name, None, Some(table));
        cx.push_batch(&table.name, modify);
    }

    // `for s, tname in conn_table_names.difference(metadata_table_names)`
    let removed: Vec<Table> = reflected
        .tables
        .values()
        .filter(|t| is_compared_conn_table(&t.name) && !meta_names.contains(t.name.as_str()))
        .map(conn_table)
        .collect();
    let mut removed_meta = MetaData::default();
    for t in removed {
        removed_meta.add_table(t);
    }
    let mut removed_order = sorted_tables(&removed_meta);
    removed_order.reverse();
    for table in removed_order {
        let mut modify = Vec::new();
        compare_indexes_and_uniques(&mut cx, &mut modify, &table.name, Some(table), None);
        cx.push_batch(&table.name, modify);
        cx.ops.push(Op::DropTable { table: without_indexes(table) });
        cx.info(LOG_TABLES, format!("Detected removed table {}", py_str(&table.name)));
    }

    // `for s, tname in sorted(existing_tables)`
    let mut existing: Vec<&Table> =
        meta_tables.iter().copied().filter(|t| conn_names.contains(t.name.as_str())).collect();
    existing.sort_by(|a, b| a.name.cmp(&b.name));
    for meta in existing {
        let Some(raw) = reflected.tables.get(&meta.name) else { continue };
        let conn = conn_table(raw);
        let mut modify = Vec::new();
        compare_columns(&mut cx, &mut modify, &conn, meta);
        cx.push_batch(&meta.name, modify);
    }

    Comparison { upgrade: UpgradeOps { ops: cx.ops }, log: cx.log }
}

#[derive(Default)]
struct Cx {
    ops: Vec<Op>,
    log: Vec<(String, String)>,
}

impl Cx {
    fn info(&mut self, logger: &str, message: String) {
        self.log.push((logger.to_string(), message));
    }
    /// Appends a `ModifyTableOps` (rendered as a batch block) unless empty.
    fn push_batch(&mut self, table: &str, ops: Vec<Op>) {
        if ops.is_empty() {
            return;
        }
        self.ops.push(Op::BatchAlterTable(BatchAlterTable {
            table: table.to_string(),
            recreate: Recreate::Auto,
            copy_from: None,
            table_args: Vec::new(),
            ops,
        }));
    }
}

// ---------------------------------------------------------------------------
// tables

/// `MetaData.sorted_tables`: `sort_tables(sorted(tables, key=name))` — a
/// layered topological sort by FK dependency (each pass emits, in name order,
/// every table whose referred tables are already emitted). Self-references
/// and `use_alter=True` FKs are no dependencies; tables caught in a cycle lose
/// their FK dependencies, as SQLAlchemy does after warning.
pub fn sorted_tables(metadata: &MetaData) -> Vec<&Table> {
    let tables: Vec<&Table> = metadata.tables.values().collect(); // BTreeMap: by name
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    // child -> parents
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for t in &tables {
        for fk in &t.foreign_keys {
            if fk.use_alter || fk.referred_table == t.name || !names.contains(fk.referred_table.as_str()) {
                continue;
            }
            edges.entry(t.name.as_str()).or_default().insert(fk.referred_table.as_str());
        }
    }
    let cyclic = nodes_in_cycles(&edges);
    for child in &cyclic {
        edges.remove(child);
    }
    // Layer by layer (Kahn): a table is ready once the last of its parents is
    // emitted; each layer in name order (`tables` is). Linear in tables + FKs.
    let index: BTreeMap<&str, usize> = tables.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let mut waiting = vec![0usize; tables.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for (child, parents) in &edges {
        let c = index[child];
        waiting[c] = parents.len();
        for p in parents {
            children[index[p]].push(c);
        }
    }
    let mut layer: Vec<usize> = (0..tables.len()).filter(|&i| waiting[i] == 0).collect();
    let mut out = Vec::with_capacity(tables.len());
    while !layer.is_empty() {
        let mut next = Vec::new();
        for &i in &layer {
            for &c in &children[i] {
                waiting[c] -= 1;
                if waiting[c] == 0 {
                    next.push(c);
                }
            }
        }
        out.extend(layer.iter().map(|&i| tables[i]));
        next.sort_unstable();
        layer = next;
    }
    // Unreachable once cycles are cut; the rest in name order.
    if out.len() < tables.len() {
        out.extend((0..tables.len()).filter(|&i| waiting[i] > 0).map(|i| tables[i]));
    }
    out
}

/// Tables on a cycle of FK dependencies (a strongly connected component of
/// two or more tables; self-references are not edges). Kosaraju's two
/// passes, iterative: linear in tables + FKs.
fn nodes_in_cycles<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> BTreeSet<&'a str> {
    let mut nodes: BTreeSet<&str> = edges.keys().copied().collect();
    nodes.extend(edges.values().flatten().copied());
    let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (child, parents) in edges {
        for p in parents {
            reverse.entry(p).or_default().push(child);
        }
    }
    // Pass 1: finishing order on the edges.
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for &start in &nodes {
        if !seen.insert(start) {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, edges.get(start).map(|s| s.iter().copied().collect()).unwrap_or_default())];
        while let Some((node, pending)) = stack.last_mut() {
            match pending.pop() {
                Some(next) => {
                    if seen.insert(next) {
                        let more = edges.get(next).map(|s| s.iter().copied().collect()).unwrap_or_default();
                        stack.push((next, more));
                    }
                }
                None => {
                    order.push(*node);
                    stack.pop();
                }
            }
        }
    }
    // Pass 2: components on the reversed edges, in reverse finishing order.
    let mut assigned = BTreeSet::new();
    let mut out = BTreeSet::new();
    for &root in order.iter().rev() {
        if !assigned.insert(root) {
            continue;
        }
        let mut component = vec![root];
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            for &m in reverse.get(n).map(Vec::as_slice).unwrap_or_default() {
                if assigned.insert(m) {
                    component.push(m);
                    stack.push(m);
                }
            }
        }
        if component.len() > 1 {
            out.extend(component);
        }
    }
    out
}

fn without_indexes(table: &Table) -> Table {
    let mut t = table.clone();
    t.indexes.clear();
    t
}

/// A reflected table as Alembic's autogenerate sees it: names wrapped in
/// `conv()` and SQL defaults parenthesized.
fn conn_table(raw: &Table) -> Table {
    let mut t = raw.clone();
    for c in &mut t.columns {
        c.server_default = c.server_default.take().map(parenthesize_reflected_default);
    }
    if let Some(pk) = &mut t.primary_key {
        pk.name = pk.name.take().map(to_conv);
    }
    for fk in &mut t.foreign_keys {
        fk.name = fk.name.take().map(to_conv);
    }
    for uq in &mut t.unique_constraints {
        uq.name = uq.name.take().map(to_conv);
    }
    for ck in &mut t.check_constraints {
        ck.name = ck.name.take().map(to_conv);
    }
    for ix in &mut t.indexes {
        ix.name = ix.name.take().map(to_conv);
    }
    t
}

fn to_conv(n: Name) -> Name {
    Name::conv(n.value)
}

/// `SQLiteImpl.autogen_column_reflect` /
/// `_guess_if_default_is_unparenthesized_sql_expr`: a reflected default that
/// is not a number digit, a quoted string or already parenthesized gets
/// parentheses, because SQLite needs them around expressions in DDL
/// (<https://sqlite.org/lang_createtable.html#the_default_clause>).
pub fn parenthesize_reflected_default(d: ServerDefault) -> ServerDefault {
    match d {
        ServerDefault::Text(expr) if is_unparenthesized_sql_expr(&expr) => ServerDefault::Text(format!("({expr})")),
        other => other,
    }
}

fn is_unparenthesized_sql_expr(expr: &str) -> bool {
    // Python's `re.match(r"^...$")`: `$` also matches before one final "\n";
    // `.` does not match "\n".
    let body = expr.strip_suffix('\n').unwrap_or(expr);
    let enclosed = |open: char, close: char| {
        body.chars().count() >= 3 && body.starts_with(open) && body.ends_with(close) && !body.contains('\n')
    };
    let single_digit = body.chars().count() == 1 && body.chars().all(|c| c.is_ascii_digit() || c == '.');
    !(expr.is_empty() || single_digit || enclosed('\'', '\'') || enclosed('(', ')'))
}

// ---------------------------------------------------------------------------
// columns (`_compare_columns`)

fn compare_columns(cx: &mut Cx, modify: &mut Vec<Op>, conn: &Table, meta: &Table) {
    let tname = &meta.name;
    for col in meta.columns.iter().filter(|c| conn.column(&c.name).is_none()) {
        modify.push(Op::AddColumn { table: tname.clone(), column: col.clone() });
        cx.info(LOG_TABLES, format!("Detected added column '{}.{}'", tname, col.name));
    }
    for meta_col in &meta.columns {
        let Some(conn_col) = conn.column(&meta_col.name) else { continue };
        let alter = compare_column(cx, meta, conn_col, meta_col);
        if alter.modify_type.is_some() || alter.modify_nullable.is_some() {
            modify.push(Op::AlterColumn(alter));
        }
    }

    compare_indexes_and_uniques(cx, modify, tname, Some(conn), Some(meta));
    compare_foreign_keys(cx, modify, tname, conn, meta);

    for col in conn.columns.iter().filter(|c| meta.column(&c.name).is_none()) {
        modify.push(Op::DropColumn { table: tname.clone(), column: col.clone() });
        cx.info(LOG_TABLES, format!("Detected removed column '{}.{}'", tname, col.name));
    }
}

/// The "column" comparators in Alembic's dispatch order: FIRST
/// `_user_compare_type` (setup only) and `_user_compare_server_default`
/// (fills `existing_server_default`, then STOPs the server_default group
/// because `compare_server_default=False`), MEDIUM `_compare_nullable` and
/// `_setup_autoincrement`, LAST `_dialect_impl_compare_type`.
fn compare_column(cx: &mut Cx, meta_table: &Table, conn_col: &Column, meta_col: &Column) -> AlterColumn {
    let tname = &meta_table.name;
    let cname = &meta_col.name;
    let mut alter = AlterColumn {
        table: tname.clone(),
        column: cname.clone(),
        existing_type: Some(conn_col.type_.clone()),
        ..AlterColumn::default()
    };
    // _user_compare_type: setup only (logs when a type is unknown).
    compare_type_setup(cx, tname, cname, conn_col, meta_col);

    // _user_compare_server_default
    let conn_has_default = conn_col.server_default.is_some() || conn_col.computed.is_some();
    let meta_has_default = meta_col.server_default.is_some() || meta_col.computed.is_some();
    let server_default_stopped = conn_has_default || meta_has_default;
    if let Some(d) = &conn_col.server_default {
        alter.existing_server_default = Some(Some(d.clone()));
    }

    // _compare_nullable
    alter.existing_nullable = Some(conn_col.nullable);
    if conn_col.nullable != meta_col.nullable {
        if meta_col.computed.is_some() || conn_col.computed.is_some() {
            // `_server_default_is_computed(...) and _nullability_might_be_unset(...)`
            cx.info(LOG_CONSTRAINTS, format!("Ignoring nullable change on identity column '{tname}.{cname}'"));
        } else {
            alter.modify_nullable = Some(meta_col.nullable);
            let what = if meta_col.nullable { "NULL" } else { "NOT NULL" };
            cx.info(LOG_CONSTRAINTS, format!("Detected {what} on column '{tname}.{cname}'"));
        }
    }

    // _setup_autoincrement (skipped once the server_default group stopped)
    if !server_default_stopped {
        if is_autoincrement_column(meta_table, meta_col) || meta_col.autoincrement == Autoincrement::True {
            alter.modify_autoincrement = Some(true);
        } else if meta_col.autoincrement == Autoincrement::False {
            alter.modify_autoincrement = Some(false);
        }
    }

    // _dialect_impl_compare_type: runs the setup (and its log line) again.
    if compare_type_setup(cx, tname, cname, conn_col, meta_col) && compare_type(&conn_col.type_, &meta_col.type_) {
        cx.info(
            LOG_TYPES,
            format!(
                "Detected type change from {} to {} on '{tname}.{cname}'",
                type_repr(&conn_col.type_),
                type_repr(&meta_col.type_)
            ),
        );
        alter.modify_type = Some(meta_col.type_.clone());
    }
    alter
}

/// `_compare_type_setup`: false (with a log line) when either side has no type.
fn compare_type_setup(cx: &mut Cx, tname: &str, cname: &str, conn_col: &Column, meta_col: &Column) -> bool {
    if conn_col.type_.class == TypeClass::Null {
        cx.info(LOG_TYPES, format!("Couldn't determine database type for column '{tname}.{cname}'"));
        return false;
    }
    if meta_col.type_.class == TypeClass::Null {
        cx.info(LOG_TYPES, format!("Column '{tname}.{cname}' has no type within the model; can't compare"));
        return false;
    }
    true
}

/// `Table._autoincrement_column is column` (SQLAlchemy's
/// `PrimaryKeyConstraint._autoincrement_column`), for the column comparator.
fn is_autoincrement_column(table: &Table, col: &Column) -> bool {
    let pk_cols = table.primary_key_columns();
    if pk_cols.len() == 1 {
        if pk_cols.first().map(String::as_str) != Some(col.name.as_str()) {
            return false;
        }
        match col.autoincrement {
            Autoincrement::True => true,
            Autoincrement::False => false,
            Autoincrement::Auto | Autoincrement::IgnoreFk => {
                let has_fk = table.foreign_keys.iter().any(|fk| fk.columns.iter().any(|c| c == &col.name));
                crate::ddl::type_affinity(col.type_.class) == crate::ddl::Affinity::Integer
                    && col.server_default.is_none()
                    && col.computed.is_none()
                    && (!has_fk || col.autoincrement == Autoincrement::IgnoreFk)
            }
        }
    } else {
        pk_cols.iter().any(|c| c == &col.name) && col.autoincrement == Autoincrement::True
    }
}


// ---------------------------------------------------------------------------
// types (`DefaultImpl.compare_type` with SQLite's type compiler)

/// True when the two types differ, as `DefaultImpl.compare_type` decides it:
/// both are compiled to SQLite DDL, lower-cased and tokenized; they match if
/// the first word matches (or both are in a synonym set: NUMERIC / DECIMAL)
/// and the extra words and the parenthesized arguments do not differ where
/// both sides have the same number of them. So `String(40)` = `VARCHAR(40)`,
/// `String(40)` = `VARCHAR`, `String(16)` ≠ `VARCHAR(10)`, `Text` ≠ `VARCHAR`,
/// `Integer` ≠ `BIGINT`, `Uuid` = `CHAR(32)`, `Enum('a','bb')` = `VARCHAR(2)`.
pub fn compare_type(conn: &SqlType, meta: &SqlType) -> bool {
    let (Some(c), Some(m)) = (sqlite_type_ddl(conn), sqlite_type_ddl(meta)) else {
        return false;
    };
    let insp = tokenize_type(&c);
    let md = tokenize_type(&m);
    !types_match(&insp, &md) || !args_match(&insp, &md)
}

/// `Params(token0, tokens, args, kwargs)` of `_tokenize_column_type`.
#[derive(Debug, Clone, PartialEq, Default)]
struct TypeParams {
    token0: String,
    tokens: Vec<String>,
    args: Vec<String>,
}

/// `re.findall(r"[\w\-_]+|\(.+?\)", definition.lower())`, then the last
/// parenthesized group split on `,` into args (`key=value` terms are kwargs,
/// which `compare_type` never looks at).
fn tokenize_type(definition: &str) -> TypeParams {
    let lower = definition.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut words = Vec::new();
    let mut paren: Option<String> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_word(c) {
            let start = i;
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            words.push(chars[start..i].iter().collect::<String>());
        } else if c == '(' {
            // `\(.+?\)`: at least one char, shortest match, no newline.
            let close = (i + 2..chars.len())
                .take_while(|&j| chars[j - 1] != '\n')
                .find(|&j| chars[j] == ')' && chars[j - 1] != '\n');
            match close {
                Some(j) if !chars[i + 1..j].contains(&'\n') => {
                    paren = Some(chars[i..=j].iter().collect());
                    i = j + 1;
                }
                _ => i += 1,
            }
        } else {
            i += 1;
        }
    }
    let mut it = words.into_iter();
    let token0 = it.next().unwrap_or_default();
    let mut params = TypeParams { token0, tokens: it.collect(), args: Vec::new() };
    if let Some(p) = paren {
        for term in p.split(['(', ')', ',']).filter(|t| !t.is_empty()) {
            if !term.contains('=') {
                params.args.push(term.trim().to_string());
            }
        }
    }
    params
}

/// `DefaultImpl._column_types_match` with `type_synonyms = ({"NUMERIC", "DECIMAL"},)`.
fn types_match(insp: &TypeParams, meta: &TypeParams) -> bool {
    if insp.token0 == meta.token0 {
        return true;
    }
    let synonyms = ["numeric", "decimal"];
    let all = |p: &TypeParams| {
        std::iter::once(p.token0.clone()).chain(p.tokens.iter().cloned()).collect::<Vec<_>>().join(" ")
    };
    let in_set = |s: &str| synonyms.contains(&s);
    (in_set(&all(insp)) && in_set(&all(meta))) || (in_set(&insp.token0) && in_set(&meta.token0))
}

/// `DefaultImpl._column_args_match` (SQLite has no `type_arg_extract`).
fn args_match(insp: &TypeParams, meta: &TypeParams) -> bool {
    if meta.tokens.len() == insp.tokens.len() && meta.tokens != insp.tokens {
        return false;
    }
    if meta.args.len() == insp.args.len() && meta.args != insp.args {
        return false;
    }
    true
}

/// The type as SQLAlchemy's SQLite type compiler writes it in DDL
/// (`dialect.type_compiler.process(type_)`); `None` for `NullType`.
/// SQLite keeps the declared type text as written
/// (<https://sqlite.org/datatype3.html#affinity_name_examples>).
pub fn sqlite_type_ddl(t: &SqlType) -> Option<String> {
    crate::ddl::compile_type(t).ok()
}

/// The Python class name of a type, as its `repr()` starts.
pub fn type_class_name(class: TypeClass) -> &'static str {
    match class {
        TypeClass::Integer => "Integer",
        TypeClass::BigInteger => "BigInteger",
        TypeClass::SmallInteger => "SmallInteger",
        TypeClass::String => "String",
        TypeClass::Text => "Text",
        TypeClass::Unicode => "Unicode",
        TypeClass::UnicodeText => "UnicodeText",
        TypeClass::Boolean => "Boolean",
        TypeClass::Enum => "Enum",
        TypeClass::Numeric => "Numeric",
        TypeClass::Float => "Float",
        TypeClass::Double => "Double",
        TypeClass::Date => "Date",
        TypeClass::DateTime => "DateTime",
        TypeClass::UtcDateTime => "UTCDateTime",
        TypeClass::Time => "Time",
        TypeClass::Interval => "Interval",
        TypeClass::Json => "JSON",
        TypeClass::LargeBinary => "LargeBinary",
        TypeClass::Uuid => "Uuid",
        TypeClass::AutoString => "AutoString",
        TypeClass::IntegerUpper => "INTEGER",
        TypeClass::BigIntUpper => "BIGINT",
        TypeClass::SmallIntUpper => "SMALLINT",
        TypeClass::VarcharUpper => "VARCHAR",
        TypeClass::NVarcharUpper => "NVARCHAR",
        TypeClass::CharUpper => "CHAR",
        TypeClass::NCharUpper => "NCHAR",
        TypeClass::TextUpper => "TEXT",
        TypeClass::ClobUpper => "CLOB",
        TypeClass::BooleanUpper => "BOOLEAN",
        TypeClass::NumericUpper => "NUMERIC",
        TypeClass::DecimalUpper => "DECIMAL",
        TypeClass::FloatUpper => "FLOAT",
        TypeClass::RealUpper => "REAL",
        TypeClass::DoubleUpper => "DOUBLE",
        TypeClass::DoublePrecisionUpper => "DOUBLE_PRECISION",
        TypeClass::DateUpper => "DATE",
        TypeClass::DateTimeUpper => "DATETIME",
        TypeClass::TimestampUpper => "TIMESTAMP",
        TypeClass::TimeUpper => "TIME",
        TypeClass::JsonUpper => "JSON",
        TypeClass::BlobUpper => "BLOB",
        TypeClass::VarbinaryUpper => "VARBINARY",
        TypeClass::BinaryUpper => "BINARY",
        TypeClass::UuidUpper => "UUID",
        TypeClass::Null => "NullType",
    }
}

/// `repr(type_)` as SQLAlchemy's `util.generic_repr` writes it: the class
/// name and the constructor arguments that differ from their defaults, e.g.
/// `VARCHAR(length=200)`, `Text()`, `Numeric(precision=5, scale=1)`,
/// `Enum('dog', 'cat', name='species')`. Alembic logs it in "Detected type
/// change" lines and renders types as `sa.` + this (`_repr_type`).
pub fn type_repr(t: &SqlType) -> String {
    let mut args: Vec<String> = Vec::new();
    let length = |args: &mut Vec<String>| {
        if let Some(n) = t.length {
            args.push(format!("length={n}"));
        }
    };
    let collation = |args: &mut Vec<String>| {
        if let Some(c) = &t.collation {
            args.push(format!("collation={}", py_str(c)));
        }
    };
    match t.class {
        TypeClass::String
        | TypeClass::Text
        | TypeClass::Unicode
        | TypeClass::UnicodeText
        | TypeClass::AutoString
        | TypeClass::VarcharUpper
        | TypeClass::NVarcharUpper
        | TypeClass::CharUpper
        | TypeClass::NCharUpper
        | TypeClass::TextUpper
        | TypeClass::ClobUpper => {
            length(&mut args);
            collation(&mut args);
        }
        TypeClass::Boolean | TypeClass::BooleanUpper => {
            if t.create_constraint {
                args.push("create_constraint=True".to_string());
            }
            if let Some(n) = &t.constraint_name {
                args.push(format!("name={}", py_str(&n.value)));
            }
        }
        TypeClass::Enum => {
            let info = t.enum_.clone().unwrap_or_default();
            args.extend(info.values.iter().map(|v| py_str(v)));
            if let Some(n) = &info.name {
                args.push(format!("name={}", py_str(n)));
            }
            if !info.native_enum {
                args.push("native_enum=False".to_string());
            }
            if info.create_constraint || t.create_constraint {
                args.push("create_constraint=True".to_string());
            }
            if let Some(n) = info.length {
                args.push(format!("length={n}"));
            }
        }
        TypeClass::Numeric | TypeClass::NumericUpper | TypeClass::DecimalUpper => {
            numeric_args(t, &mut args, true);
        }
        TypeClass::Float
        | TypeClass::FloatUpper
        | TypeClass::RealUpper
        | TypeClass::Double
        | TypeClass::DoubleUpper
        | TypeClass::DoublePrecisionUpper => {
            numeric_args(t, &mut args, false);
        }
        TypeClass::UtcDateTime => {}
        TypeClass::DateTime
        | TypeClass::DateTimeUpper
        | TypeClass::TimestampUpper
        | TypeClass::Time
        | TypeClass::TimeUpper => {
            if t.timezone {
                args.push("timezone=True".to_string());
            }
        }
        TypeClass::Json | TypeClass::JsonUpper => {
            if t.none_as_null {
                args.push("none_as_null=True".to_string());
            }
        }
        TypeClass::LargeBinary | TypeClass::BlobUpper | TypeClass::VarbinaryUpper | TypeClass::BinaryUpper => {
            length(&mut args);
        }
        TypeClass::Uuid => {
            if t.as_uuid == Some(false) {
                args.push("as_uuid=False".to_string());
            }
            if t.native_uuid == Some(false) {
                args.push("native_uuid=False".to_string());
            }
        }
        TypeClass::UuidUpper => {
            if t.as_uuid == Some(false) {
                args.push("as_uuid=False".to_string());
            }
        }
        TypeClass::Integer
        | TypeClass::BigInteger
        | TypeClass::SmallInteger
        | TypeClass::IntegerUpper
        | TypeClass::BigIntUpper
        | TypeClass::SmallIntUpper
        | TypeClass::Date
        | TypeClass::DateUpper
        | TypeClass::Interval
        | TypeClass::Null => {}
    }
    format!("{}({})", type_class_name(t.class), args.join(", "))
}

/// `precision=`, `scale=`, `asdecimal=` (shown when it differs from the class
/// default: True for Numeric, False for Float).
fn numeric_args(t: &SqlType, args: &mut Vec<String>, asdecimal_default: bool) {
    if let Some(p) = t.precision {
        args.push(format!("precision={p}"));
    }
    if asdecimal_default {
        if let Some(s) = t.scale {
            args.push(format!("scale={s}"));
        }
    }
    if let Some(a) = t.asdecimal {
        if a != asdecimal_default {
            args.push(format!("asdecimal={}", if a { "True" } else { "False" }));
        }
    }
}

// ---------------------------------------------------------------------------
// indexes and unique constraints (`_compare_indexes_and_uniques`)

#[derive(Debug, Clone)]
enum SigObj {
    Index(Index),
    Unique(UniqueConstraint),
}

/// `_constraint_sig` over an `Index` or a `UniqueConstraint`.
#[derive(Debug, Clone)]
struct Sig {
    obj: SigObj,
    name: Option<String>,
    /// `column_names`: the real columns, in order.
    column_names: Vec<String>,
}

/// `unnamed`: sorted columns for a unique constraint, `(unique,) +
/// column_names_optional` for an index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Unnamed {
    Unique(Vec<String>),
    Index(bool, Vec<Option<String>>),
}

impl Sig {
    fn index(ix: &Index) -> Sig {
        Sig {
            name: ix.name.as_ref().map(|n| n.value.clone()),
            column_names: ix
                .columns
                .iter()
                .filter_map(|c| match c {
                    IndexColumn::Column(n) => Some(n.clone()),
                    IndexColumn::Expression(_) => None,
                })
                .collect(),
            obj: SigObj::Index(ix.clone()),
        }
    }
    fn unique(uq: &UniqueConstraint) -> Sig {
        Sig {
            name: uq.name.as_ref().map(|n| n.value.clone()),
            column_names: uq.columns.clone(),
            obj: SigObj::Unique(uq.clone()),
        }
    }
    fn is_index(&self) -> bool {
        matches!(self.obj, SigObj::Index(_))
    }
    fn unnamed(&self) -> Unnamed {
        match &self.obj {
            SigObj::Unique(uq) => {
                let mut cols = uq.columns.clone();
                cols.sort();
                Unnamed::Unique(cols)
            }
            SigObj::Index(ix) => Unnamed::Index(
                ix.unique,
                ix.columns
                    .iter()
                    .map(|c| match c {
                        IndexColumn::Column(n) => Some(n.clone()),
                        IndexColumn::Expression(_) => None,
                    })
                    .collect(),
            ),
        }
    }
}

fn compare_indexes_and_uniques(
    cx: &mut Cx,
    modify: &mut Vec<Op>,
    tname: &str,
    conn_table: Option<&Table>,
    meta_table: Option<&Table>,
) {
    let is_create_table = conn_table.is_none();
    let is_drop_table = meta_table.is_none();

    let meta_uniques: Vec<&UniqueConstraint> =
        meta_table.map(|t| t.unique_constraints.iter().collect()).unwrap_or_default();
    let mut meta_indexes: Vec<&Index> = meta_table.map(|t| t.indexes.iter().collect()).unwrap_or_default();
    // For DROP TABLE uniques are inline, not needed.
    let conn_uniques: Vec<&UniqueConstraint> = match conn_table {
        Some(t) if !is_drop_table => t.unique_constraints.iter().collect(),
        _ => Vec::new(),
    };
    let conn_indexes: Vec<&Index> = conn_table.map(|t| t.indexes.iter().collect()).unwrap_or_default();

    // SQLiteImpl.correct_for_autogen_constraints → _skip_functional_indexes:
    // SQLite reflection skips expression indexes, so model ones are dropped
    // from the comparison (with a Python warning, not a log line).
    let conn_index_names: BTreeSet<&str> =
        conn_indexes.iter().filter_map(|i| i.name.as_ref()).map(|n| n.value.as_str()).collect();
    let mut skipped = Vec::new();
    meta_indexes.retain(|ix| {
        let named_in_conn = ix.name.as_ref().is_some_and(|n| conn_index_names.contains(n.value.as_str()));
        let keep = named_in_conn || !ix.columns.iter().any(|c| matches!(c, IndexColumn::Expression(_)));
        if !keep {
            skipped.push(ix.name.as_ref().map(|n| py_str(&n.value)).unwrap_or_else(|| "None".into()));
        }
        keep
    });
    for name in skipped {
        cx.info(
            PY_WARNINGS,
            format!(
                "UserWarning: autogenerate skipping metadata-specified expression-based index {name}; dialect \
                 'sqlite' under SQLAlchemy 2.1.9 can't reflect these indexes so they can't be compared"
            ),
        );
    }

    let meta_uq_sigs: Vec<Sig> = meta_uniques.iter().map(|u| Sig::unique(u)).collect();
    let meta_ix_sigs: Vec<Sig> = meta_indexes.iter().map(|i| Sig::index(i)).collect();
    let conn_uq_sigs: Vec<Sig> = conn_uniques.iter().map(|u| Sig::unique(u)).collect();
    let conn_ix_sigs: Vec<Sig> = conn_indexes.iter().map(|i| Sig::index(i)).collect();

    // 5. index things by name
    let mut metadata_names: BTreeMap<Option<String>, Sig> = BTreeMap::new();
    for s in meta_uq_sigs.iter().filter(|s| s.name.is_some()).chain(meta_ix_sigs.iter()) {
        metadata_names.insert(s.name.clone(), s.clone());
    }
    let conn_uniques_by_name: BTreeMap<String, Sig> =
        conn_uq_sigs.iter().filter_map(|s| s.name.clone().map(|n| (n, s.clone()))).collect();
    let conn_indexes_by_name: BTreeMap<String, Sig> =
        conn_ix_sigs.iter().filter_map(|s| s.name.clone().map(|n| (n, s.clone()))).collect();
    let mut conn_names: BTreeMap<Option<String>, Sig> = BTreeMap::new();
    for (n, s) in conn_uniques_by_name.iter().chain(conn_indexes_by_name.iter()) {
        conn_names.insert(Some(n.clone()), s.clone());
    }
    let doubled: BTreeMap<String, (Sig, Sig)> = conn_uniques_by_name
        .iter()
        .filter_map(|(n, uq)| conn_indexes_by_name.get(n).map(|ix| (n.clone(), (uq.clone(), ix.clone()))))
        .collect();

    // 6. index things by column signature
    let conn_uniques_by_sig: BTreeSet<Unnamed> = conn_uq_sigs.iter().map(Sig::unnamed).collect();
    let metadata_uniques_by_sig: BTreeSet<Unnamed> = meta_uq_sigs.iter().map(Sig::unnamed).collect();
    // Unnamed model uniques, first occurrence of each signature, model order.
    let mut unnamed_metadata_uniques: Vec<(Unnamed, Sig)> = Vec::new();
    for s in meta_uq_sigs.iter().filter(|s| s.name.is_none()) {
        let key = s.unnamed();
        match unnamed_metadata_uniques.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = s.clone(),
            None => unnamed_metadata_uniques.push((key, s.clone())),
        }
    }
    let unnamed_meta_keys: BTreeSet<Unnamed> = unnamed_metadata_uniques.iter().map(|(k, _)| k.clone()).collect();

    let obj_added = |cx: &mut Cx, modify: &mut Vec<Op>, s: &Sig| match &s.obj {
        SigObj::Index(ix) => {
            modify.push(Op::CreateIndex { index: index_for_op(ix) });
            cx.info(
                LOG_CONSTRAINTS,
                format!("Detected added index {} on '{}'", py_opt_str(s.name.as_deref()), py_tuple(&s.column_names)),
            );
        }
        SigObj::Unique(uq) => {
            if is_create_table || is_drop_table {
                return;
            }
            modify.push(Op::CreateUniqueConstraint { table: tname.to_string(), constraint: uq.clone() });
            cx.info(
                LOG_CONSTRAINTS,
                format!(
                    "Detected added unique constraint {} on '{}'",
                    py_opt_str(s.name.as_deref()),
                    py_tuple(&s.column_names)
                ),
            );
        }
    };
    let obj_removed = |cx: &mut Cx, modify: &mut Vec<Op>, s: &Sig| match &s.obj {
        SigObj::Index(ix) => {
            modify.push(Op::DropIndex { index: ix.clone() });
            cx.info(
                LOG_CONSTRAINTS,
                format!("Detected removed index {} on {}", py_opt_str(s.name.as_deref()), py_str(tname)),
            );
        }
        SigObj::Unique(uq) => {
            if is_create_table || is_drop_table {
                return;
            }
            modify.push(drop_unique(tname, uq));
            cx.info(
                LOG_CONSTRAINTS,
                format!("Detected removed unique constraint {} on {}", py_opt_str(s.name.as_deref()), py_str(tname)),
            );
        }
    };

    // removed, by name
    for (removed_name, conn_obj) in conn_names.iter().filter(|(n, _)| !metadata_names.contains_key(*n)) {
        let doubled_pair = removed_name.as_ref().and_then(|n| doubled.get(n));
        if !conn_obj.is_index() && unnamed_meta_keys.contains(&conn_obj.unnamed()) {
            continue;
        } else if let Some((conn_uq, conn_ix)) = doubled_pair {
            if meta_ix_sigs.iter().all(|m| conn_ix.unnamed() != m.unnamed())
                && !metadata_uniques_by_sig.contains(&conn_uq.unnamed())
            {
                obj_removed(cx, modify, conn_uq);
                obj_removed(cx, modify, conn_ix);
            }
        } else {
            obj_removed(cx, modify, conn_obj);
        }
    }

    // existing, by name
    for (existing_name, meta_obj) in metadata_names.iter().filter(|(n, _)| conn_names.contains_key(*n)) {
        let conn_obj = match existing_name.as_ref().and_then(|n| doubled.get(n)) {
            Some((uq, ix)) => {
                if meta_obj.is_index() {
                    ix
                } else {
                    uq
                }
            }
            None => match conn_names.get(existing_name) {
                Some(c) => c,
                None => continue,
            },
        };
        if conn_obj.is_index() != meta_obj.is_index() {
            obj_removed(cx, modify, conn_obj);
            obj_added(cx, modify, meta_obj);
            continue;
        }
        let msg = match (&meta_obj.obj, &conn_obj.obj) {
            (SigObj::Index(m), SigObj::Index(c)) => {
                let mut msg = Vec::new();
                if m.unique != c.unique {
                    msg.push(format!("unique={} to unique={}", py_bool(c.unique), py_bool(m.unique)));
                }
                if meta_obj.column_names != conn_obj.column_names {
                    msg.push(format!(
                        "expression {} to {}",
                        py_tuple(&conn_obj.column_names),
                        py_tuple(&meta_obj.column_names)
                    ));
                }
                msg
            }
            (SigObj::Unique(_), SigObj::Unique(_)) => match (conn_obj.unnamed(), meta_obj.unnamed()) {
                (Unnamed::Unique(c), Unnamed::Unique(m)) if c != m => {
                    vec![format!("expression {} to {}", py_tuple(&c), py_tuple(&m))]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if msg.is_empty() {
            continue;
        }
        let what = if meta_obj.is_index() { "index" } else { "unique constraint" };
        cx.info(
            LOG_CONSTRAINTS,
            format!(
                "Detected changed {what} {} on {}: {}",
                py_opt_str(conn_obj.name.as_deref()),
                py_str(tname),
                msg.join(", ")
            ),
        );
        match (&conn_obj.obj, &meta_obj.obj) {
            (SigObj::Index(c), SigObj::Index(m)) => {
                modify.push(Op::DropIndex { index: c.clone() });
                modify.push(Op::CreateIndex { index: index_for_op(m) });
            }
            (SigObj::Unique(c), SigObj::Unique(m)) => {
                modify.push(drop_unique(tname, c));
                modify.push(Op::CreateUniqueConstraint { table: tname.to_string(), constraint: m.clone() });
            }
            _ => {}
        }
    }

    // added, by name
    for (_, meta_obj) in metadata_names.iter().filter(|(n, _)| !conn_names.contains_key(*n)) {
        obj_added(cx, modify, meta_obj);
    }

    // unnamed model uniques not in the database
    for (key, s) in &unnamed_metadata_uniques {
        if !conn_uniques_by_sig.contains(key) {
            obj_added(cx, modify, s);
        }
    }
}

fn drop_unique(tname: &str, uq: &UniqueConstraint) -> Op {
    Op::DropConstraint {
        table: tname.to_string(),
        name: uq.name.clone(),
        kind: Some(ConstraintKind::Unique),
        removed: Some(Constraint::Unique(uq.clone())),
    }
}

// ---------------------------------------------------------------------------
// foreign keys (`_compare_foreign_keys`)

/// `_fk_constraint_sig.unnamed`: columns, target, and the normalized options
/// (lower-cased, "no action" = none, deferrable/initially as one state).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct FkSig {
    source_table: String,
    source_columns: Vec<String>,
    target_table: String,
    target_columns: Vec<String>,
    options: Option<(Option<String>, Option<String>, &'static str)>,
}

fn fk_sig(table: &str, fk: &ForeignKeyConstraint, with_options: bool) -> FkSig {
    let norm = |o: &Option<String>| o.as_ref().map(|s| s.to_lowercase()).filter(|s| s != "no action" && !s.is_empty());
    let deferral = if fk.initially.as_ref().is_some_and(|i| i.eq_ignore_ascii_case("deferred")) {
        "initially_deferrable"
    } else if fk.deferrable == Some(true) {
        "deferrable"
    } else {
        "not deferrable"
    };
    FkSig {
        source_table: table.to_string(),
        source_columns: fk.columns.clone(),
        target_table: fk.referred_table.clone(),
        target_columns: fk.referred_columns.clone(),
        options: with_options.then(|| (norm(&fk.onupdate), norm(&fk.ondelete), deferral)),
    }
}

fn compare_foreign_keys(cx: &mut Cx, modify: &mut Vec<Op>, tname: &str, conn: &Table, meta: &Table) {
    // SQLite's inspector always returns "options": compare with them, unless
    // the table has no FK at all (then Alembic compares without options).
    let with_options = !conn.foreign_keys.is_empty();
    let keyed = |t: &Table| {
        let mut out: Vec<(FkSig, ForeignKeyConstraint)> = Vec::new();
        for fk in &t.foreign_keys {
            let sig = fk_sig(tname, fk, with_options);
            match out.iter_mut().find(|(s, _)| *s == sig) {
                Some(slot) => slot.1 = fk.clone(),
                None => out.push((sig, fk.clone())),
            }
        }
        out
    };
    let conn_fks = keyed(conn);
    let meta_fks = keyed(meta);
    let log_line = |verb: &str, fk: &ForeignKeyConstraint| {
        format!(
            "Detected {verb} foreign key ({})({}) on table {tname}",
            fk.columns.join(", "),
            fk.referred_columns.join(", ")
        )
    };
    for (sig, fk) in &conn_fks {
        if meta_fks.iter().any(|(m, _)| m == sig) {
            continue;
        }
        modify.push(Op::DropConstraint {
            table: tname.to_string(),
            name: fk.name.clone(),
            kind: Some(ConstraintKind::ForeignKey),
            removed: Some(Constraint::ForeignKey(fk.clone())),
        });
        cx.info(LOG_CONSTRAINTS, log_line("removed", fk));
    }
    for (sig, fk) in &meta_fks {
        if conn_fks.iter().any(|(c, _)| c == sig) {
            continue;
        }
        modify.push(Op::CreateForeignKey { table: tname.to_string(), constraint: fk.clone() });
        cx.info(LOG_CONSTRAINTS, log_line("added", fk));
    }
}

/// The index a `CreateIndexOp` carries. `CreateIndexOp.to_index()` rebuilds
/// the index on a fresh `MetaData()`, whose default naming convention
/// (`ix_%(column_0_label)s`) names an unnamed one: a model whose own
/// convention has no `"ix"` key still gets `op.f('ix_<table>_<column>')`.
fn index_for_op(ix: &Index) -> Index {
    let mut ix = ix.clone();
    if ix.name.is_none() {
        if let Some(IndexColumn::Column(first)) = ix.columns.first() {
            ix.name = Some(Name::conv(format!("ix_{}_{}", ix.table, first)));
        }
    }
    ix
}

// ---------------------------------------------------------------------------
// Python reprs for log lines

/// `repr(str)`, as Python writes it.
pub fn py_str(s: &str) -> String {
    crate::render::py_repr_str(s)
}

fn py_opt_str(s: Option<&str>) -> String {
    s.map(py_str).unwrap_or_else(|| "None".to_string())
}

/// `repr(tuple_of_str)`: `('a',)`, `('a', 'b')`, `()`.
pub fn py_tuple(items: &[String]) -> String {
    match items {
        [one] => format!("({},)", py_str(one)),
        _ => format!("({})", items.iter().map(|s| py_str(s)).collect::<Vec<_>>().join(", ")),
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}
