//! Builders for autogenerate fixtures, "what SQLite reflection gives back"
//! for a model table, and a small Alembic-style script writer used only to
//! compare ops with the scripts real Alembic wrote.
#![allow(dead_code)]

use alembic_engine::autogen::{py_str, type_repr};
use alembic_engine::ops::{AlterColumn, Op};
use alembic_engine::schema::{
    CheckConstraint, Column, EnumInfo, ForeignKeyConstraint, Index, IndexColumn, MetaData, Name, PrimaryKeyConstraint,
    ServerDefault, SqlType, Table, TypeClass, UniqueConstraint,
};

// ---------------------------------------------------------------- builders

pub fn ty(class: TypeClass) -> SqlType {
    SqlType::new(class)
}
pub fn ty_len(class: TypeClass, n: u32) -> SqlType {
    SqlType::new(class).with_length(Some(n))
}
pub fn numeric(class: TypeClass, p: u32, s: u32) -> SqlType {
    let mut t = SqlType::new(class);
    t.precision = Some(p);
    t.scale = Some(s);
    t
}
/// `sa.Enum('a', 'b', name='n')` (native_enum default True).
pub fn enum_ty(values: &[&str], name: Option<&str>) -> SqlType {
    let mut t = SqlType::new(TypeClass::Enum);
    t.enum_ = Some(EnumInfo {
        values: values.iter().map(|s| s.to_string()).collect(),
        name: name.map(str::to_string),
        native_enum: true,
        ..EnumInfo::default()
    });
    t
}

pub fn col(name: &str, type_: SqlType) -> Column {
    Column::new(name, type_)
}

pub trait ColumnExt {
    fn not_null(self) -> Self;
    fn pk(self) -> Self;
    fn default_lit(self, s: &str) -> Self;
    fn default_text(self, s: &str) -> Self;
}

impl ColumnExt for Column {
    fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }
    fn pk(mut self) -> Self {
        self.primary_key = true;
        self.nullable = false;
        self
    }
    fn default_lit(mut self, s: &str) -> Self {
        self.server_default = Some(ServerDefault::Literal(s.to_string()));
        self
    }
    fn default_text(mut self, s: &str) -> Self {
        self.server_default = Some(ServerDefault::Text(s.to_string()));
        self
    }
}

/// A table whose unnamed PK is made of the columns flagged `pk()`.
pub fn table(name: &str, columns: Vec<Column>) -> Table {
    let pk: Vec<String> = columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
    let mut t = Table::new(name);
    t.columns = columns;
    if !pk.is_empty() {
        t.primary_key = Some(PrimaryKeyConstraint { name: None, columns: pk });
    }
    t
}

pub fn fk(cols: &[&str], target: &str, target_cols: &[&str]) -> ForeignKeyConstraint {
    ForeignKeyConstraint {
        name: None,
        columns: cols.iter().map(|s| s.to_string()).collect(),
        referred_table: target.to_string(),
        referred_columns: target_cols.iter().map(|s| s.to_string()).collect(),
        ondelete: None,
        onupdate: None,
        deferrable: None,
        initially: None,
        use_alter: false,
    }
}

pub fn uq(name: Option<Name>, cols: &[&str]) -> UniqueConstraint {
    UniqueConstraint { name, columns: cols.iter().map(|s| s.to_string()).collect() }
}

pub fn ix(name: Name, table: &str, cols: &[&str], unique: bool) -> Index {
    Index {
        name: Some(name),
        table: table.to_string(),
        columns: cols.iter().map(|s| IndexColumn::Column(s.to_string())).collect(),
        unique,
        sqlite_where: None,
        unique_int: false,
    }
}

pub fn metadata(tables: Vec<Table>) -> MetaData {
    let mut m = MetaData::default();
    for t in tables {
        m.add_table(t);
    }
    m
}

// ------------------------------------------------ reflection equivalent

/// The type SQLAlchemy's SQLite dialect reflects for a column created from
/// `t` (checked with `inspect(engine).get_columns()` on a database real
/// Alembic created): the DDL type name looked up in `ischema_names`.
pub fn reflected_type(t: &SqlType) -> SqlType {
    let mut r = match t.class {
        TypeClass::Integer | TypeClass::IntegerUpper => ty(TypeClass::IntegerUpper),
        TypeClass::BigInteger | TypeClass::BigIntUpper => ty(TypeClass::BigIntUpper),
        TypeClass::SmallInteger | TypeClass::SmallIntUpper => ty(TypeClass::SmallIntUpper),
        TypeClass::String | TypeClass::Unicode | TypeClass::AutoString | TypeClass::VarcharUpper => {
            SqlType::new(TypeClass::VarcharUpper).with_length(t.length)
        }
        TypeClass::NVarcharUpper => SqlType::new(TypeClass::NVarcharUpper).with_length(t.length),
        TypeClass::CharUpper => SqlType::new(TypeClass::CharUpper).with_length(t.length),
        TypeClass::NCharUpper => SqlType::new(TypeClass::NCharUpper).with_length(t.length),
        TypeClass::Text | TypeClass::UnicodeText | TypeClass::TextUpper | TypeClass::ClobUpper => {
            SqlType::new(TypeClass::TextUpper).with_length(t.length)
        }
        TypeClass::Boolean | TypeClass::BooleanUpper => ty(TypeClass::BooleanUpper),
        TypeClass::Enum => {
            let info = t.enum_.clone().unwrap_or_default();
            let n =
                info.length.unwrap_or_else(|| info.values.iter().map(|v| v.chars().count() as u32).max().unwrap_or(0));
            SqlType::new(TypeClass::VarcharUpper).with_length((n > 0).then_some(n))
        }
        TypeClass::Numeric | TypeClass::NumericUpper => {
            let mut r = ty(TypeClass::NumericUpper);
            r.precision = t.precision;
            r.scale = if t.precision.is_some() { t.scale } else { None };
            r
        }
        TypeClass::DecimalUpper => {
            let mut r = ty(TypeClass::DecimalUpper);
            r.precision = t.precision;
            r.scale = if t.precision.is_some() { t.scale } else { None };
            r
        }
        TypeClass::Float | TypeClass::FloatUpper => ty(TypeClass::FloatUpper),
        TypeClass::RealUpper | TypeClass::DoublePrecisionUpper => ty(TypeClass::RealUpper),
        TypeClass::Double | TypeClass::DoubleUpper => ty(TypeClass::DoubleUpper),
        TypeClass::Date | TypeClass::DateUpper => ty(TypeClass::DateUpper),
        TypeClass::DateTime | TypeClass::UtcDateTime | TypeClass::DateTimeUpper | TypeClass::Interval => ty(TypeClass::DateTimeUpper),
        TypeClass::TimestampUpper => ty(TypeClass::TimestampUpper),
        TypeClass::Time | TypeClass::TimeUpper => ty(TypeClass::TimeUpper),
        TypeClass::Json | TypeClass::JsonUpper => ty(TypeClass::JsonUpper),
        TypeClass::JsonbUpper => ty(TypeClass::JsonbUpper),
        TypeClass::LargeBinary | TypeClass::BlobUpper | TypeClass::PickleType => ty(TypeClass::BlobUpper),
        // No INT/CHAR/CLOB/TEXT/BLOB/REAL/FLOA/DOUB in the name: NUMERIC affinity.
        TypeClass::VarbinaryUpper | TypeClass::BinaryUpper => {
            let mut r = ty(TypeClass::NumericUpper);
            r.precision = t.length;
            r
        }
        TypeClass::Uuid => ty_len(TypeClass::CharUpper, 32),
        TypeClass::UuidUpper => ty(TypeClass::NumericUpper),
        TypeClass::Null => ty(TypeClass::Null),
        TypeClass::Unrenderable(u) => panic!("{u:?} has no DDL on SQLite: no column of it is reflected"),
    };
    r.collation = None;
    r
}

/// What `get_columns()` reports as `default`: a plain string default comes
/// back quoted (`'0'`), an expression without its outer parentheses.
fn reflected_default(d: &ServerDefault) -> ServerDefault {
    match d {
        ServerDefault::Literal(s) => ServerDefault::Text(format!("'{}'", s.replace('\'', "''"))),
        ServerDefault::Text(s) => {
            let inner = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')).unwrap_or(s);
            ServerDefault::Text(inner.to_string())
        }
    }
}

/// "What SQLite reflection gives back" for a model table that Alembic
/// created: reflected types and defaults, plain names, expression indexes
/// skipped, unnamed uniques kept unnamed.
pub fn reflect_equivalent(t: &Table) -> Table {
    let plain = |n: &Option<Name>| n.as_ref().map(|n| Name::plain(n.value.clone()));
    let mut r = Table::new(&t.name);
    r.columns = t
        .columns
        .iter()
        .map(|c| {
            let mut rc = Column::new(&c.name, reflected_type(&c.type_));
            rc.nullable = c.nullable;
            rc.primary_key = c.primary_key;
            rc.server_default = c.server_default.as_ref().map(reflected_default);
            rc
        })
        .collect();
    r.primary_key =
        t.primary_key.as_ref().map(|pk| PrimaryKeyConstraint { name: plain(&pk.name), columns: pk.columns.clone() });
    r.foreign_keys =
        t.foreign_keys.iter().map(|f| ForeignKeyConstraint { name: plain(&f.name), ..f.clone() }).collect();
    r.unique_constraints = t
        .unique_constraints
        .iter()
        .map(|u| UniqueConstraint { name: plain(&u.name), columns: u.columns.clone() })
        .collect();
    r.check_constraints = t
        .check_constraints
        .iter()
        .filter(|c| c.name.is_some())
        .map(|c| CheckConstraint { name: plain(&c.name), sqltext: c.sqltext.clone() })
        .collect();
    r.indexes = t
        .indexes
        .iter()
        .filter(|i| i.columns.iter().all(|c| matches!(c, IndexColumn::Column(_))))
        .map(|i| Index { name: plain(&i.name), ..i.clone() })
        .collect();
    r
}

pub fn reflect_metadata(m: &MetaData) -> MetaData {
    metadata(m.tables_in_order().map(reflect_equivalent).collect())
}

// ------------------------------------------------ Alembic-style script text

fn name_arg(n: &Option<Name>, prefix: &str) -> String {
    match n {
        None => "None".to_string(),
        Some(n) if n.conv => format!("{prefix}.f({})", py_str(&n.value)),
        Some(n) => py_str(&n.value),
    }
}

fn type_text(t: &SqlType) -> String {
    match t.class {
        TypeClass::AutoString => format!("sqlmodel.sql.sqltypes.{}", type_repr(t)),
        TypeClass::JsonUpper => format!("sqlite.{}", type_repr(t)),
        _ => format!("sa.{}", type_repr(t)),
    }
}

fn default_text(d: &ServerDefault) -> String {
    match d {
        ServerDefault::Literal(s) => py_str(s),
        ServerDefault::Text(s) => format!("sa.text({})", py_str(s)),
    }
}

fn column_text(c: &Column) -> String {
    let mut s = format!("sa.Column({}, {}", py_str(&c.name), type_text(&c.type_));
    if let Some(d) = &c.server_default {
        s += &format!(", server_default={}", default_text(d));
    }
    s += &format!(", nullable={})", if c.nullable { "True" } else { "False" });
    s
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| py_str(s)).collect::<Vec<_>>().join(", "))
}

fn fk_opts(f: &ForeignKeyConstraint) -> Vec<String> {
    let mut o = Vec::new();
    if let Some(v) = &f.onupdate {
        o.push(format!("onupdate={}", py_str(v)));
    }
    if let Some(v) = &f.ondelete {
        o.push(format!("ondelete={}", py_str(v)));
    }
    if let Some(v) = &f.initially {
        o.push(format!("initially={}", py_str(v)));
    }
    if f.deferrable == Some(true) {
        o.push("deferrable=True".to_string());
    }
    o
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Lines of an `upgrade()` / `downgrade()` body for the ops autogenerate
/// makes, in Alembic's layout (blank lines and comments left out).
pub fn script(ops: &[Op]) -> Vec<String> {
    let mut out = Vec::new();
    for op in ops {
        write_op(op, "op", "    ", &mut out);
    }
    out
}

fn write_op(op: &Op, p: &str, ind: &str, out: &mut Vec<String>) {
    match op {
        Op::CreateTable { table, .. } => {
            out.push(format!("{ind}op.create_table({},", py_str(&table.name)));
            let mut items: Vec<String> = table.columns.iter().map(column_text).collect();
            for c in &table.check_constraints {
                let name = c.name.as_ref().map(|_| format!(", name={}", name_arg(&c.name, "op"))).unwrap_or_default();
                items.push(format!("sa.CheckConstraint({}{name})", py_str(&c.sqltext)));
            }
            for f in &table.foreign_keys {
                let cols: Vec<String> = f.columns.clone();
                let targets: Vec<String> =
                    f.referred_columns.iter().map(|c| format!("{}.{c}", f.referred_table)).collect();
                let mut opts = Vec::new();
                if f.name.is_some() {
                    opts.push(format!("name={}", name_arg(&f.name, "op")));
                }
                opts.extend(fk_opts(f));
                if opts.is_empty() {
                    items.push(format!("sa.ForeignKeyConstraint({}, {}, )", list(&cols), list(&targets)));
                } else {
                    items.push(format!(
                        "sa.ForeignKeyConstraint({}, {}, {})",
                        list(&cols),
                        list(&targets),
                        opts.join(", ")
                    ));
                }
            }
            if let Some(pk) = &table.primary_key {
                let mut args: Vec<String> = pk.columns.iter().map(|c| py_str(c)).collect();
                if pk.name.is_some() {
                    args.push(format!("name={}", name_arg(&pk.name, "op")));
                }
                items.push(format!("sa.PrimaryKeyConstraint({})", args.join(", ")));
            }
            for u in &table.unique_constraints {
                let mut args: Vec<String> = u.columns.iter().map(|c| py_str(c)).collect();
                if u.name.is_some() {
                    args.push(format!("name={}", name_arg(&u.name, "op")));
                }
                items.push(format!("sa.UniqueConstraint({})", args.join(", ")));
            }
            let n = items.len();
            for (i, it) in items.into_iter().enumerate() {
                out.push(format!("{ind}{it}{}", if i + 1 < n { "," } else { "" }));
            }
            out.push(format!("{ind})"));
        }
        Op::DropTable { table, .. } => out.push(format!("{ind}op.drop_table({})", py_str(&table.name))),
        Op::AddColumn { column, .. } => out.push(format!("{ind}{p}.add_column({})", column_text(column))),
        Op::DropColumn { column, .. } => out.push(format!("{ind}{p}.drop_column({})", py_str(&column.name))),
        Op::AlterColumn(a) => write_alter(a, p, ind, out),
        Op::CreateIndex { index, .. } => {
            let cols: Vec<String> = index.columns.iter().map(|c| c.as_str().to_string()).collect();
            out.push(format!(
                "{ind}{p}.create_index({}, {}, unique={})",
                name_arg(&index.name, p),
                list(&cols),
                bool_text(index.unique)
            ));
        }
        Op::DropIndex { index, .. } => out.push(format!("{ind}{p}.drop_index({})", name_arg(&index.name, p))),
        Op::CreateUniqueConstraint { constraint, .. } => out.push(format!(
            "{ind}{p}.create_unique_constraint({}, {})",
            name_arg(&constraint.name, p),
            list(&constraint.columns)
        )),
        Op::CreateForeignKey { constraint, .. } => {
            let mut args = vec![
                name_arg(&constraint.name, p),
                py_str(&constraint.referred_table),
                list(&constraint.columns),
                list(&constraint.referred_columns),
            ];
            args.extend(fk_opts(constraint));
            out.push(format!("{ind}{p}.create_foreign_key({})", args.join(", ")));
        }
        Op::DropConstraint { name, kind, .. } => {
            let kind = kind.map(|k| format!(", type_={}", py_str(k.as_str()))).unwrap_or_default();
            out.push(format!("{ind}{p}.drop_constraint({}{kind})", name_arg(name, p)));
        }
        Op::BatchAlterTable(b) => {
            out.push(format!("{ind}with op.batch_alter_table({}, schema=None) as batch_op:", py_str(&b.table)));
            for op in &b.ops {
                write_op(op, "batch_op", &format!("{ind}    "), out);
            }
        }
        Op::CreateCheckConstraint { .. } | Op::CreatePrimaryKey { .. } | Op::RenameTable { .. } | Op::Execute { .. } | Op::BulkInsert { .. } => {
            out.push(format!("{ind}<unexpected {op:?}>"))
        }
    }
}

fn write_alter(a: &AlterColumn, p: &str, ind: &str, out: &mut Vec<String>) {
    let pad = format!("{ind}       ");
    let mut parts = vec![format!("{ind}{p}.alter_column({}", py_str(&a.column))];
    if let Some(t) = &a.existing_type {
        parts.push(format!("{pad}existing_type={}", type_text(t)));
    }
    if let Some(t) = &a.modify_type {
        parts.push(format!("{pad}type_={}", type_text(t)));
    }
    if let Some(n) = a.modify_nullable {
        parts.push(format!("{pad}nullable={}", bool_text(n)));
    } else if let Some(n) = a.existing_nullable {
        parts.push(format!("{pad}existing_nullable={}", bool_text(n)));
    }
    if let Some(ai) = a.modify_autoincrement {
        parts.push(format!("{pad}autoincrement={}", bool_text(ai)));
    }
    if let Some(Some(d)) = &a.existing_server_default {
        parts.push(format!("{pad}existing_server_default={}", default_text(d)));
    }
    let n = parts.len();
    for (i, part) in parts.into_iter().enumerate() {
        out.push(format!("{part}{}", if i + 1 < n { "," } else { ")" }));
    }
}

/// Splits an expected script body into trimmed-right lines, dropping blank
/// lines and comments.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect()
}

pub fn log_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let rest = l.strip_prefix("INFO  [")?;
            let (logger, msg) = rest.split_once("] ")?;
            Some((logger.to_string(), msg.to_string()))
        })
        .collect()
}
