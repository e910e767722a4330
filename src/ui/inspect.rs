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

/// Reads every table's columns, indexes, foreign keys, unique constraints and row count.
pub fn inspect(db: &mut dyn Database) -> Result<SchemaView, DbError> {
    let master = db.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    let mut tables = Vec::new();
    for row in 0..master.rows.len() {
        let Some(name) = text(&master, row, "name") else { continue };
        let sql = text(&master, row, "sql").unwrap_or_default();
        tables.push(inspect_table(db, &name, &sql)?);
    }
    Ok(SchemaView { tables })
}

fn inspect_table(db: &mut dyn Database, name: &str, create_sql: &str) -> Result<TableView, DbError> {
    let quoted = quote_identifier(name);
    let info = db.query(&format!("PRAGMA table_info({quoted})"))?;
    let columns = (0..info.rows.len())
        .map(|r| ColumnView {
            name: text(&info, r, "name").unwrap_or_default(),
            type_: text(&info, r, "type").unwrap_or_default(),
            nullable: int(&info, r, "notnull") == 0,
            default: text(&info, r, "dflt_value"),
            primary_key: int(&info, r, "pk") > 0,
        })
        .collect();

    let named_uniques = unique_constraint_names(create_sql);
    let mut indexes = Vec::new();
    let mut unique_constraints = Vec::new();
    let list = db.query(&format!("PRAGMA index_list({quoted})"))?;
    for r in 0..list.rows.len() {
        let Some(index_name) = text(&list, r, "name") else { continue };
        let origin = text(&list, r, "origin").unwrap_or_default();
        let unique = int(&list, r, "unique") != 0;
        let info = db.query(&format!("PRAGMA index_info({})", quote_identifier(&index_name)))?;
        let mut cols: Vec<(i64, Option<String>)> =
            (0..info.rows.len()).map(|i| (int(&info, i, "seqno"), text(&info, i, "name"))).collect();
        cols.sort_by_key(|(seqno, _)| *seqno);
        let column_names: Vec<Option<String>> = cols.into_iter().map(|(_, c)| c).collect();
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
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    unique_constraints.sort_by(|a, b| a.column_names.cmp(&b.column_names));

    let fks = db.query(&format!("PRAGMA foreign_key_list({quoted})"))?;
    let mut foreign_keys: Vec<(i64, ForeignKeyView)> = Vec::new();
    for r in 0..fks.rows.len() {
        let id = int(&fks, r, "id");
        let from = text(&fks, r, "from").unwrap_or_default();
        let to = text(&fks, r, "to");
        let action = |column: &str| text(&fks, r, column).filter(|a| !a.eq_ignore_ascii_case("NO ACTION"));
        match foreign_keys.iter_mut().find(|(fk_id, _)| *fk_id == id) {
            Some((_, fk)) => {
                fk.constrained_columns.push(from);
                fk.referred_columns.extend(to);
            }
            None => foreign_keys.push((
                id,
                ForeignKeyView {
                    constrained_columns: vec![from],
                    referred_table: text(&fks, r, "table").unwrap_or_default(),
                    referred_columns: to.into_iter().collect(),
                    ondelete: action("on_delete"),
                    onupdate: action("on_update"),
                },
            )),
        }
    }
    foreign_keys.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    let foreign_keys = foreign_keys.into_iter().map(|(_, fk)| fk).collect();

    let count = db.query(&format!("SELECT count(*) AS n FROM {quoted}"))?;
    let row_count = int(&count, 0, "n");

    Ok(TableView { name: name.to_string(), columns, indexes, foreign_keys, unique_constraints, row_count })
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
