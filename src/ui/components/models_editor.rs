//! The `models.py` editor.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModelsEditorProps {
    pub text: String,
    pub on_input: Callback<String>,
    /// Puts the example back.
    pub on_reset: Callback<()>,
}

#[function_component(ModelsEditor)]
pub fn models_editor(props: &ModelsEditorProps) -> Html {
    let on_input = props.on_input.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let area: HtmlTextAreaElement = e.target_unchecked_into();
        on_input.emit(area.value());
    });
    let on_reset = props.on_reset.clone();
    let lines = props.text.lines().count();
    html! {
        <section class="panel models">
            <header class="panel-head">
                <h2>{ "models.py" }</h2>
                <span class="hint">{ format!("{lines} lines") }</span>
                <button id="reset-models" class="ghost" onclick={move |_| on_reset.emit(())}>{ "Reset example" }</button>
            </header>
            <textarea id="models" class="code" spellcheck="false" autocomplete="off"
                aria-label="models.py" value={props.text.clone()} {oninput} />
        </section>
    }
}
