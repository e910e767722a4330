//! A message above the workspace (storage that failed, ...).

use yew::prelude::*;

use crate::ui::store::Notice;

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
