//! `metadata_to_json`: a canonical JSON dump of a `MetaData`, in exactly the
//! format `tests/differential/dump_metadata.py` prints for real SQLAlchemy, so
//! the two can be compared value for value.
//!
//! Invariants:
//! - Deterministic: object keys sorted, constraints and indexes sorted by their
//!   compact JSON text (SQLAlchemy keeps them in sets; Alembic sorts them when
//!   rendering), columns and PK columns in table order, tables in
//!   `table_order`.
//! - Type fields follow the Python class hierarchy (`Enum` ⊂ `String`,
//!   `Double` ⊂ `Float` ⊂ `Numeric`, ...) with effective values (class
//!   defaults filled in), so `None`-means-default never shows.

use std::collections::BTreeMap;

use crate::python::repr::write_json_str;
use crate::schema::{Autoincrement, Column, IndexColumn, MetaData, Name, ServerDefault, SqlType, Table, TypeClass};

/// A JSON value with sorted object keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

impl Json {
    fn obj(items: Vec<(&str, Json)>) -> Json {
        Json::Object(items.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// Compact text, `json.dumps(..., sort_keys=True, separators=(",", ":"))`.
    pub fn compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// Indented text, like `json.dumps(..., indent=1, sort_keys=True)`.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(1), 0);
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, depth: usize) {
        let newline = |out: &mut String, d: usize| {
            if let Some(n) = indent {
                out.push('\n');
                out.push_str(&" ".repeat(n * d));
            }
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => out.push_str(&i.to_string()),
            Json::Str(s) => write_json_str(out, s),
            Json::Array(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        if indent.is_none() {
                            out.push(' ');
                        }
                    }
                    newline(out, depth + 1);
                    item.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            Json::Object(map) => {
                if map.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        if indent.is_none() {
                            out.push(' ');
                        }
                    }
                    newline(out, depth + 1);
                    write_json_str(out, k);
                    out.push_str(": ");
                    v.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
        }
    }
}

fn opt_str(s: &Option<String>) -> Json {
    s.as_ref().map(|s| Json::Str(s.clone())).unwrap_or(Json::Null)
}

fn name_json(n: &Option<Name>) -> Json {
    match n {
        None => Json::Null,
        Some(n) => Json::obj(vec![("value", Json::Str(n.value.clone())), ("conv", Json::Bool(n.conv))]),
    }
}

fn strs(v: &[String]) -> Json {
    Json::Array(v.iter().map(|s| Json::Str(s.clone())).collect())
}

/// The SQLAlchemy (or SQLModel) class name a `TypeClass` stands for.
pub fn python_class_name(class: TypeClass) -> &'static str {
    use TypeClass::*;
    match class {
        Integer => "Integer",
        BigInteger => "BigInteger",
        SmallInteger => "SmallInteger",
        String => "String",
        Text => "Text",
        Unicode => "Unicode",
        UnicodeText => "UnicodeText",
        Boolean => "Boolean",
        Enum => "Enum",
        Numeric => "Numeric",
        Float => "Float",
        Double => "Double",
        Date => "Date",
        DateTime => "DateTime",
        Time => "Time",
        Interval => "Interval",
        PickleType => "PickleType",
        Json => "JSON",
        LargeBinary => "LargeBinary",
        Uuid => "Uuid",
        AutoString => "AutoString",
        UtcDateTime => "UTCDateTime",
        IntegerUpper => "INTEGER",
        BigIntUpper => "BIGINT",
        SmallIntUpper => "SMALLINT",
        VarcharUpper => "VARCHAR",
        NVarcharUpper => "NVARCHAR",
        CharUpper => "CHAR",
        NCharUpper => "NCHAR",
        TextUpper => "TEXT",
        ClobUpper => "CLOB",
        BooleanUpper => "BOOLEAN",
        NumericUpper => "NUMERIC",
        DecimalUpper => "DECIMAL",
        FloatUpper => "FLOAT",
        RealUpper => "REAL",
        DoubleUpper => "DOUBLE",
        DoublePrecisionUpper => "DOUBLE_PRECISION",
        DateUpper => "DATE",
        DateTimeUpper => "DATETIME",
        TimestampUpper => "TIMESTAMP",
        TimeUpper => "TIME",
        JsonUpper => "JSON",
        JsonbUpper => "JSONB",
        BlobUpper => "BLOB",
        VarbinaryUpper => "VARBINARY",
        BinaryUpper => "BINARY",
        UuidUpper => "UUID",
        Null => "NullType",
        Unrenderable(u) => u.name,
    }
}

/// Enum's effective `length`: as given, else the longest value.
pub fn enum_length(t: &SqlType) -> u32 {
    match &t.enum_ {
        Some(e) => e.length.unwrap_or_else(|| e.values.iter().map(|v| v.chars().count() as u32).max().unwrap_or(0)),
        None => 0,
    }
}

fn type_json(t: &SqlType) -> Json {
    if let Some(d) = &t.decorated {
        let seen = SqlType { decorated: None, ..t.clone() };
        return Json::obj(vec![
            ("class", Json::Str(d.class.clone())),
            ("module", Json::Str(d.module.clone())),
            ("impl", type_json(&d.impl_type)),
            ("sqlite", type_json(&seen)),
        ]);
    }
    if let Some(v) = &t.variant_of {
        // the base type, plus `_variant_mapping` by dialect
        let mut base = type_json(&v.base);
        if let Json::Object(m) = &mut base {
            let variants: BTreeMap<String, Json> = v.variants.iter().map(|(d, vt)| (d.clone(), type_json(vt))).collect();
            m.insert("variants".into(), Json::Object(variants));
        }
        return base;
    }
    use TypeClass as T;
    let c = t.class;
    let mut m: BTreeMap<String, Json> = BTreeMap::new();
    m.insert("class".into(), Json::Str(python_class_name(c).into()));
    if c == T::Enum {
        let e = t.enum_.clone().unwrap_or_default();
        m.insert(
            "enum".into(),
            Json::obj(vec![
                ("values", strs(&e.values)),
                ("name", opt_str(&e.name)),
                ("native_enum", Json::Bool(e.native_enum)),
                ("create_constraint", Json::Bool(e.create_constraint)),
                ("length", Json::Int(enum_length(t) as i64)),
                ("enum_class", opt_str(&e.enum_class)),
            ]),
        );
        return Json::Object(m);
    }
    let length = || t.length.map(|l| Json::Int(l as i64)).unwrap_or(Json::Null);
    let is_string = matches!(
        c,
        T::String
            | T::Text
            | T::Unicode
            | T::UnicodeText
            | T::VarcharUpper
            | T::NVarcharUpper
            | T::CharUpper
            | T::NCharUpper
            | T::TextUpper
            | T::ClobUpper
    );
    if is_string || matches!(c, T::AutoString | T::LargeBinary | T::BlobUpper | T::VarbinaryUpper | T::BinaryUpper) {
        m.insert("length".into(), length());
    }
    if is_string {
        m.insert("collation".into(), opt_str(&t.collation));
    }
    let is_float =
        matches!(c, T::Float | T::Double | T::FloatUpper | T::RealUpper | T::DoubleUpper | T::DoublePrecisionUpper);
    if is_float || matches!(c, T::Numeric | T::NumericUpper | T::DecimalUpper) {
        m.insert("precision".into(), t.precision.map(|p| Json::Int(p as i64)).unwrap_or(Json::Null));
        let scale = if is_float { Json::Null } else { t.scale.map(|p| Json::Int(p as i64)).unwrap_or(Json::Null) };
        m.insert("scale".into(), scale);
        m.insert("asdecimal".into(), Json::Bool(t.asdecimal.unwrap_or(!is_float)));
    }
    if matches!(c, T::DateTime | T::DateTimeUpper | T::TimestampUpper | T::Time | T::TimeUpper) {
        m.insert("timezone".into(), Json::Bool(t.timezone));
    }
    if matches!(c, T::Boolean | T::BooleanUpper) {
        m.insert("create_constraint".into(), Json::Bool(t.create_constraint));
        m.insert("constraint_name".into(), name_json(&t.constraint_name));
    }
    if matches!(c, T::Uuid | T::UuidUpper) {
        m.insert("as_uuid".into(), Json::Bool(t.as_uuid.unwrap_or(true)));
        m.insert("native_uuid".into(), Json::Bool(t.native_uuid.unwrap_or(true)));
    }
    if matches!(c, T::Json | T::JsonUpper | T::JsonbUpper) {
        m.insert("none_as_null".into(), Json::Bool(t.none_as_null));
    }
    Json::Object(m)
}

fn column_json(c: &Column) -> Json {
    let auto = match c.autoincrement {
        Autoincrement::Auto => Json::Str("auto".into()),
        Autoincrement::True => Json::Bool(true),
        Autoincrement::False => Json::Bool(false),
        Autoincrement::IgnoreFk => Json::Str("ignore_fk".into()),
    };
    let sd = match &c.server_default {
        None => Json::Null,
        Some(ServerDefault::Literal(s)) => Json::obj(vec![("literal", Json::Str(s.clone()))]),
        Some(ServerDefault::Text(s)) => Json::obj(vec![("text", Json::Str(s.clone()))]),
    };
    let computed = match &c.computed {
        None => Json::Null,
        Some(cp) => Json::obj(vec![
            ("sqltext", Json::Str(cp.sqltext.clone())),
            ("persisted", cp.persisted.map(Json::Bool).unwrap_or(Json::Null)),
        ]),
    };
    Json::obj(vec![
        ("name", Json::Str(c.name.clone())),
        ("type", type_json(&c.type_)),
        ("nullable", Json::Bool(c.nullable)),
        ("primary_key", Json::Bool(c.primary_key)),
        ("autoincrement", auto),
        ("server_default", sd),
        ("computed", computed),
        ("comment", opt_str(&c.comment)),
    ])
}

fn sorted(mut items: Vec<Json>) -> Json {
    items.sort_by_cached_key(|j| j.compact());
    Json::Array(items)
}

fn table_json(t: &Table) -> Json {
    let pk = match &t.primary_key {
        Some(pk) if !pk.columns.is_empty() => {
            Json::obj(vec![("name", name_json(&pk.name)), ("columns", strs(&pk.columns))])
        }
        _ => Json::Null,
    };
    let fks = t
        .foreign_keys
        .iter()
        .map(|f| {
            Json::obj(vec![
                ("name", name_json(&f.name)),
                ("columns", strs(&f.columns)),
                ("referred_table", Json::Str(f.referred_table.clone())),
                ("referred_columns", strs(&f.referred_columns)),
                ("ondelete", opt_str(&f.ondelete)),
                ("onupdate", opt_str(&f.onupdate)),
                ("deferrable", f.deferrable.map(Json::Bool).unwrap_or(Json::Null)),
                ("initially", opt_str(&f.initially)),
                ("use_alter", Json::Bool(f.use_alter)),
            ])
        })
        .collect();
    let uqs = t
        .unique_constraints
        .iter()
        .map(|u| Json::obj(vec![("name", name_json(&u.name)), ("columns", strs(&u.columns))]))
        .collect();
    let cks = t
        .check_constraints
        .iter()
        .map(|c| Json::obj(vec![("name", name_json(&c.name)), ("sqltext", Json::Str(c.sqltext.clone()))]))
        .collect();
    let ixs = t
        .indexes
        .iter()
        .map(|ix| {
            let cols = ix
                .columns
                .iter()
                .map(|c| match c {
                    IndexColumn::Column(n) => Json::obj(vec![("column", Json::Str(n.clone()))]),
                    IndexColumn::Expression(e) => Json::obj(vec![("expression", Json::Str(e.clone()))]),
                })
                .collect();
            Json::obj(vec![
                ("name", name_json(&ix.name)),
                ("columns", Json::Array(cols)),
                ("unique", Json::Bool(ix.unique)),
            ])
        })
        .collect();
    Json::obj(vec![
        ("name", Json::Str(t.name.clone())),
        ("columns", Json::Array(t.columns.iter().map(column_json).collect())),
        ("primary_key", pk),
        ("foreign_keys", sorted(fks)),
        ("unique_constraints", sorted(uqs)),
        ("check_constraints", sorted(cks)),
        ("indexes", sorted(ixs)),
        ("comment", opt_str(&t.comment)),
    ])
}

/// The canonical JSON value of a `MetaData` (see the module doc).
pub fn metadata_json(md: &MetaData) -> Json {
    let nc = md.naming_convention.iter().map(|(k, v)| (k.clone(), Json::Str(v.clone()))).collect();
    Json::obj(vec![
        ("naming_convention", Json::Object(nc)),
        ("tables", Json::Array(md.tables_in_order().map(table_json).collect())),
    ])
}
