//! The revision chain: an SVG graph in `alembic history` order with head and
//! current markers, and the actions that move the database along it.
//!
//! Props only: the view keeps just UI-local state (the focused node, the
//! squash range being picked, the message being typed) and emits
//! [`ChainIntent`]s; the store runs them.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::chain_model::{applied, layout, squash_run, ChainEdge, ChainIntent, ChainRevision, EdgeKind, Target};
use super::util::{clip, text_width};

#[derive(Properties, PartialEq)]
pub struct ChainViewProps {
    /// Revisions in `alembic history` order (newest first), e.g. from
    /// [`super::chain_model::from_map`].
    pub revisions: Vec<ChainRevision>,
    pub on_intent: Callback<ChainIntent>,
    /// The revision whose script is open in the editor (highlighted).
    #[prop_or_default]
    pub open: Option<String>,
    /// Disables the actions while a command runs.
    #[prop_or_default]
    pub busy: bool,
    /// Errors to show at a node: (revision id, message).
    #[prop_or_default]
    pub errors: Vec<(String, String)>,
}

const ROW_H: f64 = 46.0;
const LANE_W: f64 = 20.0;
const PAD: f64 = 10.0;

fn lane_x(l: usize) -> f64 {
    PAD + l as f64 * LANE_W + LANE_W / 2.0
}

fn row_y(r: usize) -> f64 {
    r as f64 * ROW_H + ROW_H / 2.0
}

fn edge_path(e: &ChainEdge, width: usize) -> String {
    let (cx, cy) = (lane_x(e.child_lane), row_y(e.child_row));
    let (px, py) = (lane_x(e.parent_lane), row_y(e.parent_row));
    match e.kind {
        EdgeKind::Down => {
            let vx = lane_x(e.via_lane);
            let (y1, y2) = (cy + ROW_H / 2.0, py - ROW_H / 2.0);
            let q = ROW_H / 4.0;
            format!(
                "M{cx},{cy} C{cx},{a} {vx},{a} {vx},{y1} L{vx},{y2} C{vx},{b} {px},{b} {px},{py}",
                a = cy + q,
                b = py - q
            )
        }
        EdgeKind::DependsOn => {
            let rx = lane_x(width) + 4.0;
            format!("M{cx},{cy} C{rx},{cy} {rx},{py} {px},{py}")
        }
    }
}

/// Focuses the `row`-th node (SVG elements have `focus()`; called through
/// Reflect as web-sys' `SvgElement` is not among the enabled features).
fn focus_node(svg: &web_sys::Element, row: usize) {
    let Ok(nodes) = svg.query_selector_all("[data-revision]") else { return };
    if let Some(node) = nodes.item(row as u32) {
        if let Ok(f) = js_sys::Reflect::get(&node, &"focus".into()) {
            if let Ok(f) = f.dyn_into::<js_sys::Function>() {
                let _ = f.call0(&node);
            }
        }
    }
}

#[function_component(ChainView)]
pub fn chain_view(props: &ChainViewProps) -> Html {
    let focused = use_state(|| None::<String>);
    let squash_from = use_state(|| None::<String>);
    let message = use_state(String::new);
    let autogenerate = use_state(|| true);

    let svg_ref = use_node_ref();
    let revs = &props.revisions;
    let lay = layout(revs);
    let applied = applied(revs);
    let width = lay.width.max(1);
    let text_x = lane_x(width) + LANE_W;
    let height = (revs.len().max(1) as f64) * ROW_H;
    let heads = revs.iter().filter(|r| r.is_head).count();
    let emit = |intent: ChainIntent| {
        let cb = props.on_intent.clone();
        Callback::from(move |_: MouseEvent| cb.emit(intent.clone()))
    };

    let on_node = {
        let focused = focused.clone();
        let on_intent = props.on_intent.clone();
        let squash_from = squash_from.clone();
        move |rev: &ChainRevision| {
            let (id, file_name) = (rev.id.clone(), rev.file_name.clone());
            let focused = focused.clone();
            let on_intent = on_intent.clone();
            let picking = squash_from.is_some();
            move || {
                focused.set(Some(id.clone()));
                if !picking {
                    on_intent.emit(ChainIntent::Open { id: id.clone(), file_name: file_name.clone() });
                }
            }
        }
    };

    let edges = lay.edges.iter().map(|e| {
        let class = match e.kind {
            EdgeKind::Down => classes!("chain-edge", format!("lane-{}", e.via_lane % 6)),
            EdgeKind::DependsOn => classes!("chain-edge", "depends-on"),
        };
        html! { <path class={class} d={edge_path(e, width)} /> }
    });

    let squash_range: Option<Result<Vec<String>, String>> = match (&*squash_from, &*focused) {
        (Some(a), Some(b)) if a != b => Some(squash_run(revs, a, b)),
        _ => None,
    };
    let in_range = |id: &str| matches!(&squash_range, Some(Ok(run)) if run.iter().any(|r| r == id));

    let nodes = revs.iter().enumerate().map(|(row, rev)| {
        let lane = lay.lanes[row];
        let (x, y) = (lane_x(lane), row_y(row));
        let error = props.errors.iter().find(|(id, _)| id == &rev.id).map(|(_, m)| m.clone());
        let mut label = format!("revision {}", rev.id);
        if !rev.message.is_empty() {
            label.push_str(&format!(": {}", rev.message));
        }
        if rev.is_head {
            label.push_str(" (head)");
        }
        if rev.is_current {
            label.push_str(" (current)");
        } else if !applied[row] {
            label.push_str(" (not applied)");
        }
        let class = classes!(
            "chain-node",
            format!("lane-{}", lane % 6),
            rev.is_head.then_some("head"),
            rev.is_current.then_some("current"),
            (!applied[row]).then_some("unapplied"),
            (props.open.as_deref() == Some(rev.id.as_str())).then_some("open"),
            (focused.as_deref() == Some(rev.id.as_str())).then_some("focused"),
            in_range(&rev.id).then_some("in-range"),
            error.is_some().then_some("error"),
        );
        let activate = on_node(rev);
        let onclick = {
            let activate = activate.clone();
            Callback::from(move |_: MouseEvent| activate())
        };
        let onkeydown = {
            let svg_ref = svg_ref.clone();
            Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                "Enter" | " " => {
                    e.prevent_default();
                    activate();
                }
                // Up / down move the focus along the chain.
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    let next = if e.key() == "ArrowUp" { row.checked_sub(1) } else { Some(row + 1) };
                    if let (Some(next), Some(svg)) = (next, svg_ref.cast::<web_sys::Element>()) {
                        focus_node(&svg, next);
                    }
                }
                _ => {}
            })
        };
        // Badges after the id: branch labels, head, current.
        let id_w = text_width(&rev.id, 7.4);
        let mut bx = text_x + id_w + 10.0;
        let mut badges = Vec::new();
        let mut badge = |text: String, class: &'static str| {
            let w = text_width(&text, 6.6) + 10.0;
            badges.push(html! {
                <g class={classes!("badge", class)}>
                    <rect x={bx.to_string()} y={(y - 17.0).to_string()} width={w.to_string()} height="15" rx="7" />
                    <text x={(bx + 5.0).to_string()} y={(y - 6.0).to_string()}>{ text }</text>
                </g>
            });
            bx += w + 5.0;
        };
        for l in &rev.branch_labels {
            badge(format!("@{l}"), "label");
        }
        if rev.is_head {
            badge("head".into(), "head");
        }
        if rev.is_current {
            badge("current".into(), "current");
        }
        html! {
            <g key={rev.id.clone()} class={class} data-revision={rev.id.clone()}
                data-head={rev.is_head.then_some("")} data-current={rev.is_current.then_some("")}
                role="button" tabindex="0" aria-label={label.clone()} {onclick} {onkeydown}>
                <title>{ error.clone().map(|e| format!("{label}\n{e}")).unwrap_or(label) }</title>
                <rect class="hit" x="0" y={(y - ROW_H / 2.0).to_string()} width="100%" height={ROW_H.to_string()} />
                if rev.is_current {
                    <circle class="current-ring" cx={x.to_string()} cy={y.to_string()} r="10" />
                }
                <circle class="dot" cx={x.to_string()} cy={y.to_string()} r={if rev.down_revisions.len() > 1 { "7" } else { "5.5" }} />
                <text class="rev-id" x={text_x.to_string()} y={(y - 5.0).to_string()}>{ &rev.id }</text>
                { for badges }
                <text class="rev-msg" x={text_x.to_string()} y={(y + 12.0).to_string()}>{ clip(&rev.message, 70) }</text>
                if let Some(e) = &error {
                    <text class="rev-error" x={(text_x + 360.0).to_string()} y={(y + 12.0).to_string()}>{ clip(e, 60) }</text>
                }
            </g>
        }
    });

    let on_message = {
        let message = message.clone();
        Callback::from(move |e: InputEvent| message.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_autogen = {
        let autogenerate = autogenerate.clone();
        Callback::from(move |e: Event| autogenerate.set(e.target_unchecked_into::<HtmlInputElement>().checked()))
    };
    let msg = (*message).clone();
    let busy = props.busy;
    let focused_rev = focused.as_ref().and_then(|id| revs.iter().find(|r| &r.id == id)).cloned();

    let selected_actions = match &focused_rev {
        None => html! { <p class="hint">{ "Select a revision for upgrade / downgrade / stamp to it, or to squash a run." }</p> },
        Some(r) => {
            let start_squash = {
                let squash_from = squash_from.clone();
                let id = r.id.clone();
                Callback::from(move |_: MouseEvent| squash_from.set(Some(id.clone())))
            };
            html! {
                <div class="chain-actions selected" role="group" aria-label={format!("actions for revision {}", r.id)}>
                    <span class="label"><code>{ &r.id }</code></span>
                    <button disabled={busy} onclick={emit(ChainIntent::Open { id: r.id.clone(), file_name: r.file_name.clone() })}>{ "Open script" }</button>
                    <button disabled={busy} onclick={emit(ChainIntent::Upgrade(Target::Revision(r.id.clone())))}>{ "Upgrade to here" }</button>
                    <button disabled={busy} onclick={emit(ChainIntent::Downgrade(Target::Revision(r.id.clone())))}>{ "Downgrade to here" }</button>
                    <button disabled={busy} onclick={emit(ChainIntent::Stamp(r.id.clone()))}>{ "Stamp" }</button>
                    if squash_from.is_none() {
                        <button disabled={busy} onclick={start_squash} title="Pick the other end of the run next">{ "Squash from here…" }</button>
                    }
                </div>
            }
        }
    };

    let squash_panel = match &*squash_from {
        None => html! {},
        Some(from) => {
            let cancel = {
                let squash_from = squash_from.clone();
                Callback::from(move |_: MouseEvent| squash_from.set(None))
            };
            let body = match &squash_range {
                None => html! { <span class="hint">{ format!("Squash from {from}: click the other end of the run.") }</span> },
                Some(Err(e)) => html! { <span class="error" role="alert">{ e }</span> },
                Some(Ok(run)) => {
                    let go = {
                        let on_intent = props.on_intent.clone();
                        let squash_from = squash_from.clone();
                        let intent = ChainIntent::Squash {
                            ids: run.clone(),
                            message: if msg.trim().is_empty() { format!("squash {}", run.join(", ")) } else { msg.clone() },
                        };
                        Callback::from(move |_: MouseEvent| {
                            on_intent.emit(intent.clone());
                            squash_from.set(None);
                        })
                    };
                    html! {
                        <>
                            <span>{ format!("Squash {} revisions ({} … {}) into one, with the message below", run.len(), run[run.len() - 1], run[0]) }</span>
                            <button class="primary" disabled={busy} onclick={go}>{ "Squash" }</button>
                        </>
                    }
                }
            };
            html! {
                <div class="chain-actions squash" role="group" aria-label="squash">
                    { body }
                    <button onclick={cancel}>{ "Cancel" }</button>
                </div>
            }
        }
    };

    html! {
        <section class="view chain-view" aria-label="revision chain">
            <div class="chain-actions" role="toolbar" aria-label="move the database">
                <button disabled={busy} onclick={emit(ChainIntent::Upgrade(Target::Relative(1)))} title="alembic upgrade +1">{ "Upgrade +1" }</button>
                <button disabled={busy} onclick={emit(ChainIntent::Upgrade(Target::Head))} title="alembic upgrade head">{ "Upgrade head" }</button>
                <button disabled={busy} onclick={emit(ChainIntent::Downgrade(Target::Relative(-1)))} title="alembic downgrade -1">{ "Downgrade −1" }</button>
                <button disabled={busy} onclick={emit(ChainIntent::Downgrade(Target::Base))} title="alembic downgrade base">{ "Downgrade base" }</button>
            </div>
            { selected_actions }
            { squash_panel }
            <div class="chain-graph">
                if revs.is_empty() {
                    <p class="empty">{ "No revisions yet: create one below." }</p>
                }
                <svg data-view="chain" ref={svg_ref.clone()} role="group" aria-label="revisions, newest first"
                    width="100%" height={height.to_string()} class="chain-svg">
                    <g class="edges" aria-hidden="true">{ for edges }</g>
                    <g class="nodes">{ for nodes }</g>
                </svg>
            </div>
            <div class="chain-actions new" role="group" aria-label="new revision">
                <input type="text" placeholder="message" aria-label="revision message" value={msg.clone()} oninput={on_message} />
                <label><input type="checkbox" checked={*autogenerate} onchange={on_autogen} />{ " autogenerate" }</label>
                <button class="primary" disabled={busy || msg.trim().is_empty()}
                    onclick={emit(ChainIntent::NewRevision { message: msg.clone(), autogenerate: *autogenerate })}>{ "New revision" }</button>
                <button disabled={busy || heads < 2} title="alembic merge heads"
                    onclick={emit(ChainIntent::MergeHeads { message: if msg.trim().is_empty() { "merge heads".into() } else { msg.clone() } })}>{ "Merge heads" }</button>
            </div>
        </section>
    }
}
