//! The one schema model: SQLAlchemy's `MetaData` / `Table` / `Column` / types /
//! constraints, as plain data.
//!
//! Invariants:
//! - Both sides of autogenerate use this model: `models` builds it from
//!   declarative Python, `reflect` builds it from the SQLite catalog.
//! - Order is meaningful where SQLAlchemy's is: columns keep declaration order,
//!   constraints and indexes keep the order they were attached in. Tables are
//!   kept in a `BTreeMap` (sorted by name) for deterministic iteration; the
//!   declaration order is kept separately in `MetaData::table_order`.
//! - A type keeps the class it was written as (`String` vs `VARCHAR`), because
//!   Alembic renders `sa.String(length=40)` for a model and `sa.VARCHAR(length=40)`
//!   for a reflected column.

use std::collections::BTreeMap;

/// A constraint or index name. `conv` is SQLAlchemy's `conv()` marker: the name
/// is final (it came from a naming convention or `op.f()`), and Alembic renders
/// it as `op.f('name')` / `batch_op.f('name')`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    pub value: String,
    pub conv: bool,
}

impl Name {
    pub fn plain(value: impl Into<String>) -> Self {
        Name { value: value.into(), conv: false }
    }
    pub fn conv(value: impl Into<String>) -> Self {
        Name { value: value.into(), conv: true }
    }
}

/// `MetaData(naming_convention=...)` plus the tables attached to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetaData {
    /// Keyed by table name (no schemas: SQLite's `main` only).
    pub tables: BTreeMap<String, Table>,
    /// Table names in the order they were declared / reflected.
    pub table_order: Vec<String>,
    /// `naming_convention` keys (`"ix"`, `"uq"`, `"ck"`, `"fk"`, `"pk"`) to
    /// templates such as `"ix_%(column_0_label)s"`. SQLAlchemy's default is
    /// `{"ix": "ix_%(column_0_label)s"}`.
    pub naming_convention: BTreeMap<String, String>,
}

impl MetaData {
    /// Adds (or replaces) a table, keeping declaration order.
    pub fn add_table(&mut self, table: Table) {
        if !self.tables.contains_key(&table.name) {
            self.table_order.push(table.name.clone());
        }
        self.tables.insert(table.name.clone(), table);
    }

    pub fn remove_table(&mut self, name: &str) -> Option<Table> {
        self.table_order.retain(|n| n != name);
        self.tables.remove(name)
    }

    /// Tables in declaration order.
    pub fn tables_in_order(&self) -> impl Iterator<Item = &Table> {
        self.table_order.iter().filter_map(|n| self.tables.get(n))
    }
}

/// `Table(name, metadata, *columns, *constraints)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// `PrimaryKeyConstraint(*cols, name=...)`; `None` for a table without PK.
    pub primary_key: Option<PrimaryKeyConstraint>,
    pub foreign_keys: Vec<ForeignKeyConstraint>,
    pub unique_constraints: Vec<UniqueConstraint>,
    pub check_constraints: Vec<CheckConstraint>,
    pub indexes: Vec<Index>,
    /// Table comment (SQLite ignores comments; kept for rendering).
    pub comment: Option<String>,
    /// `sqlite_with_rowid=` as given (or `False` when reflected from a
    /// `WITHOUT ROWID` table); `Some(false)` emits `WITHOUT ROWID`.
    pub sqlite_with_rowid: Option<bool>,
    /// `sqlite_strict=` as given (or `True` when reflected from a `STRICT`
    /// table); `Some(true)` emits `STRICT`.
    pub sqlite_strict: Option<bool>,
    /// `sqlite_autoincrement=` as given: `Some(true)` puts `PRIMARY KEY
    /// AUTOINCREMENT` on a lone integer primary key column. SQLAlchemy does
    /// not reflect it, so a batch recreate drops it, as in Alembic.
    pub sqlite_autoincrement: Option<bool>,
    /// The other `<dialect>_<arg>` keywords of the table (`mysql_engine`,
    /// `postgresql_partition_by`...), name → `repr(value)`: SQLite's DDL
    /// ignores them; `op.create_table` renders them, sorted by name.
    pub other_dialect_kwargs: BTreeMap<String, String>,
    /// `repr(Table.info)` when the table has info (rendered as `info=`).
    pub info: Option<String>,
    /// `prefixes=[...]` of `op.create_table`: words between `CREATE` and
    /// `TABLE` (`TEMPORARY`). Not reflected, as in SQLAlchemy.
    pub prefixes: Vec<String>,
}

impl Table {
    pub fn new(name: impl Into<String>) -> Self {
        Table { name: name.into(), ..Default::default() }
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
    /// Primary key column names, in constraint order.
    pub fn primary_key_columns(&self) -> &[String] {
        self.primary_key.as_ref().map(|pk| pk.columns.as_slice()).unwrap_or(&[])
    }
}

/// `Column(name, type_, nullable=..., server_default=..., ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub type_: SqlType,
    pub nullable: bool,
    /// Member of the table's primary key (the PK constraint is authoritative
    /// for order; this flag mirrors it).
    pub primary_key: bool,
    pub server_default: Option<ServerDefault>,
    /// `autoincrement=`: SQLAlchemy's default is `"auto"`.
    pub autoincrement: Autoincrement,
    /// `Computed(sqltext, persisted=...)`.
    pub computed: Option<Computed>,
    /// `Identity(...)`: SQLite has no identity columns, so no DDL or
    /// comparison uses it; autogenerate renders it (`sa.Identity(always=False,
    /// start=3)`) so the script runs the same on a database that has them.
    pub identity: Option<Identity>,
    pub comment: Option<String>,
    /// Added by the models helper: `repr(Column.default)`, the client-side
    /// (Python) default, e.g. `ScalarElementColumnDefault('x')`. No DDL and
    /// no comparison use it; `check`'s "New upgrade operations detected"
    /// message shows it. Only scalar defaults are known (a callable's repr
    /// holds a memory address); reflected columns have none.
    pub client_default: Option<String>,
}

impl Column {
    pub fn new(name: impl Into<String>, type_: SqlType) -> Self {
        Column {
            name: name.into(),
            type_,
            nullable: true,
            primary_key: false,
            server_default: None,
            autoincrement: Autoincrement::Auto,
            computed: None,
            identity: None,
            comment: None,
            client_default: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Autoincrement {
    #[default]
    Auto,
    True,
    False,
    /// `autoincrement="ignore_fk"`
    IgnoreFk,
}

/// A server-side default: what goes after `DEFAULT` in DDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerDefault {
    /// `server_default="abc"` — a string literal, emitted as `DEFAULT 'abc'`.
    /// Alembic renders it as `server_default='abc'`.
    Literal(String),
    /// `server_default=sa.text("...")` / reflected default text / `func.now()`
    /// compiled: emitted as-is (`DEFAULT (CURRENT_TIMESTAMP)`), rendered as
    /// `server_default=sa.text('...')`.
    Text(String),
}

impl ServerDefault {
    /// True for a SQL expression (anything but a plain string). Alembic's
    /// batch `add_column` recreates the table for these on SQLite.
    pub fn is_expression(&self) -> bool {
        matches!(self, ServerDefault::Text(_))
    }
}

/// `Computed("expr", persisted=...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    pub sqltext: String,
    pub persisted: Option<bool>,
}

/// `Identity(always=..., start=..., ...)` as `Identity._as_dict()` plus its
/// dialect keywords orders it: each option with `str()` of its value, which
/// is how `_render_identity` writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub options: Vec<IdentityOption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityOption {
    pub name: String,
    pub value: String,
}

/// `PrimaryKeyConstraint(*columns, name=...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKeyConstraint {
    pub name: Option<Name>,
    pub columns: Vec<String>,
}

/// `ForeignKeyConstraint([cols], ["table.col", ...], name=, ondelete=, onupdate=)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyConstraint {
    pub name: Option<Name>,
    pub columns: Vec<String>,
    pub referred_table: String,
    pub referred_columns: Vec<String>,
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
    pub deferrable: Option<bool>,
    pub initially: Option<String>,
    /// `use_alter=True`
    pub use_alter: bool,
}

/// `UniqueConstraint(*columns, name=...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueConstraint {
    pub name: Option<Name>,
    pub columns: Vec<String>,
}

/// `CheckConstraint("sqltext", name=...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckConstraint {
    pub name: Option<Name>,
    pub sqltext: String,
}

/// `Index(name, *columns, unique=..., sqlite_where=...)`; expressions are
/// kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: Option<Name>,
    pub table: String,
    pub columns: Vec<IndexColumn>,
    pub unique: bool,
    /// `unique` holds an integer rather than a bool: SQLite's reflection
    /// gives PRAGMA index_list's `1`/`0`, and `_render_index` writes
    /// `unique=1` (a false value is written `False`).
    pub unique_int: bool,
    /// `sqlite_where=sa.text('...')`: a partial index's predicate, as SQL
    /// text (the dialect option SQLAlchemy reflects and Alembic renders).
    pub sqlite_where: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexColumn {
    Column(String),
    /// A functional element, e.g. `sa.text('lower(name)')`.
    Expression(String),
}

impl IndexColumn {
    pub fn as_str(&self) -> &str {
        match self {
            IndexColumn::Column(s) | IndexColumn::Expression(s) => s,
        }
    }
}

/// Any named constraint, for ops that carry "what they remove".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    PrimaryKey(PrimaryKeyConstraint),
    ForeignKey(ForeignKeyConstraint),
    Unique(UniqueConstraint),
    Check(CheckConstraint),
}

impl Constraint {
    pub fn name(&self) -> Option<&Name> {
        match self {
            Constraint::PrimaryKey(c) => c.name.as_ref(),
            Constraint::ForeignKey(c) => c.name.as_ref(),
            Constraint::Unique(c) => c.name.as_ref(),
            Constraint::Check(c) => c.name.as_ref(),
        }
    }
    pub fn kind(&self) -> ConstraintKind {
        match self {
            Constraint::PrimaryKey(_) => ConstraintKind::Primary,
            Constraint::ForeignKey(_) => ConstraintKind::ForeignKey,
            Constraint::Unique(_) => ConstraintKind::Unique,
            Constraint::Check(_) => ConstraintKind::Check,
        }
    }
}

/// `type_=` of `op.drop_constraint(name, table, type_=...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConstraintKind {
    /// `'primary'`
    Primary,
    /// `'foreignkey'`
    ForeignKey,
    /// `'unique'`
    Unique,
    /// `'check'`
    Check,
}

impl ConstraintKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintKind::Primary => "primary",
            ConstraintKind::ForeignKey => "foreignkey",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
        }
    }
}

/// A SQLAlchemy type instance: the class as written plus its arguments.
///
/// The class decides rendering (`sa.String(length=40)` vs `sa.VARCHAR(length=40)`),
/// DDL (`VARCHAR(40)`) and type comparison (Alembic's `compare_type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlType {
    pub class: TypeClass,
    /// `length=` for String-like and LargeBinary-like types.
    pub length: Option<u32>,
    /// `precision=` for Numeric / Float / DECIMAL.
    pub precision: Option<u32>,
    /// `scale=` for Numeric / DECIMAL.
    pub scale: Option<u32>,
    /// `asdecimal=` when it differs from the class default.
    pub asdecimal: Option<bool>,
    /// `timezone=True` on DateTime / Time.
    pub timezone: bool,
    /// `collation=`
    pub collation: Option<String>,
    /// Enum / Boolean details.
    pub enum_: Option<EnumInfo>,
    /// `create_constraint=True` on Boolean (and Enum, in `enum_`).
    pub create_constraint: bool,
    /// `name=` of a Boolean's CHECK constraint.
    pub constraint_name: Option<Name>,
    /// `as_uuid=` on Uuid (default True for `Uuid`, False for `UUID`? kept as written).
    pub as_uuid: Option<bool>,
    /// `native_uuid=` on Uuid.
    pub native_uuid: Option<bool>,
    /// `none_as_null=True` on JSON.
    pub none_as_null: bool,
    /// Added by the models helper for `base.with_variant(other, "dialect")`:
    /// the type as written, which Alembic renders; every other field of this
    /// `SqlType` is the type SQLite sees (the "sqlite" variant, else the base).
    pub variant_of: Option<Box<TypeVariants>>,
    /// A project's `TypeDecorator` subclass as written; every other field of
    /// this `SqlType` is the type SQLite sees (its `load_dialect_impl(dialect)`
    /// when the class overrides it, else its `impl`).
    pub decorated: Option<Box<DecoratedType>>,
    /// `postgresql.TIMESTAMP(timezone=True)`: a dialect's own class as
    /// written, which Alembic renders; every other field of this `SqlType`
    /// is the type SQLite's compiler renders it as.
    pub dialect: Option<Box<DialectTypeRepr>>,
}

/// A PostgreSQL / MySQL class SQLite renders by its visit name, as
/// `generic_repr` shows it: `mysql.INTEGER(display_width=11)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialectTypeRepr {
    pub dialect: Dialect,
    pub class: &'static str,
    /// The constructor arguments `repr()` shows, in its order.
    pub args: Vec<String>,
    /// The type of `item_type=` (`sa.ARRAY`), which Alembic renders as a
    /// type of its own (`sa.ARRAY(sa.String(length=20))`) where `repr()`
    /// shows `ARRAY(String(length=20))`.
    pub item_type: Option<Box<SqlType>>,
}

/// `GUID()` where `class GUID(TypeDecorator)` is the project's own: Alembic
/// renders it `models.GUID()` (`_user_autogenerate_prefix`: the class's
/// module), its arguments those of the `impl` instance (`TypeDecorator.__repr__`
/// is `generic_repr(self, to_inspect=self.impl_instance)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoratedType {
    /// The class's `__module__` (`models`, `app.types`).
    pub module: String,
    pub class: String,
    /// `self.impl_instance`: `impl` made with the arguments the decorator got.
    pub impl_type: SqlType,
}

/// `base.with_variant(t1, "d1").with_variant(t2, "d2")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeVariants {
    /// The type before `.with_variant` (without variants itself).
    pub base: SqlType,
    /// (dialect name, type) in the order given.
    pub variants: Vec<(String, SqlType)>,
}

/// `Enum(...)` arguments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnumInfo {
    /// The member names stored in the database, in order.
    pub values: Vec<String>,
    /// `name=`; for a Python enum class SQLAlchemy uses the lower-cased class name.
    pub name: Option<String>,
    /// `native_enum=False` keeps a VARCHAR with a CHECK when `create_constraint`.
    pub native_enum: bool,
    pub create_constraint: bool,
    /// `length=` given explicitly.
    pub length: Option<u32>,
    /// The Python enum class name when built from one (`Enum(Status)`).
    pub enum_class: Option<String>,
    /// `inherit_schema=True`, rendered by Alembic for enums.
    pub inherit_schema: bool,
}

impl SqlType {
    pub fn new(class: TypeClass) -> Self {
        SqlType {
            class,
            length: None,
            precision: None,
            scale: None,
            asdecimal: None,
            timezone: false,
            collation: None,
            enum_: None,
            create_constraint: false,
            constraint_name: None,
            as_uuid: None,
            native_uuid: None,
            none_as_null: false,
            variant_of: None,
            decorated: None,
            dialect: None,
        }
    }

    /// `base.with_variant(...)`: what SQLite sees, carrying the written form.
    pub fn with_variants(base: SqlType, variants: Vec<(String, SqlType)>) -> SqlType {
        let effective =
            variants.iter().find(|(d, _)| d == "sqlite").map(|(_, t)| t.clone()).unwrap_or_else(|| base.clone());
        SqlType { variant_of: Some(Box::new(TypeVariants { base, variants })), ..effective }
    }
    pub fn with_length(mut self, length: Option<u32>) -> Self {
        self.length = length;
        self
    }
}

/// The type classes the playground knows. Generic CamelCase classes are what
/// models usually say; UPPERCASE classes are SQL-standard types, which is what
/// SQLAlchemy's SQLite dialect reflects (`ischema_names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeClass {
    // generic (sqlalchemy.types CamelCase)
    Integer,
    BigInteger,
    SmallInteger,
    String,
    Text,
    Unicode,
    UnicodeText,
    Boolean,
    Enum,
    Numeric,
    Float,
    Double,
    Date,
    DateTime,
    Time,
    Interval,
    /// `sa.PickleType`: a TypeDecorator over LargeBinary (BLOB on SQLite).
    PickleType,
    Json,
    LargeBinary,
    Uuid,
    /// `sqlmodel.sql.sqltypes.AutoString`
    AutoString,
    /// `sqlmodel.sql.sqltypes.UTCDateTime`: a `DateTime(timezone=True)`
    /// decorator SQLModel uses for aware datetimes; DDL `DATETIME`.
    UtcDateTime,
    // SQL standard (UPPERCASE), as reflected
    IntegerUpper,
    BigIntUpper,
    SmallIntUpper,
    VarcharUpper,
    NVarcharUpper,
    CharUpper,
    NCharUpper,
    TextUpper,
    ClobUpper,
    BooleanUpper,
    NumericUpper,
    DecimalUpper,
    FloatUpper,
    RealUpper,
    DoubleUpper,
    DoublePrecisionUpper,
    DateUpper,
    DateTimeUpper,
    TimestampUpper,
    TimeUpper,
    JsonUpper,
    /// `sqlalchemy.dialects.sqlite.JSONB` (DDL `JSONB`), what SQLite's
    /// reflection gives for a `JSONB` column such as `postgresql.JSONB` makes.
    JsonbUpper,
    BlobUpper,
    VarbinaryUpper,
    BinaryUpper,
    UuidUpper,
    /// SQLAlchemy's `NullType`: a declared type SQLite's reflection does not know.
    Null,
    /// A PostgreSQL or MySQL class SQLite's type compiler has no visit method
    /// for (`postgresql.ARRAY`, `mysql.TINYINT`): its DDL fails.
    Unrenderable(UnrenderableType),
}

/// A dialect whose own type classes a project may name
/// (`from sqlalchemy.dialects import postgresql`), or SQLAlchemy's generic
/// types themselves (`sa.ARRAY`, which SQLite cannot compile either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    Postgresql,
    Mysql,
    /// `sqlalchemy.types`: rendered `sa.X`, imported by every script already.
    Generic,
}

impl Dialect {
    /// The module name under `sqlalchemy.dialects`, as Alembic imports it
    /// (`sqlalchemy` for the generic types).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgresql => "postgresql",
            Dialect::Mysql => "mysql",
            Dialect::Generic => "sqlalchemy",
        }
    }

    /// The `from sqlalchemy.dialects import <module>` a rendered script
    /// needs for the dialect's types; none for the generic ones.
    pub fn import_module(self) -> Option<&'static str> {
        match self {
            Dialect::Postgresql | Dialect::Mysql => Some(self.name()),
            Dialect::Generic => None,
        }
    }

    /// The prefix Alembic renders the dialect's types with.
    pub fn prefix(self) -> &'static str {
        match self {
            Dialect::Postgresql => "postgresql.",
            Dialect::Mysql => "mysql.",
            Dialect::Generic => "sa.",
        }
    }
}

/// `postgresql.ARRAY`, `mysql.TINYINT`...: a dialect's own type class
/// SQLAlchemy's SQLite type compiler cannot render
/// (`UnsupportedCompilationError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnrenderableType {
    pub dialect: Dialect,
    /// The class name, which SQLAlchemy's message names.
    pub name: &'static str,
}
