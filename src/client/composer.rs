//! Keyboard and reset behaviour of the composer.

use crate::domain::ClientId;
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{HtmlFormElement, KeyboardEvent};

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
        // requestSubmit fires the submit event, so the ActionForm handles it.
        let _ = form.request_submit();
    }
}

/// After a confirmed send: empty the text box and take a new idempotency key, so the next
/// message is a new message.
pub fn reset(body: NodeRef<Textarea>, client_id: RwSignal<String>) {
    if let Some(body) = body.get_untracked() {
        body.set_value("");
        let _ = body.focus();
    }
    client_id.set(random_client_id().as_str().to_owned());
}

fn random_client_id() -> ClientId {
    let mut bits: u128 = 0;
    for _ in 0..4 {
        // Math.random gives 52 random bits; 32 of them per round are plenty for a key
        // that only has to be unique among one sender's retries.
        bits = (bits << 32) | (js_sys::Math::random() * f64::from(u32::MAX)) as u128;
    }
    ClientId::from_random(bits)
}
