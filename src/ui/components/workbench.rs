//! The database views in tabs: the ER diagram (live schema, marks of the
//! last change), the rows of a table, the last change as a diff, a
//! comparison of any two revisions, and the timeline along the chain.
//! Props and callbacks only; the views themselves are `ui::views`.

use std::rc::Rc;

use engine::schema::MetaData;
use engine::schema_diff::SchemaDiff;
use yew::prelude::*;

use crate::ui::store::{ChainRevision, CompareSlice, RowsSlice, TimelineSlice};
use crate::ui::views::chain_model::timeline_stops;
use crate::ui::views::rows_model::RowIntent;
use crate::ui::views::{DiffView, RowsView, SchemaView, Timeline};

#[derive(Properties, PartialEq)]
pub struct WorkbenchProps {
    pub live: Rc<MetaData>,
    pub last_change: Option<(String, Rc<SchemaDiff>, Rc<MetaData>)>,
    pub selected_table: Option<String>,
    pub rows: Option<Rc<RowsSlice>>,
    pub compare: Option<Rc<CompareSlice>>,
    pub timeline: Option<Rc<TimelineSlice>>,
    pub chain: Rc<Vec<ChainRevision>>,
    pub on_select_table: Callback<String>,
    pub on_row_intent: Callback<RowIntent>,
    pub on_compare: Callback<(Option<String>, Option<String>)>,
    pub on_timeline: Callback<Option<String>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Diagram,
    Rows,
    Change,
    Compare,
    Timeline,
}

const TABS: [(Tab, &str, &str); 5] = [
    (Tab::Diagram, "diagram", "Schema"),
    (Tab::Rows, "rows", "Rows"),
    (Tab::Change, "change", "Last change"),
    (Tab::Compare, "compare", "Compare"),
    (Tab::Timeline, "timeline", "Timeline"),
];

#[function_component(Workbench)]
pub fn workbench(props: &WorkbenchProps) -> Html {
    let tab = use_state(|| Tab::Diagram);
    let stops = timeline_stops(&props.chain);
    // The same callback while the parent's is the same, so the diagram is not
    // rendered again when nothing it shows changed.
    let on_select_table = {
        let tab = tab.setter();
        use_callback(props.on_select_table.clone(), move |name: String, on_select| {
            on_select.emit(name);
            tab.set(Tab::Rows);
        })
    };
    let body = match *tab {
        Tab::Diagram => {
            let diff = props.last_change.as_ref().map(|(_, d, _)| d.clone());
            let before = props.last_change.as_ref().map(|(_, _, b)| b.clone());
            html! {
                <SchemaView schema={props.live.clone()} diff={diff} before={before} on_select_table={on_select_table}
                    selected_table={props.selected_table.clone()} height={460} />
            }
        }
        Tab::Rows => {
            let pick = {
                let on_select = props.on_select_table.clone();
                Callback::from(move |e: Event| {
                    let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
                    on_select.emit(select.value());
                })
            };
            let names: Vec<&String> = props.live.tables.keys().collect(); // the version table is not in `live`
            html! {
                <>
                    <label class="table-pick">
                        <span>{ "Table" }</span>
                        <select id="rows-table" onchange={pick}>
                            <option value="" selected={props.selected_table.is_none()} disabled=true>{ "Choose a table…" }</option>
                            { for names.iter().map(|n| html! {
                                <option value={(*n).clone()} selected={props.selected_table.as_ref() == Some(*n)}>{ (*n).clone() }</option>
                            }) }
                        </select>
                    </label>
                    if let Some(rows) = &props.rows {
                        <RowsView table={rows.table.clone()} rows={rows.rows.clone()} total={rows.total}
                            error={rows.error.clone().map(AttrValue::from)} on_intent={props.on_row_intent.clone()} />
                    } else if names.is_empty() {
                        <p class="empty">{ "No tables yet: Upgrade creates them." }</p>
                    }
                </>
            }
        }
        Tab::Change => match &props.last_change {
            Some((label, diff, _)) => html! {
                <DiffView diff={diff.clone()} before_label={AttrValue::from(format!("before `{label}`"))}
                    after_label={AttrValue::from("after")} />
            },
            None => html! { <p class="empty">{ "Run a command: what it did to the schema shows here." }</p> },
        },
        Tab::Compare => {
            let (diff, from, to, error) = match &props.compare {
                Some(c) => (c.diff.clone(), c.from.clone(), c.to.clone(), c.error.clone()),
                None => (Rc::new(SchemaDiff::default()), None, None, None),
            };
            html! {
                <>
                    <DiffView diff={diff} choices={stops.clone()} from={from} to={to} on_compare={props.on_compare.clone()}
                        before_label={AttrValue::from("from")} after_label={AttrValue::from("to")} />
                    if let Some(e) = error {
                        <pre class="error">{ e }</pre>
                    }
                </>
            }
        }
        Tab::Timeline => {
            let selected = props.timeline.as_ref().and_then(|t| t.at.clone());
            html! {
                <>
                    <Timeline stops={stops.clone()} selected={selected} on_select={props.on_timeline.clone()} />
                    if let Some(t) = &props.timeline {
                        if let Some(e) = &t.error {
                            <pre class="error">{ e }</pre>
                        } else {
                            <SchemaView schema={t.schema.clone()} diff={Some(t.diff.clone())} before={Some(t.before.clone())} height={420} />
                        }
                    } else {
                        <p class="empty">{ "Move the slider: the schema at each revision, built on a scratch database." }</p>
                    }
                </>
            }
        }
    };
    html! {
        <section class="panel workbench" aria-label="Schema and data">
            <header class="panel-head">
                <div class="tabs" role="tablist" aria-label="Views">
                    { for TABS.iter().map(|(t, id, label)| {
                        let tab_state = tab.clone();
                        let t = *t;
                        let active = *tab == t;
                        html! {
                            <button role="tab" id={format!("view-{id}")} aria-selected={active.to_string()}
                                class={classes!("tab", active.then_some("active"))}
                                onclick={move |_| tab_state.set(t)}>{ *label }</button>
                        }
                    }) }
                </div>
            </header>
            <div role="tabpanel">{ body }</div>
        </section>
    }
}
