//! The unread count in the tab title: messages from others that arrived while the tab was
//! hidden, cleared when it is shown again.

use crate::room::RoomState;
use leptos::prelude::*;

pub fn count_unread(state: RoomState) {
    let seen = StoredValue::new(state.timeline.newest_untracked());
    Effect::new(move |_| {
        let newest = state.timeline.newest();
        let last = seen.get_value();
        seen.set_value(newest);
        if newest > last && document().hidden() {
            let from_others = state.timeline.count_after(last, |id| !state.is_me(id));
            state.unread.update(|n| *n += from_others);
        }
    });
    super::on_document_event("visibilitychange", move || {
        if !document().hidden() {
            state.unread.set(0);
        }
    });
}
