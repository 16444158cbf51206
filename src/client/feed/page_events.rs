//! What the page tells the feed: the network went and came back, the page was shown again
//! (back from the back/forward cache, or a hidden tab made visible), the page is leaving.

use super::tab::Tab;
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Event, PageTransitionEvent};

/// Listens for the page's life for as long as the page lives.
pub fn listen() {
    on(&window(), "offline", |_| Tab::get().offline());
    on(&window(), "online", |_| Tab::get().online());
    on(&window(), "pageshow", |event| {
        let restored = event
            .dyn_ref::<PageTransitionEvent>()
            .is_some_and(PageTransitionEvent::persisted);
        if restored {
            Tab::get().woke();
        }
    });
    on(&document(), "visibilitychange", |_| {
        if !document().hidden() {
            Tab::get().woke();
        }
    });
    on(&window(), "pagehide", |_| Tab::get().leaving());
}

fn on(target: &leptos::web_sys::EventTarget, name: &str, handle: impl Fn(Event) + 'static) {
    let listener = Closure::<dyn FnMut(Event)>::new(handle);
    if let Err(error) =
        target.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
    {
        leptos::logging::warn!("could not listen for {name}: {error:?}");
    }
    // For the life of the page, like the tab's feed.
    listener.forget();
}
