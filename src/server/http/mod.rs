//! HTTP: the edge every request crosses (`edge/`: the serve loop, TLS, per-connection limits,
//! security headers, request ids, the origin check), the routes that are not server
//! functions (`routes/`: the event streams, export, invites, health), and how errors answer
//! (`api_error.rs`, `server_fn_status.rs`).
//!
//! May import every other part.

pub mod api_error;
pub mod edge;
pub mod routes;
pub mod server_fn_status;
