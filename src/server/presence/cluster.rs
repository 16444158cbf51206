//! Presence across nodes sharing Redis: this node's local presence plus the other nodes'
//! rosters, and everything that has to be remembered between flushes, in one place.
//!
//! A local change is written to this node's roster and announced; every node (this one
//! too) then posts the summary of the announced rooms its streams follow at its next flush
//! (the board sends streams what changed). Every refresh, each node rewrites its rosters (so
//! they do not go stale) and posts every followed room again, which shows a change that came
//! without an announcement: a node that died.

use super::board::PresenceBoard;
use super::local::LocalPresence;
use super::remote::RemoteRosters;
use super::summary;
use super::People;
use crate::domain::{OnlineUser, Presence, RoomName};
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// This node's view of presence on every node.
#[derive(Debug)]
pub struct ClusterPresence {
    local: Arc<LocalPresence>,
    remote: RemoteRosters,
    memory: Mutex<Memory>,
}

/// What the cluster's presence remembers between flushes.
#[derive(Debug, Default)]
struct Memory {
    /// The other nodes' people in each followed room, as last read (every announced change,
    /// and every refresh). A stream opening reads this, not Redis: with N people arriving,
    /// N reads of everyone would cost O(N²).
    others: HashMap<RoomName, Arc<Vec<OnlineUser>>>,
    /// Rooms whose presence another node announced a change of since the last flush.
    announced: HashSet<RoomName>,
    /// Rooms where this node's roster in Redis is not empty.
    written: HashSet<RoomName>,
}

impl ClusterPresence {
    pub fn new(remote: RemoteRosters) -> Self {
        Self {
            local: Arc::default(),
            remote,
            memory: Mutex::default(),
        }
    }

    /// Everyone online in each of `rooms`, on any node, read now. When Redis cannot be
    /// read, this node's people are still there.
    pub async fn people(&self, rooms: &[RoomName]) -> Vec<Vec<OnlineUser>> {
        let others = self.read_others(rooms).await;
        self.with_local(rooms, others.iter().map(Vec::as_slice))
    }

    /// Posts the summary of `rooms`, remembering the other nodes' people read for it.
    async fn post(&self, board: &PresenceBoard, rooms: &[RoomName]) {
        let others: Vec<Arc<Vec<OnlineUser>>> = self
            .read_others(rooms)
            .await
            .into_iter()
            .map(Arc::new)
            .collect();
        {
            let mut memory = self.memory();
            for (room, theirs) in rooms.iter().zip(&others) {
                memory.others.insert(room.clone(), theirs.clone());
            }
        }
        let people = self.with_local(rooms, others.iter().map(|theirs| theirs.as_slice()));
        for (room, people) in rooms.iter().zip(people) {
            board.post(summary::summarize(room, people));
        }
    }

    async fn write(&self, room: &RoomName, people: &[OnlineUser], announce: bool) {
        match self.remote.write(room, people, announce).await {
            Ok(()) if people.is_empty() => {
                self.memory().written.remove(room);
            }
            Ok(()) => {
                self.memory().written.insert(room.clone());
            }
            Err(error) => tracing::warn!(%error, room = %room, "could not share presence"),
        }
    }

    /// This node's people in each room, followed by `others`.
    fn with_local<'a>(
        &self,
        rooms: &[RoomName],
        others: impl Iterator<Item = &'a [OnlineUser]>,
    ) -> Vec<Vec<OnlineUser>> {
        rooms
            .iter()
            .zip(others)
            .map(|(room, theirs)| {
                let mut people = self.local.people(room);
                people.extend_from_slice(theirs);
                people
            })
            .collect()
    }

    /// The other nodes' people in each room (nobody when Redis fails).
    async fn read_others(&self, rooms: &[RoomName]) -> Vec<Vec<OnlineUser>> {
        match self.remote.read_others(rooms).await {
            Ok(others) => others,
            Err(error) => {
                tracing::warn!(%error, "could not read other nodes' presence");
                vec![Vec::new(); rooms.len()]
            }
        }
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl People for ClusterPresence {
    fn on_this_node(&self) -> &Arc<LocalPresence> {
        &self.local
    }

    /// Another node's roster of `room` changed: the next flush republishes the room.
    fn announced(&self, room: &RoomName) {
        self.memory().announced.insert(room.clone());
    }

    /// The presence of `room` for its first stream on this node: this node's people now, the
    /// other nodes' as of the last flush. The room must be followed already, so that flushes
    /// keep what is remembered current.
    async fn opening(&self, room: &RoomName) -> Presence {
        let remembered = self.memory().others.get(room).cloned();
        let others = match remembered {
            Some(others) => others,
            None => {
                let rooms = std::slice::from_ref(room);
                let read = Arc::new(self.read_others(rooms).await.pop().unwrap_or_default());
                // Unless a flush remembered a newer read meanwhile.
                let mut memory = self.memory();
                memory.others.entry(room.clone()).or_insert(read).clone()
            }
        };
        let mine = self.local.people(room);
        summary::summarize(room, mine.into_iter().chain(others.iter().cloned()))
    }

    /// Writes this node's changed rosters (announcing them), then posts the announced rooms
    /// that streams here follow.
    async fn flush(&self, board: &PresenceBoard) {
        let hub = board.hub();
        for (room, people) in self.local.take_changes() {
            self.write(&room, &people, true).await;
        }
        let announced = std::mem::take(&mut self.memory().announced);
        let announced: Vec<RoomName> = announced
            .into_iter()
            .filter(|room| hub.is_watched(room))
            .collect();
        self.post(board, &announced).await;
    }

    /// Rewrites every roster of this node, forgets rooms no stream here follows, and posts
    /// the followed ones (streams get what changed).
    async fn refresh(&self, board: &PresenceBoard) {
        for room in self.local.rooms() {
            let people = self.local.people(&room);
            self.write(&room, &people, false).await;
        }
        let watched = board.hub().watched_rooms();
        self.memory()
            .others
            .retain(|room, _| watched.contains(room));
        board.forget_unwatched();
        self.post(board, &watched).await;
    }

    /// Takes this node's people out of every room, so the other nodes need not wait for
    /// its rosters to go stale.
    async fn withdraw(&self) {
        let written = std::mem::take(&mut self.memory().written);
        for room in written {
            if let Err(error) = self.remote.write(&room, &[], true).await {
                tracing::warn!(%error, "could not withdraw this node's presence");
                return;
            }
        }
    }

    async fn snapshot(&self, room: &RoomName) -> Presence {
        let rooms = std::slice::from_ref(room);
        summary::summarize(room, self.people(rooms).await.pop().unwrap_or_default())
    }

    async fn online_counts(&self, rooms: &[RoomName]) -> Vec<usize> {
        self.people(rooms)
            .await
            .into_iter()
            .map(summary::count)
            .collect()
    }
}
