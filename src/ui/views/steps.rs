//! Step through one migration: its operations in order, the SQL each one
//! executes (batch move-and-copy included), and a cursor. Props only; the
//! store runs the operations and passes the schema / rows after each step to
//! the schema and rows views beside it.
//!
//! Hooks: `[data-view="steps"]`, one `li[data-step=i]` per operation with
//! `data-state="done|current|pending|failed"`.

use yew::prelude::*;

use super::steps_model::{StepIntent, StepOp};
use super::util::{sql_tokens, SqlToken};

#[derive(Properties, PartialEq)]
pub struct StepThroughProps {
    /// `upgrade` or `downgrade`.
    pub direction: AttrValue,
    /// The revision being applied and its message.
    pub revision: AttrValue,
    #[prop_or_default]
    pub message: AttrValue,
    pub ops: Vec<StepOp>,
    /// How many operations have run (0 ..= ops.len()).
    pub cursor: usize,
    pub on_intent: Callback<StepIntent>,
    #[prop_or_default]
    pub busy: bool,
}

fn sql_html(sql: &str) -> Html {
    html! {
        <pre class="sql"><code>
            { for sql_tokens(sql).into_iter().map(|(k, s)| {
                let class = match k {
                    SqlToken::Keyword => "kw",
                    SqlToken::String => "str",
                    SqlToken::Ident => "id",
                    SqlToken::TempTable => "tmp",
                    SqlToken::Number => "num",
                    SqlToken::Other => "",
                };
                html! { <span class={class}>{ s }</span> }
            }) }
        </code></pre>
    }
}

#[function_component(StepThrough)]
pub fn step_through(props: &StepThroughProps) -> Html {
    let n = props.ops.len();
    let failed = props.ops.iter().any(|o| o.error.is_some());
    let emit = |i: StepIntent| {
        let cb = props.on_intent.clone();
        Callback::from(move |_: MouseEvent| cb.emit(i))
    };
    let done = props.cursor >= n;
    html! {
        <section class="view step-through" data-view="steps" aria-label="step through the migration">
            <div class="view-toolbar" role="toolbar" aria-label="step controls">
                <span><strong>{ &props.direction }</strong>{ " " }<code>{ &props.revision }</code>{ " " }<span class="hint">{ &props.message }</span></span>
                <span class="spacer" />
                <span class="hint" aria-live="polite">{ format!("{} of {} operations run", props.cursor.min(n), n) }</span>
                <button disabled={props.busy || props.cursor == 0} onclick={emit(StepIntent::Restart)}>{ "Restart" }</button>
                <button disabled={props.busy || props.cursor == 0} onclick={emit(StepIntent::Back)}>{ "◀ Back" }</button>
                <button class="primary" disabled={props.busy || done || failed} onclick={emit(StepIntent::Next)}>{ "Step ▶" }</button>
                <button disabled={props.busy || done || failed} onclick={emit(StepIntent::RunToEnd)}>{ "Run to end" }</button>
                <button onclick={emit(StepIntent::Close)} aria-label="close step-through">{ "✕" }</button>
            </div>
            <ol class="st-list">
                { for props.ops.iter().enumerate().map(|(i, op)| {
                    let state = if op.error.is_some() {
                        "failed"
                    } else if i < props.cursor {
                        "done"
                    } else if i == props.cursor {
                        "current"
                    } else {
                        "pending"
                    };
                    let batch = op.sql.iter().any(|s| s.contains("_alembic_tmp_"));
                    html! {
                        <li key={i} class={classes!("st-op", state)} data-step={i.to_string()} data-state={state}
                            aria-current={(state == "current").then_some("step")}>
                            <div class="st-head">
                                <span class="st-mark" aria-hidden="true">{ match state { "done" => "✓", "current" => "▶", "failed" => "✕", _ => "·" } }</span>
                                <code class="st-label">{ &op.label }</code>
                                if batch {
                                    <span class="badge batch" title="SQLite cannot ALTER this in place: Alembic creates _alembic_tmp_<table>, copies the rows, drops the old table and renames the new one">{ "batch move-and-copy" }</span>
                                }
                            </div>
                            if op.sql.is_empty() {
                                <p class="hint">{ if i < props.cursor { "no SQL" } else { "SQL shown when it runs" } }</p>
                            } else {
                                <div class="st-sql">{ for op.sql.iter().map(|s| sql_html(s)) }</div>
                            }
                            if let Some(e) = &op.error {
                                <p class="error" role="alert">{ e }</p>
                            }
                        </li>
                    }
                }) }
            </ol>
            if n == 0 {
                <p class="empty">{ "This migration has no operations." }</p>
            }
        </section>
    }
}
