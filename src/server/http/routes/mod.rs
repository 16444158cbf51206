//! The routes that are not Leptos server functions: a room's event stream
//! (`room_stream.rs`), the browser-wide one (`browser_stream.rs`), a room's export,
//! invitations, joining by name, and the health probes.

pub mod browser_stream;
pub mod export;
pub mod health;
pub mod invites;
pub mod join;
pub mod room_stream;
