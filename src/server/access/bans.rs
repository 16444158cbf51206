//! Who is banned, as every request asks: a snapshot of the store's list, read again every
//! [`REFRESH`] (one small read per node, however many requests), and at once on the node
//! that bans. A banned person's requests answer 403; their sessions end and their open
//! streams close when the ban is made.

use crate::domain::UserId;
use crate::server::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How stale the snapshot may be on another node.
pub const REFRESH: Duration = Duration::from_secs(1);

pub struct Bans {
    store: Arc<dyn Store>,
    banned: RwLock<Arc<HashSet<UserId>>>,
}

impl std::fmt::Debug for Bans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bans").finish_non_exhaustive()
    }
}

impl Bans {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            banned: RwLock::default(),
        }
    }

    /// Whether `user` is banned, as of the last read.
    pub fn contains(&self, user: &UserId) -> bool {
        self.snapshot().contains(user)
    }

    /// Reads the list from the store now.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let banned: HashSet<UserId> = self.store.banned().await?.into_iter().collect();
        *self.banned.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(banned);
        Ok(())
    }

    /// Keeps the snapshot fresh until `shutdown`.
    pub fn spawn_refresher(self: &Arc<Self>, shutdown: CancellationToken) {
        let bans = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(REFRESH);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    _ = every.tick() => {
                        if let Err(error) = bans.refresh().await {
                            tracing::warn!(%error, "could not read the bans");
                        }
                    }
                }
            }
        });
    }

    fn snapshot(&self) -> Arc<HashSet<UserId>> {
        self.banned
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
