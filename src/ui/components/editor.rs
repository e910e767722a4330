//! The code editors: one CodeMirror 6 editor per file (models.py and each
//! script), tabs to switch, the engine's problems inline and listed.
//!
//! Invariants:
//! - An editor reports edits by the person only; text that changes in the
//!   store for another reason (a command wrote it, undo, `setModels`) is set
//!   into the editor without echoing back.
//! - A file's editor is created the first time the file is shown, then kept
//!   (with its undo history) while the file exists; hidden ones are not
//!   destroyed. A project of a thousand scripts creates no editor until one
//!   is opened.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::ui::bindings::{self, JsEditor};
use crate::ui::store::{ChainRevision, Files, Problem, MODELS};

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub path: String,
    pub text: Rc<str>,
    pub problems: Rc<Vec<Problem>>,
    pub on_edit: Callback<(String, String)>,
}

struct Live {
    editor: JsEditor,
    _on_change: Closure<dyn Fn(String)>,
}

/// One CodeMirror editor (`[data-view="editor"][data-file=PATH]`).
#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let node = use_node_ref();
    let live: Rc<RefCell<Option<Live>>> = use_mut_ref(|| None);
    let failed = use_state(|| None::<String>);
    // The newest callback and path, for the editor's change closure.
    let latest = use_mut_ref(|| (props.path.clone(), props.on_edit.clone()));
    *latest.borrow_mut() = (props.path.clone(), props.on_edit.clone());
    // The text the editor holds as far as this side knows (what it reported
    // or was given): when the store's text is that, the editor is not asked
    // for its text, which for a pasted 5 MB file is a copy of megabytes.
    let known = use_mut_ref(|| props.text.clone());

    {
        let node = node.clone();
        let live = live.clone();
        let latest = latest.clone();
        let known = known.clone();
        let text = props.text.clone();
        let problems = props.problems.clone();
        let failed = failed.clone();
        use_effect_with((), move |_| {
            if let Some(parent) = node.cast::<web_sys::Element>() {
                let latest_for_change = latest.clone();
                let on_change = Closure::<dyn Fn(String)>::new(move |text: String| {
                    let (path, on_edit) = latest_for_change.borrow().clone();
                    *known.borrow_mut() = Rc::from(text.as_str());
                    on_edit.emit((path, text));
                });
                let label = latest.borrow().0.clone();
                match bindings::create_editor(&parent, &text, &label, &on_change) {
                    Ok(editor) => {
                        editor.set_problems(&problems);
                        *live.borrow_mut() = Some(Live { editor, _on_change: on_change });
                    }
                    Err(e) => failed.set(Some(e)),
                }
            }
            move || {
                if let Some(l) = live.borrow_mut().take() {
                    l.editor.destroy();
                }
            }
        });
    }
    {
        let live = live.clone();
        let known = known.clone();
        use_effect_with(props.text.clone(), move |text| {
            if let Some(l) = &*live.borrow() {
                if *known.borrow() != *text && l.editor.text() != **text {
                    l.editor.set_text(text);
                }
                *known.borrow_mut() = text.clone();
            }
        });
    }
    {
        // Problems are placed on the text as it is now: again after each
        // edit, as a problem that did not change may have moved (an analysis
        // that finds the same problems reports no change).
        let live = live.clone();
        use_effect_with((props.problems.clone(), props.text.clone()), move |(problems, _)| {
            if let Some(l) = &*live.borrow() {
                l.editor.set_problems(problems);
            }
        });
    }
    let focus_id = (props.path == MODELS).then_some("models-editor");
    html! {
        <div class="editor" data-view="editor" data-file={props.path.clone()} data-focus={focus_id}>
            <div class="cm-host" ref={node}></div>
            if let Some(e) = &*failed {
                <p class="error">{ e }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorPaneProps {
    pub files: Rc<Files>,
    pub open: String,
    /// For tab order and labels: scripts in history order (newest first).
    pub chain: Rc<Vec<ChainRevision>>,
    pub problems: Rc<BTreeMap<String, Vec<Problem>>>,
    pub on_open: Callback<String>,
    pub on_edit: Callback<(String, String)>,
}

/// Tabs for models.py and the scripts, the editors, and the open file's problems.
#[function_component(EditorPane)]
pub fn editor_pane(props: &EditorPaneProps) -> Html {
    // Scripts: oldest revision first (chain order), then any not in the chain.
    let mut scripts: Vec<String> = props.chain.iter().rev().map(|n| format!("versions/{}", n.file_name)).collect();
    for path in props.files.keys().filter(|p| p.starts_with("versions/")) {
        if !scripts.contains(path) {
            scripts.push(path.clone());
        }
    }
    scripts.retain(|p| props.files.contains_key(p));
    let empty = Rc::new(Vec::new());
    let problems_of = |path: &str| props.problems.get(path).map(|p| Rc::new(p.clone())).unwrap_or_else(|| empty.clone());
    let tab = |path: &String, label: String, class: &'static str| {
        let on_open = props.on_open.clone();
        let target = path.clone();
        let active = *path == props.open;
        let has_error = props.problems.get(path).is_some_and(|p| p.iter().any(|p| p.error));
        html! {
            <li key={path.clone()} role="presentation">
                <button role="tab" class={classes!(class, active.then_some("active"), has_error.then_some("has-error"))}
                    aria-selected={active.to_string()} data-file={path.clone()} title={path.clone()}
                    onclick={move |_| on_open.emit(target.clone())}>{ label }</button>
            </li>
        }
    };
    // Files shown at least once (so their editor exists), among those that still exist.
    let shown = use_mut_ref(BTreeSet::<String>::new);
    let shown: BTreeSet<String> = {
        let mut shown = shown.borrow_mut();
        shown.insert(MODELS.to_string());
        shown.insert(props.open.clone());
        shown.retain(|p| p == MODELS || props.files.contains_key(p));
        shown.clone()
    };
    let open_problems = props.problems.get(&props.open).cloned().unwrap_or_default();
    let models_path = MODELS.to_string();
    html! {
        <section class="panel editors" aria-label="Files">
            <header class="panel-head tabs-head">
                <ul class="tabs" role="tablist" aria-label="Files">
                    { tab(&models_path, MODELS.to_string(), "models-tab") }
                </ul>
                if !scripts.is_empty() {
                    <ul id="scripts" class="tabs scripts" role="tablist" aria-label="Migration scripts">
                        { for scripts.iter().map(|p| tab(p, p.trim_start_matches("versions/").to_string(), "file")) }
                    </ul>
                }
            </header>
            <div class="editor-stack">
                { for std::iter::once(&models_path).chain(scripts.iter()).filter(|p| shown.contains(*p)).map(|path| {
                    let text = props.files.get(path).cloned().unwrap_or_else(|| Rc::from(""));
                    html! {
                        <div key={path.clone()} class="editor-slot" role="tabpanel" hidden={*path != props.open}>
                            <Editor path={path.clone()} text={text} problems={problems_of(path)} on_edit={props.on_edit.clone()} />
                        </div>
                    }
                }) }
            </div>
            <ul class="problems" aria-live="polite" data-view="problems">
                { for open_problems.iter().map(|p| html! {
                    <li class={classes!(if p.error { "error" } else { "warning" })}>
                        <code>{ format!("{}:{}:{}", props.open, p.line, p.column) }</code>{ " " }{ &p.message }
                    </li>
                }) }
            </ul>
        </section>
    }
}
