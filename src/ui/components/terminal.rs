//! The terminal: any alembic command line (the CLI's parser, `alembic`
//! prefix optional) with history on Up/Down, Alembic's output newest first,
//! and the SQL log of every statement executed with its time.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::ui::store::{history_step, EntryKind, LogEntry, SqlEntry};

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub log: Rc<Vec<LogEntry>>,
    pub history: Rc<Vec<String>>,
    pub sql_log: Rc<Vec<SqlEntry>>,
    pub on_command: Callback<String>,
    pub on_clear: Callback<()>,
}

#[function_component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let line = use_state(String::new);
    let cursor = use_state(|| None::<usize>);
    let show_sql = use_state(|| false);

    let oninput = {
        let line = line.clone();
        let cursor = cursor.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            line.set(input.value());
            cursor.set(None);
        })
    };
    let onkeydown = {
        let line = line.clone();
        let cursor = cursor.clone();
        let history = props.history.clone();
        Callback::from(move |e: KeyboardEvent| {
            let older = match e.key().as_str() {
                "ArrowUp" => true,
                "ArrowDown" => false,
                _ => return,
            };
            e.prevent_default();
            let next = history_step(history.len(), *cursor, older);
            cursor.set(next);
            line.set(next.map(|i| history[i].clone()).unwrap_or_default());
        })
    };
    let onsubmit = {
        let line = line.clone();
        let cursor = cursor.clone();
        let on_command = props.on_command.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !line.trim().is_empty() {
                on_command.emit((*line).clone());
                line.set(String::new());
                cursor.set(None);
            }
        })
    };
    let on_clear = props.on_clear.clone();
    let tab = |sql: bool, label: String| {
        let show_sql = show_sql.clone();
        let active = *show_sql == sql;
        html! {
            <button role="tab" id={if sql { "tab-sql" } else { "tab-output" }} aria-selected={active.to_string()}
                class={classes!("tab", active.then_some("active"))} onclick={move |_| show_sql.set(sql)}>{ label }</button>
        }
    };
    html! {
        <section class="panel terminal" data-view="terminal" aria-label="Terminal">
            <header class="panel-head">
                <div class="tabs" role="tablist">
                    { tab(false, "Output".into()) }
                    { tab(true, format!("SQL log ({})", props.sql_log.len())) }
                </div>
                <button id="clear-output" class="ghost" onclick={move |_| on_clear.emit(())}>{ "Clear" }</button>
            </header>
            <form class="command-line" {onsubmit}>
                <label for="command" class="prompt">{ "$ alembic" }</label>
                <input id="command" data-focus="command" type="text" spellcheck="false" autocomplete="off"
                    aria-describedby="command-help"
                    placeholder="upgrade head · downgrade -1 · history · current · stamp head · merge heads -m …"
                    value={(*line).clone()} {oninput} {onkeydown} />
                <button id="run" type="submit">{ "Run" }</button>
            </form>
            <p id="command-help" class="visually-hidden">{ "Any alembic command line. Up and Down walk the history." }</p>
            if *show_sql {
                <div id="sql-log" class="entries sql-log" role="log" data-view="sql-log">
                    if props.sql_log.is_empty() {
                        <p class="empty">{ "Statements the commands execute show here, with their time." }</p>
                    }
                    { for props.sql_log.iter().rev().take(300).map(|s| html! {
                        <div class={classes!("stmt", s.error.is_some().then_some("failed"))}>
                            <span class="ms">{ format!("{:.2} ms", s.ms) }</span>
                            <code>{ &s.sql }</code>
                            if let Some(err) = &s.error {
                                <span class="stmt-error">{ err }</span>
                            }
                        </div>
                    }) }
                </div>
            } else {
                <div id="output" class="entries" role="log" aria-live="polite">
                    if props.log.is_empty() {
                        <p class="empty">{ "Run a command: its output shows here." }</p>
                    }
                    { for props.log.iter().rev().map(entry) }
                </div>
            }
        </section>
    }
}

fn entry(e: &LogEntry) -> Html {
    let prompt = match e.kind {
        EntryKind::Command => "$ alembic ",
        EntryKind::Sql => "sql> ",
        EntryKind::Undo => "↶ undo ",
        EntryKind::Note => "# ",
    };
    let ok = e.output.exit_code == 0;
    if e.kind == EntryKind::Note {
        // A message of the playground itself: one line, no exit status.
        let text = format!("{}{}", e.output.stdout, e.output.stderr);
        return html! {
            <article key={e.id} class={classes!("entry", "note", if ok { "ok" } else { "failed" })}>
                <p class="note-text">{ text.trim_end() }</p>
            </article>
        };
    }
    let status = if ok { "✓ 0".to_string() } else { format!("✗ {}", e.output.exit_code) };
    html! {
        <article key={e.id} class={classes!("entry", if ok { "ok" } else { "failed" })}>
            <div class="entry-head">
                <code class="cmd">{ prompt }{ &e.text }</code>
                <span class="status" title="exit status">{ status }{ if e.ms > 0 { format!(" · {} ms", e.ms) } else { String::new() } }</span>
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
