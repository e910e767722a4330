//! What the commands printed, newest first.

use yew::prelude::*;

use crate::ui::state::{EntryKind, LogEntry};

#[derive(Properties, PartialEq)]
pub struct OutputPanelProps {
    pub entries: Vec<LogEntry>,
    pub on_clear: Callback<()>,
}

#[function_component(OutputPanel)]
pub fn output_panel(props: &OutputPanelProps) -> Html {
    let on_clear = props.on_clear.clone();
    html! {
        <section class="panel output">
            <header class="panel-head">
                <h2>{ "Output" }</h2>
                <button id="clear-output" class="ghost" onclick={move |_| on_clear.emit(())}>{ "Clear" }</button>
            </header>
            <div id="output" class="entries" aria-live="polite">
                if props.entries.is_empty() {
                    <p class="empty">{ "Run a command: its output shows here." }</p>
                }
                { for props.entries.iter().rev().map(entry) }
            </div>
        </section>
    }
}

fn entry(e: &LogEntry) -> Html {
    let (prompt, status) = match e.kind {
        EntryKind::Command => ("$ alembic ", e.output.exit_code),
        EntryKind::Sql => ("sql> ", e.output.exit_code),
        EntryKind::Undo => ("↶ undo ", e.output.exit_code),
    };
    let ok = status == 0;
    html! {
        <article key={e.id} class={classes!("entry", if ok { "ok" } else { "failed" })}>
            <div class="entry-head">
                <code class="cmd">{ prompt }{ &e.text }</code>
                <span class="status" title="exit status">{ if ok { "✓ 0".to_string() } else { format!("✗ {status}") } }</span>
            </div>
            if !e.output.stderr.is_empty() {
                <pre class="stderr">{ &e.output.stderr }</pre>
            }
            if !e.output.stdout.is_empty() {
                <pre class="stdout">{ &e.output.stdout }</pre>
            }
        </article>
    }
}
