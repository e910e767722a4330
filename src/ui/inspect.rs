//! What the database panel and the JS API's `schema()` show: the live
//! schema as SQLite itself reports it through PRAGMA, not as the engine
//! believes it to be.
//!
//! Invariants:
//! - Reads only, through [`engine::db::Database`]; compiles and is tested natively.
//! - Tables come sorted by name; `sqlite_*` internal tables are left out;
//!   `alembic_version` is a table like any other and is included.
//! - Field names follow SQLAlchemy's inspector (`get_columns`, `get_indexes`,
//!   `get_foreign_keys`, `get_unique_constraints`) where it has one.
//! - `indexes` lists only `CREATE INDEX` indexes (PRAGMA index_list origin
//!   `c`); UNIQUE constraints (origin `u`) are `unique_constraints`, and the
//!   primary key's own index (origin `pk`) is not listed
//!   (<https://www.sqlite.org/pragma.html#pragma_index_list>).

use engine::db::{Database, DbError, QueryResult, Value};
use serde::Serialize;

/// The whole live schema.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SchemaView {
    pub tables: Vec<TableView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableView {
    pub name: String,
    pub columns: Vec<ColumnView>,
    pub indexes: Vec<IndexView>,
    pub foreign_keys: Vec<ForeignKeyView>,
    pub unique_constraints: Vec<UniqueView>,
    /// `SELECT count(*)`; shown in the panel, not part of `schema()`.
    #[serde(skip)]
    pub row_count: i64,
}

/// One row of `PRAGMA table_info`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnView {
    pub name: String,
    /// The declared type as written in `CREATE TABLE` (`VARCHAR(7)`), `""` when none.
    #[serde(rename = "type")]
    pub type_: String,
    pub nullable: bool,
    /// The `DEFAULT` clause's SQL text (`'#cccccc'`), `null` when none.
    pub default: Option<String>,
    pub primary_key: bool,
}

/// A `CREATE INDEX` index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexView {
    pub name: String,
    /// `null` entries are expressions.
    pub column_names: Vec<Option<String>>,
    pub unique: bool,
}

/// One `FOREIGN KEY(...) REFERENCES ...`, from `PRAGMA foreign_key_list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignKeyView {
    pub constrained_columns: Vec<String>,
    pub referred_table: String,
    pub referred_columns: Vec<String>,
    /// `ON DELETE` action, `null` for SQLite's default `NO ACTION`.
    pub ondelete: Option<String>,
    /// `ON UPDATE` action, `null` for `NO ACTION`.
    pub onupdate: Option<String>,
}

/// A `UNIQUE (...)` constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UniqueView {
    /// The `CONSTRAINT name` given in `CREATE TABLE`, `null` when unnamed.
    pub name: Option<String>,
    pub column_names: Vec<String>,
}

pub use engine::ddl::quote_identifier;

fn text(result: &QueryResult, row: usize, column: &str) -> Option<String> {
    match result.get(row, column) {
        Value::Text(s) => Some(s.clone()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Null | Value::Blob(_) => None,
    }
}

fn int(result: &QueryResult, row: usize, column: &str) -> i64 {
    match result.get(row, column) {
        Value::Integer(i) => *i,
        Value::Real(f) => *f as i64,
        Value::Text(s) => s.parse().unwrap_or(0),
        Value::Null | Value::Blob(_) => 0,
    }
}

/// The user tables of `sqlite_master AS m` (`sqlite_*` left out), for the
/// table-valued PRAGMA joins below.
const USER_TABLES_WHERE: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/// How many tables one `count(*)` statement counts (SQLite's default limit
/// on the terms of a compound SELECT is 500).
const COUNTS_PER_STATEMENT: usize = 400;

/// Reads every table's columns, indexes, foreign keys, unique constraints and row count.
///
/// A fixed number of statements whatever the number of tables: each PRAGMA
/// is read for all tables at once through its table-valued function
/// (`pragma_table_info(name)` joined with `sqlite_master`), and the row
/// counts in compound SELECTs. Through sql.js every statement is a round
/// trip between wasm and JavaScript; per table it made a hundred tables
/// cost some five hundred of them after every change.
pub fn inspect(db: &mut dyn Database) -> Result<SchemaView, DbError> {
    let master =
        db.query(&format!("SELECT m.name AS name, m.sql AS sql FROM sqlite_master AS m WHERE {USER_TABLES_WHERE} ORDER BY m.name"))?;
    let names: Vec<(String, String)> = (0..master.rows.len())
        .filter_map(|r| Some((text(&master, r, "name")?, text(&master, r, "sql").unwrap_or_default())))
        .collect();
    if names.is_empty() {
        return Ok(SchemaView::default());
    }
    let by_table = |result: &QueryResult| {
        let mut rows: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for r in 0..result.rows.len() {
            rows.entry(text(result, r, "tbl").unwrap_or_default()).or_default().push(r);
        }
        rows
    };
    let info = db.query(&format!(
        "SELECT m.name AS tbl, p.cid AS cid, p.name AS name, p.type AS type, p.\"notnull\" AS \"notnull\", \
         p.dflt_value AS dflt_value, p.pk AS pk FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p \
         WHERE {USER_TABLES_WHERE} ORDER BY m.name, p.cid",
    ))?;
    let index_rows = db.query(&format!(
        "SELECT m.name AS tbl, l.name AS index_name, l.\"unique\" AS \"unique\", l.origin AS origin, \
         i.seqno AS seqno, i.name AS column_name \
         FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS l LEFT JOIN pragma_index_info(l.name) AS i \
         WHERE {USER_TABLES_WHERE} ORDER BY m.name, l.seq, i.seqno",
    ))?;
    let fks = db.query(&format!(
        "SELECT m.name AS tbl, f.id AS id, f.seq AS seq, f.\"table\" AS \"table\", f.\"from\" AS \"from\", f.\"to\" AS \"to\", \
         f.on_update AS on_update, f.on_delete AS on_delete \
         FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f \
         WHERE {USER_TABLES_WHERE} ORDER BY m.name, f.id, f.seq",
    ))?;
    let mut counts: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for chunk in names.chunks(COUNTS_PER_STATEMENT) {
        let select: Vec<String> = chunk
            .iter()
            .map(|(name, _)| {
                format!("SELECT {} AS tbl, count(*) AS n FROM {}", engine::ddl::string_literal(name), quote_identifier(name))
            })
            .collect();
        let result = db.query(&select.join(" UNION ALL "))?;
        for r in 0..result.rows.len() {
            counts.insert(text(&result, r, "tbl").unwrap_or_default(), int(&result, r, "n"));
        }
    }
    let (info_of, indexes_of, fks_of) = (by_table(&info), by_table(&index_rows), by_table(&fks));
    let none = Vec::new();
    let tables = names
        .iter()
        .map(|(name, sql)| TableRows {
            name,
            create_sql: sql,
            info: (&info, info_of.get(name).unwrap_or(&none)),
            indexes: (&index_rows, indexes_of.get(name).unwrap_or(&none)),
            fks: (&fks, fks_of.get(name).unwrap_or(&none)),
            row_count: counts.get(name).copied().unwrap_or(0),
        })
        .map(table_view)
        .collect();
    Ok(SchemaView { tables })
}

/// One table's rows of each PRAGMA read (the result, and the rows that are this table's).
struct TableRows<'a> {
    name: &'a str,
    create_sql: &'a str,
    info: (&'a QueryResult, &'a Vec<usize>),
    indexes: (&'a QueryResult, &'a Vec<usize>),
    fks: (&'a QueryResult, &'a Vec<usize>),
    row_count: i64,
}

fn table_view(t: TableRows) -> TableView {
    let (info, rows) = t.info;
    let columns = rows
        .iter()
        .map(|&r| ColumnView {
            name: text(info, r, "name").unwrap_or_default(),
            type_: text(info, r, "type").unwrap_or_default(),
            nullable: int(info, r, "notnull") == 0,
            default: text(info, r, "dflt_value"),
            primary_key: int(info, r, "pk") > 0,
        })
        .collect();

    let named_uniques = unique_constraint_names(t.create_sql);
    let mut indexes = Vec::new();
    let mut unique_constraints = Vec::new();
    let (list, rows) = t.indexes;
    // Rows come grouped by index, its columns in `seqno` order.
    let mut i = 0;
    while i < rows.len() {
        let first = rows[i];
        let index_name = text(list, first, "index_name");
        let mut column_names: Vec<Option<String>> = Vec::new();
        while i < rows.len() && text(list, rows[i], "index_name") == index_name {
            if !matches!(list.get(rows[i], "seqno"), Value::Null) {
                column_names.push(text(list, rows[i], "column_name"));
            }
            i += 1;
        }
        let Some(index_name) = index_name else { continue };
        let origin = text(list, first, "origin").unwrap_or_default();
        let unique = int(list, first, "unique") != 0;
        match origin.as_str() {
            "c" => indexes.push(IndexView { name: index_name, column_names, unique }),
            "u" => {
                let column_names: Vec<String> = column_names.into_iter().flatten().collect();
                let name = named_uniques
                    .iter()
                    .find(|(_, cols)| cols == &column_names)
                    .and_then(|(name, _)| name.clone());
                unique_constraints.push(UniqueView { name, column_names });
            }
            _ => {}
        }
    }
    engine::sort::sort_by(&mut indexes, |a, b| a.name.cmp(&b.name));
    engine::sort::sort_by(&mut unique_constraints, |a, b| a.column_names.cmp(&b.column_names));

    let (fks, rows) = t.fks;
    let mut foreign_keys: Vec<(i64, ForeignKeyView)> = Vec::new();
    for &r in rows {
        let id = int(fks, r, "id");
        let from = text(fks, r, "from").unwrap_or_default();
        let to = text(fks, r, "to");
        let action = |column: &str| text(fks, r, column).filter(|a| !a.eq_ignore_ascii_case("NO ACTION"));
        match foreign_keys.iter_mut().find(|(fk_id, _)| *fk_id == id) {
            Some((_, fk)) => {
                fk.constrained_columns.push(from);
                fk.referred_columns.extend(to);
            }
            None => foreign_keys.push((
                id,
                ForeignKeyView {
                    constrained_columns: vec![from],
                    referred_table: text(fks, r, "table").unwrap_or_default(),
                    referred_columns: to.into_iter().collect(),
                    ondelete: action("on_delete"),
                    onupdate: action("on_update"),
                },
            )),
        }
    }
    engine::sort::sort_by_key(&mut foreign_keys, |(id, _)| std::cmp::Reverse(*id));
    let foreign_keys = foreign_keys.into_iter().map(|(_, fk)| fk).collect();

    TableView { name: t.name.to_string(), columns, indexes, foreign_keys, unique_constraints, row_count: t.row_count }
}

/// `version_num` of every `alembic_version` row; empty when there is no such table.
pub fn alembic_versions(db: &mut dyn Database) -> Result<Vec<String>, DbError> {
    let exists = db.query("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")?;
    if exists.rows.is_empty() {
        return Ok(Vec::new());
    }
    let rows = db.query("SELECT version_num FROM alembic_version")?;
    Ok((0..rows.rows.len()).filter_map(|r| text(&rows, r, "version_num")).collect())
}

/// `(name, columns)` of every table-level `[CONSTRAINT name] UNIQUE (cols)`
/// in a `CREATE TABLE` statement (SQLite keeps only the autoindex name in
/// its catalog; the constraint name lives in this text, as SQLAlchemy's
/// `get_unique_constraints` also finds).
fn unique_constraint_names(create_sql: &str) -> Vec<(Option<String>, Vec<String>)> {
    // ASCII upper-casing keeps byte offsets, so offsets in `upper` index `create_sql`.
    let upper = create_sql.to_ascii_uppercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = upper.get(from..).and_then(|rest| rest.find("UNIQUE")).map(|p| p + from) {
        from = pos + "UNIQUE".len();
        let after = create_sql.get(from..).unwrap_or("");
        let Some(inner) = after.trim_start().strip_prefix('(') else { continue };
        let Some(close) = inner.find(')') else { continue };
        let columns: Vec<String> = inner.get(..close).unwrap_or("").split(',').map(unquote).collect();
        let before: Vec<&str> = create_sql.get(..pos).unwrap_or("").split_whitespace().rev().take(2).collect();
        let name = match before.as_slice() {
            [name, kw] if kw.eq_ignore_ascii_case("CONSTRAINT") => Some(unquote(name)),
            _ => None,
        };
        found.push((name, columns));
    }
    found
}

fn unquote(word: &str) -> String {
    let w = word.trim();
    let inner = match (w.chars().next(), w.chars().last()) {
        (Some('"'), Some('"')) | (Some('`'), Some('`')) | (Some('['), Some(']')) if w.len() >= 2 => {
            w.get(1..w.len() - 1).unwrap_or(w)
        }
        _ => w,
    };
    inner.replace("\"\"", "\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rusqlite behind the engine's `Database` trait, for these tests only.
    struct Sqlite(rusqlite::Connection);

    impl Database for Sqlite {
        fn execute(&mut self, sql: &str) -> Result<(), DbError> {
            self.0.execute_batch(sql).map_err(|e| DbError::new(e.to_string()))
        }
        fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
            let err = |e: rusqlite::Error| DbError::new(e.to_string());
            let mut stmt = self.0.prepare(sql).map_err(err)?;
            let columns: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
            let n = columns.len();
            let rows = stmt
                .query_map([], |row| {
                    (0..n)
                        .map(|i| {
                            Ok(match row.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => Value::Null,
                                rusqlite::types::ValueRef::Integer(v) => Value::Integer(v),
                                rusqlite::types::ValueRef::Real(v) => Value::Real(v),
                                rusqlite::types::ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into()),
                                rusqlite::types::ValueRef::Blob(v) => Value::Blob(v.to_vec()),
                            })
                        })
                        .collect::<Result<Vec<Value>, rusqlite::Error>>()
                })
                .map_err(err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            Ok(QueryResult { columns, rows })
        }
    }

    /// The schema real Alembic 1.20.1 left for static/examples/blog.py
    /// (`alembic upgrade head` on a reference project; SQL from sqlite_master).
    const BLOG: &str = "
CREATE TABLE alembic_version (
\tversion_num VARCHAR(32) NOT NULL, 
\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE post (
\tid INTEGER NOT NULL, 
\ttitle VARCHAR(200) NOT NULL, 
\tbody TEXT, 
\tpublished_at DATETIME, 
\tPRIMARY KEY (id)
);
CREATE TABLE tag (
\tid INTEGER NOT NULL, 
\tname VARCHAR(50) NOT NULL, 
\tPRIMARY KEY (id), 
\tUNIQUE (name)
);
CREATE INDEX ix_tag_id ON tag (id);
CREATE TABLE post_tag (
\tpost_id INTEGER NOT NULL, 
\ttag_id INTEGER NOT NULL, 
\tPRIMARY KEY (post_id, tag_id), 
\tFOREIGN KEY(post_id) REFERENCES post (id) ON DELETE CASCADE, 
\tFOREIGN KEY(tag_id) REFERENCES tag (id) ON DELETE CASCADE
);
INSERT INTO alembic_version (version_num) VALUES ('r0001');
INSERT INTO tag (name) VALUES ('rust'), ('sql');
";

    fn blog() -> Sqlite {
        let mut db = Sqlite(rusqlite::Connection::open_in_memory().expect("in-memory sqlite"));
        db.execute(BLOG).expect("blog schema");
        db
    }

    fn table<'a>(schema: &'a SchemaView, name: &str) -> &'a TableView {
        schema.tables.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no table {name}"))
    }

    #[test]
    fn tables_are_sorted_and_include_alembic_version() {
        let schema = inspect(&mut blog()).expect("inspect");
        let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["alembic_version", "post", "post_tag", "tag"]);
    }

    #[test]
    fn columns_come_from_table_info() {
        let schema = inspect(&mut blog()).expect("inspect");
        let post = table(&schema, "post");
        let col = |n: &str| post.columns.iter().find(|c| c.name == n).cloned();
        assert_eq!(
            col("id"),
            Some(ColumnView { name: "id".into(), type_: "INTEGER".into(), nullable: false, default: None, primary_key: true })
        );
        assert_eq!(
            col("body"),
            Some(ColumnView { name: "body".into(), type_: "TEXT".into(), nullable: true, default: None, primary_key: false })
        );
        let names: Vec<&str> = post.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "title", "body", "published_at"]);
    }

    #[test]
    fn indexes_uniques_and_foreign_keys_are_told_apart() {
        let schema = inspect(&mut blog()).expect("inspect");
        let tag = table(&schema, "tag");
        assert_eq!(
            tag.indexes,
            vec![IndexView { name: "ix_tag_id".into(), column_names: vec![Some("id".into())], unique: false }]
        );
        assert_eq!(tag.unique_constraints, vec![UniqueView { name: None, column_names: vec!["name".into()] }]);
        assert_eq!(tag.row_count, 2);
        let post_tag = table(&schema, "post_tag");
        assert!(post_tag.indexes.is_empty());
        assert!(post_tag.unique_constraints.is_empty());
        assert_eq!(
            post_tag.foreign_keys,
            vec![
                ForeignKeyView {
                    constrained_columns: vec!["post_id".into()],
                    referred_table: "post".into(),
                    referred_columns: vec!["id".into()],
                    ondelete: Some("CASCADE".into()),
                    onupdate: None,
                },
                ForeignKeyView {
                    constrained_columns: vec!["tag_id".into()],
                    referred_table: "tag".into(),
                    referred_columns: vec!["id".into()],
                    ondelete: Some("CASCADE".into()),
                    onupdate: None,
                },
            ]
        );
        // The primary key's autoindex is neither an index nor a unique constraint.
        let version = table(&schema, "alembic_version");
        assert!(version.indexes.is_empty() && version.unique_constraints.is_empty());
    }

    #[test]
    fn server_defaults_and_named_uniques_are_read_from_sqlite() {
        let mut db = Sqlite(rusqlite::Connection::open_in_memory().expect("in-memory sqlite"));
        db.execute(
            "CREATE TABLE tag (id INTEGER NOT NULL, name VARCHAR, color VARCHAR(7) DEFAULT '#cccccc' NOT NULL, \
             PRIMARY KEY (id), CONSTRAINT uq_tag_name UNIQUE (name), UNIQUE (name, color))",
        )
        .expect("create");
        let schema = inspect(&mut db).expect("inspect");
        let tag = table(&schema, "tag");
        assert_eq!(tag.columns[2].default.as_deref(), Some("'#cccccc'"));
        assert_eq!(tag.columns[2].type_, "VARCHAR(7)");
        assert_eq!(
            tag.unique_constraints,
            vec![
                UniqueView { name: Some("uq_tag_name".into()), column_names: vec!["name".into()] },
                UniqueView { name: None, column_names: vec!["name".into(), "color".into()] },
            ]
        );
    }

    #[test]
    fn many_tables_are_read_in_a_fixed_number_of_statements() {
        let mut db = Sqlite(rusqlite::Connection::open_in_memory().expect("in-memory sqlite"));
        let n = COUNTS_PER_STATEMENT + 50;
        let mut ddl = String::new();
        for t in 0..n {
            ddl.push_str(&format!(
                "CREATE TABLE t{t} (id INTEGER PRIMARY KEY, v TEXT, p INTEGER REFERENCES t0 (id));\n\
                 CREATE INDEX ix_t{t}_expr ON t{t} (lower(v), id);\n"
            ));
            for r in 0..(t % 3) {
                ddl.push_str(&format!("INSERT INTO t{t} (v) VALUES ('{r}');\n"));
            }
        }
        db.execute(&ddl).expect("schema");
        struct Counting<'a>(&'a mut Sqlite, usize);
        impl Database for Counting<'_> {
            fn execute(&mut self, sql: &str) -> Result<(), DbError> {
                self.1 += 1;
                self.0.execute(sql)
            }
            fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
                self.1 += 1;
                self.0.query(sql)
            }
        }
        let mut counting = Counting(&mut db, 0);
        let schema = inspect(&mut counting).expect("inspect");
        // sqlite_master, table_info, index_list + index_info, foreign_key_list, two count(*) statements
        assert_eq!(counting.1, 6);
        assert_eq!(schema.tables.len(), n);
        for t in [0, 1, 2, COUNTS_PER_STATEMENT + 1] {
            let view = table(&schema, &format!("t{t}"));
            assert_eq!(view.row_count, (t % 3) as i64, "t{t}");
            assert_eq!(view.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["id", "v", "p"]);
            // An expression is a `null` column name, in the index's order.
            assert_eq!(
                view.indexes,
                vec![IndexView { name: format!("ix_t{t}_expr"), column_names: vec![None, Some("id".into())], unique: false }]
            );
            assert_eq!(view.foreign_keys.len(), 1);
            assert_eq!(view.foreign_keys[0].referred_table, "t0");
        }
    }

    #[test]
    fn alembic_versions_reads_the_version_table() {
        assert_eq!(alembic_versions(&mut blog()).expect("versions"), ["r0001"]);
        let mut empty = Sqlite(rusqlite::Connection::open_in_memory().expect("in-memory sqlite"));
        assert_eq!(alembic_versions(&mut empty).expect("versions"), Vec::<String>::new());
        assert_eq!(inspect(&mut empty).expect("inspect"), SchemaView::default());
    }

    #[test]
    fn schema_json_uses_the_documented_names() {
        let schema = inspect(&mut blog()).expect("inspect");
        let json = serde_json::to_value(table(&schema, "tag")).expect("json");
        assert_eq!(
            json["columns"][0],
            serde_json::json!({"name": "id", "type": "INTEGER", "nullable": false, "default": null, "primary_key": true})
        );
        assert!(json.get("row_count").is_none());
        assert_eq!(json["unique_constraints"][0]["column_names"][0], "name");
    }
}
