//! The schema diff as a list with added / dropped / changed marks, and the
//! timeline slider that scrubs the schema along the chain.
//!
//! Props only. Hooks: every entry carries `data-change="added|dropped|changed"`
//! and `data-object` (`table:tag`, `column:tag.color`, `index:tag.ix_tag_name`,
//! `constraint:tag.fk_…`), see `engine::schema_diff::ObjectRef::key`.

use std::rc::Rc;

use engine::schema_diff::{Change, Item, ItemDiff, ObjectRef, SchemaDiff};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::chain_model::TimelineStop;

#[derive(Properties, PartialEq)]
pub struct DiffViewProps {
    pub diff: Rc<SchemaDiff>,
    /// What the left side is, e.g. `base`, `a1b2c3d4e5f6`, `before upgrade head`.
    #[prop_or_default]
    pub before_label: AttrValue,
    /// What the right side is, e.g. `head`, `after upgrade head`.
    #[prop_or_default]
    pub after_label: AttrValue,
    /// Choices for "between any two revisions": the timeline stops (base
    /// first). Empty hides the pickers.
    #[prop_or_default]
    pub choices: Vec<TimelineStop>,
    /// The picked sides (`None` = base, the empty schema).
    #[prop_or_default]
    pub from: Option<String>,
    #[prop_or_default]
    pub to: Option<String>,
    /// A new pair picked: (from, to), `None` = base.
    #[prop_or_default]
    pub on_compare: Callback<(Option<String>, Option<String>)>,
}

fn sign(c: Change) -> &'static str {
    match c {
        Change::Added => "+",
        Change::Dropped => "−",
        Change::Changed => "~",
    }
}

fn item_kind(i: &Item) -> String {
    match i {
        Item::Column(_) => "column".into(),
        Item::Index(_) => "index".into(),
        Item::Constraint { kind, .. } => match kind.as_str() {
            "primary" => "primary key".into(),
            "foreignkey" => "foreign key".into(),
            other => other.into(),
        },
    }
}

fn item_name(i: &Item) -> &str {
    match i {
        Item::Column(c) => c,
        Item::Index(id) | Item::Constraint { id, .. } => id,
    }
}

fn item_row(table: &str, it: &ItemDiff) -> Html {
    let key = ObjectRef::Item { table: table.into(), item: it.item.clone() }.key();
    html! {
        <li key={key.clone()} class={classes!("diff-item", it.change.as_str())} data-change={it.change.as_str()} data-object={key}>
            <span class="diff-sign" aria-hidden="true">{ sign(it.change) }</span>
            <span class="diff-kind">{ item_kind(&it.item) }</span>
            <code class="diff-name">{ item_name(&it.item) }</code>
            <span class="diff-summary">{ &it.summary }</span>
            <span class="sr-only">{ format!(" {}", it.change.as_str()) }</span>
            if !it.fields.is_empty() {
                <ul class="diff-fields">
                    { for it.fields.iter().map(|f| html! {
                        <li>
                            <span class="diff-field">{ f.field.as_str() }</span>{ ": " }
                            <del>{ &f.before }</del>{ " → " }<ins>{ &f.after }</ins>
                        </li>
                    }) }
                </ul>
            }
        </li>
    }
}

fn picker(choices: &[TimelineStop], value: &Option<String>, label: &'static str, on: Callback<Option<String>>) -> Html {
    let onchange = Callback::from(move |e: Event| {
        // `HTMLSelectElement.value` read through Reflect (no extra web-sys feature).
        let v = e
            .target()
            .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        on.emit(if v.is_empty() { None } else { Some(v) });
    });
    html! {
        <label class="diff-pick">{ label }{ " " }
            <select {onchange} aria-label={label}>
                { for choices.iter().map(|c| {
                    let v = c.id.clone().unwrap_or_default();
                    html! { <option value={v.clone()} selected={&c.id == value}>{ &c.label }</option> }
                }) }
            </select>
        </label>
    }
}

#[function_component(DiffView)]
pub fn diff_view(props: &DiffViewProps) -> Html {
    let d = &props.diff;
    let (a, dr, c) = d.counts();
    let pickers = if props.choices.is_empty() {
        html! {}
    } else {
        let from_cb = {
            let on = props.on_compare.clone();
            let to = props.to.clone();
            Callback::from(move |f: Option<String>| on.emit((f, to.clone())))
        };
        let to_cb = {
            let on = props.on_compare.clone();
            let from = props.from.clone();
            Callback::from(move |t: Option<String>| on.emit((from.clone(), t)))
        };
        html! {
            <div class="diff-pickers" role="group" aria-label="compare two revisions">
                { picker(&props.choices, &props.from, "from", from_cb) }
                { picker(&props.choices, &props.to, "to", to_cb) }
            </div>
        }
    };
    html! {
        <section class="view diff-view" data-view="diff" aria-label="schema changes">
            <div class="view-toolbar">
                <span class="diff-sides">
                    <code>{ if props.before_label.is_empty() { "before" } else { props.before_label.as_str() } }</code>
                    { " → " }
                    <code>{ if props.after_label.is_empty() { "after" } else { props.after_label.as_str() } }</code>
                </span>
                <span class="spacer" />
                <span class="diff-counts">
                    <span class="added">{ format!("+{a}") }</span>{ " " }
                    <span class="dropped">{ format!("−{dr}") }</span>{ " " }
                    <span class="changed">{ format!("~{c}") }</span>
                </span>
            </div>
            { pickers }
            if d.is_empty() {
                <p class="empty">{ "No schema changes." }</p>
            } else {
                <ul class="diff-tables">
                    { for d.tables.iter().map(|t| {
                        let key = ObjectRef::Table(t.name.clone()).key();
                        html! {
                            <li key={key.clone()} class={classes!("diff-table", t.change.as_str())}>
                                <div class="diff-table-head" data-change={t.change.as_str()} data-object={key}>
                                    <span class="diff-sign" aria-hidden="true">{ sign(t.change) }</span>
                                    <span class="diff-kind">{ "table" }</span>
                                    <code class="diff-name">{ &t.name }</code>
                                    <span class="diff-badge">{ t.change.as_str() }</span>
                                </div>
                                if !t.items.is_empty() {
                                    <ul class="diff-items">{ for t.items.iter().map(|i| item_row(&t.name, i)) }</ul>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// Stops oldest first, base first ([`super::chain_model::timeline_stops`]).
    pub stops: Vec<TimelineStop>,
    /// The shown stop (`None` = base).
    pub selected: Option<String>,
    /// A stop picked (`None` = base); the store computes the schema there.
    pub on_select: Callback<Option<String>>,
}

/// A slider over the chain: base … head.
#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let n = props.stops.len();
    let index = props.stops.iter().position(|s| s.id == props.selected).unwrap_or(0);
    let pick = {
        let stops = props.stops.clone();
        let on = props.on_select.clone();
        move |i: usize| {
            if let Some(s) = stops.get(i) {
                on.emit(s.id.clone());
            }
        }
    };
    let oninput = {
        let pick = pick.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(i) = e.target_unchecked_into::<HtmlInputElement>().value().parse::<usize>() {
                pick(i);
            }
        })
    };
    let step = |delta: isize| {
        let pick = pick.clone();
        Callback::from(move |_: MouseEvent| {
            let i = index as isize + delta;
            if i >= 0 && (i as usize) < n {
                pick(i as usize);
            }
        })
    };
    let current = props.stops.get(index);
    html! {
        <section class="view timeline" data-view="timeline" aria-label="timeline">
            <button disabled={index == 0} onclick={step(-1)} aria-label="previous revision">{ "◀" }</button>
            <input type="range" min="0" max={n.saturating_sub(1).to_string()} step="1" value={index.to_string()}
                aria-label="revision along the chain" aria-valuetext={current.map(|s| s.label.clone()).unwrap_or_default()}
                disabled={n < 2} {oninput} />
            <button disabled={index + 1 >= n} onclick={step(1)} aria-label="next revision">{ "▶" }</button>
            <output class="timeline-at" data-revision={current.and_then(|s| s.id.clone())}>
                { current.map(|s| s.label.clone()).unwrap_or_default() }
            </output>
        </section>
    }
}
