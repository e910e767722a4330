//! The page: boot sequence, the panic hook and the root component.
//!
//! Boot: wait for sql.js and the editor module (both loading since
//! `www/boot.js` ran), mount a [`Playground`] into `#app` with
//! `window.alembicPlayground` as its API handle, and resolve
//! `alembicPlayground.ready` once the first render is on screen.
//! `alembicPlayground.mount(element)` mounts more, independent playgrounds.
//!
//! The root component owns the store (`use_reducer`) and the bridge; every
//! child takes props and callbacks only.

use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::platform::sqljs::{self, SqlJsModule};
use crate::ui::api;
use crate::ui::bindings;
use crate::ui::bridge::{self, Bridge, Shared};
use crate::ui::cmdline::quote;
use crate::ui::components::{
    AutogenPane, DatabasePanel, EditorPane, Guide, NoticeBar, PermalinkBar, Terminal, Toolbar, Workbench,
};
use crate::ui::views::steps_model::StepIntent;
use crate::ui::views::{ChainView, StepThrough};
use crate::ui::views::chain_model::ChainIntent;
use crate::ui::views::rows_model::RowIntent;
use crate::ui::store::{Action, FileIntent, Permalink, Problem, State};

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut state = Rc::unwrap_or_clone(self);
        state.apply(action);
        Rc::new(state)
    }
}

/// Starts the page (called from the wasm start function).
pub fn start() {
    install_panic_hook();
    wasm_bindgen_futures::spawn_local(async {
        let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
        let loaded = match (sqljs::load_sql_js().await, bindings::load_editor().await) {
            (Ok(module), Ok(())) => Ok(module),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        match (loaded, root) {
            (Ok(module), Some(root)) => {
                let link = bindings::permalink_project().await.transpose();
                let handle = api::global_handle();
                api::install_mount(module.clone());
                mount(root, module, Some("main".into()), handle, true, link);
            }
            (Err(message), Some(root)) => {
                root.set_text_content(Some(&message));
                api::reject_ready(&message);
            }
            (_, None) => api::reject_ready("The page has no #app element."),
        }
    });
}

/// Mounts a playground into `root`; its JS API goes on `handle`. `link`:
/// the project of the permalink the page was opened with (or why it could
/// not be read), which replaces the autosaved one.
pub fn mount(
    root: web_sys::Element,
    module: SqlJsModule,
    storage: Option<String>,
    handle: JsValue,
    main: bool,
    link: Option<Result<Link, String>>,
) {
    root.set_text_content(None);
    let props = PlaygroundProps { module: Module(Rc::new(module)), storage, handle, main, link };
    yew::Renderer::<Playground>::with_root_and_props(root, props).render();
}

/// The sql.js module, compared by identity (all playgrounds share it).
#[derive(Clone)]
pub struct Module(pub Rc<SqlJsModule>);

impl PartialEq for Module {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct PlaygroundProps {
    pub module: Module,
    /// localStorage name for autosave; `None`: nothing is saved.
    pub storage: Option<String>,
    /// The JS object the API's functions are installed on.
    pub handle: JsValue,
    /// The page's own playground: resolves `alembicPlayground.ready`.
    pub main: bool,
    /// A permalink's files (path → text), or why they could not be read.
    pub link: Option<Result<Link, String>>,
}

/// The files of a permalink: path → text.
pub type Link = std::collections::BTreeMap<String, String>;

/// One playground: the store, the bridge, and the layout.
#[function_component(Playground)]
pub fn playground(props: &PlaygroundProps) -> Html {
    let store = use_reducer(State::new);
    let bridge: Rc<Result<Shared, String>> = {
        let dispatcher = store.dispatcher();
        let module = (*props.module.0).clone();
        let storage = props.storage.clone();
        let link = props.link.clone();
        (*use_state(move || {
            let dispatch: Rc<dyn Fn(Action)> = Rc::new(move |a| dispatcher.dispatch(a));
            Rc::new(Bridge::new(module, storage.as_deref(), link, dispatch).map_err(|e| e.message))
        }))
        .clone()
    };

    {
        let bridge = bridge.clone();
        let handle = props.handle.clone();
        let main = props.main;
        use_effect_with((), move |_| {
            match &*bridge {
                Ok(b) => {
                    api::install(&handle, b.clone());
                    if main {
                        api::resolve_ready();
                    } else {
                        api::resolve_handle(&handle);
                    }
                }
                Err(e) => {
                    if main {
                        api::reject_ready(e);
                    }
                }
            }
        });
    }

    let b = match &*bridge {
        Ok(b) => b.clone(),
        Err(e) => return html! { <p class="error" role="alert">{ format!("Could not open a sql.js database: {e}") }</p> },
    };

    // Callbacks: each goes to the bridge, which reports back as actions.
    // Made once per playground (the bridge and the dispatcher never change),
    // so a child whose data did not change compares equal and is not
    // rendered again: a new callback each render would re-render every
    // view (the ER diagram included) on every keystroke.
    let handlers = use_memo((), {
        let b = b.clone();
        let dispatcher = store.dispatcher();
        move |_| Handlers::new(b, dispatcher)
    });
    let Handlers {
        on_command,
        on_undo,
        on_edit,
        on_open,
        on_file,
        on_clear,
        on_example,
        on_autogenerate,
        on_chain,
        on_select_table,
        on_row_intent,
        on_compare,
        on_timeline,
        on_step_start,
        on_step_intent,
        on_permalink,
        on_analyse,
        on_close_permalink,
        on_dismiss,
    } = (*handlers).clone();
    let on_step = use_callback(store.example.clone(), {
        let b = b.clone();
        move |index: usize, example: &Option<(String, usize)>| {
            if let Some((id, _)) = example {
                let _ = bridge::with(&b, |b| b.run_step(id, index));
            }
        }
    });

    // Keyboard shortcuts for the main actions (Alt+key, so editors keep theirs).
    let onkeydown = {
        let on_command = on_command.clone();
        let on_undo = on_undo.clone();
        let on_open = on_open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if !e.alt_key() || e.ctrl_key() || e.meta_key() {
                return;
            }
            let done = match e.code().as_str() {
                "KeyU" if e.shift_key() => {
                    on_command.emit("upgrade +1".into());
                    true
                }
                "KeyU" => {
                    on_command.emit("upgrade head".into());
                    true
                }
                "KeyD" if e.shift_key() => {
                    on_command.emit("downgrade base".into());
                    true
                }
                "KeyD" => {
                    on_command.emit("downgrade -1".into());
                    true
                }
                "KeyZ" => {
                    on_undo.emit(());
                    true
                }
                "KeyT" => {
                    focus(&e, "command");
                    true
                }
                "KeyG" => {
                    focus(&e, "message");
                    true
                }
                "KeyM" => {
                    on_open.emit(crate::ui::store::MODELS.to_string());
                    // after the re-render that shows it
                    if let Some(root) = e.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                        gloo_timers::callback::Timeout::new(0, move || {
                            if let Ok(Some(el)) = root.query_selector("[data-focus=\"models-editor\"] .cm-content") {
                                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                                    let _ = el.focus();
                                }
                            }
                        })
                        .forget();
                    }
                    true
                }
                _ => false,
            };
            if done {
                e.prevent_default();
            }
        })
    };

    let state = &*store;
    // Without a string per revision: this runs on every render, keystrokes
    // included, and a project may hold thousands of revisions.
    let open_revision = state.open_file.strip_prefix("versions/").and_then(|name| {
        state.chain.iter().find(|r| r.file_name == name).map(|r| r.id.clone())
    });
    let script_errors: Vec<(&str, &Problem)> = state
        .problems
        .iter()
        .filter_map(|(path, problems)| Some((path.strip_prefix("versions/")?, problems.iter().find(|p| p.error)?)))
        .collect();
    let chain_errors: Vec<(String, String)> = if script_errors.is_empty() {
        Vec::new()
    } else {
        state
            .chain
            .iter()
            .filter_map(|r| {
                let (_, p) = script_errors.iter().find(|(name, _)| *name == r.file_name)?;
                Some((r.id.clone(), format!("{}:{}: {}", p.line, p.column, p.message)))
            })
            .collect()
    };
    html! {
        <div class="playground" {onkeydown}>
            <header class="masthead">
                <div class="title">
                    <h1>{ "Alembic Playground" }</h1>
                    <p class="tagline">
                        { "Edit SQLAlchemy models, autogenerate Alembic migrations and run them on SQLite, all in your browser. Every change can be undone." }
                    </p>
                    <details class="shortcuts">
                        <summary>{ "Keyboard shortcuts" }</summary>
                        <dl>
                            <dt><kbd>{ "Alt+U" }</kbd></dt><dd>{ "upgrade head" }</dd>
                            <dt><kbd>{ "Alt+Shift+U" }</kbd></dt><dd>{ "upgrade +1" }</dd>
                            <dt><kbd>{ "Alt+D" }</kbd></dt><dd>{ "downgrade -1" }</dd>
                            <dt><kbd>{ "Alt+Shift+D" }</kbd></dt><dd>{ "downgrade base" }</dd>
                            <dt><kbd>{ "Alt+Z" }</kbd></dt><dd>{ "undo the last change" }</dd>
                            <dt><kbd>{ "Alt+G" }</kbd></dt><dd>{ "migration message (Enter autogenerates)" }</dd>
                            <dt><kbd>{ "Alt+T" }</kbd></dt><dd>{ "terminal (Up/Down: history)" }</dd>
                            <dt><kbd>{ "Alt+M" }</kbd></dt><dd>{ "models.py editor" }</dd>
                            <dt><kbd>{ "Ctrl+F" }</kbd></dt><dd>{ "search in an editor; Ctrl+Z / Ctrl+Shift+Z undo and redo there" }</dd>
                        </dl>
                    </details>
                </div>
                <Guide example={state.example.clone()} on_load={on_example} on_step={on_step} />
            </header>
            if let Some(notice) = &state.notice {
                <NoticeBar notice={notice.clone()} on_dismiss={on_dismiss} />
            }
            if let Some(link) = &state.permalink {
                <PermalinkBar link={link.clone()} on_close={on_close_permalink} />
            }
            <Toolbar undo_label={state.undo_label().map(str::to_string)} on_command={on_command.clone()}
                on_autogenerate={on_autogenerate} on_undo={on_undo} on_step={on_step_start} on_permalink={on_permalink} />
            <main class="workspace">
                <section class="column files-column" aria-label="Project files">
                    <section class="panel chain-panel" aria-label="Revision chain">
                        <header class="panel-head"><h2>{ "Revisions" }</h2>
                            <span class="hint">{ format!("{} revision{}", state.chain.len(), if state.chain.len() == 1 { "" } else { "s" }) }</span>
                        </header>
                        <ChainView revisions={state.chain.clone()} on_intent={on_chain}
                            open={open_revision} errors={chain_errors} />
                    </section>
                    <EditorPane files={state.files.clone()} open={state.open_file.clone()} chain={state.chain.clone()}
                        problems={state.problems.clone()} on_open={on_open} on_edit={on_edit} on_file={on_file} />
                    <AutogenPane preview={state.preview.clone()} on_analyse={on_analyse} />
                </section>
                <section class="column db-column" aria-label="Database and terminal">
                    if let Some(st) = &state.stepping {
                        <section class="panel stepping" aria-label="Step through">
                            <StepThrough direction={AttrValue::from(if st.upgrade { "upgrade" } else { "downgrade" })}
                                revision={AttrValue::from(st.revision.clone())}
                                message={AttrValue::from(format!("{}{}", st.description, if st.finished { " — done, alembic_version updated" } else { "" }))}
                                ops={st.ops.clone()} cursor={st.cursor} on_intent={on_step_intent} />
                        </section>
                    }
                    <Terminal log={state.log.clone()} history={state.history.clone()} sql_log={state.sql_log.clone()}
                        on_command={on_command} on_clear={on_clear} />
                    <Workbench live={state.live.clone()} last_change={state.last_change.clone()}
                        selected_table={state.selected_table.clone()} rows={state.rows.clone()}
                        compare={state.compare.clone()} timeline={state.timeline.clone()} chain={state.chain.clone()}
                        on_select_table={on_select_table} on_row_intent={on_row_intent}
                        on_compare={on_compare} on_timeline={on_timeline} />
                    <DatabasePanel db={state.db.clone()} />
                </section>
            </main>
        </div>
    }
}

/// The root component's callbacks: each goes to the bridge (which reports
/// back as actions) or dispatches an action.
#[derive(Clone)]
struct Handlers {
    on_command: Callback<String>,
    on_undo: Callback<()>,
    on_edit: Callback<(String, Rc<str>)>,
    on_open: Callback<String>,
    on_file: Callback<FileIntent>,
    on_clear: Callback<()>,
    on_example: Callback<String>,
    on_autogenerate: Callback<String>,
    on_chain: Callback<ChainIntent>,
    on_select_table: Callback<String>,
    on_row_intent: Callback<RowIntent>,
    on_compare: Callback<(Option<String>, Option<String>)>,
    on_timeline: Callback<Option<String>>,
    on_step_start: Callback<bool>,
    on_step_intent: Callback<StepIntent>,
    on_permalink: Callback<()>,
    on_analyse: Callback<()>,
    on_close_permalink: Callback<()>,
    on_dismiss: Callback<()>,
}

impl Handlers {
    fn new(b: Shared, dispatcher: UseReducerDispatcher<State>) -> Self {
        let on_command = {
            let b = b.clone();
            Callback::from(move |line: String| {
                let _ = bridge::with(&b, |b| b.run_command(&line));
            })
        };
        let on_autogenerate = {
            let on_command = on_command.clone();
            Callback::from(move |message: String| on_command.emit(format!("revision --autogenerate -m {}", quote(&message))))
        };
        let on_permalink = {
            let b = b.clone();
            let dispatcher = dispatcher.clone();
            Callback::from(move |()| {
                let Ok(files) = bridge::with(&b, |b| b.files()) else { return };
                let dispatcher = dispatcher.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match bindings::permalink_url(&files).await {
                        Ok(url) => {
                            let copied = bindings::copy_to_clipboard(&url).await;
                            dispatcher.dispatch(Action::Permalink(Some(Permalink { url, copied })));
                        }
                        Err(e) => dispatcher.dispatch(Action::Note { text: e, error: true }),
                    }
                });
            })
        };
        /// A callback that hands its argument to a bridge method.
        fn to_bridge<T: 'static>(b: &Shared, f: impl Fn(&mut Bridge, T) + 'static) -> Callback<T> {
            let b = b.clone();
            Callback::from(move |arg: T| {
                let _ = bridge::with(&b, |b| f(b, arg));
            })
        }
        /// Like [`to_bridge`] for a method that may refuse: its message goes to the log.
        fn to_bridge_or_note<T: 'static>(
            b: &Shared,
            dispatcher: &UseReducerDispatcher<State>,
            f: impl Fn(&mut Bridge, T) -> Result<(), String> + 'static,
        ) -> Callback<T> {
            let b = b.clone();
            let dispatcher = dispatcher.clone();
            Callback::from(move |arg: T| {
                if let Ok(Err(e)) = bridge::with(&b, |b| f(b, arg)) {
                    dispatcher.dispatch(Action::Note { text: e, error: true });
                }
            })
        }
        /// A callback that dispatches the action it makes of its argument.
        fn to_store<T: 'static>(dispatcher: &UseReducerDispatcher<State>, f: impl Fn(T) -> Action + 'static) -> Callback<T> {
            let dispatcher = dispatcher.clone();
            Callback::from(move |arg: T| dispatcher.dispatch(f(arg)))
        }
        Handlers {
            on_undo: to_bridge(&b, |b, ()| {
                b.undo();
            }),
            on_edit: to_bridge(&b, |b, (path, text): (String, Rc<str>)| {
                let _ = b.edit_file(&path, text);
            }),
            on_open: to_store(&dispatcher, Action::OpenFile),
            on_file: to_bridge_or_note(&b, &dispatcher, |b, intent| b.file_intent(intent)),
            on_clear: to_store(&dispatcher, |()| Action::ClearLog),
            on_example: to_bridge(&b, |b, id: String| {
                let _ = b.load_example(&id);
            }),
            on_chain: to_bridge_or_note(&b, &dispatcher, |b, intent| b.chain_intent(intent)),
            on_select_table: to_bridge(&b, |b, name| b.select_table(Some(name))),
            on_row_intent: to_bridge_or_note(&b, &dispatcher, |b, intent| b.row_intent(intent)),
            on_compare: to_bridge(&b, |b, (from, to)| b.compare(from, to)),
            on_timeline: to_bridge(&b, |b, at| b.timeline(at)),
            on_step_start: to_bridge_or_note(&b, &dispatcher, |b, upgrade| b.step_start(upgrade)),
            on_step_intent: to_bridge(&b, |b, intent| b.step_intent(intent)),
            on_analyse: to_bridge(&b, |b, ()| b.analyse_models_now()),
            on_close_permalink: to_store(&dispatcher, |()| Action::Permalink(None)),
            on_dismiss: to_store(&dispatcher, |()| Action::Notice(None)),
            on_command,
            on_autogenerate,
            on_permalink,
        }
    }
}

/// Focuses the element `id` inside the playground the event came from.
fn focus(e: &KeyboardEvent, id: &str) {
    let Some(target) = e.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Ok(Some(el)) = target.query_selector(&format!("[data-focus=\"{id}\"]")) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// A Rust panic is shown in the page (never a blank page); the work was
/// autosaved after the last change, so a reload brings it back.
fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&format!("alembic-playground panicked: {message}")));
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(banner) = document.create_element("div") else { return };
        banner.set_id("panic");
        banner.set_class_name("panic");
        let _ = banner.set_attribute("role", "alert");
        banner.set_text_content(Some(&format!(
            "The playground hit an internal error and stopped: {message}. Your files and database were saved in this \
             browser after the last change: reload the page to continue from there."
        )));
        if let Some(body) = document.body() {
            let _ = body.prepend_with_node_1(&banner);
        }
        let _ = Reflect::set(&js_sys::global(), &"__alembicPlaygroundPanic".into(), &JsValue::from_str(&message));
    }));
}
