//! Retention (`CHAT_RETENTION_DAYS`): messages sent before a horizon are removed, with
//! their log events, search entries, reactions, pins and the events about them (edits,
//! deletes, reactions, pins); their files are marked for removal (the files' janitor takes
//! their bytes). Every [`Store`](super::Store) is also this.
//!
//! Each room remembers how far its history was cut ([`Retention::log_cut`]): seqs go on
//! after it (a room whose every event went does not start again at 1), and a stream
//! resuming from a cursor below it starts over with `reset`, as after a restored backup.

use super::StoreError;
use crate::domain::{RoomName, Seq};
use async_trait::async_trait;

/// What one pass removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Each room cut, and the newest seq removed from it.
    pub rooms: Vec<(RoomName, Seq)>,
    /// Messages removed in all.
    pub messages: u64,
}

#[async_trait]
pub trait Retention: Send + Sync {
    /// Removes every message of every room sent before `horizon` (milliseconds since the
    /// Unix epoch), a batch at a time so writes go on meanwhile. Idempotent: a pass that
    /// stops half-way (or runs on two nodes at once) is finished by the next.
    async fn forget_before(&self, horizon: i64) -> Result<Forgotten, StoreError>;

    /// The newest seq of `room` retention removed (`Seq::ZERO`: none).
    async fn log_cut(&self, room: &RoomName) -> Result<Seq, StoreError>;
}
