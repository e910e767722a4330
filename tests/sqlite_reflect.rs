//! `reflect` against what SQLAlchemy 2.1.9's `inspect(engine).get_columns /
//! get_pk_constraint / get_foreign_keys / get_unique_constraints /
//! get_check_constraints / get_indexes` report for the same database.
//!
//! The expected text was printed by a Python script running the inspector
//! over these DDL statements (see the report of the sqlite helper); the
//! test prints our reflection in the same layout.

use alembic_playground::platform::native::NativeDatabase;
use engine::db::Database;
use engine::reflect;
use engine::schema::*;

const DDL: &[&str] = &[
    "CREATE TABLE parent (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(40), \n\tCONSTRAINT pk_parent PRIMARY KEY (id)\n)",
    "CREATE TABLE \"Child Table\" (\n\tid INTEGER NOT NULL, \n\t\"order\" NUMERIC(5, 1) DEFAULT '0', \n\tparent_id INTEGER, \n\tp2 INTEGER, \n\tcode CHAR(32) UNIQUE, \n\tts DATETIME DEFAULT (CURRENT_TIMESTAMP), \n\tqty INTEGER DEFAULT 10 NOT NULL, \n\tflag BOOLEAN CHECK (flag IN (0, 1)), \n\tb BLOB, \n\tj JSON, \n\tf FLOAT, \n\tdd DOUBLE, \n\tm MONEY, \n\tu VARCHAR, \n\tx, \n\tbi BIGINT, \n\tdt DATE, \n\ttm TIME, \n\ttx TEXT, \n\tPRIMARY KEY (id), \n\tCONSTRAINT fk_p FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE ON UPDATE SET NULL, \n\tFOREIGN KEY(p2) REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED, \n\tCONSTRAINT uq_two UNIQUE (\"order\", qty), \n\tUNIQUE (p2), \n\tCONSTRAINT ck_qty CHECK (qty > 0), \n\tCHECK (\"order\" < 100)\n)",
    "CREATE INDEX ix_child_ts ON \"Child Table\" (ts)",
    "CREATE UNIQUE INDEX ix_child_multi ON \"Child Table\" (tx, dt)",
    "CREATE INDEX ix_expr ON \"Child Table\" (lower(tx))",
    "CREATE TABLE inline_ref (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent, other INTEGER REFERENCES parent(id) ON DELETE SET NULL)",
    "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)",
    // an AUTOINCREMENT table makes SQLite create sqlite_sequence, which is left out
    "CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT)",
];

/// SQLAlchemy's class names for our reflected classes.
fn class_name(c: TypeClass) -> &'static str {
    use TypeClass as T;
    match c {
        T::IntegerUpper => "INTEGER",
        T::NumericUpper => "NUMERIC",
        T::CharUpper => "CHAR",
        T::DateTimeUpper => "DATETIME",
        T::BooleanUpper => "BOOLEAN",
        T::BlobUpper => "BLOB",
        T::JsonUpper => "JSON",
        T::FloatUpper => "FLOAT",
        T::DoubleUpper => "DOUBLE",
        T::VarcharUpper => "VARCHAR",
        T::Null => "NullType",
        T::BigIntUpper => "BIGINT",
        T::DateUpper => "DATE",
        T::TimeUpper => "TIME",
        T::TextUpper => "TEXT",
        other => panic!("unexpected {other:?}"),
    }
}

fn py_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
fn py_name(n: &Option<Name>) -> String {
    n.as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_else(|| "None".into())
}
fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

fn describe(md: &MetaData) -> String {
    let mut out = Vec::new();
    for t in md.tables_in_order() {
        out.push(format!("TABLE {}", t.name));
        for c in &t.columns {
            let mut args = Vec::new();
            if let Some(l) = c.type_.length {
                args.push(format!("'length': {l}"));
            }
            if let Some(p) = c.type_.precision {
                args.push(format!("'precision': {p}"));
            }
            if let Some(s) = c.type_.scale {
                args.push(format!("'scale': {s}"));
            }
            let default = match &c.server_default {
                Some(ServerDefault::Text(t)) | Some(ServerDefault::Literal(t)) => py_repr(t),
                None => "None".into(),
            };
            out.push(format!(
                "  COL {} {} {{{}}} nullable={} default={} computed=None",
                c.name,
                class_name(c.type_.class),
                args.join(", "),
                if c.nullable { "True" } else { "False" },
                default
            ));
        }
        if let Some(pk) = &t.primary_key {
            let name = pk
                .name
                .as_ref()
                .map(|n| format!("'{}'", n.value))
                .unwrap_or_else(|| "None".into());
            out.push(format!(
                "  PK {{'constrained_columns': {}, 'name': {}}}",
                py_list(&pk.columns),
                name
            ));
        }
        for fk in &t.foreign_keys {
            let mut opts = Vec::new();
            if let Some(d) = &fk.ondelete {
                opts.push(format!("'ondelete': '{d}'"));
            }
            if let Some(u) = &fk.onupdate {
                opts.push(format!("'onupdate': '{u}'"));
            }
            if let Some(d) = fk.deferrable {
                opts.push(format!(
                    "'deferrable': {}",
                    if d { "True" } else { "False" }
                ));
            }
            if let Some(i) = &fk.initially {
                opts.push(format!("'initially': '{i}'"));
            }
            out.push(format!(
                "  FK {} {} {} {} {{{}}}",
                py_name(&fk.name),
                py_list(&fk.columns),
                fk.referred_table,
                py_list(&fk.referred_columns),
                opts.join(", ")
            ));
        }
        for u in &t.unique_constraints {
            out.push(format!("  UQ {} {}", py_name(&u.name), py_list(&u.columns)));
        }
        for c in &t.check_constraints {
            out.push(format!("  CK {} {}", py_name(&c.name), py_repr(&c.sqltext)));
        }
        for i in &t.indexes {
            let cols: Vec<String> = i.columns.iter().map(|c| c.as_str().to_string()).collect();
            out.push(format!(
                "  IX {} {} unique={}",
                py_name(&i.name),
                py_list(&cols),
                if i.unique { "True" } else { "False" }
            ));
        }
    }
    out.join("\n")
}

#[test]
fn reflection_matches_sqlalchemy_inspector() {
    let mut db = NativeDatabase::open_in_memory().unwrap();
    for d in DDL {
        db.execute(d).unwrap();
    }
    let md = reflect::reflect(&mut db).unwrap();
    assert!(md.tables.keys().all(|k| !k.starts_with("sqlite_")));
    let want = r#"TABLE Child Table
  COL id INTEGER {} nullable=False default=None computed=None
  COL order NUMERIC {'precision': 5, 'scale': 1} nullable=True default="'0'" computed=None
  COL parent_id INTEGER {} nullable=True default=None computed=None
  COL p2 INTEGER {} nullable=True default=None computed=None
  COL code CHAR {'length': 32} nullable=True default=None computed=None
  COL ts DATETIME {} nullable=True default='CURRENT_TIMESTAMP' computed=None
  COL qty INTEGER {} nullable=False default='10' computed=None
  COL flag BOOLEAN {} nullable=True default=None computed=None
  COL b BLOB {} nullable=True default=None computed=None
  COL j JSON {} nullable=True default=None computed=None
  COL f FLOAT {} nullable=True default=None computed=None
  COL dd DOUBLE {} nullable=True default=None computed=None
  COL m NUMERIC {} nullable=True default=None computed=None
  COL u VARCHAR {} nullable=True default=None computed=None
  COL x NullType {} nullable=True default=None computed=None
  COL bi BIGINT {} nullable=True default=None computed=None
  COL dt DATE {} nullable=True default=None computed=None
  COL tm TIME {} nullable=True default=None computed=None
  COL tx TEXT {} nullable=True default=None computed=None
  PK {'constrained_columns': ['id'], 'name': None}
  FK fk_p ['parent_id'] parent ['id'] {'ondelete': 'CASCADE', 'onupdate': 'SET NULL'}
  FK None ['p2'] parent ['id'] {'deferrable': True, 'initially': 'DEFERRED'}
  UQ uq_two ['order', 'qty']
  UQ None ['p2']
  CK ck_qty 'qty > 0'
  CK None 'flag IN (0, 1)'
  CK None '"order" < 100'
  IX ix_child_multi ['tx', 'dt'] unique=True
  IX ix_child_ts ['ts'] unique=False
TABLE alembic_version
  COL version_num VARCHAR {'length': 32} nullable=False default=None computed=None
  PK {'constrained_columns': ['version_num'], 'name': 'alembic_version_pkc'}
TABLE inline_ref
  COL id INTEGER {} nullable=True default=None computed=None
  COL parent_id INTEGER {} nullable=True default=None computed=None
  COL other INTEGER {} nullable=True default=None computed=None
  PK {'constrained_columns': ['id'], 'name': None}
  FK None ['other'] parent ['id'] {}
  FK None ['parent_id'] parent ['id'] {}
TABLE parent
  COL id INTEGER {} nullable=False default=None computed=None
  COL name VARCHAR {'length': 40} nullable=True default=None computed=None
  PK {'constrained_columns': ['id'], 'name': 'pk_parent'}
TABLE seq
  COL id INTEGER {} nullable=True default=None computed=None
  PK {'constrained_columns': ['id'], 'name': None}"#;
    assert_eq!(describe(&md), want);
}

/// Counts the statements that read `sqlite_master`, which has no index on
/// `name`: one such read per table made reflection quadratic in tables.
struct CatalogReads {
    db: NativeDatabase,
    reads: usize,
}

impl Database for CatalogReads {
    fn execute(&mut self, sql: &str) -> Result<(), engine::db::DbError> {
        self.db.execute(sql)
    }
    fn query(&mut self, sql: &str) -> Result<engine::db::QueryResult, engine::db::DbError> {
        self.reads += usize::from(sql.contains("sqlite_master"));
        self.db.query(sql)
    }
}

#[test]
fn reflection_reads_the_catalog_a_fixed_number_of_times() {
    let mut db = CatalogReads { db: NativeDatabase::open_in_memory().unwrap(), reads: 0 };
    for t in 0..50 {
        db.execute(&format!("CREATE TABLE t{t} (id INTEGER PRIMARY KEY, x INTEGER)")).unwrap();
        db.execute(&format!("CREATE INDEX ix_t{t}_x ON t{t} (x)")).unwrap();
    }
    db.execute("CREATE VIEW v AS SELECT * FROM t0").unwrap();
    let md = reflect::reflect(&mut db).unwrap();
    assert_eq!(md.tables.len(), 50);
    assert_eq!(md.tables["t7"].indexes.len(), 1);
    assert_eq!(db.reads, 2, "one read of the table names, one of their CREATE TABLE texts");
}
