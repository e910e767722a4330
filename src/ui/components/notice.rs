//! Messages above the workspace: a notice (storage that failed, ...) and
//! the permalink just made.

use yew::prelude::*;

use crate::ui::store::{Notice, Permalink};

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub notice: Notice,
    pub on_dismiss: Callback<()>,
}

#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeProps) -> Html {
    let on_dismiss = props.on_dismiss.clone();
    html! {
        <div class={classes!("notice", props.notice.error.then_some("error"))} role="alert" data-view="notice">
            <span>{ &props.notice.text }</span>
            <button class="ghost" onclick={move |_| on_dismiss.emit(())} aria-label="Dismiss">{ "×" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct PermalinkProps {
    pub link: Permalink,
    pub on_close: Callback<()>,
}

/// The permalink just made (`[data-view="permalink"]`): the URL in a
/// read-only field, selected for copying, and whether it is on the clipboard.
#[function_component(PermalinkBar)]
pub fn permalink_bar(props: &PermalinkProps) -> Html {
    let on_close = props.on_close.clone();
    let select = Callback::from(|e: FocusEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    html! {
        <div class="notice permalink" role="status" data-view="permalink">
            <label>
                <span>{ if props.link.copied { "Permalink (copied): " } else { "Permalink: " } }</span>
                <input id="permalink-url" type="text" readonly=true value={props.link.url.clone()} onfocus={select}
                    aria-label="Permalink of the project" />
            </label>
            <span class="hint">{ format!("{} KB; it holds every file, the database starts empty", props.link.url.len().div_ceil(1024)) }</span>
            <button class="ghost" onclick={move |_| on_close.emit(())} aria-label="Close the permalink">{ "×" }</button>
        </div>
    }
}
