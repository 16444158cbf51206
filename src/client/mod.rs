//! Browser-only code: the live feed, and the small DOM behaviours of the room page.

pub mod composer;
pub mod room_feed;
pub mod scroll;
