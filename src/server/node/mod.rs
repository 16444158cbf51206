//! One node: its settings (`config.rs`, read once from the environment), the state every
//! handler shares (`state.rs`), its logs (`telemetry.rs`) and the hourly retention pass
//! (`retention.rs`). `src/startup/` builds a node from these.
//!
//! May import: `streams`, `presence`, `delivery`, `access`, `store`, `settings`, `metrics`.

pub mod config;
pub mod retention;
pub mod state;
pub mod telemetry;
pub mod tls_settings;
