//! The live autogenerate pane: the operations `revision --autogenerate`
//! would write now, recomputed as you type (a models.py too large for that
//! waits for a click).

use std::rc::Rc;

use yew::prelude::*;

use crate::ui::store::PreviewView;

#[derive(Properties, PartialEq)]
pub struct AutogenProps {
    pub preview: Rc<PreviewView>,
    /// Analyse a models.py over the live size limit now.
    pub on_analyse: Callback<()>,
}

#[function_component(AutogenPane)]
pub fn autogen_pane(props: &AutogenProps) -> Html {
    let p = &*props.preview;
    let status = if p.paused.is_some() {
        "waiting for Analyse now".to_string()
    } else if p.blocked.is_some() {
        "models.py does not load".to_string()
    } else if p.op_count == 0 {
        "models and database agree".to_string()
    } else {
        format!("{} operation{}", p.op_count, if p.op_count == 1 { "" } else { "s" })
    };
    html! {
        <section class="panel autogen" data-view="autogen" aria-labelledby="autogen-title">
            <header class="panel-head">
                <h2 id="autogen-title">{ "Live autogenerate" }</h2>
                <span class="hint" data-ops={p.op_count.to_string()}>{ status }</span>
            </header>
            if let Some(bytes) = p.paused {
                <p class="hint warn" role="status">
                    { format!("models.py is {:.1} MB: too large to analyse as you type (it would hold the page for seconds). ", bytes as f64 / 1_048_576.0) }
                    <button id="analyse-now" onclick={let on = props.on_analyse.clone(); move |_| on.emit(())}>{ "Analyse now" }</button>
                </p>
            } else if let Some(blocked) = &p.blocked {
                <p class="error" role="status">{ blocked }</p>
            } else {
                if p.not_at_head {
                    <p class="hint warn">{ "The database is not at head: revision --autogenerate would refuse until you upgrade." }</p>
                }
                if p.op_count == 0 {
                    <p class="empty">{ "Nothing to generate: the database already matches models.py." }</p>
                } else {
                    <ul class="detected">{ for p.detected.iter().map(|d| html! { <li>{ d }</li> }) }</ul>
                    <pre class="code ops" aria-label="upgrade() that autogenerate would write">{ format!("def upgrade() -> None:\n    {}", p.upgrade.trim_end()) }</pre>
                }
            }
        </section>
    }
}
