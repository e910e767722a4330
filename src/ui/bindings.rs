//! Every JS extern of the UI, in one place: the CodeMirror editor module
//! (www/editor.js, bundled at build time), the page's boot object, the
//! clock, and whether localStorage is there. sql.js has its own bindings in
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

/// A CodeMirror editor in `parent`; `on_change` gets the text after each
/// edit by the person (not after [`JsEditor::set_text`]).
pub fn create_editor(
    parent: &web_sys::Element,
    doc: &str,
    label: &str,
    on_change: &Closure<dyn Fn(String)>,
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
