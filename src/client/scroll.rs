//! Keeps the newest message in view.

use crate::domain::Seq;
use leptos::html::Ol;
use leptos::prelude::*;

/// How close to the bottom (in CSS pixels) still counts as "reading the newest messages".
const NEAR_BOTTOM: i32 = 120;

/// Scrolls the page to the newest message when one arrives, if the reader was already near
/// the bottom; someone reading older messages is not yanked away.
pub fn follow_newest(list: NodeRef<Ol>, newest: impl Fn() -> Seq + Send + Sync + 'static) {
    let first = StoredValue::new(true);
    Effect::new(move |_| {
        let _ = newest();
        let Some(list) = list.get() else { return };
        let Some(scroller) = leptos::prelude::document().scrolling_element() else {
            return;
        };
        let distance = scroller.scroll_height() - scroller.scroll_top() - scroller.client_height();
        let last_message_height = list
            .last_element_child()
            .map(|el| el.client_height())
            .unwrap_or_default();
        if first.get_value() || distance <= NEAR_BOTTOM + last_message_height {
            first.set_value(false);
            scroller.set_scroll_top(scroller.scroll_height());
        }
    });
}
