//! `alembic/autogenerate/compare/types.py` (`_compare_type_setup`,
//! `_dialect_impl_compare_type`) and `DefaultImpl.compare_type` with SQLite's
//! type compiler; also `repr(type_)` for the "Detected type change" lines.
//!
//! Invariants: types are compared through the DDL text SQLite would be given,
//! never through the Rust enum; a `NullType` on either side is not compared
//! (with Alembic's log line).

use super::{py_str, Cx, LOG_TYPES};
use crate::schema::{Column, SqlType, TypeClass};

/// `_compare_type_setup`: false (with a log line) when either side has no type.
pub(super) fn compare_type_setup(cx: &mut Cx, tname: &str, cname: &str, conn_col: &Column, meta_col: &Column) -> bool {
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
    if c == m {
        // The same text tokenizes the same: the first words, extra words
        // and arguments all match.
        return false;
    }
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
        TypeClass::PickleType => "PickleType",
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
        TypeClass::JsonbUpper => "JSONB",
        TypeClass::BlobUpper => "BLOB",
        TypeClass::VarbinaryUpper => "VARBINARY",
        TypeClass::BinaryUpper => "BINARY",
        TypeClass::UuidUpper => "UUID",
        TypeClass::Null => "NullType",
        TypeClass::Unrenderable(u) => u.name,
    }
}

/// `repr(type_)` as SQLAlchemy's `util.generic_repr` writes it: the class
/// name and the constructor arguments that differ from their defaults, e.g.
/// `VARCHAR(length=200)`, `Text()`, `Numeric(precision=5, scale=1)`,
/// `Enum('dog', 'cat', name='species')`. Alembic logs it in "Detected type
/// change" lines and renders types as `sa.` + this (`_repr_type`).
pub fn type_repr(t: &SqlType) -> String {
    if let Some(d) = &t.decorated {
        // `TypeDecorator.__repr__`: its own class name, the impl's arguments
        let inner = if d.impl_type.decorated.is_some() { String::new() } else { type_repr(&d.impl_type) };
        let args = inner.find('(').map_or("()", |i| &inner[i..]);
        return format!("{}{args}", d.class);
    }
    if let Some(d) = &t.dialect {
        return format!("{}({})", d.class, d.args.join(", "));
    }
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
        TypeClass::Json | TypeClass::JsonUpper | TypeClass::JsonbUpper => {
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
        | TypeClass::PickleType
        | TypeClass::Null => {}
        // models.py refuses the dialects' own types (crate::script::type_from_value)
        TypeClass::Unrenderable(_) => {}
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
