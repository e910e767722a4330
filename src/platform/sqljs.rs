//! The only sql.js bindings (and the only JS externs of the crate): the
//! engine's `Database` over a sql.js `Database` object, and the browser `Host`
//! (files in memory, clock from JS `Date`, ids from `crypto.getRandomValues`).
//!
//! Invariants:
//! - sql.js errors become `DbError` with SQLite's message; nothing here throws
//!   into JS or panics.
//! - Statements are freed before returning (sql.js keeps a registry of live
//!   statements; a leaked one keeps its memory).
//! - `query` reads integers as BigInt (`useBigInt`), so `Value::Integer` and
//!   `Value::Real` stay distinct and 64-bit integers stay exact.
//! - The page loads sql.js before this module starts (`www/boot.js` defines
//!   `__alembicPlaygroundBoot.sqlJs`, the promise of `initSqlJs`).

use std::collections::BTreeMap;
use std::rc::Rc;

use engine::command::script_directory::ScriptCache;
use engine::python::{MemoryLoader, ModuleLoader};
use engine::command::Host;
use engine::db::{Database, DbError, QueryResult, Value};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::platform::host_format::{create_date, rev_id, LocalTime};

#[wasm_bindgen]
extern "C" {
    /// `window.__alembicPlaygroundBoot.sqlJs`: the promise `initSqlJs({locateFile})` returned.
    #[wasm_bindgen(thread_local_v2, js_namespace = __alembicPlaygroundBoot, js_name = sqlJs)]
    static SQL_JS_PROMISE: js_sys::Promise;

    /// The `SQL` module object `initSqlJs` resolves to.
    pub type SqlJsModule;
    #[wasm_bindgen(method, getter, js_name = Database)]
    fn database_class(this: &SqlJsModule) -> js_sys::Function;

    /// A sql.js `Database`.
    type JsDatabase;
    #[wasm_bindgen(method, catch)]
    fn exec(this: &JsDatabase, sql: &str, params: &JsValue, config: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn prepare(this: &JsDatabase, sql: &str) -> Result<JsStatement, JsValue>;
    /// `db.run(sql)`: `sqlite3_exec`, rows discarded, in one call.
    #[wasm_bindgen(method, catch, js_name = run)]
    fn run(this: &JsDatabase, sql: &str) -> Result<JsDatabase, JsValue>;
    #[wasm_bindgen(method, catch, js_name = export)]
    fn export_image(this: &JsDatabase) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn close(this: &JsDatabase) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = getRowsModified)]
    fn rows_modified(this: &JsDatabase) -> f64;

    /// A sql.js `Statement`.
    type JsStatement;
    #[wasm_bindgen(method, catch)]
    fn step(this: &JsStatement) -> Result<bool, JsValue>;
    #[wasm_bindgen(method, catch, js_name = get)]
    fn get_row(this: &JsStatement, params: &JsValue, config: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(method, js_name = getColumnNames)]
    fn column_names(this: &JsStatement) -> Array;
    #[wasm_bindgen(method)]
    fn free(this: &JsStatement) -> bool;

    /// `performance.now()`, for the statement log.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    /// `crypto.getRandomValues(bytes)`.
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(bytes: &mut [u8]) -> Result<JsValue, JsValue>;
}

impl Clone for SqlJsModule {
    fn clone(&self) -> Self {
        JsValue::clone(self).unchecked_into()
    }
}

/// Waits for sql.js (started by `www/boot.js` while the wasm downloads).
pub async fn load_sql_js() -> Result<SqlJsModule, String> {
    let promise = SQL_JS_PROMISE.with(Clone::clone);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(JsCast::unchecked_into)
        .map_err(|e| format!("sql.js did not load: {}", js_error_message(&e)))
}

/// The message of a thrown JS value (`Error.message`, or the value as text).
pub fn js_error_message(error: &JsValue) -> String {
    if let Some(message) = Reflect::get(error, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()) {
        return message;
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

fn db_error(error: JsValue) -> DbError {
    DbError::new(js_error_message(&error))
}

fn big_int_config() -> JsValue {
    let config = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&config, &JsValue::from_str("useBigInt"), &JsValue::TRUE);
    config.into()
}

/// A JS value of a result row as an engine `Value`.
fn value_from_js(v: &JsValue) -> Value {
    if v.is_null() || v.is_undefined() {
        Value::Null
    } else if let Some(s) = v.as_string() {
        Value::Text(s)
    } else if v.is_bigint() {
        match i64::try_from(v.clone().unchecked_into::<js_sys::BigInt>()) {
            Ok(i) => Value::Integer(i),
            // Out of i64 range cannot come from SQLite; keep the digits.
            Err(_) => Value::Text(String::from(
                v.clone().unchecked_into::<js_sys::BigInt>().to_string(10).unwrap_or_default(),
            )),
        }
    } else if let Some(f) = v.as_f64() {
        Value::Real(f)
    } else if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
        Value::Blob(bytes.to_vec())
    } else {
        Value::Null
    }
}

/// The live SQLite database: a sql.js `Database` in this page's memory.
pub struct SqlJsDatabase {
    module: SqlJsModule,
    db: JsDatabase,
    /// While `Some`: every statement run through `Database`, with its time
    /// in ms and SQLite's error (see [`SqlJsDatabase::record`]).
    log: Option<Vec<Statement>>,
}

/// One statement the database ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub ms: f64,
    pub error: Option<String>,
}

impl SqlJsDatabase {
    /// `new SQL.Database()`: an empty database.
    pub fn open(module: SqlJsModule) -> Result<Self, DbError> {
        let db = Self::construct(&module, &Array::new())?;
        Ok(SqlJsDatabase { module, db, log: None })
    }

    fn construct(module: &SqlJsModule, args: &Array) -> Result<JsDatabase, DbError> {
        Reflect::construct(&module.database_class(), args).map(JsCast::unchecked_into).map_err(db_error)
    }

    /// The database file's bytes (`db.export()`), for undo.
    pub fn export(&self) -> Result<Vec<u8>, DbError> {
        self.db.export_image().map(|a| a.to_vec()).map_err(db_error)
    }

    /// Replaces the live database with a new, empty one.
    pub fn clear(&mut self) -> Result<(), DbError> {
        let fresh = Self::construct(&self.module, &Array::new())?;
        let old = std::mem::replace(&mut self.db, fresh);
        old.close().map_err(db_error)
    }

    /// Replaces the live database with `image` (`new SQL.Database(image)`).
    pub fn restore(&mut self, image: &[u8]) -> Result<(), DbError> {
        let fresh = Self::construct(&self.module, &Array::of1(&Uint8Array::from(image).into()))?;
        let old = std::mem::replace(&mut self.db, fresh);
        old.close().map_err(db_error)
    }

    /// Runs every statement of `sql` (`db.exec`) and returns the rows of the
    /// last statement that produced rows, as JS values (numbers, strings,
    /// `null`, `Uint8Array`): what the JS API's `sql()` hands out.
    pub fn exec_rows(&mut self, sql: &str) -> Result<(Vec<String>, Vec<Array>), DbError> {
        let start = performance_now();
        let results = self.db.exec(sql, &JsValue::NULL, &JsValue::UNDEFINED).map_err(db_error);
        if let Some(log) = &mut self.log {
            let error = results.as_ref().err().map(|e| e.message.clone());
            log.push(Statement { sql: sql.to_string(), ms: performance_now() - start, error });
        }
        let results = results?;
        let last = results.iter().last();
        let Some(last) = last else { return Ok((Vec::new(), Vec::new())) };
        let columns = Reflect::get(&last, &JsValue::from_str("columns"))
            .map(|c| Array::from(&c).iter().filter_map(|c| c.as_string()).collect())
            .unwrap_or_default();
        let rows = Reflect::get(&last, &JsValue::from_str("values"))
            .map(|v| Array::from(&v).iter().map(|row| Array::from(&row)).collect())
            .unwrap_or_default();
        Ok((columns, rows))
    }

    /// Starts recording statements (what commands execute, for the SQL log).
    pub fn record(&mut self) {
        self.log = Some(Vec::new());
    }

    /// Stops recording and returns what was recorded.
    pub fn take_recorded(&mut self) -> Vec<Statement> {
        self.log.take().unwrap_or_default()
    }

    /// Records `sql` (started at `start`, while recording) with its outcome.
    fn logged<T>(&mut self, sql: &str, start: Option<f64>, result: &Result<T, DbError>) {
        if let (Some(log), Some(start)) = (&mut self.log, start) {
            let ms = performance_now() - start;
            let error = result.as_ref().err().map(|e| e.message.clone());
            log.push(Statement { sql: sql.to_string(), ms, error });
        }
    }

    /// `sqlite3_changes()` of the last INSERT/UPDATE/DELETE.
    pub fn rows_modified(&self) -> f64 {
        self.db.rows_modified()
    }
}

impl Drop for SqlJsDatabase {
    fn drop(&mut self) {
        let _ = self.db.close();
    }
}

impl Database for SqlJsDatabase {
    /// `db.run` (`sqlite3_exec`): one call into sql.js instead of four
    /// (prepare, column names, step, free) and no `Statement` object.
    /// As the native `execute_batch` and Python's `cursor.execute`, text
    /// with only comments runs nothing and is no error (sql.js's `prepare`
    /// threw "Nothing to prepare").
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        let start = self.log.is_some().then(performance_now);
        let result = self.db.run(sql).map(|_| ()).map_err(db_error);
        self.logged(sql, start, &result);
        result
    }

    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        let start = self.log.is_some().then(performance_now);
        let result = self.db.prepare(sql).map_err(db_error).and_then(|stmt| {
            let result = read_all(&stmt);
            stmt.free();
            result
        });
        self.logged(sql, start, &result);
        result
    }

    fn changes(&mut self) -> Result<i64, DbError> {
        Ok(self.rows_modified() as i64)
    }
}

fn read_all(stmt: &JsStatement) -> Result<QueryResult, DbError> {
    let columns: Vec<String> = stmt.column_names().iter().filter_map(|c| c.as_string()).collect();
    let config = big_int_config();
    let mut rows = Vec::new();
    while stmt.step().map_err(db_error)? {
        let row = stmt.get_row(&JsValue::NULL, &config).map_err(db_error)?;
        rows.push(row.iter().map(|v| value_from_js(&v)).collect());
    }
    Ok(QueryResult { columns, rows })
}

/// A path inside `versions/`: relative, no `..`, `/` separated.
fn is_relative_version_path(p: &str) -> bool {
    !p.is_empty() && !p.starts_with('/') && !p.contains('\\') && p.split('/').all(|c| !c.is_empty() && c != "..")
}

/// The browser `Host`: `models.py`, `versions/` and the project's own
/// modules in memory, the live sql.js database.
///
/// Every `.py` file of the project is importable by its path
/// (`myapp/types.py` is `myapp.types`, `versions/a_x.py` is `versions.a_x`),
/// through the engine's one [`MemoryLoader`]. The scripts' loader remembers
/// what they imported: when a change to the files reaches one of those
/// modules, the [`ScriptCache`] starts a fresh process ([`BrowserHost::sync_modules`]).
pub struct BrowserHost {
    pub models: String,
    /// `versions/<file name>` → text.
    pub versions: BTreeMap<String, String>,
    /// The project's other `.py` files: path (`helpers.py`,
    /// `myapp/types.py`) → text.
    pub modules: BTreeMap<String, String>,
    pub db: SqlJsDatabase,
    /// What models.py imports (each command's import of models.py and the
    /// live autogenerate): brought up to date whenever it is handed out.
    models_loader: Rc<MemoryLoader>,
    /// What the kept scripts import.
    scripts_loader: Rc<MemoryLoader>,
    /// The revision files as loaded, kept between commands (the page stays
    /// open): commands and the page's analysis share the module objects.
    scripts: ScriptCache,
    /// models.py as the last command imported it.
    imported: Option<ImportedModels>,
}

/// An import of models.py kept for the next command: its text, and a loader
/// of its own, which tells whether a module the import asked for changed.
struct ImportedModels {
    source: String,
    loader: Rc<MemoryLoader>,
    result: engine::models::ModelsResult,
}

/// The page's clock: `Date.now()` and the local zone's offset at that instant.
fn browser_clock() -> engine::python::ClockReading {
    let d = js_sys::Date::new_0();
    engine::python::ClockReading {
        unix_micros: (d.get_time() * 1000.0) as i64,
        utc_offset_seconds: -(d.get_timezone_offset() as i64) * 60,
    }
}

impl BrowserHost {
    /// No files yet, over `db`.
    pub fn new(db: SqlJsDatabase) -> BrowserHost {
        let scripts_loader = Rc::new(MemoryLoader::default().with_clock(browser_clock));
        BrowserHost {
            models: String::new(),
            versions: BTreeMap::new(),
            modules: BTreeMap::new(),
            db,
            models_loader: Rc::new(MemoryLoader::default().with_clock(browser_clock)),
            scripts: ScriptCache::new(scripts_loader.clone()),
            scripts_loader,
            imported: None,
        }
    }

    /// Every `.py` file of the project by its path.
    fn project_files(&self) -> impl Iterator<Item = (String, &str)> {
        std::iter::once(("models.py".to_string(), self.models.as_str()))
            .chain(self.modules.iter().map(|(p, t)| (p.clone(), t.as_str())))
            .chain(self.versions.iter().map(|(n, t)| (format!("versions/{n}"), t.as_str())))
    }

    /// Brings the scripts' loader up to date with the files; `true` when
    /// that reached a module the kept scripts imported (or failed to): the
    /// cache then starts a fresh process, and every script loads again.
    pub fn sync_modules(&mut self) -> bool {
        let files: Vec<(String, &str)> = self.project_files().collect();
        let reached = self.scripts_loader.update(files.iter().map(|(p, t)| (p.as_str(), *t)));
        if reached {
            self.scripts.renew();
            self.scripts_loader.forget_asked();
        }
        reached
    }

    /// The kept scripts, as last synchronised ([`BrowserHost::sync_modules`]).
    pub fn scripts(&mut self) -> &mut ScriptCache {
        &mut self.scripts
    }
}

impl Host for BrowserHost {
    fn read_models(&self) -> Result<String, String> {
        Ok(self.models.clone())
    }

    fn module_loader(&self) -> Rc<dyn ModuleLoader> {
        let files: Vec<(String, &str)> = self.project_files().collect();
        self.models_loader.update(files.iter().map(|(p, t)| (p.as_str(), *t)));
        self.models_loader.clone()
    }

    fn script_cache(&mut self) -> Option<&mut ScriptCache> {
        self.sync_modules();
        Some(&mut self.scripts)
    }

    /// The last command's import while models.py and every module it asked
    /// for are unchanged and it did not read the clock (each command would
    /// import the same files again).
    fn import_models(&mut self, source: &str) -> engine::models::ModelsResult {
        let files: Vec<(String, &str)> = self.project_files().collect();
        if let Some(kept) = &self.imported {
            if kept.source == source && !kept.loader.update(files.iter().map(|(p, t)| (p.as_str(), *t))) {
                return kept.result.clone();
            }
        }
        let loader = Rc::new(MemoryLoader::new(files.iter().map(|(p, t)| (p.as_str(), *t))).with_clock(browser_clock));
        let result = engine::models::load_models_with(source, loader.clone());
        // an import that read the clock is not the same the next time
        self.imported = (!loader.clock_was_read())
            .then(|| ImportedModels { source: source.to_string(), loader, result: result.clone() });
        result
    }

    /// The files directly in `versions/` (a subfolder's are not read, as in Alembic).
    fn list_versions(&self) -> Result<Vec<(String, String)>, String> {
        Ok(self.versions.iter().filter(|(k, _)| !k.contains('/')).map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    fn write_version(&mut self, file_name: &str, text: &str) -> Result<(), String> {
        if !is_relative_version_path(file_name) {
            return Err(format!("not a file name in versions/: {file_name:?}"));
        }
        self.versions.insert(file_name.to_string(), text.to_string());
        Ok(())
    }

    /// Folders exist as the prefixes of the file names written into them.
    fn ensure_version_subdir(&mut self, dir: &str) -> Result<bool, String> {
        if !is_relative_version_path(dir) {
            return Err(format!("not a folder in versions/: {dir:?}"));
        }
        let prefix = format!("{dir}/");
        Ok(!self.versions.keys().any(|k| k.starts_with(&prefix)))
    }

    fn database(&mut self) -> &mut dyn Database {
        &mut self.db
    }

    fn now(&self) -> String {
        let d = js_sys::Date::new_0();
        create_date(LocalTime {
            year: d.get_full_year() as i32,
            month: d.get_month() + 1,
            day: d.get_date(),
            hour: d.get_hours(),
            minute: d.get_minutes(),
            second: d.get_seconds(),
            microsecond: d.get_milliseconds() * 1000,
        })
    }

    fn new_rev_id(&mut self) -> String {
        let mut bytes = [0u8; 6];
        if get_random_values(&mut bytes).is_err() {
            // No Web Crypto (never in a browser that runs wasm): fall back to Math.random.
            for b in bytes.iter_mut() {
                *b = (js_sys::Math::random() * 256.0) as u8;
            }
        }
        rev_id(bytes)
    }
}
