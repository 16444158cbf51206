//! What administrators and rooms' creators restrict, as every request asks: who is banned
//! and which rooms are locked. A snapshot of the store's lists, read again every
//! [`REFRESH`] (three small reads per node, however many requests), and at once on the node
//! that changes them.
//!
//! A banned person's requests answer 403; their sessions end and their open streams close
//! when the ban is made. A ban may cover the networks they acted from lately: noted here
//! at most once per [`NOTE_EVERY`] per person and network per node, and written in one
//! batch with the next refresh, so a send costs no store write; nothing from a banned
//! network is served. A locked room is read-only but for who moderates it.

use crate::domain::{RoomName, UserId};
use crate::server::store::{AddressNote, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How stale the snapshot may be on another node.
pub const REFRESH: Duration = Duration::from_secs(1);

/// How long shutdown waits to write the addresses noted last.
const LAST_WRITE: Duration = Duration::from_secs(1);

/// How often one person acting from one network is written down, per node.
pub const NOTE_EVERY: Duration = Duration::from_secs(600);

/// The most (person, network) pairs a node remembers noting; past it, it starts over.
const NOTES_REMEMBERED: usize = 50_000;

/// The most notes waiting for their batch; past it, new ones are dropped until it goes.
const NOTES_WAITING: usize = 20_000;

/// The lists, as last read.
#[derive(Debug, Default)]
struct Lists {
    banned: HashSet<UserId>,
    banned_nets: HashSet<String>,
    locked: HashSet<RoomName>,
}

pub struct Restrictions {
    store: Arc<dyn Store>,
    lists: RwLock<Arc<Lists>>,
    noted: Mutex<HashMap<(UserId, String), Instant>>,
    /// Notes not yet written.
    waiting: Mutex<Vec<AddressNote>>,
}

/// The network an address counts as for bans: an IPv4 address whole (an IPv4-mapped IPv6
/// address too), an IPv6 address by its /64, as text (`2001:db8:1:2::/64`).
pub fn net_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & (u128::MAX << 64);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
        },
    }
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
            noted: Mutex::default(),
            waiting: Mutex::default(),
        }
    }

    /// Whether requests from `ip` are refused (its network was banned with someone).
    pub fn is_address_banned(&self, ip: IpAddr) -> bool {
        let lists = self.snapshot();
        !lists.banned_nets.is_empty() && lists.banned_nets.contains(&net_of(ip))
    }

    /// `user` acts from `ip`: written down with the next batch unless this node did lately.
    pub fn note_address(&self, user: &UserId, ip: IpAddr) {
        let net = net_of(ip);
        let now = Instant::now();
        {
            let mut noted = self.noted.lock().unwrap_or_else(|e| e.into_inner());
            let key = (user.clone(), net.clone());
            if noted
                .get(&key)
                .is_some_and(|at| now.duration_since(*at) < NOTE_EVERY)
            {
                return;
            }
            if noted.len() >= NOTES_REMEMBERED {
                noted.clear();
            }
            noted.insert(key, now);
        }
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        if waiting.len() < NOTES_WAITING {
            waiting.push(AddressNote {
                user_id: user.clone(),
                net,
                at: crate::server::access::session::now_millis(),
            });
        }
    }

    /// Writes the notes waiting, in one batch (before a ban reads them, and every
    /// [`REFRESH`]).
    pub async fn write_notes(&self) -> Result<(), StoreError> {
        let notes = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|e| e.into_inner()));
        if notes.is_empty() {
            return Ok(());
        }
        let written = self.store.note_addresses(&notes).await;
        if written.is_err() {
            // Tried again with the next batch (within the bound).
            let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
            let room = NOTES_WAITING.saturating_sub(waiting.len());
            waiting.extend(notes.into_iter().take(room));
        }
        written
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
            banned_nets: (self.store.banned_addresses().await?)
                .into_iter()
                .map(|ban| ban.net)
                .collect(),
            locked: self.store.locked_rooms().await?.into_iter().collect(),
        };
        *self.lists.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(lists);
        Ok(())
    }

    /// Keeps the snapshot fresh until `served` (every connection has finished), then
    /// writes the addresses noted since the last write (within a second): the task ends
    /// when they are written.
    pub fn spawn_refresher(self: &Arc<Self>, served: CancellationToken) -> JoinHandle<()> {
        let restrictions = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(REFRESH);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = served.cancelled() => {
                        let last = tokio::time::timeout(LAST_WRITE, restrictions.write_notes());
                        if !matches!(last.await, Ok(Ok(()))) {
                            tracing::warn!("could not note where people acted from last");
                        }
                        return;
                    }
                    _ = every.tick() => {
                        if let Err(error) = restrictions.write_notes().await {
                            tracing::warn!(%error, "could not note where people act from");
                        }
                        if let Err(error) = restrictions.refresh().await {
                            tracing::warn!(%error, "could not read the bans and locks");
                        }
                    }
                }
            }
        })
    }

    fn snapshot(&self) -> Arc<Lists> {
        self.lists.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::net_of;

    #[test]
    fn an_ipv6_address_counts_by_its_64_and_an_ipv4_one_whole() {
        let ip = |text: &str| text.parse().expect("an address");
        assert_eq!(net_of(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(net_of(ip("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(net_of(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            net_of(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            net_of(ip("2001:db8:1:2::9")),
            "one /64"
        );
        assert_ne!(net_of(ip("2001:db8:1:3::1")), net_of(ip("2001:db8:1:2::1")));
    }
}
