//! Every JS extern of the UI, in one place: the CodeMirror editor module
//! (www/editor.js, bundled at build time), the page's boot object (with the
//! permalink codec and the clipboard; www/boot.js also answers the
//! postMessage API over the JS API), the clock, and whether localStorage is
//! there. sql.js has its own bindings in
//! `platform::sqljs`.
//!
//! Invariants:
//! - `www/boot.js` imports the editor module and stores it as
//!   `__alembicPlaygroundBoot.editorModule` before the app starts (the app
//!   awaits `__alembicPlaygroundBoot.editor`), so `create_editor` is only
//!   called once it is there.
//! - Nothing here throws into Rust: fallible JS calls are `catch`.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::ui::store::Problem;

#[wasm_bindgen]
extern "C" {
    /// `__alembicPlaygroundBoot.editor`: the promise of `import("./editor.js")`.
    #[wasm_bindgen(thread_local_v2, js_namespace = __alembicPlaygroundBoot, js_name = editor)]
    static EDITOR_PROMISE: Promise;

    /// `__alembicPlaygroundBoot.project`: a permalink's files, or null.
    #[wasm_bindgen(thread_local_v2, js_namespace = __alembicPlaygroundBoot, js_name = project)]
    static PROJECT_PROMISE: Promise;
    #[wasm_bindgen(catch, js_namespace = __alembicPlaygroundBoot, js_name = permalink)]
    fn permalink_js(files: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = __alembicPlaygroundBoot, js_name = copy)]
    fn copy_js(text: &str) -> Promise;

    #[wasm_bindgen(catch, js_namespace = ["__alembicPlaygroundBoot", "editorModule"], js_name = createEditor)]
    fn create_editor_js(parent: &web_sys::Element, doc: &str, label: &str, on_change: &Function) -> Result<JsEditor, JsValue>;

    /// A CodeMirror view behind www/editor.js's small handle.
    pub type JsEditor;
    #[wasm_bindgen(method)]
    pub fn text(this: &JsEditor) -> String;
    #[wasm_bindgen(method, js_name = setText)]
    pub fn set_text(this: &JsEditor, text: &str);
    #[wasm_bindgen(method, js_name = setDiagnostics)]
    fn set_diagnostics_js(this: &JsEditor, list: &Array);
    #[wasm_bindgen(method)]
    pub fn focus(this: &JsEditor);
    #[wasm_bindgen(method)]
    pub fn destroy(this: &JsEditor);

    /// `performance.now()`: milliseconds, sub-millisecond resolution.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub fn now_ms() -> f64;

    #[wasm_bindgen(js_namespace = performance, js_name = clearMeasures)]
    fn performance_clear_measures(name: &str);
    #[wasm_bindgen(catch, js_namespace = performance, js_name = measure)]
    fn performance_measure(name: &str, options: &JsValue) -> Result<JsValue, JsValue>;
}

/// Records `name` from `start_ms` (a [`now_ms`] reading) to now as a
/// `performance.measure` entry, replacing the previous one of that name (so
/// they never pile up): the page benchmark (www/bench-page.mjs) and the
/// browser's profiler read where the time of an action went.
pub fn measure_since(name: &str, start_ms: f64) {
    let options = Object::new();
    let _ = Reflect::set(&options, &"start".into(), &JsValue::from_f64(start_ms));
    let _ = Reflect::set(&options, &"end".into(), &JsValue::from_f64(now_ms()));
    performance_clear_measures(name);
    let _ = performance_measure(name, &options);
}

/// True when `window.localStorage` can be reached: it throws in a sandboxed
/// frame or with storage disabled, and gloo-storage would throw then.
pub fn local_storage_available() -> bool {
    matches!(web_sys::window().map(|w| w.local_storage()), Some(Ok(Some(_))))
}

/// Waits for the editor module (loading since `www/boot.js` ran).
pub async fn load_editor() -> Result<(), String> {
    let promise = EDITOR_PROMISE.with(Clone::clone);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| format!("The editor did not load: {}", crate::platform::sqljs::js_error_message(&e)))
}

/// What an editor reports after each edit: its text as UTF-8 (the browser's
/// `TextEncoder` and one copy into wasm memory, which for a pasted file of
/// megabytes is a fraction of a string conversion's cost). [`editor_text`]
/// reads it.
pub type EditorChange = Closure<dyn Fn(js_sys::Uint8Array)>;

/// The text of an [`EditorChange`] (`TextEncoder` output is always UTF-8).
pub fn editor_text(bytes: &js_sys::Uint8Array) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A CodeMirror editor in `parent`; `on_change` gets the text after each
/// edit by the person (not after [`JsEditor::set_text`]).
pub fn create_editor(
    parent: &web_sys::Element,
    doc: &str,
    label: &str,
    on_change: &EditorChange,
) -> Result<JsEditor, String> {
    create_editor_js(parent, doc, label, on_change.as_ref().unchecked_ref())
        .map_err(|e| crate::platform::sqljs::js_error_message(&e))
}

impl JsEditor {
    /// Shows `problems` inline (replacing what was shown).
    pub fn set_problems(&self, problems: &[Problem]) {
        let list = Array::new();
        for p in problems {
            let o = Object::new();
            let _ = Reflect::set(&o, &"line".into(), &JsValue::from(p.line));
            let _ = Reflect::set(&o, &"column".into(), &JsValue::from(p.column));
            let _ = Reflect::set(&o, &"error".into(), &JsValue::from_bool(p.error));
            let _ = Reflect::set(&o, &"message".into(), &JsValue::from_str(&p.message));
            list.push(&o);
        }
        self.set_diagnostics_js(&list);
    }
}

/// Files (`files()` shape) as a JS object.
pub fn files_object(files: &std::collections::BTreeMap<String, String>) -> JsValue {
    let object = Object::new();
    for (path, text) in files {
        let _ = Reflect::set(&object, &JsValue::from_str(path), &JsValue::from_str(text));
    }
    object.into()
}

/// The permalink of `files`: a promise of the URL (see www/boot.js).
pub fn permalink(files: &std::collections::BTreeMap<String, String>) -> Promise {
    match permalink_js(&files_object(files)) {
        Ok(promise) => promise,
        Err(e) => Promise::reject(&e),
    }
}

/// The permalink of `files`, awaited.
pub async fn permalink_url(files: &std::collections::BTreeMap<String, String>) -> Result<String, String> {
    wasm_bindgen_futures::JsFuture::from(permalink(files))
        .await
        .map(|url| url.as_string().unwrap_or_default())
        .map_err(|e| format!("The permalink could not be made: {}", crate::platform::sqljs::js_error_message(&e)))
}

/// Copies `text` to the clipboard; `false` when the browser refused.
pub async fn copy_to_clipboard(text: &str) -> bool {
    wasm_bindgen_futures::JsFuture::from(copy_js(text)).await.map(|v| v.is_truthy()).unwrap_or(false)
}

/// The project of the permalink the page was opened with: `Ok(None)` without
/// one, `Err` when the link cannot be read.
pub async fn permalink_project() -> Result<Option<std::collections::BTreeMap<String, String>>, String> {
    let promise = PROJECT_PROMISE.with(Clone::clone);
    let value = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| format!("The project in this link could not be read ({}); your saved work is shown instead.", crate::platform::sqljs::js_error_message(&e)))?;
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    let mut files = std::collections::BTreeMap::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        if let (Some(path), Some(text)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
            files.insert(path, text);
        }
    }
    Ok(Some(files))
}
