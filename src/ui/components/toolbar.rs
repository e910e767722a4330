//! The migration buttons: Autogenerate (with its message), Upgrade,
//! Downgrade, Downgrade to base, History, Step through, Undo, Permalink.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// What Undo would revert; `None` disables Undo.
    pub undo_label: Option<String>,
    /// Runs an alembic command line.
    pub on_command: Callback<String>,
    /// `revision --autogenerate -m MESSAGE`.
    pub on_autogenerate: Callback<String>,
    pub on_undo: Callback<()>,
    /// Step through the next upgrade (`true`) or downgrade an operation at a time.
    pub on_step: Callback<bool>,
    /// Make a permalink of the project.
    pub on_permalink: Callback<()>,
}

#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let message = use_state(String::new);
    let missing = use_state(|| false);

    let oninput = {
        let message = message.clone();
        let missing = missing.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            message.set(input.value());
            missing.set(false);
        })
    };
    let autogenerate = {
        let message = message.clone();
        let missing = missing.clone();
        let on_autogenerate = props.on_autogenerate.clone();
        move || {
            let text = message.trim().to_string();
            if text.is_empty() {
                missing.set(true);
                return;
            }
            on_autogenerate.emit(text);
            message.set(String::new());
        }
    };
    let onsubmit = {
        let autogenerate = autogenerate.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            autogenerate();
        })
    };
    let run = |line: &'static str| {
        let on_command = props.on_command.clone();
        Callback::from(move |_: MouseEvent| on_command.emit(line.to_string()))
    };
    let step = |upgrade: bool| {
        let on_step = props.on_step.clone();
        Callback::from(move |_: MouseEvent| on_step.emit(upgrade))
    };
    let on_undo = props.on_undo.clone();
    let on_permalink = props.on_permalink.clone();
    let undo_title = match &props.undo_label {
        Some(label) => format!("Undo `{label}`"),
        None => "Nothing to undo".to_string(),
    };

    html! {
        <section class="toolbar" aria-label="Commands">
            <form class="autogen" {onsubmit}>
                <input id="message" data-focus="message" type="text" placeholder="Migration message, e.g. create tag"
                    class={classes!(missing.then_some("missing"))} aria-invalid={missing.to_string()}
                    aria-label="Migration message" value={(*message).clone()} {oninput} />
                <button id="autogenerate" type="submit" class="primary" title="alembic revision --autogenerate -m MESSAGE (Alt+G focuses the message)">{ "Autogenerate" }</button>
            </form>
            <div class="buttons" role="group" aria-label="Migrate">
                <button id="upgrade-one" onclick={run("upgrade +1")} title="alembic upgrade +1 (Alt+Shift+U)">{ "Upgrade +1" }</button>
                <button id="upgrade" onclick={run("upgrade head")} title="alembic upgrade head (Alt+U)">{ "Upgrade" }</button>
                <button id="downgrade" onclick={run("downgrade -1")} title="alembic downgrade -1 (Alt+D)">{ "Downgrade" }</button>
                <button id="downgrade-base" onclick={run("downgrade base")} title="alembic downgrade base (Alt+Shift+D)">{ "Downgrade to base" }</button>
                <button id="history" onclick={run("history")} title="alembic history">{ "History" }</button>
                <button id="step-upgrade" onclick={step(true)} title="Run the next upgrade one operation at a time, with the SQL of each">{ "Step through +1" }</button>
                <button id="step-downgrade" onclick={step(false)} title="Run the next downgrade one operation at a time">{ "Step through −1" }</button>
                <button id="undo" class="undo" disabled={props.undo_label.is_none()} title={format!("{undo_title} (Alt+Z)")}
                    onclick={move |_| on_undo.emit(())}>{ "↶ Undo" }</button>
                <button id="permalink" onclick={move |_| on_permalink.emit(())}
                    title="A link that holds every file of the project (copied to the clipboard)">{ "Permalink" }</button>
            </div>
            if *missing {
                <p class="hint warn" role="alert">{ "Type a message for the new revision first." }</p>
            }
        </section>
    }
}
