//! The data grid's logic: which query shows a table's rows, how a row is
//! identified, how typed text becomes a value, and the SQL of each intent.
//!
//! Invariants:
//! - Pure: no web types; tested natively.
//! - A row is identified by its primary key, or by `rowid` for a table
//!   without one ([`rows_query`] selects it then); NULL key parts compare
//!   with `IS NULL`.
//! - Identifiers go through `ddl::quote`, values through
//!   `sample_rows::value_sql`: user text is never spliced into SQL raw.

use engine::db::{QueryResult, Value};
use engine::ddl::{self, type_affinity, Affinity};
use engine::sample_rows::value_sql;
use engine::schema::{Column, Table};

/// The pseudo-column the grid selects for tables without a primary key.
pub const ROWID: &str = "rowid";

/// What the grid asks the store to do.
#[derive(Debug, Clone, PartialEq)]
pub enum RowIntent {
    /// Add a row; columns not listed take their default.
    Insert { table: String, values: Vec<(String, Value)> },
    /// Set one cell of the row identified by `key`.
    Update { table: String, key: Vec<(String, Value)>, column: String, value: Value },
    Delete { table: String, key: Vec<(String, Value)> },
    /// Add `rows` sample rows (the store calls `engine::sample_rows` with the
    /// current rows and runs the statements).
    FillSample { table: String, rows: usize },
}

fn where_clause(key: &[(String, Value)]) -> String {
    key.iter()
        .map(|(c, v)| match v {
            Value::Null => format!("{} IS NULL", ddl::quote(c)),
            v => format!("{} = {}", ddl::quote(c), value_sql(v)),
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

impl RowIntent {
    /// The one statement that performs the intent; `None` for `FillSample`.
    pub fn sql(&self) -> Option<String> {
        match self {
            RowIntent::Insert { table, values } if values.is_empty() => {
                Some(format!("INSERT INTO {} DEFAULT VALUES", ddl::quote(table)))
            }
            RowIntent::Insert { table, values } => Some(format!(
                "INSERT INTO {} ({}) VALUES ({})",
                ddl::quote(table),
                values.iter().map(|(c, _)| ddl::quote(c)).collect::<Vec<_>>().join(", "),
                values.iter().map(|(_, v)| value_sql(v)).collect::<Vec<_>>().join(", ")
            )),
            RowIntent::Update { table, key, column, value } => Some(format!(
                "UPDATE {} SET {} = {} WHERE {}",
                ddl::quote(table),
                ddl::quote(column),
                value_sql(value),
                where_clause(key)
            )),
            RowIntent::Delete { table, key } => {
                Some(format!("DELETE FROM {} WHERE {}", ddl::quote(table), where_clause(key)))
            }
            RowIntent::FillSample { .. } => None,
        }
    }
}

/// The query whose result the grid shows: every column, plus `rowid` for a
/// table without a primary key; ordered by the key; at most `limit` rows.
pub fn rows_query(table: &Table, limit: usize) -> String {
    let t = ddl::quote(&table.name);
    let pk = table.primary_key_columns();
    if pk.is_empty() {
        format!("SELECT {ROWID}, * FROM {t} ORDER BY {ROWID} LIMIT {limit}")
    } else {
        let order = pk.iter().map(|c| ddl::quote(c)).collect::<Vec<_>>().join(", ");
        format!("SELECT * FROM {t} ORDER BY {order} LIMIT {limit}")
    }
}

/// The key of row `row` of `result`: its primary key values, else its rowid,
/// else (no rowid selected) all its schema columns.
pub fn row_key(table: &Table, result: &QueryResult, row: usize) -> Vec<(String, Value)> {
    let pk = table.primary_key_columns();
    let cols: Vec<String> = if !pk.is_empty() {
        pk.to_vec()
    } else if result.columns.iter().any(|c| c == ROWID) {
        vec![ROWID.to_string()]
    } else {
        table.columns.iter().map(|c| c.name.clone()).collect()
    };
    cols.into_iter().map(|c| {
        let v = result.get(row, &c).clone();
        (c, v)
    }).collect()
}

/// Typed text → a value for `column`: `NULL` is NULL; numbers for integer,
/// boolean (`true`/`false` too) and numeric columns when the text is one;
/// anything else is text (SQLite's type affinity has the last word).
pub fn parse_cell(text: &str, column: &Column) -> Value {
    if text == "NULL" {
        return Value::Null;
    }
    let t = text.trim();
    match type_affinity(column.type_.class) {
        Affinity::Integer => t.parse::<i64>().map(Value::Integer).unwrap_or_else(|_| Value::Text(text.into())),
        Affinity::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" | "1" => Value::Integer(1),
            "false" | "0" => Value::Integer(0),
            _ => Value::Text(text.into()),
        },
        Affinity::Numeric | Affinity::Float => match t.parse::<i64>() {
            Ok(i) => Value::Integer(i),
            Err(_) => t.parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::Real).unwrap_or_else(|| Value::Text(text.into())),
        },
        _ => Value::Text(text.into()),
    }
}

/// A value as the grid shows it (and as the editor starts from).
pub fn display(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => engine::python::repr::py_repr_float(*f),
        Value::Text(s) => s.clone(),
        Value::Blob(b) => {
            let hex: String = b.iter().take(16).map(|x| format!("{x:02X}")).collect();
            format!("X'{hex}{}'", if b.len() > 16 { "…" } else { "" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::schema::{PrimaryKeyConstraint, SqlType, TypeClass};

    fn table(pk: bool) -> Table {
        let mut t = Table::new("order");
        t.columns.push(Column::new("id", SqlType::new(TypeClass::Integer)));
        t.columns.push(Column::new("note", SqlType::new(TypeClass::String)));
        if pk {
            t.primary_key = Some(PrimaryKeyConstraint { name: None, columns: vec!["id".into()] });
        }
        t
    }

    #[test]
    fn intents_become_quoted_sql() {
        let key = vec![("id".to_string(), Value::Integer(3))];
        let up = RowIntent::Update { table: "order".into(), key: key.clone(), column: "note".into(), value: Value::Text("it's".into()) };
        assert_eq!(up.sql().unwrap(), "UPDATE \"order\" SET note = 'it''s' WHERE id = 3");
        let del = RowIntent::Delete { table: "order".into(), key: vec![("a".into(), Value::Null), ("b".into(), Value::Integer(1))] };
        assert_eq!(del.sql().unwrap(), "DELETE FROM \"order\" WHERE a IS NULL AND b = 1");
        let ins = RowIntent::Insert { table: "t".into(), values: vec![("x".into(), Value::Real(2.5))] };
        assert_eq!(ins.sql().unwrap(), "INSERT INTO t (x) VALUES (2.5)");
        assert_eq!(RowIntent::Insert { table: "t".into(), values: vec![] }.sql().unwrap(), "INSERT INTO t DEFAULT VALUES");
        assert_eq!(RowIntent::FillSample { table: "t".into(), rows: 5 }.sql(), None);
    }

    #[test]
    fn keys_use_the_primary_key_or_rowid() {
        let result = QueryResult {
            columns: vec!["rowid".into(), "id".into(), "note".into()],
            rows: vec![vec![Value::Integer(9), Value::Integer(1), Value::Null]],
        };
        assert_eq!(row_key(&table(true), &result, 0), vec![("id".to_string(), Value::Integer(1))]);
        assert_eq!(row_key(&table(false), &result, 0), vec![("rowid".to_string(), Value::Integer(9))]);
        assert_eq!(rows_query(&table(true), 100), "SELECT * FROM \"order\" ORDER BY id LIMIT 100");
        assert_eq!(rows_query(&table(false), 100), "SELECT rowid, * FROM \"order\" ORDER BY rowid LIMIT 100");
    }

    #[test]
    fn typed_text_follows_the_column_type() {
        let int = Column::new("n", SqlType::new(TypeClass::Integer));
        let num = Column::new("n", SqlType::new(TypeClass::Numeric));
        let b = Column::new("b", SqlType::new(TypeClass::Boolean));
        let s = Column::new("s", SqlType::new(TypeClass::String));
        assert_eq!(parse_cell("42", &int), Value::Integer(42));
        assert_eq!(parse_cell("4x", &int), Value::Text("4x".into()));
        assert_eq!(parse_cell("2.5", &num), Value::Real(2.5));
        assert_eq!(parse_cell("true", &b), Value::Integer(1));
        assert_eq!(parse_cell("42", &s), Value::Text("42".into()));
        assert_eq!(parse_cell("NULL", &s), Value::Null);
        assert_eq!(display(&Value::Real(1.0)), "1.0");
        assert_eq!(display(&Value::Blob(vec![1, 2])), "X'0102'");
    }
}
