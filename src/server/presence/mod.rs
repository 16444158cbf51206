//! Who is online. The words: a node's **local** presence is everyone with an open stream on
//! it (`local.rs`); **remote** rosters are the other nodes' people, through Redis
//! (`remote.rs`); a **summary** is the `presence` event made from people (`summary.rs`).
//! As with `Fanout`, one node and a cluster sharing Redis are two variants of `Presences`;
//! the cluster's view, with everything it remembers between flushes, is `cluster.rs`. The
//! flusher (`flusher.rs`) only keeps time.

mod cluster;
mod flusher;
mod local;
mod remote;
mod summary;

pub use cluster::ClusterPresence;
pub use flusher::spawn_flusher;
pub use local::{LocalPresence, PresenceGuard};
pub use remote::RemoteRosters;
pub use summary::LISTED;

use crate::domain::{EventKind, Presence, RoomName};
use crate::server::hub::Hub;
use std::sync::Arc;

/// Presence as every handler sees it, whichever the backend.
#[derive(Debug, Clone)]
pub enum Presences {
    /// One node: its local presence is everyone.
    Local(Arc<LocalPresence>),
    /// Nodes sharing Redis.
    Cluster(Arc<ClusterPresence>),
}

impl Presences {
    pub fn local() -> Self {
        Presences::Local(Arc::default())
    }

    pub fn cluster(remote: RemoteRosters) -> Self {
        Presences::Cluster(Arc::new(ClusterPresence::new(remote)))
    }

    /// This node's open streams (a stream's `PresenceGuard` joins it; renames change it).
    pub fn on_this_node(&self) -> &Arc<LocalPresence> {
        match self {
            Presences::Local(local) => local,
            Presences::Cluster(cluster) => cluster.local(),
        }
    }

    /// Everyone online in `room` on any node, read now.
    pub async fn snapshot(&self, room: &RoomName) -> Presence {
        let rooms = std::slice::from_ref(room);
        match self {
            Presences::Local(local) => local.summary(room),
            Presences::Cluster(cluster) => {
                summary::summarize(room, cluster.people(rooms).await.pop().unwrap_or_default())
            }
        }
    }

    /// The presence a stream opening in `room` starts with (see `ClusterPresence::opening`).
    pub async fn opening_snapshot(&self, room: &RoomName) -> Presence {
        match self {
            Presences::Local(local) => local.summary(room),
            Presences::Cluster(cluster) => cluster.opening(room).await,
        }
    }

    /// How many people are online in each of `rooms`, on any node.
    pub async fn online_counts(&self, rooms: &[RoomName]) -> Vec<usize> {
        match self {
            Presences::Local(local) => rooms
                .iter()
                .map(|room| summary::count(local.people(room)))
                .collect(),
            Presences::Cluster(cluster) => cluster
                .people(rooms)
                .await
                .into_iter()
                .map(summary::count)
                .collect(),
        }
    }

    /// Another node's roster of `room` changed (cluster only).
    pub fn announced(&self, room: &RoomName) {
        if let Presences::Cluster(cluster) = self {
            cluster.announced(room);
        }
    }

    /// Sends the presence of the rooms that changed since the last flush.
    async fn flush(&self, hub: &Hub) {
        match self {
            Presences::Local(local) => {
                for presence in local.take_changed_summaries() {
                    hub.publish_ephemeral(&presence.room, EventKind::Presence, &presence);
                }
            }
            Presences::Cluster(cluster) => cluster.flush(hub).await,
        }
    }

    /// The cluster's periodic rewrite and check (nothing to do on one node).
    async fn refresh(&self, hub: &Hub) {
        if let Presences::Cluster(cluster) = self {
            cluster.refresh(hub).await;
        }
    }

    /// On shutdown: leave the other nodes' view (nothing to do on one node).
    async fn withdraw(&self) {
        if let Presences::Cluster(cluster) = self {
            cluster.withdraw().await;
        }
    }
}
