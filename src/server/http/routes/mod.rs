//! The routes that are not Leptos server functions: a room's event stream
//! (`room_stream.rs`), the browser-wide one (`browser_stream.rs`), a room's export,
//! invitations, device links, webhooks, joining by name, a room's pins, uploading files
//! and serving them, and the health probes.

pub mod browser_stream;
pub mod device_links;
pub mod export;
pub mod files;
pub mod health;
pub mod icons;
pub mod invites;
pub mod join;
pub mod pins;
mod plain_page;
pub mod push;
pub mod room_stream;
pub mod upload;
pub mod webhooks;
