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
    rates: Option<Arc<[ActionBuckets; 6]>>,
    pub streams: StreamCounts,
}

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
                // Per address only, at one session's rate of writes.
                ActionBuckets::new(rates.writes, 1),
            ])
        });
        Self {
            rates,
            streams: StreamCounts::new(settings.streams),
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
