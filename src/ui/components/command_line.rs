//! A command line for any alembic command.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommandLineProps {
    pub on_command: Callback<String>,
}

#[function_component(CommandLine)]
pub fn command_line(props: &CommandLineProps) -> Html {
    let line = use_state(String::new);
    let oninput = {
        let line = line.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            line.set(input.value());
        })
    };
    let onsubmit = {
        let line = line.clone();
        let on_command = props.on_command.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !line.trim().is_empty() {
                on_command.emit((*line).clone());
                line.set(String::new());
            }
        })
    };
    html! {
        <form class="panel command-line" {onsubmit}>
            <label for="command" class="prompt">{ "$ alembic" }</label>
            <input id="command" type="text" spellcheck="false" autocomplete="off"
                placeholder="current --verbose · heads · upgrade head --sql · downgrade -1 · …"
                value={(*line).clone()} {oninput} />
            <button id="run" type="submit">{ "Run" }</button>
        </form>
    }
}
