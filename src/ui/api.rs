//! The JS API of a playground, installed on its handle object:
//! `window.alembicPlayground` for the page's own, or the object
//! `alembicPlayground.mount(element)` returns for more.
//!
//! ```text
//! ready                  Promise, resolved once sql.js and the app are loaded
//! setModels(text)        replaces models.py
//! models()               models.py
//! run(commandLine)       Promise<{ ok, output, exitCode }>: an alembic command line through
//!                        engine::command::run, like the native CLI; output is
//!                        stderr (the log) then stdout; ok is exit status 0
//! files()                { "models.py": text, "versions/<file>": text, "helpers.py": text,
//!                        "myapp/types.py": text, ... }: models.py, the scripts and the
//!                        project's own modules (any other .py path, importable by it)
//! setFiles(files)        replaces the project with the files() shape (undoable)
//! schema()               { tables: [{ name, columns: [{ name, type, nullable, default,
//!                        primary_key }], indexes, foreign_keys, unique_constraints }] }
//!                        from PRAGMA on the live database (see ui::inspect)
//! sql(query)             rows of the last row-returning statement of `query`, as
//!                        objects keyed by column name; throws SQLite's error
//! sqlLog()               [{ sql, ms, error }]: every statement executed since load
//! undo()                 undoes the newest change; false if none
//! exportDatabase()       the live database as a SQLite file image (Uint8Array)
//! permalink()            Promise of a URL of this page whose fragment holds every file
//!                        (opening it restores them, over the autosaved work)
//! examples()             [{ id, title, summary, steps: [{ text, kind, value, expectOk }] }]
//! loadExample(id)        a fresh database with that example's files (undoable)
//! runStep(i)             runs step i of the loaded example; true when it did what the step expects
//! reset()                forgets the saved work and loads the default example
//! mount(element)         (page handle only) a new, independent playground in `element`,
//!                        nothing saved; returns its handle, whose `ready` resolves when mounted
//! ```
//!
//! `ready` of the page's handle is created by `www/boot.js` before the wasm
//! loads, so a script may `await alembicPlayground.ready` at any time.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::platform::sqljs::{js_error_message, SqlJsModule};
use crate::ui::bridge::{self, Shared};
use crate::ui::examples::{StepAction, EXAMPLES};

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn string_arg(value: &JsValue, function: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| js_sys::TypeError::new(&format!("alembicPlayground.{function} takes a string")).into())
}

fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

fn busy(e: String) -> JsValue {
    error(&e)
}

/// The page's API object (created by `www/boot.js`, or here when the page has none).
pub fn global_handle() -> JsValue {
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

/// `alembicPlayground.mount(element)`.
pub fn install_mount(module: SqlJsModule) {
    let mount = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(move |element: JsValue| {
        let element: web_sys::Element =
            element.dyn_into().map_err(|_| js_sys::TypeError::new("alembicPlayground.mount takes an element"))?;
        let handle: JsValue = Object::new().into();
        let mut resolve_fn = None;
        let ready = Promise::new(&mut |resolve, _reject| resolve_fn = Some(resolve));
        set(&handle, "ready", &ready);
        if let Some(resolve) = resolve_fn {
            set(&handle, "__resolve", &resolve);
        }
        crate::ui::app::mount(element, module.clone(), None, handle.clone(), false, None);
        Ok(handle)
    });
    set(&global_handle(), "mount", &mount.into_js_value());
}

/// Resolves a mounted playground's `ready` with its handle.
pub fn resolve_handle(handle: &JsValue) {
    if let Ok(f) = Reflect::get(handle, &"__resolve".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(&JsValue::UNDEFINED, handle);
        }
    }
    let _ = Reflect::delete_property(handle.unchecked_ref::<Object>(), &JsValue::from_str("__resolve"));
}

/// Installs the API's functions on `handle`, bound to `bridge`.
pub fn install(handle: &JsValue, bridge: Shared) {
    let b = bridge.clone();
    let set_models = Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |text: JsValue| {
        let text = string_arg(&text, "setModels")?;
        bridge::with(&b, |b| b.edit_file(crate::ui::store::MODELS, std::rc::Rc::from(text.as_str()))).map_err(busy)?.map_err(|e| error(&e))?;
        // The API is synchronous: analyse now rather than after the typing pause.
        let _ = bridge::with(&b, |b| b.analyse_now());
        Ok(())
    });
    set(handle, "setModels", &set_models.into_js_value());

    let b = bridge.clone();
    let models = Closure::<dyn Fn() -> Result<String, JsValue>>::new(move || bridge::with(&b, |b| b.models()).map_err(busy));
    set(handle, "models", &models.into_js_value());

    let b = bridge.clone();
    let run = Closure::<dyn Fn(JsValue) -> Promise>::new(move |line: JsValue| {
        let line = match string_arg(&line, "run") {
            Ok(line) => line,
            Err(e) => return Promise::reject(&e),
        };
        match bridge::with(&b, |b| b.run_command(&line)) {
            Ok(output) => {
                let result = Object::new();
                set(&result, "ok", &JsValue::from_bool(output.exit_code == 0));
                set(&result, "output", &JsValue::from_str(&format!("{}{}", output.stderr, output.stdout)));
                set(&result, "exitCode", &JsValue::from_f64(f64::from(output.exit_code)));
                Promise::resolve(&JsValue::from(result))
            }
            Err(e) => Promise::reject(&busy(e)),
        }
    });
    set(handle, "run", &run.into_js_value());

    let b = bridge.clone();
    let files = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(move || {
        let files = bridge::with(&b, |b| b.files()).map_err(busy)?;
        let object = Object::new();
        for (path, text) in files {
            set(&object, &path, &JsValue::from_str(&text));
        }
        Ok(object.into())
    });
    set(handle, "files", &files.into_js_value());

    let b = bridge.clone();
    let set_files = Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |files: JsValue| {
        if !files.is_object() {
            return Err(js_sys::TypeError::new("alembicPlayground.setFiles takes { path: text }").into());
        }
        let mut map = std::collections::BTreeMap::new();
        for entry in Object::entries(files.unchecked_ref()).iter() {
            let entry: Array = entry.unchecked_into();
            let path = entry.get(0).as_string().unwrap_or_default();
            let text = entry
                .get(1)
                .as_string()
                .ok_or_else(|| js_sys::TypeError::new(&format!("setFiles: the text of {path} is not a string")))?;
            map.insert(path, text);
        }
        bridge::with(&b, |b| b.set_files(map)).map_err(busy)?.map_err(|e| error(&e))
    });
    set(handle, "setFiles", &set_files.into_js_value());

    let b = bridge.clone();
    let schema = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(move || {
        let schema = bridge::with(&b, |b| b.schema()).map_err(busy)?.map_err(|e| error(&e))?;
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        serde::Serialize::serialize(&schema, &serializer).map_err(|e| error(&e.to_string()))
    });
    set(handle, "schema", &schema.into_js_value());

    let b = bridge.clone();
    let sql = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(move |query: JsValue| {
        let query = string_arg(&query, "sql")?;
        let (columns, rows) = bridge::with(&b, |b| b.run_sql(&query)).map_err(busy)?.map_err(|e| error(&e))?;
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
    set(handle, "sql", &sql.into_js_value());

    let b = bridge.clone();
    let sql_log = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(move || {
        let list = Array::new();
        bridge::with(&b, |b| {
            for entry in b.sql_log() {
                let o = Object::new();
                set(&o, "sql", &JsValue::from_str(&entry.sql));
                set(&o, "ms", &JsValue::from_f64(entry.ms));
                set(&o, "error", &entry.error.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL));
                list.push(&o);
            }
        })
        .map_err(busy)?;
        Ok(list.into())
    });
    set(handle, "sqlLog", &sql_log.into_js_value());

    let b = bridge.clone();
    let export = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(move || {
        let image = bridge::with(&b, |b| b.export_database()).map_err(busy)?.map_err(|e| error(&e))?;
        Ok(js_sys::Uint8Array::from(image.as_slice()).into())
    });
    set(handle, "exportDatabase", &export.into_js_value());

    let b = bridge.clone();
    let permalink = Closure::<dyn Fn() -> Promise>::new(move || match bridge::with(&b, |b| b.files()) {
        Ok(files) => crate::ui::bindings::permalink(&files),
        Err(e) => Promise::reject(&busy(e)),
    });
    set(handle, "permalink", &permalink.into_js_value());

    let b = bridge.clone();
    let undo = Closure::<dyn Fn() -> Result<bool, JsValue>>::new(move || bridge::with(&b, |b| b.undo()).map_err(busy));
    set(handle, "undo", &undo.into_js_value());

    let examples = Closure::<dyn Fn() -> JsValue>::new(|| {
        let list = Array::new();
        for e in EXAMPLES {
            let o = Object::new();
            set(&o, "id", &e.id.into());
            set(&o, "title", &e.title.into());
            set(&o, "summary", &e.summary.into());
            let steps = Array::new();
            for s in e.steps {
                let step = Object::new();
                set(&step, "text", &s.text.into());
                let (kind, value) = match s.action {
                    StepAction::Command(line) => ("command", line),
                    StepAction::Sql(q) => ("sql", q),
                    StepAction::Models(m) => ("models", m),
                    StepAction::ScriptEdit { insert, .. } => ("script", insert),
                    StepAction::Undo => ("undo", ""),
                };
                set(&step, "kind", &kind.into());
                set(&step, "value", &value.into());
                set(&step, "expectOk", &JsValue::from_bool(s.expect_ok));
                steps.push(&step);
            }
            set(&o, "steps", &steps);
            list.push(&o);
        }
        list.into()
    });
    set(handle, "examples", &examples.into_js_value());

    let b = bridge.clone();
    let load_example = Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |id: JsValue| {
        let id = string_arg(&id, "loadExample")?;
        bridge::with(&b, |b| b.load_example(&id)).map_err(busy)?.map_err(|e| error(&e))
    });
    set(handle, "loadExample", &load_example.into_js_value());

    let b = bridge.clone();
    let run_step = Closure::<dyn Fn(JsValue) -> Result<bool, JsValue>>::new(move |index: JsValue| {
        let index = index.as_f64().ok_or_else(|| js_sys::TypeError::new("alembicPlayground.runStep takes a number"))?;
        bridge::with(&b, |b| {
            let id = b.example_id().ok_or_else(|| "no example is loaded".to_string())?;
            b.run_step(&id, index as usize)
        })
        .map_err(busy)?
        .map_err(|e| error(&e))
    });
    set(handle, "runStep", &run_step.into_js_value());

    // For the e2e test that a panic never blanks the page.
    let panic = Closure::<dyn Fn()>::new(|| panic!("a panic requested by alembicPlayground.__panicForTests()"));
    set(handle, "__panicForTests", &panic.into_js_value());

    let b = bridge;
    let reset = Closure::<dyn Fn() -> Result<(), JsValue>>::new(move || {
        bridge::with(&b, |b| b.reset()).map_err(busy)?.map_err(|e| error(&e))
    });
    set(handle, "reset", &reset.into_js_value());
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
