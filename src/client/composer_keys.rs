//! Keyboard behaviour of the composer, and the "is typing" signal.

use super::now_ms;
use crate::api::notify_typing;
use crate::room::RoomState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{HtmlFormElement, KeyboardEvent};

/// At most one "is typing" signal per this many milliseconds.
const TYPING_EVERY_MS: f64 = 2_500.0;

/// Enter sends the message; Shift+Enter (and Enter while an IME is composing) adds a line.
pub fn send_on_enter(event: &KeyboardEvent) {
    if event.key() != "Enter" || event.shift_key() || event.is_composing() {
        return;
    }
    event.prevent_default();
    let form = event
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .and_then(|el| el.closest("form").ok().flatten())
        .and_then(|form| form.dyn_into::<HtmlFormElement>().ok());
    if let Some(form) = form {
        // requestSubmit fires the submit event, which the composer handles.
        let _ = form.request_submit();
    }
}

/// Tells the room the person is typing, throttled.
pub fn signal_typing(state: RoomState, last_sent: StoredValue<f64>) {
    let now = now_ms();
    if now - last_sent.get_value() < TYPING_EVERY_MS {
        return;
    }
    last_sent.set_value(now);
    spawn_local(async move {
        // Best effort: a lost typing signal only means nobody sees "is typing".
        let _ = notify_typing(state.room()).await;
    });
}
