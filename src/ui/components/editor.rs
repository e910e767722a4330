//! The code editors: one CodeMirror 6 editor per file (models.py, the
//! project's own modules and each script), tabs to switch, the engine's
//! problems inline and listed; modules are added, renamed and deleted here.
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
use crate::ui::store::{is_module_path, module_path_error, ChainRevision, FileIntent, Files, Problem, MODELS};
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
    pub on_file: Callback<FileIntent>,
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
                None if path == MODELS => (path.as_str(), "models-tab"),
                None => (path.as_str(), "module-tab"),
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

/// What the file form is doing.
#[derive(Clone, PartialEq)]
enum FileForm {
    Closed,
    Adding,
    Renaming(String),
}

/// Tabs for models.py, the modules and the scripts, the editors, and the
/// open file's problems.
#[function_component(EditorPane)]
pub fn editor_pane(props: &EditorPaneProps) -> Html {
    let order = use_mut_ref(|| None::<ScriptOrder>);
    let scripts = ScriptOrder::get(&order, &props.chain, &props.files);
    let modules: Vec<String> = props.files.keys().filter(|p| is_module_path(p)).cloned().collect();
    let first_tabs = use_memo(modules, |modules| std::iter::once(MODELS.to_string()).chain(modules.iter().cloned()).collect::<Vec<_>>());
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

    let form = use_state(|| FileForm::Closed);
    let form_error = use_state(|| None::<String>);
    let input = use_node_ref();
    let open_form = |next: FileForm| {
        let form = form.clone();
        let form_error = form_error.clone();
        Callback::from(move |_: MouseEvent| {
            form_error.set(None);
            form.set(next.clone());
        })
    };
    let on_submit = {
        let form = form.clone();
        let form_error = form_error.clone();
        let input = input.clone();
        let files = props.files.clone();
        let on_file = props.on_file.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let path = input.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let path = path.trim().to_string();
            let unchanged = matches!(&*form, FileForm::Renaming(from) if *from == path);
            let refused = if unchanged {
                None
            } else if files.contains_key(&path) {
                Some(format!("{path} already exists"))
            } else {
                module_path_error(&path)
            };
            if let Some(e) = refused {
                form_error.set(Some(e));
                return;
            }
            match &*form {
                FileForm::Adding => on_file.emit(FileIntent::Add { path }),
                FileForm::Renaming(from) if !unchanged => on_file.emit(FileIntent::Rename { from: from.clone(), to: path }),
                FileForm::Renaming(_) | FileForm::Closed => {}
            }
            form_error.set(None);
            form.set(FileForm::Closed);
        })
    };
    let on_cancel = open_form(FileForm::Closed);
    let on_keydown = {
        let form = form.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                form.set(FileForm::Closed);
            }
        })
    };
    {
        // the path field takes the focus when the form opens
        let input = input.clone();
        use_effect_with((*form).clone(), move |form| {
            if *form != FileForm::Closed {
                if let Some(i) = input.cast::<web_sys::HtmlInputElement>() {
                    let _ = i.focus();
                    i.select();
                }
            }
        });
    }
    let open_module = is_module_path(&props.open).then(|| props.open.clone());
    let file_form = match &*form {
        FileForm::Closed => html! {},
        f => {
            let (label, value, action) = match f {
                FileForm::Renaming(from) => ("Rename to", from.clone(), "Rename"),
                _ => ("New module", String::new(), "Add"),
            };
            html! {
                <form class="file-form" data-form={if matches!(f, FileForm::Adding) { "new-file" } else { "rename-file" }}
                    onsubmit={on_submit} onkeydown={on_keydown}>
                    <label>
                        <span>{ label }</span>
                        <input ref={input} id="file-path" type="text" value={value} spellcheck="false" autocomplete="off"
                            placeholder="helpers.py or myapp/types.py" aria-invalid={form_error.is_some().to_string()}
                            aria-describedby="file-path-help" />
                    </label>
                    <button type="submit">{ action }</button>
                    <button type="button" onclick={on_cancel}>{ "Cancel" }</button>
                    <p id="file-path-help" class={classes!("hint", form_error.is_some().then_some("error"))} role="status">
                        { form_error.as_ref().cloned().unwrap_or_else(|| "Importable by its path: myapp/types.py is `import myapp.types`.".to_string()) }
                    </p>
                </form>
            }
        }
    };
    html! {
        <section class="panel editors" aria-label="Files">
            <header class="panel-head tabs-head">
                <ul class="tabs" role="tablist" aria-label="Files">
                    <Tabs paths={first_tabs.clone()} open={open_in(false)} errors={errors_in(false)} on_open={props.on_open.clone()} />
                </ul>
                <button class="new-file" data-action="new-file" title="Add a Python module to the project (importable from models.py and the scripts)"
                    onclick={open_form(FileForm::Adding)}>{ "+ Module" }</button>
                if let Some(path) = &open_module {
                    <span class="file-actions" data-file={path.clone()}>
                        <button data-action="rename-file" aria-label={format!("Rename {path}")}
                            onclick={open_form(FileForm::Renaming(path.clone()))}>{ "Rename" }</button>
                        <button data-action="delete-file" aria-label={format!("Delete {path} (Undo brings it back)")} onclick={{
                            let on_file = props.on_file.clone();
                            let path = path.clone();
                            move |_| on_file.emit(FileIntent::Delete { path: path.clone() })
                        }}>{ "Delete" }</button>
                    </span>
                }
                if !scripts.is_empty() {
                    <ul id="scripts" class="tabs scripts" role="tablist" aria-label="Migration scripts">
                        <Tabs paths={scripts.clone()} open={open_in(true)} errors={errors_in(true)} on_open={props.on_open.clone()} />
                    </ul>
                }
            </header>
            { file_form }
            <div class="editor-stack">
                { for first_tabs.iter().chain(scripts.iter()).filter(|p| shown.contains(*p)).map(|path| {
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
