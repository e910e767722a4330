//! The schema as an ER diagram (SVG, pan and zoom) or a compact list.
//!
//! Props only; UI-local state is the viewport, the drag in progress and the
//! diagram/list choice. The layout is memoised on (schema, diff), so panning
//! does not lay the tables out again.

use std::rc::Rc;

use engine::schema::MetaData;
use engine::schema_diff::{Change, SchemaDiff};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::er_model::{self, ErDiagram, ErTable, Marks, CHAR_W, HEADER_H, MARKS_W, PAD_X, ROW_H};
use super::util::clip;
use super::viewport::Viewport;

#[derive(Properties, PartialEq)]
pub struct SchemaViewProps {
    /// The schema to draw (e.g. reflected from the live database).
    pub schema: Rc<MetaData>,
    /// Marks added / changed tables and columns (diff from an earlier schema
    /// to `schema`).
    #[prop_or_default]
    pub diff: Option<Rc<SchemaDiff>>,
    /// The schema `diff` starts from: with it, dropped tables and columns are
    /// drawn too, marked dropped.
    #[prop_or_default]
    pub before: Option<Rc<MetaData>>,
    /// Click on a table (e.g. to show its rows).
    #[prop_or_default]
    pub on_select_table: Callback<String>,
    /// Highlighted table.
    #[prop_or_default]
    pub selected_table: Option<String>,
    /// Height of the diagram area in CSS pixels.
    #[prop_or(520)]
    pub height: u32,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Diagram,
    List,
}

fn change_attrs(change: Option<Change>, object: String) -> (Option<&'static str>, Option<String>) {
    match change {
        Some(c) => (Some(c.as_str()), Some(object)),
        None => (None, None),
    }
}

fn mark_list(m: &Marks) -> Vec<(&'static str, &'static str)> {
    let mut v = Vec::new();
    if m.pk {
        v.push(("PK", "primary key"));
    }
    if m.fk {
        v.push(("FK", "foreign key"));
    }
    if m.unique {
        v.push(("UQ", "unique"));
    }
    if m.indexed {
        v.push(("IX", "indexed"));
    }
    if m.not_null {
        v.push(("NN", "not null"));
    }
    v
}

fn table_box(t: &ErTable, selected: bool, on_select: &Callback<String>, dragged: &Rc<std::cell::RefCell<bool>>) -> Html {
    let (dc, dobj) = change_attrs(t.change, format!("table:{}", t.name));
    // A dropped table drawn from `before` is not a table of the schema: it
    // carries `data-dropped-table`, not the `data-table` hook.
    let ghost = t.change == Some(Change::Dropped);
    let name = t.name.clone();
    let onclick = {
        let on_select = on_select.clone();
        let name = name.clone();
        let dragged = dragged.clone();
        // The click that ends a pan is not a selection.
        Callback::from(move |_: MouseEvent| {
            if !*dragged.borrow() {
                on_select.emit(name.clone())
            }
        })
    };
    let onkeydown = {
        let on_select = on_select.clone();
        let name = name.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                on_select.emit(name.clone());
            }
        })
    };
    let name_chars = ((t.w - 2.0 * PAD_X) / (CHAR_W + 0.8)) as usize;
    let text_chars = ((t.w - 2.0 * PAD_X - MARKS_W) / CHAR_W) as usize;
    let rows = t.columns.iter().enumerate().map(|(i, c)| {
        let y = HEADER_H + ROW_H * i as f64;
        let (cc, cobj) = change_attrs(c.change, format!("column:{}.{}", t.name, c.name));
        let name_len = c.name.chars().count().min(text_chars.saturating_sub(4));
        let type_x = PAD_X + (name_len as f64 + 1.5) * CHAR_W;
        let type_room = text_chars.saturating_sub(name_len + 2).max(4);
        let marks = mark_list(&c.marks);
        let mut mx = t.w - PAD_X;
        let mark_nodes: Vec<Html> = marks
            .iter()
            .rev()
            .map(|(m, title)| {
                mx -= 18.0;
                html! { <text class={classes!("er-mark", m.to_lowercase())} x={mx.to_string()} y={(y + 13.0).to_string()}><title>{ *title }</title>{ *m }</text> }
            })
            .collect();
        html! {
            <g class={classes!("er-col", c.change.map(|c| c.as_str()))} data-column={c.name.clone()} data-change={cc} data-object={cobj}>
                if c.change.is_some() {
                    <rect class="er-col-bg" x="1" y={y.to_string()} width={(t.w - 2.0).to_string()} height={ROW_H.to_string()} />
                }
                <text class={classes!("er-col-name", c.marks.pk.then_some("pk"))} x={PAD_X.to_string()} y={(y + 13.0).to_string()}>{ clip(&c.name, name_len.max(4)) }</text>
                <text class="er-col-type" x={type_x.to_string()} y={(y + 13.0).to_string()}>{ clip(&c.type_text, type_room) }</text>
                { for mark_nodes }
            </g>
        }
    });
    let label = format!("table {} with {} column{}", t.name, t.columns.len(), if t.columns.len() == 1 { "" } else { "s" });
    html! {
        <g key={t.name.clone()} class={classes!("er-table", t.change.map(|c| c.as_str()), selected.then_some("selected"))}
            data-table={(!ghost).then(|| t.name.clone())} data-dropped-table={ghost.then(|| t.name.clone())}
            data-change={dc} data-object={dobj}
            transform={format!("translate({},{})", t.x, t.y)}
            role="button" tabindex="0" aria-label={label} {onclick} {onkeydown}>
            <rect class="er-box" x="0" y="0" width={t.w.to_string()} height={t.h.to_string()} rx="6" />
            <path class="er-head" d={format!("M0,6 a6,6 0 0 1 6,-6 h{} a6,6 0 0 1 6,6 v{} h-{} z", t.w - 12.0, HEADER_H - 6.0, t.w)} />
            <text class="er-name" x={PAD_X.to_string()} y="18">{ clip(&t.name, name_chars) }</text>
            if t.columns.is_empty() {
                <text class="er-col-type" x={PAD_X.to_string()} y={(HEADER_H + 13.0).to_string()}>{ "no columns" }</text>
            }
            { for rows }
        </g>
    }
}

/// An arrow's SVG path: its route around boxes, or its Bézier.
fn edge_path(e: &er_model::ErEdge) -> String {
    match e.route.split_first() {
        Some(((x, y), rest)) => {
            let mut d = format!("M{x},{y}");
            for (x, y) in rest {
                d.push_str(&format!(" L{x},{y}"));
            }
            d
        }
        None => {
            let ((fx, fy), (tx, ty)) = (e.from, e.to);
            format!("M{fx},{fy} C{},{} {},{} {tx},{ty}", e.c1.0, e.c1.1, e.c2.0, e.c2.1)
        }
    }
}

fn diagram_svg(d: &ErDiagram, props: &SchemaViewProps, vp: Viewport, dragged: &Rc<std::cell::RefCell<bool>>) -> Html {
    // Arrows of the selected table last, so they are drawn on top.
    let sel = props.selected_table.as_deref();
    let touches = |e: &&er_model::ErEdge| sel.is_some_and(|s| s == e.from_table || s == e.to_table);
    let ordered = d.edges.iter().filter(|e| !touches(e)).chain(d.edges.iter().filter(touches));
    let edges = ordered.map(|e| {
        let (tx, ty) = e.to;
        let dir = if e.c2.0 > tx { 1.0 } else { -1.0 };
        let head = format!("M{tx},{ty} l{},{} l0,{} z", dir * 8.0, -4.0, 8.0);
        let hl = touches(&e);
        html! {
            <g class={classes!("er-edge", hl.then_some("hl"))} data-from={e.from_table.clone()} data-to={e.to_table.clone()}>
                <title>{ format!("{}({}) → {}({})", e.from_table, e.columns.join(", "), e.to_table, e.referred_columns.join(", ")) }</title>
                <path class="er-edge-line" d={edge_path(e)} />
                <path class="er-edge-head" d={head} />
            </g>
        }
    });
    let tables = d
        .tables
        .iter()
        .map(|t| table_box(t, props.selected_table.as_deref() == Some(t.name.as_str()), &props.on_select_table, dragged));
    html! {
        <g transform={vp.transform()}>
            <g class="er-edges" aria-hidden="true">{ for edges }</g>
            <g class="er-tables">{ for tables }</g>
        </g>
    }
}

fn list_view(d: &ErDiagram, props: &SchemaViewProps) -> Html {
    html! {
        <ul class="schema-list" aria-label="tables">
            { for d.tables.iter().map(|t| {
                let (dc, dobj) = change_attrs(t.change, format!("table:{}", t.name));
                let name = t.name.clone();
                let on_select = props.on_select_table.clone();
                html! {
                    <li key={t.name.clone()} class={classes!("schema-list-table", t.change.map(|c| c.as_str()))} data-list-table={t.name.clone()} data-change={dc} data-object={dobj}>
                        <button class="link table-name" onclick={Callback::from(move |_: MouseEvent| on_select.emit(name.clone()))}>{ &t.name }</button>
                        <span class="cols">
                            { for t.columns.iter().map(|c| {
                                let (cc, cobj) = change_attrs(c.change, format!("column:{}.{}", t.name, c.name));
                                html! {
                                    <span class={classes!("col", c.change.map(|c| c.as_str()))} data-change={cc} data-object={cobj}>
                                        <code class={classes!(c.marks.pk.then_some("pk"))}>{ &c.name }</code>
                                        <span class="type">{ format!(" {}", c.type_text) }</span>
                                        { for mark_list(&c.marks).into_iter().map(|(m, title)| html! { <abbr class={classes!("er-mark", m.to_lowercase())} title={title}>{ m }</abbr> }) }
                                    </span>
                                }
                            }) }
                        </span>
                    </li>
                }
            }) }
        </ul>
    }
}

#[function_component(SchemaView)]
pub fn schema_view(props: &SchemaViewProps) -> Html {
    let diagram = use_memo((props.schema.clone(), props.diff.clone(), props.before.clone()), |(schema, diff, before)| {
        er_model::build(schema, diff.as_deref(), before.as_deref())
    });
    let mode = use_state(|| Mode::Diagram);
    let vp = use_state(Viewport::default);
    // (client x, client y, viewport at the start, moved?)
    let drag = use_mut_ref(|| None::<(i32, i32, Viewport)>);
    // Whether the current / last press moved the view (then it is no click).
    let dragged = use_mut_ref(|| false);
    let svg_ref = use_node_ref();
    let fitted_for = use_mut_ref(|| None::<(u64, u64)>);

    let view_size = {
        let svg_ref = svg_ref.clone();
        move || -> (f64, f64) {
            svg_ref
                .cast::<web_sys::Element>()
                .map(|e| (e.client_width() as f64, e.client_height() as f64))
                .filter(|(w, h)| *w > 0.0 && *h > 0.0)
                .unwrap_or((960.0, 520.0))
        }
    };
    // Fit once per new drawing size (first render and when tables change).
    {
        let vp = vp.clone();
        let diagram = diagram.clone();
        let fitted_for = fitted_for.clone();
        let view_size = view_size.clone();
        use_effect_with((diagram.width.to_bits(), diagram.height.to_bits()), move |key| {
            if *fitted_for.borrow() != Some(*key) {
                *fitted_for.borrow_mut() = Some(*key);
                let (w, h) = view_size();
                vp.set(Viewport::fit(diagram.width, diagram.height, w, h));
            }
        });
    }

    let zoom = |factor: f64| {
        let vp = vp.clone();
        let view_size = view_size.clone();
        Callback::from(move |_: MouseEvent| {
            let (w, h) = view_size();
            vp.set(vp.zoom_at(factor, w / 2.0, h / 2.0));
        })
    };
    let fit = {
        let vp = vp.clone();
        let diagram = diagram.clone();
        let view_size = view_size.clone();
        Callback::from(move |_: MouseEvent| {
            let (w, h) = view_size();
            vp.set(Viewport::fit(diagram.width, diagram.height, w, h));
        })
    };
    let actual = {
        let vp = vp.clone();
        Callback::from(move |_: MouseEvent| vp.set(Viewport { scale: 1.0, ..*vp }))
    };
    let onwheel = {
        let vp = vp.clone();
        let view_size = view_size.clone();
        Callback::from(move |e: WheelEvent| {
            e.prevent_default();
            let on_background = match (e.target(), e.current_target()) {
                (Some(a), Some(b)) => JsValue::from(a) == JsValue::from(b),
                _ => false,
            };
            let (cx, cy) = if on_background {
                (e.offset_x() as f64, e.offset_y() as f64)
            } else {
                let (w, h) = view_size();
                (w / 2.0, h / 2.0)
            };
            vp.set(vp.zoom_at(Viewport::wheel_factor(e.delta_y()), cx, cy));
        })
    };
    let onmousedown = {
        let drag = drag.clone();
        let vp = vp.clone();
        let dragged = dragged.clone();
        Callback::from(move |e: MouseEvent| {
            if e.button() == 0 {
                *dragged.borrow_mut() = false;
                *drag.borrow_mut() = Some((e.client_x(), e.client_y(), *vp));
            }
        })
    };
    let onmousemove = {
        let drag = drag.clone();
        let vp = vp.clone();
        let dragged = dragged.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some((x0, y0, start)) = *drag.borrow() {
                if e.buttons() & 1 == 0 {
                    return;
                }
                let (dx, dy) = ((e.client_x() - x0) as f64, (e.client_y() - y0) as f64);
                if dx.abs() + dy.abs() > 3.0 || *dragged.borrow() {
                    *dragged.borrow_mut() = true;
                    vp.set(start.pan(dx, dy));
                }
            }
        })
    };
    let end_drag = {
        let drag = drag.clone();
        Callback::from(move |_: MouseEvent| *drag.borrow_mut() = None)
    };
    let onkeydown = {
        let vp = vp.clone();
        let view_size = view_size.clone();
        let diagram = diagram.clone();
        Callback::from(move |e: KeyboardEvent| {
            let (w, h) = view_size();
            let next = match e.key().as_str() {
                "ArrowLeft" => Some(vp.pan(40.0, 0.0)),
                "ArrowRight" => Some(vp.pan(-40.0, 0.0)),
                "ArrowUp" => Some(vp.pan(0.0, 40.0)),
                "ArrowDown" => Some(vp.pan(0.0, -40.0)),
                "+" | "=" => Some(vp.zoom_at(1.25, w / 2.0, h / 2.0)),
                "-" => Some(vp.zoom_at(0.8, w / 2.0, h / 2.0)),
                "0" => Some(Viewport::fit(diagram.width, diagram.height, w, h)),
                _ => None,
            };
            if let Some(v) = next {
                e.prevent_default();
                vp.set(v);
            }
        })
    };
    let set_mode = |m: Mode| {
        let mode = mode.clone();
        Callback::from(move |_: MouseEvent| mode.set(m))
    };
    let n = diagram.tables.iter().filter(|t| t.change != Some(Change::Dropped)).count();
    let summary = match &props.diff {
        Some(d) if !d.is_empty() => {
            let (a, dr, c) = d.counts();
            format!(" · changes: {a} added, {dr} dropped, {c} changed")
        }
        _ => String::new(),
    };

    html! {
        <section class="view schema-view" aria-label="schema">
            <div class="view-toolbar" role="toolbar" aria-label="schema view">
                <span class="hint">{ format!("{n} table{}{summary}", if n == 1 { "" } else { "s" }) }</span>
                <span class="spacer" />
                <div class="seg" role="group" aria-label="show as">
                    <button aria-pressed={(*mode == Mode::Diagram).to_string()} onclick={set_mode(Mode::Diagram)}>{ "Diagram" }</button>
                    <button aria-pressed={(*mode == Mode::List).to_string()} onclick={set_mode(Mode::List)}>{ "List" }</button>
                </div>
                if *mode == Mode::Diagram {
                    <div class="seg" role="group" aria-label="zoom">
                        <button onclick={zoom(0.8)} aria-label="zoom out" title="zoom out (-)">{ "−" }</button>
                        <button onclick={actual} title="actual size" aria-label="actual size">{ format!("{:.0}%", vp.scale * 100.0) }</button>
                        <button onclick={zoom(1.25)} aria-label="zoom in" title="zoom in (+)">{ "+" }</button>
                        <button onclick={fit} title="fit (0)">{ "Fit" }</button>
                    </div>
                }
            </div>
            if *mode == Mode::Diagram {
                <svg data-view="schema" ref={svg_ref} class="er-svg" width="100%" height={props.height.to_string()}
                    role="group" tabindex="0"
                    aria-label="ER diagram: drag to pan, wheel or + and - to zoom, 0 to fit, arrow keys to move"
                    {onwheel} {onmousedown} {onmousemove} onmouseup={end_drag.clone()} onmouseleave={end_drag} {onkeydown}>
                    if diagram.tables.is_empty() {
                        <text class="empty" x="20" y="40">{ "No tables yet: upgrade creates them." }</text>
                    }
                    { diagram_svg(&diagram, props, *vp, &dragged) }
                </svg>
            } else {
                { list_view(&diagram, props) }
            }
        </section>
    }
}
