//! The examples and their guided steps.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::ui::examples::{self, StepAction, EXAMPLES};

#[derive(Properties, PartialEq)]
pub struct GuideProps {
    /// The loaded example and how many of its steps were done.
    pub example: Option<(String, usize)>,
    pub on_load: Callback<String>,
    pub on_step: Callback<usize>,
}

#[function_component(Guide)]
pub fn guide(props: &GuideProps) -> Html {
    let chosen = props.example.as_ref().map(|(id, _)| id.clone()).unwrap_or_default();
    let onchange = {
        let on_load = props.on_load.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            on_load.emit(select.value());
        })
    };
    let example = props.example.as_ref().and_then(|(id, done)| Some((examples::find(id)?, *done)));
    html! {
        <nav class="guide" aria-label="Examples">
            <label class="example-pick">
                <span>{ "Example" }</span>
                <select id="example" {onchange}>
                    if example.is_none() {
                        <option value="" selected=true disabled=true>{ "Your own project (choose an example…)" }</option>
                    }
                    { for EXAMPLES.iter().map(|e| html! {
                        <option value={e.id} selected={e.id == chosen}>{ e.title }</option>
                    }) }
                </select>
            </label>
            if let Some((example, done)) = example {
                <details class="guide-steps" open=true data-example={example.id}>
                    <summary>{ example.summary }</summary>
                    <ol>
                        { for example.steps.iter().enumerate().map(|(i, step)| {
                            let on_step = props.on_step.clone();
                            let (what, code) = match step.action {
                                StepAction::Command(line) => ("Run", format!("alembic {line}")),
                                StepAction::Sql(q) => ("Run SQL", q.to_string()),
                                StepAction::Models(_) => ("Apply", "edit models.py".to_string()),
                                StepAction::ScriptEdit { insert, .. } => ("Apply", format!("add `{}` to the script", insert.trim_end())),
                                StepAction::Undo => ("Undo", "undo".to_string()),
                            };
                            let state = if i < done { "done" } else if i == done { "next" } else { "later" };
                            html! {
                                <li class={classes!("guide-step", state)} data-guide-step={i.to_string()}>
                                    <p>{ step.text }{ if step.expect_ok { "" } else { " (this one is meant to fail)" } }</p>
                                    <div class="step-action">
                                        <code>{ code }</code>
                                        <button class={classes!(if i == done { "primary" } else { "" })}
                                            onclick={move |_| on_step.emit(i)}>{ what }</button>
                                    </div>
                                </li>
                            }
                        }) }
                    </ol>
                </details>
            }
        </nav>
    }
}
