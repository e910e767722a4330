//! The data grid: one table's rows, with add / edit / delete and "fill with
//! sample rows". Props only; emits [`RowIntent`]s.
//!
//! Hook: `[data-view="rows"][data-table="NAME"]`; each row `tr[data-row=i]`,
//! each cell `td[data-column=NAME]`.

use std::rc::Rc;

use engine::db::{QueryResult, Value};
use engine::schema::Table;
use engine::schema_diff::type_text;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::rows_model::{display, parse_cell, row_key, RowIntent, ROWID};

#[derive(Properties, PartialEq)]
pub struct RowsViewProps {
    /// The table's schema (columns, types, primary key).
    pub table: Rc<Table>,
    /// The rows, from [`super::rows_model::rows_query`].
    pub rows: Rc<QueryResult>,
    pub on_intent: Callback<RowIntent>,
    /// The table's row count when `rows` was cut by the query's LIMIT.
    #[prop_or_default]
    pub total: Option<usize>,
    /// The last intent's error (e.g. SQLite's constraint message).
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub busy: bool,
}

#[derive(Clone, PartialEq)]
struct Editing {
    row: usize,
    column: String,
    text: String,
}

#[function_component(RowsView)]
pub fn rows_view(props: &RowsViewProps) -> Html {
    let editing = use_state(|| None::<Editing>);
    // The edit in progress as the callbacks see it: taken once by the first
    // of Enter / blur, so one edit gives one intent.
    let live = use_mut_ref(|| None::<Editing>);
    let input_ref = use_node_ref();
    {
        let input_ref = input_ref.clone();
        let key = editing.as_ref().map(|e| (e.row, e.column.clone()));
        use_effect_with(key, move |key| {
            if key.is_some() {
                if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                    input.select();
                }
            }
        });
    }
    let adding = use_state(|| None::<Vec<String>>);
    let sample_n = use_state(|| 5usize);
    let t = &props.table;
    let rows = &props.rows;
    let busy = props.busy;

    let commit_edit = {
        let editing = editing.clone();
        let live = live.clone();
        let on_intent = props.on_intent.clone();
        let table = props.table.clone();
        let rows = props.rows.clone();
        move || {
            let taken = live.borrow_mut().take();
            if let Some(e) = taken {
                if let Some(col) = table.column(&e.column) {
                    let value = parse_cell(&e.text, col);
                    if rows.get(e.row, &e.column) != &value {
                        on_intent.emit(RowIntent::Update {
                            table: table.name.clone(),
                            key: row_key(&table, &rows, e.row),
                            column: e.column.clone(),
                            value,
                        });
                    }
                }
                editing.set(None);
            }
        }
    };

    let header = t.columns.iter().map(|c| {
        let mut marks = Vec::new();
        if c.primary_key || t.primary_key_columns().contains(&c.name) {
            marks.push("PK");
        }
        if t.foreign_keys.iter().any(|f| f.columns.contains(&c.name)) {
            marks.push("FK");
        }
        if !c.nullable {
            marks.push("NN");
        }
        html! {
            <th scope="col" data-column={c.name.clone()}>
                <span class="col-name">{ &c.name }</span>
                <span class="col-type">{ type_text(&c.type_) }</span>
                { for marks.iter().map(|m| html! { <span class={classes!("er-mark", m.to_lowercase())}>{ *m }</span> }) }
            </th>
        }
    });

    let body = (0..rows.rows.len()).map(|r| {
        let cells = t.columns.iter().map(|c| {
            let v = rows.get(r, &c.name).clone();
            let is_editing = editing.as_ref().is_some_and(|e| e.row == r && e.column == c.name);
            if is_editing {
                let text = editing.as_ref().map(|e| e.text.clone()).unwrap_or_default();
                let oninput = {
                    let editing = editing.clone();
                    let live = live.clone();
                    Callback::from(move |e: InputEvent| {
                        let text = e.target_unchecked_into::<HtmlInputElement>().value();
                        let next = live.borrow().clone().map(|cur| Editing { text, ..cur });
                        *live.borrow_mut() = next.clone();
                        editing.set(next);
                    })
                };
                let onkeydown = {
                    let editing = editing.clone();
                    let live = live.clone();
                    let commit = commit_edit.clone();
                    Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                        "Enter" => commit(),
                        "Escape" => {
                            *live.borrow_mut() = None;
                            editing.set(None);
                        }
                        _ => {}
                    })
                };
                let onblur = {
                    let commit = commit_edit.clone();
                    Callback::from(move |_: FocusEvent| commit())
                };
                html! {
                    <td data-column={c.name.clone()} class="editing">
                        <input type="text" ref={input_ref.clone()} value={text} {oninput} {onkeydown} {onblur}
                            aria-label={format!("{} (Enter to save, Escape to cancel, NULL for null)", c.name)} />
                    </td>
                }
            } else {
                let start = {
                    let editing = editing.clone();
                    let live = live.clone();
                    let column = c.name.clone();
                    let text = display(&v);
                    let computed = c.computed.is_some();
                    move || {
                        if !busy && !computed {
                            let e = Editing { row: r, column: column.clone(), text: text.clone() };
                            *live.borrow_mut() = Some(e.clone());
                            editing.set(Some(e));
                        }
                    }
                };
                let ondblclick = {
                    let start = start.clone();
                    Callback::from(move |_: MouseEvent| start())
                };
                let onkeydown = Callback::from(move |e: KeyboardEvent| {
                    if e.key() == "Enter" || e.key() == "F2" {
                        start();
                    }
                });
                html! {
                    <td data-column={c.name.clone()} class={classes!(matches!(v, Value::Null).then_some("null"), matches!(v, Value::Integer(_) | Value::Real(_)).then_some("num"))}
                        tabindex="0" title="double-click or Enter to edit" {ondblclick} {onkeydown}>
                        { display(&v) }
                    </td>
                }
            }
        });
        let delete = {
            let on_intent = props.on_intent.clone();
            let intent = RowIntent::Delete { table: t.name.clone(), key: row_key(t, rows, r) };
            Callback::from(move |_: MouseEvent| on_intent.emit(intent.clone()))
        };
        html! {
            <tr key={r} data-row={r.to_string()}>
                { for cells }
                <td class="row-actions"><button class="icon" disabled={busy} onclick={delete} aria-label={format!("delete row {}", r + 1)} title="delete row">{ "✕" }</button></td>
            </tr>
        }
    });

    let add_row = match &*adding {
        None => html! {},
        Some(texts) => {
            let inputs = t.columns.iter().enumerate().map(|(i, c)| {
                let oninput = {
                    let adding = adding.clone();
                    Callback::from(move |e: InputEvent| {
                        let text = e.target_unchecked_into::<HtmlInputElement>().value();
                        if let Some(mut cur) = (*adding).clone() {
                            cur[i] = text;
                            adding.set(Some(cur));
                        }
                    })
                };
                html! {
                    <td data-column={c.name.clone()}>
                        <input type="text" value={texts.get(i).cloned().unwrap_or_default()} {oninput}
                            placeholder={if c.server_default.is_some() || c.primary_key { "default" } else if c.nullable { "NULL" } else { "required" }}
                            aria-label={format!("new row: {}", c.name)} disabled={c.computed.is_some()} />
                    </td>
                }
            });
            let save = {
                let adding = adding.clone();
                let on_intent = props.on_intent.clone();
                let table = props.table.clone();
                let texts = texts.clone();
                Callback::from(move |_: MouseEvent| {
                    let values: Vec<(String, Value)> = table
                        .columns
                        .iter()
                        .zip(&texts)
                        .filter(|(_, text)| !text.is_empty())
                        .map(|(c, text)| (c.name.clone(), parse_cell(text, c)))
                        .collect();
                    on_intent.emit(RowIntent::Insert { table: table.name.clone(), values });
                    adding.set(None);
                })
            };
            let cancel = {
                let adding = adding.clone();
                Callback::from(move |_: MouseEvent| adding.set(None))
            };
            html! {
                <tr class="new-row">
                    { for inputs }
                    <td class="row-actions">
                        <button class="primary" disabled={busy} onclick={save}>{ "Add" }</button>
                        <button onclick={cancel}>{ "Cancel" }</button>
                    </td>
                </tr>
            }
        }
    };

    let start_add = {
        let adding = adding.clone();
        let n = t.columns.len();
        Callback::from(move |_: MouseEvent| adding.set(Some(vec![String::new(); n])))
    };
    let fill = {
        let on_intent = props.on_intent.clone();
        let table = t.name.clone();
        let n = *sample_n;
        Callback::from(move |_: MouseEvent| on_intent.emit(RowIntent::FillSample { table: table.clone(), rows: n }))
    };
    let on_n = {
        let sample_n = sample_n.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(n) = e.target_unchecked_into::<HtmlInputElement>().value().parse::<usize>() {
                sample_n.set(n.clamp(1, 1000));
            }
        })
    };
    let shown = rows.rows.len();
    let count = match props.total {
        Some(total) if total > shown => format!("{shown} of {total} rows"),
        _ => format!("{shown} row{}", if shown == 1 { "" } else { "s" }),
    };
    let extra: Vec<&String> = rows.columns.iter().filter(|c| *c != ROWID && t.column(c).is_none()).collect();

    html! {
        <section class="view rows-view" data-view="rows" data-table={t.name.clone()} aria-label={format!("rows of {}", t.name)}>
            <div class="view-toolbar" role="toolbar" aria-label={format!("edit rows of {}", t.name)}>
                <code class="table-name">{ &t.name }</code>
                <span class="hint">{ count }</span>
                <span class="spacer" />
                <button disabled={busy || adding.is_some()} onclick={start_add}>{ "Add row" }</button>
                <label class="fill">
                    <button disabled={busy} onclick={fill} title="insert rows that respect types, NOT NULL, foreign keys and uniqueness">{ "Fill with sample rows" }</button>
                    <input type="number" min="1" max="1000" value={sample_n.to_string()} oninput={on_n} aria-label="how many sample rows" />
                </label>
            </div>
            if let Some(e) = &props.error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
            if !extra.is_empty() {
                <p class="hint">{ format!("not in the schema shown: {}", extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) }</p>
            }
            <div class="grid-scroll">
                <table class="grid">
                    <thead><tr>{ for header }<th class="row-actions"><span class="sr-only">{ "actions" }</span></th></tr></thead>
                    <tbody>
                        { for body }
                        { add_row }
                    </tbody>
                </table>
                if shown == 0 && adding.is_none() {
                    <p class="empty">{ "No rows. Add one, or fill with sample rows." }</p>
                }
            </div>
        </section>
    }
}
