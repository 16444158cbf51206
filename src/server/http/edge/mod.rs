//! What every request and connection crosses before a route: the serve loop (`serve.rs`)
//! with TLS (`tls.rs`), one connection's phases (`one_connection.rs`), event streams
//! answered on their socket (`first_request.rs`, `direct_stream.rs`, `outgoing.rs`,
//! `rewind.rs`), idle and per-address connection limits (`connections.rs`), stalled writes
//! (`stall_guard.rs`), body and head limits (`request_body.rs`), request ids, the origin
//! check for writes, banned addresses, security and cache headers, compression.

pub mod banned_addresses;
pub mod compression;
pub mod connections;
mod direct_stream;
mod first_request;
mod one_connection;
pub mod origin;
mod outgoing;
pub mod request_body;
pub mod request_id;
mod rewind;
pub mod security_headers;
pub mod serve;
pub mod stall_guard;
pub mod static_assets;
pub mod tls;
