//! Ops → SQLite SQL, text for text as SQLAlchemy's SQLite dialect compiles it,
//! including Alembic's batch "move and copy" (`_alembic_tmp_<table>`).
//!
//! Invariants:
//! - Every function returns one statement without its terminator and without
//!   the surrounding whitespace SQLAlchemy puts around DDL (`"\nCREATE TABLE
//!   ...\n)\n\n"` is returned as `"CREATE TABLE ...\n)"`): SQLite stores the
//!   text from the first keyword on, so `sqlite_master.sql` is the same.
//!   Tabs and the `", \n\t"` separators inside are kept exactly.
//! - Identifiers are quoted as `SQLiteIdentifierPreparer` quotes them
//!   (reserved words, upper case, characters outside `[A-Za-z0-9_$]`, a
//!   leading digit or `$`).
//! - `CREATE TABLE` lists the primary key first, then the other constraints
//!   in the order given (SQLAlchemy sorts them by creation order, i.e. the
//!   order the script wrote them).

use crate::schema::{UnrenderableType, 
    CheckConstraint, Column, Computed, Constraint, ForeignKeyConstraint, Index, IndexColumn,
    PrimaryKeyConstraint, ServerDefault, SqlType, Table, TypeClass, UniqueConstraint,
};

/// A type or construct SQLAlchemy's compiler refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DdlError {
    /// `sqlalchemy.exc.CompileError`, e.g. for a `NullType` column.
    #[error("{0}")]
    Compile(String),
    /// `AssertionError` (no message): SQLAlchemy's compiler asserts that an
    /// index has a name (`format_constraint`), e.g. `Column(index=True)`
    /// under a naming convention without an `ix` template.
    #[error("")]
    UnnamedIndex,
    /// `sqlalchemy.exc.UnsupportedCompilationError`: the SQLite type compiler
    /// has no visit method for the dialect type.
    #[error("{}", unsupported_compilation(.0))]
    UnsupportedType(UnrenderableType),
}

/// SQLAlchemy's `UnsupportedCompilationError` message, the compiler's
/// `repr` given one fixed address (Python prints the object's id, which
/// changes from run to run).
pub fn unsupported_compilation(t: &UnrenderableType) -> String {
    format!("Compiler <sqlalchemy.dialects.sqlite.base.SQLiteTypeCompiler object at 0x7f0000000000> can't render element of type {}", t.name)
}

/// `SQLiteIdentifierPreparer.reserved_words`, sorted (looked up by binary search).
const RESERVED_WORDS: &[&str] = &[
    "add",
    "after",
    "all",
    "alter",
    "analyze",
    "and",
    "as",
    "asc",
    "attach",
    "autoincrement",
    "before",
    "begin",
    "between",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "false",
    "for",
    "foreign",
    "from",
    "full",
    "glob",
    "group",
    "having",
    "if",
    "ignore",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "match",
    "natural",
    "not",
    "notnull",
    "null",
    "of",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "plan",
    "pragma",
    "primary",
    "query",
    "raise",
    "references",
    "reindex",
    "rename",
    "replace",
    "restrict",
    "right",
    "rollback",
    "row",
    "select",
    "set",
    "table",
    "temp",
    "temporary",
    "then",
    "to",
    "transaction",
    "trigger",
    "true",
    "union",
    "unique",
    "update",
    "using",
    "vacuum",
    "values",
    "view",
    "virtual",
    "when",
    "where",
];

/// `IdentifierPreparer._requires_quotes`: a reserved word, a leading digit
/// or `$`, or anything but lowercase ASCII letters, digits, `_` and `$`
/// (an uppercase letter is `lc_value != value`, anything else is outside
/// `legal_characters`). Without allocating: this runs for every name of
/// every statement the runtime renders.
pub fn requires_quotes(name: &str) -> bool {
    let Some(&first) = name.as_bytes().first() else {
        return true;
    };
    first.is_ascii_digit()
        || first == b'$'
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'$')
        || RESERVED_WORDS.binary_search(&name).is_ok()
}

/// `IdentifierPreparer.quote_identifier`: always quoted, embedded quotes
/// doubled (`"a""b"`). The one place SQLite identifiers are quoted.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `IdentifierPreparer.quote`: `"order"`, `"Weird Name"`, `name`.
pub fn quote(name: &str) -> String {
    if requires_quotes(name) {
        quote_identifier(name)
    } else {
        name.to_string()
    }
}

/// A SQL string literal: `'o''k'`.
pub fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `SQLiteImpl.autogen_column_reflect` /
/// `_guess_if_default_is_unparenthesized_sql_expr`, for autogenerate and for
/// the batch copy of a reflected table alike: a reflected default that
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

/// `SQLiteTypeCompiler.process(type_)`: `VARCHAR(40)`, `NUMERIC(5, 1)`, `CHAR(32)` ...
pub fn compile_type(t: &SqlType) -> Result<String, DdlError> {
    let with_len = |name: &str| match t.length {
        Some(n) => format!("{name}({n})"),
        None => name.to_string(),
    };
    // `_render_string_type`: length, then ` COLLATE ` and the collation as
    // `format_collation` writes it (`quote`: `nocase`, `"NOCASE"`).
    let string = |name: &str| {
        let mut s = with_len(name);
        if let Some(c) = &t.collation {
            s.push_str(&format!(" COLLATE {}", quote(c)));
        }
        s
    };
    let numeric = |name: &str| match (t.precision, t.scale) {
        (Some(p), Some(s)) => format!("{name}({p}, {s})"),
        (Some(p), None) => format!("{name}({p})"),
        _ => name.to_string(),
    };
    Ok(match t.class {
        TypeClass::Integer | TypeClass::IntegerUpper => "INTEGER".into(),
        TypeClass::BigInteger | TypeClass::BigIntUpper => "BIGINT".into(),
        TypeClass::SmallInteger | TypeClass::SmallIntUpper => "SMALLINT".into(),
        TypeClass::String
        | TypeClass::Unicode
        | TypeClass::AutoString
        | TypeClass::VarcharUpper => string("VARCHAR"),
        TypeClass::NVarcharUpper => string("NVARCHAR"),
        TypeClass::CharUpper => string("CHAR"),
        TypeClass::NCharUpper => string("NCHAR"),
        TypeClass::Text | TypeClass::UnicodeText | TypeClass::TextUpper => string("TEXT"),
        TypeClass::ClobUpper => string("CLOB"),
        TypeClass::Boolean | TypeClass::BooleanUpper => "BOOLEAN".into(),
        // Non-native on SQLite: `VARCHAR(<longest member or length=>)`.
        TypeClass::Enum => {
            let len = t.enum_.as_ref().and_then(|e| {
                e.length
                    .or_else(|| e.values.iter().map(|v| v.chars().count() as u32).max())
            });
            let mut s = match len.or(t.length) {
                Some(n) => format!("VARCHAR({n})"),
                None => "VARCHAR".into(),
            };
            if let Some(c) = &t.collation {
                s.push_str(&format!(" COLLATE {}", quote(c)));
            }
            s
        }
        TypeClass::Numeric | TypeClass::NumericUpper => numeric("NUMERIC"),
        TypeClass::DecimalUpper => numeric("DECIMAL"),
        // `visit_FLOAT` renders no precision on SQLite.
        TypeClass::Float | TypeClass::FloatUpper => "FLOAT".into(),
        TypeClass::RealUpper => "REAL".into(),
        TypeClass::Double | TypeClass::DoubleUpper => "DOUBLE".into(),
        TypeClass::DoublePrecisionUpper => "DOUBLE PRECISION".into(),
        TypeClass::Date | TypeClass::DateUpper => "DATE".into(),
        // `Interval` is a TypeDecorator over DateTime on SQLite.
        TypeClass::DateTime
        | TypeClass::UtcDateTime
        | TypeClass::DateTimeUpper
        | TypeClass::Interval => "DATETIME".into(),
        TypeClass::TimestampUpper => "TIMESTAMP".into(),
        TypeClass::Time | TypeClass::TimeUpper => "TIME".into(),
        TypeClass::Json | TypeClass::JsonUpper => "JSON".into(),
        TypeClass::JsonbUpper => "JSONB".into(),
        // `visit_large_binary` → `visit_BLOB`, which SQLite renders without length.
        TypeClass::LargeBinary | TypeClass::BlobUpper | TypeClass::PickleType => "BLOB".into(),
        TypeClass::VarbinaryUpper => with_len("VARBINARY"),
        TypeClass::BinaryUpper => with_len("BINARY"),
        // No native UUID on SQLite: `_render_string_type(CHAR, 32)`.
        TypeClass::Uuid => "CHAR(32)".into(),
        TypeClass::UuidUpper => "UUID".into(),
        TypeClass::Unrenderable(u) => return Err(DdlError::UnsupportedType(u)),
        TypeClass::Null => return Err(DdlError::Compile(
            "Can't generate DDL for NullType(); did you forget to specify a type on this Column?"
                .into(),
        )),
    })
}

/// SQLAlchemy's `_type_affinity`: the generic class a type belongs to.
/// Batch mode casts a column on copy when the affinity changes
/// (`SQLiteImpl.cast_for_batch_migrate`), except into JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    String,
    Boolean,
    Numeric,
    Float,
    Date,
    DateTime,
    Time,
    Interval,
    Json,
    Binary,
    Uuid,
    Null,
}

pub fn type_affinity(class: TypeClass) -> Affinity {
    use TypeClass as T;
    match class {
        T::Integer
        | T::BigInteger
        | T::SmallInteger
        | T::IntegerUpper
        | T::BigIntUpper
        | T::SmallIntUpper => Affinity::Integer,
        T::String
        | T::Text
        | T::Unicode
        | T::UnicodeText
        | T::Enum
        | T::AutoString
        | T::VarcharUpper
        | T::NVarcharUpper
        | T::CharUpper
        | T::NCharUpper
        | T::TextUpper
        | T::ClobUpper => Affinity::String,
        T::Boolean | T::BooleanUpper => Affinity::Boolean,
        T::Numeric | T::NumericUpper | T::DecimalUpper => Affinity::Numeric,
        T::Float
        | T::Double
        | T::FloatUpper
        | T::RealUpper
        | T::DoubleUpper
        | T::DoublePrecisionUpper => Affinity::Float,
        T::Date | T::DateUpper => Affinity::Date,
        T::DateTime | T::UtcDateTime | T::DateTimeUpper | T::TimestampUpper => Affinity::DateTime,
        T::Time | T::TimeUpper => Affinity::Time,
        T::Interval => Affinity::Interval,
        T::Json | T::JsonUpper | T::JsonbUpper => Affinity::Json,
        T::LargeBinary | T::BlobUpper | T::VarbinaryUpper | T::BinaryUpper | T::PickleType => Affinity::Binary,
        T::Uuid | T::UuidUpper => Affinity::Uuid,
        // no column of such a type reaches the database (its DDL fails)
        T::Null | T::Unrenderable(_) => Affinity::Null,
    }
}

/// `DDLCompiler.get_column_default_string` + SQLite's parenthesizing rule:
/// a default that does not start with a quote or `(` and contains a non-word
/// character is wrapped: `DEFAULT (now())`.
pub fn default_clause(default: &ServerDefault) -> String {
    let text = match default {
        ServerDefault::Literal(s) => string_literal(s),
        ServerDefault::Text(s) => s.clone(),
    };
    let starts_quoted = matches!(text.trim_start().chars().next(), Some('\'' | '"' | '('));
    let has_non_word = text.chars().any(|c| !(c.is_alphanumeric() || c == '_'));
    if !starts_quoted && has_non_word {
        format!("DEFAULT ({text})")
    } else {
        format!("DEFAULT {text}")
    }
}

/// `visit_computed_column`: `GENERATED ALWAYS AS (expr) [STORED|VIRTUAL]`.
fn computed_clause(c: &Computed) -> String {
    let mut s = format!("GENERATED ALWAYS AS ({})", c.sqltext);
    match c.persisted {
        Some(true) => s.push_str(" STORED"),
        Some(false) => s.push_str(" VIRTUAL"),
        None => {}
    }
    s
}

/// `SQLiteDDLCompiler.get_column_specification`: `name TYPE DEFAULT x NOT NULL`.
pub fn column_spec(column: &Column) -> Result<String, DdlError> {
    let mut s = format!("{} {}", quote(&column.name), compile_type(&column.type_)?);
    if let Some(d) = &column.server_default {
        s.push(' ');
        s.push_str(&default_clause(d));
    }
    if !column.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(c) = &column.computed {
        s.push(' ');
        s.push_str(&computed_clause(c));
    }
    Ok(s)
}

fn column_list<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names
        .into_iter()
        .map(|n| quote(n))
        .collect::<Vec<_>>()
        .join(", ")
}

fn constraint_preamble(name: Option<&crate::schema::Name>) -> String {
    match name {
        Some(n) => format!("CONSTRAINT {} ", quote(&n.value)),
        None => String::new(),
    }
}

/// `PRIMARY KEY (a, b)` with its optional `CONSTRAINT name`.
pub fn primary_key_clause(pk: &PrimaryKeyConstraint) -> String {
    format!(
        "{}PRIMARY KEY ({})",
        constraint_preamble(pk.name.as_ref()),
        column_list(&pk.columns)
    )
}

/// `FOREIGN KEY(a) REFERENCES b (id) ON DELETE CASCADE`.
pub fn foreign_key_clause(fk: &ForeignKeyConstraint) -> String {
    let mut s = format!(
        "{}FOREIGN KEY({}) REFERENCES {} ({})",
        constraint_preamble(fk.name.as_ref()),
        column_list(&fk.columns),
        quote(&fk.referred_table),
        column_list(&fk.referred_columns)
    );
    if let Some(d) = &fk.ondelete {
        s.push_str(&format!(" ON DELETE {d}"));
    }
    if let Some(u) = &fk.onupdate {
        s.push_str(&format!(" ON UPDATE {u}"));
    }
    match fk.deferrable {
        Some(true) => s.push_str(" DEFERRABLE"),
        Some(false) => s.push_str(" NOT DEFERRABLE"),
        None => {}
    }
    if let Some(i) = &fk.initially {
        s.push_str(&format!(" INITIALLY {i}"));
    }
    s
}

/// `UNIQUE (a, b)`.
pub fn unique_clause(uq: &UniqueConstraint) -> String {
    format!(
        "{}UNIQUE ({})",
        constraint_preamble(uq.name.as_ref()),
        column_list(&uq.columns)
    )
}

/// `CHECK (sqltext)`.
pub fn check_clause(ck: &CheckConstraint) -> String {
    format!(
        "{}CHECK ({})",
        constraint_preamble(ck.name.as_ref()),
        ck.sqltext
    )
}

pub fn constraint_clause(c: &Constraint) -> String {
    match c {
        Constraint::PrimaryKey(pk) => primary_key_clause(pk),
        Constraint::ForeignKey(fk) => foreign_key_clause(fk),
        Constraint::Unique(uq) => unique_clause(uq),
        Constraint::Check(ck) => check_clause(ck),
    }
}

/// The CHECK constraints a `Boolean(create_constraint=True)` or
/// `Enum(..., create_constraint=True)` column adds to its table
/// (`SchemaType._set_table`), named by the type's `name=`.
pub fn type_bound_checks(column: &Column) -> Vec<CheckConstraint> {
    let t = &column.type_;
    match t.class {
        TypeClass::Boolean if t.create_constraint => vec![CheckConstraint {
            name: t.constraint_name.clone(),
            sqltext: format!("{} IN (0, 1)", quote(&column.name)),
        }],
        TypeClass::Enum => match &t.enum_ {
            Some(e) if e.create_constraint || t.create_constraint => vec![CheckConstraint {
                name: e.name.clone().map(crate::schema::Name::plain),
                sqltext: format!(
                    "{} IN ({})",
                    quote(&column.name),
                    e.values
                        .iter()
                        .map(|v| string_literal(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }],
            _ => vec![],
        },
        _ => vec![],
    }
}

/// The constraints of a model `Table` in `CREATE TABLE` order after the
/// primary key: as Alembic's autogenerate renders them (sorted by rendered
/// text: `CheckConstraint`, `ForeignKeyConstraint`, `UniqueConstraint`), then
/// the type-bound CHECKs (created last, when the columns attach).
pub fn table_constraints(table: &Table) -> Vec<Constraint> {
    let mut out: Vec<Constraint> = Vec::new();
    out.extend(
        table
            .check_constraints
            .iter()
            .cloned()
            .map(Constraint::Check),
    );
    out.extend(
        table
            .foreign_keys
            .iter()
            .cloned()
            .map(Constraint::ForeignKey),
    );
    out.extend(
        table
            .unique_constraints
            .iter()
            .cloned()
            .map(Constraint::Unique),
    );
    for c in &table.columns {
        out.extend(type_bound_checks(c).into_iter().map(Constraint::Check));
    }
    out
}

/// The SQLite table options `post_create_table` writes after the closing
/// parenthesis: `sqlite_with_rowid=False` → `WITHOUT ROWID`,
/// `sqlite_strict=True` → `STRICT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableOptions {
    pub with_rowid: Option<bool>,
    pub strict: Option<bool>,
    pub autoincrement: Option<bool>,
}

impl TableOptions {
    pub fn of(table: &Table) -> Self {
        TableOptions {
            with_rowid: table.sqlite_with_rowid,
            strict: table.sqlite_strict,
            autoincrement: table.sqlite_autoincrement,
        }
    }

    /// `SQLiteDDLCompiler.post_create_table`: `"\n WITHOUT ROWID,\n STRICT"`,
    /// followed by the `"\n\n"` that ends SQLAlchemy's `CREATE TABLE`: SQLite
    /// drops trailing whitespace after `)` but keeps it after a table option,
    /// so `sqlite_master.sql` holds it.
    fn post_create_table(self) -> String {
        let mut opts = Vec::new();
        if self.with_rowid == Some(false) {
            opts.push("WITHOUT ROWID");
        }
        if self.strict == Some(true) {
            opts.push("STRICT");
        }
        if opts.is_empty() {
            String::new()
        } else {
            format!("\n {}\n\n", opts.join(",\n "))
        }
    }
}

/// `CREATE TABLE name (\n\tcol, \n\t...PRIMARY KEY (id), \n\t...\n)` — columns,
/// the primary key, then `constraints` in order, then the table options.
pub fn create_table_with(
    name: &str,
    columns: &[Column],
    primary_key: Option<&PrimaryKeyConstraint>,
    constraints: &[Constraint],
    options: TableOptions,
) -> Result<String, DdlError> {
    // `sqlite_autoincrement=True`: the primary key is inline with its lone
    // integer column, not a table constraint (`get_column_specification`,
    // `visit_primary_key_constraint`).
    let inline_pk = match primary_key {
        Some(pk) if options.autoincrement == Some(true) && pk.columns.len() == 1 => {
            let col = &pk.columns[0];
            let integer = columns.iter().find(|c| &c.name == col).is_some_and(|c| type_affinity(c.type_.class) == Affinity::Integer);
            let has_fk = constraints.iter().any(|c| matches!(c, Constraint::ForeignKey(fk) if fk.columns.contains(col)));
            (integer && !has_fk).then_some(col.as_str())
        }
        _ => None,
    };
    let mut parts = Vec::new();
    for c in columns {
        let mut spec = column_spec(c).map_err(|e| match e {
            DdlError::Compile(m) => DdlError::Compile(format!("(in table '{}', column '{}'): {}", name, c.name, m)),
            // `CreateTable` re-raises a column's compile error as `CompileError`
            DdlError::UnsupportedType(u) => {
                DdlError::Compile(format!("(in table '{}', column '{}'): {}", name, c.name, unsupported_compilation(&u)))
            }
            DdlError::UnnamedIndex => DdlError::UnnamedIndex,
        })?;
        if inline_pk == Some(c.name.as_str()) {
            let at = match &c.computed {
                Some(computed) => spec.len() - computed_clause(computed).len() - 1,
                None => spec.len(),
            };
            spec.insert_str(at, " PRIMARY KEY AUTOINCREMENT");
        }
        parts.push(spec);
    }
    if let Some(pk) = primary_key {
        if !pk.columns.is_empty() && inline_pk.is_none() {
            parts.push(primary_key_clause(pk));
        }
    }
    for c in constraints {
        match c {
            Constraint::Unique(u) if u.columns.is_empty() => {}
            _ => parts.push(constraint_clause(c)),
        }
    }
    Ok(format!(
        "CREATE TABLE {} (\n\t{}\n){}",
        quote(name),
        parts.join(", \n\t"),
        options.post_create_table()
    ))
}

/// `CREATE TABLE` for a model table (indexes not included: see [`create_index`]).
pub fn create_table(table: &Table) -> Result<String, DdlError> {
    create_table_if(table, Existence::default())
}

/// [`create_table`], with `IF NOT EXISTS` after `TABLE` when asked
/// (`visit_create_table`: "CREATE " + prefixes + "TABLE " + "IF NOT EXISTS ").
pub fn create_table_if(table: &Table, if_not_exists: Existence) -> Result<String, DdlError> {
    let sql = create_table_with(
        &table.name,
        &table.columns,
        table.primary_key.as_ref(),
        &table_constraints(table),
        TableOptions::of(table),
    );
    // `visit_create_table`: "CREATE " + the prefixes + " TABLE "
    let exists = if if_not_exists.0 { "IF NOT EXISTS " } else { "" };
    let prefixes = if table.prefixes.is_empty() { String::new() } else { format!("{} ", table.prefixes.join(" ")) };
    sql.map(|sql| sql.replacen("CREATE TABLE ", &format!("CREATE {prefixes}TABLE {exists}"), 1))
}

/// `DROP TABLE name`
pub fn drop_table(name: &str) -> String {
    drop_table_if(name, Existence::default())
}

/// `DROP TABLE [IF EXISTS] name`
pub fn drop_table_if(name: &str, if_exists: Existence) -> String {
    format!("DROP TABLE {}{}", if if_exists.0 { "IF EXISTS " } else { "" }, quote(name))
}

/// `IF [NOT] EXISTS` on `CREATE TABLE` / `DROP TABLE` / `CREATE INDEX` /
/// `DROP INDEX` (`if_not_exists=True`, `if_exists=True` of the op).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Existence(pub bool);

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (a, lower(b)) [WHERE predicate]`
pub fn create_index(index: &Index, if_not_exists: Existence) -> Result<String, DdlError> {
    let name = quote(&index.name.as_ref().ok_or(DdlError::UnnamedIndex)?.value);
    let cols = index
        .columns
        .iter()
        .map(|c| match c {
            IndexColumn::Column(n) => quote(n),
            IndexColumn::Expression(e) => e.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "CREATE {}INDEX {}{} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        if if_not_exists.0 { "IF NOT EXISTS " } else { "" },
        name,
        quote(&index.table),
        cols
    );
    if let Some(w) = &index.sqlite_where {
        sql.push_str(" WHERE ");
        sql.push_str(w);
    }
    Ok(sql)
}

/// `DROP INDEX [IF EXISTS] name`
pub fn drop_index(name: &str, if_exists: Existence) -> String {
    format!("DROP INDEX {}{}", if if_exists.0 { "IF EXISTS " } else { "" }, quote(name))
}

/// `ALTER TABLE t ADD COLUMN spec`
pub fn add_column(table: &str, column: &Column) -> Result<String, DdlError> {
    add_column_if(table, column, Existence::default())
}

/// `ALTER TABLE t ADD COLUMN [IF NOT EXISTS] c ...` (Alembic's `add_column`
/// writes the words whatever the dialect; SQLite does not parse them).
pub fn add_column_if(table: &str, column: &Column, if_not_exists: Existence) -> Result<String, DdlError> {
    Ok(format!(
        "ALTER TABLE {} ADD COLUMN {}{}",
        quote(table),
        if if_not_exists.0 { "IF NOT EXISTS " } else { "" },
        column_spec(column)?
    ))
}

/// `ALTER TABLE t DROP COLUMN c`
pub fn drop_column(table: &str, column: &str) -> String {
    drop_column_if(table, column, Existence::default())
}

/// `ALTER TABLE t DROP COLUMN [IF EXISTS] c`
pub fn drop_column_if(table: &str, column: &str, if_exists: Existence) -> String {
    format!("ALTER TABLE {} DROP COLUMN {}{}", quote(table), if if_exists.0 { "IF EXISTS " } else { "" }, quote(column))
}

/// `ALTER TABLE old RENAME TO new`
pub fn rename_table(old: &str, new: &str) -> String {
    format!("ALTER TABLE {} RENAME TO {}", quote(old), quote(new))
}

/// `ALTER TABLE t RENAME COLUMN a TO b` (Alembic's SQLite `ColumnName`).
pub fn rename_column(table: &str, old: &str, new: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        quote(table),
        quote(old),
        quote(new)
    )
}

/// `ALTER TABLE t ALTER COLUMN c SET NOT NULL` / `DROP NOT NULL` (SQLite rejects it).
pub fn alter_column_nullable(table: &str, column: &str, nullable: bool) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {}",
        quote(table),
        quote(column),
        if nullable {
            "DROP NOT NULL"
        } else {
            "SET NOT NULL"
        }
    )
}

/// `ALTER TABLE t ALTER COLUMN c TYPE X` (SQLite rejects it).
pub fn alter_column_type(table: &str, column: &str, type_: &SqlType) -> Result<String, DdlError> {
    Ok(format!(
        "ALTER TABLE {} ALTER COLUMN {} TYPE {}",
        quote(table),
        quote(column),
        compile_type(type_)?
    ))
}

/// `ALTER TABLE t ALTER COLUMN c SET DEFAULT x` / `DROP DEFAULT` (SQLite rejects it).
pub fn alter_column_default(table: &str, column: &str, default: Option<&ServerDefault>) -> String {
    let what = match default {
        Some(d) => format!("SET {}", default_clause(d)),
        None => "DROP DEFAULT".to_string(),
    };
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {}",
        quote(table),
        quote(column),
        what
    )
}

/// One column of the batch copy's `SELECT`: the source column, cast when
/// its type affinity changes.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyColumn {
    /// Column name in the new table.
    pub target: String,
    /// Column name in the old table.
    pub source: String,
    /// `CAST(t.c AS TYPE) AS <source>` when set.
    pub cast_to: Option<SqlType>,
}

/// `INSERT INTO _alembic_tmp_t (a, b) SELECT t.a, t.b \nFROM t`
pub fn insert_from_select(
    target_table: &str,
    source_table: &str,
    cols: &[CopyColumn],
) -> Result<String, DdlError> {
    let src = quote(source_table);
    let mut selects = Vec::new();
    for c in cols {
        let expr = format!("{}.{}", src, quote(&c.source));
        selects.push(match &c.cast_to {
            Some(t) => format!(
                "CAST({} AS {}) AS {}",
                expr,
                compile_type(t)?,
                quote(&c.source)
            ),
            None => expr,
        });
    }
    Ok(format!(
        "INSERT INTO {} ({}) SELECT {} \nFROM {}",
        quote(target_table),
        column_list(cols.iter().map(|c| &c.target)),
        selects.join(", "),
        src
    ))
}

/// A literal in an offline `bulk_insert` / inline INSERT.
pub fn literal_sql(v: &crate::ops::Literal) -> String {
    use crate::ops::Literal;
    match v {
        Literal::None => "NULL".into(),
        Literal::Bool(b) => if *b { "1" } else { "0" }.into(),
        Literal::Int(i) => i.to_string(),
        Literal::Float(f) => crate::python::repr::py_repr_float(*f),
        Literal::Str(s) => string_literal(s),
    }
}

/// `INSERT INTO t (a, b) VALUES (1, 'x')` — one row of `bulk_insert`, the
/// row's keys in the order of the table's columns.
pub fn insert_row(
    table: &str,
    columns: &[(String, Option<SqlType>)],
    row: &std::collections::BTreeMap<String, crate::ops::Literal>,
) -> String {
    let present: Vec<&(String, Option<SqlType>)> = columns
        .iter()
        .filter(|(n, _)| row.contains_key(n))
        .collect();
    let names = present
        .iter()
        .map(|(n, _)| quote(n))
        .collect::<Vec<_>>()
        .join(", ");
    let values = present
        .iter()
        .map(|(n, _)| row.get(n).map(literal_sql).unwrap_or_else(|| "NULL".into()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote(table),
        names,
        values
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_are_sorted_for_binary_search() {
        assert!(RESERVED_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    /// Ground truth: SQLAlchemy 2.1.9, `sqlite.dialect().identifier_preparer._requires_quotes(name)`.
    #[test]
    fn quotes_as_sqlalchemy_does() {
        for (name, quoted) in [
            ("user_id", false),
            ("t0", false),
            ("a$b", false),
            ("order", true),
            ("fail", true),
            ("false", true),
            ("where", true),
            ("wherever", false),
            ("User", true),
            ("ORDER", true),
            ("1abc", true),
            ("$x", true),
            ("with space", true),
            ("caf\u{e9}", true),
        ] {
            assert_eq!(requires_quotes(name), quoted, "{name:?}");
        }
    }
    use crate::schema::{EnumInfo, Name};

    fn t(class: TypeClass) -> SqlType {
        SqlType::new(class)
    }

    #[test]
    fn types_compile_as_sqlalchemy_sqlite() {
        // Ground truth: `type.compile(dialect=sqlite.dialect())`, SQLAlchemy 2.1.9.
        let mut num = t(TypeClass::Numeric);
        num.precision = Some(5);
        num.scale = Some(1);
        let mut coll = t(TypeClass::String).with_length(Some(40));
        coll.collation = Some("NOCASE".into());
        let mut en = t(TypeClass::Enum);
        en.enum_ = Some(EnumInfo {
            values: vec!["a".into(), "bbbb".into()],
            ..Default::default()
        });
        let cases = [
            (t(TypeClass::Integer), "INTEGER"),
            (t(TypeClass::BigInteger), "BIGINT"),
            (t(TypeClass::String), "VARCHAR"),
            (t(TypeClass::String).with_length(Some(40)), "VARCHAR(40)"),
            (coll, "VARCHAR(40) COLLATE \"NOCASE\""),
            (t(TypeClass::Text).with_length(Some(10)), "TEXT(10)"),
            (en, "VARCHAR(4)"),
            (num, "NUMERIC(5, 1)"),
            (t(TypeClass::Float), "FLOAT"),
            (t(TypeClass::Double), "DOUBLE"),
            (t(TypeClass::DateTime), "DATETIME"),
            (t(TypeClass::Interval), "DATETIME"),
            (t(TypeClass::PickleType), "BLOB"),
            (t(TypeClass::LargeBinary).with_length(Some(10)), "BLOB"),
            (t(TypeClass::Uuid), "CHAR(32)"),
            (t(TypeClass::UuidUpper), "UUID"),
            (
                t(TypeClass::AutoString).with_length(Some(30)),
                "VARCHAR(30)",
            ),
            (t(TypeClass::NCharUpper).with_length(Some(2)), "NCHAR(2)"),
            (t(TypeClass::DoublePrecisionUpper), "DOUBLE PRECISION"),
            (
                t(TypeClass::VarbinaryUpper).with_length(Some(5)),
                "VARBINARY(5)",
            ),
            (t(TypeClass::Json), "JSON"),
            (t(TypeClass::JsonbUpper), "JSONB"),
        ];
        for (ty, want) in cases {
            assert_eq!(compile_type(&ty).unwrap(), want, "{ty:?}");
        }
        assert!(compile_type(&t(TypeClass::Null)).is_err());
    }

    #[test]
    fn a_dialect_type_sqlite_cannot_render_fails_as_sqlalchemy_does() {
        let array = TypeClass::Unrenderable(UnrenderableType { dialect: crate::schema::Dialect::Postgresql, name: "ARRAY" });
        let err = compile_type(&SqlType::new(array)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Compiler <sqlalchemy.dialects.sqlite.base.SQLiteTypeCompiler object at 0x7f0000000000> can't render element of type ARRAY"
        );
        // CREATE TABLE names the column and re-raises it as CompileError
        let col = Column::new("tags", SqlType::new(array));
        let Err(DdlError::Compile(m)) = create_table_with("w", &[col], None, &[], TableOptions::default()) else {
            panic!("expected a CompileError")
        };
        assert!(m.starts_with("(in table 'w', column 'tags'): Compiler <"), "{m}");
    }

    #[test]
    fn quoting_follows_the_identifier_preparer() {
        assert_eq!(quote("order"), "\"order\"");
        assert_eq!(quote("Weird Name"), "\"Weird Name\"");
        assert_eq!(quote("Tool"), "\"Tool\"");
        assert_eq!(quote("_alembic_tmp_tool"), "_alembic_tmp_tool");
        assert_eq!(quote("1x"), "\"1x\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote("serial_no"), "serial_no");
        assert_eq!(quote_identifier("serial_no"), "\"serial_no\"");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }

    /// Ground truth: SQLAlchemy 2.1.9, `String(10, collation=c).compile(dialect=sqlite.dialect())`.
    #[test]
    fn collations_are_quoted_only_when_required() {
        let string = |c: &str| {
            let mut t = SqlType::new(TypeClass::String);
            t.length = Some(10);
            t.collation = Some(c.to_string());
            compile_type(&t).expect("compiles")
        };
        assert_eq!(string("nocase"), "VARCHAR(10) COLLATE nocase");
        assert_eq!(string("NOCASE"), "VARCHAR(10) COLLATE \"NOCASE\"");
        assert_eq!(string("my coll"), "VARCHAR(10) COLLATE \"my coll\"");
        assert_eq!(string("a\"b"), "VARCHAR(10) COLLATE \"a\"\"b\"");
    }

    #[test]
    fn defaults_are_parenthesized_like_sqlite_compiler() {
        assert_eq!(
            default_clause(&ServerDefault::Literal("x'y".into())),
            "DEFAULT 'x''y'"
        );
        assert_eq!(
            default_clause(&ServerDefault::Text("1".into())),
            "DEFAULT 1"
        );
        assert_eq!(
            default_clause(&ServerDefault::Text("CURRENT_TIMESTAMP".into())),
            "DEFAULT CURRENT_TIMESTAMP"
        );
        assert_eq!(
            default_clause(&ServerDefault::Text("(CURRENT_TIMESTAMP)".into())),
            "DEFAULT (CURRENT_TIMESTAMP)"
        );
        assert_eq!(
            default_clause(&ServerDefault::Text("now()".into())),
            "DEFAULT (now())"
        );
    }

    #[test]
    fn create_table_layout_matches_sqlalchemy() {
        // Ground truth: op.create_table(...) online, SQLAlchemy 2.1.9 (see tests/sqlite_ground_truth.rs).
        let mut table = Table::new("item");
        let mut id = Column::new("id", t(TypeClass::Integer));
        id.nullable = false;
        id.primary_key = true;
        let mut name = Column::new("name", t(TypeClass::String).with_length(Some(40)));
        name.nullable = false;
        name.server_default = Some(ServerDefault::Literal("x'y".into()));
        let order = Column::new("order", t(TypeClass::Integer));
        let mut active = Column::new(
            "active",
            SqlType {
                create_constraint: true,
                ..t(TypeClass::Boolean)
            },
        );
        active.nullable = false;
        active.server_default = Some(ServerDefault::Text("1".into()));
        let mut status_t = t(TypeClass::Enum);
        status_t.enum_ = Some(EnumInfo {
            values: vec!["a".into(), "bbb".into()],
            name: Some("status".into()),
            create_constraint: true,
            ..Default::default()
        });
        let status = Column::new("status", status_t);
        let parent = Column::new("parent_id", t(TypeClass::Integer));
        table.columns = vec![id, name, order, active, status, parent];
        table.primary_key = Some(PrimaryKeyConstraint {
            name: None,
            columns: vec!["id".into()],
        });
        table.foreign_keys.push(ForeignKeyConstraint {
            name: None,
            columns: vec!["parent_id".into()],
            referred_table: "item".into(),
            referred_columns: vec!["id".into()],
            ondelete: Some("CASCADE".into()),
            onupdate: None,
            deferrable: None,
            initially: None,
            use_alter: false,
        });
        table.unique_constraints.push(UniqueConstraint {
            name: None,
            columns: vec!["name".into()],
        });
        table.unique_constraints.push(UniqueConstraint {
            name: Some(Name::plain("uq_order")),
            columns: vec!["order".into()],
        });
        let sql = create_table(&table).unwrap();
        assert_eq!(
            sql,
            "CREATE TABLE item (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(40) DEFAULT 'x''y' NOT NULL, \n\t\"order\" INTEGER, \n\tactive BOOLEAN DEFAULT 1 NOT NULL, \n\tstatus VARCHAR(3), \n\tparent_id INTEGER, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(parent_id) REFERENCES item (id) ON DELETE CASCADE, \n\tUNIQUE (name), \n\tCONSTRAINT uq_order UNIQUE (\"order\"), \n\tCHECK (active IN (0, 1)), \n\tCONSTRAINT status CHECK (status IN ('a', 'bbb'))\n)"
        );
    }
}
