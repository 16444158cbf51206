//! Fair use: no single person or address can take an unbounded share of the node. Sends
//! (and edits and deletes), typing signals and renames pass token buckets per session and
//! per client address (429 with `Retry-After`); open streams are capped per session, per
//! address and per node (429 / 503 with `Retry-After`).

mod bucket;
mod client_address;
mod limit_settings;
mod streams;

pub use bucket::{Buckets, Rate};
pub use client_address::{client_address, AddressRule};
pub use limit_settings::{LimitSettings, RateLimits};
pub use streams::{StreamCaps, StreamCounts, StreamPermit};

use crate::domain::UserId;
use crate::error::ChatError;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a request is, for rate limiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Send, edit or delete a message, or react to one.
    Write,
    Typing,
    Rename,
    /// Download a room's history (a whole room read from the store).
    Export,
    /// Search (a page of results).
    Search,
    /// Upload a file.
    Upload,
    /// A write by a session minted for this very request (a client without the cookie):
    /// counted against its address at a session's rate, so that dropping the cookie does
    /// not give a client a fresh allowance each time.
    NewSession,
}

/// One kind of request's buckets: per session and per address.
#[derive(Debug)]
struct ActionBuckets {
    per_session: Buckets<UserId>,
    per_address: Buckets<IpAddr>,
}

impl ActionBuckets {
    fn new(rate: Rate, address_factor: u32) -> Self {
        Self {
            per_session: Buckets::new(rate),
            per_address: Buckets::new(rate.times(address_factor)),
        }
    }
}

/// The node's limits, shared by every handler.
#[derive(Debug, Clone)]
pub struct Limits {
    /// `None` when rate limits are off (`CHAT_RATE_LIMITS=off`, for benchmarks).
    rates: Option<Arc<[ActionBuckets; 7]>>,
    pub streams: StreamCounts,
    /// Exports being downloaded (counted like streams: per session, address and node).
    exports: StreamCounts,
    /// Places for searches running at once on this node.
    searches: Arc<tokio::sync::Semaphore>,
}

/// How long a search waits for a place before it is turned away (503, try again).
const SEARCH_QUEUE_WAIT: Duration = Duration::from_secs(2);

/// A running search's place, given back when dropped.
pub type SearchSlot = tokio::sync::OwnedSemaphorePermit;

impl Limits {
    pub fn new(settings: &LimitSettings) -> Self {
        let rates = settings.rates.map(|rates| {
            let factor = rates.address_factor.max(1);
            Arc::new([
                ActionBuckets::new(rates.writes, factor),
                ActionBuckets::new(rates.typing, factor),
                ActionBuckets::new(rates.renames, factor),
                ActionBuckets::new(rates.exports, factor),
                ActionBuckets::new(rates.searches, factor),
                ActionBuckets::new(rates.uploads, factor),
                // Per address only, at one session's rate of writes.
                ActionBuckets::new(rates.writes, 1),
            ])
        });
        Self {
            rates,
            streams: StreamCounts::new(settings.streams),
            exports: StreamCounts::new(settings.exports),
            searches: Arc::new(tokio::sync::Semaphore::new(settings.concurrent_searches)),
        }
    }

    /// A place for one export being downloaded, held until its body is dropped: 429 when
    /// this person or address downloads as many at once as allowed, 503 when the node does.
    pub fn export_place(
        &self,
        session: &UserId,
        address: Option<IpAddr>,
    ) -> Result<StreamPermit, ChatError> {
        self.exports
            .open(session, address)
            .map_err(|refused| match refused {
                ChatError::TooManyStreams { retry_after } => ChatError::RateLimited { retry_after },
                other => other,
            })
    }

    /// A place for one search, waiting a little while for one: however many searches are
    /// asked for at once, only so many run; the rest wait, then answer 503.
    pub async fn search_slot(&self) -> Result<SearchSlot, ChatError> {
        let waited = tokio::time::timeout(SEARCH_QUEUE_WAIT, self.searches.clone().acquire_owned());
        match waited.await {
            Ok(Ok(slot)) => Ok(slot),
            _ => {
                tracing::info!("search turned away: the node is running its most searches");
                Err(ChatError::Overloaded { retry_after: 1 })
            }
        }
    }

    /// Lets one `action` of `session` from `address` through, or answers 429 with how many
    /// seconds to wait.
    pub fn check(
        &self,
        action: Action,
        session: &UserId,
        address: Option<IpAddr>,
    ) -> Result<(), ChatError> {
        let Some(rates) = &self.rates else {
            return Ok(());
        };
        let buckets = &rates[action as usize];
        let now = Instant::now();
        let refused = |wait: Duration| {
            tracing::info!(?action, ?address, "rate limited");
            ChatError::RateLimited {
                retry_after: u32::try_from(wait.as_secs() + 1).unwrap_or(u32::MAX),
            }
        };
        if action != Action::NewSession {
            buckets.per_session.take(session, now).map_err(refused)?;
        }
        if let Some(address) = address {
            buckets.per_address.take(&address, now).map_err(refused)?;
        }
        Ok(())
    }
}
