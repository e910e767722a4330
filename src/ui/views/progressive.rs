//! Drawing a long list a part at a time (`use_progressive`).
//!
//! Invariants:
//! - The first `first` items are drawn in the render that shows the list;
//!   then `step` more per task (a zero timeout each), so no task renders,
//!   styles and lays out thousands of elements at once, and input is
//!   handled in between.
//! - Every item is drawn in the end (test hooks and embeds see all of
//!   them, a few tasks later).
//! - A list that shrank below what was drawn and grows again is drawn
//!   progressively again.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// How many of `total` items to draw now.
#[hook]
pub fn use_progressive(total: usize, first: usize, step: usize) -> usize {
    let drawn = use_state(|| first);
    {
        let drawn = drawn.clone();
        use_effect_with((*drawn, total), move |&(n, total)| {
            let timer = if n < total {
                Some(Timeout::new(0, move || drawn.set(n + step)))
            } else {
                if n > total.max(first) {
                    drawn.set(total.max(first));
                }
                None
            };
            move || drop(timer)
        });
    }
    total.min(*drawn)
}
