//! Sends presence changes to the streams, at most once per room per interval, so that N
//! people arriving cost O(N) events rather than O(N²).
//!
//! On one node the book's changes go straight to the hub. With Redis, a change is written
//! to the node's roster and announced; every node (this one too) then republishes the
//! merged presence of the announced rooms its streams follow at its next tick. Every
//! `refresh`, each node rewrites its rosters (so they do not go stale) and republishes any
//! room whose merged presence changed without an announcement: a node that died.

use super::{roster, Presences, SharedRosters};
use crate::domain::{EventKind, OnlineUser, Presence, RoomName};
use crate::server::hub::Hub;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::{interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// How long a node leaving on shutdown waits to withdraw its rosters.
const WITHDRAW_TIMEOUT: Duration = Duration::from_secs(1);

/// Runs until `shutdown`, then withdraws this node's rosters (within a second).
pub fn spawn_flusher(
    presences: Presences,
    hub: Arc<Hub>,
    every: Duration,
    refresh: Duration,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut flush = interval(every);
        let mut refresh = interval(refresh);
        flush.set_missed_tick_behavior(MissedTickBehavior::Delay);
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut flusher = Flusher {
            presences,
            hub,
            published: HashMap::new(),
            written: HashSet::new(),
        };
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = flush.tick() => flusher.flush().await,
                _ = refresh.tick() => flusher.refresh().await,
            }
        }
        if tokio::time::timeout(WITHDRAW_TIMEOUT, flusher.withdraw())
            .await
            .is_err()
        {
            tracing::warn!("could not withdraw this node's presence in time");
        }
    })
}

struct Flusher {
    presences: Presences,
    hub: Arc<Hub>,
    /// What each followed room's streams were last sent (Redis backend).
    published: HashMap<RoomName, Presence>,
    /// Rooms where this node's roster in Redis is not empty.
    written: HashSet<RoomName>,
}

impl Flusher {
    async fn flush(&mut self) {
        let changes = self.presences.book.take_changes();
        let Some(shared) = self.presences.shared.clone() else {
            for (room, people) in changes {
                let presence = roster::merge(&room, people);
                self.hub
                    .publish_ephemeral(&room, EventKind::Presence, &presence);
            }
            return;
        };
        for (room, people) in changes {
            self.write(&shared, &room, &people, true).await;
        }
        let announced: Vec<RoomName> = self
            .presences
            .take_announced()
            .into_iter()
            .filter(|room| self.hub.is_watched(room))
            .collect();
        self.publish(&announced, true).await;
    }

    async fn refresh(&mut self) {
        let Some(shared) = self.presences.shared.clone() else {
            return;
        };
        for room in self.presences.book.rooms() {
            let people = self.presences.book.roster(&room);
            self.write(&shared, &room, &people, false).await;
        }
        let watched = self.hub.watched_rooms();
        self.published.retain(|room, _| watched.contains(room));
        self.presences.forget_others_except(&watched);
        self.publish(&watched, false).await;
    }

    /// Sends the merged presence of `rooms` to their streams; unless `always`, only where
    /// it changed since the last time.
    async fn publish(&mut self, rooms: &[RoomName], always: bool) {
        let everyone = self.presences.everyone_remembered(rooms).await;
        for (room, people) in rooms.iter().zip(everyone) {
            let presence = roster::merge(room, people);
            if always || self.published.get(room) != Some(&presence) {
                self.hub
                    .publish_ephemeral(room, EventKind::Presence, &presence);
                self.published.insert(room.clone(), presence);
            }
        }
    }

    async fn write(
        &mut self,
        shared: &SharedRosters,
        room: &RoomName,
        people: &[OnlineUser],
        announce: bool,
    ) {
        match shared.write(room, people, announce).await {
            Ok(()) if people.is_empty() => {
                self.written.remove(room);
            }
            Ok(()) => {
                self.written.insert(room.clone());
            }
            Err(error) => tracing::warn!(%error, room = %room, "could not share presence"),
        }
    }

    /// Takes this node's people out of every room, so the other nodes need not wait for
    /// its rosters to go stale.
    async fn withdraw(&mut self) {
        let Some(shared) = self.presences.shared.clone() else {
            return;
        };
        for room in std::mem::take(&mut self.written) {
            if let Err(error) = shared.write(&room, &[], true).await {
                tracing::warn!(%error, "could not withdraw this node's presence");
                return;
            }
        }
    }
}
