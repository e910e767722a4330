//! The revision chain: an SVG graph in `alembic history` order with head and
//! current markers, and the actions that move the database along it.
//!
//! Props only: the view keeps just UI-local state (the focused node, the
//! squash range being picked, the message being typed) and emits
//! [`ChainIntent`]s; the store runs them.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use std::rc::Rc;

use super::chain_model::{drawing, squash_run, BlockRow, ChainBlock, ChainEdge, ChainIntent, ChainRevision, EdgeKind, Target};
use super::progressive::use_progressive;
use super::util::{clip, text_width};

#[derive(Properties, PartialEq)]
pub struct ChainViewProps {
    /// Revisions in `alembic history` order (newest first), e.g. from
    /// [`super::chain_model::from_map`]. Drawn a block of rows at a time:
    /// the first blocks at once, the others one per task after.
    pub revisions: Rc<Vec<ChainRevision>>,
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

/// Blocks drawn in the first render; the rest follow one per task, so a
/// chain of thousands never holds the main thread for long.
const FIRST_BLOCKS: usize = 1;

#[derive(Properties, PartialEq)]
struct NodeBlockProps {
    block: Rc<ChainBlock>,
    width: usize,
    /// The marks that fall in this block only, so a mark moving elsewhere
    /// leaves this block's props (and its DOM) as they were.
    open: Option<String>,
    focused: Option<String>,
    range: Vec<String>,
    errors: Vec<(String, String)>,
    /// Click or Enter on the node of a row.
    on_activate: Callback<usize>,
    on_key: Callback<(KeyboardEvent, usize)>,
}

#[function_component(NodeBlock)]
fn node_block(props: &NodeBlockProps) -> Html {
    let text_x = lane_x(props.width.max(1)) + LANE_W;
    let nodes = props.block.rows.iter().enumerate().map(|(i, BlockRow { rev, lane, applied })| {
        let row = props.block.first_row + i;
        let (x, y) = (lane_x(*lane), row_y(row));
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
        } else if !applied {
            label.push_str(" (not applied)");
        }
        let class = classes!(
            "chain-node",
            format!("lane-{}", lane % 6),
            rev.is_head.then_some("head"),
            rev.is_current.then_some("current"),
            (!applied).then_some("unapplied"),
            (props.open.as_deref() == Some(rev.id.as_str())).then_some("open"),
            (props.focused.as_deref() == Some(rev.id.as_str())).then_some("focused"),
            props.range.contains(&rev.id).then_some("in-range"),
            error.is_some().then_some("error"),
        );
        let onclick = props.on_activate.reform(move |_: MouseEvent| row);
        let onkeydown = props.on_key.reform(move |e: KeyboardEvent| (e, row));
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
    html! { <g class="chain-block">{ for nodes }</g> }
}

#[derive(Properties, PartialEq)]
struct EdgeBlockProps {
    block: Rc<ChainBlock>,
    width: usize,
}

/// The edges that leave one block's rows: drawn again only when the block
/// or the lane count changed (not each time another block is added).
#[function_component(EdgeBlock)]
fn edge_block(props: &EdgeBlockProps) -> Html {
    let edges = props.block.edges.iter().map(|e| {
        let class = match e.kind {
            EdgeKind::Down => classes!("chain-edge", format!("lane-{}", e.via_lane % 6)),
            EdgeKind::DependsOn => classes!("chain-edge", "depends-on"),
        };
        html! { <path class={class} d={edge_path(e, props.width)} /> }
    });
    html! { <g class="edge-block">{ for edges }</g> }
}

/// What the node callbacks need from the latest render (they are made once,
/// so the blocks' props stay equal from one render to the next).
struct Latest {
    revs: Rc<Vec<ChainRevision>>,
    picking: bool,
    on_intent: Callback<ChainIntent>,
}

#[function_component(ChainView)]
pub fn chain_view(props: &ChainViewProps) -> Html {
    let focused = use_state(|| None::<String>);
    let squash_from = use_state(|| None::<String>);
    let message = use_state(String::new);
    let autogenerate = use_state(|| true);

    let svg_ref = use_node_ref();
    let revs = &props.revisions;
    let drawing = use_memo(props.revisions.clone(), |revs| drawing(revs));
    let width = drawing.width.max(1);
    let height = (revs.len().max(1) as f64) * ROW_H;
    let heads = revs.iter().filter(|r| r.is_head).count();
    let emit = |intent: ChainIntent| {
        let cb = props.on_intent.clone();
        Callback::from(move |_: MouseEvent| cb.emit(intent.clone()))
    };

    // The first blocks now, then one more per task until all are drawn.
    let total = drawing.blocks.len();
    let drawn = use_progressive(total, FIRST_BLOCKS, 1);

    let latest = use_mut_ref(|| Latest { revs: revs.clone(), picking: false, on_intent: props.on_intent.clone() });
    *latest.borrow_mut() = Latest { revs: revs.clone(), picking: squash_from.is_some(), on_intent: props.on_intent.clone() };
    let on_activate = {
        let latest = latest.clone();
        let focused = focused.clone();
        use_memo((), move |_| {
            Callback::from(move |row: usize| {
                let l = latest.borrow();
                let Some(rev) = l.revs.get(row) else { return };
                focused.set(Some(rev.id.clone()));
                if !l.picking {
                    l.on_intent.emit(ChainIntent::Open { id: rev.id.clone(), file_name: rev.file_name.clone() });
                }
            })
        })
    };
    let on_key = {
        let on_activate = (*on_activate).clone();
        let svg_ref = svg_ref.clone();
        use_memo((), move |_| {
            Callback::from(move |(e, row): (KeyboardEvent, usize)| match e.key().as_str() {
                "Enter" | " " => {
                    e.prevent_default();
                    on_activate.emit(row);
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
        })
    };

    let squash_range: Option<Result<Vec<String>, String>> = match (&*squash_from, &*focused) {
        (Some(a), Some(b)) if a != b => Some(squash_run(revs, a, b)),
        _ => None,
    };
    let range: &[String] = match &squash_range {
        Some(Ok(run)) => run,
        _ => &[],
    };

    let shown = &drawing.blocks[..drawn];
    let edges = shown.iter().map(|block| html! { <EdgeBlock key={block.first_row} block={block.clone()} width={width} /> });
    let nodes = shown.iter().map(|block| {
        let here = |id: &Option<String>| id.clone().filter(|id| block.rows.iter().any(|r| &r.rev.id == id));
        let in_block = |id: &str| block.rows.iter().any(|r| r.rev.id == id);
        html! {
            <NodeBlock key={block.first_row} block={block.clone()} width={width}
                open={here(&props.open)} focused={here(&focused)}
                range={range.iter().filter(|id| in_block(id)).cloned().collect::<Vec<_>>()}
                errors={props.errors.iter().filter(|(id, _)| in_block(id)).cloned().collect::<Vec<_>>()}
                on_activate={(*on_activate).clone()} on_key={(*on_key).clone()} />
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
