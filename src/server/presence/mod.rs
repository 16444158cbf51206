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
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Presence as every handler sees it, whichever the backend.
#[derive(Debug, Clone, Default)]
pub struct Presences {
    book: Arc<PresenceBook>,
    /// The other nodes' rosters (Redis backend only).
    shared: Option<SharedRosters>,
    /// Rooms whose presence another node announced a change of since the last flush.
    announced: Arc<Mutex<HashSet<RoomName>>>,
    /// The other nodes' people in each followed room, as the flusher last read them (every
    /// announced change, and every refresh). A stream opening reads this, not Redis: with
    /// N people arriving, N reads of everyone would cost O(N²).
    others: Arc<Mutex<HashMap<RoomName, Arc<Vec<OnlineUser>>>>>,
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

    /// Everyone online in `room` on any node, read now.
    pub async fn snapshot(&self, room: &RoomName) -> Presence {
        let rooms = std::slice::from_ref(room);
        roster::merge(room, self.everyone(rooms).await.pop().unwrap_or_default())
    }

    /// The presence a stream opening in `room` starts with: this node's people now, the
    /// other nodes' as of the last flush (the stream gets every change after it). The room
    /// must be followed already, so that the flusher keeps what it remembers current.
    pub async fn opening_snapshot(&self, room: &RoomName) -> Presence {
        let cached = self.lock_others().get(room).cloned();
        let others = match cached {
            Some(others) => others,
            None => {
                let rooms = std::slice::from_ref(room);
                let read = Arc::new(self.read_others(rooms).await.pop().unwrap_or_default());
                // Unless the flusher remembered a newer read meanwhile.
                let mut cache = self.lock_others();
                cache.entry(room.clone()).or_insert(read).clone()
            }
        };
        let mine = self.book.roster(room);
        roster::merge(room, mine.into_iter().chain(others.iter().cloned()))
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

    /// Everyone online in each room: this node's book, then the other nodes' rosters read
    /// now. When Redis cannot be read, this node's people are still shown.
    async fn everyone(&self, rooms: &[RoomName]) -> Vec<Vec<OnlineUser>> {
        let others = self.read_others(rooms).await;
        self.with_mine(rooms, others.iter().map(Vec::as_slice))
    }

    /// The same, remembering the other nodes' people for the streams that open next.
    async fn everyone_remembered(&self, rooms: &[RoomName]) -> Vec<Vec<OnlineUser>> {
        let others: Vec<Arc<Vec<OnlineUser>>> = self
            .read_others(rooms)
            .await
            .into_iter()
            .map(Arc::new)
            .collect();
        let mut cache = self.lock_others();
        for (room, theirs) in rooms.iter().zip(&others) {
            cache.insert(room.clone(), theirs.clone());
        }
        drop(cache);
        self.with_mine(rooms, others.iter().map(|theirs| theirs.as_slice()))
    }

    /// This node's people in each room, followed by `others`.
    fn with_mine<'a>(
        &self,
        rooms: &[RoomName],
        others: impl Iterator<Item = &'a [OnlineUser]>,
    ) -> Vec<Vec<OnlineUser>> {
        rooms
            .iter()
            .zip(others)
            .map(|(room, theirs)| {
                let mut people = self.book.roster(room);
                people.extend_from_slice(theirs);
                people
            })
            .collect()
    }

    /// Forgets the other nodes' people in rooms no stream here follows any more.
    fn forget_others_except(&self, followed: &[RoomName]) {
        self.lock_others().retain(|room, _| followed.contains(room));
    }

    /// The other nodes' people in each room (nobody, with one node or when Redis fails).
    async fn read_others(&self, rooms: &[RoomName]) -> Vec<Vec<OnlineUser>> {
        let Some(shared) = &self.shared else {
            return vec![Vec::new(); rooms.len()];
        };
        match shared.others(rooms).await {
            Ok(others) => others,
            Err(error) => {
                tracing::warn!(%error, "could not read other nodes' presence");
                vec![Vec::new(); rooms.len()]
            }
        }
    }

    fn lock_others(&self) -> std::sync::MutexGuard<'_, HashMap<RoomName, Arc<Vec<OnlineUser>>>> {
        self.others.lock().unwrap_or_else(|e| e.into_inner())
    }
}
