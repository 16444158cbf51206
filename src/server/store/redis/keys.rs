//! The Redis keys of one room, all under the configured prefix.

use crate::domain::Seq;

/// The keys of one room.
pub(super) struct RoomKeys {
    pub(super) base: String,
}

impl RoomKeys {
    pub(super) fn seq(&self) -> String {
        format!("{}:seq", self.base)
    }
    pub(super) fn log(&self) -> String {
        format!("{}:log", self.base)
    }
    pub(super) fn order(&self) -> String {
        format!("{}:order", self.base)
    }
    pub(super) fn client_ids(&self) -> String {
        format!("{}:cids", self.base)
    }
    pub(super) fn message_prefix(&self) -> String {
        format!("{}:m:", self.base)
    }
    pub(super) fn message(&self, seq: Seq) -> String {
        format!("{}:m:{seq}", self.base)
    }
}
