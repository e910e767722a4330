//! The migration scripts in `versions/` and the selected one's text.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ScriptsPanelProps {
    /// `(file name, text)`, sorted by name.
    pub versions: Vec<(String, String)>,
    pub selected: Option<String>,
    pub on_select: Callback<String>,
}

#[function_component(ScriptsPanel)]
pub fn scripts_panel(props: &ScriptsPanelProps) -> Html {
    let shown = props.selected.as_ref().and_then(|s| props.versions.iter().find(|(name, _)| name == s));
    html! {
        <section class="panel scripts">
            <header class="panel-head">
                <h2>{ "versions/" }</h2>
                <span class="hint">{ format!("{} script(s)", props.versions.len()) }</span>
            </header>
            if props.versions.is_empty() {
                <p class="empty">{ "No migration scripts yet: Autogenerate writes one." }</p>
            } else {
                <ul id="scripts" class="files">
                    { for props.versions.iter().map(|(name, _)| {
                        let on_select = props.on_select.clone();
                        let target = name.clone();
                        let active = Some(name) == props.selected.as_ref();
                        html! {
                            <li key={name.clone()}>
                                <button class={classes!("file", active.then_some("active"))}
                                    onclick={move |_| on_select.emit(target.clone())}>{ name }</button>
                            </li>
                        }
                    }) }
                </ul>
                if let Some((name, text)) = shown {
                    <pre id="script-text" class="code" aria-label={name.clone()}>{ text }</pre>
                }
            }
        </section>
    }
}
