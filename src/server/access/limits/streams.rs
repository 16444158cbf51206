//! Counts of open SSE streams per session, per client address and on the node, with caps.
//! Opening a stream takes a permit; the permit gives its place back when the stream ends.

use crate::domain::UserId;
use crate::error::ChatError;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The most streams open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamCaps {
    pub per_session: usize,
    pub per_address: usize,
    pub per_node: usize,
}

/// How long a refused stream should wait before trying again.
const RETRY_AFTER_SECS: u32 = 5;

#[derive(Debug, Default)]
struct Open {
    by_session: HashMap<UserId, usize>,
    by_address: HashMap<IpAddr, usize>,
    total: usize,
}

/// The node's open streams.
#[derive(Debug, Clone)]
pub struct StreamCounts {
    caps: StreamCaps,
    open: Arc<Mutex<Open>>,
}

/// One open stream's place; dropping it frees the place.
#[derive(Debug)]
pub struct StreamPermit {
    open: Arc<Mutex<Open>>,
    session: UserId,
    address: Option<IpAddr>,
}

impl StreamCounts {
    pub fn new(caps: StreamCaps) -> Self {
        Self {
            caps,
            open: Arc::default(),
        }
    }

    /// A place for one more stream of `session` from `address`, or why not: 429 when this
    /// person or address has too many open, 503 when the node is full.
    pub fn open(
        &self,
        session: &UserId,
        address: Option<IpAddr>,
    ) -> Result<StreamPermit, ChatError> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.caps.per_node {
            tracing::warn!(open = open.total, "stream refused: the node is full");
            return Err(ChatError::Overloaded {
                retry_after: RETRY_AFTER_SECS,
            });
        }
        let too_many = ChatError::TooManyStreams {
            retry_after: RETRY_AFTER_SECS,
        };
        if count(&open.by_session, session) >= self.caps.per_session {
            return Err(too_many);
        }
        if let Some(address) = address {
            if count(&open.by_address, &address) >= self.caps.per_address {
                tracing::info!(%address, "stream refused: too many from one address");
                return Err(too_many);
            }
            *open.by_address.entry(address).or_default() += 1;
        }
        *open.by_session.entry(session.clone()).or_default() += 1;
        open.total += 1;
        Ok(StreamPermit {
            open: self.open.clone(),
            session: session.clone(),
            address,
        })
    }

    /// How many streams are open on the node.
    pub fn total(&self) -> usize {
        self.open.lock().map(|o| o.total).unwrap_or_default()
    }
}

fn count<K: Hash + Eq>(map: &HashMap<K, usize>, key: &K) -> usize {
    map.get(key).copied().unwrap_or_default()
}

fn release<K: Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
    if let Some(n) = map.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        release(&mut open.by_session, &self.session);
        if let Some(address) = &self.address {
            release(&mut open.by_address, address);
        }
        open.total = open.total.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_apply_per_session_per_address_and_per_node_and_places_come_back() {
        let counts = StreamCounts::new(StreamCaps {
            per_session: 2,
            per_address: 3,
            per_node: 4,
        });
        let (ann, bob, cat) = (
            UserId::from_random(1),
            UserId::from_random(2),
            UserId::from_random(3),
        );
        let here: Option<IpAddr> = "10.0.0.1".parse().ok();
        let there: Option<IpAddr> = "10.0.0.2".parse().ok();
        let a1 = counts.open(&ann, here).expect("first");
        let _a2 = counts.open(&ann, here).expect("second");
        assert!(matches!(
            counts.open(&ann, there),
            Err(ChatError::TooManyStreams { .. })
        ));
        let _b1 = counts.open(&bob, here).expect("third from the address");
        assert!(matches!(
            counts.open(&cat, here),
            Err(ChatError::TooManyStreams { .. })
        ));
        let _c1 = counts.open(&cat, there).expect("another address");
        assert!(matches!(
            counts.open(&cat, there),
            Err(ChatError::Overloaded { .. })
        ));
        drop(a1);
        assert_eq!(counts.total(), 3);
        assert!(counts.open(&cat, there).is_ok(), "a freed place is reused");
    }
}
