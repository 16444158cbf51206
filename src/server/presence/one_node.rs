//! One node: its local presence is everyone.

use super::{summary, LocalPresence, People, PresenceBoard};
use crate::domain::{Presence, RoomName};
use async_trait::async_trait;
use std::sync::Arc;

/// The people of a node that shares its rooms with no other.
#[derive(Debug, Default)]
pub struct OneNode(Arc<LocalPresence>);

#[async_trait]
impl People for OneNode {
    fn on_this_node(&self) -> &Arc<LocalPresence> {
        &self.0
    }

    async fn snapshot(&self, room: &RoomName) -> Presence {
        self.0.summary(room)
    }

    async fn opening(&self, room: &RoomName) -> Presence {
        self.0.summary(room)
    }

    async fn online_counts(&self, rooms: &[RoomName]) -> Vec<usize> {
        rooms
            .iter()
            .map(|room| summary::count(self.0.people(room)))
            .collect()
    }

    async fn flush(&self, board: &PresenceBoard) {
        for presence in self.0.take_changed_summaries() {
            board.post(presence);
        }
    }
}
