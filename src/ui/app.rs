//! The page: boot sequence and the root component.
//!
//! Boot: wait for sql.js (loading since `www/boot.js` ran), open an empty
//! database, mount the Yew app into `#app`, install the JS API, and resolve
//! `alembicPlayground.ready` once the first render is on screen.

use yew::prelude::*;

use crate::platform::sqljs;
use crate::ui::components::{
    CommandLine, DatabasePanel, ModelsEditor, OutputPanel, ScriptsPanel, Toolbar,
};
use crate::ui::hooks::use_session_updates;
use crate::ui::session::{self, EXAMPLE_MODELS};
use crate::ui::{api, state::LogEntry};

/// Starts the playground (called from the wasm start function).
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        let booted = match sqljs::load_sql_js().await {
            Ok(module) => session::init(module).map_err(|e| format!("Could not open a sql.js database: {e}")),
            Err(e) => Err(e),
        };
        let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
        match (booted, root) {
            (Ok(()), Some(root)) => {
                api::install();
                yew::Renderer::<App>::with_root(root).render();
            }
            (Err(message), Some(root)) => {
                root.set_text_content(Some(&message));
                api::reject_ready(&message);
            }
            (_, None) => api::reject_ready("The page has no #app element."),
        }
    });
}

#[function_component(App)]
pub fn app() -> Html {
    use_session_updates();
    use_effect_with((), |_| api::resolve_ready());

    let Some(view) = session::read(|s| {
        (
            s.host.models.clone(),
            s.host.versions.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>(),
            s.state.selected_script.clone(),
            s.state.log.clone(),
            s.state.undo_label().map(str::to_string),
            s.schema.clone(),
            s.heads.clone(),
        )
    }) else {
        return html! { <p class="loading">{ "Loading…" }</p> };
    };
    let (models, versions, selected, log, undo_label, schema, heads): (
        String,
        Vec<(String, String)>,
        Option<String>,
        Vec<LogEntry>,
        Option<String>,
        _,
        Vec<String>,
    ) = view;

    let on_models = Callback::from(|text: String| session::set_models(&text));
    let on_reset = Callback::from(|()| session::set_models(EXAMPLE_MODELS));
    let on_command = Callback::from(|line: String| {
        session::run_command(&line);
    });
    let on_undo = Callback::from(|()| {
        session::undo();
    });
    let on_select = Callback::from(|name: String| session::select_script(&name));
    let on_clear = Callback::from(|()| session::clear_log());

    html! {
        <div class="page">
            <header class="masthead">
                <h1>{ "Alembic Playground" }</h1>
                <p class="tagline">
                    { "Edit SQLAlchemy models, autogenerate Alembic migrations and run them on SQLite — all in your browser. Every command can be undone." }
                </p>
            </header>
            <main class="grid">
                <section class="column">
                    <ModelsEditor text={models} on_input={on_models} on_reset={on_reset} />
                    <ScriptsPanel versions={versions} selected={selected} on_select={on_select} />
                </section>
                <section class="column">
                    <Toolbar undo_label={undo_label} on_command={on_command.clone()} on_undo={on_undo} />
                    <CommandLine on_command={on_command} />
                    <OutputPanel entries={log} on_clear={on_clear} />
                    <DatabasePanel schema={schema} heads={heads} />
                </section>
            </main>
        </div>
    }
}
