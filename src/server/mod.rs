//! Everything that runs only on the server, in parts. Each part's `mod.rs` says what it owns
//! and what it may import. From the ground up (a part imports only parts below it):
//!
//! | part | owns |
//! |---|---|
//! | `settings`, `metrics`, `clock` | reading settings from the environment; the node's counters; the wall clock |
//! | `store/` | where messages live and get their seq (SQLite, Redis) |
//! | `files/` | uploaded files' bytes (a directory or an S3 bucket), thumbnails, their janitor |
//! | `access/` | sessions, who may read a room, invites' rules, rate limits and caps |
//! | `delivery/` | getting an event to every stream that wants it: hub, fan-out, relay |
//! | `presence/` | who is online, on this node and the others |
//! | `push/` | Web Push: the VAPID keys, which endpoints may be used, who is told, sending |
//! | `streams/` | one open stream: backlog, live events, access on every write |
//! | `node/` | one node's settings, its shared state, its logs |
//! | `http/` | the HTTP edge (serving, TLS, headers, limits per connection) and the routes |
//!
//! `tests/api/layers.rs` checks these rules on every `use` line.

pub mod access;
pub mod clock;
pub mod delivery;
pub mod files;
pub mod http;
pub mod metrics;
pub mod node;
pub mod presence;
pub mod push;
pub mod settings;
pub mod store;
pub mod streams;
