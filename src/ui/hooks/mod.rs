//! Hooks binding Yew components to the page's session.

use std::rc::Rc;

use yew::prelude::*;

use crate::ui::session;

/// Re-renders the calling component after every change to the session
/// (a UI action or a JS API call alike).
#[hook]
pub fn use_session_updates() {
    let update = use_force_update();
    use_effect_with((), move |_| {
        let id = session::subscribe(Rc::new(move || update.force_update()));
        move || session::unsubscribe(id)
    });
}
