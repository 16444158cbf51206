//! Browser-only code: the live feed, and the behaviours of the room page that need the DOM.

pub mod attention;
pub mod composer;
pub mod message_actions;
pub mod outbox;
pub mod room_feed;
pub mod scroll;

/// The browser's clock, in milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
