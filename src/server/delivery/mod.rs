//! Getting an event to every stream that wants it. On one node, the hub (`hub.rs`) encodes
//! each event once (`sse_frame.rs`), keeps the room's newest frames (`room_window.rs`) and
//! broadcasts them; `fanout.rs` says where ephemeral events and kicks go (this node's hub,
//! or every node's through Redis); with Redis, `relay/` hands what other nodes announce to
//! this node's hub. `drain.rs` ends open streams gently on shutdown.
//!
//! May import: `store`, `access` (ended sessions reach the session book), `metrics`.

pub mod drain;
pub mod fanout;
pub mod hub;
pub mod read_feeds;
pub mod relay;
pub mod room_window;
pub mod single_flight;
pub mod sse_frame;
