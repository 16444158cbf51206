//! What the page tells the feed: the network went and came back, the page was shown again
//! (back from the back/forward cache, or a tab hidden for a while made visible), the page
//! is leaving.

use super::now_ms;
use super::tab::Tab;
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Event, PageTransitionEvent};

/// A tab hidden longer than this may have been frozen by the browser (Chrome freezes
/// hidden tabs after minutes): shown again, a follower says how far it is (see `Tab::woke`).
const AWAY_MS: f64 = 30_000.0;

thread_local! {
    static HIDDEN_AT: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// Listens for the page's life for as long as the page lives.
pub fn listen() {
    on(&window(), "offline", |_| Tab::get().offline());
    on(&window(), "online", |_| Tab::get().online());
    on(&window(), "pageshow", |event| {
        let restored = event
            .dyn_ref::<PageTransitionEvent>()
            .is_some_and(PageTransitionEvent::persisted);
        if restored {
            Tab::get().woke(true);
        }
    });
    on(&document(), "visibilitychange", |_| {
        if document().hidden() {
            HIDDEN_AT.set(Some(now_ms()));
        } else {
            let long = HIDDEN_AT
                .take()
                .is_some_and(|hidden| now_ms() - hidden > AWAY_MS);
            Tab::get().woke(long);
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
