//! What the serve loop keeps per connection: how many connections each client address
//! holds (capped, when no trusted proxy stands in front), and, for an HTTP/2 connection,
//! whether it is idle (no request or response under way), so that idle ones are closed
//! after a while instead of being held open for ever.

use axum::body::Body;
use axum::http::Response;
use futures::StreamExt;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The open connections of each client address.
#[derive(Debug, Default)]
pub struct PerAddress {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place under its address' cap, given back when dropped.
#[derive(Debug)]
pub struct AddressPlace {
    counts: Arc<PerAddress>,
    address: IpAddr,
}

impl PerAddress {
    /// A place for a connection from `address`, or `None` when it has `cap` open already.
    pub fn admit(self: &Arc<Self>, address: IpAddr, cap: usize) -> Option<AddressPlace> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(address).or_default();
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(AddressPlace {
            counts: self.clone(),
            address,
        })
    }
}

impl Drop for AddressPlace {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// What is under way on one connection: requests whose response has not ended.
#[derive(Debug)]
pub struct Activity {
    busy: AtomicUsize,
    since: Mutex<Instant>,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            busy: AtomicUsize::new(0),
            since: Mutex::new(Instant::now()),
        }
    }
}

/// A request under way, from its head to the end of its response's body.
#[derive(Debug)]
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
        *self.0.since.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }
}

impl Activity {
    /// `response`, counted as under way until its body has ended or been dropped.
    pub fn track(self: &Arc<Self>, response: Response<Body>) -> Response<Body> {
        self.busy.fetch_add(1, Ordering::AcqRel);
        let busy = Busy(self.clone());
        response.map(|body| {
            Body::from_stream(body.into_data_stream().map(move |chunk| {
                let _busy = &busy;
                chunk
            }))
        })
    }

    /// Waits until the connection has been idle for `timeout` (nothing under way).
    pub async fn idle_for(&self, timeout: Duration) {
        loop {
            let since = *self.since.lock().unwrap_or_else(|e| e.into_inner());
            if self.busy.load(Ordering::Acquire) == 0 && since.elapsed() >= timeout {
                return;
            }
            let wait = timeout.saturating_sub(since.elapsed()).max(timeout / 4);
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_cap_and_places_come_back() {
        let counts = Arc::new(PerAddress::default());
        let here: IpAddr = [10, 0, 0, 1].into();
        let places: Vec<_> = (0..3).filter_map(|_| counts.admit(here, 3)).collect();
        assert_eq!(places.len(), 3);
        assert!(counts.admit(here, 3).is_none());
        assert!(
            counts.admit([10, 0, 0, 2].into(), 3).is_some(),
            "another address"
        );
        drop(places);
        assert!(counts.admit(here, 3).is_some());
    }
}
