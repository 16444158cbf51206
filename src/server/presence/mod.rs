//! Who is online: this node's book of open streams, merged with the other nodes' rosters
//! when they share Redis.

mod book;
mod flusher;
mod roster;
mod shared;

pub use book::{PresenceBook, PresenceGuard};
pub use flusher::spawn_flusher;
pub use roster::LISTED;
pub use shared::SharedRosters;

use crate::domain::{OnlineUser, Presence, RoomName};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Presence as every handler sees it, whichever the backend.
#[derive(Debug, Clone, Default)]
pub struct Presences {
    book: Arc<PresenceBook>,
    /// The other nodes' rosters (Redis backend only).
    shared: Option<SharedRosters>,
    /// Rooms whose presence another node announced a change of since the last flush.
    announced: Arc<Mutex<HashSet<RoomName>>>,
}

impl Presences {
    /// Presence on one node.
    pub fn local() -> Self {
        Self::default()
    }

    /// Presence merged across the nodes sharing `rosters`.
    pub fn shared(rosters: SharedRosters) -> Self {
        Self {
            shared: Some(rosters),
            ..Self::default()
        }
    }

    /// This node's open streams.
    pub fn book(&self) -> &Arc<PresenceBook> {
        &self.book
    }

    /// Everyone online in `room` on any node.
    pub async fn snapshot(&self, room: &RoomName) -> Presence {
        let rooms = std::slice::from_ref(room);
        let mut people = self.everyone(rooms).await;
        roster::merge(room, people.pop().unwrap_or_default())
    }

    /// How many people are online in each of `rooms`, on any node.
    pub async fn online_counts(&self, rooms: &[RoomName]) -> Vec<usize> {
        self.everyone(rooms)
            .await
            .into_iter()
            .map(roster::count)
            .collect()
    }

    /// Another node's roster of `room` changed: the next flush republishes the room.
    pub fn announced(&self, room: &RoomName) {
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        announced.insert(room.clone());
    }

    fn take_announced(&self) -> HashSet<RoomName> {
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *announced)
    }

    /// Everyone online in each room: this node's book, then the other nodes' rosters. When
    /// Redis cannot be read, this node's people are still shown.
    async fn everyone(&self, rooms: &[RoomName]) -> Vec<Vec<OnlineUser>> {
        let mut people: Vec<Vec<OnlineUser>> =
            rooms.iter().map(|room| self.book.roster(room)).collect();
        if let Some(shared) = &self.shared {
            match shared.others(rooms).await {
                Ok(others) => {
                    for (mine, theirs) in people.iter_mut().zip(others) {
                        mine.extend(theirs);
                    }
                }
                Err(error) => tracing::warn!(%error, "could not read other nodes' presence"),
            }
        }
        people
    }
}
