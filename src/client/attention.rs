//! The unread count in the tab title: messages from others that arrived while the tab was
//! hidden, cleared when it is shown again.

use crate::room::RoomState;
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use send_wrapper::SendWrapper;

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
    let listener = Closure::<dyn Fn()>::new(move || {
        if !document().hidden() {
            state.unread.set(0);
        }
    });
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
    let listener = SendWrapper::new(listener);
    on_cleanup(move || {
        let _ = document().remove_event_listener_with_callback(
            "visibilitychange",
            listener.as_ref().unchecked_ref(),
        );
    });
}
