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

use yew::prelude::*;

use crate::ui::bindings::{self, JsEditor};
use crate::ui::store::{ChainRevision, Files, Problem, MODELS};
use crate::ui::views::progressive::use_progressive;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub path: String,
    pub text: Rc<str>,
    pub problems: Rc<Vec<Problem>>,
    pub on_edit: Callback<(String, Rc<str>)>,
}

struct Live {
    editor: JsEditor,
    _on_change: bindings::EditorChange,
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
                let on_change = bindings::EditorChange::new(move |bytes: js_sys::Uint8Array| {
                    let text: Rc<str> = Rc::from(bindings::editor_text(&bytes));
                    let (path, on_edit) = latest_for_change.borrow().clone();
                    *known.borrow_mut() = text.clone();
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
                let known_text = known.borrow().clone();
                if !Rc::ptr_eq(&known_text, text) && *known_text != **text && l.editor.text() != **text {
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
    pub on_edit: Callback<(String, Rc<str>)>,
}

/// The scripts' order in the tabs: oldest revision first (chain order), then
/// any not in the chain (file name order).
fn script_order(chain: &[ChainRevision], files: &Files) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for n in chain.iter().rev() {
        let path = format!("versions/{}", n.file_name);
        if files.contains_key(&path) && seen.insert(path.clone()) {
            order.push(path);
        }
    }
    for path in files.keys().filter(|p| p.starts_with("versions/")) {
        if !seen.contains(path) {
            order.push(path.clone());
        }
    }
    order
}

/// [`script_order`], computed again only when the chain or the set of
/// scripts changed (not when a file's text did: every keystroke).
struct ScriptOrder {
    chain: Rc<Vec<ChainRevision>>,
    paths: Vec<String>,
    order: Rc<Vec<String>>,
}

impl ScriptOrder {
    fn get(cache: &RefCell<Option<ScriptOrder>>, chain: &Rc<Vec<ChainRevision>>, files: &Files) -> Rc<Vec<String>> {
        let scripts = || files.keys().filter(|p| p.starts_with("versions/"));
        let mut cache = cache.borrow_mut();
        if let Some(c) = &*cache {
            if Rc::ptr_eq(&c.chain, chain) && c.paths.iter().eq(scripts()) {
                return c.order.clone();
            }
        }
        let order = Rc::new(script_order(chain, files));
        *cache = Some(ScriptOrder { chain: chain.clone(), paths: scripts().cloned().collect(), order: order.clone() });
        order
    }
}

/// Tabs drawn per task (a project may have thousands of scripts).
const TABS_AT_ONCE: usize = 100;

#[derive(Properties, PartialEq)]
struct TabsProps {
    /// models.py or a script path.
    paths: Rc<Vec<String>>,
    /// The open one, when it is among `paths`.
    open: Option<String>,
    /// Those with an error.
    errors: Vec<String>,
    on_open: Callback<String>,
}

/// One tab per path (models.py, or a project's scripts: there may be
/// thousands, so they re-render only when their list, the open one among
/// them or their errors change).
#[function_component(Tabs)]
fn tabs(props: &TabsProps) -> Html {
    let drawn = use_progressive(props.paths.len(), TABS_AT_ONCE, TABS_AT_ONCE);
    html! {
        { for props.paths[..drawn].iter().map(|path| {
            let on_open = props.on_open.clone();
            let target = path.clone();
            let active = props.open.as_ref() == Some(path);
            let has_error = props.errors.contains(path);
            let (label, class) = match path.strip_prefix("versions/") {
                Some(name) => (name, "file"),
                None => (path.as_str(), "models-tab"),
            };
            html! {
                <li key={path.clone()} role="presentation">
                    <button role="tab" class={classes!(class, active.then_some("active"), has_error.then_some("has-error"))}
                        aria-selected={active.to_string()} data-file={path.clone()} title={path.clone()}
                        onclick={move |_| on_open.emit(target.clone())}>{ label }</button>
                </li>
            }
        }) }
    }
}

/// Tabs for models.py and the scripts, the editors, and the open file's problems.
#[function_component(EditorPane)]
pub fn editor_pane(props: &EditorPaneProps) -> Html {
    let order = use_mut_ref(|| None::<ScriptOrder>);
    let scripts = ScriptOrder::get(&order, &props.chain, &props.files);
    let models_tab = use_memo((), |_| vec![MODELS.to_string()]);
    let empty = Rc::new(Vec::new());
    let problems_of = |path: &str| props.problems.get(path).map(|p| Rc::new(p.clone())).unwrap_or_else(|| empty.clone());
    let errors_in = |scripts: bool| -> Vec<String> {
        props
            .problems
            .iter()
            .filter(|(p, list)| p.starts_with("versions/") == scripts && list.iter().any(|p| p.error))
            .map(|(p, _)| p.clone())
            .collect()
    };
    let open_in = |scripts: bool| Some(props.open.clone()).filter(|p| p.starts_with("versions/") == scripts);
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
                    <Tabs paths={Rc::new((*models_tab).clone())} open={open_in(false)} errors={errors_in(false)} on_open={props.on_open.clone()} />
                </ul>
                if !scripts.is_empty() {
                    <ul id="scripts" class="tabs scripts" role="tablist" aria-label="Migration scripts">
                        <Tabs paths={scripts.clone()} open={open_in(true)} errors={errors_in(true)} on_open={props.on_open.clone()} />
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
