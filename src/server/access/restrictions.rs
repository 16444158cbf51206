//! What administrators and rooms' creators restrict, as every request asks: who is banned
//! and which rooms are locked. A snapshot of the store's lists, read again every
//! [`REFRESH`] (two small reads per node, however many requests), and at once on the node
//! that changes them.
//!
//! A banned person's requests answer 403; their sessions end and their open streams close
//! when the ban is made. A locked room is read-only but for who moderates it.

use crate::domain::{RoomName, UserId};
use crate::server::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How stale the snapshot may be on another node.
pub const REFRESH: Duration = Duration::from_secs(1);

/// The lists, as last read.
#[derive(Debug, Default)]
struct Lists {
    banned: HashSet<UserId>,
    locked: HashSet<RoomName>,
}

pub struct Restrictions {
    store: Arc<dyn Store>,
    lists: RwLock<Arc<Lists>>,
}

impl std::fmt::Debug for Restrictions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Restrictions").finish_non_exhaustive()
    }
}

impl Restrictions {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            lists: RwLock::default(),
        }
    }

    /// Whether `user` is banned, as of the last read.
    pub fn is_banned(&self, user: &UserId) -> bool {
        self.snapshot().banned.contains(user)
    }

    /// Whether `room` is locked, as of the last read.
    pub fn is_locked(&self, room: &RoomName) -> bool {
        self.snapshot().locked.contains(room)
    }

    /// Reads the lists from the store now.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let lists = Lists {
            banned: self.store.banned().await?.into_iter().collect(),
            locked: self.store.locked_rooms().await?.into_iter().collect(),
        };
        *self.lists.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(lists);
        Ok(())
    }

    /// Keeps the snapshot fresh until `shutdown`.
    pub fn spawn_refresher(self: &Arc<Self>, shutdown: CancellationToken) {
        let restrictions = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(REFRESH);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    _ = every.tick() => {
                        if let Err(error) = restrictions.refresh().await {
                            tracing::warn!(%error, "could not read the bans and locks");
                        }
                    }
                }
            }
        });
    }

    fn snapshot(&self) -> Arc<Lists> {
        self.lists.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
