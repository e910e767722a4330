//! `window.alembicPlayground`: the page's JS API, over the same session the
//! UI shows (an API call shows in the UI at once).
//!
//! ```text
//! ready                  Promise, resolved once sql.js and the app are loaded
//! setModels(text)        replaces models.py
//! models()               models.py
//! run(commandLine)       Promise<{ ok, output }>: an alembic command line through
//!                        engine::command::run, like the native CLI; output is
//!                        stderr (the log) then stdout; ok is exit status 0
//! files()                { "models.py": text, "versions/<file>": text, ... }
//! schema()               { tables: [{ name, columns: [{ name, type, nullable, default,
//!                        primary_key }], indexes, foreign_keys, unique_constraints }] }
//!                        from PRAGMA on the live database, sorted by name,
//!                        alembic_version included (see ui::inspect)
//! sql(query)             rows of the last row-returning statement of `query`, as
//!                        objects keyed by column name; throws SQLite's error
//! undo()                 undoes the newest command or database-changing sql(); false if none
//! ```
//!
//! `ready` itself is created by `www/boot.js` before the wasm loads, so a
//! script may `await alembicPlayground.ready` at any time.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::platform::sqljs::js_error_message;
use crate::ui::session;

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn string_arg(value: &JsValue, function: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| js_sys::TypeError::new(&format!("alembicPlayground.{function} takes a string")).into())
}

/// The global API object (created by `www/boot.js`, or here when the page has none).
fn api_object() -> JsValue {
    let global = js_sys::global();
    match Reflect::get(&global, &JsValue::from_str("alembicPlayground")) {
        Ok(api) if api.is_object() => api,
        _ => {
            let api: JsValue = Object::new().into();
            set(&global, "alembicPlayground", &api);
            api
        }
    }
}

/// Installs the API's functions on `window.alembicPlayground`.
pub fn install() {
    let api = api_object();

    let set_models = Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(|text: JsValue| {
        session::set_models(&string_arg(&text, "setModels")?);
        Ok(())
    });
    set(&api, "setModels", &set_models.into_js_value());

    let models = Closure::<dyn Fn() -> String>::new(session::models);
    set(&api, "models", &models.into_js_value());

    let run = Closure::<dyn Fn(JsValue) -> Promise>::new(|line: JsValue| match string_arg(&line, "run") {
        Ok(line) => {
            let output = session::run_command(&line);
            let result = Object::new();
            set(&result, "ok", &JsValue::from_bool(output.exit_code == 0));
            set(&result, "output", &JsValue::from_str(&format!("{}{}", output.stderr, output.stdout)));
            set(&result, "exitCode", &JsValue::from_f64(f64::from(output.exit_code)));
            Promise::resolve(&JsValue::from(result))
        }
        Err(e) => Promise::reject(&e),
    });
    set(&api, "run", &run.into_js_value());

    let files = Closure::<dyn Fn() -> JsValue>::new(|| {
        let files = Object::new();
        session::read(|s| {
            set(&files, "models.py", &JsValue::from_str(&s.host.models));
            for (name, text) in &s.host.versions {
                set(&files, &format!("versions/{name}"), &JsValue::from_str(text));
            }
        });
        files.into()
    });
    set(&api, "files", &files.into_js_value());

    let schema = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(|| {
        let schema = session::read(|s| s.schema.clone()).unwrap_or_else(|| Err("The playground is still loading.".into()));
        let schema = schema.map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        serde::Serialize::serialize(&schema, &serializer).map_err(|e| js_sys::Error::new(&e.to_string()).into())
    });
    set(&api, "schema", &schema.into_js_value());

    let sql = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(|query: JsValue| {
        let query = string_arg(&query, "sql")?;
        let (columns, rows) = session::run_sql(&query).map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
        let objects = Array::new();
        for row in rows {
            let object = Object::new();
            for (i, column) in columns.iter().enumerate() {
                set(&object, column, &row.get(i as u32));
            }
            objects.push(&object);
        }
        Ok(objects.into())
    });
    set(&api, "sql", &sql.into_js_value());

    let undo = Closure::<dyn Fn() -> bool>::new(session::undo);
    set(&api, "undo", &undo.into_js_value());
}

/// Resolves `alembicPlayground.ready` (through `__alembicPlaygroundBoot.resolve`).
pub fn resolve_ready() {
    call_boot("resolve", &JsValue::UNDEFINED);
}

/// Rejects `alembicPlayground.ready` with `message`.
pub fn reject_ready(message: &str) {
    call_boot("reject", &js_sys::Error::new(message).into());
}

fn call_boot(function: &str, arg: &JsValue) {
    let boot = Reflect::get(&js_sys::global(), &JsValue::from_str("__alembicPlaygroundBoot")).unwrap_or(JsValue::UNDEFINED);
    if let Ok(f) = Reflect::get(&boot, &JsValue::from_str(function)) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            if let Err(e) = f.call1(&boot, arg) {
                web_sys::console::warn_1(&JsValue::from_str(&js_error_message(&e)));
            }
        }
    }
}
