//! Who is online. The words: a node's **local** presence is everyone with an open stream on
//! it (`local.rs`); **remote** rosters are the other nodes' people, through Redis
//! (`remote.rs`); a **summary** is a room's presence made from people (`summary.rs`); the
//! **board** is what this node's streams were last shown of each room, and sends them the
//! changes (`board.rs`). Where the people come from is [`People`], chosen once at start-up
//! (`src/startup/`): one node (`one_node.rs`), or a cluster sharing Redis, whose view, with
//! everything it remembers between flushes, is `cluster.rs`. The flusher (`flusher.rs`)
//! only keeps time.
//!
//! May import: `delivery`, `store`, `metrics`.

mod board;
mod cluster;
mod flusher;
mod local;
mod one_node;
mod remote;
mod summary;

pub use board::PresenceBoard;
pub use cluster::ClusterPresence;
pub use flusher::spawn_flusher;
pub use local::{LocalPresence, PresenceGuard};
pub use one_node::OneNode;
pub use remote::RemoteRosters;

use crate::domain::{Presence, RoomName};
use crate::server::delivery::hub::Hub;
use crate::server::delivery::relay::RosterNews;
use async_trait::async_trait;
use std::fmt;
use std::sync::Arc;

/// Where a room's people come from: one node, or nodes sharing Redis.
#[async_trait]
pub trait People: Send + Sync + fmt::Debug {
    /// This node's open streams (a stream's `PresenceGuard` joins it; renames change it).
    fn on_this_node(&self) -> &Arc<LocalPresence>;

    /// Everyone online in `room` on any node, read now.
    async fn snapshot(&self, room: &RoomName) -> Presence;

    /// A room's presence as the first stream of it on this node shows it.
    async fn opening(&self, room: &RoomName) -> Presence;

    /// How many people are online in each of `rooms`, on any node.
    async fn online_counts(&self, rooms: &[RoomName]) -> Vec<usize>;

    /// Posts to `board` the presence of the rooms that changed since the last flush.
    async fn flush(&self, board: &PresenceBoard);

    /// The periodic rewrite and check.
    async fn refresh(&self, _board: &PresenceBoard) {}

    /// On shutdown: leave the other nodes' view.
    async fn withdraw(&self) {}

    /// Another node's roster of `room` changed.
    fn announced(&self, _room: &RoomName) {}
}

/// Presence as every handler sees it, whichever the backend.
#[derive(Debug, Clone)]
pub struct Presences {
    board: Arc<PresenceBoard>,
    people: Arc<dyn People>,
}

impl Presences {
    /// Presence from `people`, shown to `hub`'s streams.
    pub fn new(people: Arc<dyn People>, hub: Arc<Hub>) -> Self {
        Self {
            board: Arc::new(PresenceBoard::new(hub)),
            people,
        }
    }

    /// This node's open streams (a stream's `PresenceGuard` joins it; renames change it).
    pub fn on_this_node(&self) -> &Arc<LocalPresence> {
        self.people.on_this_node()
    }

    /// What streams are shown: a stream opens with the room's snapshot from here.
    pub fn board(&self) -> &Arc<PresenceBoard> {
        &self.board
    }

    /// Everyone online in `room` on any node, read now.
    pub async fn snapshot(&self, room: &RoomName) -> Presence {
        self.people.snapshot(room).await
    }

    /// Before a stream opens in `room` (subscribed already): the first stream of a room on
    /// this node posts its presence at once, so a person arriving in an empty room sees
    /// themselves, and a cluster node its first stream the other nodes' people, without
    /// waiting for a flush. Later arrivals show at the next flush, once per interval however
    /// many arrive.
    pub async fn prepare_opening(&self, room: &RoomName) {
        if self.board.has(room) {
            return;
        }
        let presence = self.people.opening(room).await;
        self.board.post(presence);
    }

    /// How many people are online in each of `rooms`, on any node.
    pub async fn online_counts(&self, rooms: &[RoomName]) -> Vec<usize> {
        self.people.online_counts(rooms).await
    }

    /// Posts the presence of the rooms that changed since the last flush.
    async fn flush(&self) {
        self.people.flush(&self.board).await;
    }

    /// The periodic rewrite and check.
    async fn refresh(&self) {
        self.people.refresh(&self.board).await;
    }

    /// On shutdown: leave the other nodes' view.
    async fn withdraw(&self) {
        self.people.withdraw().await;
    }
}

impl RosterNews for Presences {
    fn roster_changed(&self, room: &RoomName) {
        self.people.announced(room);
    }
}
