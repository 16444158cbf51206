//! Who is online. The words: a node's **local** presence is everyone with an open stream on
//! it (`local.rs`); **remote** rosters are the other nodes' people, through Redis
//! (`remote.rs`); a **summary** is a room's presence made from people (`summary.rs`); the
//! **board** is what this node's streams were last shown of each room, and sends them the
//! changes (`board.rs`). As with `Fanout`, one node and a cluster sharing Redis are two
//! variants of where the people come from; the cluster's view, with everything it remembers
//! between flushes, is `cluster.rs`. The flusher (`flusher.rs`) only keeps time.

mod board;
mod cluster;
mod flusher;
mod local;
mod remote;
mod summary;

pub use board::PresenceBoard;
pub use cluster::ClusterPresence;
pub use flusher::spawn_flusher;
pub use local::{LocalPresence, PresenceGuard};
pub use remote::RemoteRosters;

use crate::domain::{Presence, RoomName};
use crate::server::hub::Hub;
use std::sync::Arc;

/// Presence as every handler sees it, whichever the backend.
#[derive(Debug, Clone)]
pub struct Presences {
    board: Arc<PresenceBoard>,
    people: People,
}

/// Where a room's people come from.
#[derive(Debug, Clone)]
enum People {
    /// One node: its local presence is everyone.
    Local(Arc<LocalPresence>),
    /// Nodes sharing Redis.
    Cluster(Arc<ClusterPresence>),
}

impl Presences {
    /// One node, whose streams are `hub`'s.
    pub fn local(hub: Arc<Hub>) -> Self {
        Self {
            board: Arc::new(PresenceBoard::new(hub)),
            people: People::Local(Arc::default()),
        }
    }

    /// A node of a cluster, whose streams are `hub`'s.
    pub fn cluster(remote: RemoteRosters, hub: Arc<Hub>) -> Self {
        Self {
            board: Arc::new(PresenceBoard::new(hub)),
            people: People::Cluster(Arc::new(ClusterPresence::new(remote))),
        }
    }

    /// This node's open streams (a stream's `PresenceGuard` joins it; renames change it).
    pub fn on_this_node(&self) -> &Arc<LocalPresence> {
        match &self.people {
            People::Local(local) => local,
            People::Cluster(cluster) => cluster.local(),
        }
    }

    /// What streams are shown: a stream opens with the room's snapshot from here.
    pub fn board(&self) -> &Arc<PresenceBoard> {
        &self.board
    }

    /// Everyone online in `room` on any node, read now.
    pub async fn snapshot(&self, room: &RoomName) -> Presence {
        let rooms = std::slice::from_ref(room);
        match &self.people {
            People::Local(local) => local.summary(room),
            People::Cluster(cluster) => {
                summary::summarize(room, cluster.people(rooms).await.pop().unwrap_or_default())
            }
        }
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
        let presence = match &self.people {
            People::Local(local) => local.summary(room),
            People::Cluster(cluster) => cluster.opening(room).await,
        };
        self.board.post(presence);
    }

    /// How many people are online in each of `rooms`, on any node.
    pub async fn online_counts(&self, rooms: &[RoomName]) -> Vec<usize> {
        match &self.people {
            People::Local(local) => rooms
                .iter()
                .map(|room| summary::count(local.people(room)))
                .collect(),
            People::Cluster(cluster) => cluster
                .people(rooms)
                .await
                .into_iter()
                .map(summary::count)
                .collect(),
        }
    }

    /// Another node's roster of `room` changed (cluster only).
    pub fn announced(&self, room: &RoomName) {
        if let People::Cluster(cluster) = &self.people {
            cluster.announced(room);
        }
    }

    /// Posts the presence of the rooms that changed since the last flush.
    async fn flush(&self) {
        match &self.people {
            People::Local(local) => {
                for presence in local.take_changed_summaries() {
                    self.board.post(presence);
                }
            }
            People::Cluster(cluster) => cluster.flush(&self.board).await,
        }
    }

    /// The cluster's periodic rewrite and check (nothing to do on one node).
    async fn refresh(&self) {
        if let People::Cluster(cluster) = &self.people {
            cluster.refresh(&self.board).await;
        }
    }

    /// On shutdown: leave the other nodes' view (nothing to do on one node).
    async fn withdraw(&self) {
        if let People::Cluster(cluster) = &self.people {
            cluster.withdraw().await;
        }
    }
}
