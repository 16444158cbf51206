//! Browser-only code: the live feed, and the behaviours of the room page that need the DOM.
//! It changes the page's model (`room`) and calls the server (`api`); it never imports the
//! components (`app`), which call it.

pub mod attention;
pub mod composer_keys;
pub mod feed;
pub mod invites;
pub mod joined_rooms;
pub mod kept_outbox;
pub mod mention_picker;
pub mod message_actions;
pub mod notifications;
pub mod passkeys;
pub mod push;
pub mod reactions;
pub mod replies;
pub mod scroll;
pub mod sending;
pub mod uploads;

/// Calls `handle` on every `name` event of the document (e.g. `visibilitychange`) until the
/// current reactive owner is cleaned up.
pub fn on_document_event(name: &'static str, handle: impl Fn() + 'static) {
    use leptos::prelude::{document, on_cleanup};
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;

    let listener = Closure::<dyn Fn()>::new(handle);
    let _ = document().add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    let listener = send_wrapper::SendWrapper::new(listener);
    on_cleanup(move || {
        let _ =
            document().remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    });
}

/// The browser's clock, in milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Loads the page again (after who is signed in changed, every part of it must know).
pub fn reload_page() {
    let _ = leptos::prelude::window().location().reload();
}
