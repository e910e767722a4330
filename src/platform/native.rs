//! rusqlite `Database` (not on wasm32). Placeholder until the SQLite layer lands.

use engine::db::{Database, DbError, QueryResult, Value};

pub struct NativeDatabase {
    conn: rusqlite::Connection,
}

impl NativeDatabase {
    pub fn open(path: &std::path::Path) -> Result<Self, DbError> {
        rusqlite::Connection::open(path).map(|conn| NativeDatabase { conn }).map_err(|e| DbError::new(e.to_string()))
    }
    pub fn open_in_memory() -> Result<Self, DbError> {
        rusqlite::Connection::open_in_memory().map(|conn| NativeDatabase { conn }).map_err(|e| DbError::new(e.to_string()))
    }
}

impl Database for NativeDatabase {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(|e| DbError::new(e.to_string()))
    }
    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| DbError::new(e.to_string()))?;
        let columns: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        let n = columns.len();
        let rows = stmt
            .query_map([], |row| {
                (0..n)
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(v) => Value::Integer(v),
                            rusqlite::types::ValueRef::Real(v) => Value::Real(v),
                            rusqlite::types::ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                            rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                        })
                    })
                    .collect::<Result<Vec<Value>, rusqlite::Error>>()
            })
            .map_err(|e| DbError::new(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DbError::new(e.to_string()))?;
        Ok(QueryResult { columns, rows })
    }
}
