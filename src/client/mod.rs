//! Browser-only code: the live feed, and the behaviours of the room page that need the DOM.
//! It changes the page's model (`room`) and calls the server (`api`); it never imports the
//! components (`app`), which call it.

pub mod attention;
pub mod composer_keys;
pub mod feed;
pub mod joined_rooms;
pub mod message_actions;
pub mod scroll;
pub mod sending;

/// The browser's clock, in milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
