//! A real-time chat: Leptos pages rendered on the server and hydrated in the browser,
//! messages sent through server functions and delivered live over Server-Sent Events.

// The room page's view types nest deeply in builds that do not erase them (`cargo test`).
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod feed;
pub mod room;

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod server;
/// One node: opens the store, assembles the router (server routes and the app's pages) and
/// serves it. Above `server` and `app`, so neither needs the other.
#[cfg(feature = "ssr")]
pub mod startup;

/// The browser entry point: attaches the app to the server-rendered page, once the code of
/// a page loaded on demand (app/on_demand.rs) has arrived.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
