//! Which tab leads: the one holding the Web Lock `chat-feed-leader`. The browser grants it
//! to one tab at a time, and to the next waiting tab as soon as the holder closes or
//! crashes. Called through `Reflect`: web-sys marks the Lock Manager unstable.

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::window;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::{JsCast, JsValue};

const LOCK: &str = "chat-feed-leader";

/// The browser's `navigator.locks.request`, when it has one.
fn lock_request() -> Option<(JsValue, Function)> {
    let locks = Reflect::get(&window().navigator(), &JsValue::from_str("locks")).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request = Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((locks, request))
}

/// Whether this browser can elect a leader.
pub fn available() -> bool {
    lock_request().is_some()
}

/// Waits for the lock; `on_granted` runs once this tab holds it, which it then keeps for
/// as long as the page lives. `false` when the browser cannot elect a leader.
pub fn request(on_granted: impl FnOnce() + 'static) -> bool {
    let Some((locks, request)) = lock_request() else {
        return false;
    };
    let granted = Closure::once(move |_lock: JsValue| -> Promise {
        on_granted();
        // Held until this promise settles: never, so until the page goes away.
        Promise::new(&mut |_resolve, _reject| {})
    });
    let asked = request.call2(&locks, &JsValue::from_str(LOCK), granted.as_ref());
    // The browser calls it once, whenever the lock comes; it must outlive this call.
    granted.forget();
    match asked {
        Ok(_) => true,
        Err(error) => {
            leptos::logging::warn!("could not ask for the feed's lock: {error:?}");
            false
        }
    }
}
